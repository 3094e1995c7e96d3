// OPA's json.verify_schema and json.match_schema, with the semantics and the error objects of the
// gojsonschema library OPA embeds: drafts 4, 6 and 7 read together (its "hybrid" mode), patterns
// as RE2 (linear time, Go's dialect), errors as {error, type, field, desc}. Written here rather
// than on ajv, which compiles schemas, possibly from input, to JavaScript with backtracking
// ECMAScript regular expressions. References resolve within the schema, by JSON pointer or by
// `$id`; OPA would fetch a remote one, a scan has no network. Nesting and work are bounded so a
// hostile schema fails cleanly.
import { RE2JS } from "re2js";
import { decimal, isObject } from "./host-operands.js";
import { RegoNumber, RegoSet, type HostFunction, type HostValue } from "./host-value.js";

type Schema = boolean | { [keyword: string]: HostValue };

/** One failed check, as OPA reports it. */
type SchemaError = { error: string; type: string; field: string; desc: string };

const TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];
/** Deeper schemas, or documents followed that deep, are refused rather than overflow the stack. */
const MAX_DEPTH = 256;
/**
 * Subschema visits one compile or validation may make: references to anyOf of references... are
 * exponential otherwise. Half a million visits take about a second here.
 */
const MAX_STEPS = 500_000;

class SchemaCompileError extends Error {}

// ---- values ----

function isNumber(v: HostValue | undefined): v is number | RegoNumber {
  return typeof v === "number" || v instanceof RegoNumber;
}

function isInteger(v: number | RegoNumber): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  const parts = decimal(v.text);
  if (parts === undefined) return false;
  return parts.exponent >= 0 || parts.coefficient % 10n ** BigInt(-parts.exponent) === 0n;
}

/** The JSON type gojsonschema reports for a value ("integer" for a whole number). */
function jsonType(v: HostValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "string") return "string";
  if (isNumber(v)) return isInteger(v) ? "integer" : "number";
  if (Array.isArray(v) || v instanceof RegoSet) return "array";
  return "object";
}

/** Exact rational comparison of two numbers: -1, 0 or 1. */
function compareNumbers(a: number | RegoNumber, b: number | RegoNumber): number {
  const x = decimal(typeof a === "number" ? String(a) : a.text);
  const y = decimal(typeof b === "number" ? String(b) : b.text);
  if (x === undefined || y === undefined) return Math.sign(Number(a) - Number(b));
  const exponent = Math.min(x.exponent, y.exponent);
  const scaledX = x.coefficient * 10n ** BigInt(x.exponent - exponent);
  const scaledY = y.coefficient * 10n ** BigInt(y.exponent - exponent);
  return scaledX < scaledY ? -1 : scaledX > scaledY ? 1 : 0;
}

function isMultipleOf(value: number | RegoNumber, divisor: number | RegoNumber): boolean {
  const x = decimal(typeof value === "number" ? String(value) : value.text);
  const y = decimal(typeof divisor === "number" ? String(divisor) : divisor.text);
  if (x === undefined || y === undefined || y.coefficient === 0n) return false;
  const exponent = Math.min(x.exponent, y.exponent);
  return (
    (x.coefficient * 10n ** BigInt(x.exponent - exponent)) %
      (y.coefficient * 10n ** BigInt(y.exponent - exponent)) ===
    0n
  );
}

/** Go's big.Float printed by text/template (`%g`, ten significant digits). */
function goNumber(v: number | RegoNumber): string {
  const n = Number(typeof v === "number" ? v : v.text);
  if (Number.isInteger(n) && Math.abs(n) < 1e10) return String(n);
  const [mantissa = "", exponent] = n.toPrecision(10).split("e");
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  if (exponent === undefined) return trimmed;
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${trimmed}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
}

/** Go's json.Marshal of the value (keys sorted, <, > and & escaped): how gojsonschema compares. */
function marshal(v: HostValue): string {
  if (v instanceof RegoSet) return marshal(v.elements);
  if (isNumber(v)) return String(Number(typeof v === "number" ? v : v.text));
  if (Array.isArray(v)) return `[${v.map(marshal).join(",")}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((key) => `${marshal(key)}:${marshal(v[key]!)}`)
      .join(",")}}`;
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

// ---- compiling: the checks gojsonschema makes when it parses a schema ----

const regexCache = new Map<string, RE2JS>();

function regex(pattern: string): RE2JS {
  let compiled = regexCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch {
      throw new SchemaCompileError(`Invalid regex pattern '${pattern}'`);
    }
    if (regexCache.size >= 256) regexCache.clear();
    regexCache.set(pattern, compiled);
  }
  return compiled;
}

