import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeRepositoryApi, type FakePullFile } from "../../test/app/fakeGitHub.js";
import { FakeEngine, finding } from "../../test/app/findings.js";
import { testProbot } from "../../test/app/harness.js";
import type { SourceFile } from "../iac/source.js";
import type { Finding } from "../model/types.js";
import { createEngine } from "../engine/index.js";
import type { ScanEngine } from "../engine/types.js";
import { BoundedRetryOctokit } from "../github/index.js";
import { cancelCheck, createCheckRun, scanPullRequest, type FlowLog } from "./checkFlow.js";
import { ownAppId } from "./checkRuns.js";

const API = "https://api.github.com";
const BASE = "1".repeat(40);
const HEAD = "2".repeat(40);
const target = { owner: "acme", repo: "infra", pullNumber: 12, baseSha: BASE, headSha: HEAD };
const SETTINGS = ".github/tollgate.yml";
const now = new Date("2026-11-26T06:00:00Z");

const api = new ProbotOctokit({
  auth: { token: "test-token" },
  retry: { enabled: false },
  throttle: { enabled: false },
});

/** Every `port = N` line is a high network finding on its resource. */
function scanOpenPorts(file: SourceFile) {
  const findings: Finding[] = [];
  let resource = "";
  file.text.split("\n").forEach((text, index) => {
    const block = /^resource "(\w+)" "(\w+)"/.exec(text);
    if (block) resource = `${block[1]}.${block[2]}`;
    const port = /port = (\d+)/.exec(text);
    if (port)
      findings.push(
        finding({
          file: file.path,
          line: index + 1,
          endLine: index + 1,
          resource,
          evidence: `tcp/${port[1]}`,
        }),
      );
  });
  return { findings, errors: [] };
}

interface PullRequestOnGitHub {
  base: Record<string, string>;
  head: Record<string, string>;
  pullFiles: FakePullFile[];
  /** `.github/tollgate.yml` on each default branch; absent answers 404. */
  organizationSettings?: string;
  repositorySettings?: string;
  /** An error status the organization's `.github` repository answers with instead. */
  organizationStatus?: number;
}

/** Mocks GitHub for one pull request; returns every path asked for, query included. */
function mockPullRequest(pull: PullRequestOnGitHub): string[] {
  const asked: string[] = [];
  const scope = nock(API).persist();
  scope.on("request", (req: { path: string }) => asked.push(req.path));
  const defaultBranchFile = (text: string | undefined) => (): [number, unknown] =>
    text === undefined
      ? [404, { message: "Not Found" }]
      : [200, { type: "file", content: Buffer.from(text).toString("base64") }];
  scope
    .get(`/repos/acme/.github/contents/${encodeURIComponent(SETTINGS)}`)
    .reply(
      pull.organizationStatus
        ? () => [pull.organizationStatus ?? 500, { message: "Service Unavailable" }]
        : defaultBranchFile(pull.organizationSettings),
    );
  scope
    .get(`/repos/acme/infra/contents/${encodeURIComponent(SETTINGS)}`)
    .reply(defaultBranchFile(pull.repositorySettings));
  scope
    .get(`/repos/acme/infra/compare/${BASE}...${HEAD}`)
    .query(true)
    .reply(200, { merge_base_commit: { sha: BASE } });
  const fake = new FakeRepositoryApi({
    commits: { [BASE]: pull.base, [HEAD]: pull.head },
    pullFiles: pull.pullFiles,
  });
  for (const method of ["GET", "POST"]) {
    scope
      .intercept((uri: string) => fake.respond(method, new URL(uri, API), {}) !== undefined, method)
      .reply((uri, body) => {
        const answer = fake.respond(method, new URL(uri, API), body);
        return [answer?.status ?? 404, answer?.body];
      });
  }
  return asked;
}

