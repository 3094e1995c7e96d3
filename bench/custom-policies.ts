// Custom policies: compiling an organization's folder (10 rules) cold, keying a 500-file folder,
// and what the bounded worker costs over in-process evaluation for one scan (worker start, input
// copy, one evaluation per rule) on 1,000 and 5,000 resources.
// Run: npx tsx bench/custom-policies.ts
import { OWNER_TAG_RULE } from "../test/support/customRules.js";
import { loadModel } from "../src/iac/index.js";
import { boundedRuleSet, builtinLibrary, compilePolicies, policiesKey } from "../src/org/index.js";
import { buildPolicies, bundleOf } from "../src/policy/build.js";
import { readBundle } from "../src/policy/bundle.js";
import { loadRuleSet } from "../src/policy/evaluate.js";

const RULES = 10;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

const sources = Array.from({ length: RULES }, (_, i) => ({
  path: `tollgate/policies/rule_${i}.rego`,
  text: OWNER_TAG_RULE.replace("ACME-TAG-001", `ACME-TAG-${100 + i}`).replace(
    "acme.owner_tag",
    `acme.owner_tag_${i}`,
  ),
}));

const compiled = await time(() =>
  compilePolicies("bench", "acme/.github:tollgate/policies", { sources, bundles: [], errors: [] }),
);
if (!compiled.value.ok) throw new Error(JSON.stringify(compiled.value.errors));
const policies = compiled.value.policies;
console.log(
  `compile ${RULES} custom rules (cold): ${compiled.ms.toFixed(0)} ms, ${(policies.modules[0]!.wasm.length / 1024).toFixed(0)} KiB of Wasm`,
);

const files = Array.from({ length: 500 }, (_, i) => ({
  path: `tollgate/policies/r${i}/policy.rego`,
  blobSha: i.toString(16).padStart(40, "0"),
  size: 2000,
  kind: "rego" as const,
}));
const { revision } = await builtinLibrary();
const keyTimes = Array.from({ length: 50 }, () => {
  const start = performance.now();
  policiesKey(files, revision, ["TG-NET-001"]);
  return performance.now() - start;
});
console.log(`content key of a 500-file folder: ${median(keyTimes).toFixed(3)} ms (median of 50)`);

const built = await buildPolicies(sources);
if (!built.ok) throw new Error(JSON.stringify(built.errors));
const inProcess = await loadRuleSet(await readBundle(await bundleOf(built.built)));

for (const count of [1_000, 5_000]) {
  const text = Array.from(
    { length: count },
    (_, i) =>
      `resource "aws_s3_bucket" "b${i}" {\n  bucket = "b-${i}"\n${i % 2 ? '  tags = { owner = "x" }\n' : ""}}\n`,
  ).join("\n");
  const resources = loadModel([{ path: "main.tf", text }]).resources;
  const bounded = boundedRuleSet(policies);
  const boundedTimes: number[] = [];
  const inProcessTimes: number[] = [];
  let findings = 0;
  for (let run = 0; run < RUNS; run++) {
    const b = await time(() => bounded.evaluate(resources));
    boundedTimes.push(b.ms);
    findings = b.value.findings.length;
    const start = performance.now();
    const direct = inProcess.evaluate(resources);
    inProcessTimes.push(performance.now() - start);
    if (direct.findings.length !== findings) throw new Error("the two evaluations disagree");
  }
  console.log(
    `${count} resources, ${RULES} rules, ${findings} findings: bounded worker ${median(boundedTimes).toFixed(0)} ms, in process ${median(inProcessTimes).toFixed(0)} ms (median of ${RUNS})`,
  );
}
console.log(`rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