/** Where a schema without an `$id` lives, so relative references have a base to resolve against. */
const DEFAULT_BASE = "https://schema.tollgate.invalid/root.json";

/** Keywords whose values are schemas, or maps or arrays of schemas (never `enum`, `const`, ...). */
const SCHEMA_MAPS = ["properties", "patternProperties", "definitions", "$defs", "dependencies"];
const SCHEMA_VALUES = ["additionalProperties", "additionalItems", "items", "not", "contains"];
const SCHEMA_MORE = ["propertyNames", "if", "then", "else", "allOf", "anyOf", "oneOf"];

/**
 * The schemas a `$ref` can reach: each by its `$id` (draft 4's `id`), resolved against the `$id`
 * of the schema around it as gojsonschema resolves them, the root under its own `$id` or a
 * placeholder base. `#/a/b` pointers resolve within the document their base names, `#name`
 * against an `$id` of `#name`, `other.json#/a` against an `$id` of `other.json`. A reference to
 * a document no `$id` declares would need the network and is an error.
 */
class SchemaIndex {
  private readonly byUri = new Map<string, Schema>();
  private readonly baseOf = new WeakMap<object, string>();
  private readonly resolved = new WeakMap<object, Schema>();

  constructor(readonly root: Schema) {
    this.visit(root, DEFAULT_BASE, 0, { steps: 0 });
  }

  private visit(schema: HostValue, base: string, depth: number, budget: { steps: number }): void {
    if (!isObject(schema) || depth > MAX_DEPTH || ++budget.steps > MAX_STEPS) return;
    const id = typeof schema.$id === "string" ? schema.$id : schema.id;
    let here = base;
    if (typeof id === "string") {
      try {
        here = new URL(id, base).href;
      } catch {
        throw new SchemaCompileError(`invalid $id: ${id}`);
      }
      const key = /#./.test(here) ? here : withoutFragment(here);
      if (!this.byUri.has(key)) this.byUri.set(key, schema);
    }
    if (depth === 0 && !this.byUri.has(withoutFragment(here)))
      this.byUri.set(withoutFragment(here), schema);
    this.baseOf.set(schema, here);
    const sub = (value: HostValue) => this.visit(value, here, depth + 1, budget);
    for (const keyword of SCHEMA_MAPS) {
      const value = schema[keyword];
      if (isObject(value)) Object.values(value).forEach(sub);
    }
    for (const keyword of [...SCHEMA_VALUES, ...SCHEMA_MORE]) {
      const value = schema[keyword];
      if (Array.isArray(value)) value.forEach(sub);
      else if (value !== undefined) sub(value);
    }
  }

  /** The schema `ref`, written in `from`, names; remembered per referring schema. */
  resolve(from: HostValue, ref: string): Schema {
    const known = isObject(from) ? this.resolved.get(from) : undefined;
    if (known !== undefined) return known;
    const target = this.lookup(from, ref);
    if (isObject(from)) this.resolved.set(from, target);
    return target;
  }

  private lookup(from: HostValue, ref: string): Schema {
    const base = (isObject(from) && this.baseOf.get(from)) || DEFAULT_BASE;
    let url: URL;
    try {
      url = new URL(ref, base);
    } catch {
      throw new SchemaCompileError(`invalid reference: ${ref}`);
    }
    const fragment = decodeURIComponent(url.hash.slice(1));
    const document = withoutFragment(url.href);
    if (fragment !== "" && !fragment.startsWith("/")) {
      const named = this.byUri.get(`${document}#${fragment}`);
      if (named === undefined) throw new SchemaCompileError(`no schema has the $id ${ref}`);
      return named;
    }
    const target = this.byUri.get(document);
    if (target === undefined)
      throw new SchemaCompileError(
        `remote references are not supported (no network during a scan): ${ref}`,
      );
    return pointedTo(target, fragment);
  }
}