async function scan(pull: PullRequestOnGitHub, engine: ScanEngine = new FakeEngine(scanOpenPorts)) {
  const asked = mockPullRequest(pull);
  const report = await scanPullRequest(api, target, { engine, clock: () => now });
  return { report, asked };
}

const BASE_MAIN = 'resource "aws_security_group" "web" {\n}\n';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe("scanPullRequest settings", () => {
  it("scans base and head with the merged rule settings, var-files and terraform.tool, the organization's locks held", async () => {
    const engine = new FakeEngine(scanOpenPorts);
    const { report } = await scan(
      {
        organizationSettings:
          "rule_settings: { s3_require_kms: true, log_retention_min_days: 180 }\nlocked: [rule_settings]\n" +
          "terraform:\n  var_files:\n    envs/app: [org.tfvars]\n    envs/db: [db.tfvars]\n  tool: opentofu\n",
        repositorySettings:
          "rule_settings:\n  s3_require_kms: false\n  unknown_values: advisory\n  log_retention_min_days: 400\n" +
          "terraform:\n  var_files:\n    envs/app: [staging.tfvars, extra.tfvars]\n  tool: terraform\n" +
          "cloudformation:\n  parameter_files:\n    app.yaml: [params/prod.json]\n",
        base: { "main.tf": BASE_MAIN },
        head: { "main.tf": BASE_MAIN },
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@\n r" }],
      },
      engine,
    );
    expect(report.conclusion).toBe("success");
    const ruleSettings = {
      s3_require_kms: true,
      dynamodb_require_kms: false,
      dynamodb_require_cmk: false,
      mq_require_cmk: false,
      log_retention_min_days: 400,
      unknown_values: "advisory",
      custom: {},
    };
    // The repository's var-file list for a root replaces the organization's; both sides get them.
    const variableFiles = {
      "envs/app": ["staging.tfvars", "extra.tfvars"],
      "envs/db": ["db.tfvars"],
    };
    const parameterFiles = { "app.yaml": ["params/prod.json"] };
    // Each side's file names, for Terraform's fileset().
    const listing = { files: ["main.tf"], folders: [""], unlisted: [] };
    // The repository's terraform.tool over the organization's (not locked).
    const terraformTool = "terraform";
    expect(engine.options).toEqual([
      { ruleSettings, variableFiles, terraformTool, parameterFiles, listing },
      { ruleSettings, variableFiles, terraformTool, parameterFiles, listing },
    ]);
    expect(report.summary).toContain(
      "- .github/tollgate.yml:2:3: rule\\_settings.s3\\_require\\_kms is locked by the organization and may not be loosened",
    );
  });

  it("gates a pull request that edits its settings by the default branch's, and says so", async () => {
    const loosened = "enforcement:\n  categories:\n    network: off\n";
    const { report, asked } = await scan({
      base: { "main.tf": BASE_MAIN, [SETTINGS]: "fail_on: new\n" },
      head: {
        "main.tf": 'resource "aws_security_group" "web" {\n  port = 22\n}\n',
        [SETTINGS]: loosened,
      },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+  port = 22\n }" },
        {
          filename: SETTINGS,
          status: "modified",
          patch: "@@ -1 +1,3 @@\n-fail_on: new\n+enforcement:",
        },
      ],
    });
    expect(report.conclusion).toBe("failure");
    expect(report.summary).toContain(
      "This pull request changes .github/tollgate.yml; it is gated by the settings on the default branch, and its changes apply once merged.",
    );
    const settingsReads = asked.filter((path) => path.includes("/contents/"));
    expect(settingsReads).toEqual([
      "/repos/acme/.github/contents/.github%2Ftollgate.yml",
      "/repos/acme/infra/contents/.github%2Ftollgate.yml",
    ]);
    expect(asked.filter((path) => path.includes(HEAD) && path.includes("tollgate"))).toEqual([]);
  });

  it("holds a locked category, applies a valid inline waiver and calls out an expired one", async () => {
    const head = [
      'resource "aws_security_group" "web" {',
      '  port = 22 # tollgate:ignore TG-NET-001 reason="bastion, SEC-12" expires=2027-01-31',
      '  # tollgate:ignore TG-NET-001 reason="legacy" expires=2026-11-01',
      "  port = 3389",
      "}",
      "",
    ].join("\n");
    const { report } = await scan({
      base: { "main.tf": BASE_MAIN },
      head: { "main.tf": head },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,5 @@\n r\n+a\n+b\n+c\n }" },
      ],
      organizationSettings:
        "enforcement:\n  categories:\n    network: blocking\nlocked: [enforcement.categories.network]\n",
      repositorySettings: "enforcement:\n  categories:\n    network: advisory\n",
    });
    expect(report.conclusion).toBe("failure");
    expect(report.title).toBe("1 new finding: 1 high; 1 waived");
    // The held entry is told once, among the reasons (the fake engine loads no rule metadata).
    const held = report.summary
      .split("\n")
      .filter((line) => line.includes(".github/tollgate.yml:3:5"));
    expect(held).toEqual([
      "- .github/tollgate.yml:3:5: enforcement.categories.network may not loosen what the organization locks; the organization's level applies",
    ]);
    expect(report.summary).toContain(
      "main.tf:3:3: waiver for TG-NET-001 expired on 2026-11-01; the finding is enforced again",
    );
    expect(report.summary).toContain("bastion, SEC-12");
  });

  it("reports a repository entry the organization's lock holds at a level only the rules' metadata tells", async () => {
    // The organization writes no level for TG-NET-001: its high severity's default, blocking, is
    // locked, which the loaded rules' metadata tells the gate and not the settings merge.
    class ListedEngine extends FakeEngine {
      readonly builtinRules = [
        {
          id: "TG-NET-001",
          title: "Security group open to the world",
          severity: "high" as const,
          category: "network",
          entrypoint: "tollgate/rules/network/open_ingress/deny",
        },
      ];
    }
    const { report } = await scan(
      {
        base: { "main.tf": BASE_MAIN },
        head: { "main.tf": 'resource "aws_security_group" "web" {\n  port = 22\n}\n' },
        pullFiles: [
          { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+a\n }" },
        ],
        organizationSettings: "locked: [enforcement]\n",
        repositorySettings: "enforcement:\n  rules:\n    TG-NET-001: advisory\n",
      },
      new ListedEngine(scanOpenPorts),
    );
    expect(report.conclusion).toBe("failure");
    expect(report.summary).toContain(
      ".github/tollgate.yml:3:5: enforcement.rules.TG-NET-001 may not loosen what the organization locks; its level applies to TG-NET-001 (blocking)",
    );
  });

  it("tells a pull request of a blocking_from day its own repository's file has let pass, not the organization's", async () => {
    const logging = (day: string) =>
      `enforcement:\n  categories:\n    logging: { blocking_from: ${day} }\n`;
    const { report } = await scan({
      base: { "main.tf": BASE_MAIN },
      head: { "main.tf": BASE_MAIN },
      pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -1 +1 @@\n r" }],
      // Both days have passed (now is 2026-11-26); the organization's admins hear of theirs on
      // the `.github` repository's check.
      organizationSettings: logging("2026-01-15"),
      repositorySettings: logging("2026-11-20"),
    });
    const begun = report.summary.split("\n").filter((line) => line.includes("from-passed"));
    expect(begun).toEqual([
      "- .github/tollgate.yml:3:16: enforcement.categories.logging: blocking\\_from 2026-11-20 has passed (6 days ago), so this entry is already in force: its findings block now, with no countdown; to schedule it, write a day ahead, or to keep it, write blocking (settings-blocking-from-passed)",
    ]);
  });

  it("passes when the organization's waiver covers the resource in this repository", async () => {
    const { report } = await scan({
      base: { "main.tf": BASE_MAIN },
      head: { "main.tf": 'resource "aws_security_group" "web" {\n  port = 22\n}\n' },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+a\n }" },
      ],
      organizationSettings: [
        "waivers:",
        "  - rule: TG-NET-001",
        "    resource: aws_security_group.*",
        "    repositories: [infra]",
        "    reason: shared bastion",
      ].join("\n"),
    });
    expect(report.conclusion).toBe("success");
  });

  it("ignores the pull request's own inline waivers when the organization locks waivers", async () => {
    const { report } = await scan({
      base: { "main.tf": BASE_MAIN },
      head: {
        "main.tf":
          'resource "aws_security_group" "web" {\n  port = 22 # tollgate:ignore TG-NET-001 reason="mine"\n}\n',
      },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+a\n }" },
      ],
      organizationSettings: "locked: [waivers]\n",
    });
    expect(report.conclusion).toBe("failure");
    expect(report.summary).toContain("the organization locks waivers");
  });

  it("tells the author of a blocked pull request how to waive, and to ask for an override only when someone may give one", async () => {
    const blocked = (organizationSettings?: string) =>
      scan({
        base: { "main.tf": BASE_MAIN },
        head: { "main.tf": 'resource "aws_security_group" "web" {\n  port = 22\n}\n' },
        pullFiles: [
          { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+a\n }" },
        ],
        ...(organizationSettings !== undefined ? { organizationSettings } : {}),
      });
    const unblocking = (summary: string) =>
      summary.split("\n").filter((line) => line.startsWith("_To merge:"));
    const withBreakGlass = (await blocked("break_glass:\n  users: [alice]\n")).report;
    expect(withBreakGlass.conclusion).toBe("failure");
    const [line] = unblocking(withBreakGlass.summary);
    expect(line).toContain('`# tollgate:ignore <rule-id> reason="..." expires=YYYY-MM-DD`');
    expect(line).toContain("`/tollgate explain <rule-id>`");
    expect(line).toContain(
      "someone named under `break_glass` may comment `/tollgate override <reason>` to let this commit merge",
    );
    nock.cleanAll();
    const [withoutBreakGlass] = unblocking((await blocked()).report.summary);
    expect(withoutBreakGlass).toContain("`/tollgate explain <rule-id>`");
    expect(withoutBreakGlass).not.toContain("/tollgate override");
  });

  it("fails closed when the organization's settings cannot be read, whatever the repository says", async () => {
    const { report, asked } = await scan({
      base: { "main.tf": BASE_MAIN },
      head: { "main.tf": BASE_MAIN, "policies/mine.rego": "package mine\n" },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,2 @@\n r\n }" },
        { filename: "policies/mine.rego", status: "added", patch: "@@ -0,0 +1 @@\n+package mine" },
      ],
      organizationStatus: 503,
      repositorySettings: "on_error: neutral\n",
    });
    expect(report.conclusion).toBe("failure");
    expect(report.summary).toContain("1 error prevented a complete scan; the gate fails closed");
    expect(report.summary).toContain(
      "acme/.github:.github/tollgate.yml:1:1: could not read the settings: HTTP 503 Service Unavailable; nothing valid is remembered, so the built-in defaults apply alone (settings-unreadable)",
    );
    expect(report.summary).toContain(
      "This pull request changes Rego policies (policies/mine.rego); Tollgate never evaluates policies from a pull request",
    );
    expect(asked.filter((path) => path.startsWith("/repos/acme/infra/contents/"))).toEqual([]);
  });
});

