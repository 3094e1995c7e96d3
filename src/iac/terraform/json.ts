// JSON as Terraform and the AWS provider write it (Go's encoding/json: sorted keys, HTML-safe
// escapes, two-space indent) and a JSON reader that keeps where each element starts, so a path
// inside a policy string can be traced back to its line. Hand-written (1) because JSON.stringify
// neither sorts keys nor escapes `<>&` like Go, and (2) because JSON.parse gives no positions.
import { isUnknown, type Value } from "../../model/types.js";
import { isObject, sortedKeys } from "./values.js";

const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** Go's string escaping: JSON.stringify plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes. */
export function quoteJson(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

export interface MarshalOptions {
  /** Indent unit (Go's MarshalIndent); compact when omitted. */
  indent?: string;
  /** Keep object keys in insertion order (Go structs) instead of sorting them (Go maps, cty objects). */
  keepKeyOrder?: boolean;
}

/**
 * Serialises a value the Go way. An unknown inside stays visible as `{"$unknown": "..."}` so a
 * document with one unknowable leaf still shows every known part to policies.
 */
export function marshalJson(value: Value, options: MarshalOptions = {}): string {
  return write(value, options, "");
}

function write(value: Value, options: MarshalOptions, prefix: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return quoteJson(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  const inner = options.indent === undefined ? "" : prefix + options.indent;
  const open = options.indent === undefined ? "" : "\n" + inner;
  const close = options.indent === undefined ? "" : "\n" + prefix;
  const separator = options.indent === undefined ? "," : ",\n" + inner;
  const colon = options.indent === undefined ? ":" : ": ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return (
      "[" + open + value.map((item) => write(item, options, inner)).join(separator) + close + "]"
    );
  }
  if (isUnknown(value))
    return "{" + open + quoteJson("$unknown") + colon + quoteJson(value.$unknown) + close + "}";
  if (!isObject(value)) return "null";
  const keys = options.keepKeyOrder ? Object.keys(value) : sortedKeys(value);
  if (keys.length === 0) return "{}";
  const members = keys.map(
    (key) => quoteJson(key) + colon + write(value[key] as Value, options, inner),
  );
  return "{" + open + members.join(separator) + close + "}";
}

/** Where one element of a JSON text starts, as a UTF-16 offset into the text. */
export interface JsonElementSpan {
  /** Path from the document root: object keys and array indexes. */
  path: (string | number)[];
  start: number;
  end: number;
}

export interface PositionedJson {
  value: Value;
  elements: JsonElementSpan[];
}

const MAX_DEPTH = 256;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/y;

/**
 * Parses JSON text and lists the span of every element (depth-bounded, no recursion past
 * MAX_DEPTH). Returns undefined for text that is not exactly one JSON value.
 */
export function parseJsonWithPositions(text: string): PositionedJson | undefined {
  const elements: JsonElementSpan[] = [];
  let offset = 0;

  const skipSpace = (): void => {
    while (offset < text.length && " \t\r\n".includes(text[offset] as string)) offset++;
  };

  const parseString = (): string | undefined => {
    STRING.lastIndex = offset;
    const match = STRING.exec(text);
    if (!match) return undefined;
    offset += match[0].length;
    return JSON.parse(match[0]) as string;
  };

  const parseValue = (path: (string | number)[], depth: number): Value | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    skipSpace();
    const start = offset;
    const c = text[offset];
    let value: Value | undefined;
    if (c === "{") {
      offset++;
      const object: { [key: string]: Value } = {};
      skipSpace();
      if (text[offset] === "}") offset++;
      else {
        for (;;) {
          skipSpace();
          const key = parseString();
          if (key === undefined) return undefined;
          skipSpace();
          if (text[offset] !== ":") return undefined;
          offset++;
          const member = parseValue([...path, key], depth + 1);
          if (member === undefined) return undefined;
          object[key] = member;
          skipSpace();
          if (text[offset] === ",") offset++;
          else if (text[offset] === "}") {
            offset++;
            break;
          } else return undefined;
        }
      }
      value = object;
    } else if (c === "[") {
      offset++;
      const array: Value[] = [];
      skipSpace();
      if (text[offset] === "]") offset++;
      else {
        for (;;) {
          const item = parseValue([...path, array.length], depth + 1);
          if (item === undefined) return undefined;
          array.push(item);
          skipSpace();
          if (text[offset] === ",") offset++;
          else if (text[offset] === "]") {
            offset++;
            break;
          } else return undefined;
        }
      }
      value = array;
    } else if (c === '"') {
      value = parseString();
    } else {
      LITERAL.lastIndex = offset;
      const match = LITERAL.exec(text);
      if (!match) return undefined;
      offset += match[0].length;
      value = JSON.parse(match[0]) as Value;
    }
    if (value === undefined) return undefined;
    elements.push({ path, start, end: offset });
    return value;
  };

  const value = parseValue([], 0);
  skipSpace();
  if (value === undefined || offset !== text.length) return undefined;
  return { value, elements };
}
