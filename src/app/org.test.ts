import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { examplePayload, installationPayload, recordedExample } from "../../test/app/harness.js";
import { contractProblems, type RecordedRequest } from "../../test/app/openapi.js";
import {
  DEFAULT_BRANCH,
  mockOrganization,
  orgTestApp,
  pushExample,
  type OrgRepository,
} from "../../test/app/orgHarness.js";
import { createEngine } from "../engine/index.js";
import type { ScanEngine } from "../engine/types.js";
import { randomBytes } from "node:crypto";
import { cacheKeyOf, DiskCompiledStore, listOpenPulls, OrgPolicies } from "../org/index.js";
import { pushRequest } from "./org.js";
import { LEFT_RUN_REASON, STALE_RUN_REASON } from "./resume.js";
import { OWNER_TAG_RULE, WITH_COMPARISON_MODULE } from "../../test/support/customRules.js";

const sha = (digit: string) => digit.repeat(40);
const INFRA_BASE = sha("1");
const INFRA_HEAD = sha("2");
const WEB_BASE = sha("3");
const WEB_HEAD = sha("4");
const ORG_PUSH = sha("5");
const ORG_BROKEN = sha("6");

const RULE_PATH = "tollgate/policies/owner_tag.rego";
const ORG_SETTINGS = "policies: {}\n";
const BROKEN_RULE = OWNER_TAG_RULE.replace("some r in input.resources", "some r in in");

const OWNED = [
  'resource "aws_s3_bucket" "owned" {',
  '  bucket = "acme-owned"',
  '  tags = { owner = "platform" }',
  "}",
  "",
].join("\n");
const UNOWNED = `${OWNED}\nresource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n`;
const mainTfChange = [
  { filename: "main.tf", status: "modified" as const, patch: "@@ -5,0 +6,4 @@" },
];

function organization(orgFiles: Record<string, string>, extra: Record<string, string> = {}) {
  const repositories: Record<string, OrgRepository> = {
    ".github": {
      commits: {
        [DEFAULT_BRANCH]: orgFiles,
        [ORG_PUSH]: orgFiles,
        [ORG_BROKEN]: { ...orgFiles, [RULE_PATH]: BROKEN_RULE },
      },
    },
    infra: {
      commits: {
        [DEFAULT_BRANCH]: { "main.tf": OWNED, ...extra },
        [INFRA_BASE]: { "main.tf": OWNED },
        [INFRA_HEAD]: { "main.tf": UNOWNED },
      },
      pulls: [{ number: 12, head: { sha: INFRA_HEAD }, base: { sha: INFRA_BASE } }],
      pullFiles: mainTfChange,
    },
    web: {
      commits: {
        [DEFAULT_BRANCH]: { "main.tf": OWNED },
        [WEB_BASE]: { "main.tf": OWNED },
        [WEB_HEAD]: { "main.tf": OWNED },
      },
      pulls: [{ number: 7, head: { sha: WEB_HEAD }, base: { sha: WEB_BASE } }],
      pullFiles: mainTfChange,
    },
  };
  return repositories;
}

function pullRequestPayload(repo: string, number: number, head: string, base: string) {
  const payload = examplePayload("pull_request", "opened") as Record<string, unknown> & {
    repository: { name: string };
    pull_request: { number: number; head: { sha: string }; base: { sha: string } };
  };
  payload.repository.name = repo;
  payload.pull_request.number = number;
  payload.pull_request.head.sha = head;
  payload.pull_request.base.sha = base;
  return payload;
}

function pushPayload(repo: string, after: string, modified: string[]) {
  const payload = pushExample() as Record<string, unknown> & {
    repository: { name: string; default_branch: string };
    commits: { added: string[]; removed: string[]; modified: string[] }[];
  };
  payload.repository.name = repo;
  payload.repository.default_branch = DEFAULT_BRANCH;
  payload.ref = `refs/heads/${DEFAULT_BRANCH}`;
  payload.after = after;
  payload.commits = [{ ...payload.commits[0], added: [], removed: [], modified }];
  payload.head_commit = payload.commits[0];
  return payload;
}

let engine: ScanEngine;
let policyDir: string;
const everyRequest: RecordedRequest[] = [];

beforeAll(async () => {
  nock.disableNetConnect();
  // A one-rule built-in library: the real engine, compiled in a second instead of the whole library.
  policyDir = await mkdtemp(path.join(tmpdir(), "tollgate-org-test-"));
  await mkdir(path.join(policyDir, "builtin"));
  await writeFile(
    path.join(policyDir, "builtin", "policy.rego"),
    OWNER_TAG_RULE.replace("ACME-TAG-001", "TG-TEST-001")
      .replace("acme.owner_tag", "test.never")
      .replace('r.type == "aws_s3_bucket"', 'r.type == "no_such_type"'),
  );
  engine = await createEngine({ policyDir });
  // A custom folder compiles with the built-in helpers (policy/library.ts).
}, 60_000);
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await rm(policyDir, { recursive: true, force: true });
});

async function deliver(
  repositories: Record<string, OrgRepository>,
  events: [string, Record<string, unknown>][],
  policies = new OrgPolicies(),
) {
  nock.cleanAll();
  const github = mockOrganization(repositories);
  const app = await orgTestApp(engine, policies);
  for (const [name, payload] of events) await app.deliver(name, payload);
  everyRequest.push(...github.requests);
  expect(app.failures).toEqual([]);
  return github;
}

