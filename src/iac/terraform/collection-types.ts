// The list, set and map types Terraform gives values, which plain arrays and objects do not
// carry: a variable declared list(...), set(...) or map(...), tolist/toset/tomap and the
// functions whose results are lists or sets. Terraform's `==` compares types before values
// (cty's Value.Equals), so `local.rules == []` is false for a list(string) behind the local.
import type { Expression } from "../hcl/index.js";
import { isUnknown, unknown, type Value } from "../../model/types.js";
import { mapRest, partialMap } from "./partial.js";
import { firstIndexOf, isObject, valuesEqual } from "./values.js";

export type CollectionKind = "list" | "set" | "map";

export interface CollectionType {
  readonly kind: CollectionKind;
  /**
   * The element type as Terraform writes it (`string`, `list(number)`), where Tollgate knows it;
   * undefined where it is `any` with no elements to infer it from, or a type Tollgate does not
   * write out. Two empty collections of one kind are equal only if their element types are.
   */
  readonly element?: string;
}

/** The kind of a value whose type is certain: a list, set or map type, or a literal's tuple or object. */
export type TypeKind = CollectionKind | "tuple" | "object";

const collectionTypes = new WeakMap<object, CollectionType>();

/** The list, set or map type `value` is known to have; undefined for any other value. */
export function collectionTypeOf(value: Value): CollectionType | undefined {
  return typeof value === "object" && value !== null ? collectionTypes.get(value) : undefined;
}

/**
 * `value` (an array, an object or an unknown made for it, never one shared with a value of
 * another type) marked as of `type`. Null and primitives are given back as they are.
 */
export function withCollectionType<T extends Value>(value: T, type: CollectionType | undefined): T {
  if (type && typeof value === "object" && value !== null) collectionTypes.set(value, type);
  return value;
}

/**
 * A copy of `value` marked as of `type`, for a function that gives back its argument as another
 * type (`tolist` of a tuple): the argument keeps its own. Unknowns are copied too.
 */
export function retyped(value: Value, type: CollectionType): Value {
  const current = collectionTypeOf(value);
  if (current?.kind === type.kind && current.element === type.element) return value;
  if (typeof value !== "object" || value === null) return value;
  if (isUnknown(value)) return withCollectionType(unknown(value.$unknown), type);
  if (Array.isArray(value)) return withCollectionType([...value], type);
  // A partial map's copy keeps the unknown part its keys do not show (partial.ts).
  const rest = mapRest(value);
  const copy = { ...value };
  return withCollectionType(rest ? partialMap(copy, rest) : copy, type);
}

/**
 * The canonical text of a type expression (`list(string)`, `object({a=number,b=string})`), or
 * undefined where it holds `any` or what Tollgate does not read: then the element type of a
 * value of it is inferred from its elements, or unknown.
 */
export function typeText(type: Expression): string | undefined {
  if (type.kind === "ScopeTraversal" && type.steps.length === 0)
    return ["string", "number", "bool"].includes(type.root) ? type.root : undefined;
  if (type.kind !== "FunctionCall") return undefined;
  const [first, ...rest] = type.args;
  if (!first) return undefined;
  switch (type.name) {
    case "list":
    case "set":
    case "map": {
      const element = rest.length === 0 ? typeText(first) : undefined;
      return element === undefined ? undefined : `${type.name}(${element})`;
    }
    case "optional":
      return typeText(first);
    case "tuple": {
      if (first.kind !== "Tuple") return undefined;
      const elements = first.elements.map(typeText);
      return elements.every((element) => element !== undefined)
        ? `tuple([${elements.join(",")}])`
        : undefined;
    }
    case "object": {
      if (first.kind !== "Object") return undefined;
      const attributes: string[] = [];
      for (const item of first.items) {
        const attribute = typeText(item.value);
        if (item.keyName === null || attribute === undefined) return undefined;
        attributes.push(`${item.keyName}=${attribute}`);
      }
      return `object({${attributes.sort().join(",")}})`;
    }
    default:
      return undefined;
  }
}

/** The one type all `elements` have (a primitive, or a collection type with a known element), if any. */
export function inferredElementType(elements: readonly Value[]): string | undefined {
  let found: string | undefined;
  for (const element of elements) {
    const type = knownTypeText(element);
    if (type === undefined || (found !== undefined && found !== type)) return undefined;
    found = type;
  }
  return found;
}

function knownTypeText(value: Value): string | undefined {
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "bool";
  }
  const type = collectionTypeOf(value);
  return type?.element === undefined ? undefined : `${type.kind}(${type.element})`;
}

/**
 * Terraform's `==` of two values: their types first, where both are known and differ it is
 * false; then their elements. Undefined where Terraform's answer is unknown: an unknown of a
 * known type, or two empty collections of one kind whose element types Tollgate does not both
 * know. A value of no known type (an array a variable, a file or a function gave without a
 * type) is compared by value, as a tuple or object is.
 */
