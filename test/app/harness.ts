// Drives the Probot app in tests: real webhook payloads (payloads.ts), a Probot without retries, and
// GitHub mocked with nock from an in-memory repository, recording every request (method, path,
// JSON body) for assertions and the OpenAPI contract test.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, type ProbotOctokit } from "probot";
import { createTollgateApp, type TollgateAppOptions } from "../../src/app/index.js";
import type { ScanEngine } from "../../src/engine/types.js";
import { InProcessQueue } from "../../src/queue/index.js";
import { FakeRepositoryApi, type FakeRepository } from "./fakeGitHub.js";
import type { RecordedRequest } from "./openapi.js";
import { OWNER, REPO, TestOctokit } from "./payloads.js";

export * from "./payloads.js";

export interface MockRepository extends FakeRepository {
  commits: Record<string, Record<string, string | Buffer>>;
  pulls?: {
    number: number;
    state?: "open" | "closed";
    head: { sha: string };
    base: { sha: string; ref?: string };
    updated_at?: string;
  }[];
  permission?: string;
  /** What GitHub's compare answers as the merge base; the PR's base SHA by default. */
  mergeBase?: string;
  /** The base branch's commits, oldest first: compare between two says `ahead` or `behind`. */
  baseBranch?: string[];
  /**
   * GitHub's answer to the `index`-th check run update when it is not the usual one (status, body,
   * headers); undefined answers as usual. Sizes GitHub refuses are refused whatever this says.
   */
  checkRunUpdate?: (body: Record<string, unknown>, index: number) => Answer | undefined;
  /** The installation's `repository_selection` (`all` by default). */
  repositorySelection?: "all" | "selected";
}

type Answer = [number, unknown] | [number, unknown, Record<string, string>];

/** GitHub counts `output.summary` and `output.text` in UTF-8 bytes (github/docs#35252), not characters. */
const OUTPUT_BYTES = 65_535;

function refusedOutput(body: Record<string, unknown>): Answer | undefined {
  const output = (body.output ?? {}) as Record<string, unknown>;
  for (const field of ["summary", "text"]) {
    const value = output[field];
    if (typeof value === "string" && Buffer.byteLength(value, "utf8") > OUTPUT_BYTES)
      return [
        422,
        {
          message: "Validation Failed",
          errors: [
            {
              resource: "CheckRun",
              code: "custom",
              field,
              message: `${field} exceeds a maximum bytesize of ${OUTPUT_BYTES}`,
            },
          ],
          status: "422",
        },
      ];
  }
  return undefined;
}

export interface MockGitHub {
  requests: RecordedRequest[];
  /** Bodies of PATCH /check-runs/:id in order. */
  updates: () => Record<string, unknown>[];
  done: () => void;
}