describe("custom policies on a pull request", () => {
  it("report the organization's custom rule findings through the same diff and gate", async () => {
    const github = await deliver(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
    );
    const [check] = github.finalCheckRuns();
    expect(check).toMatchObject({ repo: "infra", name: "Tollgate", conclusion: "failure" });
    expect(JSON.stringify(check)).toContain("ACME-TAG-001");
    expect(JSON.stringify(check)).toContain("aws_s3_bucket.logs");
    // The organization's policies are read at its default branch, never at a commit of the PR.
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toContain(
      "GET /repos/acme/.github/git/trees/main?recursive=1",
    );
  });

  it("leave the organization file's unknown rule ids and stray waivers to the .github repository's check", async () => {
    const settings = [
      "policies: {}",
      "locked: [enforcement.rules.ACME-TAG-01]",
      "enforcement:",
      "  rules:",
      "    ACME-TAG-001: advisory",
      "    TG-TEST-01: blocking",
      "waivers:",
      "  - rule: ACME-TAG-001",
      "    resource: aws_s3_bucket.elsewhere",
      "    reason: written for another repository",
      "  - rule: ACME-TAG-001",
      "    repositories: [infr]",
      "    reason: misspelt repository",
      "",
    ].join("\n");
    const github = await deliver(
      organization({ ".github/tollgate.yml": settings, [RULE_PATH]: OWNER_TAG_RULE }),
      [
        ["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)],
        ["push", pushPayload(".github", ORG_PUSH, [".github/tollgate.yml"])],
      ],
    );
    const checks = github.finalCheckRuns() as unknown as {
      repo: string;
      name: string;
      conclusion: string;
      output: { title: string; summary: string; annotations?: unknown[] };
    }[];
    // infra's pull request: its finding, and nothing it cannot act on.
    const infra = checks.find((c) => c.repo === "infra" && c.name === "Tollgate");
    expect(infra).toMatchObject({ conclusion: "success" });
    expect(infra?.output.summary).toContain("ACME-TAG-001");
    expect(infra?.output.summary).not.toContain("tollgate.yml:");
    // The .github repository's check: each problem at its line.
    const policies = checks.find((c) => c.name === "Tollgate policies");
    expect(policies).toMatchObject({
      conclusion: "success",
      output: { title: "1 custom rule loaded, 3 settings notices" },
    });
    expect(policies?.output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/tollgate.yml",
        start_line: 2,
        annotation_level: "warning",
        title: "settings-unknown-rule",
        message: expect.stringContaining("(did you mean ACME-TAG-001?)"),
      }),
      expect.objectContaining({ start_line: 6, title: "settings-unknown-rule" }),
      expect.objectContaining({
        start_line: 12,
        title: "settings-unmatched-repository",
        message:
          "waivers[1].repositories: 'infr' matches no repository this app is installed on (did you mean infra?), so this waiver applies to no repository",
      }),
    ]);
  });

  /** The rule made to loop over 100^5 combinations, far past any test's deadline. */
  const spinning = (rule: string) => {
    const hundred = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    return rule.replace(
      "\tnot r.config.tags.owner\n",
      `\tn := ${hundred}\n\tsome a in n\n\tsome b in n\n\tsome c in n\n\tsome d in n\n\tsome e in n\n\ta + b + c + d + e < 0\n`,
    );
  };

  it("end a hostile custom rule as a located error on the check, not a hang", async () => {
    const spin = spinning(OWNER_TAG_RULE);
    const github = await deliver(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: spin }),
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
      new OrgPolicies({ bounds: { timeoutMs: 300, maxMemoryPages: 512, totalMs: 5_000 } }),
    );
    const [check] = github.finalCheckRuns();
    expect(check).toMatchObject({ conclusion: "failure" });
    const summary = JSON.stringify(check);
    expect(summary).toContain("eval_timeout");
    expect(summary).toContain(`acme/.github:${RULE_PATH}`);
  });

  it("read the data files of the organization's and a repository's policy folders as the rules' data", async () => {
    // The rule exempts the buckets its folder's data names: acme-logs, the one without an owner.
    const exempting = (id: string, at: string) =>
      OWNER_TAG_RULE.replace("ACME-TAG-001", id)
        .replace("acme.owner_tag", `acme.${id.toLowerCase().replaceAll("-", "_")}`)
        .replace(
          "\tnot r.config.tags.owner",
          `\tnot r.config.tags.owner\n\tnot r.config.bucket in ${at}`,
        );
    const github = await deliver(
      organization(
        {
          ".github/tollgate.yml": "policies: { allow_repository_policies: true }\n",
          [RULE_PATH]: exempting("ACME-TAG-001", "data.acme.exempt"),
          "tollgate/policies/acme/data.json": '{"exempt": ["acme-logs"]}',
        },
        {
          ".github/tollgate.yml": "policies: { path: rules }\n",
          "rules/own.rego": exempting("INFRA-TAG-001", "data.infra.exempt"),
          "rules/infra/data.yaml": "exempt:\n  - acme-logs\n",
        },
      ),
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
    );
    const [check] = github.finalCheckRuns();
    expect(check).toMatchObject({ repo: "infra", conclusion: "success" });
    expect(JSON.stringify(check)).not.toMatch(/ACME-TAG-001|INFRA-TAG-001/);
  });

  it("bound a repository's own rules, read from its default branch, as the organization's", async () => {
    const spin = spinning(OWNER_TAG_RULE.replace("ACME-TAG-001", "INFRA-SPIN-001"));
    const github = await deliver(
      organization(
        { ".github/tollgate.yml": "policies: { allow_repository_policies: true }\n" },
        { ".github/tollgate.yml": "policies: { path: rules }\n", "rules/spin.rego": spin },
      ),
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
      new OrgPolicies({ bounds: { timeoutMs: 300, maxMemoryPages: 512, totalMs: 5_000 } }),
    );
    const [check] = github.finalCheckRuns() as unknown as {
      conclusion: string;
      output: { summary: string };
    }[];
    expect(check).toMatchObject({ conclusion: "failure" });
    expect(check?.output.summary).toMatch(
      /`rules\/spin\.rego:1:1: custom rule INFRA-SPIN-001 \(acme\/infra:rules\): evaluation of \S+ exceeded 300 ms and was stopped \(eval_timeout\)`/,
    );
  });
});

/**
 * App instances that share one compiled-policy folder under `policyDir` (as a restart or another
 * replica on the host would), and the store's warnings.
 */
function restartableInstances(folder: string): {
  instance: () => OrgPolicies;
  warnings: unknown[];
} {
  const dir = path.join(policyDir, folder);
  const warnings: unknown[] = [];
  const log = { warn: (fields: object) => warnings.push(fields) };
  const macKey = cacheKeyOf(randomBytes(32));
  return {
    instance: () => new OrgPolicies({ store: new DiskCompiledStore({ dir, macKey, log }) }),
    warnings,
  };
}

describe("compiled custom policies kept beyond the process", () => {
  it("let a second app instance (a restart, another replica) check without compiling", async () => {
    const { instance, warnings } = restartableInstances("compiled");
    const repositories = organization({
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    });
    const pull = pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE);

    const first = instance();
    const before = await deliver(repositories, [["pull_request", pull]], first);
    expect(first.compiles).toBe(1);
    const second = instance();
    const after = await deliver(repositories, [["pull_request", pull]], second);
    expect(second.compiles).toBe(0);
    // The same gate from the stored bundle, and the folder's listing read but not its blobs.
    for (const github of [before, after]) {
      const [check] = github.finalCheckRuns();
      expect(check).toMatchObject({ repo: "infra", conclusion: "failure" });
      expect(JSON.stringify(check)).toContain("ACME-TAG-001");
    }
    const organizationBlobs = (github: typeof before) =>
      github.requests.filter(
        (r) => r.path === "/graphql" || r.path.startsWith("/repos/acme/.github/git/blobs/"),
      ).length;
    expect([organizationBlobs(before), organizationBlobs(after)]).toEqual([1, 0]);
    expect(warnings).toEqual([]);
  });
});

describe("the last good version of custom policies kept beyond the process", () => {
  it("stays in force after a restart while the newest does not compile, reported as before", async () => {
    const { instance, warnings } = restartableInstances("last-good");
    const repositories = organization({
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    });
    await deliver(
      repositories,
      [["push", pushPayload(".github", ORG_PUSH, [RULE_PATH])]],
      instance(),
    );
    const organizationCommits = repositories[".github"]!.commits;
    organizationCommits[DEFAULT_BRANCH] = organizationCommits[ORG_BROKEN]!;

    const restarted = instance();
    const pushed = await deliver(
      repositories,
      [["push", pushPayload(".github", ORG_BROKEN, [RULE_PATH])]],
      restarted,
    );
    const [policyCheck] = pushed.finalCheckRuns().filter((c) => c.name === "Tollgate policies");
    expect(policyCheck).toMatchObject({ head_sha: ORG_BROKEN, conclusion: "failure" });
    expect(JSON.stringify(policyCheck)).toContain(
      "Scans keep using the last version that compiled",
    );

    const pulled = await deliver(
      repositories,
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
      restarted,
    );
    const [check] = pulled.finalCheckRuns();
    expect(check).toMatchObject({ repo: "infra", conclusion: "failure" });
    expect(JSON.stringify(check)).toContain("ACME-TAG-001");
    expect(JSON.stringify(check)).toContain("the last version that compiled applies");
    expect(restarted.compiles).toBe(1);
    expect(warnings).toEqual([]);
  });
});

