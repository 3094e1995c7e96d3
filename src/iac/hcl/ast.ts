// The positioned syntax tree of HCL native syntax (and of `.tf.json`, mapped onto the same
// shapes) that the HCL parser produces and the Terraform evaluator reads. Every node carries
// where it is written, so any value computed from it can still name its exact line.

import type { Range } from "../source.js";

export type { Range };

/** Which concrete syntax a body was read from; JSON bodies need schema to tell blocks from attributes. */
export type Syntax = "hcl" | "json";

export interface Body extends Range {
  kind: "Body";
  syntax: Syntax;
  /** Attributes and blocks in source order. */
  items: BodyItem[];
}

export type BodyItem = Attribute | Block;

/** `name = expr`. */
export interface Attribute extends Range {
  kind: "Attribute";
  name: string;
  nameRange: Range;
  expr: Expression;
}

/** `type "label" label2 { body }`; its range runs from the type to the closing brace. */
export interface Block extends Range {
  kind: "Block";
  type: string;
  typeRange: Range;
  labels: BlockLabel[];
  body: Body;
}

/** A block label, quoted (`"aws_s3_bucket"`) or a bare identifier; `value` is unescaped. */
export interface BlockLabel extends Range {
  kind: "BlockLabel";
  value: string;
  quoted: boolean;
}

export type Expression =
  | LiteralExpr
  | TemplateExpr
  | HeredocExpr
  | TupleExpr
  | ObjectExpr
  | ScopeTraversalExpr
  | FunctionCallExpr
  | IndexExpr
  | GetAttrExpr
  | SplatExpr
  | SplatItemExpr
  | ForExpr
  | ConditionalExpr
  | BinaryExpr
  | UnaryExpr
  | ParensExpr
  | InvalidExpr;

/** `42`, `1.5e3`, `true`, `false`, `null`. `raw` keeps the number's exact text (HCL numbers are arbitrary precision). */
export interface LiteralExpr extends Range {
  kind: "Literal";
  value: number | boolean | null;
  raw: string;
}

/**
 * A quoted string `"..."`. Escapes are decoded and strip markers (`~`) already applied to the
 * neighbouring literal parts. A template whose only part is one interpolation (`"${x}"`) yields
 * the interpolated value itself, not its string form (HCL's template unwrapping).
 */
export interface TemplateExpr extends Range {
  kind: "Template";
  parts: TemplatePart[];
}

/** `<<EOF ... EOF` or, with `indented`, `<<-EOF` whose literal lines lose their common leading spaces. */
export interface HeredocExpr extends Range {
  kind: "Heredoc";
  marker: string;
  indented: boolean;
  parts: TemplatePart[];
}

export type TemplatePart = TemplateLiteral | TemplateInterpolation | TemplateIf | TemplateFor;

/** Literal text of a template; `value` has escapes decoded, `$${`/`%%{` unescaped and stripping applied. */
export interface TemplateLiteral extends Range {
  kind: "TemplateLiteral";
  value: string;
}

/** `${expr}`, `${~ expr ~}`. */
export interface TemplateInterpolation extends Range {
  kind: "TemplateInterpolation";
  expr: Expression;
  stripLeft: boolean;
  stripRight: boolean;
}

/** `%{ if cond }then%{ else }else%{ endif }`; `otherwise` is null without an `else`. */
export interface TemplateIf extends Range {
  kind: "TemplateIf";
  condition: Expression;
  then: TemplatePart[];
  otherwise: TemplatePart[] | null;
}

/** `%{ for k, v in coll }body%{ endfor }`. */
export interface TemplateFor extends Range {
  kind: "TemplateFor";
  keyVar: string | null;
  valueVar: string;
  collection: Expression;
  body: TemplatePart[];
}

/** `[a, b, c]`. */
export interface TupleExpr extends Range {
  kind: "Tuple";
  elements: Expression[];
}

/** `{ k = v, "k2": v2, (expr) = v3 }`. */
export interface ObjectExpr extends Range {
  kind: "Object";
  items: ObjectItem[];
}

