// Runs one conformance case in this process: compile its modules with Tollgate's compiler,
// load the module in OPA's own JavaScript SDK with Tollgate's host builtins, evaluate the
// query and judge the outcome. `runner.ts` calls it in a child process to bound each case.

import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { compileRego, hostBuiltins, sdkText } from "../index.js";
import type { ConformanceCase } from "./cases.js";
import { judge, type Observed, type Verdict } from "./compare.js";

/** How a case's query maps onto an entrypoint: directly, or through a generated wrapper rule. */
export interface QueryPlan {
  entrypoint: string;
  modules: Record<string, string>;
  /** Turns the SDK's result set into the case's bindings. */
  bindings: (resultSet: { result?: unknown }[]) => Record<string, unknown>[];
}

const WRAPPER_PACKAGE = "__tollgate_conformance__";

export function planQuery(testCase: ConformanceCase): QueryPlan {
  const modules: Record<string, string> = {};
  testCase.modules.forEach((text, index) => {
    modules[`test-${index}.rego`] = text;
  });
  const direct = /^\s*data\.([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*=\s*([A-Za-z_]\w*)\s*$/.exec(
    testCase.query,
  );
  if (direct && direct[2] !== "input" && direct[2] !== "data") {
    const variable = direct[2] ?? "x";
    return {
      entrypoint: (direct[1] ?? "").replaceAll(".", "/"),
      modules,
      bindings: (resultSet) =>
        resultSet.filter((row) => "result" in row).map((row) => ({ [variable]: row.result })),
    };
  }
  const variables = Object.keys(testCase.wantResult?.[0] ?? {});
  const binding = `{${variables.map((v) => `${JSON.stringify(v)}: ${v}`).join(", ")}}`;
  modules["query.rego"] =
    `package ${WRAPPER_PACKAGE}\n\nresults contains __binding__ if {\n\t${testCase.query}\n\t__binding__ := ${binding}\n}\n`;
  return {
    entrypoint: `${WRAPPER_PACKAGE}/results`,
    modules,
    bindings: (resultSet) => {
      const rows = resultSet[0]?.result;
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
  };
}

export async function runCase(testCase: ConformanceCase): Promise<Verdict> {
  return judge(testCase, await observe(testCase));
}

async function observe(testCase: ConformanceCase): Promise<Observed> {
  const query = planQuery(testCase);
  let wasm: Uint8Array;
  try {
    wasm = (
      await compileRego(query.modules, {
        entrypoints: [query.entrypoint],
        strictBuiltinErrors: testCase.strictError,
      })
    ).wasm;
  } catch (error) {
    return { kind: "error", stage: "compile", text: describeError(error) };
  }
  try {
    const policy = await loadPolicy(wasm, undefined, hostBuiltins);
    policy.setData((testCase.data ?? {}) as object);
    const resultSet = policy.evaluate(testCase.input, query.entrypoint) as { result?: unknown }[];
    return { kind: "results", bindings: query.bindings(resultSet) };
  } catch (error) {
    return { kind: "error", stage: "eval", text: describeError(error) };
  }
}

/** Messages and codes of whatever was thrown: a compile error list, an Error, or a string. */
export function describeError(error: unknown): string {
  if (
    error !== null &&
    typeof error === "object" &&
    "errors" in error &&
    Array.isArray(error.errors)
  ) {
    return error.errors
      .map((e: unknown) => {
        if (e !== null && typeof e === "object" && "message" in e) {
          const located = e as {
            file?: string;
            line?: number;
            column?: number;
            code?: string;
            message: unknown;
          };
          return `${located.file ?? ""}:${located.line ?? 0}:${located.column ?? 0}: ${located.code ?? ""}: ${String(located.message)}`;
        }
        return String(e);
      })
      .join("; ");
  }
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === "object" && "message" in error)
    return String(error.message);
  // The runtime's errors arrive as the text opa_abort was given, decoded by the SDK.
  return sdkText(String(error));
}
