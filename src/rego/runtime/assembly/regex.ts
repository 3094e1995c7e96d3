// Go's regexp (RE2 syntax with Perl flags, as OPA compiles patterns) natively, so that a plain
// OPA SDK runs the library's regex.match, regex.replace and regex.split (50 calls in policies/),
// and custom policies' regex.find_n, regex.find_all_string_submatch_n and regex.is_valid.
// Written here rather than taken from a library: the host's re2js (6,800 lines of JavaScript)
// cannot run inside the module, and no RE2 port builds with this runtime's stub allocator (no
// AssemblyScript objects, only a bump heap reset per evaluation). It adds 19 KB to the runtime.
//
// A pattern is parsed to a tree, compiled as Go's regexp/syntax compiles its simplified tree
// (x{2,4} is xx(x(x)?)?, a nullable x* is (x+)?), and run by a Pike VM over UTF-8 runes:
// leftmost-first, linear in program size × text size, whatever the pattern. Programs are
// bounded (MAX_INSTRUCTIONS) and compiled once per evaluation per distinct pattern.
// What this does not implement leaves the call to the host builtin (the export returns
// FALLBACK): \p{..}/\P{..}, \Q..\E, case folding of non-ASCII text, non-ASCII group names,
// `(?P` not followed by `<`, a program over MAX_INSTRUCTIONS, nesting deeper than
// MAX_DEPTH, a `$` replacement template with non-ASCII text, and a find count past 2^53 - 1.

import { opa_malloc, copyBytes, heapGeneration } from "./memory";
import { NUMBER, STRING, typeOf, rt_boolean, strLen, strPtr, makeString, rt_array, rt_array_append, asExactInt, exactInt } from "./value";
import { abortLocated, builtinErrorsAreStrict, typeError, typeErrorText } from "./errors";
import { decodeRune, decodedWidth, decodeLastRune } from "./text";

/** What a regex export returns to have the emitted code call the host builtin instead. */
const FALLBACK: usize = 1;

const MAX_INSTRUCTIONS = 5000;
const MAX_DEPTH = 200;

// ---- parse tree: nodes of 24 bytes (kind, a, b, c, child, sibling) ----
// An empty concatenation is the empty match.

const N_RUNE = 1; // a: the rune
const N_CLASS = 2; // a: first range in the pool, b: range count
const N_ANY = 3; // a: 1 when it matches \n
const N_ASSERT = 4; // a: empty-width flags required
const N_CAPTURE = 5; // a: group index, child
const N_CONCAT = 6; // children
const N_ALTERNATE = 7; // children
const N_REPEAT = 8; // a: min, b: max (-1 unbounded), c: 1 greedy, child

// Empty-width conditions, as Go's syntax.EmptyOp.
const BEGIN_LINE = 1;
const END_LINE = 2;
const BEGIN_TEXT = 4;
const END_TEXT = 8;
const WORD_BOUNDARY = 16;
const NO_WORD_BOUNDARY = 32;

// Parser flags.
const FOLD_CASE = 1;
const MULTI_LINE = 2;
const DOT_NL = 4;
const NON_GREEDY = 8;

// Parse outcome.
const OK = 0;
const UNSUPPORTED = 1;
const INVALID = 2;

let pattern: usize = 0; // runes (i32)
let offsets: usize = 0; // byte offset of each rune, and the length after the last
let patternBytes: usize = 0;
let count = 0;
let at = 0;
let flags = 0;
let status = OK;
let errorCode: string = "";
let errorStart = 0;
let errorEnd = 0;

let nodes: usize = 0;
let nodeCount = 0;
let nodeCapacity = 0;
let pool: usize = 0; // class ranges, pairs of i32
let poolCount = 0;
let poolCapacity = 0;
let scratch: usize = 0; // a class under construction
let scratchCount = 0;
let groups = 0;
let names: usize = 0; // per group: name start, end (byte offsets), -1 when unnamed

function runeAt(i: i32): i32 {
  return load<i32>(pattern + (<usize>i << 2));
}

function fail(code: string, start: i32, end: i32): i32 {
  if (status == OK) {
    status = INVALID;
    errorCode = code;
    errorStart = start;
    errorEnd = end;
  }
  return -1;
}

function unsupported(): i32 {
  if (status == OK) status = UNSUPPORTED;
  return -1;
}

function node(kind: i32, a: i32, b: i32, c: i32): i32 {
  if (nodeCount >= nodeCapacity) return unsupported();
  const n = nodes + <usize>nodeCount * 24;
  store<i32>(n, kind);
  store<i32>(n, a, 4);
  store<i32>(n, b, 8);
  store<i32>(n, c, 12);
  store<i32>(n, -1, 16);
  store<i32>(n, -1, 20);
  return nodeCount++;
}

function field(n: i32, offset: usize): i32 {
  return load<i32>(nodes + <usize>n * 24 + offset);
}

function setField(n: i32, offset: usize, value: i32): void {
  store<i32>(nodes + <usize>n * 24 + offset, value);
}

/** Appends child to the list of parent, after last (-1: first); returns child. */
function appendChild(parent: i32, last: i32, child: i32): i32 {
  if (last < 0) setField(parent, 16, child);
  else setField(last, 20, child);
  return child;
}

// ---- classes: sorted, merged ranges ----

function scratchAdd(lo: i32, hi: i32): void {
  if (scratchCount >= poolCapacity) {
    unsupported();
    return;
  }
  store<i32>(scratch + (<usize>scratchCount << 3), lo);
  store<i32>(scratch + (<usize>scratchCount << 3), hi, 4);
  scratchCount++;
}

function isLetter(r: i32): bool {
  return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
}

/** Adds lo-hi, with every rune that folds to one in it when case folds (ASCII only). */
function addRange(lo: i32, hi: i32, fold: bool): void {
  scratchAdd(lo, hi);
  if (!fold || hi < 0x41 || lo > 0x1e943 || (lo <= 0x41 && hi >= 0x1e943)) return;
  // Go folds by Unicode's orbits; past ASCII this leaves the pattern to the host.
  if (hi >= 0x80) {
    unsupported();
    return;
  }
  const upperLo = max(lo, 0x61);
  const upperHi = min(hi, 0x7a);
  if (upperLo <= upperHi) scratchAdd(upperLo - 32, upperHi - 32);
  const lowerLo = max(lo, 0x41);
  const lowerHi = min(hi, 0x5a);
  if (lowerLo <= lowerHi) scratchAdd(lowerLo + 32, lowerHi + 32);
  // K and S have a third rune in their orbit: KELVIN SIGN and LATIN SMALL LETTER LONG S.
  if ((lo <= 0x4b && hi >= 0x4b) || (lo <= 0x6b && hi >= 0x6b)) scratchAdd(0x212a, 0x212a);
  if ((lo <= 0x53 && hi >= 0x53) || (lo <= 0x73 && hi >= 0x73)) scratchAdd(0x17f, 0x17f);
}

/** Sorts and merges scratch ranges from `from` on, in place; returns their new count. */
function cleanRanges(from: i32): i32 {
  const base = scratch + (<usize>from << 3);
  const n = scratchCount - from;
  for (let i = 1; i < n; i++) {
    const lo = load<i32>(base + (<usize>i << 3));
    const hi = load<i32>(base + (<usize>i << 3), 4);
    let j = i - 1;
    while (j >= 0 && load<i32>(base + (<usize>j << 3)) > lo) {
      store<i64>(base + (<usize>(j + 1) << 3), load<i64>(base + (<usize>j << 3)));
      j--;
    }
    store<i32>(base + (<usize>(j + 1) << 3), lo);
    store<i32>(base + (<usize>(j + 1) << 3), hi, 4);
  }
  let out = 0;
  for (let i = 0; i < n; i++) {
    const lo = load<i32>(base + (<usize>i << 3));
    const hi = load<i32>(base + (<usize>i << 3), 4);
    if (out > 0 && lo <= load<i32>(base + (<usize>(out - 1) << 3), 4) + 1) {
      if (hi > load<i32>(base + (<usize>(out - 1) << 3), 4)) store<i32>(base + (<usize>(out - 1) << 3), hi, 4);
    } else {
      store<i32>(base + (<usize>out << 3), lo);
      store<i32>(base + (<usize>out << 3), hi, 4);
      out++;
    }
  }
  scratchCount = from + out;
  return out;
}

