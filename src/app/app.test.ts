import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { FakeEngine, finding } from "../../test/app/findings.js";
import {
  BASE_SHA,
  commentPayload,
  examplePayload,
  HEAD_SHA,
  mockGitHub,
  pullRequestPayload,
  type MockGitHub,
  testApp,
  testProbot,
  type MockRepository,
} from "../../test/app/harness.js";
import { contractProblems, type RecordedRequest } from "../../test/app/openapi.js";
import { BoundedRetryOctokit, type RetryClock } from "../github/index.js";
import type { SourceFile } from "../iac/source.js";
import type { Finding, LoadError } from "../model/types.js";
import { createTollgateApp } from "./app.js";

/** Stands in for the Wasm engine: every `ingress_port = N` line is an open-port finding on its resource. */
function scanOpenPorts(file: SourceFile) {
  const findings: Finding[] = [];
  const errors: LoadError[] = [];
  let resource = "";
  file.text.split("\n").forEach((text, index) => {
    const block = /^resource "(\w+)" "(\w+)"/.exec(text);
    if (block) resource = `${block[1]}.${block[2]}`;
    const port = /ingress_port\s*=\s*(\d+)/.exec(text);
    if (port) {
      findings.push(
        finding({
          file: file.path,
          line: index + 1,
          endLine: index + 1,
          resource,
          evidence: `tcp/${port[1]} from 0.0.0.0/0`,
        }),
      );
    }
    if (text.includes("<<<"))
      errors.push({
        file: file.path,
        line: index + 1,
        column: 1,
        code: "hcl-syntax",
        message: "unexpected '<<<'",
      });
  });
  return { findings, errors };
}

const BASE_MAIN = ['resource "aws_security_group" "web" {', "  ingress_port = 22", "}", ""].join(
  "\n",
);
const HEAD_MAIN = [
  "# moved down by a comment",
  'resource "aws_security_group" "web" {',
  "  ingress_port = 22",
  "  ingress_port = 3389",
  "}",
  "",
].join("\n");

function repository(overrides: Partial<MockRepository> = {}): MockRepository {
  return {
    commits: { [BASE_SHA]: { "main.tf": BASE_MAIN }, [HEAD_SHA]: { "main.tf": HEAD_MAIN } },
    pullFiles: [
      {
        filename: "main.tf",
        status: "modified",
        patch:
          "@@ -1,3 +1,5 @@\n+# moved down by a comment\n resource\n   ingress_port = 22\n+  ingress_port = 3389\n }",
      },
    ],
    pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
    ...overrides,
  };
}

const everyRequest: RecordedRequest[] = [];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function run(
  name: string,
  payload: Record<string, unknown>,
  repo = repository(),
  failing: RegExp[] = [],
) {
  const github = mockGitHub(repo, failing);
  const engine = new FakeEngine(scanOpenPorts);
  const app = await testApp(engine);
  await app.deliver(name, payload);
  everyRequest.push(...github.requests);
  return { github, engine };
}

/**
 * An app whose scans wait until `release` (only the first scan with `onlyFirst`), so a test can
 * deliver more events while one runs; `scanStarted` resolves once a scan has asked for a tree.
 */
async function heldScansApp(github: MockGitHub, { onlyFirst = false } = {}) {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const engine = new FakeEngine(scanOpenPorts);
  const app = await testApp({
    scan: async (files) => {
      if (!onlyFirst || engine.scanned.length === 0) await held;
      return engine.scan(files);
    },
  });
  const scanStarted = async () => {
    while (!github.requests.some((r) => r.path.includes("/git/trees/")))
      await new Promise((resolve) => setTimeout(resolve, 5));
  };
  return { app, engine, release, scanStarted };
}

const paths = (requests: RecordedRequest[]) =>
  requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);

