// Go's strconv quoting on the host (Quote, QuoteToASCII, QuoteRune, CanBackquote), for the Go fmt
// of strings.render_template's printf. Printable is Go's IsPrint over Go's Unicode 15.0 tables:
// the rule scripts/print-ranges.ts also writes into the Wasm runtime's table, so %q escapes the
// same runes in sprintf (assembly/quote.ts) and in a template.

// Go's tables are Unicode 15.0 (Go 1.21 to 1.26; OPA's builds), as case-ranges.ts takes them. The
// runes assigned since (15.1, 16.0, 17.0) are unassigned there, so not printable: these ranges
// hold them, gaps that no Unicode version assigns merged in. Found by comparing Node's tables
// (Unicode 17.0) with Go 1.21's strconv tables rune by rune; the only differences were these.
const afterGoTables: [number, number][] = [
  [0x88f, 0x897],
  [0xc5c, 0xc5c],
  [0xcdc, 0xcdc],
  [0x1acf, 0x1aeb],
  [0x1b4e, 0x1b4f],
  [0x1b7f, 0x1b7f],
  [0x1c89, 0x1c8a],
  [0x20c1, 0x20c1],
  [0x2427, 0x2429],
  [0x2b96, 0x2b96],
  [0x2ffc, 0x2fff],
  [0x31e4, 0x31ef],
  [0xa7cb, 0xa7cf],
  [0xa7d2, 0xa7d2],
  [0xa7d4, 0xa7d4],
  [0xa7da, 0xa7f1],
  [0xfbc3, 0xfbd2],
  [0xfd90, 0xfd91],
  [0xfdc8, 0xfdce],
  [0x105c0, 0x105f3],
  [0x10940, 0x10959],
  [0x10d40, 0x10d8f],
  [0x10ec2, 0x10efc],
  [0x11380, 0x113e2],
  [0x116d0, 0x116e3],
  [0x11b60, 0x11bf9],
  [0x11db0, 0x11de9],
  [0x11f5a, 0x11f5a],
  [0x13460, 0x143fa],
  [0x16100, 0x16139],
  [0x16d40, 0x16d79],
  [0x16ea0, 0x16ed3],
  [0x16ff2, 0x16ff6],
  [0x187f8, 0x187ff],
  [0x18cff, 0x18cff],
  [0x18d09, 0x18df2],
  [0x1cc00, 0x1cef0],
  [0x1e5d0, 0x1e6ff],
  [0x1f6d8, 0x1f6d8],
  [0x1f777, 0x1f77a],
  [0x1f8b2, 0x1f8d8],
  [0x1fa54, 0x1fa57],
  [0x1fa89, 0x1fa8f],
  [0x1fabe, 0x1fabe],
  [0x1fac6, 0x1facd],
  [0x1fadc, 0x1fadf],
  [0x1fae9, 0x1faef],
  [0x1fbcb, 0x1fbef],
  [0x1fbfa, 0x1fbfa],
  [0x2b73a, 0x2b73f],
  [0x2cea2, 0x2cead],
  [0x2ebf0, 0x2ee5d],
  [0x323b0, 0x33479],
];
const inGoTables = (cp: number) => !afterGoTables.some(([lo, hi]) => cp >= lo && cp <= hi);

const printable = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Go's unicode.IsPrint (strconv's): letters, marks, numbers, punctuation, symbols and ' '. */
export function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  return (cp < 0xd800 || cp > 0xdfff) && inGoTables(cp) && printable.test(String.fromCodePoint(cp));
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
