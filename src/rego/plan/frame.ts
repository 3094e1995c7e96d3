// The statement buffer of one plan or func being built: its locals and the stack of blocks
// statements are appended to. Nesting (`Scan`, `Not`, `Block`, `With`) pushes a fresh list and
// the caller wraps it, so planning code reads in the order the statements will run.

import type { Block, IrLocation, Local, Stmt } from "../ir/types.js";
import type { Location } from "../syntax/ast.js";

export class Frame {
  private nextLocal: number;
  private readonly stack: Stmt[][] = [[]];

  constructor(firstFreeLocal: number) {
    this.nextLocal = firstFreeLocal;
  }

  newLocal(): Local {
    return this.nextLocal++;
  }

  /** The statement list being appended to; the same list means the same block level. */
  currentBlock(): readonly Stmt[] | undefined {
    return this.stack[this.stack.length - 1];
  }

  emit(stmt: Stmt): void {
    const current = this.stack[this.stack.length - 1];
    if (current === undefined) throw new Error("frame has no open block");
    current.push(stmt);
  }

  /** Runs `build` with a fresh statement list and returns it as a block (not emitted). */
  nested(build: () => void): Block {
    const stmts: Stmt[] = [];
    this.stack.push(stmts);
    try {
      build();
    } finally {
      this.stack.pop();
    }
    return { stmts };
  }

  /** The top-level statements, once every nested block has been closed. */
  finish(): Block {
    return { stmts: this.stack[0] ?? [] };
  }
}

export function irLocation(loc: Location | undefined): IrLocation | undefined {
  return loc === undefined ? undefined : { file: loc.file, line: loc.line, column: loc.column };
}