describe("scanPullRequest on a cannot-tell finding beside a certain one", () => {
  it("annotates the certain finding alone, as every report lists it", async () => {
    // cidr_blocks = concat(var.office, ["0.0.0.0/0"]): open whatever var.office holds.
    const withCannotTell = (file: SourceFile) => {
      const { findings, errors } = scanOpenPorts(file);
      const cannotTell = findings.map((certain) => ({
        ...certain,
        evidence: `${certain.evidence} from var.office`,
        unknown: "var.office",
      }));
      return { findings: [...findings, ...cannotTell], errors };
    };
    const { report } = await scan(
      {
        base: { "main.tf": BASE_MAIN },
        head: { "main.tf": 'resource "aws_security_group" "web" {\n  port = 22\n}\n' },
        pullFiles: [
          { filename: "main.tf", status: "modified", patch: "@@ -1,2 +1,3 @@\n r\n+a\n }" },
        ],
        repositorySettings: "rule_settings:\n  unknown_values: advisory\n",
      },
      new FakeEngine(withCannotTell),
    );
    expect(report.conclusion).toBe("failure");
    expect(report.annotationBatches.flat().map((a) => `${a.start_line} ${a.title}`)).toEqual([
      "2 TG-NET-001: Security group open to the world",
    ]);
    expect(report.summary).not.toContain("cannot tell");
  });
});

