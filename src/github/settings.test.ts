import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { contractProblems } from "../../test/app/openapi.js";
import { InstallationSight, LastValidSettings, readGateSettings } from "./index.js";

const API = "https://api.github.com";
const ORG_FILE = "/repos/acme/.github/contents/.github%2Ftollgate.yml";
const REPO_FILE = "/repos/acme/infra-payments/contents/.github%2Ftollgate.yml";
const ORG_HISTORY = "/repos/acme/.github/commits";
const REPO_HISTORY = "/repos/acme/infra-payments/commits";
const sha = (digit: string) => digit.repeat(40);
/** The file's history on the default branch: asked by path, never with a `sha` (a branch). */
const fileHistory = (query: Record<string, unknown>) =>
  query.path === ".github/tollgate.yml" && !("sha" in query);
const atCommit = (commit: string) => (query: Record<string, unknown>) => query.ref === commit;
const target = { owner: "acme", repo: "infra-payments" };

const api = new ProbotOctokit({
  auth: { token: "test-token" },
  retry: { enabled: false },
  throttle: { enabled: false },
});
const file = (text: string) => ({
  type: "file",
  encoding: "base64",
  content: Buffer.from(text).toString("base64"),
});
/** Only requests without `ref`, which GitHub answers from the default branch, are mocked. */
const onDefaultBranch = (query: Record<string, unknown>) => !("ref" in query);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("readGateSettings", () => {
  it("merges the organization's and the repository's files from their default branches", async () => {
    const scope = nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: all\nlocked: [fail_on]\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\nfail_on: new\n"));
    const read = await readGateSettings(api, target);
    expect(scope.isDone()).toBe(true);
    expect(read.settings).toMatchObject({ fail_on: "all", on_error: "neutral" });
    expect(read.repository).toEqual({ name: "infra-payments", topics: [] });
    expect(read.notices).toMatchObject([
      { file: ".github/tollgate.yml", line: 2, column: 1, code: "settings-locked" },
    ]);
  });

  it("asks for topics only when a selector names some", async () => {
    const scope = nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("overrides:\n  - topics: [pci]\n    fail_on: all\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/infra-payments/topics")
      .query(true)
      .reply(200, { names: ["pci", "terraform"] });
    const read = await readGateSettings(api, target);
    expect(scope.isDone()).toBe(true);
    expect(read.settings.fail_on).toBe("all");
    expect(read.repository.topics).toEqual(["pci", "terraform"]);
  });

  it("applies the last valid version of an invalid repository file and reports the error where it is", async () => {
    const scope = nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: new\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: sometimes\n"))
      .get(REPO_HISTORY)
      .query(fileHistory)
      .reply(200, [{ sha: sha("c") }, { sha: sha("b") }, { sha: sha("a") }])
      .get(REPO_FILE)
      .query(atCommit(sha("b")))
      .reply(200, file("fail_on: [all]\n"))
      .get(REPO_FILE)
      .query(atCommit(sha("a")))
      .reply(200, file("fail_on: all\n"));
    const sent: string[] = [];
    scope.on("request", (req: { path: string }) => sent.push(req.path));
    const read = await readGateSettings(api, target);
    expect(scope.isDone()).toBe(true);
    expect(sent.flatMap((path) => contractProblems({ method: "GET", path }))).toEqual([]);
    expect(sent).toContain(
      "/repos/acme/infra-payments/commits?path=.github%2Ftollgate.yml&per_page=6",
    );
    expect(read.settings.fail_on).toBe("all");
    expect(read.notices).toEqual([]);
    expect(read.errors).toMatchObject([
      {
        file: ".github/tollgate.yml",
        line: 1,
        column: 10,
        code: "settings-invalid",
        message: expect.stringMatching(
          /\(invalid settings: the last valid version \(commit aaaaaaa\) applies\)$/,
        ),
      },
    ]);
  });

  it("keeps the organization's last valid settings when its file turns invalid, so a lock still holds", async () => {
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("locked: [everything]\n"))
      .get(ORG_HISTORY)
      .query(fileHistory)
      .reply(200, [{ sha: sha("d") }, { sha: sha("e") }])
      .get(ORG_FILE)
      .query(atCommit(sha("e")))
      .reply(200, file("on_error: block\nlocked: [on_error]\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\n"));
    const read = await readGateSettings(api, target);
    expect(read.settings).toMatchObject({ fail_on: "new", on_error: "block" });
    expect(read.errors).toMatchObject([
      { file: "acme/.github:.github/tollgate.yml", line: 1, column: 10, code: "settings-invalid" },
    ]);
    expect(read.notices).toMatchObject([{ code: "settings-locked" }]);
  });

  it("says so when the history cannot be read", async () => {
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" })
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: [y]\n"))
      .get(REPO_HISTORY)
      .query(fileHistory)
      .reply(403, { message: "Resource not accessible by integration" });
    const read = await readGateSettings(api, target);
    expect(read.settings).toMatchObject({ fail_on: "new", on_error: "block" });
    expect(read.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/its history could not be read: HTTP 403 Resource not accessible/),
    ]);
  });

  it("leaves the repository's file out when the organization's is invalid with no valid version", async () => {
    for (const history of [[{ sha: sha("d") }], [{ sha: sha("d") }, { sha: sha("e") }]]) {
      const scope = nock(API)
        .get(ORG_FILE)
        .query(onDefaultBranch)
        .reply(200, file("fail_on: nwe\nlocked: [enforcement, on_error]\n"))
        .get(ORG_HISTORY)
        .query(fileHistory)
        .reply(200, history)
        .get(ORG_FILE)
        .query(atCommit(sha("e")))
        .optionally()
        .reply(200, file("fail_on: [x]\n"));
      const repositoryFile = nock(API)
        .get(REPO_FILE)
        .query(true)
        .reply(200, file("on_error: neutral\nenforcement:\n  rules:\n    TG-NET-001: off\n"));
      const read = await readGateSettings(api, target);
      expect(scope.isDone()).toBe(true);
      expect(repositoryFile.isDone()).toBe(false);
      nock.cleanAll();
      expect(read.organizationKnown).toBe(false);
      expect(read.settings).toMatchObject({ fail_on: "new", on_error: "block" });
      expect(read.settings.enforcement.rules).toEqual({});
      expect(read.errors.map((e) => e.message)).toEqual([
        expect.stringMatching(
          history.length === 1
            ? /no earlier valid version was found \(it has no earlier version\)/
            : /no earlier valid version was found \(none of the 5 versions/,
        ),
      ]);
      expect(read.notices).toMatchObject([
        {
          file: "acme/.github:.github/tollgate.yml",
          code: "settings-repository-left-out",
          message: expect.stringContaining(
            "this repository's .github/tollgate.yml is left out too",
          ),
        },
      ]);
    }
  });

  it("reads the .github repository's own file once, as the organization's", async () => {
    const scope = nock(API).get(ORG_FILE).query(onDefaultBranch).reply(200, file("fail_on: all\n"));
    const read = await readGateSettings(api, { owner: "acme", repo: ".github" });
    expect(scope.isDone()).toBe(true);
    expect(read.settings.fail_on).toBe("all");
  });

  it("treats an answer other than 404 as an error, never as no settings, and leaves the repository's file out", async () => {
    for (const status of [500, 403]) {
      const scope = nock(API).get(ORG_FILE).query(true).reply(status, { message: "Nope" });
      const read = await readGateSettings(api, target);
      expect(scope.isDone()).toBe(true);
      expect(read.organizationKnown).toBe(false);
      expect(read.settings).toMatchObject({ fail_on: "new", on_error: "block" });
      expect(read.errors).toEqual([
        {
          file: "acme/.github:.github/tollgate.yml",
          line: 1,
          column: 1,
          code: "settings-unreadable",
          message: `could not read the settings: HTTP ${status} Nope; nothing valid is remembered, so the built-in defaults apply alone`,
        },
      ]);
    }
  });

  it("applies the settings this process last read valid while GitHub cannot answer", async () => {
    const remembered = new LastValidSettings();
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: all\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" });
    expect((await readGateSettings(api, target, undefined, remembered)).errors).toEqual([]);
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(502, { message: "Bad Gateway" })
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" });
    const read = await readGateSettings(api, target, undefined, remembered);
    expect(read.organizationKnown).toBe(true);
    expect(read.settings.fail_on).toBe("all");
    expect(read.errors).toMatchObject([
      {
        code: "settings-unreadable",
        message: expect.stringMatching(
          /HTTP 502 .*the last valid settings this app read, at .* apply$/,
        ),
      },
    ]);
  });

  it("applies the settings another replica last read valid, shared beside the queue", async () => {
    const values = new Map<string, unknown>();
    const shared = {
      remember: async (name: string, value: unknown) => void values.set(name, value),
      recall: async (name: string) => values.get(name),
    };
    const [reading, fresh] = [new LastValidSettings(10, shared), new LastValidSettings(10, shared)];
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: all\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\n"));
    expect((await readGateSettings(api, target, undefined, reading)).errors).toEqual([]);
    // Another replica, which never read them, while GitHub cannot answer.
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(502, { message: "Bad Gateway" })
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(503, { message: "Unavailable" });
    const read = await readGateSettings(api, target, undefined, fresh);
    expect(read.organizationKnown).toBe(true);
    expect(read.settings.fail_on).toBe("all");
    expect(read.settings.on_error).toBe("neutral");
    expect(read.errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/HTTP 502 .*the last valid settings this app read, at .* apply$/),
      expect.stringMatching(/HTTP 503 .*the last valid settings this app read, at .* apply$/),
    ]);
    // What a replica's store gives that is no settings file is passed over.
    values.set("settings:acme/.github", { parsed: "nonsense" });
    nock(API).get(ORG_FILE).query(onDefaultBranch).reply(502, { message: "Bad Gateway" });
    const garbled = await readGateSettings(
      api,
      target,
      undefined,
      new LastValidSettings(10, shared),
    );
    expect(garbled.organizationKnown).toBe(false);
  });

  it("forgets a file deleted (404) before GitHub stopped answering, here and on another replica", async () => {
    const values = new Map<string, unknown>();
    const shared = {
      remember: async (name: string, value: unknown) => void values.set(name, value),
      recall: async (name: string) => values.get(name),
    };
    /** Org file served; the repository's answered with `status` (200: a valid file). */
    const serve = (status: number) => {
      const scope = nock(API)
        .get(ORG_FILE)
        .query(onDefaultBranch)
        .reply(200, file("fail_on: all\n"));
      const repository = scope.get(REPO_FILE).query(onDefaultBranch);
      if (status === 200) repository.reply(200, file("on_error: neutral\n"));
      else repository.reply(status, { message: "Nope" });
    };
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    for (const [reading, deleting] of [
      // In one process: read, deleted, then unreadable.
      [new LastValidSettings()].flatMap((one) => [one, one]),
      // One replica read it; another saw it deleted.
      [new LastValidSettings(10, shared), new LastValidSettings(10, shared)],
    ]) {
      serve(200);
      expect((await readGateSettings(api, target, undefined, reading)).settings.on_error).toBe(
        "neutral",
      );
      await pause();
      serve(404);
      expect((await readGateSettings(api, target, undefined, deleting)).errors).toEqual([]);
      await pause();
      serve(503);
      const read = await readGateSettings(api, target, undefined, reading);
      expect(read.organizationKnown).toBe(true);
      expect(read.settings.on_error).not.toBe("neutral");
      expect(read.errors.map((error) => error.message)).toEqual([
        expect.stringMatching(/HTTP 503 .*there was no file, so none applies$/),
      ]);
    }
  });

  it("reads no organization settings from a 404, without an error", async () => {
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" })
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\n"));
    const read = await readGateSettings(api, target);
    expect(read).toMatchObject({ errors: [], notices: [], organizationKnown: true });
    expect(read.settings.on_error).toBe("neutral");
  });
});

