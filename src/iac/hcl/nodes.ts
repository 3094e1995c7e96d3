// The native-syntax parser's node classes: each keeps its offsets (`start`, `end`) and the file's
// shared LineIndex and derives line and column when asked; its kind lives on its prototype. Why:
// six position fields and a kind in every one of 148,000 nodes; the ASTs of corpus/real retained
// 8.0x the input with them, 5.6x now (bench/hcl.ts; 6.0x with the kind in each node). `toJSON`
// writes the derived fields out, so a serialised node is the same as a plain one.
// Each class stands alone (no `extends Span`) with fields declared and assigned in its
// constructor: parsing ran at 5 MB/s with a shared base class and 19 MB/s with class-field
// definitions, against 58 MB/s like this (the plain objects before: 57 MB/s, same run).

import type {
  Attribute,
  Block,
  BlockLabel,
  Body,
  Expression,
  FunctionCallExpr,
  LiteralExpr,
  ObjectExpr,
  ObjectItem,
  Range,
  ScopeTraversalExpr,
  TemplateExpr,
  TemplateLiteral,
  TemplatePart,
  TraversalStep,
  TraverseAttr,
  TupleExpr,
} from "./ast.js";

/**
 * Line starts of one source text, computed on the first position asked for: parsing itself never
 * needs them, and a scan that only reads values never pays for them.
 */
export class LineIndex {
  private starts: Int32Array | undefined;

  /** `firstLine`: the number the text's first line has in its file (a template file wrapped in a header line has 0). */
  constructor(
    private readonly text: string,
    private readonly firstLine = 1,
  ) {}

  /** 1-based line of an offset (the line a newline character ends counts it as its own). */
  lineAt(offset: number): number {
    const starts = this.starts ?? this.index();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + this.firstLine;
  }

  /** 1-based column (UTF-16 code units) of an offset on a line that `lineAt` gave. */
  columnAt(offset: number, line: number): number {
    const starts = this.starts ?? this.index();
    return offset - (starts[line - this.firstLine] as number) + 1;
  }

  private index(): Int32Array {
    const text = this.text;
    const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    this.starts = Int32Array.from(starts);
    return this.starts;
  }
}

/** A stretch of source known by its offsets; line and column are derived on access. */
export class Span implements Range {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;

  constructor(start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
  }

  get line(): number {
    return this.lines.lineAt(this.start);
  }

  get column(): number {
    return this.lines.columnAt(this.start, this.line);
  }

  get endLine(): number {
    return this.lines.lineAt(this.end);
  }

  get endColumn(): number {
    return this.lines.columnAt(this.end, this.endLine);
  }

  /** The node's own fields and its derived position, without the shared line index. */
  toJSON(): object {
    const { lines, ...own } = this;
    void lines;
    const kind = (this as { kind?: string }).kind;
    return {
      ...(kind === undefined ? {} : { kind }),
      ...own,
      line: this.line,
      column: this.column,
      endLine: this.endLine,
      endColumn: this.endColumn,
    };
  }
}

/** A name token at the start of a node (identifiers never hold spaces or newlines). */
function leadingName(node: Span, length: number): Span {
  return new Span(node.start, node.start + length, node.lines);
}

export class BodyNode implements Body {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Body";
  declare readonly syntax: "hcl";
  declare items: Body["items"];
  constructor(items: Body["items"], start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.items = items;
  }

  toJSON(): object {
    return { ...Span.prototype.toJSON.call(this), syntax: this.syntax };
  }
}

export class AttributeNode implements Attribute {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Attribute";
  declare name: string;
  declare expr: Expression;
  constructor(name: string, expr: Expression, start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.name = name;
    this.expr = expr;
  }

  get nameRange(): Range {
    return leadingName(this, this.name.length);
  }

  toJSON(): object {
    return { ...Span.prototype.toJSON.call(this), nameRange: this.nameRange };
  }
}

export class BlockNode implements Block {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Block";
  declare type: string;
  declare labels: BlockLabel[];
  declare body: Body;
  constructor(
    type: string,
    labels: BlockLabel[],
    body: Body,
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.type = type;
    this.labels = labels;
    this.body = body;
  }

  get typeRange(): Range {
    return leadingName(this, this.type.length);
  }

  toJSON(): object {
    return { ...Span.prototype.toJSON.call(this), typeRange: this.typeRange };
  }
}

export class BlockLabelNode implements BlockLabel {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "BlockLabel";
  declare value: string;
  declare quoted: boolean;
  constructor(value: string, quoted: boolean, start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.value = value;
    this.quoted = quoted;
  }
}

export class LiteralNode implements LiteralExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Literal";
  declare value: number | boolean | null;
  declare raw: string;
  constructor(
    value: number | boolean | null,
    raw: string,
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.value = value;
    this.raw = raw;
  }
}

export class TemplateNode implements TemplateExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Template";
  declare parts: TemplatePart[];
  constructor(parts: TemplatePart[], start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.parts = parts;
  }
}

