// Reads one settings file into its validated `SettingsFile` plus where each key is written, or into
// located errors (`file:line:col`, stable codes), using the `yaml` package's node ranges so a zod
// issue points at the offending key or value. Input is bounded (size, aliases) against hostile files.
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import type { z } from "zod";
import { closestName, editDistance } from "../model/spelling.js";
import type { LoadError } from "../model/types.js";
import { mergeSettings } from "./merge.js";
import {
  enforcementLevelSchema,
  LOCKABLE_KEYS,
  settingsFileSchema,
  type RepositoryIdentity,
  type Settings,
  type SettingsFile,
  type SettingsOrigin,
} from "./schema.js";

export const MAX_SETTINGS_BYTES = 64 * 1024;

/** A valid settings file, with the place of every key and list item for located notices. */
export interface ParsedSettingsFile {
  file: string;
  settings: SettingsFile;
  /** Keyed by the path as JSON text (`["waivers",0]`); read it with `originOf`. */
  locations: Record<string, SettingsOrigin>;
}

export type SettingsFileResult =
  { ok: true; parsed: ParsedSettingsFile } | { ok: false; errors: LoadError[] };

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: LoadError[] };

/** One file on its own, resolved over the defaults: the CLI's `--config`. */
export function parseSettings(
  text: string,
  file: string,
  repository: RepositoryIdentity = { name: "", topics: [] },
): SettingsResult {
  const result = parseSettingsFile(text, file);
  if (!result.ok) return result;
  return { ok: true, settings: mergeSettings(result.parsed, null, repository).settings };
}

function settingsPathKey(path: readonly (string | number)[]): string {
  return JSON.stringify(path);
}

/** Where `path` is written, or the nearest enclosing key that is; line 1 when nothing is. */
export function originOf(
  parsed: ParsedSettingsFile,
  path: readonly (string | number)[],
): SettingsOrigin {
  for (let depth = path.length; depth > 0; depth--) {
    const found = parsed.locations[settingsPathKey(path.slice(0, depth))];
    if (found) return found;
  }
  return { file: parsed.file, line: 1, column: 1 };
}

