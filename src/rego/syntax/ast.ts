// The Rego abstract syntax tree: what the parser produces, what the compile stage rewrites in
// place of a new tree, and what the planner reads. Plain data only (no classes, no methods), so
// every stage can be tested by feeding it literals. Every node carries its source location.

import type { SourceLocation } from "../../model/types.js";

/** A place in a policy file: 1-based line and column, end inclusive of the last character. */
export type Location = SourceLocation;

// ---------------------------------------------------------------------------------------------
// Terms

/** `null`. */
export interface NullTerm {
  type: "null";
  loc: Location;
}

/** `true` or `false`. */
export interface BooleanTerm {
  type: "boolean";
  value: boolean;
  loc: Location;
}

/** A number, kept as its exact decimal text (`1e400`, `0.1`, `-3`) so nothing is lost to floats. */
export interface NumberTerm {
  type: "number";
  text: string;
  loc: Location;
}

/** A string; `value` is decoded, `raw` says it was written with backticks. */
export interface StringTerm {
  type: "string";
  value: string;
  raw: boolean;
  loc: Location;
}

/**
 * A variable. The parser keeps names as written (`_` for a wildcard); after the compile stage
 * every local is renamed uniquely per rule (`__local3__`), so the planner never sees shadowing.
 * `input` and `data` are the two root documents.
 */
export interface VarTerm {
  type: "var";
  name: string;
  loc: Location;
}

/**
 * A reference: a head term followed by operands. `a.b` and `a["b"]` both give a string operand;
 * `a[x]` gives a var operand (iteration when x is unbound). The head is usually a var
 * (`input`, `data`, a local), but can be a composite (`[1, 2][i]`) or a call (`f(x).y`).
 */
export interface RefTerm {
  type: "ref";
  head: Term;
  operands: Term[];
  loc: Location;
}

/** `[a, b]`. */
export interface ArrayTerm {
  type: "array";
  items: Term[];
  loc: Location;
}

/** One `key: value` pair of an object literal. */
export interface ObjectEntry {
  key: Term;
  value: Term;
}

/** `{"a": 1}`; `{}` is an empty object. */
export interface ObjectTerm {
  type: "object";
  entries: ObjectEntry[];
  loc: Location;
}

/** `{a, b}`; the empty set is written `set()` and parses to a set with no items. */
export interface SetTerm {
  type: "set";
  items: Term[];
  loc: Location;
}

/** `[term | body]`. */
export interface ArrayComprehension {
  type: "arraycomprehension";
  term: Term;
  body: Body;
  loc: Location;
}

/** `{term | body}`. */
export interface SetComprehension {
  type: "setcomprehension";
  term: Term;
  body: Body;
  loc: Location;
}

/** `{key: value | body}`. */
export interface ObjectComprehension {
  type: "objectcomprehension";
  key: Term;
  value: Term;
  body: Body;
  loc: Location;
}

/**
 * A call of a builtin or a user function. `operator` is a ref of names: `count`,
 * `strings.any_prefix_match`, `f` or `data.lib.f`; after the compile stage a user function's
 * operator is its full path (`data.pkg.f`), a builtin's stays its dotted name. Infix operators
 * parse to calls of OPA's operator builtins (`plus`, `equal`, `lt`, `or`, ...); `infix` keeps the
 * written symbol for printing. A call with one argument more than the builtin's arity is the old
 * output-argument form (`count(xs, n)`), which the compile stage rewrites to `n = count(xs)`.
 */
export interface CallTerm {
  type: "call";
  operator: RefTerm;
  args: Term[];
  infix?: string;
  loc: Location;
}

export type ScalarTerm = NullTerm | BooleanTerm | NumberTerm | StringTerm;
export type Comprehension = ArrayComprehension | SetComprehension | ObjectComprehension;
export type Term =
  ScalarTerm | VarTerm | RefTerm | ArrayTerm | ObjectTerm | SetTerm | Comprehension | CallTerm;

// ---------------------------------------------------------------------------------------------
// Expressions and bodies

/** `with target as value`: target is a ref into `input`/`data` or a function/builtin name. */
export interface WithModifier {
  target: RefTerm;
  value: Term;
  loc: Location;
}

interface ExprCommon {
  /** `not expr`: the expression succeeds when `expr` is undefined or false. */
  negated: boolean;
  with: WithModifier[];
  loc: Location;
}

/** A term on its own: a call (`startswith(x, "a")`, `x == 1`), a ref, or a value; true unless false/undefined. */
export interface TermExpr extends ExprCommon {
  kind: "term";
  term: Term;
}

