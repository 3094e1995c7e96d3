// The native-syntax nodes that start with a name token (attributes, blocks, traversals, calls):
// their name's range is derived from the node's own start and the name's length, not stored.
// Why: those 67,000 extra range objects were a quarter of the AST's memory on corpus/real
// (retained heap 10.1x the input with them, 7.3x without; bench/hcl.ts). `toJSON` writes the
// derived ranges out, so a serialised AST is the same as if they were plain fields.

import type {
  Attribute,
  Block,
  BlockLabel,
  Body,
  Expression,
  FunctionCallExpr,
  Range,
  ScopeTraversalExpr,
  TraversalStep,
} from "./ast.js";

/** A name token at the start of a node: one line, `length` characters (identifiers never hold spaces). */
function leadingName(node: Range, length: number): Range {
  return {
    line: node.line,
    column: node.column,
    endLine: node.line,
    endColumn: node.column + length,
    start: node.start,
    end: node.start + length,
  };
}

export class AttributeNode implements Attribute {
  readonly kind = "Attribute";
  constructor(
    public name: string,
    public expr: Expression,
    public line: number,
    public column: number,
    public endLine: number,
    public endColumn: number,
    public start: number,
    public end: number,
  ) {}

  get nameRange(): Range {
    return leadingName(this, this.name.length);
  }

  toJSON(): Attribute {
    return { ...this, nameRange: this.nameRange };
  }
}

export class BlockNode implements Block {
  readonly kind = "Block";
  constructor(
    public type: string,
    public labels: BlockLabel[],
    public body: Body,
    public line: number,
    public column: number,
    public endLine: number,
    public endColumn: number,
    public start: number,
    public end: number,
  ) {}

  get typeRange(): Range {
    return leadingName(this, this.type.length);
  }

  toJSON(): Block {
    return { ...this, typeRange: this.typeRange };
  }
}

export class ScopeTraversalNode implements ScopeTraversalExpr {
  readonly kind = "ScopeTraversal";
  constructor(
    public root: string,
    public steps: TraversalStep[],
    public line: number,
    public column: number,
    public endLine: number,
    public endColumn: number,
    public start: number,
    public end: number,
  ) {}

  get rootRange(): Range {
    return leadingName(this, this.root.length);
  }

  toJSON(): ScopeTraversalExpr {
    return { ...this, rootRange: this.rootRange };
  }
}

export class FunctionCallNode implements FunctionCallExpr {
  readonly kind = "FunctionCall";
  constructor(
    public name: string,
    public args: Expression[],
    public expandFinal: boolean,
    public line: number,
    public column: number,
    public endLine: number,
    public endColumn: number,
    public start: number,
    public end: number,
  ) {}

  get nameRange(): Range {
    return leadingName(this, this.name.length);
  }

  toJSON(): FunctionCallExpr {
    return { ...this, nameRange: this.nameRange };
  }
}
