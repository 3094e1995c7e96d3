// Helpers for the emitter's tests and benchmark: a small builder for hand-written IR and a
// one-call "emit, load in the OPA SDK, evaluate" function.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Block, IrLocation, Operand, Plan, Policy, Stmt } from "../ir/types.js";
import { hostBuiltins } from "../runtime/index.js";
import { emitWasm, type EmitOptions } from "./index.js";

export const at = (line: number, column = 1): IrLocation => ({ file: "policy.rego", line, column });

/** Collects string constants while IR is written by hand. */
export class PolicyBuilder {
  readonly strings: string[] = [];

  str(text: string): Operand {
    let index = this.strings.indexOf(text);
    if (index < 0) index = this.strings.push(text) - 1;
    return { kind: "string", index };
  }

  index(text: string): number {
    const op = this.str(text);
    return op.kind === "string" ? op.index : -1;
  }

  policy(plans: Plan[], funcs: Policy["funcs"] = [], builtins: Policy["builtins"] = []): Policy {
    return { strings: this.strings, builtins, plans, funcs };
  }
}

export const local = (n: number): Operand => ({ kind: "local", local: n });
export const bool = (value: boolean): Operand => ({ kind: "bool", value });
export const block = (...stmts: Stmt[]): Block => ({ stmts });

/** Statements that wrap local `value` as `{"result": value}` and add it to the result set. */
export function addResult(b: PolicyBuilder, value: number, row: number): Stmt[] {
  return [
    { type: "MakeObject", target: row },
    { type: "ObjectInsert", key: b.str("result"), value: local(value), object: row },
    { type: "ResultSetAdd", value: row },
  ];
}

export interface Evaluation {
  wasm: Uint8Array;
  evaluate(input: unknown, entrypoint?: string): unknown;
  setData(data: unknown): void;
}

export async function load(policy: Policy, options?: EmitOptions): Promise<Evaluation> {
  const wasm = emitWasm(policy, options);
  const loaded = await loadPolicy(wasm, undefined, hostBuiltins);
  const first = policy.plans[0]?.name ?? "";
  return {
    wasm,
    evaluate: (input, entrypoint = first) => loaded.evaluate(input, entrypoint),
    setData: (data) => loaded.setData(data as object),
  };
}
