// Where an evaluated value was written. Evaluation carries an Origin beside every value so the
// model can point a JSON pointer (even one inside a `jsonencode` document, a heredoc or a policy
// document) at its most specific source line, wherever the value travelled through locals,
// variables and module inputs.
import type { Range } from "../hcl/ast.js";
import type { PathSegment } from "../../model/pointer.js";
import type { SourceLocation, Value } from "../../model/types.js";

/**
 * One stretch of a string value and where it was written: literal text advances line by line
 * through the source, an interpolated piece stays at its interpolation.
 */
export interface TextSegment {
  /** Offset in the string value where this stretch starts. */
  offset: number;
  file: string;
  line: number;
  column: number;
  literal: boolean;
}

export interface Origin {
  file: string;
  range: Range;
  /** Where each element (list index as a string) or attribute of the value was written. */
  items?: Map<string, Origin>;
  /** The value is JSON text; this is where the elements of the decoded document were written. */
  document?: Origin;
  /** The value is a string written as literal text; how its offsets map back to source. */
  text?: TextSegment[];
  /**
   * The value is a nested block a `dynamic` block generates from a `for_each` static evaluation
   * could not know: that expression. It stands for any number of blocks, none included.
   */
  unknownForEach?: string;
  /**
   * With `unknownForEach`, set to it: the block stands for what the unknown part of a partial
   * collection adds beside the blocks of its known elements (`concat(["a"], var.extra)`), which
   * may be nothing, so this block may not exist at all.
   */
  unknownPart?: string;
  /**
   * The resource instances (or module calls) the value was read from: `aws_s3_bucket.a`,
   * `aws_s3_bucket.logs["x"]`, `module.tenant`. Set where a resource's value is read and kept by
   * every step into it, so an element of a collection built from several resources still says
   * which one it came from after it travelled through locals and for-expressions.
   */
  refers?: readonly string[];
  /**
   * The value is the configuration of this resource instance (`aws_vpc.v[0]`), however it was
   * reached (`aws_vpc.v[*]`, a for expression, `values(aws_vpc.v)`, `each.value`, a local): an
   * attribute read from it passed through the line where the instance sets it (`instanceAttribute`).
   */
  instance?: string;
  /**
   * A single value located where it is written, outside the attribute that reads it
   * (`attributeOrigin`): that attribute, the place the value was located before, where an inline
   * waiver may still be written.
   */
  readAt?: { file: string; range: Range };
  /**
   * The places the value passed through between where it is written and here, nearest this
   * reader first: another resource's attribute, a module call's argument, a local that only
   * passes it on, a module's output, a conditional's condition. An element read from a value
   * passes through what the value did (`childOrigin`).
   */
  through?: readonly Hop[];
}

/** A place a value passed through (`Origin.through`), named by what is written there. */
export interface Hop extends SourceLocation {
  /** `aws_vpc.v's cidr_block`, `module.m's cidr argument`, `local.cidr`, `the condition var.open`. */
  through: string;
}

/**
 * The places a value passed through that are kept, the nearest its reader. Every step along a
 * chain copies the list, so unbounded it grows with the square of the chain (locals nest up to
 * MAX_RESOLUTION_DEPTH, 200): a chain of 190 locals read by 400 security groups loaded in
 * 350-420 ms unbounded, 155-175 ms with 8, 135 ms before places were recorded at all.
 */
export const MAX_HOPS = 8;

export interface Evaluated {
  value: Value;
  origin: Origin;
}

export function at(file: string, range: Range): Origin {
  return { file, range };
}

/** The origin of one element, or a plain origin at the parent's place when it is not known. */
export function childOrigin(parent: Origin, key: PathSegment): Origin {
  const written = parent.items?.get(String(key));
  if (written) return inherit(parent, written);
  // Every element not written on its own is where the whole value is: one origin serves them all,
  // so a for-expression over a computed list (`range(1000)`) makes one, not one per element.
  let unplaced = unplacedChildren.get(parent);
  if (!unplaced) {
    unplaced = inherit(parent, { file: parent.file, range: parent.range });
    unplacedChildren.set(parent, unplaced);
  }
  return unplaced;
}

/** The origin `childOrigin` gives an element of each parent that has no origin of its own. */
const unplacedChildren = new WeakMap<Origin, Origin>();

/**
 * What the whole value passed through, the element did too, after what it passed on its own; a
 * place the element is written inside (a local holding a map the element is an entry of) only
 * where the element is: a sibling entry's lines there do not decide it.
 */
