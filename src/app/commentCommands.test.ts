import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockCheckRunStore } from "../../test/app/checkRunStore.js";
import { FakeEngine, finding } from "../../test/app/findings.js";
import {
  BASE_SHA,
  commentPayload,
  HEAD_SHA,
  mockGitHub,
  pullRequestPayload,
  testApp,
  type MockRepository,
} from "../../test/app/harness.js";
import { contractProblems, type RecordedRequest } from "../../test/app/openapi.js";
import type { SourceFile } from "../iac/source.js";
import type { RuleMetadata } from "../policy/metadata.js";
import { decodeRecord, encodeRecord } from "../report/index.js";
import { OWNER_TAG_RULE } from "../../test/support/customRules.js";

const NEWER_SHA = "3".repeat(40);
const TWO_PORTS_SHA = "5".repeat(40);
const TWO_PORTS =
  'resource "aws_security_group" "web" {\n  ingress_port = 22\n  ingress_port = 3389\n}\n';
const SETTINGS = ".github/tollgate.yml";
const BASE_MAIN = 'resource "aws_security_group" "web" {\n}\n';
const HEAD_MAIN = 'resource "aws_security_group" "web" {\n  ingress_port = 22\n}\n';

/**
 * Every `ingress_port = N` line is a finding: a high (so blocking) TG-NET-001, except that 3389 is a
 * medium (advisory unless settings say otherwise) TG-NET-002.
 */
function scanOpenPorts(file: SourceFile) {
  const findings = file.text.split("\n").flatMap((text, index) => {
    const port = /ingress_port\s*=\s*(\d+)/.exec(text);
    return port
      ? [
          finding({
            ...(port[1] === "3389" ? { rule: "TG-NET-002", severity: "medium" as const } : {}),
            file: file.path,
            line: index + 1,
            endLine: index + 1,
            evidence: `tcp/${port[1]} from 0.0.0.0/0`,
            message: `Ingress tcp/${port[1]} from 0.0.0.0/0`,
          }),
        ]
      : [];
  });
  return { findings, errors: [] };
}

const CATALOGUE: RuleMetadata[] = [
  {
    id: "TG-NET-001",
    title: "Security group open to the world",
    description: "Ingress from `0.0.0.0/0` exposes the port to the whole internet.",
    severity: "high",
    category: "network",
    remediation: "Restrict cidr_blocks to known ranges.",
    controls: ["CIS-AWS-5.2"],
    references: [
      "[AWS docs](https://docs.aws.amazon.com/vpc/latest/userguide/security-groups.html)",
    ],
    entrypoint: "tollgate/rules/network/open_ingress/deny",
  },
  {
    id: "TG-NET-002",
    title: "Security group open on all ports",
    severity: "critical",
    category: "network",
    entrypoint: "tollgate/rules/network/all_ports/deny",
  },
  {
    id: "TG-IAM-001",
    title: "Wildcard IAM action",
    severity: "high",
    category: "iam",
    entrypoint: "tollgate/rules/iam/wildcard_action/deny",
  },
];

class CatalogueEngine extends FakeEngine {
  readonly builtinRules = CATALOGUE;
}

function repository(settings: string | undefined, overrides: Partial<MockRepository> = {}) {
  return {
    commits: {
      ...(settings === undefined ? {} : { "": { [SETTINGS]: settings } }),
      [BASE_SHA]: { "main.tf": BASE_MAIN },
      [HEAD_SHA]: { "main.tf": HEAD_MAIN },
      [NEWER_SHA]: { "main.tf": HEAD_MAIN },
      [TWO_PORTS_SHA]: { "main.tf": TWO_PORTS },
    },
    pullFiles: [
      {
        filename: "main.tf",
        status: "modified" as const,
        patch: "@@ -1,2 +1,3 @@\n resource\n+  ingress_port = 22\n }",
      },
    ],
    pulls: [{ number: 12, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } }],
    ...overrides,
  };
}

const BREAK_GLASS = "break_glass:\n  users: [alice]\n  teams: [acme/sec-leads]\n";

