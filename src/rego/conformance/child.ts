// Child process entry of the conformance runner: evaluates the cases it is sent one at a time,
// so the parent can kill it when a case runs past its time limit or memory bound.

import type { ConformanceCase } from "./cases.js";
import { describeError, runCase } from "./evaluate.js";

process.on("message", (message: { id: number; testCase: ConformanceCase }) => {
  runCase(message.testCase).then(
    (verdict) => process.send?.({ id: message.id, verdict }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        verdict: { passed: false, detail: `runner crashed: ${describeError(error)}` },
      }),
  );
});

// Loading the compiler takes a while (binaryen); the parent starts a case's clock only after this.
process.send?.({ ready: true });