function inherit(parent: Origin, child: Origin): Origin {
  if (parent.through === undefined || child.through === parent.through) return child;
  const inherited = parent.through.map((hop) =>
    writtenInside(child, hop) ? { ...toSourceLocation(child), through: hop.through } : hop,
  );
  const through = [...inherited, ...(child.through ?? [])].slice(0, MAX_HOPS);
  return { ...child, through };
}

/** Whether `origin` is written inside `place`, and not at the whole of it. */
function writtenInside(origin: Origin, place: SourceLocation): boolean {
  const { range } = origin;
  if (origin.file !== place.file) return false;
  const starts =
    range.line > place.line || (range.line === place.line && range.column >= place.column);
  const ends =
    range.endLine < place.endLine ||
    (range.endLine === place.endLine && range.endColumn <= place.endColumn);
  const whole =
    range.line === place.line &&
    range.column === place.column &&
    range.endLine === place.endLine &&
    range.endColumn === place.endColumn;
  return starts && ends && !whole;
}

/**
 * Where attribute `name`, holding `value`, of a resource instance's configuration
 * (`Origin.instance`) was written: having passed through the line where the instance sets it
 * (`cidr_block = local.open`), so a change there decides what the reader holds though the value
 * is written elsewhere. Undefined for any other value, or an attribute the instance does not set.
 */
export function instanceAttribute(parent: Origin, name: string, value: Value): Origin | undefined {
  const written = parent.instance === undefined ? undefined : parent.items?.get(name);
  if (written === undefined) return undefined;
  const place = written.readAt ?? written;
  const read = passThrough({ value, origin: written }, `${parent.instance}'s ${name}`, place);
  return readOrigin(parent, inherit(parent, read.origin));
}

/**
 * The value, having passed through `place` (named `name`) on its way here. A single value written
 * inside that place (`cidr_block = "10.0.0.0/8"` read as `aws_vpc.v.cidr_block`) is located
 * there already and takes nothing.
 */
export function passThrough(
  result: Evaluated,
  name: string,
  place: { file: string; range: Range },
): Evaluated {
  const { value, origin } = result;
  const { range } = place;
  const single = value === null || typeof value !== "object";
  const inside =
    origin.file === place.file &&
    origin.range.start >= range.start &&
    origin.range.end <= range.end;
  if (single && inside) return result;
  const hop: Hop = { ...toSourceLocation({ file: place.file, range }), through: name };
  const through = [hop, ...(origin.through ?? [])].slice(0, MAX_HOPS);
  return { value, origin: { ...origin, through } };
}

/**
 * Where a value read from `parent` was written: the child's own place, read from what the parent
 * was read from (an attribute of a resource is read from that resource, whatever the attribute's
 * own value was read from).
 */
export function readOrigin(parent: Origin, child: Origin): Origin {
  return parent.refers === undefined ? child : { ...child, refers: parent.refers };
}

/**
 * The value, chosen by what is written at `places` (a conditional's condition, and where the
 * variables and locals it read are written), all named `name`.
 */
export function chosenAt(
  result: Evaluated,
  name: string,
  places: readonly SourceLocation[],
): Evaluated {
  const hops = places.map((place): Hop => ({ ...place, through: name }));
  const through = [...hops, ...(result.origin.through ?? [])].slice(0, MAX_HOPS);
  return { value: result.value, origin: { ...result.origin, through } };
}

/**
 * The resources a value was read from: those its origin names, else those its elements' origins
 * name, searched to a bounded number of origins (an object built of several resources' values).
 */
export function referredBy(origin: Origin, limit = 1_000): string[] {
  const found = new Set<string>();
  const pending = [origin];
  for (let visited = 0; visited < limit; visited++) {
    const current = pending.pop();
    if (!current) break;
    if (current.refers) current.refers.forEach((address) => found.add(address));
    else if (current.items) pending.push(...current.items.values());
  }
  return [...found];
}

/**
 * The same value's origin, reported at another place (an attribute's own line) keeping what is
 * inside; an attribute it was read at before is not this place's.
 */
export function relocate(origin: Origin, file: string, range: Range): Origin {
  const moved: Origin = { ...origin, file, range };
  delete moved.readAt;
  return moved;
}

/**
 * Where an attribute's value is reported. A single value (string, number, bool, null) written
 * outside the attribute, as a variable's default, a tfvars entry, a module call's argument, a
 * local or a for_each map entry, stays where it was written: that line is the one to change.
 * Anything else, and a value computed in the attribute or read from a resource, is reported at
 * the attribute, the elements of a list or object where each was written. A value left where it
 * was written says which attribute read it (`readAt`).
 */