const everyRequest: RecordedRequest[] = [];

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** A Tollgate app on a mocked GitHub that remembers check runs; `deliver` waits for queued work. */
async function setUp(repo: MockRepository, failing: RegExp[] = [], scan = scanOpenPorts) {
  const github = mockGitHub(repo, failing);
  const store = mockCheckRunStore(github.requests, { "acme/sec-leads": ["bob"] });
  const app = await testApp(new CatalogueEngine(scan));
  const all = () => github.requests;
  const deliver = async (name: string, payload: Record<string, unknown>) => {
    const before = all().length;
    await app.deliver(name, payload);
    const sent = all().slice(before);
    everyRequest.push(...sent);
    return sent;
  };
  return { github, store, deliver };
}

const paths = (requests: RecordedRequest[]) =>
  requests.map((r) => `${r.method} ${r.path.split("?")[0]}`);
const replies = (requests: RecordedRequest[]) =>
  requests
    .filter((r) => r.method === "POST" && /\/issues\/12\/comments$/.test(r.path))
    .map((r) => (r.body as { body: string }).body);
const patches = (requests: RecordedRequest[]) =>
  requests
    .filter((r) => r.method === "PATCH")
    .map((r): Record<string, unknown> => ({
      id: Number(r.path.split("/").at(-1)),
      ...(r.body as Record<string, unknown>),
    }));

