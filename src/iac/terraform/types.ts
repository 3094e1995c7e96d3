// Converts a variable's value to its declared `type` the way Terraform does on input: primitives
// converted, object attributes not in the type dropped, `optional(T, default)` attributes filled,
// set elements merged when equal. Without this, every `var.x.attr` of an optional attribute would
// be an error instead of null, and a set would count its duplicates.
import type { Expression } from "../hcl/index.js";
import { isUnknown, unknown, type Value } from "../../model/types.js";
import { containsUnknown } from "../../model/values.js";
import { isRest, mapRest, partialMap } from "./partial.js";
import { formatNumber, isObject, mayBeEqual, toSetValue, type ValueObject } from "./values.js";

const MAX_TYPE_DEPTH = 64;

/** Evaluates a constant expression (an optional attribute's default). */
export type ConstantEvaluator = (expr: Expression) => Value;

/**
 * `value` converted to `type`; `expression` is where the value comes from (`var.rules`), which
 * names an unknown the conversion makes: a set whose elements Tollgate cannot know may merge some
 * of them, so how many it has is unknown.
 */
export function convertToType(
  type: Expression,
  value: Value,
  constant: ConstantEvaluator,
  expression: string,
  depth = 0,
): Value {
  if (value === null || isUnknown(value) || depth > MAX_TYPE_DEPTH) return value;
  if (type.kind === "ScopeTraversal" && type.steps.length === 0)
    return convertPrimitive(type.root, value);
  if (type.kind !== "FunctionCall") return value;
  const [first] = type.args;
  switch (type.name) {
    case "list":
      return Array.isArray(value) && first
        ? value.map((item, i) =>
            convertToType(first, item, constant, `${expression}[${i}]`, depth + 1),
          )
        : value;
    case "set": {
      if (!Array.isArray(value)) return value;
      const items = first
        ? value.map((item, i) =>
            convertToType(first, item, constant, `${expression}[${i}]`, depth + 1),
          )
        : value;
      return setElements(items, expression);
    }
    case "map": {
      if (!isObject(value) || !first) return value;
      const converted = Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          convertToType(first, item, constant, `${expression}[${JSON.stringify(key)}]`, depth + 1),
        ]),
      );
      const rest = mapRest(value);
      return rest ? partialMap(converted, rest) : converted;
    }
    case "tuple":
      if (!Array.isArray(value) || first?.kind !== "Tuple") return value;
      return value.map((item, i) => {
        const elementType = first.elements[i];
        return elementType
          ? convertToType(elementType, item, constant, `${expression}[${i}]`, depth + 1)
          : item;
      });
    case "object":
      return first?.kind === "Object" && isObject(value)
        ? convertObject(first, value, constant, expression, depth)
        : value;
    case "optional":
      return first ? convertToType(first, value, constant, expression, depth + 1) : value;
    default:
      return value;
  }
}

/**
 * A set's elements: known ones merged and ordered as Terraform's sets are; with unknowns, kept
 * when no two may be equal (objects differing in a known attribute), else the set is unknown.
 */
function setElements(items: Value[], expression: string): Value {
  if (!items.some(containsUnknown)) return toSetValue(items);
  if (items.some(isRest)) {
    // A partial list's known elements merged; the elements its rests stand for may be any.
    const known = items.filter((item) => !isRest(item));
    if (known.some(containsUnknown)) return unknown(expression);
    return [...toSetValue(known), ...items.filter(isRest)];
  }
  const merging = items.some((item, i) => items.slice(0, i).some((seen) => mayBeEqual(seen, item)));
  return merging ? unknown(expression) : items;
}

function convertObject(
  type: Extract<Expression, { kind: "Object" }>,
  value: ValueObject,
  constant: ConstantEvaluator,
  expression: string,
  depth: number,
): Value {
  const result: ValueObject = {};
  // An attribute a partial map does not show may be in its unknown part.
  const rest = mapRest(value);
  for (const item of type.items) {
    const name = item.keyName;
    if (name === null) continue;
    const attributeType = item.value;
    if (rest && !(name in value)) {
      result[name] = unknown(`${expression}.${name}`);
      continue;
    }
    if (name in value) {
      result[name] = convertToType(
        attributeType,
        value[name] as Value,
        constant,
        `${expression}.${name}`,
        depth + 1,
      );
      continue;
    }
    if (attributeType.kind === "FunctionCall" && attributeType.name === "optional") {
      const [inner, fallback] = attributeType.args;
      result[name] =
        fallback && inner
          ? convertToType(inner, constant(fallback), constant, `${expression}.${name}`, depth + 1)
          : null;
    }
  }
  return result;
}

function convertPrimitive(name: string, value: Value): Value {
  switch (name) {
    case "string":
      if (typeof value === "number") return formatNumber(value);
      if (typeof value === "boolean") return value ? "true" : "false";
      return value;
    case "number":
      return typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))
        ? Number(value)
        : value;
    case "bool":
      return value === "true" ? true : value === "false" ? false : value;
    default:
      return value;
  }
}
