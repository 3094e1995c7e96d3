// IR -> Wasm: lowers a planned Rego `Policy` into one OPA-ABI module by reading the runtime
// (src/rego/runtime) with binaryen and adding one function per plan and func, the static data
// (string constants, error texts), and the `opa_eval`, `entrypoints` and `builtins` exports.
//
// Lowering, statement by statement (decisions where src/rego/ir/types.ts leaves room):
// - Locals are i32 value pointers, 0 = undefined. Plans are `(input, data) -> void` and add
//   to the result set; funcs are `(params...) -> value` returning `Func.result` (0 = undefined).
// - Every IR Block is a Wasm block; a failing statement branches to the end of the innermost
//   one; `Break{index}` branches to the end of the (index+1)-th enclosing IR Block, where the
//   bodies of Scan, Not and With each count as one block.
// - `ResultSetAdd.value` is the whole row, as in OPA's planner (`{"result": x}`); rows are
//   de-duplicated (the result set is a set) and dumped in Rego order.
// - `ReturnLocal` returns from the func at once (a plan just stops).
// - `AssignVarOnce` with a different value and `ObjectInsertOnce` with a different value for
//   the key abort with eval_conflict_error at the statement's location; `ObjectMerge` of two
//   different non-object leaves aborts the same way. An empty object merges with any value
//   into that value (a set-valued rule with no child documents stays a set).
// - `With` copies the document along the path (the original value is never mutated) and
//   restores the local on every way out of its block, including breaks past it.
// - A `memoize` func keeps its last result and the memo epoch it was computed in, in two
//   globals; a call in the same epoch returns it. `opa_eval` clears every entry and starts at
//   epoch 1; a `With` enters a fresh epoch and restores the outer one on every way out, as OPA's
//   memo push/pop. Epochs are i32: wrapping needs 2^32 `with` scopes in one evaluation.
// - `CallDynamic` is resolved against funcs whose `path` has the same length as the operands
//   and whose params count matches the args; no match is a failure (undefined), not an error.
// - `Call` to a builtin records the statement's location first so runtime and host errors read
//   `file:line:col: eval_builtin_error: ...`. Host builtins cross as `opa_builtinN(id, 0, ...)`;
//   a native builtin with `hostFallback` that returns NATIVE_FALLBACK is called on the host too.
// - `IsDefined`/`IsUndefined` test a local; `Equal`/`NotEqual` fail when an operand is undefined.
// - Builtin errors are strict by default (EmitOptions.strictBuiltinErrors): operand type errors
//   raise eval_type_error, others eval_builtin_error; non-strict makes the call undefined.
// - A builtin in `perEvaluationBuiltins` (`time.now_ns`) calls the host once per `opa_eval`; its
//   value is kept in a global that `opa_eval` clears.
// - `print` arrives as `internal.print([set, ...])` and goes to the SDK's opa_println.
// - `rego.metadata.rule/chain` are not builtins here: the compiler should fold them to constants
//   (as OPA's compiler does); a call to them is reported as unsupported.
import binaryen from "binaryen";
import type { Block, Func, IrLocation, Operand, Plan, Policy, Stmt } from "../ir/types.js";
import { addConstants } from "./binary.js";
import {
  runtimeWasm,
  runtimeStaticEnd,
  nativeBuiltins,
  NATIVE_FALLBACK,
  hostWireName,
  hostBuiltinArity,
  perEvaluationBuiltins,
} from "../runtime/index.js";

export interface EmitOptions {
  /** Run binaryen's optimiser over the emitted functions (default true). */
  optimize?: boolean;
  /**
   * Builtin errors (type errors, division by zero, host exceptions) abort the evaluation with a
   * located error (default true, OPA's --strict-builtin-errors); false makes such calls undefined.
   */
  strictBuiltinErrors?: boolean;
  /**
   * Honour `Func.memoize` (default true); false computes every call afresh, for measuring what
   * the memo saves (bench/rego-memo.ts).
   */
  memoize?: boolean;
}

export interface EmitDiagnostic {
  code: "unsupported_builtin" | "unknown_function" | "builtin_arity" | "invalid_ir";
  message: string;
  location?: IrLocation;
}

/** The IR could not be lowered; `diagnostics` say where and why. */
export class WasmEmitError extends Error {
  constructor(readonly diagnostics: EmitDiagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "WasmEmitError";
  }
}

export function formatDiagnostic(d: EmitDiagnostic): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : "";
  return `${where}${d.code}: ${d.message}`;
}

