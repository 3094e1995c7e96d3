// GitHub mocked with nock for an installation over several repositories of one organization (its
// `.github` repository included), for the org-policy tests: each repository answers from its own
// in-memory commits through `FakeRepositoryApi`; every request is recorded for the contract test.
import nock from "nock";
import type { Probot } from "probot";
import { createTollgateApp, type TollgateAppOptions } from "../../src/app/index.js";
import { BackgroundTasks } from "../../src/app/tasks.js";
import type { ScanEngine } from "../../src/engine/types.js";
import type { OrgPolicies } from "../../src/org/index.js";
import { InProcessQueue } from "../../src/queue/index.js";
import { FakeRepositoryApi, type FakePullFile } from "./fakeGitHub.js";
import { INSTALLATION, OWNER, recordedExample, testProbot } from "./harness.js";
import type { RecordedRequest } from "./openapi.js";

export interface OrgPull {
  number: number;
  head: { sha: string };
  base: { sha: string };
  updated_at?: string;
}

export interface OrgRepository {
  /** Files by commit SHA; `main` is the default branch (the contents API without `ref` reads it). */
  commits: Record<string, Record<string, string | Buffer>>;
  pulls?: OrgPull[];
  /** Files every pull request of the repository changes. */
  pullFiles?: FakePullFile[];
  archived?: boolean;
  private?: boolean;
  pushedAt?: string;
  /** Listed with the installation's repositories, as GitHub lists them (none by default). */
  topics?: string[];
  /** Branch heads (`GET /repos/{owner}/{repo}/branches/{branch}`), by name. */
  branches?: Record<string, string>;
}

export interface RecordedCheckRun {
  repo: string;
  id: number;
  /** The creating request's body, then each update's, in order. */
  bodies: Record<string, unknown>[];
}

export interface OrgGitHub {
  requests: RecordedRequest[];
  /** Check runs by repository, as created and updated. */
  checkRuns: () => RecordedCheckRun[];
  /** The final state of each check run (creation merged with its updates). */
  finalCheckRuns: () => (Record<string, unknown> & { repo: string })[];
  /** While true, check run updates are refused as GitHub refuses a suspended installation's. */
  suspended: boolean;
  /** The installation's repositories are listed once this settles (at once by default). */
  repositoriesHeld: Promise<void>;
  /** This many next listings of the installation's repositories fail, as GitHub under load (502). */
  failingListings: number;
  /** The listing's `repository_selection`; absent from it when undefined. */
  repositorySelection: "all" | "selected" | undefined;
  /** Repositories outside the installation's selection: unlisted, and 404 to every request. */
  unselected: Set<string>;
  /** Makes `branch` (one of `repo`'s `branches`) its default branch, which reads without a `ref` read. */
  setDefaultBranch(repo: string, branch: string): void;
  /** The App's installations (`GET /app/installations`): this organization's by default. */
  installations: { id: number; account: { login: string } | null; suspended_at: string | null }[];
  /** Installations whose token requests GitHub answers 500. */
  failingTokens: Set<number>;
}

/** The app this harness's runs belong to (`testProbot`'s). */
const APP_ID = 1;

export const DEFAULT_BRANCH = "main";

