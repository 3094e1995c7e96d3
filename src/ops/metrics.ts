// Queue metrics in Prometheus text format: jobs waiting, running and failed (from the queue, so
// queue-wide on Redis) and how long checks take (a histogram this replica fills as jobs settle).
import type { JobObserver, QueueDepth } from "../queue/index.js";

/** Upper bounds in seconds: a check takes from well under a second to the 5-minute budget. */
const EVALUATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

type Outcome = Parameters<JobObserver["jobSettled"]>[0];

export class QueueMetrics implements JobObserver {
  private readonly bucketCounts = EVALUATION_BUCKETS.map(() => 0);
  private evaluations = 0;
  private evaluationSeconds = 0;
  private readonly settled: Record<Outcome, number> = { completed: 0, failed: 0, cancelled: 0 };

  jobSettled(outcome: Outcome, durationMs: number): void {
    this.settled[outcome] += 1;
    const seconds = durationMs / 1000;
    this.evaluations += 1;
    this.evaluationSeconds += seconds;
    EVALUATION_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
    });
  }

  /** The exposition text for `GET /metrics`. */
  render(depth: QueueDepth): string {
    const lines = [
      "# HELP tollgate_jobs_waiting Checks queued and not yet running.",
      "# TYPE tollgate_jobs_waiting gauge",
      `tollgate_jobs_waiting ${depth.waiting}`,
      "# HELP tollgate_jobs_running Checks running now.",
      "# TYPE tollgate_jobs_running gauge",
      `tollgate_jobs_running ${depth.running}`,
      "# HELP tollgate_jobs_failed Checks that failed for good and are kept for inspection.",
      "# TYPE tollgate_jobs_failed gauge",
      `tollgate_jobs_failed ${depth.failed}`,
      "# HELP tollgate_jobs_settled_total Checks this replica finished, by outcome.",
      "# TYPE tollgate_jobs_settled_total counter",
      ...(Object.keys(this.settled) as Outcome[]).map(
        (outcome) => `tollgate_jobs_settled_total{outcome="${outcome}"} ${this.settled[outcome]}`,
      ),
      "# HELP tollgate_evaluation_seconds Time from a job starting to its check run completing.",
      "# TYPE tollgate_evaluation_seconds histogram",
      ...EVALUATION_BUCKETS.map(
        (bound, index) =>
          `tollgate_evaluation_seconds_bucket{le="${bound}"} ${this.bucketCounts[index] ?? 0}`,
      ),
      `tollgate_evaluation_seconds_bucket{le="+Inf"} ${this.evaluations}`,
      `tollgate_evaluation_seconds_sum ${this.evaluationSeconds}`,
      `tollgate_evaluation_seconds_count ${this.evaluations}`,
    ];
    return `${lines.join("\n")}\n`;
  }
}
