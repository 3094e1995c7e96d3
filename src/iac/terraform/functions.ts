// Terraform's built-in functions over plain values, for static evaluation. A function that
// cannot be known statically (timestamp, uuid, hashes of files) yields an unknown naming its
// call; a name Terraform does not have is reported by the caller as `terraform-unknown-function`.
import { createHash } from "node:crypto";
import { RE2JS } from "re2js";
import { isUnknown, unknown, type UnknownValue, type Value } from "../../model/types.js";
import { containsUnknown } from "../../model/values.js";
import { lowerCase, titleCase, upperCase } from "./case.js";
import { CidrError, cidrHost, cidrNetmask, cidrSubnet, cidrSubnets } from "../cidr.js";
import { formatGo } from "./format.js";
import { decodeYaml } from "./yaml-decode.js";
import { encodeYaml } from "./yaml-encode.js";
import { marshalJson } from "./json.js";
import { exactSum, literalNumber } from "./numbers.js";
import { unifiedCollectionElements } from "./unify.js";
import {
  containsPartial,
  isPartial,
  isRest,
  mapRest,
  partialList,
  partialMap,
  restElement,
  settlePartial,
} from "./partial.js";
import {
  EvaluationError,
  compareStrings,
  decimalLiteral,
  describe,
  distinctValues,
  firstIndexOf,
  firstUnknown,
  isObject,
  sortedKeys,
  toBoolValue,
  toListValue,
  toNumberValue,
  toObjectValue,
  toSetValue,
  toStringValue,
  unifiedPrimitives,
  valuesEqual,
  type ValueObject,
} from "./values.js";

export interface FunctionContext {
  /** Source text of the call; an unknown result names it. */
  expression: string;
  /** Contents of a file named relative to the calling module, or undefined when it was not given. */
  readFile(path: string): string | undefined;
  /** Whether that file exists; undefined when it was not given and may exist. */
  fileExists(path: string): boolean | undefined;
}

type Implementation = (args: Value[], context: FunctionContext) => Value;

interface FunctionSpec {
  /** Fewest and most arguments accepted (Infinity for variadic). */
  arity: [number, number];
  /** Arguments may hold unknowns (deep or top-level) and the function handles them itself. */
  acceptsUnknown?: boolean;
  /**
   * Arguments may be partial collections (./partial.ts) and the function handles them itself;
   * for any other function such an argument makes the result unknown.
   */
  acceptsPartial?: boolean;
  run: Implementation;
}

const MAX_RANGE = 1024;
const MAX_STRING = 10_000_000;

/** Helpers for an argument's expected type; an unknown where a known value is needed makes the result unknown. */
function known(value: Value): Value {
  if (isUnknown(value)) throw new UnknownResult();
  return value;
}
function str(value: Value, what: string): string {
  return toStringValue(known(value), what) as string;
}
function num(value: Value, what: string): number {
  return toNumberValue(known(value), what) as number;
}
function list(value: Value, what: string): Value[] {
  if (isObject(value)) return Object.values(value);
  return toListValue(known(value), what) as Value[];
}
function obj(value: Value, what: string): ValueObject {
  return toObjectValue(known(value), what) as ValueObject;
}
function int(value: Value, what: string): number {
  const n = num(value, what);
  if (!Number.isInteger(n))
    throw new EvaluationError(`${what} must be a whole number, got ${n}`, "terraform-argument");
  return n;
}
function bounded(text: string): string {
  if (text.length > MAX_STRING)
    throw new EvaluationError(`result is longer than ${MAX_STRING} characters`, "terraform-limit");
  return text;
}

/**
 * Terraform's `replace`, Go's `strings.Replace` or, for a substring wrapped in slashes,
 * `regexp.ReplaceAllString`: an empty substring goes between every character and at both ends,
 * and an empty match right after another match is not replaced.
 */
function replace(text: string, search: string, replacement: string): string {
  if (!isPattern(search))
    return bounded(
      search === ""
        ? text === ""
          ? replacement
          : `${replacement}${[...text].join(replacement)}${replacement}`
        : text.split(search).join(replacement),
    );
  const pattern = compilePattern(search);
  const matcher = pattern.matcher(text);
  let result = "";
  let copied = 0;
  let lastEnd = -1;
  while (matcher.find()) {
    const start = matcher.start();
    const end = matcher.end();
    result += text.slice(copied, start);
    copied = start;
    if (end > lastEnd || start === 0) {
      result += expandTemplate(replacement, pattern, matcher);
      copied = end;
    }
    lastEnd = end;
    if (result.length > MAX_STRING) break;
  }
  return bounded(result + text.slice(copied));
}

/**
 * Go's `regexp.Expand`: `$name` or `${name}` is the group so numbered or named (a name as long as
 * letters, digits and `_` go, so `$1x` is the group "1x"), empty when there is no such group or it
 * did not match; `$$` is `$`; a `$` not followed by a name stays as written.
 */
