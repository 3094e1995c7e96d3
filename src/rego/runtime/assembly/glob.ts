// OPA's glob.match (gobwas/glob), native so that a plain OPA SDK runs the library's IAM rules.
// The pattern compiles to a small automaton run over the subject's runes in one pass, so time
// is pattern size × subject size whatever the stars: `*` is any runes but the delimiters,
// `**` any runes, `?` one rune but a delimiter, `[a-z]` one range or `[abc]` runes (`[!...]` not
// them), `{a,b}` either, `\` quotes the next rune. The pattern is read as gobwas reads it, its
// errors and quirks included (`[a-z0-9]` is an error, an unclosed `{` closes at the end). The
// delimiters are one rune each (null: none; an empty array: ".").

import { opa_malloc } from "./memory";
import { Output, newOutput } from "./output";
import { NULL, ARRAY, STRING, typeOf, rt_boolean, strLen, strPtr, arrLen, arrGet } from "./value";
import { abortLocated, builtinErrorsAreStrict, typeError } from "./errors";
import { decodeRune, decodedWidth, encodeRune } from "./text";

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

// gobwas reads the pattern with a lexer whose end of input is the rune 0, so a NUL at the start
// of a token ends the pattern; and it refuses U+FFFD (which is also what a byte that is no UTF-8
// reads as). `ended` records a NUL that ended it.
let ended = false;
const NUL: i32 = 0;
const UNREADABLE: i32 = 0xfffd;

// gobwas's messages. A range out of order names its runes: rangeLo and rangeHi.
const UNREADABLE_RUNE = "could not read rune";
const UNEXPECTED_END = "unexpected end of input";
const EXPECTED_CLOSE = "expected close range character";
const NOT_A_RANGE = "could not parse range";
const RANGE_ORDER = "hi character";
let rangeLo = 0;
let rangeHi = 0;

// Groups recurse (parseSequence <-> parseGroup): past this depth a pattern is refused, as 50,000
// nested `{` overflowed the stack and lost the whole rule. gobwas has no such bound (Go's stack
// grows), so the refusal is an error even when builtin errors are not strict: an undefined
// match could hide a finding.
const MAX_DEPTH = 200;
const TOO_DEEP = "{ groups nested deeper than 200";

/** Whether gobwas's lexer sees the end of input at i: the pattern's end, a NUL, or U+FFFD. */
function endOfInput(i: i32): bool {
  if (i >= runeTotal) return true;
  const c = runeAt(i);
  return c == NUL || c == UNREADABLE;
}

/** Parses tokens until `}` or `,` inside a group (or the end); returns the entry node. */
function parseSequence(depth: i32): i32 {
  const entry = node(SPLIT, 0, -1, -1);
  let exit = entry;
  while (!ended && at < runeTotal && failure.length == 0) {
    const c = runeAt(at);
    if (depth > 0 && (c == 0x7d || c == 0x2c)) break;
    if (c == NUL) {
      ended = true;
      break;
    }
    if (c == UNREADABLE) {
      failure = UNREADABLE_RUNE;
      break;
    }
    let first = -1;
    let last = -1;
    if (c == 0x2a) {
      at++;
      let kind = NOT_DELIMITER;
      if (at < runeTotal && runeAt(at) == 0x2a) {
        kind = ANY;
        at++;
      }
      // A loop: the split either consumes one more rune and returns, or leaves.
      first = last = node(SPLIT, -1, -1, -1);
      setAlternative(first, node(kind, 0, first, -1));
    } else if (c == 0x3f) {
      at++;
      first = last = node(NOT_DELIMITER, 0, -1, -1);
    } else if (c == 0x5b) {
      at++;
      first = last = parseClass();
    } else if (c == 0x7b) {
      if (depth >= MAX_DEPTH) {
        failure = TOO_DEEP;
        break;
      }
      at++;
      first = parseGroup(depth + 1);
      last = fragmentExit;
    } else {
      first = parseText(depth);
      last = fragmentExit;
    }
    if (first < 0) continue;
    setNext(exit, first);
    exit = last;
  }
  fragmentExit = exit;
  return entry;
}

function isTextBreaker(c: i32, depth: i32): bool {
  return c == 0x3f || c == 0x2a || c == 0x5b || c == 0x7b || (depth > 0 && (c == 0x7d || c == 0x2c));
}

/**
 * Literal runes up to a token (`\` takes the next rune as it is; a final one is dropped): a chain
 * of nodes from the one returned to fragmentExit, -1 when there is none. A NUL ends the text and
 * is skipped, as gobwas's lexer reads it.
 */
function parseText(depth: i32): i32 {
  let first = -1;
  let last = -1;
  while (at < runeTotal) {
    let c = runeAt(at);
    if (c == UNREADABLE) {
      failure = UNREADABLE_RUNE;
      break;
    }
    if (c == NUL) {
      at++;
      break;
    }
    if (isTextBreaker(c, depth)) break;
    at++;
    if (c == 0x5c) {
      if (at >= runeTotal) break;
      c = runeAt(at);
      if (c == UNREADABLE) {
        failure = UNREADABLE_RUNE;
        break;
      }
      at++;
      if (c == NUL) break;
    }
    const n = node(RUNE, c, -1, -1);
    if (first < 0) first = n;
    else setNext(last, n);
    last = n;
  }
  fragmentExit = last;
  return first;
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
    // A group still open at the end closes there, as gobwas's parser takes it.
    if (ended || at >= runeTotal) break;
    const c = runeAt(at++);
    if (c == 0x7d) break;
    const more = node(SPLIT, 0, -1, -1);
    setAlternative(split, more);
    split = more;
  }
  fragmentExit = exit;
  return entry;
}

