// The webhook fields the app relies on, validated with zod at the edge, and what each event asks
// for: scan this pull request head, scan this commit (PR to be found), or `/tollgate` commands in a
// pull request comment (read by commands.ts).
// Everything past here works on these plain values, never on raw payloads.
import { z } from "zod";
import { parseCommands, type Command } from "./commands.js";
import type { DeliveredPull } from "./pulls.js";

export const CHECK_RUN_NAME = "Tollgate";
export const RERUN_ACTION = {
  label: "Re-run",
  description: "Scan this commit again",
  identifier: "rerun",
} as const;

const repository = z.object({
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
});
const sha = z.string().regex(/^[0-9a-f]{40}$/);
const pullReference = z.object({
  number: z.number().int().positive(),
  head: z.object({ sha }),
});

export interface CheckTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
}

/** What an event asks the app to do, once validated. */
export type ScanRequest =
  /** `delivered`: what the payload said beside the target, to tell an old delivery from a new one. */
  | { kind: "pull"; target: CheckTarget; delivered: DeliveredPull }
  /**
   * A re-run of a commit. `pullNumbers` are the pull requests the payload names with it as head
   * (none for fork PRs); the payload may be an old delivery's, so the app asks GitHub afresh.
   */
  | { kind: "commit"; owner: string; repo: string; headSha: string; pullNumbers: number[] }
  | {
      kind: "comment";
      owner: string;
      repo: string;
      pullNumber: number;
      commentId: number;
      author: string;
      /** When the comment was written (GitHub's `created_at`, ISO time): what its author had read by then. */
      writtenAt: string;
      /** In the order written; at least one. */
      commands: Command[];
    }
  | { kind: "ignore"; reason: string };

const pullRequestEvent = z.object({
  repository,
  pull_request: z.object({
    number: z.number().int().positive(),
    head: z.object({ sha }),
    base: z.object({ sha, ref: z.string().optional() }),
    updated_at: z.string().optional(),
  }),
});

export function pullRequestScan(payload: unknown): ScanRequest {
  const event = pullRequestEvent.safeParse(payload);
  if (!event.success) return ignoreInvalid(event.error);
  const { repository: repo, pull_request: pull } = event.data;
  return {
    kind: "pull",
    target: {
      owner: repo.owner.login,
      repo: repo.name,
      pullNumber: pull.number,
      headSha: pull.head.sha,
      baseSha: pull.base.sha,
    },
    delivered: { baseRef: pull.base.ref, updatedAt: pull.updated_at },
  };
}

const pullRequestEdit = z.object({
  changes: z.object({ base: z.object({ ref: z.object({ from: z.string() }) }).optional() }),
});

/**
 * `edited` changes what the pull request is compared with only when its base branch changed (the
 * head stays, so nothing else rescans it); an edit of the title or body changes nothing scanned.
 */
export function pullRequestEditScan(payload: unknown): ScanRequest {
  const edit = pullRequestEdit.safeParse(payload);
  if (!edit.success) return ignoreInvalid(edit.error);
  if (edit.data.changes.base === undefined)
    return { kind: "ignore", reason: "the edit did not change the base branch" };
  return pullRequestScan(payload);
}

const checkSubject = z.object({
  head_sha: sha,
  pull_requests: z.array(pullReference),
  name: z.string().optional(),
});
const commitEvents = {
  check_suite: z.object({ repository, check_suite: checkSubject }),
  check_run: z.object({ repository, check_run: checkSubject }),
};

/**
 * `check_suite` / `check_run` name their pull requests only when the head branch is in the same
 * repository; for fork PRs the list is empty and the app maps the head SHA to its PR.
 */
export function commitScan(payload: unknown, key: "check_suite" | "check_run"): ScanRequest {
  const event =
    key === "check_suite"
      ? commitEvents.check_suite.safeParse(payload)
      : commitEvents.check_run.safeParse(payload);
  if (!event.success) return ignoreInvalid(event.error);
  const subject = "check_suite" in event.data ? event.data.check_suite : event.data.check_run;
  if (key === "check_run" && subject.name !== CHECK_RUN_NAME)
    return { kind: "ignore", reason: `check run '${subject.name}' is not ours` };
  return {
    kind: "commit",
    owner: event.data.repository.owner.login,
    repo: event.data.repository.name,
    headSha: subject.head_sha,
    pullNumbers: subject.pull_requests
      .filter((pull) => pull.head.sha === subject.head_sha)
      .map((pull) => pull.number),
  };
}

const requestedActionEvent = z.object({ requested_action: z.object({ identifier: z.string() }) });

export function requestedActionScan(payload: unknown): ScanRequest {
  const action = requestedActionEvent.safeParse(payload);
  if (!action.success) return ignoreInvalid(action.error);
  if (action.data.requested_action.identifier !== RERUN_ACTION.identifier) {
    return {
      kind: "ignore",
      reason: `unknown action '${action.data.requested_action.identifier}'`,
    };
  }
  return commitScan(payload, "check_run");
}

const commentEvent = z.object({
  repository,
  sender: z.object({ type: z.string() }),
  issue: z.object({
    number: z.number().int().positive(),
    pull_request: z.object({ url: z.string() }).nullish(),
  }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    user: z.object({ login: z.string(), type: z.string() }),
    created_at: z.iso.datetime({ offset: true }),
  }),
});

/** Only new `/tollgate` lines in a pull request's conversation by a person count. */
export function commentScan(payload: unknown): ScanRequest {
  const event = commentEvent.safeParse(payload);
  if (!event.success) return ignoreInvalid(event.error);
  const { issue, comment, sender } = event.data;
  if (!issue.pull_request)
    return { kind: "ignore", reason: "comment is on an issue, not a pull request" };
  if (comment.user.type === "Bot" || sender.type === "Bot")
    return { kind: "ignore", reason: "comment is by a bot" };
  const commands = parseCommands(comment.body ?? "");
  if (commands.length === 0) return { kind: "ignore", reason: "comment has no /tollgate command" };
  return {
    kind: "comment",
    owner: event.data.repository.owner.login,
    repo: event.data.repository.name,
    pullNumber: issue.number,
    commentId: comment.id,
    author: comment.user.login,
    writtenAt: comment.created_at,
    commands,
  };
}

function ignoreInvalid(error: z.ZodError): ScanRequest {
  const issue = error.issues[0];
  return {
    kind: "ignore",
    reason: `payload lacks what the app needs: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`,
  };
}
