import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InProcessQueue } from "../queue/index.js";
import { opsHandler, QueueMetrics, type OpsSources } from "./index.js";

let server: Server | undefined;

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
});
