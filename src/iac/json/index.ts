// The one JSON reader of the loaders (`.tf.json`, `.tfvars.json`, JSON in Terraform strings,
// CloudFormation templates): every value keeps its Range, objects keep repeated names in order.
// Hand-written (3): JSON.parse keeps neither, `yaml` reads JSON at 2.3-3 MB/s. On a 2 MB template
// this sustains 50-60 MB/s (40 minified) where the readers it replaced managed 14-33 MB/s.

import type { Range } from "../source.js";

export interface JsonScalar extends Range {
  kind: "scalar";
  /** A number as `Number()` reads it: one too large for a double is Infinity, its text in range. */
  value: string | number | boolean | null;
}

export interface JsonString extends JsonScalar {
  value: string;
}

export interface JsonMember {
  key: JsonString;
  value: JsonNode;
}

export interface JsonObject extends Range {
  kind: "object";
  /** In document order; a repeated name appears once per occurrence. */
  members: JsonMember[];
}

export interface JsonArray extends Range {
  kind: "array";
  elements: JsonNode[];
}

export type JsonNode = JsonObject | JsonArray | JsonScalar;

export interface JsonError {
  message: string;
  offset: number;
  line: number;
  column: number;
  /** Objects and arrays nest deeper than the reader was allowed to go. */
  tooDeep: boolean;
}

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Reads text that must be exactly one JSON value (after an optional byte order mark), with at
 * most `maxDepth` objects and arrays nested. The first error ends reading.
 */
export function readJson(
  text: string,
  maxDepth: number,
): { root: JsonNode } | { error: JsonError } {
  try {
    return { root: new JsonReader(text, maxDepth).document() };
  } catch (failure) {
    if (failure instanceof JsonFailure) return { error: failure.error };
    throw failure;
  }
}

/** The node as JSON.parse gives it: a repeated name keeps its last value at its first place. */
export function plainValue(node: JsonNode): JsonValue {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.elements.map(plainValue);
  return Object.fromEntries(
    node.members.map((member) => [member.key.value, plainValue(member.value)]),
  );
}

/** The range alone, for keeping a position without the subtree under it. */
export function rangeOf(node: Range): Range {
  return {
    line: node.line,
    column: node.column,
    endLine: node.endLine,
    endColumn: node.endColumn,
    start: node.start,
    end: node.end,
  };
}

const PLAIN_STRING = /"[^"\\\u0000-\u001f]*"/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

class JsonFailure {
  constructor(readonly error: JsonError) {}
}

