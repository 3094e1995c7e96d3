// Turns an evaluated resource config and its Origin tree into `Resource.locations`: one entry per
// attribute, nested block and element, plus entries inside JSON documents held in strings
// (jsonencode, heredocs, file(), policy documents) so a finding deep in a policy keeps its line.
import { toPointer, type PathSegment } from "../../model/pointer.js";
import { isUnknown, type SourceLocation, type Value } from "../../model/types.js";
import { readJson, type JsonNode } from "../json/index.js";
import { MAX_JSON_DEPTH } from "./json.js";
import { childOrigin, positionInText, toSourceLocation, type Origin } from "./origin.js";
import { isObject } from "./values.js";

/** Strings longer than this are not searched for JSON positions (the value itself is kept). */
const MAX_DOCUMENT = 1_000_000;

export function collectLocations(
  config: { [key: string]: Value },
  origin: Origin,
): { [pointer: string]: SourceLocation } {
  const locations: { [pointer: string]: SourceLocation } = {};
  for (const key of Object.keys(config))
    walk(config[key] as Value, childOrigin(origin, key), pointerStep("", key), locations);
  return locations;
}

/** Appends one segment to a pointer (the same escaping as `toPointer`, without building arrays on the hot path). */
function pointerStep(pointer: string, segment: PathSegment): string {
  return pointer + toPointer([segment]);
}

function walk(
  value: Value,
  origin: Origin,
  pointer: string,
  locations: { [pointer: string]: SourceLocation },
): void {
  locations[pointer] = toSourceLocation(origin);
  if (isUnknown(value)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, childOrigin(origin, i), `${pointer}/${i}`, locations));
  } else if (isObject(value)) {
    for (const key of Object.keys(value))
      walk(value[key] as Value, childOrigin(origin, key), pointerStep(pointer, key), locations);
  } else if (
    typeof value === "string" &&
    value.length <= MAX_DOCUMENT &&
    (value.startsWith("{") || value.startsWith("[") || /^\s+[[{]/.test(value))
  ) {
    documentLocations(value, origin, pointer, locations);
  }
}

/** Locations inside a string that holds a JSON document, appended to the string's own pointer. */
function documentLocations(
  text: string,
  origin: Origin,
  pointer: string,
  locations: { [pointer: string]: SourceLocation },
): void {
  if (origin.document) {
    let decoded: Value;
    try {
      decoded = JSON.parse(text) as Value;
    } catch {
      return;
    }
    const inner = origin.document;
    if (Array.isArray(decoded))
      decoded.forEach((item, i) => walk(item, childOrigin(inner, i), `${pointer}/${i}`, locations));
    else if (isObject(decoded))
      for (const key of Object.keys(decoded))
        walk(decoded[key] as Value, childOrigin(inner, key), pointerStep(pointer, key), locations);
    return;
  }
  const segments = origin.text;
  if (!segments) return;
  const json = readJson(text, MAX_JSON_DEPTH);
  if ("error" in json) return;
  const place = (node: JsonNode, at: string): void => {
    const start = positionInText(text, segments, node.start);
    const end = positionInText(text, segments, Math.max(node.end - 1, node.start));
    if (start && end) {
      const { file, line, column } = start;
      locations[at] = { file, line, column, endLine: end.line, endColumn: end.column + 1 };
    }
    eachChild(node, at, place);
  };
  eachChild(json.root, pointer, place);
}

/** Each member value or element of a JSON node, with the pointer that reaches it. */
function eachChild(
  node: JsonNode,
  pointer: string,
  visit: (child: JsonNode, pointer: string) => void,
): void {
  if (node.kind === "object")
    for (const member of node.members) visit(member.value, pointerStep(pointer, member.key.value));
  else if (node.kind === "array")
    node.elements.forEach((element, i) => visit(element, `${pointer}/${i}`));
}
