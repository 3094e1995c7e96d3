// The first check after a restart with a 10-rule organization folder: the custom-policy part of it
// (list the folder, compile it or read the compiled entry, evaluate it on a small model), each run
// in a fresh process as a restart is, with no store, with TOLLGATE_CACHE_DIR's folder and with
// Redis (when redis-server is on PATH). The rest of a check (PR files, built-in rules) is the same
// in every case.
// Run: npx tsx bench/custom-policies-restart.ts
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../src/iac/index.js";
import { boundedRuleSet, cacheKeyOf, openCompiledStore, OrgPolicies } from "../src/org/index.js";
import { FakeGitHub } from "../test/app/fakeGitHub.js";
import { redisUnavailable, startRedis } from "../test/redis/redisServer.js";
import { OWNER_TAG_RULE } from "../test/support/customRules.js";

const RULES = 10;
const RUNS = 3;
const FOLDER = "tollgate/policies";

interface Measured {
  ms: number;
  compiles: number;
  findings: number;
}

/** One restart: a fresh OrgPolicies over the given store, timed through its first pull request. */
async function firstCheck(where: { redisUrl?: string; cacheDir?: string }): Promise<Measured> {
  const files = Object.fromEntries(
    Array.from({ length: RULES }, (_, i) => [
      `${FOLDER}/rule_${i}.rego`,
      OWNER_TAG_RULE.replace("ACME-TAG-001", `ACME-TAG-${100 + i}`).replace(
        "acme.owner_tag",
        `acme.owner_tag_${i}`,
      ),
    ]),
  );
  const github = new FakeGitHub({ commits: { main: files }, pullFiles: [] });
  const api = github.client(await github.start());
  const warnings: unknown[] = [];
  // The restarts of one run share a key, as an App's replicas share its secrets.
  const macKey = cacheKeyOf(process.env.BENCH_CACHE_SECRET ?? "");
  const store = openCompiledStore(where, macKey, {
    warn: (fields: object) => warnings.push(fields),
  });
  const policies = new OrgPolicies(store ? { store } : {});
  const resources = loadModel([
    { path: "main.tf", text: 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n' },
  ]).resources;
  const start = performance.now();
  // What `forPull` does for the organization's folder, at a named ref (the fake has no default branch).
  const resolved = await policies.resolve(
    api,
    { owner: "acme", repo: ".github" },
    FOLDER,
    "main",
    [],
  );
  if (!resolved.outcome.ok) throw new Error(JSON.stringify(resolved.outcome.errors));
  const { findings } = await boundedRuleSet(resolved.outcome.policies).evaluate(resources);
  const ms = performance.now() - start;
  await store?.close?.();
  await github.stop();
  if (warnings.length > 0) throw new Error(JSON.stringify(warnings));
  return { ms, compiles: policies.compiles, findings: findings.length };
}

const cacheSecret = process.env.BENCH_CACHE_SECRET ?? randomBytes(32).toString("hex");

function restart(where: { redisUrl?: string; cacheDir?: string }): Measured {
  const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CHILD: JSON.stringify(where), BENCH_CACHE_SECRET: cacheSecret },
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as Measured;
}

function report(label: string, runs: Measured[]): void {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? Number.NaN;
  console.log(
    `${label}: median ${median.toFixed(0)} ms of ${runs.length} (${ms.map((m) => m.toFixed(0)).join(", ")}), compiles ${runs.map((r) => r.compiles).join("/")}, findings ${runs[0]?.findings}`,
  );
}

if (process.env.BENCH_CHILD) {
  console.log(JSON.stringify(await firstCheck(JSON.parse(process.env.BENCH_CHILD))));
} else {
  report(
    "no store (before)",
    Array.from({ length: RUNS }, () => restart({})),
  );
  const cacheDir = mkdtempSync(path.join(tmpdir(), "tollgate-bench-cache-"));
  try {
    report("TOLLGATE_CACHE_DIR, empty", [restart({ cacheDir })]);
    report(
      "TOLLGATE_CACHE_DIR, filled",
      Array.from({ length: RUNS }, () => restart({ cacheDir })),
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  if (redisUnavailable() === undefined) {
    const redis = await startRedis();
    try {
      report("REDIS_URL, empty", [restart({ redisUrl: redis.url })]);
      report(
        "REDIS_URL, filled",
        Array.from({ length: RUNS }, () => restart({ redisUrl: redis.url })),
      );
    } finally {
      await redis.stop();
    }
  }
}
