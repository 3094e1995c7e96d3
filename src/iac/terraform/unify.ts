// The one type values take where Terraform unifies them (cty's unification): a conditional's two
// results, before HCL gives the chosen one converted (`c ? 1 : "a"` is the string "1", `c ? [1] :
// ["a"]` is ["1"], `c ? 1 : true` fails), and the elements tolist, toset and tomap convert
// (`tolist([[1], ["a"]])` is [["1"], ["a"]]). Only where every type is certain; else nothing changes.
import type { Expression, ScopeTraversalExpr } from "../hcl/ast.js";
import { isUnknown, type Value } from "../../model/types.js";
import { collectionTypeOf, type CollectionType } from "./collection-types.js";
import { isCarriedNumber } from "./numbers.js";
import { EvaluationError, isObject, toStringValue, type ValueObject } from "./values.js";

/**
 * A result's type where Tollgate is sure of it. `null` is the literal null, which HCL lets take
 * the other result's type; undefined (elsewhere) is a type not known here, which converts nothing.
 */
type ResultType =
  | { kind: "string" | "number" | "bool" | "null" }
  | { kind: "tuple"; elements: (ResultType | undefined)[] }
  | { kind: "object"; attributes: Map<string, ResultType | undefined> }
  | { kind: "list" | "map"; element: ResultType | undefined };

/** Functions whose result type is fixed whatever their arguments (cty declares it). */
const RETURNS: Record<string, ResultType> = {
  tostring: { kind: "string" },
  tonumber: { kind: "number" },
  tobool: { kind: "bool" },
};

/**
 * The chosen result `value` converted to the type both results unify to, and the list or map
 * type that is where the results are tuples or objects of different shapes (`c ? ["a"] : []` is
 * a list(string)). Fails as Terraform does where the results have no type in common.
 */
export function unifiedResult(
  chosen: { expr: Expression; value: Value },
  other: Expression,
  chosenIsTrue: boolean,
  declared: DeclaredType,
): { value: Value; type?: CollectionType } {
  const chosenType = valueType(chosen.value, chosen.expr, declared);
  const otherType = writtenType(other, declared);
  if (chosenType === undefined || otherType === undefined) return { value: chosen.value };
  const unified = unify(chosenType, otherType, (problem) => {
    const [whenTrue, whenFalse] = chosenIsTrue ? [chosenType, otherType] : [otherType, chosenType];
    throw new EvaluationError(
      `inconsistent conditional result types: the true result is ${typeName(whenTrue)} and the false result is ${typeName(whenFalse)}${problem}; Terraform requires both to convert to one type`,
      "terraform-type",
      true,
    );
  });
  const value = isUnknown(chosen.value) ? chosen.value : converted(chosen.value, unified);
  return unified.kind === "list" || unified.kind === "map"
    ? { value, type: collectionType(unified.kind, unified.element) }
    : { value };
}

function collectionType(kind: "list" | "map", element: ResultType | undefined): CollectionType {
  const text = element && typeText(element);
  return text === undefined ? { kind } : { kind, element: text };
}

/** A type as Terraform writes it (collection-types.ts `typeText`), where it is fully known. */
function typeText(type: ResultType): string | undefined {
  switch (type.kind) {
    case "null":
      return undefined;
    case "string":
    case "number":
    case "bool":
      return type.kind;
    case "list":
    case "map": {
      const element = type.element && typeText(type.element);
      return element === undefined ? undefined : `${type.kind}(${element})`;
    }
    case "tuple": {
      const elements = type.elements.map((element) => element && typeText(element));
      return elements.every((element) => element !== undefined)
        ? `tuple([${elements.join(",")}])`
        : undefined;
    }
    case "object": {
      const attributes: string[] = [];
      for (const [name, attribute] of type.attributes) {
        const text = attribute && typeText(attribute);
        if (text === undefined) return undefined;
        attributes.push(`${name}=${text}`);
      }
      return `object({${attributes.sort().join(",")}})`;
    }
  }
}

function typeName(type: ResultType): string {
  return type.kind === "null" ? "null" : type.kind;
}

/** The type of the chosen result: a primitive's own, a literal tuple's or object's by its elements. */
function valueType(value: Value, expr: Expression, declared: DeclaredType): ResultType | undefined {
  while (expr.kind === "Parens") expr = expr.expr;
  if (isCarriedNumber(value)) return { kind: "number" };
  if (isUnknown(value)) return writtenType(expr, declared);
  if (value === null) return expr.kind === "Literal" ? { kind: "null" } : undefined;
  const own = ownType(value);
  if (own !== undefined) return own.type;
  if (expr.kind === "Tuple" && Array.isArray(value))
    return {
      kind: "tuple",
      elements: expr.elements.map((element, i) => valueType(value[i] as Value, element, declared)),
    };
  if (expr.kind === "Object" && isObject(value)) {
    const attributes = new Map<string, ResultType | undefined>();
    for (const item of expr.items) {
      if (item.keyName === null || !Object.hasOwn(value, item.keyName)) return undefined;
      attributes.set(item.keyName, valueType(value[item.keyName] as Value, item.value, declared));
    }
    return { kind: "object", attributes };
  }
  return undefined;
}