describe("an installation on selected repositories", () => {
  /** The app on one organization as `arrange` sets its installation; then `events`, in order. */
  async function installed(
    repositories: Record<string, OrgRepository>,
    arrange: (github: ReturnType<typeof mockOrganization>) => void,
  ) {
    nock.cleanAll();
    const github = mockOrganization(repositories);
    arrange(github);
    const app = await orgTestApp(engine, new OrgPolicies());
    const deliver = async (name: string, payload: Record<string, unknown>) => {
      await app.deliver(name, payload);
      expect(app.failures).toEqual([]);
    };
    return { github, deliver };
  }
  const summaries = (github: ReturnType<typeof mockOrganization>) =>
    (github.finalCheckRuns() as unknown as { repo: string; output: { summary: string } }[]).map(
      (check) => [check.repo, check.output.summary] as const,
    );
  const asked = (github: ReturnType<typeof mockOrganization>, path: string) =>
    github.requests.filter((r) => r.method === "GET" && r.path.split("?")[0] === path).length;
  const UNSEEN =
    /acme\/\.github:\.github\/tollgate\.yml:1:1: this app is installed on selected repositories of acme and cannot see acme\/\.github: .* add acme\/\.github to the installation's repository access .*\(settings-organization-unseen\)/;

  it("tells every pull request's check that the organization's .github repository is out of sight", async () => {
    const { github, deliver } = await installed(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      (github) => {
        github.repositorySelection = "selected";
        github.unselected.add(".github");
      },
    );
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    await deliver("pull_request", pullRequestPayload("web", 7, WEB_HEAD, WEB_BASE));
    const checks = summaries(github);
    expect(checks.map(([repo]) => repo)).toEqual(["infra", "web"]);
    for (const [, summary] of checks) expect(summary).toMatch(UNSEEN);
    // The organization's rule, which infra's unowned bucket breaks, applies nowhere: hence the notice.
    expect(JSON.stringify(github.finalCheckRuns())).not.toContain("ACME-TAG-001");
    // Asked once for the installation, not per check.
    expect(asked(github, "/installation/repositories")).toBe(1);
    expect(asked(github, "/repos/acme/.github")).toBe(1);
    everyRequest.push(...github.requests);
  });

  it("says nothing when on all repositories the organization has no .github repository", async () => {
    const repositories = organization({});
    delete repositories[".github"];
    const { github, deliver } = await installed(repositories, (github) => {
      github.repositorySelection = "all";
    });
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    const [[, summary] = ["", ""]] = summaries(github);
    expect(summary).not.toContain("settings-organization-unseen");
    // The 404 was told apart by asking: all repositories, so no .github repository exists.
    expect(asked(github, "/installation/repositories")).toBe(1);
    expect(asked(github, "/repos/acme/.github")).toBe(0);
    everyRequest.push(...github.requests);
  });

  /** GitHub's recorded `installation_repositories` event, with `.github` as what changed. */
  function organizationRepositoryChanged(action: "added" | "removed") {
    const payload = installationPayload(action, "installation_repositories");
    const field = action === "added" ? "repositories_added" : "repositories_removed";
    payload[field] = (payload[field] as object[]).map((repository) => ({
      ...repository,
      name: ".github",
      full_name: "acme/.github",
    }));
    return payload;
  }
  const pullChecks = (github: ReturnType<typeof mockOrganization>) =>
    (
      github.finalCheckRuns() as unknown as {
        repo: string;
        name: string;
        head_sha: string;
        conclusion: string;
        output: { summary: string };
      }[]
    )
      .filter((check) => check.name === "Tollgate")
      .map((check) => ({
        repo: check.repo,
        head: check.head_sha,
        conclusion: check.conclusion,
        unseen: UNSEEN.test(check.output.summary),
        organizationRule: check.output.summary.includes("ACME-TAG-001"),
      }));

  it("asks again once GitHub says the installation's repositories changed", async () => {
    // A .github repository in the selection, without settings: a 404 that means no file.
    const { github, deliver } = await installed(
      organization({ [RULE_PATH]: OWNER_TAG_RULE }),
      (github) => (github.repositorySelection = "selected"),
    );
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    github.unselected.add(".github");
    await deliver("installation_repositories", organizationRepositoryChanged("removed"));
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    const checks = summaries(github);
    // The first check, the removal's re-checks of infra and web, the last check.
    expect(checks.map(([repo]) => repo)).toEqual(["infra", "infra", "web", "infra"]);
    expect(checks[0]?.[1]).not.toContain("settings-organization-unseen");
    // Kept, the first answer (seen) would have held for 5 minutes.
    for (const [, summary] of checks.slice(1)) expect(summary).toMatch(UNSEEN);
    everyRequest.push(...github.requests);
  });

  it("checks every open pull request again once the installation gains the .github repository", async () => {
    const { github, deliver } = await installed(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      (github) => {
        github.repositorySelection = "selected";
        github.unselected.add(".github");
      },
    );
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    await deliver("pull_request", pullRequestPayload("web", 7, WEB_HEAD, WEB_BASE));
    github.unselected.delete(".github");
    await deliver("installation_repositories", organizationRepositoryChanged("added"));
    const checks = pullChecks(github);
    const unseen = { unseen: true, organizationRule: false };
    expect(checks.slice(0, 2)).toEqual([
      { repo: "infra", head: INFRA_HEAD, conclusion: "success", ...unseen },
      { repo: "web", head: WEB_HEAD, conclusion: "success", ...unseen },
    ]);
    // Checked again with the organization's rule, which infra's unowned bucket breaks.
    expect(checks.slice(2).sort((a, b) => a.repo.localeCompare(b.repo))).toEqual([
      {
        repo: "infra",
        head: INFRA_HEAD,
        conclusion: "failure",
        unseen: false,
        organizationRule: true,
      },
      {
        repo: "web",
        head: WEB_HEAD,
        conclusion: "success",
        unseen: false,
        organizationRule: false,
      },
    ]);
    everyRequest.push(...github.requests);
  });

  it("checks them again once the installation loses it", async () => {
    const { github, deliver } = await installed(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      (github) => (github.repositorySelection = "selected"),
    );
    await deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    expect(pullChecks(github)).toHaveLength(1);
    github.unselected.add(".github");
    await deliver("installation_repositories", organizationRepositoryChanged("removed"));
    expect(pullChecks(github).sort((a, b) => a.repo.localeCompare(b.repo))).toEqual([
      {
        repo: "infra",
        head: INFRA_HEAD,
        conclusion: "failure",
        unseen: false,
        organizationRule: true,
      },
      {
        repo: "infra",
        head: INFRA_HEAD,
        conclusion: "success",
        unseen: true,
        organizationRule: false,
      },
      { repo: "web", head: WEB_HEAD, conclusion: "success", unseen: true, organizationRule: false },
    ]);
    everyRequest.push(...github.requests);
  });
});

describe("repositories added to the installation", () => {
  it("get their open pull requests checked, and no other repository's", async () => {
    nock.cleanAll();
    const github = mockOrganization(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
    );
    github.repositorySelection = "selected";
    github.unselected.add("web");
    const app = await orgTestApp(engine, new OrgPolicies());
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    github.unselected.delete("web");
    // GitHub's recorded event, adding web.
    const added = installationPayload("added", "installation_repositories");
    added.repositories_added = (added.repositories_added as object[]).map((repository) => ({
      ...repository,
      name: "web",
      full_name: "acme/web",
    }));
    await app.deliver("installation_repositories", added);
    expect(app.failures).toEqual([]);
    expect(
      github
        .finalCheckRuns()
        .filter((c) => c.name === "Tollgate")
        .map((c) => [c.repo, c.head_sha, c.conclusion]),
    ).toEqual([
      ["infra", INFRA_HEAD, "failure"],
      ["web", WEB_HEAD, "success"],
    ]);
    // Only web's pull requests were listed.
    expect(
      github.requests
        .filter((r) => r.method === "GET" && /\/pulls\?/.test(r.path))
        .map((r) => r.path.split("?")[0]),
    ).toEqual(["/repos/acme/web/pulls"]);
    everyRequest.push(...github.requests);
  });
});

describe("a new installation", () => {
  it("gets the open pull requests of every repository it sees checked", async () => {
    nock.cleanAll();
    const github = mockOrganization(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
    );
    const app = await orgTestApp(engine, new OrgPolicies());
    // GitHub's recorded event (selection "selected", naming Hello-World): the installation's own
    // listing says which repositories it sees.
    await app.deliver("installation", installationPayload("created"));
    expect(app.failures).toEqual([]);
    expect(
      github
        .finalCheckRuns()
        .filter((c) => c.name === "Tollgate")
        .map((c) => [c.repo, c.head_sha, c.status, c.conclusion]),
    ).toEqual([
      ["infra", INFRA_HEAD, "completed", "failure"],
      ["web", WEB_HEAD, "completed", "success"],
    ]);
    // Deleted: nothing to check, nothing asked.
    const before = github.requests.length;
    await app.deliver("installation", installationPayload("deleted"));
    expect(github.requests.slice(before)).toEqual([]);
    everyRequest.push(...github.requests);
  });
});

