// Judges one conformance case's outcome against its expectations: result bindings compared
// as JSON with keys in canonical order (and bindings in any order when `sort_bindings`), errors
// by OPA's error code or message.

import type { ConformanceCase } from "./cases.js";

export type Observed =
  | { kind: "results"; bindings: Record<string, unknown>[] }
  /** Compilation or evaluation failed; `text` holds every message and code we got. */
  | { kind: "error"; stage: "compile" | "eval"; text: string };

export interface Verdict {
  passed: boolean;
  detail: string;
}

export function judge(testCase: ConformanceCase, observed: Observed): Verdict {
  const wantsError = testCase.wantError !== undefined || testCase.wantErrorCode !== undefined;
  if (observed.kind === "error") {
    if (!wantsError)
      return { passed: false, detail: `unexpected ${observed.stage} error: ${observed.text}` };
    const code = testCase.wantErrorCode;
    const message = testCase.wantError ?? "";
    // OPA's messages locate by `file:line:`; ours add the column, which OPA's text lacks.
    const withoutColumns = observed.text.replace(/(:\d+):\d+:/g, "$1:");
    const matched =
      (code !== undefined && observed.text.includes(code)) ||
      (message !== "" && (observed.text.includes(message) || withoutColumns.includes(message))) ||
      (code === undefined && message === "");
    return matched
      ? { passed: true, detail: "" }
      : {
          passed: false,
          detail: `wanted error ${code ?? ""} ${JSON.stringify(message)}, got: ${observed.text}`,
        };
  }
  if (wantsError) {
    return {
      passed: false,
      detail: `wanted error ${testCase.wantErrorCode ?? testCase.wantError}, got ${canonical(observed.bindings)}`,
    };
  }
  const normalise = (bindings: Record<string, unknown>[]): string[] => {
    if (!testCase.sortBindings) return bindings.map(canonical);
    return bindings.map((binding) => canonical(sortArrayValues(binding))).sort();
  };
  const want = normalise(testCase.wantResult ?? []);
  const got = normalise(observed.bindings);
  const passed = want.length === got.length && want.every((w, i) => w === got[i]);
  return passed
    ? { passed, detail: "" }
    : { passed, detail: `want ${want.join(", ") || "[]"}, got ${got.join(", ") || "[]"}` };
}

/**
 * `sort_bindings`, as OPA's own case runner reads it: the rows may come in any order and a
 * binding whose value is an array (a set, once dumped to JSON) may list its elements in any order.
 */
function sortArrayValues(binding: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(binding).map(([name, value]) => [
      name,
      Array.isArray(value)
        ? [...value].sort((a, b) => compareText(canonical(a), canonical(b)))
        : value,
    ]),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}
