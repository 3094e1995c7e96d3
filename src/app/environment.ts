// What the server reads from its environment, checked with zod before anything starts, so a
// missing secret is one clear message listing every missing variable (and exit 2), not a stack trace.
import { readFileSync } from "node:fs";
import { z } from "zod";

export interface ServerEnvironment {
  appId: string;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host: string;
  webhookPath: string;
  /** GitHub Enterprise Server API base, from GHE_HOST / GHE_PROTOCOL. */
  baseUrl?: string;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  concurrency: number;
  timeoutMs: number;
  /** How long after start the look for runs a previous process left in progress waits. */
  leftRunsAfterMs: number;
}

const environmentSchema = z.object({
  APP_ID: z.string().regex(/^\d+$/, "must be the numeric App ID"),
  WEBHOOK_SECRET: z.string().min(1),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
  GHE_HOST: z.string().min(1).optional(),
  GHE_PROTOCOL: z.enum(["https", "http"]).default("https"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  TOLLGATE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TOLLGATE_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  TOLLGATE_LEFT_RUNS_AFTER_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
});

export type EnvironmentResult =
  { ok: true; environment: ServerEnvironment } | { ok: false; problems: string[] };

export function readServerEnvironment(
  env: Record<string, string | undefined>,
  readFile = readFileSync,
): EnvironmentResult {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const problems: string[] = [];
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join(".");
      problems.push(
        present[name] === undefined ? `${name} is not set` : `${name} ${issue.message}`,
      );
    }
  }
  let privateKey = present.PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (privateKey === undefined && present.PRIVATE_KEY_PATH !== undefined) {
    try {
      privateKey = readFile(present.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      problems.push(
        `PRIVATE_KEY_PATH cannot be read: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  } else if (privateKey === undefined) problems.push("PRIVATE_KEY or PRIVATE_KEY_PATH is not set");
  if (privateKey !== undefined && !privateKey.includes("PRIVATE KEY-----")) {
    problems.push("the private key is not a PEM key (-----BEGIN RSA PRIVATE KEY-----)");
  }
  if (!parsed.success || privateKey === undefined || problems.length > 0)
    return { ok: false, problems };
  const values = parsed.data;
  return {
    ok: true,
    environment: {
      appId: values.APP_ID,
      privateKey,
      webhookSecret: values.WEBHOOK_SECRET,
      port: values.PORT,
      host: values.HOST,
      webhookPath: values.WEBHOOK_PATH,
      ...(values.GHE_HOST ? { baseUrl: `${values.GHE_PROTOCOL}://${values.GHE_HOST}/api/v3` } : {}),
      logLevel: values.LOG_LEVEL,
      concurrency: values.TOLLGATE_CONCURRENCY,
      timeoutMs: values.TOLLGATE_TIMEOUT_SECONDS * 1000,
      leftRunsAfterMs: values.TOLLGATE_LEFT_RUNS_AFTER_SECONDS * 1000,
    },
  };
}

export function describeMissing(problems: readonly string[]): string {
  return [
    "tollgate: cannot start the GitHub App:",
    ...problems.map((problem) => `  - ${problem}`),
    "Set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET from the App's settings page.",
    "",
  ].join("\n");
}
