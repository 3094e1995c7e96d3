// Where the values `jsondecode`, `yamldecode` and `csvdecode` decode were written. The decoded
// string keeps its text segments (a file read by `file()`, a template file, a heredoc), so each
// element of `yamldecode(file("rules.yaml"))` is located at its own line in rules.yaml, read with the
// loaders' positioned readers: the JSON reader, the CloudFormation parser for YAML (spans only: the
// value itself is what the function decoded, so the two YAML schemas never disagree on a place),
// and for CSV the records `csvdecode` itself reads, each row and field at its place in the file.
import { parseTemplate, type Span, type TemplateNode } from "../cloudformation/parse.js";
import { readJson, type JsonNode } from "../json/index.js";
import type { Range } from "../source.js";
import { isUnknown, type Value } from "../../model/types.js";
import { csvRecords } from "./functions.js";
import { MAX_JSON_DEPTH } from "./json.js";
import { positionInText, type Origin, type TextSegment } from "./origin.js";
import { isObject } from "./values.js";

/**
 * Decoded text longer than this is located at the call as a whole: its value is still decoded.
 * Half the fetch stage's 2 MiB file limit, as `locations.ts` bounds JSON held in strings.
 */
export const MAX_LOCATED_DOCUMENT = 1_000_000;

/** A positioned node of either reader: its span in the decoded text, its children by key or index. */
interface Placed {
  span: Span;
  children?: Map<string, Placed>;
}

/**
 * The origin of `value`, decoded from `text` by `jsondecode` (`format` json), `yamldecode` or `csvdecode`,
 * whose text segments say where the text was written; `call` where nothing finer is known.
 * `sourceOf` gives a file's text, so a range holds offsets into the file it names.
 */
export function decodedOrigin(
  format: "json" | "yaml" | "csv",
  text: string,
  segments: readonly TextSegment[],
  value: Value,
  call: Origin,
  sourceOf: (file: string) => string | undefined,
): Origin {
  if (text.length > MAX_LOCATED_DOCUMENT || isUnknown(value)) return call;
  const root =
    format === "json" ? placedJson(text) : format === "yaml" ? placedYaml(text) : placedCsv(text);
  if (!root) return call;
  const lineStarts = new Map<string, number[] | undefined>();
  const rangeOf = (span: Span): Range | undefined => {
    const start = positionInText(text, segments, span.start);
    const end = positionInText(text, segments, Math.max(span.end - 1, span.start));
    if (!start || !end || start.file !== end.file) return undefined;
    if (!lineStarts.has(start.file)) lineStarts.set(start.file, indexLines(sourceOf(start.file)));
    const lines = lineStarts.get(start.file);
    const offset = (line: number, column: number): number => (lines?.[line - 1] ?? 0) + column - 1;
    return {
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column + 1,
      start: offset(start.line, start.column),
      end: offset(end.line, end.column) + 1,
    };
  };
  const originOf = (node: Placed, decoded: Value): Origin => {
    const range = rangeOf(node.span);
    if (!range) return call;
    const file = positionInText(text, segments, node.span.start)?.file ?? call.file;
    const origin: Origin = { file, range };
    const children = node.children;
    if (!children) return origin;
    const items = new Map<string, Origin>();
    if (Array.isArray(decoded))
      decoded.forEach((item, i) => {
        const child = children.get(String(i));
        if (child) items.set(String(i), originOf(child, item));
      });
    else if (isObject(decoded))
      for (const [key, item] of Object.entries(decoded)) {
        const child = children.get(key);
        if (child) items.set(key, originOf(child, item));
      }
    return items.size > 0 ? { ...origin, items } : origin;
  };
  return originOf(root, value);
}

/** JSON as `JSON.parse` decodes it: a name repeated in one object keeps its last value. */
function placedJson(text: string): Placed | undefined {
  const json = readJson(text, MAX_JSON_DEPTH);
  if ("error" in json) return undefined;
  const convert = (node: JsonNode): Placed => {
    const span = { start: node.start, end: node.end };
    if (node.kind === "scalar") return { span };
    if (node.kind === "array")
      return { span, children: new Map(node.elements.map((e, i) => [String(i), convert(e)])) };
    return { span, children: new Map(node.members.map((m) => [m.key.value, convert(m.value)])) };
  };
  return convert(json.root);
}

/** YAML through the CloudFormation parser's spans; a document it refuses is not located. */
function placedYaml(text: string): Placed | undefined {
  const parsed = parseTemplate({ path: "", text });
  if (!parsed.root) return undefined;
  const convert = (node: TemplateNode): Placed => {
    const { span } = node;
    if (node.kind === "scalar") return { span };
    if (node.kind === "sequence")
      return { span, children: new Map(node.items.map((item, i) => [String(i), convert(item)])) };
    return { span, children: new Map(node.entries.map((e) => [e.key, convert(e.value)])) };
  };
  return convert(parsed.root);
}

/** The rows `csvdecode` made, each field under its header's name (the last of a name given twice). */
function placedCsv(text: string): Placed | undefined {
  const [header, ...rows] = csvRecords(text);
  if (!header) return undefined;
  return {
    span: { start: 0, end: text.length },
    children: new Map(
      rows.map((row, i) => {
        const fields = header.fields.flatMap((name, j) => {
          const field = row.fields[j];
          return field
            ? [[name.value, { span: { start: field.start, end: field.end } }] as const]
            : [];
        });
        return [String(i), { span: { start: row.start, end: row.end }, children: new Map(fields) }];
      }),
    ),
  };
}

/** The offset each line of `text` starts at; undefined when the text is not at hand. */
function indexLines(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const starts = [0];
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  return starts;
}
