import { describe, expect, it } from "vitest";
import { finding } from "../../test/app/findings.js";
import {
  convertedTemplates,
  diffFindings,
  followRenames,
  followRenamesInScan,
  renamesByContent,
} from "./index.js";

const statuses = (base: ReturnType<typeof finding>[], head: ReturnType<typeof finding>[]) =>
  diffFindings(base, head).map((f) => `${f.status}:${f.root}`);

describe("renamesByContent", () => {
  it("pairs a file gone at head with a new file of the same text, each once", () => {
    const base = [
      { path: "stack.yaml", text: "Resources: {}\n" },
      { path: "copy.yaml", text: "Resources: {}\n" },
      { path: "main.tf", text: "# kept\n" },
      { path: "old.tf", text: "# edited\n" },
    ];
    const head = [
      { path: "cfn/stack.yaml", text: "Resources: {}\n" },
      { path: "main.tf", text: "# kept\n" },
      { path: "new.tf", text: "# edited, and more\n" },
    ];
    expect(renamesByContent(base, head)).toEqual([{ from: "stack.yaml", to: "cfn/stack.yaml" }]);
  });
});

describe("renamesByContent, beyond the same text", () => {
  const lines = (count: number, prefix: string) =>
    Array.from({ length: count }, (_, i) => `${prefix} line ${i}\n`).join("");

  it("pairs files whose lines are at least half the same, the most similar first, of one kind", () => {
    const base = [
      { path: "envs/prod/main.tf", text: lines(10, "prod") },
      { path: "stack.yaml", text: lines(10, "stack") },
      { path: "old.tf", text: lines(10, "old") },
    ];
    const head = [
      // Six of ten lines kept: 60%.
      { path: "envs/dev/main.tf", text: lines(6, "prod") + lines(4, "dev") },
      // Eight of ten: the better pair for envs/prod/main.tf.
      { path: "environments/prod/main.tf", text: lines(8, "prod") + lines(2, "edit") },
      // Four of ten: not a rename.
      { path: "new.tf", text: lines(4, "old") + lines(6, "new") },
      // Nine of ten, but a template is no Terraform file's rename.
      { path: "stack.tf", text: lines(9, "stack") + lines(1, "edit") },
    ];
    expect(renamesByContent(base, head)).toEqual([
      { from: "envs/prod/main.tf", to: "environments/prod/main.tf" },
    ]);
  });

  it("pairs a CloudFormation template with its conversion to the other syntax", () => {
    // Parameter Defaults, which a Condition and a property read, a condition a property's Fn::If
    // decides and a mapping entry are located by line in each (readAt, readFrom).
    const yaml = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      "Parameters:",
      "  Team:",
      "    Type: String",
      "    Default: platform",
      "  Env:",
      "    Type: String",
      "    Default: prod",
      "Mappings:",
      "  Owners:",
      "    prod:",
      "      Name: ops",
      "Conditions:",
      "  IsProd: !Equals [!Ref Env, prod]",
      "Resources:",
      "  Logs:",
      "    Type: AWS::S3::Bucket",
      "    Condition: IsProd",
      "    Properties:",
      "      BucketName: !Sub '${AWS::StackName}-logs'",
      "      VersioningConfiguration:",
      "        Status: !If [IsProd, Enabled, Suspended]",
      "      Tags:",
      "        - Key: team",
      "          Value: !Ref Team",
      "        - Key: owner",
      "          Value: !FindInMap [Owners, !Ref Env, Name]",
      "",
    ].join("\n");
    const json = JSON.stringify({
      AWSTemplateFormatVersion: "2010-09-09",
      Parameters: {
        Env: { Type: "String", Default: "prod" },
        Team: { Default: "platform", Type: "String" },
      },
      Conditions: { IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] } },
      Mappings: { Owners: { prod: { Name: "ops" } } },
      Resources: {
        Logs: {
          Condition: "IsProd",
          Properties: {
            Tags: [
              { Value: { Ref: "Team" }, Key: "team" },
              { Value: { "Fn::FindInMap": ["Owners", { Ref: "Env" }, "Name"] }, Key: "owner" },
            ],
            VersioningConfiguration: { Status: { "Fn::If": ["IsProd", "Enabled", "Suspended"] } },
            BucketName: { "Fn::Sub": "${AWS::StackName}-logs" },
          },
          Type: "AWS::S3::Bucket",
        },
      },
    });
    const other = json.replace("-logs", "-data");
    expect(
      renamesByContent(
        [{ path: "stack.yaml", text: yaml }],
        [
          { path: "cfn/other.json", text: other },
          { path: "cfn/stack.json", text: json },
        ],
      ),
    ).toEqual([{ from: "stack.yaml", to: "cfn/stack.json" }]);
  });

  describe("a template converted to the other syntax and edited in the same change", () => {
    // A web tier as YAML, and as JSON: with a tag added first, a renamed bucket and a new queue.
    const yaml = [
      "Resources:",
      "  Bucket:",
      "    Type: AWS::S3::Bucket",
      "    Properties:",
      "      BucketName: !Sub '${AWS::StackName}-assets'",
      "      VersioningConfiguration: {Status: Enabled}",
      "      Tags:",
      "        - {Key: team, Value: web}",
      "        - {Key: cost-centre, Value: '4711'}",
      "  WebSG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: web servers",
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}",
      "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}",
      "  Role:",
      "    Type: AWS::IAM::Role",
      "    Properties:",
      "      AssumeRolePolicyDocument:",
      "        Statement:",
      "          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}",
      "      Policies:",
      "        - PolicyName: assets",
      "          PolicyDocument:",
      "            Statement:",
      "              - Effect: Allow",
      "                Action: [s3:GetObject, s3:PutObject]",
      "                Resource: !Sub '${Bucket.Arn}/*'",
      "",
    ].join("\n");
    const edited = JSON.stringify({
      Resources: {
        Bucket: {
          Type: "AWS::S3::Bucket",
          Properties: {
            BucketName: { "Fn::Sub": "${AWS::StackName}-static" },
            VersioningConfiguration: { Status: "Enabled" },
            Tags: [
              { Key: "owner", Value: "platform" },
              { Key: "team", Value: "web" },
              { Key: "cost-centre", Value: "4711" },
            ],
          },
        },
        WebSG: {
          Type: "AWS::EC2::SecurityGroup",
          Properties: {
            GroupDescription: "web servers",
            SecurityGroupIngress: [
              { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" },
              { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "10.0.0.0/8" },
            ],
          },
        },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "ec2.amazonaws.com" },
                  Action: "sts:AssumeRole",
                },
              ],
            },
            Policies: [
              {
                PolicyName: "assets",
                PolicyDocument: {
                  Statement: [
                    {
                      Effect: "Allow",
                      Action: ["s3:GetObject", "s3:PutObject"],
                      Resource: { "Fn::Sub": "${Bucket.Arn}/*" },
                    },
                  ],
                },
              },
            ],
          },
        },
        Queue: { Type: "AWS::SQS::Queue", Properties: { QueueName: "jobs" } },
      },
    });
    // Another stack's template that also declares a `Bucket` and a `Role`, for a data pipeline.
    const unrelated = (syntax: "yaml" | "json") => {
      const resources = {
        Bucket: {
          Type: "AWS::S3::Bucket",
          Properties: {
            BucketName: "pipeline-raw",
            VersioningConfiguration: { Status: "Enabled" },
          },
        },
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "glue.amazonaws.com" },
                  Action: "sts:AssumeRole",
                },
              ],
            },
            ManagedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"],
          },
        },
        Crawler: {
          Type: "AWS::Glue::Crawler",
          Properties: {
            Role: { "Fn::GetAtt": ["Role", "Arn"] },
            DatabaseName: "raw",
            Targets: { S3Targets: [{ Path: "s3://pipeline-raw/incoming" }] },
          },
        },
        Job: {
          Type: "AWS::Glue::Job",
          Properties: {
            Role: { "Fn::GetAtt": ["Role", "Arn"] },
            Command: { Name: "glueetl", ScriptLocation: "s3://pipeline-raw/scripts/clean.py" },
            DefaultArguments: { "--job-bookmark-option": "job-bookmark-enable" },
            GlueVersion: "4.0",
          },
        },
      };
      // JSON is YAML too: written as YAML, it is the same template in the other syntax.
      return syntax === "json"
        ? JSON.stringify({ Resources: resources })
        : JSON.stringify({ Resources: resources }, null, 2).replace(/^( *)"(\w+)":/gm, "$1$2:");
    };

    it("pairs it by what it deploys, for the CLI and for the app", () => {
      const base = [{ path: "web.yaml", text: yaml }];
      const head = [{ path: "web.json", text: edited }];
      expect(renamesByContent(base, head)).toEqual([{ from: "web.yaml", to: "web.json" }]);
      expect(convertedTemplates(base, head)).toEqual([{ from: "web.yaml", to: "web.json" }]);
      // JSON back to YAML, likewise.
      const back = [{ path: "web.yaml", text: yaml }];
      expect(renamesByContent([{ path: "web.json", text: edited }], back)).toEqual([
        { from: "web.json", to: "web.yaml" },
      ]);
    });

    it("prefers the more similar template, and pairs no unrelated one sharing logical ids", () => {
      expect(
        renamesByContent(
          [{ path: "web.yaml", text: yaml }],
          [
            { path: "pipeline.json", text: unrelated("json") },
            { path: "web.json", text: edited },
          ],
        ),
      ).toEqual([{ from: "web.yaml", to: "web.json" }]);
      // YAML gone, an unrelated JSON added; JSON gone, an unrelated YAML added: no rename.
      expect(
        renamesByContent(
          [{ path: "web.yaml", text: yaml }],
          [{ path: "pipeline.json", text: unrelated("json") }],
        ),
      ).toEqual([]);
      expect(
        convertedTemplates(
          [{ path: "web.json", text: edited }],
          [{ path: "pipeline.yaml", text: unrelated("yaml") }],
        ),
      ).toEqual([]);
      expect(
        renamesByContent(
          [{ path: "pipeline.yaml", text: unrelated("yaml") }],
          [{ path: "web.json", text: edited }],
        ),
      ).toEqual([]);
      // The unrelated template is a template, and pairs with itself in the other syntax.
      expect(
        convertedTemplates(
          [{ path: "pipeline.yaml", text: unrelated("yaml") }],
          [{ path: "pipeline.json", text: unrelated("json") }],
        ),
      ).toEqual([{ from: "pipeline.yaml", to: "pipeline.json" }]);
    });

    it("pairs no two templates that only both declare a Bucket", () => {
      const bucket = (name: string, extra: Record<string, unknown>) =>
        JSON.stringify({
          Resources: {
            Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: name } },
            ...extra,
          },
        });
      const logs = bucket("org-logs", {
        Trail: {
          Type: "AWS::CloudTrail::Trail",
          Properties: { IsLogging: true, S3BucketName: { Ref: "Bucket" } },
        },
      });
      const site = bucket("www-example-com", {
        Distribution: {
          Type: "AWS::CloudFront::Distribution",
          Properties: { DistributionConfig: { Enabled: true, DefaultRootObject: "index.html" } },
        },
      });
      expect(
        renamesByContent([{ path: "logs.json", text: logs }], [{ path: "site.yaml", text: site }]),
      ).toEqual([]);
      expect(
        renamesByContent([{ path: "site.yaml", text: site }], [{ path: "logs.json", text: logs }]),
      ).toEqual([]);
    });
  });

  it("pairs only converted templates for the app, whose renames by text GitHub tells", () => {
    const base = [{ path: "a.tf", text: lines(10, "a") }];
    const head = [{ path: "b.tf", text: lines(9, "a") + lines(1, "b") }];
    expect(renamesByContent(base, head)).toEqual([{ from: "a.tf", to: "b.tf" }]);
    expect(convertedTemplates(base, head)).toEqual([]);
  });

  it("leaves alone the files a rename git told already pairs", () => {
    const base = [{ path: "a.tf", text: lines(10, "a") }];
    const head = [
      { path: "b.tf", text: lines(10, "a") },
      { path: "c.tf", text: lines(10, "a") },
    ];
    expect(renamesByContent(base, head, [{ from: "a.tf", to: "c.tf" }])).toEqual([]);
  });
});

