// `tollgate diff` on pull requests that only refactor: the same grants and exposures written in
// another resource (AWS provider v4's standalone S3, KMS and SQS policy resources, an IAM role's
// policies as their own resources) must stay existing, not become new plus fixed; the same
// refactor that also widens what it grants must still report the widening as new.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  resource: string;
  subject?: string;
  evidence: string;
}

/** `tollgate diff --format json` of `files` under `base/` and `head/`: "status rule resource". */
async function diffFiles(files: Record<string, string>, ...args: string[]) {
  const { code, stdout, stderr } = await runOnFiles("refactor", files, (dir) =>
    diffArgs(dir, "--format", "json", ...args),
  );
  expect(stderr).toBe("");
  return {
    code,
    statuses: jsonFindings<JsonFinding>(stdout)
      .map((f) => `${f.status} ${f.rule} ${f.resource}`)
      .sort(),
  };
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
    // The wider grants cover the narrower ones they replace, so those are not listed as fixed.
    expect(changed(statuses)).toEqual([
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
      "new TG-IAM-010 PolicyV2",
      "new TG-IAM-020 PolicyV2",
    ]);
  });
});

/** A role with its AWS managed policy and its inline policy written as `aws_iam_role` arguments. */
const inlineRole = (actions: string) =>
  [
    'resource "aws_iam_role" "ci" {',
    '  name                = "ci"',
    '  assume_role_policy  = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })',
    '  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]',
    "  inline_policy {",
    '    name   = "deploy"',
    `    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ${actions}, Resource = "*" }] })`,
    "  }",
    "}",
    "",
  ].join("\n");

/** The same grants as `aws_iam_role_policy_attachment` and `aws_iam_role_policy` of `role`. */
const splitRole = (actions: string, role = "ci") =>
  [
    'resource "aws_iam_role" "ci" {',
    '  name               = "ci"',
    '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })',
    "}",
    "",
    'resource "aws_iam_role" "other" {',
    '  name               = "other"',
    '  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })',
    "}",
    "",
    'resource "aws_iam_role_policy_attachment" "admin" {',
    `  role       = aws_iam_role.${role}.name`,
    '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"',
    "}",
    "",
    'resource "aws_iam_role_policy" "deploy" {',
    '  name   = "deploy"',
    `  role   = aws_iam_role.${role}.id`,
    `  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = ${actions}, Resource = "*" }] })`,
    "}",
    "",
  ].join("\n");

/** `s3:*` on `*`, as the `PolicyDocument` lines of a policy resource (`indent` deeper inline). */
const s3Document = (indent = "") =>
  ["PolicyDocument:", "  Statement:", "    - {Effect: Allow, Action: 's3:*', Resource: '*'}"].map(
    (line) => `      ${indent}${line}`,
  );

/** Roles `Role` and `Other`, with `s3:*` on `*` inline in `Role`'s `Policies`, or in `policy`. */
const cfnRoles = (policy?: string[]) =>
  [
    "Resources:",
    "  Role:",
    "    Type: AWS::IAM::Role",
    "    Properties:",
    "      AssumeRolePolicyDocument:",
    "        Statement:",
    "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}",
    ...(policy === undefined
      ? ["      Policies:", "        - PolicyName: p", ...s3Document("    ")]
      : []),
    "  Other:",
    "    Type: AWS::IAM::Role",
    "    Properties:",
    "      AssumeRolePolicyDocument:",
    "        Statement:",
    "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}",
    ...(policy ?? []),
    "",
  ].join("\n");

/** A role with `s3:*` on `*`: inline in `Policies`, or in a managed policy attached to `roles`. */
const cfnRole = (managedRoles?: string) =>
  cfnRoles(
    managedRoles === undefined
      ? undefined
      : [
          "  Managed:",
          "    Type: AWS::IAM::ManagedPolicy",
          "    Properties:",
          `      Roles: ${managedRoles}`,
          ...s3Document(),
        ],
  );

/** The role's inline policy in an `AWS::IAM::RolePolicy` naming `roleName`. */
const cfnRolePolicy = (roleName: string) =>
  cfnRoles([
    "  Inline:",
    "    Type: AWS::IAM::RolePolicy",
    "    Properties:",
    `      RoleName: ${roleName}`,
    "      PolicyName: p",
    ...s3Document(),
  ]);

