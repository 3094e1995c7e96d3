// How long a check job holds on when GitHub is down: a pull_request webhook into the app as
// `npm start` wires it (BoundedRetryOctokit: retries, attempt timeouts, throttling on) until the
// job fails, against a GitHub that accepts connections and never answers and one that refuses
// them. Both run at once, each in a process of its own; figures only (they are mostly waiting).
// Run: npx tsx bench/github-outage.ts
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { Probot } from "probot";
import { createTollgateApp } from "../src/app/index.js";
import { BoundedRetryOctokit } from "../src/github/index.js";
import { InProcessQueue } from "../src/queue/index.js";
import { examplePayload } from "../test/app/payloads.js";
import { freePort } from "../test/redis/redisServer.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** Accepts every connection and never writes a byte. */
async function silentGitHub(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) =>
    sockets.add(socket.on("close", () => sockets.delete(socket))),
  );
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Seconds from the webhook to the job's failure, and the failure's one line. */
async function checkJobAgainst(baseUrl: string): Promise<{ seconds: number; error: string }> {
  let failed: (error: unknown) => void = () => undefined;
  const failure = new Promise<unknown>((resolve) => (failed = resolve));
  const queue = new InProcessQueue({ onJobError: (_job, error) => failed(error) });
  const probot = new Probot({
    appId: 1,
    privateKey,
    baseUrl,
    Octokit: BoundedRetryOctokit,
    logLevel: "fatal",
  });
  await probot.load(
    createTollgateApp({ engine: { scan: async () => ({ findings: [], errors: [] }) }, queue }),
  );
  const started = performance.now();
  await probot.receive({
    id: "outage",
    name: "pull_request",
    payload: examplePayload("pull_request", "opened"),
  } as Parameters<Probot["receive"]>[0]);
  const error = await failure;
  const seconds = (performance.now() - started) / 1000;
  await queue.drain();
  return {
    seconds,
    error: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error),
  };
}

/** One outage in this process: prints its figures as JSON. */
async function measure(outage: string): Promise<void> {
  const silent = outage === "silent" ? await silentGitHub() : undefined;
  try {
    const url = silent?.url ?? `http://127.0.0.1:${await freePort()}`;
    process.stdout.write(JSON.stringify(await checkJobAgainst(url)));
  } finally {
    await silent?.close();
  }
}

/** Each outage in a process of its own: Octokit's throttling paces writes process-wide. */
function measureApart(outage: string): Promise<{ seconds: number; error: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), outage],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(output) as { seconds: number; error: string })
        : reject(new Error(`the ${outage} run exited with ${code}`)),
    ),
  );
}

if (process.argv[2]) await measure(process.argv[2]);
else {
  const [silent, refused] = await Promise.all([measureApart("silent"), measureApart("refused")]);
  for (const [name, result] of [
    ["silent (accepts, never answers)", silent],
    ["unreachable (connection refused)", refused],
  ] as const)
    console.log(
      `${name.padEnd(34)} webhook to failed job ${result.seconds.toFixed(1)} s: ${result.error}`,
    );
}