describe("pull_request", () => {
  it("creates the run in progress, scans base and head, and completes it with the gate's verdict", async () => {
    const { github, engine } = await run("pull_request", pullRequestPayload());
    expect(paths(github.requests)).toEqual([
      "POST /app/installations/4242/access_tokens",
      // Whether the payload's head is still the pull request's: an old delivery's must not supersede.
      "GET /repos/acme/infra/pulls/12",
      "POST /repos/acme/infra/check-runs",
      "GET /repos/acme/.github/contents/.github%2Ftollgate.yml",
      "GET /repos/acme/infra/contents/.github%2Ftollgate.yml",
      // The organization's file answered 404: on all repositories, so there is none (one request).
      "GET /installation/repositories",
      `GET /repos/acme/infra/compare/${BASE_SHA}...${HEAD_SHA}`,
      "GET /repos/acme/infra/pulls/12/files",
      "GET /repos/acme/infra/git/trees/" + BASE_SHA,
      "GET /repos/acme/infra/git/trees/" + HEAD_SHA,
      // Two blobs: REST GETs in parallel (a GraphQL query would be paced like a write).
      expect.stringMatching(/^GET \/repos\/acme\/infra\/git\/blobs\/[0-9a-f]{40}$/),
      expect.stringMatching(/^GET \/repos\/acme\/infra\/git\/blobs\/[0-9a-f]{40}$/),
      "PATCH /repos/acme/infra/check-runs/777",
    ]);
    expect(github.requests[2]?.body).toMatchObject({
      name: "Tollgate",
      head_sha: HEAD_SHA,
      status: "in_progress",
    });
    expect(engine.scanned.map((files) => files.map((f) => f.path))).toEqual([
      ["main.tf"],
      ["main.tf"],
    ]);
    const [completion] = github.updates();
    expect(completion).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: {
        title: "1 new finding: 1 high",
        annotations: [{ path: "main.tf", start_line: 4, end_line: 4, annotation_level: "failure" }],
      },
      actions: [{ identifier: "rerun", label: "Re-run" }],
    });
    expect((completion?.output as { summary: string }).summary).toContain(
      "### Existing findings (1)",
    );
  });

  it("compares with the merge base, not a base branch tip that moved on", async () => {
    const MERGE_BASE = "4".repeat(40);
    const repo = repository({ mergeBase: MERGE_BASE });
    repo.commits[MERGE_BASE] = { "main.tf": BASE_MAIN };
    repo.commits[BASE_SHA] = { "main.tf": 'resource "aws_security_group" "web" {\n}\n' };
    const { github, engine } = await run("pull_request", pullRequestPayload(), repo);
    expect(engine.scanned[0]?.[0]?.text).toBe(BASE_MAIN);
    expect(github.updates()[0]).toMatchObject({ output: { title: "1 new finding: 1 high" } });
  });

  it("passes when the head adds nothing", async () => {
    const repo = repository({
      commits: {
        [BASE_SHA]: { "main.tf": BASE_MAIN },
        [HEAD_SHA]: { "main.tf": "# c\n" + BASE_MAIN },
      },
    });
    const { github } = await run("pull_request", pullRequestPayload("synchronize"), repo);
    expect(github.updates()[0]).toMatchObject({
      conclusion: "success",
      output: { title: "No new findings" },
    });
  });

  it("scans again when the base branch is changed, and not for a title or body edit", async () => {
    const RETARGETED = "5".repeat(40);
    const repo = repository();
    repo.commits[RETARGETED] = { "main.tf": BASE_MAIN };
    const edited = (changes: Record<string, unknown>, baseSha = BASE_SHA) => {
      const payload = pullRequestPayload("opened") as Record<string, unknown> & {
        pull_request: { base: { sha: string } };
      };
      payload.pull_request.base.sha = baseSha;
      return { ...payload, action: "edited", changes };
    };
    const retitled = await run(
      "pull_request",
      edited({ title: { from: "WIP" }, body: { from: "" } }),
      repo,
    );
    expect(retitled.github.requests).toEqual([]);
    nock.cleanAll();
    const { github } = await run(
      "pull_request",
      edited({ base: { ref: { from: "develop" }, sha: { from: BASE_SHA } } }, RETARGETED),
      repo,
    );
    expect(paths(github.requests)).toContain(
      `GET /repos/acme/infra/compare/${RETARGETED}...${HEAD_SHA}`,
    );
    expect(github.updates()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("reads settings from the default branch, never the PR's commits, and reports bad settings with their location", async () => {
    const repo = repository();
    // The fake answers a contents read without `ref` (the default branch) from commits[""].
    repo.commits[""] = { ".github/tollgate.yml": "fail_on: sometimes\n" };
    repo.commits[HEAD_SHA] = {
      ...repo.commits[HEAD_SHA],
      ".github/tollgate.yml": "enforcement:\n  categories:\n    network: off\n",
    };
    const { github } = await run("pull_request", pullRequestPayload(), repo);
    const [completion] = github.updates() as { conclusion: string; output: { summary: string } }[];
    expect(completion?.conclusion).toBe("failure");
    expect(completion?.output.summary).toContain(".github/tollgate.yml:1:10:");
  });

  it("still completes the run, failing closed, when GitHub keeps failing", async () => {
    const { github } = await run("pull_request", pullRequestPayload(), repository(), [
      /\/pulls\/12\/files/,
    ]);
    const [completion] = github.updates() as {
      conclusion: string;
      output: { title: string; summary: string };
    }[];
    expect(completion).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Scan incomplete: a GitHub API request failed" },
    });
    expect(completion?.output.summary).toContain("HTTP 500");
  });

  it("fails a delivery the draining queue refused, so GitHub shows it failed and it can be redelivered", async () => {
    const github = mockGitHub(repository());
    const app = await testApp(new FakeEngine(scanOpenPorts));
    await app.queue.drain();
    await expect(app.send("pull_request", pullRequestPayload())).rejects.toThrow(
      /the app is shutting down and took no new work: redeliver delivery-\d+ once it is back/,
    );
    expect(paths(github.requests)).not.toContain("POST /repos/acme/infra/check-runs");
  });

  it("logs a job whose check run cannot be created with the delivery that asked for it", async () => {
    mockGitHub(repository(), [/\/check-runs$/]);
    const probot = testProbot();
    // No queue passed: the app's own in-process queue, as `createTollgateApp` runs by default.
    await probot.load(createTollgateApp({ engine: new FakeEngine(scanOpenPorts) }));
    const logged = vi.spyOn(probot.log, "error").mockImplementation(() => undefined);
    await probot.receive({
      id: "delivery-create-fails",
      name: "pull_request",
      payload: pullRequestPayload(),
    } as Parameters<typeof probot.receive>[0]);
    await vi.waitFor(() =>
      expect(logged).toHaveBeenCalledWith(
        {
          delivery: "delivery-create-fails",
          pull: "acme/infra#12",
          headSha: HEAD_SHA,
          error: expect.stringContaining("HTTP 500"),
        },
        "check job failed",
      ),
    );
  });

  it("checks a redelivery of a delivery whose job failed (GitHub redelivers with the same id)", async () => {
    mockGitHub(repository(), [/\/check-runs$/]);
    const app = await testApp(new FakeEngine(scanOpenPorts));
    await app.deliver("pull_request", pullRequestPayload(), "delivery-redelivered");
    expect(await app.queue.depth()).toMatchObject({ failed: 1 });
    nock.cleanAll();
    // GitHub answers again; the operator redelivers the failed delivery, as the log line says to.
    const github = mockGitHub(repository());
    await app.deliver("pull_request", pullRequestPayload(), "delivery-redelivered");
    expect(github.updates()).toEqual([
      expect.objectContaining({ status: "completed", conclusion: "failure" }),
    ]);
    // A delivery whose job did its work is still a duplicate.
    await app.deliver("pull_request", pullRequestPayload(), "delivery-redelivered");
    expect(github.updates()).toHaveLength(1);
  });

  it("fails closed when a changed file is too large to scan", async () => {
    const github = mockGitHub(repository());
    const app = await testApp(new FakeEngine(scanOpenPorts), { limits: { maxFileBytes: 40 } });
    await app.deliver("pull_request", pullRequestPayload());
    const [completion] = github.updates() as {
      conclusion: string;
      output: { title: string; summary: string };
    }[];
    expect(completion?.conclusion).toBe("failure");
    expect(completion?.output.title).toBe("No new findings; 1 scan error");
    expect(completion?.output.summary).toContain(
      "is over the 40-byte limit of a file the app reads",
    );
  });

  it("still completes the run when the engine throws", async () => {
    const github = mockGitHub(repository());
    const app = await testApp({ scan: () => Promise.reject(new Error("wasm trap: unreachable")) });
    await app.deliver("pull_request", pullRequestPayload());
    expect(github.updates()[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "Scan incomplete: the scan failed" },
    });
  });

  it("completes the run as incomplete when the scan times out", async () => {
    const github = mockGitHub(repository());
    const app = await testApp({ scan: () => new Promise(() => undefined) }, { timeoutMs: 50 });
    await app.deliver("pull_request", pullRequestPayload());
    expect(github.updates()[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "Scan incomplete: the scan timed out" },
    });
  });

  it("sends annotations 50 per request and completes with the last batch", async () => {
    const ports = Array.from({ length: 120 }, (_, i) => `  ingress_port = ${1000 + i}`);
    const head = ['resource "aws_security_group" "web" {', ...ports, "}", ""].join("\n");
    const patch =
      "@@ -0,0 +1,122 @@\n" +
      head
        .split("\n")
        .slice(0, 122)
        .map((l) => `+${l}`)
        .join("\n");
    const repo = repository({
      commits: { [BASE_SHA]: {}, [HEAD_SHA]: { "main.tf": head } },
      pullFiles: [{ filename: "main.tf", status: "added", patch }],
    });
    const { github } = await run("pull_request", pullRequestPayload(), repo);
    const updates = github.updates() as { status?: string; output: { annotations: unknown[] } }[];
    expect(updates.map((u) => [u.output.annotations.length, u.status ?? "in_progress"])).toEqual([
      [50, "in_progress"],
      [50, "in_progress"],
      [20, "completed"],
    ]);
  });
});

