// `tollgate diff` on pull requests that rewrite IAM in a form IAM reads the same: the partition
// written for the template (cfn-lint's advice), `"*"` as `{"AWS": "*"}`, an action's case, a list's
// order, an account id as its root's ARN, AdministratorAccess by name. A finding's evidence is its
// identity across commits (src/diff), so each must stay existing, not become new plus fixed.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  evidence: string;
}

/** `tollgate diff --format json` of `file` written as `base` and as `head`. */
async function diffRewrite(file: string, base: string, head: string) {
  const files = { [`base/${file}`]: base, [`head/${file}`]: head };
  const { code, stdout, stderr } = await runOnFiles("iam-rewrite", files, (dir) =>
    diffArgs(dir, "--format", "json"),
  );
  expect(stderr).toBe("");
  const statuses = jsonFindings<JsonFinding>(stdout).map(
    (f) => `${f.status} ${f.rule} ${f.evidence}`,
  );
  return { code, statuses };
}

/** A CloudFormation template of `resources` (YAML lines below `Resources:`). */
const template = (...resources: string[]) =>
  ["Resources:", ...resources.map((line) => `  ${line}`), ""].join("\n");

/** A role whose trust and inline policy are given as YAML flow mappings, with `extra` properties. */
const role = (statement: string, extra: string[] = []) =>
  template(
    "Ops:",
    "  Type: AWS::IAM::Role",
    "  Properties:",
    "    AssumeRolePolicyDocument:",
    "      Statement:",
    "        - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}",
    ...extra.map((line) => `    ${line}`),
    "    Policies:",
    "      - PolicyName: p",
    "        PolicyDocument:",
    "          Statement:",
    `            - ${statement}`,
  );

/** A bucket and its policy with one statement. */
const bucketPolicy = (statement: string) =>
  template(
    "Bucket:",
    "  Type: AWS::S3::Bucket",
    "Policy:",
    "  Type: AWS::S3::BucketPolicy",
    "  Properties:",
    "    Bucket: !Ref Bucket",
    "    PolicyDocument:",
    "      Statement:",
    `        - ${statement}`,
  );

/** A role trusting `principal` to assume it. */
const trust = (principal: string) =>
  template(
    "Shared:",
    "  Type: AWS::IAM::Role",
    "  Properties:",
    "    AssumeRolePolicyDocument:",
    "      Statement:",
    `        - {Effect: Allow, Principal: ${principal}, Action: sts:AssumeRole}`,
  );

/** A Terraform role with AdministratorAccess attached by `arn`. */
const attachment = (arn: string) =>
  [
    'data "aws_partition" "current" {}',
    "",
    'resource "aws_iam_role" "ops" {',
    '  name               = "ops"',
    '  assume_role_policy = "{}"',
    "}",
    "",
    'resource "aws_iam_role_policy_attachment" "admin" {',
    "  role       = aws_iam_role.ops.name",
    `  policy_arn = ${arn}`,
    "}",
    "",
  ].join("\n");

const samFunction = (policy: string) =>
  [
    "Transform: AWS::Serverless-2016-10-31",
    template(
      "Handler:",
      "  Type: AWS::Serverless::Function",
      "  Properties:",
      "    Runtime: python3.12",
      "    Handler: app.handler",
      "    CodeUri: src/",
      `    Policies: ${policy}`,
    ),
  ].join("\n");

