// The worker side of sandbox.ts: loads one policy into a Wasm memory capped at the page
// limit and evaluates inputs sent to it. Errors go back as text for parseEvalError.
import { parentPort, workerData } from "node:worker_threads";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { evaluateText } from "./exact-result.js";
import { hostBuiltins } from "./host.js";
import { sdkText } from "./sdk-text.js";
import { activeDataEnd } from "../wasm/binary.js";

interface Setup {
  wasm: Uint8Array;
  /** The base document as exact JSON (exact-json.ts). */
  dataText?: string;
  maxMemoryPages: number;
}

interface Request {
  id: number;
  input: unknown;
  entrypoint: string;
}

// The SDK hands each `print` line to console.log. This thread's console is its own, so the
// lines of an evaluation are collected and sent back with its outcome: logged, they reached the
// parent's stdout some time later, unattributed, or never when the worker was terminated first.
const printed: string[] = [];
console.log = (...args: unknown[]) => {
  printed.push(sdkText(args.map(String).join(" ")));
};

const setup = workerData as Setup;
// A module from our compiler grows the memory to hold its constants when it starts
// (src/rego/wasm/binary.ts), and over the limit aborts saying how many pages they need, to which
// `describe` adds the limit. One from `opa build` (or an older Tollgate) writes them with active
// segments, which the memory must hold from the start: it gets the pages they need, within the
// limit, rather than the SDK's default 5.
const PAGE = 65_536;
const needed = Math.ceil(activeDataEnd(setup.wasm) / PAGE) + 1;
const initial = Math.min(Math.max(5, needed), setup.maxMemoryPages);
const policyReady = (
  needed > setup.maxMemoryPages
    ? Promise.reject(
        new Error(
          `eval_memory_error: the policy's constants need ${needed} memory pages, ` +
            `more than the memory's maximum of ${setup.maxMemoryPages}`,
        ),
      )
    : loadPolicy(setup.wasm, { initial, maximum: setup.maxMemoryPages }, hostBuiltins)
).then((policy) => {
  // As bytes, so the numbers a double cannot hold reach the module as written.
  if (setup.dataText !== undefined)
    policy.setData(new TextEncoder().encode(setup.dataText).buffer as ArrayBuffer);
  return policy;
});

policyReady.then(
  () => parentPort?.postMessage({ ready: true }),
  (error: unknown) => parentPort?.postMessage({ ready: false, message: describe(error) }),
);

function describe(error: unknown): string {
  if (error instanceof RangeError && /memory|grow/i.test(error.message))
    return `eval_memory_error: ${error.message}`;
  if (error instanceof Error) return error.message;
  // The runtime's errors arrive as the text opa_abort was given, decoded by the SDK.
  const text = sdkText(String(error));
  return text.endsWith("more than the memory's maximum")
    ? `${text} of ${setup.maxMemoryPages}`
    : text;
}

parentPort?.on("message", async (request: Request) => {
  try {
    const policy = await policyReady;
    printed.length = 0;
    // As text, read exact on the other side (exact-result.ts): a NumberText would not cross.
    const resultText = evaluateText(policy, request.input, request.entrypoint);
    const outcome =
      resultText === undefined
        ? { resultSet: policy.evaluate(request.input, request.entrypoint) as unknown }
        : { resultText };
    parentPort?.postMessage({ id: request.id, ok: true, ...outcome, printed });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, ok: false, message: describe(error), printed });
  }
});
