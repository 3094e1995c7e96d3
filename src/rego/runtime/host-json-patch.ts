// OPA's json.patch: RFC 6902 operations (add, remove, replace, move, copy, test) applied in order
// to any document. Paths are JSON pointers (`"/a/0"`, `~1` for `/`, `~0` for `~`) or arrays of
// segments; an array index is a decimal without leading zeros, `-` is one past the end, and a
// set's element is named by itself. As in OPA, a patch that cannot apply (missing path, index
// out of range, failed test, malformed operation) makes the call undefined rather than an error.
// Paths are walked iteratively, so a deep path costs time in its length, never stack, and a
// result that would write out to over MAX_RESULT_VALUES values is an error.
import { array, isObject, valueKey } from "./host-operands.js";
import { pointerSegments } from "./host-json-paths.js";
import { RegoSet, type HostFunction, type HostValue } from "./host-value.js";

/** Why a patch does not apply; caught at the top and turned into an undefined result. */
class PatchFailure extends Error {}

type Container = HostValue[] | RegoSet | { [key: string]: HostValue };

function pathSegments(path: HostValue | undefined): HostValue[] {
  if (typeof path === "string") return pointerSegments(path);
  if (Array.isArray(path)) return path;
  throw new PatchFailure("a path must be a string or an array of segments");
}

const INT64_MAX = 2n ** 63n - 1n;

/** OPA's edittree toIndex: `-` is the end, otherwise an int64 without leading zeros. */
function arrayIndex(length: number, segment: HostValue): number {
  if (typeof segment === "number") {
    if (!Number.isInteger(segment)) throw new PatchFailure("invalid number type for indexing");
    return segment;
  }
  if (typeof segment !== "string") throw new PatchFailure("invalid type for indexing");
  if (segment === "-") return length;
  if (!/^[+-]?\d+$/.test(segment)) throw new PatchFailure("invalid string for indexing");
  if (segment !== "0" && segment.startsWith("0"))
    throw new PatchFailure("leading zeros are not allowed in JSON paths");
  const index = BigInt(segment);
  if (index > INT64_MAX || index < -INT64_MAX - 1n)
    throw new PatchFailure("invalid string for indexing");
  return index > BigInt(Number.MAX_SAFE_INTEGER) || index < 0n ? -1 : Number(index);
}

function asContainer(value: HostValue): Container {
  if (Array.isArray(value) || value instanceof RegoSet || isObject(value)) return value;
  throw new PatchFailure("expected a composite value on the path");
}

/** The child of `container` that `segment` names; a failure when there is none. */
function child(container: Container, segment: HostValue): HostValue {
  if (Array.isArray(container)) {
    const index = arrayIndex(container.length, segment);
    if (index < 0 || index >= container.length) throw new PatchFailure("index out of range");
    return container[index] as HostValue;
  }
  if (container instanceof RegoSet) {
    const key = valueKey(segment);
    const found = container.elements.find((element) => valueKey(element) === key);
    if (found === undefined) throw new PatchFailure("no such set element");
    return found;
  }
  if (typeof segment !== "string" || !Object.hasOwn(container, segment))
    throw new PatchFailure("no such object key");
  return container[segment] as HostValue;
}

function valueAt(document: HostValue, path: readonly HostValue[]): HostValue {
  let node = document;
  for (const segment of path) node = child(asContainer(node), segment);
  return node;
}

/** `container` with `segment` inserted (add semantics), as a new container. */
function inserted(container: Container, segment: HostValue, value: HostValue): Container {
  if (Array.isArray(container)) {
    const index = arrayIndex(container.length, segment);
    if (index < 0 || index > container.length) throw new PatchFailure("index out of range");
    return [...container.slice(0, index), value, ...container.slice(index)];
  }
  if (container instanceof RegoSet) {
    const key = valueKey(segment);
    if (key !== valueKey(value)) throw new PatchFailure("a set element is named by itself");
    return new RegoSet([...container.elements.filter((e) => valueKey(e) !== key), value]);
  }
  if (typeof segment !== "string") throw new PatchFailure("an object key must be a string");
  return { ...container, [segment]: value };
}

/** `container` without the child `segment` names, as a new container. */
function deleted(container: Container, segment: HostValue): Container {
  child(container, segment);
  if (Array.isArray(container)) {
    const index = arrayIndex(container.length, segment);
    return [...container.slice(0, index), ...container.slice(index + 1)];
  }
  if (container instanceof RegoSet) {
    const key = valueKey(segment);
    return new RegoSet(container.elements.filter((e) => valueKey(e) !== key));
  }
  const rest = { ...container };
  delete rest[segment as string];
  return rest;
}

