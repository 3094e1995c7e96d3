// The planner's output and the Wasm emitter's input: a small imperative IR as plain data, shaped
// after OPA's own `ir` package so the same lowering ideas apply. Every statement carries the
// Rego location it came from, so an evaluation error can still point at a policy line.
//
// Execution model: a Plan or Func body is a list of Blocks run in order. A statement that
// "fails" (an undefined value, a false comparison, a failed call) ends the innermost enclosing
// block at once; execution continues after that block. `break` leaves `index + 1` enclosing
// blocks. Locals hold pointers to runtime values; 0 means "undefined". Local 0 is `input`,
// local 1 is `data` in every plan; funcs get their arguments as locals 0..n-1.

export interface IrLocation {
  file: string;
  line: number;
  column: number;
}

export type Local = number;

/** A statement operand: a local, a boolean constant, or an index into `Policy.strings`. */
export type Operand =
  | { kind: "local"; local: Local }
  | { kind: "bool"; value: boolean }
  | { kind: "string"; index: number };

export interface Block {
  stmts: Stmt[];
}

interface At {
  loc?: IrLocation;
}

export type Stmt = At &
  (
    | { type: "ReturnLocal"; source: Local }
    /** Call a plan func or a builtin by name; fails when the result is undefined. */
    | { type: "Call"; func: string; args: Operand[]; result: Local }
    /** Call a func chosen at run time by a path of operands (dynamic dispatch on `data`). */
    | { type: "CallDynamic"; path: Operand[]; args: Local[]; result: Local }
    | { type: "Block"; blocks: Block[] }
    | { type: "Break"; index: number }
    /** target = source[key]; fails when source has no such key. */
    | { type: "Dot"; source: Operand; key: Operand; target: Local }
    /** target = number of elements of an array, object, set or string. */
    | { type: "Len"; source: Operand; target: Local }
    /** For each key/value of source (array index, object key, set element as both), run block. */
    | { type: "Scan"; source: Local; key: Local; value: Local; block: Block }
    /** Runs block; fails if the block runs to its end, succeeds if it was left by a failure. */
    | { type: "Not"; block: Block }
    | { type: "AssignInt"; value: number; target: Local }
    | { type: "AssignVar"; source: Operand; target: Local }
    /** Assigns when target is undefined; fails (conflict error for complete docs) when it differs. */
    | {
        type: "AssignVarOnce";
        source: Operand;
        target: Local;
        /** The eval_conflict_error message when target already holds another value. */
        conflict?: string;
      }
    | { type: "ResetLocal"; target: Local }
    | { type: "MakeNull"; target: Local }
    | { type: "MakeNumberInt"; value: number; target: Local }
    /** A number from its decimal text in `Policy.strings` (keeps big and exact numbers exact). */
    | { type: "MakeNumberRef"; index: number; target: Local }
    | { type: "MakeArray"; capacity: number; target: Local }
    | { type: "MakeObject"; target: Local }
    | { type: "MakeSet"; target: Local }
    | { type: "Equal"; a: Operand; b: Operand }
    | { type: "NotEqual"; a: Operand; b: Operand }
    | { type: "IsArray"; source: Operand }
    | { type: "IsObject"; source: Operand }
    | { type: "IsSet"; source: Operand }
    | { type: "IsDefined"; source: Local }
    | { type: "IsUndefined"; source: Local }
    | { type: "ArrayAppend"; value: Operand; array: Local }
    | { type: "ObjectInsert"; key: Operand; value: Operand; object: Local }
    /** Insert; fails with a conflict error when the key exists with another value. */
    | { type: "ObjectInsertOnce"; key: Operand; value: Operand; object: Local }
    /** target = deep merge of a and b (partial object rules across modules). */
    | { type: "ObjectMerge"; a: Local; b: Local; target: Local }
    | { type: "SetAdd"; value: Operand; set: Local }
    /** Runs block with local's document replaced at path (string indexes) by value (`with`). */
    | { type: "With"; local: Local; path: number[]; value: Operand; block: Block }
    | { type: "ResultSetAdd"; value: Local }
    | { type: "Nop" }
  );

export interface Func {
  name: string;
  /** The Rego path it implements (`["data", "pkg", "rule"]`), for errors and dynamic dispatch. */
  path: string[];
  params: Local[];
  result: Local;
  blocks: Block[];
  loc?: IrLocation;
  /**
   * The func takes only `input` and `data` (a rule's document, a package extent, a zero-argument
   * function) and its result (undefined included) is computed once per evaluation: later calls
   * reuse it. A `With` statement starts an empty memo for its block and restores the outer one
   * after it, so a value computed under `with` never leaks out and none from outside leaks in.
   */
  memoize?: boolean;
}

export interface Plan {
  /** The entrypoint name, OPA style: `pkg/path/rule`. */
  name: string;
  blocks: Block[];
}

export interface BuiltinDecl {
  name: string;
  arity: number;
}

export interface Policy {
  strings: string[];
  /** Builtins the plans call (by name in `Call`); natively in the runtime or imported from the host. */
  builtins: BuiltinDecl[];
  plans: Plan[];
  funcs: Func[];
}
