// Partial collections: a list or map whose known elements are certain while an unknown number of
// unknown ones may be there too (`concat(var.office, ["0.0.0.0/0"])`, `merge(var.rules, {ssh =
// ...})`). Whatever the unknown part holds, the known elements are in the result, so a policy can
// judge them; lengths, positions and the absence of any element stay unknown.
//
// A partial list holds, where the unknown elements may be, a *rest*: an ordinary unknown value
// this module remembers by identity, standing for any number of elements, none included. It
// leaves the evaluator as it is, one unknown element beside the known ones, which is how policies
// already read a list with an unknown element. A partial map is an object remembered with the
// unknown standing for its other keys; it never leaves the evaluator (`settlePartial`).
import { isUnknown, unknown, type UnknownValue, type Value } from "../../model/types.js";
import { isObject, type ValueObject } from "./values.js";

const rests = new WeakSet<UnknownValue>();
const mapRests = new WeakMap<ValueObject, UnknownValue>();

/** A new rest element named by the expression whose elements it stands for. */
export function restElement(expression: string): UnknownValue {
  const rest = unknown(expression);
  rests.add(rest);
  return rest;
}

export function isRest(value: Value): boolean {
  return isUnknown(value) && rests.has(value);
}

/** A list with a rest element: its length, and where each known element sits, are unknown. */
export function isPartialList(value: Value): boolean {
  return Array.isArray(value) && value.some(isRest);
}

/** The unknown standing for the other keys of a partial map; undefined for any other value. */
export function mapRest(value: Value): UnknownValue | undefined {
  return isObject(value) ? mapRests.get(value) : undefined;
}

export function isPartial(value: Value): boolean {
  return isPartialList(value) || mapRest(value) !== undefined;
}

/**
 * A list of these elements, rests among them, each where its unknown elements may be (so an
 * element keeps its index, and where it was written). With no known element, nothing about the
 * list is known: an unknown named by `expression`.
 */
export function partialList(elements: Value[], expression: string): Value {
  return elements.length > 0 && elements.every(isRest) ? unknown(expression) : elements;
}

/**
 * A map of these known keys that may have others, which `rest` stands for; with no known key,
 * the unknown `rest` itself.
 */
export function partialMap(known: ValueObject, rest: UnknownValue): Value {
  if (Object.keys(known).length === 0) return unknown(rest.$unknown);
  mapRests.set(known, rest);
  return known;
}

/**
 * `value` as it leaves the evaluator: every partial map inside it unknown, since a policy reading
 * a map's known keys would take a missing key for an absent one. Partial lists stay as they are.
 * The same object when nothing inside changes, so identity-keyed marks on it survive.
 */
export function settlePartial(value: Value, depth = 0): Value {
  if (typeof value !== "object" || value === null || isUnknown(value) || depth > 256) return value;
  const rest = mapRest(value);
  if (rest) return unknown(rest.$unknown);
  if (Array.isArray(value)) {
    let changed: Value[] | undefined;
    value.forEach((item, i) => {
      const settled = settlePartial(item, depth + 1);
      if (settled !== item) (changed ??= [...value])[i] = settled;
    });
    return changed ?? value;
  }
  let changed: ValueObject | undefined;
  for (const [key, item] of Object.entries(value)) {
    const settled = settlePartial(item, depth + 1);
    if (settled !== item) (changed ??= { ...value })[key] = settled;
  }
  return changed ?? value;
}

/** Whether any partial collection is inside `value` (itself included). */
export function containsPartial(value: Value, depth = 0): boolean {
  if (typeof value !== "object" || value === null || isUnknown(value) || depth > 256) return false;
  if (isPartial(value)) return true;
  return (Array.isArray(value) ? value : Object.values(value)).some((item) =>
    containsPartial(item, depth + 1),
  );
}
