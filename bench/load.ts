// Load on the Redis queue, loopback only: signed webhooks accepted per second by one replica, and
// pull request events completed per minute by one and by two worker replicas (child processes
// running the real engine) against a local fake GitHub, with webhook-to-completed latency and peak
// memory per replica. Figures, not assertions; bounded in count and time. Skips without redis-server.
// Run: npx tsx bench/load.ts
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Probot } from "probot";
import { createTollgateApp } from "../src/app/index.js";
import { createEngine } from "../src/engine/index.js";
import { BullQueue } from "../src/queue/index.js";
import { FakeAppGitHub } from "../test/app/fakeAppGitHub.js";
import type { FakeRepository } from "../test/app/fakeGitHub.js";
import { BASE_SHA, HEAD_SHA, TestOctokit } from "../test/app/payloads.js";
import { deliverSigned, startWebhookServer, synchronizeBody } from "../test/app/webhookServer.js";
import { redisUnavailable, startRedis } from "../test/redis/redisServer.js";

const INSTALLATIONS = 4;
const SECRET = "bench-secret";
const ACCEPT_DELIVERIES = 1000;
const COMPLETE_EVENTS = 60;
const PHASE_LIMIT_MS = 180_000;

/** Base and head of the bundled example pull request, as every benchmark pull request's commits. */
function exampleRepository(): FakeRepository {
  const read = (side: string, file: string) =>
    readFileSync(new URL(`../examples/pr/${side}/${file}`, import.meta.url), "utf8");
  const files = ["main.tf", "network/main.tf"];
  const commit = (side: string) => Object.fromEntries(files.map((f) => [f, read(side, f)]));
  return {
    commits: { [BASE_SHA]: commit("base"), [HEAD_SHA]: commit("head") },
    pullFiles: files.map((filename) => ({ filename, status: "modified" as const })),
  };
}

/** A worker replica in its own process: the real engine, the app, a BullQueue taking work. */
async function runReplica(redisUrl: string, prefix: string, githubUrl: string, key: string) {
  const engine = await createEngine();
  const queue = new BullQueue({ redisUrl, prefix, concurrency: 4, installationConcurrency: 4 });
  const probot = new Probot({
    appId: 1,
    privateKey: key,
    baseUrl: githubUrl,
    Octokit: TestOctokit,
    logLevel: "fatal",
  });
  await probot.load(createTollgateApp({ engine, queue }));
  process.on("message", (message) => {
    if (message !== "stop") return;
    void queue.drain({ timeoutMs: 5000 }).then(() => {
      process.send?.({ peakRssMb: process.resourceUsage().maxRSS / 1024 });
      process.exit(0);
    });
  });
  process.send?.("ready");
}

/** POSTs signed `pull_request` deliveries, `parallel` at a time; returns when each has an answer. */
async function deliver(webhookUrl: string, pulls: number[], parallel: number, sentAt: number[]) {
  let next = 0;
  let refused = 0;
  const sender = async () => {
    while (next < pulls.length) {
      const index = next++;
      const pull = pulls[index] ?? 0;
      const body = synchronizeBody(pull, (pull % INSTALLATIONS) + 1);
      sentAt[pull] = performance.now();
      const status = await deliverSigned(webhookUrl, body, {
        id: `bench-${pull}-${index}`,
        secret: SECRET,
      });
      if (status >= 300) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: parallel }, sender));
  return refused;
}

/** One replica that only accepts webhooks (its queue takes no work), on a random loopback port. */
async function startWebhookReplica(redisUrl: string, prefix: string, key: string) {
  const queue = new BullQueue({ redisUrl, prefix, takeWork: false });
  const server = await startWebhookServer({
    privateKey: key,
    secret: SECRET,
    app: createTollgateApp({ engine: { scan: async () => ({ findings: [], errors: [] }) }, queue }),
  });
  return {
    url: server.webhookUrl,
    stop: async () => {
      await server.stop();
      await queue.drain();
    },
  };
}