/** Replaces the clean ranges from `from` on by their complement over 0..0x10FFFF. */
function negateRanges(from: i32): void {
  const n = scratchCount - from;
  const copy = opa_malloc(<usize>(n + 1) << 3);
  copyBytes(copy, scratch + (<usize>from << 3), <usize>n << 3);
  scratchCount = from;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const lo = load<i32>(copy + (<usize>i << 3));
    if (lo > next) scratchAdd(next, lo - 1);
    next = load<i32>(copy + (<usize>i << 3), 4) + 1;
  }
  if (next <= 0x10ffff) scratchAdd(next, 0x10ffff);
}

// Named groups, as static range lists (lo, hi pairs). Perl's \d \s \w and POSIX's [:name:] are
// ASCII in RE2.
const DIGIT = "09";
const SPACE_PERL = "\t\n\f\r  ";
const WORD = "09AZ__az";

/** Adds a group (its ranges as pairs of runes in `ranges`), negated when asked, folded. */
function addGroup(ranges: string, negated: bool): void {
  const from = scratchCount;
  for (let i = 0; i < ranges.length; i += 2)
    addRange(ranges.charCodeAt(i), ranges.charCodeAt(i + 1), (flags & FOLD_CASE) != 0);
  cleanRanges(from);
  if (negated) negateRanges(from);
}

function posixGroup(start: i32, end: i32): string {
  // The name between "[:" (or "[:^") and ":]".
  let name = "";
  const n = end - start;
  if (n > 8) return "";
  for (let i = start; i < end; i++) {
    const r = runeAt(i);
    if (r < 0x61 || r > 0x7a) return "";
  }
  if (matchName(start, n, "alnum")) name = "09AZaz";
  else if (matchName(start, n, "alpha")) name = "AZaz";
  else if (matchName(start, n, "ascii")) name = "\x00\x7f";
  else if (matchName(start, n, "blank")) name = "\t\t  ";
  else if (matchName(start, n, "cntrl")) name = "\x00\x1f\x7f\x7f";
  else if (matchName(start, n, "digit")) name = DIGIT;
  else if (matchName(start, n, "graph")) name = "!~";
  else if (matchName(start, n, "lower")) name = "az";
  else if (matchName(start, n, "print")) name = " ~";
  else if (matchName(start, n, "punct")) name = "!/:@[`{~";
  else if (matchName(start, n, "space")) name = "\t\r  ";
  else if (matchName(start, n, "upper")) name = "AZ";
  else if (matchName(start, n, "word")) name = WORD;
  else if (matchName(start, n, "xdigit")) name = "09AFaf";
  return name;
}

function matchName(start: i32, n: i32, name: string): bool {
  if (n != name.length) return false;
  for (let i = 0; i < n; i++) if (runeAt(start + i) != name.charCodeAt(i)) return false;
  return true;
}

/** `\d \D \s \S \w \W` at `at` (the backslash): adds the group and returns true. */
function perlGroup(): bool {
  if (at + 1 >= count || runeAt(at) != 0x5c) return false;
  const c = runeAt(at + 1);
  const lower = c | 0x20;
  const negated = c != lower;
  if (lower == 0x64) addGroup(DIGIT, negated);
  else if (lower == 0x73) addGroup(SPACE_PERL, negated);
  else if (lower == 0x77) addGroup(WORD, negated);
  else return false;
  at += 2;
  return true;
}

/** A class node from the scratch ranges at `from`, copied into the pool. */
function classNode(from: i32): i32 {
  const n = scratchCount - from;
  if (poolCount + n > poolCapacity) return unsupported();
  copyBytes(pool + (<usize>poolCount << 3), scratch + (<usize>from << 3), <usize>n << 3);
  const result = node(N_CLASS, poolCount, n, 0);
  poolCount += n;
  scratchCount = from;
  return result;
}

// ---- escapes ----

function hexValue(r: i32): i32 {
  if (r >= 0x30 && r <= 0x39) return r - 0x30;
  if (r >= 0x61 && r <= 0x66) return r - 0x61 + 10;
  if (r >= 0x41 && r <= 0x46) return r - 0x41 + 10;
  return -1;
}

function isAlnum(r: i32): bool {
  return (r >= 0x30 && r <= 0x39) || isLetter(r);
}

/** The rune of the escape at `at` (the backslash), as Go's parseEscape; -1 on failure. */
function parseEscape(): i32 {
  const start = at;
  at++;
  if (at >= count) return fail("trailing backslash at end of expression", start, start);
  const c = runeAt(at++);
  if (c < 0x80 && !isAlnum(c)) return c;
  if (c >= 0x31 && c <= 0x37 && (at >= count || runeAt(at) < 0x30 || runeAt(at) > 0x37))
    return fail("invalid escape sequence", start, at);
  if (c >= 0x30 && c <= 0x37) {
    let r = c - 0x30;
    for (let i = 1; i < 3 && at < count && runeAt(at) >= 0x30 && runeAt(at) <= 0x37; i++) r = r * 8 + runeAt(at++) - 0x30;
    return r;
  }
  if (c == 0x78) {
    if (at >= count) return fail("invalid escape sequence", start, at);
    const d = runeAt(at++);
    if (d == 0x7b) {
      let r = 0;
      let digits = 0;
      while (true) {
        if (at >= count) return fail("invalid escape sequence", start, at);
        const h = runeAt(at++);
        if (h == 0x7d) break;
        const v = hexValue(h);
        if (v < 0) return fail("invalid escape sequence", start, at);
        r = r * 16 + v;
        if (r > 0x10ffff) return fail("invalid escape sequence", start, at);
        digits++;
      }
      if (digits == 0) return fail("invalid escape sequence", start, at);
      return r;
    }
    const x = hexValue(d);
    const e = at < count ? runeAt(at) : -1;
    if (at < count) at++;
    const y = e < 0 ? -1 : hexValue(e);
    if (x < 0 || y < 0) return fail("invalid escape sequence", start, at);
    return x * 16 + y;
  }
  if (c == 0x61) return 7;
  if (c == 0x66) return 12;
  if (c == 0x6e) return 10;
  if (c == 0x72) return 13;
  if (c == 0x74) return 9;
  if (c == 0x76) return 11;
  return fail("invalid escape sequence", start, at);
}

// ---- the parser: alternation > concatenation > repetition > atom ----

function parseAlternation(depth: i32): i32 {
  if (depth > MAX_DEPTH) return unsupported();
  const first = parseConcatenation(depth);
  if (first < 0 || at >= count || runeAt(at) != 0x7c) return first;
  const alternation = node(N_ALTERNATE, 0, 0, 0);
  if (alternation < 0) return -1;
  let last = appendChild(alternation, -1, first);
  while (at < count && runeAt(at) == 0x7c) {
    at++;
    const next = parseConcatenation(depth);
    if (next < 0) return -1;
    last = appendChild(alternation, last, next);
  }
  return alternation;
}

let repeatMin = 0;
let repeatMax = 0;
/** Parses `{n}`, `{n,}` or `{n,m}` at `at` into repeatMin/Max; false when `{` is a literal. */
function parseRepeatCounts(): bool {
  let i = at + 1;
  const min = parseCount(i);
  if (min == -2) return false;
  i = countEnd;
  if (i >= count) return false;
  let max = min;
  if (runeAt(i) == 0x2c) {
    i++;
    if (i >= count) return false;
    if (runeAt(i) == 0x7d) max = -1;
    else {
      max = parseCount(i);
      if (max == -2) return false;
      i = countEnd;
    }
  }
  if (i >= count || runeAt(i) != 0x7d) return false;
  at = i + 1;
  repeatMin = min;
  repeatMax = max;
  return true;
}

