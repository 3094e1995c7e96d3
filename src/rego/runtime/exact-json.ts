// JSON text for a base document whose integers past 2^53 are bigints and whose other numbers a
// double cannot hold are `NumberText`s, so they reach the Wasm runtime (which keeps a number's
// text when an i64 cannot hold it) and a bundle's `data.json` as written, as OPA keeps data's
// numbers (json.Number). JSON.stringify refuses a bigint, and Node 20 has no JSON.rawJSON to
// write digits as they are; this writer is the 30 lines that do.

/**
 * A number of a data file that a double does not hold as written (`0.1000000000000000055511151231257827`,
 * `1e400`): its JSON text, which `exactJsonText` writes back as it is.
 */
export class NumberText {
  constructor(readonly text: string) {}
}

/** An integer as exact as its text: the number, or a bigint when a double would round it. */
function exactInteger(text: string, value: number): number | bigint {
  if (Number.isSafeInteger(value) || !/^[-+]?\d+$/.test(text)) return value;
  return BigInt(text);
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/**
 * A number as exact as its JSON text: `exactInteger`'s for an integer; for any other, the double
 * when it holds the value written (`1.50` is 1.5), else the text. `value` is the text read as a
 * double; text that is not a JSON number (YAML's `0x1f`, `.5`) gives `value`.
 */
export function exactNumber(text: string, value: number): number | bigint | NumberText {
  if (/^[-+]?\d+$/.test(text)) return exactInteger(text, value);
  if (!JSON_NUMBER.test(text)) return value;
  return Number.isFinite(value) && sameDecimal(text, String(value)) ? value : new NumberText(text);
}

/** Whether two decimal texts (digits, a point, an exponent) name the same value. */
function sameDecimal(a: string, b: string): boolean {
  return decimalKey(a) === decimalKey(b);
}

/** A decimal text as its sign, significant digits and power of ten: `1.50` and `15e-1` alike. */
function decimalKey(text: string): string {
  const [, sign = "", whole = "", fraction = "", exponent = "0"] =
    /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text) ?? [];
  const digits = (whole + fraction).replace(/^0+/, "");
  if (digits === "") return "0";
  const significant = digits.replace(/0+$/, "");
  const power = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign === "-" ? "-" : ""}${significant}e${power}`;
}

/**
 * The key parseExactJson marks a number it keeps with; an object a rule returns with this key alone
 * (a NUL, then `exact number`) would be read as that number.
 */
const EXACT_KEY = "\u0000exact number";

/**
 * JSON text read as JSON.parse reads it, but a number a double does not hold as written is
 * `exactNumber`'s (a bigint or a NumberText). Text with no 16 digits in a row (a point between them
 * or not) and no 3-digit exponent holds no such number, and JSON.parse alone reads it.
 */
export function parseExactJson(text: string): unknown {
  if (!/(?:\d\.?){16}|[eE][-+]?\d{3}/.test(text)) return JSON.parse(text);
  // Each such number becomes an object of one key, which the reviver turns back into it; strings
  // are matched whole so that digits inside them are left alone.
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g, (token) =>
    token.startsWith('"') || typeof exactNumber(token, Number(token)) === "number"
      ? token
      : `{${JSON.stringify(EXACT_KEY)}:"${token}"}`,
  );
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, EXACT_KEY))
      return value;
    const token = (value as Record<string, string>)[EXACT_KEY] ?? "";
    return exactNumber(token, Number(token));
  });
}

/** JSON text of `value`, a bigint as its digits; otherwise as JSON.stringify writes it. */
export function exactJsonText(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

/** `exactJsonText` as the bytes the OPA SDK's `setData` and `evaluate` take as they are. */
export function exactJsonBytes(value: unknown): ArrayBuffer {
  return new TextEncoder().encode(exactJsonText(value)).buffer as ArrayBuffer;
}

function write(value: unknown, parts: string[]): void {
  if (typeof value === "bigint") {
    parts.push(value.toString());
  } else if (value instanceof NumberText) {
    parts.push(value.text);
  } else if (Array.isArray(value)) {
    parts.push("[");
    value.forEach((item, index) => {
      if (index > 0) parts.push(",");
      // As JSON.stringify: what JSON cannot hold is null in an array.
      if (item === undefined || typeof item === "function" || typeof item === "symbol")
        parts.push("null");
      else write(item, parts);
    });
    parts.push("]");
  } else if (typeof value === "object" && value !== null) {
    parts.push("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
      if (!first) parts.push(",");
      first = false;
      parts.push(JSON.stringify(key), ":");
      write(item, parts);
    }
    parts.push("}");
  } else {
    parts.push(JSON.stringify(value) ?? "null");
  }
}