/** `left = right`: unification; binds vars on either side. */
export interface UnifyExpr extends ExprCommon {
  kind: "unify";
  left: Term;
  right: Term;
}

/**
 * `left := right`: declares the vars of `left` (a var or a composite pattern) and binds them.
 * The compile stage checks redeclaration and then rewrites it to a `unify` with fresh locals.
 */
export interface AssignExpr extends ExprCommon {
  kind: "assign";
  left: Term;
  right: Term;
}

/** `some x, y`: declares fresh locals. Removed by the compile stage (after renaming). */
export interface SomeDeclExpr extends ExprCommon {
  kind: "some";
  vars: VarTerm[];
}

/**
 * `some value in collection` / `some key, value in collection`: declares the vars of the
 * patterns and iterates. Rewritten by the compile stage to a ref iteration plus unifications.
 */
export interface SomeInExpr extends ExprCommon {
  kind: "somein";
  key?: Term;
  value: Term;
  collection: Term;
}

/** `every value in domain { body }` / `every key, value in domain { body }`. */
export interface EveryExpr extends ExprCommon {
  kind: "every";
  key?: VarTerm;
  value: VarTerm;
  domain: Term;
  body: Body;
}

/** `not { a; b }` (`import future.keywords.not`): negation of a whole body; always `negated`. */
export interface BlockExpr extends ExprCommon {
  kind: "block";
  body: Body;
}

export type Expr =
  TermExpr | UnifyExpr | AssignExpr | SomeDeclExpr | SomeInExpr | EveryExpr | BlockExpr;

/** A conjunction of expressions; empty means true. */
export type Body = Expr[];

// ---------------------------------------------------------------------------------------------
// Rules, modules, annotations

/**
 * What a rule defines at its path.
 * - `complete`: one value at a ground path (`p := 1`, `a.b.c if ...`, `default p := false`).
 * - `partial-set`: set members (`p contains x if ...`, `a.b contains x`).
 * - `partial-object`: object entries, the ref ends with (or contains) non-ground terms
 *   (`p[k] := v`, `a.b[x].c := v`).
 * - `function`: `f(x) := y`, `f(x) if ...`.
 */
export type RuleKind = "complete" | "partial-set" | "partial-object" | "function";

export interface RuleHead {
  /**
   * The head reference as written: the rule name (a var) then operands, `a.b[x].c` gives
   * `[var a, "b", var x, "c"]`. Relative to the package; the rule's full path is
   * `data.<package>.<ref>`.
   */
  ref: Term[];
  kind: RuleKind;
  /** Partial set: the member term. Partial object: the last ref operand (the entry key). */
  key?: Term;
  /** Complete, partial object and function: the value (`true` when written without one). Absent for sets. */
  value?: Term;
  /** Function parameters (terms: vars or patterns). */
  args?: Term[];
  /** Written with `:=` (true) or `=` / implicit `true` (false). */
  assign: boolean;
  loc: Location;
}

/** A rule; `else` links the next alternative (its head shares ref and args, has its own value). */
export interface Rule {
  head: RuleHead;
  /** Empty when written without a body (`p := 1`). */
  body: Body;
  default: boolean;
  else?: Rule;
  /** `# METADATA` blocks attached to this rule (scope rule or document). */
  annotations: Annotation[];
  /** The module file; the compile stage's rule tree mixes rules from several files. */
  file: string;
  loc: Location;
}

/** `import data.x.y as z`, `import input.a`, `import rego.v1`, `import future.keywords.in`. */
export interface Import {
  path: RefTerm;
  alias?: string;
  loc: Location;
}

export interface PackageDecl {
  /** Path without the `data` root: `package a.b` gives `["a", "b"]`. */
  path: string[];
  loc: Location;
}

export type AnnotationScope = "package" | "rule" | "document" | "subpackages";

/** JSON as parsed from a `# METADATA` YAML block. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A `# METADATA` comment block. The common fields are typed; `value` is the whole block as
 * JSON (with `scope` filled in) as `rego.metadata.rule()`/`chain()` return it. Tollgate's
 * policies put `id`, `severity`, `category` and `remediation` under `custom`.
 */
export interface Annotation {
  scope: AnnotationScope;
  title?: string;
  description?: string;
  entrypoint?: boolean;
  custom?: { [key: string]: JsonValue };
  value: { [key: string]: JsonValue };
  loc: Location;
}

/** One parsed file. */
export interface Module {
  file: string;
  package: PackageDecl;
  imports: Import[];
  rules: Rule[];
  /** Package- and subpackages-scoped annotations (rule-scoped ones sit on their rules). */
  annotations: Annotation[];
  loc: Location;
}
