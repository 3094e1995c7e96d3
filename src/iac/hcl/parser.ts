// The HCL native-syntax parser: an on-demand scanner and a recursive-descent/precedence parser
// that build the positioned AST of `ast.ts` and collect syntax errors as LoadError values.
// Hand-written because no library gives what findings need (1) positions on every node and
// (2) the inside of `jsonencode(...)`; and the peers are slow on `corpus/real` (2.4 MB):
// hcl2-parser 0.29 MB/s, @cdktf/hcl2json 1.32 MB/s, where a single-regex scan reaches 203 MB/s.
// Every loop consumes input or stops, nesting is bounded, so any input ends in linear time.

import type { LoadError } from "../../model/types.js";
import {
  AttributeNode,
  BlockLabelNode,
  BlockNode,
  BodyNode,
  FunctionCallNode,
  LineIndex,
  LiteralNode,
  ObjectItemNode,
  ObjectNode,
  ScopeTraversalNode,
  StringTemplateNode,
  TemplateLiteralNode,
  TemplateNode,
  TraverseAttrNode,
  TupleNode,
} from "./nodes.js";
import type {
  Attribute,
  BinaryOperator,
  Block,
  BlockLabel,
  Body,
  BodyItem,
  Expression,
  ForExpr,
  ObjectItem,
  Range,
  ScopeTraversalExpr,
  TemplateLiteral,
  TemplatePart,
} from "./ast.js";

/** Deepest nesting of blocks, expressions and templates before the parser gives up on a file. */
export const MAX_NESTING_DEPTH = 128;
/** Errors kept per file; beyond this the rest of the file is skipped with one final error. */
export const MAX_ERRORS = 50;

const enum Tok {
  EOF,
  Ident,
  Number,
  Quote,
  Heredoc,
  LBrace,
  RBrace,
  LBrack,
  RBrack,
  LParen,
  RParen,
  Assign,
  Colon,
  Comma,
  Dot,
  Ellipsis,
  Question,
  FatArrow,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Eq,
  NotEq,
  Lt,
  Gt,
  LtEq,
  GtEq,
  And,
  Or,
  Bang,
  Tilde,
  Invalid,
}

const TOKEN_TEXT: Record<Tok, string> = {
  [Tok.EOF]: "end of file",
  [Tok.Ident]: "identifier",
  [Tok.Number]: "number",
  [Tok.Quote]: "string",
  [Tok.Heredoc]: "heredoc",
  [Tok.LBrace]: "'{'",
  [Tok.RBrace]: "'}'",
  [Tok.LBrack]: "'['",
  [Tok.RBrack]: "']'",
  [Tok.LParen]: "'('",
  [Tok.RParen]: "')'",
  [Tok.Assign]: "'='",
  [Tok.Colon]: "':'",
  [Tok.Comma]: "','",
  [Tok.Dot]: "'.'",
  [Tok.Ellipsis]: "'...'",
  [Tok.Question]: "'?'",
  [Tok.FatArrow]: "'=>'",
  [Tok.Plus]: "'+'",
  [Tok.Minus]: "'-'",
  [Tok.Star]: "'*'",
  [Tok.Slash]: "'/'",
  [Tok.Percent]: "'%'",
  [Tok.Eq]: "'=='",
  [Tok.NotEq]: "'!='",
  [Tok.Lt]: "'<'",
  [Tok.Gt]: "'>'",
  [Tok.LtEq]: "'<='",
  [Tok.GtEq]: "'>='",
  [Tok.And]: "'&&'",
  [Tok.Or]: "'||'",
  [Tok.Bang]: "'!'",
  [Tok.Tilde]: "'~'",
  [Tok.Invalid]: "invalid character",
};

/** Binary operators by precedence level, loosest first (HCL's table). */
const BINARY_LEVELS: ReadonlyArray<ReadonlyMap<Tok, BinaryOperator>> = [
  new Map([[Tok.Or, "||"]]),
  new Map([[Tok.And, "&&"]]),
  new Map<Tok, BinaryOperator>([
    [Tok.Eq, "=="],
    [Tok.NotEq, "!="],
  ]),
  new Map<Tok, BinaryOperator>([
    [Tok.Lt, "<"],
    [Tok.Gt, ">"],
    [Tok.LtEq, "<="],
    [Tok.GtEq, ">="],
  ]),
  new Map<Tok, BinaryOperator>([
    [Tok.Plus, "+"],
    [Tok.Minus, "-"],
  ]),
  new Map<Tok, BinaryOperator>([
    [Tok.Star, "*"],
    [Tok.Slash, "/"],
    [Tok.Percent, "%"],
  ]),
];

const NON_ASCII_ID_START = /[\p{ID_Start}]/u;
const NON_ASCII_ID_CONTINUE = /[\p{ID_Continue}]/u;

function isAsciiIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isAsciiIdContinue(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Thrown inside the parser only, caught at the top-level body loop, which records and resyncs. */
class SyntaxFailure {
  constructor(
    readonly error: LoadError,
    readonly offset: number,
  ) {}
}

/** Where a quoted template ends: the closing quote, or a directive keyword that closes a branch. */
type TemplateEnd = "quote" | "heredoc" | "else" | "endif" | "endfor";

export interface ParseResult {
  body: Body;
  errors: LoadError[];
}

/** Which characters a quoted string accepts after a backslash: HCL's set, or JSON's for `.tf.json` strings. */
export type EscapeSet = "hcl" | "json";

export class HclParser {
  readonly errors: LoadError[] = [];
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  // The current token, scanned lazily by peek().
  private peeked = false;
  private tok: Tok = Tok.EOF;
  private tStart = 0;
  private tEnd = 0;
  private tLine = 1;
  private tCol = 1;
  private tNewlineBefore = false;
  // The end of the last consumed token: where a node that ends with it ends.
  private prevEnd = 0;
  private prevEndLine = 1;
  private prevEndCol = 1;
  private newlinesSignificant = true;
  private depth = 0;
  private heredocMarker = "";
  private heredocIndented = false;
  /**
   * Where tokens end: the text's end, or inside a bare template we wrapped (bareTemplateMarker)
   * the start of our closing marker line, so an expression left open there meets the end of the
   * template, as HCL's ParseTemplate sees it, and never our wrapper.
   */
  private scanEnd: number;
  private readonly names = new Map<string, string>();
  /** Shared by every node of this text: nodes keep offsets and derive lines from it. */
  declare readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly escapes: EscapeSet = "hcl",
    private readonly firstLine = 1,
    /**
     * The marker of a heredoc we wrap around a bare template (templatefile(), a decoded `.tf.json`
     * string): HCL scans those as bare templates, not heredocs, which differ at a lone CR.
     */
    private readonly bareTemplateMarker: string | null = null,
  ) {
    this.lines = new LineIndex(text, firstLine);
    this.line = firstLine;
    this.scanEnd = text.length;
    if (text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.lineStart = 1;
    }
  }

  /** Parses a whole file; errors skip to the next top-level block. */
  parseFile(): ParseResult {
    const items: BodyItem[] = [];
    const startPos = this.pos;
    for (;;) {
      try {
        this.parseBodyItems(items, null);
        break;
      } catch (failure) {
        if (!(failure instanceof SyntaxFailure)) throw failure;
        if (this.errors.length < MAX_ERRORS) this.errors.push(failure.error);
        // A wrapped bare template is the whole text: what follows its error is only our wrapper,
        // or more of the template that HCL would not read as configuration either.
        if (this.bareTemplateMarker !== null) break;
        if (this.errors.length >= MAX_ERRORS) {
          this.errors.push(
            this.errorAt(
              this.pos,
              "hcl-too-many-errors",
              `more than ${MAX_ERRORS} syntax errors; the rest of the file is skipped`,
            ),
          );
          break;
        }
        if (!this.resyncToTopLevel(failure.offset)) break;
      }
    }
    const body = new BodyNode(exact(items), startPos, this.text.length, this.lines);
    return { body, errors: this.errors };
  }

  /**
   * Parses one quoted template whose opening quote is at `quoteOffset` (used by the `.tf.json`
   * reader for JSON strings, with JSON escapes). Returns null when it fails; the error is recorded.
   */
  parseStringAt(quoteOffset: number, line: number, lineStart: number): Expression | null {
    this.pos = quoteOffset;
    this.line = line;
    this.lineStart = lineStart;
    this.peeked = false;
    this.depth = 0;
    this.newlinesSignificant = false;
    try {
      this.peek();
      const expr = this.parseTemplate();
      return expr;
    } catch (failure) {
      if (!(failure instanceof SyntaxFailure)) throw failure;
      this.errors.push(failure.error);
      return null;
    }
  }

  /** Offset just after the last parsed string (for the `.tf.json` reader). */
  get offset(): number {
    return this.prevEnd;
  }

  // ---------------------------------------------------------------- errors and positions

  private errorAt(offset: number, code: string, message: string): LoadError {
    const at = this.lineOf(offset);
    return { file: this.file, line: at.line, column: at.column, message, code };
  }

  /** Line/column of an offset at or after the current line start (used only for errors and the end of file). */
  private lineOf(offset: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.lineStart;
    if (offset < lineStart) {
      line = this.firstLine;
      lineStart = 0;
    }
    for (let i = lineStart; i < offset && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  private fail(message: string, code = "hcl-syntax"): never {
    this.peek();
    throw new SyntaxFailure(
      { file: this.file, line: this.tLine, column: this.tCol, message, code },
      this.tStart,
    );
  }

  private failAt(offset: number, message: string): never {
    throw new SyntaxFailure(this.errorAt(offset, "hcl-syntax", message), offset);
  }

  private describeToken(): string {
    if (this.tok === Tok.Ident) return `'${this.text.slice(this.tStart, this.tEnd)}'`;
    if (this.tok === Tok.Invalid) {
      const found = this.text.slice(this.tStart, this.tEnd);
      // A control character (a lone carriage return, say) is shown by its code, not printed.
      const shown = /^[\p{Cc}]$/u.test(found)
        ? `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`
        : `'${found}'`;
      return `invalid character ${shown}`;
    }
    if (this.tok === Tok.EOF) return this.endOfInput();
    return TOKEN_TEXT[this.tok];
  }

  /** What the end of the text is called in errors: a wrapped bare template ends before our marker. */
  private endOfInput(): string {
    return this.scanEnd < this.text.length ? "the end of the template" : TOKEN_TEXT[Tok.EOF];
  }

  /** After an error at `offset`, move to the next line that starts (at column 1) with a name: the next top-level block. */
  private resyncToTopLevel(offset: number): boolean {
    const text = this.text;
    let i = text.indexOf("\n", offset);
    if (i < 0) return false;
    i++;
    // Line numbers are known at the scanner's line start; count from there (or from the top).
    let line = this.line;
    let from = this.lineStart;
    if (i < from) {
      line = this.firstLine;
      from = 0;
    }
    for (let j = from; j < i; j++) if (text.charCodeAt(j) === 10) line++;
    while (i < text.length && !isAsciiIdStart(text.charCodeAt(i))) {
      const next = text.indexOf("\n", i);
      if (next < 0) return false;
      i = next + 1;
      line++;
    }
    if (i >= text.length) return false;
    // Resume on the newline before that line, so its block counts as starting a new line (without
    // it, every block after the first error's was refused in turn as "expected a newline").
    this.pos = i - 1;
    this.line = line - 1;
    this.lineStart = i - 1;
    this.peeked = false;
    this.newlinesSignificant = true;
    this.depth = 0;
    this.pendingStrip = false;
    return true;
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.fail(
        `nesting deeper than ${MAX_NESTING_DEPTH} levels; split this expression or block`,
        "hcl-too-deep",
      );
    }
  }

  private range(start: number, line: number, column: number): Range {
    return {
      line,
      column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start,
      end: this.prevEnd,
    };
  }

  // ---------------------------------------------------------------- scanner

  private peek(): Tok {
    if (!this.peeked) this.scan(false);
    return this.tok;
  }

  private advance(): void {
    this.peek();
    this.prevEnd = this.tEnd;
    this.prevEndLine = this.tLine;
    this.prevEndCol = this.tCol + (this.tEnd - this.tStart);
    this.pos = this.tEnd;
    this.peeked = false;
  }

  private expect(tok: Tok, what: string): void {
    if (this.peek() !== tok)
      this.fail(`expected ${TOKEN_TEXT[tok]} ${what}, found ${this.describeToken()}`);
    this.advance();
  }

  /** Skips spaces and comments, then reads one token; `integerOnly` reads `0.1` as `0` (after a `.` step). */
  private scan(integerOnly: boolean): void {
    const text = this.text;
    const len = this.scanEnd;
    let p = this.pos;
    let newline = false;
    for (;;) {
      if (p >= len) break;
      const c = text.charCodeAt(p);
      // A carriage return is whitespace only as part of CRLF; alone, HCL calls it an invalid character.
      if (c === 32 || c === 9 || (c === 13 && text.charCodeAt(p + 1) === 10)) {
        p++;
      } else if (c === 10) {
        p++;
        newline = true;
        this.line++;
        this.lineStart = p;
      } else if (c === 35 || (c === 47 && text.charCodeAt(p + 1) === 47)) {
        const end = text.indexOf("\n", p);
        p = end < 0 ? len : end;
      } else if (c === 47 && text.charCodeAt(p + 1) === 42) {
        const end = text.indexOf("*/", p + 2);
        if (end < 0) {
          this.pos = p;
          this.failAt(p, "unterminated comment; add '*/' to close the comment started here");
        }
        for (let i = p + 2; i < end; i++) {
          if (text.charCodeAt(i) === 10) {
            this.line++;
            this.lineStart = i + 1;
          }
        }
        p = end + 2;
      } else {
        break;
      }
    }
    this.peeked = true;
    this.tNewlineBefore = newline;
    this.tStart = p;
    this.tLine = this.line;
    this.tCol = p - this.lineStart + 1;
    if (p >= len) {
      this.tok = Tok.EOF;
      this.tEnd = p;
      return;
    }
    const c = text.charCodeAt(p);
    const n = p + 1 < len ? text.charCodeAt(p + 1) : 0;
    let tok: Tok;
    let end = p + 1;
    if (isAsciiIdStart(c) || (c > 127 && this.isIdStartAt(p))) {
      end = this.scanIdentifierEnd(p);
      tok = Tok.Ident;
    } else if (isDigit(c)) {
      end = p + 1;
      while (end < len && isDigit(text.charCodeAt(end))) end++;
      if (!integerOnly) {
        if (text.charCodeAt(end) === 46 && isDigit(text.charCodeAt(end + 1))) {
          end += 2;
          while (end < len && isDigit(text.charCodeAt(end))) end++;
        }
        const e = text.charCodeAt(end);
        if (e === 101 || e === 69) {
          let q = end + 1;
          const sign = text.charCodeAt(q);
          if (sign === 43 || sign === 45) q++;
          if (isDigit(text.charCodeAt(q))) {
            end = q + 1;
            while (end < len && isDigit(text.charCodeAt(end))) end++;
          }
        }
      }
      tok = Tok.Number;
    } else {
      switch (c) {
        case 34:
          tok = Tok.Quote;
          break;
        case 123:
          tok = Tok.LBrace;
          break;
        case 125:
          tok = Tok.RBrace;
          break;
        case 91:
          tok = Tok.LBrack;
          break;
        case 93:
          tok = Tok.RBrack;
          break;
        case 40:
          tok = Tok.LParen;
          break;
        case 41:
          tok = Tok.RParen;
          break;
        case 61:
          if (n === 61) {
            tok = Tok.Eq;
            end++;
          } else if (n === 62) {
            tok = Tok.FatArrow;
            end++;
          } else tok = Tok.Assign;
          break;
        case 58:
          tok = Tok.Colon;
          break;
        case 44:
          tok = Tok.Comma;
          break;
        case 46:
          if (n === 46 && text.charCodeAt(p + 2) === 46) {
            tok = Tok.Ellipsis;
            end += 2;
          } else tok = Tok.Dot;
          break;
        case 63:
          tok = Tok.Question;
          break;
        case 43:
          tok = Tok.Plus;
          break;
        case 45:
          tok = Tok.Minus;
          break;
        case 42:
          tok = Tok.Star;
          break;
        case 47:
          tok = Tok.Slash;
          break;
        case 37:
          tok = Tok.Percent;
          break;
        case 33:
          if (n === 61) {
            tok = Tok.NotEq;
            end++;
          } else tok = Tok.Bang;
          break;
        case 60:
          if (n === 60 && this.scanHeredocStart(p)) {
            tok = Tok.Heredoc;
            end = this.tEnd;
          } else if (n === 61) {
            tok = Tok.LtEq;
            end++;
          } else tok = Tok.Lt;
          break;
        case 62:
          if (n === 61) {
            tok = Tok.GtEq;
            end++;
          } else tok = Tok.Gt;
          break;
        case 38:
          if (n === 38) {
            tok = Tok.And;
            end++;
          } else tok = Tok.Invalid;
          break;
        case 124:
          if (n === 124) {
            tok = Tok.Or;
            end++;
          } else tok = Tok.Invalid;
          break;
        case 126:
          tok = Tok.Tilde;
          break;
        default:
          tok = Tok.Invalid;
          if (c >= 0xd800 && c <= 0xdbff && end < len) end++;
      }
    }
    this.tok = tok;
    this.tEnd = end;
  }

  /**
   * The current identifier token's text, one shared string per distinct name: names repeat
   * (`var`, `tags`, `name`) and V8 copies short slices, so sharing keeps the AST smaller.
   */
  private identifier(): string {
    return this.intern(this.text.slice(this.tStart, this.tEnd));
  }

  private intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }

  /** Short literal strings repeat (`"tcp"`, `"Name"`); longer ones are kept as slices of the source. */
  private internShort(value: string): string {
    return value.length < 13 ? this.intern(value) : value;
  }

  private isIdStartAt(p: number): boolean {
    const cp = this.text.codePointAt(p) ?? 0;
    return NON_ASCII_ID_START.test(String.fromCodePoint(cp));
  }

  /** End of an identifier starting at p; `provider::ns::fn` names are one identifier. */
  private scanIdentifierEnd(p: number): number {
    const text = this.text;
    const len = text.length;
    let end = p;
    for (;;) {
      while (end < len) {
        const c = text.charCodeAt(end);
        if (isAsciiIdContinue(c)) {
          end++;
        } else if (c > 127) {
          const cp = text.codePointAt(end) ?? 0;
          if (!NON_ASCII_ID_CONTINUE.test(String.fromCodePoint(cp))) break;
          end += cp > 0xffff ? 2 : 1;
        } else break;
      }
      if (
        text.charCodeAt(end) === 58 &&
        text.charCodeAt(end + 1) === 58 &&
        isAsciiIdStart(text.charCodeAt(end + 2))
      ) {
        end += 2;
        continue;
      }
      return end;
    }
  }

  /** At `<<`: is this `<<MARKER` or `<<-MARKER` followed by a newline? Sets tEnd and the marker when so. */
  private scanHeredocStart(p: number): boolean {
    const text = this.text;
    let q = p + 2;
    const indented = text.charCodeAt(q) === 45;
    if (indented) q++;
    if (!isAsciiIdStart(text.charCodeAt(q))) return false;
    const markerStart = q;
    while (q < text.length && isAsciiIdContinue(text.charCodeAt(q))) q++;
    const markerEnd = q;
    if (text.charCodeAt(q) === 13) q++;
    if (q < text.length && text.charCodeAt(q) !== 10) return false;
    this.heredocMarker = text.slice(markerStart, markerEnd);
    this.heredocIndented = indented;
    this.tEnd = markerEnd;
    return true;
  }

  // ---------------------------------------------------------------- bodies

  /** Reads attributes and blocks until `}` (nested, `owner` set) or end of file (top level). */
  private parseBodyItems(items: BodyItem[], owner: Block | null): void {
    let attributes: Map<string, Attribute> | null = null;
    for (;;) {
      const tok = this.peek();
      if (tok === Tok.EOF) {
        if (owner !== null) {
          this.fail(
            `expected '}' to close block '${owner.type}' opened at line ${owner.line}, found end of file`,
          );
        }
        return;
      }
      if (tok === Tok.RBrace) {
        if (owner !== null) return;
        this.fail("unexpected '}' at top level; remove it or add the block it was meant to close");
      }
      if (items.length > 0 && !this.tNewlineBefore) {
        const last = items[items.length - 1] as BodyItem;
        const what =
          last.kind === "Attribute" ? `attribute '${last.name}'` : `block '${last.type}'`;
        this.fail(`expected a newline after ${what}, found ${this.describeToken()}`);
      }
      if (tok !== Tok.Ident) {
        this.fail(`expected an attribute or block name, found ${this.describeToken()}`);
      }
      const item = this.parseBodyItem();
      if (item.kind === "Attribute") attributes = this.checkRedefinition(items, item, attributes);
      items.push(item);
    }
  }

  /**
   * HCL refuses a body that sets one argument twice ("Attribute redefined", at the second name):
   * Terraform will not run it, and which value a reader keeps is a guess, so it is an error here
   * too; both stay in the body. Small bodies are searched, larger ones get a map of their names.
   */
  private checkRedefinition(
    items: BodyItem[],
    attribute: Attribute,
    names: Map<string, Attribute> | null,
  ): Map<string, Attribute> | null {
    let first: Attribute | undefined;
    if (names === null && items.length < 16) {
      first = items.find(
        (item): item is Attribute => item.kind === "Attribute" && item.name === attribute.name,
      );
    } else {
      if (names === null) {
        names = new Map();
        for (const item of items)
          if (item.kind === "Attribute" && !names.has(item.name)) names.set(item.name, item);
      }
      first = names.get(attribute.name);
      if (first === undefined) names.set(attribute.name, attribute);
    }
    if (first !== undefined && this.errors.length < MAX_ERRORS) {
      this.errors.push({
        file: this.file,
        line: attribute.line,
        column: attribute.column,
        code: "hcl-attribute-redefined",
        message: `attribute '${attribute.name}' is already set at line ${first.line}; each argument may be set only once`,
      });
    }
    return names;
  }

  private parseBodyItem(): BodyItem {
    const start = this.tStart;
    const name = this.identifier();
    this.advance();
    const next = this.peek();
    if (next === Tok.Assign && !this.tNewlineBefore) {
      this.advance();
      const saved = this.newlinesSignificant;
      this.newlinesSignificant = true;
      const expr = this.parseExpression();
      this.newlinesSignificant = saved;
      return new AttributeNode(name, expr, start, this.prevEnd, this.lines);
    }
    const labels: BlockLabel[] = [];
    for (;;) {
      const t = this.peek();
      if (this.tNewlineBefore) break;
      if (t === Tok.Ident) {
        const ls = this.tStart;
        const value = this.identifier();
        this.advance();
        labels.push(new BlockLabelNode(value, false, ls, this.prevEnd, this.lines));
      } else if (t === Tok.Quote) {
        const ls = this.tStart;
        const template = this.parseTemplate();
        if (
          template.kind !== "Template" ||
          template.parts.some((part) => part.kind !== "TemplateLiteral")
        ) {
          this.failAt(
            ls,
            `block label of '${name}' must be a plain string without '\${' interpolation`,
          );
        }
        const value = this.intern(
          template.parts.map((part) => (part as TemplateLiteral).value).join(""),
        );
        labels.push(new BlockLabelNode(value, true, ls, this.prevEnd, this.lines));
      } else break;
    }
    if (this.peek() !== Tok.LBrace || this.tNewlineBefore) {
      const after = labels.length > 0 ? `the labels of block '${name}'` : `'${name}'`;
      const wanted = labels.length > 0 ? "'{'" : "'=' or a block label";
      this.fail(`expected ${wanted} after ${after}, found ${this.describeToken()}`);
    }
    this.advance();
    this.enter();
    const body = new BodyNode([], this.prevEnd - 1, start, this.lines);
    const block = new BlockNode(name, exact(labels), body, start, start, this.lines);
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = true;
    this.parseBodyItems(body.items, block);
    body.items = exact(body.items);
    this.advance();
    this.newlinesSignificant = saved;
    this.depth--;
    body.end = this.prevEnd;
    block.end = this.prevEnd;
    return block;
  }

  // ---------------------------------------------------------------- expressions

  private parseExpression(): Expression {
    this.enter();
    const start = this.peekStart();
    const line = this.tLine;
    const column = this.tCol;
    const condition = this.parseBinary(0);
    let result = condition;
    if (this.peek() === Tok.Question && !(this.newlinesSignificant && this.tNewlineBefore)) {
      this.advance();
      const trueExpr = this.parseExpression();
      if (this.peek() !== Tok.Colon)
        this.fail(
          `expected ':' after the true result of a conditional, found ${this.describeToken()}`,
        );
      this.advance();
      const falseExpr = this.parseExpression();
      result = {
        kind: "Conditional",
        condition,
        trueExpr,
        falseExpr,
        line: line,
        column: column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: start,
        end: this.prevEnd,
      };
    }
    this.depth--;
    return result;
  }

  private peekStart(): number {
    this.peek();
    return this.tStart;
  }

  private parseBinary(level: number): Expression {
    if (level >= BINARY_LEVELS.length) return this.parseUnary();
    const operators = BINARY_LEVELS[level] as ReadonlyMap<Tok, BinaryOperator>;
    const start = this.peekStart();
    const line = this.tLine;
    const column = this.tCol;
    let left = this.parseBinary(level + 1);
    for (;;) {
      const op = operators.get(this.peek());
      if (op === undefined || (this.newlinesSignificant && this.tNewlineBefore)) return left;
      this.advance();
      const right = this.parseBinary(level + 1);
      left = {
        kind: "Binary",
        op,
        left,
        right,
        line: line,
        column: column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: start,
        end: this.prevEnd,
      };
    }
  }

  private parseUnary(): Expression {
    const tok = this.peek();
    if (tok === Tok.Minus || tok === Tok.Bang) {
      const start = this.tStart;
      const line = this.tLine;
      const column = this.tCol;
      this.advance();
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      return {
        kind: "Unary",
        op: tok === Tok.Minus ? "-" : "!",
        operand,
        line: line,
        column: column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: start,
        end: this.prevEnd,
      };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expression {
    const tok = this.peek();
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    switch (tok) {
      case Tok.Number: {
        const raw = this.identifier();
        this.advance();
        return new LiteralNode(Number(raw), raw, start, this.prevEnd, this.lines);
      }
      case Tok.Ident: {
        const name = this.identifier();
        this.advance();
        if (name === "true" || name === "false" || name === "null") {
          const value = name === "null" ? null : name === "true";
          return new LiteralNode(value, name, start, this.prevEnd, this.lines);
        }
        const end = this.prevEnd;
        if (this.peek() === Tok.LParen && !(this.newlinesSignificant && this.tNewlineBefore)) {
          return this.parseFunctionCall(name, start);
        }
        if (name.includes("::"))
          this.failAt(start, `'${name}' looks like a provider function; call it with '(...)'`);
        return new ScopeTraversalNode(name, [], start, end, this.lines);
      }
      case Tok.Quote:
        return this.parseTemplate();
      case Tok.Heredoc:
        return this.parseHeredoc();
      case Tok.LParen: {
        this.advance();
        const saved = this.newlinesSignificant;
        this.newlinesSignificant = false;
        const expr = this.parseExpression();
        this.expect(Tok.RParen, "to close '('");
        this.newlinesSignificant = saved;
        return {
          kind: "Parens",
          expr,
          line: line,
          column: column,
          endLine: this.prevEndLine,
          endColumn: this.prevEndCol,
          start: start,
          end: this.prevEnd,
        };
      }
      case Tok.LBrack:
        return this.parseTuple();
      case Tok.LBrace:
        return this.parseObject();
      default:
        return this.fail(`expected an expression, found ${this.describeToken()}`);
    }
  }

  private parseFunctionCall(name: string, start: number): Expression {
    this.advance();
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = false;
    const args: Expression[] = [];
    let expandFinal = false;
    while (this.peek() !== Tok.RParen) {
      args.push(this.parseExpression());
      const t = this.peek();
      if (t === Tok.Ellipsis) {
        this.advance();
        expandFinal = true;
        if (this.peek() === Tok.Comma) this.advance();
        if (this.peek() !== Tok.RParen)
          this.fail(
            `expected ')' after the '...' argument of ${name}(), found ${this.describeToken()}`,
          );
        break;
      }
      if (t === Tok.Comma) {
        this.advance();
      } else if (t !== Tok.RParen) {
        this.fail(
          `expected ',' or ')' in the arguments of ${name}(), found ${this.describeToken()}`,
        );
      }
    }
    this.advance();
    this.newlinesSignificant = saved;
    return new FunctionCallNode(name, exact(args), expandFinal, start, this.prevEnd, this.lines);
  }

  /** Attribute access, indexes and splats after an expression. */
  private parsePostfix(first: Expression): Expression {
    let expr = first;
    for (;;) {
      const tok = this.peek();
      if (this.newlinesSignificant && this.tNewlineBefore) return exactSteps(expr);
      if (tok === Tok.Dot) {
        const dotStart = this.tStart;
        const dotLine = this.tLine;
        const dotCol = this.tCol;
        this.advance();
        this.scan(true);
        if (this.tok === Tok.Star) {
          this.advance();
          expr = this.parseSplat(expr, false, this.range(dotStart, dotLine, dotCol));
          continue;
        }
        expr = this.parseDotStep(expr);
      } else if (tok === Tok.LBrack) {
        const brStart = this.tStart;
        const brLine = this.tLine;
        const brCol = this.tCol;
        this.advance();
        if (this.peek() === Tok.Star) {
          this.advance();
          this.expect(Tok.RBrack, "to close '[*'");
          expr = this.parseSplat(expr, true, this.range(brStart, brLine, brCol));
          continue;
        }
        expr = this.parseIndexStep(expr, brStart, brLine, brCol);
      } else {
        return exactSteps(expr);
      }
    }
  }

  /** After a consumed `.` whose next token is scanned: `.name` or the legacy `.0`. */
  private parseDotStep(expr: Expression): Expression {
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    if (this.tok === Tok.Ident) {
      const name = this.identifier();
      this.advance();
      if (expr.kind === "ScopeTraversal") {
        expr.steps.push(new TraverseAttrNode(name, start, this.prevEnd, this.lines));
        return this.extend(expr);
      }
      return {
        kind: "GetAttr",
        object: expr,
        name,
        nameRange: this.range(start, line, column),
        line: expr.line,
        column: expr.column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: expr.start,
        end: this.prevEnd,
      };
    }
    if (this.tok === Tok.Number) {
      const raw = this.identifier();
      this.advance();
      const stepRange = this.range(start, line, column);
      if (expr.kind === "ScopeTraversal") {
        expr.steps.push({
          kind: "TraverseIndex",
          key: Number(raw),
          legacy: true,
          line: stepRange.line,
          column: stepRange.column,
          endLine: stepRange.endLine,
          endColumn: stepRange.endColumn,
          start: stepRange.start,
          end: stepRange.end,
        });
        return this.extend(expr);
      }
      const key = new LiteralNode(Number(raw), raw, start, this.prevEnd, this.lines);
      return {
        kind: "Index",
        collection: expr,
        key,
        legacy: true,
        line: expr.line,
        column: expr.column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: expr.start,
        end: this.prevEnd,
      };
    }
    return this.fail(`expected an attribute name after '.', found ${this.describeToken()}`);
  }

  /** After a consumed `[` that is not `[*]`. */
  private parseIndexStep(
    expr: Expression,
    brStart: number,
    brLine: number,
    brCol: number,
  ): Expression {
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = false;
    const key = this.parseExpression();
    this.expect(Tok.RBrack, "to close the index");
    this.newlinesSignificant = saved;
    if (expr.kind === "ScopeTraversal") {
      const literalKey = staticKey(key);
      if (literalKey !== undefined) {
        expr.steps.push({
          kind: "TraverseIndex",
          key: literalKey,
          legacy: false,
          line: brLine,
          column: brCol,
          endLine: this.prevEndLine,
          endColumn: this.prevEndCol,
          start: brStart,
          end: this.prevEnd,
        });
        return this.extend(expr);
      }
    }
    return {
      kind: "Index",
      collection: expr,
      key,
      legacy: false,
      line: expr.line,
      column: expr.column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start: expr.start,
      end: this.prevEnd,
    };
  }

  /** A traversal (always a ScopeTraversalNode here, whose end lines are derived) grew a step. */
  private extend(expr: ScopeTraversalExpr): ScopeTraversalExpr {
    expr.end = this.prevEnd;
    return expr;
  }

  /** `[*]` (full) or `.*` (attribute-only) just consumed; reads the steps applied to each element. */
  private parseSplat(source: Expression, full: boolean, marker: Range): Expression {
    this.enter();
    let each: Expression = {
      kind: "SplatItem",
      line: marker.line,
      column: marker.column,
      endLine: marker.endLine,
      endColumn: marker.endColumn,
      start: marker.start,
      end: marker.end,
    };
    for (;;) {
      const tok = this.peek();
      if (this.newlinesSignificant && this.tNewlineBefore) break;
      if (tok === Tok.Dot) {
        const dotStart = this.tStart;
        const dotLine = this.tLine;
        const dotCol = this.tCol;
        this.advance();
        this.scan(true);
        if (this.tok === Tok.Star) {
          this.advance();
          each = this.parseSplat(each, false, this.range(dotStart, dotLine, dotCol));
          continue;
        }
        each = this.parseDotStep(each);
      } else if (tok === Tok.LBrack && full) {
        const brStart = this.tStart;
        const brLine = this.tLine;
        const brCol = this.tCol;
        this.advance();
        if (this.peek() === Tok.Star) {
          this.advance();
          this.expect(Tok.RBrack, "to close '[*'");
          each = this.parseSplat(each, true, this.range(brStart, brLine, brCol));
          continue;
        }
        each = this.parseIndexStep(each, brStart, brLine, brCol);
      } else break;
    }
    this.depth--;
    return {
      kind: "Splat",
      source,
      each,
      full,
      line: source.line,
      column: source.column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start: source.start,
      end: this.prevEnd,
    };
  }

  private parseTuple(): Expression {
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    this.advance();
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = false;
    if (this.peek() === Tok.Ident && this.isKeyword("for")) {
      const forExpr = this.parseFor("tuple", start, line, column);
      this.newlinesSignificant = saved;
      return forExpr;
    }
    const elements: Expression[] = [];
    while (this.peek() !== Tok.RBrack) {
      elements.push(this.parseExpression());
      const t = this.peek();
      if (t === Tok.Comma) this.advance();
      else if (t !== Tok.RBrack)
        this.fail(`expected ',' or ']' in a list, found ${this.describeToken()}`);
    }
    this.advance();
    this.newlinesSignificant = saved;
    return new TupleNode(exact(elements), start, this.prevEnd, this.lines);
  }

  private parseObject(): Expression {
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    this.advance();
    const saved = this.newlinesSignificant;
    if (this.peek() === Tok.Ident && this.isKeyword("for")) {
      this.newlinesSignificant = false;
      const forExpr = this.parseFor("object", start, line, column);
      this.newlinesSignificant = saved;
      return forExpr;
    }
    this.newlinesSignificant = true;
    const items: ObjectItem[] = [];
    while (this.peek() !== Tok.RBrace) {
      if (this.tok === Tok.EOF)
        this.fail(
          `expected '}' to close the object opened at line ${line}, found ${this.endOfInput()}`,
        );
      const key = this.parseExpression();
      const sep = this.peek();
      if (sep !== Tok.Assign && sep !== Tok.Colon) {
        this.fail(`expected '=' or ':' after an object key, found ${this.describeToken()}`);
      }
      this.advance();
      const value = this.parseExpression();
      items.push(
        new ObjectItemNode(key, objectKeyName(key), value, key.start, this.prevEnd, this.lines),
      );
      const t = this.peek();
      if (t === Tok.Comma) this.advance();
      else if (t !== Tok.RBrace && !this.tNewlineBefore) {
        this.fail(
          `expected ',', a newline or '}' after an object item, found ${this.describeToken()}`,
        );
      }
    }
    this.advance();
    this.newlinesSignificant = saved;
    return new ObjectNode(exact(items), start, this.prevEnd, this.lines);
  }

  private isKeyword(word: string): boolean {
    return this.tEnd - this.tStart === word.length && this.text.startsWith(word, this.tStart);
  }

  private expectIdent(what: string): { name: string; range: Range } {
    if (this.peek() !== Tok.Ident) this.fail(`expected ${what}, found ${this.describeToken()}`);
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    const name = this.identifier();
    this.advance();
    return { name, range: this.range(start, line, column) };
  }

  /** After `[` or `{` with `for` next. */
  private parseFor(form: "tuple" | "object", start: number, line: number, column: number): ForExpr {
    this.advance();
    let first = this.expectIdent("a variable name after 'for'");
    let keyVar: { name: string; range: Range } | null = null;
    if (this.peek() === Tok.Comma) {
      this.advance();
      keyVar = first;
      first = this.expectIdent("a value variable name after ','");
    }
    if (this.peek() !== Tok.Ident || !this.isKeyword("in")) {
      this.fail(
        `expected 'in' after the variables of a 'for' expression, found ${this.describeToken()}`,
      );
    }
    this.advance();
    const collection = this.parseExpression();
    this.expect(Tok.Colon, "after the collection of a 'for' expression");
    let keyExpr: Expression | null = null;
    let valueExpr = this.parseExpression();
    let grouping = false;
    if (form === "object") {
      this.expect(Tok.FatArrow, "between the key and value of an object 'for' expression");
      keyExpr = valueExpr;
      valueExpr = this.parseExpression();
      if (this.peek() === Tok.Ellipsis) {
        this.advance();
        grouping = true;
      }
    }
    let condition: Expression | null = null;
    if (this.peek() === Tok.Ident && this.isKeyword("if")) {
      this.advance();
      condition = this.parseExpression();
    }
    const close = form === "tuple" ? Tok.RBrack : Tok.RBrace;
    this.expect(close, "to close the 'for' expression");
    return {
      kind: "For",
      form,
      keyVar: keyVar === null ? null : keyVar.name,
      keyVarRange: keyVar === null ? null : keyVar.range,
      valueVar: first.name,
      valueVarRange: first.range,
      collection,
      keyExpr,
      valueExpr,
      condition,
      grouping,
      line: line,
      column: column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start: start,
      end: this.prevEnd,
    };
  }

  // ---------------------------------------------------------------- templates

  /** At a `"` token: reads the quoted template to its closing quote. */
  private parseTemplate(): Expression {
    const start = this.tStart;
    this.pos = this.tEnd;
    this.peeked = false;
    this.enter();
    const parts: TemplatePart[] = [];
    const end = this.parseTemplateParts(parts, "quote");
    if (end !== "quote")
      this.failAt(this.prevEnd, `'%{ ${end} }' without a matching opening directive`);
    this.depth--;
    const only = parts[0];
    if (
      parts.length === 1 &&
      only instanceof TemplateLiteralNode &&
      only.start === start + 1 &&
      only.end === this.prevEnd - 1
    )
      return new StringTemplateNode(only.value, start, this.prevEnd, this.lines);
    return new TemplateNode(exact(parts), start, this.prevEnd, this.lines);
  }

  private parseHeredoc(): Expression {
    const start = this.tStart;
    const line = this.tLine;
    const column = this.tCol;
    const marker = this.heredocMarker;
    const indented = this.heredocIndented;
    // The content starts on the line after the opening marker.
    let p = this.tEnd;
    if (this.text.charCodeAt(p) === 13) p++;
    if (p >= this.text.length) this.failAt(p, this.unterminatedHeredoc(marker));
    this.pos = p + 1;
    this.line++;
    this.lineStart = this.pos;
    this.peeked = false;
    this.enter();
    const parts: TemplatePart[] = [];
    const bare = marker === this.bareTemplateMarker;
    if (bare)
      this.scanEnd = this.atHeredocEnd(this.pos, marker)
        ? this.pos
        : this.heredocEndAfter(this.pos, marker);
    const end = this.parseTemplateParts(parts, "heredoc", marker);
    if (bare) this.scanEnd = this.text.length;
    if (end !== "heredoc")
      this.failAt(this.prevEnd, `'%{ ${end} }' without a matching opening directive`);
    this.depth--;
    if (indented) dedentHeredoc(parts);
    return {
      kind: "Heredoc",
      marker,
      indented,
      parts: exact(parts),
      line: line,
      column: column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start: start,
      end: this.prevEnd,
    };
  }

  /**
   * Scans template text from `this.pos`, pushing parts, until the closing quote (or heredoc
   * marker line) or a closing directive (`else`, `endif`, `endfor`), which it consumes and returns.
   */
  private parseTemplateParts(
    parts: TemplatePart[],
    mode: "quote" | "heredoc",
    marker = "",
  ): TemplateEnd {
    const text = this.text;
    const len = this.scanEnd;
    const heredoc = mode === "heredoc";
    let p = this.pos;
    let litStart = p;
    let value = "";
    let stripNext = this.pendingStrip;
    this.pendingStrip = false;
    const flush = (endOffset: number): void => {
      if (endOffset > litStart) {
        const text = this.internShort(stripNext ? stripLeadingSpace(value, heredoc) : value);
        parts.push(new TemplateLiteralNode(text, litStart, endOffset, this.lines));
      }
      stripNext = false;
      value = "";
    };
    let segment = p;
    if (heredoc && this.atHeredocEnd(p, marker)) {
      return this.finishHeredoc(p, marker);
    }
    for (;;) {
      if (p >= len) {
        this.pos = p;
        this.failAt(
          p,
          heredoc ? this.unterminatedHeredoc(marker) : "unterminated string; add a closing '\"'",
        );
      }
      const c = text.charCodeAt(p);
      if (c === 34 && !heredoc) {
        value += text.slice(segment, p);
        flush(p);
        this.setPrevEnd(p + 1);
        this.pos = p + 1;
        return "quote";
      }
      if (c === 13 && text.charCodeAt(p + 1) !== 10) {
        if (heredoc && marker === this.bareTemplateMarker) {
          value += text.slice(segment, p);
          return this.finishBareTemplate(parts, value, stripNext, litStart, p, marker);
        }
        // HCL ends a line only at LF or CRLF, and its string and heredoc text excludes CR.
        this.pos = p;
        if (!heredoc)
          this.failAt(p, "carriage return (U+000D) in a quoted string; write it as \\r");
        // Resume after the heredoc's closing line, so its text is not read as configuration.
        throw new SyntaxFailure(
          this.errorAt(
            p,
            "hcl-syntax",
            "carriage return (U+000D) not followed by a newline in a heredoc; end lines with LF or CRLF",
          ),
          this.heredocEndAfter(p, marker),
        );
      }
      if (c === 10) {
        if (!heredoc) {
          this.pos = p;
          this.failAt(p, "unterminated string; add a closing '\"' before the end of the line");
        }
        p++;
        this.line++;
        this.lineStart = p;
        if (this.atHeredocEnd(p, marker)) {
          value += text.slice(segment, p);
          flush(p);
          return this.finishHeredoc(p, marker);
        }
        continue;
      }
      if (c === 92 && !heredoc) {
        value += text.slice(segment, p);
        p = this.decodeEscape(p, (decoded) => (value += decoded));
        segment = p;
        continue;
      }
      if (
        (c === 36 || c === 37) &&
        text.charCodeAt(p + 1) === c &&
        text.charCodeAt(p + 2) === 123
      ) {
        // `$${` and `%%{` are escapes for a literal `${` / `%{`.
        value += text.slice(segment, p) + (c === 36 ? "${" : "%{");
        p += 3;
        segment = p;
        continue;
      }
      if ((c === 36 || c === 37) && text.charCodeAt(p + 1) === 123) {
        value += text.slice(segment, p);
        const stripLeft = text.charCodeAt(p + 2) === 126;
        if (stripLeft) value = stripTrailingSpace(value, heredoc);
        flush(p);
        const partStart = p;
        const partLine = this.line;
        const partCol = p - this.lineStart + 1;
        this.pos = p + (stripLeft ? 3 : 2);
        this.peeked = false;
        if (c === 36) {
          parts.push(this.parseInterpolation(partStart, partLine, partCol, stripLeft));
        } else {
          const end = this.parseDirective(parts, partStart, partLine, partCol, mode, marker);
          if (end !== null) return end;
        }
        stripNext = this.pendingStrip;
        this.pendingStrip = false;
        p = this.pos;
        litStart = p;
        segment = p;
        continue;
      }
      p++;
    }
  }

  /** A `~}` just closed a part: the next literal loses its leading spaces. */
  private pendingStrip = false;

  private setPrevEnd(offset: number): void {
    this.prevEnd = offset;
    this.prevEndLine = this.line;
    this.prevEndCol = offset - this.lineStart + 1;
  }

  private decodeEscape(p: number, emit: (decoded: string) => void): number {
    const text = this.text;
    const e = text.charCodeAt(p + 1);
    switch (e) {
      case 110:
        emit("\n");
        return p + 2;
      case 114:
        emit("\r");
        return p + 2;
      case 116:
        emit("\t");
        return p + 2;
      case 34:
        emit('"');
        return p + 2;
      case 92:
        emit("\\");
        return p + 2;
      case 117:
      case 85: {
        const digits = e === 117 ? 4 : 8;
        const hex = text.slice(p + 2, p + 2 + digits);
        if (hex.length === digits && /^[0-9a-fA-F]+$/.test(hex)) {
          const cp = parseInt(hex, 16);
          if (cp <= 0x10ffff) {
            emit(String.fromCodePoint(cp));
            return p + 2 + digits;
          }
        }
        return this.failAt(
          p,
          `invalid escape '\\${String.fromCharCode(e)}${hex}'; write \\u followed by ${digits} hex digits`,
        );
      }
      default:
        if (this.escapes === "json") {
          if (e === 47) {
            emit("/");
            return p + 2;
          }
          if (e === 98) {
            emit("\b");
            return p + 2;
          }
          if (e === 102) {
            emit("\f");
            return p + 2;
          }
        }
    }
    return this.failAt(
      p,
      `invalid escape '\\${text.charAt(p + 1)}' in a string; use \\n, \\r, \\t, \\", \\\\ or \\uNNNN`,
    );
  }

  private parseInterpolation(
    start: number,
    line: number,
    column: number,
    stripLeft: boolean,
  ): TemplatePart {
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = false;
    const expr = this.parseExpression();
    const stripRight = this.closeTemplateSequence("an interpolation");
    this.newlinesSignificant = saved;
    return {
      kind: "TemplateInterpolation",
      expr,
      stripLeft,
      stripRight,
      line: line,
      column: column,
      endLine: this.prevEndLine,
      endColumn: this.prevEndCol,
      start: start,
      end: this.prevEnd,
    };
  }

  /** Reads optional `~` and the `}` that closes `${ ... }` or `%{ ... }`; leaves `this.pos` after it. */
  private closeTemplateSequence(what: string): boolean {
    let strip = false;
    if (this.peek() === Tok.Tilde) {
      this.advance();
      strip = true;
    }
    this.expect(Tok.RBrace, `to close ${what}`);
    this.pendingStrip = strip;
    return strip;
  }

  /**
   * After `%{` (and `~`): `if`/`for` read their branches and return null (the caller continues);
   * `else`/`endif`/`endfor` are returned for the enclosing directive to handle.
   */
  private parseDirective(
    parts: TemplatePart[],
    start: number,
    line: number,
    column: number,
    mode: "quote" | "heredoc",
    marker: string,
  ): TemplateEnd | null {
    const saved = this.newlinesSignificant;
    this.newlinesSignificant = false;
    const keyword = this.expectIdent("'if', 'for', 'else', 'endif' or 'endfor' after '%{'");
    if (keyword.name === "else" || keyword.name === "endif" || keyword.name === "endfor") {
      this.closeTemplateSequence(`'%{ ${keyword.name}'`);
      this.newlinesSignificant = saved;
      return keyword.name;
    }
    this.enter();
    if (keyword.name === "if") {
      const condition = this.parseExpression();
      this.closeTemplateSequence("'%{ if'");
      const then: TemplatePart[] = [];
      let otherwise: TemplatePart[] | null = null;
      let end = this.parseTemplateParts(then, mode, marker);
      if (end === "else") {
        otherwise = [];
        end = this.parseTemplateParts(otherwise, mode, marker);
      }
      if (end !== "endif") this.failAt(start, "'%{ if }' without a matching '%{ endif }'");
      this.newlinesSignificant = saved;
      this.depth--;
      parts.push({
        kind: "TemplateIf",
        condition,
        then: exact(then),
        otherwise: otherwise === null ? null : exact(otherwise),
        line: line,
        column: column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: start,
        end: this.prevEnd,
      });
      return null;
    }
    if (keyword.name === "for") {
      let valueVar = this.expectIdent("a variable name after '%{ for'");
      let keyVar: string | null = null;
      if (this.peek() === Tok.Comma) {
        this.advance();
        keyVar = valueVar.name;
        valueVar = this.expectIdent("a value variable name after ','");
      }
      if (this.peek() !== Tok.Ident || !this.isKeyword("in"))
        this.fail(`expected 'in' in '%{ for', found ${this.describeToken()}`);
      this.advance();
      const collection = this.parseExpression();
      this.closeTemplateSequence("'%{ for'");
      const body: TemplatePart[] = [];
      const end = this.parseTemplateParts(body, mode, marker);
      if (end !== "endfor") this.failAt(start, "'%{ for }' without a matching '%{ endfor }'");
      this.newlinesSignificant = saved;
      this.depth--;
      parts.push({
        kind: "TemplateFor",
        keyVar,
        valueVar: valueVar.name,
        collection,
        body: exact(body),
        line: line,
        column: column,
        endLine: this.prevEndLine,
        endColumn: this.prevEndCol,
        start: start,
        end: this.prevEnd,
      });
      return null;
    }
    return this.failAt(
      keyword.range.start,
      `unknown template directive '${keyword.name}'; expected if, for, else, endif or endfor`,
    );
  }

  /**
   * Is the line starting at p (optional spaces/tabs, then the marker, then LF or CRLF) the
   * heredoc's end? HCL's scanner looks for the marker only in a heredoc line ended by a newline,
   * so a marker that ends the file without one closes nothing (terraform#31450).
   */
  private atHeredocEnd(p: number, marker: string): boolean {
    const text = this.text;
    let q = p;
    while (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9) q++;
    if (!text.startsWith(marker, q)) return false;
    q += marker.length;
    const c = text.charCodeAt(q);
    return c === 10 || (c === 13 && text.charCodeAt(q + 1) === 10);
  }

  /** The error for a heredoc still open at the end of the file. */
  private unterminatedHeredoc(marker: string): string {
    const text = this.text;
    const lastLine = text.slice(text.lastIndexOf("\n") + 1).replace(/^[ \t]+/, "");
    if (lastLine === marker)
      return `unterminated heredoc: its closing '${marker}' ends the file without a newline; add a newline after it`;
    return `unterminated heredoc; add '${marker}' on a line of its own`;
  }

  /** The start of the heredoc's closing line after `p`, or `p` when there is none. */
  private heredocEndAfter(p: number, marker: string): number {
    const text = this.text;
    for (let q = text.indexOf("\n", p); q >= 0; q = text.indexOf("\n", q + 1))
      if (this.atHeredocEnd(q + 1, marker)) return q + 1;
    return p;
  }

  /**
   * At a CR without LF in a bare template. HCL's scanner (hclsyntax/scan_tokens.rl) matches no
   * token there and, in a bare template outside any `${`/`%{` sequence, emits the rest of the
   * template as one literal: only `$${` and `%%{` are still unescaped, and no interpolation or
   * directive after the CR is read, so one it leaves open is unclosed. `before` is the literal
   * text ahead of the CR, from `litStart`; HCL melds the two literals into one.
   */
  private finishBareTemplate(
    parts: TemplatePart[],
    before: string,
    stripNext: boolean,
    litStart: number,
    p: number,
    marker: string,
  ): TemplateEnd {
    const text = this.text;
    const end = this.heredocEndAfter(p, marker);
    let rest = text.slice(p, end).replace(/([$%])\1\{/g, "$1{");
    let head = before;
    // `~}` trims the next literal token: the text ahead of the CR, or the rest when there is none.
    if (stripNext && before.length === 0) rest = rest.trimStart();
    else if (stripNext) head = stripLeadingSpace(before, true);
    if (head.length + rest.length > 0)
      parts.push(new TemplateLiteralNode(head + rest, litStart, end, this.lines));
    for (let q = text.indexOf("\n", p); q >= 0 && q < end; q = text.indexOf("\n", q + 1))
      this.line++;
    this.lineStart = end;
    return this.finishHeredoc(end, marker);
  }

  private finishHeredoc(p: number, marker: string): TemplateEnd {
    let q = p;
    while (this.text.charCodeAt(q) === 32 || this.text.charCodeAt(q) === 9) q++;
    q += marker.length;
    this.setPrevEnd(q);
    this.pos = q;
    this.peeked = false;
    return "heredoc";
  }
}

/**
 * A copy of a list built by push() with no spare capacity: V8 grows a pushed array to 17 slots,
 * which made the retained AST half as large again as needed (measured with bench/hcl.ts).
 */
function exact<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

function exactSteps(expr: Expression): Expression {
  if (expr.kind === "ScopeTraversal" && expr.steps.length > 0) expr.steps = expr.steps.slice();
  return expr;
}

/*
 * Strip markers act on the neighbouring literal *token*, as HCL scans it: a quoted string's
 * literal run is one token, but a heredoc has one token per line (newline included). So in a
 * heredoc only the first (or last) line of the neighbouring literal loses its whitespace.
 */

/** What `~}` removes from the next literal: its first token's leading whitespace. */
function stripLeadingSpace(value: string, heredoc: boolean): string {
  const firstTokenEnd = heredoc ? value.indexOf("\n") + 1 || value.length : value.length;
  return value.slice(0, firstTokenEnd).trimStart() + value.slice(firstTokenEnd);
}

/** What `${~` / `%{~` removes from the previous literal: its last token's trailing whitespace. */
function stripTrailingSpace(value: string, heredoc: boolean): string {
  let lastTokenStart = 0;
  if (heredoc) {
    const searchFrom = value.endsWith("\n") ? value.length - 2 : value.length - 1;
    lastTokenStart = searchFrom < 0 ? 0 : value.lastIndexOf("\n", searchFrom) + 1;
  }
  return value.slice(0, lastTokenStart) + value.slice(lastTokenStart).trimEnd();
}

/** A literal index that folds into a static traversal (`[0]`, `["key"]`). */
function staticKey(key: Expression): number | string | undefined {
  if (key.kind === "Literal" && typeof key.value === "number") return key.value;
  if (key.kind === "Template" && key.parts.every((part) => part.kind === "TemplateLiteral")) {
    return key.parts.map((part) => (part as TemplateLiteral).value).join("");
  }
  return undefined;
}

function objectKeyName(key: Expression): string | null {
  if (key.kind === "ScopeTraversal" && key.steps.length === 0) return key.root;
  if (key.kind === "Literal" && key.value !== null) return String(key.value);
  const name = staticKey(key);
  return typeof name === "string" ? name : null;
}

/**
 * `<<-` heredocs lose the smallest leading whitespace of their lines. Lines are found in the
 * literal parts: a line starts at the content start or after a newline inside a literal.
 * Whitespace-only lines do not count towards the smallest indent.
 */
function dedentHeredoc(parts: TemplatePart[]): void {
  const lines: Array<{ literal: TemplateLiteral; at: number; blank: boolean }> = [];
  let smallest = Infinity;
  let atLineStart = true;
  const last = parts[parts.length - 1];
  for (const part of parts) {
    if (part.kind !== "TemplateLiteral") {
      if (atLineStart) smallest = 0;
      atLineStart = false;
      continue;
    }
    const value = part.value;
    let at = atLineStart ? 0 : value.indexOf("\n") + 1;
    while (at > 0 || (at === 0 && atLineStart)) {
      if (at >= value.length) break;
      let q = at;
      while (value.charCodeAt(q) === 32 || value.charCodeAt(q) === 9) q++;
      // A CRLF file's blank line ends in "\r\n": as blank as "\n" (HCL scans both as a newline).
      const c = value.charCodeAt(q);
      const blank =
        q >= value.length
          ? part === last
          : c === 10 || (c === 13 && value.charCodeAt(q + 1) === 10);
      lines.push({ literal: part, at, blank });
      if (!blank) smallest = Math.min(smallest, q - at);
      at = value.indexOf("\n", at) + 1;
      atLineStart = false;
    }
    atLineStart = value.endsWith("\n");
  }
  if (smallest === Infinity || smallest === 0) return;
  // Whitespace-only lines are left as written, as HCL does.
  const cuts = new Map<TemplateLiteral, number[]>();
  for (const line of lines) {
    if (line.blank) continue;
    const list = cuts.get(line.literal) ?? [];
    list.push(line.at);
    cuts.set(line.literal, list);
  }
  for (const [literal, starts] of cuts) {
    let out = "";
    let from = 0;
    for (const at of starts) {
      out += literal.value.slice(from, at);
      from = at + smallest;
    }
    literal.value = out + literal.value.slice(from);
  }
}
