// Starts a throwaway `redis-server` for a test file: 127.0.0.1, a free port, no persistence, a temp
// dir, stopped by the test. Without the binary the Redis suites fail in CI (CI installs it) and
// are skipped locally with the reason printed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** Why the Redis suites cannot run here, or undefined when `redis-server` is on PATH. */
export function redisUnavailable(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error === undefined && probe.status === 0) return undefined;
  const reason =
    "redis-server is not on PATH (apt-get install -y redis-server; .ci/run installs it)";
  if (process.env.CI) throw new Error(`The Redis tests need Redis in CI: ${reason}`);
  process.stdout.write(`Skipping the Redis tests: ${reason}\n`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "tollgate-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let attempt = 0; ; attempt++) {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // Refused connections while the server starts are expected; connect() reports them.
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (error) {
      if (attempt >= 100) {
        child.kill("SIGKILL");
        throw new Error(`redis-server did not answer on ${url}: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