function startWorkers(
  count: number,
  redisUrl: string,
  prefix: string,
  githubUrl: string,
  key: string,
) {
  const script = fileURLToPath(import.meta.url);
  return Promise.all(
    Array.from({ length: count }, async () => {
      const child: ChildProcess = spawn(
        process.execPath,
        ["--import", "tsx", script, "replica", redisUrl, prefix, githubUrl],
        { stdio: ["pipe", "inherit", "inherit", "ipc"], env: { ...process.env, BENCH_KEY: key } },
      );
      await new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) => reject(new Error(`a worker replica exited with ${code}`)));
      });
      return child;
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<number[]> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<number>((resolve) => {
          child.once("message", (message) => resolve((message as { peakRssMb: number }).peakRssMb));
          child.send("stop");
        }),
    ),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main() {
  if (process.argv[2] === "replica") {
    const [redisUrl, prefix, githubUrl] = process.argv.slice(3);
    if (!redisUrl || !prefix || !githubUrl || !process.env.BENCH_KEY)
      throw new Error("usage: load.ts replica <redis-url> <prefix> <github-url>");
    return runReplica(redisUrl, prefix, githubUrl, process.env.BENCH_KEY);
  }
  try {
    if (redisUnavailable() !== undefined) return;
  } catch (error) {
    console.log(String(error));
    return;
  }
  const key = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const redis = await startRedis();
  const github = new FakeAppGitHub(exampleRepository());
  const githubUrl = await github.start();
  try {
    const acceptor = await startWebhookReplica(redis.url, "accept", key);
    const pulls = Array.from({ length: ACCEPT_DELIVERIES }, (_, i) => i + 1);
    const started = performance.now();
    const refused = await deliver(acceptor.url, pulls, 32, []);
    const seconds = (performance.now() - started) / 1000;
    await acceptor.stop();
    console.log(
      `accepted by one replica: ${(ACCEPT_DELIVERIES / seconds).toFixed(0)} deliveries/s ` +
        `(${ACCEPT_DELIVERIES} signed pull_request webhooks, 32 in flight, ${refused} refused)`,
    );

    console.log(
      "\nworkers  events  completed/min   p50 latency   p99 latency   peak RSS per worker",
    );
    for (const workers of [1, 2]) {
      const prefix = `complete${workers}`;
      const webhook = await startWebhookReplica(redis.url, prefix, key);
      const children = await startWorkers(workers, redis.url, prefix, githubUrl, key);
      github.completedAt.clear();
      github.pullOfRun.clear();
      const sentAt: number[] = [];
      const first = performance.now();
      await deliver(
        webhook.url,
        Array.from({ length: COMPLETE_EVENTS }, (_, i) => i + 1),
        8,
        sentAt,
      );
      const deadline = Date.now() + PHASE_LIMIT_MS;
      while (github.completedAt.size < COMPLETE_EVENTS && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const last = Math.max(...github.completedAt.values());
      const latencies = [...github.completedAt]
        .map(([run, at]) => at - (sentAt[github.pullOfRun.get(run) ?? 0] ?? at))
        .sort((a, b) => a - b);
      const peaks = await stopWorkers(children);
      await webhook.stop();
      const perMinute = (github.completedAt.size / ((last - first) / 1000)) * 60;
      console.log(
        `${String(workers).padStart(7)}  ${String(github.completedAt.size).padStart(6)}  ` +
          `${perMinute.toFixed(0).padStart(13)}  ${percentile(latencies, 50).toFixed(0).padStart(9)} ms` +
          `  ${percentile(latencies, 99).toFixed(0).padStart(9)} ms   ${peaks.map((mb) => `${mb.toFixed(0)} MB`).join(", ")}`,
      );
    }
    console.log(
      `\n(the example PR's base and head, ${INSTALLATIONS} installations, 4 checks per worker at once; ` +
        "a fake GitHub on 127.0.0.1, so times are the app's own work plus loopback requests)",
    );
  } finally {
    await github.stop();
    await redis.stop();
  }
}

await main();