let countEnd = 0;
/** Go's parseInt: digits without a leading zero; -1 when too big, -2 when none. */
function parseCount(i: i32): i32 {
  if (i >= count || runeAt(i) < 0x30 || runeAt(i) > 0x39) return -2;
  if (i + 1 < count && runeAt(i) == 0x30 && runeAt(i + 1) >= 0x30 && runeAt(i + 1) <= 0x39) return -2;
  let n = 0;
  while (i < count && runeAt(i) >= 0x30 && runeAt(i) <= 0x39) {
    if (n >= 100000000) n = -1;
    else if (n >= 0) n = n * 10 + runeAt(i) - 0x30;
    i++;
  }
  countEnd = i;
  return n;
}

/** Go's repeatIsValid: nested counted repetitions multiply to at most n. */
function repeatIsValid(n: i32, limit: i32): bool {
  if (field(n, 0) == N_REPEAT) {
    let m = field(n, 8);
    if (m == 0) return true;
    if (m < 0) m = field(n, 4);
    if (m > limit) return false;
    if (m > 0) limit /= m;
  }
  for (let child = field(n, 16); child >= 0; child = field(child, 20)) if (!repeatIsValid(child, limit)) return false;
  return true;
}

function parseConcatenation(depth: i32): i32 {
  const concatenation = node(N_CONCAT, 0, 0, 0);
  if (concatenation < 0) return -1;
  let last = -1;
  let lastRepeat = -1;
  while (at < count && status == OK) {
    const c = runeAt(at);
    if (c == 0x7c || c == 0x29) break;
    const opStart = at;
    let isRepeat = false;
    let min = 0;
    let max = 0;
    if (c == 0x2a || c == 0x2b || c == 0x3f) {
      isRepeat = true;
      min = c == 0x2b ? 1 : 0;
      max = c == 0x3f ? 1 : -1;
      at++;
    } else if (c == 0x7b && parseRepeatCounts()) {
      isRepeat = true;
      min = repeatMin;
      max = repeatMax;
      if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) return fail("invalid repeat count", opStart, at);
    }
    if (isRepeat) {
      let greedy = (flags & NON_GREEDY) == 0;
      if (at < count && runeAt(at) == 0x3f) {
        greedy = !greedy;
        at++;
      }
      if (lastRepeat >= 0) return fail("invalid nested repetition operator", lastRepeat, at);
      if (last < 0) return fail("missing argument to repetition operator", opStart, at);
      // The repeated node moves to a new slot; its old one, still linked, becomes the repeat.
      const moved = node(field(last, 0), field(last, 4), field(last, 8), field(last, 12));
      if (moved < 0) return -1;
      setField(moved, 16, field(last, 16));
      setField(last, 0, N_REPEAT);
      setField(last, 4, min);
      setField(last, 8, max);
      setField(last, 12, greedy ? 1 : 0);
      setField(last, 16, moved);
      if (c == 0x7b && (min >= 2 || max >= 2) && !repeatIsValid(last, 1000)) return fail("invalid repeat count", opStart, at);
      lastRepeat = opStart;
      continue;
    }
    lastRepeat = -1;
    const item = parseAtom(depth);
    if (item == -2) continue; // a flag group: nothing to append
    if (item < 0) return -1;
    last = appendChild(concatenation, last, item);
  }
  return status == OK ? concatenation : -1;
}

/** One atom at `at`; -2 for a group that only sets flags. */
function parseAtom(depth: i32): i32 {
  const c = runeAt(at);
  if (c == 0x28) return parseGroup(depth);
  if (c == 0x5b) return parseClass();
  if (c == 0x2e) {
    at++;
    return node(N_ANY, (flags & DOT_NL) != 0 ? 1 : 0, 0, 0);
  }
  if (c == 0x5e) {
    at++;
    return node(N_ASSERT, (flags & MULTI_LINE) != 0 ? BEGIN_LINE : BEGIN_TEXT, 0, 0);
  }
  if (c == 0x24) {
    at++;
    return node(N_ASSERT, (flags & MULTI_LINE) != 0 ? END_LINE : END_TEXT, 0, 0);
  }
  if (c == 0x5c && at + 1 < count) {
    const e = runeAt(at + 1);
    let assertion = 0;
    if (e == 0x41) assertion = BEGIN_TEXT;
    else if (e == 0x7a) assertion = END_TEXT;
    else if (e == 0x62) assertion = WORD_BOUNDARY;
    else if (e == 0x42) assertion = NO_WORD_BOUNDARY;
    if (assertion != 0) {
      at += 2;
      return node(N_ASSERT, assertion, 0, 0);
    }
    if (e == 0x70 || e == 0x50 || e == 0x51) return unsupported();
    if (e == 0x43) return fail("invalid escape sequence", at, at + 2);
    const from = scratchCount;
    if (perlGroup()) return classNode(from);
  }
  const r = c == 0x5c ? parseEscape() : runeAt(at++);
  if (r < 0) return -1;
  return literal(r);
}

function literal(r: i32): i32 {
  if ((flags & FOLD_CASE) == 0 || r < 0x41) return node(N_RUNE, r, 0, 0);
  if (r >= 0x80) return unsupported();
  if (!isLetter(r)) return node(N_RUNE, r, 0, 0);
  const from = scratchCount;
  addRange(r, r, true);
  cleanRanges(from);
  return classNode(from);
}

/** `(` at `at`: a capture, a named capture, a non-capturing group or a flag setting. */
function parseGroup(depth: i32): i32 {
  const start = at;
  at++;
  const saved = flags;
  let index = -1;
  if (at < count && runeAt(at) == 0x3f) {
    at++;
    const next = at < count ? runeAt(at) : -1;
    if (next == 0x50 || next == 0x3c) {
      // (?P<name>re) or (?<name>re); other text after (?P goes to the host.
      if (next == 0x50) at++;
      if (at >= count || runeAt(at) != 0x3c) return unsupported();
      at++;
      const nameStart = at;
      while (at < count && runeAt(at) != 0x3e) at++;
      if (at >= count) return fail("invalid named capture", start, count);
      for (let i = nameStart; i < at; i++) {
        const r = runeAt(i);
        if (r >= 0x80) return unsupported();
        if (!isAlnum(r) && r != 0x5f) return fail("invalid named capture", start, at + 1);
      }
      if (at == nameStart) return fail("invalid named capture", start, at + 1);
      for (let g = 1; g <= groups; g++) {
        const s = load<i32>(names + (<usize>g << 3));
        const e = load<i32>(names + (<usize>g << 3), 4);
        if (s >= 0 && sameBytes(s, e, offsetOf(nameStart), offsetOf(at))) return fail("duplicate capture group name", nameStart, at);
      }
      index = ++groups;
      store<i32>(names + (<usize>index << 3), offsetOf(nameStart));
      store<i32>(names + (<usize>index << 3), offsetOf(at), 4);
      at++;
    } else {
      // Flags: [imsU]*(-[imsU]+)? then `)` (set them) or `:` (a group with them).
      let negate = false;
      let sawFlag = false;
      let set = flags;
      while (true) {
        if (at >= count) return fail("invalid or unsupported Perl syntax", start, at);
        const f = runeAt(at++);
        let bit = 0;
        if (f == 0x69) bit = FOLD_CASE;
        else if (f == 0x6d) bit = MULTI_LINE;
        else if (f == 0x73) bit = DOT_NL;
        else if (f == 0x55) bit = NON_GREEDY;
        if (bit != 0) {
          set = negate ? set & ~bit : set | bit;
          sawFlag = true;
          continue;
        }
        if (f == 0x2d && !negate) {
          negate = true;
          sawFlag = false;
          continue;
        }
        if ((f == 0x3a || f == 0x29) && !(negate && !sawFlag)) {
          flags = set;
          if (f == 0x29) return -2;
          break;
        }
        return fail("invalid or unsupported Perl syntax", start, at);
      }
    }
  } else {
    index = ++groups;
    store<i32>(names + (<usize>index << 3), -1);
  }
  const inner = parseAlternation(depth + 1);
  if (inner < 0) return -1;
  if (at >= count) return fail("missing closing )", 0, count);
  at++;
  flags = saved;
  if (index < 0) return inner;
  const capture = node(N_CAPTURE, index, 0, 0);
  if (capture >= 0) setField(capture, 16, inner);
  return capture;
}

