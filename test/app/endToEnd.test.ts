// The pull request check end to end with the real engine: recorded webhooks into the Probot app,
// GitHub mocked from fixture commits, the built-in policy library through Wasm, and the completed
// check run's request bodies read back. One engine for the file (the prebuilt bundle when current).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type ScanEngine } from "../../src/engine/index.js";
import { pullFilesBetween, readCommit } from "./commits.js";
import { examplePayload, mockGitHub, testApp } from "./harness.js";
import { contractProblems } from "./openapi.js";

const fixtures = fileURLToPath(new URL("fixtures/", import.meta.url));
const BASE = "a".repeat(40);
const OPENED = "b".repeat(40);
const MOVED = "c".repeat(40);
const CONVERTED = "d".repeat(40);

let engine: ScanEngine;

beforeAll(async () => {
  nock.disableNetConnect();
  // Without a current dist/policies.tar.gz the engine compiles the library (about 20 s).
  engine = await createEngine();
}, 120_000);
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

interface Completion {
  status: string;
  conclusion: string;
  output: {
    title: string;
    summary: string;
    annotations?: {
      path: string;
      start_line: number;
      end_line: number;
      annotation_level: string;
    }[];
  };
}

/** Delivers `action` for a PR from `baseSha` to `headSha` over the fixture commits of `flavour`. */
async function checkPullRequest(
  flavour:
    | "terraform"
    | "cloudformation"
    | "module"
    | "decoy"
    | "template"
    | "decoded"
    | "csv"
    | "fileset"
    | "for_each"
    | "condition"
    | "cfn_condition"
    | "cfn_if"
    | "module_count"
    | "module_for_each"
    | "module_argument"
    | "workspace",
  action: "opened" | "synchronize",
  pullNumber: number,
  baseSha: string,
  headSha: string,
) {
  const commits: Record<string, Record<string, string>> = {};
  for (const [sha, dir] of [
    [BASE, "base"],
    [OPENED, "opened"],
    [MOVED, "moved"],
    [CONVERTED, "converted"],
  ] as const) {
    if (existsSync(path.join(fixtures, flavour, dir)))
      commits[sha] = readCommit(path.join(fixtures, flavour, dir));
  }
  const github = mockGitHub({
    commits,
    pullFiles: pullFilesBetween(commits[baseSha] ?? {}, commits[headSha] ?? {}),
    pulls: [{ number: pullNumber, head: { sha: headSha }, base: { sha: baseSha } }],
  });
  const payload = examplePayload("pull_request", action);
  const pull = payload.pull_request as {
    number: number;
    head: { sha: string };
    base: { sha: string };
  };
  pull.number = pullNumber;
  pull.head.sha = headSha;
  pull.base.sha = baseSha;
  const app = await testApp(engine);
  await app.deliver("pull_request", payload);
  github.done();
  const updates = github.updates() as unknown as Completion[];
  expect(updates.map((u) => u.status)).toEqual(["completed"]);
  // Blobs are read as REST GETs for a one-file PR (base and head) and in GraphQL batches beyond
  // (src/github/blobs.ts); GraphQL is outside GitHub's REST description, the REST reads inside it.
  const rest = github.requests.filter((r) => r.path !== "/graphql");
  const blobGets = rest.filter(
    (r) => r.method === "GET" && /\/git\/blobs\/[0-9a-f]{40}$/.test(r.path),
  );
  const batches = github.requests.filter((r) => r.path === "/graphql");
  expect(
    blobGets.length > 0 ? blobGets.length <= 2 && batches.length === 0 : batches.length > 0,
  ).toBe(true);
  expect(rest.flatMap(contractProblems)).toEqual([]);
  const completion = updates[0] as Completion;
  const annotations = (completion.output.annotations ?? [])
    .map((a) => ({
      path: a.path,
      lines: [a.start_line, a.end_line],
      level: a.annotation_level,
      rule: /^TG-[A-Z]+-\d+/.exec((a as { title?: string }).title ?? "")?.[0],
      // The status line follows any note (`Widened by this change: ...`).
      status: /^[A-Z]+ (new|existing) finding/m.exec(
        (a as { message?: string }).message ?? "",
      )?.[1],
      message: (a as { message?: string }).message ?? "",
    }))
    .sort((a, b) => a.path.localeCompare(b.path) || (a.lines[0] ?? 0) - (b.lines[0] ?? 0));
  return {
    completion,
    annotations: annotations.map(({ message: _message, ...placed }) => placed),
    messages: annotations.map((a) => a.message),
  };
}

