// Base64 as OPA's base64.* and base64url.* builtins read it (Go's StdEncoding and URLEncoding:
// strict alphabets, padding required, line breaks skipped), shared with the JWT builtins, which
// need the decoded bytes rather than text.

/** The text without the line breaks Go's decoder skips, if it is then valid base64; else undefined. */
export function base64Text(text: string, url: boolean): string | undefined {
  // Whole quads, the last of them perhaps padded; a flat character class, not a repeated group,
  // so that megabytes of text (a JWT) do not exhaust the regular expression engine's stack.
  const valid = url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  const joined = text.replace(/[\r\n]/g, "");
  return joined.length % 4 === 0 && valid.test(joined) ? joined : undefined;
}

/** The bytes of base64 (or base64url) text; thrown errors are OPA's. */
export function base64Bytes(text: string, url: boolean): Buffer {
  // OPA pads base64url text that lacks padding (RFC 7515 Appendix C), as JWT parts are written.
  const padding = url && !text.endsWith("=") ? ["", undefined, "==", "="][text.length % 4] : "";
  if (padding === undefined) throw new Error(`illegal base64url string: ${text}`);
  const joined = base64Text(text + padding, url);
  if (joined === undefined) throw new Error("illegal base64 data");
  return Buffer.from(joined, url ? "base64url" : "base64");
}

/** The decoded bytes as text (invalid UTF-8 becomes U+FFFD). */
export function base64Decode(text: string, url: boolean): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(base64Bytes(text, url));
}