function offsetOf(i: i32): i32 {
  return load<i32>(offsets + (<usize>i << 2));
}

function sameBytes(aStart: i32, aEnd: i32, bStart: i32, bEnd: i32): bool {
  if (aEnd - aStart != bEnd - bStart) return false;
  return memory.compare(patternBytes + <usize>aStart, patternBytes + <usize>bStart, <usize>(aEnd - aStart)) == 0;
}

/** `[` at `at`: a class of runes, ranges, POSIX and Perl groups, `^` first to negate. */
function parseClass(): i32 {
  const start = at;
  at++;
  const from = scratchCount;
  let negated = false;
  if (at < count && runeAt(at) == 0x5e) {
    negated = true;
    at++;
  }
  let first = true;
  const fold = (flags & FOLD_CASE) != 0;
  while (true) {
    if (at >= count) return fail("missing closing ]", start, count);
    const c = runeAt(at);
    if (c == 0x5d && !first) break;
    first = false;
    if (c == 0x5b && at + 2 < count && runeAt(at + 1) == 0x3a) {
      let close = at + 2;
      while (close + 1 < count && !(runeAt(close) == 0x3a && runeAt(close + 1) == 0x5d)) close++;
      if (close + 1 < count) {
        const groupNegated = runeAt(at + 2) == 0x5e;
        const ranges = posixGroup(at + (groupNegated ? 3 : 2), close);
        if (ranges.length == 0) return fail("invalid character class range", at, close + 2);
        addGroup(ranges, groupNegated);
        at = close + 2;
        continue;
      }
    }
    if (c == 0x5c && at + 1 < count && (runeAt(at + 1) == 0x70 || runeAt(at + 1) == 0x50)) return unsupported();
    if (perlGroup()) continue;
    const rangeStart = at;
    const lo = c == 0x5c ? parseEscape() : runeAt(at++);
    if (lo < 0) return -1;
    let hi = lo;
    if (at + 1 < count && runeAt(at) == 0x2d && runeAt(at + 1) != 0x5d) {
      at++;
      hi = runeAt(at) == 0x5c ? parseEscape() : runeAt(at++);
      if (hi < 0) return -1;
      if (hi < lo) return fail("invalid character class range", rangeStart, at);
    }
    addRange(lo, hi, fold);
  }
  at++;
  if (status != OK) return -1;
  cleanRanges(from);
  if (negated) negateRanges(from);
  return classNode(from);
}

// ---- compiling to a program (Go's regexp/syntax compiler over the simplified tree) ----

// Instructions, 20 bytes: op, arg, arg2, out, out1.
const I_FAIL = 0;
const I_ALT = 1; // out first, out1 second
const I_RUNE = 2; // arg
const I_CLASS = 3; // ranges at arg, arg2 of them
const I_ANY = 4;
const I_ANY_NOT_NL = 5;
const I_EMPTY = 6; // arg: conditions
const I_CAPTURE = 7; // arg: slot
const I_NOP = 8;
const I_MATCH = 9;

let program: usize = 0;
let instructionCount = 0;

// A fragment: its entry and the list of its dangling exits (Go's patchList).
let fragmentEntry = 0;
let fragmentHead = 0;
let fragmentTail = 0;
let fragmentNullable = false;

function instruction(op: i32): i32 {
  const i = instructionCount++;
  const p = program + <usize>i * 20;
  store<i32>(p, op);
  store<i32>(p, 0, 4);
  store<i32>(p, 0, 8);
  store<i32>(p, 0, 12);
  store<i32>(p, 0, 16);
  return i;
}

function instField(i: i32, offset: usize): i32 {
  return load<i32>(program + <usize>i * 20 + offset);
}

function setInstField(i: i32, offset: usize, value: i32): void {
  store<i32>(program + <usize>i * 20 + offset, value);
}

function patch(head: i32, target: i32): void {
  while (head != 0) {
    const i = head >> 1;
    const offset: usize = (head & 1) == 0 ? 12 : 16;
    head = instField(i, offset);
    setInstField(i, offset, target);
  }
}

/** Sets the fragment to a single instruction whose `out` (or out1) dangles. */
function single(i: i32, viaOut1: bool, nullable: bool): void {
  fragmentEntry = i;
  fragmentHead = fragmentTail = (i << 1) | (viaOut1 ? 1 : 0);
  fragmentNullable = nullable;
}

function appendList(head1: i32, tail1: i32, head2: i32, tail2: i32): void {
  if (head1 == 0) {
    fragmentHead = head2;
    fragmentTail = tail2;
    return;
  }
  if (head2 != 0) setInstField(tail1 >> 1, (tail1 & 1) == 0 ? 12 : 16, head2);
  fragmentHead = head1;
  fragmentTail = head2 == 0 ? tail1 : tail2;
}

/** Makes the fragment saved as (entry1, head1, nullable1), then the current one, current. */
function cat(entry1: i32, head1: i32, nullable1: bool): void {
  if (entry1 == 0 || fragmentEntry == 0) {
    fragmentEntry = fragmentHead = fragmentTail = 0;
    fragmentNullable = false;
    return;
  }
  patch(head1, fragmentEntry);
  fragmentEntry = entry1;
  fragmentNullable = nullable1 && fragmentNullable;
}

/** x? over the current fragment. */
function quest(greedy: bool): void {
  const alt = instruction(I_ALT);
  const entry = fragmentEntry;
  const head = fragmentHead;
  const tail = fragmentTail;
  if (greedy) setInstField(alt, 12, entry);
  else setInstField(alt, 16, entry);
  const own = (alt << 1) | (greedy ? 1 : 0);
  appendList(own, own, head, tail);
  fragmentEntry = alt;
  fragmentNullable = true;
}

/** The loop of x* and x+: an Alt back into the fragment; leaves the Alt as the fragment. */
function loop(greedy: bool): void {
  const alt = instruction(I_ALT);
  if (greedy) setInstField(alt, 12, fragmentEntry);
  else setInstField(alt, 16, fragmentEntry);
  patch(fragmentHead, alt);
  single(alt, greedy, true);
}

function plus(greedy: bool): void {
  const entry = fragmentEntry;
  const nullable = fragmentNullable;
  loop(greedy);
  fragmentEntry = entry;
  fragmentNullable = nullable;
}

function star(greedy: bool): void {
  if (fragmentNullable) {
    plus(greedy);
    quest(greedy);
  } else loop(greedy);
}

function compileNode(n: i32): void {
  const kind = field(n, 0);
  if (kind == N_RUNE) {
    const i = instruction(I_RUNE);
    setInstField(i, 4, field(n, 4));
    single(i, false, false);
  } else if (kind == N_CLASS) {
    const i = instruction(I_CLASS);
    setInstField(i, 4, field(n, 4));
    setInstField(i, 8, field(n, 8));
    single(i, false, false);
  } else if (kind == N_ANY) single(instruction(field(n, 4) != 0 ? I_ANY : I_ANY_NOT_NL), false, false);
  else if (kind == N_ASSERT) {
    const i = instruction(I_EMPTY);
    setInstField(i, 4, field(n, 4));
    single(i, false, true);
  } else if (kind == N_CAPTURE) {
    const open = instruction(I_CAPTURE);
    setInstField(open, 4, field(n, 4) * 2);
    compileNode(field(n, 16));
    cat(open, open << 1, true);
    const entry = fragmentEntry;
    const head = fragmentHead;
    const nullable = fragmentNullable;
    const close = instruction(I_CAPTURE);
    setInstField(close, 4, field(n, 4) * 2 + 1);
    single(close, false, true);
    cat(entry, head, nullable);
  } else if (kind == N_CONCAT) {
    let child = field(n, 16);
    if (child < 0) {
      single(instruction(I_NOP), false, true);
      return;
    }
    compileNode(child);
    for (child = field(child, 20); child >= 0; child = field(child, 20)) {
      const entry = fragmentEntry;
      const head = fragmentHead;
      const nullable = fragmentNullable;
      compileNode(child);
      cat(entry, head, nullable);
    }
  } else if (kind == N_ALTERNATE) {
    let child = field(n, 16);
    compileNode(child);
    for (child = field(child, 20); child >= 0; child = field(child, 20)) {
      const entry = fragmentEntry;
      const head = fragmentHead;
      const tail = fragmentTail;
      const nullable = fragmentNullable;
      compileNode(child);
      alternate(entry, head, tail, nullable);
    }
  } else compileRepeat(n);
}