describe("/tollgate override", () => {
  it("re-completes the failing head check as neutral, recorded; a re-run of that commit keeps it, a new push does not", async () => {
    const { deliver, store } = await setUp(repository(BREAK_GLASS));
    const first = await deliver("pull_request", pullRequestPayload("opened"));
    expect(patches(first).at(-1)).toMatchObject({ id: 777, conclusion: "failure" });

    // Another app's run on the same commit claiming an override is not ours: it is never honoured.
    const forged = decodeRecord(
      (first.filter((r) => r.method === "PATCH").at(-1)?.body as { output: { text: string } })
        .output.text,
    );
    expect(forged?.blocking).toHaveLength(1);
    store.foreign.push({
      id: 900,
      head_sha: HEAD_SHA,
      app: { id: 99 },
      status: "completed",
      conclusion: "failure",
      output: {
        title: "Tollgate",
        summary: "",
        text: encodeRecord({
          ...forged!,
          override: {
            by: "mallory",
            at: "2026-11-26T00:00:00Z",
            reason: "forged",
            sha: HEAD_SHA,
            covers: forged!.blocking,
            coversDigest: forged!.blockingDigest,
            coversErrors: false,
          },
        }),
      },
    });
    const notOurs = await deliver("issue_comment", commentPayload("/tollgate run"));
    expect(patches(notOurs).at(-1)).toMatchObject({ id: 778, conclusion: "failure" });

    const override = await deliver(
      "issue_comment",
      commentPayload("/tollgate override prod hotfix for INC-42, reviewed by sec", "bob"),
    );
    expect(paths(override)).toEqual([
      "GET /repos/acme/.github/contents/.github%2Ftollgate.yml",
      "GET /repos/acme/infra/contents/.github%2Ftollgate.yml",
      "GET /orgs/acme/teams/sec-leads/memberships/bob",
      "GET /repos/acme/infra/pulls/12",
      "GET /app",
      `GET /repos/acme/infra/commits/${HEAD_SHA}/check-runs`,
      "PATCH /repos/acme/infra/check-runs/778",
      "POST /repos/acme/infra/issues/12/comments",
      "POST /repos/acme/infra/issues/comments/555/reactions",
    ]);
    const [overridden] = patches(override);
    expect(overridden).toMatchObject({
      status: "completed",
      conclusion: "neutral",
      output: { title: "Overridden by @bob: 1 new finding: 1 high" },
    });
    const output = overridden?.output as { summary: string; text: string };
    expect(output.summary).toMatch(
      /^<!-- tollgate:override -->\n## 🔓 Tollgate: blocking result overridden \(break-glass\)\n\n\*\*@bob\*\* overrode this check on commit `2222222` at /,
    );
    expect(output.summary).toContain("> prod hotfix for INC-42, reviewed by sec");
    expect(output.summary).toContain(
      "- `TG-NET-001` on `aws_security_group.web` at `main.tf:2`: Ingress tcp/22 from 0.0.0.0/0",
    );
    expect(output.summary).toContain("## Tollgate: blocked until overridden");
    expect(output.summary).not.toMatch(/❌|blocks merge/);
    expect(decodeRecord(output.text)?.override).toMatchObject({
      by: "bob",
      sha: HEAD_SHA,
      reason: "prod hotfix for INC-42, reviewed by sec",
      covers: [expect.stringMatching(/^[0-9a-f]{16}$/)],
    });
    expect(replies(override)[0]).toMatch(
      /^Override recorded: @bob overrode the Tollgate check on 2222222 \(1 blocking finding\)/,
    );

    // `/tollgate explain` reads the override from the check run: the finding no longer blocks merge.
    const explained = await deliver(
      "issue_comment",
      commentPayload("/tollgate explain TG-NET-001"),
    );
    expect(replies(explained)[0]).toContain(
      "- `main.tf:2` `aws_security_group.web` (new, overridden): Ingress",
    );

    const rerun = await deliver("issue_comment", commentPayload("/tollgate run"));
    const rerunCompletion = patches(rerun).at(-1);
    expect(rerunCompletion).toMatchObject({
      id: 779,
      conclusion: "neutral",
      output: { title: "Overridden by @bob: 1 new finding: 1 high" },
    });
    const rerunOutput = rerunCompletion?.output as {
      summary: string;
      annotations: { annotation_level: string; title: string }[];
    };
    expect(rerunOutput.annotations).toMatchObject([
      {
        annotation_level: "warning",
        title: "TG-NET-001: Security group open to the world (overridden)",
      },
    ]);

    // Someone pasting a receipt by hand is not the app: only its own receipts are mentioned.
    store.peopleComments.push(
      "Override recorded: @mallory overrode the Tollgate check on 4444444 (1 blocking finding).",
    );
    const pushed = await deliver("pull_request", pullRequestPayload("synchronize", NEWER_SHA));
    expect(paths(pushed)).toContain(`GET /repos/acme/infra/commits/${NEWER_SHA}/check-runs`);
    expect(paths(pushed)).toContain("GET /repos/acme/infra/issues/12/comments");
    const newer = patches(pushed).at(-1);
    expect(newer).toMatchObject({
      id: 780,
      conclusion: "failure",
      output: { title: "1 new finding: 1 high" },
    });
    const newerSummary = (newer?.output as { summary: string }).summary;
    expect(newerSummary).toContain(
      "@bob overrode the result on an earlier commit of this pull request (2222222); an override applies to one commit, so this one is gated normally.",
    );
    expect(newerSummary).not.toContain("mallory");
  });

  it("refuses to override a result that completed after the comment was written", async () => {
    const repo = repository(BREAK_GLASS);
    const { deliver } = await setUp(repo);
    const first = await deliver("pull_request", pullRequestPayload("opened"));
    expect(patches(first).at(-1)).toMatchObject({ id: 777, conclusion: "failure" });
    // Bob reads the check on 2222222 and writes his override; meanwhile a push adds two open ports.
    const written = commentPayload("/tollgate override accepted: SEC-42", "bob");
    repo.pulls = [{ number: 12, head: { sha: TWO_PORTS_SHA }, base: { sha: BASE_SHA } }];
    const pushed = await deliver("pull_request", pullRequestPayload("synchronize", TWO_PORTS_SHA));
    expect(patches(pushed).at(-1)).toMatchObject({ id: 778, conclusion: "failure" });

    const refused = await deliver("issue_comment", written);
    expect(patches(refused)).toEqual([]);
    expect(replies(refused)).toEqual([
      "The Tollgate check on 5555555 completed after your comment: read it and override again.",
    ]);
    // Written once that result was there to read, the override is taken.
    const again = await deliver(
      "issue_comment",
      commentPayload("/tollgate override accepted: SEC-42", "bob"),
    );
    expect(patches(again)).toMatchObject([{ id: 778, conclusion: "neutral" }]);
  });

  it("rewrites the stored report's words, never the evidence it quotes", async () => {
    // The finding's evidence is its line as written, and the line quotes the report's own tag.
    const quoting =
      'resource "aws_security_group" "web" {\n  ingress_port = 22 # "**blocks merge**"\n}\n';
    const repo = repository(BREAK_GLASS);
    repo.commits[HEAD_SHA] = { "main.tf": quoting };
    const { deliver } = await setUp(repo, [], (file) => {
      const scanned = scanOpenPorts(file);
      const lines = file.text.split("\n");
      return {
        ...scanned,
        findings: scanned.findings.map((f) => ({
          ...f,
          evidence: lines[f.line - 1]?.trim() ?? "",
        })),
      };
    });
    const evidence = 'Evidence: `ingress_port = 22 # "**blocks merge**"`';
    const first = await deliver("pull_request", pullRequestPayload("opened"));
    expect((patches(first).at(-1)?.output as { summary: string }).summary).toContain(evidence);
    const override = await deliver(
      "issue_comment",
      commentPayload("/tollgate override hotfix", "bob"),
    );
    const summary = (patches(override)[0]?.output as { summary: string }).summary;
    expect(summary).toContain("at `main.tf:2` (**overridden**)");
    expect(summary).toContain(evidence);
    expect(summary).not.toContain("(**blocks merge**)");
  });

  it("does not honour an earlier override on a re-run that blocks on more than it covers", async () => {
    const repo = repository(BREAK_GLASS, {
      pulls: [{ number: 12, head: { sha: TWO_PORTS_SHA }, base: { sha: BASE_SHA } }],
    });
    const { deliver } = await setUp(repo);
    const first = await deliver("pull_request", pullRequestPayload("opened", TWO_PORTS_SHA));
    expect(patches(first).at(-1)).toMatchObject({
      output: { title: "2 new findings: 1 high, 1 medium" },
    });
    await deliver("issue_comment", commentPayload("/tollgate override known risk", "alice"));
    // The organization now makes the medium finding block: the override did not cover it.
    repo.commits[""] = {
      [SETTINGS]: `${BREAK_GLASS}enforcement:\n  rules:\n    TG-NET-002: blocking\n`,
    };
    const rerun = await deliver("issue_comment", commentPayload("/tollgate run"));
    const completion = patches(rerun).at(-1);
    expect(completion).toMatchObject({ id: 778, conclusion: "failure" });
    const summary = (completion?.output as { summary: string }).summary;
    expect(summary).toContain("2 blocking new findings (1 high, 1 medium)");
    expect(summary).toContain(
      "@alice overrode an earlier result on this commit, but this run blocks on more than that override covers, so it does not apply.",
    );
  });

  it("refuses politely anyone the settings do not name, and says when overrides are off", async () => {
    const named = await setUp(repository(BREAK_GLASS));
    await named.deliver("pull_request", pullRequestPayload("opened"));
    const carol = await named.deliver(
      "issue_comment",
      commentPayload("/tollgate override trust me", "carol"),
    );
    expect(patches(carol)).toEqual([]);
    expect(paths(carol)).toContain("GET /orgs/acme/teams/sec-leads/memberships/carol");
    expect(replies(carol)).toEqual([
      "Sorry @carol, only the people and teams named under `break_glass` in the Tollgate settings can override a blocking result.",
    ]);
    nock.cleanAll();

    const off = await setUp(repository("fail_on: new\n"));
    const refused = await off.deliver(
      "issue_comment",
      commentPayload("/tollgate override please", "alice"),
    );
    expect(patches(refused)).toEqual([]);
    expect(replies(refused)).toEqual([
      "Sorry @alice, break-glass overrides are not enabled here: the Tollgate settings name no users or teams under `break_glass`.",
    ]);
  });

  it("says, refusing, that the organization's settings are out of the installation's sight", async () => {
    // On selected repositories without acme/.github: a `break_glass` there would not be seen.
    const { deliver } = await setUp(repository(undefined, { repositorySelection: "selected" }));
    nock("https://api.github.com")
      .persist()
      .get("/repos/acme/.github")
      .reply(404, { message: "Not Found" });
    const checked = await deliver("pull_request", pullRequestPayload("opened"));
    expect(patches(checked).at(-1)).toMatchObject({ conclusion: "failure" });
    const refused = await deliver("issue_comment", commentPayload("/tollgate override x", "alice"));
    expect(patches(refused)).toEqual([]);
    expect(replies(refused)).toEqual([
      "Sorry @alice, break-glass overrides are not enabled here: the Tollgate settings this app can read name no users or teams under `break_glass`. Any `break_glass` in the organization's settings does not count: This app is installed on selected repositories of acme and cannot see acme/.github: if it exists, its .github/tollgate.yml and custom policies (enforcement, locks, waivers, custom rules) apply to no repository. To apply them, add acme/.github to the installation's repository access (the organization's settings, GitHub Apps, Configure).",
    ]);
    // On all repositories the same 404 means no file: the refusal says nothing of sight.
    nock.cleanAll();
    const all = await setUp(repository(undefined));
    const off = await all.deliver("issue_comment", commentPayload("/tollgate override x", "alice"));
    expect(replies(off)).toEqual([
      "Sorry @alice, break-glass overrides are not enabled here: the Tollgate settings name no users or teams under `break_glass`.",
    ]);
    expect(paths(off)).toContain("GET /installation/repositories");
  });

  it("refuses when the organization's settings cannot be read, since it cannot tell who may", async () => {
    const { deliver } = await setUp(repository(BREAK_GLASS), [
      /\/repos\/acme\/\.github\/contents\//,
    ]);
    const refused = await deliver("issue_comment", commentPayload("/tollgate override x", "alice"));
    expect(patches(refused)).toEqual([]);
    expect(replies(refused)).toEqual([
      expect.stringMatching(
        /^Sorry @alice, Tollgate could not read valid settings \(settings-unreadable in acme\/\.github:\.github\/tollgate\.yml\)/,
      ),
    ]);
  });

  it("answers when GitHub fails mid-command instead of leaving the comment unanswered", async () => {
    const { deliver } = await setUp(repository(BREAK_GLASS), [/\/repos\/acme\/infra\/pulls\/12$/]);
    const failed = await deliver("issue_comment", commentPayload("/tollgate override x", "alice"));
    expect(patches(failed)).toEqual([]);
    expect(replies(failed)).toEqual([
      "Sorry @alice, Tollgate could not complete `/tollgate override`: HttpError: Server Error (HTTP 500). Please try again.",
    ]);
  });

  it("answers a malformed override with its usage, and overrides nothing that passes", async () => {
    const { deliver } = await setUp(
      repository(BREAK_GLASS, {
        commits: {
          "": { [SETTINGS]: BREAK_GLASS },
          [BASE_SHA]: { "main.tf": BASE_MAIN },
          [HEAD_SHA]: { "main.tf": BASE_MAIN },
        },
      }),
    );
    const malformed = await deliver(
      "issue_comment",
      commentPayload("/tollgate override   ", "alice"),
    );
    expect(paths(malformed)).toEqual([
      "POST /app/installations/4242/access_tokens",
      "POST /repos/acme/infra/issues/12/comments",
    ]);
    expect(replies(malformed)[0]).toMatch(
      /^Sorry @alice, Tollgate could not read that command: a reason is required: `\/tollgate override <reason>`\.\n\nUsage: `\/tollgate override <reason>`/,
    );
    await deliver("pull_request", pullRequestPayload("opened"));
    const passing = await deliver("issue_comment", commentPayload("/tollgate override x", "alice"));
    expect(patches(passing)).toEqual([]);
    expect(replies(passing)).toEqual([
      "The Tollgate check on 2222222 did not block (success), so there is nothing to override.",
    ]);
  });
});