describe("scanPullRequest load problems at the base", () => {
  /** `undeclared` lines are load warnings, `broken` lines load errors, as the loader reports them. */
  function scanProblems(file: SourceFile) {
    const result = scanOpenPorts(file);
    const errors = file.text.split("\n").flatMap((text, index) => {
      const at = { file: file.path, line: index + 1, column: 1 };
      if (text.includes("undeclared"))
        return [
          {
            ...at,
            code: "terraform-undeclared-reference",
            message: "no var.x",
            level: "warning" as const,
          },
        ];
      if (text.includes("broken")) return [{ ...at, code: "hcl-syntax", message: "expected '='" }];
      return [];
    });
    return { findings: result.findings, errors };
  }

  async function scanBase(baseMain: string) {
    mockPullRequest({
      base: { "main.tf": baseMain },
      head: { "main.tf": 'resource "aws_security_group" "web" {\n}\n' },
      pullFiles: [
        { filename: "main.tf", status: "modified", patch: "@@ -1,3 +1,2 @@\n r\n-a\n }" },
      ],
    });
    return scanPullRequest(api, target, { engine: new FakeEngine(scanProblems), clock: () => now });
  }

  it("says base findings may be incomplete when the base had load errors", async () => {
    const report = await scanBase('resource "aws_security_group" "web" {\n  broken\n}\n');
    expect(report.summary).toContain(
      "The base commit had 1 load error; findings there may be incomplete, so some may show as new.",
    );
  });

  it("does not count load warnings (an undeclared reference) as load errors of the base", async () => {
    const report = await scanBase(
      'resource "aws_security_group" "web" {\n  name = undeclared\n}\n',
    );
    expect(report.summary).not.toContain("The base commit had");
  });
});

