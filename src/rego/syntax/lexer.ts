// Rego tokens, produced on demand from source text: the parser pulls one at a time, so memory
// stays bounded by its small lookahead however large the input. Hand-written rather than a
// generated scanner because Rego's grammar depends on newlines (expression separators) and on
// backtick raw strings, and every token needs an exact line/column for located errors.

import type { Location } from "./ast.js";

export type TokenKind = "ident" | "number" | "string" | "rawstring" | "punct" | "eof" | "error";

export interface Token {
  kind: TokenKind;
  /** Identifier name, number text, punctuation symbol, decoded string, or error message. */
  text: string;
  /** A newline separates this token from the previous one. */
  newlineBefore: boolean;
  /** Whitespace or a comment separates this token from the previous one. */
  spaceBefore: boolean;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A `#` comment: text after the `#`, for `# METADATA` blocks. */
export interface Comment {
  text: string;
  line: number;
  column: number;
}

export interface LexerMark {
  offset: number;
  line: number;
  column: number;
  comments: number;
}

const PUNCTUATION_2 = new Set([":=", "==", "!=", "<=", ">="]);
const PUNCTUATION_1 = new Set("{}[]().,;:=<>+-*/%|&");

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

export class Lexer {
  private offset = 0;
  private line = 1;
  private column = 1;
  readonly comments: Comment[] = [];

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  /** The scanning position, to try one parse and fall back to another (`if {` body vs object). */
  mark(): LexerMark {
    return {
      offset: this.offset,
      line: this.line,
      column: this.column,
      comments: this.comments.length,
    };
  }

  reset(mark: LexerMark): void {
    this.offset = mark.offset;
    this.line = mark.line;
    this.column = mark.column;
    this.comments.length = mark.comments;
  }

  location(token: Token): Location {
    return {
      file: this.file,
      line: token.line,
      column: token.column,
      endLine: token.endLine,
      endColumn: token.endColumn,
    };
  }

  next(): Token {
    let newlineBefore = false;
    let spaceBefore = false;
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.offset);
      if (c === 10) {
        newlineBefore = true;
        spaceBefore = true;
        this.offset++;
        this.line++;
        this.column = 1;
      } else if (c === 32 || c === 9 || c === 13) {
        spaceBefore = true;
        this.advance(1);
      } else if (c === 35) {
        spaceBefore = true;
        const start = this.offset;
        let end = text.indexOf("\n", start);
        if (end < 0) end = text.length;
        this.comments.push({
          text: text.slice(start + 1, end).replace(/\r$/, ""),
          line: this.line,
          column: this.column,
        });
        this.advance(end - start);
      } else {
        break;
      }
    }
    const line = this.line;
    const column = this.column;
    const make = (kind: TokenKind, value: string): Token => ({
      kind,
      text: value,
      newlineBefore,
      spaceBefore,
      line,
      column,
      endLine: this.line,
      endColumn: Math.max(1, this.column - 1),
    });
    if (this.offset >= text.length) return make("eof", "");
    const c = text.charCodeAt(this.offset);
    if (isIdentStart(c)) {
      const start = this.offset;
      let end = start + 1;
      while (end < text.length && isIdentPart(text.charCodeAt(end))) end++;
      this.advance(end - start);
      return make("ident", text.slice(start, end));
    }
    if (isDigit(c)) return this.number(make);
    if (c === 34) return this.quoted(make);
    if (c === 96) return this.raw(make);
    const two = text.slice(this.offset, this.offset + 2);
    if (PUNCTUATION_2.has(two)) {
      this.advance(2);
      return make("punct", two);
    }
    const one = text[this.offset] ?? "";
    if (PUNCTUATION_1.has(one)) {
      this.advance(1);
      return make("punct", one);
    }
    const shown = c < 32 || c > 126 ? `\\u${c.toString(16).padStart(4, "0")}` : one;
    this.advance(1);
    return make("error", `unexpected character '${shown}'`);
  }

  private advance(count: number): void {
    this.offset += count;
    this.column += count;
  }

  private number(make: (kind: TokenKind, value: string) => Token): Token {
    const text = this.text;
    const start = this.offset;
    let end = start;
    while (isDigit(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 46 && isDigit(text.charCodeAt(end + 1))) {
      end++;
      while (isDigit(text.charCodeAt(end))) end++;
    }
    const e = text.charCodeAt(end);
    if (e === 101 || e === 69) {
      let exp = end + 1;
      const sign = text.charCodeAt(exp);
      if (sign === 43 || sign === 45) exp++;
      if (isDigit(text.charCodeAt(exp))) {
        while (isDigit(text.charCodeAt(exp))) exp++;
        end = exp;
      }
    }
    this.advance(end - start);
    const literal = text.slice(start, end);
    if (isIdentStart(text.charCodeAt(end))) {
      return make("error", `invalid number '${literal}${text[end] ?? ""}'`);
    }
    if (literal.length > 1 && literal.startsWith("0") && isDigit(literal.charCodeAt(1))) {
      return make("error", `invalid number '${literal}': leading zero`);
    }
    return make("number", literal);
  }

  private quoted(make: (kind: TokenKind, value: string) => Token): Token {
    const text = this.text;
    this.advance(1);
    let value = "";
    let segment = this.offset;
    for (;;) {
      if (this.offset >= text.length) return make("error", "unterminated string: expected '\"'");
      const c = text.charCodeAt(this.offset);
      if (c === 34) {
        value += text.slice(segment, this.offset);
        this.advance(1);
        return make("string", value);
      }
      if (c === 10) return make("error", "unterminated string: newline before closing '\"'");
      if (c !== 92) {
        this.advance(1);
        continue;
      }
      value += text.slice(segment, this.offset);
      const escape = text[this.offset + 1] ?? "";
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      const decoded = simple[escape];
      if (decoded !== undefined) {
        value += decoded;
        this.advance(2);
      } else if (escape === "u") {
        const hex = text.slice(this.offset + 2, this.offset + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex))
          return make("error", "invalid \\u escape: expected 4 hex digits");
        value += String.fromCharCode(parseInt(hex, 16));
        this.advance(6);
      } else {
        return make("error", `invalid escape '\\${escape}' in string`);
      }
      segment = this.offset;
    }
  }

  private raw(make: (kind: TokenKind, value: string) => Token): Token {
    const text = this.text;
    const start = this.offset + 1;
    const end = text.indexOf("`", start);
    if (end < 0) {
      this.advance(1);
      return make("error", "unterminated raw string: expected '`'");
    }
    for (let i = this.offset; i <= end; i++) {
      if (text.charCodeAt(i) === 10) {
        this.line++;
        this.column = 1;
      } else {
        this.column++;
      }
    }
    this.offset = end + 1;
    return make("rawstring", text.slice(start, end));
  }
}