// Runtime value type codes (src/rego/runtime/assembly/value.ts).
const TYPE_ARRAY = 5;
const TYPE_OBJECT = 6;
const TYPE_SET = 7;

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt;

const i32 = binaryen.i32;
const none = binaryen.none;

/** Lays out the policy's constants after the runtime's own data. */
class StaticData {
  private readonly bytes: number[] = [];
  private readonly strings = new Map<string, number>();
  private readonly cstrings = new Map<string, number>();

  constructor(readonly base: number) {}

  private align(): void {
    while (this.bytes.length % 8 !== 0) this.bytes.push(0);
  }

  private pushI32(n: number): void {
    this.bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  /** Address of a static Rego string value. */
  string(text: string): number {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    const utf8 = new TextEncoder().encode(text);
    this.align();
    const address = this.base + this.bytes.length;
    this.pushI32(4);
    this.pushI32(utf8.length);
    this.pushI32(address + 16);
    this.pushI32(0);
    for (const b of utf8) this.bytes.push(b);
    this.strings.set(text, address);
    return address;
  }

  /** Address of a NUL-terminated UTF-8 text (abort messages, locations, JSON). */
  cstring(text: string): number {
    const known = this.cstrings.get(text);
    if (known !== undefined) return known;
    const address = this.base + this.bytes.length;
    for (const b of new TextEncoder().encode(text)) this.bytes.push(b);
    this.bytes.push(0);
    this.cstrings.set(text, address);
    return address;
  }

  /** Address of an i32 array of addresses. */
  pointers(addresses: number[]): number {
    this.align();
    const address = this.base + this.bytes.length;
    for (const a of addresses) this.pushI32(a);
    return address;
  }

  get end(): number {
    return this.base + this.bytes.length;
  }

  get data(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

interface LabelFrame {
  kind: "block";
  label: string;
}

interface WithFrame {
  kind: "with";
  local: number;
  saved: number;
  /** The local holding the enclosing memo epoch, when the policy memoizes funcs. */
  savedEpoch?: number;
}

type Frame = LabelFrame | WithFrame;

interface ModuleContext {
  module: binaryen.Module;
  data: StaticData;
  /** Runtime export name -> internal function name. */
  runtime: (exportName: string) => string;
  funcsByName: Map<string, { wasmName: string; func: Func }>;
  funcs: Func[];
  hostIds: Map<string, number>;
  hostImports: Set<number>;
  policy: Policy;
  diagnostics: EmitDiagnostic[];
  /** True when some func is memoized: `With` statements then switch memo epochs. */
  memoizes: boolean;
  /** Globals holding the value of a per-evaluation builtin, cleared by `opa_eval`. */
  perEvaluation: Set<string>;
}

// Globals of the memo (see the header): the current epoch and the last one handed out.
const MEMO_EPOCH = "tollgate_memo_epoch";
const MEMO_COUNTER = "tollgate_memo_counter";
const memoValue = (func: number) => `tollgate_memo_value${func}`;
const memoEpochOf = (func: number) => `tollgate_memo_epoch${func}`;

function locationText(loc: IrLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : "<unknown>";
}

/** Emits one plan or func body. */
class BodyEmitter {
  private readonly frames: Frame[] = [];
  private nextLocal: number;
  private labelCount = 0;

  constructor(
    private readonly ctx: ModuleContext,
    firstTemp: number,
    private readonly returnsValue: boolean,
  ) {
    this.nextLocal = firstTemp;
  }

  get localCount(): number {
    return this.nextLocal;
  }

  private get m(): binaryen.Module {
    return this.ctx.module;
  }

  private temp(): number {
    return this.nextLocal++;
  }

  private rt(
    name: string,
    operands: binaryen.ExpressionRef[],
    result: binaryen.Type = i32,
  ): binaryen.ExpressionRef {
    return this.m.call(this.ctx.runtime(name), operands, result);
  }

  private get(local: number): binaryen.ExpressionRef {
    return this.m.local.get(local, i32);
  }

  private set(local: number, value: binaryen.ExpressionRef): binaryen.ExpressionRef {
    return this.m.local.set(local, value);
  }

  private operand(op: Operand, loc: IrLocation | undefined): binaryen.ExpressionRef {
    switch (op.kind) {
      case "local":
        return this.get(op.local);
      case "bool":
        return this.rt("rt_boolean", [this.m.i32.const(op.value ? 1 : 0)]);
      case "string": {
        const text = this.ctx.policy.strings[op.index];
        if (text === undefined) {
          this.invalid(`string index ${op.index} is out of range`, loc);
          return this.m.i32.const(0);
        }
        return this.m.i32.const(this.ctx.data.string(text));
      }
    }
  }

  private invalid(message: string, location: IrLocation | undefined): void {
    this.ctx.diagnostics.push({ code: "invalid_ir", message, ...(location ? { location } : {}) });
  }

  /** Branch to the end of the block `depth` IR blocks out (0 = innermost), restoring withs. */
  private branch(
    depth: number,
    condition?: binaryen.ExpressionRef,
    loc?: IrLocation,
  ): binaryen.ExpressionRef {
    const restores: binaryen.ExpressionRef[] = [];
    let seen = 0;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i]!;
      if (frame.kind === "with") {
        restores.push(this.set(frame.local, this.get(frame.saved)));
        if (frame.savedEpoch !== undefined)
          restores.push(this.m.global.set(MEMO_EPOCH, this.get(frame.savedEpoch)));
        continue;
      }
      if (seen === depth) {
        const br = this.m.br(frame.label);
        const jump = restores.length > 0 ? this.m.block(null, [...restores, br]) : br;
        return condition === undefined ? jump : this.m.if(condition, jump);
      }
      seen++;
    }
    this.invalid(`break leaves ${depth + 1} blocks but only ${seen} enclose it`, loc);
    return this.m.nop();
  }

  private fail(condition?: binaryen.ExpressionRef): binaryen.ExpressionRef {
    return this.branch(0, condition);
  }

  private failIfUndefined(local: number): binaryen.ExpressionRef {
    return this.fail(this.m.i32.eqz(this.get(local)));
  }

  private abortAt(
    loc: IrLocation | undefined,
    code: string,
    message: string,
  ): binaryen.ExpressionRef {
    const text = `${locationText(loc)}: ${code}: ${message}`;
    return this.rt("rt_abort", [this.m.i32.const(this.ctx.data.cstring(text))], none);
  }

  /** A list of IR blocks run in order, each its own Wasm block. */
  blocks(blocks: Block[]): binaryen.ExpressionRef[] {
    return blocks.map((b) => this.block(b));
  }

  block(
    block: Block,
    prologue: binaryen.ExpressionRef[] = [],
    epilogue?: () => binaryen.ExpressionRef,
  ): binaryen.ExpressionRef {
    const label = `b${this.labelCount++}`;
    this.frames.push({ kind: "block", label });
    const body = [...prologue, ...block.stmts.map((s) => this.stmt(s))];
    if (epilogue) body.push(epilogue());
    this.frames.pop();
    return this.m.block(label, body.length > 0 ? body : [this.m.nop()]);
  }

  private stmt(s: Stmt): binaryen.ExpressionRef {
    const m = this.m;
    switch (s.type) {
      case "ReturnLocal":
        return this.returnsValue ? m.return(this.get(s.source)) : m.return();
      case "Call":
        return this.call(s);
      case "CallDynamic":
        return this.callDynamic(s);
      case "Block":
        return m.block(null, s.blocks.length > 0 ? this.blocks(s.blocks) : [m.nop()]);
      case "Break":
        return this.branch(s.index, undefined, s.loc);
      case "Dot":
        return m.block(null, [
          this.set(
            s.target,
            this.rt("rt_dot", [this.operand(s.source, s.loc), this.operand(s.key, s.loc)]),
          ),
          this.failIfUndefined(s.target),
        ]);
      case "Len":
        return m.block(null, [
          this.set(s.target, this.rt("rt_len", [this.operand(s.source, s.loc)])),
          this.failIfUndefined(s.target),
        ]);
      case "Scan":
        return this.scan(s.source, s.key, s.value, s.block);
      case "Not":
        // A failure inside lands after the inner block (the Not holds); running to its end
        // fails the block around the Not.
        return this.block(s.block, [], () => this.branch(1));
      case "AssignInt":
      case "MakeNumberInt":
        return this.set(
          s.target,
          this.rt("rt_number_int", [m.i64.const(BigInt(Math.trunc(s.value)))]),
        );
      case "AssignVar":
        return this.set(s.target, this.operand(s.source, s.loc));
      case "AssignVarOnce": {
        const value = this.temp();
        return m.block(null, [
          this.set(value, this.operand(s.source, s.loc)),
          m.if(
            m.i32.eqz(this.get(s.target)),
            this.set(s.target, this.get(value)),
            m.if(
              m.i32.eqz(this.rt("rt_equal", [this.get(s.target), this.get(value)])),
              this.abortAt(
                s.loc,
                "eval_conflict_error",
                s.conflict ?? "complete rules must not produce multiple outputs",
              ),
            ),
          ),
        ]);
      }
      case "ResetLocal":
        return this.set(s.target, m.i32.const(0));
      case "MakeNull":
        return this.set(s.target, this.rt("rt_null", []));
      case "MakeNumberRef": {
        const text = this.ctx.policy.strings[s.index];
        if (text === undefined) {
          this.invalid(`string index ${s.index} is out of range`, s.loc);
          return m.nop();
        }
        return this.set(
          s.target,
          this.rt("rt_number_ref", [m.i32.const(this.ctx.data.string(text))]),
        );
      }
      case "MakeArray":
        return this.set(s.target, this.rt("rt_array", [m.i32.const(s.capacity)]));
      case "MakeObject":
        return this.set(s.target, this.rt("rt_object", []));
      case "MakeSet":
        return this.set(s.target, this.rt("rt_set", []));
      case "Equal":
        return this.fail(
          m.i32.eqz(this.rt("rt_equal", [this.operand(s.a, s.loc), this.operand(s.b, s.loc)])),
        );
      case "NotEqual":
        return this.fail(
          m.i32.eqz(this.rt("rt_not_equal", [this.operand(s.a, s.loc), this.operand(s.b, s.loc)])),
        );
      case "IsArray":
        return this.fail(
          m.i32.ne(this.rt("rt_type", [this.operand(s.source, s.loc)]), m.i32.const(TYPE_ARRAY)),
        );
      case "IsObject":
        return this.fail(
          m.i32.ne(this.rt("rt_type", [this.operand(s.source, s.loc)]), m.i32.const(TYPE_OBJECT)),
        );
      case "IsSet":
        return this.fail(
          m.i32.ne(this.rt("rt_type", [this.operand(s.source, s.loc)]), m.i32.const(TYPE_SET)),
        );
      case "IsDefined":
        return this.failIfUndefined(s.source);
      case "IsUndefined":
        return this.fail(this.get(s.source));
      case "ArrayAppend":
        return this.rt("rt_array_append", [this.get(s.array), this.operand(s.value, s.loc)], none);
      case "ObjectInsert":
        return this.rt(
          "rt_object_insert",
          [this.get(s.object), this.operand(s.key, s.loc), this.operand(s.value, s.loc)],
          none,
        );
      case "ObjectInsertOnce":
        return m.if(
          m.i32.eqz(
            this.rt("rt_object_insert_once", [
              this.get(s.object),
              this.operand(s.key, s.loc),
              this.operand(s.value, s.loc),
            ]),
          ),
          this.abortAt(s.loc, "eval_conflict_error", "object keys must be unique"),
        );
      case "ObjectMerge":
        return m.block(null, [
          this.set(s.target, this.rt("rt_object_merge", [this.get(s.a), this.get(s.b)])),
          m.if(
            m.i32.eqz(this.get(s.target)),
            this.abortAt(s.loc, "eval_conflict_error", "object keys must be unique"),
          ),
        ]);
      case "SetAdd":
        return this.rt("rt_set_add", [this.get(s.set), this.operand(s.value, s.loc)], none);
      case "With":
        return this.withStmt(s.local, s.path, s.value, s.block, s.loc);
      case "ResultSetAdd":
        return this.rt("rt_result_add", [this.get(s.value)], none);
      case "Nop":
        return m.nop();
    }
  }

  private scan(source: number, key: number, value: number, body: Block): binaryen.ExpressionRef {
    const m = this.m;
    const collection = this.temp();
    const count = this.temp();
    const index = this.temp();
    const exit = `scan${this.labelCount++}`;
    const loop = `loop${this.labelCount++}`;
    const step = [
      this.set(key, this.rt("rt_scan_key", [this.get(collection), this.get(index)])),
      this.set(value, this.rt("rt_scan_value", [this.get(collection), this.get(index)])),
    ];
    return m.block(exit, [
      this.set(collection, this.get(source)),
      this.set(count, this.rt("rt_scan_count", [this.get(collection)])),
      this.set(index, m.i32.const(0)),
      m.loop(
        loop,
        m.block(null, [
          m.br(exit, m.i32.ge_s(this.get(index), this.get(count))),
          this.block(body, step),
          this.set(index, m.i32.add(this.get(index), m.i32.const(1))),
          m.br(loop),
        ]),
      ),
    ]);
  }

  private withStmt(
    local: number,
    path: number[],
    value: Operand,
    body: Block,
    loc: IrLocation | undefined,
  ): binaryen.ExpressionRef {
    const m = this.m;
    const saved = this.temp();
    const keys: number[] = [];
    for (const index of path) {
      const text = this.ctx.policy.strings[index];
      if (text === undefined) this.invalid(`string index ${index} is out of range`, loc);
      else keys.push(this.ctx.data.string(text));
    }
    const keysAddress = this.ctx.data.pointers(keys);
    const upsert = this.rt("rt_upsert", [
      this.get(local),
      m.i32.const(keysAddress),
      m.i32.const(keys.length),
      this.operand(value, loc),
    ]);
    // With memoized funcs, the block runs in a fresh memo epoch and the outer one comes back.
    const savedEpoch = this.ctx.memoizes ? this.temp() : undefined;
    this.frames.push({
      kind: "with",
      local,
      saved,
      ...(savedEpoch === undefined ? {} : { savedEpoch }),
    });
    const inner = this.block(body);
    this.frames.pop();
    const enterEpoch =
      savedEpoch === undefined
        ? []
        : [
            this.set(savedEpoch, m.global.get(MEMO_EPOCH, i32)),
            m.global.set(MEMO_COUNTER, m.i32.add(m.global.get(MEMO_COUNTER, i32), m.i32.const(1))),
            m.global.set(MEMO_EPOCH, m.global.get(MEMO_COUNTER, i32)),
          ];
    const leaveEpoch =
      savedEpoch === undefined ? [] : [m.global.set(MEMO_EPOCH, this.get(savedEpoch))];
    return m.block(null, [
      this.set(saved, this.get(local)),
      this.set(local, upsert),
      ...enterEpoch,
      inner,
      this.set(local, this.get(saved)),
      ...leaveEpoch,
    ]);
  }

  private setLocation(loc: IrLocation | undefined): binaryen.ExpressionRef {
    return this.rt(
      "rt_set_location",
      [this.m.i32.const(loc ? this.ctx.data.cstring(locationText(loc)) : 0)],
      none,
    );
  }

  private call(s: Extract<Stmt, { type: "Call" }>): binaryen.ExpressionRef {
    const m = this.m;
    const args = s.args.map((a) => this.operand(a, s.loc));
    const planned = this.ctx.funcsByName.get(s.func);
    if (planned) {
      if (planned.func.params.length !== args.length) {
        this.invalid(
          `${s.func} takes ${planned.func.params.length} arguments, called with ${args.length}`,
          s.loc,
        );
        return m.nop();
      }
      return m.block(null, [
        this.set(s.result, m.call(planned.wasmName, args, i32)),
        this.failIfUndefined(s.result),
      ]);
    }
    const native = nativeBuiltins.get(s.func);
    if (native) {
      if (native.arity !== args.length)
        return this.arityError(s.func, native.arity, args.length, s.loc);
      const nativeCall = [
        this.setLocation(s.loc),
        this.set(s.result, this.rt(native.exportName, args)),
      ];
      if (native.hostFallback) {
        // Operands are locals or constants, read again for the host: the planner gives each
        // call a fresh result local, so the native call has not overwritten them.
        const again = s.args.map((a) => this.operand(a, s.loc));
        nativeCall.push(
          m.if(
            m.i32.eq(this.get(s.result), m.i32.const(NATIVE_FALLBACK)),
            m.block(null, this.hostCall(s.func, again, s.result)),
          ),
        );
      }
      return m.block(null, [...nativeCall, this.failIfUndefined(s.result)]);
    }
    const hostArity = hostBuiltinArity.get(s.func);
    if (hostArity !== undefined) {
      if (hostArity !== args.length) return this.arityError(s.func, hostArity, args.length, s.loc);
      const hostCall = [this.setLocation(s.loc), ...this.hostCall(s.func, args, s.result)];
      if (!perEvaluationBuiltins.has(s.func))
        return m.block(null, [...hostCall, this.failIfUndefined(s.result)]);
      const cached = `tollgate_once${this.hostId(s.func)}`;
      if (!this.ctx.perEvaluation.has(cached)) {
        this.ctx.perEvaluation.add(cached);
        m.addGlobal(cached, i32, true, m.i32.const(0));
      }
      return m.block(null, [
        this.set(s.result, m.global.get(cached, i32)),
        m.if(
          m.i32.eqz(this.get(s.result)),
          m.block(null, [...hostCall, m.global.set(cached, this.get(s.result))]),
        ),
        this.failIfUndefined(s.result),
      ]);
    }
    const known = this.ctx.policy.builtins.some((b) => b.name === s.func);
    this.ctx.diagnostics.push({
      code: known ? "unsupported_builtin" : "unknown_function",
      message: known ? `builtin ${s.func} is not supported` : `call to unknown function ${s.func}`,
      ...(s.loc ? { location: s.loc } : {}),
    });
    return m.nop();
  }

  /** The host builtin's call through `opa_builtinN`, its result (errors checked) into `result`. */
  private hostCall(
    name: string,
    args: binaryen.ExpressionRef[],
    result: number,
  ): binaryen.ExpressionRef[] {
    const m = this.m;
    const importName = `opa_builtin${args.length}`;
    this.ctx.hostImports.add(args.length);
    return [
      this.rt("rt_host_begin", [], none),
      this.set(
        result,
        this.rt("rt_host_end", [
          m.call(importName, [m.i32.const(this.hostId(name)), m.i32.const(0), ...args], i32),
        ]),
      ),
    ];
  }

  private arityError(
    name: string,
    expected: number,
    got: number,
    loc: IrLocation | undefined,
  ): binaryen.ExpressionRef {
    this.ctx.diagnostics.push({
      code: "builtin_arity",
      message: `${name} takes ${expected} arguments, called with ${got}`,
      ...(loc ? { location: loc } : {}),
    });
    return this.m.nop();
  }

  private hostId(name: string): number {
    const known = this.ctx.hostIds.get(name);
    if (known !== undefined) return known;
    const id = this.ctx.hostIds.size;
    this.ctx.hostIds.set(name, id);
    return id;
  }

  private callDynamic(s: Extract<Stmt, { type: "CallDynamic" }>): binaryen.ExpressionRef {
    const m = this.m;
    const candidates = this.ctx.funcs.filter(
      (f) => f.path.length === s.path.length && f.params.length === s.args.length,
    );
    const args = s.args.map((a) => this.get(a));
    const done = `dyn${this.labelCount++}`;
    const tries: binaryen.ExpressionRef[] = [];
    for (const func of candidates) {
      const conditions: binaryen.ExpressionRef[] = [];
      let possible = true;
      s.path.forEach((op, i) => {
        const segment = func.path[i]!;
        if (op.kind === "string") {
          if (this.ctx.policy.strings[op.index] !== segment) possible = false;
        } else if (op.kind === "local") {
          conditions.push(
            this.rt("rt_equal", [this.get(op.local), m.i32.const(this.ctx.data.string(segment))]),
          );
        } else possible = false;
      });
      if (!possible) continue;
      const wasmName = this.ctx.funcsByName.get(func.name)!.wasmName;
      const invoke = m.block(null, [this.set(s.result, m.call(wasmName, args, i32)), m.br(done)]);
      const all = conditions.reduce<binaryen.ExpressionRef | undefined>(
        (acc, c) => (acc === undefined ? c : m.i32.and(acc, c)),
        undefined,
      );
      tries.push(all === undefined ? invoke : m.if(all, invoke));
    }
    return m.block(null, [
      this.set(s.result, m.i32.const(0)),
      m.block(done, tries.length > 0 ? tries : [m.nop()]),
      this.failIfUndefined(s.result),
    ]);
  }
}

/** Every local a statement reads or writes (not those of nested blocks). */
function stmtLocals(s: Stmt): number[] {
  const ops = (...operands: Operand[]) =>
    operands.flatMap((o) => (o.kind === "local" ? [o.local] : []));
  switch (s.type) {
    case "ReturnLocal":
      return [s.source];
    case "Call":
      return [...ops(...s.args), s.result];
    case "CallDynamic":
      return [...ops(...s.path), ...s.args, s.result];
    case "Dot":
      return [...ops(s.source, s.key), s.target];
    case "Len":
      return [...ops(s.source), s.target];
    case "Scan":
      return [s.source, s.key, s.value];
    case "AssignInt":
    case "MakeNumberInt":
    case "ResetLocal":
    case "MakeNull":
    case "MakeNumberRef":
    case "MakeArray":
    case "MakeObject":
    case "MakeSet":
      return [s.target];
    case "AssignVar":
    case "AssignVarOnce":
      return [...ops(s.source), s.target];
    case "Equal":
    case "NotEqual":
      return ops(s.a, s.b);
    case "IsArray":
    case "IsObject":
    case "IsSet":
      return ops(s.source);
    case "IsDefined":
    case "IsUndefined":
      return [s.source];
    case "ArrayAppend":
      return [...ops(s.value), s.array];
    case "ObjectInsert":
    case "ObjectInsertOnce":
      return [...ops(s.key, s.value), s.object];
    case "ObjectMerge":
      return [s.a, s.b, s.target];
    case "SetAdd":
      return [...ops(s.value), s.set];
    case "With":
      return [...ops(s.value), s.local];
    case "ResultSetAdd":
      return [s.value];
    case "Block":
    case "Break":
    case "Not":
    case "Nop":
      return [];
  }
}

/** One more than the highest local an IR body mentions (at least `floor`). */
function localsUsed(blocks: Block[], floor: number): number {
  let count = floor;
  const walk = (bs: Block[]): void => {
    for (const b of bs) {
      for (const s of b.stmts) {
        for (const l of stmtLocals(s)) count = Math.max(count, l + 1);
        if (s.type === "Block") walk(s.blocks);
        if (s.type === "Scan" || s.type === "Not" || s.type === "With") walk([s.block]);
      }
    }
  };
  walk(blocks);
  return count;
}

/**
 * `func{i}` as a memo in front of `func{i}_eval`: the entry of the current epoch if there is one
 * (undefined, 0, included), else the computed value, stored with the epoch it was computed in.
 */
function addMemoized(module: binaryen.Module, i: number, params: binaryen.Type): void {
  const result = 2;
  const epoch = module.global.get(MEMO_EPOCH, i32);
  module.addGlobal(memoValue(i), i32, true, module.i32.const(0));
  module.addGlobal(memoEpochOf(i), i32, true, module.i32.const(0));
  module.addFunction(
    `func${i}`,
    params,
    i32,
    [i32],
    module.block(null, [
      module.if(
        module.i32.eq(module.global.get(memoEpochOf(i), i32), epoch),
        module.return(module.global.get(memoValue(i), i32)),
      ),
      module.local.set(
        result,
        module.call(`func${i}_eval`, [module.local.get(0, i32), module.local.get(1, i32)], i32),
      ),
      module.global.set(memoValue(i), module.local.get(result, i32)),
      module.global.set(memoEpochOf(i), module.global.get(MEMO_EPOCH, i32)),
      module.return(module.local.get(result, i32)),
    ]),
  );
}

/** Emits the module for a policy; throws WasmEmitError listing every statement it cannot lower. */
export function emitWasm(policy: Policy, options: EmitOptions = {}): Uint8Array {
  const module = binaryen.readBinary(runtimeWasm());
  try {
    return emitInto(module, policy, options);
  } finally {
    module.dispose();
  }
}

function emitInto(module: binaryen.Module, policy: Policy, options: EmitOptions): Uint8Array {
  module.setFeatures(FEATURES);
  const runtime = (exportName: string): string => {
    const ref = module.getExport(exportName);
    if (!ref)
      throw new Error(
        `runtime export ${exportName} is missing; rebuild with npm run build:runtime`,
      );
    return binaryen.getExportInfo(ref).value;
  };

  // The policy's constants start after the runtime's own static data.
  const runtimeEnd = runtimeStaticEnd();
  const data = new StaticData((runtimeEnd + 7) & ~7);

  const ctx: ModuleContext = {
    module,
    data,
    runtime,
    funcsByName: new Map(
      policy.funcs.map((func, i) => [func.name, { wasmName: `func${i}`, func }]),
    ),
    funcs: policy.funcs,
    hostIds: new Map(),
    hostImports: new Set(),
    policy,
    diagnostics: [],
    memoizes: options.memoize !== false && policy.funcs.some((func) => func.memoize),
    perEvaluation: new Set(),
  };

  const memoized: number[] = [];
  if (ctx.memoizes) {
    module.addGlobal(MEMO_EPOCH, i32, true, module.i32.const(0));
    module.addGlobal(MEMO_COUNTER, i32, true, module.i32.const(0));
  }
  policy.funcs.forEach((func, i) => {
    const arity = func.params.length;
    const emitter = new BodyEmitter(
      ctx,
      localsUsed(func.blocks, Math.max(arity, func.result + 1)),
      true,
    );
    const body = emitter.blocks(func.blocks);
    const vars = Array<binaryen.Type>(emitter.localCount - arity).fill(i32);
    // Params arrive in locals 0..n-1; Func.params names the IR locals they bind.
    const bind = func.params.map((local, p) =>
      local === p ? module.nop() : module.local.set(local, module.local.get(p, i32)),
    );
    const params = binaryen.createType(Array(arity).fill(i32));
    const memoize = ctx.memoizes && func.memoize === true && arity === 2;
    if (func.memoize === true && arity !== 2) {
      ctx.diagnostics.push({
        code: "invalid_ir",
        message: `${func.name} is memoized but takes ${arity} params instead of input and data`,
        ...(func.loc ? { location: func.loc } : {}),
      });
    }
    module.addFunction(
      memoize ? `func${i}_eval` : `func${i}`,
      params,
      i32,
      vars,
      module.block(null, [...bind, ...body, module.return(module.local.get(func.result, i32))]),
    );
    if (memoize) {
      memoized.push(i);
      addMemoized(module, i, params);
    }
  });

  policy.plans.forEach((plan: Plan, i) => {
    const emitter = new BodyEmitter(ctx, localsUsed(plan.blocks, 2), false);
    const body = emitter.blocks(plan.blocks);
    module.addFunction(
      `plan${i}`,
      binaryen.createType([i32, i32]),
      none,
      Array(emitter.localCount - 2).fill(i32),
      module.block(null, body.length > 0 ? body : [module.nop()]),
    );
  });

  if (ctx.diagnostics.length > 0) throw new WasmEmitError(ctx.diagnostics);

  for (const n of ctx.hostImports) {
    module.addFunctionImport(
      `opa_builtin${n}`,
      "env",
      `opa_builtin${n}`,
      binaryen.createType(Array(n + 2).fill(i32)),
      i32,
    );
  }

  // entrypoints() and builtins() return values parsed from static JSON text.
  const jsonExport = (name: string, value: Record<string, number>) => {
    const text = JSON.stringify(value);
    const address = data.cstring(text);
    module.addFunction(
      name,
      none,
      i32,
      [],
      module.call(
        runtime("opa_json_parse"),
        [module.i32.const(address), module.i32.const(new TextEncoder().encode(text).length)],
        i32,
      ),
    );
    module.addFunctionExport(name, name);
  };
  jsonExport("entrypoints", Object.fromEntries(policy.plans.map((p, i) => [p.name, i])));
  jsonExport(
    "builtins",
    Object.fromEntries([...ctx.hostIds].map(([name, id]) => [hostWireName(name), id])),
  );

  // opa_eval(reserved, entrypoint, data, inputAddr, inputLen, heapPtr, format) -> result JSON.
  const p = (n: number) => module.local.get(n, i32);
  const input = 7;
  const dispatch = policy.plans.map((_, i) =>
    module.if(
      module.i32.eq(p(1), module.i32.const(i)),
      module.call(`plan${i}`, [p(input), p(2)], none),
    ),
  );
  module.addFunction(
    "opa_eval",
    binaryen.createType(Array(7).fill(i32)),
    i32,
    [i32],
    module.block(null, [
      module.call(runtime("rt_eval_begin"), [p(5)], none),
      ...memoized.map((i) => module.global.set(memoEpochOf(i), module.i32.const(0))),
      ...[...ctx.perEvaluation].map((name) => module.global.set(name, module.i32.const(0))),
      ...(ctx.memoizes
        ? [
            module.global.set(MEMO_COUNTER, module.i32.const(1)),
            module.global.set(MEMO_EPOCH, module.i32.const(1)),
          ]
        : []),
      module.call(
        runtime("rt_set_strict"),
        [module.i32.const(options.strictBuiltinErrors === false ? 0 : 1)],
        none,
      ),
      module.local.set(input, module.call(runtime("rt_parse_input"), [p(3), p(4)], i32)),
      ...dispatch,
      module.return(module.call(runtime("rt_result_dump"), [], i32)),
    ]),
  );
  module.addFunctionExport("opa_eval", "opa_eval");
  const emittedFunctions = [
    ...policy.funcs.map((_, i) => `func${i}`),
    ...memoized.map((i) => `func${i}_eval`),
    ...policy.plans.map((_, i) => `plan${i}`),
    "opa_eval",
  ];

  // The heap starts after the constants.
  const heapStart = (data.end + 7) & ~7;
  const heapGlobal = runtime("rt_heap_start");
  module.removeExport("rt_heap_start");
  module.removeGlobal(heapGlobal);
  module.addGlobal(heapGlobal, i32, true, module.i32.const(heapStart));

  // The runtime is already optimised (-O3); only the emitted functions need a pass.
  if (options.optimize ?? true) {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(1);
    for (const name of emittedFunctions) module.optimizeFunction(name);
  }
  if (!module.validate()) throw new Error("internal error: emitted Wasm module does not validate");
  return addConstants(module.emitBinary(), data.base, data.data);
}