/**
 * The elements of a list, set or map `values` converted to the one type they all take
 * (`tolist([[1], ["a"]])` is [["1"], ["a"]]); `values` itself where one's type is not certain (a
 * null, an unknown, a set) or none changes. Fails where they have no type in common.
 */
export function unifiedCollectionElements(values: Value[], what: string): Value[] {
  if (!values.some((value) => typeof value === "object" && value !== null)) return values;
  const types = values.map(heldType);
  if (types.some((type) => type === undefined)) return values;
  const element = unifyAll(types, () => {
    throw new EvaluationError(
      `${what} holds elements of no one type Terraform converts them all to`,
      "terraform-type",
      true,
    );
  });
  return changed(values, (value) => converted(value, element));
}

/**
 * A known value's type where the value alone says it: a primitive's own, or a list's or map's of
 * a known element type (a set's is not certain here: `type` undefined). Undefined for a tuple or
 * object, whose type its caller reads from the elements.
 */
function ownType(value: Value): { type: ResultType | undefined } | undefined {
  switch (typeof value) {
    case "string":
      return { type: { kind: "string" } };
    case "number":
      return { type: { kind: "number" } };
    case "boolean":
      return { type: { kind: "bool" } };
  }
  const collection = collectionTypeOf(value);
  if (collection === undefined) return undefined;
  return {
    type:
      collection.kind === "set"
        ? undefined
        : { kind: collection.kind, element: parsedType(collection.element) },
  };
}

/**
 * The type of an element of a collection: a primitive's own, a list's or map's of a known type,
 * and an array or object of no type of its own the tuple or object it holds. Undefined for null,
 * an unknown or a set, whose types are not certain here.
 */
function heldType(value: Value): ResultType | undefined {
  if (value === null || isUnknown(value)) return undefined;
  const own = ownType(value);
  if (own !== undefined) return own.type;
  if (Array.isArray(value)) return { kind: "tuple", elements: value.map(heldType) };
  return {
    kind: "object",
    attributes: new Map(Object.entries(value).map(([name, held]) => [name, heldType(held)])),
  };
}

/**
 * The type of a result not evaluated, from what it writes: literals, strings, tuples and objects
 * of them, and the conversion functions. Anything else (a reference, most calls) is not known.
 */
function writtenType(expr: Expression, declared: DeclaredType): ResultType | undefined {
  switch (expr.kind) {
    case "Parens":
      return writtenType(expr.expr, declared);
    case "ScopeTraversal":
      return parsedType(declared(expr));
    case "Literal":
      return {
        kind: expr.value === null ? "null" : typeof expr.value === "number" ? "number" : "bool",
      };
    case "Template":
    case "Heredoc": {
      const [only] = expr.parts;
      // A template that is one interpolation alone gives that value itself, of its own type.
      if (
        expr.kind === "Template" &&
        expr.parts.length === 1 &&
        only?.kind === "TemplateInterpolation"
      )
        return writtenType(only.expr, declared);
      return { kind: "string" };
    }
    case "Tuple":
      return {
        kind: "tuple",
        elements: expr.elements.map((element) => writtenType(element, declared)),
      };
    case "Object": {
      const attributes = new Map<string, ResultType | undefined>();
      for (const item of expr.items) {
        if (item.keyName === null) return undefined;
        attributes.set(item.keyName, writtenType(item.value, declared));
      }
      return { kind: "object", attributes };
    }
    case "Unary": {
      const operand = writtenType(expr.operand, declared);
      const kind = expr.op === "!" ? "bool" : "number";
      return operand?.kind === kind ? operand : undefined;
    }
    case "FunctionCall":
      return Object.hasOwn(RETURNS, expr.name) ? RETURNS[expr.name] : undefined;
    default:
      return undefined;
  }
}

type Fail = (problem: string) => never;

/** The type a variable is declared of, as Terraform writes it (`list(number)`), if one. */
export type DeclaredType = (traversal: ScopeTraversalExpr) => string | undefined;

/** A type Terraform writes (`list(number)`), where it is a primitive, list or map of them. */
function parsedType(text: string | undefined): ResultType | undefined {
  if (text === "string" || text === "number" || text === "bool") return { kind: text };
  const collection = /^(list|map)\((.*)\)$/.exec(text ?? "");
  if (!collection) return undefined;
  return { kind: collection[1] as "list" | "map", element: parsedType(collection[2]) };
}

