// `npm start`: runs the GitHub App under Probot's server with webhook signature verification, JSON
// logs without secrets, /ping, /health and /metrics, and a graceful drain on SIGTERM. With
// REDIS_URL the replicas share a BullMQ queue and compiled custom policies; without it checks run
// in this process, and compiled policies outlive it only in TOLLGATE_CACHE_DIR. The engine
// comes from src/engine/index.ts (`createEngine`), loaded by path so this file compiles before it exists.
import { Probot, Server, type Logger } from "probot";
import type { ScanEngine } from "../engine/types.js";
import { BoundedRetryOctokit } from "../github/index.js";
import { opsHandler, QueueMetrics } from "../ops/index.js";
import { cacheKeyOfApp, OrgPolicies, openCompiledStore } from "../org/index.js";
import {
  BullQueue,
  InProcessQueue,
  readQueueEnvironment,
  type JobQueue,
  type QueueLog,
} from "../queue/index.js";
import { createTollgateApp, logFailedJob } from "./app.js";
import { describeError } from "./checkFlow.js";
import { describeMissing, readServerEnvironment } from "./environment.js";
import { createServerLog } from "./serverLog.js";
import { BackgroundTasks } from "./tasks.js";
import { withoutWebhookPayloads } from "./webhookLog.js";

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
  const queueSettings = readQueueEnvironment(process.env);
  if (!result.ok || !queueSettings.ok) {
    process.stderr.write(
      describeMissing([
        ...(result.ok ? [] : result.problems),
        ...(queueSettings.ok ? [] : queueSettings.problems),
      ]),
    );
    return EXIT_CONFIGURATION;
  }
  const env = result.environment;
  // JSON lines at LOG_LEVEL, each failed delivery one line without its payload (webhookLog.ts)
  // and each key once (serverLog.ts). The server needs it too: without it, it makes its own pretty,
  // info-level logger and hands that to the app.
  const serverLog = withoutWebhookPayloads(createServerLog(env.logLevel));
  const ConfiguredProbot = Probot.defaults({
    appId: env.appId,
    privateKey: env.privateKey,
    secret: env.webhookSecret,
    log: serverLog,
    // Each GitHub request retries within 30 s of its first attempt (src/github/retry.ts), token included.
    Octokit: BoundedRetryOctokit,
    ...(env.baseUrl ? { baseUrl: env.baseUrl } : {}),
  });
  const server = new Server({
    Probot: ConfiguredProbot,
    port: env.port,
    host: env.host,
    webhookPath: env.webhookPath,
    enablePing: true,
    log: serverLog,
  });
  let log: Logger | undefined;
  const queueLog: QueueLog = {
    info: (fields, message) => log?.info(fields, message),
    warn: (fields, message) => log?.warn(fields, message),
    error: (fields, message) => log?.error(fields, message),
  };
  const metrics = new QueueMetrics();
  const redis = queueSettings.redis;
  const bullQueue = redis
    ? new BullQueue({
        ...redis,
        observer: metrics,
        log: queueLog,
        onJobError: (job, error) => logFailedJob(queueLog, job, error),
      })
    : undefined;
  const queue: JobQueue =
    bullQueue ??
    new InProcessQueue({
      concurrency: env.concurrency,
      observer: metrics,
      onJobError: (job, error) => logFailedJob(queueLog, job, error),
    });
  server.addHandler(
    opsHandler({
      queue,
      metrics,
      ...(bullQueue ? { pingRedis: () => bullQueue.ping() } : {}),
    }),
  );
  const engine = await loadEngine();
  const tasks = new BackgroundTasks((name, error) =>
    log?.error({ task: name, error: describeError(error) }, "background task failed"),
  );
  const compiledStore = openCompiledStore(
    { redisUrl: redis?.redisUrl, cacheDir: process.env.TOLLGATE_CACHE_DIR },
    // Secrets a writer of Redis or of the folder does not hold: it cannot plant an entry.
    cacheKeyOfApp({ privateKey: env.privateKey, webhookSecret: env.webhookSecret }),
    queueLog,
  );
  const tollgate = createTollgateApp({
    engine,
    queue,
    tasks,
    // Without Redis a crash leaves the runs of this process's jobs in progress: the next start
    // looks for them, in the background (`GET /ping` answers at once), once a process it replaces
    // has had time to finish or drain its own (a drain gives up after 30 s).
    settleLeftRuns: { afterMs: env.leftRunsAfterMs },
    timeoutMs: env.timeoutMs,
    customPolicies: new OrgPolicies({
      ...(compiledStore ? { store: compiledStore } : {}),
      log: queueLog,
    }),
  });
  await server.load((app, options) => {
    log = app.log;
    return tollgate(app, options);
  });
  await server.start();

  const shutdown = async (signal: string) => {
    log?.info(
      { signal },
      "draining checks before exit (unfinished Redis jobs go back to the queue)",
    );
    // Past the drain's budget (Redis unreachable, say) exit anyway: the orchestrator will not wait.
    setTimeout(() => process.exit(1), 30_000).unref();
    await server.stop();
    // Organization tasks (policy compiles, re-runs of open PRs, impact previews) live in this
    // process only: give them a while, then say what is abandoned rather than drop it silently.
    const abandoned = await tasks.settle(10_000);
    if (abandoned > 0)
      log?.warn(
        { abandoned },
        "background tasks still running at shutdown were abandoned; push to the .github repository again or comment /tollgate run to redo them",
      );
    await queue.drain({ timeoutMs: 15_000 });
    await compiledStore?.close?.();
    process.exit(0);
  };
  // A last resort, not the handling: one job's promise that rejects unobserved is a bug to fix,
  // but ending the process for it would leave every other pull request's run in progress.
  process.on("unhandledRejection", (reason: unknown) =>
    log?.error(
      { error: describeError(reason) },
      "unhandled promise rejection; the server keeps serving",
    ),
  );
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