describe("a pull request check with the real engine", () => {
  it("fails a Terraform PR that opens SSH to the world and grants Action * on *, on those lines", async () => {
    const { completion, annotations } = await checkPullRequest(
      "terraform",
      "opened",
      31,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("2 new findings: 1 critical, 1 high");
    // iam.tf:8 is `Action = "*"`, network.tf:11 is `cidr_blocks = ["0.0.0.0/0"]`.
    expect(annotations).toEqual([
      { path: "iam.tf", lines: [8, 8], level: "failure", rule: "TG-IAM-002", status: "new" },
      { path: "network.tf", lines: [11, 11], level: "failure", rule: "TG-NET-001", status: "new" },
    ]);
    // The VPC's missing flow log was there before and its lines are untouched: summary only.
    expect(completion.output.summary).toContain("### New findings (2)");
    expect(completion.output.summary).toContain("### Existing findings (1)");
    expect(completion.output.summary).toContain("TG-LOG-005");
  });

  it("passes a Terraform PR that only moves those resources to another file and reorders them", async () => {
    const { completion, annotations } = await checkPullRequest(
      "terraform",
      "synchronize",
      32,
      OPENED,
      MOVED,
    );
    expect(completion.conclusion).toBe("success");
    expect(completion.output.title).toBe("No new findings");
    expect(completion.output.summary).not.toContain("### New findings");
    expect(completion.output.summary).toContain("### Existing findings (3)");
    // The moved lines are changed lines, so the findings on them are shown, as existing warnings.
    expect(annotations).toEqual([
      { path: "iam.tf", lines: [13, 13], level: "warning", rule: "TG-IAM-002", status: "existing" },
      {
        path: "main.tf",
        lines: [23, 23],
        level: "warning",
        rule: "TG-NET-001",
        status: "existing",
      },
    ]);
  });

  it("fails a CloudFormation template that does the same, on those lines", async () => {
    const opened = await checkPullRequest("cloudformation", "opened", 33, BASE, OPENED);
    expect(opened.completion.conclusion).toBe("failure");
    // stack.yaml:17 is `CidrIp: 0.0.0.0/0`, stack.yaml:25 is `Action: "*"`; the new group at
    // stack.yaml:8 writes no SecurityGroupEgress and keeps AWS's default egress (advisory).
    expect(opened.annotations).toEqual([
      { path: "stack.yaml", lines: [8, 8], level: "warning", rule: "TG-NET-007", status: "new" },
      { path: "stack.yaml", lines: [17, 17], level: "failure", rule: "TG-NET-001", status: "new" },
      { path: "stack.yaml", lines: [25, 25], level: "failure", rule: "TG-IAM-002", status: "new" },
    ]);
  });

  it("passes a PR that rewrites that template as JSON (stack.yaml removed, stack.json added)", async () => {
    // GitHub lists no rename, the text being another; the template deploys the same resources.
    const converted = await checkPullRequest(
      "cloudformation",
      "synchronize",
      35,
      OPENED,
      CONVERTED,
    );
    expect(converted.completion.conclusion).toBe("success");
    expect(converted.completion.output.title).toBe("No new findings");
    expect(converted.completion.output.summary).toContain("### Existing findings (4)");
    expect(converted.annotations.map((a) => `${a.path} ${a.rule} ${a.status}`)).toEqual([
      "stack.json TG-LOG-005 existing",
      "stack.json TG-NET-007 existing",
      "stack.json TG-NET-001 existing",
      "stack.json TG-IAM-002 existing",
    ]);
  });

  it("passes a CloudFormation template that only reorders those resources", async () => {
    const moved = await checkPullRequest("cloudformation", "synchronize", 34, OPENED, MOVED);
    expect(moved.completion.conclusion).toBe("success");
    expect(moved.completion.output.title).toBe("No new findings");
    expect(moved.completion.output.summary).toContain("### Existing findings (4)");
    // stack.yaml:17 is `Action: "*"` and :28 `CidrIp: 0.0.0.0/0`, both on lines the PR rewrote.
    expect(moved.annotations).toEqual([
      {
        path: "stack.yaml",
        lines: [17, 17],
        level: "warning",
        rule: "TG-IAM-002",
        status: "existing",
      },
      {
        path: "stack.yaml",
        lines: [28, 28],
        level: "warning",
        rule: "TG-NET-001",
        status: "existing",
      },
    ]);
  });

  it("fails closed on a template that is not UTF-8, as the CLI does, at its first such byte", async () => {
    // One Latin-1 byte in a comment: the AWS CLI deploys such a template from a Latin-1 locale, so
    // passing it over would let the SSH to the world and Action * it adds go unjudged.
    const base = readCommit(path.join(fixtures, "cloudformation", "base"));
    const opened = readCommit(path.join(fixtures, "cloudformation", "opened"));
    const text = `# caf\u00e9\n${opened["stack.yaml"]}`;
    const github = mockGitHub({
      commits: { [BASE]: base, [OPENED]: { "stack.yaml": Buffer.from(text, "latin1") } },
      pullFiles: pullFilesBetween(base, { "stack.yaml": text }),
      pulls: [{ number: 36, head: { sha: OPENED }, base: { sha: BASE } }],
    });
    const payload = examplePayload("pull_request", "opened");
    const pull = payload.pull_request as {
      number: number;
      head: { sha: string };
      base: { sha: string };
    };
    pull.number = 36;
    pull.head.sha = OPENED;
    pull.base.sha = BASE;
    const app = await testApp(engine);
    await app.deliver("pull_request", payload);
    github.done();
    const updates = github.updates() as unknown as Completion[];
    expect(updates.map((u) => [u.status, u.conclusion])).toEqual([["completed", "failure"]]);
    const annotations = updates[0]?.output.annotations ?? [];
    expect(annotations).toEqual([
      expect.objectContaining({
        path: "stack.yaml",
        start_line: 1,
        annotation_level: "failure",
        // as `tollgate scan` says it of the same bytes
        message: "stack.yaml:1:6: is not valid UTF-8 here; save the file as UTF-8 (invalid-utf8)",
      }),
    ]);
    expect(updates[0]?.output.title).toBe("No new findings; 1 scan error");
  });

  it("fails a PR that opens SSH in a local module only, scanned from the root that calls it", async () => {
    // The root main.tf passes cidr = "0.0.0.0/0" and is untouched; the PR changes the module's
    // ports from 8443 to 22 (modules/bastion/main.tf:12-13), as tollgate diff on the folders does.
    const { completion, annotations, messages } = await checkPullRequest(
      "module",
      "opened",
      35,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      {
        path: "modules/bastion/main.tf",
        lines: [12, 12],
        level: "failure",
        rule: "TG-NET-001",
        status: "new",
      },
    ]);
    expect(messages[0]?.split("\n").slice(0, 2)).toEqual([
      "HIGH new finding on module.bastion.aws_security_group.this (modules/bastion/main.tf:5): The security group allows SSH (tcp/22) from 0.0.0.0/0: restrict the source to known addresses.",
      "The value is written at main.tf:3.",
    ]);
  });

  it("fails a PR that widens a root's default and hides the root behind a caller it adds", async () => {
    // Review s22 #6: envs/prod is a root at base, planned alone with its default; the pull
    // request opens the default and adds decoy/main.tf calling envs/prod with the old value.
    const { completion, annotations } = await checkPullRequest("decoy", "opened", 36, BASE, OPENED);
    expect(completion.conclusion).toBe("failure");
    expect(annotations).toEqual([
      {
        path: "envs/prod/main.tf",
        lines: [3, 3],
        level: "failure",
        rule: "TG-NET-001",
        status: "new",
      },
    ]);
  });

  it("fails a PR that makes Tollgate alone fail in a workspace it opens SSH in, on the failing line", async () => {
    // In prod the PR opens SSH and reads regex("^0\\.1{20}", tostring(jsondecode("0.111…"))), which
    // matches in Terraform (512-bit numbers) and not in Tollgate (jsondecode's float64): prod goes
    // unjudged, so the check fails.
    const { completion, annotations, messages } = await checkPullRequest(
      "workspace",
      "opened",
      36,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(annotations).toEqual([
      { path: "main.tf", lines: [3, 3], level: "failure", rule: undefined, status: undefined },
    ]);
    expect(messages.map((message) => message.replace(/ \(.*$/s, ""))).toEqual([
      'main.tf:3:43: Tollgate could not check workspace "prod" at the head',
    ]);
  });

  it("fails a PR that only edits a policy template a module renders, on the template's line", async () => {
    // modules/deploy/templates/deploy.json.tftpl:6 goes from two S3 actions to "s3:*"; no .tf file
    // changes, yet the check scans the module that renders the template, from the root calling it.
    const { completion, annotations } = await checkPullRequest(
      "template",
      "opened",
      36,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      {
        path: "modules/deploy/templates/deploy.json.tftpl",
        lines: [6, 6],
        level: "failure",
        rule: "TG-IAM-001",
        status: "new",
      },
    ]);
  });

  it("fails a PR that only edits a YAML file a module decodes, on the YAML line it added", async () => {
    // modules/web/rules.yaml:11 adds 0.0.0.0/0 to the SSH rule that yamldecode(file()) feeds a
    // dynamic ingress; no .tf file changes, yet the check scans the module from the root calling it.
    const { completion, annotations } = await checkPullRequest(
      "decoded",
      "opened",
      37,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      {
        path: "modules/web/rules.yaml",
        lines: [11, 11],
        level: "failure",
        rule: "TG-NET-001",
        status: "new",
      },
    ]);
  });

  it("fails a PR that only adds a row to a CSV file a module decodes, on the row it added", async () => {
    // modules/web/rules.csv:4 adds an SSH rule from 0.0.0.0/0 that csvdecode(file()) turns into a
    // security group rule; no .tf file changes, and no walk reads a .csv, yet the module is scanned.
    const { completion, annotations } = await checkPullRequest("csv", "opened", 38, BASE, OPENED);
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      {
        path: "modules/web/rules.csv",
        lines: [4, 4],
        level: "failure",
        rule: "TG-NET-001",
        status: "new",
      },
    ]);
  });

  it("fails a PR that only adds a source file a module's fileset() makes a public function URL of", async () => {
    // modules/functions makes a Lambda function and an unauthenticated URL for each handlers/*.py;
    // the PR adds handlers/webhook.py and changes no .tf file, yet a new endpoint is deployed.
    const { completion, annotations } = await checkPullRequest(
      "fileset",
      "opened",
      39,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(completion.output.summary).toContain(
      '`module.functions.aws_lambda_function_url.handler["handlers/webhook.py"]` at `modules/functions/main.tf:14` (**blocks merge**',
    );
    expect(annotations).toEqual([
      {
        path: "modules/functions/main.tf",
        lines: [14, 14],
        level: "failure",
        rule: "TG-IAM-018",
        status: "new",
      },
    ]);
  });

  it("annotates a rule a new for_each key creates on the locals entry the PR added", async () => {
    // locals.tf:4 adds rdp = 3389 to the ports main.tf's rule is made for; its cidr comes from a
    // variable default (variables.tf:3). Neither that line nor the rule's block changed.
    const { completion, annotations, messages } = await checkPullRequest(
      "for_each",
      "opened",
      37,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      { path: "locals.tf", lines: [4, 4], level: "failure", rule: "TG-NET-002", status: "new" },
    ]);
    expect(messages[0]?.split("\n").slice(0, 3)).toEqual([
      'HIGH new finding on aws_security_group_rule.admin["rdp"] (main.tf:6): The security group allows Remote Desktop (tcp/3389) from 0.0.0.0/0: restrict the source to known addresses.',
      "This changed line is read by the resource's for_each.",
      "The value is written at variables.tf:3.",
    ]);
  });

  it("annotates findings a changed tfvars value or variable default turns on, each on its own line", async () => {
    // terraform.tfvars:1 turns open_rdp on, which main.tf:7's count tests; variables.tf:8 turns
    // public_ssh on, which the condition of main.tf:22's cidr_blocks tests. main.tf is unchanged.
    const { completion, annotations, messages } = await checkPullRequest(
      "condition",
      "opened",
      38,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("2 new findings: 2 high");
    expect(annotations).toEqual([
      {
        path: "terraform.tfvars",
        lines: [1, 1],
        level: "failure",
        rule: "TG-NET-002",
        status: "new",
      },
      { path: "variables.tf", lines: [8, 8], level: "failure", rule: "TG-NET-001", status: "new" },
    ]);
    expect(messages.map((message) => message.split("\n").slice(1, 3))).toEqual([
      ["This changed line is read by the resource's count.", "The value is written at main.tf:13."],
      [
        "This changed line is read by the resource's cidr_blocks.",
        "The value is written at main.tf:22.",
      ],
    ]);
  });

  it("annotates a finding a changed module argument passes into the module, on that argument", async () => {
    // main.tf:7 passes local.open (main.tf:2, unchanged) as the bastion module's cidr, which its
    // RDP ingress (modules/bastion/main.tf:10, unchanged) reads through var.cidr.
    const { completion, annotations, messages } = await checkPullRequest(
      "module_argument",
      "opened",
      43,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(completion.output.title).toBe("1 new finding: 1 high");
    expect(annotations).toEqual([
      { path: "main.tf", lines: [7, 7], level: "failure", rule: "TG-NET-002", status: "new" },
    ]);
    const readBy = "module.bastion's cidr argument on its way to the resource's ingress";
    expect(messages[0]?.split("\n").slice(1, 3)).toEqual([
      `This changed line is read by ${readBy}.`,
      "The value is written at main.tf:2.",
    ]);
    expect(completion.output.summary).toContain(`This changed line is read by ${readBy}.`);
  });

  it("annotates a CloudFormation resource a changed parameter Default turns on, on that Default", async () => {
    // stack.yaml:6 sets BreakGlass's Default to "true"; RemoteDesktop (Condition: InBreakGlass,
    // which tests it) now exists in every deployment that keeps the Default, opening RDP at
    // stack.yaml:22. Its block is unchanged. At base it existed only where a deployment
    // overrides the Default "false" ("only when InBreakGlass"), so it is new, widened.
    const { completion, annotations, messages } = await checkPullRequest(
      "cfn_condition",
      "opened",
      39,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(annotations).toEqual([
      { path: "stack.yaml", lines: [6, 6], level: "failure", rule: "TG-NET-002", status: "new" },
    ]);
    const lines = messages[0]?.split("\n") ?? [];
    expect([lines[0], ...lines.slice(2, 4)]).toEqual([
      "Widened by this change: now in every deployment (was only when InBreakGlass).",
      "This changed line is read by the resource's Condition.",
      "The value is written at stack.yaml:22.",
    ]);
  });

  it("annotates a CloudFormation value a changed parameter Default chose through a Fn::If, on that Default", async () => {
    // stack.yaml:5 sets Open's Default to "yes"; IsOpen (stack.yaml:7) tests it, and the ingress
    // rule's CidrIp: !If [IsOpen, 0.0.0.0/0, 10.0.0.0/8] (stack.yaml:17, unchanged) opens SSH.
    const { completion, annotations, messages } = await checkPullRequest(
      "cfn_if",
      "opened",
      41,
      BASE,
      OPENED,
    );
    expect(completion.conclusion).toBe("failure");
    expect(annotations).toEqual([
      { path: "stack.yaml", lines: [5, 5], level: "failure", rule: "TG-NET-001", status: "new" },
    ]);
    expect(messages[0]?.split("\n").slice(1, 3)).toEqual([
      "This changed line is read by the resource's SecurityGroupIngress/0/CidrIp.",
      "The value is written at stack.yaml:17.",
    ]);
  });

  it("annotates what a module call's count turns on, on the tfvars line that turned it on", async () => {
    // terraform.tfvars:1 sets enable_logs, which main.tf:8's module "logs" count tests; the bucket
    // in modules/bucket/main.tf (unchanged) exists now, and so do its findings.
    const { completion, annotations, messages } = await checkPullRequest(
      "module_count",
      "opened",
      40,
      BASE,
      OPENED,
    );
    expect(completion.output.title).toBe("2 new findings: 1 medium, 1 low");
    expect(annotations).toEqual([
      {
        path: "terraform.tfvars",
        lines: [1, 1],
        level: "warning",
        rule: "TG-ENC-018",
        status: "new",
      },
      {
        path: "terraform.tfvars",
        lines: [1, 1],
        level: "warning",
        rule: "TG-LOG-006",
        status: "new",
      },
    ]);
    expect(messages.map((message) => message.split("\n").slice(1, 3))).toEqual(
      Array(2).fill([
        "This changed line is read by the count of module.logs, which creates the resource.",
        "The value is written at modules/bucket/main.tf:5.",
      ]),
    );
  });

  it("annotates what a key added to a module call's for_each map creates, on that key's line", async () => {
    // main.tf:4 adds audit to local.buckets, which module "buckets" iterates (main.tf:9); line 3,
    // realigned, makes the existing instance "app", whose findings stay unannotated.
    const { completion, annotations, messages } = await checkPullRequest(
      "module_for_each",
      "opened",
      41,
      BASE,
      OPENED,
    );
    expect(completion.output.title).toBe("2 new findings: 1 medium, 1 low");
    expect(annotations).toEqual([
      { path: "main.tf", lines: [4, 4], level: "warning", rule: "TG-ENC-018", status: "new" },
      { path: "main.tf", lines: [4, 4], level: "warning", rule: "TG-LOG-006", status: "new" },
    ]);
    expect(messages.map((message) => message.split("\n").slice(0, 2))).toEqual([
      [
        expect.stringMatching(
          /^MEDIUM new finding on module\.buckets\["audit"\]\.aws_s3_bucket\.this: /,
        ),
        "This changed line is read by the for_each of module.buckets, which creates the resource.",
      ],
      [
        expect.stringMatching(
          /^LOW new finding on module\.buckets\["audit"\]\.aws_s3_bucket\.this: /,
        ),
        "This changed line is read by the for_each of module.buckets, which creates the resource.",
      ],
    ]);
  });
});

describe("a pull request check in a repository whose settings give a root its variable files", () => {
  const BASE_SHA = "e".repeat(40);
  const SETTINGS = "terraform:\n  var_files:\n    envs/staging: [staging.tfvars]\n";
  const staging = [
    'variable "cidr" {}',
    'resource "aws_security_group" "admin" {',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    "    cidr_blocks = [var.cidr]",
    "  }",
    "}",
    "",
  ].join("\n");
  const base = {
    "envs/staging/main.tf": staging,
    "envs/staging/staging.tfvars": 'cidr = "10.0.0.0/8"\n',
    "other/main.tf": 'resource "aws_sns_topic" "t" {\n  name = "t"\n}\n',
  };

  /** The check of a pull request from `base` to `head`, the settings on the default branch. */
  async function check(head: Record<string, string>, pullNumber: number, headSha: string) {
    // The settings are read without a ref: from the default branch, the fake's commit "".
    const commits = { [BASE_SHA]: base, [headSha]: head, "": { ".github/tollgate.yml": SETTINGS } };
    const github = mockGitHub({
      commits,
      pullFiles: pullFilesBetween(base, head),
      pulls: [{ number: pullNumber, head: { sha: headSha }, base: { sha: BASE_SHA } }],
    });
    const payload = examplePayload("pull_request", "opened");
    const pull = payload.pull_request as {
      number: number;
      head: { sha: string };
      base: { sha: string };
    };
    pull.number = pullNumber;
    pull.head.sha = headSha;
    pull.base.sha = BASE_SHA;
    const app = await testApp(engine);
    await app.deliver("pull_request", payload);
    github.done();
    return (github.updates() as unknown as Completion[])[0];
  }

  it("passes a pull request that leaves that root alone: the root is not fetched, and no error says it is missing", async () => {
    const completion = await check(
      { ...base, "other/main.tf": base["other/main.tf"].replace('"t"\n', '"t2"\n') },
      51,
      "f".repeat(40),
    );
    expect([completion?.conclusion, completion?.output.title]).toEqual([
      "success",
      "No new findings",
    ]);
    expect(completion?.output.summary).not.toContain("terraform-missing-variable-file");
  });

  it("reads the variable file of a root the pull request changes, on the line that opens SSH", async () => {
    const completion = await check(
      { ...base, "envs/staging/staging.tfvars": 'cidr = "0.0.0.0/0"\n' },
      52,
      "9".repeat(40),
    );
    expect(completion?.conclusion).toBe("failure");
    expect(
      completion?.output.annotations?.map((a) => [a.path, a.start_line, a.annotation_level]),
    ).toEqual([["envs/staging/staging.tfvars", 1, "failure"]]);
  });
});
