// `npx tsx bench/rego-compile.ts`: how long compileRego takes for a 50-rule library written
// like Tollgate's policies (iteration over input.resources, attribute checks, sprintf messages),
// and how fast the compiled module evaluates a 5,000-resource input through OPA's SDK.

import { performance } from "node:perf_hooks";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { compileModules } from "../src/rego/compile/index.js";
import { compileRego, hostBuiltins } from "../src/rego/index.js";
import { planPolicy } from "../src/rego/plan/index.js";
import { emitWasm } from "../src/rego/wasm/index.js";

const RESOURCE_TYPES = [
  "aws_s3_bucket",
  "aws_security_group",
  "aws_db_instance",
  "aws_instance",
  "aws_iam_policy",
  "aws_lb_listener",
  "aws_kms_key",
  "aws_ebs_volume",
  "aws_cloudtrail",
  "aws_lambda_function",
];

/** Rule `index` of the library: one of five shapes, over one resource type. */
function ruleText(index: number): string {
  const type = RESOURCE_TYPES[index % RESOURCE_TYPES.length];
  const attribute = `setting_${index}`;
  switch (index % 5) {
    case 0:
      return `deny contains msg if {
  some r in input.resources
  r.type == "${type}"
  not r.values.${attribute}
  msg := sprintf("%s: ${attribute} must be enabled", [r.address])
}`;
    case 1:
      return `deny contains msg if {
  some r in input.resources
  r.type == "${type}"
  some rule in r.values.ingress
  rule.cidr == "0.0.0.0/0"
  rule.port in {22, 3389}
  msg := sprintf("%s: port %v open to the world (rule ${index})", [r.address, rule.port])
}`;
    case 2:
      return `deny contains msg if {
  some r in input.resources
  r.type == "${type}"
  object.get(r.values, "${attribute}", "") == ""
  not startswith(r.address, "module.legacy")
  msg := concat(": ", [r.address, "missing ${attribute}"])
}`;
    case 3:
      return `deny contains msg if {
  some r in input.resources
  r.type == "${type}"
  tags := object.get(r.values, "tags", {})
  missing := {t | some t in required_tags; not tags[t]}
  count(missing) > 0
  msg := sprintf("%s: missing tags %v (rule ${index})", [r.address, sort(missing)])
}`;
    default:
      return `deny contains msg if {
  some r in input.resources
  r.type == "${type}"
  r.values.size > ${100 + index}
  lower(r.values.tier) != "premium"
  msg := sprintf("%s: size %v over ${100 + index}", [r.address, r.values.size])
}`;
  }
}

function library(rules: number): string {
  const body = Array.from({ length: rules }, (_, i) => ruleText(i)).join("\n\n");
  return `package tollgate.bench\n\nrequired_tags := {"owner", "env"}\n\n${body}\n`;
}

function resources(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    address: `${RESOURCE_TYPES[i % RESOURCE_TYPES.length]}.r${i}`,
    type: RESOURCE_TYPES[i % RESOURCE_TYPES.length],
    values: {
      [`setting_${i % 50}`]: i % 3 === 0,
      ingress: [
        { cidr: i % 7 === 0 ? "0.0.0.0/0" : "10.0.0.0/8", port: i % 2 === 0 ? 22 : 443 },
        { cidr: "10.1.0.0/16", port: 8080 },
      ],
      tags: i % 4 === 0 ? { owner: "team" } : { owner: "team", env: "prod" },
      size: i % 300,
      tier: i % 5 === 0 ? "Premium" : "standard",
    },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const modules = { "bench.rego": library(50) };
const compileTimes: number[] = [];
let wasm: Uint8Array = new Uint8Array();
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  wasm = (await compileRego(modules, { entrypoints: ["tollgate/bench/deny"] })).wasm;
  compileTimes.push(performance.now() - started);
}
const stageTimes = { compile: [] as number[], plan: [] as number[] };
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  const compiled = compileModules(modules);
  const planned = performance.now();
  if (compiled.policy === undefined) throw new Error("bench library does not compile");
  planPolicy(compiled.policy, ["tollgate/bench/deny"]);
  stageTimes.compile.push(planned - started);
  stageTimes.plan.push(performance.now() - planned);
}
console.log(
  `compile: 50 rules, ${modules["bench.rego"].length} bytes of Rego -> ${wasm.length} bytes of Wasm`,
);
console.log(
  `compile: parse+compile stage median ${median(stageTimes.compile).toFixed(1)} ms, planner median ${median(stageTimes.plan).toFixed(1)} ms; the rest of compileRego is Wasm emission`,
);
console.log(
  `compile: median ${median(compileTimes).toFixed(0)} ms, first ${compileTimes[0]?.toFixed(0)} ms (5 runs)`,
);

// The same plan emitted without the rule memo, evaluated in alternation with the real module so
// a busy machine slows both alike: what memoising \`required_tags\` (read per resource) saves.
const compiled = compileModules(modules);
if (compiled.policy === undefined) throw new Error("bench library does not compile");
const unmemoized = emitWasm(planPolicy(compiled.policy, ["tollgate/bench/deny"]), {
  memoize: false,
  strictBuiltinErrors: false,
});
const input = { resources: resources(5000) };
const variants = await Promise.all(
  [wasm, unmemoized].map(async (module) => {
    const policy = await loadPolicy(module, undefined, hostBuiltins);
    policy.setData({});
    return { policy, times: [] as number[], findings: 0 };
  }),
);
for (let run = 0; run < 10; run++) {
  for (const variant of run % 2 === 0 ? variants : [...variants].reverse()) {
    const started = performance.now();
    const resultSet = variant.policy.evaluate(input, "tollgate/bench/deny") as {
      result: unknown[];
    }[];
    variant.times.push(performance.now() - started);
    variant.findings = resultSet[0]?.result.length ?? 0;
  }
}
const [memoized, plain] = variants as [(typeof variants)[0], (typeof variants)[0]];
const evalMs = median(memoized.times);
console.log(
  `evaluate: 5,000 resources, ${memoized.findings} findings, median ${evalMs.toFixed(0)} ms per evaluation (10 runs)`,
);
console.log(
  `evaluate: ${((5000 / evalMs) * 1000).toFixed(0)} resources/s, ${((5000 * 50) / evalMs / 1000).toFixed(2)} M rule-resource checks/s`,
);
console.log(
  `evaluate without the rule memo: median ${median(plain.times).toFixed(0)} ms, ${plain.findings} findings (runs alternate with the above)`,
);