/**
 * A quoted string with no interpolation (`"tcp"`), the most common template: it keeps its text
 * and makes its one literal part when asked, a third of the memory of a template holding a list
 * holding a literal (11,000 of them in corpus/real).
 */
export class StringTemplateNode implements TemplateExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Template";
  declare value: string;
  constructor(value: string, start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.value = value;
  }

  /** The literal between the quotes (a new list each time: nothing should change it). */
  get parts(): TemplatePart[] {
    return [new TemplateLiteralNode(this.value, this.start + 1, this.end - 1, this.lines)];
  }

  toJSON(): object {
    const { value, ...own } = Span.prototype.toJSON.call(this) as { value: string };
    void value;
    return { ...own, parts: this.parts };
  }
}

export class TemplateLiteralNode implements TemplateLiteral {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "TemplateLiteral";
  declare value: string;
  constructor(value: string, start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.value = value;
  }
}

export class TupleNode implements TupleExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Tuple";
  declare elements: Expression[];
  constructor(elements: Expression[], start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.elements = elements;
  }
}

export class ObjectNode implements ObjectExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "Object";
  declare items: ObjectItem[];
  constructor(items: ObjectItem[], start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.items = items;
  }
}

export class ObjectItemNode implements ObjectItem {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "ObjectItem";
  declare key: Expression;
  declare keyName: string | null;
  declare value: Expression;
  constructor(
    key: Expression,
    keyName: string | null,
    value: Expression,
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.key = key;
    this.keyName = keyName;
    this.value = value;
  }
}

export class TraverseAttrNode implements TraverseAttr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "TraverseAttr";
  declare name: string;
  constructor(name: string, start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.name = name;
  }
}

export class ScopeTraversalNode implements ScopeTraversalExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "ScopeTraversal";
  declare root: string;
  declare steps: TraversalStep[];
  constructor(root: string, steps: TraversalStep[], start: number, end: number, lines: LineIndex) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.root = root;
    this.steps = steps;
  }

  get rootRange(): Range {
    return leadingName(this, this.root.length);
  }

  toJSON(): object {
    return { ...Span.prototype.toJSON.call(this), rootRange: this.rootRange };
  }
}

export class FunctionCallNode implements FunctionCallExpr {
  declare start: number;
  declare end: number;
  declare lines: LineIndex;
  declare readonly line: number;
  declare readonly column: number;
  declare readonly endLine: number;
  declare readonly endColumn: number;
  declare readonly kind: "FunctionCall";
  declare name: string;
  declare args: Expression[];
  declare expandFinal: boolean;
  constructor(
    name: string,
    args: Expression[],
    expandFinal: boolean,
    start: number,
    end: number,
    lines: LineIndex,
  ) {
    this.start = start;
    this.end = end;
    this.lines = lines;
    this.name = name;
    this.args = args;
    this.expandFinal = expandFinal;
  }

  get nameRange(): Range {
    return leadingName(this, this.name.length);
  }

  toJSON(): object {
    return { ...Span.prototype.toJSON.call(this), nameRange: this.nameRange };
  }
}

shareKindAndPositions(BodyNode, { kind: "Body", syntax: "hcl" });
shareKindAndPositions(AttributeNode, { kind: "Attribute" });
shareKindAndPositions(BlockNode, { kind: "Block" });
shareKindAndPositions(BlockLabelNode, { kind: "BlockLabel" });
shareKindAndPositions(LiteralNode, { kind: "Literal" });
shareKindAndPositions(TemplateNode, { kind: "Template" });
shareKindAndPositions(StringTemplateNode, { kind: "Template" });
shareKindAndPositions(TemplateLiteralNode, { kind: "TemplateLiteral" });
shareKindAndPositions(TupleNode, { kind: "Tuple" });
shareKindAndPositions(ObjectNode, { kind: "Object" });
shareKindAndPositions(ObjectItemNode, { kind: "ObjectItem" });
shareKindAndPositions(TraverseAttrNode, { kind: "TraverseAttr" });
shareKindAndPositions(ScopeTraversalNode, { kind: "ScopeTraversal" });
shareKindAndPositions(FunctionCallNode, { kind: "FunctionCall" });

/**
 * Puts a node class's constant fields (its kind; a native body's syntax), Span's derived
 * positions and, unless it has its own, Span's `toJSON` on its prototype. A node copied with
 * `{ ...node }` loses all of them: copy with `rangeOf`.
 */
function shareKindAndPositions(node: { prototype: object }, constants: object): void {
  Object.assign(node.prototype, constants);
  for (const name of ["line", "column", "endLine", "endColumn", "toJSON"]) {
    const descriptor = Object.getOwnPropertyDescriptor(Span.prototype, name);
    if (descriptor && !Object.hasOwn(node.prototype, name))
      Object.defineProperty(node.prototype, name, descriptor);
  }
}

/** Whether a value is one of these nodes (or a Span): what derives its position from offsets. */
export function isOffsetNode(
  value: object,
): value is { start: number; end: number; lines: LineIndex } {
  return (value as { lines?: unknown }).lines instanceof LineIndex;
}