describe("check run outputs GitHub refuses", () => {
  /**
   * 120 new findings with messages in two-byte characters (as a French one is): long ones first,
   * then short ones, so the summary is cut a few bytes under GitHub's limit.
   */
  function accentedRepository(answer: MockRepository["checkRunUpdate"]) {
    const ports = Array.from({ length: 120 }, (_, i) => `  ingress_port = ${1000 + i}`);
    const head = ['resource "aws_security_group" "web" {', ...ports, "}", ""].join("\n");
    const patch = `@@ -0,0 +1,122 @@\n${head
      .split("\n")
      .slice(0, 122)
      .map((l) => `+${l}`)
      .join("\n")}`;
    return repository({
      commits: { [BASE_SHA]: {}, [HEAD_SHA]: { "main.tf": head } },
      pullFiles: [{ filename: "main.tf", status: "added", patch }],
      checkRunUpdate: answer,
    });
  }
  const accentedEngine = () =>
    new FakeEngine((file) => {
      const { findings, errors } = scanOpenPorts(file);
      return {
        findings: findings.map((f) => ({
          ...f,
          message: `Règle enfreinte ${"é".repeat(f.line <= 41 ? 600 : 10)}`,
        })),
        errors,
      };
    });

  it("completes the run when a note pushes a summary at the limit over GitHub's 65,535 bytes", async () => {
    const accepted: Record<string, unknown>[] = [];
    const github = mockGitHub(
      // GitHub fails the first annotation batches and refuses the last one's: each failure adds a
      // note to the summary.
      accentedRepository((body) => {
        if (body.status === undefined) return [500, { message: "Server Error" }];
        if ((body.output as { annotations?: unknown }).annotations)
          return [422, { message: "Validation Failed", errors: [{ field: "annotations" }] }];
        accepted.push(body);
        return undefined;
      }),
    );
    const app = await testApp(accentedEngine());
    await app.deliver("pull_request", pullRequestPayload());
    expect(accepted).toHaveLength(1);
    const summary = (accepted[0] as { output: { summary: string } }).output.summary;
    expect(accepted[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(Buffer.byteLength(summary, "utf8")).toBeLessThanOrEqual(65_535);
    expect(summary).toContain("Some annotations could not be attached");
    expect(github.updates().length).toBeGreaterThan(1);
  });
  it("completes the run with its conclusion alone when GitHub refuses the report itself", async () => {
    const accepted: Record<string, unknown>[] = [];
    const github = mockGitHub(
      repository({
        checkRunUpdate: (body) => {
          const output = body.output as { summary: string; text?: string };
          if (output.text !== undefined)
            return [422, { message: "Validation Failed", errors: [{ field: "text" }] }];
          accepted.push(body);
          return undefined;
        },
      }),
    );
    const app = await testApp(new FakeEngine(scanOpenPorts));
    await app.deliver("pull_request", pullRequestPayload());
    expect(github.updates()).toHaveLength(4);
    expect(accepted).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "failure",
        output: {
          title: "1 new finding: 1 high",
          summary: expect.stringMatching(
            /^This check's report could not be shown: GitHub refused it \(HttpError: Validation Failed/,
          ),
        },
      }),
    ]);
  });
});

describe("rate limits", () => {
  it("completes the run after the wait a secondary rate limit asks for (retry-after), not sooner", async () => {
    let limitedUntil: number | undefined;
    const github = mockGitHub(
      repository({
        checkRunUpdate: (body) => {
          if (body.status !== "completed") return undefined;
          limitedUntil ??= Date.now() + 1000;
          if (Date.now() >= limitedUntil) return undefined;
          return [
            403,
            {
              message:
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
              documentation_url:
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            },
            { "retry-after": "1" },
          ];
        },
      }),
    );
    // One retry, 1 ms after the first attempt (testApp's completionRetryDelaysMs).
    const app = await testApp(new FakeEngine(scanOpenPorts));
    await app.deliver("pull_request", pullRequestPayload());
    const updates = github.updates();
    expect(updates.map((u) => u.status)).toEqual(["completed", "completed"]);
    expect(await app.queue.depth()).toMatchObject({ failed: 0 });
  });
});

