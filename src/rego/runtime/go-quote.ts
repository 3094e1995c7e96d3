// Go's strconv quoting on the host (Quote, QuoteToASCII, QuoteRune, CanBackquote), for the Go fmt
// of strings.render_template's printf. Printable is Go's IsPrint over Go's Unicode tables
// (GO_UNICODE_VERSION), read from the table scripts/print-ranges.ts generates with the Wasm
// runtime's, so %q escapes the same runes in sprintf (assembly/quote.ts) and in a template.
import { PRINT_RANGES } from "./print-ranges.js";

/**
 * The Unicode version of Go's tables in the Go that builds OPA's releases: Go 1.27 moved from
 * 15.0 to 17.0, and OPA has built with Go 1.27 since open-policy-agent/opa#9136 (September 2026;
 * v1.21.2 names Go 1.27.2, and v1.23.0 is the current release). The tables are generated from
 * Node's (process.versions.unicode), and scripts/print-ranges.ts and scripts/case-ranges.ts refuse
 * to write them from another version. isPrint does not read the running Node's tables, so on an
 * older Node (20.18's are Unicode 15.1) a template's %q still escapes what sprintf's does.
 */
export const GO_UNICODE_VERSION = "17.0";

/** Go's unicode.IsPrint (strconv's): letters, marks, numbers, punctuation, symbols and ' '. */
export function isPrint(cp: number): boolean {
  if (cp < 0x100) return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa1 && cp !== 0xad);
  let low = 0;
  let high = PRINT_RANGES.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (cp < PRINT_RANGES[2 * middle]!) high = middle - 1;
    else if (cp > PRINT_RANGES[2 * middle + 1]!) low = middle + 1;
    else return true;
  }
  return false;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x07: "\\a",
  0x08: "\\b",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x0b: "\\v",
};

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, "0");

/** One rune as Go writes it inside `quote`s (asciiOnly: QuoteToASCII's, past 0x7e escaped). */
function escapedRune(cp: number, quote: string, asciiOnly: boolean): string {
  const char = String.fromCodePoint(cp);
  if (char === quote || char === "\\") return `\\${char}`;
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return char;
  const short = SHORT_ESCAPES[cp];
  if (short !== undefined) return short;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  // A lone surrogate is not a rune: Go writes U+FFFD for it, escaped as \ufffd only in ASCII.
  if (cp >= 0xd800 && cp <= 0xdfff) return escapedRune(0xfffd, quote, asciiOnly);
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

/** Go's strconv.Quote, or QuoteToASCII when asciiOnly. */
export function goQuote(s: string, asciiOnly = false): string {
  let out = '"';
  for (const char of s) out += escapedRune(char.codePointAt(0)!, '"', asciiOnly);
  return `${out}"`;
}

/** Go's strconv.QuoteRune (QuoteRuneToASCII when asciiOnly): what is not a rune is U+FFFD. */
export function goQuoteRune(n: bigint, asciiOnly = false): string {
  return `'${escapedRune(goRune(n), "'", asciiOnly)}'`;
}

/** The rune fmt's %c and %q take an integer for: U+FFFD past U+10FFFF, below 0 or a surrogate. */
export function goRune(n: bigint): number {
  const cp = Number(n);
  return n < 0n || n > 0x10ffffn || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp;
}

/** Go's strconv.CanBackquote: one line with no control character but tab, no ` and no BOM. */
export function canBackquote(s: string): boolean {
  return !/[\u0000-\u0008\u000a-\u001f`\u007f\ufeff]/.test(s);
}