function alternate(entry1: i32, head1: i32, tail1: i32, nullable1: bool): void {
  if (entry1 == 0) return;
  if (fragmentEntry == 0) {
    fragmentEntry = entry1;
    fragmentHead = head1;
    fragmentTail = tail1;
    fragmentNullable = nullable1;
    return;
  }
  const alt = instruction(I_ALT);
  setInstField(alt, 12, entry1);
  setInstField(alt, 16, fragmentEntry);
  const nullable = nullable1 || fragmentNullable;
  appendList(head1, tail1, fragmentHead, fragmentTail);
  fragmentEntry = alt;
  fragmentNullable = nullable;
}

/** x{min,max} as Go's Simplify spells it out, then compiled. */
function compileRepeat(n: i32): void {
  const min = field(n, 4);
  const max = field(n, 8);
  const greedy = field(n, 12) != 0;
  const sub = field(n, 16);
  if (min == 0 && max == 0) {
    single(instruction(I_NOP), false, true);
    return;
  }
  if (max < 0) {
    if (min == 0) {
      compileNode(sub);
      star(greedy);
      return;
    }
    // x{n,} is n-1 copies of x, then x+.
    let entry = 0;
    let head = 0;
    let nullable = true;
    for (let i = 0; i < min; i++) {
      compileNode(sub);
      if (i == min - 1) plus(greedy);
      if (i > 0) cat(entry, head, nullable);
      entry = fragmentEntry;
      head = fragmentHead;
      nullable = fragmentNullable;
    }
    return;
  }
  if (min == 1 && max == 1) {
    compileNode(sub);
    return;
  }
  // x{n,m}: n copies of x, then (x(x(x)?)?)? for the m-n optional ones, nested.
  let prefixEntry = 0;
  let prefixHead = 0;
  let prefixNullable = true;
  for (let i = 0; i < min; i++) {
    compileNode(sub);
    if (i > 0) cat(prefixEntry, prefixHead, prefixNullable);
    prefixEntry = fragmentEntry;
    prefixHead = fragmentHead;
    prefixNullable = fragmentNullable;
  }
  if (max > min) {
    // Built inside out: the innermost x? first, then x(inner)? around it.
    compileNode(sub);
    quest(greedy);
    for (let i = min + 1; i < max; i++) {
      const innerEntry = fragmentEntry;
      const innerHead = fragmentHead;
      const innerTail = fragmentTail;
      const innerNullable = fragmentNullable;
      compileNode(sub);
      const subEntry = fragmentEntry;
      const subHead = fragmentHead;
      const subNullable = fragmentNullable;
      fragmentEntry = innerEntry;
      fragmentHead = innerHead;
      fragmentTail = innerTail;
      fragmentNullable = innerNullable;
      cat(subEntry, subHead, subNullable);
      quest(greedy);
    }
    if (min > 0) cat(prefixEntry, prefixHead, prefixNullable);
  }
}

/** An upper bound on the instructions compileNode makes for n (capped past the maximum). */
function size(n: i32): i32 {
  const kind = field(n, 0);
  if (kind == N_CAPTURE) return size(field(n, 16)) + 2;
  if (kind == N_CONCAT || kind == N_ALTERNATE) {
    let total = 1;
    for (let child = field(n, 16); child >= 0 && total <= MAX_INSTRUCTIONS; child = field(child, 20)) total += size(child) + 1;
    return total;
  }
  if (kind == N_REPEAT) {
    const sub = size(field(n, 16));
    const copies = max(max(field(n, 4), field(n, 8)), 1);
    if (sub > MAX_INSTRUCTIONS || copies > MAX_INSTRUCTIONS) return MAX_INSTRUCTIONS + 1;
    return (sub + 2) * copies + 2;
  }
  return 1;
}

// ---- compiled programs, cached per evaluation ----

// A program, 48 bytes: status, instructions, their count, start, groups, names (per group: byte
// range in the pattern or -1), ranges, anchored at the start, error code (a static string),
// error expression's byte range, and the machine's buffers (made on first run).
const P_STATUS: usize = 0;
const P_INSTRUCTIONS: usize = 4;
const P_COUNT: usize = 8;
const P_START: usize = 12;
const P_GROUPS: usize = 16;
const P_NAMES: usize = 20;
const P_RANGES: usize = 24;
const P_ANCHORED: usize = 28;
const P_ERROR: usize = 32;
const P_ERROR_START: usize = 36;
const P_ERROR_END: usize = 40;
const P_MACHINE: usize = 44;

function compile(source: usize): usize {
  const bytes = strPtr(source);
  const length = strLen(source);
  const end = bytes + <usize>length;
  patternBytes = bytes;
  pattern = opa_malloc(<usize>(length + 1) << 2);
  offsets = opa_malloc(<usize>(length + 2) << 2);
  count = 0;
  for (let p = bytes; p < end; p += <usize>decodedWidth()) {
    store<i32>(pattern + (<usize>count << 2), decodeRune(p, end));
    store<i32>(offsets + (<usize>count << 2), <i32>(p - bytes));
    count++;
  }
  store<i32>(offsets + (<usize>count << 2), length);
  nodeCapacity = count * 3 + 8;
  nodes = opa_malloc(<usize>nodeCapacity * 24);
  nodeCount = 0;
  poolCapacity = count * 8 + 16;
  pool = opa_malloc(<usize>poolCapacity << 3);
  scratch = opa_malloc(<usize>poolCapacity << 3);
  poolCount = scratchCount = 0;
  names = opa_malloc(<usize>(count + 2) << 3);
  store<i32>(names, -1);
  groups = 0;
  at = 0;
  flags = 0;
  status = OK;
  const root = parseAlternation(0);
  if (status == OK && at < count) fail("unexpected )", 0, count);

  const result = opa_malloc(48);
  memory.fill(result, 0, 48);
  store<i32>(result, status, P_STATUS);
  if (status == INVALID) {
    store<i32>(result, <i32>changetype<usize>(errorCode), P_ERROR);
    store<i32>(result, offsetOf(errorStart), P_ERROR_START);
    store<i32>(result, offsetOf(errorEnd), P_ERROR_END);
  }
  if (status != OK || root < 0) return result;
  if (size(root) + 2 > MAX_INSTRUCTIONS) {
    store<i32>(result, UNSUPPORTED, P_STATUS);
    return result;
  }
  program = opa_malloc(<usize>(size(root) + 2) * 20);
  instructionCount = 0;
  instruction(I_FAIL);
  compileNode(root);
  patch(fragmentHead, instruction(I_MATCH));
  store<i32>(result, <i32>program, P_INSTRUCTIONS);
  store<i32>(result, instructionCount, P_COUNT);
  store<i32>(result, fragmentEntry, P_START);
  store<i32>(result, groups, P_GROUPS);
  store<i32>(result, <i32>names, P_NAMES);
  store<i32>(result, <i32>pool, P_RANGES);
  // Anchored when every path from the start passes \A before reading a rune (Go's StartCond).
  let pc = fragmentEntry;
  let anchored = false;
  while (true) {
    const op = instField(pc, 0);
    if (op == I_EMPTY) {
      if ((instField(pc, 4) & BEGIN_TEXT) != 0) anchored = true;
    } else if (op != I_CAPTURE && op != I_NOP) break;
    pc = instField(pc, 12);
  }
  store<i32>(result, anchored ? 1 : 0, P_ANCHORED);
  return result;
}

// Open addressing over pattern -> program, in a heap table made per evaluation (a new heap
// generation) and doubled when 3/4 full, so each distinct pattern compiles once per evaluation
// however many there are: a fixed 64-slot table recompiled (and re-allocated, never freed) on
// every call once 65 patterns were in use, 70 patterns x 100k calls reaching 289 MiB.
// A slot, 16 bytes: hash, pattern bytes, their length, program (0: empty).
let table: usize = 0;
let tableSlots = 0;
let tableUsed = 0;
let tableGeneration: u32 = 0;