export function attributeOrigin(result: Evaluated, file: string, attribute: Range): Origin {
  const { value, origin } = result;
  // A document built elsewhere (jsonencode, aws_iam_policy_document) is located statement by
  // statement inside; as a whole it is what the attribute names. A value read from another
  // resource (`user = aws_iam_user.this.name`) is that resource's setting, not this one's.
  const single =
    (value === null || typeof value !== "object") &&
    origin.document === undefined &&
    origin.refers === undefined;
  const inside =
    origin.file === file &&
    origin.range.start >= attribute.start &&
    origin.range.end <= attribute.end;
  return single && !inside
    ? { ...origin, readAt: { file, range: attribute } }
    : relocate(origin, file, attribute);
}

/** Follows a path through items and into JSON documents; the deepest origin found. */
export function originAtPath(origin: Origin, path: readonly PathSegment[]): Origin {
  let current = origin;
  for (const segment of path) {
    const next =
      current.items?.get(String(segment)) ?? current.document?.items?.get(String(segment));
    if (!next) return current;
    current = next;
  }
  return current;
}

/**
 * The `unknownForEach` of the outermost block along a path (into JSON documents too, as
 * `originAtPath` goes), if the path goes through one, and the `unknownPart` of the outermost
 * block along it that has one.
 */
export function unknownForEachAlong(
  origin: Origin,
  path: readonly PathSegment[],
): { unknownForEach: string; unknownPart?: string } | undefined {
  let current = origin;
  let found: { unknownForEach: string; unknownPart?: string } | undefined;
  for (const segment of path) {
    const next =
      current.items?.get(String(segment)) ?? current.document?.items?.get(String(segment));
    if (!next) return found;
    if (next.unknownForEach !== undefined) found ??= { unknownForEach: next.unknownForEach };
    if (found && found.unknownPart === undefined && next.unknownPart !== undefined)
      found.unknownPart = next.unknownPart;
    current = next;
  }
  return found;
}

/** Builds an origin tree from (path, origin) pairs under a root origin. */
export function originTree(
  root: Origin,
  entries: readonly { path: readonly PathSegment[]; origin: Origin }[],
): Origin {
  const tree: Origin = { ...root, items: new Map() };
  for (const { path, origin } of entries) {
    let node = tree;
    path.forEach((segment, i) => {
      const items = (node.items ??= new Map());
      const key = String(segment);
      let child = items.get(key);
      if (i === path.length - 1) {
        child = { ...origin, items: child?.items ?? origin.items };
        items.set(key, child);
      } else if (!child) {
        child = { file: node.file, range: node.range };
        items.set(key, child);
      }
      node = child;
    });
  }
  return tree;
}

export function toSourceLocation(origin: Origin): SourceLocation {
  const { range } = origin;
  return {
    file: origin.file,
    line: range.line,
    column: range.column,
    endLine: range.endLine,
    endColumn: range.endColumn,
  };
}

/** The source position of an offset inside a string with a text origin. */
export function positionInText(
  text: string,
  segments: readonly TextSegment[],
  offset: number,
): { file: string; line: number; column: number } | undefined {
  let segment: TextSegment | undefined;
  for (const candidate of segments) {
    if (candidate.offset <= offset) segment = candidate;
    else break;
  }
  if (!segment) return undefined;
  if (!segment.literal) return { file: segment.file, line: segment.line, column: segment.column };
  // Each line break after the segment's start, found once: every value decoded from a file is
  // placed through here, and a walk from the start for each made that quadratic in the file.
  let breaks = lineBreaks.get(segment);
  if (breaks?.text !== text) {
    const offsets: number[] = [];
    for (let at = text.indexOf("\n", segment.offset); at !== -1; at = text.indexOf("\n", at + 1))
      offsets.push(at);
    breaks = { text, offsets };
    lineBreaks.set(segment, breaks);
  }
  const newlines = breaksBefore(breaks.offsets, offset);
  if (newlines === 0)
    return {
      file: segment.file,
      line: segment.line,
      column: segment.column + offset - segment.offset,
    };
  return {
    file: segment.file,
    line: segment.line + newlines,
    column: offset - (breaks.offsets[newlines - 1] as number),
  };
}

/** The line breaks of the text a literal segment is in, from the segment's start on. */
const lineBreaks = new WeakMap<TextSegment, { text: string; offsets: number[] }>();

/** How many of the ascending `offsets` are before `offset`. */
function breaksBefore(offsets: readonly number[], offset: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((offsets[middle] as number) < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