export function mockOrganization(repositories: Record<string, OrgRepository>): OrgGitHub {
  const requests: RecordedRequest[] = [];
  const runs = new Map<number, RecordedCheckRun>();
  let nextCheckRun = 900;
  const commitsOf = new Map<string, Record<string, Record<string, string | Buffer>>>();
  const defaultBranches = new Map<string, string>();
  const apis = new Map(
    Object.entries(repositories).map(([name, repository]) => {
      const main = repository.commits[DEFAULT_BRANCH] ?? {};
      const commits = { ...repository.commits, "": main };
      commitsOf.set(name, commits);
      return [name, new FakeRepositoryApi({ commits, pullFiles: repository.pullFiles ?? [] })];
    }),
  );
  const scope = nock("https://api.github.com").persist();
  scope.on(
    "request",
    (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
      requests.push({
        method: req.method,
        path: req.path,
        ...(body ? { body: JSON.parse(body) as unknown } : {}),
      });
    },
  );

  scope
    .post(/^\/app\/installations\/\d+\/access_tokens$/)
    .reply((uri) =>
      github.failingTokens.has(Number(uri.split("/")[3]))
        ? [500, { message: "Server Error" }]
        : [201, { token: "test-installation-token", expires_at: "2099-01-01T00:00:00Z" }],
    );
  scope
    .get("/app/installations")
    .query(true)
    .reply(() => [
      200,
      github.installations.map((installation) => ({
        ...installation,
        app_id: APP_ID,
        target_type: "Organization",
        repository_selection: "all",
      })),
    ]);
  scope.get(/^\/installation\/repositories/).reply((uri, _body, answer) => {
    const page = Number(new URL(uri, "https://api.github.com").searchParams.get("page") ?? 1);
    const all = Object.entries(repositories)
      .filter(([name]) => !github.unselected.has(name))
      .map(([name, repository]) => ({
        name,
        full_name: `${OWNER}/${name}`,
        owner: { login: OWNER },
        archived: repository.archived ?? false,
        private: repository.private ?? false,
        pushed_at: repository.pushedAt ?? "2026-11-01T00:00:00Z",
        default_branch: DEFAULT_BRANCH,
        topics: repository.topics ?? [],
      }));
    const listing = {
      total_count: all.length,
      repositories: page === 1 ? all : [],
      ...(github.repositorySelection ? { repository_selection: github.repositorySelection } : {}),
    };
    if (github.failingListings > 0) {
      github.failingListings--;
      answer(null, [502, { message: "Server Error" }]);
      return;
    }
    void github.repositoriesHeld.then(() => answer(null, [200, listing]));
  });
  scope
    .intercept((uri) => /^\/graphql$/.test(uri), "POST")
    .reply((_uri, body) => {
      const name = (body as { variables?: { name?: string } }).variables?.name ?? "";
      if (github.unselected.has(name)) return [200, { data: { repository: null } }];
      const answer = apis
        .get(name)
        ?.respond("POST", new URL("https://api.github.com/graphql"), body);
      return [answer?.status ?? 404, answer?.body ?? { message: "Not Found" }];
    });

  const repoRoute = /^\/repos\/[^/]+\/([^/?]+)(\/[^?]*)?(?:\?.*)?$/;
  scope
    .intercept((uri) => repoRoute.test(uri), "GET")
    .reply((uri) => {
      const [, name = "", rest = ""] = repoRoute.exec(uri) ?? [];
      const repository = github.unselected.has(name) ? undefined : repositories[name];
      if (!repository) return [404, { message: "Not Found" }];
      if (rest === "")
        return [
          200,
          {
            name,
            default_branch: defaultBranches.get(name) ?? DEFAULT_BRANCH,
            owner: { login: OWNER },
          },
        ];
      if (rest === "/pulls")
        return [
          200,
          (repository.pulls ?? []).map((pull) => ({
            state: "open",
            updated_at: "2026-11-20T10:00:00Z",
            ...pull,
          })),
        ];
      const pull = /^\/pulls\/(\d+)$/.exec(rest);
      if (pull) {
        const found = repository.pulls?.find((p) => p.number === Number(pull[1]));
        return found ? [200, { state: "open", ...found }] : [404, { message: "Not Found" }];
      }
      const branch = /^\/branches\/([^/]+)$/.exec(rest);
      if (branch) {
        const head = repository.branches?.[decodeURIComponent(branch[1] ?? "")];
        return head
          ? [200, { name: branch[1], commit: { sha: head } }]
          : [404, { message: "Branch not found" }];
      }
      const listed = /^\/commits\/([0-9a-f]{40})\/check-runs$/.exec(rest);
      if (listed) {
        const onCommit = finalRuns()
          .filter((run) => run.repo === name && run.head_sha === listed[1])
          .map((run) => ({ ...run, app: { id: APP_ID }, conclusion: run.conclusion ?? null }));
        return [200, { total_count: onCommit.length, check_runs: onCommit }];
      }
      const run = /^\/check-runs\/(\d+)$/.exec(rest);
      if (run) {
        const found = finalRuns().find((r) => r.repo === name && r.id === Number(run[1]));
        return found ? [200, { ...found, app: { id: APP_ID } }] : [404, { message: "Not Found" }];
      }
      const compare = /^\/compare\/([0-9a-f]{40})\.\.\./.exec(rest);
      if (compare) return [200, { merge_base_commit: { sha: compare[1] } }];
      const answer = apis
        .get(name)
        ?.respond("GET", new URL(`https://api.github.com${uri}`), undefined);
      return [answer?.status ?? 404, answer?.body ?? { message: "Not Found" }];
    });
  scope.post(/^\/repos\/[^/]+\/[^/]+\/check-runs$/).reply((uri, body) => {
    const repo = uri.split("/")[3] ?? "";
    const id = nextCheckRun++;
    runs.set(id, { repo, id, bodies: [body as Record<string, unknown>] });
    return [201, { id }];
  });
  scope.patch(/^\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/).reply((uri, body) => {
    if (github.suspended) return [403, { message: "This installation has been suspended" }];
    const id = Number(uri.split("/").at(-1));
    runs.get(id)?.bodies.push(body as Record<string, unknown>);
    return [200, { id }];
  });

  const finalRuns = () =>
    [...runs.values()].map((run): Record<string, unknown> & { repo: string } => ({
      repo: run.repo,
      id: run.id,
      ...Object.assign({}, ...run.bodies),
    }));
  const github: OrgGitHub = {
    requests,
    checkRuns: () => [...runs.values()],
    finalCheckRuns: finalRuns,
    suspended: false,
    repositoriesHeld: Promise.resolve(),
    failingListings: 0,
    repositorySelection: undefined,
    unselected: new Set(),
    installations: [{ id: INSTALLATION, account: { login: OWNER }, suspended_at: null }],
    failingTokens: new Set(),
    setDefaultBranch: (repo, branch) => {
      const commits = commitsOf.get(repo);
      const head = repositories[repo]?.branches?.[branch];
      if (!commits || head === undefined) throw new Error(`${repo} has no branch ${branch}`);
      commits[""] = commits[branch] = commits[head] ?? {};
      defaultBranches.set(repo, branch);
    },
  };
  return github;
}

