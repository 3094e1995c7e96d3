// Reads settings text into `Settings` or located errors (`file:line:col`, stable codes), using the
// `yaml` package's node ranges so a zod issue points at the offending key or value, not at line 1.
// Input is bounded (size, aliases) so a hostile settings file cannot exhaust memory.
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import type { z } from "zod";
import type { LoadError } from "../model/types.js";
import { settingsSchema, type Settings } from "./schema.js";

export const MAX_SETTINGS_BYTES = 64 * 1024;

export type SettingsResult = { ok: true; settings: Settings } | { ok: false; errors: LoadError[] };

export function parseSettings(text: string, file: string): SettingsResult {
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
  const parsed = settingsSchema.safeParse(data);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return failure(
    parsed.error.issues.map((issue) => ({
      ...at(issueOffset(document, issue)),
      code: "settings-invalid",
      message: describeIssue(issue),
    })),
  );
}

function failure(errors: LoadError[]): SettingsResult {
  return { ok: false, errors };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "settings";
  if (issue.code === "unrecognized_keys")
    return `${where}: unknown key ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
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