function newTable(slots: i32): void {
  table = opa_malloc(<usize>slots << 4);
  memory.fill(table, 0, <usize>slots << 4);
  tableSlots = slots;
  tableUsed = 0;
}

function tableSlot(hash: u32): usize {
  let i = <i32>(hash & <u32>(tableSlots - 1));
  while (load<i32>(table + (<usize>i << 4), 12) != 0) i = (i + 1) & (tableSlots - 1);
  return table + (<usize>i << 4);
}

function compiled(source: usize): usize {
  const generation = heapGeneration();
  if (table == 0 || tableGeneration != generation) {
    newTable(64);
    tableGeneration = generation;
  }
  const bytes = strPtr(source);
  const length = strLen(source);
  let hash: u32 = 2166136261;
  for (let i = 0; i < length; i++) hash = (hash ^ load<u8>(bytes + <usize>i)) * 16777619;
  const mask = tableSlots - 1;
  for (let i = <i32>(hash & <u32>mask); ; i = (i + 1) & mask) {
    const slot = table + (<usize>i << 4);
    const program = <usize>load<i32>(slot, 12);
    if (program == 0) break;
    if (load<u32>(slot) == hash && load<i32>(slot, 8) == length) {
      if (memory.compare(<usize>load<i32>(slot, 4), bytes, <usize>length) == 0) return program;
    }
  }
  const result = compile(source);
  if ((tableUsed + 1) << 2 > tableSlots * 3) {
    const old = table;
    const oldSlots = tableSlots;
    const used = tableUsed;
    newTable(oldSlots << 1);
    for (let i = 0; i < oldSlots; i++) {
      const from = old + (<usize>i << 4);
      if (load<i32>(from, 12) != 0) memory.copy(tableSlot(load<u32>(from)), from, 16);
    }
    tableUsed = used;
  }
  const slot = tableSlot(hash);
  store<u32>(slot, hash);
  store<i32>(slot, <i32>bytes, 4);
  store<i32>(slot, length, 8);
  store<i32>(slot, <i32>result, 12);
  tableUsed++;
  return result;
}

// ---- the Pike VM: threads in priority order, one step per rune ----

// Per program: two queues (sparse index by pc; dense entries pc, has-thread; the threads' capture
// slots), the add stack and a capture scratch.
let instructions: usize = 0;
let ranges: usize = 0;
let slots = 0; // capture slots kept per thread (0: only whether it matches)
let sparseA: usize = 0;
let denseA: usize = 0;
let capsA: usize = 0;
let sparseB: usize = 0;
let denseB: usize = 0;
let capsB: usize = 0;
let stack: usize = 0;
let scratchCaps: usize = 0;
let matchCaps: usize = 0;
let total = 0; // capture slots of the program

function machineFor(prog: usize): void {
  instructions = <usize>load<i32>(prog, P_INSTRUCTIONS);
  ranges = <usize>load<i32>(prog, P_RANGES);
  total = (load<i32>(prog, P_GROUPS) + 1) * 2;
  const n = <usize>load<i32>(prog, P_COUNT);
  let machine = <usize>load<i32>(prog, P_MACHINE);
  const capsSize = n * <usize>total << 2;
  if (machine == 0) {
    machine = opa_malloc(40);
    store<i32>(machine, <i32>opa_malloc(n << 2));
    store<i32>(machine, <i32>opa_malloc(n << 3), 4);
    store<i32>(machine, <i32>opa_malloc(capsSize), 8);
    store<i32>(machine, <i32>opa_malloc(n << 2), 12);
    store<i32>(machine, <i32>opa_malloc(n << 3), 16);
    store<i32>(machine, <i32>opa_malloc(capsSize), 20);
    store<i32>(machine, <i32>opa_malloc((n * 2 + 2) * 12), 24);
    store<i32>(machine, <i32>opa_malloc(<usize>total << 2), 28);
    store<i32>(machine, <i32>opa_malloc(<usize>total << 2), 32);
    store<i32>(prog, <i32>machine, P_MACHINE);
  }
  sparseA = <usize>load<i32>(machine);
  denseA = <usize>load<i32>(machine, 4);
  capsA = <usize>load<i32>(machine, 8);
  sparseB = <usize>load<i32>(machine, 12);
  denseB = <usize>load<i32>(machine, 16);
  capsB = <usize>load<i32>(machine, 20);
  stack = <usize>load<i32>(machine, 24);
  scratchCaps = <usize>load<i32>(machine, 28);
  matchCaps = <usize>load<i32>(machine, 32);
}

function isWordRune(r: i32): bool {
  return r == 0x5f || isAlnum(r);
}

function conditions(before: i32, after: i32): i32 {
  let c = 0;
  if (before < 0) c |= BEGIN_TEXT | BEGIN_LINE;
  else if (before == 0x0a) c |= BEGIN_LINE;
  if (after < 0) c |= END_TEXT | END_LINE;
  else if (after == 0x0a) c |= END_LINE;
  c |= isWordRune(before) != isWordRune(after) ? WORD_BOUNDARY : NO_WORD_BOUNDARY;
  return c;
}

function consumes(pc: i32, r: i32): bool {
  const p = instructions + <usize>pc * 20;
  const op = load<i32>(p);
  if (op == I_RUNE) return load<i32>(p, 4) == r;
  if (op == I_CLASS) {
    let range = ranges + (<usize>load<i32>(p, 4) << 3);
    const end = range + (<usize>load<i32>(p, 8) << 3);
    for (; range < end; range += 8) {
      if (r < load<i32>(range)) return false;
      if (r <= load<i32>(range, 4)) return true;
    }
    return false;
  }
  if (op == I_ANY) return true;
  if (op == I_ANY_NOT_NL) return r != 0x0a;
  return false;
}

/**
 * Adds pc and what its empty moves reach at pos to the queue (count returned), in priority
 * order, each pc once; capture instructions record pos in caps for what follows them only.
 */
function add(sparse: usize, dense: usize, caps: usize, queued: i32, start: i32, pos: i32, cond: i32, from: usize): i32 {
  let top = 1;
  store<i32>(stack, start);
  store<i32>(stack, -1, 4);
  while (top > 0) {
    top--;
    const entry = stack + <usize>top * 12;
    const pc = load<i32>(entry);
    if (pc < 0) {
      // Undo a capture: slot, old value.
      store<i32>(from + (<usize>load<i32>(entry, 4) << 2), load<i32>(entry, 8));
      continue;
    }
    if (pc == 0) continue;
    const index = load<i32>(sparse + (<usize>pc << 2));
    if (<u32>index < <u32>queued && load<i32>(dense + (<usize>index << 3)) == pc) continue;
    store<i32>(sparse + (<usize>pc << 2), queued);
    const cell = dense + (<usize>queued << 3);
    store<i32>(cell, pc);
    store<i32>(cell, 0, 4);
    queued++;
    const p = instructions + <usize>pc * 20;
    const op = load<i32>(p);
    if (op == I_ALT) {
      store<i32>(stack + <usize>top * 12, load<i32>(p, 16));
      store<i32>(stack + <usize>(top + 1) * 12, load<i32>(p, 12));
      top += 2;
    } else if (op == I_NOP) {
      store<i32>(stack + <usize>top * 12, load<i32>(p, 12));
      top++;
    } else if (op == I_EMPTY) {
      const need = load<i32>(p, 4);
      if ((need & ~cond) == 0) {
        store<i32>(stack + <usize>top * 12, load<i32>(p, 12));
        top++;
      }
    } else if (op == I_CAPTURE) {
      const slot = load<i32>(p, 4);
      if (slot < slots) {
        const undo = stack + <usize>top * 12;
        store<i32>(undo, -1);
        store<i32>(undo, slot, 4);
        store<i32>(undo, load<i32>(from + (<usize>slot << 2)), 8);
        store<i32>(from + (<usize>slot << 2), pos);
        top++;
      }
      store<i32>(stack + <usize>top * 12, load<i32>(p, 12));
      top++;
    } else if (op != I_FAIL) {
      store<i32>(cell, 1, 4);
      if (slots > 0) copyBytes(caps + <usize>(queued - 1) * <usize>slots * 4, from, <usize>slots << 2);
    }
  }
  return queued;
}