describe("a new default branch", () => {
  const ORG_NEXT = sha("7");
  /** GitHub's recorded `repository.edited` for a new default branch, of `repo`, now `branch`. */
  function defaultBranchChanged(repo: string, branch: string) {
    const payload = recordedExample(
      "repository",
      (e) => e.action === "edited" && JSON.stringify(e.changes).includes("default_branch"),
    ) as Record<string, unknown> & { repository: { name: string; default_branch: string } };
    payload.repository.name = repo;
    payload.repository.default_branch = branch;
    return payload;
  }
  /** `.github` whose default branch has settings only, and a branch `next` adding a rule. */
  async function beforeTheChange() {
    const repositories = organization({ ".github/tollgate.yml": ORG_SETTINGS });
    const organizationRepository = repositories[".github"]!;
    organizationRepository.commits[ORG_NEXT] = {
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    };
    organizationRepository.branches = { next: ORG_NEXT };
    nock.cleanAll();
    const github = mockOrganization(repositories);
    const app = await orgTestApp(engine, new OrgPolicies());
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    return { github, app };
  }
  const checks = (github: ReturnType<typeof mockOrganization>) =>
    github.finalCheckRuns().map((c) => [c.name, c.repo, c.head_sha, c.conclusion]);

  it("of .github is taken as a push of its head: policies checked there, every open PR again", async () => {
    const { github, app } = await beforeTheChange();
    github.setDefaultBranch(".github", "next");
    await app.deliver("repository", defaultBranchChanged(".github", "next"));
    expect(app.failures).toEqual([]);
    const [first, ...after] = checks(github);
    expect(first).toEqual(["Tollgate", "infra", INFRA_HEAD, "success"]);
    // The rule on the new default branch now judges infra's unowned bucket.
    expect(after).toEqual(
      expect.arrayContaining([
        ["Tollgate policies", ".github", ORG_NEXT, "success"],
        ["Tollgate", "infra", INFRA_HEAD, "failure"],
        ["Tollgate", "web", WEB_HEAD, "success"],
      ]),
    );
    expect(after).toHaveLength(3);
    everyRequest.push(...github.requests);
  });

  it("is looked up only when the edit changed the default branch", async () => {
    const { github, app } = await beforeTheChange();
    await app.deliver("repository", examplePayload("repository", "edited"));
    expect(app.failures).toEqual([]);
    expect(checks(github)).toHaveLength(1);
    expect(github.requests.filter((r) => r.path.includes("/branches/"))).toEqual([]);
  });
});

describe("a push to the organization's .github repository", () => {
  it("checks the policies on the pushed commit and re-runs the open PRs of every repository", async () => {
    const github = await deliver(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["push", pushPayload(".github", ORG_PUSH, [RULE_PATH])]],
    );
    const checks = github.finalCheckRuns();
    expect(checks.find((c) => c.repo === ".github")).toMatchObject({
      name: "Tollgate policies",
      head_sha: ORG_PUSH,
      conclusion: "success",
      output: expect.objectContaining({ title: "1 custom rule loaded" }),
    });
    expect(
      checks
        .filter((c) => c.name === "Tollgate")
        .map((c) => [c.repo, c.head_sha, c.conclusion])
        .sort(),
    ).toEqual([
      ["infra", INFRA_HEAD, "failure"],
      ["web", WEB_HEAD, "success"],
    ]);
  });

  it("annotates compile errors on the commit, and scans keep the last good version", async () => {
    const policies = new OrgPolicies();
    const repositories = organization({
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    });
    const organizationCommits = repositories[".github"]!.commits;
    organizationCommits[DEFAULT_BRANCH] = organizationCommits[ORG_BROKEN]!;
    const github = await deliver(
      repositories,
      [
        ["push", pushPayload(".github", ORG_PUSH, [RULE_PATH])],
        ["push", pushPayload(".github", ORG_BROKEN, [RULE_PATH])],
      ],
      policies,
    );
    const policyChecks = github.finalCheckRuns().filter((c) => c.name === "Tollgate policies");
    expect(policyChecks.map((c) => [c.head_sha, c.conclusion])).toEqual([
      [ORG_PUSH, "success"],
      [ORG_BROKEN, "failure"],
    ]);
    const failed = policyChecks[1] as unknown as {
      output: { annotations: unknown[]; summary: string };
    };
    expect(failed.output.annotations).toEqual([
      expect.objectContaining({
        path: RULE_PATH,
        start_line: 13,
        end_line: 13,
        start_column: expect.any(Number),
        annotation_level: "failure",
      }),
    ]);
    expect(failed.output.summary).toContain("last version that compiled");

    // The default branch now holds the broken rule: the PR is still judged by the good version.
    const again = await deliver(
      repositories,
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
      policies,
    );
    const [check] = again.finalCheckRuns();
    expect(check).toMatchObject({ repo: "infra", conclusion: "failure" });
    expect(JSON.stringify(check)).toContain("ACME-TAG-001");
    expect(JSON.stringify(check)).toContain("do not compile");
  });

  it("annotates the compiler's warnings as warnings, which fail no check, beside compile errors too", async () => {
    const checksPath = "tollgate/policies/checks.rego";
    const github = await deliver(
      organization({
        ".github/tollgate.yml": ORG_SETTINGS,
        [RULE_PATH]: OWNER_TAG_RULE,
        [checksPath]: WITH_COMPARISON_MODULE,
      }),
      [
        ["push", pushPayload(".github", ORG_PUSH, [checksPath])],
        ["push", pushPayload(".github", ORG_BROKEN, [RULE_PATH])],
      ],
    );
    const policyChecks = github.finalCheckRuns().filter((c) => c.name === "Tollgate policies");
    const outputs = policyChecks.map(
      (c) =>
        (c as unknown as { output: { title: string; summary: string; annotations: unknown[] } })
          .output,
    );
    expect(policyChecks.map((c) => [c.head_sha, c.conclusion])).toEqual([
      [ORG_PUSH, "success"],
      [ORG_BROKEN, "failure"],
    ]);
    const warning = {
      path: checksPath,
      start_line: 5,
      end_line: 5,
      start_column: 55,
      end_column: 55,
      annotation_level: "warning",
      title: "rego_with_comparison",
      message: expect.stringContaining("'with input as a == b'"),
    };
    expect(outputs[0]?.title).toBe("1 custom rule loaded, 1 compiler warning");
    expect(outputs[0]?.annotations).toEqual([warning]);
    expect(outputs[0]?.summary).toContain("### ⚠️ Compiler warnings (1)");
    expect(outputs[0]?.summary).toContain(`${checksPath}:5:55: warning: 'with input as a == b'`);
    expect(outputs[1]?.annotations).toEqual([
      expect.objectContaining({ path: RULE_PATH, annotation_level: "failure" }),
      warning,
    ]);
    expect(outputs[1]?.summary).toContain("### ⚠️ Compiler warnings (1)");
  });

  it("checks settings that name no policy folder, telling a waiver's misspelt repository", async () => {
    const settings = "waivers:\n  - rule: TG-TEST-001\n    repositories: [webb]\n    reason: x\n";
    const github = await deliver(organization({ ".github/tollgate.yml": settings }), [
      ["push", pushPayload(".github", ORG_PUSH, [".github/tollgate.yml"])],
    ]);
    const check = github
      .finalCheckRuns()
      .find((c) => c.name === "Tollgate policies") as unknown as {
      conclusion: string;
      output: { title: string; summary: string; annotations: unknown[] };
    };
    expect(check).toMatchObject({
      conclusion: "success",
      output: { title: "No custom policies, 1 settings notice" },
    });
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ start_line: 3, start_column: 20, annotation_level: "warning" }),
    ]);
    expect(check.output.summary).toContain(
      "- `.github/tollgate.yml:3:20: waivers[0].repositories: 'webb' matches no repository this app is installed on (did you mean web?), so this waiver applies to no repository (settings-unmatched-repository)`",
    );
  });

  it("lists the installation's repositories once, judging overrides' topics like names", async () => {
    const settings = [
      "overrides:",
      "  - topics: [pcii]",
      "    fail_on: all",
      "  - repositories: [infar]",
      "    fail_on: all",
      "",
    ].join("\n");
    const repositories = organization({ ".github/tollgate.yml": settings });
    repositories.infra!.topics = ["pci"];
    const github = await deliver(repositories, [
      ["push", pushPayload(".github", ORG_PUSH, [".github/tollgate.yml"])],
    ]);
    const check = github
      .finalCheckRuns()
      .find((c) => c.name === "Tollgate policies") as unknown as {
      output: { title: string; annotations: unknown[] };
    };
    expect(check.output.title).toBe("No custom policies, 2 settings notices");
    expect(check.output.annotations).toEqual([
      expect.objectContaining({
        start_line: 2,
        start_column: 14,
        title: "settings-unmatched-topic",
        message:
          "overrides[0].topics: 'pcii' is a topic of no repository this app is installed on (did you mean pci?), so this override applies to no repository",
      }),
      expect.objectContaining({ start_line: 4, title: "settings-unmatched-repository" }),
    ]);
    expect(github.requests.filter((r) => r.path.startsWith("/installation/repositories"))).toEqual([
      expect.objectContaining({ method: "GET" }),
    ]);
    expect(github.finalCheckRuns().filter((c) => c.name === "Tollgate")).toHaveLength(2);
  });

  it("publishes the check and re-runs the open PRs when the repositories cannot be listed for its notices", async () => {
    const settings = [
      "enforcement:",
      "  rules:",
      "    TG-TEST-01: advisory",
      "waivers:",
      "  - rule: TG-TEST-001",
      "    repositories: [webb]",
      "    reason: x",
      "",
    ].join("\n");
    nock.cleanAll();
    const github = mockOrganization(organization({ ".github/tollgate.yml": settings }));
    github.failingListings = 1;
    const app = await orgTestApp(engine, new OrgPolicies());
    await app.deliver("push", pushPayload(".github", ORG_PUSH, [".github/tollgate.yml"]));
    everyRequest.push(...github.requests);
    expect(app.failures).toEqual([]);
    const check = github
      .finalCheckRuns()
      .find((c) => c.name === "Tollgate policies") as unknown as {
      conclusion: string;
      output: { title: string; summary: string; annotations: unknown[] };
    };
    expect(check).toMatchObject({
      conclusion: "success",
      output: { title: "No custom policies, 1 settings notice, settings not fully checked" },
    });
    // What needs no listing is still told; the misspelt repository waits for the next push.
    expect(check.output.annotations).toEqual([
      expect.objectContaining({ start_line: 3, title: "settings-unknown-rule" }),
    ]);
    expect(check.output.summary).toContain(
      "Not fully checked: the installation's repositories could not be listed (",
    );
    expect(
      github
        .finalCheckRuns()
        .filter((c) => c.name === "Tollgate")
        .map((c) => c.repo)
        .sort(),
    ).toEqual(["infra", "web"]);
  });

  it("suggests no private repository's name on a public .github repository's check", async () => {
    const settings = "waivers:\n  - rule: TG-TEST-001\n    repositories: [webb]\n    reason: x\n";
    const repositories = organization({ ".github/tollgate.yml": settings });
    repositories.web!.private = true;
    const github = await deliver(repositories, [
      ["push", pushPayload(".github", ORG_PUSH, [".github/tollgate.yml"])],
    ]);
    const check = github.finalCheckRuns().find((c) => c.name === "Tollgate policies");
    expect(JSON.stringify(check)).toContain("'webb' matches no repository");
    expect(JSON.stringify(check)).not.toContain("did you mean");
  });

  it("ignores a push that touches neither settings nor policies", async () => {
    const github = await deliver(
      organization({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["push", pushPayload(".github", ORG_PUSH, ["README.md"])]],
    );
    expect(github.requests).toEqual([]);
  });
});