class JsonReader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    if (text.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
      this.lineStart = 1;
    }
  }

  document(): JsonNode {
    const root = this.value();
    this.skipSpace();
    if (this.pos < this.text.length)
      this.fail("unexpected text after the JSON value; a document holds exactly one value");
    return root;
  }

  private value(): JsonNode {
    this.skipSpace();
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    if (c === 123 || c === 91) return this.container();
    if (c === 34) return this.string();
    const column = start - this.lineStart + 1;
    let value: number | boolean | null;
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = start;
      if (!NUMBER.test(text)) this.fail("invalid number; expected digits after '-'");
      this.pos = NUMBER.lastIndex;
      value = Number(text.slice(start, this.pos));
    } else if (c === 116 && text.startsWith("true", start)) {
      value = true;
      this.pos += 4;
    } else if (c === 102 && text.startsWith("false", start)) {
      value = false;
      this.pos += 5;
    } else if (c === 110 && text.startsWith("null", start)) {
      value = null;
      this.pos += 4;
    } else {
      return this.fail(
        `expected a JSON value (object, array, string, number, true, false or null), found ${this.found()}`,
      );
    }
    const line = this.line;
    const endColumn = column + this.pos - start;
    return { kind: "scalar", value, line, column, endLine: line, endColumn, start, end: this.pos };
  }

  /**
   * An object or an array, from its opening bracket: items separated by commas up to the closer.
   * One loop for both, without a callback per item, which halved the speed.
   */
  private container(): JsonObject | JsonArray {
    const text = this.text;
    const start = this.pos;
    const line = this.line;
    const column = start - this.lineStart + 1;
    const isObject = text.charCodeAt(start) === 123;
    const closer = isObject ? 125 : 93;
    const members: JsonMember[] = [];
    const elements: JsonNode[] = [];
    this.enter();
    this.skipSpace();
    if (text.charCodeAt(this.pos) === closer) this.pos++;
    else {
      for (;;) {
        if (isObject) members.push(this.member());
        else elements.push(this.value());
        this.skipSpace();
        const c = text.charCodeAt(this.pos);
        if (c === 44) this.pos++;
        else if (c === closer) {
          this.pos++;
          break;
        } else {
          const expected = isObject ? "'}' after an object property" : "']' after an array element";
          this.fail(`expected ',' or ${expected}, found ${this.found()}`);
        }
      }
    }
    this.depth--;
    const end = this.pos;
    const endLine = this.line;
    const endColumn = end - this.lineStart + 1;
    return isObject
      ? { kind: "object", members, line, column, endLine, endColumn, start, end }
      : { kind: "array", elements, line, column, endLine, endColumn, start, end };
  }

  private member(): JsonMember {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== 34)
      this.fail(`expected a property name in double quotes, found ${this.found()}`);
    const key = this.string();
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== 58)
      this.fail(`expected ':' after the property name, found ${this.found()}`);
    this.pos++;
    return { key, value: this.value() };
  }

  /** Opens an object or array at the current position, within the depth limit. */
  private enter(): void {
    if (++this.depth > this.maxDepth)
      throw new JsonFailure({
        ...this.here(),
        message: `nesting deeper than ${this.maxDepth} levels`,
        tooDeep: true,
      });
    this.pos++;
  }

  /** A string at the current `"`; most hold no escape and are sliced as they are. */
  private string(): JsonString {
    const text = this.text;
    const start = this.pos;
    let value: string;
    PLAIN_STRING.lastIndex = start;
    if (PLAIN_STRING.test(text)) {
      this.pos = PLAIN_STRING.lastIndex;
      value = text.slice(start + 1, this.pos - 1);
    } else {
      STRING.lastIndex = start;
      if (!STRING.test(text)) this.failInString();
      this.pos = STRING.lastIndex;
      value = JSON.parse(text.slice(start, this.pos)) as string;
    }
    const line = this.line;
    const column = start - this.lineStart + 1;
    const endColumn = column + this.pos - start;
    return { kind: "scalar", value, line, column, endLine: line, endColumn, start, end: this.pos };
  }

  /** Says what is wrong with the string starting at the current position. */
  private failInString(): never {
    const text = this.text;
    for (let p = this.pos + 1; p < text.length; p++) {
      const c = text.charCodeAt(p);
      if (c < 32) {
        this.pos = p;
        this.fail("control character in a string; write it as an escape such as \\n or \\t");
      }
      if (c === 92) {
        ESCAPE.lastIndex = p;
        if (!ESCAPE.test(text)) {
          this.pos = p;
          this.fail('invalid escape in a string; use \\n, \\t, \\", \\\\, \\/ or \\uNNNN');
        }
        p = ESCAPE.lastIndex - 1;
      }
    }
    return this.fail("unterminated string; add a closing '\"'");
  }

  private skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 13) pos++;
      else if (c === 10) {
        pos++;
        this.line++;
        this.lineStart = pos;
      } else break;
    }
    this.pos = pos;
  }

  private found(): string {
    if (this.pos >= this.text.length) return "end of file";
    return `'${String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0)}'`;
  }

  private here(): { offset: number; line: number; column: number } {
    return { offset: this.pos, line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(message: string): never {
    throw new JsonFailure({ ...this.here(), message, tooDeep: false });
  }
}
