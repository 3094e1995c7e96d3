// OPA's glob.match (gobwas/glob), native so that a plain OPA SDK runs the library's IAM rules.
// The pattern compiles to a small automaton run over the subject's runes in one pass, so time
// is pattern size × subject size whatever the stars: `*` is any runes but the delimiters,
// `**` any runes, `?` one rune but a delimiter, `[a-z]`/`[!a-z]` a class, `{a,b}` either, `\`
// quotes the next rune. Delimiters are the runes of the delimiter strings (null: none; an
// empty array: ".").

import { opa_malloc, copyBytes } from "./memory";
import { NULL, ARRAY, STRING, typeOf, rt_boolean, strLen, strPtr, arrLen, arrGet } from "./value";
import { abortLocated, builtinErrorsAreStrict, typeError } from "./errors";
import { decodeRune, decodedWidth } from "./text";

// Automaton nodes, 16 bytes each: kind, argument, next, alternative.
const SPLIT: i32 = 0; // no rune: continue at next and at alternative (when >= 0)
const RUNE: i32 = 1; // the rune in argument
const NOT_DELIMITER: i32 = 2; // any rune but a delimiter
const ANY: i32 = 3; // any rune
const IN_CLASS: i32 = 4; // a rune in the ranges at argument (alternative: their count)
const NOT_IN_CLASS: i32 = 5; // a rune not in them
const MATCH: i32 = 6;

let nodes: usize = 0;
let nodeCount = 0;
let ranges: usize = 0;
let rangeCount = 0;
let delimiters: usize = 0;
let delimiterCount = 0;

// The pattern as runes, and where parsing stands.
let runes: usize = 0;
let runeTotal = 0;
let at = 0;
let failure: string = "";

function node(kind: i32, argument: i32, next: i32, alternative: i32): i32 {
  const n = nodes + (<usize>nodeCount << 4);
  store<i32>(n, kind);
  store<i32>(n, argument, 4);
  store<i32>(n, next, 8);
  store<i32>(n, alternative, 12);
  return nodeCount++;
}

function setNext(n: i32, next: i32): void {
  store<i32>(nodes + (<usize>n << 4), next, 8);
}

function setAlternative(n: i32, alternative: i32): void {
  store<i32>(nodes + (<usize>n << 4), alternative, 12);
}

function runeAt(i: i32): i32 {
  return load<i32>(runes + (<usize>i << 2));
}

// A fragment under construction runs from its entry to fragmentExit, a SPLIT whose next is unset.
let fragmentExit = 0;

/** Parses runes until `}` or `,` inside a group (or the end); returns the entry node. */
function parseSequence(depth: i32): i32 {
  const entry = node(SPLIT, 0, -1, -1);
  let exit = entry;
  while (at < runeTotal && failure.length == 0) {
    const c = runeAt(at);
    if (depth > 0 && (c == 0x7d || c == 0x2c)) break;
    at++;
    let first = -1;
    let last = -1;
    if (c == 0x5c) {
      if (at >= runeTotal) {
        failure = "unexpected end of glob pattern";
        break;
      }
      first = last = node(RUNE, runeAt(at++), -1, -1);
    } else if (c == 0x2a) {
      let kind = NOT_DELIMITER;
      if (at < runeTotal && runeAt(at) == 0x2a) {
        kind = ANY;
        at++;
      }
      // A loop: the split either consumes one more rune and returns, or leaves.
      first = last = node(SPLIT, -1, -1, -1);
      setAlternative(first, node(kind, 0, first, -1));
    } else if (c == 0x3f) first = last = node(NOT_DELIMITER, 0, -1, -1);
    else if (c == 0x5b) first = last = parseClass();
    else if (c == 0x7b) {
      first = parseGroup(depth + 1);
      last = fragmentExit;
    } else first = last = node(RUNE, c, -1, -1);
    if (first < 0) break;
    setNext(exit, first);
    exit = last;
  }
  fragmentExit = exit;
  return entry;
}

