// Helpers for the emitter's tests and benchmark: a small builder for hand-written IR and a
// one-call "emit, load in the OPA SDK, evaluate" function.
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Block, IrLocation, Operand, Plan, Policy, Stmt } from "../ir/types.js";
import { hostBuiltins } from "../runtime/index.js";
import { concat, readS32, readU32, s32, sections, u32 } from "./binary.js";
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

/**
 * A module from `emitWasm` laid out as `opa build -t wasm` lays out its own: the constants
 * written by an active data segment at instantiation, and the memory import's minimum the pages
 * they end in, instead of a passive segment the start function copies in (binary.ts
 * `addConstants`, undone: its segment made active, its note dropped, its start function reduced
 * to a call of the module's own start, if it had one).
 */
export function opaBuildLayout(wasm: Uint8Array): Uint8Array {
  const list = sections(wasm);
  const section = (id: number) => list.find((s) => s.id === id)!;
  // Data: the runtime's active segments, then addConstants' passive constants and active note,
  // which is written where the constants go.
  const data = section(11).content;
  let { value: count, next: at } = readU32(data, 0);
  const kept: Uint8Array[] = [];
  let constants: Uint8Array | undefined;
  let offset = 0;
  for (; count > 0; count--) {
    const start = at;
    const flags = data[at++];
    if (flags === 1) {
      const size = readU32(data, at);
      constants = data.subarray(size.next, size.next + size.value);
      at = size.next + size.value;
      continue;
    }
    if (flags !== 0 || data[at] !== 0x41) throw new Error("unexpected data segment");
    const where = readS32(data, at + 1);
    const size = readU32(data, where.next + 1);
    at = size.next + size.value;
    if (constants === undefined) kept.push(data.subarray(start, at));
    else offset = where.value;
  }
  if (constants === undefined) throw new Error("no passive constants: not a module from emitWasm");
  const segments = [
    ...kept,
    concat([[0x00, 0x41, ...s32(offset), 0x0b, ...u32(constants.length)], constants]),
  ];
  section(11).content = concat([u32(segments.length), ...segments]);
  section(12).content = Uint8Array.from(u32(segments.length));
  // The start function addConstants added is the last body: [no locals] ... memory.init,
  // data.drop of the constants' segment, then the old start's call, if any, and `end`.
  const code = section(10).content;
  const bodies: Uint8Array[] = [];
  ({ value: count, next: at } = readU32(code, 0));
  for (; count > 0; count--) {
    const size = readU32(code, at);
    bodies.push(code.subarray(size.next, size.next + size.value));
    at = size.next + size.value;
  }
  const starter = bodies.pop()!;
  const dataDrop = [0xfc, 0x09, ...u32(kept.length)];
  let rest = starter.length;
  while (rest > 0 && !dataDrop.every((b, k) => starter[rest - dataDrop.length + k] === b)) rest--;
  if (rest === 0) throw new Error("no data.drop in the start function");
  bodies.push(concat([[0x00], starter.subarray(rest)]));
  section(10).content = concat([u32(bodies.length), ...bodies.flatMap((b) => [u32(b.length), b])]);
  section(2).content = withMemoryMinimum(
    section(2).content,
    Math.ceil((offset + constants.length) / 65_536),
  );
  return concat([
    wasm.subarray(0, 8),
    ...list.flatMap((s) => [[s.id, ...u32(s.content.length)], s.content]),
  ]);
}

/** The Import section's content with the memory import's minimum set to `pages`. */
function withMemoryMinimum(imports: Uint8Array, pages: number): Uint8Array {
  let { value: count, next: at } = readU32(imports, 0);
  for (; count > 0; count--) {
    for (let part = 0; part < 2; part++) {
      const length = readU32(imports, at);
      at = length.next + length.value;
    }
    const kind = imports[at++];
    if (kind === 0x00) at = readU32(imports, at).next;
    else if (kind === 0x03) at += 2;
    else {
      if (kind === 0x01) at++;
      const flags = imports[at++]!;
      const minimum = readU32(imports, at);
      if (kind === 0x02)
        return concat([imports.subarray(0, at), u32(pages), imports.subarray(minimum.next)]);
      at = minimum.next;
      if (flags & 1) at = readU32(imports, at).next;
    }
  }
  throw new Error("no memory import");
}
