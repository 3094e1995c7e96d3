// HCL parser speed and memory on `shared/corpus/real` (every `.tf` file), ours against
// hcl2-parser and @cdktf/hcl2json in the same run: MB/s, ratios, and heap growth per input byte.
// Speeds are per CPU second of this process. Run: `npx tsx bench/hcl.ts` (or `npm run bench hcl`).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as hcl2jsonParse } from "@cdktf/hcl2json";
import hcl2 from "hcl2-parser";
import { parseHcl } from "../src/iac/hcl/index.js";
import { corpusDir, corpusFiles, repoRoot } from "../test/support/corpus.js";

const corpus = path.join(corpusDir, "real");
const files = corpusFiles(".tf").map((file) => ({ file, text: readFileSync(file, "utf8") }));
const bytes = files.reduce((sum, { text }) => sum + Buffer.byteLength(text), 0);
const megabytes = bytes / 1e6;

/**
 * MB/s over the best of `rounds` rounds of `passes` passes each, timed by this process's CPU time
 * (user + system) rather than wall-clock time: the machine is shared, and other processes' load
 * otherwise swings the figures several-fold from run to run.
 */
async function timePasses(
  rounds: number,
  passes: number,
  parseAll: () => Promise<void> | void,
): Promise<number> {
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < passes; i++) await parseAll();
    const used = process.cpuUsage(started);
    best = Math.max(best, (megabytes * passes) / ((used.user + used.system) / 1e6));
  }
  return best;
}

/**
 * Heap figures per input byte: growth while parsing the whole corpus and keeping every AST
 * (sampled after each file, so it includes garbage not yet collected: issue #2's figure), what
 * those ASTs retain after a full GC, the growth while parsing the largest file alone, and the
 * peak of a streaming scan that keeps one file's AST at a time (as `tollgate scan` could; shown
 * beside the issue's figure, not instead of it).
 */
function measureMemory(): string[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return ["  n/a here (needs node --expose-gc, as npm run bench gives)"];
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peakGrowth = 0;
  const kept = files.map(({ file, text }) => {
    const result = parseHcl(text, file);
    peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
    return result;
  });
  gc();
  const retained = process.memoryUsage().heapUsed - baseline;
  const largest = files.reduce((a, b) => (b.text.length > a.text.length ? b : a));
  gc();
  const before = process.memoryUsage().heapUsed;
  parseHcl(largest.text, largest.file);
  const largestGrowth = process.memoryUsage().heapUsed - before;
  const keptCount = kept.length;
  kept.length = 0;
  gc();
  const streamBaseline = process.memoryUsage().heapUsed;
  let streamPeak = 0;
  for (const { file, text } of files) {
    // The AST just built is unreachable but still in the heap when sampled, as in a scan.
    parseHcl(text, file);
    streamPeak = Math.max(streamPeak, process.memoryUsage().heapUsed - streamBaseline);
  }
  return [
    `  peak heap growth, whole corpus, ${keptCount} ASTs kept: ${(peakGrowth / bytes).toFixed(2)}x input`,
    `  heap retained by those ASTs after GC:           ${(retained / bytes).toFixed(2)}x input`,
    `  heap growth parsing the largest file (${path.relative(corpus, largest.file)}, no GC): ${(largestGrowth / Buffer.byteLength(largest.text)).toFixed(2)}x its size`,
    `  peak heap growth, streaming scan, one AST kept at a time: ${(streamPeak / bytes).toFixed(2)}x input (${(streamPeak / 1e6).toFixed(1)} MB)`,
  ];
}

if (process.argv.includes("--memory-only")) {
  console.log(measureMemory().join("\n"));
} else {
  let errors = 0;
  const parseOurs = (): void => {
    for (const { file, text } of files) errors += parseHcl(text, file).errors.length;
  };
  // Warm up the JIT before measuring, as a long-running app would be.
  for (let i = 0; i < 5; i++) parseOurs();
  errors = 0;
  const ours = await timePasses(5, 4, parseOurs);
  const oursErrors = errors / 20;
  const hcl2Parser = await timePasses(1, 1, () => {
    for (const { text } of files) hcl2.parseToObject(text);
  });
  // hcl2json loads a Go Wasm module on first use; warm it up on a slice of the corpus first.
  for (const { file, text } of files.slice(0, 100)) await hcl2jsonParse(file, text);
  const hcl2json = await timePasses(1, 1, async () => {
    for (const { file, text } of files) await hcl2jsonParse(file, text);
  });

  const row = (name: string, rate: number): string =>
    `${name.padEnd(18)} ${rate.toFixed(2).padStart(8)} MB/s`;
  console.log(`corpus: ${files.length} files, ${megabytes.toFixed(2)} MB (${corpus})`);
  console.log(row("tollgate parseHcl", ours) + `   (${oursErrors} errors)`);
  console.log(row("@cdktf/hcl2json", hcl2json));
  console.log(row("hcl2-parser", hcl2Parser));
  console.log(`ratio vs hcl2-parser:     ${(ours / hcl2Parser).toFixed(1)}x`);
  console.log(`ratio vs @cdktf/hcl2json: ${(ours / hcl2json).toFixed(1)}x`);
  console.log("memory, default young generation (garbage may float up to its size):");
  console.log(measureMemory().join("\n"));
  // The same in a fresh process whose young generation is 1 MB, so floating garbage is small
  // and the peak shows what parsing needs rather than when V8 chooses to collect.
  const child = spawnSync(
    process.execPath,
    [
      "--max-semi-space-size=1",
      "--expose-gc",
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--memory-only",
    ],
    { cwd: repoRoot, encoding: "utf8" },
  );
  console.log("memory, 1 MB young generation:");
  console.log(child.status === 0 ? child.stdout.trimEnd() : `  (failed: ${child.stderr.trim()})`);
}
