// A pull request cannot hide a root module or a top template behind a caller it adds (review s22
// #6): the deployment that planned the folder, or created the template's stack, on its own still
// does, with its own defaults, so in a diff what the base loads on its own is loaded so at the head
// too, besides under the new caller.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  file: string;
  line: number;
  resource: string;
  root?: string;
}

async function diff(files: Record<string, string>) {
  const { code, stdout } = await runOnFiles("kept-roots", files, (dir) => [
    ...diffArgs(dir),
    "--format",
    "json",
  ]);
  return {
    code,
    findings: jsonFindings<JsonFinding>(stdout)
      .filter((f) => f.rule === "TG-NET-001")
      .map((f) => `${f.status} ${f.file}:${f.line} ${f.resource}${f.root ? ` in ${f.root}` : ""}`)
      .sort(),
  };
}

const sshGroup = (cidr: string) => `variable "cidr" {
  type    = string
  default = "${cidr}"
}

resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
`;

const decoy = `module "prod" {
  source = "../envs/prod"
  cidr   = "10.0.0.0/8"
}
`;

const sshTemplate = (cidr: string) => `Parameters:
  AdminCidr:
    Type: String
    Default: ${cidr}
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref AdminCidr
`;

const wrapper = `Resources:
  Admin:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./sg.yaml
      Parameters:
        AdminCidr: 10.0.0.0/8
`;

describe("a diff keeps the base's roots and top templates", () => {
  it("judges a Terraform root alone at the head though the pull request adds a module calling it", async () => {
    const { code, findings } = await diff({
      "base/envs/prod/main.tf": sshGroup("10.0.0.0/8"),
      "head/envs/prod/main.tf": sshGroup("0.0.0.0/0"),
      "head/decoy/main.tf": decoy,
    });
    expect(findings).toEqual(["new envs/prod/main.tf:3 aws_security_group.ssh in envs/prod"]);
    expect(code).toBe(1);
  });

  it("judges a template alone at the head though the pull request adds a stack nesting it", async () => {
    const { code, findings } = await diff({
      "base/sg.yaml": sshTemplate("10.0.0.0/8"),
      "head/sg.yaml": sshTemplate("0.0.0.0/0"),
      "head/wrapper.yaml": wrapper,
    });
    expect(findings).toEqual(["new sg.yaml:4 SG in sg.yaml"]);
    expect(code).toBe(1);
  });

  it("reads a kept root's copy under a new caller existing where the base had that finding", async () => {
    // A root folder now also called from a new root with the same value: no finding is new.
    const caller = `module "prod" {\n  source = "../envs/prod"\n  cidr   = "0.0.0.0/0"\n}\n`;
    const { code, findings } = await diff({
      "base/envs/prod/main.tf": sshGroup("0.0.0.0/0"),
      "head/envs/prod/main.tf": sshGroup("0.0.0.0/0"),
      "head/live/main.tf": caller,
    });
    expect(findings).toEqual([
      "existing envs/prod/main.tf:3 aws_security_group.ssh in envs/prod",
      "existing live/main.tf:3 module.prod.aws_security_group.ssh in live",
    ]);
    expect(code).toBe(0);
  });

  it("still judges a module called since the base only through its caller", async () => {
    // The folder was never a root: its default is not what any deployment uses.
    const { code, findings } = await diff({
      "base/envs/prod/main.tf": sshGroup("10.0.0.0/8"),
      "base/decoy/main.tf": decoy,
      "head/envs/prod/main.tf": sshGroup("0.0.0.0/0"),
      "head/decoy/main.tf": decoy,
    });
    expect(findings).toEqual([]);
    expect(code).toBe(0);
  });
});
