import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isTemplateFile, notTextOfChange, readRepositoryFiles } from "../iac/index.js";
import type { LoadError } from "../model/types.js";
import { FakeGitHub, gitBlobSha, type FakeRepository } from "../../test/app/fakeGitHub.js";
import { BlobCache, fetchPullSnapshots, readSettingsFile, type GitHubApi } from "./index.js";

const BASE = "a".repeat(40);
const HEAD = "b".repeat(40);

const network = 'module "net" {\n  source = "../../modules/net"\n}\n';
const repository: FakeRepository = {
  commits: {
    [BASE]: {
      "envs/prod/main.tf": network,
      "envs/prod/vars.tf": 'variable "cidr" {}\n',
      "envs/prod/prod.tfvars": 'cidr = "10.0.0.0/8"\n',
      "modules/net/main.tf": 'resource "aws_security_group" "web" {}\n',
      "modules/other/main.tf": "# read only to look for module calls\n",
      "cfn/old.yaml": "Resources: {}\n",
      "README.md": "# docs\n",
    },
    [HEAD]: {
      "envs/prod/main.tf": network + 'resource "aws_s3_bucket" "logs" {}\n',
      "envs/prod/vars.tf": 'variable "cidr" {}\n',
      "envs/prod/prod.tfvars": 'cidr = "10.0.0.0/8"\n',
      "modules/net/main.tf": 'resource "aws_security_group" "web" {}\n',
      "modules/other/main.tf": "# read only to look for module calls\n",
      "cfn/new.yaml": "Resources: {}\n",
      "cfn/logo.json": Buffer.from([0x7b, 0x00, 0x7d]),
      "huge.tf": "#".repeat(2000),
      "README.md": "# docs, changed\n",
    },
  },
  pullFiles: [
    { filename: "envs/prod/main.tf", status: "modified", patch: "@@ -3,0 +4 @@\n+resource" },
    { filename: "cfn/new.yaml", previous_filename: "cfn/old.yaml", status: "renamed" },
    { filename: "cfn/logo.json", status: "added" },
    { filename: "huge.tf", status: "added" },
    { filename: "README.md", status: "modified", patch: "@@ -1 +1 @@\n-# docs\n+# docs, changed" },
  ],
};

let github: FakeGitHub;
let api: GitHubApi;

beforeEach(async () => {
  github = new FakeGitHub(repository);
  api = github.client(await github.start());
});
afterEach(() => github.stop());

const pull = { owner: "acme", repo: "infra", pullNumber: 7, baseSha: BASE, headSha: HEAD };
const paths = (files: { path: string }[]) => files.map((f) => f.path);

