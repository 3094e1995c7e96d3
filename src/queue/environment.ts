// The queue's own settings from the environment, checked with zod: without REDIS_URL the app keeps
// the in-process queue; with it, every replica shares one BullMQ queue with these bounds.
import { z } from "zod";

export interface RedisQueueSettings {
  redisUrl: string;
  /** Checks this replica runs at once. */
  concurrency: number;
  /** Checks one installation may run at once across all replicas. */
  installationConcurrency: number;
  attempts: number;
  backoffMs: number;
  /** A check run `in_progress` longer than this with no live job is re-queued on start. */
  reconcileAfterMs: number;
}

const queueEnvironmentSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  TOLLGATE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TOLLGATE_INSTALLATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  TOLLGATE_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  TOLLGATE_JOB_BACKOFF_SECONDS: z.coerce.number().min(0.01).max(600).default(5),
  TOLLGATE_RECONCILE_AFTER_SECONDS: z.coerce.number().int().min(1).default(900),
});

export type QueueEnvironmentResult =
  { ok: true; redis?: RedisQueueSettings } | { ok: false; problems: string[] };

export function readQueueEnvironment(
  env: Record<string, string | undefined>,
): QueueEnvironmentResult {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = queueEnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`),
    };
  }
  const values = parsed.data;
  if (values.REDIS_URL === undefined) return { ok: true };
  return {
    ok: true,
    redis: {
      redisUrl: values.REDIS_URL,
      concurrency: values.TOLLGATE_CONCURRENCY,
      installationConcurrency: values.TOLLGATE_INSTALLATION_CONCURRENCY,
      attempts: values.TOLLGATE_JOB_ATTEMPTS,
      backoffMs: Math.round(values.TOLLGATE_JOB_BACKOFF_SECONDS * 1000),
      reconcileAfterMs: values.TOLLGATE_RECONCILE_AFTER_SECONDS * 1000,
    },
  };
}