describe("tollgate diff when a role's policies move to their own resources", () => {
  it("keeps the grants existing, about the role they reach (Terraform)", async () => {
    const actions = '["iam:PassRole", "lambda:*"]';
    const { code, statuses } = await diffFiles({
      "base/main.tf": inlineRole(actions),
      "head/main.tf": splitRole(actions),
    });
    expect(changed(statuses)).toEqual([]);
    expect(statuses).toEqual([
      "existing TG-IAM-001 aws_iam_role_policy.deploy",
      "existing TG-IAM-006 aws_iam_role_policy.deploy",
      "existing TG-IAM-007 aws_iam_role_policy_attachment.admin",
    ]);
    expect(code).toBe(0);
  });

  it("reports the grants as new when they reach another role, or grow", async () => {
    const actions = '["iam:PassRole", "lambda:*"]';
    const moved = await diffFiles({
      "base/main.tf": inlineRole(actions),
      "head/main.tf": splitRole(actions, "other"),
    });
    expect(changed(moved.statuses)).toEqual([
      "fixed TG-IAM-001 aws_iam_role.ci",
      "fixed TG-IAM-006 aws_iam_role.ci",
      "fixed TG-IAM-007 aws_iam_role.ci",
      "new TG-IAM-001 aws_iam_role_policy.deploy",
      "new TG-IAM-006 aws_iam_role_policy.deploy",
      "new TG-IAM-007 aws_iam_role_policy_attachment.admin",
    ]);
    const widened = await diffFiles({
      "base/main.tf": inlineRole(actions),
      "head/main.tf": splitRole('["iam:PassRole", "lambda:*", "s3:*"]'),
    });
    expect(changed(widened.statuses)).toEqual(["new TG-IAM-001 aws_iam_role_policy.deploy"]);
  });

  it("keeps a CloudFormation inline policy existing in a managed policy attached to its role alone", async () => {
    const same = await diffFiles({
      "base/stack.yaml": cfnRole(),
      "head/stack.yaml": cfnRole("[!Ref Role]"),
    });
    expect(same.statuses).toEqual(["existing TG-IAM-001 Managed"]);
    for (const roles of ["[!Ref Other]", "[!Ref Role, !Ref Other]"]) {
      const wider = await diffFiles({
        "base/stack.yaml": cfnRole(),
        "head/stack.yaml": cfnRole(roles),
      });
      expect(changed(wider.statuses)).toEqual(["fixed TG-IAM-001 Role", "new TG-IAM-001 Managed"]);
    }
  });

  it("keeps a CloudFormation inline policy existing in an AWS::IAM::RolePolicy of its role", async () => {
    const same = await diffFiles({
      "base/stack.yaml": cfnRole(),
      "head/stack.yaml": cfnRolePolicy("!Ref Role"),
    });
    expect(same.statuses).toEqual(["existing TG-IAM-001 Inline"]);
    const other = await diffFiles({
      "base/stack.yaml": cfnRole(),
      "head/stack.yaml": cfnRolePolicy("!Ref Other"),
    });
    expect(changed(other.statuses)).toEqual(["fixed TG-IAM-001 Role", "new TG-IAM-001 Inline"]);
  });
});

/** A security group with SSH open to `cidr`, created as `expansion` says (`count = 1`). */
const debugGroup = (expansion: string, cidr = "0.0.0.0/0") =>
  [
    'variable "create_debug_sg" {',
    "  type = bool",
    "}",
    "",
    'resource "aws_security_group" "dbg" {',
    `  ${expansion}`,
    '  name = "dbg"',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    `    cidr_blocks = ["${cidr}"]`,
    "  }",
    "}",
    "",
  ].join("\n");

describe("tollgate diff when a resource's count or for_each becomes unknown", () => {
  it("keeps the findings of its known instances existing", async () => {
    for (const [base, head] of [
      ["count = 1", "count = var.create_debug_sg ? 1 : 0"],
      ['for_each = toset(["a"])', "for_each = var.create_debug_sg ? toset([]) : toset(['a'])"],
      ["count = 2", "count = var.create_debug_sg ? 2 : 0"],
    ] as const) {
      const { statuses } = await diffFiles({
        "base/main.tf": debugGroup(base),
        "head/main.tf": debugGroup(head.replace(/'/g, '"')),
      });
      expect(
        statuses.filter((s) => !s.startsWith("fixed ")),
        `${base} -> ${head}`,
      ).toEqual(["existing TG-NET-001 aws_security_group.dbg"]);
      expect(changed(statuses), `${base} -> ${head}`).toEqual([]);
    }
  });

  it("still reports what the unknown instances newly open as new", async () => {
    const { statuses } = await diffFiles({
      "base/main.tf": debugGroup("count = 1", "10.0.0.0/8"),
      "head/main.tf": debugGroup("count = var.create_debug_sg ? 1 : 0"),
    });
    expect(changed(statuses)).toEqual(["new TG-NET-001 aws_security_group.dbg"]);
  });
});

describe("tollgate diff when a moved block moves a resource into a registry module", () => {
  const group = [
    'resource "aws_security_group" "bastion" {',
    '  name = "bastion"',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    "  }",
    "}",
    "",
  ].join("\n");
  const moduleGroup = (rules: string) =>
    [
      'module "bastion_sg" {',
      '  source              = "terraform-aws-modules/security-group/aws"',
      '  version             = "~> 5.1"',
      '  name                = "bastion"',
      "  use_name_prefix     = false",
      '  ingress_cidr_blocks = ["0.0.0.0/0"]',
      `  ingress_rules       = ${rules}`,
      "}",
      "",
      "moved {",
      "  from = aws_security_group.bastion",
      "  to   = module.bastion_sg.aws_security_group.this[0]",
      "}",
      "",
    ].join("\n");

  it("compares the moved resource's findings with what the call reports", async () => {
    const same = await diffFiles({
      "base/main.tf": group,
      "head/main.tf": moduleGroup('["ssh-tcp"]'),
    });
    expect(same.statuses).toEqual(["existing TG-NET-001 module.bastion_sg"]);
    const wider = await diffFiles({
      "base/main.tf": group,
      "head/main.tf": moduleGroup('["ssh-tcp", "rdp-tcp"]'),
    });
    expect(changed(wider.statuses)).toEqual(["new TG-NET-002 module.bastion_sg"]);
  });
});
