// A resource that exists or not only by a root variable's `default` or a CloudFormation
// parameter's `Default` (review finding 12, session 21's r14d and r13d), end to end: every
// deployment may override the default (`-var`, `TF_VAR_x`, `--parameter-overrides`), so a pull
// request adding an SSH group "only in prod", the default being dev, reports it "Only when", new.
import { describe, expect, it } from "vitest";
import { diffArgs, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  line: number;
  message: string;
  blocks: boolean;
}

async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  const { code, stdout } = await runOnFiles("overridable-defaults", files, (dir) => [
    ...args(dir),
    "--format",
    "json",
  ]);
  const { findings } = JSON.parse(stdout) as { findings: JsonFinding[] };
  return {
    code,
    findings: findings
      .filter((f) => f.rule === "TG-NET-001")
      .map(
        (f) =>
          `${f.status}${f.blocks ? " blocking" : ""} ${f.rule} ${f.line}${f.message.replace(/^[^]*?( Only when [^]*)?$/, "$1")}`,
      ),
  };
}

const variable = `variable "env" {
  type    = string
  default = "dev"
}
`;
const sshOnlyInProd = `${variable}resource "aws_security_group" "ssh" {
  count       = var.env == "prod" ? 1 : 0
  name        = "ssh"
  description = "ssh"
  vpc_id      = "vpc-123"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const parameters = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: dev
`;
const cfnSshOnlyInProd = `${parameters}Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Condition: IsProd
    Properties:
      GroupDescription: ssh
      VpcId: vpc-123
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`;

describe("a resource only a root variable's default leaves out", () => {
  it("is new and blocking when a pull request adds it, Only when the default is overridden", async () => {
    const added = await run({ "base/main.tf": variable, "head/main.tf": sshOnlyInProd }, (dir) =>
      diffArgs(dir),
    );
    expect(added.code).toBe(1);
    expect(added.findings).toEqual(['new blocking TG-NET-001 15 Only when var.env is not "dev".']);
  });

  it("is existing when base and head guard it alike", async () => {
    const same = await run(
      { "base/main.tf": sshOnlyInProd, "head/main.tf": sshOnlyInProd },
      (dir) => diffArgs(dir),
    );
    expect(same.code).toBe(0);
    expect(same.findings).toEqual(['existing TG-NET-001 15 Only when var.env is not "dev".']);
  });

  it("is absent when the settings' var_files pin the default", async () => {
    const pinned = await run(
      {
        "main.tf": sshOnlyInProd,
        "dev.tfvars": 'env = "dev"\n',
        "tollgate.yml": "terraform:\n  var_files:\n    .: [dev.tfvars]\n",
      },
      () => ["scan", ".", "--config", "tollgate.yml"],
    );
    expect(pinned.findings).toEqual([]);
    const prod = await run(
      {
        "main.tf": sshOnlyInProd,
        "prod.tfvars": 'env = "prod"\n',
        "tollgate.yml": "terraform:\n  var_files:\n    .: [prod.tfvars]\n",
      },
      () => ["scan", ".", "--config", "tollgate.yml"],
    );
    expect(prod.findings).toEqual(["new blocking TG-NET-001 15"]);
  });
});

describe("a resource only a parameter's Default leaves out", () => {
  it("is new and blocking when a pull request adds it, Only when its condition holds", async () => {
    const added = await run(
      {
        "base/stack.yaml": `${parameters}Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n`,
        "head/stack.yaml": cfnSshOnlyInProd,
      },
      (dir) => diffArgs(dir),
    );
    expect(added.code).toBe(1);
    expect(added.findings).toEqual(["new blocking TG-NET-001 19 Only when IsProd."]);
  });

  it("is existing when base and head guard it alike", async () => {
    const same = await run(
      { "base/stack.yaml": cfnSshOnlyInProd, "head/stack.yaml": cfnSshOnlyInProd },
      (dir) => diffArgs(dir),
    );
    expect(same.code).toBe(0);
    expect(same.findings).toEqual(["existing TG-NET-001 19 Only when IsProd."]);
  });

  it("is absent when the settings' parameter_files pin the Default", async () => {
    const pinned = await run(
      {
        "stack.yaml": cfnSshOnlyInProd,
        "params/dev.json": '[{"ParameterKey": "Env", "ParameterValue": "dev"}]\n',
        "tollgate.yml": "cloudformation:\n  parameter_files:\n    stack.yaml: [params/dev.json]\n",
      },
      () => ["scan", ".", "--config", "tollgate.yml"],
    );
    expect(pinned.findings).toEqual([]);
  });
});

// A module switched at its call (`enabled = var.env == "prod"`, the registry modules' `create`
// pattern): the root default decides the child's count through the argument.
const sshModule = `variable "enabled" {
  type = bool
}
resource "aws_security_group" "ssh" {
  count = var.enabled ? 1 : 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
const rulesModule = `variable "rules" {
  type = map(string)
}
resource "aws_security_group_rule" "in" {
  for_each          = var.rules
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 22
  to_port           = 22
  description       = each.value
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
`;

describe("a module's resource only a root default leaves out through the call's argument", () => {
  it("is new and blocking when the argument reads the default (count)", async () => {
    const added = await run(
      {
        "base/main.tf": variable,
        "head/main.tf": `${variable}module "sg" {\n  source  = "./sg"\n  enabled = var.env == "prod"\n}\n`,
        "head/sg/main.tf": sshModule,
      },
      (dir) => diffArgs(dir),
    );
    expect(added.code).toBe(1);
    expect(added.findings).toEqual(['new blocking TG-NET-001 10 Only when var.env is not "dev".']);
  });

  it("is new and blocking when the argument is a map the default leaves empty (for_each)", async () => {
    const added = await run(
      {
        "base/main.tf": variable,
        "head/main.tf": `${variable}module "sg" {\n  source = "./sg"\n  rules  = var.env == "prod" ? { ssh = "ssh" } : {}\n}\n`,
        "head/sg/main.tf": rulesModule,
      },
      (dir) => diffArgs(dir),
    );
    expect(added.code).toBe(1);
    expect(added.findings).toEqual(['new blocking TG-NET-001 12 Only when var.env is not "dev".']);
    const rules = `variable "rules" {\n  type    = map(string)\n  default = {}\n}\n`;
    const passed = await run(
      {
        "base/main.tf": rules,
        "head/main.tf": `${rules}module "sg" {\n  source = "./sg"\n  rules  = var.rules\n}\n`,
        "head/sg/main.tf": rulesModule,
      },
      (dir) => diffArgs(dir),
    );
    expect(passed.findings).toEqual(["new blocking TG-NET-001 12 Only when var.rules is not {}."]);
  });

  it("is absent when the caller passes a value no default gives", async () => {
    const fixed = await run(
      {
        "main.tf": `${variable}module "sg" {\n  source  = "./sg"\n  enabled = false\n}\n`,
        "sg/main.tf": sshModule,
      },
      () => ["scan", "."],
    );
    expect(fixed.findings).toEqual([]);
  });
});