export function typedEquals(left: Value, right: Value): boolean | undefined {
  if (left === right) return true;
  const leftType = collectionTypeOf(left);
  const rightType = collectionTypeOf(right);
  const typed = leftType !== undefined && rightType !== undefined;
  if (typed) {
    if (leftType.kind !== rightType.kind) return false;
    if (
      leftType.element !== undefined &&
      rightType.element !== undefined &&
      leftType.element !== rightType.element
    )
      return false;
    if (isUnknown(left) || isUnknown(right)) return undefined;
  }
  let equal: boolean | undefined;
  let size: number;
  if (Array.isArray(left) && Array.isArray(right)) {
    size = left.length;
    equal = elementsEqual(left, right, typed && leftType.kind === "set");
  } else if (isObject(left) && isObject(right)) {
    const keys = Object.keys(left);
    size = keys.length;
    if (size !== Object.keys(right).length || keys.some((key) => !Object.hasOwn(right, key)))
      return false;
    equal = elementsEqual(
      keys.map((key) => left[key] as Value),
      keys.map((key) => right[key] as Value),
      false,
    );
  } else return valuesEqual(left, right);
  // Two empty lists are equal only if their element types are: list(string) is not list(number).
  if (equal === true && typed && size === 0 && (!leftType.element || !rightType.element))
    return undefined;
  return equal;
}

/** Elements pairwise, as cty has them: the first unknown comparison decides, else the first false. */
function elementsEqual(
  left: readonly Value[],
  right: readonly Value[],
  asSets: boolean,
): boolean | undefined {
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) {
    const equal = typedEquals(left[i] as Value, right[i] as Value);
    if (equal === undefined) return undefined;
    if (!equal) {
      if (!asSets) return false;
      // Sets of collections keep their elements in the order first given: compare as sets.
      const indexOf = firstIndexOf(right);
      return left.every((element) => indexOf(element) !== -1);
    }
  }
  return true;
}

const STRING_LIST: CollectionType = { kind: "list", element: "string" };

/**
 * The list, set or map type of what the function `name` gave back (`result`, known) for `args`,
 * where Terraform's is one and Tollgate knows it: each as cty's function declares its return.
 */
export function functionResultType(
  name: string,
  args: readonly Value[],
  result: Value,
): CollectionType | undefined {
  const [first] = args;
  const given = first === undefined ? undefined : collectionTypeOf(first);
  const elements = Array.isArray(result) ? result : isObject(result) ? Object.values(result) : [];
  const like = (kind: CollectionKind): CollectionType => {
    // A collection converted keeps its element type; a tuple's or object's is what its elements
    // have, and an empty one's is cty's dynamic: `tolist([])` is list(dynamic), which equals
    // another list(dynamic) and not a list(string).
    const element =
      given?.element ??
      inferredElementType(elements) ??
      (given === undefined && elements.length === 0 ? "dynamic" : undefined);
    return element === undefined ? { kind } : { kind, element };
  };
  switch (name) {
    case "tolist":
    case "distinct":
      return Array.isArray(result) ? like("list") : undefined;
    case "toset":
      return Array.isArray(result) ? like("set") : undefined;
    case "setunion":
    case "setintersection":
    case "setsubtract": {
      // The arguments' element types unified: known here by what the result holds.
      const element = inferredElementType(elements);
      return element === undefined ? { kind: "set" } : { kind: "set", element };
    }
    case "tomap":
      return isObject(result) ? like("map") : undefined;
    case "split":
    case "sort":
    case "compact":
    case "formatlist":
    case "cidrsubnets":
      return STRING_LIST;
    case "range":
      return { kind: "list", element: "number" };
    case "fileset":
      return { kind: "set", element: "string" };
    // Of a map these are lists; of an object, tuples (no type Tollgate marks).
    case "keys":
      return given?.kind === "map" ? STRING_LIST : undefined;
    case "values":
      return given?.kind === "map" ? like("list") : undefined;
    case "concat": {
      // Lists alone are concatenated to a list; with a tuple among them, the result is a tuple.
      const types = args.map(collectionTypeOf);
      if (!types.every((type) => type?.kind === "list")) return undefined;
      const element = types[0]?.element;
      return element !== undefined && types.every((type) => type?.element === element)
        ? { kind: "list", element }
        : { kind: "list" };
    }
    case "zipmap": {
      // Of a list of values, a map of its element type; of a tuple, an object (no type marked).
      const values = args[1] === undefined ? undefined : collectionTypeOf(args[1]);
      if (values?.kind !== "list" || !isObject(result)) return undefined;
      return values.element === undefined
        ? { kind: "map" }
        : { kind: "map", element: values.element };
    }
    case "slice":
    case "reverse":
      return given?.kind === "list" ? like("list") : undefined;
    default:
      return undefined;
  }
}
