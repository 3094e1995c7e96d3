import { describe, expect, it } from "vitest";
import type { GitHubApi } from "../github/index.js";
import { InProcessSuspendedRuns } from "../queue/index.js";
import { RESUME_PULL_LIMITS } from "../org/index.js";
import { LEFT_RUN_REASON, resumeInstallation } from "./resume.js";

/**
 * An installation of `repositories` repositories with `pullsEach` open pull requests each; listing
 * those of a `failing` repository answers 502.
 */
function installation(repositories: number, pullsEach: number, failing: readonly string[] = []) {
  let inFlight = 0;
  const seen = { mostInFlight: 0, runListings: 0 };
  const pace = async <T>(answer: T): Promise<T> => {
    inFlight += 1;
    seen.mostInFlight = Math.max(seen.mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight -= 1;
    return answer;
  };
  const names = Array.from({ length: repositories }, (_, i) => `repo${i}`);
  const api = {
    auth: async () => ({ appId: 1 }),
    paginate: {
      iterator: async function* () {
        yield {
          data: names.map((name) => ({
            name,
            owner: { login: "acme" },
            archived: false,
            private: true,
            pushed_at: "2026-11-01T00:00:00Z",
          })),
        };
      },
    },
    rest: {
      apps: { listReposAccessibleToInstallation: () => undefined },
      pulls: {
        list: ({ repo }: { repo: string }) =>
          failing.includes(repo)
            ? Promise.reject(Object.assign(new Error("Server Error"), { status: 502 }))
            : pace({
                data: Array.from({ length: pullsEach }, (_, n) => ({
                  number: n + 1,
                  head: { sha: `${repo}-${n}`.padEnd(40, "0") },
                  base: { sha: "b".repeat(40) },
                  // Minutes count up with the repository and the number: the last repository's newest.
                  updated_at: new Date(
                    Date.UTC(2026, 10, 1) + (names.indexOf(repo) * 100 + n) * 60_000,
                  ).toISOString(),
                })),
              }),
      },
      checks: {
        listForRef: () => {
          seen.runListings += 1;
          return pace({ data: { check_runs: [] } });
        },
      },
    },
  };
  return { api: api as unknown as GitHubApi, seen };
}

describe("resumeInstallation's bounds", () => {
  it("looks at the 300 most recently updated open pull requests, two requests at a time, and logs the rest left out", async () => {
    const { api, seen } = installation(4, 80);
    const queued: string[] = [];
    const logged: object[] = [];
    await resumeInstallation(api, "acme", {
      log: { info: (fields) => logged.push(fields), warn() {}, error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
      cancelRun: async () => undefined,
    });
    expect(RESUME_PULL_LIMITS).toEqual({
      maxRepositories: 1000,
      maxPulls: 300,
      concurrency: 2,
    });
    expect([queued.length, seen.runListings, seen.mostInFlight]).toEqual([300, 300, 2]);
    // The 20 least recently updated are those left out: repo0's first 20.
    expect(queued).not.toContain("repo0#20");
    expect(queued).toContain("repo0#21");
    expect(logged).toEqual([expect.objectContaining({ unchecked: 300, leftOut: 20 })]);
  });
});

describe("resumeInstallation's open pull requests", () => {
  it("looks at the other repositories when one's cannot be listed, and has that one re-checked later", async () => {
    const { api } = installation(3, 2, ["repo1"]);
    const queued: string[] = [];
    const later: string[][] = [];
    await resumeInstallation(api, "acme", {
      log: { info() {}, warn() {}, error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
      cancelRun: async () => undefined,
      recheckLater: async (repositories) => void later.push(repositories),
    });
    expect(queued.sort()).toEqual(["repo0#1", "repo0#2", "repo2#1", "repo2#2"]);
    expect(later).toEqual([["repo1"]]);
  });

  it("checks the others, and on a new run the one whose runs cannot be read, without stranding the noted runs", async () => {
    const { api } = installation(2, 3);
    const rest = (api as unknown as { rest: Record<string, Record<string, unknown>> }).rest;
    // repo0 removed between the listing and the look at its runs.
    rest.checks!.listForRef = async ({ repo }: { repo: string }) => {
      if (repo === "repo0") throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: { check_runs: [] } };
    };
    rest.checks!.get = async () => ({ data: { status: "completed" } });
    const suspended = new InProcessSuspendedRuns();
    await suspended.note({
      owner: "acme",
      repo: "repo1",
      pullNumber: 9,
      headSha: "9".repeat(40),
      baseSha: "b".repeat(40),
      checkRunId: 7,
    });
    const queued: string[] = [];
    const warned: string[] = [];
    const logged: object[] = [];
    await resumeInstallation(api, "acme", {
      log: {
        info: (fields) => logged.push(fields),
        warn: (_, message) => warned.push(message),
        error() {},
      },
      enqueueCheck: async (pull, checkRunId) =>
        queued.push(`${pull.repo}#${pull.pullNumber} ${checkRunId}`),
      cancelRun: async () => undefined,
      suspendedRuns: suspended,
    });
    expect(queued.sort()).toEqual([
      "repo0#1 undefined",
      "repo0#2 undefined",
      "repo0#3 undefined",
      "repo1#1 undefined",
      "repo1#2 undefined",
      "repo1#3 undefined",
    ]);
    expect(warned).toEqual(
      Array(3).fill("could not read a pull request's check runs: checked on a new run"),
    );
    expect(logged).toEqual([expect.objectContaining({ unchecked: 3, unread: 3, complete: 1 })]);
    expect(await suspended.runsOf("acme")).toEqual([]);
  });
});

describe("resumeInstallation's runs left by the suspension", () => {
  it("settles the others when one cannot be read, and keeps every run when the listing fails", async () => {
    const { api } = installation(1, 0);
    const rest = (api as unknown as { rest: Record<string, Record<string, unknown>> }).rest;
    rest.checks!.get = async ({ check_run_id }: { check_run_id: number }) => {
      if (check_run_id === 1) throw Object.assign(new Error("Not Found"), { status: 404 });
      return { data: { status: "in_progress" } };
    };
    rest.pulls!.get = async ({ pull_number }: { pull_number: number }) => ({
      data: {
        number: pull_number,
        state: "open",
        head: { sha: "f".repeat(40) },
        base: { sha: "b".repeat(40), ref: "main" },
      },
    });
    const run = (checkRunId: number) => ({
      owner: "acme",
      repo: "repo0",
      pullNumber: checkRunId,
      headSha: String(checkRunId).repeat(40),
      baseSha: "b".repeat(40),
      checkRunId,
    });
    const suspended = new InProcessSuspendedRuns();
    await suspended.note(run(1));
    await suspended.note(run(2));
    const cancelled: [number, string][] = [];
    const warned: string[] = [];
    const flow = {
      log: { info() {}, warn: (_: object, message: string) => warned.push(message), error() {} },
      enqueueCheck: async () => undefined,
      cancelRun: async (_: unknown, id: number, reason: string) => {
        cancelled.push([id, reason]);
      },
      suspendedRuns: suspended,
    };
    await resumeInstallation(api, "acme", flow);
    expect(cancelled).toEqual([[2, LEFT_RUN_REASON]]);
    expect(warned).toEqual(["could not settle a check run the suspension left in progress"]);
    // A failure before the runs are looked at keeps them for the next unsuspension.
    await suspended.note(run(3));
    // (One repository's pull requests not listed no longer fails it: the repositories' listing does.)
    (api as unknown as { paginate: { iterator: () => AsyncGenerator } }).paginate.iterator =
      async function* () {
        yield* [];
        throw Object.assign(new Error("Service Unavailable"), { status: 503 });
      };
    await expect(resumeInstallation(api, "acme", flow)).rejects.toThrow("Service Unavailable");
    expect((await suspended.runsOf("acme")).map((r) => r.checkRunId)).toEqual([3]);
  });

  it("checks a run's own commit, superseding nothing, when too many open pull requests hide whether one shows it", async () => {
    // 100 open pull requests on each page asked: the look for the commit's gives up.
    const { api } = installation(1, 100);
    const rest = (api as unknown as { rest: Record<string, Record<string, unknown>> }).rest;
    rest.checks!.get = async () => ({ data: { status: "in_progress" } });
    // The noted pull request's head moved on.
    rest.pulls!.get = async ({ pull_number }: { pull_number: number }) => ({
      data: {
        number: pull_number,
        state: "open",
        head: { sha: "f".repeat(40) },
        base: { sha: "b".repeat(40), ref: "main" },
      },
    });
    const left = {
      owner: "acme",
      repo: "repo0",
      pullNumber: 500,
      headSha: "e".repeat(40),
      baseSha: "d".repeat(40),
      checkRunId: 9,
    };
    const suspended = new InProcessSuspendedRuns();
    await suspended.note(left);
    const cancelled: number[] = [];
    const queued: unknown[][] = [];
    await resumeInstallation(api, "acme", {
      log: { info() {}, warn() {}, error() {} },
      enqueueCheck: async (...args) => queued.push(args),
      cancelRun: async (_, id) => {
        cancelled.push(id);
      },
      suspendedRuns: suspended,
    });
    expect(cancelled).toEqual([]);
    const { checkRunId, ...target } = left;
    expect(queued.filter(([, id]) => id === checkRunId)).toEqual([
      [target, checkRunId, { newest: false }],
    ]);
  });
});

describe("resumeInstallation after a restart (leftBefore)", () => {
  it("checks again only heads whose newest run a previous process left in progress, on that run", async () => {
    // repo0's pull requests 1 to 6, whose heads' runs say what happened to each.
    const { api } = installation(1, 6);
    const restart = new Date("2026-11-28T12:00:00Z");
    const before = "2026-11-28T11:59:00Z";
    const since = "2026-11-28T12:00:05Z";
    const run = (id: number, status: string, startedAt: string | null) => ({
      id,
      head_sha: "",
      status,
      conclusion: status === "completed" ? "success" : null,
      started_at: startedAt,
      app: { id: 1 },
      output: { title: "", summary: "" },
    });
    const runsOfPull: Record<number, ReturnType<typeof run>[]> = {
      1: [run(10, "in_progress", before)],
      2: [run(20, "in_progress", since)],
      3: [],
      4: [run(41, "completed", since), run(40, "in_progress", before)],
      5: [run(50, "in_progress", null)],
    };
    const rest = (api as unknown as { rest: Record<string, Record<string, unknown>> }).rest;
    // The fake's pull request n (from 1) has head `repo0-<n - 1>` padded with zeros.
    const pullHeadedBy = (sha: string) =>
      [1, 2, 3, 4, 5, 6].find((n) => `repo0-${n - 1}`.padEnd(40, "0") === sha);
    rest.checks!.listForRef = async ({ ref }: { ref: string }) => {
      const pull = pullHeadedBy(ref) ?? 0;
      if (pull === 6) throw Object.assign(new Error("Server Error"), { status: 502 });
      return {
        data: { check_runs: (runsOfPull[pull] ?? []).map((r) => ({ ...r, head_sha: ref })) },
      };
    };
    const queued: string[] = [];
    const cancelled: number[] = [];
    const warned: string[] = [];
    const logged: object[] = [];
    await resumeInstallation(api, "acme", {
      log: {
        info: (fields) => logged.push(fields),
        warn: (_, message) => warned.push(message),
        error() {},
      },
      enqueueCheck: async (pull, checkRunId) => queued.push(`#${pull.pullNumber} ${checkRunId}`),
      cancelRun: async (_, id) => void cancelled.push(id),
      leftBefore: restart,
    });
    // #1 left before the restart; #5 with no start time, taken as left; #2 is this process's own
    // run; #3 has none; #4's newest is complete (its older open one ends); #6 unread, left as is.
    expect(queued.sort()).toEqual(["#1 10", "#5 50"]);
    expect(cancelled).toEqual([40]);
    expect(warned).toEqual(["could not read a pull request's check runs: left as they are"]);
    expect(logged).toEqual([
      expect.objectContaining({ resumed: 2, running: 1, withoutRun: 1, complete: 1, unread: 1 }),
    ]);
  });
});
