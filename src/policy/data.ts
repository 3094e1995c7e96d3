// The data files of a policy folder, read as `opa build` reads a bundle's: a file named
// `data.json`, `data.yaml` or `data.yml` holds the document at its folder's path under `data`
// (`acme/data.json` is `data.acme`; one at the top is all of `data` and must be an object), the
// files merge, and two that set the same value, or data where a rule is defined, are errors.
// `data.tollgate` is Tollgate's own (its rules, the built-in helpers, and the rule settings a scan
// sets), so no data file may write there.
import path from "node:path";
import {
  parseTemplate,
  MAX_NESTING_DEPTH,
  type TemplateEntry,
  type TemplateNode,
} from "../iac/cloudformation/parse.js";
import { readJson, type JsonNode } from "../iac/json/index.js";
import type { LoadError } from "../model/types.js";
import { exactNumber, NumberText } from "../rego/runtime/index.js";
import type { Module } from "../rego/syntax/index.js";

const DATA_FILE_NAMES = new Set(["data.json", "data.yaml", "data.yml"]);

/** The top-level key of `data` that belongs to Tollgate. */
const RESERVED_ROOT = "tollgate";

/** Whether a policy folder's file (a path with `/`) is one of its data files. */
export function isDataFile(filePath: string): boolean {
  return DATA_FILE_NAMES.has(path.posix.basename(filePath));
}

export interface DataFile {
  /** As errors name it: relative to the folder (the CLI) or the repository (the app). */
  path: string;
  text: string;
}

export type Document = Record<string, unknown>;

/**
 * Merge data files into one base document. `root` is the folder the files' paths start with
 * (`tollgate/policies` in the app; empty for the CLI, whose paths are relative to the folder): a
 * file's place under `data` is its folder below `root`. `data.tollgate` is refused unless
 * `allowReserved` (a prebuilt bundle's data, taken as it is).
 */
export function mergeDataFiles(
  files: readonly DataFile[],
  root = "",
  allowReserved = false,
): { data: Document; errors: LoadError[] } {
  const data: Document = {};
  const errors: LoadError[] = [];
  // Where each merged file put its value, to name the other file of a conflict.
  const placed: { file: string; at: string[] }[] = [];
  const prefix = root === "" ? "" : root.replace(/\/+$/, "") + "/";
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const relative = file.path.startsWith(prefix) ? file.path.slice(prefix.length) : file.path;
    const at = path.posix
      .dirname(relative)
      .split("/")
      .filter((key) => key !== "" && key !== ".");
    const fail = (message: string, line = 1, column = 1) =>
      errors.push({ file: file.path, line, column, code: "policy-data", message });
    const parsed = parseDataFile(file);
    if ("error" in parsed) {
      errors.push(parsed.error);
      continue;
    }
    const { value } = parsed;
    if (at.length === 0 && !isObject(value)) {
      fail("a data file at the top of the policy folder must hold an object (its keys are data's)");
      continue;
    }
    const reserved =
      !allowReserved &&
      (at[0] === RESERVED_ROOT || (at.length === 0 && isObject(value) && RESERVED_ROOT in value));
    if (reserved) {
      fail(
        `data.${RESERVED_ROOT} is Tollgate's (its rules, the built-in helpers and data.${RESERVED_ROOT}.settings, which each scan sets): put your data under another name, e.g. data.acme`,
      );
      continue;
    }
    const conflict = mergeAt(data, at, value, []);
    if (conflict) {
      const other = placed.find((p) => isPrefix(p.at, conflict) || isPrefix(conflict, p.at));
      fail(
        `data.${conflict.join(".")} is also set by ${other?.file ?? "another data file"}: data files may add keys to one another's objects, not set the same value`,
      );
      continue;
    }
    placed.push({ file: file.path, at });
  }
  return { data, errors };
}

/**
 * OPA's check of data against rules: a rule whose path holds data, or lies under a data value that
 * is not an object, is a `rego_compile_error` at the rule.
 */
export function dataRuleConflicts(
  modules: readonly { file: string; module: Module }[],
  data: Document,
): LoadError[] {
  const errors: LoadError[] = [];
  for (const { file, module } of modules)
    for (const rule of module.rules) {
      const ref: string[] = [...module.package.path];
      for (const [i, term] of rule.head.ref.entries()) {
        if (i === 0 && term.type === "var") ref.push(term.name);
        else if (i > 0 && term.type === "string") ref.push(term.value);
        else break;
      }
      if (!holdsData(data, ref)) continue;
      errors.push({
        file,
        line: rule.loc.line,
        column: rule.loc.column,
        code: "rego_compile_error",
        message: `conflicting rule for data path ${ref.join("/")} found`,
      });
    }
  return errors;
}

/** Whether data is at `ref`, or a value that is not an object is on the way there. */
function holdsData(data: Document, ref: readonly string[]): boolean {
  let node: unknown = data;
  for (const key of ref) {
    if (!isObject(node)) return true;
    if (!Object.hasOwn(node, key)) return false;
    node = own(node, key);
  }
  return true;
}

