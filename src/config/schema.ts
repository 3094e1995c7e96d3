// What `.github/tollgate.yml` may say, as one zod schema: the single source of the settings type
// and its defaults. Objects are strict so a typo is a located error rather than a silently ignored
// key; later settings (org inheritance via `extends`, waivers with dates, locked keys) are new keys here.
import { z } from "zod";

export const SETTINGS_PATH = ".github/tollgate.yml";

export const enforcementLevelSchema = z.enum(["off", "advisory", "blocking"]);
export type EnforcementLevel = z.infer<typeof enforcementLevelSchema>;

export const severitySchema = z.enum(["critical", "high", "medium", "low", "info"]);
export const categorySchema = z.enum(["iam", "network", "encryption", "logging"]);

/** Rule ids as policies declare them (`TG-NET-001`, `aws.s3.public_read`). */
const ruleIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/, "a rule id (letters, digits, _ . : / -)");

/**
 * Enforcement of a finding is the first match of: its rule id, its category, its severity, and
 * the built-in default (critical and high block, medium, low and info advise). `off` drops it.
 */
export const enforcementSchema = z.strictObject({
  rules: z.record(ruleIdSchema, enforcementLevelSchema).default({}),
  categories: z.partialRecord(categorySchema, enforcementLevelSchema).default({}),
  severities: z.partialRecord(severitySchema, enforcementLevelSchema).default({}),
});

export const settingsSchema = z.strictObject({
  version: z.literal(1).default(1),
  /** `new`: only findings the pull request introduces block; `all`: every open blocking finding does. */
  fail_on: z.enum(["new", "all"]).default("new"),
  /** A scan that could not complete (unparseable file, API failure) fails the check unless `neutral`. */
  on_error: z.enum(["block", "neutral"]).default("block"),
  enforcement: enforcementSchema.prefault({}),
});

export type Settings = z.output<typeof settingsSchema>;

export const DEFAULT_SEVERITY_ENFORCEMENT: Record<
  z.infer<typeof severitySchema>,
  EnforcementLevel
> = {
  critical: "blocking",
  high: "blocking",
  medium: "advisory",
  low: "advisory",
  info: "advisory",
};

export const defaultSettings: Settings = settingsSchema.parse({});