describe("CloudFormation nested stacks", () => {
  const PARENT = [
    "Resources:",
    "  Network:",
    "    Type: AWS::CloudFormation::Stack",
    "    Properties:",
    "      TemplateURL: ./stacks/network.yaml",
    "",
  ].join("\n");
  const NETWORK = (port: number) =>
    [
      "Resources:",
      "  Web:",
      "    Type: AWS::EC2::SecurityGroup",
      `    Properties: { ingress_port = ${port} }`,
      "",
    ].join("\n");
  /** A pull request changing a nested template, in a repository with two more YAML/JSON files. */
  function nestingRepository(): MockRepository {
    const others = { "ci/pipeline.yaml": "stages: [build]\n", "docs/schema.json": "{}\n" };
    return repository({
      commits: {
        [BASE_SHA]: { "parent.yaml": PARENT, "stacks/network.yaml": NETWORK(22), ...others },
        [HEAD_SHA]: { "parent.yaml": PARENT, "stacks/network.yaml": NETWORK(3389), ...others },
      },
      pullFiles: [
        {
          filename: "stacks/network.yaml",
          status: "modified",
          patch:
            "@@ -4 +4 @@\n-    Properties: { ingress_port = 22 }\n+    Properties: { ingress_port = 3389 }",
        },
      ],
    });
  }
  const summaryOf = (github: MockGitHub) =>
    (github.updates()[0]?.output as { summary: string } | undefined)?.summary ?? "";
  const NOTICE =
    "Templates nesting the changed templates were looked for only in the 2 other YAML and JSON files nearest them: 3 are over the budget of 2 files";

  it("reads the template nesting a changed one while the other templates are within the budget", async () => {
    const github = mockGitHub(nestingRepository());
    const engine = new FakeEngine(scanOpenPorts);
    const app = await testApp(engine, { limits: { maxFilesPerCommit: 3 } });
    await app.deliver("pull_request", pullRequestPayload());
    expect(engine.scanned.map((files) => files.map((f) => f.path))).toEqual([
      ["parent.yaml", "stacks/network.yaml"],
      ["parent.yaml", "stacks/network.yaml"],
    ]);
    expect(summaryOf(github)).not.toContain("were looked for only");
  });

  it("past the budget, looks for nesting templates in the folders above the changed one first, and says so", async () => {
    const github = mockGitHub(nestingRepository());
    const engine = new FakeEngine(scanOpenPorts);
    const app = await testApp(engine, { limits: { maxFilesPerCommit: 2 } });
    await app.deliver("pull_request", pullRequestPayload());
    // parent.yaml, in the folder above stacks/, is looked in before ci/ and docs/.
    expect(engine.scanned.map((files) => files.map((f) => f.path))).toEqual([
      ["parent.yaml", "stacks/network.yaml"],
      ["parent.yaml", "stacks/network.yaml"],
    ]);
    expect(github.updates()).toMatchObject([
      { status: "completed", conclusion: "failure", output: { title: "1 new finding: 1 high" } },
    ]);
    expect(summaryOf(github)).toContain(NOTICE);
  });
});

const SECONDARY = {
  message:
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  documentation_url:
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
};

/** The server's client, its waits noted and taking no time. */
function serverClient() {
  const waits: number[] = [];
  let now = 0;
  const retryClock: RetryClock = {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
  const Octokit = BoundedRetryOctokit.defaults({ retryClock, throttle: { enabled: false } });
  return { Octokit, waits };
}

describe("rate limits while fetching", () => {
  /** Blob reads answer `answer` (a secondary rate limit) the first `times` times. */
  function limitBlobs(times: number, headers: Record<string, string> = {}) {
    nock("https://api.github.com")
      .get(/^\/repos\/acme\/infra\/git\/blobs\/[0-9a-f]{40}$/)
      .times(times)
      .reply(403, SECONDARY, headers);
  }

  it("waits as retry-after asks before reading the files again, and gates as usual", async () => {
    limitBlobs(2, { "retry-after": "30" });
    const github = mockGitHub(repository());
    const { Octokit, waits } = serverClient();
    const app = await testApp(new FakeEngine(scanOpenPorts), { Octokit });
    await app.deliver("pull_request", pullRequestPayload());
    expect(waits).toEqual([30_000, 30_000]);
    expect(github.updates()).toMatchObject([
      { status: "completed", conclusion: "failure", output: { title: "1 new finding: 1 high" } },
    ]);
  });

  it("completes the run failing closed, saying GitHub's rate limit held it, once past the wait budget", async () => {
    limitBlobs(10);
    const github = mockGitHub(repository());
    const { Octokit, waits } = serverClient();
    const app = await testApp(new FakeEngine(scanOpenPorts), { Octokit });
    await app.deliver("pull_request", pullRequestPayload());
    // Each of the two blobs: a minute, then a second limit whose 2-minute wait passes the budget;
    // the completion then waits out those 2 minutes GitHub asked of the installation.
    expect(waits).toEqual([60_000, 60_000, 120_000]);
    const [completion] = github.updates() as {
      status: string;
      conclusion: string;
      output: { title: string; summary: string };
    }[];
    expect(completion).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Scan incomplete: GitHub's rate limit held the scan's requests too long" },
    });
    expect(completion?.output.summary).toContain(
      "past the 120 s a request waits on rate limits) (HTTP 403)",
    );
  });
});