describe("readGateSettings with the installation's sight of the .github repository", () => {
  const LISTING = "/installation/repositories";
  const ORG_REPOSITORY = "/repos/acme/.github";
  const onePage = (query: Record<string, unknown>) => query.per_page === "1";
  /** The organization's file answered 404, the repository's served. */
  const organizationNotFound = () =>
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" })
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\n"));
  const listing = (selection: "all" | "selected") => ({
    total_count: 1,
    repository_selection: selection,
    repositories: [{ name: "infra-payments", owner: { login: "acme" } }],
  });

  it("tells a 404 from a .github repository left out of a selection, as a notice naming the fix", async () => {
    const scope = organizationNotFound()
      .get(LISTING)
      .query(onePage)
      .reply(200, listing("selected"))
      .get(ORG_REPOSITORY)
      .reply(404, { message: "Not Found" });
    const read = await readGateSettings(api, target, undefined, undefined, new InstallationSight());
    expect(scope.isDone()).toBe(true);
    expect(read.errors).toEqual([]);
    expect(read.organizationKnown).toBe(true);
    expect(read.settings.on_error).toBe("neutral");
    expect(read.notices).toEqual([
      {
        file: "acme/.github:.github/tollgate.yml",
        line: 1,
        column: 1,
        code: "settings-organization-unseen",
        message:
          "this app is installed on selected repositories of acme and cannot see acme/.github: if it exists, its .github/tollgate.yml and custom policies (enforcement, locks, waivers, custom rules) apply to no repository, and this repository's own file applies without its locks. To apply them, add acme/.github to the installation's repository access (the organization's settings, GitHub Apps, Configure)",
      },
    ]);
    // Nothing is asked when the organization's file is there, nor for .github's own checks.
    const sight = new InstallationSight();
    const unasked = nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: all\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" })
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(404, { message: "Not Found" });
    expect((await readGateSettings(api, target, undefined, undefined, sight)).notices).toEqual([]);
    const own = await readGateSettings(
      api,
      { owner: "acme", repo: ".github" },
      undefined,
      undefined,
      sight,
    );
    expect(own.notices).toEqual([]);
    expect(unasked.isDone()).toBe(true);
  });

  it("reads a 404 as no file when the installation is on all repositories, or sees .github", async () => {
    for (const [selection, repository] of [
      ["all", undefined],
      ["selected", 200],
    ] as const) {
      const scope = organizationNotFound()
        .get(LISTING)
        .query(onePage)
        .reply(200, listing(selection));
      if (repository) scope.get(ORG_REPOSITORY).reply(repository, { name: ".github" });
      const read = await readGateSettings(
        api,
        target,
        undefined,
        undefined,
        new InstallationSight(),
      );
      // Asked (one listing request, and the repository only on a selection), then no notice.
      expect(scope.isDone()).toBe(true);
      expect(read).toMatchObject({ errors: [], notices: [] });
    }
  });

  it("asks again when another replica was told to forget, sharing the queue's Redis", async () => {
    const values = new Map<string, unknown>();
    const shared = {
      remember: async (name: string, value: unknown) => void values.set(name, value),
      recall: async (name: string) => values.get(name),
    };
    let now = 1000;
    const [here, elsewhere] = [0, 1].map(
      () => new InstallationSight(undefined, () => now, undefined, shared),
    );
    const read = () => readGateSettings(api, target, undefined, undefined, here);
    const asked = (selection: "all" | "selected") =>
      organizationNotFound()
        .get(LISTING)
        .query(onePage)
        .reply(200, listing(selection))
        .get(ORG_REPOSITORY)
        .reply(404, { message: "Not Found" });
    asked("selected");
    expect((await read()).notices).toHaveLength(1);
    now += 1000;
    await elsewhere!.forget("acme");
    // Asked again here, within the 5 minutes: now on all repositories.
    const again = asked("all");
    expect((await read()).notices).toEqual([]);
    expect(again.pendingMocks()).toEqual([`GET ${API}:443${ORG_REPOSITORY}`]);
    nock.cleanAll();
    // The new answer is kept as before.
    now += 1000;
    const kept = organizationNotFound();
    expect((await read()).notices).toEqual([]);
    expect(kept.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("asks again after another replica forgot, whatever either replica's clock says", async () => {
    const values = new Map<string, unknown>();
    const shared = {
      remember: async (name: string, value: unknown) => void values.set(name, value),
      recall: async (name: string) => values.get(name),
    };
    let now = 1_000_000;
    const here = new InstallationSight(undefined, () => now, undefined, shared);
    // A replica whose clock runs ten minutes behind this one's.
    const elsewhere = new InstallationSight(undefined, () => now - 600_000, undefined, shared);
    const read = () => readGateSettings(api, target, undefined, undefined, here);
    const asked = (selection: "all" | "selected") =>
      organizationNotFound()
        .get(LISTING)
        .query(onePage)
        .reply(200, listing(selection))
        .get(ORG_REPOSITORY)
        .reply(404, { message: "Not Found" });
    await elsewhere.forget("acme");
    asked("selected");
    expect((await read()).notices).toHaveLength(1);
    now += 1000;
    await elsewhere.forget("acme");
    const again = asked("all");
    expect((await read()).notices).toEqual([]);
    expect(again.pendingMocks()).toEqual([`GET ${API}:443${ORG_REPOSITORY}`]);
    nock.cleanAll();
    // Kept until the next forget, as before.
    const kept = organizationNotFound();
    expect((await read()).notices).toEqual([]);
    expect(kept.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("asks again at the next check when a replica forgot while GitHub was answering", async () => {
    const values = new Map<string, unknown>();
    const shared = {
      remember: async (name: string, value: unknown) => void values.set(name, value),
      recall: async (name: string) => values.get(name),
    };
    const here = new InstallationSight(undefined, undefined, undefined, shared);
    const elsewhere = new InstallationSight(undefined, undefined, undefined, shared);
    const read = () => readGateSettings(api, target, undefined, undefined, here);
    organizationNotFound()
      .get(LISTING)
      .query(onePage)
      .reply(200, async () => {
        // The installation's repositories changed as GitHub answered: this answer is from before.
        await elsewhere.forget("acme");
        return listing("selected");
      })
      .get(ORG_REPOSITORY)
      .reply(404, { message: "Not Found" });
    expect((await read()).notices).toHaveLength(1);
    const again = organizationNotFound().get(LISTING).query(onePage).reply(200, listing("all"));
    expect((await read()).notices).toEqual([]);
    expect(again.isDone()).toBe(true);
  });

  it("keeps an answer 5 minutes per installation, asks again after or once told to forget, and keeps no failure", async () => {
    let now = 0;
    const sight = new InstallationSight(undefined, () => now);
    const read = () => readGateSettings(api, target, undefined, undefined, sight);
    const asked = (selection: "all" | "selected") =>
      organizationNotFound()
        .get(LISTING)
        .query(onePage)
        .reply(200, listing(selection))
        .get(ORG_REPOSITORY)
        .reply(404, { message: "Not Found" });
    asked("selected");
    expect((await read()).notices).toHaveLength(1);
    // Within 5 minutes the settings are read again, the installation not asked.
    now = 5 * 60_000 - 1;
    const kept = organizationNotFound();
    expect((await read()).notices).toHaveLength(1);
    expect(kept.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    // Past them, asked again: now on all repositories.
    now = 5 * 60_000;
    nock.cleanAll();
    const again = asked("all");
    expect((await read()).notices).toEqual([]);
    expect(again.pendingMocks()).toEqual([`GET ${API}:443${ORG_REPOSITORY}`]);
    nock.cleanAll();
    // Told the installation's repositories changed (its webhook events): asked at once.
    await sight.forget("ACME");
    const told = asked("selected");
    expect((await read()).notices).toHaveLength(1);
    expect(told.isDone()).toBe(true);
    // A failed question is no answer: no notice, and asked again at the next 404.
    await sight.forget("acme");
    organizationNotFound().get(LISTING).query(onePage).reply(502, { message: "Bad Gateway" });
    expect(await read()).toMatchObject({ errors: [], notices: [] });
    const retried = asked("selected");
    expect((await read()).notices).toHaveLength(1);
    expect(retried.isDone()).toBe(true);
  });
});