describe("scanPullRequest on a module call Tollgate does not read", () => {
  it("names in the summary a git module whose ref the pull request moves, as not judged", async () => {
    const call = (ref: string) =>
      `module "sg" {\n  source = "git::https://github.com/evil/sg.git?ref=${ref}"\n}\n`;
    const { report } = await scan(
      {
        base: { "main.tf": call("v1") },
        head: { "main.tf": call("v2") },
        pullFiles: [{ filename: "main.tf", status: "modified", patch: "@@ -2 +2 @@\n-a\n+b" }],
      },
      await createEngine(),
    );
    expect(report.conclusion).toBe("success");
    expect(report.summary).toContain(
      'not judged: module not read: 1 module call this change adds or re-points, judged only through its arguments: module.sg (main.tf:2, source "git::https://github.com/evil/sg.git?ref=v1" -> "git::https://github.com/evil/sg.git?ref=v2")',
    );
  }, 60_000);
});

describe("scanPullRequest on a pull request changing no IaC file", () => {
  it("passes saying it could not tell when GitHub fails the look for modules reading the changed file", async () => {
    nock(API).get(`/repos/acme/infra/git/trees/${HEAD}`).query(true).reply(502, {});
    const main = 'resource "aws_instance" "web" {\n  user_data = file("boot.sh")\n}\n';
    const { report } = await scan({
      base: { "main.tf": main, "boot.sh": "#!/bin/sh\n" },
      head: { "main.tf": main, "boot.sh": "#!/bin/sh\nexit 0\n" },
      pullFiles: [{ filename: "boot.sh", status: "modified", patch: "@@ -1 +1,2 @@\n a\n+b" }],
    });
    expect(report).toMatchObject({ conclusion: "success", title: "No new findings" });
    expect(report.summary).toContain("could not be told: GitHub did not give the files to look in");
  });
});

