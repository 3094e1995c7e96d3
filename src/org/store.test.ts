import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../test/app/fakeGitHub.js";
import { OWNER_TAG_RULE, WITH_COMPARISON_MODULE } from "../../test/support/customRules.js";
import { defaultSettings } from "../config/index.js";
import type { GitHubApi } from "../github/index.js";
import { planPush } from "./push.js";
import { OrgPolicies } from "./store.js";

const GOOD = "a".repeat(40);
const RENAMED = "b".repeat(40);
const BROKEN = "c".repeat(40);
const WARNED = "d".repeat(40);
const folder = "tollgate/policies";
const organization = { owner: "acme", repo: ".github" };

const github = new FakeGitHub({
  commits: {
    [GOOD]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE, "README.md": "not a policy" },
    [RENAMED]: { [`${folder}/nested/owner.rego`]: OWNER_TAG_RULE },
    [BROKEN]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE.replace("some r in", "some r in in") },
    [WARNED]: {
      [`${folder}/owner.rego`]: OWNER_TAG_RULE,
      [`${folder}/checks.rego`]: WITH_COMPARISON_MODULE,
    },
  },
  pullFiles: [],
});
let api: GitHubApi;

beforeAll(async () => {
  api = github.client(await github.start());
});
afterAll(() => github.stop());

describe("OrgPolicies", () => {
  it("compiles a folder once per content hash and reads no blob on a cache hit", async () => {
    const policies = new OrgPolicies();
    const first = await policies.resolve(api, organization, folder, GOOD, []);
    expect(first.outcome.ok).toBe(true);
    const blobReads = github.countOf("graphql") + github.countOf("git.getBlob");
    const again = await policies.resolve(api, organization, folder, GOOD, []);
    expect(again.outcome).toBe(first.outcome);
    expect(github.countOf("graphql") + github.countOf("git.getBlob")).toBe(blobReads);
    // A moved file is another version: compiled again, though its text is the same.
    const moved = await policies.resolve(api, organization, folder, RENAMED, []);
    expect(moved.outcome).not.toBe(first.outcome);
    expect(policies.cachedVersions).toBe(2);
  });

  it("logs the compiler's warnings once per compile, located, not at each resolve", async () => {
    const logged: { fields: object; message: string }[] = [];
    const policies = new OrgPolicies({
      log: { warn: (fields, message) => logged.push({ fields, message }) },
    });
    const first = await policies.resolve(api, organization, folder, WARNED, []);
    await policies.resolve(api, organization, folder, WARNED, []);
    expect(policies.compiles).toBe(1);
    const located = {
      file: `${folder}/checks.rego`,
      line: 5,
      column: 55,
      code: "rego_with_comparison",
      message: expect.stringContaining("'with input as a == b'"),
    };
    expect(logged).toEqual([
      {
        fields: { repository: "acme/.github", folder, ...located },
        message: "custom policy compiler warning",
      },
    ]);
    expect(first.outcome.ok && first.outcome.policies.warnings).toEqual([
      { ...located, level: "warning" },
    ]);
  });

  it("keeps at most the configured number of versions", async () => {
    const policies = new OrgPolicies({ maxCompiled: 1 });
    await policies.resolve(api, organization, folder, GOOD, []);
    await policies.resolve(api, organization, folder, RENAMED, []);
    expect(policies.cachedVersions).toBe(1);
  });

  it("keeps the last good version of a folder while a newer one does not compile", async () => {
    const policies = new OrgPolicies();
    const unknown = await policies.resolve(api, organization, folder, BROKEN, []);
    expect(unknown.outcome.ok).toBe(false);
    expect(unknown.lastGood).toBeUndefined();
    const good = await policies.resolve(api, organization, folder, GOOD, []);
    const broken = await policies.resolve(api, organization, folder, BROKEN, []);
    expect(broken.outcome.ok).toBe(false);
    expect(broken.lastGood).toBe(good.outcome.ok ? good.outcome.policies : undefined);
  });

  it("never keeps a preview's version as the one in force", async () => {
    const policies = new OrgPolicies();
    await policies.resolve(api, organization, folder, GOOD, [], undefined, false);
    const broken = await policies.resolve(api, organization, folder, BROKEN, []);
    expect(broken.lastGood).toBeUndefined();
  });

  it("adds nothing to a pull request whose settings name no folder", async () => {
    const before = github.requests.length;
    const found = await new OrgPolicies().forPull(
      api,
      { owner: "acme", repo: "infra" },
      defaultSettings,
      [],
    );
    expect(found).toEqual({ ruleSets: [], errors: [], notices: [] });
    expect(github.requests.length).toBe(before);
  });
});

describe("planPush", () => {
  const push = (repo: string, paths: string[], complete = true) => ({ repo, paths, complete });

  it("checks the policies and re-runs the installation for the .github repository", () => {
    expect(planPush(push(".github", [`${folder}/x.rego`]), folder)).toMatchObject({
      checkPolicies: true,
      rerun: "installation",
    });
    // Settings naming no folder are checked too: their own problems are told only there.
    expect(planPush(push(".github", [".github/tollgate.yml"]), undefined)).toMatchObject({
      checkPolicies: true,
      rerun: "installation",
    });
  });

  it("ignores files in the folder that are not policies, and policies outside it", () => {
    expect(
      planPush(
        push(".github", [`${folder}/README.md`, "other/x.rego", `${folder}/fixtures/a.rego`]),
        folder,
      ),
    ).toMatchObject({ checkPolicies: false, rerun: "none" });
  });

  it("re-runs only a repository's own pull requests for its own settings", () => {
    expect(planPush(push("infra", [".github/tollgate.yml"]), undefined)).toMatchObject({
      checkPolicies: false,
      rerun: "repository",
    });
  });

  it("assumes everything changed when the payload may not list every commit", () => {
    expect(planPush(push(".github", ["README.md"], false), folder)).toMatchObject({
      checkPolicies: true,
      rerun: "installation",
      reason: "the push does not tell what changed",
    });
  });
});
