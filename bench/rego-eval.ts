// Throughput of compiled Rego on a generated 5,000-resource Terraform-like input, with a
// hand-built IR plan shaped like a typical deny rule, plus the size of the runtime and module.
// Run: npx tsx bench/rego-eval.ts
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import type { Stmt } from "../src/rego/ir/types.js";
import { hostBuiltins, runtimeWasm } from "../src/rego/runtime/index.js";
import { emitWasm } from "../src/rego/wasm/index.js";
import { PolicyBuilder, addResult, block, local } from "../src/rego/wasm/testing.js";

const RESOURCES = 5_000;
const RUNS = 20;

function generateInput(count: number) {
  const types = [
    "aws_s3_bucket",
    "aws_instance",
    "aws_security_group",
    "aws_iam_role",
    "aws_db_instance",
  ];
  return {
    resources: Array.from({ length: count }, (_, i) => ({
      address: `module.app.${types[i % types.length]}.r${i}`,
      type: types[i % types.length],
      name: `r${i}`,
      values: {
        bucket: `bucket-${i}`,
        versioning: { enabled: i % 3 === 0 },
        tags: {
          team: i % 2 ? "platform" : "data",
          env: "prod",
          owner: `user${i % 17}@example.com`,
        },
        cidr_blocks: ["10.0.0.0/8", `192.168.${i % 256}.0/24`],
        size: i * 1.5,
      },
    })),
  };
}

/**
 * deny contains msg if { r := input.resources[_]; r.type == "aws_s3_bucket"; not r.values.versioning.enabled; msg := <text> },
 * the text by concat or by sprintf, both native in the runtime.
 */
function denyPolicy(useSprintf: boolean) {
  const b = new PolicyBuilder();
  const message: Stmt[] = useSprintf
    ? [
        { type: "MakeArray", capacity: 1, target: 20 },
        { type: "ArrayAppend", value: local(5), array: 20 },
        {
          type: "Call",
          func: "sprintf",
          args: [b.str("%s: versioning is disabled"), local(20)],
          result: 21,
        },
      ]
    : [
        { type: "MakeArray", capacity: 2, target: 20 },
        { type: "ArrayAppend", value: local(5), array: 20 },
        { type: "ArrayAppend", value: b.str("versioning is disabled"), array: 20 },
        { type: "Call", func: "concat", args: [b.str(": "), local(20)], result: 21 },
      ];
  return b.policy([
    {
      name: "bench/deny",
      blocks: [
        block(
          { type: "MakeSet", target: 2 },
          { type: "Dot", source: local(0), key: b.str("resources"), target: 3 },
          {
            type: "Scan",
            source: 3,
            key: 4,
            value: 6,
            block: block(
              { type: "Dot", source: local(6), key: b.str("type"), target: 7 },
              { type: "Equal", a: local(7), b: b.str("aws_s3_bucket") },
              {
                type: "Not",
                block: block(
                  { type: "Dot", source: local(6), key: b.str("values"), target: 8 },
                  { type: "Dot", source: local(8), key: b.str("versioning"), target: 9 },
                  { type: "Dot", source: local(9), key: b.str("enabled"), target: 10 },
                  { type: "Equal", a: local(10), b: { kind: "bool", value: true } },
                ),
              },
              { type: "Dot", source: local(6), key: b.str("address"), target: 5 },
              ...message,
              { type: "SetAdd", value: local(21), set: 2 },
            ),
          },
          ...addResult(b, 2, 30),
        ),
      ],
    },
    {
      name: "bench/count",
      blocks: [
        block({ type: "Call", func: "count", args: [local(0)], result: 2 }, ...addResult(b, 2, 3)),
      ],
    },
  ]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(label: string, useSprintf: boolean, optimize: boolean, inputText: string) {
  let t = performance.now();
  const wasm = emitWasm(denyPolicy(useSprintf), { optimize });
  const emitMs = performance.now() - t;
  t = performance.now();
  const policy = await loadPolicy(wasm, undefined, hostBuiltins);
  const loadMs = performance.now() - t;
  const input = new TextEncoder().encode(inputText).buffer;
  const times: number[] = [];
  let denied = 0;
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    const rs = policy.evaluate(input, "bench/deny") as { result: unknown[] }[];
    times.push(performance.now() - t);
    denied = rs[0]!.result.length;
  }
  const parseOnly: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    policy.evaluate(input, "bench/count");
    parseOnly.push(performance.now() - t);
  }
  const ms = median(times);
  console.log(
    `${label.padEnd(36)} module ${(wasm.length / 1024).toFixed(1)} KiB | emit ${emitMs.toFixed(0)} ms | load ${loadMs.toFixed(0)} ms | ` +
      `evaluate ${ms.toFixed(2)} ms (input parse alone ${median(parseOnly).toFixed(2)} ms) | ` +
      `${Math.round((RESOURCES / ms) * 1000).toLocaleString("en-US")} resources/s | ${denied} denied`,
  );
}

const inputText = JSON.stringify(generateInput(RESOURCES));
console.log(
  `runtime ${(runtimeWasm().length / 1024).toFixed(1)} KiB; input ${RESOURCES} resources, ${(inputText.length / 1e6).toFixed(2)} MB JSON; median of ${RUNS}`,
);
// A warm-up pass so binaryen's and V8's first-use costs do not land on one configuration.
emitWasm(denyPolicy(false));
await measure("native concat, optimised", false, true, inputText);
await measure("native concat, not optimised", false, false, inputText);
await measure("native sprintf per denial, optimised", true, true, inputText);
const t = performance.now();
const parsed = JSON.parse(inputText) as {
  resources: { type: string; values: { versioning: { enabled: boolean } } }[];
};
const jsDenied = parsed.resources.filter(
  (r) => r.type === "aws_s3_bucket" && !r.values.versioning.enabled,
).length;
console.log(
  `reference: JSON.parse + JS filter ${(performance.now() - t).toFixed(2)} ms (${jsDenied} denied)`,
);