function expandTemplate(
  template: string,
  pattern: RE2JS,
  matcher: ReturnType<RE2JS["matcher"]>,
): string {
  const named = pattern.namedGroups();
  return template.replace(
    /\$(?:\$|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu,
    (whole, braced: string | undefined, bare: string | undefined) => {
      if (whole === "$$") return "$";
      const name = (braced ?? bare) as string;
      const number = /^(0|[1-9][0-9]{0,8})$/.test(name) ? Number(name) : undefined;
      const group = number ?? (Object.hasOwn(named, name) ? named[name] : undefined);
      if (group === undefined || group > pattern.groupCount()) return "";
      return matcher.group(group) ?? "";
    },
  );
}

/** Whether `replace` changes `text`: the substring, or the slash-wrapped pattern, occurs in it. */
function occursIn(text: string, search: string): boolean {
  if (isPattern(search)) return compilePattern(search).matcher(text).find();
  return search === "" || text.includes(search);
}

function isPattern(search: string): boolean {
  return search.length > 1 && search.startsWith("/") && search.endsWith("/");
}

function compilePattern(search: string): RE2JS {
  try {
    return RE2JS.compile(search.slice(1, -1));
  } catch (error) {
    throw new EvaluationError(
      `invalid regular expression ${search}: ${(error as Error).message}`,
      "terraform-argument",
    );
  }
}

function flattenList(values: Value[], depth = 0): Value[] {
  if (depth > 100)
    throw new EvaluationError("flatten nests deeper than 100 lists", "terraform-limit");
  const result: Value[] = [];
  for (const value of values) {
    // An unknown element may be a list of any length: it stands for any number of elements.
    if (isRest(value)) result.push(value);
    else if (isUnknown(value)) result.push(restElement(value.$unknown));
    else if (Array.isArray(value)) result.push(...flattenList(value, depth + 1));
    else result.push(value);
  }
  return result;
}

/**
 * The elements of lists that may be partial or unknown, in order: an unknown list stands for any
 * number of elements (a rest), an unknown element that a function may drop (`compact`,
 * `distinct`) for none or one when `mayDrop`.
 */
function elementsOf(lists: Value[], what: string, mayDrop = false): Value[] {
  const result: Value[] = [];
  for (const value of lists) {
    if (isUnknown(value)) {
      result.push(isRest(value) ? value : restElement(value.$unknown));
      continue;
    }
    for (const element of list(value, what))
      result.push(
        mayDrop && isUnknown(element) && !isRest(element) ? restElement(element.$unknown) : element,
      );
  }
  return result;
}

/**
 * Distinct elements of lists some of which are unknown or partial: the known elements merged
 * (sorted as a set's when `set`), the rests after them. An element with an unknown inside may
 * equal another, so the result is then unknown, as it is without a rest.
 */
function distinctPartial(lists: Value[], what: string, set: boolean): Value[] {
  const elements = elementsOf(lists, what, true);
  const known = elements.filter((element) => !isRest(element));
  if (known.some(containsUnknown) || known.some(containsPartial)) throw new UnknownResult();
  const rests = elements.filter(isRest);
  return [...(set ? toSetValue(known) : distinctValues(known, "list")), ...rests];
}

/** A list(bool) argument's elements converted, all of them first; a null element is false. */
function bools(value: Value, what: string): boolean[] {
  return list(value, what).map((element) =>
    element === null ? false : (toBoolValue(known(element), `${what} element`) as boolean),
  );
}

/**
 * The elements of a list, set or map converted to the one type Terraform gives them all: strings
 * where primitives mix (`tolist(["a", 1])`), and collections element by element.
 */
function unifiedElements(values: Value[], kind: "list" | "set" | "map"): Value[] {
  const primitives = unifiedPrimitives(values, kind);
  return primitives !== values ? primitives : unifiedCollectionElements(values, `${kind} argument`);
}

/** The first of `numbers` no later one `beats`: of 0 and -0, the first given (`max(-0, 0)` is -0). */
function extreme(numbers: number[], beats: (n: number, best: number) => boolean): number {
  const [first] = numbers;
  if (first === undefined)
    throw new EvaluationError("at least one number is required", "terraform-argument");
  return numbers.reduce((best, n) => (beats(n, best) ? n : best), first);
}

function range(args: number[]): Value[] {
  // One argument counts from 0 towards it, down where it is negative (`range(-3)` is [0, -1, -2]).
  const [start, limit, step] =
    args.length === 1
      ? [0, args[0] as number, (args[0] as number) < 0 ? -1 : 1]
      : [
          args[0] as number,
          args[1] as number,
          args[2] ?? ((args[0] as number) <= (args[1] as number) ? 1 : -1),
        ];
  if (step === 0) throw new EvaluationError("range step must not be zero", "terraform-argument");
  if ((limit - start) / step > MAX_RANGE)
    throw new EvaluationError(
      `range would have more than ${MAX_RANGE} elements`,
      "terraform-limit",
    );
  const result: number[] = [];
  for (let n = start; step > 0 ? n < limit : n > limit; n += step) result.push(n);
  return result;
}

const graphemeSegmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** A string's characters as Terraform counts them: grapheme clusters ("e\u0301" is one, as is "🇫🇷"). */
function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment);
}

/** Terraform's `substr`: an offset past the end gives "", a negative one counts from the end. */
function substr(text: string, offset: number, length: number): string {
  const chars = graphemes(text);
  const from = offset < 0 ? Math.max(chars.length + offset, 0) : offset;
  return chars.slice(from, length < 0 ? undefined : from + length).join("");
}

function jsonDecode(text: string): Value {
  try {
    return JSON.parse(text) as Value;
  } catch (error) {
    throw new EvaluationError(`jsondecode: ${(error as Error).message}`, "terraform-argument");
  }
}

function lookup(args: Value[]): Value {
  const map = args[0] as Value;
  const key = args[1] as Value;
  if (isUnknown(map)) return map;
  if (isUnknown(key)) return key;
  const object = obj(map, "lookup map");
  const name = str(key, "lookup key");
  if (name in object) return object[name] as Value;
  // The key may be among those the map's unknown part holds.
  const rest = mapRest(object);
  if (rest) return unknown(rest.$unknown);
  if (args.length === 3) return args[2] as Value;
  throw new EvaluationError(
    `lookup: the map has no key ${JSON.stringify(name)} and no default was given`,
    "terraform-missing-attribute",
  );
}

/**
 * Terraform's `coalesce`: the first argument neither null nor "", of the one type all arguments
 * convert to: with a string among mixed primitives, a number or bool becomes a string
 * (`coalesce(1, "a")` is "1"); numbers and bools together have no such type. Arguments of other
 * types, or unknown ones (whose type is not known here), are given as they are.
 */
function coalesce(args: Value[]): Value {
  const present = args.filter((value) => value !== null);
  const primitive = present.every(
    (value) => typeof value === "string" || typeof value === "number" || typeof value === "boolean",
  );
  const types = new Set(present.map((value) => typeof value));
  if (primitive && types.size > 1) {
    if (!types.has("string"))
      throw new EvaluationError(
        "coalesce: all arguments must have the same type: numbers and bools do not convert to each other",
        "terraform-type",
        true,
      );
    args = args.map((value) => (value === null ? null : (toStringValue(value) as string)));
  }
  for (const value of args) {
    if (isUnknown(value)) return value;
    if (value !== null && value !== "") return value;
  }
  throw new EvaluationError("coalesce: no non-null, non-empty argument", "terraform-argument");
}

