// Calls one builtin through emitted Wasm and the OPA SDK, for builtin tests: argument i is
// input[i], and an argument written {"$set": [...]} becomes a Rego set first.
import type { Stmt } from "../ir/types.js";
import { PolicyBuilder, addResult, at, block, load, local, type Evaluation } from "./testing.js";

export type Arg = unknown;
export const set = (...elements: unknown[]) => ({ $set: elements });

const loaded = new Map<string, Promise<Evaluation>>();

/** A policy whose one plan calls the builtin on input[0..arity) at policy.rego:1:8. */
export function builtinPolicy(name: string, arity: number) {
  const b = new PolicyBuilder();
  const stmts: Stmt[] = [];
  const args: number[] = [];
  for (let i = 0; i < arity; i++) {
    const index = 10 + i * 10;
    const arg = index + 1;
    stmts.push(
      { type: "MakeNumberInt", value: i, target: index },
      { type: "Dot", source: local(0), key: local(index), target: arg },
      {
        type: "Block",
        blocks: [
          block(
            { type: "IsObject", source: local(arg) },
            { type: "Dot", source: local(arg), key: b.str("$set"), target: index + 2 },
            { type: "MakeSet", target: index + 3 },
            {
              type: "Scan",
              source: index + 2,
              key: index + 4,
              value: index + 5,
              block: block({ type: "SetAdd", value: local(index + 5), set: index + 3 }),
            },
            { type: "AssignVar", source: local(index + 3), target: arg },
          ),
        ],
      },
    );
    args.push(arg);
  }
  stmts.push(
    { type: "Call", func: name, args: args.map(local), result: 2, loc: at(1, 8) },
    ...addResult(b, 2, 3),
  );
  return b.policy([{ name: "test/call", blocks: [block(...stmts)] }], [], [{ name, arity }]);
}

/** The builtin's result, or undefined when the call is undefined. Errors are thrown. */
export async function callBuiltin(name: string, ...args: Arg[]): Promise<unknown> {
  const key = `${name}/${args.length}`;
  let evaluation = loaded.get(key);
  if (!evaluation) {
    evaluation = load(builtinPolicy(name, args.length));
    loaded.set(key, evaluation);
  }
  const rows = (await evaluation).evaluate(args) as { result: unknown }[];
  return rows[0]?.result;
}