describe("scanPullRequest on renamed files", () => {
  /** Open ports, each finding rooted in its file's folder as the Terraform loader roots them. */
  const rootedByFolder = (file: SourceFile) => {
    const root = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/")) : "";
    const { findings, errors } = scanOpenPorts(file);
    return { findings: findings.map((f) => ({ ...f, root })), errors };
  };
  const open = 'resource "aws_security_group" "web" {\n  port = 22\n}\n';

  it("keeps the findings of a root folder the PR renames existing, as GitHub lists it renamed", async () => {
    const { report } = await scan(
      {
        base: { "envs/prod/main.tf": open },
        head: { "environments/prod/main.tf": open },
        pullFiles: [
          {
            filename: "environments/prod/main.tf",
            previous_filename: "envs/prod/main.tf",
            status: "renamed",
          },
        ],
      },
      new FakeEngine(rootedByFolder),
    );
    expect(report.conclusion).toBe("success");
    expect(report.summary).toContain("### Existing findings (1)");
    expect(report.summary).not.toContain("### New findings");
  });

  it("still calls the findings of a copied root folder new", async () => {
    const { report } = await scan(
      {
        base: { "envs/prod/main.tf": open },
        head: { "envs/prod/main.tf": open, "envs/dev/main.tf": open },
        pullFiles: [
          {
            filename: "envs/dev/main.tf",
            previous_filename: "envs/prod/main.tf",
            status: "copied",
          },
        ],
      },
      new FakeEngine(rootedByFolder),
    );
    expect(report.conclusion).toBe("failure");
    expect(report.title).toBe("1 new finding: 1 high");
  });
});