function element(args: Value[]): Value {
  const values = list(args[0] as Value, "element list");
  if (values.length === 0)
    throw new EvaluationError("element: the list is empty", "terraform-argument", true);
  return values[elementIndex(int(args[1] as Value, "element index"), values.length)] as Value;
}

/**
 * The position `element` reads for `index` in a list of `length`: wrapped both ways, since
 * Terraform 1.10 (cty 1.15) reads `element(l, -1)` as the last element.
 */
export function elementIndex(index: number, length: number): number {
  return ((index % length) + length) % length;
}

/**
 * Later arguments win. An unknown map (or the unknown part of a partial one) may add any key and
 * replace any earlier value, so the keys of the maps after the last unknown are certain with
 * their values, earlier keys are certain but their values unknown, and others may exist.
 */
function merge(args: Value[], context: FunctionContext): Value {
  let result: ValueObject = {};
  let rest: UnknownValue | undefined;
  const replaceable = (): void => {
    result = Object.fromEntries(
      Object.keys(result).map((key) => [key, unknown(context.expression)]),
    );
  };
  for (const value of args) {
    if (value === null) continue;
    if (isUnknown(value)) {
      rest = value;
      replaceable();
      continue;
    }
    const object = obj(value, "merge argument");
    const own = mapRest(object);
    if (own) {
      rest = own;
      replaceable();
    }
    Object.assign(result, object);
  }
  return rest ? partialMap(result, rest) : result;
}

function zipmap(args: Value[]): Value {
  const keys = list(args[0] as Value, "zipmap keys");
  const values = list(args[1] as Value, "zipmap values");
  if (keys.length !== values.length)
    throw new EvaluationError(
      `zipmap: ${keys.length} keys but ${values.length} values`,
      "terraform-argument",
    );
  const unknownKey = firstUnknown(keys);
  if (unknownKey) return unknownKey;
  const result: ValueObject = {};
  keys.forEach((key, i) => (result[str(key, "zipmap key")] = values[i] as Value));
  return result;
}

const MAX_PRODUCT = 10_000;

/** Every combination of one element of each argument, the first argument varying slowest. */
function setProduct(args: Value[]): Value {
  const factors = args.map((l) => list(l, "setproduct set"));
  const size = factors.reduce((product, factor) => product * factor.length, 1);
  if (size > MAX_PRODUCT)
    throw new EvaluationError(
      `setproduct: ${size} combinations, more than ${MAX_PRODUCT}`,
      "terraform-limit",
    );
  let combinations: Value[][] = [[]];
  for (const factor of factors)
    combinations = combinations.flatMap((prefix) => factor.map((value) => [...prefix, value]));
  return size === 0 ? [] : combinations;
}

function chunkList(values: Value[], size: number): Value {
  if (size < 0)
    throw new EvaluationError("chunklist size must not be negative", "terraform-argument");
  if (values.length === 0) return [];
  // A size of 0 is one chunk holding the whole list, as Terraform's chunklist returns it.
  if (size === 0) return [values];
  const chunks: Value[] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

function matchKeys(values: Value[], keys: Value[], searchSet: Value[]): Value {
  if (values.length !== keys.length)
    throw new EvaluationError(
      `matchkeys: values and keys must be the same length, got ${values.length} and ${keys.length}`,
      "terraform-argument",
    );
  // Whether an unknown key (or one the search set may hold as an unknown) matches is unknown.
  if (keys.some(containsUnknown) || searchSet.some(containsUnknown)) throw new UnknownResult();
  const wanted = firstIndexOf(searchSet);
  return values.filter((_, i) => wanted(keys[i] as Value) >= 0);
}

/**
 * Terraform's csvdecode (Go's encoding/csv, RFC 4180): the first record names the fields, every
 * other becomes an object of strings; a name given twice keeps its last field.
 */
function csvDecode(text: string): Value {
  const [header, ...rows] = csvRecords(text);
  if (!header) throw new EvaluationError("csvdecode: missing header line", "terraform-argument");
  return rows.map(({ line, fields }) => {
    if (fields.length !== header.fields.length)
      throw new EvaluationError(
        `csvdecode: record on line ${line}: wrong number of fields (${fields.length}, the header has ${header.fields.length})`,
        "terraform-argument",
      );
    const result: ValueObject = {};
    header.fields.forEach((name, i) => (result[name.value] = fields[i]?.value as string));
    return result;
  });
}

/** A CSV field's text and where it is written: `start` to `end` (exclusive), quotes included. */
export interface CsvField {
  value: string;
  start: number;
  end: number;
}

/** A CSV record: the line it starts on, its offsets in the text (`end` exclusive) and its fields. */
export interface CsvRecord {
  line: number;
  start: number;
  end: number;
  fields: CsvField[];
}

/**
 * The records of a CSV text as Go's encoding/csv reads them (RFC 4180): quoted fields may hold
 * commas, quotes doubled and newlines, blank lines are skipped; a stray quote is an error.
 */
export function csvRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: CsvField[] = [];
  let field = "";
  let fieldStart = 0;
  let recordStart = 0;
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let started = false;
  const endField = (end: number): void => {
    fields.push({ value: field, start: fieldStart, end });
    field = "";
    fieldStart = end + 1;
  };
  const endRecord = (end: number): void => {
    if (started) {
      endField(end);
      records.push({ line: recordLine, start: recordStart, end, fields });
    }
    fields = [];
    started = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (!started) {
      if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
        if (c === "\r") i++;
        line++;
        continue;
      }
      started = true;
      recordLine = line;
      recordStart = i;
      fieldStart = i;
    }
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        const next = text[i + 1];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r")
          throw new EvaluationError(
            `csvdecode: line ${line}: extraneous or missing " in quoted field`,
            "terraform-argument",
          );
      } else {
        if (c === "\n") line++;
        if (!(c === "\r" && text[i + 1] === "\n")) field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === '"')
      throw new EvaluationError(
        `csvdecode: line ${line}: bare " in non-quoted field`,
        "terraform-argument",
      );
    else if (c === ",") endField(i);
    else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      endRecord(i);
      if (c === "\r") i++;
      line++;
    } else field += c;
  }
  if (quoted)
    throw new EvaluationError(
      `csvdecode: line ${line}: extraneous or missing " in quoted field`,
      "terraform-argument",
    );
  endRecord(text.length);
  return records;
}

