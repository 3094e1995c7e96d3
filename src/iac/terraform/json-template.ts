// A template (usually a heredoc policy) whose text is JSON but holds interpolations that cannot
// be known: each JSON string containing one becomes `{"$unknown": "<its template text>"}`, the
// way `jsonencode` keeps unknown leaves, so the known rest of the document (an `Action: "*"`)
// still reaches the rules. Anything less certain (an unknown outside a string) stays unknown.
import { readJson, type JsonNode } from "../json/index.js";
import { MAX_JSON_DEPTH, quoteJson } from "./json.js";
import type { TextSegment } from "./origin.js";

/** Marks where the n-th unknown interpolation sits in the rendered text (private-use characters). */
export function unknownMarker(index: number): string {
  return `\ue000${index}\ue001`;
}

const MARKER = /\ue000(\d+)\ue001/g;

/**
 * Rewrites rendered text with unknown markers into JSON with explicit unknowns, shifting the
 * text segments to match. Undefined when the text is not JSON or a marker is not inside a string.
 */
export function settleJsonTemplate(
  text: string,
  segments: readonly TextSegment[],
  unknownTexts: readonly string[],
): { text: string; segments: TextSegment[] } | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  const json = readJson(text, MAX_JSON_DEPTH);
  if ("error" in json) return undefined;
  const replacements: { start: number; end: number; text: string }[] = [];
  let markersInStrings = 0;
  const settle = (node: JsonNode): void => {
    if (node.kind === "object") node.members.forEach((member) => settle(member.value));
    else if (node.kind === "array") node.elements.forEach(settle);
    else if (typeof node.value === "string" && node.value.includes("\ue000")) {
      markersInStrings += node.value.match(MARKER)?.length ?? 0;
      const written = node.value.replace(
        MARKER,
        (_marker, index: string) => `\${${unknownTexts[Number(index)] ?? ""}}`,
      );
      replacements.push({
        start: node.start,
        end: node.end,
        text: `{"$unknown": ${quoteJson(written)}}`,
      });
    }
  };
  settle(json.root);
  if (markersInStrings !== (text.match(MARKER)?.length ?? 0)) return undefined;
  let result = "";
  let cursor = 0;
  for (const replacement of replacements) {
    result += text.slice(cursor, replacement.start) + replacement.text;
    cursor = replacement.end;
  }
  result += text.slice(cursor);
  // A string token never spans lines, so only offsets after a replacement move, by its growth.
  const shifted = segments.map((segment) => {
    let delta = 0;
    for (const replacement of replacements) {
      if (replacement.end <= segment.offset)
        delta += replacement.text.length - (replacement.end - replacement.start);
    }
    return { ...segment, offset: segment.offset + delta };
  });
  return { text: result, segments: shifted };
}
