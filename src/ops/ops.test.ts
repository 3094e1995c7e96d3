import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InProcessQueue, type CheckJobPayload, type QueueJob } from "../queue/index.js";
import { opsHandler, QueueMetrics, type OpsSources } from "./index.js";

let server: Server | undefined;

/** A job for `installation` (none when undefined) that runs until released, or fails when told. */
function heldJob(pullNumber: number, installation: number | undefined) {
  let finish: (failure?: Error) => void = () => undefined;
  const finished = new Promise<Error | undefined>((resolve) => (finish = resolve));
  const payload: CheckJobPayload = {
    deliveryId: `d${pullNumber}`,
    ...(installation === undefined ? {} : { installationId: installation }),
    target: {
      owner: "acme",
      repo: "infra",
      pullNumber,
      headSha: "a".repeat(40),
      baseSha: "b".repeat(40),
    },
    acceptedAt: 0,
  };
  const job: QueueJob = {
    deliveryId: payload.deliveryId,
    pullKey: `acme/infra#${pullNumber}`,
    headSha: payload.target.headSha,
    payload,
    run: async () => {
      const failure = await finished;
      if (failure) throw failure;
    },
    cancel: async () => undefined,
  };
  return { job, finish };
}

/** The sample lines of `text` whose metric name starts with `name`, without comments. */
const samples = (text: string, name: string) =>
  text.split("\n").filter((line) => line.startsWith(name));

async function serve(sources: OpsSources): Promise<string> {
  const handle = opsHandler(sources);
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe("operations endpoints", () => {
  it("reports queue depth and Redis reachability, and 503 when Redis is gone", async () => {
    let redisUp = true;
    const base = await serve({
      queue: { depth: async () => ({ waiting: 3, running: 2, failed: 1 }) },
      metrics: new QueueMetrics(),
      pingRedis: async () => {
        if (!redisUp) throw new Error("connect ECONNREFUSED 127.0.0.1:6379");
      },
    });
    const healthy = await fetch(`${base}/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({
      status: "ok",
      redis: "reachable",
      queue: { waiting: 3, running: 2, failed: 1 },
    });
    redisUp = false;
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "unavailable", redis: "unreachable" });
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });

  it("exposes jobs and an evaluation time histogram in Prometheus text", async () => {
    const metrics = new QueueMetrics();
    const queue = new InProcessQueue({ observer: metrics });
    const base = await serve({ queue, metrics });
    metrics.jobSettled("completed", 300);
    metrics.jobSettled("completed", 4000);
    metrics.jobSettled("cancelled", 20);
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain("tollgate_jobs_waiting 0\n");
    expect(text).toContain('tollgate_jobs_settled_total{outcome="completed"} 2\n');
    expect(text).toContain('tollgate_evaluation_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('tollgate_evaluation_seconds_bucket{le="0.5"} 2\n');
    expect(text).toContain('tollgate_evaluation_seconds_bucket{le="5"} 3\n');
    expect(text).toContain('tollgate_evaluation_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain("tollgate_evaluation_seconds_count 3\n");
    const sum = /^tollgate_evaluation_seconds_sum (\S+)$/m.exec(text)?.[1];
    expect(Number(sum)).toBeCloseTo(4.32);
  });

  it("labels jobs and evaluation time by installation, past a bound as other", async () => {
    const metrics = new QueueMetrics({ installationLabels: 2 });
    const queue = new InProcessQueue({ concurrency: 2, observer: metrics, onJobError: () => {} });
    const base = await serve({ queue, metrics });
    const jobs = [
      heldJob(1, 11),
      heldJob(2, 11),
      heldJob(3, 22),
      heldJob(4, 33),
      heldJob(5, 44),
      heldJob(6, undefined),
    ];
    for (const { job } of jobs) queue.enqueue(job);

    // Two run (both of 11), the rest wait; 33 and 44 came after the two labels were taken.
    const busy = await (await fetch(`${base}/metrics`)).text();
    expect(samples(busy, "tollgate_installation_jobs_")).toEqual([
      'tollgate_installation_jobs_waiting{installation="11"} 0',
      'tollgate_installation_jobs_waiting{installation="22"} 1',
      'tollgate_installation_jobs_waiting{installation="other"} 2',
      'tollgate_installation_jobs_running{installation="11"} 2',
      'tollgate_installation_jobs_running{installation="22"} 0',
      'tollgate_installation_jobs_running{installation="other"} 0',
    ]);
    expect(busy).toContain("tollgate_jobs_waiting 4\n");

    jobs[0]?.finish();
    jobs[1]?.finish(new Error("GitHub is down"));
    for (const { finish } of jobs.slice(2)) finish();
    await queue.whenIdle();
    const idle = await (await fetch(`${base}/metrics`)).text();
    expect(samples(idle, "tollgate_installation_jobs_running")).toEqual([
      'tollgate_installation_jobs_running{installation="11"} 0',
      'tollgate_installation_jobs_running{installation="22"} 0',
    ]);
    expect(samples(idle, "tollgate_installation_jobs_settled_total")).toEqual([
      'tollgate_installation_jobs_settled_total{installation="11",outcome="completed"} 1',
      'tollgate_installation_jobs_settled_total{installation="11",outcome="failed"} 1',
      'tollgate_installation_jobs_settled_total{installation="11",outcome="cancelled"} 0',
      'tollgate_installation_jobs_settled_total{installation="22",outcome="completed"} 1',
      'tollgate_installation_jobs_settled_total{installation="22",outcome="failed"} 0',
      'tollgate_installation_jobs_settled_total{installation="22",outcome="cancelled"} 0',
      'tollgate_installation_jobs_settled_total{installation="other",outcome="completed"} 2',
      'tollgate_installation_jobs_settled_total{installation="other",outcome="failed"} 0',
      'tollgate_installation_jobs_settled_total{installation="other",outcome="cancelled"} 0',
      'tollgate_installation_jobs_settled_total{installation="none",outcome="completed"} 1',
      'tollgate_installation_jobs_settled_total{installation="none",outcome="failed"} 0',
      'tollgate_installation_jobs_settled_total{installation="none",outcome="cancelled"} 0',
    ]);
    expect(samples(idle, "tollgate_installation_evaluation_seconds_count")).toEqual([
      'tollgate_installation_evaluation_seconds_count{installation="11"} 2',
      'tollgate_installation_evaluation_seconds_count{installation="22"} 1',
      'tollgate_installation_evaluation_seconds_count{installation="other"} 2',
      'tollgate_installation_evaluation_seconds_count{installation="none"} 1',
    ]);
    // The failed job counts in the unlabelled figures as well.
    expect(idle).toContain('tollgate_jobs_settled_total{outcome="failed"} 1\n');
    expect(idle).toContain("tollgate_evaluation_seconds_count 6\n");
  });
});