describe("/tollgate explain", () => {
  it("replies with the rule's documentation and this PR's findings of it from the check run", async () => {
    const { deliver } = await setUp(repository(undefined));
    await deliver("pull_request", pullRequestPayload("opened"));
    const explained = await deliver(
      "issue_comment",
      commentPayload("/tollgate EXPLAIN tg-net-001"),
    );
    expect(paths(explained)).toEqual([
      "GET /repos/acme/infra/collaborators/octocat/permission",
      "GET /repos/acme/infra/pulls/12",
      "GET /app",
      `GET /repos/acme/infra/commits/${HEAD_SHA}/check-runs`,
      "POST /repos/acme/infra/issues/12/comments",
    ]);
    expect(replies(explained)[0]).toBe(
      [
        "## `TG-NET-001`: Security group open to the world",
        "",
        "**Severity:** high · **Category:** network",
        "",
        "Ingress from `0.0.0.0/0` exposes the port to the whole internet.",
        "",
        "**Remediation:** Restrict cidr\\_blocks to known ranges.",
        "",
        "**Controls:** `CIS-AWS-5.2`",
        "",
        "**References:**",
        "- [AWS docs](https://docs.aws.amazon.com/vpc/latest/userguide/security-groups.html)",
        "",
        "### On this pull request (2222222)",
        "",
        "- `main.tf:2` `aws_security_group.web` (new, blocks merge): Ingress tcp/22 from 0.0.0.0/0 Evidence: `tcp/22 from 0.0.0.0/0`",
      ].join("\n"),
    );
  });

  it("lists close matches for an unknown rule id, and refuses without write access", async () => {
    const { deliver } = await setUp(repository(undefined));
    const unknown = await deliver("issue_comment", commentPayload("/tollgate explain TG-NET-01"));
    expect(replies(unknown)).toEqual([
      [
        "Tollgate has no rule `TG-NET-01`.",
        "",
        "Did you mean:",
        "",
        "- `TG-NET-001`: Security group open to the world",
        "- `TG-NET-002`: Security group open on all ports",
      ].join("\n"),
    ]);
    nock.cleanAll();
    const readOnly = await setUp(repository(undefined, { permission: "read" }));
    const refused = await readOnly.deliver(
      "issue_comment",
      commentPayload("/tollgate explain TG-NET-001"),
    );
    // A push runs the check again but explains nothing, so it is not offered.
    expect(replies(refused)).toEqual([
      "Sorry @octocat, only people with write access to this repository can ask Tollgate to explain a rule. A maintainer can comment the command.",
    ]);
  });

  it("knows the organization's custom rules in force, and offers them among close matches", async () => {
    const orgSettings = "policies: {}\n";
    const repo = repository(orgSettings);
    // The fake answers every repository alike: acme/.github's default branch holds the folder.
    repo.commits["main"] = {
      [SETTINGS]: orgSettings,
      "tollgate/policies/owner_tag.rego": OWNER_TAG_RULE,
    };
    const { deliver } = await setUp(repo);
    nock("https://api.github.com")
      .persist()
      .get("/repos/acme/.github")
      .reply(200, { name: ".github", default_branch: "main" });
    const explained = await deliver(
      "issue_comment",
      commentPayload("/tollgate explain acme-tag-001"),
    );
    expect(paths(explained)).toContain("GET /repos/acme/.github/git/trees/main");
    expect(replies(explained)).toEqual([
      [
        "## `ACME-TAG-001`: Buckets name their owner",
        "",
        "**Severity:** high · **Category:** logging",
        "",
        "**Defined in:** `tollgate/policies/owner_tag.rego` of `acme/.github` (default branch)",
        "",
        "**Remediation:** Add an owner tag.",
        "",
        "### On this pull request (2222222)",
        "",
        "There is no Tollgate check on 2222222 yet.",
      ].join("\n"),
    ]);
    const close = await deliver("issue_comment", commentPayload("/tollgate explain ACME-TAG-01"));
    expect(replies(close)).toEqual([
      [
        "Tollgate has no rule `ACME-TAG-01`.",
        "",
        "Did you mean:",
        "",
        "- `ACME-TAG-001`: Buckets name their owner",
      ].join("\n"),
    ]);
  });

  it("answers an unknown command with the list of commands", async () => {
    const { deliver } = await setUp(repository(undefined));
    const help = await deliver("issue_comment", commentPayload("/tollgate frobnicate"));
    expect(replies(help)[0]).toMatch(
      /^Sorry @octocat, Tollgate does not know `\/tollgate frobnicate`\. It understands, one per line:\n\n- `\/tollgate run`/,
    );
  });

  it("answers help with the list of commands, without an apology", async () => {
    const { deliver } = await setUp(repository(undefined));
    const help = await deliver("issue_comment", commentPayload("/tollgate help"));
    // Anyone may ask: no permission lookup.
    expect(paths(help)).not.toContain("GET /repos/acme/infra/collaborators/octocat/permission");
    expect(replies(help)).toEqual([
      [
        "@octocat, Tollgate understands, one per line:",
        "",
        "- `/tollgate run`: scan the pull request's head commit again",
        "- `/tollgate override <reason>`: override a blocking result on this commit (people named under `break_glass` in the settings)",
        "- `/tollgate explain <rule-id>`: the rule's documentation and this PR's findings of it",
        "- `/tollgate help`: this list",
      ].join("\n"),
    ]);
  });
});

describe("contract", () => {
  it("sends only requests GitHub's REST description allows, the new ones included", () => {
    const rest = everyRequest.filter((r) => r.path !== "/graphql");
    for (const path of [
      "/orgs/acme/teams/sec-leads/memberships/bob",
      `/repos/acme/infra/commits/${HEAD_SHA}/check-runs`,
      "/app",
    ])
      expect(rest.some((r) => r.path.split("?")[0] === path)).toBe(true);
    expect(rest.flatMap(contractProblems)).toEqual([]);
  });
});
