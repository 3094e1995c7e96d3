// `npx tsx bench/rego-memo.ts`: what memoising rule values saves on the built-in library. One
// plan is emitted twice, with and without the memo, and both modules evaluate every rule on the
// same corpus projects in alternation, so a busy machine slows both alike.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { BUILTIN_POLICY_DIR } from "../src/engine/index.js";
import { loadModel, readRepositoryFiles } from "../src/iac/index.js";
import { buildPolicies, readPolicySources } from "../src/policy/build.js";
import { compileModules } from "../src/rego/compile/index.js";
import { planPolicy } from "../src/rego/plan/index.js";
import { hostBuiltins } from "../src/rego/runtime/index.js";
import { emitWasm } from "../src/rego/wasm/index.js";
import { corpusDir } from "../test/support/corpus.js";

const ROUNDS = 5;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const sources = await readPolicySources(BUILTIN_POLICY_DIR);
const built = await buildPolicies(sources);
if (!built.ok) throw new Error("the built-in policies do not compile");
const entrypoints = Object.keys(built.built.annotations);
const checked = compileModules(Object.fromEntries(sources.map((s) => [s.path, s.text])));
if (checked.policy === undefined) throw new Error("the built-in policies do not compile");
const plan = planPolicy(checked.policy, entrypoints);
const memoized = plan.funcs.filter((func) => func.memoize).length;
console.log(
  `library: ${entrypoints.length} entrypoints, ${plan.funcs.length} funcs of which ${memoized} memoized; median of ${ROUNDS} rounds, both variants alternating`,
);

const variants = await Promise.all(
  [true, false].map(async (memoize) => {
    const policy = await loadPolicy(
      emitWasm(plan, { memoize, strictBuiltinErrors: false }),
      { initial: 256, maximum: 32_768 },
      hostBuiltins,
    );
    policy.setData({});
    return { memoize, policy };
  }),
);

for (const project of ["terragoat", "cfngoat", "terraform-aws-iam", "terraform-aws-s3-bucket"]) {
  const { files } = readRepositoryFiles(path.join(corpusDir, "real", project));
  const { resources } = loadModel(files);
  const input = new TextEncoder().encode(JSON.stringify({ resources })).buffer as ArrayBuffer;
  const times = new Map<boolean, number[]>([
    [true, []],
    [false, []],
  ]);
  const results = new Map<boolean, string>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { memoize, policy } of round % 2 === 0 ? variants : [...variants].reverse()) {
      const started = performance.now();
      const all = entrypoints.map((entrypoint) => policy.evaluate(input, entrypoint));
      times.get(memoize)?.push(performance.now() - started);
      results.set(memoize, JSON.stringify(all));
    }
  }
  const on = median(times.get(true) ?? []);
  const off = median(times.get(false) ?? []);
  console.log(
    `${project.padEnd(26)} ${resources.length} resources | memoized ${on.toFixed(0)} ms, not memoized ${off.toFixed(0)} ms (${(off / on).toFixed(2)}x) | same results: ${results.get(true) === results.get(false)}`,
  );
}

// A rule written without hoisting: the set of addresses is referenced once per resource, so
// without the memo it is rebuilt for each of them (quadratic), with it once per evaluation.
const unhoisted = `package bench

addresses := {r.address | some r in input.resources}

deny contains r.address if {
  some r in input.resources
  not r.values.parent in addresses
}
`;
const generated = {
  resources: Array.from({ length: 2_000 }, (_, i) => ({
    address: `aws_instance.r${i}`,
    values: { parent: `aws_instance.r${i % 3 === 0 ? i + 5_000 : (i * 7) % 2_000}` },
  })),
};
const checkedBench = compileModules({ "bench.rego": unhoisted });
if (checkedBench.policy === undefined) throw new Error("the unhoisted rule does not compile");
const benchPlan = planPolicy(checkedBench.policy, ["bench/deny"]);
const benchVariants = await Promise.all(
  [true, false].map(async (memoize) => ({
    memoize,
    policy: await loadPolicy(emitWasm(benchPlan, { memoize }), undefined, hostBuiltins),
    times: [] as number[],
    denied: 0,
  })),
);
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of round % 2 === 0 ? benchVariants : [...benchVariants].reverse()) {
    const started = performance.now();
    const resultSet = variant.policy.evaluate(generated, "bench/deny") as { result: unknown[] }[];
    variant.times.push(performance.now() - started);
    variant.denied = resultSet[0]?.result.length ?? 0;
  }
}
const [withMemo, withoutMemo] = benchVariants;
console.log(
  `unhoisted rule, ${generated.resources.length} resources | memoized ${median(withMemo?.times ?? []).toFixed(1)} ms, not memoized ${median(withoutMemo?.times ?? []).toFixed(1)} ms | ${withMemo?.denied} and ${withoutMemo?.denied} denied`,
);