export interface ObjectItem extends Range {
  kind: "ObjectItem";
  /**
   * The key as written. A bare identifier key (`k = v`) is a root-only ScopeTraversal that
   * HCL reads as the string "k", not as a variable; wrap it in parentheses to make it a variable.
   */
  key: Expression;
  /** The key's static name: a bare identifier, or a quoted string without interpolation; null otherwise. */
  keyName: string | null;
  value: Expression;
}

/** A step of a static traversal: `.name`, `[literal]`, or the legacy `.0` index form. */
export type TraversalStep = TraverseAttr | TraverseIndex;

export interface TraverseAttr extends Range {
  kind: "TraverseAttr";
  name: string;
}

export interface TraverseIndex extends Range {
  kind: "TraverseIndex";
  key: number | string;
  /** Written as `.0` rather than `[0]`. */
  legacy: boolean;
}

/**
 * A variable and the static steps after it: `var.x`, `aws_s3_bucket.b.id`, `each.key`,
 * `count.index`, `module.m.out[0]`, `local.list.0`. Steps after the first non-literal index or
 * splat are not here: `a.b[var.i].c` is GetAttr(Index(ScopeTraversal(a.b), var.i), c).
 */
export interface ScopeTraversalExpr extends Range {
  kind: "ScopeTraversal";
  root: string;
  rootRange: Range;
  steps: TraversalStep[];
}

/** `fn(a, b)`, `fn(list...)` (`expandFinal`), `provider::aws::arn_parse(x)` (name keeps the `::` form). */
export interface FunctionCallExpr extends Range {
  kind: "FunctionCall";
  name: string;
  nameRange: Range;
  args: Expression[];
  expandFinal: boolean;
}

/** `collection[key]` where the collection or key is not a static traversal step. */
export interface IndexExpr extends Range {
  kind: "Index";
  collection: Expression;
  key: Expression;
  /** Written as `.0` rather than `[0]`. */
  legacy: boolean;
}

/** `expr.name` on something that is not a static traversal (`fn().id`, `a[var.i].id`). */
export interface GetAttrExpr extends Range {
  kind: "GetAttr";
  object: Expression;
  name: string;
  nameRange: Range;
}

/**
 * `source[*].a.b` (full splat) or `source.*.a` (attribute-only legacy splat). `each` is the
 * expression applied to every element, written over a SplatItem that stands for the element;
 * `source[*]` alone has `each` = that SplatItem.
 */
export interface SplatExpr extends Range {
  kind: "Splat";
  source: Expression;
  each: Expression;
  full: boolean;
}

/** The current element inside a SplatExpr's `each`; its range is the `[*]` or `.*` marker. */
export interface SplatItemExpr extends Range {
  kind: "SplatItem";
}

/**
 * `[for k, v in coll : value if cond]` (tuple form, keyExpr null) or
 * `{for k, v in coll : key => value... if cond}` (object form; `grouping` for `...`).
 */
export interface ForExpr extends Range {
  kind: "For";
  form: "tuple" | "object";
  keyVar: string | null;
  keyVarRange: Range | null;
  valueVar: string;
  valueVarRange: Range;
  collection: Expression;
  keyExpr: Expression | null;
  valueExpr: Expression;
  condition: Expression | null;
  grouping: boolean;
}

export interface ConditionalExpr extends Range {
  kind: "Conditional";
  condition: Expression;
  trueExpr: Expression;
  falseExpr: Expression;
}

export type BinaryOperator =
  "||" | "&&" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%";

export interface BinaryExpr extends Range {
  kind: "Binary";
  op: BinaryOperator;
  left: Expression;
  right: Expression;
}

export type UnaryOperator = "!" | "-";

export interface UnaryExpr extends Range {
  kind: "Unary";
  op: UnaryOperator;
  operand: Expression;
}

/** `(expr)`: kept because it changes meaning for object keys and for reading the source back. */
export interface ParensExpr extends Range {
  kind: "Parens";
  expr: Expression;
}

/** Stands where a syntax error left no expression; a LoadError describes it. */
export interface InvalidExpr extends Range {
  kind: "Invalid";
}