/** `{a,b,...}` after its `{`: a split into each alternative, all leaving through one node. */
function parseGroup(depth: i32): i32 {
  const exit = node(SPLIT, 0, -1, -1);
  const entry = node(SPLIT, 0, -1, -1);
  let split = entry;
  while (true) {
    const alternative = parseSequence(depth);
    setNext(fragmentExit, exit);
    setNext(split, alternative);
    if (failure.length > 0) return -1;
    if (at >= runeTotal) {
      failure = "unclosed alternation in glob pattern";
      return -1;
    }
    const c = runeAt(at++);
    if (c == 0x7d) break;
    const more = node(SPLIT, 0, -1, -1);
    setAlternative(split, more);
    split = more;
  }
  fragmentExit = exit;
  return entry;
}

/** `[...]` after its `[`: single runes and `a-z` ranges, `!` first to negate. */
function parseClass(): i32 {
  let close = at;
  while (close < runeTotal && runeAt(close) != 0x5d) close++;
  if (close >= runeTotal) {
    failure = "unclosed character class in glob pattern";
    return -1;
  }
  let negated = false;
  if (at < close && runeAt(at) == 0x21) {
    negated = true;
    at++;
  }
  if (at == close) {
    failure = "empty character class in glob pattern";
    return -1;
  }
  const first = rangeCount;
  while (at < close) {
    const lo = runeAt(at);
    let hi = lo;
    if (at + 2 < close && runeAt(at + 1) == 0x2d) {
      hi = runeAt(at + 2);
      at += 3;
    } else at++;
    if (hi < lo) {
      failure = "invalid character class range in glob pattern";
      return -1;
    }
    store<i32>(ranges + (<usize>rangeCount << 3), lo);
    store<i32>(ranges + (<usize>rangeCount << 3), hi, 4);
    rangeCount++;
  }
  at = close + 1;
  return node(negated ? NOT_IN_CLASS : IN_CLASS, first, -1, rangeCount - first);
}

function isDelimiter(r: i32): bool {
  for (let i = 0; i < delimiterCount; i++) if (load<i32>(delimiters + (<usize>i << 2)) == r) return true;
  return false;
}

function inClass(r: i32, first: i32, count: i32): bool {
  for (let i = first; i < first + count; i++) {
    const range = ranges + (<usize>i << 3);
    if (r >= load<i32>(range) && r <= load<i32>(range, 4)) return true;
  }
  return false;
}

/** Runes of a string into a fresh i32 array; their count in runeTotal. */
function toRunes(s: usize): usize {
  const p = strPtr(s);
  const end = p + <usize>strLen(s);
  const out = opa_malloc(<usize>strLen(s) << 2);
  let n = 0;
  for (let q = p; q < end; q += <usize>decodedWidth()) {
    store<i32>(out + (<usize>n << 2), decodeRune(q, end));
    n++;
  }
  runeTotal = n;
  return out;
}

// ---- running the automaton: the nodes reached before each rune, with Thompson's closure ----

let marks: usize = 0;
let stack: usize = 0;

/** Adds n and every node its splits reach to the list at states (count returned), once a step. */
function addState(states: usize, count: i32, n: i32, step: i32): i32 {
  let top = 0;
  store<i32>(stack, n);
  top = 1;
  while (top > 0) {
    top--;
    const m = load<i32>(stack + (<usize>top << 2));
    if (m < 0 || load<i32>(marks + (<usize>m << 2)) == step) continue;
    store<i32>(marks + (<usize>m << 2), step);
    const cell = nodes + (<usize>m << 4);
    if (load<i32>(cell) == SPLIT) {
      store<i32>(stack + (<usize>top << 2), load<i32>(cell, 12));
      store<i32>(stack + (<usize>(top + 1) << 2), load<i32>(cell, 8));
      top += 2;
    } else {
      store<i32>(states + (<usize>count << 2), m);
      count++;
    }
  }
  return count;
}

function consumes(n: i32, r: i32): bool {
  const cell = nodes + (<usize>n << 4);
  switch (load<i32>(cell)) {
    case RUNE:
      return load<i32>(cell, 4) == r;
    case NOT_DELIMITER:
      return !isDelimiter(r);
    case ANY:
      return true;
    case IN_CLASS:
      return inClass(r, load<i32>(cell, 4), load<i32>(cell, 12));
    case NOT_IN_CLASS:
      return !inClass(r, load<i32>(cell, 4), load<i32>(cell, 12));
    default:
      return false;
  }
}