function withoutFragment(uri: string): string {
  const hash = uri.indexOf("#");
  return hash < 0 ? uri : uri.slice(0, hash);
}

/** A JSON pointer (`/definitions/a~1b`) followed from a schema. */
function pointedTo(document: Schema, pointer: string): Schema {
  let target: HostValue = document;
  if (pointer !== "") {
    for (const raw of pointer.slice(1).split("/")) {
      const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      const next: HostValue | undefined = Array.isArray(target)
        ? target[Number(token)]
        : isObject(target) && Object.hasOwn(target, token)
          ? target[token]
          : undefined;
      if (next === undefined) throw new SchemaCompileError(`Object has no key '${token}'`);
      target = next;
    }
  }
  if (typeof target !== "boolean" && !isObject(target))
    throw new SchemaCompileError(`Invalid type. Expected: object, given: ${jsonType(target)}`);
  return target;
}

function invalidType(expected: string, keyword: string): SchemaCompileError {
  return new SchemaCompileError(`Invalid type. Expected: ${expected}, given: ${keyword}`);
}

/** Checks every keyword Tollgate validates with, as gojsonschema's parser does; throws its messages. */
function check(index: SchemaIndex, schema: HostValue, depth: number, budget = { steps: 0 }): void {
  if (depth > MAX_DEPTH) throw new SchemaCompileError(`schema nested deeper than ${MAX_DEPTH}`);
  if (++budget.steps > MAX_STEPS)
    throw new SchemaCompileError(`schema has over ${MAX_STEPS} subschemas`);
  if (typeof schema === "boolean") return;
  if (!isObject(schema)) throw invalidType("object", jsonType(schema));
  const sub = (value: HostValue) => check(index, value, depth + 1, budget);
  if (typeof schema.$ref === "string") {
    index.resolve(schema, schema.$ref);
    return;
  }
  const type = schema.type;
  if (type !== undefined) {
    const names = Array.isArray(type) ? type : [type];
    for (const name of names) {
      if (typeof name !== "string") throw invalidType("string/array of strings", "type");
      if (!TYPES.includes(name))
        throw new SchemaCompileError(
          `has a primitive type that is NOT VALID -- given: /${name}/ Expected valid values are:[${TYPES.join(" ")}]`,
        );
    }
  }
  for (const keyword of ["properties", "patternProperties", "definitions", "$defs"]) {
    const value = schema[keyword];
    if (value === undefined) continue;
    if (!isObject(value)) throw invalidType("object", keyword);
    for (const [name, child] of Object.entries(value)) {
      if (keyword === "patternProperties") regex(name);
      sub(child);
    }
  }
  for (const keyword of [
    "additionalProperties",
    "additionalItems",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
  ])
    if (schema[keyword] !== undefined) sub(schema[keyword]);
  const items = schema.items;
  if (Array.isArray(items)) items.forEach(sub);
  else if (items !== undefined) sub(items);
  for (const keyword of ["allOf", "anyOf", "oneOf"]) {
    const value = schema[keyword];
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.length === 0) throw invalidType("array", keyword);
    value.forEach(sub);
  }
  const dependencies = schema.dependencies;
  if (dependencies !== undefined) {
    if (!isObject(dependencies)) throw invalidType("object", "dependencies");
    for (const dependency of Object.values(dependencies))
      if (Array.isArray(dependency)) {
        if (dependency.some((name) => typeof name !== "string"))
          throw new SchemaCompileError("dependencies items must be string");
      } else sub(dependency);
  }
  const counts = [
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
  ];
  for (const keyword of counts) {
    const value = schema[keyword];
    if (value === undefined) continue;
    if (!isNumber(value) || !isInteger(value)) throw invalidType("integer", keyword);
    if (Number(typeof value === "number" ? value : value.text) < 0)
      throw new SchemaCompileError(`${keyword} must be greater than or equal to 0`);
  }
  for (const keyword of [
    "minimum",
    "maximum",
    "multipleOf",
    "exclusiveMinimum",
    "exclusiveMaximum",
  ]) {
    const value = schema[keyword];
    if (value === undefined) continue;
    const draft4Flag = keyword.startsWith("exclusive") && typeof value === "boolean";
    if (!draft4Flag && !isNumber(value)) throw invalidType("number", keyword);
    if (keyword === "multipleOf" && isNumber(value) && compareNumbers(value, 0) <= 0)
      throw new SchemaCompileError("multipleOf must be strictly greater than 0");
  }
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== "string") throw invalidType("string", "pattern");
    regex(schema.pattern);
  }
  if (schema.required !== undefined) {
    const required = schema.required;
    if (!Array.isArray(required)) throw invalidType("array", "required");
    if (required.some((name) => typeof name !== "string"))
      throw new SchemaCompileError("required items must be string");
  }
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum)) throw invalidType("array", "enum");
    const seen = new Set(schema.enum.map(marshal));
    if (seen.size !== schema.enum.length) throw new SchemaCompileError("enum items must be unique");
  }
  if (schema.format !== undefined && typeof schema.format !== "string")
    throw invalidType("string", "format");
}

