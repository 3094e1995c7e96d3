// OPA's json.filter and json.remove: keep or drop the parts of a document that JSON paths name.
// A path is a JSON pointer string (`"a/b/0"`, `~1` for `/` and `~0` for `~`) or an array of
// segments; the paths become one tree whose leaves mark what is kept or removed whole. An array's
// elements are named by their index as a string, a set's by the element itself.
import { elements, isObject, typeName, valueKey } from "./host-operands.js";
import { OperandTypeError, RegoSet, type HostFunction, type HostValue } from "./host-value.js";

/** Children by the valueKey of their segment; null marks a leaf (the whole value below). */
type PathTree = Map<string, PathTree | null>;

/** A JSON pointer's segments as OPA reads them: leading slashes dropped, `~1` and `~0` decoded. */
export function pointerSegments(path: string): string[] {
  if (path === "") return [];
  return path
    .replace(/^\/+/, "")
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function segmentsOf(path: HostValue): HostValue[] {
  if (typeof path === "string") return pointerSegments(path);
  if (Array.isArray(path)) return path;
  throw new Error(
    `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(path)}`,
  );
}

/** OPA's pathsToObject: a shorter path wins over a longer one below it, whatever their order. */
function pathTree(paths: HostValue): PathTree {
  if (!Array.isArray(paths) && !(paths instanceof RegoSet))
    throw new OperandTypeError(`operand 2 must be one of {set, array} but got ${typeName(paths)}`);
  const root: PathTree = new Map();
  for (const path of elements(paths, "2", "set, array")) {
    const segments = segmentsOf(path);
    if (segments.length === 0) continue;
    let node: PathTree | null = root;
    for (const segment of segments.slice(0, -1)) {
      const key = valueKey(segment);
      const child: PathTree | null | undefined = node.get(key);
      if (child === null) {
        node = null;
        break;
      }
      if (child === undefined) {
        const created: PathTree = new Map();
        node.set(key, created);
        node = created;
      } else node = child;
    }
    if (node !== null) node.set(valueKey(segments[segments.length - 1] as HostValue), null);
  }
  return root;
}

function documentOperand(v: HostValue): { [key: string]: HostValue } {
  if (!isObject(v)) throw new OperandTypeError(`operand 1 must be object but got ${typeName(v)}`);
  return v;
}

/** The parts of `value` the tree names; a leaf keeps its value whole. */
function filtered(value: HostValue, tree: PathTree | null): HostValue {
  if (tree === null) return value;
  if (Array.isArray(value))
    return value.flatMap((item, i) => {
      const child = tree.get(valueKey(String(i)));
      return child === undefined ? [] : [filtered(item, child)];
    });
  if (value instanceof RegoSet)
    return new RegoSet(
      value.elements.flatMap((item) => {
        const child = tree.get(valueKey(item));
        return child === undefined ? [] : [filtered(item, child)];
      }),
    );
  if (isObject(value)) {
    const kept: { [key: string]: HostValue } = {};
    for (const [key, item] of Object.entries(value)) {
      const child = tree.get(valueKey(key));
      if (child !== undefined) kept[key] = filtered(item, child);
    }
    return kept;
  }
  return value;
}

/** `value` less what the tree names; undefined when a leaf removes it whole. */
function removed(value: HostValue, tree: PathTree | null | undefined): HostValue | undefined {
  if (tree === undefined) return value;
  if (tree === null) return undefined;
  const keep = (item: HostValue, key: HostValue): HostValue[] => {
    const rest = removed(item, tree.get(valueKey(key)));
    return rest === undefined ? [] : [rest];
  };
  if (Array.isArray(value)) return value.flatMap((item, i) => keep(item, String(i)));
  if (value instanceof RegoSet)
    return new RegoSet(value.elements.flatMap((item) => keep(item, item)));
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, item]) => keep(item, key).map((rest) => [key, rest])),
    );
  return value;
}

export const jsonPathDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "json.filter": {
    arity: 2,
    fn: (document, paths) => filtered(documentOperand(document), pathTree(paths)),
  },
  "json.remove": {
    arity: 2,
    fn: (document, paths) => removed(documentOperand(document), pathTree(paths)),
  },
};
