// Converts a variable's value to its declared `type` the way Terraform does on input: primitives
// converted, object attributes not in the type dropped, `optional(T, default)` attributes filled,
// set elements merged when equal. Without this, every `var.x.attr` of an optional attribute would
// be an error instead of null, and a set would count its duplicates.
import type { Expression } from "../hcl/index.js";
import { isUnknown, unknown, type Value } from "../../model/types.js";
import { containsUnknown } from "../../model/values.js";
import type { Evaluated, Origin } from "./origin.js";
import {
  inferredElementType,
  retyped,
  typeText,
  withCollectionType,
  type CollectionType,
} from "./collection-types.js";
import { isCarriedNumber } from "./numbers.js";
import { isRest, mapRest, partialMap } from "./partial.js";
import {
  firstIndexOf,
  formatNumber,
  toStringValue,
  isObject,
  mayBeEqual,
  toSetValue,
  unifiedPrimitives,
  type ValueObject,
} from "./values.js";

const MAX_TYPE_DEPTH = 64;

/** Evaluates a constant expression (an optional attribute's default), where it is written. */
export type ConstantEvaluator = (expr: Expression) => Evaluated;

/**
 * `input` converted to `type`; `expression` is where the value comes from (`var.rules`), which
 * names an unknown the conversion makes: a set whose elements Tollgate cannot know may merge some
 * of them, so how many it has is unknown. An attribute an `optional()` default fills is located
 * at that default, so a change to the type's default decides what the value holds.
 */
export function convertToType(
  type: Expression,
  input: Evaluated,
  constant: ConstantEvaluator,
  expression: string,
  depth = 0,
): Evaluated {
  const { value, origin } = input;
  if (value === null || depth > MAX_TYPE_DEPTH) return input;
  if (isUnknown(value)) {
    // A partial list's rest stands for elements, not one value: it stays itself (partial.ts).
    if (isRest(value)) return input;
    const collection = collectionType(type);
    return collection ? { value: retyped(value, collection), origin } : input;
  }
  if (type.kind === "ScopeTraversal" && type.steps.length === 0) {
    // Bare `list`, `set` and `map` are list(any), set(any) and map(any).
    const elements = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
    const collection = collectionType(type, elements);
    if (collection && (collection.kind === "map" ? isObject(value) : Array.isArray(value)))
      return { value: retyped(value, collection), origin };
    return { value: convertPrimitive(type.root, value), origin };
  }
  if (type.kind !== "FunctionCall") return input;
  const [first] = type.args;
  const element = (item: Evaluated, i: number) =>
    first ? convertToType(first, item, constant, `${expression}[${i}]`, depth + 1) : item;
  switch (type.name) {
    case "list": {
      if (!Array.isArray(value) || !first) return input;
      const converted = convertElements(input, value, element);
      // `list(any)` takes the one type its elements all convert to: ["a", 1] is ["a", "1"].
      const list = isAny(first)
        ? unifiedPrimitives(converted.value as Value[], "list")
        : (converted.value as Value[]);
      return { ...converted, value: withCollectionType(list, collectionType(type, list)) };
    }
    case "set": {
      if (!Array.isArray(value)) return input;
      const converted = convertElements(input, value, element);
      const set = setElements(converted.value as Value[], expression);
      return {
        value: withCollectionType(set, collectionType(type, Array.isArray(set) ? set : undefined)),
        origin: setOrigin(converted, input.origin, set),
      };
    }
    case "map": {
      if (!isObject(value) || !first) return input;
      const result: ValueObject = {};
      const parts = new Map<string, Origin>();
      for (const [key, item] of Object.entries(value)) {
        const written = partOrigin(origin, key);
        const converted = convertToType(
          first,
          { value: item, origin: written },
          constant,
          `${expression}[${JSON.stringify(key)}]`,
          depth + 1,
        );
        result[key] = converted.value;
        if (converted.origin !== written) parts.set(key, converted.origin);
      }
      // `map(any)` as `list(any)`: { a = "x", b = true } is { a = "x", b = "true" }.
      if (isAny(first)) {
        const unified = unifiedPrimitives(Object.values(result), "map");
        Object.keys(result).forEach((key, i) => {
          result[key] = unified[i] as Value;
        });
      }
      const rest = mapRest(value);
      const map = rest ? partialMap(result, rest) : result;
      return {
        value: withCollectionType(map, collectionType(type, Object.values(result))),
        origin: withParts(origin, parts),
      };
    }
    case "tuple": {
      if (!Array.isArray(value) || first?.kind !== "Tuple") return input;
      return convertElements(input, value, (item, i) => {
        const elementType = first.elements[i];
        return elementType
          ? convertToType(elementType, item, constant, `${expression}[${i}]`, depth + 1)
          : item;
      });
    }
    case "object":
      return first?.kind === "Object" && isObject(value)
        ? convertObject(first, { value, origin }, constant, expression, depth)
        : input;
    case "optional":
      return first ? convertToType(first, input, constant, expression, depth + 1) : input;
    default:
      return input;
  }
}