describe("tollgate diff on a rewrite IAM reads as the same policy", () => {
  const rewrites: Array<{ name: string; file: string; base: string; head: string; rule: string }> =
    [
      {
        name: "AdministratorAccess's ARN written for the partition with !Sub",
        file: "t.yaml",
        base: role("{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}", [
          "ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]",
        ]),
        head: role("{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}", [
          "ManagedPolicyArns: [!Sub 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess']",
        ]),
        rule: "TG-IAM-007",
      },
      {
        name: "AdministratorAccess's ARN written for the partition with !Join",
        file: "t.yaml",
        base: role("{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}", [
          "ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]",
        ]),
        head: role("{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}", [
          'ManagedPolicyArns: [!Join ["", ["arn:", !Ref "AWS::Partition", ":iam::aws:policy/AdministratorAccess"]]]',
        ]),
        rule: "TG-IAM-007",
      },
      {
        name: "AdministratorAccess's ARN written for the partition in Terraform",
        file: "main.tf",
        base: attachment('"arn:aws:iam::aws:policy/AdministratorAccess"'),
        head: attachment(
          '"arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"',
        ),
        rule: "TG-IAM-007",
      },
      {
        name: "AdministratorAccess named by SAM, then by its ARN",
        file: "t.yaml",
        base: samFunction("AdministratorAccess"),
        head: samFunction("arn:aws:iam::aws:policy/AdministratorAccess"),
        rule: "TG-IAM-007",
      },
      {
        name: 'a bucket policy\'s Principal "*" written as {AWS: "*"}, its action as a list',
        file: "t.yaml",
        base: bucketPolicy(
          '{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: !Sub "${Bucket.Arn}/*"}',
        ),
        head: bucketPolicy(
          '{Effect: Allow, Principal: {AWS: ["*"]}, Action: ["S3:GetObject"], Resource: !Sub "${Bucket.Arn}/*"}',
        ),
        rule: "TG-IAM-010",
      },
      {
        name: 'a trust policy\'s Principal "*" written as {AWS: "*"}',
        file: "t.yaml",
        base: trust('"*"'),
        head: trust('{AWS: "*"}'),
        rule: "TG-IAM-008",
      },
      {
        name: "an account id written as its root's ARN, S3:* in lower case",
        file: "t.yaml",
        base: bucketPolicy(
          '{Effect: Allow, Principal: {AWS: "111122223333"}, Action: "S3:*", Resource: !Sub "${Bucket.Arn}/*"}',
        ),
        head: bucketPolicy(
          '{Effect: Allow, Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::111122223333:root"}, Action: "s3:*", Resource: !Sub "${Bucket.Arn}/*"}',
        ),
        rule: "TG-IAM-020",
      },
      {
        name: "a service wildcard in upper case",
        file: "t.yaml",
        base: role('{Effect: Allow, Action: "S3:*", Resource: arn:aws:s3:::b/*}'),
        head: role('{Effect: Allow, Action: ["s3:*"], Resource: arn:aws:s3:::b/*}'),
        rule: "TG-IAM-001",
      },
      {
        name: "iam:PassRole on every role, the ARN written for the partition and the action in another case",
        file: "t.yaml",
        base: role("{Effect: Allow, Action: iam:PassRole, Resource: 'arn:aws:iam::*:role/*'}"),
        head: role(
          "{Effect: Allow, Action: IAM:passRole, Resource: !Sub 'arn:${AWS::Partition}:iam::*:role/*'}",
        ),
        rule: "TG-IAM-006",
      },
      {
        name: "NotAction reordered, repeated and in another case",
        file: "t.yaml",
        base: role("{Effect: Allow, NotAction: [iam:*, S3:DeleteBucket], Resource: '*'}"),
        head: role(
          "{Effect: Allow, NotAction: [s3:deletebucket, 'iam:*', s3:DeleteBucket], Resource: '*'}",
        ),
        rule: "TG-IAM-004",
      },
      {
        name: "NotResource in the GovCloud partition written for the partition",
        file: "t.yaml",
        base: role(
          "{Effect: Allow, Action: s3:GetObject, NotResource: ['arn:aws-us-gov:s3:::private/*']}",
        ),
        head: role(
          "{Effect: Allow, Action: s3:GetObject, NotResource: !Sub 'arn:${AWS::Partition}:s3:::private/*'}",
        ),
        rule: "TG-IAM-005",
      },
    ];

  for (const { name, file, base, head, rule } of rewrites) {
    it(`keeps ${rule} existing: ${name}`, async () => {
      const { code, statuses } = await diffRewrite(file, base, head);
      expect(statuses.some((line) => line.startsWith(`existing ${rule} `))).toBe(true);
      expect(statuses.filter((line) => !line.startsWith("existing "))).toEqual([]);
      expect(code).toBe(0);
    });
  }

  it("still calls a wider grant new: the same principal, one more action", async () => {
    const { code, statuses } = await diffRewrite(
      "t.yaml",
      bucketPolicy('{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: "*"}'),
      bucketPolicy(
        '{Effect: Allow, Principal: {AWS: "*"}, Action: [s3:GetObject, s3:PutObject], Resource: "*"}',
      ),
    );
    // The wider grant holds the narrower one (its scope covers it): that one is not fixed.
    expect(statuses.filter((line) => line.includes("TG-IAM-010"))).toEqual([
      "new TG-IAM-010 Principal *: s3:getobject,s3:putobject",
    ]);
    expect(code).toBe(1);
  });
});

