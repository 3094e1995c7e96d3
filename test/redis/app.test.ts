import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTollgateApp, type TollgateAppOptions } from "../../src/app/index.js";
import { LEFT_RUN_REASON } from "../../src/app/resume.js";
import { BullQueue, type BullQueueOptions, type CheckJobPayload } from "../../src/queue/index.js";
import { FakeEngine } from "../app/findings.js";
import {
  BASE_SHA,
  HEAD_SHA,
  INSTALLATION,
  installationPayload,
  mockGitHub,
  recordedExample,
  pullRequestPayload,
  type MockRepository,
} from "../app/harness.js";
import { contractProblems } from "../app/openapi.js";
import { DEFAULT_BRANCH, mockOrganization, pushExample } from "../app/orgHarness.js";
import { OWNER_TAG_RULE } from "../support/customRules.js";
import { waitFor } from "./fakeChecks.js";
import { redisUnavailable, startRedis, type RedisServer } from "./redisServer.js";

const unavailable = redisUnavailable();

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function repository(): MockRepository {
  const main = 'resource "aws_security_group" "web" {\n  description = "web"\n}\n';
  return {
    commits: { [BASE_SHA]: { "main.tf": main }, [HEAD_SHA]: { "main.tf": main } },
    pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@\n-a\n+b" }],
    pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
  };
}

