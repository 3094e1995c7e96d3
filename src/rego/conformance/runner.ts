// Runs conformance cases through child processes (a small pool), one case at a time per child,
// each bounded by a time limit: a case that hangs or exhausts memory kills only its child,
// is reported as failed, and the pool starts a fresh child for the next case.

import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ConformanceCase } from "./cases.js";
import type { Verdict } from "./compare.js";

export interface CaseResult {
  testCase: ConformanceCase;
  status: "passed" | "failed" | "skipped";
  detail: string;
}

export interface RunOptions {
  /** Per case, compile and evaluation together. */
  timeoutMs?: number;
  /** For a child to load the compiler before its first case. */
  startupTimeoutMs?: number;
  concurrency?: number;
  /** Heap limit of each child, in MB. */
  memoryMb?: number;
  onResult?: (result: CaseResult) => void;
}

interface Reply {
  id: number;
  verdict: Verdict;
}

export async function runConformance(
  cases: readonly ConformanceCase[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  const pending: number[] = [];
  cases.forEach((testCase, index) => {
    if (testCase.skipReason !== undefined) {
      const skipped: CaseResult = { testCase, status: "skipped", detail: testCase.skipReason };
      results[index] = skipped;
      options.onResult?.(skipped);
    } else {
      pending.push(index);
    }
  });
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, pending.length));
  const worker = async (): Promise<void> => {
    let child: ChildProcess | undefined;
    try {
      for (let index = pending.shift(); index !== undefined; index = pending.shift()) {
        const testCase = cases[index] as ConformanceCase;
        if (child === undefined) {
          child = spawnChild(options.memoryMb ?? 1536);
          const startup = await waitUntilReady(child, options.startupTimeoutMs ?? 180_000);
          if (startup !== undefined) {
            child.kill("SIGKILL");
            child = undefined;
            const failed: CaseResult = { testCase, status: "failed", detail: startup };
            results[index] = failed;
            options.onResult?.(failed);
            continue;
          }
        }
        const outcome = await runInChild(child, index, testCase, timeoutMs);
        if (outcome.kill) {
          child.kill("SIGKILL");
          child = undefined;
        }
        const result: CaseResult = {
          testCase,
          status: outcome.verdict.passed ? "passed" : "failed",
          detail: outcome.verdict.detail,
        };
        results[index] = result;
        options.onResult?.(result);
      }
    } finally {
      child?.kill();
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

function spawnChild(memoryMb: number): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const entry = path.join(path.dirname(here), `child${extension}`);
  const execArgv = [`--max-old-space-size=${memoryMb}`];
  if (extension === ".ts") {
    const tsxLoader = createRequire(import.meta.url).resolve("tsx");
    execArgv.push("--import", pathToFileURL(tsxLoader).href);
  }
  return fork(entry, [], {
    execArgv,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
  });
}

/** Resolves undefined once the child has loaded the compiler, or with the reason it did not. */
function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const finish = (reason: string | undefined): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(reason);
    };
    const onMessage = (message: { ready?: boolean }): void => {
      if (message.ready === true) finish(undefined);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(`child exited while starting (${signal ?? code})`);
    const timer = setTimeout(() => finish(`child did not start within ${timeoutMs} ms`), timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

function runInChild(
  child: ChildProcess,
  id: number,
  testCase: ConformanceCase,
  timeoutMs: number,
): Promise<{ verdict: Verdict; kill: boolean }> {
  return new Promise((resolve) => {
    let stderr = "";
    const onStderr = (chunk: Buffer): void => {
      if (stderr.length < 2000) stderr += chunk.toString();
    };
    const finish = (verdict: Verdict, kill: boolean): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      child.stderr?.off("data", onStderr);
      resolve({ verdict, kill });
    };
    const onMessage = (reply: Reply): void => {
      if (reply.id === id) finish(reply.verdict, false);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(
        {
          passed: false,
          detail: `child exited (${signal ?? code}) ${stderr.trim().slice(0, 500)}`,
        },
        true,
      );
    const timer = setTimeout(
      () => finish({ passed: false, detail: `timed out after ${timeoutMs} ms` }, true),
      timeoutMs,
    );
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.stderr?.on("data", onStderr);
    child.send({ id, testCase });
  });
}

/** Per-folder counts and the overall pass rate of the cases that ran. */
export interface ConformanceSummary {
  folders: Map<string, { passed: number; failed: number; skipped: number }>;
  passed: number;
  failed: number;
  skipped: number;
  /** passed / (passed + failed), 0..1. */
  passRate: number;
}

export function summarise(results: readonly CaseResult[]): ConformanceSummary {
  const folders = new Map<string, { passed: number; failed: number; skipped: number }>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const result of results) {
    const counts = folders.get(result.testCase.folder) ?? { passed: 0, failed: 0, skipped: 0 };
    counts[result.status]++;
    folders.set(result.testCase.folder, counts);
    if (result.status === "passed") passed++;
    else if (result.status === "failed") failed++;
    else skipped++;
  }
  const ran = passed + failed;
  return { folders, passed, failed, skipped, passRate: ran === 0 ? 0 : passed / ran };
}
