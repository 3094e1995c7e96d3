import { describe, expect, it } from "vitest";
import { installationPayload } from "../../test/app/harness.js";
import type { GitHubApi } from "../github/index.js";
import { ORGANIZATION_PULL_LIMITS, OrgPolicies } from "../org/index.js";
import { installedRequest, recheckInstallation, recheckRequest } from "./recheck.js";
import { handlePush, pushRequest } from "./org.js";
import { pushExample } from "../../test/app/orgHarness.js";

/** GitHub's recorded event, with `name` as the repository added or removed. */
function changed(action: "added" | "removed", name: string) {
  const payload = installationPayload(action, "installation_repositories");
  const field = action === "added" ? "repositories_added" : "repositories_removed";
  payload[field] = (payload[field] as object[]).map((repository) => ({ ...repository, name }));
  return payload;
}

describe("recheckRequest", () => {
  it("asks for a re-check when .github is added to or removed from the installation", () => {
    expect(recheckRequest(changed("added", ".github"))).toEqual({
      kind: "recheck",
      installationId: 4242,
      owner: "acme",
      change: "added",
    });
    expect(recheckRequest(changed("removed", ".github"))).toMatchObject({ change: "removed" });
  });

  it("asks for a check of added repositories' pull requests alone, and ignores removals", () => {
    expect(recheckRequest(installationPayload("added", "installation_repositories"))).toEqual({
      kind: "recheck",
      installationId: 4242,
      owner: "acme",
      change: "repositories-added",
      repositories: ["Space"],
    });
    expect(recheckRequest(changed("removed", "infra"))).toEqual({
      kind: "ignore",
      reason: "no repository was added",
    });
    expect(recheckRequest({ action: "added" })).toMatchObject({ kind: "ignore" });
  });
});

describe("installedRequest", () => {
  it("asks for a check of a new installation's open pull requests, and of nothing else", () => {
    expect(installedRequest(installationPayload("created"))).toEqual({
      kind: "recheck",
      installationId: 4242,
      owner: "acme",
      change: "installed",
    });
    for (const action of ["deleted", "suspend", "unsuspend", "new_permissions_accepted"])
      expect(installedRequest(installationPayload(action))).toMatchObject({ kind: "ignore" });
  });
});

/**
 * An installation of 4 repositories with 80 open pull requests each, answering 1 ms late; listing
 * the pull requests of a `failing` repository answers 502, as GitHub does after the client's retries.
 */
function installation(failing: readonly string[] = []) {
  let inFlight = 0;
  const seen = { mostInFlight: 0 };
  const names = ["repo0", "repo1", "repo2", "repo3"];
  const api = {
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
      // `.github` has no settings file; the `Tollgate policies` check says so.
      repos: {
        getContent: () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 })),
      },
      checks: { create: async () => ({ data: { id: 1 } }) },
      pulls: {
        list: async ({ repo }: { repo: string }) => {
          inFlight += 1;
          seen.mostInFlight = Math.max(seen.mostInFlight, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight -= 1;
          if (failing.includes(repo))
            throw Object.assign(new Error("Server Error"), { status: 502 });
          return {
            data: Array.from({ length: 80 }, (_, n) => ({
              number: n + 1,
              head: { sha: `${repo}-${n}`.padEnd(40, "0") },
              base: { sha: "b".repeat(40) },
              // Minutes count up with the repository and the number: the last repository's newest.
              updated_at: new Date(
                Date.UTC(2026, 10, 1) + (names.indexOf(repo) * 100 + n) * 60_000,
              ).toISOString(),
            })),
          };
        },
      },
    },
  };
  return { api: api as unknown as GitHubApi, seen };
}