describe.skipIf(unavailable !== undefined)("the app on a Redis queue", () => {
  let redis: RedisServer;
  const queues: BullQueue[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    redis = await startRedis();
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(async () => {
    nock.enableNetConnect();
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.drain({ timeoutMs: 1000 })));
    nock.cleanAll();
  });

  /** One replica: a Probot app with its own BullQueue on the shared Redis. */
  async function replica(
    prefix: string,
    options: Partial<BullQueueOptions> = {},
    appOptions: Pick<TollgateAppOptions, "settleLeftRuns"> = {},
  ) {
    const queue = new BullQueue({
      redisUrl: redis.url,
      prefix,
      lockMs: 1000,
      supersessionPollMs: 50,
      backoffMs: 20,
      ...options,
    });
    queues.push(queue);
    const probot = new Probot({
      appId: 1,
      privateKey,
      Octokit: ProbotOctokit.defaults((defaults: object) => ({
        ...defaults,
        retry: { enabled: false },
        throttle: { enabled: false },
      })),
      logLevel: "fatal",
    });
    await probot.load(
      createTollgateApp({
        engine: new FakeEngine(() => ({ findings: [], errors: [] })),
        queue,
        completionRetryDelaysMs: [1],
        ...appOptions,
      }),
    );
    return {
      queue,
      deliver: (id: string, payload: Record<string, unknown>, name = "pull_request") =>
        probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]),
    };
  }

  it("runs one check for a head delivered to two replicas, redelivered, and re-sent", async () => {
    const prefix = `app${++prefixes}`;
    const github = mockGitHub(repository());
    const first = await replica(prefix);
    const second = await replica(prefix);
    await Promise.all([
      first.deliver("d1", pullRequestPayload("synchronize")),
      second.deliver("d2", pullRequestPayload("synchronize")),
      second.deliver("d1", pullRequestPayload("synchronize")),
      first.deliver("d3", pullRequestPayload("synchronize")),
    ]);
    await waitFor(
      () => github.updates().some((u) => u.status === "completed"),
      15_000,
      "a completed check run",
    );
    await waitFor(async () => (await first.queue.depth()).running === 0, 5000, "an idle queue");
    const created = github.requests.filter(
      (r) => r.method === "POST" && r.path.endsWith("/check-runs"),
    );
    expect(created).toHaveLength(1);
    expect(github.updates().filter((u) => u.status === "completed")).toMatchObject([
      { conclusion: "success" },
    ]);
    github.done();
  });

  it("re-queues on start a check run GitHub still shows in progress, and completes that run", async () => {
    const prefix = `app${++prefixes}`;
    // GitHub refuses every check run update: the job fails for good and its run stays open.
    const down = mockGitHub(repository(), [/\/check-runs\/\d+$/]);
    const crashed = await replica(prefix, { attempts: 1 });
    await crashed.deliver("d1", pullRequestPayload("synchronize"));
    await waitFor(async () => (await crashed.queue.depth()).failed === 1, 15_000, "a failed job");
    expect(
      down.requests.filter((r) => r.method === "POST" && r.path.endsWith("/check-runs")),
    ).toHaveLength(1);
    await crashed.queue.drain();
    queues.splice(queues.indexOf(crashed.queue), 1);
    down.done();
    nock.cleanAll();

    const github = mockGitHub(repository());
    nock("https://api.github.com")
      .get("/repos/acme/infra/check-runs/777")
      .reply(200, { id: 777, status: "in_progress" });
    await replica(prefix, { reconcileAfterMs: 0 });
    await waitFor(
      () => github.updates().some((u) => u.status === "completed"),
      15_000,
      "the reconciled run to complete",
    );
    const completed = github.requests.filter((r) => r.method === "PATCH");
    expect(completed.map((r) => r.path)).toEqual(["/repos/acme/infra/check-runs/777"]);
    expect(completed[0]?.body).toMatchObject({ status: "completed", conclusion: "success" });
    expect(github.requests.some((r) => r.method === "POST" && r.path.endsWith("/check-runs"))).toBe(
      false,
    );
    github.done();
  });

  it("checks a pushed policy change and re-runs the open PRs in another replica than the one the push reached", async () => {
    const prefix = `app${++prefixes}`;
    const pushed = "5".repeat(40);
    const rulePath = "tollgate/policies/owner_tag.rego";
    const orgFiles = { ".github/tollgate.yml": "policies: {}\n", [rulePath]: OWNER_TAG_RULE };
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const github = mockOrganization({
      ".github": { commits: { [DEFAULT_BRANCH]: orgFiles, [pushed]: orgFiles } },
      infra: {
        commits: {
          [DEFAULT_BRANCH]: { "main.tf": main },
          [BASE_SHA]: { "main.tf": main },
          [HEAD_SHA]: { "main.tf": main },
        },
        pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@" }],
      },
    });
    const push = pushExample() as Record<string, unknown> & {
      repository: { name: string; default_branch: string };
      commits: Record<string, unknown>[];
    };
    push.repository.name = ".github";
    push.repository.default_branch = DEFAULT_BRANCH;
    push.ref = `refs/heads/${DEFAULT_BRANCH}`;
    push.after = pushed;
    push.commits = [{ ...push.commits[0], added: [], removed: [], modified: [rulePath] }];
    push.head_commit = push.commits[0];

    const webhook = await replica(prefix, { takeWork: false });
    await webhook.deliver("p1", push, "push");
    await webhook.deliver("p1", push, "push");
    expect(await webhook.queue.depth()).toMatchObject({ waiting: 1, running: 0 });
    // A lock far longer than the compile, even on a loaded machine: no stall re-runs the task here.
    await replica(prefix, { lockMs: 30_000 });
    await waitFor(
      () => github.finalCheckRuns().some((c) => c.repo === "infra" && c.status === "completed"),
      15_000,
      "the re-run check of the open pull request",
    );
    const runs = github.finalCheckRuns().map((c) => [c.repo, c.name, c.head_sha, c.conclusion]);
    expect(runs).toEqual([
      [".github", "Tollgate policies", pushed, "success"],
      ["infra", "Tollgate", HEAD_SHA, "success"],
    ]);
  });

  it("checks the other repositories' open PRs when one's cannot be listed, and that one's in a re-check of its own", async () => {
    const prefix = `app${++prefixes}`;
    const pushed = "5".repeat(40);
    const webHead = "4".repeat(40);
    const orgFiles = { ".github/tollgate.yml": "policies: {}\n" };
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const pullsOf = (head: string) => ({
      commits: {
        [DEFAULT_BRANCH]: { "main.tf": main },
        [BASE_SHA]: { "main.tf": main },
        [head]: { "main.tf": main },
      },
      pulls: [{ number: 12, head: { sha: head }, base: { sha: BASE_SHA } }],
      pullFiles: [{ filename: "main.tf", status: "modified" as const, patch: "@@ -1 +1 @@" }],
    });
    // Registered first: web's first listing fails, as GitHub under load after the client's retries.
    const outage = nock("https://api.github.com")
      .get((uri) => uri.startsWith("/repos/acme/web/pulls?"))
      .reply(502, { message: "Server Error" });
    const github = mockOrganization({
      ".github": { commits: { [DEFAULT_BRANCH]: orgFiles, [pushed]: orgFiles } },
      infra: pullsOf(HEAD_SHA),
      web: pullsOf(webHead),
    });
    const push = pushExample() as Record<string, unknown> & {
      repository: { name: string; default_branch: string };
      commits: Record<string, unknown>[];
    };
    push.repository.name = ".github";
    push.repository.default_branch = DEFAULT_BRANCH;
    push.ref = `refs/heads/${DEFAULT_BRANCH}`;
    push.after = pushed;
    push.commits = [
      { ...push.commits[0], added: [], removed: [], modified: [".github/tollgate.yml"] },
    ];
    push.head_commit = push.commits[0];

    const worker = await replica(prefix, { lockMs: 30_000 });
    await worker.deliver("p1", push, "push");
    await waitFor(
      () => github.finalCheckRuns().filter((c) => c.status === "completed").length === 3,
      15_000,
      "both open pull requests checked",
    );
    expect(outage.isDone()).toBe(true);
    expect(
      github
        .finalCheckRuns()
        .map((c) => [c.repo, c.name, c.head_sha, c.conclusion])
        .sort(),
    ).toEqual([
      [".github", "Tollgate policies", pushed, "success"],
      ["infra", "Tollgate", HEAD_SHA, "success"],
      ["web", "Tollgate", webHead, "success"],
    ]);
    // web's were listed by the re-check of web alone: the other repositories were not listed again.
    const listings = github.requests.filter((r) => /\/pulls\?/.test(r.path));
    expect(listings.map((r) => r.path.split("?")[0]).sort()).toEqual([
      "/repos/acme/.github/pulls",
      "/repos/acme/infra/pulls",
      "/repos/acme/web/pulls",
    ]);
  });

  it("reads a new default branch's head in the retried task, not in the webhook, when GitHub fails it once", async () => {
    const prefix = `app${++prefixes}`;
    const next = "7".repeat(40);
    const rulePath = "tollgate/policies/owner_tag.rego";
    const orgFiles = { ".github/tollgate.yml": "policies: {}\n" };
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    // Registered first, so it answers the first branch request; the organization answers the rest.
    const outage = nock("https://api.github.com")
      .get("/repos/acme/.github/branches/next")
      .reply(502, { message: "Server Error" });
    const github = mockOrganization({
      ".github": {
        commits: {
          [DEFAULT_BRANCH]: orgFiles,
          [next]: { ...orgFiles, [rulePath]: OWNER_TAG_RULE },
        },
        branches: { next },
      },
      infra: {
        commits: {
          [DEFAULT_BRANCH]: { "main.tf": main },
          [BASE_SHA]: { "main.tf": main },
          [HEAD_SHA]: { "main.tf": main },
        },
        pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@" }],
      },
    });
    github.setDefaultBranch(".github", "next");
    const edited = recordedExample(
      "repository",
      (e) => e.action === "edited" && JSON.stringify(e.changes).includes("default_branch"),
    ) as Record<string, unknown> & { repository: { name: string; default_branch: string } };
    edited.repository.name = ".github";
    edited.repository.default_branch = "next";

    const webhook = await replica(prefix, { takeWork: false });
    // The webhook only queues the task: it asks GitHub nothing, so cannot fail on its answer.
    await webhook.deliver("e1", edited, "repository");
    expect(github.requests.filter((r) => r.path.includes("/branches/"))).toEqual([]);
    expect(await webhook.queue.depth()).toMatchObject({ waiting: 1 });
    await replica(prefix, { lockMs: 30_000 });
    await waitFor(
      () => github.finalCheckRuns().some((c) => c.repo === "infra" && c.status === "completed"),
      15_000,
      "the open pull request checked again",
    );
    expect(github.finalCheckRuns().map((c) => [c.repo, c.name, c.head_sha, c.conclusion])).toEqual([
      [".github", "Tollgate policies", next, "success"],
      ["infra", "Tollgate", HEAD_SHA, "success"],
    ]);
    expect(outage.isDone()).toBe(true);
  });

  it("puts a waiting run over a head's green one as soon as a re-check is queued, and completes that run", async () => {
    const prefix = `app${++prefixes}`;
    const RETARGETED = "5".repeat(40);
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const infra = {
      commits: {
        [DEFAULT_BRANCH]: { "main.tf": main },
        [BASE_SHA]: { "main.tf": main },
        [RETARGETED]: { "main.tf": main },
        [HEAD_SHA]: { "main.tf": main },
      },
      pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
      pullFiles: [{ filename: "main.tf", status: "modified" as const, patch: "@@ -1 +1 @@" }],
    };
    const github = mockOrganization({ infra });
    const first = await replica(prefix);
    await first.deliver("d1", pullRequestPayload("synchronize"));
    await waitFor(
      () => github.finalCheckRuns().some((c) => c.conclusion === "success"),
      15_000,
      "the first check to pass",
    );
    await first.queue.drain();
    queues.splice(queues.indexOf(first.queue), 1);
    // The pull request is re-pointed at another base: no worker takes the job for now.
    infra.pulls = [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: RETARGETED } }];
    const webhook = await replica(prefix, { takeWork: false });
    const retargeted = pullRequestPayload("opened") as { pull_request: { base: { sha: string } } };
    retargeted.pull_request.base.sha = RETARGETED;
    await webhook.deliver("d2", {
      ...(retargeted as unknown as Record<string, unknown>),
      action: "edited",
      changes: { base: { ref: { from: "develop" }, sha: { from: BASE_SHA } } },
    });
    const runs = () =>
      github.finalCheckRuns().map((c) => [c.id, c.status, c.conclusion ?? null, c.head_sha]);
    expect(runs()).toEqual([
      [900, "completed", "success", HEAD_SHA],
      [901, "queued", null, HEAD_SHA],
    ]);
    expect(github.finalCheckRuns()[1]).toMatchObject({
      output: {
        title: "Waiting to scan…",
        summary: `Waiting to scan pull request #12 at ${HEAD_SHA.slice(0, 7)} against ${RETARGETED.slice(0, 7)}.`,
      },
    });
    await replica(prefix);
    await waitFor(
      () => github.finalCheckRuns().every((c) => c.status === "completed"),
      15_000,
      "the waiting run to complete",
    );
    expect(runs()).toEqual([
      [900, "completed", "success", HEAD_SHA],
      [901, "completed", "success", HEAD_SHA],
    ]);
    // The waiting run's creation is one GitHub's REST description allows.
    const rest = github.requests.filter((r) => r.path !== "/graphql");
    expect(rest.flatMap(contractProblems)).toEqual([]);
  });

  it("completes the run a replica killed between creating it and recording it had made, and makes no second one", async () => {
    const prefix = `app${++prefixes}`;
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const github = mockOrganization({
      infra: {
        commits: {
          [DEFAULT_BRANCH]: { "main.tf": main },
          [BASE_SHA]: { "main.tf": main },
          [HEAD_SHA]: { "main.tf": main },
        },
        pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@" }],
      },
    });
    const script = fileURLToPath(new URL("./crashingReplica.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", script, redis.url, prefix, "unrecorded"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(() => output.includes("ready"), 20_000, "the child replica to start");
      const webhook = await replica(prefix, { takeWork: false });
      // A job stored as an earlier version stored every check: its worker creates the run (a
      // webhook now creates it before the job waits, whose id the job then carries).
      const stored: CheckJobPayload = {
        deliveryId: "d1",
        installationId: INSTALLATION,
        target: {
          owner: "acme",
          repo: "infra",
          pullNumber: 12,
          headSha: HEAD_SHA,
          baseSha: BASE_SHA,
        },
        acceptedAt: Date.now(),
      };
      const noWork = async () => undefined;
      expect(
        await webhook.queue.enqueue({
          deliveryId: "d1",
          pullKey: "acme/infra#12",
          headSha: HEAD_SHA,
          payload: stored,
          run: noWork,
          cancel: noWork,
        }),
      ).toBe("queued");
      await waitFor(() => output.includes("started"), 10_000, "the child to take the job");
      // The run the child's attempt created, as GitHub got it, before the child could record it.
      const created = await fetch("https://api.github.com/repos/acme/infra/check-runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "Tollgate",
          head_sha: HEAD_SHA,
          status: "in_progress",
          external_id: "12@d1",
          output: { title: "Scanning…", summary: "Scanning pull request #12." },
        }),
      });
      expect(created.status).toBe(201);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const worker = await replica(prefix);
    await waitFor(
      () => github.finalCheckRuns().some((c) => c.status === "completed"),
      20_000,
      "the stalled job to complete a run",
    );
    await waitFor(async () => (await worker.queue.depth()).running === 0, 5000, "an idle queue");
    expect(github.finalCheckRuns().map((c) => [c.id, c.status, c.conclusion])).toEqual([
      [900, "completed", "success"],
    ]);
  });

  it("does not look for runs left in progress at start: the queue retries a dead replica's jobs", async () => {
    const prefix = `app${++prefixes}`;
    const github = mockGitHub(repository());
    let listed = 0;
    nock("https://api.github.com")
      .get("/app/installations")
      .query(true)
      .reply(() => {
        listed += 1;
        return [200, []];
      });
    const started = await replica(prefix, {}, { settleLeftRuns: { afterMs: 0 } });
    // A check runs to its end meanwhile: the look would have been asked for before it.
    await started.deliver("d1", pullRequestPayload("synchronize"));
    await waitFor(
      () => github.updates().some((u) => u.status === "completed"),
      15_000,
      "a completed check run",
    );
    expect(listed).toBe(0);
  });

  it("completes, once the installation is unsuspended, the run a suspension left in progress, in another replica", async () => {
    const prefix = `app${++prefixes}`;
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const github = mockOrganization({
      infra: {
        commits: {
          [DEFAULT_BRANCH]: { "main.tf": main },
          [BASE_SHA]: { "main.tf": main },
          [HEAD_SHA]: { "main.tf": main },
        },
        pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@" }],
      },
    });
    github.suspended = true;
    const suspended = await replica(prefix, { attempts: 1 });
    await suspended.deliver("d1", pullRequestPayload("synchronize"));
    await waitFor(async () => (await suspended.queue.depth()).failed === 1, 15_000, "a failed job");
    expect(github.finalCheckRuns()).toMatchObject([{ id: 900, status: "queued" }]);
    github.suspended = false;
    const webhook = await replica(prefix, { takeWork: false });
    await webhook.deliver("u1", installationPayload("unsuspend"), "installation");
    await waitFor(
      () => github.finalCheckRuns().some((c) => c.status === "completed"),
      15_000,
      "the run left in progress to complete",
    );
    expect(github.finalCheckRuns().map((c) => [c.repo, c.id, c.status, c.conclusion])).toEqual([
      ["infra", 900, "completed", "success"],
    ]);
  });

  it("completes as cancelled a run the suspension left on a commit no pull request heads now, noted by a replica since stopped", async () => {
    const prefix = `app${++prefixes}`;
    const NEWER = "9".repeat(40);
    const main = 'resource "aws_s3_bucket" "owned" {\n  bucket = "acme-owned"\n}\n';
    const repositories = {
      infra: {
        commits: {
          [DEFAULT_BRANCH]: { "main.tf": main },
          [BASE_SHA]: { "main.tf": main },
          [HEAD_SHA]: { "main.tf": main },
          [NEWER]: { "main.tf": main },
        },
        pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
        pullFiles: [{ filename: "main.tf", status: "modified" as const, patch: "@@ -1 +1 @@" }],
      },
    };
    const github = mockOrganization(repositories);
    github.suspended = true;
    const noting = await replica(prefix, { attempts: 1 });
    await noting.deliver("d1", pullRequestPayload("synchronize"));
    await waitFor(async () => (await noting.queue.depth()).failed === 1, 15_000, "a failed job");
    // Stopped (scaled down, restarted); meanwhile a push moved the pull request on, unheard.
    await noting.queue.drain();
    queues.splice(queues.indexOf(noting.queue), 1);
    repositories.infra.pulls = [{ number: 12, head: { sha: NEWER }, base: { sha: BASE_SHA } }];
    github.suspended = false;
    const webhook = await replica(prefix, { takeWork: false });
    await replica(prefix);
    await webhook.deliver("u1", installationPayload("unsuspend"), "installation");
    await waitFor(
      () => github.finalCheckRuns().filter((c) => c.status === "completed").length === 2,
      15_000,
      "the run left in progress and the new head's to complete",
    );
    expect(
      github
        .finalCheckRuns()
        .map((c) => [c.id, c.head_sha, c.conclusion, (c.output as { title: string }).title]),
    ).toEqual([
      [900, HEAD_SHA, "cancelled", `Not scanned: ${LEFT_RUN_REASON}`],
      [901, NEWER, "success", "No new findings"],
    ]);
  });
});
