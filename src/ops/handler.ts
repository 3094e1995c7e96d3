// The operations endpoints on the Probot server's router: `GET /health` (queue depth and Redis
// reachability, 503 when the queue cannot be read) and `GET /metrics` (Prometheus text).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JobQueue, QueueDepth } from "../queue/index.js";
import type { QueueMetrics } from "./metrics.js";

export interface OpsSources {
  queue: Pick<JobQueue, "depth" | "depthByInstallation">;
  metrics: QueueMetrics;
  /** Resolves when Redis answers; absent when the queue is in process. */
  pingRedis?: () => Promise<void>;
}

export interface HealthReport {
  status: "ok" | "unavailable";
  redis: "reachable" | "unreachable" | "not used";
  queue?: QueueDepth;
  problem?: string;
}

export async function healthReport(sources: OpsSources): Promise<HealthReport> {
  let redis: HealthReport["redis"] = "not used";
  try {
    if (sources.pingRedis) {
      await sources.pingRedis();
      redis = "reachable";
    }
    return { status: "ok", redis, queue: await sources.queue.depth() };
  } catch (error) {
    return {
      status: "unavailable",
      redis: sources.pingRedis && redis !== "reachable" ? "unreachable" : redis,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}

/** A Probot `Server.addHandler` handler: answers its two paths and passes on everything else. */
export function opsHandler(
  sources: OpsSources,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.method !== "GET") return false;
    const path = (req.url ?? "").split("?")[0];
    if (path === "/health") {
      const report = await healthReport(sources);
      res
        .writeHead(report.status === "ok" ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify(report));
      return true;
    }
    if (path === "/metrics") {
      const report = await healthReport(sources);
      if (!report.queue) {
        res.writeHead(503, { "content-type": "text/plain" }).end(`${report.problem ?? ""}\n`);
        return true;
      }
      // Per-installation gauges are extra: without them the queue-wide figures still go out.
      const installations = await sources.queue.depthByInstallation?.().catch(() => undefined);
      res
        .writeHead(200, { "content-type": "text/plain; version=0.0.4" })
        .end(sources.metrics.render(report.queue, installations));
      return true;
    }
    return false;
  };
}