/** Mocks the API GitHub serves for one repository; `failing` paths answer 500 every time. */
export function mockGitHub(repository: MockRepository, failing: RegExp[] = []): MockGitHub {
  const requests: RecordedRequest[] = [];
  const repoPath = `/repos/${OWNER}/${REPO}`;
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
  const fail = (path: string) => failing.some((pattern) => pattern.test(path));
  const route = (
    method: "get" | "post" | "patch",
    path: RegExp,
    reply: (uri: string, body: unknown) => Answer,
  ) =>
    scope
      .intercept(path, method.toUpperCase())
      .reply((uri, body) => (fail(uri) ? [500, { message: "Server Error" }] : reply(uri, body)));

  route("post", /^\/app\/installations\/\d+\/access_tokens$/, () => [
    201,
    { token: "test-installation-token", expires_at: "2099-01-01T00:00:00Z" },
  ]);
  // Asked after the organization's settings answer 404: on all repositories, that means no file.
  route("get", /^\/installation\/repositories\?/, () => [
    200,
    {
      total_count: 1,
      repository_selection: repository.repositorySelection ?? "all",
      repositories: [{ name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } }],
    },
  ]);
  let nextCheckRun = 777;
  route("post", new RegExp(`^${repoPath}/check-runs$`), () => [201, { id: nextCheckRun++ }]);
  let updates = 0;
  route("patch", new RegExp(`^${repoPath}/check-runs/\\d+$`), (_uri, body) => {
    const update = body as Record<string, unknown>;
    const index = updates++;
    return (
      refusedOutput(update) ?? repository.checkRunUpdate?.(update, index) ?? [200, { id: 777 }]
    );
  });
  route("get", new RegExp(`^${repoPath}/compare/[0-9a-f]{40}\\.\\.\\.[0-9a-f]{40}`), (uri) => {
    const [, base = "", head = ""] = /compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})/.exec(uri) ?? [];
    const [from, to] = [base, head].map((sha) => repository.baseBranch?.indexOf(sha) ?? -1);
    const status =
      from === undefined || to === undefined || from < 0 || to < 0
        ? {}
        : { status: to > from ? "ahead" : to < from ? "behind" : "identical" };
    return [200, { merge_base_commit: { sha: repository.mergeBase ?? base }, ...status }];
  });
  route("get", new RegExp(`^${repoPath}/pulls\\?`), () => [
    200,
    (repository.pulls ?? []).filter((p) => (p.state ?? "open") === "open"),
  ]);
  route("get", new RegExp(`^${repoPath}/pulls/\\d+$`), (uri) => {
    const number = Number(uri.split("?")[0]?.split("/").at(-1));
    const pull = repository.pulls?.find((p) => p.number === number);
    return pull ? [200, { state: "open", ...pull }] : [404, { message: "Not Found" }];
  });
  route("get", new RegExp(`^${repoPath}/collaborators/[^/]+/permission$`), () => [
    200,
    { permission: repository.permission ?? "write", role_name: repository.permission ?? "write" },
  ]);
  route("post", new RegExp(`^${repoPath}/issues/comments/\\d+/reactions$`), () => [
    201,
    { id: 1, content: "rocket" },
  ]);
  route("post", new RegExp(`^${repoPath}/issues/\\d+/comments$`), () => [201, { id: 2 }]);

  const repositoryApi = new FakeRepositoryApi(repository);
  const knows = (method: string) => (uri: string) =>
    repositoryApi.respond(method, new URL(uri, "https://api.github.com"), {}) !== undefined;
  for (const method of ["GET", "POST"]) {
    scope.intercept(knows(method), method).reply((uri, body) => {
      if (fail(uri)) return [500, { message: "Server Error" }];
      const answer = repositoryApi.respond(method, new URL(uri, "https://api.github.com"), body);
      return [answer?.status ?? 404, answer?.body];
    });
  }

  return {
    requests,
    updates: () =>
      requests
        .filter((r) => r.method === "PATCH" && /\/check-runs\/\d+$/.test(r.path))
        .map((r) => r.body as Record<string, unknown>),
    done: () => scope.persist(false),
  };
}

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** A Probot for tests: a throwaway key, no retries and no throttling (unless `Octokit` says), quiet logs. */
export function testProbot(Octokit: typeof ProbotOctokit = TestOctokit): Probot {
  return new Probot({ appId: 1, privateKey, Octokit, logLevel: "fatal" });
}

export interface TestApp {
  probot: Probot;
  queue: InProcessQueue;
  /** Delivers a webhook without waiting for the work it queued. */
  send: (name: string, payload: Record<string, unknown>) => Promise<void>;
  /** Delivers a webhook and waits until the work it queued has finished. */
  deliver: (name: string, payload: Record<string, unknown>, id?: string) => Promise<void>;
}

let deliveries = 0;

export async function testApp(
  engine: ScanEngine,
  options: Pick<TollgateAppOptions, "timeoutMs" | "limits"> & {
    /** The server's client (`BoundedRetryOctokit`) on a test clock, say. */
    Octokit?: typeof ProbotOctokit;
  } = {},
): Promise<TestApp> {
  const { Octokit, ...appOptions } = options;
  const probot = testProbot(Octokit);
  const queue = new InProcessQueue({ concurrency: 2 });
  await probot.load(
    createTollgateApp({ engine, queue, completionRetryDelaysMs: [1], ...appOptions }),
  );
  const send = (name: string, payload: Record<string, unknown>) =>
    probot.receive({ id: `delivery-${++deliveries}`, name, payload } as Parameters<
      Probot["receive"]
    >[0]);
  return {
    probot,
    queue,
    send,
    deliver: async (name, payload, id = `delivery-${++deliveries}`) => {
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
      await queue.whenIdle();
    },
  };
}
