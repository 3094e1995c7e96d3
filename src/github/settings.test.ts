import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readGateSettings } from "./index.js";

const API = "https://api.github.com";
const ORG_FILE = "/repos/acme/.github/contents/.github%2Ftollgate.yml";
const REPO_FILE = "/repos/acme/infra-payments/contents/.github%2Ftollgate.yml";
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

  it("applies the organization's settings without an invalid repository file, saying where it is wrong", async () => {
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: all\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("fail_on: sometimes\n"));
    const read = await readGateSettings(api, target);
    expect(read.settings.fail_on).toBe("all");
    expect(read.notices).toMatchObject([
      {
        file: ".github/tollgate.yml",
        line: 1,
        column: 10,
        code: "settings-invalid",
        message: expect.stringMatching(
          /\(invalid settings: the organization's settings apply without it\)$/,
        ),
      },
    ]);
  });

  it("falls back to the defaults for an invalid organization file, named by its repository", async () => {
    nock(API)
      .get(ORG_FILE)
      .query(onDefaultBranch)
      .reply(200, file("locked: [everything]\n"))
      .get(REPO_FILE)
      .query(onDefaultBranch)
      .reply(200, file("on_error: neutral\n"));
    const read = await readGateSettings(api, target);
    expect(read.settings).toMatchObject({ fail_on: "new", on_error: "neutral" });
    expect(read.notices).toMatchObject([
      { file: "acme/.github:.github/tollgate.yml", line: 1, column: 10, code: "settings-invalid" },
    ]);
  });

  it("reads the .github repository's own file once, as the organization's", async () => {
    const scope = nock(API).get(ORG_FILE).query(onDefaultBranch).reply(200, file("fail_on: all\n"));
    const read = await readGateSettings(api, { owner: "acme", repo: ".github" });
    expect(scope.isDone()).toBe(true);
    expect(read.settings.fail_on).toBe("all");
  });

  it("fails rather than guess when GitHub answers with an error other than 404", async () => {
    nock(API).get(ORG_FILE).query(true).reply(500, { message: "Server Error" });
    await expect(readGateSettings(api, target)).rejects.toMatchObject({ status: 500 });
  });
});
