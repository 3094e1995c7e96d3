// A module Tollgate does not fetch (git, registry, S3, HTTP) is judged only through its call's
// arguments; review finding 15 (session 21): a pull request adding
// `module "sg" { source = "git::https://github.com/evil/sg.git?ref=v1" }`, or moving its ref or
// version, got "success: no blocking findings" and no word.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffArgs, runOnFiles } from "./support/cli.js";

const bucket = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n';
const sg = (ref: string) =>
  `module "sg" {\n  source = "git::https://github.com/evil/sg.git?ref=${ref}"\n}\n`;
const vpc = (version: string) =>
  `module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "${version}"\n}\n`;

/** The verdict line of a terminal report. */
const verdict = (stdout: string) => stdout.trimEnd().split("\n").at(-1) ?? "";

describe("module calls Tollgate does not read", () => {
  it("scan: each is a located warning at its source", async () => {
    const run = await runOnFiles("unread-scan", { "main.tf": bucket + sg("v1") }, (dir) => [
      "scan",
      dir,
      "--format",
      "json",
    ]);
    const { warnings } = JSON.parse(run.stdout) as {
      warnings: Array<{ file: string; line: number; code: string; message: string }>;
    };
    expect(
      warnings.map((w) => `${w.file.replace(/^.*unread-scan[^/]*\//, "")}:${w.line} ${w.code}`),
    ).toEqual(["main.tf:5 module-not-read"]);
    expect(run.code).toBe(0);
  });

  it("diff: one the change adds is named in the verdict, as not judged", async () => {
    const run = await runOnFiles(
      "unread-added",
      { "base/main.tf": bucket, "head/main.tf": bucket + sg("v1") },
      (dir) => diffArgs(dir),
    );
    expect(verdict(run.stdout)).toBe(
      'success: no blocking findings; not judged: module not read: 1 module call this change adds or re-points, judged only through its arguments: module.sg (main.tf:5, added, source "git::https://github.com/evil/sg.git?ref=v1"); 1 load warning (not blocking: what each names is unknown to the policies or left out)',
    );
    expect(run.stdout).toContain("main.tf:5:3: warning: module.sg is not read");
    expect(run.code).toBe(0);
  });

  it("diff: a ref or version the change moves is named at its line; an unchanged call is not", async () => {
    const run = await runOnFiles(
      "unread-moved",
      {
        "base/main.tf": bucket + sg("v1") + vpc("5.0.0"),
        "head/main.tf": bucket + sg("v2") + vpc("6.0.0"),
      },
      (dir) => diffArgs(dir),
    );
    expect(verdict(run.stdout)).toContain(
      'module calls this change adds or re-points, judged only through their arguments: module.sg (main.tf:5, source "git::https://github.com/evil/sg.git?ref=v1" -> "git::https://github.com/evil/sg.git?ref=v2"); module.vpc (main.tf:9, version "5.0.0" -> "6.0.0")',
    );
    const same = await runOnFiles(
      "unread-same",
      { "base/main.tf": bucket + sg("v1"), "head/main.tf": `# moved\n${bucket}${sg("v1")}` },
      (dir) => diffArgs(dir),
    );
    expect(verdict(same.stdout)).not.toContain("not judged");
  });

  it("diff under unread_modules: block: such a call is an error at its line, and the check fails", async () => {
    const run = await runOnFiles(
      "unread-block",
      {
        "base/main.tf": bucket + vpc("5.0.0"),
        "head/main.tf": bucket + vpc("6.0.0"),
        "tollgate.yml": "unread_modules: block\n",
      },
      (dir) => diffArgs(dir, "--config", path.join(dir, "tollgate.yml")),
    );
    expect(run.stdout).toContain(
      'main.tf:6:3: not judged: module not read: module.vpc (main.tf:6, version "5.0.0" -> "6.0.0")',
    );
    expect(verdict(run.stdout)).toMatch(
      /^failure: 1 error prevented a complete scan; the gate fails closed; not judged: module not read: /,
    );
    expect(run.code).toBe(1);
  });
});

// Review finding 13 (session 22): the CloudFormation twin. A nested stack whose `TemplateURL` is
// `https://`/`s3://`, or a SAM application from the Serverless Application Repository, passed with
// no word.
const topic =
  "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: alias/x\n";
