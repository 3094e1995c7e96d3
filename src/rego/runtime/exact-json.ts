// JSON text for a base document whose integers past 2^53 are bigints, so they reach the Wasm
// runtime (which keeps a number's text when an i64 cannot hold it) and a bundle's `data.json` as
// written, as OPA keeps data's numbers (json.Number). JSON.stringify refuses a bigint, and Node 20
// has no JSON.rawJSON to write digits as they are; this writer is the 30 lines that do.

/** An integer as exact as its text: the number, or a bigint when a double would round it. */
export function exactInteger(text: string, value: number): number | bigint {
  if (Number.isSafeInteger(value) || !/^[-+]?\d+$/.test(text)) return value;
  return BigInt(text);
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
