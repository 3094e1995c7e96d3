// The built-in library on the real corpus, stage by stage in one run: reading, loading the
// resource model (parse + evaluation), and evaluating every rule, so each stage's share shows.
// Evaluation runs both ways, interleaved: in one call for all rules, and rule by rule. Each
// figure is the median of the runs (the first of each stage includes warming up the JIT); read
// and load also give the CPU time of this process (all its threads), which a busy machine
// inflates far less than the elapsed time.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadPolicyBundle } from "../src/engine/index.js";
import { loadModel, readRepositoryFiles, type SourceFile } from "../src/iac/index.js";
import { ALL_RULES_ENTRYPOINT } from "../src/policy/bundle.js";
import { loadRuleSet } from "../src/policy/evaluate.js";
import { corpusDir } from "../test/support/corpus.js";

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const runs = 5;

const started = performance.now();
const bundle = await loadPolicyBundle();
const ruleSet = await loadRuleSet(bundle);
const loadRules = performance.now() - started;
const combined = bundle.manifest.wasm?.some((r) => r.entrypoint === ALL_RULES_ENTRYPOINT);
const ruleByRule = await loadRuleSet({
  ...bundle,
  manifest: {
    ...bundle.manifest,
    wasm: (bundle.manifest.wasm ?? []).filter((r) => r.entrypoint !== ALL_RULES_ENTRYPOINT),
  },
});

for (const project of [
  "terragoat",
  "cfngoat",
  "terraform-aws-iam",
  "terraform-aws-s3-bucket",
  "terraform-aws-security-group",
]) {
  const root = path.join(corpusDir, "real", project);
  const readTimes: number[] = [];
  const loadTimes: number[] = [];
  const readCpu: number[] = [];
  const loadCpu: number[] = [];
  const evalTimes: number[] = [];
  const ruleByRuleTimes: number[] = [];
  let files: SourceFile[] = [];
  let resources = 0;
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    const [t0, c0] = [performance.now(), cpuMs()];
    files = readRepositoryFiles(root).files;
    const [t1, c1] = [performance.now(), cpuMs()];
    const model = loadModel(files);
    readTimes.push(t1 - t0);
    loadTimes.push(performance.now() - t1);
    readCpu.push(c1 - c0);
    loadCpu.push(cpuMs() - c1);
    // Alternating which goes first, so a busy machine slows both alike.
    for (const way of i % 2 === 0 ? ["combined", "rule by rule"] : ["rule by rule", "combined"]) {
      const started = performance.now();
      const evaluated = (way === "combined" ? ruleSet : ruleByRule).evaluate(model.resources);
      (way === "combined" ? evalTimes : ruleByRuleTimes).push(performance.now() - started);
      if (way === "combined") findings = evaluated.findings.length;
    }
    resources = model.resources.length;
  }
  const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const read = median(readTimes);
  const load = median(loadTimes);
  const evaluate = median(evalTimes);
  const total = read + load + evaluate;
  console.log(
    `${project.padEnd(30)} ${files.length} files ${(bytes / 1e6).toFixed(2)} MB, ${resources} resources, ${findings} findings | ` +
      `read ${read.toFixed(0)} ms (${((100 * read) / total).toFixed(0)}%; CPU ${median(readCpu).toFixed(0)} ms), ` +
      `load ${load.toFixed(0)} ms (${((100 * load) / total).toFixed(0)}%; CPU ${median(loadCpu).toFixed(0)} ms), ` +
      `evaluate ${ruleSet.rules.length} rules ${evaluate.toFixed(0)} ms (${((100 * evaluate) / total).toFixed(0)}%; ` +
      `rule by rule ${median(ruleByRuleTimes).toFixed(0)} ms)`,
  );
}
console.log(`policy bundle load (prebuilt or compiled): ${loadRules.toFixed(0)} ms`);
if (!combined)
  console.log("the bundle has no entrypoint for all rules (a stale dist/policies.tar.gz?)");
