// UTF-8 runes and integer digits, shared by the string builtins (strings.ts) and sprintf
// (sprintf.ts). Not re-exported by index.ts: these are helpers, not Wasm exports. A byte that
// starts no valid sequence reads as U+FFFD, one byte wide, as in Go.

import { opa_malloc } from "./memory";
import { makeString } from "./value";

export const REPLACEMENT: i32 = 0xfffd;

// ---- UTF-8 ----

/** Width of the rune decodeRune last read. */
let runeWidth: i32 = 1;

/** The rune at p (end exclusive), as Go's utf8.DecodeRune reads it; its width in runeWidth. */
export function decodeRune(p: usize, end: usize): i32 {
  const b0 = <i32>load<u8>(p);
  if (b0 < 0x80) {
    runeWidth = 1;
    return b0;
  }
  const left = <i32>(end - p);
  let need = 0;
  let r = 0;
  let min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    r = b0 & 0x1f;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    r = b0 & 0x0f;
    min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    r = b0 & 0x07;
    min = 0x10000;
  }
  if (need == 0 || left <= need) {
    runeWidth = 1;
    return REPLACEMENT;
  }
  for (let i = 1; i <= need; i++) {
    const b = <i32>load<u8>(p + i);
    if ((b & 0xc0) != 0x80) {
      runeWidth = 1;
      return REPLACEMENT;
    }
    r = (r << 6) | (b & 0x3f);
  }
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
    runeWidth = 1;
    return REPLACEMENT;
  }
  runeWidth = need + 1;
  return r;
}

export function encodedWidth(r: i32): i32 {
  return r < 0x80 ? 1 : r < 0x800 ? 2 : r < 0x10000 ? 3 : 4;
}

export function encodeRune(p: usize, r: i32): i32 {
  if (r < 0x80) {
    store<u8>(p, <u8>r);
    return 1;
  }
  if (r < 0x800) {
    store<u8>(p, <u8>(0xc0 | (r >> 6)));
    store<u8>(p + 1, <u8>(0x80 | (r & 0x3f)));
    return 2;
  }
  if (r < 0x10000) {
    store<u8>(p, <u8>(0xe0 | (r >> 12)));
    store<u8>(p + 1, <u8>(0x80 | ((r >> 6) & 0x3f)));
    store<u8>(p + 2, <u8>(0x80 | (r & 0x3f)));
    return 3;
  }
  store<u8>(p, <u8>(0xf0 | (r >> 18)));
  store<u8>(p + 1, <u8>(0x80 | ((r >> 12) & 0x3f)));
  store<u8>(p + 2, <u8>(0x80 | ((r >> 6) & 0x3f)));
  store<u8>(p + 3, <u8>(0x80 | (r & 0x3f)));
  return 4;
}

export function runeCount(p: usize, len: i32): i32 {
  const end = p + <usize>len;
  let n = 0;
  for (let at = p; at < end; at += <usize>runeWidth) {
    decodeRune(at, end);
    n++;
  }
  return n;
}

/** The width of the rune decodeRune or decodeLastRune last read. */
export function decodedWidth(): i32 {
  return runeWidth;
}

/** The last rune before end (at least p), as Go's utf8.DecodeLastRune reads it; width in runeWidth. */
export function decodeLastRune(p: usize, end: usize): i32 {
  let start = end - 1;
  const limit = end >= p + 4 ? end - 4 : p;
  while (start > limit && (load<u8>(start) & 0xc0) == 0x80) start--;
  const r = decodeRune(start, end);
  if (start + <usize>runeWidth == end) return r;
  // A sequence that does not end at end is invalid there: the last byte alone is the rune.
  runeWidth = 1;
  return REPLACEMENT;
}

// ---- integers as text ----

const DIGITS = "0123456789abcdef";

/** Digits of the magnitude `limbs` (u32, least significant first, count n) in base; destroys limbs. */
export function bigDigits(limbs: usize, n: i32, base: u32, negative: bool): usize {
  const buf = opa_malloc(<usize>(n * 32 + 2));
  let at: usize = buf + <usize>(n * 32 + 1);
  const last = at;
  let top = n;
  while (top > 0) {
    let rem: u64 = 0;
    for (let i = top - 1; i >= 0; i--) {
      const cur = (rem << 32) | <u64>load<u32>(limbs + (<usize>i << 2));
      store<u32>(limbs + (<usize>i << 2), <u32>(cur / base));
      rem = cur % base;
    }
    store<u8>(at--, <u8>DIGITS.charCodeAt(<i32>rem));
    while (top > 0 && load<u32>(limbs + (<usize>(top - 1) << 2)) == 0) top--;
  }
  if (at == last) store<u8>(at--, 0x30);
  if (negative) store<u8>(at--, 0x2d);
  return makeString(at + 1, <i32>(last - at));
}