const stack = (url: string) =>
  `  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ${url}\n`;
const app = (version: string) =>
  `  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location:\n        ApplicationId: arn:aws:serverlessrepo:us-east-1:123456789012:applications/open\n        SemanticVersion: ${version}\n`;
const sam = "Transform: AWS::Serverless-2016-10-31\n";
const child =
  "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      KmsMasterKeyId: alias/x\n";

describe("CloudFormation stacks Tollgate does not read", () => {
  it("scan: a remote TemplateURL and an application are located warnings; a local stack is read", async () => {
    const run = await runOnFiles(
      "unread-cfn-scan",
      {
        "t.yaml": sam + topic + stack("https://evil.example.com/open-ssh.yaml") + app("1.0.0"),
        "local.yaml": topic + stack("child.yaml"),
        "child.yaml": child,
      },
      (dir) => ["scan", dir, "--format", "json"],
    );
    const { warnings } = JSON.parse(run.stdout) as {
      warnings: Array<{ file: string; line: number; code: string; message: string }>;
    };
    expect(
      warnings.map((w) => `${w.file.replace(/^.*unread-cfn-scan[^/]*\//, "")}:${w.line} ${w.code}`),
    ).toEqual(["t.yaml:10 module-not-read", "t.yaml:14 module-not-read"]);
    expect(warnings[1]?.message).toBe(
      'nested stack App is not read: Tollgate does not fetch its application "arn:aws:serverlessrepo:us-east-1:123456789012:applications/open" (version "1.0.0"), so what it deploys is judged only through the rules that read this resource\'s properties',
    );
    expect(run.code).toBe(0);
  });

  it("diff: a stack the change adds, re-points or moves the version of is named; an unchanged one is not", async () => {
    const added = await runOnFiles(
      "unread-cfn-added",
      {
        "base/t.yaml": sam + topic,
        "head/t.yaml": sam + topic + stack("https://evil.example.com/open-ssh.yaml") + app("1.0.0"),
      },
      (dir) => diffArgs(dir),
    );
    expect(verdict(added.stdout)).toBe(
      'success: no blocking findings; not judged: module not read: 2 nested stacks this change adds or re-points, judged only through their properties: Net (t.yaml:10, added, source "https://evil.example.com/open-ssh.yaml"); App (t.yaml:14, added, source "arn:aws:serverlessrepo:us-east-1:123456789012:applications/open" version "1.0.0"); 2 load warnings (not blocking: what each names is unknown to the policies or left out)',
    );
    const moved = await runOnFiles(
      "unread-cfn-moved",
      {
        "base/t.yaml": sam + topic + stack("s3://b/net-v1.yaml") + app("1.0.0"),
        "head/t.yaml": sam + topic + stack("s3://b/net-v2.yaml") + app("2.0.0"),
      },
      (dir) => diffArgs(dir),
    );
    expect(verdict(moved.stdout)).toContain(
      'Net (t.yaml:10, source "s3://b/net-v1.yaml" -> "s3://b/net-v2.yaml"); App (t.yaml:16, version "1.0.0" -> "2.0.0")',
    );
    const same = await runOnFiles(
      "unread-cfn-same",
      {
        "base/t.yaml": sam + topic + stack("s3://b/net.yaml") + app("1.0.0"),
        "head/t.yaml": `# moved\n${sam}${topic}${stack("s3://b/net.yaml")}${app("1.0.0")}`,
      },
      (dir) => diffArgs(dir),
    );
    expect(verdict(same.stdout)).not.toContain("not judged");
  });

  it("diff under unread_modules: block: a stack the change adds is an error at its TemplateURL", async () => {
    const run = await runOnFiles(
      "unread-cfn-block",
      {
        "base/t.yaml": topic,
        "head/t.yaml": topic + stack("https://evil.example.com/open-ssh.yaml"),
        "tollgate.yml": "unread_modules: block\n",
      },
      (dir) => diffArgs(dir, "--config", path.join(dir, "tollgate.yml")),
    );
    expect(run.stdout).toContain(
      't.yaml:9:7: not judged: module not read: Net (t.yaml:9, added, source "https://evil.example.com/open-ssh.yaml"); Tollgate does not fetch it, and unread_modules: block makes a nested stack this change adds or re-points an error',
    );
    expect(run.code).toBe(1);
  });
});
