// Reads OPA's Rego conformance cases (YAML files, one folder per topic) into plain values and
// decides which ones Tollgate skips, with the reason: a builtin outside the set Tollgate's
// compiler supports, or a note listed in OPA's own Wasm exception file.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { BUILTINS, PRINT } from "../builtins/catalog.js";

export interface ConformanceCase {
  /** The topic folder, e.g. `completedoc`. */
  folder: string;
  /** Path of the YAML file relative to the conformance root. */
  file: string;
  note: string;
  query: string;
  modules: string[];
  data?: unknown;
  /** The input document: from `input`, or parsed from `input_term` (JSON text). */
  input?: unknown;
  wantResult?: Record<string, unknown>[];
  wantError?: string;
  wantErrorCode?: string;
  sortBindings: boolean;
  /** Builtin errors stop evaluation (OPA's `--strict-builtin-errors`) instead of being undefined. */
  strictError: boolean;
  /** Why Tollgate does not run this case; undefined when it runs. */
  skipReason?: string;
}

/** The builtins Tollgate's compiler accepts: the catalog's, and `print`, which it rewrites. */
const requiredBuiltins: ReadonlySet<string> = new Set([...BUILTINS.keys(), PRINT]);

const keywords = new Set([
  "set",
  "not",
  "if",
  "some",
  "every",
  "with",
  "as",
  "else",
  "contains",
  "in",
  "default",
]);

interface RawCase {
  note?: unknown;
  query?: unknown;
  modules?: unknown;
  data?: unknown;
  input?: unknown;
  input_term?: unknown;
  want_result?: unknown;
  want_error?: unknown;
  want_error_code?: unknown;
  sort_bindings?: unknown;
  strict_error?: unknown;
}

/** Loads every case under `root` (sorted by folder and file), with skip reasons filled in. */
export function loadConformanceCases(root: string): ConformanceCase[] {
  const exceptions = readWasmExceptions(path.join(root, "WASM-EXCEPTIONS.yaml"));
  const cases: ConformanceCase[] = [];
  for (const folder of readdirSync(root).sort()) {
    const folderPath = path.join(root, folder);
    if (!statSync(folderPath).isDirectory()) continue;
    for (const fileName of readdirSync(folderPath).sort()) {
      if (!/\.ya?ml$/.test(fileName)) continue;
      const file = `${folder}/${fileName}`;
      for (const doc of parseAllDocuments(readFileSync(path.join(folderPath, fileName), "utf8"))) {
        const body = doc.toJS() as { cases?: RawCase[] } | null;
        for (const raw of body?.cases ?? []) cases.push(toCase(folder, file, raw, exceptions));
      }
    }
  }
  return cases;
}

function toCase(
  folder: string,
  file: string,
  raw: RawCase,
  exceptions: Map<string, string>,
): ConformanceCase {
  const modules = Array.isArray(raw.modules) ? raw.modules.map(String) : [];
  const note = String(raw.note ?? file);
  const testCase: ConformanceCase = {
    folder,
    file,
    note,
    query: String(raw.query ?? ""),
    modules,
    sortBindings: raw.sort_bindings === true,
    strictError: raw.strict_error === true,
  };
  if (raw.data !== undefined) testCase.data = raw.data;
  if (raw.input !== undefined) testCase.input = raw.input;
  if (Array.isArray(raw.want_result))
    testCase.wantResult = raw.want_result as Record<string, unknown>[];
  if (raw.want_error !== undefined) testCase.wantError = String(raw.want_error);
  if (raw.want_error_code !== undefined) testCase.wantErrorCode = String(raw.want_error_code);
  if (typeof raw.input_term === "string") {
    try {
      testCase.input = JSON.parse(raw.input_term) as unknown;
    } catch {
      testCase.skipReason = `input_term is not JSON: ${raw.input_term}`;
    }
  }
  const exception = exceptions.get(note);
  if (exception !== undefined) testCase.skipReason = `listed in WASM-EXCEPTIONS.yaml: ${exception}`;
  const outside = builtinsOutsideRequired(modules, testCase.query);
  if (testCase.skipReason === undefined && outside.length > 0) {
    testCase.skipReason = `builtin outside the required list: ${outside.join(", ")}`;
  }
  return testCase;
}

function readWasmExceptions(file: string): Map<string, string> {
  const parsed = parseYaml(readFileSync(file, "utf8")) as Record<string, unknown> | null;
  return new Map(Object.entries(parsed ?? {}).map(([note, reason]) => [note, String(reason)]));
}

/**
 * Names called like builtins (`name(` or `a.b(`) that are neither required builtins nor
 * functions the modules define or import. A textual scan: good enough to classify test data.
 */
export function builtinsOutsideRequired(modules: string[], query: string): string[] {
  const defined = new Set<string>();
  const importAliases = new Set<string>();
  for (const text of modules) {
    for (const m of text.matchAll(/^(?:default\s+)?([A-Za-z_][\w.]*(?:\["\w+"\])*)\s*\(/gm)) {
      defined.add((m[1] ?? "").replace(/\["(\w+)"\]/g, ".$1"));
    }
    for (const m of text.matchAll(/^import\s+([\w.]+)(?:\s+as\s+(\w+))?/gm)) {
      const target = m[1] ?? "";
      importAliases.add(m[2] ?? target.split(".").pop() ?? "");
    }
  }
  const outside = new Set<string>();
  for (const text of [...modules, query]) {
    const code = text.replace(/#.*$/gm, "").replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');
    for (const m of code.matchAll(/(?<![\w.\]])([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*\(/g)) {
      const name = m[1] ?? "";
      const first = name.split(".")[0] ?? "";
      if (keywords.has(name) || first === "data" || first === "input" || importAliases.has(first))
        continue;
      if (defined.has(name) || requiredBuiltins.has(name)) continue;
      outside.add(name);
    }
    // A builtin named as a `with` replacement: `with count as object.union_n`.
    for (const m of code.matchAll(/\bas\s+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)/g)) {
      const name = m[1] ?? "";
      const first = name.split(".")[0] ?? "";
      if (first === "data" || first === "input" || importAliases.has(first) || defined.has(name))
        continue;
      if (!requiredBuiltins.has(name)) outside.add(name);
    }
  }
  return [...outside].sort();
}
