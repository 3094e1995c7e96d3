// Webhook to completed check run for a 10-file Terraform pull request, in one process as `npm start`
// runs without Redis: signed deliveries into Probot's server, the in-process queue, the real engine,
// against a fake GitHub on 127.0.0.1. Latency p50/p99 one check at a time, then a burst of PRs at
// once, and the GitHub requests one check costs (throttling off, as in the app tests); then the
// same burst into the built server (`node dist/app/server.js`, when built) with Probot's throttling
// on, for its throughput and peak memory. Figures, not assertions.
// Run: npx tsx bench/check.ts
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTollgateApp } from "../src/app/index.js";
import { createEngine } from "../src/engine/index.js";
import { InProcessQueue } from "../src/queue/index.js";
import { FakeAppGitHub } from "../test/app/fakeAppGitHub.js";
import type { FakeRepository } from "../test/app/fakeGitHub.js";
import { BASE_SHA, HEAD_SHA } from "../test/app/payloads.js";
import { deliverSigned, startWebhookServer, synchronizeBody } from "../test/app/webhookServer.js";
import { freePort } from "../test/redis/redisServer.js";

const CHANGED_FILES = 10;
const WARM_UP = 5;
const SEQUENTIAL = 100;
const BURST = 40;
const CONCURRENCY = 4;
const SECRET = "bench-secret";

/**
 * One module of 10 changed files (a security group, a bucket and an IAM policy each) and two
 * unchanged ones; the head opens SSH in every other file and widens a policy in every third.
 */
function tenFilePullRequest(): FakeRepository {
  const base: Record<string, string> = {};
  const head: Record<string, string> = {};
  const pullFiles: FakeRepository["pullFiles"] = [];
  const file = (i: number, cidr: string, action: string) =>
    [
      `resource "aws_security_group" "app${i}" {`,
      `  name        = "app${i}-\${var.environment}"`,
      `  description = "service ${i}"`,
      `  vpc_id      = aws_vpc.main.id`,
      ``,
      `  ingress {`,
      `    from_port   = 22`,
      `    to_port     = 22`,
      `    protocol    = "tcp"`,
      `    cidr_blocks = ["${cidr}"]`,
      `  }`,
      `}`,
      ``,
      `resource "aws_s3_bucket" "data${i}" {`,
      `  bucket = "acme-data-${i}-\${var.environment}"`,
      `}`,
      ``,
      `resource "aws_s3_bucket_public_access_block" "data${i}" {`,
      `  bucket                  = aws_s3_bucket.data${i}.id`,
      `  block_public_acls       = true`,
      `  block_public_policy     = true`,
      `  ignore_public_acls      = true`,
      `  restrict_public_buckets = true`,
      `}`,
      ``,
      `resource "aws_iam_policy" "service${i}" {`,
      `  name = "service${i}"`,
      `  policy = jsonencode({`,
      `    Version = "2012-10-17"`,
      `    Statement = [{`,
      `      Effect   = "Allow"`,
      `      Action   = ${action}`,
      `      Resource = aws_s3_bucket.data${i}.arn`,
      `    }]`,
      `  })`,
      `}`,
      ``,
    ].join("\n");
  const shared = {
    "infra/main.tf": `resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n`,
    "infra/variables.tf": `variable "environment" {\n  type    = string\n  default = "prod"\n}\n`,
  };
  Object.assign(base, shared);
  Object.assign(head, shared);
  for (let i = 0; i < CHANGED_FILES; i++) {
    const path = `infra/service${i}.tf`;
    base[path] = file(i, "10.0.0.0/8", `["s3:GetObject"]`);
    const cidr = i % 2 === 0 ? "0.0.0.0/0" : "10.0.0.0/8";
    const action = i % 3 === 0 ? `"s3:*"` : `["s3:GetObject"]`;
    head[path] = file(i, cidr, action);
    pullFiles.push({
      filename: path,
      status: "modified",
      patch: `@@ -10 +10 @@\n-    cidr_blocks = ["10.0.0.0/8"]\n+    cidr_blocks = ["${cidr}"]\n@@ -32 +32 @@\n-      Action   = ["s3:GetObject"]\n+      Action   = ${action}`,
    });
  }
  return { commits: { [BASE_SHA]: base, [HEAD_SHA]: head }, pullFiles };
}