function runAutomaton(start: i32, subject: usize): bool {
  const text = toRunes(subject);
  const length = runeTotal;
  const size = <usize>nodeCount << 2;
  marks = opa_malloc(size);
  memory.fill(marks, 0xff, size);
  stack = opa_malloc(size * 2 + 8);
  let current = opa_malloc(size);
  let next = opa_malloc(size);
  let count = addState(current, 0, start, 0);
  for (let i = 0; i < length && count > 0; i++) {
    const r = load<i32>(text + (<usize>i << 2));
    let nextCount = 0;
    for (let k = 0; k < count; k++) {
      const n = load<i32>(current + (<usize>k << 2));
      if (consumes(n, r)) nextCount = addState(next, nextCount, load<i32>(nodes + (<usize>n << 4), 8), i + 1);
    }
    const swap = current;
    current = next;
    next = swap;
    count = nextCount;
  }
  for (let k = 0; k < count; k++)
    if (load<i32>(nodes + (<usize>load<i32>(current + (<usize>k << 2)) << 4)) == MATCH) return true;
  return false;
}

/** `glob.match: <failure> "<pattern>"`, an eval_builtin_error (undefined when not strict). */
function invalidPattern(pattern: usize): void {
  if (!builtinErrorsAreStrict()) return;
  const intro = "glob.match: ";
  const n = intro.length + failure.length + 3 + strLen(pattern);
  const buf = opa_malloc(<usize>n);
  let k: usize = 0;
  for (let i = 0; i < intro.length; i++) store<u8>(buf + k++, <u8>intro.charCodeAt(i));
  for (let i = 0; i < failure.length; i++) store<u8>(buf + k++, <u8>failure.charCodeAt(i));
  store<u8>(buf + k++, 0x20);
  store<u8>(buf + k++, 0x22);
  copyBytes(buf + k, strPtr(pattern), <usize>strLen(pattern));
  store<u8>(buf + <usize>(n - 1), 0x22);
  abortLocated("eval_builtin_error", buf, <usize>n);
}

export function b_glob_match(pattern: usize, delimiterList: usize, subject: usize): usize {
  if (typeOf(pattern) != STRING) {
    typeError("glob.match", 1, "string", pattern);
    return 0;
  }
  const listType = typeOf(delimiterList);
  if (listType != NULL && listType != ARRAY) {
    typeError("glob.match", 2, "array", delimiterList);
    return 0;
  }
  if (typeOf(subject) != STRING) {
    typeError("glob.match", 3, "string", subject);
    return 0;
  }
  // Delimiter runes: those of every delimiter string, "." for an empty array.
  delimiterCount = 0;
  const count = listType == ARRAY ? arrLen(delimiterList) : 0;
  let total = 1;
  for (let i = 0; i < count; i++) {
    const d = arrGet(delimiterList, i);
    if (typeOf(d) != STRING) {
      typeError("glob.match", 2, "array of strings", delimiterList, d);
      return 0;
    }
    total += strLen(d);
  }
  delimiters = opa_malloc(<usize>total << 2);
  for (let i = 0; i < count; i++) {
    const d = arrGet(delimiterList, i);
    const p = strPtr(d);
    const end = p + <usize>strLen(d);
    for (let q = p; q < end; q += <usize>decodedWidth()) {
      store<i32>(delimiters + (<usize>delimiterCount << 2), decodeRune(q, end));
      delimiterCount++;
    }
  }
  if (listType == ARRAY && count == 0) {
    store<i32>(delimiters, 0x2e);
    delimiterCount = 1;
  }
  runes = toRunes(pattern);
  // Each rune makes at most two nodes, each group two more and each alternative one.
  nodes = opa_malloc(<usize>(runeTotal * 4 + 4) << 4);
  nodeCount = 0;
  ranges = opa_malloc(<usize>(runeTotal + 1) << 3);
  rangeCount = 0;
  at = 0;
  failure = "";
  const start = parseSequence(0);
  if (failure.length > 0) {
    invalidPattern(pattern);
    return 0;
  }
  setNext(fragmentExit, node(MATCH, 0, -1, -1));
  return rt_boolean(<i32>runAutomaton(start, subject));
}