// Narrowing a grant's resources while dropping its Condition is no rewrite: the grant then holds
// where the base's did not (its queue from outside the VPC), so it is new, however its evidence
// matches; the base's is not fixed, its queue still granted.
describe("tollgate diff on a grant narrowed while its Condition is dropped", () => {
  const queue = "arn:aws:sqs:eu-west-1:111122223333:jobs";
  const vpc = '{ StringEquals = { "aws:SourceVpc" = "vpc-1" } }';
  const terraform = (resource: string, condition = "") =>
    [
      'resource "aws_iam_policy" "p" {',
      "  policy = jsonencode({",
      '    Version = "2012-10-17"',
      `    Statement = [{ Effect = "Allow", Action = ["sqs:*", "s3:*"], Resource = "${resource}"${condition} }]`,
      "  })",
      "}",
      "",
    ].join("\n");

  it("calls it new in Terraform, and nothing fixed", async () => {
    const { code, statuses } = await diffRewrite(
      "main.tf",
      terraform("*", `, Condition = ${vpc}`),
      terraform(queue),
    );
    expect(statuses).toEqual(["new TG-IAM-001 s3:*", "new TG-IAM-001 sqs:*"]);
    expect(code).toBe(1);
  });

  it("calls it new in CloudFormation; a Condition added while narrowing keeps it existing", async () => {
    const vpcOnly = "Condition: {StringEquals: {aws:SourceVpc: vpc-1}}";
    const inVpc = role(`{Effect: Allow, Action: "sqs:*", Resource: "*", ${vpcOnly}}`);
    const anywhere = role(`{Effect: Allow, Action: "sqs:*", Resource: "${queue}"}`);
    const dropped = await diffRewrite("t.yaml", inVpc, anywhere);
    expect(dropped.statuses).toEqual(["new TG-IAM-001 sqs:*"]);
    const added = await diffRewrite(
      "t.yaml",
      role('{Effect: Allow, Action: "sqs:*", Resource: "*"}'),
      role(`{Effect: Allow, Action: "sqs:*", Resource: "${queue}", ${vpcOnly}}`),
    );
    expect(added.statuses).toEqual(["existing TG-IAM-001 sqs:*"]);
    expect(added.code).toBe(0);
  });
});

// A grant whose Condition the PR changed is compared by what it admits: a CIDR holding the
// base's, a pattern covering it or a superset of its values is wider, and new; the reverse
// narrower, existing and said. A value changed to one neither holds (another VPC) admits callers
// the base did not, so it is new too, as a reviewer of a security gate expects, and no narrower
// resource beside it makes up for that.
describe("tollgate diff on a grant whose Condition the PR changed", () => {
  const queue = "arn:aws:sqs:eu-west-1:111122223333:jobs";
  const statement = (resource: string, condition: string) =>
    role(`{Effect: Allow, Action: "sqs:*", Resource: "${resource}", Condition: ${condition}}`);
  const vpc = (id: string) => `{StringEquals: {aws:SourceVpc: ${id}}}`;
  const sourceIp = (cidr: string) => `{IpAddress: {aws:SourceIp: ${cidr}}}`;

  /** `tollgate diff` of the two templates in `format`. */
  async function diffFormat(base: string, head: string, format: string) {
    const files = { "base/t.yaml": base, "head/t.yaml": head };
    return runOnFiles("condition-change", files, (dir) => diffArgs(dir, "--format", format));
  }

  it("calls another VPC new in every format, saying what the Condition now admits", async () => {
    const base = statement("*", vpc("vpc-0a1b2c3d"));
    const head = statement("*", vpc("vpc-0e4f5a6b"));
    const widened =
      "now under StringEquals aws:SourceVpc vpc-0e4f5a6b (was StringEquals aws:SourceVpc vpc-0a1b2c3d)";
    const json = await diffFormat(base, head, "json");
    expect(json.stderr).toBe("");
    // The base's is not listed fixed: sqs:* is still granted, only from elsewhere.
    expect(jsonFindings(json.stdout)).toMatchObject([
      { status: "new", rule: "TG-IAM-001", evidence: "sqs:*", widened },
    ]);
    expect(json.code).toBe(1);
    const note = `widened by this change: ${widened}`;
    for (const format of ["text", "markdown", "sarif"]) {
      const { stdout, code } = await diffFormat(base, head, format);
      expect(stdout).toContain(note);
      expect(code).toBe(1);
    }
  });

  it("calls it new however the resource narrowed beside it", async () => {
    const { code, statuses } = await diffRewrite(
      "t.yaml",
      statement("*", vpc("vpc-0a1b2c3d")),
      statement(queue, vpc("vpc-0e4f5a6b")),
    );
    expect(statuses).toEqual(["new TG-IAM-001 sqs:*"]);
    expect(code).toBe(1);
  });

  it("calls a source range widened new, narrowed existing, and the same range written alike existing", async () => {
    const office = statement("*", sourceIp("203.0.113.0/24"));
    const widened = await diffRewrite("t.yaml", office, statement("*", sourceIp("0.0.0.0/0")));
    expect(widened.statuses).toEqual(["new TG-IAM-001 sqs:*"]);
    const narrowed = await diffFormat(office, statement("*", sourceIp("203.0.113.128/25")), "json");
    expect(jsonFindings(narrowed.stdout)).toMatchObject([
      {
        status: "existing",
        narrowed: "now only sqs:* on * under IpAddress aws:SourceIp 203.0.113.128/25",
      },
    ]);
    expect(narrowed.code).toBe(0);
    const host = (address: string) => statement("*", sourceIp(address));
    const same = await diffRewrite("t.yaml", host("203.0.113.7/32"), host("[203.0.113.7]"));
    expect(same.statuses).toEqual(["existing TG-IAM-001 sqs:*"]);
  });

  it("calls a VPC changed in a Terraform policy document new", async () => {
    const terraform = (id: string) =>
      [
        'data "aws_iam_policy_document" "consumer" {',
        "  statement {",
        '    actions   = ["sqs:*"]',
        '    resources = ["*"]',
        "    condition {",
        '      test     = "StringEquals"',
        '      variable = "aws:SourceVpc"',
        `      values   = ["${id}"]`,
        "    }",
        "  }",
        "}",
        "",
        'resource "aws_iam_policy" "consumer" {',
        "  policy = data.aws_iam_policy_document.consumer.json",
        "}",
        "",
      ].join("\n");
    const { code, statuses } = await diffRewrite(
      "main.tf",
      terraform("vpc-0a1b2c3d"),
      terraform("vpc-0e4f5a6b"),
    );
    expect(statuses).toEqual(["new TG-IAM-001 sqs:*"]);
    expect(code).toBe(1);
    const kept = await diffRewrite("main.tf", terraform("vpc-0a1b2c3d"), terraform("vpc-0a1b2c3d"));
    expect(kept.statuses).toEqual(["existing TG-IAM-001 sqs:*"]);
  });
});

