// Turns an evaluated resource config and its Origin tree into `Resource.locations`: one entry per
// attribute, nested block and element, plus entries inside JSON documents held in strings
// (jsonencode, heredocs, file(), policy documents) so a finding deep in a policy keeps its line.
import { toPointer, type PathSegment } from "../../model/pointer.js";
import { isUnknown, type SourceLocation, type Value } from "../../model/types.js";
import { parseJsonWithPositions } from "./json.js";
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
  if (!origin.text) return;
  const parsed = parseJsonWithPositions(text);
  if (!parsed) return;
  for (const element of parsed.elements) {
    if (element.path.length === 0) continue;
    const start = positionInText(text, origin.text, element.start);
    const end = positionInText(text, origin.text, Math.max(element.end - 1, element.start));
    if (!start || !end) continue;
    locations[pointer + toPointer(element.path)] = {
      file: start.file,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column + 1,
    };
  }
}