/**
 * Runs the program over text[0, length) from pos, leftmost-first as Go's regexp does. With
 * `wanted` slots (0, 2 or all), fills matchCaps with the match's and groups' byte offsets.
 */
function execute(prog: usize, text: usize, length: i32, pos: i32, wanted: i32): bool {
  slots = wanted;
  const start = load<i32>(prog, P_START);
  const anchored = load<i32>(prog, P_ANCHORED) != 0;
  const end = text + <usize>length;
  let runSparse = sparseA;
  let runDense = denseA;
  let runCaps = capsA;
  let nextSparse = sparseB;
  let nextDense = denseB;
  let nextCaps = capsB;
  let runCount = 0;
  let matched = false;
  let r = -1;
  let width = 0;
  if (pos < length) {
    r = decodeRune(text + <usize>pos, end);
    width = decodedWidth();
  }
  let before = pos > 0 ? decodeLastRune(text, text + <usize>pos) : -1;
  let cond = conditions(before, r);
  while (true) {
    if (runCount == 0) {
      if (anchored && pos != 0) break;
      if (matched) break;
    }
    if (!matched && (pos == 0 || !anchored)) {
      for (let i = 0; i < slots; i++) store<i32>(scratchCaps + (<usize>i << 2), -1);
      if (slots > 0) store<i32>(scratchCaps, pos);
      runCount = add(runSparse, runDense, runCaps, runCount, start, pos, cond, scratchCaps);
    }
    let after = -1;
    let afterWidth = 0;
    if (pos + width < length) {
      after = decodeRune(text + <usize>(pos + width), end);
      afterWidth = decodedWidth();
    }
    const nextCond = conditions(r, after);
    let nextCount = 0;
    for (let j = 0; j < runCount; j++) {
      const cell = runDense + (<usize>j << 3);
      if (load<i32>(cell, 4) == 0) continue;
      const pc = load<i32>(cell);
      const threadCaps = runCaps + <usize>j * <usize>slots * 4;
      if (load<i32>(instructions + <usize>pc * 20) == I_MATCH) {
        if (slots == 0) return true;
        store<i32>(threadCaps, pos, 4);
        copyBytes(matchCaps, threadCaps, <usize>slots << 2);
        matched = true;
        break; // leftmost-first: threads of lower priority are cut off
      }
      if (r >= 0 && consumes(pc, r))
        nextCount = add(nextSparse, nextDense, nextCaps, nextCount, load<i32>(instructions + <usize>pc * 20, 12), pos + width, nextCond, threadCaps);
    }
    if (width == 0) break;
    pos += width;
    r = after;
    width = afterWidth;
    cond = nextCond;
    let swap = runSparse;
    runSparse = nextSparse;
    nextSparse = swap;
    swap = runDense;
    runDense = nextDense;
    nextDense = swap;
    swap = runCaps;
    runCaps = nextCaps;
    nextCaps = swap;
    runCount = nextCount;
  }
  return matched;
}

// ---- the builtins ----

/** `name: error parsing regexp: code: `expr``, an eval_builtin_error (undefined when not strict). */
function invalidPattern(name: string, prog: usize, source: usize): void {
  if (!builtinErrorsAreStrict()) return;
  const code = changetype<string>(<usize>load<i32>(prog, P_ERROR));
  const exprStart = load<i32>(prog, P_ERROR_START);
  const exprLength = load<i32>(prog, P_ERROR_END) - exprStart;
  const intro = ": error parsing regexp: ";
  const n = name.length + intro.length + code.length + 3 + exprLength + 1;
  const buf = opa_malloc(<usize>n);
  let k: usize = 0;
  for (let i = 0; i < name.length; i++) store<u8>(buf + k++, <u8>name.charCodeAt(i));
  for (let i = 0; i < intro.length; i++) store<u8>(buf + k++, <u8>intro.charCodeAt(i));
  for (let i = 0; i < code.length; i++) store<u8>(buf + k++, <u8>code.charCodeAt(i));
  store<u8>(buf + k++, 0x3a);
  store<u8>(buf + k++, 0x20);
  store<u8>(buf + k++, 0x60);
  copyBytes(buf + k, strPtr(source) + <usize>exprStart, <usize>exprLength);
  k += <usize>exprLength;
  store<u8>(buf + k++, 0x60);
  abortLocated("eval_builtin_error", buf, k);
}

/** The pattern's program ready to run, or 0 (undefined, error raised) or FALLBACK. */
function ready(name: string, source: usize): usize {
  const prog = compiled(source);
  const state = load<i32>(prog, P_STATUS);
  if (state == UNSUPPORTED) return FALLBACK;
  if (state == INVALID) {
    invalidPattern(name, prog, source);
    return 0;
  }
  machineFor(prog);
  return prog;
}

export function b_regex_match(source: usize, subject: usize): usize {
  if (typeOf(source) != STRING) {
    typeError("regex.match", 1, "string", source);
    return 0;
  }
  if (typeOf(subject) != STRING) {
    typeError("regex.match", 2, "string", subject);
    return 0;
  }
  const prog = ready("regex.match", source);
  if (prog <= FALLBACK) return prog;
  return rt_boolean(<i32>execute(prog, strPtr(subject), strLen(subject), 0, 0));
}

// Go's allMatches: the next match at or after pos, skipping an empty one right after the last.
let searchPos = 0;
let previousEnd = -1;

/** The next accepted match (matchCaps) with `wanted` slots, or false; advances the search. */
function nextMatch(prog: usize, text: usize, length: i32, wanted: i32): bool {
  while (searchPos <= length) {
    if (!execute(prog, text, length, searchPos, wanted)) return false;
    const matchStart = load<i32>(matchCaps);
    const matchEnd = load<i32>(matchCaps, 4);
    let accept = true;
    if (matchEnd == searchPos) {
      if (matchStart == previousEnd) accept = false;
      if (searchPos < length) {
        decodeRune(text + <usize>searchPos, text + <usize>length);
        searchPos += decodedWidth();
      } else searchPos = length + 1;
    } else searchPos = matchEnd;
    previousEnd = matchEnd;
    if (accept) return true;
  }
  return false;
}

/** Go's Split(s, -1), as OPA's regex.split. */
export function b_regex_split(source: usize, subject: usize): usize {
  if (typeOf(source) != STRING) {
    typeError("regex.split", 1, "string", source);
    return 0;
  }
  if (typeOf(subject) != STRING) {
    typeError("regex.split", 2, "string", subject);
    return 0;
  }
  const prog = ready("regex.split", source);
  if (prog <= FALLBACK) return prog;
  const text = strPtr(subject);
  const length = strLen(subject);
  const parts = rt_array(4);
  if (strLen(source) > 0 && length == 0) {
    rt_array_append(parts, makeString(text, 0));
    return parts;
  }
  let begin = 0;
  let cut = 0;
  searchPos = 0;
  previousEnd = -1;
  while (nextMatch(prog, text, length, 2)) {
    cut = load<i32>(matchCaps);
    const matchEnd = load<i32>(matchCaps, 4);
    if (matchEnd != 0) rt_array_append(parts, makeString(text + <usize>begin, cut - begin));
    begin = matchEnd;
  }
  if (cut != length) rt_array_append(parts, makeString(text + <usize>begin, length - begin));
  return parts;
}

// Output of regex.replace, grown by doubling.
let out: usize = 0;
let outLength = 0;
let outCapacity = 0;

function emit(p: usize, n: i32): void {
  if (outLength + n > outCapacity) {
    const capacity = max(outCapacity * 2, outLength + n + 16);
    const grown = opa_malloc(<usize>capacity);
    copyBytes(grown, out, <usize>outLength);
    out = grown;
    outCapacity = capacity;
  }
  copyBytes(out + <usize>outLength, p, <usize>n);
  outLength += n;
}

function isNameByte(b: i32): bool {
  return b == 0x5f || isAlnum(b);
}

