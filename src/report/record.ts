// What a completed check run remembers about itself, machine-readable, in its `output.text` as a
// hidden HTML comment: the findings (for `/tollgate explain`) and a break-glass override (so a re-run
// of the same commit, in any replica, honours it). GitHub keeps it; no process memory is involved.
// Read back with zod, since anything could sit in a check run's text.
import { createHash } from "node:crypto";
import { z } from "zod";
import { findingIdentity } from "../diff/index.js";
import type { GateDecision } from "../gate/index.js";
import type { Finding } from "../model/types.js";

/**
 * The encoded record stays under 60,000 characters of GitHub's 65,535 for `output.text`; past it
 * findings are dropped (blocking ones last) and counted in `omitted`.
 */
const MAX_RECORD_CHARS = 60_000;
const MARKER = /<!-- tollgate:record ([A-Za-z0-9_-]+) -->/;

const recordedFindingSchema = z.object({
  rule: z.string(),
  file: z.string(),
  line: z.number().int(),
  resource: z.string(),
  message: z.string(),
  evidence: z.string(),
  status: z.enum(["new", "existing", "fixed"]),
  blocking: z.boolean(),
  /** `findingKey`: the finding's diff identity, hashed to bound the record's size. */
  key: z.string(),
});
export type RecordedFinding = z.infer<typeof recordedFindingSchema>;

const overrideSchema = z.object({
  by: z.string().min(1),
  at: z.string().min(1),
  reason: z.string().min(1),
  /** The commit the override was given on; it never applies to another. */
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  /** Keys of the blocking findings it overrode (cut short on huge results; see `coversDigest`). */
  covers: z.array(z.string()),
  /** `blockingDigest` of the result it overrode: the whole set, however long. */
  coversDigest: z.string(),
  /** Whether it also overrode scan errors that failed the check (`on_error: block`). */
  coversErrors: z.boolean(),
});
export type CheckOverride = z.infer<typeof overrideSchema>;

const checkRecordSchema = z.object({
  version: z.literal(1),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  /** Keys of the findings that blocked (before any override); cut short past the size limit. */
  blocking: z.array(z.string()),
  /** One key for the whole blocking set, so an override can cover a set too long to list. */
  blockingDigest: z.string(),
  blockingOmitted: z.number().int().nonnegative(),
  /** Whether scan errors alone or also made the check fail. */
  failedOnErrors: z.boolean(),
  findings: z.array(recordedFindingSchema),
  omitted: z.number().int().nonnegative(),
  override: overrideSchema.optional(),
});
export type CheckRecord = z.infer<typeof checkRecordSchema>;

/** A finding's diff identity, short: 16 hex digits of its SHA-256. */
export function findingKey(
  finding: Pick<Finding, "rule" | "resource" | "subject" | "evidence" | "root">,
) {
  return createHash("sha256").update(findingIdentity(finding)).digest("hex").slice(0, 16);
}

export function recordOf(decision: GateDecision, sha: string): CheckRecord {
  const blocking = new Set(decision.blocking);
  const findings = [...decision.findings]
    .sort((a, b) => Number(blocking.has(b)) - Number(blocking.has(a)))
    .map((finding): RecordedFinding => ({
      rule: finding.rule,
      file: finding.file,
      line: finding.line,
      resource: finding.resource,
      message: finding.message,
      evidence: finding.evidence,
      status: finding.status ?? "new",
      blocking: blocking.has(finding),
      key: findingKey(finding),
    }));
  const blockingKeys = decision.blocking.map(findingKey);
  return {
    version: 1,
    sha,
    blocking: blockingKeys,
    blockingDigest: digestOf(blockingKeys),
    blockingOmitted: 0,
    failedOnErrors: decision.conclusion === "failure" && decision.errors.length > 0,
    findings,
    omitted: 0,
  };
}

/** The record of a run that produced no decision (an incomplete scan). */
export function emptyRecord(sha: string, failed: boolean): CheckRecord {
  return {
    version: 1,
    sha,
    blocking: [],
    blockingDigest: digestOf([]),
    blockingOmitted: 0,
    failedOnErrors: failed,
    findings: [],
    omitted: 0,
  };
}

function digestOf(keys: readonly string[]): string {
  return createHash("sha256")
    .update([...keys].sort().join("\n"))
    .digest("hex")
    .slice(0, 16);
}

/**
 * `output.text`: the record in a hidden comment, within the limit: the most findings that fit are
 * kept (blocking ones first), then, if even none fit, the most blocking keys, then the most keys
 * an override covers (each digest still stands for its whole set). Binary search, so a
 * 3,000-finding result encodes about 12 times.
 */
export function encodeRecord(record: CheckRecord): string {
  const override = record.override;
  const textOf = (findings: number, blocking: number, covers = override?.covers.length ?? 0) =>
    `<!-- tollgate:record ${Buffer.from(
      JSON.stringify({
        ...record,
        findings: record.findings.slice(0, findings),
        omitted: record.omitted + record.findings.length - findings,
        blocking: record.blocking.slice(0, blocking),
        blockingOmitted: record.blockingOmitted + record.blocking.length - blocking,
        ...(override
          ? { override: { ...override, covers: override.covers.slice(0, covers) } }
          : {}),
      }),
    ).toString("base64url")} -->`;
  const fits = (text: string) => text.length <= MAX_RECORD_CHARS;
  const all = record.blocking.length;
  const findings = largestFitting(record.findings.length, (k) => fits(textOf(k, all)));
  if (findings !== undefined) return textOf(findings, all);
  const blocking = largestFitting(all, (k) => fits(textOf(0, k)));
  if (blocking !== undefined) return textOf(0, blocking);
  const covered = override?.covers.length ?? 0;
  return textOf(0, 0, largestFitting(covered, (k) => fits(textOf(0, 0, k))) ?? 0);
}

/** The largest `k` in `0..max` for which `fits(k)` holds (it holds for every smaller one too). */
function largestFitting(max: number, fits: (k: number) => boolean): number | undefined {
  if (!fits(0)) return undefined;
  let low = 0;
  let high = max;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The record in a check run's `output.text`, or undefined when there is none or it is malformed. */
export function decodeRecord(text: string | null | undefined): CheckRecord | undefined {
  const match = MARKER.exec(text ?? "");
  if (!match?.[1]) return undefined;
  try {
    const parsed = checkRecordSchema.safeParse(
      JSON.parse(Buffer.from(match[1], "base64url").toString("utf8")),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an override given earlier covers what blocks now: the same commit, every blocking
 * finding among those it overrode, and scan errors only if it overrode them too.
 */
export function overrideCovers(override: CheckOverride, record: CheckRecord): boolean {
  if (override.sha !== record.sha) return false;
  if (record.failedOnErrors && !override.coversErrors) return false;
  if (override.coversDigest === record.blockingDigest) return true;
  // A set listed in part (over the size limit) cannot be shown a subset: only the digest counts.
  if (record.blockingOmitted > 0) return false;
  const covered = new Set(override.covers);
  return record.blocking.every((key) => covered.has(key));
}
