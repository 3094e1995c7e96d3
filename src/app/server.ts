// `npm start`: runs the GitHub App under Probot's server with webhook signature verification, JSON
// logs without secrets, a /ping health check and a graceful drain on SIGTERM. The engine comes from
// src/engine/index.ts (`createEngine`), loaded by path so this file compiles before it exists.
import { Probot, Server, type Logger } from "probot";
import type { ScanEngine } from "../engine/types.js";
import { InProcessQueue } from "../queue/index.js";
import { createTollgateApp } from "./app.js";
import { describeError } from "./checkFlow.js";
import { describeMissing, readServerEnvironment } from "./environment.js";

const EXIT_CONFIGURATION = 2;

async function loadEngine(): Promise<ScanEngine> {
  const enginePath = "../engine/index.js";
  const engineModule: unknown = await import(enginePath);
  const createEngine = (engineModule as { createEngine?: unknown }).createEngine;
  if (typeof createEngine !== "function")
    throw new Error(`${enginePath} does not export createEngine()`);
  return (await (createEngine as () => Promise<ScanEngine>)()) satisfies ScanEngine;
}

async function main(): Promise<number> {
  const result = readServerEnvironment(process.env);
  if (!result.ok) {
    process.stderr.write(describeMissing(result.problems));
    return EXIT_CONFIGURATION;
  }
  const env = result.environment;
  const ConfiguredProbot = Probot.defaults({
    appId: env.appId,
    privateKey: env.privateKey,
    secret: env.webhookSecret,
    logLevel: env.logLevel,
    logFormat: "json",
    ...(env.baseUrl ? { baseUrl: env.baseUrl } : {}),
  });
  const server = new Server({
    Probot: ConfiguredProbot,
    port: env.port,
    host: env.host,
    webhookPath: env.webhookPath,
    enablePing: true,
  });
  let log: Logger | undefined;
  const queue = new InProcessQueue({
    concurrency: env.concurrency,
    onJobError: (job, error) =>
      log?.error({ pull: job.pullKey, error: describeError(error) }, "check job failed"),
  });
  const engine = await loadEngine();
  const tollgate = createTollgateApp({ engine, queue, timeoutMs: env.timeoutMs });
  await server.load((app, options) => {
    log = app.log;
    return tollgate(app, options);
  });
  await server.start();

  const shutdown = async (signal: string) => {
    log?.info({ signal }, "draining checks before exit");
    await server.stop();
    await queue.drain({ timeoutMs: 25_000 });
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`tollgate: the app failed to start: ${describeError(error)}\n`);
    process.exit(EXIT_CONFIGURATION);
  },
);
