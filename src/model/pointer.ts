// JSON pointers (RFC 6901) name a place inside a resource's `config`; they key `locations`.

export type PathSegment = string | number;

export function toPointer(path: readonly PathSegment[]): string {
  return path
    .map((segment) => "/" + String(segment).replace(/~/g, "~0").replace(/\//g, "~1"))
    .join("");
}

export function fromPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * `path` as a Terraform `config` value holds it. `.tf.json` may write a nested block that appears
 * once as one object rather than a list of one; readers take it as that list (policies'
 * `util.block_list`), so index 0 of such an object names the object itself and is left out here.
 */
export function writtenPath(value: unknown, path: readonly PathSegment[]): PathSegment[] {
  const kept: PathSegment[] = [];
  let current = value;
  for (const [index, segment] of path.entries()) {
    if (current === null || typeof current !== "object") return [...kept, ...path.slice(index)];
    const oneBlock = !Array.isArray(current) && String(segment) === "0";
    if (oneBlock && !Object.hasOwn(current, "0")) continue;
    kept.push(segment);
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return kept;
}
