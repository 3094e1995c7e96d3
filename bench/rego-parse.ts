// Rego front-end speed: parsing and the compile stage (resolution, checks, safety ordering) on
// OPA's conformance modules and Tollgate's own policies, plus how fast hostile input (1 MB of
// random bytes, 1 MB of plausible tokens, deep nesting) is turned into a located error.
// Figures are per CPU second of this process. Run: `npx tsx bench/rego-parse.ts`.

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileModules } from "../src/rego/compile/index.js";
import { loadConformanceCases } from "../src/rego/conformance/cases.js";
import { parseModule } from "../src/rego/syntax/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function regoFiles(dir: string, out: string[] = []): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) regoFiles(full, out);
    else if (name.endsWith(".rego")) out.push(full);
  }
  return out;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Best of `rounds` CPU-timed runs of `run`. */
function best(rounds: number, run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = cpuSeconds();
    run();
    fastest = Math.min(fastest, cpuSeconds() - start);
  }
  return fastest;
}

const caseModules = loadConformanceCases(path.resolve(repoRoot, "../shared/conformance/opa")).map(
  (entry) => Object.fromEntries(entry.modules.map((text, i) => [`test-${i}.rego`, text])),
);
const policyFiles = regoFiles(path.resolve(repoRoot, "policies"));
const policyModules = Object.fromEntries(
  policyFiles.map((file) => [path.relative(repoRoot, file), readFileSync(file, "utf8")]),
);
const allTexts = [
  ...caseModules.flatMap((modules) => Object.values(modules)),
  ...Object.values(policyModules),
];
const megabytes = allTexts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;

const passes = 20;
const parseSeconds = best(3, () => {
  for (let pass = 0; pass < passes; pass++)
    for (const text of allTexts) parseModule(text, "bench.rego");
});
const compileSeconds = best(3, () => {
  for (let pass = 0; pass < passes; pass++) {
    for (const modules of caseModules) compileModules(modules);
    if (policyFiles.length > 0) compileModules(policyModules);
  }
});

console.log(
  `inputs: ${allTexts.length} modules (${caseModules.length} conformance cases, ${policyFiles.length} policy files), ${(megabytes * 1000).toFixed(0)} kB`,
);
console.log(`parse:              ${((megabytes * passes) / parseSeconds).toFixed(2)} MB/s`);
console.log(`parse + compile:    ${((megabytes * passes) / compileSeconds).toFixed(2)} MB/s`);
if (policyFiles.length > 0) {
  const result = compileModules(policyModules);
  console.log(
    `policies/ compile:  ${result.errors.length} errors${result.errors.length > 0 ? ` (first: ${JSON.stringify(result.errors[0])})` : ""}`,
  );
}

let seed = 7;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed;
};
const hostile: [string, string][] = [
  [
    "1 MB random bytes",
    Array.from({ length: 1 << 20 }, () => String.fromCharCode(random() % 256)).join(""),
  ],
  [
    "1 MB random printable",
    Array.from({ length: 1 << 20 }, () => String.fromCharCode(32 + (random() % 95))).join(""),
  ],
  ["1 MB plausible tokens", `package p\np if {\n${'x := [1, {"a": y}]\n'.repeat(52_000)}`],
  ["100k nested brackets", `package p\nx := ${"[".repeat(100_000)}`],
];
for (const [name, text] of hostile) {
  let error = "";
  const seconds = best(3, () => {
    const result = parseModule(text, "hostile.rego");
    const first = result.errors[0];
    error = first ? `${first.line}:${first.column} ${first.message}` : "no error";
  });
  console.log(
    `${name.padEnd(24)}${(seconds * 1000).toFixed(1).padStart(8)} ms  -> ${error.slice(0, 70)}`,
  );
}
