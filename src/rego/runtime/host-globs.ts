// OPA's regex.globs_match: whether two glob-like patterns both match some non-empty string. The
// grammar is glob-intersection's, which OPA calls: a character, `.` (any character) or a set
// `[a-z_]` (no negation), each optionally followed by `*` (zero or more) or `+` (one or more),
// and `\` taking the next character literally. Anchored at both ends, over code points.
//
// Decided exactly, by searching the product of the two patterns' automata, where the library
// OPA uses follows a greedy walk that misses some intersections (`a*` and `b*a` share "a"). The
// search visits each pair of positions once, and at each compares two sets range by range, so
// both are bounded: the pairs by the lengths, the range comparisons by a budget.
import { str } from "./host-operands.js";
import type { HostFunction, HostValue } from "./host-value.js";

/** Code point ranges, sorted and disjoint; `any` is `.`. */
type CharClass = "any" | [number, number][];

interface Element {
  chars: CharClass;
  /** Matches zero or more times (`x*`; `x+` is read as `x x*`). */
  repeats: boolean;
}

/** Pairs of positions one call may visit: a thousand elements on each side (about 0.5 s). */
export const MAX_POSITION_PAIRS = 1_000_000;
/**
 * Range comparisons one call may make between sets (a binary search step each), past which it is
 * an error: the sets' sizes are bounded only by the pattern's length, and a pair of large ones at
 * each of a million pairs of positions would take minutes.
 */
export const MAX_RANGE_COMPARISONS = 20_000_000;
/** The longest pattern read at all, so a huge one is refused before it is parsed. */
export const MAX_PATTERN_LENGTH = 100_000;

function invalid(operand: number, position: number, message: string): Error {
  return new Error(`operand ${operand}: pos:${position}: ${message}`);
}

function normalize(ranges: [number, number][]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/** Parses one pattern into elements, with glob-intersection's errors. */
export function parseGlob(pattern: string, operand: number): Element[] {
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new Error(
      `operand ${operand}: a pattern of ${pattern.length} characters is over ${MAX_PATTERN_LENGTH}`,
    );
  const chars = Array.from(pattern, (c) => c.codePointAt(0)!);
  const elements: Element[] = [];
  const code = (c: string) => c.codePointAt(0)!;
  let i = 0;
  /** The next character and whether it was escaped, advancing past it. */
  const next = (): [number, boolean] => {
    const c = chars[i]!;
    if (c === code("\\")) {
      if (i + 1 >= chars.length)
        throw invalid(operand, i, "input ends with a \\ (escape) character");
      i += 2;
      return [chars[i - 1]!, true];
    }
    i += 1;
    return [c, false];
  };
  while (i < chars.length) {
    const start = i;
    const [c, escaped] = next();
    let element: CharClass;
    if (!escaped && (c === code("*") || c === code("+")))
      throw invalid(
        operand,
        start,
        `flag '${String.fromCodePoint(c)}' must be preceded by a non-flag`,
      );
    if (!escaped && c === code("]"))
      throw invalid(operand, start, "set-close ']' with no preceding '['");
    if (!escaped && c === code(".")) element = "any";
    else if (!escaped && c === code("[")) element = parseSet();
    else element = [[c, c]];
    const flag = chars[i];
    if (flag === code("*") || flag === code("+")) {
      i++;
      if (flag === code("+")) elements.push({ chars: element, repeats: false });
      elements.push({ chars: element, repeats: true });
    } else elements.push({ chars: element, repeats: false });
  }
  return elements;

  function parseSet(): [number, number][] {
    const open = i - 1;
    const ranges: [number, number][] = [];
    let previous: number | undefined;
    while (i < chars.length) {
      const at = i;
      const [c, escaped] = next();
      if (!escaped && c === code("]")) return normalize(ranges);
      if (escaped || c !== code("-")) {
        ranges.push([c, c]);
        previous = c;
        continue;
      }
      if (previous === undefined)
        throw invalid(operand, at, "range character '-' must be preceded by a Unicode character");
      if (i >= chars.length)
        throw invalid(operand, at, "range character '-' must be followed by a Unicode character");
      const [end, endEscaped] = next();
      if (!endEscaped && (end === code("]") || end === code("-")))
        throw invalid(operand, at, "range character '-' cannot be followed by a special symbol");
      if (end < previous)
        throw invalid(
          operand,
          at,
          `range is out of order: '${String.fromCodePoint(end)}' comes before '${String.fromCodePoint(previous)}' in Unicode`,
        );
      ranges.push([previous, end]);
      previous = undefined;
    }
    throw invalid(operand, open, "found [ without matching ]");
  }
}

/** Counts the range comparisons of one call against MAX_RANGE_COMPARISONS. */
class ComparisonBudget {
  private left = MAX_RANGE_COMPARISONS;

  spend(count: number): void {
    this.left -= count;
    if (this.left < 0)
      throw new Error(
        `the patterns' character sets are too large to compare (over ${MAX_RANGE_COMPARISONS} range comparisons)`,
      );
  }
}

/** Whether two sets share a character: each range of the smaller looked up in the larger. */
function intersects(a: CharClass, b: CharClass, budget: ComparisonBudget): boolean {
  if (a === "any") return b === "any" || b.length > 0;
  if (b === "any") return a.length > 0;
  const [few, many] = a.length <= b.length ? [a, b] : [b, a];
  // A lookup's steps: one per bit of the length, one for the range found.
  const steps = 33 - Math.clz32(many.length);
  for (const [lo, hi] of few) {
    budget.spend(steps);
    // The first range of `many` that ends at or after `lo`; they share a character if it starts
    // at or before `hi`.
    let low = 0;
    let high = many.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (many[middle]![1] < lo) low = middle + 1;
      else high = middle;
    }
    if (low < many.length && many[low]![0] <= hi) return true;
  }
  return false;
}

/** Whether some non-empty string matches both patterns. */
export function globsIntersect(left: Element[], right: Element[]): boolean {
  const width = right.length + 1;
  const pairs = (left.length + 1) * width;
  if (pairs > MAX_POSITION_PAIRS)
    throw new Error(
      `patterns of ${left.length} and ${right.length} elements are too long to compare (over ${MAX_POSITION_PAIRS} pairs of positions)`,
    );
  // A state is a pair of positions and whether a character has been read yet.
  const seen = new Uint8Array(pairs * 2);
  const budget = new ComparisonBudget();
  const pending: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number, read: number) => {
    const state = (i * width + j) * 2 + read;
    if (seen[state] === 0) {
      seen[state] = 1;
      pending.push(state);
    }
  };
  while (pending.length > 0) {
    const state = pending.pop()!;
    const read = state & 1;
    const pair = state >> 1;
    const i = Math.floor(pair / width);
    const j = pair % width;
    if (i === left.length && j === right.length && read === 1) return true;
    const a = left[i];
    const b = right[j];
    if (a?.repeats) visit(i + 1, j, read);
    if (b?.repeats) visit(i, j + 1, read);
    if (a && b && intersects(a.chars, b.chars, budget))
      visit(a.repeats ? i : i + 1, b.repeats ? j : j + 1, 1);
  }
  return false;
}

function globsMatch(glob1: HostValue, glob2: HostValue): boolean {
  return globsIntersect(parseGlob(str(glob1, "1"), 1), parseGlob(str(glob2, "2"), 2));
}

export const globsDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "regex.globs_match": { arity: 2, fn: globsMatch },
};
