// Recorded webhook payloads from @octokit/webhooks-examples re-pointed at the test repository,
// and Probot's Octokit without retries: what the nock harness and the benchmarks (which must not
// load nock, as it patches every request on import) both send.
import { createRequire } from "node:module";
import { ProbotOctokit } from "probot";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples/api.github.com/index.json") as {
  name: string;
  examples: Record<string, unknown>[];
}[];

export const OWNER = "acme";
export const REPO = "infra";
export const BASE_SHA = "1".repeat(40);
export const HEAD_SHA = "2".repeat(40);
export const INSTALLATION = 4242;

/** A recorded payload for `name` with `action`, re-pointed at the test repository and commits. */
export function examplePayload(name: string, action: string): Record<string, unknown> {
  const payload = recordedExample(name, (e) => e.action === action) as Record<string, unknown> & {
    repository: { name: string };
  };
  payload.repository.name = REPO;
  return payload;
}

/** A recorded `pull_request` payload for pull request 12, from BASE_SHA to `headSha`. */
export function pullRequestPayload(action = "opened", headSha = HEAD_SHA): Record<string, unknown> {
  const payload = examplePayload("pull_request", action);
  const pull = payload.pull_request as {
    number: number;
    head: { sha: string };
    base: { sha: string };
  };
  pull.number = 12;
  pull.head.sha = headSha;
  pull.base.sha = BASE_SHA;
  return payload;
}

/** A recorded comment on pull request 12 saying `body`, by `login` (a person unless `type` says). */
export function commentPayload(body: string, login = "octocat", type = "User") {
  const payload = examplePayload("issue_comment", "created") as Record<
    string,
    Record<string, unknown>
  >;
  payload.issue = {
    ...payload.issue,
    number: 12,
    pull_request: { url: "https://api.github.com/repos/acme/infra/pulls/12" },
  };
  payload.comment = {
    ...payload.comment,
    id: 555,
    body,
    // Written as it is delivered, after whatever the test did before.
    created_at: new Date().toISOString(),
    user: { ...(payload.comment?.user as object), login, type },
  };
  payload.sender = { ...payload.sender, login, type };
  return payload;
}

/** GitHub's first recorded `name` payload that `matches`, copied, from the test installation and owner. */
export function recordedExample(
  name: string,
  matches: (example: Record<string, unknown>) => boolean,
): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find(matches);
  if (!found) throw new Error(`no matching ${name} example`);
  const payload = structuredClone(found) as Record<string, unknown> & {
    repository: { owner: { login: string } };
  };
  payload.installation = { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  payload.repository.owner.login = OWNER;
  return payload;
}

/**
 * GitHub's recorded `installation` (or `installation_repositories`) event with `action`, for the
 * test installation on the test owner.
 */
export function installationPayload(
  action: string,
  name: "installation" | "installation_repositories" = "installation",
): Record<string, unknown> {
  const found = examples.find((e) => e.name === name)?.examples.find((e) => e.action === action);
  if (!found) throw new Error(`no ${name} ${action} example`);
  const payload = structuredClone(found) as Record<string, unknown> & {
    installation: { id: number; account: { login: string } };
  };
  payload.installation.id = INSTALLATION;
  payload.installation.account.login = OWNER;
  return payload;
}

/** Probot's Octokit without retries and throttling, so request counts and timing are exact. */
// A function, so it runs after Probot's own defaults, which would re-enable throttling.
export const TestOctokit: typeof ProbotOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