export function parseSettingsFile(text: string, file: string): SettingsFileResult {
  if (Buffer.byteLength(text, "utf8") > MAX_SETTINGS_BYTES) {
    return failure([
      {
        file,
        line: 1,
        column: 1,
        code: "settings-too-large",
        message: `settings file is larger than ${MAX_SETTINGS_BYTES} bytes`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (document.errors.length > 0) {
    return failure(
      document.errors.map((error) => ({
        ...at(error.pos[0]),
        code: "settings-yaml",
        message: firstLine(error.message),
      })),
    );
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 50 }) ?? {};
  } catch (error) {
    return failure([
      {
        ...at(0),
        code: "settings-yaml",
        message: error instanceof Error ? firstLine(error.message) : String(error),
      },
    ]);
  }
  const parsed = settingsFileSchema.safeParse(data);
  if (parsed.success) {
    const locations: Record<string, SettingsOrigin> = {};
    locateNodes(document.contents, [], at, locations);
    return { ok: true, parsed: { file, settings: parsed.data, locations } };
  }
  return failure(
    parsed.error.issues
      // Each unknown key is told at its own line, as a misspelt `expiers:` in a waiver must be.
      .flatMap((issue): z.core.$ZodIssue[] =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({ ...issue, keys: [key] }))
          : [issue],
      )
      .map((issue) => {
        const level = misplacedLevel(issue, data);
        return level
          ? {
              ...at(issueOffset(document, level.issue)),
              code: "settings-invalid",
              message: level.message,
            }
          : {
              ...at(issueOffset(document, issue)),
              code: "settings-invalid",
              message: describeIssue(issue, valueAt(data, issue.path)),
            };
      })
      .sort((a, b) => a.line - b.line || a.column - b.column),
  );
}

/** The value `path` leads to in the file's data, if any. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || typeof segment === "symbol")
      return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/**
 * `{ level: advisory, blocking_from: ... }`: a first-time reading of "advisory until that day".
 * The entry is already advisory until its day, so only `blocking` (or no level) goes with it; said
 * at the level, which the union's own message cannot point at.
 */
function misplacedLevel(
  issue: z.core.$ZodIssue,
  data: unknown,
): { issue: z.core.$ZodIssue; message: string } | undefined {
  if (
    issue.code !== "invalid_union" ||
    (issue.path[0] !== "enforcement" && issue.path[2] !== "enforcement")
  )
    return undefined;
  const entry = valueAt(data, issue.path);
  if (
    typeof entry !== "object" ||
    entry === null ||
    !("blocking_from" in entry) ||
    !("level" in entry)
  )
    return undefined;
  const { level } = entry as { level: unknown };
  if (level === "blocking") return undefined;
  const path = [...issue.path, "level"];
  const instead =
    level === "off" || level === "advisory"
      ? ` (or write ${level} alone, without blocking_from)`
      : typeof level === "string"
        ? meant([level], ["blocking"])
        : "";
  return {
    issue: { ...issue, path },
    message: `${path.map(String).join(".")}: an entry with blocking_from is advisory until that day and blocking from it, so its level can only be blocking; leave level out${instead}`,
  };
}

function failure(errors: LoadError[]): { ok: false; errors: LoadError[] } {
  return { ok: false, errors };
}

/** The start of every map key and list item, by path. */
function locateNodes(
  node: unknown,
  path: (string | number)[],
  at: (offset: number) => SettingsOrigin,
  locations: Record<string, SettingsOrigin>,
): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const keyPath = [...path, String(pair.key.value)];
      locations[settingsPathKey(keyPath)] = at(pair.key.range?.[0] ?? 0);
      locateNodes(pair.value, keyPath, at, locations);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const itemPath = [...path, index];
      if (isNode(item)) locations[settingsPathKey(itemPath)] = at(item.range?.[0] ?? 0);
      locateNodes(item, itemPath, at, locations);
    });
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

const ENFORCEMENT_LEVELS = enforcementLevelSchema.options;

/**
 * ` (did you mean x?)` for the names close to each of `written`, else nothing: `closestName`, two
 * letters swapped (`nwe`, `hihg`), which it counts as two edits, or the plural of a singular
 * (`severity` for `severities`, `repository` for `repositories`: three edits, and the likeliest
 * slip in a list's key).
 */