describe("recheckInstallation's bounds", () => {
  it("queues every open pull request listed, two repositories at a time: one left out would keep a check made without the new rules", async () => {
    const { api, seen } = installation();
    const queued: string[] = [];
    const logged: object[] = [];
    await recheckInstallation(api, "acme", {
      log: { info: (fields) => logged.push(fields), warn() {}, error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
    });
    expect(ORGANIZATION_PULL_LIMITS).toEqual({ maxRepositories: 1000, concurrency: 2 });
    expect([queued.length, seen.mostInFlight]).toEqual([320, 2]);
    expect(queued).toContain("repo0#1");
    expect(logged).toEqual([
      expect.objectContaining({ repositories: 4, pulls: 320, leftOut: 0, truncated: false }),
    ]);
  });

  it("stops queueing once a newer change supersedes it", async () => {
    const { api } = installation();
    const stop = new AbortController();
    const queued: string[] = [];
    const recheck = recheckInstallation(api, "acme", {
      log: { info() {}, warn() {}, error() {} },
      enqueueCheck: async (pull) => {
        queued.push(`${pull.repo}#${pull.pullNumber}`);
        if (queued.length === 5) stop.abort();
      },
      signal: stop.signal,
    });
    await expect(recheck).rejects.toThrow();
    expect(queued).toHaveLength(5);
  });
});

describe("a push changing the organization's settings", () => {
  it("queues every open pull request listed, as the installation re-check does", async () => {
    const { api, seen } = installation();
    const queued: string[] = [];
    const logged: object[] = [];
    const push = pushRequest({
      ...pushExample(),
      ref: "refs/heads/main",
      repository: { name: ".github", owner: { login: "acme" }, default_branch: "main" },
      commits: [{ added: [], removed: [], modified: [".github/tollgate.yml"] }],
      head_commit: null,
    });
    if (push.kind !== "push") throw new Error(push.reason);
    await handlePush(api, push, {
      customPolicies: new OrgPolicies(),
      reservedRuleIds: [],
      log: { info: (fields) => logged.push(fields), warn() {}, error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
    });
    expect([queued.length, seen.mostInFlight]).toEqual([320, 2]);
    expect(queued).toContain("repo0#1");
    expect(logged).toContainEqual(
      expect.objectContaining({ repositories: 4, pulls: 320, leftOut: 0, truncated: false }),
    );
  });
});

describe("a repository whose open pull requests cannot be listed", () => {
  const pullsOf = (queued: string[], repo: string) =>
    queued.filter((pull) => pull.startsWith(`${repo}#`)).length;

  it("leaves the others queued, and is re-checked on its own later where the queue can", async () => {
    const { api } = installation(["repo1"]);
    const queued: string[] = [];
    const warned: object[] = [];
    const later: string[][] = [];
    await recheckInstallation(api, "acme", {
      log: { info() {}, warn: (fields) => warned.push(fields), error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
      recheckLater: async (repositories) => void later.push(repositories),
    });
    expect(["repo0", "repo1", "repo2", "repo3"].map((repo) => pullsOf(queued, repo))).toEqual([
      80, 0, 80, 80,
    ]);
    expect(later).toEqual([["repo1"]]);
    expect(warned).toEqual([
      { owner: "acme", unlisted: ["repo1: Error: Server Error (HTTP 502)"], retried: true },
    ]);
  });

  it("is logged as not retried in process, where no queue retries", async () => {
    const { api } = installation(["repo1"]);
    const queued: string[] = [];
    const warned: object[] = [];
    await recheckInstallation(api, "acme", {
      log: { info() {}, warn: (fields) => warned.push(fields), error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
    });
    expect(queued).toHaveLength(240);
    expect(warned).toEqual([expect.objectContaining({ retried: false })]);
  });

  it("fails a re-check of named repositories once the others are queued, for the queue to retry it", async () => {
    const { api } = installation(["repo1"]);
    const queued: string[] = [];
    const later: string[][] = [];
    const recheck = recheckInstallation(
      api,
      "acme",
      {
        log: { info() {}, warn() {}, error() {} },
        enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
        recheckLater: async (repositories) => void later.push(repositories),
      },
      ["repo0", "repo1"],
    );
    await expect(recheck).rejects.toThrow(/acme\/repo1 .*could not be listed/);
    expect([pullsOf(queued, "repo0"), pullsOf(queued, "repo1"), later.length]).toEqual([80, 0, 0]);
  });

  it("leaves a push's other repositories queued, and is re-checked on its own later", async () => {
    const { api } = installation(["repo3"]);
    const queued: string[] = [];
    const later: string[][] = [];
    const push = pushRequest({
      ...pushExample(),
      ref: "refs/heads/main",
      repository: { name: ".github", owner: { login: "acme" }, default_branch: "main" },
      commits: [{ added: [], removed: [], modified: [".github/tollgate.yml"] }],
      head_commit: null,
    });
    if (push.kind !== "push") throw new Error(push.reason);
    await handlePush(api, push, {
      customPolicies: new OrgPolicies(),
      reservedRuleIds: [],
      log: { info() {}, warn() {}, error() {} },
      enqueueCheck: async (pull) => queued.push(`${pull.repo}#${pull.pullNumber}`),
      recheckLater: async (repositories) => void later.push(repositories),
    });
    expect([queued.length, pullsOf(queued, "repo3")]).toEqual([240, 0]);
    expect(later).toEqual([["repo3"]]);
  });
});
