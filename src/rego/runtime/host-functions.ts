// The host builtins' Rego semantics as plain functions over decoded values (no Wasm, no JSON),
// so each is unit-tested directly; host.ts wires them to the SDK. Strings are indexed by code
// point as Go's runes are. A thrown Error becomes a located eval_builtin_error.
//
// Hand-written where a library exists: the glob compiler (~60 lines; picomatch has its own
// dialect and compiles to backtracking JS RegExp, OPA's gobwas/glob rules go to RE2 here) and
// CIDR arithmetic (~50 lines on BigInt; no installed package parses IPv6 prefixes).
import { RE2JS, type Matcher } from "re2js";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  OperandTypeError,
  RegoNumber,
  RegoSet,
  type HostFunction,
  type HostValue,
} from "./host-value.js";
import { formatGo } from "./sprintf.js";

function str(v: HostValue | undefined, what: string): string {
  if (typeof v !== "string")
    throw new OperandTypeError(`operand ${what} must be string but got ${typeName(v)}`);
  return v;
}

function num(v: HostValue | undefined, what: string): number {
  if (v instanceof RegoNumber) return Number(v.text);
  if (typeof v !== "number")
    throw new OperandTypeError(`operand ${what} must be number but got ${typeName(v)}`);
  return v;
}

export function typeName(v: HostValue | undefined): string {
  if (v === null) return "null";
  if (v instanceof RegoSet) return "set";
  if (v instanceof RegoNumber) return "number";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v === "undefined" ? "undefined" : typeof v;
}

const runes = (s: string): string[] => Array.from(s);

// ---- regular expressions (RE2 semantics, linear time) ----

const MAX_CACHED_PATTERNS = 256;
const compiled = new Map<string, RE2JS>();