/**
 * The sets a set operation is given, their primitives unified together (`unifiedPrimitives`), as
 * Terraform unifies its arguments' element types: `setintersection(["1"], [1])` is `["1"]`.
 */
function unifiedTogether(sets: Value[][]): Value[][] {
  const all = sets.flat();
  if (unifiedPrimitives(all, "set") === all) return sets;
  return sets.map((set) => toSetValue(set.map((value) => toStringValue(value) as string)));
}

function setOf(values: Value[]): Value[] {
  if (values.some(containsUnknown)) throw new UnknownResult();
  return toSetValue(values);
}

/** Thrown by an implementation when the answer depends on an unknown nested in an argument. */
class UnknownResult extends Error {}

/** The functions that read a file's bytes into a value no rule reads: an encoding or a digest. */
export const FILE_DIGEST_FUNCTIONS = [
  "filebase64",
  "filebase64sha256",
  "filebase64sha512",
  "filemd5",
  "filesha1",
  "filesha256",
  "filesha512",
] as const;

/**
 * `filebase64`, `filemd5`, `filesha256` and the like: the bytes of a file (a Lambda zip, a script)
 * as a value no rule reads, left unknown; the file counts as read when it was given (`fileExists`
 * notes it), as the fetch stage counts it (`fileReadTargets`), so a change to it is a change to
 * the module.
 */
/**
 * `md5`, `sha1`, `sha256`, `sha512` (hexadecimal) and `base64sha256`, `base64sha512`: digests of
 * a string's UTF-8 bytes, known as soon as the string is (a name may end in one).
 */
function stringDigests(): Record<string, FunctionSpec> {
  const digests: [string, string, "hex" | "base64"][] = [
    ["md5", "md5", "hex"],
    ["sha1", "sha1", "hex"],
    ["sha256", "sha256", "hex"],
    ["sha512", "sha512", "hex"],
    ["base64sha256", "sha256", "base64"],
    ["base64sha512", "sha512", "base64"],
  ];
  return Object.fromEntries(
    digests.map(([name, algorithm, encoding]) => [
      name,
      {
        arity: [1, 1],
        run: ([s]) =>
          createHash(algorithm)
            .update(str(s as Value, `${name} argument`), "utf8")
            .digest(encoding),
      } satisfies FunctionSpec,
    ]),
  );
}

function fileDigests(): Record<string, FunctionSpec> {
  return Object.fromEntries(
    FILE_DIGEST_FUNCTIONS.map((name) => [
      name,
      {
        arity: [1, 1],
        run: ([p], context) => {
          context.fileExists(str(p as Value, `${name} path`));
          throw new UnknownResult();
        },
      } satisfies FunctionSpec,
    ]),
  );
}

function regexFind(pattern: string, text: string, all: boolean): Value {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new EvaluationError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
      "terraform-argument",
    );
  }
  const matcher = compiled.matcher(text);
  const results: Value[] = [];
  const groups = compiled.groupCount();
  // Named groups give a map of the captures by name, unnamed ones a list; Terraform rejects both at once.
  const named = Object.entries(compiled.namedGroups());
  if (named.length > 0 && named.length < groups)
    throw new EvaluationError(
      `invalid regular expression ${JSON.stringify(pattern)}: cannot use both named and unnamed capture groups`,
      "terraform-argument",
    );
  while (matcher.find()) {
    // A group that took no part in the match is null, as in Terraform.
    const captures: (string | null)[] = [];
    for (let g = 1; g <= groups; g++) captures.push(matcher.group(g));
    results.push(
      groups === 0
        ? (matcher.group(0) ?? "")
        : named.length > 0
          ? Object.fromEntries(named.map(([name, g]) => [name, captures[g - 1] ?? null]))
          : captures,
    );
    if (!all) break;
  }
  if (all) return results;
  if (results.length === 0)
    throw new EvaluationError(
      `regex: no match for ${JSON.stringify(pattern)}`,
      "terraform-argument",
      true,
    );
  return results[0] as Value;
}

/**
 * Terraform's `parseint`: the whole text, an optional sign then digits of `base` (2 to 62; above
 * 36, upper-case letters are the digits 36 to 61), as Go's `big.Int.SetString` reads it. Terraform
 * fails on anything else (JavaScript's `parseInt("12abc", 10)` is 12, of "zz" NaN).
 */
function parseInteger(text: string, base: number): number {
  if (base < 2 || base > 62)
    throw new EvaluationError(
      "parseint: base must be a whole number between 2 and 62 inclusive",
      "terraform-argument",
      true,
    );
  const digits = text.replace(/^[+-]/, "");
  const value = (char: string): number => {
    const code = char.charCodeAt(0);
    if (code >= 48 && code <= 57) return code - 48;
    if (code >= 97 && code <= 122) return code - 87;
    if (code >= 65 && code <= 90) return base <= 36 ? code - 55 : code - 29;
    return Infinity;
  };
  if (digits === "" || [...digits].some((char) => value(char) >= base))
    throw new EvaluationError(
      `parseint: cannot parse ${JSON.stringify(text)} as a base ${base} integer`,
      "terraform-argument",
      true,
    );
  // Exact, as Terraform's numbers are, until the result is rounded to a float64 once.
  const significant = digits.replace(/^0+/, "");
  const parsed =
    significant.length > 1100
      ? Infinity
      : Number(
          [...significant].reduce((total, char) => total * BigInt(base) + BigInt(value(char)), 0n),
        );
  if (!Number.isFinite(parsed))
    throw new EvaluationError(
      `parseint: ${JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text)} is beyond the largest number Tollgate holds`,
      "terraform-limit",
    );
  // `0 - parsed`, not `-parsed`: parseint("-0", 10) is 0, as cty's big integer has it.
  return text.startsWith("-") ? 0 - parsed : parsed;
}

