// The host builtins' Rego semantics as plain functions over decoded values (no Wasm, no JSON),
// so each is unit-tested directly; host.ts wires them to the SDK. Strings are indexed by code
// point as Go's runes are. A thrown Error becomes a located eval_builtin_error.
//
// Hand-written where a library exists: the glob compiler (~60 lines; picomatch has its own
// dialect and compiles to backtracking JS RegExp, OPA's gobwas/glob rules go to RE2 here).
// Families with more to them live beside this file (host-time, host-net, host-units,
// host-semver, host-collections) and join hostDefinitions at its end.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { RE2JS, type Matcher } from "re2js";
import { parse as parseYaml } from "yaml";
import { base64Decode, base64Text } from "./host-base64.js";
import { collectionDefinitions } from "./host-collections.js";
import { bitsDefinitions } from "./host-bits.js";
import { globsDefinitions } from "./host-globs.js";
import { jsonMarshalDefinitions } from "./host-json-marshal.js";
import { jsonPatchDefinitions } from "./host-json-patch.js";
import { jsonPathDefinitions } from "./host-json-paths.js";
import { jwtDefinitions } from "./host-jwt.js";
import { netDefinitions } from "./host-net.js";
import { schemaDefinitions } from "./host-schema.js";
import { array, elements, integer, isObject, runes, str, typeName } from "./host-operands.js";
import { semverDefinitions } from "./host-semver.js";
import { renderTemplate } from "./host-template.js";
import { timeDefinitions } from "./host-time.js";
import { unitDefinitions } from "./host-units.js";
import { urlqueryDefinitions } from "./host-urlquery.js";
import { uuidDefinitions } from "./host-uuid.js";
import { x509Definitions } from "./host-x509.js";
import { yamlMarshal } from "./host-yaml.js";
import { OperandTypeError, RegoNumber, type HostFunction, type HostValue } from "./host-value.js";

// ---- regular expressions (RE2 semantics, linear time) ----

const MAX_CACHED_PATTERNS = 256;
const compiled = new Map<string, RE2JS>();

function compileRegex(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    // re2js's message is Go's (`error parsing regexp: missing closing ): `(``), which OPA
    // gives after the builtin's name, but for the empty expression Go prints after a trailing
    // backslash.
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message.endsWith("trailing backslash at end of expression"))
        throw new Error(`${message}: \`\``);
      throw error;
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

/**
 * Go's FindAllStringSubmatchIndex(s, n): at most `n` matches, every one when `n` is negative,
 * each with the spans of its first `groups` groups.
 */