function meant(written: readonly string[], known: readonly string[]): string {
  const letters = (name: string) => [...name.toLowerCase()].sort().join("");
  const swapped = (name: string) =>
    known.find(
      (candidate) =>
        letters(candidate) === letters(name) &&
        editDistance(candidate.toLowerCase(), name.toLowerCase()) <= 2,
    );
  const plural = (name: string) => {
    const typed = name.toLowerCase();
    return known.find((candidate) =>
      [`${typed}s`, typed.replace(/y$/, "ies")].includes(candidate.toLowerCase()),
    );
  };
  const close = written.flatMap(
    (name) => closestName(name, known) ?? swapped(name) ?? plural(name) ?? [],
  );
  return close.length === 0 ? "" : ` (did you mean ${close.join(", ")}?)`;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "settings";
  if (issue.code === "unrecognized_keys")
    return `${where}: unknown key ${issue.keys.map((k) => `'${k}'`).join(", ")}${meant(
      issue.keys,
      keysAt(issue.path),
    )}${issue.path.at(-1) === "rule_settings" ? " (a custom rule's options go under custom)" : ""}`;
  if (issue.path[0] === "locked" && typeof value === "string" && issue.code !== "invalid_type")
    return `${where}: ${issue.message.replace(
      /^('[^']*' cannot be locked)/,
      (prefix) => `${prefix}${meant([value], LOCKABLE_KEYS)}`,
    )}`;
  if (issue.code === "invalid_type" && issue.expected === "array" && typeof value === "string")
    return `${where}: expected a list, as [${value}]`;
  if (issue.code === "invalid_value" && typeof value === "string")
    return `${where}: ${issue.message}${meant([value], issue.values.map(String))}`;
  if (issue.code === "invalid_format" && issue.format === "date" && typeof value === "string")
    return /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? `${where}: ${value} is not a day of the calendar; expected a date as YYYY-MM-DD`
      : `${where}: ${issue.message}, not '${value}'`;
  if (issue.code === "invalid_union" && typeof value === "string") {
    // An enforcement level: misspelt, or `blocking_from` written as a plain string.
    const from = /^blocking_from\s*:?\s*(\S+)$/.exec(value.trim());
    return `${where}: ${issue.message}${
      from ? ` (did you mean { blocking_from: ${from[1]} }?)` : meant([value], ENFORCEMENT_LEVELS)
    }`;
  }
  if (issue.code === "invalid_key") {
    // zod says only "Invalid key in record"; what the key had to be is in the nested issue.
    const parent = issue.path.slice(0, -1).map(String).join(".") || "settings";
    const wanted = issue.issues[0]?.message ?? issue.message;
    return `${parent}: key '${String(issue.path.at(-1))}' is not valid: expected ${wanted}`;
  }
  return `${where}: ${issue.message}`;
}

/** The keys the schema allows at `path` (an object's, or a record's named keys), for "did you mean". */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = settingsFileSchema;
  for (const segment of path) schema = schema && childOf(schema, segment);
  const def = schema && definition(schema);
  if (def?.type === "object") return Object.keys((def as z.core.$ZodObjectDef).shape);
  if (def?.type === "record") {
    const keys = definition((def as z.core.$ZodRecordDef).keyType);
    if (keys.type === "enum") return Object.keys((keys as z.core.$ZodEnumDef).entries);
  }
  return [];
}

/** A schema's definition, through `optional` and `default`. */
function definition(schema: z.core.$ZodType): z.core.$ZodTypeDef {
  let def = schema._zod.def;
  while (def.type === "optional" || def.type === "default")
    def = (def as z.core.$ZodOptionalDef).innerType._zod.def;
  return def;
}

function childOf(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  const def = definition(schema);
  if (def.type === "object") return (def as z.core.$ZodObjectDef).shape[String(segment)];
  if (def.type === "array") return (def as z.core.$ZodArrayDef).element;
  if (def.type === "record") return (def as z.core.$ZodRecordDef).valueType;
  if (def.type === "union")
    return (def as z.core.$ZodUnionDef).options
      .map((option) => childOf(option, segment))
      .find((child) => child !== undefined);
  return undefined;
}

/** The start of the most specific node the issue is about: an unknown key, else the deepest existing node on its path. */
function issueOffset(document: Document, issue: z.core.$ZodIssue): number {
  const path = issue.path.map((segment) =>
    typeof segment === "symbol" ? String(segment) : segment,
  );
  let node: unknown = document.contents;
  for (let depth = path.length; depth > 0; depth--) {
    const found = document.getIn(path.slice(0, depth), true);
    if (isNode(found)) {
      node = found;
      break;
    }
  }
  const wrongKey =
    issue.code === "unrecognized_keys"
      ? issue.keys[0]
      : issue.code === "invalid_key"
        ? path.at(-1)
        : undefined;
  if (wrongKey !== undefined) {
    const parent = issue.code === "invalid_key" ? document.getIn(path.slice(0, -1), true) : node;
    if (isMap(parent)) {
      const pair = parent.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(wrongKey),
      );
      if (pair && isNode(pair.key)) return pair.key.range?.[0] ?? 0;
    }
  }
  return isNode(node) ? ((node as Node).range?.[0] ?? 0) : 0;
}