let deliveries = 0;

/** The app with its check queue and background tasks; `deliver` waits until both are idle. */
export async function orgTestApp(
  engine: ScanEngine,
  customPolicies: OrgPolicies,
  options: Pick<TollgateAppOptions, "settleLeftRuns"> = {},
) {
  const probot = testProbot();
  const queue = new InProcessQueue({ concurrency: 2 });
  const failures: unknown[] = [];
  const tasks = new BackgroundTasks((_name, error) => failures.push(error));
  await probot.load(
    createTollgateApp({
      engine,
      queue,
      tasks,
      customPolicies,
      completionRetryDelaysMs: [1],
      ...options,
    }),
  );
  const idle = async () => {
    await tasks.whenIdle();
    await queue.whenIdle();
  };
  /** Handles a delivery as the webhook does, leaving the work it starts running. */
  const send = async (name: string, payload: Record<string, unknown>) => {
    await probot.receive({ id: `org-delivery-${++deliveries}`, name, payload } as Parameters<
      Probot["receive"]
    >[0]);
  };
  return {
    failures,
    send,
    idle,
    deliver: async (name: string, payload: Record<string, unknown>) => {
      await send(name, payload);
      await idle();
    },
  };
}

/** GitHub's recorded push to a branch (push examples carry no action), for the test organization. */
export function pushExample(): Record<string, unknown> {
  return recordedExample(
    "push",
    (e) => typeof e.ref === "string" && e.ref.startsWith("refs/heads/"),
  );
}