/**
 * `[...]` after its `[`, as gobwas reads it: `!` first to negate, then either one range `a-z` or
 * runes (`\` quoting the next); `[a-z0-9]` and `[]` are errors, as in OPA.
 */
function parseClass(): i32 {
  let negated = false;
  if (!endOfInput(at) && runeAt(at) == 0x21) {
    negated = true;
    at++;
  }
  if (endOfInput(at)) return classFailure(UNEXPECTED_END);
  const first = rangeCount;
  if (at + 1 < runeTotal && runeAt(at + 1) == 0x2d) {
    const lo = runeAt(at);
    at += 2;
    if (endOfInput(at)) return classFailure(UNEXPECTED_END);
    const hi = runeAt(at++);
    if (endOfInput(at)) return classFailure(UNEXPECTED_END);
    if (runeAt(at++) != 0x5d) return classFailure(EXPECTED_CLOSE);
    if (hi < lo) {
      rangeLo = lo;
      rangeHi = hi;
      return classFailure(RANGE_ORDER);
    }
    addRange(lo, hi);
  } else {
    while (at < runeTotal) {
      let c = runeAt(at);
      if (c == 0x5d || c == UNREADABLE) break;
      at++;
      if (c == NUL) break;
      if (c == 0x5c) {
        if (endOfInput(at)) {
          if (at < runeTotal && runeAt(at) == NUL) at++;
          break;
        }
        c = runeAt(at++);
      }
      addRange(c, c);
    }
    if (endOfInput(at)) return classFailure(UNEXPECTED_END);
    if (runeAt(at++) != 0x5d) return classFailure(EXPECTED_CLOSE);
    if (rangeCount == first) return classFailure(NOT_A_RANGE);
  }
  return node(negated ? NOT_IN_CLASS : IN_CLASS, first, -1, rangeCount - first);
}

function addRange(lo: i32, hi: i32): void {
  store<i32>(ranges + (<usize>rangeCount << 3), lo);
  store<i32>(ranges + (<usize>rangeCount << 3), hi, 4);
  rangeCount++;
}

function classFailure(message: string): i32 {
  failure = message;
  return -1;
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

/** OPA's `glob.match: <gobwas's message>`, an eval_builtin_error (undefined when not strict). */
function invalidPattern(): void {
  if (!builtinErrorsAreStrict() && failure != TOO_DEEP) return;
  const message = newOutput(64);
  message.putStatic("glob.match: ");
  message.putStatic(failure);
  if (failure == RANGE_ORDER) {
    message.putStatic(" '");
    putRune(message, rangeHi);
    message.putStatic("' should be greater than lo '");
    putRune(message, rangeLo);
    message.put(0x27);
  }
  abortLocated("eval_builtin_error", message.data, <usize>message.length);
}

function putRune(out: Output, r: i32): void {
  out.reserve(4);
  out.length += encodeRune(out.at(out.length), r);
}

export function b_glob_match(pattern: usize, delimiterList: usize, subject: usize): usize {
  if (typeOf(pattern) != STRING) {
    typeError("glob.match", 1, "string", pattern);
    return 0;
  }
  const listType = typeOf(delimiterList);
  if (listType != NULL && listType != ARRAY) {
    typeError("glob.match", 2, "one of {array, null}", delimiterList);
    return 0;
  }
  if (typeOf(subject) != STRING) {
    typeError("glob.match", 3, "string", subject);
    return 0;
  }
  // Delimiters: one rune per string (OPA's RuneSliceOperand), "." for an empty array.
  const count = listType == ARRAY ? arrLen(delimiterList) : 0;
  delimiters = opa_malloc(<usize>(count + 1) << 2);
  delimiterCount = count;
  for (let i = 0; i < count; i++) {
    const d = arrGet(delimiterList, i);
    if (typeOf(d) != STRING) {
      typeError("glob.match", 2, "array of strings", delimiterList, d);
      return 0;
    }
    const p = strPtr(d);
    const end = p + <usize>strLen(d);
    const r = strLen(d) > 0 ? decodeRune(p, end) : 0;
    if (strLen(d) == 0 || p + <usize>decodedWidth() != end) {
      typeError("glob.match", 2, "array of runes", delimiterList, d);
      return 0;
    }
    store<i32>(delimiters + (<usize>i << 2), r);
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
  ended = false;
  failure = "";
  const start = parseSequence(0);
  if (failure.length > 0) {
    invalidPattern();
    return 0;
  }
  setNext(fragmentExit, node(MATCH, 0, -1, -1));
  return rt_boolean(<i32>runAutomaton(start, subject));
}