/**
 * Terraform's `base64decode`: Go's standard encoding, padded, line breaks ignored, the result
 * UTF-8 (Node's decoder skips what it cannot read and never fails).
 */
function decodeBase64(encoded: string): string {
  const data = encoded.replace(/[\r\n]/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(data))
    throw new EvaluationError(
      `base64decode: failed to decode base64 data ${JSON.stringify(encoded)}`,
      "terraform-argument",
    );
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      Buffer.from(data, "base64"),
    );
  } catch {
    throw new EvaluationError(
      "base64decode: the result of decoding the provided string is not valid UTF-8",
      "terraform-argument",
    );
  }
}

/** Runs a CIDR function, its argument errors Terraform's (`try` and `can` catch them). */
function cidr<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof CidrError) throw new EvaluationError(error.message, "terraform-argument");
    throw error;
  }
}

const SPECS: Record<string, FunctionSpec> = {
  abs: { arity: [1, 1], run: ([n]) => Math.abs(num(n as Value, "abs argument")) },
  alltrue: {
    arity: [1, 1],
    run: ([l]) => bools(l as Value, "alltrue list").every((v) => v === true),
  },
  anytrue: {
    arity: [1, 1],
    run: ([l]) => bools(l as Value, "anytrue list").some((v) => v === true),
  },
  base64decode: {
    arity: [1, 1],
    run: ([s]) => decodeBase64(str(s as Value, "base64decode argument")),
  },
  base64encode: {
    arity: [1, 1],
    run: ([s]) => Buffer.from(str(s as Value, "base64encode argument"), "utf8").toString("base64"),
  },
  basename: {
    arity: [1, 1],
    run: ([s]) =>
      str(s as Value, "basename path")
        .replace(/\/+$/, "")
        .split("/")
        .pop() ?? "",
  },
  // floor, ceil and signum give a zero without its sign (`ceil(-0.5)` is 0), as cty's do.
  ceil: { arity: [1, 1], run: ([n]) => Math.ceil(num(n as Value, "ceil argument")) + 0 },
  chunklist: {
    arity: [2, 2],
    run: ([l, n]) =>
      chunkList(list(l as Value, "chunklist list"), int(n as Value, "chunklist size")),
  },
  chomp: {
    arity: [1, 1],
    run: ([s]) => str(s as Value, "chomp argument").replace(/(\r\n|\n|\r)+$/, ""),
  },
  cidrhost: {
    arity: [2, 2],
    run: ([p, n]) =>
      cidr(() => cidrHost(str(p as Value, "cidrhost prefix"), num(n as Value, "cidrhost hostnum"))),
  },
  cidrnetmask: {
    arity: [1, 1],
    run: ([p]) => cidr(() => cidrNetmask(str(p as Value, "cidrnetmask prefix"))),
  },
  cidrsubnet: {
    arity: [3, 3],
    run: ([p, bits, n]) =>
      cidr(() =>
        cidrSubnet(
          str(p as Value, "cidrsubnet prefix"),
          num(bits as Value, "cidrsubnet newbits"),
          num(n as Value, "cidrsubnet netnum"),
        ),
      ),
  },
  cidrsubnets: {
    arity: [1, Infinity],
    run: ([p, ...bits]) =>
      cidr(() =>
        cidrSubnets(
          str(p as Value, "cidrsubnets prefix"),
          bits.map((b) => num(b, "cidrsubnets newbits")),
        ),
      ),
  },
  coalesce: { arity: [1, Infinity], acceptsUnknown: true, acceptsPartial: true, run: coalesce },
  coalescelist: {
    arity: [1, Infinity],
    acceptsUnknown: true,
    acceptsPartial: true,
    run: (args) => {
      for (const value of args) {
        if (isUnknown(value)) return value;
        if (list(value, "coalescelist argument").length > 0) return value;
      }
      throw new EvaluationError("coalescelist: every list is empty", "terraform-argument");
    },
  },
  csvdecode: { arity: [1, 1], run: ([s]) => csvDecode(str(s as Value, "csvdecode argument")) },
  compact: {
    arity: [1, 1],
    acceptsPartial: true,
    run: ([l], context) =>
      partialList(
        elementsOf([list(l as Value, "compact list")], "compact list", true)
          .filter((v) => v !== null && v !== "")
          .map((v) => (isRest(v) ? v : str(v, "compact element"))),
        context.expression,
      ),
  },
  concat: {
    arity: [0, Infinity],
    acceptsUnknown: true,
    acceptsPartial: true,
    run: (args, context) => partialList(elementsOf(args, "concat argument"), context.expression),
  },
  contains: {
    arity: [2, 2],
    acceptsPartial: true,
    run: ([l, v]) => {
      const values = list(l as Value, "contains list");
      if (v === null)
        throw new EvaluationError("contains value is null; a value is required", "terraform-type");
      if (values.some((item) => valuesEqual(item, v as Value))) return true;
      if (values.some(containsUnknown) || containsUnknown(v as Value)) throw new UnknownResult();
      return false;
    },
  },
  dirname: {
    arity: [1, 1],
    run: ([s]) => {
      const path = str(s as Value, "dirname path");
      const cut = path.replace(/\/+$/, "").lastIndexOf("/");
      return cut < 0 ? "." : cut === 0 ? "/" : path.slice(0, cut);
    },
  },
  distinct: {
    arity: [1, 1],
    acceptsPartial: true,
    run: ([l], context) => {
      const values = list(l as Value, "distinct list");
      if (!isPartial(values)) {
        if (values.some(containsUnknown)) throw new UnknownResult();
        return distinctValues(values, "list");
      }
      return partialList(distinctPartial([values], "distinct list", false), context.expression);
    },
  },
  element: { arity: [2, 2], run: element },
  endswith: {
    arity: [2, 2],
    run: ([s, x]) =>
      str(s as Value, "endswith string").endsWith(str(x as Value, "endswith suffix")),
  },
  file: {
    arity: [1, 1],
    run: ([p], context) => {
      const path = str(p as Value, "file path");
      const text = context.readFile(path);
      // A file the fetch stage did not give us (binary, too large, generated) is unknowable, not wrong.
      if (text === undefined) throw new UnknownResult();
      return text;
    },
  },
  fileexists: {
    arity: [1, 1],
    run: ([p], context) => {
      const exists = context.fileExists(str(p as Value, "fileexists path"));
      if (exists === undefined) throw new UnknownResult();
      return exists;
    },
  },
  ...fileDigests(),
  ...stringDigests(),
  flatten: {
    arity: [1, 1],
    acceptsPartial: true,
    run: ([l], context) =>
      partialList(flattenList(list(l as Value, "flatten list")), context.expression),
  },
  floor: { arity: [1, 1], run: ([n]) => Math.floor(num(n as Value, "floor argument")) + 0 },
  format: {
    arity: [1, Infinity],
    acceptsUnknown: true,
    run: ([spec, ...args]) => {
      if (isUnknown(spec as Value)) return spec as Value;
      // Terraform 1.11 gives an unknown for a null argument (`format("%v", null)`), not "null".
      if (args.includes(null)) throw new UnknownResult();
      const text = formatGo(str(spec as Value, "format string"), args);
      if (text === undefined) throw new UnknownResult();
      return bounded(text);
    },
  },
  formatlist: {
    arity: [1, Infinity],
    run: ([spec, ...args]) => {
      const lengths = args.filter(Array.isArray).map((a) => a.length);
      if (new Set(lengths).size > 1)
        throw new EvaluationError(
          "formatlist: the list arguments differ in length",
          "terraform-argument",
        );
      const count = lengths[0] ?? 1;
      const result: Value[] = [];
      for (let i = 0; i < count; i++) {
        const row = args.map((a) => (Array.isArray(a) ? (a[i] as Value) : a));
        const text = formatGo(str(spec as Value, "formatlist format"), row);
        result.push(text === undefined ? unknown(`formatlist element ${i}`) : text);
      }
      return result;
    },
  },
  indent: {
    arity: [2, 2],
    run: ([n, s]) =>
      str(s as Value, "indent string").replace(
        /\n/g,
        "\n" + " ".repeat(Math.min(int(n as Value, "indent spaces"), 1000)),
      ),
  },
  index: {
    arity: [2, 2],
    run: ([l, v]) => {
      const values = list(l as Value, "index list");
      const at = values.findIndex((item) => valuesEqual(item, v as Value));
      // An unknown before the first match, or an unknown sought, may be the first match.
      if (
        containsUnknown(v as Value) ||
        values.slice(0, at < 0 ? undefined : at).some(containsUnknown)
      )
        throw new UnknownResult();
      if (at < 0)
        throw new EvaluationError(
          `index: ${describe(v as Value)} is not in the list`,
          "terraform-argument",
          true,
        );
      return at;
    },
  },
  join: {
    arity: [2, Infinity],
    run: ([sep, ...lists]) => {
      const parts = lists.flatMap((l) => list(l, "join list"));
      if (parts.some(isUnknown)) throw new UnknownResult();
      return bounded(
        parts.map((p) => str(p, "join element")).join(str(sep as Value, "join separator")),
      );
    },
  },
  jsondecode: { arity: [1, 1], run: ([s]) => jsonDecode(str(s as Value, "jsondecode argument")) },
  jsonencode: {
    arity: [1, 1],
    acceptsUnknown: true,
    acceptsPartial: true,
    // A partial list is written with its rest as an unknown element; a partial map, unknown.
    run: ([v]) => {
      const value = settlePartial(v as Value);
      return isUnknown(value) ? value : bounded(marshalJson(value));
    },
  },
  keys: { arity: [1, 1], run: ([m]) => sortedKeys(obj(m as Value, "keys argument")) },
  length: {
    arity: [1, 1],
    run: ([v]) => {
      if (typeof v === "string") return graphemes(v).length;
      if (isObject(v as Value)) return Object.keys(v as ValueObject).length;
      return list(v as Value, "length argument").length;
    },
  },
  log: {
    arity: [2, 2],
    run: ([n, b]) =>
      Math.log(num(n as Value, "log number")) / Math.log(num(b as Value, "log base")),
  },
  lookup: { arity: [2, 3], acceptsUnknown: true, acceptsPartial: true, run: lookup },
  lower: { arity: [1, 1], run: ([s]) => lowerCase(str(s as Value, "lower argument")) },
  max: {
    arity: [1, Infinity],
    run: (args) =>
      extreme(
        args.map((a) => num(a, "max argument")),
        (n, best) => n > best,
      ),
  },
  matchkeys: {
    arity: [3, 3],
    run: ([v, k, s]) =>
      matchKeys(
        list(v as Value, "matchkeys values"),
        list(k as Value, "matchkeys keys"),
        list(s as Value, "matchkeys searchset"),
      ),
  },
  merge: { arity: [0, Infinity], acceptsUnknown: true, acceptsPartial: true, run: merge },
  min: {
    arity: [1, Infinity],
    run: (args) =>
      extreme(
        args.map((a) => num(a, "min argument")),
        (n, best) => n < best,
      ),
  },
  nonsensitive: {
    arity: [1, 1],
    acceptsUnknown: true,
    acceptsPartial: true,
    run: ([v]) => v as Value,
  },
  one: {
    arity: [1, 1],
    run: ([l]) => {
      const values = list(l as Value, "one list");
      if (values.length > 1)
        throw new EvaluationError(
          `one: the list has ${values.length} elements`,
          "terraform-argument",
          true,
        );
      return values[0] ?? null;
    },
  },
  parseint: {
    arity: [2, 2],
    run: ([s, b]) =>
      parseInteger(str(s as Value, "parseint string"), int(b as Value, "parseint base")),
  },
  pow: {
    arity: [2, 2],
    run: ([b, e]) => Math.pow(num(b as Value, "pow base"), num(e as Value, "pow exponent")),
  },
  range: { arity: [1, 3], run: (args) => range(args.map((a) => num(a, "range argument"))) },
  regex: {
    arity: [2, 2],
    run: ([p, s]) =>
      regexFind(str(p as Value, "regex pattern"), str(s as Value, "regex string"), false),
  },
  regexall: {
    arity: [2, 2],
    run: ([p, s]) =>
      regexFind(str(p as Value, "regexall pattern"), str(s as Value, "regexall string"), true),
  },
  // A replacement unknown until apply (a bucket's id put into a policy template) changes nothing
  // in a text the substring or pattern does not occur in: that text is the result.
  replace: {
    arity: [3, 3],
    acceptsUnknown: true,
    run: ([s, f, r]) => {
      const text = str(s as Value, "replace string");
      const search = str(f as Value, "replace substring");
      if (isUnknown(r as Value) && !occursIn(text, search)) return text;
      return replace(text, search, str(r as Value, "replace replacement"));
    },
  },
  reverse: { arity: [1, 1], run: ([l]) => [...list(l as Value, "reverse list")].reverse() },
  sensitive: {
    arity: [1, 1],
    acceptsUnknown: true,
    acceptsPartial: true,
    run: ([v]) => v as Value,
  },
  // An unknown element of any set may match one of another: which elements remain is unknown.
  setintersection: {
    arity: [1, Infinity],
    run: (args) => {
      const [first = [], ...rest] = unifiedTogether(
        args.map((l) => setOf(list(l, "setintersection set"))),
      );
      const others = rest.map(firstIndexOf);
      return first.filter((v) => others.every((other) => other(v) >= 0));
    },
  },
  setproduct: { arity: [2, Infinity], run: setProduct },
  setsubtract: {
    arity: [2, 2],
    run: (args) => {
      const [from = [], removed = []] = unifiedTogether(
        args.map((l) => setOf(list(l, "setsubtract set"))),
      );
      const isRemoved = firstIndexOf(removed);
      return from.filter((v) => isRemoved(v) < 0);
    },
  },
  setunion: {
    arity: [1, Infinity],
    acceptsUnknown: true,
    acceptsPartial: true,
    run: (args, context) => {
      if (!args.some(isUnknown) && !args.some(isPartial))
        return setOf(args.flatMap((l) => list(l, "setunion set")));
      return partialList(distinctPartial(args, "setunion set", true), context.expression);
    },
  },
  signum: { arity: [1, 1], run: ([n]) => Math.sign(num(n as Value, "signum argument")) + 0 },
  slice: {
    arity: [3, 3],
    run: ([l, a, b]) => {
      const values = list(l as Value, "slice list");
      const from = int(a as Value, "slice start");
      const to = int(b as Value, "slice end");
      if (from < 0 || to > values.length || from > to)
        throw new EvaluationError(
          `slice: indexes ${from}..${to} do not fit a list of ${values.length}`,
          "terraform-argument",
          true,
        );
      return values.slice(from, to);
    },
  },
  sort: {
    arity: [1, 1],
    run: ([l]) => {
      const values = list(l as Value, "sort list");
      if (values.some(isUnknown)) throw new UnknownResult();
      return values.map((v) => str(v, "sort element")).sort(compareStrings);
    },
  },
  split: {
    arity: [2, 2],
    run: ([sep, s]) => str(s as Value, "split string").split(str(sep as Value, "split separator")),
  },
  startswith: {
    arity: [2, 2],
    run: ([s, x]) =>
      str(s as Value, "startswith string").startsWith(str(x as Value, "startswith prefix")),
  },
  strcontains: {
    arity: [2, 2],
    run: ([s, x]) =>
      str(s as Value, "strcontains string").includes(str(x as Value, "strcontains substring")),
  },
  strrev: {
    arity: [1, 1],
    run: ([s]) =>
      graphemes(str(s as Value, "strrev argument"))
        .reverse()
        .join(""),
  },
  substr: {
    arity: [3, 3],
    run: ([s, o, l]) =>
      substr(
        str(s as Value, "substr string"),
        int(o as Value, "substr offset"),
        int(l as Value, "substr length"),
      ),
  },
  sum: {
    arity: [1, 1],
    run: ([l], { expression }) => {
      const values = list(l as Value, "sum list");
      if (values.length === 0)
        throw new EvaluationError(
          "sum of an empty list; Terraform cannot sum one",
          "terraform-argument",
        );
      // As cty's Add, in 512 bits (`sum([0.1, 0.2])` is 0.3).
      return exactSum(
        values.map((v) => num(v, "sum element")),
        expression,
      );
    },
  },
  title: {
    arity: [1, 1],
    run: ([s]) => titleCase(str(s as Value, "title argument")),
  },
  tobool: {
    arity: [1, 1],
    run: ([v]) => (v === null ? null : toBoolValue(v as Value, "tobool argument")),
  },
  tolist: {
    arity: [1, 1],
    acceptsPartial: true,
    run: ([v]) =>
      v === null ? null : unifiedElements(list(v as Value, "tolist argument"), "list"),
  },
  tomap: {
    arity: [1, 1],
    run: ([v]) => {
      if (v === null) return null;
      const map = obj(v as Value, "tomap argument");
      const values = Object.values(map);
      const unified = unifiedElements(values, "map");
      if (unified === values) return map;
      const keys = Object.keys(map);
      return Object.fromEntries(keys.map((key, i) => [key, unified[i] as Value]));
    },
  },
  tonumber: {
    arity: [1, 1],
    run: ([v], { expression }) => {
      if (v === null) return null;
      // The number the string writes, in 512 bits as cty reads it (carried where no float64 is it).
      const decimal = typeof v === "string" ? decimalLiteral(v) : undefined;
      // A zero keeps its sign (`tonumber("-0")` is -0), which the 512-bit number does not hold.
      if (decimal !== undefined)
        return Number(decimal) === 0
          ? Number(decimal)
          : literalNumber(decimal, Number(decimal), expression);
      try {
        return toNumberValue(v as Value, "tonumber argument");
      } catch (error) {
        // Terraform's tonumber fails on such a string too (it reads no "0x", no spaces).
        if (!(error instanceof EvaluationError)) throw error;
        throw new EvaluationError(error.message, error.code, true);
      }
    },
  },
  toset: {
    arity: [1, 1],
    acceptsPartial: true,
    run: ([v], context) => {
      if (v === null) return null;
      const values = list(v as Value, "toset argument");
      if (!isPartial(values)) {
        if (values.some(containsUnknown)) throw new UnknownResult();
        return toSetValue(unifiedElements(values, "set"));
      }
      return partialList(distinctPartial([values], "toset argument", true), context.expression);
    },
  },
  tostring: {
    arity: [1, 1],
    // A number only Terraform's 512-bit numbers hold is written as Terraform writes it.
    acceptsUnknown: true,
    run: ([v], { expression }) => {
      if (v === null) return null;
      const text = toStringValue(v as Value, "tostring argument");
      return isUnknown(text) ? unknown(expression) : text;
    },
  },
  transpose: {
    arity: [1, 1],
    run: ([m]) => {
      const result: { [key: string]: Value[] } = {};
      for (const [key, values] of Object.entries(obj(m as Value, "transpose map"))) {
        for (const value of list(values, "transpose value"))
          (result[str(value, "transpose element")] ??= []).push(key);
      }
      return result;
    },
  },
  trim: {
    arity: [2, 2],
    run: ([s, cut]) =>
      trimChars(str(s as Value, "trim string"), str(cut as Value, "trim characters")),
  },
  trimprefix: {
    arity: [2, 2],
    run: ([s, p]) => {
      const text = str(s as Value, "trimprefix string");
      const prefix = str(p as Value, "trimprefix prefix");
      return text.startsWith(prefix) ? text.slice(prefix.length) : text;
    },
  },
  trimspace: { arity: [1, 1], run: ([s]) => str(s as Value, "trimspace argument").trim() },
  trimsuffix: {
    arity: [2, 2],
    run: ([s, p]) => {
      const text = str(s as Value, "trimsuffix string");
      const suffix = str(p as Value, "trimsuffix suffix");
      return suffix !== "" && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
    },
  },
  upper: { arity: [1, 1], run: ([s]) => upperCase(str(s as Value, "upper argument")) },
  urlencode: { arity: [1, 1], run: ([s]) => urlEncode(str(s as Value, "urlencode argument")) },
  values: {
    arity: [1, 1],
    run: ([m]) =>
      ((o) => sortedKeys(o).map((k) => o[k] as Value))(obj(m as Value, "values argument")),
  },
  yamldecode: {
    arity: [1, 1],
    run: ([s]) => {
      try {
        return decodeYaml(str(s as Value, "yamldecode argument"));
      } catch (error) {
        if (error instanceof EvaluationError) throw error;
        throw new EvaluationError(`yamldecode: ${(error as Error).message}`, "terraform-argument");
      }
    },
  },
  yamlencode: {
    arity: [1, 1],
    run: ([v]) => {
      if (containsUnknown(v as Value)) throw new UnknownResult();
      return bounded(encodeYaml(v as Value));
    },
  },
  zipmap: { arity: [2, 2], run: zipmap },
};

