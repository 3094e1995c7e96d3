// Located evaluation errors: the emitted code records the Rego location of the statement it
// is about to run a builtin for, so an error raised deep in the runtime still reads
// `file:line:col: eval_builtin_error: message`, the format the TypeScript side parses.

import { opa_abort, opa_malloc, copyBytes, abortBuffer, ABORT_BUFFER_SIZE } from "./memory";

let currentLocation: usize = 0;

// Strict (the default): builtin errors abort the evaluation, as `opa eval --strict-builtin-errors`.
// Otherwise a failing builtin call is undefined, as OPA's default evaluation.
let strictBuiltinErrors = true;

/** Called by the emitted opa_eval with the policy's error mode. */
export function rt_set_strict(strict: i32): void {
  strictBuiltinErrors = strict != 0;
}

export function builtinErrorsAreStrict(): bool {
  return strictBuiltinErrors;
}

/** Called by emitted code with a NUL-terminated `file:line:col` (0 when unknown). */
export function rt_set_location(loc: usize): void {
  currentLocation = loc;
}

function cstrLen(p: usize): usize {
  let n: usize = 0;
  while (load<u8>(p + n) != 0) n++;
  return n;
}

/**
 * The first `limit` bytes of the UTF-8 text [p, p + n), less the start of a rune the limit
 * cuts: a cut rune would reach the reader as U+FFFD instead of being left out.
 */
function utf8Prefix(p: usize, n: usize, limit: usize): usize {
  if (n <= limit) return n;
  while (limit > 0 && (load<u8>(p + limit) & 0xc0) == 0x80) limit--;
  return limit;
}

/** Aborts with `<location>: <code>: <message bytes>` (truncated to the abort buffer). */
export function abortLocated(code: string, message: usize, messageLen: usize): void {
  const locLen = currentLocation != 0 ? utf8Prefix(currentLocation, cstrLen(currentLocation), 1024) : 0;
  messageLen = utf8Prefix(message, messageLen, ABORT_BUFFER_SIZE - locLen - <usize>code.length - 5);
  let at = abortBuffer;
  if (locLen > 0) {
    copyBytes(at, currentLocation, locLen);
    at += locLen;
    store<u8>(at++, 0x3a);
    store<u8>(at++, 0x20);
  }
  for (let i = 0; i < code.length; i++) store<u8>(at++, <u8>code.charCodeAt(i));
  store<u8>(at++, 0x3a);
  store<u8>(at++, 0x20);
  copyBytes(at, message, messageLen);
  at += messageLen;
  store<u8>(at, 0);
  opa_abort(abortBuffer);
  unreachable();
}

export function builtinError(message: string): void {
  if (!strictBuiltinErrors) return;
  const n = message.length;
  const p = opa_malloc(n);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>message.charCodeAt(i));
  abortLocated("eval_builtin_error", p, n);
}

function typeName(type: i32): string {
  switch (type) {
    case 1: return "null";
    case 2: return "boolean";
    case 3: return "number";
    case 4: return "string";
    case 5: return "array";
    case 6: return "object";
    case 7: return "set";
    default: return "undefined";
  }
}

function appendStatic(buf: usize, at: usize, text: string): usize {
  for (let i = 0; i < text.length; i++) store<u8>(buf + at + i, <u8>text.charCodeAt(i));
  return at + <usize>text.length;
}

/** Aborts with OPA's operand type error: `name: operand N must be EXPECTED but got TYPE`. */
export function typeError(builtin: string, operand: i32, expected: string, got: usize, element: usize = 0): void {
  if (!strictBuiltinErrors) return;
  const type = got == 0 ? 0 : load<i32>(got);
  const buf = opa_malloc(256);
  let at = appendStatic(buf, 0, builtin);
  at = appendStatic(buf, at, ": operand ");
  store<u8>(buf + at++, <u8>(0x30 + operand));
  at = appendStatic(buf, at, " must be ");
  at = appendStatic(buf, at, expected);
  at = appendStatic(buf, at, " but got ");
  at = appendStatic(buf, at, typeName(type));
  if (element != 0) {
    at = appendStatic(buf, at, " containing ");
    at = appendStatic(buf, at, typeName(load<i32>(element)));
  }
  abortLocated("eval_type_error", buf, at);
}

/** Aborts with eval_type_error and a message of its own: `name: text`. */
export function typeErrorText(builtin: string, text: string): void {
  if (!strictBuiltinErrors) return;
  const buf = opa_malloc(<usize>(builtin.length + text.length + 2));
  let at = appendStatic(buf, 0, builtin);
  at = appendStatic(buf, at, ": ");
  at = appendStatic(buf, at, text);
  abortLocated("eval_type_error", buf, at);
}

/** Aborts with eval_builtin_error `before<n>after`, for messages that name a count. */
export function builtinErrorCount(before: string, n: i64, after: string): void {
  if (!strictBuiltinErrors) return;
  const buf = opa_malloc(<usize>(before.length + after.length + 21));
  let at = appendStatic(buf, 0, before);
  if (n < 0) {
    store<u8>(buf + at++, 0x2d);
    n = -n;
  }
  let digits: usize = 1;
  for (let m = n; m >= 10; m /= 10) digits++;
  for (let i: usize = 0; i < digits; i++) {
    store<u8>(buf + at + digits - 1 - i, <u8>(0x30 + <i32>(n % 10)));
    n /= 10;
  }
  at = appendStatic(buf, at + digits, after);
  abortLocated("eval_builtin_error", buf, at);
}
