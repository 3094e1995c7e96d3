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
import type { LoadError } from "../model/types.js";
import { mergeSettings } from "./merge.js";
import {
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
    parsed.error.issues.map((issue) => ({
      ...at(issueOffset(document, issue)),
      code: "settings-invalid",
      message: describeIssue(issue),
    })),
  );
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

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "settings";
  if (issue.code === "unrecognized_keys")
    return `${where}: unknown key ${issue.keys.map((k) => `'${k}'`).join(", ")}${
      issue.path.at(-1) === "rule_settings" ? " (a custom rule's options go under custom)" : ""
    }`;
  if (issue.code === "invalid_key") {
    // zod says only "Invalid key in record"; what the key had to be is in the nested issue.
    const parent = issue.path.slice(0, -1).map(String).join(".") || "settings";
    const wanted = issue.issues[0]?.message ?? issue.message;
    return `${parent}: key '${String(issue.path.at(-1))}' is not valid: expected ${wanted}`;
  }
  return `${where}: ${issue.message}`;
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