/**
 * The document with the parent of `path` replaced by `edit(parent, last segment)`: the
 * containers along the path are copied, never changed, so the operand stays as it was.
 */
function editParent(
  document: HostValue,
  path: readonly HostValue[],
  edit: (parent: Container, segment: HostValue) => Container,
): HostValue {
  const chain: Container[] = [];
  let node = document;
  for (const segment of path.slice(0, -1)) {
    const container = asContainer(node);
    chain.push(container);
    node = child(container, segment);
  }
  let rebuilt: HostValue = edit(asContainer(node), path[path.length - 1] as HostValue);
  for (let depth = chain.length - 1; depth >= 0; depth--) {
    const container = chain[depth] as Container;
    const segment = path[depth] as HostValue;
    rebuilt = replacedChild(container, segment, rebuilt);
  }
  return rebuilt;
}

function replacedChild(container: Container, segment: HostValue, value: HostValue): Container {
  if (Array.isArray(container)) {
    const copy = [...container];
    copy[arrayIndex(container.length, segment)] = value;
    return copy;
  }
  if (container instanceof RegoSet) {
    const key = valueKey(segment);
    return new RegoSet(container.elements.map((e) => (valueKey(e) === key ? value : e)));
  }
  return { ...container, [segment as string]: value };
}

/** The document, or undefined once the whole document has been removed. */
type Document = { value: HostValue } | undefined;

function add(document: Document, path: readonly HostValue[], value: HostValue): Document {
  if (path.length === 0) return { value };
  if (document === undefined) throw new PatchFailure("the document was removed");
  return { value: editParent(document.value, path, (parent, key) => inserted(parent, key, value)) };
}

function remove(document: Document, path: readonly HostValue[]): Document {
  if (document === undefined) throw new PatchFailure("the document was removed");
  if (path.length === 0) return undefined;
  return { value: editParent(document.value, path, deleted) };
}

function read(document: Document, path: readonly HostValue[]): HostValue {
  if (document === undefined) throw new PatchFailure("the document was removed");
  return valueAt(document.value, path);
}

const OPERATIONS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

function member(operation: { [key: string]: HostValue }, name: string): HostValue {
  if (!Object.hasOwn(operation, name)) throw new PatchFailure(`missing '${name}' attribute`);
  return operation[name] as HostValue;
}

function apply(document: Document, raw: HostValue): Document {
  if (!isObject(raw)) throw new PatchFailure("a patch operation must be an object");
  const op = member(raw, "op");
  if (typeof op !== "string" || !OPERATIONS.has(op))
    throw new PatchFailure(`unrecognized op '${String(op)}'`);
  const path = pathSegments(member(raw, "path"));
  switch (op) {
    case "add":
      return add(document, path, member(raw, "value"));
    case "remove":
      return remove(document, path);
    case "replace":
      return add(remove(document, path), path, member(raw, "value"));
    case "move": {
      const from = pathSegments(member(raw, "from"));
      const moved = read(document, from);
      return add(remove(document, from), path, moved);
    }
    case "copy": {
      const from = pathSegments(member(raw, "from"));
      return add(document, path, read(document, from));
    }
    default: {
      const expected = member(raw, "value");
      if (valueKey(read(document, path)) !== valueKey(expected))
        throw new PatchFailure("test failed");
      return document;
    }
  }
}

/**
 * The most values a result may hold once written out. `copy` shares what it copies, so thirty
 * copies of the document into itself make a small graph that writes out as a billion values.
 */
export const MAX_RESULT_VALUES = 1_000_000;

function checkSize(result: HostValue): void {
  let count = 0;
  const pending: HostValue[] = [result];
  while (pending.length > 0) {
    const value = pending.pop() as HostValue;
    if (++count > MAX_RESULT_VALUES)
      throw new Error(`the result would hold over ${MAX_RESULT_VALUES} values`);
    if (Array.isArray(value)) pending.push(...value);
    else if (value instanceof RegoSet) pending.push(...value.elements);
    else if (isObject(value)) pending.push(...Object.values(value));
  }
}

function jsonPatch(target: HostValue | undefined, patches: HostValue | undefined) {
  const operations = array(patches, "2");
  let document: Document = { value: target ?? null };
  try {
    for (const operation of operations) document = apply(document, operation);
  } catch (error) {
    if (error instanceof PatchFailure) return undefined;
    throw error;
  }
  if (document !== undefined) checkSize(document.value);
  return document?.value;
}

export const jsonPatchDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "json.patch": { arity: 2, fn: jsonPatch },
};