// ---- formats (gojsonschema's checkers; a value of another type, or an unknown format, passes) ----

const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(s) &&
    validDate(s.slice(0, 10)) &&
    validTime(s.slice(11)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && validDate(s),
  time: (s) => /^\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(s) && validTime(s),
  email: (s) => /^[^@\s<>]+@[^@\s<>]+$/.test(s),
  hostname: (s) =>
    s.length <= 255 &&
    s
      .replace(/\.$/, "")
      .split(".")
      .every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)),
  ipv4: (s) =>
    /^(?:\d{1,3}\.){3}\d{1,3}$/.test(s) && s.split(".").every((octet) => Number(octet) <= 255),
  ipv6: (s) => s.includes(":") && /^[0-9A-Fa-f:.]+$/.test(s) && isIpv6(s),
  uri: (s) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s),
  uuid: (s) => /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/.test(s),
  regex: (s) => {
    try {
      RE2JS.compile(s);
      return true;
    } catch {
      return false;
    }
  },
};

function validDate(s: string): boolean {
  const [year = 0, month = 0, day = 0] = s.split("-").map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

function validTime(s: string): boolean {
  const [hour = 0, minute = 0, second = 0] = s.slice(0, 8).split(":").map(Number);
  return hour <= 23 && minute <= 59 && second <= 60;
}

function isIpv6(s: string): boolean {
  try {
    return new URL(`http://[${s}]/`).hostname.length > 0;
  } catch {
    return false;
  }
}

// ---- validating: gojsonschema's walk, its order of errors and its "closest match" score ----

class Result {
  errors: SchemaError[] = [];
  score = 0;
}

/** Context path -> gojsonschema's Field(): "(root)" or the path below it ("a.0.b"). */
function field(path: string[]): string {
  return path.length === 0 ? "(root)" : path.join(".");
}

class Validator {
  private steps = 0;

  constructor(private readonly index: SchemaIndex) {}

  private add(result: Result, type: string, path: string[], desc: string): void {
    const name = field(path);
    result.errors.push({ error: `${name}: ${desc}`, type, field: name, desc });
  }

  sub(schema: HostValue, value: HostValue, path: string[], depth: number): Result {
    const result = new Result();
    this.validate(schema as Schema, value, result, path, depth);
    return result;
  }

  validate(schema: Schema, value: HostValue, result: Result, path: string[], depth: number): void {
    if (++this.steps > MAX_STEPS) throw new Error(`schema validation took over ${MAX_STEPS} steps`);
    if (depth > MAX_DEPTH) throw new Error(`schema validation nested deeper than ${MAX_DEPTH}`);
    if (typeof schema === "boolean") {
      if (!schema) this.add(result, "false", path, "False always fails validation");
      return;
    }
    if (typeof schema.$ref === "string") {
      this.validate(this.index.resolve(schema, schema.$ref), value, result, path, depth + 1);
      return;
    }
    const declared = schema.type === undefined ? [] : [schema.type].flat();
    const given = jsonType(value);
    if (
      declared.length > 0 &&
      !declared.includes(given) &&
      !(given === "integer" && declared.includes("number"))
    ) {
      const expected = declared.length === 1 ? String(declared[0]) : `[${declared.join(",")}]`;
      this.add(
        result,
        "invalid_type",
        path,
        `Invalid type. Expected: ${expected}, given: ${given}`,
      );
      return;
    }
    this.validateCombinations(schema, value, result, path, depth);
    if (isNumber(value)) this.validateNumber(schema, value, result, path);
    if (given === "array") this.validateArray(schema, elementsOf(value), result, path, depth);
    if (given === "object")
      this.validateObject(schema, value as { [key: string]: HostValue }, result, path, depth);
    this.validateCommon(schema, value, result, path);
    if (typeof value === "string") this.validateString(schema, value, result, path);
    if (given === "object" && isObject(schema.properties)) {
      const object = value as { [key: string]: HostValue };
      for (const [name, child] of Object.entries(schema.properties))
        if (Object.hasOwn(object, name))
          this.validate(child as Schema, object[name]!, result, [...path, name], depth + 1);
    }
    result.score++;
  }

  private validateCombinations(
    schema: { [keyword: string]: HostValue },
    value: HostValue,
    result: Result,
    path: string[],
    depth: number,
  ): void {
    const at = (child: HostValue) => this.sub(child, value, path, depth + 1);
    const closest = (results: Result[]) =>
      results.reduce<Result | undefined>(
        (best, r) => (best === undefined || r.score > best.score ? r : best),
        undefined,
      );
    if (Array.isArray(schema.anyOf)) {
      const failed: Result[] = [];
      let valid = false;
      for (const child of schema.anyOf) {
        const r = at(child);
        if (r.errors.length === 0) {
          valid = true;
          break;
        }
        failed.push(r);
      }
      if (!valid) {
        this.add(result, "number_any_of", path, "Must validate at least one schema (anyOf)");
        result.errors.push(...(closest(failed)?.errors ?? []));
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const results = schema.oneOf.map(at);
      const passed = results.filter((r) => r.errors.length === 0).length;
      if (passed !== 1) {
        this.add(result, "number_one_of", path, "Must validate one and only one schema (oneOf)");
        if (passed === 0) result.errors.push(...(closest(results)?.errors ?? []));
      }
    }
    if (Array.isArray(schema.allOf)) {
      const results = schema.allOf.map(at);
      for (const r of results) result.errors.push(...r.errors);
      if (results.some((r) => r.errors.length > 0))
        this.add(result, "number_all_of", path, "Must validate all the schemas (allOf)");
    }
    if (schema.not !== undefined && at(schema.not).errors.length === 0)
      this.add(result, "number_not", path, "Must not validate the schema (not)");
    if (isObject(schema.dependencies) && isObject(value)) {
      for (const name of Object.keys(value).sort()) {
        const dependency = schema.dependencies[name];
        if (Array.isArray(dependency)) {
          for (const needed of dependency)
            if (!Object.hasOwn(value, String(needed)))
              this.add(result, "missing_dependency", path, `Has a dependency on ${String(needed)}`);
        } else if (dependency !== undefined)
          this.validate(dependency as Schema, value, result, path, depth + 1);
      }
    }
    if (schema.if !== undefined) {
      const condition = at(schema.if).errors.length === 0;
      const branch = condition ? schema.then : schema.else;
      if (branch !== undefined) {
        const r = at(branch);
        if (r.errors.length > 0) {
          if (condition)
            this.add(result, "condition_then", path, 'Must validate "then" as "if" was valid');
          else
            this.add(result, "condition_else", path, 'Must validate "else" as "if" was not valid');
          result.errors.push(...r.errors);
        }
      }
    }
    result.score++;
  }

  private validateNumber(
    schema: { [keyword: string]: HostValue },
    value: number | RegoNumber,
    result: Result,
    path: string[],
  ): void {
    const { multipleOf, minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
    if (isNumber(multipleOf) && !isMultipleOf(value, multipleOf))
      this.add(result, "multiple_of", path, `Must be a multiple of ${goNumber(multipleOf)}`);
    // Draft 4 writes an exclusive bound as a boolean beside maximum/minimum.
    if (isNumber(maximum)) {
      if (exclusiveMaximum === true) {
        if (compareNumbers(value, maximum) >= 0)
          this.add(result, "number_lt", path, `Must be less than ${goNumber(maximum)}`);
      } else if (compareNumbers(value, maximum) > 0)
        this.add(result, "number_lte", path, `Must be less than or equal to ${goNumber(maximum)}`);
    }
    if (isNumber(exclusiveMaximum) && compareNumbers(value, exclusiveMaximum) >= 0)
      this.add(result, "number_lt", path, `Must be less than ${goNumber(exclusiveMaximum)}`);
    if (isNumber(minimum)) {
      if (exclusiveMinimum === true) {
        if (compareNumbers(value, minimum) <= 0)
          this.add(result, "number_gt", path, `Must be greater than ${goNumber(minimum)}`);
      } else if (compareNumbers(value, minimum) < 0)
        this.add(
          result,
          "number_gte",
          path,
          `Must be greater than or equal to ${goNumber(minimum)}`,
        );
    }
    if (isNumber(exclusiveMinimum) && compareNumbers(value, exclusiveMinimum) <= 0)
      this.add(result, "number_gt", path, `Must be greater than ${goNumber(exclusiveMinimum)}`);
    result.score++;
  }

  private validateArray(
    schema: { [keyword: string]: HostValue },
    values: HostValue[],
    result: Result,
    path: string[],
    depth: number,
  ): void {
    const at = (child: HostValue, i: number) =>
      this.validate(child as Schema, values[i]!, result, [...path, String(i)], depth + 1);
    const { items, additionalItems } = schema;
    if (Array.isArray(items)) {
      items.slice(0, values.length).forEach((child, i) => at(child, i));
      if (items.length < values.length) {
        if (additionalItems === false)
          this.add(
            result,
            "array_no_additional_items",
            path,
            "No additional items allowed on array",
          );
        else if (additionalItems !== undefined && additionalItems !== true)
          for (let i = items.length; i < values.length; i++) at(additionalItems, i);
      }
    } else if (items !== undefined) values.forEach((_, i) => at(items, i));
    if (isNumber(schema.minItems) && values.length < Number(schema.minItems))
      this.add(
        result,
        "array_min_items",
        path,
        `Array must have at least ${goNumber(schema.minItems)} items`,
      );
    if (isNumber(schema.maxItems) && values.length > Number(schema.maxItems))
      this.add(
        result,
        "array_max_items",
        path,
        `Array must have at most ${goNumber(schema.maxItems)} items`,
      );
    if (schema.uniqueItems === true) {
      const seen = new Map<string, number>();
      values.forEach((v, j) => {
        const key = marshal(v);
        const i = seen.get(key);
        if (i !== undefined)
          this.add(result, "unique", path, `array items[${i},${j}] must be unique`);
        seen.set(key, j);
      });
    }
    if (schema.contains !== undefined) {
      const failed: Result[] = [];
      const found = values.some((v, i) => {
        const r = this.sub(schema.contains!, v, [...path, String(i)], depth + 1);
        if (r.errors.length > 0) failed.push(r);
        return r.errors.length === 0;
      });
      if (!found) {
        this.add(result, "contains", path, "At least one of the items must match");
        const best = failed.reduce<Result | undefined>(
          (b, r) => (b === undefined || r.score > b.score ? r : b),
          undefined,
        );
        result.errors.push(...(best?.errors ?? []));
      }
    }
    result.score++;
  }

  private validateObject(
    schema: { [keyword: string]: HostValue },
    value: { [key: string]: HostValue },
    result: Result,
    path: string[],
    depth: number,
  ): void {
    const keys = Object.keys(value).sort();
    if (isNumber(schema.minProperties) && keys.length < Number(schema.minProperties))
      this.add(
        result,
        "array_min_properties",
        path,
        `Must have at least ${goNumber(schema.minProperties)} properties`,
      );
    if (isNumber(schema.maxProperties) && keys.length > Number(schema.maxProperties))
      this.add(
        result,
        "array_max_properties",
        path,
        `Must have at most ${goNumber(schema.maxProperties)} properties`,
      );
    if (Array.isArray(schema.required))
      for (const name of schema.required) {
        if (Object.hasOwn(value, String(name))) result.score++;
        else this.add(result, "required", path, `${String(name)} is required`);
      }
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? schema.patternProperties : {};
    for (const key of keys) {
      let matched = false;
      for (const [pattern, child] of Object.entries(patterns))
        if (regex(pattern).matcher(key).find()) {
          matched = true;
          this.validate(child as Schema, value[key]!, result, [...path, key], depth + 1);
        }
      if (matched) result.score++;
      if (Object.hasOwn(properties, key) || matched) continue;
      const additional = schema.additionalProperties;
      if (additional === false)
        this.add(
          result,
          "additional_property_not_allowed",
          path,
          `Additional property ${key} is not allowed`,
        );
      else if (additional !== undefined && additional !== true)
        this.validate(additional as Schema, value[key]!, result, [...path, key], depth + 1);
    }
    if (schema.propertyNames !== undefined)
      for (const key of keys) {
        const r = this.sub(schema.propertyNames, key, path, depth + 1);
        if (r.errors.length > 0) {
          this.add(
            result,
            "invalid_property_name",
            path,
            `Property name of "${key}" does not match`,
          );
          result.errors.push(...r.errors);
        }
      }
    result.score++;
  }

  private validateCommon(
    schema: { [keyword: string]: HostValue },
    value: HostValue,
    result: Result,
    path: string[],
  ): void {
    if (schema.const !== undefined && marshal(value) !== marshal(schema.const))
      this.add(result, "const", path, `${field(path)} does not match: ${marshal(schema.const)}`);
    if (Array.isArray(schema.enum)) {
      const allowed = schema.enum.map(marshal);
      if (!allowed.includes(marshal(value)))
        this.add(
          result,
          "enum",
          path,
          `${field(path)} must be one of the following: ${allowed.length === 0 ? "(none)" : allowed.join(", ")}`,
        );
    }
    const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
    if (format !== undefined && typeof value === "string" && !format(value))
      this.add(result, "format", path, `Does not match format '${String(schema.format)}'`);
    result.score++;
  }

  private validateString(
    schema: { [keyword: string]: HostValue },
    value: string,
    result: Result,
    path: string[],
  ): void {
    const length = Array.from(value).length;
    if (isNumber(schema.minLength) && length < Number(schema.minLength))
      this.add(
        result,
        "string_gte",
        path,
        `String length must be greater than or equal to ${goNumber(schema.minLength)}`,
      );
    if (isNumber(schema.maxLength) && length > Number(schema.maxLength))
      this.add(
        result,
        "string_lte",
        path,
        `String length must be less than or equal to ${goNumber(schema.maxLength)}`,
      );
    if (typeof schema.pattern === "string" && !regex(schema.pattern).matcher(value).find())
      this.add(result, "pattern", path, `Does not match pattern '${schema.pattern}'`);
    result.score++;
  }
}

function elementsOf(value: HostValue): HostValue[] {
  return value instanceof RegoSet ? value.elements : (value as HostValue[]);
}

// ---- the builtins ----

/** OPA's astValueToJSONSchemaLoader: JSON text, an object or an array. */
function loaded(value: HostValue | undefined): HostValue {
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as HostValue;
    } catch {
      throw new SchemaCompileError("invalid JSON string");
    }
  }
  if (isObject(value) || Array.isArray(value)) return value;
  throw new SchemaCompileError("wrong type, expected string or object");
}

function compiled(value: HostValue | undefined): SchemaIndex {
  const schema = loaded(value);
  const index = new SchemaIndex(schema as Schema);
  check(index, schema, 0);
  return index;
}

/** json.verify_schema: [true, null], or [false, "jsonschema: <why>"]. */
function verifySchema(schema: HostValue | undefined): HostValue {
  try {
    compiled(schema);
    return [true, null];
  } catch (error) {
    if (!(error instanceof SchemaCompileError)) throw error;
    return [false, `jsonschema: ${error.message}`];
  }
}

/** json.match_schema: [matches, errors]; a schema that does not compile is an error. */
function matchSchema(document: HostValue | undefined, schema: HostValue | undefined): HostValue {
  const value = loaded(document);
  const index = compiled(schema);
  const result = new Result();
  new Validator(index).validate(index.root, value, result, [], 0);
  return [result.errors.length === 0, result.errors];
}

export const schemaDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "json.verify_schema": { arity: 1, fn: verifySchema },
  "json.match_schema": { arity: 2, fn: matchSchema },
};