/** Go's url.QueryEscape: UTF-8 bytes percent-encoded but for letters, digits and `-_.~`; space as `+`. */
function urlEncode(text: string): string {
  let encoded = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) encoded += c;
    else if (c === " ") encoded += "+";
    else encoded += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return bounded(encoded);
}

function trimChars(text: string, cut: string): string {
  const chars = new Set([...cut]);
  const list = [...text];
  let start = 0;
  let end = list.length;
  while (start < end && chars.has(list[start] as string)) start++;
  while (end > start && chars.has(list[end - 1] as string)) end--;
  return list.slice(start, end).join("");
}

/**
 * Every function Terraform (1.x) defines. `try`, `can` and `templatefile` are evaluated by the
 * expression evaluator (they need unevaluated arguments or a template parse); the others without
 * an implementation above depend on time, randomness, the file system or cryptography, or are
 * encodings no rule reads (`base64gzip`), and evaluate to unknown. `templatestring` is evaluated
 * by the expression evaluator too.
 */
const TERRAFORM_FUNCTIONS = new Set([
  ...Object.keys(SPECS),
  ...(
    "abspath base64gzip bcrypt can " +
    "fileset formatdate issensitive " +
    "list map pathexpand plantimestamp rsadecrypt templatestring " +
    "templatefile textdecodebase64 textencodebase64 timeadd timecmp timestamp try type uuid uuidv5 ephemeralasnull"
  ).split(" "),
]);