function parseDataFile(file: DataFile): { value: unknown } | { error: LoadError } {
  const error = (line: number, column: number, message: string) => ({
    error: { file: file.path, line, column, code: "policy-data", message },
  });
  if (file.path.endsWith(".json")) {
    const read = readJson(file.text, MAX_NESTING_DEPTH);
    if ("error" in read) return error(read.error.line, read.error.column, read.error.message);
    return { value: exactValue(read.root, file.text) };
  }
  // The CloudFormation loader's YAML reader, bounded against deep nesting, alias bombs and size.
  const parsed = parseTemplate(file);
  const [problem] = parsed.errors;
  if (problem) return { error: { ...problem, code: problem.code || "policy-data" } };
  if (!parsed.root) return { value: null };
  // That reader rewrites CloudFormation's tags (`!Ref X` to `{Ref: X}`); OPA's reads the value
  // as if untagged. Neither is what a policy author meant, so a tag is refused where it stands.
  const tagged = firstTag(parsed.root, file.text);
  if (tagged) {
    const at = parsed.locate(tagged.keySpan);
    const tag = /^!\S*/.exec(file.text.slice(tagged.keySpan.start, tagged.keySpan.end))?.[0];
    return error(at.line, at.column, `${tag} is a CloudFormation tag; data files take plain YAML`);
  }
  return { value: plainNode(parsed.root, file.text) };
}

/** The first entry the reader made of a short-form tag: its key is written as `!Tag`. */
function firstTag(node: TemplateNode, text: string): TemplateEntry | undefined {
  if (node.kind === "sequence") {
    for (const item of node.items) {
      const found = firstTag(item, text);
      if (found) return found;
    }
  }
  if (node.kind !== "mapping") return undefined;
  for (const entry of node.entries) {
    if (text.startsWith("!", entry.keySpan.start)) return entry;
    const found = firstTag(entry.value, text);
    if (found) return found;
  }
  return undefined;
}

function plainNode(node: TemplateNode, text: string): unknown {
  if (node.kind === "scalar") {
    const written = text.slice(node.span.start, node.span.end);
    if (typeof node.value === "number") return exactNumber(written, node.value);
    // The reader keeps a number past a double's range as its text: it is still exact.
    if (typeof node.value === "string" && written === node.value) {
      const exact = exactNumber(written, Number(written));
      if (typeof exact !== "number") return exact;
    }
    return node.value;
  }
  if (node.kind === "sequence") return node.items.map((item) => plainNode(item, text));
  return Object.fromEntries(node.entries.map((entry) => [entry.key, plainNode(entry.value, text)]));
}

/**
 * A JSON value as JSON.parse reads it, but an integer a double cannot hold is a bigint, and
 * another number it does not hold as written is its text (`exactNumber`).
 */
function exactValue(node: JsonNode, text: string): unknown {
  if (node.kind === "scalar")
    return typeof node.value === "number"
      ? exactNumber(text.slice(node.start, node.end), node.value)
      : node.value;
  if (node.kind === "array") return node.elements.map((element) => exactValue(element, text));
  return Object.fromEntries(
    node.members.map((member) => [member.key.value, exactValue(member.value, text)]),
  );
}

/**
 * JSON text read as `exactValue` does, at most `maxDepth` objects and arrays deep; the error
 * (line and column) when it is not JSON.
 */
export function readExactJson(
  text: string,
  maxDepth = MAX_NESTING_DEPTH,
): { value: unknown } | { error: { line: number; column: number; message: string } } {
  const read = readJson(text, maxDepth);
  return "error" in read ? { error: read.error } : { value: exactValue(read.root, text) };
}

/**
 * Merge `value` in at `at`, as OPA merges a bundle's data files: objects merge key by key, and
 * anything else meeting a value is a conflict, whose path is returned (nothing is changed then).
 */
function mergeAt(
  target: Document,
  at: readonly string[],
  value: unknown,
  trail: string[],
): string[] | undefined {
  const [key, ...rest] = at;
  if (key === undefined) {
    if (!isObject(value)) return trail;
    const conflict = Object.entries(value)
      .map(([k, v]) => conflictAt(own(target, k), v, [...trail, k]))
      .find(Boolean);
    if (conflict) return conflict;
    for (const [k, v] of Object.entries(value)) put(target, k, merged(own(target, k), v));
    return undefined;
  }
  const next = own(target, key);
  if (next === undefined) {
    put(target, key, wrap(rest, value));
    return undefined;
  }
  if (!isObject(next)) return [...trail, key];
  return mergeAt(next, rest, value, [...trail, key]);
}

function conflictAt(existing: unknown, added: unknown, trail: string[]): string[] | undefined {
  if (existing === undefined) return undefined;
  if (!isObject(existing) || !isObject(added)) return trail;
  return Object.entries(added)
    .map(([k, v]) => conflictAt(own(existing, k), v, [...trail, k]))
    .find(Boolean);
}

function merged(existing: unknown, added: unknown): unknown {
  if (existing === undefined || !isObject(existing) || !isObject(added)) return added;
  const result: Document = { ...existing };
  for (const [k, v] of Object.entries(added)) put(result, k, merged(own(result, k), v));
  return result;
}

function wrap(at: readonly string[], value: unknown): unknown {
  return at.reduceRight<unknown>((inner, key) => Object.fromEntries([[key, inner]]), value);
}

/** A key of the document itself, never of Object.prototype (a data file may name `__proto__`). */
function own(object: Document, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function put(object: Document, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isPrefix(prefix: readonly string[], of: readonly string[]): boolean {
  return prefix.length <= of.length && prefix.every((key, i) => of[i] === key);
}

function isObject(value: unknown): value is Document {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof NumberText)
  );
}