function compileRegex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      throw new Error(
        `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (compiled.size >= MAX_CACHED_PATTERNS) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

// Go's regexp finds, splits and replaces over RE2 matches with rules of its own that re2js's
// split and replaceAll (Java's and JavaScript's rules) do not share: an empty match right after a
// match is skipped, a leading empty match gives no empty part, and `$1x` names group "1x". These
// follow Go's FindAllString, Split and ReplaceAllString, on re2js's leftmost-first find.

/** Group spans of one match, `[start0, end0, start1, end1, ...]` (-1 for a group not taken). */
type MatchSpans = number[];

function matchFrom(matcher: Matcher, pos: number, groups: number): MatchSpans | undefined {
  if (!matcher.find(pos)) return undefined;
  const spans: MatchSpans = [];
  for (let group = 0; group <= groups; group++)
    spans.push(matcher.start(group), matcher.end(group));
  return spans;
}

/** Code units of the code point at `pos` (0 at the end), as Go steps one rune. */
function runeWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  return (s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
}

/** Go's FindAllStringIndex(s, n): at most `n` matches, every one when `n` is negative. */
function allMatches(re: RE2JS, s: string, n: number): MatchSpans[] {
  const matcher = re.matcher(s);
  const found: MatchSpans[] = [];
  let previousEnd = -1;
  for (let pos = 0; (n < 0 || found.length < n) && pos <= s.length;) {
    const match = matchFrom(matcher, pos, 0);
    if (match === undefined) break;
    const [start, end] = match as [number, number];
    let accept = true;
    if (end === pos) {
      if (start === previousEnd) accept = false;
      const width = runeWidth(s, pos);
      pos = width > 0 ? pos + width : s.length + 1;
    } else pos = end;
    previousEnd = end;
    if (accept) found.push(match);
  }
  return found;
}

function regexFindN(pattern: HostValue, value: HostValue, number: HostValue): HostValue {
  const re = compileRegex(str(pattern, "1"));
  const s = str(value, "2");
  const n = integer(number, "3");
  return allMatches(re, s, n).map(([start, end]) => s.slice(start, end));
}

/** Go's Split(s, -1). */
function regexSplit(pattern: HostValue, value: HostValue): HostValue {
  const p = str(pattern, "1");
  const re = compileRegex(p);
  const s = str(value, "2");
  if (p !== "" && s === "") return [""];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const [start, stop] of allMatches(re, s, -1) as [number, number][]) {
    end = start;
    if (stop !== 0) parts.push(s.slice(begin, end));
    begin = stop;
  }
  if (end !== s.length) parts.push(s.slice(begin));
  return parts;
}

const TEMPLATE_NAME = /^[\p{L}\p{Nd}_]+/u;

/**
 * Go's Expand: `$name` or `${name}` is the text of that group (empty when it took no part or
 * does not exist), with the longest name of letters, digits and `_`; `$$` is `$`; a `$` that
 * starts no name stays as it is.
 */
function expandTemplate(re: RE2JS, template: string, s: string, match: MatchSpans): string {
  let out = "";
  let rest = template;
  for (let dollar = rest.indexOf("$"); dollar >= 0; dollar = rest.indexOf("$")) {
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith("$")) {
      out += "$";
      rest = rest.slice(1);
      continue;
    }
    const braced = rest.startsWith("{");
    const name = TEMPLATE_NAME.exec(braced ? rest.slice(1) : rest)?.[0];
    const closed = !braced || rest[1 + (name?.length ?? 0)] === "}";
    if (name === undefined || !closed) {
      out += "$";
      continue;
    }
    rest = rest.slice(name.length + (braced ? 2 : 0));
    const group = /^(?:0|[1-9]\d{0,7})$/.test(name) ? Number(name) : re.namedGroups()[name];
    const start = group === undefined ? undefined : match[2 * group];
    if (group !== undefined && start !== undefined && start >= 0)
      out += s.slice(start, match[2 * group + 1]);
  }
  return out + rest;
}

/** Go's ReplaceAllString(s, template), with `$` expansion. */
function regexReplace(value: HostValue, pattern: HostValue, replacement: HostValue): HostValue {
  const s = str(value, "1");
  const re = compileRegex(str(pattern, "2"));
  const template = str(replacement, "3");
  const matcher = re.matcher(s);
  const groups = template.includes("$") ? re.groupCount() : 0;
  let out = "";
  let lastEnd = 0;
  for (let pos = 0; pos <= s.length;) {
    const match = matchFrom(matcher, pos, groups);
    if (match === undefined) break;
    const [start, end] = match as [number, number];
    out += s.slice(lastEnd, start);
    // An empty match right after a match gets no replacement ("a*" on "baaac" gives "XbXcX").
    if (end > lastEnd || start === 0) out += expandTemplate(re, template, s, match);
    lastEnd = end;
    const width = runeWidth(s, pos);
    if (pos + width > end) pos += width;
    else if (pos + 1 > end) pos++;
    else pos = end;
  }
  return out + s.slice(lastEnd);
}

// ---- glob.match as OPA (gobwas/glob) defines it, compiled to RE2 ----

function escapeRegex(c: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(c) ? `\\${c}` : c;
}

/** Translates an OPA glob into an anchored RE2 pattern. */
export function globToRegex(pattern: string, delimiters: string[]): string {
  const notDelimiter =
    delimiters.length > 0 ? `[^${delimiters.map(escapeRegex).join("")}]` : "(?s:.)";
  const chars = runes(pattern);
  let out = "";
  let depth = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "\\") {
      const next = chars[++i];
      if (next === undefined)
        throw new Error(`unexpected end of glob pattern ${JSON.stringify(pattern)}`);
      out += escapeRegex(next);
    } else if (c === "*") {
      if (chars[i + 1] === "*") {
        out += "(?s:.)*";
        i++;
      } else out += `${notDelimiter}*`;
    } else if (c === "?") out += notDelimiter;
    else if (c === "[") {
      const end = chars.indexOf("]", i + 1);
      if (end < 0)
        throw new Error(`unclosed character class in glob pattern ${JSON.stringify(pattern)}`);
      let body = chars.slice(i + 1, end);
      const negated = body[0] === "!";
      if (negated) body = body.slice(1);
      out += `[${negated ? "^" : ""}${body.map((b) => (b === "-" ? "-" : escapeRegex(b))).join("")}]`;
      i = end;
    } else if (c === "{") {
      depth++;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth--;
      out += ")";
    } else if (c === "," && depth > 0) out += "|";
    else out += escapeRegex(c);
  }
  if (depth > 0) throw new Error(`unclosed alternation in glob pattern ${JSON.stringify(pattern)}`);
  return `^(?:${out})$`;
}

function globMatch(pattern: HostValue, delimiters: HostValue, subject: HostValue): boolean {
  const p = str(pattern, "1");
  let delims: string[];
  if (delimiters === null) delims = [];
  else if (Array.isArray(delimiters)) {
    delims = delimiters.map((d, i) => str(d, `2 element ${i}`));
    if (delims.length === 0) delims = ["."];
  } else throw new OperandTypeError(`operand 2 must be array but got ${typeName(delimiters)}`);
  return compileRegex(globToRegex(p, delims)).test(str(subject, "3"));
}

// ---- CIDR ----

interface Network {
  bits: number;
  address: bigint;
  prefix: number;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = value * 256n + BigInt(p);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail = "";
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  if (halves.length === 2) [head, tail] = halves as [string, string];
  const group = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const left = group(head);
  const right = group(tail);
  // An embedded IPv4 tail counts as two groups.
  const last = (right.length > 0 ? right : left).at(-1);
  const groups: bigint[] = [];
  const toGroups = (list: string[]): boolean => {
    for (const g of list) {
      if (g.includes(".") && g === last) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return false;
        groups.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) groups.push(BigInt(`0x${g}`));
      else return false;
    }
    return true;
  };
  if (!toGroups(left)) return undefined;
  const leftCount = groups.length;
  if (!toGroups(right)) return undefined;
  const missing = 8 - groups.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [
    ...groups.slice(0, leftCount),
    ...Array<bigint>(missing).fill(0n),
    ...groups.slice(leftCount),
  ];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function parseNetwork(text: string, allowBareAddress: boolean): Network {
  const [ip, prefixText, extra] = text.split("/");
  if (extra !== undefined || ip === undefined) throw new Error(`invalid CIDR address: ${text}`);
  const v4 = parseIPv4(ip);
  const address = v4 ?? parseIPv6(ip);
  if (address === undefined) throw new Error(`invalid CIDR address: ${text}`);
  const bits = v4 !== undefined ? 32 : 128;
  if (prefixText === undefined) {
    if (!allowBareAddress) throw new Error(`invalid CIDR address: ${text}`);
    return { bits, address, prefix: bits };
  }
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
    throw new Error(`invalid CIDR address: ${text}`);
  const prefix = Number(prefixText);
  return { bits, address: maskTo(address, bits, prefix), prefix };
}

function maskTo(address: bigint, bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (address >> hostBits) << hostBits;
}

function cidrContains(cidr: HostValue, other: HostValue): boolean {
  const outer = parseNetwork(str(cidr, "1"), false);
  const inner = parseNetwork(str(other, "2"), true);
  if (outer.bits !== inner.bits || inner.prefix < outer.prefix) return false;
  return maskTo(inner.address, inner.bits, outer.prefix) === outer.address;
}

function cidrIntersects(a: HostValue, b: HostValue): boolean {
  const x = parseNetwork(str(a, "1"), false);
  const y = parseNetwork(str(b, "2"), false);
  if (x.bits !== y.bits) return false;
  const prefix = Math.min(x.prefix, y.prefix);
  return maskTo(x.address, x.bits, prefix) === maskTo(y.address, y.bits, prefix);
}

// ---- strings ----

function trimRunes(s: string, cutset: string, left: boolean, right: boolean): string {
  const cut = new Set(runes(cutset));
  const chars = runes(s);
  let start = 0;
  let end = chars.length;
  while (left && start < end && cut.has(chars[start]!)) start++;
  while (right && end > start && cut.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join("");
}

function replaceAll(s: string, old: string, replacement: string): string {
  if (old === "") {
    const chars = runes(s);
    return replacement + chars.map((c) => c + replacement).join("");
  }
  return s.split(old).join(replacement);
}

function substring(s: string, start: number, length: number): string {
  if (!Number.isInteger(start) || !Number.isInteger(length))
    throw new Error("operands 2 and 3 must be integers");
  if (start < 0) throw new Error("negative offset");
  const chars = runes(s);
  if (start >= chars.length) return "";
  return (length < 0 ? chars.slice(start) : chars.slice(start, start + length)).join("");
}

function indexOf(s: string, needle: string): number {
  if (needle === "") throw new Error("empty search character");
  const at = s.indexOf(needle);
  return at < 0 ? -1 : runes(s.slice(0, at)).length;
}

// OPA truncates toward zero (topdown: big.Float.Int; Wasm: mpd_qtrunc), though its docs say
// "rounding down": format_int(-3.7, 10) is "-3".
function formatInt(n: number, base: number): string {
  if (![2, 8, 10, 16].includes(base)) throw new Error("operand 2 must be one of {2, 8, 10, 16}");
  return BigInt(Math.trunc(n)).toString(base);
}

// ---- base64 (Go's StdEncoding and URLEncoding: strict alphabets, padding required) ----

function base64Decode(text: string, url: boolean): string {
  const valid = url
    ? /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/
    : /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  if (!valid.test(text)) throw new Error("illegal base64 data");
  const bytes = Buffer.from(text, url ? "base64url" : "base64");
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

// ---- arrays, objects, numbers ----

function array(v: HostValue | undefined, what: string): HostValue[] {
  if (!Array.isArray(v))
    throw new OperandTypeError(`operand ${what} must be array but got ${typeName(v)}`);
  return v;
}

function isObject(v: HostValue | undefined): v is { [key: string]: HostValue } {
  return typeName(v) === "object";
}

/** OPA's object.union: keys of b win, except that two objects under one key merge. */
function mergeObjects(
  a: { [key: string]: HostValue },
  b: { [key: string]: HostValue },
): { [key: string]: HostValue } {
  const merged = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const existing = merged[key];
    // Defined, not assigned: a "__proto__" key is data here, never the prototype.
    Object.defineProperty(merged, key, {
      value: isObject(existing) && isObject(value) ? mergeObjects(existing, value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return merged;
}

/**
 * The longest `numbers.range` result: OPA has no limit, but an unbounded array would exhaust
 * the host before any evaluation bound applies; ten million integers is 80 MB of JSON already.
 */
const MAX_RANGE = 10_000_000;

function integer(v: HostValue | undefined, what: string): number {
  const n = num(v, what);
  if (!Number.isSafeInteger(n))
    throw new OperandTypeError(
      `operand ${what} must be integer number but got floating-point number`,
    );
  return n;
}

function numbersRange(a: HostValue, b: HostValue): HostValue {
  const from = integer(a, "1");
  const to = integer(b, "2");
  const length = Math.abs(to - from) + 1;
  if (length > MAX_RANGE) throw new Error(`range of ${length} numbers is over ${MAX_RANGE}`);
  const step = to >= from ? 1 : -1;
  return Array.from({ length }, (_, i) => from + i * step);
}

/** Go's strings.Count: non-overlapping matches; an empty needle matches around every rune. */
function countMatches(haystack: string, needle: string): number {
  if (needle === "") return runes(haystack).length + 1;
  return haystack.split(needle).length - 1;
}

/** YAML text of a value; sets become sequences (in the order the runtime sorted them). */
function toYamlValue(v: HostValue): unknown {
  if (v instanceof RegoSet) return v.elements.map(toYamlValue);
  if (v instanceof RegoNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toYamlValue);
  if (isObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, toYamlValue(item)]));
  return v;
}

export const hostDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  lower: { arity: 1, fn: (s) => str(s, "1").toLowerCase() },
  upper: { arity: 1, fn: (s) => str(s, "1").toUpperCase() },
  split: {
    arity: 2,
    fn: (s, d) => (str(d, "2") === "" ? runes(str(s, "1")) : str(s, "1").split(str(d, "2"))),
  },
  replace: { arity: 3, fn: (s, o, n) => replaceAll(str(s, "1"), str(o, "2"), str(n, "3")) },
  trim: { arity: 2, fn: (s, c) => trimRunes(str(s, "1"), str(c, "2"), true, true) },
  trim_left: { arity: 2, fn: (s, c) => trimRunes(str(s, "1"), str(c, "2"), true, false) },
  trim_right: { arity: 2, fn: (s, c) => trimRunes(str(s, "1"), str(c, "2"), false, true) },
  trim_space: { arity: 1, fn: (s) => str(s, "1").replace(/^[\s\u0085]+|[\s\u0085]+$/gu, "") },
  indexof: { arity: 2, fn: (s, n) => indexOf(str(s, "1"), str(n, "2")) },
  substring: { arity: 3, fn: (s, a, b) => substring(str(s, "1"), num(a, "2"), num(b, "3")) },
  format_int: { arity: 2, fn: (n, b) => formatInt(num(n, "1"), num(b, "2")) },
  sprintf: {
    arity: 2,
    fn: (format, args) => {
      if (!Array.isArray(args))
        throw new Error(`operand 2 must be array but got ${typeName(args)}`);
      return formatGo(str(format, "1"), args);
    },
  },
  "regex.match": { arity: 2, fn: (p, s) => compileRegex(str(p, "1")).test(str(s, "2")) },
  "regex.is_valid": {
    arity: 1,
    fn: (p) => {
      if (typeof p !== "string") return false;
      try {
        compileRegex(p);
        return true;
      } catch {
        return false;
      }
    },
  },
  "regex.find_n": { arity: 3, fn: regexFindN },
  "regex.split": { arity: 2, fn: regexSplit },
  "regex.replace": { arity: 3, fn: regexReplace },
  "glob.match": { arity: 3, fn: globMatch },
  "net.cidr_contains": { arity: 2, fn: cidrContains },
  "net.cidr_intersects": { arity: 2, fn: cidrIntersects },
  "yaml.unmarshal": {
    arity: 1,
    fn: (s) => {
      try {
        return (parseYaml(str(s, "1")) ?? null) as HostValue;
      } catch (error) {
        throw new Error(
          `yaml: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        );
      }
    },
  },
  "base64.encode": { arity: 1, fn: (s) => Buffer.from(str(s, "1"), "utf8").toString("base64") },
  "base64.decode": { arity: 1, fn: (s) => base64Decode(str(s, "1"), false) },
  "base64url.encode": {
    arity: 1,
    fn: (s) =>
      Buffer.from(str(s, "1"), "utf8")
        .toString("base64url")
        .padEnd(Math.ceil(Buffer.byteLength(str(s, "1")) / 3) * 4, "="),
  },
  "base64url.decode": { arity: 1, fn: (s) => base64Decode(str(s, "1"), true) },
  "time.now_ns": {
    arity: 0,
    fn: () => new RegoNumber((BigInt(Date.now()) * 1_000_000n).toString()),
  },
  "strings.count": { arity: 2, fn: (s, n) => countMatches(str(s, "1"), str(n, "2")) },
  "strings.reverse": { arity: 1, fn: (s) => runes(str(s, "1")).reverse().join("") },
  "array.flatten": {
    arity: 1,
    fn: (a) => array(a, "1").flatMap((item) => (Array.isArray(item) ? item : [item])),
  },
  "array.reverse": { arity: 1, fn: (a) => [...array(a, "1")].reverse() },
  "numbers.range": { arity: 2, fn: numbersRange },
  "object.union_n": {
    arity: 1,
    fn: (a) =>
      array(a, "1").reduce<{ [key: string]: HostValue }>((merged, item, index) => {
        if (!isObject(item))
          throw new OperandTypeError(
            `operand 1 must be array of objects but element ${index} is ${typeName(item)}`,
          );
        return mergeObjects(merged, item);
      }, {}),
  },
  "yaml.marshal": { arity: 1, fn: (v) => stringifyYaml(toYamlValue(v ?? null)) },
  "yaml.is_valid": {
    arity: 1,
    fn: (s) => {
      if (typeof s !== "string") return false;
      try {
        parseYaml(s);
        return true;
      } catch {
        return false;
      }
    },
  },
};