function allMatches(re: RE2JS, s: string, n: number, groups = 0): MatchSpans[] {
  const matcher = re.matcher(s);
  const found: MatchSpans[] = [];
  let previousEnd = -1;
  for (let pos = 0; (n < 0 || found.length < n) && pos <= s.length;) {
    const match = matchFrom(matcher, pos, groups);
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

/** Go's FindAllStringSubmatch: each match and its groups' text, "" for a group not taken. */
function regexFindAllSubmatch(pattern: HostValue, value: HostValue, number: HostValue): HostValue {
  const re = compileRegex(str(pattern, "1"));
  const s = str(value, "2");
  const n = integer(number, "3");
  return allMatches(re, s, n, re.groupCount()).map((spans) =>
    Array.from({ length: spans.length / 2 }, (_, group) => {
      const start = spans[2 * group] ?? -1;
      return start < 0 ? "" : s.slice(start, spans[2 * group + 1]);
    }),
  );
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

/** Go's regexp.QuoteMeta. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/**
 * OPA's regex.template_match: the text between the delimiters (outermost pairs, which must
 * balance) is a regular expression, the rest literal; the whole value must match.
 */
function regexTemplateMatch(
  template: HostValue,
  value: HostValue,
  start: HostValue,
  end: HostValue,
): boolean {
  const tpl = str(template, "1");
  const subject = str(value, "2");
  const open = str(start, "3");
  const close = str(end, "4");
  // OPA's message for the end delimiter gives the start delimiter's length too.
  if (Buffer.byteLength(open) !== 1)
    throw new Error(
      `start delimiter has to be exactly one character long but is ${Buffer.byteLength(open)} long`,
    );
  if (Buffer.byteLength(close) !== 1)
    throw new Error(
      `end delimiter has to be exactly one character long but is ${Buffer.byteLength(open)} long`,
    );
  let pattern = "^";
  let level = 0;
  let groupStart = 0;
  let literalStart = 0;
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] === open) {
      if (++level === 1) groupStart = i;
    } else if (tpl[i] === close) {
      if (--level === 0) {
        const inner = tpl.slice(groupStart + 1, i);
        compileRegex(`^${inner}$`);
        pattern += `${quoteMeta(tpl.slice(literalStart, groupStart))}(${inner})`;
        literalStart = i + 1;
      } else if (level < 0) throw new Error(`unbalanced braces in ${JSON.stringify(tpl)}`);
    }
  }
  if (level !== 0) throw new Error(`unbalanced braces in ${JSON.stringify(tpl)}`);
  return compileRegex(`${pattern}${quoteMeta(tpl.slice(literalStart))}$`).test(subject);
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

// ---- strings ----

/** Go's strings.ByteSlice order of UTF-8 text, as OPA sorts string keys. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * OPA's strings.replace_n, Go's strings.NewReplacer over the pairs in key order: at each
 * position the first key (in that order) found there is replaced, and scanning resumes after it.
 * An empty key matches once between any two characters (Go steps bytes, this steps runes).
 */
function replaceN(patterns: HostValue, value: HostValue): string {
  if (!isObject(patterns))
    throw new OperandTypeError(`operand 1 must be object but got ${typeName(patterns)}`);
  const s = str(value, "2");
  const pairs = Object.keys(patterns)
    .sort(compareUtf8)
    .map((key): [string, string] => {
      const replacement = patterns[key];
      if (typeof replacement !== "string")
        throw new OperandTypeError("operand 1 non-string value found in pattern object");
      return [key, replacement];
    });
  let out = "";
  let last = 0;
  let emptyMatchedHere = false;
  for (let i = 0; i <= s.length;) {
    const found = pairs.find(([old]) => (old === "" ? !emptyMatchedHere : s.startsWith(old, i)));
    emptyMatchedHere = found !== undefined && found[0] === "";
    if (found !== undefined) {
      out += s.slice(last, i) + found[1];
      i += found[0].length;
      last = i;
      continue;
    }
    i += Math.max(runeWidth(s, i), 1);
  }
  return out + s.slice(last);
}

// ---- hashes and hex (of the string's UTF-8 bytes) ----

function digest(algorithm: string): HostFunction {
  return (s) => createHash(algorithm).update(str(s, "1"), "utf8").digest("hex");
}

/** Go's hex.DecodeString, with its error for the first bad character or an odd length. */
function hexDecode(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  const hexDigit = (b: number) => /[0-9a-fA-F]/.test(String.fromCharCode(b));
  const invalid = (b: number) =>
    new Error(
      `encoding/hex: invalid byte: U+${b.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(String.fromCharCode(b)).replace(/^"|"$/g, "'")}`,
    );
  for (const b of bytes.subarray(0, bytes.length - (bytes.length % 2)))
    if (!hexDigit(b)) throw invalid(b);
  if (bytes.length % 2 === 1) {
    const lastByte = bytes[bytes.length - 1]!;
    if (!hexDigit(lastByte)) throw invalid(lastByte);
    throw new Error("encoding/hex: odd length hex string");
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.from(text, "hex"));
}

/** OPA's strings.any_suffix_match: some string of `search` ends with some string of `base`. */
function anySuffixMatch(search: HostValue, base: HostValue): boolean {
  const stringsOf = (v: HostValue, what: string) =>
    elements(typeof v === "string" ? [v] : v, what, "string, set, array").map((e) => str(e, what));
  const subjects = stringsOf(search, "1");
  const suffixes = stringsOf(base, "2");
  return subjects.some((s) => suffixes.some((suffix) => s.endsWith(suffix)));
}

// ---- arrays, objects, numbers ----

/**
 * The longest `numbers.range_step` result (the runtime's `numbers.range` has the same): OPA has
 * no limit, but an unbounded array would exhaust the host before any evaluation bound applies;
 * ten million integers is 80 MB of JSON already.
 */
const MAX_RANGE = 10_000_000;

/** OPA's indexof_n: the code point index of every match, overlapping ones included. */
function indexOfN(s: string, needle: string): number[] {
  if (needle === "") throw new Error("empty search character");
  const found: number[] = [];
  let index = 0;
  for (let at = 0; at < s.length; at += runeWidth(s, at), index++)
    if (s.startsWith(needle, at)) found.push(index);
  return found;
}

/** OPA's numbers.range_step: from `a` toward `b` by a positive integer `step`, `b` included when reached. */
function numbersRangeStep(a: HostValue, b: HostValue, by: HostValue): HostValue {
  const from = integer(a, "1");
  const to = integer(b, "2");
  const step = integer(by, "3");
  if (step <= 0) throw new Error("step must be a positive integer");
  const length = Math.floor(Math.abs(to - from) / step) + 1;
  if (length > MAX_RANGE) throw new Error(`range of ${length} numbers is over ${MAX_RANGE}`);
  const signed = to >= from ? step : -step;
  return Array.from({ length }, (_, i) => from + i * signed);
}

/** gobwas/glob's QuoteMeta, as glob.quote_meta: a backslash before each of `*?\[]{}`. */
const globQuoteMeta = (s: string) => s.replace(/[*?\\[\]{}]/g, "\\$&");

/** Go's hmac.New(hash, key) over the message, in hex. */
function hmacDigest(algorithm: string): HostFunction {
  return (message, key) =>
    createHmac(algorithm, Buffer.from(str(key, "2"), "utf8"))
      .update(str(message, "1"), "utf8")
      .digest("hex");
}

/** Go's hmac.Equal: whether two MACs are the same bytes, in time that does not depend on where they differ. */
function hmacEqual(a: HostValue, b: HostValue): boolean {
  const x = Buffer.from(str(a, "1"), "utf8");
  const y = Buffer.from(str(b, "2"), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export const hostDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
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
  "regex.find_all_string_submatch_n": { arity: 3, fn: regexFindAllSubmatch },
  "regex.split": { arity: 2, fn: regexSplit },
  "regex.replace": { arity: 3, fn: regexReplace },
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
  "base64.is_valid": {
    arity: 1,
    fn: (s) => typeof s === "string" && base64Text(s, false) !== undefined,
  },
  "strings.any_suffix_match": { arity: 2, fn: anySuffixMatch },
  "time.now_ns": {
    arity: 0,
    fn: () => new RegoNumber((BigInt(Date.now()) * 1_000_000n).toString()),
  },
  "strings.reverse": { arity: 1, fn: (s) => runes(str(s, "1")).reverse().join("") },
  "array.flatten": {
    arity: 1,
    fn: (a) => array(a, "1").flatMap((item) => (Array.isArray(item) ? item : [item])),
  },
  "array.reverse": { arity: 1, fn: (a) => [...array(a, "1")].reverse() },
  "yaml.marshal": { arity: 1, fn: (v) => yamlMarshal(v ?? null) },
  "regex.template_match": { arity: 4, fn: regexTemplateMatch },
  "strings.replace_n": { arity: 2, fn: replaceN },
  "strings.render_template": {
    arity: 2,
    fn: (template, variables) => {
      if (!isObject(variables))
        throw new OperandTypeError(`operand 2 must be object but got ${typeName(variables)}`);
      return renderTemplate(str(template, "1"), variables);
    },
  },
  "crypto.md5": { arity: 1, fn: digest("md5") },
  "crypto.sha1": { arity: 1, fn: digest("sha1") },
  "crypto.sha256": { arity: 1, fn: digest("sha256") },
  "crypto.hmac.md5": { arity: 2, fn: hmacDigest("md5") },
  "crypto.hmac.sha1": { arity: 2, fn: hmacDigest("sha1") },
  "crypto.hmac.sha256": { arity: 2, fn: hmacDigest("sha256") },
  "crypto.hmac.sha512": { arity: 2, fn: hmacDigest("sha512") },
  "crypto.hmac.equal": { arity: 2, fn: hmacEqual },
  indexof_n: { arity: 2, fn: (s, n) => indexOfN(str(s, "1"), str(n, "2")) },
  "numbers.range_step": { arity: 3, fn: numbersRangeStep },
  "glob.quote_meta": { arity: 1, fn: (s) => globQuoteMeta(str(s, "1")) },
  "base64url.encode_no_pad": {
    arity: 1,
    fn: (s) => Buffer.from(str(s, "1"), "utf8").toString("base64url"),
  },
  "hex.encode": { arity: 1, fn: (s) => Buffer.from(str(s, "1"), "utf8").toString("hex") },
  "hex.decode": { arity: 1, fn: (s) => hexDecode(str(s, "1")) },
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
  ...timeDefinitions,
  ...netDefinitions,
  ...unitDefinitions,
  ...semverDefinitions,
  ...collectionDefinitions,
  ...jwtDefinitions,
  ...schemaDefinitions,
  ...urlqueryDefinitions,
  ...jsonPathDefinitions,
  ...jsonPatchDefinitions,
  ...jsonMarshalDefinitions,
  ...bitsDefinitions,
  ...globsDefinitions,
  ...uuidDefinitions,
  ...x509Definitions,
};
