// An evaluation's result set as exact as the module wrote it. The OPA SDK's evaluate() reads the
// result's JSON with JSON.parse, which rounds an integer past 2^53 and a decimal a double does not
// hold (`123456789012345678901` becomes 123456789012345680000), where OPA keeps the number's text.
// This makes the SDK's own call (ABI 1.2's opa_eval, over the fields its LoadedPolicy declares) and
// reads the text with parseExactJson: the extra work per evaluation is one regular-expression scan
// of the result text (for 16 digits in a row or a 3-digit exponent), and only when one is found,
// a rewrite of the number tokens and a JSON.parse with a reviver instead of the plain one.
import { parseExactJson } from "./exact-json.js";

/** What of the SDK's LoadedPolicy this uses: the fields and method its types declare. */
export interface SdkPolicy {
  minorVersion: number;
  mem: WebAssembly.Memory;
  wasmInstance: WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource;
  dataAddr: number;
  dataHeapPtr: number;
  entrypoints: Record<string, number>;
  evaluate(input: unknown, entrypoint: string): unknown;
}

type OpaEval = (
  reserved: number,
  entrypoint: number,
  data: number,
  input: number,
  inputLength: number,
  heap: number,
  format: number,
) => number;

const PAGE = 65_536;

/**
 * The result set's JSON text, as the SDK's evaluate() computes it before parsing; undefined for a
 * module of ABI 1.0 or 1.1 (no opa_eval), which only the SDK's own path evaluates. `input` is
 * taken as the SDK takes it: JSON bytes, or a value it writes as JSON, a falsy one as no input.
 */
export function evaluateText(
  policy: SdkPolicy,
  input: unknown,
  entrypoint: string,
): string | undefined {
  if (!(policy.minorVersion >= 2)) return undefined;
  if (!Object.hasOwn(policy.entrypoints, entrypoint))
    // The SDK's own words, which callers already report.
    throw `entrypoint ${entrypoint} is not valid in this instance`;
  const instance =
    "instance" in policy.wasmInstance ? policy.wasmInstance.instance : policy.wasmInstance;
  const opaEval = instance.exports.opa_eval as OpaEval;
  const bytes = !input
    ? new Uint8Array(0)
    : input instanceof ArrayBuffer
      ? new Uint8Array(input)
      : new TextEncoder().encode(JSON.stringify(input));
  const at = policy.dataHeapPtr;
  const short = at + bytes.byteLength - policy.mem.buffer.byteLength;
  if (short > 0) policy.mem.grow(Math.ceil(short / PAGE));
  new Uint8Array(policy.mem.buffer).set(bytes, at);
  const id = policy.entrypoints[entrypoint] ?? 0;
  const inputAt = input ? at : 0;
  const result = opaEval(
    0,
    id,
    policy.dataAddr,
    inputAt,
    bytes.byteLength,
    at + bytes.byteLength,
    0,
  );
  const memory = new Uint8Array(policy.mem.buffer);
  const end = memory.indexOf(0, result);
  return new TextDecoder().decode(memory.subarray(result, end < 0 ? memory.length : end));
}

/** The SDK's evaluate(), with numbers a double does not hold as written kept (exact-json.ts). */
export function evaluateExact(policy: SdkPolicy, input: unknown, entrypoint: string): unknown {
  const text = evaluateText(policy, input, entrypoint);
  return text === undefined ? policy.evaluate(input, entrypoint) : parseExactJson(text);
}