describe("a push to a repository's own default branch", () => {
  it("re-runs only that repository's open PRs when its settings change", async () => {
    const github = await deliver(
      organization({ ".github/tollgate.yml": "fail_on: new\n" }, { ".github/tollgate.yml": "" }),
      [["push", pushPayload("infra", INFRA_BASE, [".github/tollgate.yml"])]],
    );
    const checks = github.finalCheckRuns();
    expect(checks.map((c) => [c.repo, c.name, c.head_sha])).toEqual([
      ["infra", "Tollgate", INFRA_HEAD],
    ]);
    expect(github.requests.some((r) => r.path.startsWith("/installation/repositories"))).toBe(
      false,
    );
  });
});

describe("a settings change while a pull request's check is running", () => {
  it("checks it again under the new settings instead of keeping the run that read the old ones", async () => {
    nock.cleanAll();
    const github = mockOrganization(
      organization({ ".github/tollgate.yml": "fail_on: new\n" }, { ".github/tollgate.yml": "" }),
    );
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let scanStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (scanStarted = resolve));
    let scans = 0;
    // The first check's scan is held mid-way: it has read the settings of before the push.
    const heldEngine: ScanEngine = {
      ...engine,
      scan: async (files, options) => {
        if (++scans === 1) {
          scanStarted();
          await firstHeld;
        }
        return engine.scan(files, options);
      },
    };
    const app = await orgTestApp(heldEngine, new OrgPolicies());
    await app.send("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    await started;
    await app.send("push", pushPayload("infra", INFRA_BASE, [".github/tollgate.yml"]));
    // The push's task queues the re-check (its run created at once, in process) while it is held.
    for (let waited = 0; github.checkRuns().length < 2 && waited < 10_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    releaseFirst();
    await app.idle();
    everyRequest.push(...github.requests);
    expect(app.failures).toEqual([]);
    const runs = github.finalCheckRuns().filter((c) => c.name === "Tollgate");
    expect(
      runs.map((c) => [c.repo, c.head_sha, c.conclusion, (c.output as { title: string }).title]),
    ).toEqual([
      [
        "infra",
        INFRA_HEAD,
        "cancelled",
        "Not scanned: superseded by a newer scan of this commit (the settings or policies it is checked under changed)",
      ],
      ["infra", INFRA_HEAD, "success", "No new findings"],
    ]);
  });
});

describe("an installation unsuspended", () => {
  it("checks the open pull requests the suspension left in progress or unchecked, on the run left open", async () => {
    nock.cleanAll();
    const github = mockOrganization(organization({ ".github/tollgate.yml": ORG_SETTINGS }));
    const app = await orgTestApp(engine, new OrgPolicies());
    // Suspended mid-scan: GitHub refuses the completion, so the run stays in progress.
    github.suspended = true;
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    expect(github.finalCheckRuns()).toMatchObject([{ repo: "infra", status: "in_progress" }]);
    github.suspended = false;
    const unsuspend = installationPayload("unsuspend");
    await app.deliver("installation", unsuspend);
    // infra#12 completes the run left open; web#7, pushed while GitHub sent nothing, gets one.
    expect(
      github.finalCheckRuns().map((c) => [c.repo, c.id, c.head_sha, c.status, c.conclusion]),
    ).toEqual([
      ["infra", 900, INFRA_HEAD, "completed", "success"],
      ["web", 901, WEB_HEAD, "completed", "success"],
    ]);
    // Heads whose newest run completed are left alone.
    await app.deliver("installation", unsuspend);
    expect(github.checkRuns()).toHaveLength(2);
    expect(app.failures).toEqual([]);
    everyRequest.push(...github.requests);
  });

  it("completes older runs of a head left in progress as cancelled, and checks on the newest", async () => {
    nock.cleanAll();
    const github = mockOrganization(organization({ ".github/tollgate.yml": ORG_SETTINGS }));
    const app = await orgTestApp(engine, new OrgPolicies());
    github.suspended = true;
    // A delivery and GitHub's redelivery of it (its job failed): two runs on the head, both open.
    for (let i = 0; i < 2; i++)
      await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    github.suspended = false;
    await app.deliver("installation", installationPayload("unsuspend"));
    const infra = github
      .finalCheckRuns()
      .filter((c) => c.repo === "infra")
      .map((c) => [c.id, c.status, c.conclusion, (c.output as { title: string }).title]);
    expect(infra).toEqual([
      [900, "completed", "cancelled", `Not scanned: ${STALE_RUN_REASON}`],
      [901, "completed", "success", "No new findings"],
    ]);
    everyRequest.push(...github.requests);
  });
});

describe("an installation unsuspended, runs and repeats", () => {
  it("completes as cancelled a run the suspension left on a commit that no longer heads an open pull request", async () => {
    nock.cleanAll();
    const NEWER = sha("9");
    const repositories = organization({ ".github/tollgate.yml": ORG_SETTINGS });
    repositories.infra!.commits[NEWER] = { "main.tf": UNOWNED };
    const github = mockOrganization(repositories);
    const app = await orgTestApp(engine, new OrgPolicies());
    github.suspended = true;
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    // Pushed while suspended: GitHub sent no webhook, and the old head's run stayed in progress.
    repositories.infra!.pulls = [{ number: 12, head: { sha: NEWER }, base: { sha: INFRA_BASE } }];
    github.suspended = false;
    await app.deliver("installation", installationPayload("unsuspend"));
    const infra = github
      .finalCheckRuns()
      .filter((c) => c.repo === "infra")
      .map((c) => [c.head_sha, c.status, c.conclusion, (c.output as { title: string }).title]);
    expect(infra).toEqual([
      [INFRA_HEAD, "completed", "cancelled", `Not scanned: ${LEFT_RUN_REASON}`],
      [NEWER, "completed", "success", "No new findings"],
    ]);
    // Told once: a second unsuspension finds nothing left to complete.
    await app.deliver("installation", installationPayload("unsuspend"));
    expect(github.checkRuns()).toHaveLength(3);
    expect(app.failures).toEqual([]);
    everyRequest.push(...github.requests);
  });

  it("checks a run the suspension left on its own commit when too many open pull requests hide whether one shows it", async () => {
    nock.cleanAll();
    const NEWER = sha("9");
    const repositories = organization({ ".github/tollgate.yml": ORG_SETTINGS });
    repositories.infra!.commits[NEWER] = { "main.tf": UNOWNED };
    // Every page of the look for the commit's pull request is full of others: it gives up.
    const others = Array.from({ length: 100 }, (_, n) => ({
      number: 1000 + n,
      state: "open",
      head: { sha: sha("8") },
      base: { sha: INFRA_BASE },
    }));
    nock("https://api.github.com")
      .persist()
      .get("/repos/acme/infra/pulls")
      .query((query) => query.page !== undefined)
      .reply(200, others);
    const github = mockOrganization(repositories);
    const app = await orgTestApp(engine, new OrgPolicies());
    github.suspended = true;
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    repositories.infra!.pulls = [{ number: 12, head: { sha: NEWER }, base: { sha: INFRA_BASE } }];
    github.suspended = false;
    await app.deliver("installation", installationPayload("unsuspend"));
    // The left run gets its commit's verdict; the pull request's newer head is checked on its own.
    const infra = github
      .finalCheckRuns()
      .filter((c) => c.repo === "infra")
      .map((c) => [c.head_sha, c.status, c.conclusion]);
    expect(infra).toEqual([
      [INFRA_HEAD, "completed", "success"],
      [NEWER, "completed", "success"],
    ]);
    expect(app.failures).toEqual([]);
  });

  it("looks once when unsuspended again while the first look runs: the newer stops the older", async () => {
    nock.cleanAll();
    const github = mockOrganization(organization({ ".github/tollgate.yml": ORG_SETTINGS }));
    let release: () => void = () => undefined;
    github.repositoriesHeld = new Promise((resolve) => (release = resolve));
    const app = await orgTestApp(engine, new OrgPolicies());
    await app.send("installation", installationPayload("unsuspend"));
    while (!github.requests.some((r) => r.path.startsWith("/installation/repositories")))
      await new Promise((resolve) => setTimeout(resolve, 5));
    await app.send("installation", installationPayload("unsuspend"));
    release();
    await app.idle();
    const pullListings = github.requests.filter((r) =>
      /^\/repos\/acme\/[^/]+\/pulls\?/.test(r.path),
    );
    // One listing per repository (.github, infra, web), by the newer look alone.
    expect(pullListings).toHaveLength(3);
    expect(github.finalCheckRuns().map((c) => [c.repo, c.status, c.conclusion])).toEqual([
      ["infra", "completed", "success"],
      ["web", "completed", "success"],
    ]);
    expect(app.failures).toEqual([]);
  });
});

describe("a restart after a crash, without Redis", () => {
  it("checks again, on the same run, the runs the previous process left in progress, and nothing else", async () => {
    nock.cleanAll();
    const github = mockOrganization(organization({ ".github/tollgate.yml": ORG_SETTINGS }));
    // The process that died: its completion of infra#12's run never reached GitHub.
    const crashed = await orgTestApp(engine, new OrgPolicies());
    github.suspended = true;
    await crashed.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    github.suspended = false;
    expect(github.finalCheckRuns()).toMatchObject([{ id: 900, status: "in_progress" }]);
    // Another installation of the App, suspended (its unsuspension looks), and one whose token
    // GitHub cannot give now: passed over, and logged, without holding back the others.
    github.installations = [
      { id: 9001, account: { login: "broken" }, suspended_at: null },
      { id: 9002, account: { login: "paused" }, suspended_at: "2026-11-27T10:00:00Z" },
      ...github.installations,
    ];
    github.failingTokens.add(9001);
    const before = github.requests.length;
    const restarted = await orgTestApp(engine, new OrgPolicies(), {
      settleLeftRuns: { afterMs: 0 },
    });
    await restarted.idle();
    // infra#12 completed on its run; web#7, which had none, is left to its pull request's events.
    expect(
      github.finalCheckRuns().map((c) => [c.repo, c.id, c.head_sha, c.status, c.conclusion]),
    ).toEqual([["infra", 900, INFRA_HEAD, "completed", "success"]]);
    expect(
      github.requests
        .slice(before)
        .filter((r) => r.method === "POST" && r.path.endsWith("/access_tokens"))
        .map((r) => r.path),
    ).toEqual(["/app/installations/9001/access_tokens", "/app/installations/4242/access_tokens"]);
    expect(restarted.failures).toEqual([]);
    // A second start finds nothing left in progress.
    const again = await orgTestApp(engine, new OrgPolicies(), { settleLeftRuns: { afterMs: 0 } });
    await again.idle();
    expect(github.checkRuns()).toHaveLength(1);
    expect(github.checkRuns()[0]?.bodies.filter((b) => b.status === "completed")).toHaveLength(1);
    everyRequest.push(...github.requests);
  });
});

describe("an installation unsuspended twice at once, with a run the suspension left", () => {
  it("settles the run in the newer look, though the older read it first and was stopped", async () => {
    nock.cleanAll();
    const NEWER = sha("9");
    const repositories = organization({ ".github/tollgate.yml": ORG_SETTINGS });
    repositories.infra!.commits[NEWER] = { "main.tf": UNOWNED };
    const github = mockOrganization(repositories);
    const app = await orgTestApp(engine, new OrgPolicies());
    github.suspended = true;
    await app.deliver("pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE));
    repositories.infra!.pulls = [{ number: 12, head: { sha: NEWER }, base: { sha: INFRA_BASE } }];
    github.suspended = false;
    let release: () => void = () => undefined;
    github.repositoriesHeld = new Promise((resolve) => (release = resolve));
    // The older look takes the noted run, then waits on the repository listing.
    await app.send("installation", installationPayload("unsuspend"));
    while (!github.requests.some((r) => r.path.startsWith("/installation/repositories")))
      await new Promise((resolve) => setTimeout(resolve, 5));
    await app.send("installation", installationPayload("unsuspend"));
    release();
    await app.idle();
    const infra = github
      .finalCheckRuns()
      .filter((c) => c.repo === "infra")
      .map((c) => [c.head_sha, c.status, c.conclusion]);
    expect(infra).toEqual([
      [INFRA_HEAD, "completed", "cancelled"],
      [NEWER, "completed", "success"],
    ]);
    expect(app.failures).toEqual([]);
  });
});

describe("a settings pull request on the .github repository", () => {
  const ORG_PR_HEAD = sha("7");
  const proposing = (files: Record<string, string>) => {
    const repositories = organization({ ".github/tollgate.yml": "fail_on: new\n" });
    const github = repositories[".github"]!;
    github.commits[ORG_PR_HEAD] = files;
    github.pulls = [{ number: 3, head: { sha: ORG_PR_HEAD }, base: { sha: ORG_PUSH } }];
    github.pullFiles = [
      { filename: ".github/tollgate.yml", status: "modified", patch: "@@ -1 +1 @@" },
      { filename: RULE_PATH, status: "added", patch: "@@ -0,0 +1,17 @@" },
    ];
    return repositories;
  };

  it("gets an impact preview naming the open pull request it would newly block", async () => {
    const github = await deliver(
      proposing({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)]],
    );
    const impact = github.finalCheckRuns().find((c) => c.name === "Tollgate impact") as unknown as {
      head_sha: string;
      conclusion: string;
      output: { title: string; summary: string };
    };
    expect(impact).toMatchObject({ head_sha: ORG_PR_HEAD, conclusion: "neutral" });
    expect(impact.output.title).toBe(
      "Would newly block 1, unblock 0; 1 unchanged (2 open pull requests considered)",
    );
    const [blocked, unchanged] = impact.output.summary.split("### Unchanged");
    expect(blocked).toContain("### Would newly block (1)");
    expect(blocked).toContain("acme/infra#12: ACME-TAG-001 on aws\\_s3\\_bucket.logs");
    expect(unchanged).toContain("acme/web#7");
    // Previewing never makes the proposal the version in force: the default branch has no rules.
    const scan = await deliver(
      proposing({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["pull_request", pullRequestPayload("infra", 12, INFRA_HEAD, INFRA_BASE)]],
    );
    expect(scan.finalCheckRuns()).toMatchObject([{ repo: "infra", conclusion: "success" }]);
  });

  it("previews the proposed rule settings, which custom rules read as data.tollgate.settings", async () => {
    const strictRule = OWNER_TAG_RULE.replace(
      '\tr.type == "aws_s3_bucket"',
      '\tr.type == "aws_s3_bucket"\n\tdata.tollgate.settings.s3_require_kms == true',
    );
    const titleFor = async (settings: string) => {
      const github = await deliver(
        proposing({ ".github/tollgate.yml": settings, [RULE_PATH]: strictRule }),
        [["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)]],
      );
      const impact = github.finalCheckRuns().find((c) => c.name === "Tollgate impact");
      return (impact as unknown as { output: { title: string } }).output.title;
    };
    expect(await titleFor(`${ORG_SETTINGS}rule_settings: { s3_require_kms: true }\n`)).toBe(
      "Would newly block 1, unblock 0; 1 unchanged (2 open pull requests considered)",
    );
    expect(await titleFor(ORG_SETTINGS)).toBe(
      "Would newly block 0, unblock 0; 2 unchanged (2 open pull requests considered)",
    );
  });

  it("annotates the proposed settings' own problems on their lines, as a push would", async () => {
    const proposal = [
      "policies: {}",
      "waivers:",
      "  - rule: ACME-TAG-001",
      "    repositories: [webb]",
      "    reason: reviewed",
      "  - rule: ACME-TAG-01",
      "    reason: misspelt",
      "enforcement:",
      "  categories:",
      "    logging: { blocking_from: 2020-01-15 }", // meant as a date ahead
      "",
    ].join("\n");
    const github = await deliver(
      proposing({ ".github/tollgate.yml": proposal, [RULE_PATH]: OWNER_TAG_RULE }),
      [["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)]],
    );
    const impact = github.finalCheckRuns().find((c) => c.name === "Tollgate impact") as unknown as {
      output: { title: string; summary: string; annotations: unknown[] };
    };
    expect(impact.output.title).toBe(
      "Would newly block 1, unblock 0; 1 unchanged (2 open pull requests considered), 3 settings notices",
    );
    expect(impact.output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/tollgate.yml",
        start_line: 4,
        annotation_level: "warning",
        title: "settings-unmatched-repository",
        message: expect.stringContaining("(did you mean web?)"),
      }),
      expect.objectContaining({
        path: ".github/tollgate.yml",
        start_line: 6,
        annotation_level: "warning",
        title: "waiver-unknown-rule",
        message: expect.stringContaining("(did you mean ACME-TAG-001?)"),
      }),
      expect.objectContaining({
        path: ".github/tollgate.yml",
        start_line: 10,
        annotation_level: "warning",
        title: "settings-blocking-from-passed",
        message: expect.stringContaining("so this entry is already in force"),
      }),
    ]);
    expect(impact.output.summary).toContain("### ⚠️ Settings notices (3)");
    expect(github.requests.filter((r) => r.path.startsWith("/installation/repositories"))).toEqual([
      expect.objectContaining({ method: "GET" }),
    ]);
  });

  it("fails the preview with located errors when the proposed policies do not compile, and still tells the settings' notices", async () => {
    const proposal = [
      "policies: {}",
      "waivers:",
      "  - rule: ACME-TAG-01",
      "    repositories: [webb]",
      "    reason: reviewed",
      "",
    ].join("\n");
    // A file the pull request does not change breaks too: it is in the proposed folder.
    const helper = "tollgate/policies/helper.rego";
    const github = await deliver(
      proposing({
        ".github/tollgate.yml": proposal,
        [RULE_PATH]: BROKEN_RULE,
        [helper]: BROKEN_RULE.replace("owner_tag", "helper"),
      }),
      [["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)]],
    );
    const impact = github.finalCheckRuns().find((c) => c.name === "Tollgate impact") as unknown as {
      status: string;
      conclusion: string;
      output: { title: string; summary: string; annotations: Record<string, unknown>[] };
    };
    expect(impact).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(impact.output.title).toBe(
      "The proposed settings or policies do not load: 2 errors; impact not computed, 1 settings notice, settings not fully checked",
    );
    expect(
      impact.output.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title]),
    ).toEqual([
      [helper, 13, "failure", expect.any(String)],
      [RULE_PATH, 13, "failure", expect.any(String)],
      [".github/tollgate.yml", 4, "warning", "settings-unmatched-repository"],
    ]);
    expect(impact.output.summary).toContain(
      "The impact on open pull requests could not be computed",
    );
    expect(impact.output.summary).toContain("### ⚠️ Settings notices (1)");
    // The waiver's misspelt rule is not judged against rules that did not compile.
    expect(impact.output.summary).toContain("so rule ids and categories were not judged");
    expect(impact.output.summary).not.toContain("waiver-unknown-rule");
    // No open pull request was scanned for a proposal that does not load.
    expect(github.finalCheckRuns().filter((c) => c.repo !== ".github")).toEqual([]);
  });

  it("names no pull request of a private repository on a public .github repository", async () => {
    const repositories = proposing({
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    });
    repositories.infra!.private = true;
    const github = await deliver(repositories, [
      ["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)],
    ]);
    const impact = github.finalCheckRuns().find((c) => c.name === "Tollgate impact") as unknown as {
      output: { title: string; summary: string };
    };
    expect(impact.output.title).toMatch(/^Would newly block 1,/);
    expect(impact.output.summary).not.toContain("infra");
    expect(impact.output.summary).toContain("1 pull request of private repositories, not named");
    expect(impact.output.summary).toContain("acme/web#7");
  });

  it("gets no preview from a fork", async () => {
    const payload = pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH) as unknown as Record<
      string,
      unknown
    > & { pull_request: { head: { repo: { id: number } } } };
    payload.pull_request.head.repo.id += 1;
    const github = await deliver(
      proposing({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [["pull_request", payload]],
    );
    expect(github.finalCheckRuns().map((c) => c.name)).toEqual(["Tollgate"]);
  });

  it("gets no preview when it changes neither settings nor policies", async () => {
    const repositories = proposing({ ".github/tollgate.yml": "fail_on: new\n" });
    repositories[".github"]!.pullFiles = [{ filename: "README.md", status: "modified" }];
    const github = await deliver(repositories, [
      ["pull_request", pullRequestPayload(".github", 3, ORG_PR_HEAD, ORG_PUSH)],
    ]);
    expect(github.finalCheckRuns().map((c) => c.name)).toEqual(["Tollgate"]);
  });
});

describe("Re-run on a run organization work published", () => {
  /** GitHub's recorded `check_run.rerequested`, for run `name` on `.github`'s commit `head`. */
  function rerun(name: string, head: string, pullNumbers: number[] = []) {
    const payload = examplePayload("check_run", "rerequested") as Record<string, unknown> & {
      check_run: Record<string, unknown>;
      repository: Record<string, unknown> & { owner: Record<string, unknown> };
    };
    payload.check_run = {
      ...payload.check_run,
      name,
      head_sha: head,
      pull_requests: pullNumbers.map((number) => ({ number })),
    };
    payload.repository = {
      ...payload.repository,
      name: ".github",
      owner: { login: "acme" },
      default_branch: "main",
    };
    return payload;
  }
  /** The organization with `.github`'s default branch `main` at ORG_PUSH. */
  function organizationAtHead(files: Record<string, string>) {
    const repositories = organization(files);
    repositories[".github"]!.branches = { main: ORG_PUSH };
    return repositories;
  }

  it("checks a Tollgate policies run's commit again, and the open pull requests, as its push did", async () => {
    const github = await deliver(
      organizationAtHead({ ".github/tollgate.yml": ORG_SETTINGS, [RULE_PATH]: OWNER_TAG_RULE }),
      [
        ["push", pushPayload(".github", ORG_PUSH, [RULE_PATH])],
        ["check_run", rerun("Tollgate policies", ORG_PUSH)],
      ],
    );
    const runs = github.finalCheckRuns().map((c) => [c.name, c.repo, c.head_sha, c.conclusion]);
    expect(runs.filter(([name]) => name === "Tollgate policies")).toEqual([
      ["Tollgate policies", ".github", ORG_PUSH, "success"],
      ["Tollgate policies", ".github", ORG_PUSH, "success"],
    ]);
    expect(runs.filter(([, repo]) => repo === "infra")).toEqual([
      ["Tollgate", "infra", INFRA_HEAD, "failure"],
      ["Tollgate", "infra", INFRA_HEAD, "failure"],
    ]);
  });

  it("on an older commit's Tollgate policies run, checks the default branch's head, never the old commit's policies", async () => {
    // The old commit had no rule: re-running its run must not make its policies the ones checked
    // (nor the last good ones checks fall back to); the head's rule still judges infra.
    const ORG_OLD = sha("6");
    const repositories = organizationAtHead({
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    });
    repositories[".github"]!.commits[ORG_OLD] = { ".github/tollgate.yml": ORG_SETTINGS };
    const github = await deliver(repositories, [
      ["check_run", rerun("Tollgate policies", ORG_OLD)],
    ]);
    const runs = github.finalCheckRuns().map((c) => [c.name, c.repo, c.head_sha, c.conclusion]);
    expect(runs.filter(([name]) => name === "Tollgate policies")).toEqual([
      ["Tollgate policies", ".github", ORG_PUSH, "success"],
    ]);
    expect(runs.filter(([, repo]) => repo === "infra")).toEqual([
      ["Tollgate", "infra", INFRA_HEAD, "failure"],
    ]);
  });

  it("previews a Tollgate impact run's pull request again", async () => {
    const ORG_PR_HEAD = sha("7");
    const repositories = organization({ ".github/tollgate.yml": "fail_on: new\n" });
    const organizationRepository = repositories[".github"]!;
    organizationRepository.commits[ORG_PR_HEAD] = {
      ".github/tollgate.yml": ORG_SETTINGS,
      [RULE_PATH]: OWNER_TAG_RULE,
    };
    organizationRepository.pulls = [
      { number: 3, head: { sha: ORG_PR_HEAD }, base: { sha: ORG_PUSH } },
    ];
    organizationRepository.pullFiles = [
      { filename: RULE_PATH, status: "added", patch: "@@ -0,0 +1,17 @@" },
    ];
    const github = await deliver(repositories, [
      ["check_run", rerun("Tollgate impact", ORG_PR_HEAD, [3])],
      // Its commit heading no open pull request now, GitHub names none: nothing to preview.
      ["check_run", rerun("Tollgate impact", ORG_PR_HEAD)],
    ]);
    expect(github.finalCheckRuns().map((c) => [c.name, c.head_sha, c.output])).toEqual([
      [
        "Tollgate impact",
        ORG_PR_HEAD,
        expect.objectContaining({
          title: "Would newly block 1, unblock 0; 1 unchanged (2 open pull requests considered)",
        }),
      ],
    ]);
  });
});

describe("pushRequest", () => {
  it("takes pushes to the default branch that touch settings or policy files", () => {
    expect(pushRequest(pushPayload(".github", ORG_PUSH, [RULE_PATH]))).toEqual({
      kind: "push",
      owner: "acme",
      repo: ".github",
      sha: ORG_PUSH,
      paths: [RULE_PATH],
      complete: true,
      shownPublicly: true,
    });
    const privately = pushPayload(".github", ORG_PUSH, [RULE_PATH]) as { repository: object };
    privately.repository = { ...privately.repository, private: true };
    expect(pushRequest(privately)).toMatchObject({ kind: "push", shownPublicly: false });
  });

  it("takes a push that changes only a policy folder's data file", () => {
    const data = "tollgate/policies/acme/data.yaml";
    expect(pushRequest(pushPayload(".github", ORG_PUSH, [data]))).toMatchObject({
      kind: "push",
      paths: [data],
    });
  });

  it("ignores tags, other branches, deleted branches and payloads it cannot read", () => {
    const tag = { ...pushPayload(".github", ORG_PUSH, [RULE_PATH]), ref: "refs/tags/v1" };
    const branch = { ...pushPayload(".github", ORG_PUSH, [RULE_PATH]), ref: "refs/heads/dev" };
    const deleted = { ...pushPayload(".github", ORG_PUSH, [RULE_PATH]), deleted: true };
    const malformed = { ...pushPayload(".github", ORG_PUSH, [RULE_PATH]), after: "HEAD" };
    expect([tag, branch, deleted, malformed].map((p) => pushRequest(p).kind)).toEqual([
      "ignore",
      "ignore",
      "ignore",
      "ignore",
    ]);
  });

  it("takes a push listing 20 commits as possibly incomplete, whatever files they name", () => {
    const payload = pushPayload(".github", ORG_PUSH, ["README.md"]);
    payload.commits = Array.from({ length: 20 }, () => payload.commits[0]!);
    expect(pushRequest(payload)).toMatchObject({ kind: "push", complete: false });
  });
});

describe("listOpenPulls", () => {
  it("bounds the list to the most recently updated, counting what it leaves out", async () => {
    nock.cleanAll();
    const repositories = organization({ ".github/tollgate.yml": ORG_SETTINGS });
    repositories.web!.pulls = [
      {
        number: 7,
        head: { sha: WEB_HEAD },
        base: { sha: WEB_BASE },
        updated_at: "2026-11-25T00:00:00Z",
      },
      {
        number: 8,
        head: { sha: WEB_HEAD },
        base: { sha: WEB_BASE },
        updated_at: "2026-10-01T00:00:00Z",
      },
    ];
    repositories.old = { commits: {}, archived: true, pulls: repositories.web!.pulls };
    repositories[".github"]!.pulls = [
      { number: 3, head: { sha: ORG_PUSH }, base: { sha: ORG_PUSH } },
    ];
    const github = mockOrganization(repositories);
    const api = new ProbotOctokit({
      auth: { token: "test" },
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const listed = await listOpenPulls(api, "acme", undefined, {
      maxPulls: 2,
      exclude: [".github"],
    });
    expect(listed.pulls.map((p) => `${p.repo}#${p.pullNumber}`)).toEqual(["web#7", "infra#12"]);
    expect(listed).toMatchObject({ repositories: 2, leftOut: 1, truncated: false });
    repositories.infra!.pushedAt = "2026-11-24T00:00:00Z";
    const newest = await listOpenPulls(api, "acme", undefined, { maxRepositories: 1 });
    expect(newest.pulls.map((p) => `${p.repo}#${p.pullNumber}`)).toEqual(["infra#12"]);
    expect(newest).toMatchObject({ repositories: 1, truncated: true });
    everyRequest.push(...github.requests);
  });
});

describe("contract", () => {
  it("sends only requests GitHub's REST description allows", () => {
    expect(everyRequest.length).toBeGreaterThan(20);
    const rest = everyRequest.filter((r) => r.path !== "/graphql");
    expect(rest.flatMap(contractProblems)).toEqual([]);
  });
});