export function isTerraformFunction(name: string): boolean {
  return (
    TERRAFORM_FUNCTIONS.has(name) || name.startsWith("provider::") || name.startsWith("core::")
  );
}

/**
 * Calls a Terraform function by name on evaluated arguments. Unknown arguments make the result
 * unknown (named by the call's text) unless the function decides otherwise; argument errors
 * are thrown as `EvaluationError`. The caller checks `isTerraformFunction` first.
 */
export function callFunction(name: string, args: Value[], context: FunctionContext): Value {
  const spec = SPECS[name.replace(/^core::/, "")];
  if (!spec) return unknown(context.expression);
  const [least, most] = spec.arity;
  if (args.length < least || args.length > most) {
    const expected =
      least === most ? `${least}` : most === Infinity ? `at least ${least}` : `${least} to ${most}`;
    throw new EvaluationError(
      `${name} takes ${expected} argument${least === 1 && most === 1 ? "" : "s"}, ${args.length} given`,
      "terraform-argument",
    );
  }
  if (!spec.acceptsUnknown && args.some(isUnknown)) return unknown(context.expression);
  if (!spec.acceptsPartial && args.some(isPartial)) return unknown(context.expression);
  try {
    const result = spec.run(args, context);
    // Terraform's numbers cannot hold NaN (`log(-1, 10)`, `pow(-8, 0.5)`): its call fails.
    if (typeof result === "number" && Number.isNaN(result))
      throw new EvaluationError("the result is not a number", "terraform-argument", true);
    return result;
  } catch (error) {
    if (error instanceof UnknownResult) return unknown(context.expression);
    if (error instanceof EvaluationError)
      throw new EvaluationError(
        `${name}: ${error.message.replace(new RegExp(`^${name}: `), "")}`,
        error.code,
        error.failsPlan,
      );
    throw error;
  }
}
