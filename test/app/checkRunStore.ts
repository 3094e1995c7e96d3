// What the comment-command tests add to the nock harness: GitHub's memory of check runs (built from
// the runs the app created and updated, listed per commit as `checks.listForRef` answers), the
// app's identity (`GET /app`) and team memberships. Requests are recorded for the contract test.
import nock from "nock";
import type { RecordedRequest } from "./openapi.js";

export const APP_ID = 1;
const OWNER_REPO = "/repos/acme/infra";

export interface ForeignCheckRun {
  id: number;
  head_sha: string;
  app: { id: number };
  status: string;
  conclusion: string | null;
  completed_at?: string;
  output: { title: string; summary: string; text: string | null };
}

export interface CheckRunStore {
  /** Runs another app made, listed alongside ours. */
  foreign: ForeignCheckRun[];
  /** Comments people wrote on PR 12, listed before the app's own replies. */
  peopleComments: string[];
}

/**
 * `harnessRequests` are the harness's recorded requests, where this records its own too, in order:
 * the i-th `POST .../check-runs` got id 777 + i there, and each `PATCH .../check-runs/:id` merges
 * into that run, as on GitHub.
 */
export function mockCheckRunStore(
  harnessRequests: RecordedRequest[],
  teams: Record<string, string[]> = {},
): CheckRunStore {
  const store: CheckRunStore = { foreign: [], peopleComments: [] };
  const scope = nock("https://api.github.com").persist();
  scope.on(
    "request",
    (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
      harnessRequests.push({
        method: req.method,
        path: req.path,
        ...(body ? { body: JSON.parse(body) as unknown } : {}),
      });
    },
  );
  scope.get("/app").reply(200, { id: APP_ID, slug: "tollgate", name: "Tollgate" });
  scope.get(/^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/).reply((uri) => {
    const [, , org, , slug, , user] = uri.split("/");
    const members = teams[`${org}/${slug}`] ?? [];
    return members.includes(user ?? "")
      ? [200, { state: "active", role: "member", url: `https://api.github.com${uri}` }]
      : [404, { message: "Not Found" }];
  });
  scope
    .get(new RegExp(`^${OWNER_REPO}/commits/[0-9a-f]{40}/check-runs`))
    .query(true)
    .reply((uri) => {
      const sha = /commits\/([0-9a-f]{40})/.exec(uri)?.[1];
      const runs = [...checkRunsOf(harnessRequests), ...store.foreign].filter(
        (run) => run.head_sha === sha,
      );
      return [200, { total_count: runs.length, check_runs: runs }];
    });
  scope
    .get(`${OWNER_REPO}/issues/12/comments`)
    .query(true)
    .reply(() => {
      const people = store.peopleComments.map((body, i) => ({
        id: 100 + i,
        body,
        user: { login: "mallory", type: "User" },
        performed_via_github_app: null,
      }));
      const ours = harnessRequests
        .filter((r) => r.method === "POST" && r.path === `${OWNER_REPO}/issues/12/comments`)
        .map((r, i) => ({
          id: 200 + i,
          body: (r.body as { body: string }).body,
          user: { login: "tollgate[bot]", type: "Bot" },
          performed_via_github_app: { id: APP_ID, slug: "tollgate" },
        }));
      return [200, [...people, ...ours]];
    });
  return store;
}

function checkRunsOf(requests: RecordedRequest[]): ForeignCheckRun[] {
  const runs = new Map<number, ForeignCheckRun>();
  let next = 777;
  for (const request of requests) {
    const body = (request.body ?? {}) as {
      head_sha?: string;
      status?: string;
      conclusion?: string;
      completed_at?: string;
      output?: { title?: string; summary?: string; text?: string };
    };
    if (request.method === "POST" && request.path.endsWith("/check-runs")) {
      runs.set(next++, {
        id: next - 1,
        head_sha: body.head_sha ?? "",
        app: { id: APP_ID },
        status: body.status ?? "queued",
        conclusion: null,
        output: {
          title: body.output?.title ?? "",
          summary: body.output?.summary ?? "",
          text: null,
        },
      });
    }
    const patched = /\/check-runs\/(\d+)$/.exec(request.path);
    const run = patched ? runs.get(Number(patched[1])) : undefined;
    if (request.method === "PATCH" && run) {
      if (body.status) run.status = body.status;
      if (body.conclusion) run.conclusion = body.conclusion;
      if (body.completed_at) run.completed_at = body.completed_at;
      if (body.output) run.output = { ...run.output, ...body.output };
    }
  }
  return [...runs.values()];
}