describe("rate limits across a scan's requests", () => {
  it("completes the run saying GitHub's rate limit held it once the waits would pass the scan's time", async () => {
    // Three requests in turn are each asked to wait 100 s: within a request's 120 s, but the third
    // wait would end past the 270 s a 5-minute scan may wait, where its timeout would cut it.
    for (const path of [
      /^\/repos\/acme\/infra\/pulls\/12\/files/,
      /^\/repos\/acme\/infra\/git\/trees\//,
      /^\/repos\/acme\/infra\/git\/blobs\//,
    ])
      nock("https://api.github.com").get(path).reply(403, SECONDARY, { "retry-after": "100" });
    const github = mockGitHub(repository());
    const { Octokit, waits } = serverClient();
    const app = await testApp(new FakeEngine(scanOpenPorts), { Octokit });
    await app.deliver("pull_request", pullRequestPayload());
    // The files, a tree, then the run's completion, held until the blob's wait would have ended.
    expect(waits).toEqual([100_000, 100_000, 100_000]);
    const [completion] = github.updates() as {
      conclusion: string;
      output: { title: string; summary: string };
    }[];
    expect(completion).toMatchObject({
      conclusion: "failure",
      output: { title: "Scan incomplete: GitHub's rate limit held the scan's requests too long" },
    });
    expect(completion?.output.summary).toContain(
      "asks to wait 100 s more: past the 270 s the scan may wait on rate limits",
    );
  });
});

/** A push to pull request #12: GitHub shows the new head before it sends the webhook. */
function pushTo(repo: MockRepository, head: string) {
  const pull = repo.pulls?.find((p) => p.number === 12);
  if (pull) pull.head = { sha: head };
}

