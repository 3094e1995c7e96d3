// What evaluating a root once per workspace costs: a generated root of N security groups and
// buckets, as written (no workspace read) and with one resource reading
// `lookup(local.account_ids, terraform.workspace)` over 12 keys (13 worlds). Prints the loader's
// time, the resources the model holds and the built-in rules' time on them, in CPU ms.
// Sizes: `TOLLGATE_BENCH_SIZES` (200,1500). Run: npx tsx bench/terraform-workspaces.ts
import { loadPolicyBundle } from "../src/engine/index.js";
import { loadModel, type SourceFile } from "../src/iac/index.js";
import { loadRuleSet } from "../src/policy/evaluate.js";

const sizes = (process.env.TOLLGATE_BENCH_SIZES ?? "200,1500").split(",").map(Number);
const WORKSPACES = 12;

/** N resources, half groups (every tenth open to SSH), half buckets. */
function root(n: number, readsWorkspace: boolean): SourceFile[] {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    blocks.push(
      i % 2 === 0
        ? `resource "aws_security_group" "g${i}" {\n  name = "g${i}"\n  ingress {\n    from_port   = 22\n` +
            `    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["${i % 10 === 0 ? "0.0.0.0/0" : "10.0.0.0/8"}"]\n  }\n}\n`
        : `resource "aws_s3_bucket" "b${i}" {\n  bucket = "b${i}"\n}\n`,
    );
  }
  const accounts = Array.from(
    { length: WORKSPACES },
    (_, i) => `    ws${i} = "${String(100000000000 + i)}"`,
  );
  blocks.push(
    `locals {\n  account_ids = {\n${accounts.join("\n")}\n  }\n}\n`,
    `resource "aws_iam_role" "deploy" {\n  name = "deploy-${
      readsWorkspace ? '${lookup(local.account_ids, terraform.workspace, "none")}' : "none"
    }"\n  assume_role_policy = "{}"\n}\n`,
  );
  return [{ path: "main.tf", text: blocks.join("") }];
}

function cpu<T>(run: () => T): { result: T; ms: number } {
  const started = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(started);
  return { result, ms: (used.user + used.system) / 1000 };
}

const ruleSet = await loadRuleSet(await loadPolicyBundle());
ruleSet.evaluate(loadModel(root(10, true)).resources);
console.log("N      workspace read  load ms  resources  evaluate ms  findings");
for (const n of sizes)
  for (const readsWorkspace of [false, true]) {
    const files = root(n, readsWorkspace);
    const load = cpu(() => loadModel(files));
    const evaluated = cpu(() => ruleSet.evaluate(load.result.resources));
    console.log(
      [
        String(n).padEnd(6),
        String(readsWorkspace).padEnd(15),
        load.ms.toFixed(0).padStart(8),
        String(load.result.resources.length).padStart(10),
        evaluated.ms.toFixed(0).padStart(12),
        String(evaluated.result.findings.length).padStart(9),
      ].join(" "),
    );
  }
