// What a check job is as plain data: enough for any replica to authenticate as the installation and
// run the check, so it can wait in Redis and be taken by another process. Read back with zod, since
// Redis holds whatever an older or newer replica wrote there.
import { z } from "zod";

const sha = z.string().regex(/^[0-9a-f]{40}$/);

export const checkJobPayloadSchema = z.object({
  deliveryId: z.string().min(1),
  /** The GitHub App installation the check runs as; a worker in another replica authenticates with it. */
  installationId: z.number().int().positive().optional(),
  target: z.object({
    owner: z.string().min(1),
    repo: z.string().min(1),
    pullNumber: z.number().int().positive(),
    headSha: sha,
    baseSha: sha,
  }),
  /** The check run once a worker created it, so a retry after a crash completes that same run. */
  checkRunId: z.number().int().positive().optional(),
  /** When the webhook was accepted (epoch ms), for webhook-to-completed latency. */
  acceptedAt: z.number().int().nonnegative(),
});

export type CheckJobPayload = z.infer<typeof checkJobPayloadSchema>;

/** `owner/repo#12`: the pull request newer heads supersede older ones on. */
export function pullKeyOf(target: CheckJobPayload["target"]): string {
  return `${target.owner}/${target.repo}#${target.pullNumber}`;
}