describe("pushes in quick succession", () => {
  it("completes the superseded run as cancelled and scans the newest head", async () => {
    const NEWER = "3".repeat(40);
    const repo = repository();
    repo.commits[NEWER] = repo.commits[HEAD_SHA] ?? {};
    const github = mockGitHub(repo);
    const {
      app,
      release: releaseFirstScan,
      scanStarted,
    } = await heldScansApp(github, { onlyFirst: true });
    await app.send("pull_request", pullRequestPayload("synchronize"));
    await scanStarted();
    const newer = pullRequestPayload("synchronize") as { pull_request: { head: { sha: string } } };
    newer.pull_request.head.sha = NEWER;
    pushTo(repo, NEWER);
    await app.send("pull_request", newer as unknown as Record<string, unknown>);
    releaseFirstScan();
    await app.queue.whenIdle();
    const completions = github.requests
      .filter((r) => r.method === "PATCH")
      .map((r) => [
        r.path.split("/").at(-1),
        (r.body as { conclusion: string; output: { title: string } }).conclusion,
        (r.body as { output: { title: string } }).output.title,
      ]);
    expect(completions).toEqual(
      expect.arrayContaining([
        ["777", "cancelled", `Not scanned: superseded by a newer push (${NEWER.slice(0, 7)})`],
        ["778", "failure", "1 new finding: 1 high"],
      ]),
    );
    expect(completions).toHaveLength(2);
  });

  it("scans the same head again when the base branch changes mid-scan, completing the first run", async () => {
    const RETARGETED = "5".repeat(40);
    const repo = repository();
    repo.commits[RETARGETED] = { "main.tf": BASE_MAIN };
    const github = mockGitHub(repo);
    const {
      app,
      release: releaseFirstScan,
      scanStarted,
    } = await heldScansApp(github, { onlyFirst: true });
    await app.send("pull_request", pullRequestPayload("synchronize"));
    await scanStarted();
    // GitHub's `edited` after a new base branch: same head, the new base's SHA, `changes.base`.
    const retargeted = pullRequestPayload("opened") as {
      pull_request: { base: { sha: string } };
    };
    retargeted.pull_request.base.sha = RETARGETED;
    await app.send("pull_request", {
      ...(retargeted as unknown as Record<string, unknown>),
      action: "edited",
      changes: { base: { ref: { from: "develop" }, sha: { from: BASE_SHA } } },
    });
    releaseFirstScan();
    await app.queue.whenIdle();
    const completions = github
      .updates()
      .map((u) => [u.conclusion, (u.output as { title: string }).title]);
    expect(completions).toEqual(
      expect.arrayContaining([
        [
          "cancelled",
          "Not scanned: superseded by a newer scan of this commit (the pull request's base changed)",
        ],
        ["failure", "1 new finding: 1 high"],
      ]),
    );
    expect(completions).toHaveLength(2);
    expect(paths(github.requests)).toContain(
      `GET /repos/acme/infra/compare/${RETARGETED}...${HEAD_SHA}`,
    );
  });

  it("scans nothing for an old delivery whose base branch the pull request no longer has, leaving the newer base's scan alone", async () => {
    const RETARGETED = "5".repeat(40);
    const repo = repository();
    repo.commits[RETARGETED] = { "main.tf": BASE_MAIN };
    // GitHub now: the pull request's base is `develop`, since an edit after the old delivery.
    repo.pulls = [
      {
        number: 12,
        head: { sha: HEAD_SHA },
        base: { sha: RETARGETED, ref: "develop" },
        updated_at: "2026-11-27T10:00:00Z",
      },
    ];
    const github = mockGitHub(repo);
    const { app, release: releaseScans, scanStarted } = await heldScansApp(github);
    const edited = (ref: string, from: string, sha: string, updatedAt: string) => {
      const payload = pullRequestPayload("opened") as {
        pull_request: { base: { sha: string; ref: string }; updated_at: string };
      };
      payload.pull_request.base = { ...payload.pull_request.base, sha, ref };
      payload.pull_request.updated_at = updatedAt;
      return {
        ...(payload as unknown as Record<string, unknown>),
        action: "edited",
        changes: { base: { ref: { from }, sha: { from: BASE_SHA } } },
      };
    };
    await app.send("pull_request", edited("develop", "master", RETARGETED, "2026-11-27T10:00:00Z"));
    await scanStarted();
    // An operator redelivers the edit before it, to `master`, whose head is the same commit.
    await app.send("pull_request", edited("master", "develop", BASE_SHA, "2026-11-27T09:00:00Z"));
    releaseScans();
    await app.queue.whenIdle();
    expect(
      github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs")),
    ).toHaveLength(1);
    expect(
      github.updates().map((u) => [u.conclusion, (u.output as { title: string }).title]),
    ).toEqual([["failure", "1 new finding: 1 high"]]);
    expect(paths(github.requests)).toContain(
      `GET /repos/acme/infra/compare/${RETARGETED}...${HEAD_SHA}`,
    );
  });

  it("scans an edit whose base GitHub does not show yet, its answer older than the event", async () => {
    const RETARGETED = "5".repeat(40);
    const repo = repository();
    repo.commits[RETARGETED] = { "main.tf": BASE_MAIN };
    repo.pulls = [
      {
        number: 12,
        head: { sha: HEAD_SHA },
        base: { sha: BASE_SHA, ref: "master" },
        updated_at: "2026-11-27T09:00:00Z",
      },
    ];
    const github = mockGitHub(repo);
    const app = await testApp(new FakeEngine(scanOpenPorts));
    const payload = pullRequestPayload("opened") as {
      pull_request: { base: { sha: string; ref: string }; updated_at: string };
    };
    payload.pull_request.base = { ...payload.pull_request.base, sha: RETARGETED, ref: "develop" };
    payload.pull_request.updated_at = "2026-11-27T10:00:00Z";
    await app.deliver("pull_request", {
      ...(payload as unknown as Record<string, unknown>),
      action: "edited",
      changes: { base: { ref: { from: "master" } } },
    });
    expect(github.updates()).toMatchObject([{ conclusion: "failure" }]);
    expect(paths(github.requests)).toContain(
      `GET /repos/acme/infra/compare/${RETARGETED}...${HEAD_SHA}`,
    );
  });

  // A base branch moving on does not update its pull requests: an old delivery may have GitHub's
  // time, and then the base branch's history tells which base commit is the newer.
  it.each([
    ["older than", "2026-11-27T09:00:00Z", []],
    [
      "as old as",
      "2026-11-27T10:00:00Z",
      [`GET /repos/acme/infra/compare/${BASE_SHA}...${"6".repeat(40)}`],
    ],
  ])(
    "lets an old delivery %s GitHub's answer, against an older commit of the same base branch, join a re-run's scan, not cancel it",
    async (_, updatedAt, ancestry) => {
      const MOVED = "6".repeat(40);
      const repo = repository();
      repo.commits[MOVED] = { "main.tf": BASE_MAIN };
      repo.baseBranch = [BASE_SHA, MOVED];
      const old = pullRequestPayload("opened") as {
        pull_request: { base: { sha: string; ref: string }; updated_at: string };
      };
      const baseRef = old.pull_request.base.ref;
      old.pull_request.updated_at = updatedAt;
      // GitHub now: the base branch moved on to MOVED, with the same head.
      repo.pulls = [
        {
          number: 12,
          head: { sha: HEAD_SHA },
          base: { sha: MOVED, ref: baseRef },
          updated_at: "2026-11-27T10:00:00Z",
        },
      ];
      const github = mockGitHub(repo);
      const { app, release: releaseScans, scanStarted } = await heldScansApp(github);
      const rerun = examplePayload("check_run", "rerequested") as {
        check_run: Record<string, unknown>;
      };
      rerun.check_run = {
        ...rerun.check_run,
        name: "Tollgate",
        head_sha: HEAD_SHA,
        pull_requests: [],
      };
      await app.send("check_run", rerun as Record<string, unknown>);
      await scanStarted();
      // An operator redelivers the `opened` sent before the base branch moved.
      await app.send("pull_request", old as unknown as Record<string, unknown>);
      releaseScans();
      await app.queue.whenIdle();
      expect(
        github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs")),
      ).toHaveLength(1);
      expect(
        github.updates().map((u) => [u.conclusion, (u.output as { title: string }).title]),
      ).toEqual([["failure", "1 new finding: 1 high"]]);
      expect(paths(github.requests).filter((p) => p.includes("/compare/"))).toEqual([
        `GET /repos/acme/infra/compare/${MOVED}...${HEAD_SHA}`,
        ...ancestry,
      ]);
    },
  );

  it("scans an event's base commit when GitHub's, as old by the times, is behind it on the base branch", async () => {
    const MOVED = "6".repeat(40);
    const repo = repository();
    repo.commits[MOVED] = { "main.tf": BASE_MAIN };
    repo.baseBranch = [BASE_SHA, MOVED];
    const payload = pullRequestPayload("opened") as {
      pull_request: { base: { sha: string; ref: string }; updated_at: string };
    };
    payload.pull_request.base.sha = MOVED;
    payload.pull_request.updated_at = "2026-11-27T10:00:00Z";
    // GitHub lags: its answer still has the base commit before.
    repo.pulls = [
      {
        number: 12,
        head: { sha: HEAD_SHA },
        base: { sha: BASE_SHA, ref: payload.pull_request.base.ref },
        updated_at: "2026-11-27T10:00:00Z",
      },
    ];
    const github = mockGitHub(repo);
    const app = await testApp(new FakeEngine(scanOpenPorts));
    await app.deliver("pull_request", payload as unknown as Record<string, unknown>);
    expect(paths(github.requests).filter((p) => p.includes("/compare/"))).toEqual([
      `GET /repos/acme/infra/compare/${MOVED}...${BASE_SHA}`,
      `GET /repos/acme/infra/compare/${MOVED}...${HEAD_SHA}`,
    ]);
  });

  it("cancels a run superseded before its scan began, with no unhandled rejection", async () => {
    const NEWER = "3".repeat(40);
    const repo = repository();
    repo.commits[NEWER] = repo.commits[HEAD_SHA] ?? {};
    const github = mockGitHub(repo);
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const app = await testApp(new FakeEngine(scanOpenPorts));
      // The second push arrives while the first job still waits for its run to be created.
      await app.send("pull_request", pullRequestPayload("opened"));
      const newer = pullRequestPayload("synchronize") as {
        pull_request: { head: { sha: string } };
      };
      newer.pull_request.head.sha = NEWER;
      pushTo(repo, NEWER);
      await app.send("pull_request", newer as unknown as Record<string, unknown>);
      await app.queue.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const completions = github.requests
        .filter((r) => r.method === "PATCH")
        .map((r) => [
          r.path.split("/").at(-1),
          (r.body as { conclusion: string }).conclusion,
          (r.body as { output: { title: string } }).output.title,
        ]);
      expect(completions).toEqual([
        ["777", "cancelled", `Not scanned: superseded by a newer push (${NEWER.slice(0, 7)})`],
        ["778", "failure", "1 new finding: 1 high"],
      ]);
      expect(unhandled.map(String)).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("lets an old delivery redelivered mid-scan check its own commit, leaving the newest head's run alone", async () => {
    const NEWER = "3".repeat(40);
    const repo = repository();
    repo.commits[NEWER] = repo.commits[HEAD_SHA] ?? {};
    pushTo(repo, NEWER);
    const github = mockGitHub(repo);
    const { app, engine, release: releaseScans, scanStarted } = await heldScansApp(github);
    const newest = pullRequestPayload("synchronize") as { pull_request: { head: { sha: string } } };
    newest.pull_request.head.sha = NEWER;
    await app.send("pull_request", newest as unknown as Record<string, unknown>);
    await scanStarted();
    // An operator redelivers the failed delivery of the push before: its payload's head is HEAD_SHA.
    await app.send("pull_request", pullRequestPayload("synchronize"));
    releaseScans();
    await app.queue.whenIdle();
    const created = github.requests
      .filter((r) => r.method === "POST" && r.path.endsWith("/check-runs"))
      .map((r) => (r.body as { head_sha: string }).head_sha);
    expect(created).toEqual([NEWER, HEAD_SHA]);
    const completions = github.requests
      .filter((r) => r.method === "PATCH")
      .map((r) => [
        r.path.split("/").at(-1),
        (r.body as { conclusion: string }).conclusion,
        (r.body as { output: { title: string } }).output.title,
      ]);
    expect(completions).toEqual(
      expect.arrayContaining([
        ["777", "failure", "1 new finding: 1 high"],
        ["778", "failure", "1 new finding: 1 high"],
      ]),
    );
    expect(completions).toHaveLength(2);
    expect(engine.scanned).toHaveLength(4);
  });

  it("logs a queued job whose run could not be created, with no unhandled rejection", async () => {
    // Two runs are created; the third creation fails (500) while its job waits in the queue.
    let created = 0;
    nock("https://api.github.com")
      .post("/repos/acme/infra/check-runs")
      .times(2)
      .reply(201, () => ({ id: 900 + created++ }));
    const github = mockGitHub(repository(), [/\/check-runs$/]);
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const { app, release: releaseScans } = await heldScansApp(github);
      for (const number of [12, 13, 14]) {
        const payload = pullRequestPayload("opened") as { pull_request: { number: number } };
        payload.pull_request.number = number;
        await app.send("pull_request", payload as unknown as Record<string, unknown>);
      }
      const refused = () =>
        github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs"));
      while (created < 2 || refused().length < 1)
        await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 50));
      releaseScans();
      await app.queue.whenIdle();
      expect(await app.queue.depth()).toMatchObject({ failed: 1 });
      expect(github.updates().map((u) => u.status)).toEqual(["completed", "completed"]);
      expect(unhandled.map(String)).toEqual([]);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});

describe("webhook signatures", () => {
  it("refuses a delivery whose signature does not match the secret", async () => {
    const probot = (await testApp(new FakeEngine(scanOpenPorts))).probot;
    await expect(
      probot.webhooks.verifyAndReceive({
        id: "forged",
        name: "pull_request",
        payload: JSON.stringify(pullRequestPayload()),
        signature: "sha256=" + "0".repeat(64),
      }),
    ).rejects.toThrow(/signature does not match/);
  });
});

describe("re-runs and fork pull requests", () => {
  it("maps a fork PR's check_suite head SHA to its pull request", async () => {
    const payload = examplePayload("check_suite", "rerequested") as {
      check_suite: Record<string, unknown>;
    };
    payload.check_suite.head_sha = HEAD_SHA;
    payload.check_suite.pull_requests = [];
    const { github } = await run("check_suite", payload as Record<string, unknown>);
    expect(paths(github.requests)).toContain("GET /repos/acme/infra/pulls");
    expect(github.updates()[0]).toMatchObject({ conclusion: "failure" });
    expect(
      github.requests.find((r) => r.path === "/repos/acme/infra/check-runs")?.body,
    ).toMatchObject({
      head_sha: HEAD_SHA,
      external_id: expect.stringMatching(/^12@delivery-\d+$/),
    });
  });

  it("re-runs on the Re-run button of our own check run", async () => {
    const payload = examplePayload("check_run", "requested_action") as {
      check_run: Record<string, unknown>;
      requested_action: unknown;
    };
    payload.check_run = {
      ...payload.check_run,
      name: "Tollgate",
      head_sha: HEAD_SHA,
      pull_requests: [],
    };
    payload.requested_action = { identifier: "rerun" };
    const { github } = await run("check_run", payload as Record<string, unknown>);
    expect(github.updates()[0]).toMatchObject({ status: "completed" });
  });

  const rerunOfHead = () => {
    const payload = examplePayload("check_run", "rerequested") as {
      check_run: Record<string, unknown>;
    };
    payload.check_run = {
      ...payload.check_run,
      name: "Tollgate",
      head_sha: HEAD_SHA,
      pull_requests: [],
    };
    return payload as Record<string, unknown>;
  };
  /** An old delivery of a suite re-run: it still names #12 with the head #12 had then. */
  const oldSuiteRerun = () => {
    const payload = examplePayload("check_suite", "rerequested") as {
      check_suite: Record<string, unknown>;
    };
    payload.check_suite = {
      ...payload.check_suite,
      head_sha: HEAD_SHA,
      pull_requests: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
    };
    return payload as Record<string, unknown>;
  };

  it.each([
    ["check_run", rerunOfHead],
    ["check_suite", oldSuiteRerun],
  ] as const)(
    "completes a %s re-run of a commit no open pull request heads as neutral, saying why, and scans nothing",
    async (name, payload) => {
      const repo = repository();
      pushTo(repo, "3".repeat(40));
      const { github, engine } = await run(name, payload(), repo);
      const created = github.requests.filter(
        (r) => r.method === "POST" && r.path.endsWith("/check-runs"),
      );
      expect(created.map((r) => r.body)).toEqual([
        expect.objectContaining({
          name: "Tollgate",
          head_sha: HEAD_SHA,
          status: "completed",
          conclusion: "neutral",
          output: expect.objectContaining({
            title: "Not scanned: this commit is no longer the head of an open pull request",
            summary: expect.stringContaining(
              "no open pull request has 2222222 as its head now",
            ) as unknown,
          }) as unknown,
        }),
      ]);
      expect(github.updates()).toEqual([]);
      expect(engine.scanned).toEqual([]);
    },
  );

  it("completes a re-run as cancelled, not neutral, when too many open pull requests hid the commit's", async () => {
    // Every page GitHub answers is full of other heads.
    const others = Array.from({ length: 100 }, (_, i) => ({
      number: 100 + i,
      head: { sha: "4".repeat(40) },
      base: { sha: BASE_SHA },
    }));
    const { github } = await run("check_run", rerunOfHead(), repository({ pulls: others }));
    expect(paths(github.requests).filter((p) => p === "GET /repos/acme/infra/pulls")).toHaveLength(
      10,
    );
    expect(
      github.requests.find((r) => r.method === "POST" && r.path.endsWith("/check-runs"))?.body,
    ).toMatchObject({
      head_sha: HEAD_SHA,
      status: "completed",
      conclusion: "cancelled",
      output: { title: "Not scanned: no open pull request found with this commit as its head" },
    });
  });

  it("ignores re-requests of other apps' check runs and unknown actions", async () => {
    const payload = examplePayload("check_run", "rerequested") as {
      check_run: Record<string, unknown>;
    };
    payload.check_run = { ...payload.check_run, head_sha: HEAD_SHA };
    const { github } = await run("check_run", payload as Record<string, unknown>);
    expect(github.requests).toEqual([]);
  });
});

describe("/tollgate run comments", () => {
  it("runs for a collaborator with write access and acknowledges with a reaction", async () => {
    const { github } = await run("issue_comment", commentPayload("Looks risky.\n/tollgate run"));
    expect(paths(github.requests).slice(0, 5)).toEqual([
      "POST /app/installations/4242/access_tokens",
      "GET /repos/acme/infra/collaborators/octocat/permission",
      "GET /repos/acme/infra/pulls/12",
      "POST /repos/acme/infra/issues/comments/555/reactions",
      "POST /repos/acme/infra/check-runs",
    ]);
    expect(github.updates()[0]).toMatchObject({ status: "completed" });
  });

  it("scans nothing on a closed pull request, and says so as override does", async () => {
    const closed = repository({
      pulls: [{ number: 12, state: "closed", head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
    });
    const { github } = await run("issue_comment", commentPayload("/tollgate run"), closed);
    expect(paths(github.requests)).toEqual([
      "POST /app/installations/4242/access_tokens",
      "GET /repos/acme/infra/collaborators/octocat/permission",
      "GET /repos/acme/infra/pulls/12",
      "POST /repos/acme/infra/issues/12/comments",
    ]);
    expect((github.requests[3]?.body as { body: string }).body).toBe(
      "Sorry @octocat, this pull request is not open.",
    );
  });

  it("refuses politely without write access", async () => {
    const { github } = await run(
      "issue_comment",
      commentPayload("/tollgate run"),
      repository({ permission: "read" }),
    );
    expect(paths(github.requests)).toEqual([
      "POST /app/installations/4242/access_tokens",
      "GET /repos/acme/infra/collaborators/octocat/permission",
      "POST /repos/acme/infra/issues/12/comments",
    ]);
    expect((github.requests[2]?.body as { body: string }).body).toBe(
      "Sorry @octocat, only people with write access to this repository can start a Tollgate scan. A maintainer can comment the command, or push a commit to run the check again.",
    );
  });

  it("ignores bots, plain issues, other comments and edits", async () => {
    const bot = await run("issue_comment", commentPayload("/tollgate run", "renovate[bot]", "Bot"));
    const chatter = await run("issue_comment", commentPayload("please /tollgate run this later"));
    const issue = commentPayload("/tollgate run");
    issue.issue = { ...issue.issue, pull_request: undefined };
    const onIssue = await run("issue_comment", issue);
    const edited = examplePayload("issue_comment", "edited") as Record<
      string,
      Record<string, unknown>
    >;
    edited.issue = {
      ...edited.issue,
      pull_request: { url: "https://api.github.com/repos/acme/infra/pulls/12" },
    };
    edited.comment = { ...edited.comment, body: "/tollgate run" };
    const onEdit = await run("issue_comment", edited);
    expect([bot, chatter, onIssue, onEdit].map(({ github }) => github.requests.length)).toEqual([
      0, 0, 0, 0,
    ]);
  });
});

describe("contract", () => {
  it("sends only requests GitHub's REST description allows", () => {
    expect(everyRequest.length).toBeGreaterThan(40);
    const rest = everyRequest.filter((r) => r.path !== "/graphql");
    expect(rest.flatMap(contractProblems)).toEqual([]);
  });

  it("catches a request GitHub would refuse", () => {
    expect(
      contractProblems({
        method: "PATCH",
        path: "/repos/a/b/check-runs/1",
        body: { status: "done", output: { title: "t" } },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"done" is not one of'),
        expect.stringContaining("missing required 'summary'"),
      ]),
    );
  });
});
