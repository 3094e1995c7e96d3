// Go's strconv quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote) over UTF-8 bytes, for sprintf's
// %q and for strings inside Rego text: a rune Go's IsPrint calls printable stays as it is, the
// others become \a \b \f \n \r \t \v, \xff (control characters and bytes that are not UTF-8),
// \u0100 or \U00010000.

import { Output } from "./output";
import { REPLACEMENT, decodeRune, decodedWidth } from "./text";
import { PRINT_ASTRAL, PRINT_ASTRAL_COUNT, PRINT_BMP, PRINT_BMP_COUNT } from "./print-ranges";

const HEX_LOWER = "0123456789abcdef";

/** Whether r is in the sorted lo, hi pairs at table (count pairs of `size`-byte values). */
function inRanges(table: usize, count: i32, size: i32, r: i32): bool {
  let low = 0;
  let high = count - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const pair = table + <usize>(middle * 2 * size);
    const lo = size == 2 ? <i32>load<u16>(pair) : <i32>load<u32>(pair);
    const hi = size == 2 ? <i32>load<u16>(pair, 2) : <i32>load<u32>(pair, 4);
    if (r < lo) high = middle - 1;
    else if (r > hi) low = middle + 1;
    else return true;
  }
  return false;
}

/** Go's unicode.IsPrint (strconv's): letters, marks, numbers, punctuation, symbols and ' '. */
export function isPrint(r: i32): bool {
  if (r < 0x100) return (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r != 0xad);
  if (r < 0x10000) return inRanges(PRINT_BMP, PRINT_BMP_COUNT, 2, r);
  return inRanges(PRINT_ASTRAL, PRINT_ASTRAL_COUNT, 4, r);
}

function putHexDigits(out: Output, value: i32, digits: i32): void {
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.put(HEX_LOWER.charCodeAt((value >> shift) & 15));
}

/** One rune as Go escapes it inside quote (asciiOnly: QuoteToASCII, every rune past 0x7e escaped). */
function putEscapedRune(out: Output, r: i32, quote: i32, asciiOnly: bool, at: usize, width: i32): void {
  if (r == quote || r == 0x5c) {
    out.put(0x5c);
    out.put(r);
    return;
  }
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) {
    out.putBytes(at, width);
    return;
  }
  out.put(0x5c);
  if (r == 0x07) out.put(0x61);
  else if (r == 0x08) out.put(0x62);
  else if (r == 0x0c) out.put(0x66);
  else if (r == 0x0a) out.put(0x6e);
  else if (r == 0x0d) out.put(0x72);
  else if (r == 0x09) out.put(0x74);
  else if (r == 0x0b) out.put(0x76);
  else if (r < 0x20 || r == 0x7f) {
    out.put(0x78);
    putHexDigits(out, r, 2);
  } else if (r < 0x10000) {
    out.put(0x75);
    putHexDigits(out, r, 4);
  } else {
    out.put(0x55);
    putHexDigits(out, r, 8);
  }
}

/** The UTF-8 bytes [p, p + n) as a Go quoted literal between `quote`s (`"`, or `'` for a rune). */
export function putQuoted(out: Output, p: usize, n: i32, quote: i32, asciiOnly: bool): void {
  out.put(quote);
  const end = p + <usize>n;
  for (let at = p; at < end; ) {
    const r = decodeRune(at, end);
    const width = decodedWidth();
    if (r == REPLACEMENT && width == 1) {
      // A byte that starts no rune.
      out.put(0x5c);
      out.put(0x78);
      putHexDigits(out, load<u8>(at), 2);
    } else putEscapedRune(out, r, quote, asciiOnly, at, width);
    at += <usize>width;
  }
  out.put(quote);
}

/** Go's strconv.CanBackquote: one line of valid UTF-8, no control character but tab, no ` or BOM. */
export function canBackquote(p: usize, n: i32): bool {
  const end = p + <usize>n;
  for (let at = p; at < end; at += <usize>decodedWidth()) {
    const r = decodeRune(at, end);
    if (decodedWidth() > 1) {
      if (r == 0xfeff) return false;
      continue;
    }
    if (r == REPLACEMENT) return false;
    if ((r < 0x20 && r != 0x09) || r == 0x60 || r == 0x7f) return false;
  }
  return true;
}