// A Deny beside a grant was compared as written, so reordering its actions, adding a `Sid` or
// writing a value as a list read as a Deny dropped, and the grant new (session 22). It is now
// compared by what it denies: the same Deny written another way, or a wider one, keeps the grant
// existing; one that denies less is still new.
describe("tollgate diff on a Deny beside a grant rewritten", () => {
  const policy = (deny: string) =>
    [
      'resource "aws_iam_policy" "jobs" {',
      "  policy = jsonencode({",
      '    Version = "2012-10-17"',
      "    Statement = [",
      '      { Effect = "Allow", Action = "sqs:*", Resource = "*" },',
      `      { Effect = "Deny", ${deny} },`,
      "    ]",
      "  })",
      "}",
      "",
    ].join("\n");
  const outsideVpc = 'Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-1" } }';
  const base = policy(
    `Action = ["sqs:DeleteQueue", "sqs:PurgeQueue"], Resource = "*", ${outsideVpc}`,
  );

  it("keeps it existing when the Deny is written another way, or denies more", async () => {
    for (const deny of [
      // Reordered, a Sid, lists for single values.
      `Sid = "KeepQueues", Resource = ["*"], Action = ["sqs:PurgeQueue", "sqs:DeleteQueue"], Condition = { StringNotEquals = { "aws:SourceVpc" = ["vpc-1"] } }`,
      `Action = ["sqs:Delete*", "sqs:Purge*"], Resource = "*", ${outsideVpc}`,
    ]) {
      const { code, statuses } = await diffRewrite("main.tf", base, policy(deny));
      expect(statuses).toEqual(["existing TG-IAM-001 sqs:*"]);
      expect(code).toBe(0);
    }
  });

  it("still calls it new when the Deny denies less", async () => {
    for (const deny of [
      `Action = ["sqs:DeleteQueue"], Resource = "*", ${outsideVpc}`,
      `Action = ["sqs:DeleteQueue", "sqs:PurgeQueue"], Resource = "*", Condition = { StringNotEquals = { "aws:SourceVpc" = ["vpc-1", "vpc-2"] } }`,
    ]) {
      const { code, statuses } = await diffRewrite("main.tf", base, policy(deny));
      expect(statuses).toEqual(["new TG-IAM-001 sqs:*"]);
      expect(code).toBe(1);
    }
  });

  it("keeps a bucket policy's public grant existing when its Deny is reordered", async () => {
    const withDeny = (deny: string) =>
      bucketPolicy(
        `{Effect: Allow, Principal: "*", Action: s3:GetObject, Resource: arn:aws:s3:::site/*}\n          - ${deny}`,
      );
    const { code, statuses } = await diffRewrite(
      "t.yaml",
      withDeny(
        '{Effect: Deny, Principal: "*", Action: [s3:GetObject, s3:GetObjectVersion], Resource: arn:aws:s3:::site/private/*}',
      ),
      withDeny(
        '{Sid: Private, Effect: Deny, Principal: "*", Action: [s3:GetObjectVersion, s3:GetObject], Resource: [arn:aws:s3:::site/private/*]}',
      ),
    );
    expect(statuses.filter((status) => status.includes("TG-IAM-010"))).toEqual([
      "existing TG-IAM-010 Principal *: s3:getobject",
    ]);
    expect(statuses.every((status) => status.startsWith("existing"))).toBe(true);
    expect(code).toBe(0);
  });
});