describe("followRenames", () => {
  it("keeps a renamed template's findings existing", () => {
    const base = [finding({ file: "stack.yaml", root: "stack.yaml", resource: "Group" })];
    const head = [finding({ file: "cfn/stack.yaml", root: "cfn/stack.yaml", resource: "Group" })];
    const renames = [{ from: "stack.yaml", to: "cfn/stack.yaml" }];
    expect(statuses(base, head)).toEqual(["new:cfn/stack.yaml", "fixed:stack.yaml"]);
    expect(statuses(followRenames(base, renames, ["cfn/stack.yaml"]), head)).toEqual([
      "existing:cfn/stack.yaml",
    ]);
  });

  it("follows a Terraform root folder whose files all moved to one other folder", () => {
    const base = [
      finding({ file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ file: "main.tf", root: "" }),
    ];
    const head = [
      finding({ file: "environments/prod/main.tf", root: "environments/prod" }),
      finding({ file: "infra/main.tf", root: "infra" }),
    ];
    const renames = [
      { from: "envs/prod/main.tf", to: "environments/prod/main.tf" },
      { from: "envs/prod/terraform.tfvars", to: "environments/prod/terraform.tfvars" },
      { from: "main.tf", to: "infra/main.tf" },
    ];
    const followed = followRenames(base, renames, [
      "environments/prod/main.tf",
      "environments/prod/terraform.tfvars",
      "infra/main.tf",
    ]);
    expect(statuses(followed, head)).toEqual(["existing:environments/prod", "existing:infra"]);
  });

  it("leaves a root alone when it keeps Terraform files at head or its files went to several folders", () => {
    const base = [
      finding({ file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ file: "envs/dev/main.tf", root: "envs/dev" }),
    ];
    const renames = [
      // One file of envs/prod moved into a module folder; envs/prod/main.tf stays.
      { from: "envs/prod/network.tf", to: "modules/network/main.tf" },
      // envs/dev split in two.
      { from: "envs/dev/main.tf", to: "envs/dev-a/main.tf" },
      { from: "envs/dev/iam.tf", to: "envs/dev-b/iam.tf" },
    ];
    const followed = followRenames(base, renames, [
      "envs/prod/main.tf",
      "modules/network/main.tf",
      "envs/dev-a/main.tf",
      "envs/dev-b/iam.tf",
    ]);
    expect(followed.map((f) => f.root)).toEqual(["envs/prod", "envs/dev"]);
  });
});

describe("followRenamesInScan", () => {
  it("renames the roots of findings and addresses, and the template a resource is written in", () => {
    const stack = (file: string) => ({
      path: "",
      logicalId: "WebSG",
      type: "AWS::EC2::SecurityGroup",
      file,
      line: 2,
      column: 3,
      config: {},
    });
    const scan = {
      findings: [finding({ file: "network.yaml", root: "network.yaml", resource: "WebSG" })],
      errors: [],
      addresses: [
        { root: "network.yaml", address: "WebSG", stack: stack("network.yaml") },
        { root: "envs/prod", address: "aws_instance.web" },
      ],
    };
    const renames = [
      { from: "network.yaml", to: "stacks/network.yaml" },
      { from: "envs/prod/main.tf", to: "prod/main.tf" },
    ];
    const followed = followRenamesInScan(scan, renames, ["stacks/network.yaml", "prod/main.tf"]);
    expect(followed.findings.map((f) => f.root)).toEqual(["stacks/network.yaml"]);
    expect(followed.addresses).toEqual([
      { root: "stacks/network.yaml", address: "WebSG", stack: stack("stacks/network.yaml") },
      { root: "prod", address: "aws_instance.web" },
    ]);
  });
});