describe("fetchPullSnapshots", () => {
  it("reads changed IaC files, their module directories and called local modules at both commits", async () => {
    const snapshots = await fetchPullSnapshots(api, pull, { maxFileBytes: 1000 });
    expect(paths(snapshots.head)).toEqual([
      "cfn/new.yaml",
      "envs/prod/main.tf",
      "envs/prod/prod.tfvars",
      "envs/prod/vars.tf",
      "modules/net/main.tf",
    ]);
    expect(paths(snapshots.base)).toEqual([
      "cfn/old.yaml",
      "envs/prod/main.tf",
      "envs/prod/prod.tfvars",
      "envs/prod/vars.tf",
      "modules/net/main.tf",
    ]);
    expect(snapshots.head.find((f) => f.path === "envs/prod/main.tf")?.text).toContain(
      "aws_s3_bucket",
    );
    expect(snapshots.changedFiles).toHaveLength(5);
    expect(snapshots.errors).toEqual([
      {
        file: "huge.tf",
        line: 1,
        column: 1,
        code: "file-too-large",
        message:
          "2000 bytes is over the 1000-byte limit of a file the app reads: split it (CloudFormation itself accepts no template over 1 MB)",
      },
      // at its NUL, as `tollgate scan` judges the same bytes (the test "decides each file as the
      // CLI does" compares code and message)
      expect.objectContaining({ file: "cfn/logo.json", line: 1, column: 2 }),
    ]);
    expect(snapshots.notices).toEqual([]);
  });

  it("fails closed at the per-commit byte budget: a skipped head file is an error", async () => {
    const snapshots = await fetchPullSnapshots(api, pull, {
      maxFileBytes: 1000,
      maxBytesPerCommit: 60,
    });
    expect(snapshots.head.reduce((bytes, f) => bytes + f.text.length, 0)).toBeLessThanOrEqual(60);
    expect(snapshots.errors).toContainEqual(
      expect.objectContaining({
        code: "scan-budget",
        message: "over the budget of 2000 files or 60 bytes per commit",
      }),
    );
    expect(snapshots.notices).toContainEqual(
      expect.stringMatching(/ at base: over the budget of 2000 files or 60 bytes per commit$/),
    );
  });

  it("fails closed when GitHub lists only part of a huge pull request", async () => {
    const many = Array.from({ length: 3001 }, (_, i) => ({
      filename: `docs/${i}.md`,
      status: "added" as const,
    }));
    github = new FakeGitHub({ ...repository, pullFiles: many });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(snapshots.changedFiles).toHaveLength(3000);
    expect(github.countOf("pulls.listFiles")).toBe(30);
    expect(snapshots.errors).toEqual([
      expect.objectContaining({ file: "(pull request)", code: "pull-too-large" }),
    ]);
  });

  it("makes no request once its signal is aborted", async () => {
    const stop = new AbortController();
    stop.abort(new Error("superseded"));
    await expect(fetchPullSnapshots(api, pull, {}, stop.signal)).rejects.toThrow();
    expect(github.requests).toEqual([]);
  });

  it("spends one listing page, two trees and one GraphQL query per module round past the REST limit", async () => {
    const snapshots = await fetchPullSnapshots(api, pull, { maxFileBytes: 1000, restBlobLimit: 0 });
    // modules/net, which envs/prod calls, was read in the first round with the other .tf files
    // looked at for calls of envs/prod, so the second round needs no query. GraphQL gives no bytes
    // of the binary cfn/logo.json, which REST reads to judge them.
    expect(github.requests).toEqual([
      "pulls.listFiles",
      "git.getTree",
      "git.getTree",
      "graphql",
      "git.getBlob",
    ]);
    expect(snapshots).toEqual(await fetchPullSnapshots(api, pull, { maxFileBytes: 1000 }));
  });

  it("reads a few blobs with REST GETs, each distinct blob once, a bounded number at a time", async () => {
    let inFlight = 0;
    let most = 0;
    api.hook.wrap("request", async (request, options) => {
      most = Math.max(most, ++inFlight);
      try {
        // Answers arrive later than the next request could start, so the bound is what limits.
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await request(options);
      } finally {
        inFlight -= 1;
      }
    });
    const snapshots = await fetchPullSnapshots(api, pull, {
      maxFileBytes: 1000,
      restBlobLimit: 8,
      restConcurrency: 3,
    });
    expect(paths(snapshots.head)).toHaveLength(5);
    expect(snapshots.errors).toContainEqual(
      expect.objectContaining({ file: "cfn/logo.json", line: 1, column: 2 }),
    );
    expect(github.countOf("graphql")).toBe(0);
    // 11 files, 7 distinct blobs: the renamed template and three module files are equal at both
    // commits; and modules/other/main.tf, read once to see whether it calls a changed module
    expect(github.countOf("git.getBlob")).toBe(8);
    expect(most).toBe(3);
  });

  it("falls back to REST blobs when GraphQL fails, reading each distinct blob once", async () => {
    github.graphqlDown = true;
    const snapshots = await fetchPullSnapshots(api, pull, { maxFileBytes: 1000, restBlobLimit: 0 });
    expect(paths(snapshots.head)).toHaveLength(5);
    // 11 files, 7 distinct blobs: the renamed template and three module files are equal at both
    // commits; and modules/other/main.tf, read once to see whether it calls a changed module
    expect(github.countOf("git.getBlob")).toBe(8);
  });

  it("reads the roots that call a changed local module, as a full checkout would scan it", async () => {
    const sg = 'variable "cidr" {}\nresource "aws_security_group" "this" {}\n';
    const caller = (dir: string) => `module "sg" {\n  source = "../../modules/${dir}"\n}\n`;
    const files = {
      "envs/prod/main.tf": caller("sg"),
      "envs/prod/terraform.tfvars": 'cidr = "0.0.0.0/0"\n',
      "envs/dev/main.tf": caller("other"),
      "modules/other/main.tf": 'module "inner" {\n  source = "../sg"\n}\n',
      "modules/unrelated/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/sg/main.tf": sg },
        [HEAD]: { ...files, "modules/sg/main.tf": `${sg}# opened\n` },
      },
      pullFiles: [{ filename: "modules/sg/main.tf", status: "modified", patch: "@@ -2,0 +3 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = [
      "envs/dev/main.tf",
      "envs/prod/main.tf",
      "envs/prod/terraform.tfvars",
      "modules/other/main.tf",
      "modules/sg/main.tf",
    ];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.notices).toEqual([]);
  });

  it("finds callers written in JSON syntax (.tf.json), up to the roots", async () => {
    const sg = 'variable "cidr" {}\nresource "aws_security_group" "this" {}\n';
    const caller = (source: string) => JSON.stringify({ module: { sg: { source } } }, null, 2);
    const files = {
      "envs/prod/main.tf.json": caller("../../modules/wrapper"),
      "envs/prod/terraform.tfvars.json": '{"cidr": "0.0.0.0/0"}\n',
      "modules/wrapper/main.tf.json": caller("../sg"),
      "modules/unrelated/main.tf.json": caller("../other"),
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/sg/main.tf": sg },
        [HEAD]: { ...files, "modules/sg/main.tf": `${sg}# opened\n` },
      },
      pullFiles: [{ filename: "modules/sg/main.tf", status: "modified", patch: "@@ -2,0 +3 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = [
      "envs/prod/main.tf.json",
      "envs/prod/terraform.tfvars.json",
      "modules/sg/main.tf",
      "modules/wrapper/main.tf.json",
    ];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.notices).toEqual([]);
  });

  it("reads OpenTofu's files with a changed module's Terraform files, and finds callers written in .tofu", async () => {
    const sg = 'variable "cidr" {}\nresource "aws_security_group" "this" {}\n';
    const files = {
      "live/main.tofu": 'module "sg" {\n  source = "../modules/sg"\n}\n',
      "live/main.tf": "# what Terraform reads; OpenTofu reads main.tofu\n",
      "modules/sg/net.tofu.json": '{"variable": {"vpc": {}}}\n',
      "modules/unrelated/main.tofu": 'resource "aws_s3_bucket" "b" {}\n',
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/sg/main.tofu": sg },
        [HEAD]: { ...files, "modules/sg/main.tofu": `${sg}# opened\n` },
      },
      pullFiles: [{ filename: "modules/sg/main.tofu", status: "modified", patch: "@@ -2,0 +3 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = [
      "live/main.tf",
      "live/main.tofu",
      "modules/sg/main.tofu",
      "modules/sg/net.tofu.json",
    ];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.notices).toEqual([]);
  });

  it("says so when the files to look for callers in are over the budget", async () => {
    const snapshots = await fetchPullSnapshots(api, pull, {
      maxFileBytes: 1000,
      maxFilesPerCommit: 1,
    });
    expect(snapshots.notices).toContainEqual(
      expect.stringMatching(
        /^Callers of the changed Terraform modules, and modules reading the changed files, were looked for only in the 1 other Terraform files nearest them: 2 are over the budget of 1 files or \d+ bytes, so a caller or reader among the 1 farther away is missed/,
      ),
    );
  });

  it("over the budget, looks in the Terraform files nearest the changed ones first", async () => {
    // Review s22 #3: a pull request changing only a data file its own folder's module decodes,
    // in a repository whose other Terraform files are over the look's budget.
    const root =
      'locals {\n  cidrs = jsondecode(file("${path.module}/cidrs.json"))\n}\n' +
      'resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n' +
      '    protocol    = "tcp"\n    cidr_blocks = local.cidrs\n  }\n}\n';
    const others: Record<string, string> = {};
    for (let i = 0; i < 5; i++) others[`svc${i}/main.tf`] = `# service ${i}\n`;
    const sg = 'variable "cidr" {}\nresource "aws_security_group" "this" {}\n';
    github = new FakeGitHub({
      commits: {
        [BASE]: {
          ...others,
          "envs/prod/main.tf": root,
          "envs/prod/cidrs.json": '["10.0.0.0/8"]\n',
          "envs/dev/main.tf": 'module "sg" {\n  source = "../../modules/sg"\n}\n',
          "modules/sg/main.tf": sg,
        },
        [HEAD]: {
          ...others,
          "envs/prod/main.tf": root,
          "envs/prod/cidrs.json": '["0.0.0.0/0"]\n',
          "envs/dev/main.tf": 'module "sg" {\n  source = "../../modules/sg"\n}\n',
          "modules/sg/main.tf": sg,
        },
      },
      pullFiles: [{ filename: "envs/prod/cidrs.json", status: "modified", patch: "@@ -1 +1 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull, { maxFilesPerCommit: 2 });
    // The module beside the data file is found among the 8 other Terraform files, 2 looked in.
    expect(paths(snapshots.head)).toEqual(["envs/prod/cidrs.json", "envs/prod/main.tf"]);
    expect(paths(snapshots.base)).toEqual(["envs/prod/cidrs.json", "envs/prod/main.tf"]);
    expect(snapshots.errors).toEqual([]);
    expect(snapshots.notices).toEqual([
      expect.stringMatching(
        /looked for only in the 2 other Terraform files nearest them: 8 are over the budget of 2 files/,
      ),
    ]);
  });

  it("rescans a root from a variable file the settings give it elsewhere, and reads those files with the root", async () => {
    // Review s22 #10: `terraform.var_files: {envs/app: [vars/prod.tfvars, ../shared/common.tfvars]}`.
    const root = 'variable "cidr" {}\nresource "aws_security_group" "ssh" {}\n';
    const files = {
      "envs/app/main.tf": root,
      "envs/shared/common.tfvars": 'owner = "platform"\n',
      "other/main.tf": "# unrelated\n",
    };
    const variableFiles = { "envs/app": ["vars/prod.tfvars", "../shared/common.tfvars"] };
    const expected = ["envs/app/main.tf", "envs/app/vars/prod.tfvars", "envs/shared/common.tfvars"];
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "envs/app/vars/prod.tfvars": 'cidr = "10.0.0.0/8"\n' },
        [HEAD]: { ...files, "envs/app/vars/prod.tfvars": 'cidr = "0.0.0.0/0"\n' },
      },
      pullFiles: [
        { filename: "envs/app/vars/prod.tfvars", status: "modified", patch: "@@ -1 +1 @@" },
      ],
    });
    api = github.client(await github.start());
    const onlyVars = await fetchPullSnapshots(api, pull, {}, undefined, {}, variableFiles);
    expect(paths(onlyVars.head)).toEqual(expected);
    expect(paths(onlyVars.base)).toEqual(expected);
    github.stop();
    // A change to the root reads the variable files kept outside its folder too.
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "envs/app/vars/prod.tfvars": 'cidr = "10.0.0.0/8"\n' },
        [HEAD]: {
          ...files,
          "envs/app/main.tf": `${root}# changed\n`,
          "envs/app/vars/prod.tfvars": 'cidr = "10.0.0.0/8"\n',
        },
      },
      pullFiles: [{ filename: "envs/app/main.tf", status: "modified", patch: "@@ -2,0 +3 @@" }],
    });
    api = github.client(await github.start());
    const rootChanged = await fetchPullSnapshots(api, pull, {}, undefined, {}, variableFiles);
    expect(paths(rootChanged.head)).toEqual(expected);
  });

  it("reads the files a module renders with templatefile() or file(), and scans a changed template", async () => {
    const role =
      'resource "aws_iam_policy" "p" {\n' +
      '  policy = templatefile("${path.module}/templates/policy.json.tftpl", {})\n' +
      "}\n" +
      'resource "aws_iam_role" "r" {\n  assume_role_policy = file("trust.json")\n}\n';
    const files = {
      "envs/prod/main.tf": 'module "iam" {\n  source = "../../modules/iam"\n}\n',
      "modules/iam/main.tf": role,
      "modules/iam/trust.json": '{"Statement": []}\n',
      "modules/iam/templates/unused.tftpl": "never read\n",
    };
    const policy = (action: string) =>
      `{"Statement": [{"Effect": "Allow", "Action": "${action}", "Resource": "*"}]}\n`;
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/iam/templates/policy.json.tftpl": policy("s3:GetObject") },
        [HEAD]: { ...files, "modules/iam/templates/policy.json.tftpl": policy("*") },
      },
      // The pull request changes the template alone.
      pullFiles: [
        {
          filename: "modules/iam/templates/policy.json.tftpl",
          status: "modified",
          patch: "@@ -1 +1 @@",
        },
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = [
      "envs/prod/main.tf",
      "modules/iam/main.tf",
      "modules/iam/templates/policy.json.tftpl",
      "modules/iam/trust.json",
    ];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.head.find((f) => f.path.endsWith(".tftpl"))?.text).toContain('"Action": "*"');
  });

  it("reads the module that decodes a changed YAML file, and the roots calling it, when the pull request changes that file alone", async () => {
    const sg =
      'locals {\n  rules = yamldecode(file("${path.module}/rules.yaml"))\n}\n' +
      'resource "aws_security_group" "web" {\n  name = local.rules.name\n}\n';
    const files = {
      "envs/prod/main.tf": 'module "sg" {\n  source = "../../modules/sg"\n}\n',
      "envs/dev/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
      "modules/sg/main.tf": sg,
      "modules/other/main.tf": 'locals {\n  other = file("rules.yaml")\n}\n',
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/sg/rules.yaml": "name: web\ncidr: 10.0.0.0/8\n" },
        [HEAD]: { ...files, "modules/sg/rules.yaml": "name: web\ncidr: 0.0.0.0/0\n" },
      },
      pullFiles: [{ filename: "modules/sg/rules.yaml", status: "modified", patch: "@@ -2 +2 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    // modules/other reads a rules.yaml of its own folder, not the changed one.
    const expected = ["envs/prod/main.tf", "modules/sg/main.tf", "modules/sg/rules.yaml"];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.head.find((f) => f.path.endsWith("rules.yaml"))?.text).toContain("0.0.0.0/0");
    expect(snapshots.notices).toEqual([]);
  });

  it("reads the module that decodes a changed CSV file alone; one too large or not text is an error when changed, else a warning", async () => {
    const web =
      'locals {\n  rules = csvdecode(file("${path.module}/rules.csv"))\n  motd = file("motd.bin")\n' +
      '  zip = fileexists("${path.module}/lambda.zip")\n}\n' +
      'resource "aws_security_group" "web" {\n  name = local.rules[0].name\n}\n';
    const files = {
      "envs/prod/main.tf": 'module "web" {\n  source = "../../modules/web"\n}\n',
      "modules/web/main.tf": web,
      "modules/web/motd.bin": Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      "modules/web/lambda.zip": Buffer.alloc(2000, 0x50),
      "docs/notes.txt": "read by no module\n",
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "modules/web/rules.csv": "name,cidr\nweb,10.0.0.0/8\n" },
        [HEAD]: {
          ...files,
          "modules/web/rules.csv": `name,cidr\n${"web,0.0.0.0/0\n".repeat(100)}`,
        },
      },
      pullFiles: [
        { filename: "modules/web/rules.csv", status: "modified", patch: "@@ -2 +2,100 @@" },
        { filename: "docs/notes.txt", status: "modified", patch: "@@ -1 +1 @@" },
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull, { maxFileBytes: 1000 });
    expect(paths(snapshots.base)).toEqual([
      "envs/prod/main.tf",
      "modules/web/main.tf",
      "modules/web/rules.csv",
    ]);
    expect(paths(snapshots.head)).toEqual(["envs/prod/main.tf", "modules/web/main.tf"]);
    // The pull request changed rules.csv: what it decides goes unjudged, so the gate fails closed.
    expect(snapshots.errors.map((e) => [e.file, e.code, e.level])).toEqual([
      ["modules/web/rules.csv", "file-too-large", undefined],
      ["modules/web/motd.bin", "utf16-file", "warning"],
    ]);
    expect(snapshots.errors[0]?.message).toBe(
      "1410 bytes, over Tollgate's fixed limit of 1000 bytes for one file; it was not read, and this change adds or changes it: what a module reads from it with file() goes unjudged",
    );
    expect(snapshots.notices).toEqual([
      "modules/web/motd.bin at base: is UTF-16LE text; Terraform and CloudFormation read UTF-8: save the file as UTF-8; it was not read, so what a module reads from it with file() is unknown",
    ]);
  });

  it("fails closed on a YAML allowlist a module decodes that the pull request pads past the 1 MiB limit", async () => {
    const main =
      'locals {\n  cfg = yamldecode(file("${path.module}/cidrs.yaml"))\n}\n' +
      'resource "aws_security_group" "ssh" {\n  name = "ssh"\n  ingress {\n    from_port   = 22\n' +
      '    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = local.cfg.admin\n  }\n}\n';
    const padded = `admin:\n  - 0.0.0.0/0\n${"# padding padding padding\n".repeat(45_000)}`;
    expect(padded.length).toBeGreaterThan(1024 * 1024);
    github = new FakeGitHub({
      commits: {
        [BASE]: { "main.tf": main, "cidrs.yaml": "admin:\n  - 10.0.0.0/8\n" },
        [HEAD]: { "main.tf": main, "cidrs.yaml": padded },
      },
      pullFiles: [{ filename: "cidrs.yaml", status: "modified", patch: "@@ -2 +2,45001 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(paths(snapshots.head)).toEqual(["main.tf"]);
    expect(snapshots.errors).toEqual([
      expect.objectContaining({ file: "cidrs.yaml", line: 1, code: "file-too-large" }),
    ]);
    expect(snapshots.errors[0]?.level).toBeUndefined();
  });

  it("reads every policy a fileset() lists, and its module, when the pull request changes one alone; and lists each tree", async () => {
    const iam =
      'resource "aws_iam_policy" "p" {\n  for_each = fileset("${path.module}/policies", "*.json")\n' +
      '  policy   = file("${path.module}/policies/${each.value}")\n}\n';
    const files = {
      "iam/main.tf": iam,
      "iam/policies/writer.json": '{"Statement": []}\n',
      "iam/policies/logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      "other/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
    };
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "iam/policies/reader.json": '{"Action": "s3:GetObject"}\n' },
        [HEAD]: { ...files, "iam/policies/reader.json": '{"Action": "iam:*"}\n' },
      },
      pullFiles: [
        { filename: "iam/policies/reader.json", status: "modified", patch: "@@ -1 +1 @@" },
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = ["iam/main.tf", "iam/policies/reader.json", "iam/policies/writer.json"];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect([...(snapshots.listings?.head?.files ?? [])].sort()).toEqual([
      "iam/main.tf",
      "iam/policies/logo.png",
      "iam/policies/reader.json",
      "iam/policies/writer.json",
      "other/main.tf",
    ]);
    expect(snapshots.errors).toEqual([]);
  });

  it("reads the templates nesting a changed template up to the top, and the others they nest", async () => {
    const stack = (id: string, url: string) =>
      `  ${id}:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ${url}\n`;
    const files = {
      "stacks/web.yaml": `Resources:\n${stack("App", "./app/app.yaml")}`,
      "stacks/app/app.yaml": `Resources:\n${stack("Network", "../network.yaml")}${stack("Data", "./data.json")}`,
      "stacks/app/data.json": '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}\n',
      "stacks/unrelated.yaml": "Resources:\n  T:\n    Type: AWS::SNS::Topic\n",
      "stacks/remote.yaml": `Resources:\n${stack("R", "https://s3.amazonaws.com/b/network.yaml")}`,
    };
    const network = (cidr: string) =>
      `Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n      CidrIp: ${cidr}\n`;
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "stacks/network.yaml": network("10.0.0.0/8") },
        [HEAD]: { ...files, "stacks/network.yaml": network("0.0.0.0/0") },
      },
      pullFiles: [{ filename: "stacks/network.yaml", status: "modified", patch: "@@ -5 +5 @@" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    const expected = [
      "stacks/app/app.yaml",
      "stacks/app/data.json",
      "stacks/network.yaml",
      "stacks/web.yaml",
    ];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
    expect(snapshots.notices).toEqual([]);
  });

  it("fails closed on a not-text template the pull request adds or changes, and warns of one it leaves alone or moves", async () => {
    // What git-crypt commits for a YAML file: a NUL-framed header, then ciphertext.
    const encrypted = (secret: string) => `\0GITCRYPT\0${secret}\x02\x03`;
    const web = `Resources:\n  App:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./app.yaml\n  Vault:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./vault.yaml\n`;
    const topic = (name: string) => `Resources:\n  ${name}:\n    Type: AWS::SNS::Topic\n`;
    const files = { "stacks/web.yaml": web, "stacks/vault.yaml": encrypted("one") };
    github = new FakeGitHub({
      commits: {
        [BASE]: {
          ...files,
          "stacks/app.yaml": topic("A"),
          "old/keys.json": encrypted("two"),
          "prod.yaml": encrypted("three"),
        },
        [HEAD]: {
          ...files,
          "stacks/app.yaml": topic("B"),
          "new/keys.json": encrypted("two"),
          "prod.yaml": encrypted("four"),
          "added.template": "Resources:\n  Topic:\n    Type: \x01AWS::SNS::Topic\n",
        },
      },
      pullFiles: [
        { filename: "stacks/app.yaml", status: "modified", patch: "@@ -2 +2 @@" },
        { filename: "new/keys.json", previous_filename: "old/keys.json", status: "renamed" },
        { filename: "prod.yaml", status: "modified" },
        { filename: "added.template", status: "added" },
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(paths(snapshots.head)).toEqual(["stacks/app.yaml", "stacks/web.yaml"]);
    const located = (problems: LoadError[]) =>
      problems
        .map((p) => `${p.file}:${p.line}:${p.column}: ${p.code} ${p.level ?? "error"}`)
        .sort();
    expect(located(snapshots.errors)).toEqual([
      "added.template:3:11: not-text error",
      "new/keys.json:1:1: not-text warning",
      "prod.yaml:1:1: not-text error",
      "stacks/vault.yaml:1:1: not-text warning",
    ]);
  });

  it("reads a template with its parameter files, and the template when only a parameter file changed", async () => {
    const template = "Parameters:\n  Env:\n    Type: String\nResources: {}\n";
    const files = {
      "infra/app.yaml": template,
      "infra/params/dev.json": '[{"ParameterKey": "Env", "ParameterValue": "dev"}]\n',
      "infra/other.yaml": template,
    };
    const prod = (env: string) => `[{"ParameterKey": "Env", "ParameterValue": "${env}"}]\n`;
    github = new FakeGitHub({
      commits: {
        [BASE]: { ...files, "infra/params/prod.json": prod("dev") },
        [HEAD]: { ...files, "infra/params/prod.json": prod("prod") },
      },
      pullFiles: [{ filename: "infra/params/prod.json", status: "modified", patch: "@@ -1 +1 @@" }],
    });
    api = github.client(await github.start());
    const parameterFiles = {
      "infra/app.yaml": ["infra/params/dev.json", "infra/params/prod.json"],
      "infra/other.yaml": ["infra/params/dev.json"],
    };
    const snapshots = await fetchPullSnapshots(api, pull, {}, undefined, parameterFiles);
    const expected = ["infra/app.yaml", "infra/params/dev.json", "infra/params/prod.json"];
    expect(paths(snapshots.head)).toEqual(expected);
    expect(paths(snapshots.base)).toEqual(expected);
  });

  it("reads the module that renders a changed file of any name, when the pull request changes it alone; a file no module reads scans nothing", async () => {
    const web =
      'resource "aws_iam_policy" "web" {\n' +
      '  policy = templatefile("${path.module}/policy.json.j2", { bucket = "logs" })\n}\n';
    const files = {
      "envs/prod/main.tf": 'module "web" {\n  source = "../../modules/web"\n}\n',
      "modules/web/main.tf": web,
      "modules/db/main.tf": 'resource "aws_db_instance" "db" {}\n',
    };
    const policy = (action: string) => `{"Statement": [{"Action": "${action}"}]}\n`;
    const others = (text: string) => ({ "app.py": text, "nginx.conf": text });
    const changing = async (filename: string) => {
      github = new FakeGitHub({
        commits: {
          [BASE]: { ...files, "modules/web/policy.json.j2": policy("s3:GetObject"), ...others("") },
          [HEAD]: { ...files, "modules/web/policy.json.j2": policy("*"), ...others("2\n") },
        },
        pullFiles: [{ filename, status: "modified", patch: "@@ -1 +1 @@" }],
      });
      api = github.client(await github.start());
      return fetchPullSnapshots(api, pull);
    };
    const expected = ["envs/prod/main.tf", "modules/web/main.tf", "modules/web/policy.json.j2"];
    const rendered = await changing("modules/web/policy.json.j2");
    expect(paths(rendered.head)).toEqual(expected);
    expect(paths(rendered.base)).toEqual(expected);
    github.stop();
    // What a change no module reads costs beyond the file list: both trees and the Terraform files.
    const unread = await changing("nginx.conf");
    expect(unread).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree", "graphql"]);
    github.stop();
    // Application code is not looked for among the files modules read: the file list alone.
    const code = await changing("app.py");
    expect(code).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles"]);
  });

  it("rescans a module whose fileset() lists a file of any kind the pull request adds, removes or renames; a modified one costs the file list alone", async () => {
    const functions =
      'resource "aws_lambda_function" "handler" {\n  for_each = fileset(path.module, "handlers/*.py")\n}\n' +
      'resource "aws_lambda_function_url" "handler" {\n  for_each           = aws_lambda_function.handler\n' +
      '  authorization_type = "NONE"\n}\n';
    const files = {
      "main.tf": 'module "functions" {\n  source = "./modules/functions"\n}\n',
      "modules/functions/main.tf": functions,
      "modules/db/main.tf": 'resource "aws_db_instance" "db" {}\n',
      "modules/functions/handlers/health.py": "def handler(event, context): pass\n",
      "docs/guide.md": "# guide\n",
    };
    const changing = async (
      head: Record<string, string>,
      file: { filename: string; status: "added" | "removed" | "modified" | "renamed" },
      previous?: string,
    ) => {
      github.stop();
      github = new FakeGitHub({
        commits: { [BASE]: files, [HEAD]: head },
        pullFiles: [{ ...file, ...(previous ? { previous_filename: previous } : {}) }],
      });
      api = github.client(await github.start());
      return fetchPullSnapshots(api, pull);
    };
    const module = ["main.tf", "modules/functions/main.tf"];
    const webhook = "modules/functions/handlers/webhook.py";
    // A new handler is a new function with a public URL: the module is scanned from its caller,
    // with both trees' listings. Cost: the file list, two trees and one batch of Terraform files.
    const added = await changing(
      { ...files, [webhook]: "def handler(event, context): pass\n" },
      { filename: webhook, status: "added" },
    );
    expect(paths(added.head)).toEqual(module);
    expect(paths(added.base)).toEqual(module);
    expect(added.listings?.head?.files).toContain(webhook);
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree", "graphql"]);
    const { "modules/functions/handlers/health.py": health, ...withoutHealth } = files;
    const removed = await changing(withoutHealth, {
      filename: "modules/functions/handlers/health.py",
      status: "removed",
    });
    expect(paths(removed.head)).toEqual(module);
    const renamed = await changing(
      { ...withoutHealth, "modules/functions/handlers/status.py": health },
      { filename: "modules/functions/handlers/status.py", status: "renamed" },
      "modules/functions/handlers/health.py",
    );
    expect(paths(renamed.head)).toEqual(module);
    // Its text is no module's concern: a modified handler costs the file list alone, as before.
    const modified = await changing(
      { ...files, "modules/functions/handlers/health.py": "def handler(event, context): 1\n" },
      { filename: "modules/functions/handlers/health.py", status: "modified" },
    );
    expect(modified).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles"]);
    // A file no fileset() lists is looked up and scans nothing, at the same cost as one it lists.
    const unlisted = await changing(
      { ...files, "docs/faq.md": "# faq\n" },
      { filename: "docs/faq.md", status: "added" },
    );
    expect(unlisted).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree", "graphql"]);
  });

  it("reads no Terraform file a push before it read, with the app's blob cache", async () => {
    const NEXT = "c".repeat(40);
    const functions =
      'resource "aws_lambda_function" "handler" {\n  for_each = fileset(path.module, "handlers/*.py")\n}\n';
    const files = {
      "main.tf": 'module "functions" {\n  source = "./modules/functions"\n}\n',
      "modules/functions/main.tf": functions,
      "modules/db/main.tf": 'resource "aws_db_instance" "db" {}\n',
      "docs/guide.md": "# guide\n",
    };
    const opened = { ...files, "docs/faq.md": "# faq\n" };
    const pushed = { ...opened, "docs/faq.md": "# faq\n\nMore.\n", "docs/new.md": "# new\n" };
    const cache = new BlobCache();
    const push = async (
      head: string,
      pullFiles: { filename: string; status: "added" | "modified" }[],
    ) => {
      github.stop();
      github = new FakeGitHub({
        commits: { [BASE]: files, [HEAD]: opened, [NEXT]: pushed },
        pullFiles,
      });
      api = github.client(await github.start());
      return fetchPullSnapshots(api, { ...pull, headSha: head }, { cache });
    };
    // An added page is looked up (a fileset() may list it): the first push reads the Terraform files.
    const first = await push(HEAD, [{ filename: "docs/faq.md", status: "added" }]);
    expect(first).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree", "graphql"]);
    // The next push adds another: its Terraform files are the blobs read already.
    const second = await push(NEXT, [
      { filename: "docs/faq.md", status: "added" },
      { filename: "docs/new.md", status: "added" },
    ]);
    expect(second).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree"]);
    // A handler the module lists is still found, from the texts read before.
    const webhook = "modules/functions/handlers/webhook.py";
    github.stop();
    github = new FakeGitHub({
      commits: { [BASE]: files, [HEAD]: { ...files, [webhook]: "def handler(e, c): pass\n" } },
      pullFiles: [{ filename: webhook, status: "added" }],
    });
    api = github.client(await github.start());
    const added = await fetchPullSnapshots(api, pull, { cache });
    expect(paths(added.head)).toEqual(["main.tf", "modules/functions/main.tf"]);
    expect(github.requests).toEqual(["pulls.listFiles", "git.getTree", "git.getTree"]);
  });

  it("rescans a module whose fileset() folder its text does not tell when the pull request adds a file (fails closed)", async () => {
    const variants = {
      root: 'resource "aws_lambda_function" "handler" {\n  for_each = fileset(path.root, "modules/functions/handlers/*.py")\n}\n',
      rootdir:
        'resource "aws_lambda_function" "handler" {\n  for_each = fileset("${path.root}/modules/functions/handlers", "*.py")\n}\n',
      local:
        'locals {\n  dir = "${path.module}/handlers"\n}\nresource "aws_lambda_function" "handler" {\n  for_each = fileset(local.dir, "*.py")\n}\n',
    };
    const webhook = "modules/functions/handlers/webhook.py";
    for (const functions of Object.values(variants)) {
      const files = {
        "main.tf": 'module "functions" {\n  source = "./modules/functions"\n}\n',
        "modules/functions/main.tf": functions,
        "modules/functions/handlers/health.py": "def handler(event, context): pass\n",
      };
      github.stop();
      github = new FakeGitHub({
        commits: { [BASE]: files, [HEAD]: { ...files, [webhook]: "x\n" } },
        pullFiles: [{ filename: webhook, status: "added" }],
      });
      api = github.client(await github.start());
      const snap = await fetchPullSnapshots(api, pull);
      expect(paths(snap.head)).toEqual(["main.tf", "modules/functions/main.tf"]);
      expect(paths(snap.base)).toEqual(["main.tf", "modules/functions/main.tf"]);
    }
  });

  it("says it could not tell, and scans nothing, when the look for readers of a changed non-IaC file fails", async () => {
    const files = {
      "main.tf": 'resource "aws_instance" "web" {}\n',
      "user_data.sh": "#!/bin/sh\n",
    };
    // The head commit's tree cannot be read (GitHub answers 404).
    const failing = async (filename: string) => {
      github = new FakeGitHub({
        commits: { [BASE]: files },
        pullFiles: [{ filename, status: "modified", patch: "@@ -1 +1 @@" }],
      });
      api = github.client(await github.start());
      return fetchPullSnapshots(api, pull);
    };
    const untold = await failing("user_data.sh");
    expect(untold).toMatchObject({ base: [], head: [], errors: [] });
    expect(untold.notices).toEqual([
      expect.stringMatching(
        /^Not scanned: this pull request changes no IaC file, and whether a Terraform module reads or lists one of the files it changes \(user_data\.sh\) could not be told: GitHub did not give the files to look in \(.*Not Found.*\); re-run the check to look again\.$/,
      ),
    ]);
    github.stop();
    // Over the file budget, the Terraform files are not looked in: not told either.
    github = new FakeGitHub({
      commits: { [BASE]: files, [HEAD]: { ...files, "user_data.sh": "#!/bin/sh\nexit 0\n" } },
      pullFiles: [{ filename: "user_data.sh", status: "modified", patch: "@@ -1 +1 @@" }],
    });
    api = github.client(await github.start());
    const overBudget = await fetchPullSnapshots(api, pull, { maxFilesPerCommit: 0 });
    expect(overBudget.notices).toEqual([
      expect.stringMatching(
        /could not be told: its Terraform files are over the budget of 0 files/,
      ),
    ]);
    github.stop();
    // A changed IaC file must be scanned: the failure fails the fetch, as before.
    await expect(failing("main.tf")).rejects.toThrow(/Not Found/);
  });

  it("reads a template the pull request adds or changes under .github/ or by a tool's name, as the CLI finds it", async () => {
    const ssh = (cidr: string) =>
      "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n" +
      `    Properties:\n      GroupDescription: ssh\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n          CidrIp: ${cidr}\n`;
    const workflow = (run: string) =>
      `name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;
    const base = {
      "main.tf": "# base\n",
      ".github/deploy/stack.yaml": ssh("10.0.0.0/8"),
      ".github/workflows/ci.yml": workflow("npm test"),
    };
    const head = {
      "main.tf": "# base\n",
      ".github/deploy/stack.yaml": ssh("0.0.0.0/0"),
      "deploy/stack.yaml": ssh("0.0.0.0/0"),
      "docker-compose.prod.yml": ssh("0.0.0.0/0"),
      "node_modules/pkg/stack.yaml": ssh("0.0.0.0/0"),
      ".github/workflows/ci.yml": workflow("npm ci && npm test"),
      ".github/workflows/deploy.yml": workflow(
        "aws cloudformation deploy --template-file .github/deploy/stack.yaml",
      ),
    };
    const changed = (filename: string, status: "added" | "modified") => ({
      filename,
      status,
      sha: gitBlobSha(head[filename as keyof typeof head]),
    });
    github = new FakeGitHub({
      commits: { [BASE]: base, [HEAD]: head },
      pullFiles: [
        changed(".github/deploy/stack.yaml", "modified"),
        changed("deploy/stack.yaml", "added"),
        changed("docker-compose.prod.yml", "added"),
        changed("node_modules/pkg/stack.yaml", "added"),
        changed(".github/workflows/ci.yml", "modified"),
        changed(".github/workflows/deploy.yml", "added"),
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(paths(snapshots.head)).toEqual([
      ".github/deploy/stack.yaml",
      "deploy/stack.yaml",
      "docker-compose.prod.yml",
    ]);
    expect(paths(snapshots.base)).toEqual([".github/deploy/stack.yaml"]);
    expect(snapshots.base[0]?.text).toContain("10.0.0.0/8");
    expect(snapshots).toMatchObject({ errors: [], notices: [] });
    // The templates `tollgate scan` finds in the same files on disk (node_modules/ is not walked).
    const root = mkdtempSync(path.join(tmpdir(), "tollgate-tool-named-"));
    try {
      for (const [file, text] of Object.entries(head)) {
        mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      }
      const cli = readRepositoryFiles(root).files.filter(isTemplateFile);
      expect(paths(cli)).toEqual(paths(snapshots.head));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("costs one blob read for a changed workflow that is no template, none for one the cache holds", async () => {
    const workflow = "name: ci\non: push\njobs: {}\n";
    github = new FakeGitHub({
      commits: {
        [BASE]: { ".github/workflows/ci.yml": "name: ci\n" },
        [HEAD]: { ".github/workflows/ci.yml": workflow },
      },
      pullFiles: [
        { filename: ".github/workflows/ci.yml", status: "modified", sha: gitBlobSha(workflow) },
      ],
    });
    api = github.client(await github.start());
    const cache = new BlobCache();
    const snapshots = await fetchPullSnapshots(api, pull, { cache });
    expect(snapshots).toMatchObject({ base: [], head: [], errors: [], notices: [] });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getBlob"]);
    await fetchPullSnapshots(api, pull, { cache });
    expect(github.requests).toEqual(["pulls.listFiles", "git.getBlob", "pulls.listFiles"]);
  });

  it("reads a file named as a tool's GitHub lists without a blob id as a template, for the engine to judge", async () => {
    const stack = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
    const workflow = "name: ci\non: push\n";
    github = new FakeGitHub({
      commits: {
        [BASE]: { "main.tf": "# base\n" },
        [HEAD]: {
          "main.tf": "# base\n",
          ".github/deploy/stack.yaml": stack,
          ".github/workflows/ci.yml": workflow,
        },
      },
      pullFiles: [
        { filename: ".github/deploy/stack.yaml", status: "added" },
        { filename: ".github/workflows/ci.yml", status: "added" },
      ],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(snapshots.head).toEqual([
      { path: ".github/deploy/stack.yaml", text: stack },
      { path: ".github/workflows/ci.yml", text: workflow },
    ]);
    expect(github.countOf("git.getTree")).toBe(2);
  });

  it("reads nothing more when no IaC file changed", async () => {
    github = new FakeGitHub({
      ...repository,
      pullFiles: [{ filename: "README.md", status: "modified" }],
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull);
    expect(snapshots).toMatchObject({ base: [], head: [] });
    expect(github.requests).toEqual(["pulls.listFiles"]);
  });
});

describe("fetchPullSnapshots and the CLI", () => {
  // The same bytes in the same names, as a pull request adds them and as `tollgate scan` finds
  // them on disk: each file is read as the same text, refused with the same located error, or
  // passed over alike, whether GitHub gives its text by GraphQL or its bytes by REST.
  const template = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
  const added: Record<string, Buffer> = {
    "cfn/utf8.yaml": Buffer.from(`${template}# café\n`),
    // One Latin-1 byte in a comment: the AWS CLI deploys it from a Latin-1 locale.
    "cfn/latin1.yaml": Buffer.from(`${template}# caf\xe9\n`, "latin1"),
    "cfn/latin1.json": Buffer.from('{"Resources": {}, "Description": "caf\xe9"}', "latin1"),
    "cfn/nul.json": Buffer.from([0x7b, 0x00, 0x7d]),
    "cfn/late-nul.yaml": Buffer.concat([
      Buffer.from(`${template}#${"x".repeat(9000)}\n`),
      Buffer.from([0]),
    ]),
    // a raw 0x01, which no JSON text may hold
    "cfn/control.json": Buffer.from('{"Resources": {}, "Description": "\x01"}'),
    "cfn/utf16.yaml": Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(template, "utf16le")]),
    "net/latin1.tf": Buffer.from('resource "aws_s3_bucket" "b" {} # caf\xe9\n', "latin1"),
    "net/nul.tf": Buffer.from('resource "aws_s3_bucket" "c" {}\n\0', "latin1"),
    "net/main.tf": Buffer.from('resource "aws_s3_bucket" "d" {}\n'),
  };

  type Outcome =
    { text: string } | Pick<LoadError, "code" | "line" | "column" | "message" | "level">;
  const outcome = (error: LoadError): Outcome => ({
    code: error.code,
    line: error.line,
    column: error.column,
    message: error.message,
    level: error.level,
  });

  /** As `tollgate diff` judges them: the base holds none of these files, the pull request adds them. */
  function cliOutcomes(): Map<string, Outcome | "passed over"> {
    const root = mkdtempSync(path.join(tmpdir(), "tollgate-bytes-"));
    try {
      for (const [file, bytes] of Object.entries(added)) {
        mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(root, file), bytes);
      }
      const { files, errors } = readRepositoryFiles(root);
      return new Map(
        Object.keys(added).map((file) => {
          const read = files.find((f) => f.path === file);
          const error = errors.find((e) => e.file === file);
          const added = error && notTextOfChange(error, () => false);
          return [file, read ? { text: read.text } : added ? outcome(added) : "passed over"];
        }),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it.each([
    ["REST", { restBlobLimit: 100 }],
    ["GraphQL", { restBlobLimit: 0 }],
  ])("read by %s, decides each file as the CLI does", async (_, limits) => {
    github = new FakeGitHub({
      commits: {
        [BASE]: { "README.md": "# docs\n" },
        [HEAD]: { "README.md": "# docs\n", ...added },
      },
      pullFiles: Object.keys(added).map((filename) => ({ filename, status: "added" as const })),
    });
    api = github.client(await github.start());
    const snapshots = await fetchPullSnapshots(api, pull, limits);
    const app = new Map(
      Object.keys(added).map((file) => {
        const read = snapshots.head.find((f) => f.path === file);
        const error = snapshots.errors.find((e) => e.file === file);
        return [file, read ? { text: read.text } : error ? outcome(error) : "passed over"];
      }),
    );
    const cli = cliOutcomes();
    expect(app).toEqual(cli);
    // what the comparison covers: each kind of outcome, among them the Latin-1 template refused
    expect(cli.get("cfn/latin1.yaml")).toMatchObject({ code: "invalid-utf8", line: 3, column: 6 });
    expect(cli.get("cfn/utf8.yaml")).toHaveProperty("text");
    expect(cli.get("cfn/late-nul.yaml")).toMatchObject({ line: 4, column: 1 });
    expect(cli.get("cfn/utf16.yaml")).toMatchObject({ code: "utf16-file" });
  });
});

describe("readSettingsFile", () => {
  it("gives nothing when the file is missing and located errors when it is wrong", async () => {
    const read = () => readSettingsFile(api, pull, BASE, ".github/tollgate.yml");
    expect(await read()).toBeUndefined();
    github = new FakeGitHub({
      ...repository,
      commits: { [BASE]: { ".github/tollgate.yml": "fail_on: sometimes\n" } },
    });
    api = github.client(await github.start());
    expect(await read()).toMatchObject({
      ok: false,
      errors: [{ file: ".github/tollgate.yml", line: 1, column: 10 }],
    });
  });
});