/** The type `a` and `b` both convert to, as cty's unification chooses it; `fail` where there is none. */
function unify(a: ResultType, b: ResultType, fail: Fail): ResultType {
  if (a.kind === "null") return b;
  if (b.kind === "null") return a;
  if (isPrimitive(a) && isPrimitive(b)) {
    if (a.kind === b.kind) return a;
    if (a.kind === "string" || b.kind === "string") return { kind: "string" };
    return fail("");
  }
  if (a.kind === "tuple" && b.kind === "tuple") {
    if (a.elements.length === b.elements.length)
      return {
        kind: "tuple",
        elements: a.elements.map((element, i) =>
          unifyUnknown(element, b.elements[i], (problem) =>
            fail(`: their element ${i} ${problem || "has no type in common"}`),
          ),
        ),
      };
    return {
      kind: "list",
      element: unifyAll([...a.elements, ...b.elements], () =>
        fail(` (of ${a.elements.length} and ${b.elements.length} elements, whose types differ)`),
      ),
    };
  }
  if (a.kind === "object" && b.kind === "object") {
    const names = [...a.attributes.keys()];
    if (names.length === b.attributes.size && names.every((name) => b.attributes.has(name)))
      return {
        kind: "object",
        attributes: new Map(
          names.map((name) => [
            name,
            unifyUnknown(a.attributes.get(name), b.attributes.get(name), (problem) =>
              fail(`: their attribute "${name}" ${problem || "has no type in common"}`),
            ),
          ]),
        ),
      };
    return {
      kind: "map",
      element: unifyAll([...a.attributes.values(), ...b.attributes.values()], () =>
        fail(" (with different attributes, whose types differ)"),
      ),
    };
  }
  // A tuple converts to a list and an object to a map whose element all their elements take.
  const kinds = [a.kind, b.kind];
  for (const [collection, structural] of [
    ["list", "tuple"],
    ["map", "object"],
  ] as const)
    if (
      kinds.includes(collection) &&
      kinds.every((kind) => kind === collection || kind === structural)
    )
      return {
        kind: collection,
        element: unifyAll([...elementsOf(a), ...elementsOf(b)], () =>
          fail(" (whose elements have no type in common)"),
        ),
      };
  return fail("");
}

function unifyUnknown(
  a: ResultType | undefined,
  b: ResultType | undefined,
  fail: Fail,
): ResultType | undefined {
  return a === undefined || b === undefined ? undefined : unify(a, b, fail);
}

/**
 * The element type every one of `types` converts to, as cty unifies them all at once (number,
 * bool and string make string); undefined if one is not known.
 */
function unifyAll(types: (ResultType | undefined)[], fail: Fail): ResultType | undefined {
  const known = types.filter((type) => type?.kind !== "null");
  if (known.length === 0 || known.some((type) => type === undefined)) return undefined;
  if (known.some((type) => type?.kind === "string") && (known as ResultType[]).every(isPrimitive))
    return { kind: "string" };
  return (known as ResultType[]).reduce((found, type) => unify(found, type, fail));
}

function elementsOf(type: ResultType): (ResultType | undefined)[] {
  switch (type.kind) {
    case "tuple":
      return type.elements;
    case "object":
      return [...type.attributes.values()];
    case "list":
    case "map":
      return [type.element];
    default:
      return [];
  }
}

function isPrimitive(type: ResultType): boolean {
  return type.kind === "string" || type.kind === "number" || type.kind === "bool";
}

/** `value` (of the chosen result's type) converted to `type`; its elements where they must change. */
function converted(value: Value, type: ResultType | undefined): Value {
  if (type === undefined || value === null || isUnknown(value)) return value;
  switch (type.kind) {
    case "string":
      return toStringValue(value);
    case "tuple":
      return Array.isArray(value)
        ? changed(value, (element, i) => converted(element, type.elements[i]))
        : value;
    case "list":
      return Array.isArray(value)
        ? changed(value, (element) => converted(element, type.element))
        : value;
    case "object":
    case "map": {
      if (!isObject(value)) return value;
      const typeOf = (name: string): ResultType | undefined =>
        "attributes" in type ? type.attributes.get(name) : type.element;
      const result: ValueObject = {};
      let same = true;
      for (const [name, element] of Object.entries(value)) {
        result[name] = converted(element, typeOf(name));
        same &&= result[name] === element;
      }
      return same ? value : result;
    }
    default:
      return value;
  }
}

/** `values` mapped, or `values` itself where no element changed (it may carry marks of its own). */
function changed(values: Value[], convert: (element: Value, i: number) => Value): Value[] {
  const result = values.map(convert);
  return result.every((element, i) => element === values[i]) ? values : result;
}