/** POSTs a signed delivery for `pullNumber`; resolves with the HTTP status once Probot answered. */
function deliver(webhookUrl: string, pullNumber: number): Promise<number> {
  return deliverSigned(webhookUrl, synchronizeBody(pullNumber, 1), {
    id: `bench-${pullNumber}`,
    secret: SECRET,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const key = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;
const github = new FakeAppGitHub(tenFilePullRequest());
const githubUrl = await github.start();
const engineStarted = performance.now();
const engine = await createEngine();
const engineMs = performance.now() - engineStarted;
const queue = new InProcessQueue({ concurrency: CONCURRENCY });
const server = await startWebhookServer({
  privateKey: key,
  secret: SECRET,
  baseUrl: githubUrl,
  app: createTollgateApp({ engine, queue }),
});
const webhookUrl = server.webhookUrl;

let pullNumber = 0;
/** One delivery, waited on until its check run completes: webhook answer and completion times. */
async function oneCheck(
  url = webhookUrl,
): Promise<{ answeredMs: number; completedMs: number; status: number }> {
  const pull = ++pullNumber;
  const completed = github.completion(pull);
  const sent = performance.now();
  const status = await deliver(url, pull);
  const answeredMs = performance.now() - sent;
  return { answeredMs, completedMs: (await completed) - sent, status };
}

try {
  for (let i = 0; i < WARM_UP; i++) await oneCheck();
  const routesBefore = github.routes.length;
  const answered: number[] = [];
  const latencies: number[] = [];
  let refused = 0;
  for (let i = 0; i < SEQUENTIAL; i++) {
    const result = await oneCheck();
    answered.push(result.answeredMs);
    latencies.push(result.completedMs);
    if (result.status >= 300) refused += 1;
  }
  const perCheck = github.countRoutes(routesBefore);
  const requests = github.routes.length - routesBefore;
  answered.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);

  const burstStarted = performance.now();
  const burst = await Promise.all(Array.from({ length: BURST }, () => oneCheck()));
  const burstSeconds = (performance.now() - burstStarted) / 1000;
  const burstLatencies = burst.map((r) => r.completedMs).sort((a, b) => a - b);

  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(
    `engine ready in ${fmt(engineMs)}; a ${CHANGED_FILES}-file Terraform PR (12 files per side), ` +
      `in-process queue running ${CONCURRENCY} checks at once\n`,
  );
  console.log(
    `one at a time (${SEQUENTIAL} checks after ${WARM_UP} warm-up): webhook to completed check run ` +
      `p50 ${fmt(percentile(latencies, 50))}, p99 ${fmt(percentile(latencies, 99))}; ` +
      `webhook answered p50 ${fmt(percentile(answered, 50))}, p99 ${fmt(percentile(answered, 99))}; ${refused} refused`,
  );
  console.log(
    `burst of ${BURST} PRs at once: ${((BURST / burstSeconds) * 60).toFixed(0)} checks/min, ` +
      `p50 ${fmt(percentile(burstLatencies, 50))}, p99 ${fmt(percentile(burstLatencies, 99))}`,
  );
  const last = github.lastCompletion as
    { conclusion?: string; output?: { title?: string; annotations?: unknown[] } } | undefined;
  console.log(
    `each check: ${last?.conclusion}, "${last?.output?.title}", ${last?.output?.annotations?.length ?? 0} annotations`,
  );
  const byRoute = [...perCheck]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([route, count]) => `${route}=${count / SEQUENTIAL}`)
    .join(" ");
  console.log(`GitHub requests per check: ${requests / SEQUENTIAL} (${byRoute})`);
  console.log(
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB` +
      " (fake GitHub and the sender share the process; figures include loopback HTTP)",
  );
} finally {
  await server.stop();
  await queue.drain();
}

/** The built server as `npm start` runs it, its own process: the same burst, then its peak RSS. */
async function builtServerBurst(): Promise<string> {
  const serverJs = fileURLToPath(new URL("../dist/app/server.js", import.meta.url));
  if (!existsSync(serverJs))
    return "built server: skipped (no dist/app/server.js; run npm run build)";
  const serverPort = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    env: {
      PATH: process.env.PATH,
      APP_ID: "1",
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(serverPort),
      GHE_HOST: new URL(githubUrl).host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "warn",
      TOLLGATE_CONCURRENCY: String(CONCURRENCY),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    const base = `http://127.0.0.1:${serverPort}`;
    for (let tries = 0; ; tries++) {
      if (
        await fetch(`${base}/ping`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (tries > 600 || child.exitCode !== null) return "built server: did not start";
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const idleMb = residentMb(child.pid, "VmRSS");
    const started = performance.now();
    const burst = await Promise.all(
      Array.from({ length: BURST }, () => oneCheck(`${base}/api/github/webhooks`)),
    );
    const seconds = (performance.now() - started) / 1000;
    const latencies = burst.map((r) => r.completedMs).sort((a, b) => a - b);
    return (
      `built server (node dist/app/server.js), burst of ${BURST}: ${((BURST / seconds) * 60).toFixed(0)} checks/min, ` +
      `p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(0)} ms, ` +
      `RSS idle ${idleMb} MB, peak ${residentMb(child.pid, "VmHWM")} MB\n` +
      "  (Octokit's throttling on, as in production: writes and GraphQL go one a second per installation, " +
      "and all these PRs are one installation's)"
    );
  } finally {
    child.kill("SIGKILL");
  }
}

/** A process's resident memory from /proc (Linux), in MB. */
function residentMb(pid: number | undefined, field: "VmRSS" | "VmHWM"): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1];
    return kb ? (Number(kb) / 1024).toFixed(0) : "?";
  } catch {
    return "?";
  }
}

try {
  console.log(await builtServerBurst());
} finally {
  await github.stop();
}