/**
 * The list, set or map type `type` declares (`list(string)`, `map(any)`, bare `set`), if it is one;
 * an element type of `any` is the one type of `elements` where they have one.
 */
export function collectionType(
  type: Expression,
  elements?: readonly Value[],
): CollectionType | undefined {
  const name =
    type.kind === "FunctionCall"
      ? type.name
      : type.kind === "ScopeTraversal" && type.steps.length === 0
        ? type.root
        : undefined;
  if (name !== "list" && name !== "set" && name !== "map") return undefined;
  const [first] = type.kind === "FunctionCall" ? type.args : [];
  const element =
    (first && typeText(first)) ?? (elements ? inferredElementType(elements) : undefined);
  return element === undefined ? { kind: name } : { kind: name, element };
}

/** Where part `key` of a value is written: its own origin, else the value's place. */
function partOrigin(origin: Origin, key: string): Origin {
  return origin.items?.get(key) ?? { file: origin.file, range: origin.range };
}

/** `origin` with the parts a conversion located elsewhere (a filled optional attribute) replaced. */
function withParts(origin: Origin, parts: ReadonlyMap<string, Origin>): Origin {
  if (parts.size === 0) return origin;
  return { ...origin, items: new Map([...(origin.items ?? []), ...parts]) };
}

function convertElements(
  input: Evaluated,
  items: readonly Value[],
  convert: (item: Evaluated, index: number) => Evaluated,
): Evaluated {
  const parts = new Map<string, Origin>();
  const value = items.map((item, i) => {
    const written = partOrigin(input.origin, String(i));
    const converted = convert({ value: item, origin: written }, i);
    if (converted.origin !== written) parts.set(String(i), converted.origin);
    return converted.value;
  });
  return { value, origin: withParts(input.origin, parts) };
}

/**
 * The origin of a set made of `list`'s elements: each element where the first equal one was
 * written, once a conversion located one elsewhere; else as the value was written.
 */
function setOrigin(list: Evaluated, written: Origin, set: Value): Origin {
  if (list.origin === written || !Array.isArray(set) || !Array.isArray(list.value)) return written;
  const firstInList = firstIndexOf(unifiedPrimitives(list.value, "set"));
  const parts = new Map<string, Origin>();
  set.forEach((item, i) => {
    const first = firstInList(item);
    if (first !== -1) parts.set(String(i), partOrigin(list.origin, String(first)));
  });
  return { ...written, items: parts };
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
  input: { value: ValueObject; origin: Origin },
  constant: ConstantEvaluator,
  expression: string,
  depth: number,
): Evaluated {
  const { value, origin } = input;
  const result: ValueObject = {};
  const parts = new Map<string, Origin>();
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
    // An explicit null takes the optional() default, as an omitted attribute does (hcl's
    // Defaults.Apply): a caller's `cidrs = try(var.x["ssh"], null)` gets the module's default.
    const filledByDefault = value[name] === null && optionalDefault(attributeType) !== undefined;
    if (name in value && !filledByDefault) {
      const written = partOrigin(origin, name);
      const converted = convertToType(
        attributeType,
        { value: value[name] as Value, origin: written },
        constant,
        `${expression}.${name}`,
        depth + 1,
      );
      result[name] = converted.value;
      if (converted.origin !== written) parts.set(name, converted.origin);
      continue;
    }
    if (attributeType.kind === "FunctionCall" && attributeType.name === "optional") {
      const [inner, fallback] = attributeType.args;
      if (!fallback || !inner) {
        result[name] = null;
        continue;
      }
      const filled = convertToType(
        inner,
        constant(fallback),
        constant,
        `${expression}.${name}`,
        depth + 1,
      );
      result[name] = filled.value;
      parts.set(name, filled.origin);
    }
  }
  return { value: result, origin: withParts(origin, parts) };
}

/** The default an `optional(T, default)` attribute type gives, if it is one with a default. */
function optionalDefault(attributeType: Expression): Expression | undefined {
  if (attributeType.kind !== "FunctionCall" || attributeType.name !== "optional") return undefined;
  return attributeType.args[1];
}

/** Whether a collection type's element type is `any`, which Terraform infers from the elements. */
function isAny(type: Expression): boolean {
  return type.kind === "ScopeTraversal" && type.steps.length === 0 && type.root === "any";
}

function convertPrimitive(name: string, value: Value): Value {
  switch (name) {
    case "string":
      if (typeof value === "number") return formatNumber(value);
      if (isCarriedNumber(value)) return toStringValue(value);
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
