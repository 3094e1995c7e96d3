// OPA's urlquery.* builtins: Go's net/url query escaping (QueryEscape, QueryUnescape, ParseQuery,
// Values.Encode) over UTF-8 bytes, so `?ref=v1.2&depth=1` in a module source reads as Go reads it.
import { elements, isObject, str, typeName } from "./host-operands.js";
import { OperandTypeError, RegoSet, type HostFunction, type HostValue } from "./host-value.js";

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Go's url.QueryEscape: every byte but the unreserved ones as `%XX`, a space as `+`. */
function queryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (UNRESERVED.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** Go's url.QueryUnescape: `+` is a space, `%XX` a byte; a malformed escape is an error. */
function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2]))
        throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "+") bytes.push(0x20);
    else bytes.push(...Buffer.from(c, "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's url.ParseQuery: `&`-separated pairs, each value appended to its key's list. */
function parseQuery(query: string): Record<string, string[]> {
  const values: Record<string, string[]> = {};
  let failure: Error | undefined;
  for (const pair of query.split("&")) {
    if (pair.includes(";")) {
      failure ??= new Error("invalid semicolon separator in query");
      continue;
    }
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    try {
      const key = queryUnescape(equals < 0 ? pair : pair.slice(0, equals));
      const value = queryUnescape(equals < 0 ? "" : pair.slice(equals + 1));
      (values[key] ??= []).push(value);
    } catch (error) {
      failure ??= error as Error;
    }
  }
  if (failure) throw failure;
  return values;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Go's url.Values.Encode of an object of strings or arrays/sets of strings, keys sorted. */
function encodeObject(object: HostValue): string {
  if (!isObject(object))
    throw new OperandTypeError(`operand 1 must be object but got ${typeName(object)}`);
  const invalid = () => new Error("operand 1 values must be string, array[string], or set[string]");
  const pairs: string[] = [];
  for (const key of Object.keys(object).sort(byteOrder)) {
    const value = object[key] as HostValue;
    const list =
      typeof value === "string"
        ? [value]
        : Array.isArray(value) || value instanceof RegoSet
          ? elements(value, "1", "array, set")
          : undefined;
    if (list === undefined) throw invalid();
    for (const item of list) {
      if (typeof item !== "string") throw invalid();
      pairs.push(`${queryEscape(key)}=${queryEscape(item)}`);
    }
  }
  return pairs.join("&");
}

export const urlqueryDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "urlquery.encode": { arity: 1, fn: (s) => queryEscape(str(s, "1")) },
  "urlquery.decode": { arity: 1, fn: (s) => queryUnescape(str(s, "1")) },
  "urlquery.encode_object": { arity: 1, fn: encodeObject },
  "urlquery.decode_object": { arity: 1, fn: (s) => parseQuery(str(s, "1")) },
};
