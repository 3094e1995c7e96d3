// OPA's JavaScript SDK reads the text the Wasm hands out (a `print` line for opa_println, an
// error for opa_abort) one byte per character through an Int8Array, so each byte of a UTF-8
// sequence arrives as its own character, sign-extended: "é" (C3 A9) as "\uFFC3\uFFA9". This puts
// the bytes back together, for every place that receives such text from the SDK, and for users
// of a plain SDK (`tollgate/rego` exports it). No module can avoid it: every byte past 0x7F
// becomes one of U+FF80..U+FFFF.

/** Only what the SDK produces: ASCII, or the sign-extended characters of bytes 0x80 to 0xFF. */
const SDK_DECODED = /^[\u0000-\u007f\uff80-\uffff]*$/;
const HIGH_BYTE = /[\uff80-\uffff]/;

/** The text the Wasm meant, from a string the SDK decoded byte by byte; other text as it is. */
export function sdkText(text: string): string {
  if (!HIGH_BYTE.test(text) || !SDK_DECODED.test(text)) return text;
  return Buffer.from(Array.from(text, (c) => c.charCodeAt(0) & 0xff)).toString("utf8");
}
