// Converts a variable's value to its declared `type` the way Terraform does on input: primitives
// converted, object attributes not in the type dropped, `optional(T, default)` attributes filled.
// Without this, every `var.x.attr` of an optional attribute would be an error instead of null.
import type { Expression } from "../hcl/index.js";
import { isUnknown, type Value } from "../../model/types.js";
import { formatNumber, isObject, type ValueObject } from "./values.js";

const MAX_TYPE_DEPTH = 64;

/** Evaluates a constant expression (an optional attribute's default). */
export type ConstantEvaluator = (expr: Expression) => Value;

export function convertToType(
  type: Expression,
  value: Value,
  constant: ConstantEvaluator,
  depth = 0,
): Value {
  if (value === null || isUnknown(value) || depth > MAX_TYPE_DEPTH) return value;
  if (type.kind === "ScopeTraversal" && type.steps.length === 0)
    return convertPrimitive(type.root, value);
  if (type.kind !== "FunctionCall") return value;
  const [first] = type.args;
  switch (type.name) {
    case "list":
    case "set":
      return Array.isArray(value) && first
        ? value.map((item) => convertToType(first, item, constant, depth + 1))
        : value;
    case "map":
      if (!isObject(value) || !first) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          convertToType(first, item, constant, depth + 1),
        ]),
      );
    case "tuple":
      if (!Array.isArray(value) || first?.kind !== "Tuple") return value;
      return value.map((item, i) => {
        const elementType = first.elements[i];
        return elementType ? convertToType(elementType, item, constant, depth + 1) : item;
      });
    case "object":
      return first?.kind === "Object" && isObject(value)
        ? convertObject(first, value, constant, depth)
        : value;
    case "optional":
      return first ? convertToType(first, value, constant, depth + 1) : value;
    default:
      return value;
  }
}

function convertObject(
  type: Extract<Expression, { kind: "Object" }>,
  value: ValueObject,
  constant: ConstantEvaluator,
  depth: number,
): Value {
  const result: ValueObject = {};
  for (const item of type.items) {
    const name = item.keyName;
    if (name === null) continue;
    const attributeType = item.value;
    if (name in value) {
      result[name] = convertToType(attributeType, value[name] as Value, constant, depth + 1);
      continue;
    }
    if (attributeType.kind === "FunctionCall" && attributeType.name === "optional") {
      const [inner, fallback] = attributeType.args;
      result[name] =
        fallback && inner ? convertToType(inner, constant(fallback), constant, depth + 1) : null;
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
