// OPA's graph.reachable, graph.reachable_paths and object.subset over decoded values. A graph is
// an object from node to an array or set of neighbours; a node missing from it is never reached.
import { elements, isObject, typeName, valueKey } from "./host-operands.js";
import { OperandTypeError, RegoSet, type HostFunction, type HostValue } from "./host-value.js";

type Graph = { [node: string]: HostValue };

function graphOperand(v: HostValue | undefined): Graph {
  if (!isObject(v)) throw new OperandTypeError(`operand 1 must be object but got ${typeName(v)}`);
  return v;
}

/** The node's neighbours, or undefined when the node is not in the graph. */
function edgesOf(graph: Graph, node: HostValue): HostValue[] | undefined {
  if (typeof node !== "string" || !Object.prototype.hasOwnProperty.call(graph, node))
    return undefined;
  const edges = graph[node];
  // Neighbours of another type are ignored, though the node itself counts as reached.
  return Array.isArray(edges) || edges instanceof RegoSet ? elements(edges, "1", "array, set") : [];
}

function reachable(graphValue: HostValue, initial: HostValue): HostValue {
  const graph = graphOperand(graphValue);
  const queue = [...elements(initial, "2", "array, set")];
  const reached = new Map<string, HostValue>();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const edges = edgesOf(graph, node);
    if (edges === undefined) continue;
    for (const neighbour of edges) if (!reached.has(valueKey(neighbour))) queue.push(neighbour);
    reached.set(valueKey(node), node);
  }
  return new RegoSet([...reached.values()]);
}

/** More paths than any policy needs; a dense graph has exponentially many. */
export const MAX_REACHABLE_PATHS = 100_000;

/**
 * OPA's graph.reachable_paths: every path from an initial node that ends at a node without
 * neighbours, before a node already on the path, or before a node missing from the graph.
 */
function reachablePaths(graphValue: HostValue, initial: HostValue): HostValue {
  const graph = graphOperand(graphValue);
  const paths = new Map<string, HostValue[]>();
  const add = (path: HostValue[]) => {
    paths.set(valueKey(path), path);
    if (paths.size > MAX_REACHABLE_PATHS) throw new Error(`more than ${MAX_REACHABLE_PATHS} paths`);
  };
  const walk = (root: HostValue, path: HostValue[], onPath: Set<string>): void => {
    const edges = edgesOf(graph, root);
    if (edges === undefined) return add(path);
    const extended = [...path, root];
    if (edges.length === 0) return add(extended);
    const visited = new Set(onPath).add(valueKey(root));
    for (const neighbour of edges)
      if (visited.has(valueKey(neighbour))) add(extended);
      else walk(neighbour, extended, visited);
  };
  for (const node of elements(initial, "2", "array, set")) {
    const edges = edgesOf(graph, node);
    if (edges === undefined) continue;
    if (edges.length === 0) add([node]);
    for (const neighbour of edges) walk(neighbour, [node], new Set([valueKey(node)]));
  }
  return new RegoSet([...paths.values()]);
}

function setSubset(superSet: RegoSet, subSet: RegoSet): boolean {
  const keys = new Set(superSet.elements.map(valueKey));
  return subSet.elements.every((element) => keys.has(valueKey(element)));
}

/** `sub` appears in `superArray` contiguously and in order. */
function arraySubset(superArray: HostValue[], sub: HostValue[]): boolean {
  const superKeys = superArray.map(valueKey);
  const subKeys = sub.map(valueKey);
  for (let start = 0; start + subKeys.length <= superKeys.length; start++)
    if (subKeys.every((key, i) => superKeys[start + i] === key)) return true;
  return false;
}

/**
 * OPA counts down the set's size once per array element found in the set, duplicates included,
 * and answers true only when the count reaches 0 at an element: an empty array is never a
 * superset, and [1, 1] is one of {1, 2}. Kept as OPA has it.
 */
function arraySetSubset(superArray: HostValue[], sub: RegoSet): boolean {
  const keys = new Set(sub.elements.map(valueKey));
  let unmatched = keys.size;
  for (const element of superArray) {
    if (keys.has(valueKey(element))) unmatched--;
    if (unmatched === 0) return true;
  }
  return false;
}

/** Recursive for objects; sets and arrays one level down use their own subset rule. */
function objectSubset(superObject: Graph, sub: Graph): boolean {
  return Object.entries(sub).every(([key, subValue]) => {
    if (!Object.prototype.hasOwnProperty.call(superObject, key)) return false;
    const superValue = superObject[key]!;
    if (valueKey(superValue) === valueKey(subValue)) return true;
    if (isObject(superValue) && isObject(subValue)) return objectSubset(superValue, subValue);
    if (superValue instanceof RegoSet && subValue instanceof RegoSet)
      return setSubset(superValue, subValue);
    if (Array.isArray(superValue) && Array.isArray(subValue))
      return arraySubset(superValue, subValue);
    return false;
  });
}

function subset(superValue: HostValue, sub: HostValue): boolean {
  if (isObject(superValue) && isObject(sub)) return objectSubset(superValue, sub);
  if (superValue instanceof RegoSet && sub instanceof RegoSet) return setSubset(superValue, sub);
  if (Array.isArray(superValue) && Array.isArray(sub)) return arraySubset(superValue, sub);
  if (Array.isArray(superValue) && sub instanceof RegoSet) return arraySetSubset(superValue, sub);
  throw new OperandTypeError(
    "both arguments object.subset must be of the same type or array and set",
  );
}

export const collectionDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "graph.reachable": { arity: 2, fn: reachable },
  "graph.reachable_paths": { arity: 2, fn: reachablePaths },
  "object.subset": { arity: 2, fn: subset },
};