/** Go's Regexp.expand of an ASCII template for the match in matchCaps. */
function expand(prog: usize, template: usize, templateLength: i32, text: usize, source: usize): void {
  let i = 0;
  while (i < templateLength) {
    let dollar = i;
    while (dollar < templateLength && load<u8>(template + <usize>dollar) != 0x24) dollar++;
    emit(template + <usize>i, dollar - i);
    if (dollar >= templateLength) return;
    i = dollar + 1;
    if (i < templateLength && load<u8>(template + <usize>i) == 0x24) {
      emit(template + <usize>i, 1);
      i++;
      continue;
    }
    const braced = i < templateLength && load<u8>(template + <usize>i) == 0x7b;
    const nameStart = braced ? i + 1 : i;
    let nameEnd = nameStart;
    while (nameEnd < templateLength && isNameByte(<i32>load<u8>(template + <usize>nameEnd))) nameEnd++;
    if (nameEnd == nameStart || (braced && (nameEnd >= templateLength || load<u8>(template + <usize>nameEnd) != 0x7d))) {
      emit(template + <usize>dollar, 1); // malformed: the `$` is text
      continue;
    }
    i = braced ? nameEnd + 1 : nameEnd;
    // A number (no leading zero, below 1e8) names a group by index, anything else by name.
    let group = 0;
    for (let k = nameStart; k < nameEnd; k++) {
      const b = <i32>load<u8>(template + <usize>k);
      if (b < 0x30 || b > 0x39 || group >= 100000000) {
        group = -1;
        break;
      }
      group = group * 10 + b - 0x30;
    }
    if (load<u8>(template + <usize>nameStart) == 0x30 && nameEnd - nameStart > 1) group = -1;
    const groupCount = load<i32>(prog, P_GROUPS);
    if (group < 0) {
      const groupNames = <usize>load<i32>(prog, P_NAMES);
      for (let g = 1; g <= groupCount; g++) {
        const s = load<i32>(groupNames + (<usize>g << 3));
        const e = load<i32>(groupNames + (<usize>g << 3), 4);
        if (s >= 0 && e - s == nameEnd - nameStart && memory.compare(strPtr(source) + <usize>s, template + <usize>nameStart, <usize>(e - s)) == 0) {
          group = g;
          break;
        }
      }
    }
    if (group < 0 || group > groupCount) continue;
    const from = load<i32>(matchCaps + (<usize>group << 3));
    if (from >= 0) emit(text + <usize>from, load<i32>(matchCaps + (<usize>group << 3), 4) - from);
  }
}

/** Go's ReplaceAllString(s, template), as OPA's regex.replace(s, pattern, template). */
export function b_regex_replace(subject: usize, source: usize, replacement: usize): usize {
  if (typeOf(subject) != STRING) {
    typeError("regex.replace", 1, "string", subject);
    return 0;
  }
  if (typeOf(source) != STRING) {
    typeError("regex.replace", 2, "string", source);
    return 0;
  }
  if (typeOf(replacement) != STRING) {
    typeError("regex.replace", 3, "string", replacement);
    return 0;
  }
  const template = strPtr(replacement);
  const templateLength = strLen(replacement);
  let expands = false;
  let ascii = true;
  for (let k = 0; k < templateLength; k++) {
    const b = load<u8>(template + <usize>k);
    if (b == 0x24) expands = true;
    if (b >= 0x80) ascii = false;
  }
  // Go reads group names as Unicode letters and digits; those templates go to the host.
  if (expands && !ascii) return FALLBACK;
  const prog = ready("regex.replace", source);
  if (prog <= FALLBACK) return prog;
  const text = strPtr(subject);
  const length = strLen(subject);
  const wanted = expands ? total : 2;
  out = 0;
  outLength = 0;
  outCapacity = 0;
  let lastEnd = 0;
  let pos = 0;
  let replaced = false;
  while (pos <= length) {
    if (!execute(prog, text, length, pos, wanted)) break;
    const matchStart = load<i32>(matchCaps);
    const matchEnd = load<i32>(matchCaps, 4);
    emit(text + <usize>lastEnd, matchStart - lastEnd);
    // No replacement for an empty match right after a match ("a*" on "baaac" is "XbXcX").
    if (matchEnd > lastEnd || matchStart == 0) {
      replaced = true;
      if (expands) expand(prog, template, templateLength, text, source);
      else emit(template, templateLength);
    }
    lastEnd = matchEnd;
    let width = 0;
    if (pos < length) {
      decodeRune(text + <usize>pos, text + <usize>length);
      width = decodedWidth();
    }
    if (pos + width > matchEnd) pos += width;
    else if (pos + 1 > matchEnd) pos++;
    else pos = matchEnd;
  }
  if (!replaced) return subject;
  emit(text + <usize>lastEnd, length - lastEnd);
  return makeString(out, outLength);
}

/** The count operand of the find builtins (Go's n: negative for all), or false after an error. */
let findLimit: i64 = 0;
function findOperands(name: string, source: usize, subject: usize, limit: usize): bool {
  if (typeOf(source) != STRING) {
    typeError(name, 1, "string", source);
    return false;
  }
  if (typeOf(subject) != STRING) {
    typeError(name, 2, "string", subject);
    return false;
  }
  if (typeOf(limit) != NUMBER) {
    typeError(name, 3, "number", limit);
    return false;
  }
  if (!asExactInt(limit)) {
    typeErrorText(name, "operand 3 must be integer number but got floating-point number");
    return false;
  }
  findLimit = exactInt();
  return true;
}

// The host takes integers up to 2^53 - 1 only; past that the host decides.
const SAFE_INTEGER: i64 = 9007199254740991;

/** Go's FindAllString(s, n), as OPA's regex.find_n(pattern, s, n). */
export function b_regex_find_n(source: usize, subject: usize, limit: usize): usize {
  if (!findOperands("regex.find_n", source, subject, limit)) return 0;
  if (findLimit > SAFE_INTEGER || findLimit < -SAFE_INTEGER) return FALLBACK;
  const prog = ready("regex.find_n", source);
  if (prog <= FALLBACK) return prog;
  const text = strPtr(subject);
  const length = strLen(subject);
  const found = rt_array(4);
  searchPos = 0;
  previousEnd = -1;
  for (let n: i64 = 0; (findLimit < 0 || n < findLimit) && nextMatch(prog, text, length, 2); n++) {
    const start = load<i32>(matchCaps);
    rt_array_append(found, makeString(text + <usize>start, load<i32>(matchCaps, 4) - start));
  }
  return found;
}

/** Go's FindAllStringSubmatch(s, n): each match and its groups' text, "" for a group not taken. */
export function b_regex_find_all_string_submatch_n(source: usize, subject: usize, limit: usize): usize {
  if (!findOperands("regex.find_all_string_submatch_n", source, subject, limit)) return 0;
  if (findLimit > SAFE_INTEGER || findLimit < -SAFE_INTEGER) return FALLBACK;
  const prog = ready("regex.find_all_string_submatch_n", source);
  if (prog <= FALLBACK) return prog;
  const text = strPtr(subject);
  const length = strLen(subject);
  const found = rt_array(4);
  const groupCount = load<i32>(prog, P_GROUPS);
  searchPos = 0;
  previousEnd = -1;
  for (let n: i64 = 0; (findLimit < 0 || n < findLimit) && nextMatch(prog, text, length, total); n++) {
    const groupsText = rt_array(groupCount + 1);
    for (let g = 0; g <= groupCount; g++) {
      const start = load<i32>(matchCaps + (<usize>g << 3));
      const end = load<i32>(matchCaps + (<usize>g << 3), 4);
      rt_array_append(groupsText, start < 0 ? makeString(text, 0) : makeString(text + <usize>start, end - start));
    }
    rt_array_append(found, groupsText);
  }
  return found;
}

/** OPA's regex.is_valid: whether Go compiles the pattern; false for a value that is no string. */
export function b_regex_is_valid(source: usize): usize {
  if (typeOf(source) != STRING) return rt_boolean(0);
  const state = load<i32>(compiled(source), P_STATUS);
  if (state == UNSUPPORTED) return FALLBACK;
  return rt_boolean(state == OK ? 1 : 0);
}
