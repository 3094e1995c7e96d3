// Bounded evaluation of untrusted policies: each policy runs in a worker thread whose Wasm
// memory is capped (maximum pages) and which is terminated past a deadline, so a runaway or
// memory-hungry policy yields an error value instead of a hung or crashed process.
import { Worker } from "node:worker_threads";
import { exactJsonText, parseExactJson } from "./exact-json.js";

export interface EvalLocation {
  file: string;
  line: number;
  column: number;
}

export interface EvalError {
  /** OPA's codes (eval_conflict_error, eval_builtin_error, ...) plus eval_timeout and eval_memory_error. */
  code: string;
  message: string;
  location?: EvalLocation;
}

/** `printed`: the lines the evaluation's `print` calls wrote, when there are any. */
export type EvalOutcome = ({ ok: true; resultSet: unknown } | { ok: false; error: EvalError }) & {
  printed?: string[];
};

export interface Bounds {
  /** Wall-clock limit for one evaluation. */
  timeoutMs: number;
  /** Maximum Wasm memory in 64 KiB pages (data, input and evaluation heap together). */
  maxMemoryPages: number;
}

export const defaultBounds: Bounds = { timeoutMs: 5_000, maxMemoryPages: 4_096 };

const located = /^(.+):(\d+):(\d+): ([a-z_]+): ([\s\S]*)$/;
const coded = /^([a-z_]+_error): ([\s\S]*)$/;

/** Reads an error thrown by an evaluation (`file:line:col: code: message`) into a value. */
export function parseEvalError(thrown: unknown): EvalError {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  const withLocation = located.exec(text);
  if (withLocation) {
    const [, file, line, column, code, message] = withLocation as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return { code, message, location: { file, line: Number(line), column: Number(column) } };
  }
  const withCode = coded.exec(text);
  if (withCode) return { code: withCode[1]!, message: withCode[2]! };
  return { code: "eval_internal_error", message: text };
}

export function formatEvalError(error: EvalError): string {
  const where = error.location
    ? `${error.location.file}:${error.location.line}:${error.location.column}: `
    : "";
  return `${where}${error.code}: ${error.message}`;
}

// Under vitest or tsx this module is TypeScript and so is its worker, which then needs tsx's
// loader registered inside the worker thread before it is imported.
const typescript = import.meta.url.endsWith(".ts");
const workerEntry = new URL(
  typescript ? "./sandbox-worker.ts" : "./sandbox-worker.js",
  import.meta.url,
).href;
const bootstrap = `
(async () => {
  const { workerData } = await import("node:worker_threads");
  if (workerData.typescript) (await import("tsx/esm/api")).register();
  await import(workerData.entry);
})();
`;

interface Pending {
  resolve(outcome: EvalOutcome): void;
  timer: NodeJS.Timeout;
  worker: Worker;
}

/**
 * One policy loaded in a worker, evaluated many times. A timeout terminates the worker; the
 * next evaluation starts a fresh one (data is loaded again).
 */
export class BoundedPolicy {
  private worker: Worker | undefined;
  private ready: Promise<string | undefined> = Promise.resolve(undefined);
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly wasm: Uint8Array,
    private readonly data: unknown,
    private readonly bounds: Bounds = defaultBounds,
  ) {}

  private start(): Worker {
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: {
        wasm: this.wasm,
        // As exact JSON text: a bigint would cross, a NumberText would arrive as a plain object.
        ...(this.data !== undefined ? { dataText: exactJsonText(this.data) } : {}),
        maxMemoryPages: this.bounds.maxMemoryPages,
        typescript,
        entry: workerEntry,
      },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    let announce: (failure: string | undefined) => void = () => undefined;
    this.ready = new Promise((resolve) => (announce = resolve));
    worker.on(
      "message",
      (reply: {
        id: number;
        ok: boolean;
        resultSet?: unknown;
        resultText?: string;
        message?: string;
        ready?: boolean;
        printed?: string[];
      }) => {
        if (reply.ready !== undefined) {
          announce(reply.ready ? undefined : (reply.message ?? "policy failed to load"));
          return;
        }
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        const printed = reply.printed?.length ? { printed: reply.printed } : {};
        this.settle(
          reply.id,
          reply.ok
            ? {
                ok: true,
                resultSet:
                  reply.resultText === undefined
                    ? reply.resultSet
                    : parseExactJson(reply.resultText),
                ...printed,
              }
            : { ok: false, error: parseEvalError(reply.message), ...printed },
        );
      },
    );
    const failAll = (message: string) => {
      announce(message);
      for (const [id, waiting] of [...this.pending]) {
        if (waiting.worker === worker)
          this.settle(id, { ok: false, error: { code: "eval_internal_error", message } });
      }
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on("error", (error) => failAll(`policy worker failed: ${error.message}`));
    worker.on("exit", () => failAll("policy worker exited"));
    return worker;
  }

  private settle(id: number, outcome: EvalOutcome): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.pending.delete(id);
    waiting.resolve(outcome);
  }

  /** Evaluates one input; the deadline counts from when the policy is loaded in its worker. */
  async evaluate(input: unknown, entrypoint: string): Promise<EvalOutcome> {
    this.worker ??= this.start();
    const worker = this.worker;
    const loadFailure = await this.ready;
    if (loadFailure !== undefined) return { ok: false, error: parseEvalError(loadFailure) };
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id, {
          ok: false,
          error: {
            code: "eval_timeout",
            message: `evaluation of ${entrypoint} exceeded ${this.bounds.timeoutMs} ms and was stopped`,
          },
        });
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
      }, this.bounds.timeoutMs);
      this.pending.set(id, { resolve, timer, worker });
      worker.postMessage({ id, input, entrypoint });
    });
  }

  /** Stops the worker; pending evaluations fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

/** Evaluates once in a fresh worker within the bounds. */
export async function evaluateBounded(
  wasm: Uint8Array,
  data: unknown,
  input: unknown,
  entrypoint: string,
  bounds: Bounds = defaultBounds,
): Promise<EvalOutcome> {
  const policy = new BoundedPolicy(wasm, data, bounds);
  try {
    return await policy.evaluate(input, entrypoint);
  } finally {
    await policy.close();
  }
}