describe("creating a check run GitHub may have created already", () => {
  const APP = 1;
  interface RunOnGitHub {
    id: number;
    head_sha: string;
    external_id: string;
    app: { id: number };
    status: string;
    conclusion: string | null;
    output: { title: string; summary: string };
  }

  /**
   * Check runs on GitHub: the first `failedCreates` creations are made but answered 502, and the
   * first `blindLooks` listings do not show runs yet (GitHub lists a new run a little later).
   * Another app's run and an earlier job's run of ours share the head all along.
   */
  function checkRunsOnGitHub(failedCreates: number, blindLooks: number, installation: number) {
    const others: RunOnGitHub[] = [
      { ...openRun(401, `12@another-job`), app: { id: APP } },
      { ...openRun(402, "12@job-1"), app: { id: 99 } },
    ];
    const ours: RunOnGitHub[] = [];
    const completions: { id: number; conclusion: unknown }[] = [];
    let creates = 0;
    let looks = 0;
    nock(API)
      .post(`/app/installations/${installation}/access_tokens`)
      .reply(201, { token: "installation-token", expires_at: "2099-01-01T00:00:00Z" })
      .persist();
    nock(API)
      .post("/repos/acme/infra/check-runs")
      .times(10)
      .reply((_uri, body) => {
        const run = { ...openRun(501 + creates, (body as { external_id: string }).external_id) };
        ours.push(run);
        creates += 1;
        return creates <= failedCreates ? [502, { message: "Bad Gateway" }] : [201, run];
      });
    nock(API)
      .get(`/repos/acme/infra/commits/${HEAD}/check-runs`)
      .query(true)
      .times(10)
      .reply(() => {
        looks += 1;
        const listed = [...others, ...(looks > blindLooks ? ours : [])];
        return [200, { total_count: listed.length, check_runs: listed }];
      });
    nock(API)
      .patch(/^\/repos\/acme\/infra\/check-runs\/\d+$/)
      .times(10)
      .reply((uri, body) => {
        const id = Number(uri.split("/").at(-1));
        const update = body as { status?: string; conclusion?: string };
        const run = [...ours, ...others].find((r) => r.id === id);
        if (run && update.status) run.status = update.status;
        completions.push({ id, conclusion: update.conclusion });
        return [200, { id }];
      });
    const api = new BoundedRetryOctokit({
      auth: {
        appId: APP,
        installationId: installation,
        createJwt: async () => ({ jwt: "app-jwt", expiresAt: "2099-01-01T00:00:00Z" }),
      },
      retryBudget: { firstDelayMs: 1 },
      throttle: { enabled: false },
    });
    return { api, ours, completions, creates: () => creates };
  }

  function openRun(id: number, externalId: string): RunOnGitHub {
    return {
      id,
      head_sha: HEAD,
      external_id: externalId,
      app: { id: APP },
      status: "in_progress",
      conclusion: null,
      output: { title: "Scanning…", summary: "" },
    };
  }

  const warnings: string[] = [];
  const log: FlowLog = {
    info: () => undefined,
    warn: (_fields, message) => warnings.push(message),
    error: () => undefined,
  };
  const flow = {
    engine: new FakeEngine(() => ({ findings: [], errors: [] })),
    timeoutMs: 1000,
    log,
  };

  it("knows the app's id from Probot's installation client, without a request", async () => {
    expect(await ownAppId(await testProbot().auth(4242))).toBe(1);
    expect(await ownAppId(api)).toBeUndefined();
  });

  it("takes the run a failed creation made instead of creating a second one", async () => {
    const github = checkRunsOnGitHub(1, 0, 8101);
    const run = await createCheckRun(github.api, target, "job-1");
    expect(run).toEqual({ id: 501 });
    expect(github.creates()).toBe(1);
    expect(github.ours.map((r) => r.external_id)).toEqual(["12@job-1"]);
  });

  it("takes, in a retried job, the run its earlier attempt made and did not record", async () => {
    const github = checkRunsOnGitHub(0, 0, 8103);
    // The earlier attempt's creation, answered; its replica died before recording the run.
    expect(await createCheckRun(github.api, target, "job-1")).toEqual({ id: 501 });
    expect(await createCheckRun(github.api, target, "job-1", { lookFirst: true })).toEqual({
      id: 501,
    });
    expect(github.creates()).toBe(1);
    // Another job's retry finds none of its own and creates its run.
    expect(await createCheckRun(github.api, target, "job-2", { lookFirst: true })).toEqual({
      id: 502,
    });
    expect(github.creates()).toBe(2);
  });

  it("creates in a retried job whose look cannot be read, as a run with possible twins", async () => {
    nock(API)
      .get(`/repos/acme/infra/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(404, { message: "Not Found" });
    const github = checkRunsOnGitHub(0, 0, 8104);
    const run = await createCheckRun(github.api, target, "job-1", { lookFirst: true });
    expect(run).toEqual({ id: 501, twinsExternalId: "12@job-1" });
    expect(github.creates()).toBe(1);
  });

  it("creates again when the look misses it, and completes the twin with the run", async () => {
    const github = checkRunsOnGitHub(1, 1, 8102);
    const run = await createCheckRun(github.api, target, "job-1");
    expect(run).toEqual({ id: 502, twinsExternalId: "12@job-1" });
    expect(github.creates()).toBe(2);
    await cancelCheck(github.api, target, run, "a newer commit was pushed", flow);
    // Both runs of this job end cancelled; the other app's run and the earlier job's stay open.
    expect(github.completions).toEqual([
      { id: 502, conclusion: "cancelled" },
      { id: 501, conclusion: "cancelled" },
    ]);
    expect(github.ours.map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(warnings).toContain("completed twins of the check run");
  });
});
