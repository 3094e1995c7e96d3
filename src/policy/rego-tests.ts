// Rego unit tests, OPA's convention: every rule named `test_*` in a file ending `_test.rego`
// (any package, anywhere in the policy folder) is compiled together with the policies and
// evaluated as an entrypoint, in a bounded worker. It passes when its value is true, fails when
// it is undefined or anything else, and errors when evaluation stops; `todo_test_*` is skipped.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { LoadError } from "../model/types.js";
import { BoundedPolicy, exactJsonText, formatEvalError } from "../rego/runtime/index.js";
import { parseModule } from "../rego/syntax/index.js";
import { regoSources, warningAsLoadError, type PolicySource } from "./build.js";

export interface RegoTestOutcome {
  /** The rule's document, `data.pkg.test_name`. */
  name: string;
  file: string;
  line: number;
  column: number;
  status: "passed" | "failed" | "errored" | "skipped";
  /** Why it failed or errored: the value it had, or the located evaluation error. */
  detail?: string;
  /** What its `print` calls wrote, line by line. */
  printed?: string[];
}

export interface RegoTestRun {
  outcomes: RegoTestOutcome[];
  /** Test files that do not parse or compile: located errors, and no test of the folder runs. */
  errors: LoadError[];
  /** The compiler's warnings on the test files (the policies' own come with their build). */
  warnings: LoadError[];
}

const TEST_FILE = "_test.rego";
const TEST_RULE = /^(todo_)?test_/;

/** Every `*_test.rego` file below `dir`, outside fixture folders, sorted by path. */
export async function readRegoTests(dir: string): Promise<PolicySource[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const tests: PolicySource[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(TEST_FILE)) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full).split(path.sep).join("/");
    if (relative.split("/").includes("fixtures")) continue;
    tests.push({ path: relative, text: await readFile(full, "utf8") });
  }
  return tests.sort((a, b) => a.path.localeCompare(b.path));
}

interface TestRule {
  entrypoint: string;
  name: string;
  file: string;
  line: number;
  column: number;
  skipped: boolean;
}

function testRules(tests: PolicySource[], errors: LoadError[], warnings: LoadError[]): TestRule[] {
  const found = new Map<string, TestRule>();
  for (const test of tests) {
    const parsed = parseModule(test.text, test.path);
    warnings.push(...parsed.warnings.map(warningAsLoadError));
    if (!parsed.module) {
      errors.push(...parsed.errors);
      continue;
    }
    const pkg = parsed.module.package.path;
    for (const rule of parsed.module.rules) {
      const [head, ...rest] = rule.head.ref;
      if (head?.type !== "var" || rest.length > 0 || rule.head.kind === "function") continue;
      if (!TEST_RULE.test(head.name)) continue;
      const entrypoint = [...pkg, head.name].join("/");
      // A name defined twice is one document, so one test, located at its first definition.
      if (found.has(entrypoint)) continue;
      found.set(entrypoint, {
        entrypoint,
        name: ["data", ...pkg, head.name].join("."),
        file: test.path,
        line: rule.loc.line,
        column: rule.loc.column,
        skipped: head.name.startsWith("todo_"),
      });
    }
  }
  return [...found.values()];
}

/** Compiles the policies with their test files and runs every test rule over the folder's `data`. */
export async function runRegoTests(
  policies: PolicySource[],
  tests: PolicySource[],
  data: Record<string, unknown> = {},
): Promise<RegoTestRun> {
  const errors: LoadError[] = [];
  const warnings: LoadError[] = [];
  const rules = testRules(tests, errors, warnings);
  const runnable = rules.filter((rule) => !rule.skipped);
  if (errors.length > 0 || runnable.length === 0)
    return { outcomes: rules.filter((rule) => rule.skipped).map(skippedOutcome), errors, warnings };
  const modules = Object.fromEntries(
    [...regoSources(policies), ...tests].map((s) => [s.path, s.text]),
  );
  // Loaded on demand, as in build.ts: the compiler pulls in binaryen.
  const { compileRego, RegoCompileError } = await import("../rego/compiler.js");
  let wasm: Uint8Array;
  try {
    ({ wasm } = await compileRego(modules, { entrypoints: runnable.map((r) => r.entrypoint) }));
  } catch (error) {
    if (error instanceof RegoCompileError) return { outcomes: [], errors: error.errors, warnings };
    throw error;
  }
  const policy = new BoundedPolicy(wasm, data);
  const outcomes: RegoTestOutcome[] = [];
  try {
    for (const rule of rules) {
      if (rule.skipped) {
        outcomes.push(skippedOutcome(rule));
        continue;
      }
      const evaluated = await policy.evaluate(undefined, rule.entrypoint);
      const at = {
        name: rule.name,
        file: rule.file,
        line: rule.line,
        column: rule.column,
        ...(evaluated.printed ? { printed: evaluated.printed } : {}),
      };
      if (!evaluated.ok) {
        outcomes.push({ ...at, status: "errored", detail: formatEvalError(evaluated.error) });
        continue;
      }
      const value = resultValue(evaluated.resultSet);
      if (value === true) outcomes.push({ ...at, status: "passed" });
      else
        outcomes.push({
          ...at,
          status: "failed",
          detail: value === undefined ? "undefined" : `value ${exactJsonText(value)}, not true`,
        });
    }
  } finally {
    await policy.close();
  }
  return { outcomes, errors, warnings };
}

function skippedOutcome(rule: TestRule): RegoTestOutcome {
  return {
    name: rule.name,
    file: rule.file,
    line: rule.line,
    column: rule.column,
    status: "skipped",
  };
}

/** The value of a `[{"result": value}]` result set; undefined for `[]`. */
function resultValue(resultSet: unknown): unknown {
  if (!Array.isArray(resultSet) || resultSet.length === 0) return undefined;
  const [row] = resultSet as unknown[];
  return typeof row === "object" && row !== null && "result" in row ? row.result : undefined;
}
