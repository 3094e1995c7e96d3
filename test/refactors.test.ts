// `tollgate diff` on pull requests that only refactor: the same grants and exposures written in
// another resource (AWS provider v4's standalone S3, KMS and SQS policy resources, an IAM role's
// policies as their own resources) must stay existing, not become new plus fixed; the same
// refactor that also widens what it grants must still report the widening as new.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { main } from "../src/cli/index.js";
import { withTempDir, writeFiles } from "./support/tempDir.js";

interface JsonFinding {
  rule: string;
  status: string;
  resource: string;
  subject?: string;
  evidence: string;
}

/** `tollgate diff --format json` of `files` under `base/` and `head/`: "status rule resource". */
async function diffFiles(files: Record<string, string>, ...args: string[]) {
  return withTempDir("refactor", async (dir) => {
    await writeFiles(dir, files);
    let stdout = "";
    let stderr = "";
    const code = await main(
      [
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--format",
        "json",
        ...args,
      ],
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir },
    );
    expect(stderr).toBe("");
    const { findings } = JSON.parse(stdout) as { findings: JsonFinding[] };
    return {
      code,
      statuses: findings.map((f) => `${f.status} ${f.rule} ${f.resource}`).sort(),
    };
  });
}

/** A public-read statement on `resource` as HCL `jsonencode` lines, allowing `action`. */
const publicStatement = (action: string, resource: string) =>
  [
    "jsonencode({",
    '    Version = "2012-10-17"',
    `    Statement = [{ Effect = "Allow", Principal = "*", Action = "${action}", Resource = "${resource}" }]`,
    "  })",
  ].join("\n");

const openBlock = [
  'resource "aws_s3_bucket_public_access_block" "site" {',
  "  bucket                  = aws_s3_bucket.site.id",
  "  block_public_acls       = false",
  "  block_public_policy     = false",
  "  ignore_public_acls      = false",
  "  restrict_public_buckets = false",
  "}",
  "",
].join("\n");

/** A bucket with its ACL and policy inline, as before AWS provider v4. */
const inlineBucket = (acl: string, action: string) =>
  [
    'resource "aws_s3_bucket" "site" {',
    '  bucket = "acme-site"',
    `  acl    = "${acl}"`,
    `  policy = ${publicStatement(action, "arn:aws:s3:::acme-site/*")}`,
    "}",
    "",
    'resource "aws_kms_key" "k" {',
    `  policy = ${publicStatement("kms:Decrypt", "*")}`,
    "}",
    "",
    'resource "aws_sqs_queue" "q" {',
    '  name   = "q"',
    `  policy = ${publicStatement("sqs:SendMessage", "*")}`,
    "}",
    "",
    openBlock,
  ].join("\n");

/** The same bucket, key and queue with their ACL and policies in standalone resources. */
const splitBucket = (acl: string, action: string) =>
  [
    'resource "aws_s3_bucket" "site" {',
    '  bucket = "acme-site"',
    "}",
    "",
    'resource "aws_s3_bucket_acl" "site" {',
    "  bucket = aws_s3_bucket.site.id",
    `  acl    = "${acl}"`,
    "}",
    "",
    'resource "aws_s3_bucket_policy" "site" {',
    "  bucket = aws_s3_bucket.site.id",
    `  policy = ${publicStatement(action, "arn:aws:s3:::acme-site/*")}`,
    "}",
    "",
    'resource "aws_kms_key" "k" {}',
    "",
    'resource "aws_kms_key_policy" "k" {',
    "  key_id = aws_kms_key.k.id",
    `  policy = ${publicStatement("kms:Decrypt", "*")}`,
    "}",
    "",
    'resource "aws_sqs_queue" "q" {',
    '  name = "q"',
    "}",
    "",
    'resource "aws_sqs_queue_policy" "q" {',
    "  queue_url = aws_sqs_queue.q.id",
    `  policy    = ${publicStatement("sqs:SendMessage", "*")}`,
    "}",
    "",
    openBlock,
  ].join("\n");

const changed = (statuses: string[]) => statuses.filter((s) => !s.startsWith("existing "));

describe("tollgate diff when policies and ACLs move out of their resource (AWS provider v4)", () => {
  it("keeps TG-IAM-010 and TG-IAM-017 existing, about the bucket, key and queue", async () => {
    const { code, statuses } = await diffFiles({
      "base/main.tf": inlineBucket("public-read", "s3:GetObject"),
      "head/main.tf": splitBucket("public-read", "s3:GetObject"),
    });
    expect(changed(statuses)).toEqual([]);
    expect(statuses.filter((s) => / TG-IAM-01[07] /.test(s))).toEqual([
      "existing TG-IAM-010 aws_kms_key_policy.k",
      "existing TG-IAM-010 aws_s3_bucket_policy.site",
      "existing TG-IAM-010 aws_sqs_queue_policy.q",
      "existing TG-IAM-017 aws_s3_bucket_acl.site",
    ]);
    expect(code).toBe(0);
  });

  it("still reports what the moved policy or ACL newly grants as new", async () => {
    const { statuses } = await diffFiles({
      "base/main.tf": inlineBucket("public-read", "s3:GetObject"),
      "head/main.tf": splitBucket("public-read-write", "s3:*"),
    });
    expect(changed(statuses)).toEqual([
      "fixed TG-IAM-010 aws_s3_bucket.site",
      "fixed TG-IAM-017 aws_s3_bucket.site",
      "new TG-IAM-010 aws_s3_bucket_policy.site",
      "new TG-IAM-017 aws_s3_bucket_acl.site",
      "new TG-IAM-020 aws_s3_bucket_policy.site",
    ]);
  });

  it("keeps a CloudFormation bucket or queue policy's findings when the policy is renamed", async () => {
    const stack = (suffix: string, action: string) =>
      [
        "Resources:",
        "  Bucket:",
        "    Type: AWS::S3::Bucket",
        `  Policy${suffix}:`,
        "    Type: AWS::S3::BucketPolicy",
        "    Properties:",
        "      Bucket: !Ref Bucket",
        "      PolicyDocument:",
        "        Statement:",
        `          - {Effect: Allow, Principal: "*", Action: "${action}", Resource: !Sub "\${Bucket.Arn}/*"}`,
        "  Queue:",
        "    Type: AWS::SQS::Queue",
        `  QueuePolicy${suffix}:`,
        "    Type: AWS::SQS::QueuePolicy",
        "    Properties:",
        "      Queues: [!Ref Queue]",
        "      PolicyDocument:",
        "        Statement:",
        '          - {Effect: Allow, Principal: "*", Action: sqs:SendMessage, Resource: !GetAtt Queue.Arn}',
        "",
      ].join("\n");
    const renamed = await diffFiles({
      "base/stack.yaml": stack("", "s3:GetObject"),
      "head/stack.yaml": stack("V2", "s3:GetObject"),
    });
    expect(changed(renamed.statuses)).toEqual([]);
    expect(renamed.statuses.filter((s) => s.includes(" TG-IAM-010 "))).toEqual([
      "existing TG-IAM-010 PolicyV2",
      "existing TG-IAM-010 QueuePolicyV2",
    ]);
    const widened = await diffFiles({
      "base/stack.yaml": stack("", "s3:GetObject"),
      "head/stack.yaml": stack("V2", "s3:*"),
    });
    expect(changed(widened.statuses)).toEqual([
      "fixed TG-IAM-010 Policy",
      "new TG-IAM-010 PolicyV2",
      "new TG-IAM-020 PolicyV2",
    ]);
  });
});
