// `npm run conformance [filter]`: runs OPA's Rego conformance cases (../shared/conformance/opa)
// through Tollgate's compiler and OPA's JavaScript SDK, and prints passed/failed/skipped per
// folder, every skip reason, every failure, and the pass rate of the cases that ran.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConformanceCases, runConformance, summarise } from "../src/rego/conformance/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const root = path.resolve(repoRoot, "../shared/conformance/opa");
const filter = process.argv[2];

const cases = loadConformanceCases(root).filter(
  (c) => filter === undefined || c.folder === filter || c.note.includes(filter),
);
const started = Date.now();
const results = await runConformance(cases, { timeoutMs: 20_000, concurrency: 2 });
const summary = summarise(results);

console.log("Skipped:");
for (const r of results)
  if (r.status === "skipped") console.log(`  ${r.testCase.note}: ${r.detail}`);
console.log("\nFailed:");
for (const r of results)
  if (r.status === "failed") console.log(`  ${r.testCase.note} (${r.testCase.file}): ${r.detail}`);
console.log("\nfolder                        passed failed skipped");
for (const [folder, counts] of [...summary.folders].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(
    `${folder.padEnd(30)}${String(counts.passed).padStart(6)}${String(counts.failed).padStart(7)}${String(counts.skipped).padStart(8)}`,
  );
}
const ran = summary.passed + summary.failed;
console.log(
  `\n${summary.passed}/${ran} non-skipped cases passed (${(summary.passRate * 100).toFixed(1)}%), ` +
    `${summary.failed} failed, ${summary.skipped} skipped, ${cases.length} total, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
