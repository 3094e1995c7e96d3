// Queue metrics in Prometheus text format: jobs waiting, running and failed (from the queue, so
// queue-wide on Redis) and how long checks take (a histogram this replica fills as jobs settle),
// plus the same per GitHub App installation under an `installation` label of bounded cardinality.
import type { InstallationDepths, JobObserver, QueueDepth } from "../queue/index.js";

/** Upper bounds in seconds: a check takes from well under a second to the 5-minute budget. */
const EVALUATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Installations that get a label of their own, first come; later ones share `installation="other"`
 * and jobs naming none are `"none"`. At 7 series per label this caps the per-installation series
 * near 700 per replica. Ids come from signed webhooks only, so no caller can mint new labels.
 */
export const INSTALLATION_LABELS = 100;

type Outcome = Parameters<JobObserver["jobSettled"]>[0];
const OUTCOMES: Outcome[] = ["completed", "failed", "cancelled"];

interface InstallationTotals {
  settled: Record<Outcome, number>;
  seconds: number;
}

export class QueueMetrics implements JobObserver {
  private readonly bucketCounts = EVALUATION_BUCKETS.map(() => 0);
  private evaluations = 0;
  private evaluationSeconds = 0;
  private readonly settled: Record<Outcome, number> = { completed: 0, failed: 0, cancelled: 0 };
  /** Installation ids with a label of their own, in the order they were first seen. */
  private readonly labelled = new Set<number>();
  private readonly byLabel = new Map<string, InstallationTotals>();
  private readonly labelLimit: number;

  constructor(options: { installationLabels?: number } = {}) {
    this.labelLimit = Math.max(0, options.installationLabels ?? INSTALLATION_LABELS);
  }

  jobSettled(outcome: Outcome, durationMs: number, installation?: number): void {
    this.settled[outcome] += 1;
    const seconds = durationMs / 1000;
    this.evaluations += 1;
    this.evaluationSeconds += seconds;
    EVALUATION_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
    });
    const label = this.labelOf(installation);
    const totals = this.byLabel.get(label) ?? {
      settled: { completed: 0, failed: 0, cancelled: 0 },
      seconds: 0,
    };
    totals.settled[outcome] += 1;
    totals.seconds += seconds;
    this.byLabel.set(label, totals);
  }

  /** The exposition text for `GET /metrics`; per-installation gauges when the queue counts them. */
  render(depth: QueueDepth, installations?: InstallationDepths): string {
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
      ...OUTCOMES.map(
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
      ...(installations ? this.installationGauges(installations) : []),
      ...this.installationTotals(),
    ];
    return `${lines.join("\n")}\n`;
  }

  private labelOf(installation: number | undefined): string {
    if (installation === undefined) return "none";
    if (!this.labelled.has(installation)) {
      if (this.labelled.size >= this.labelLimit) return "other";
      this.labelled.add(installation);
    }
    return String(installation);
  }

  /** Every labelled installation gets a gauge, 0 when idle, so a series drops to 0 rather than vanishing. */
  private installationGauges(installations: InstallationDepths): string[] {
    const gauges = new Map<string, { waiting: number; running: number }>();
    for (const [installation, depth] of installations.byInstallation) {
      const label = this.labelOf(installation);
      const sum = gauges.get(label) ?? { waiting: 0, running: 0 };
      gauges.set(label, {
        waiting: sum.waiting + depth.waiting,
        running: sum.running + depth.running,
      });
    }
    const labels = [...this.labelled].map(String);
    if (gauges.has("other")) labels.push("other");
    const gauge = (state: "waiting" | "running") =>
      labels.map(
        (label) =>
          `tollgate_installation_jobs_${state}{installation="${label}"} ${gauges.get(label)?.[state] ?? 0}`,
      );
    return [
      ...(installations.countsWaiting
        ? [
            "# HELP tollgate_installation_jobs_waiting Checks queued and not yet running, by installation.",
            "# TYPE tollgate_installation_jobs_waiting gauge",
            ...gauge("waiting"),
          ]
        : []),
      "# HELP tollgate_installation_jobs_running Checks running now, by installation (queue-wide on Redis, for installations this replica has seen).",
      "# TYPE tollgate_installation_jobs_running gauge",
      ...gauge("running"),
    ];
  }

  private installationTotals(): string[] {
    const totals = [...this.byLabel];
    return [
      "# HELP tollgate_installation_jobs_settled_total Checks this replica finished, by installation and outcome.",
      "# TYPE tollgate_installation_jobs_settled_total counter",
      ...totals.flatMap(([label, { settled }]) =>
        OUTCOMES.map(
          (outcome) =>
            `tollgate_installation_jobs_settled_total{installation="${label}",outcome="${outcome}"} ${settled[outcome]}`,
        ),
      ),
      "# HELP tollgate_installation_evaluation_seconds Time from a job starting to its check run completing, by installation.",
      "# TYPE tollgate_installation_evaluation_seconds summary",
      ...totals.flatMap(([label, { settled, seconds }]) => [
        `tollgate_installation_evaluation_seconds_sum{installation="${label}"} ${seconds}`,
        `tollgate_installation_evaluation_seconds_count{installation="${label}"} ${OUTCOMES.reduce((n, o) => n + settled[o], 0)}`,
      ]),
    ];
  }
}
