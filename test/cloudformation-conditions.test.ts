// `tollgate diff` on a CloudFormation condition the pull request redefined under the same name.
// A condition no `AllowedValues` decide was compared by its name alone, so `IsProd` widened from
// one environment to two (or to every one) kept what it guards existing. It is now compared by
// what it means at each commit, over parameters a deployment may give any value: wider is new,
// saying where; narrower is existing, saying so; the same meaning written another way is existing.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  widened?: string;
  narrowed?: string;
}

/**
 * A bastion whose SSH ingress and an admin role exist only when `isProd` holds, with an
 * `AllowBastion` condition reading it, in the style of cfngoat.
 */
const template = (isProd: string) => `AWSTemplateFormatVersion: "2010-09-09"
Description: Bastion host access for the operations team
Parameters:
  Environment:
    Description: Environment name
    Type: String
  BastionEnabled:
    Description: Whether the bastion is reachable
    Type: String
Conditions:
  IsProd: ${isProd}
  AllowBastion: !And [!Condition IsProd, !Equals [!Ref BastionEnabled, "true"]]
Resources:
  BastionSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "\${Environment} bastion"
      VpcId: vpc-0a1b2c3d
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
      SecurityGroupIngress:
        - !If
          - AllowBastion
          - IpProtocol: tcp
            FromPort: 22
            ToPort: 22
            CidrIp: 0.0.0.0/0
          - !Ref AWS::NoValue
  OpsRole:
    Type: AWS::IAM::Role
    Condition: IsProd
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
`;

const prod = "!Equals [!Ref Environment, prod]";
const prodOrStaging = "!Or [!Equals [!Ref Environment, prod], !Equals [!Ref Environment, staging]]";

async function diff(base: string, head: string, format = "json") {
  const files = { "base/bastion.yaml": template(base), "head/bastion.yaml": template(head) };
  return runOnFiles("cfn-conditions", files, (dir) => diffArgs(dir, "--format", format));
}

const labels = (stdout: string) =>
  jsonFindings<JsonFinding>(stdout).map(
    (f) => `${f.status} ${f.rule} ${f.widened ?? f.narrowed ?? "-"}`,
  );

describe("tollgate diff on a CloudFormation condition redefined under its name", () => {
  it("calls what it guards new when it holds in more environments, in every format", async () => {
    const json = await diff(prod, prodOrStaging);
    expect(json.stderr).toBe("");
    const widened =
      "now also when Environment is staging; IsProd now means Environment is prod or Environment is staging";
    expect(labels(json.stdout)).toEqual([
      `new TG-IAM-007 ${widened}`,
      "new TG-NET-001 now also where it did not hold (was only when AllowBastion); IsProd now means Environment is prod or Environment is staging",
    ]);
    expect(json.code).toBe(1);
    for (const format of ["text", "markdown", "sarif"]) {
      const { stdout, code } = await diff(prod, prodOrStaging, format);
      expect(stdout).toContain(`widened by this change: ${widened}`);
      expect(code).toBe(1);
    }
  });

  it("calls it new when redefined to hold in every environment", async () => {
    const always =
      "!Or [!Equals [!Ref Environment, prod], !Not [!Equals [!Ref Environment, prod]]]";
    const { code, stdout } = await diff(prod, always);
    expect(labels(stdout).map((line) => line.split(" ").slice(0, 2).join(" "))).toEqual([
      "new TG-IAM-007",
      "new TG-NET-001",
    ]);
    expect(code).toBe(1);
  });

  it("keeps it existing, saying so, when narrowed; existing when written another way", async () => {
    const narrowed = await diff(prodOrStaging, prod);
    expect(labels(narrowed.stdout)).toEqual([
      "existing TG-IAM-007 now only when IsProd; IsProd now means Environment is prod",
      "existing TG-NET-001 now only when AllowBastion; IsProd now means Environment is prod",
    ]);
    expect(narrowed.code).toBe(0);
    const rewritten = await diff(
      prodOrStaging,
      "!Or [!Equals [staging, !Ref Environment], !Equals [!Ref Environment, prod]]",
    );
    expect(labels(rewritten.stdout)).toEqual(["existing TG-IAM-007 -", "existing TG-NET-001 -"]);
    expect(rewritten.code).toBe(0);
  });
});

// A condition whose meaning Tollgate cannot read (over an import, or any condition of a nested
// stack's template) was compared by name alone, so redefined wider it kept what it guards
// existing (review finding 9). Its definition as written is now compared: changed, what it guards
// is new, saying which condition was redefined.
describe("tollgate diff on a condition whose meaning is unknown, redefined under its name", () => {
  const parent = `AWSTemplateFormatVersion: "2010-09-09"
Description: Operations stacks
Parameters:
  Environment:
    Type: String
  BastionEnabled:
    Type: String
Resources:
  Ops:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./bastion.yaml
      Parameters:
        Environment: !Ref Environment
        BastionEnabled: !Ref BastionEnabled
`;
  async function nested(base: string, head: string, format = "json") {
    const files = {
      "base/ops.yaml": parent,
      "base/bastion.yaml": template(base),
      "head/ops.yaml": parent,
      "head/bastion.yaml": template(head),
    };
    return runOnFiles("cfn-conditions-nested", files, (dir) => diffArgs(dir, "--format", format));
  }

  it("calls what a nested stack's condition guards new when it is redefined, in every format", async () => {
    const json = await nested(prod, prodOrStaging);
    expect(json.stderr).toBe("");
    expect(labels(json.stdout)).toEqual([
      "new TG-IAM-007 now when Ops.IsProd; Ops.IsProd redefined",
      "new TG-NET-001 now when Ops.AllowBastion; Ops.AllowBastion redefined",
    ]);
    expect(json.code).toBe(1);
    for (const format of ["text", "markdown", "sarif"]) {
      const { stdout, code } = await nested(prod, prodOrStaging, format);
      expect(stdout).toContain("widened by this change: now when Ops.IsProd; Ops.IsProd redefined");
      expect(code).toBe(1);
    }
    const same = await nested(prod, prod);
    expect(labels(same.stdout)).toEqual(["existing TG-IAM-007 -", "existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });

  // Compared as text, operands swapped read as a redefinition (session 22).
  it("keeps it existing when only the operands of Equals, And or Or are in another order", async () => {
    for (const [base, head] of [
      [prod, "!Equals [prod, !Ref Environment]"],
      [
        prodOrStaging,
        "!Or [!Equals [staging, !Ref Environment], !Equals [!Ref Environment, prod]]",
      ],
    ] as const) {
      const swapped = await nested(base, head);
      expect(swapped.stderr).toBe("");
      expect(labels(swapped.stdout)).toEqual(["existing TG-IAM-007 -", "existing TG-NET-001 -"]);
      expect(swapped.code).toBe(0);
    }
    const moved = await nested(prod, "!Equals [staging, !Ref Environment]");
    expect(labels(moved.stdout)).toEqual([
      "new TG-IAM-007 now when Ops.IsProd; Ops.IsProd redefined",
      "new TG-NET-001 now when Ops.AllowBastion; Ops.AllowBastion redefined",
    ]);
    expect(moved.code).toBe(1);
  });
});

// A head finding with no base finding of its identity is existing when a base finding of another
// rule (or its own, wider) already held its exposure. That base finding's conditions known only
// as written were compared by name there, so narrowing all ports to SSH while widening `IsProd`
// read existing. Such a finding is now new, as a finding matched by identity would be.
// A condition over a pseudo parameter no setting gives a value (`AWS::Region`) was compared as
// written, so any rewrite was new. It is read by what it means as a parameter with no value is,
// over any value: wider is new, narrower existing, the same meaning written another way existing.
describe("tollgate diff on a condition over a pseudo parameter, redefined under its name", () => {
  const usEast = '!Equals [!Ref "AWS::Region", us-east-1]';

  it("calls what it guards new when it holds in more regions", async () => {
    const notEuWest = '!Not [!Equals [!Ref "AWS::Region", eu-west-1]]';
    const means = "IsProd now means not AWS::Region is eu-west-1";
    const { code, stdout } = await diff(usEast, notEuWest);
    expect(labels(stdout)).toEqual([
      `new TG-IAM-007 now also when AWS::Region is another value; ${means}`,
      `new TG-NET-001 now also where it did not hold (was only when AllowBastion); ${means}`,
    ]);
    expect(code).toBe(1);
    const same = await diff(usEast, usEast);
    expect(labels(same.stdout)).toEqual(["existing TG-IAM-007 -", "existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });

  it("keeps it existing when written another way, or narrowed, saying so", async () => {
    const swapped = await diff(usEast, '!Equals [us-east-1, !Ref "AWS::Region"]');
    expect(labels(swapped.stdout)).toEqual(["existing TG-IAM-007 -", "existing TG-NET-001 -"]);
    expect(swapped.code).toBe(0);
    const twoRegions = `!Or [${usEast}, !Equals [!Ref "AWS::Region", eu-west-1]]`;
    const narrowed = await diff(twoRegions, usEast);
    const means = "IsProd now means AWS::Region is us-east-1";
    expect(labels(narrowed.stdout)).toEqual([
      `existing TG-IAM-007 now only when IsProd; ${means}`,
      `existing TG-NET-001 now only when AllowBastion; ${means}`,
    ]);
    expect(narrowed.code).toBe(0);
  });
});

describe("tollgate diff on a finding a base finding covers, under a condition rewritten", () => {
  /** A group open to the internet on `ports` when `IsProd`, defined as `isProd` says. */
  const opened = (isProd: string, ports: string) => `AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: ${isProd}
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: vpc-0a1b2c3d
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
      SecurityGroupIngress:
        - !If
          - IsProd
          - IpProtocol: tcp
            ${ports}
            CidrIp: 0.0.0.0/0
          - !Ref AWS::NoValue
`;
  const allPorts = "FromPort: 0\n            ToPort: 65535";
  const ssh = "FromPort: 22\n            ToPort: 22";
  const imported = "!Equals [!ImportValue SharedEnv, prod]";
  async function narrowed(baseIsProd: string, headIsProd: string) {
    const files = {
      "base/web.yaml": opened(baseIsProd, allPorts),
      "head/web.yaml": opened(headIsProd, ssh),
    };
    return runOnFiles("cfn-conditions-covered", files, (dir) => diffArgs(dir, "--format", "json"));
  }

  it("calls it new when the covering finding's condition is rewritten", async () => {
    const widened = await narrowed(imported, "!Not [!Equals [!ImportValue SharedEnv, dev]]");
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      "new TG-NET-001 now when IsProd; IsProd redefined",
      "fixed TG-NET-005 -",
    ]);
    expect(widened.code).toBe(1);
    const same = await narrowed(imported, imported);
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -", "fixed TG-NET-005 -"]);
    expect(same.code).toBe(0);
  });
});

// A condition reading a mapping through a key no setting gives a value (`!FindInMap [EnvMap,
// !Ref AWS::Region, env]`) has no meaning, so it is compared as written; the mapping it reads was
// not part of that text, so editing the mapping to say prod for more regions kept the group it
// guards existing. The entries a `Fn::FindInMap` may read are now part of the text compared, and
// so is the value of each parameter it reads that has one (a `Default` changed).
// A condition comparing a mapping's entry under a region with a word is read by what it means
// (session 22): the regions whose entry is that word, a region the mapping does not list failing
// the deployment. It was compared as written, so a mapping narrowed read new too.
describe("tollgate diff on a condition reading a mapping whose entries were edited", () => {
  /** SSH open to the internet when `IsProd`, by region through `EnvMap`, with `regions`' envs. */
  const stack = (
    regions: { [region: string]: string },
    amiOfUsEast = "ami-1",
  ) => `AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  EnvMap:
${Object.entries(regions)
  .map(
    ([region, env]) =>
      `    ${region}:\n      env: ${env}\n      ami: ${region === "us-east-1" ? amiOfUsEast : "ami-1"}`,
  )
  .join("\n")}
Conditions:
  IsProd: !Equals [!FindInMap [EnvMap, !Ref "AWS::Region", env], prod]
Resources:
  BastionSG:
    Type: AWS::EC2::SecurityGroup
    Condition: IsProd
    Properties:
      GroupDescription: bastion
      VpcId: vpc-0a1b2c3d
      SecurityGroupEgress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`;
  async function edited(base: string, head: string) {
    const files = { "base/bastion.yaml": base, "head/bastion.yaml": head };
    return runOnFiles("cfn-conditions-mapping", files, (dir) => diffArgs(dir, "--format", "json"));
  }
  const usEastOnly = { "us-east-1": "prod", "eu-west-1": "dev", "ap-south-1": "dev" };

  it("calls what it guards new when the mapping says prod for more regions", async () => {
    const everywhere = { "us-east-1": "prod", "eu-west-1": "prod", "ap-south-1": "prod" };
    const widened = await edited(stack(usEastOnly), stack(everywhere));
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      "new TG-NET-001 now also when AWS::Region is eu-west-1 or AWS::Region is ap-south-1; IsProd now means AWS::Region is us-east-1 or AWS::Region is eu-west-1 or AWS::Region is ap-south-1",
    ]);
    expect(widened.code).toBe(1);
    // A region the base's mapping did not list (its deployments failed) is wider too.
    const added = await edited(stack(usEastOnly), stack({ ...usEastOnly, "sa-east-1": "prod" }));
    expect(labels(added.stdout)).toEqual([
      "new TG-NET-001 now also when AWS::Region is sa-east-1; IsProd now means AWS::Region is us-east-1 or AWS::Region is sa-east-1",
    ]);
    expect(added.code).toBe(1);
  });

  it("keeps it existing, saying so, when the mapping says prod for fewer regions", async () => {
    const twoRegions = { "us-east-1": "prod", "eu-west-1": "prod", "ap-south-1": "dev" };
    for (const fewer of [usEastOnly, { "us-east-1": "prod", "ap-south-1": "dev" }]) {
      const narrowed = await edited(stack(twoRegions), stack(fewer));
      expect(narrowed.stderr).toBe("");
      expect(labels(narrowed.stdout)).toEqual([
        "existing TG-NET-001 now only when IsProd; IsProd now means AWS::Region is us-east-1",
      ]);
      expect(narrowed.code).toBe(0);
    }
  });

  it("calls what it guards new when a parameter's Default it compares with is changed", async () => {
    const compared = (target: string) =>
      stack(usEastOnly)
        .replace(
          "Mappings:",
          `Parameters:\n  Target:\n    Type: String\n    Default: ${target}\nMappings:`,
        )
        .replace(
          'IsProd: !Equals [!FindInMap [EnvMap, !Ref "AWS::Region", env], prod]',
          "IsProd: !Equals [!ImportValue SharedEnv, !Ref Target]",
        );
    const changed = await edited(compared("prod"), compared("dev"));
    expect(changed.stderr).toBe("");
    expect(labels(changed.stdout)).toEqual(["new TG-NET-001 now when IsProd; IsProd redefined"]);
    expect(changed.code).toBe(1);
    const same = await edited(compared("prod"), compared("prod"));
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
  });

  it("keeps it existing when the mapping is unchanged, or only an entry the condition does not read", async () => {
    const same = await edited(stack(usEastOnly), stack(usEastOnly));
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
    const otherEntry = await edited(stack(usEastOnly), stack(usEastOnly, "ami-2"));
    expect(labels(otherEntry.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(otherEntry.code).toBe(0);
  });

  // Compared as text, the same entries in another order read as a redefinition (session 22).
  it("keeps it existing when the regions are only listed in another order", async () => {
    const reordered = { "ap-south-1": "dev", "eu-west-1": "dev", "us-east-1": "prod" };
    const same = await edited(stack(usEastOnly), stack(reordered));
    expect(same.stderr).toBe("");
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
    const widened = await edited(stack(usEastOnly), stack({ ...reordered, "eu-west-1": "prod" }));
    expect(labels(widened.stdout)).toEqual([
      "new TG-NET-001 now also when AWS::Region is eu-west-1; IsProd now means AWS::Region is eu-west-1 or AWS::Region is us-east-1",
    ]);
    expect(widened.code).toBe(1);
  });
});
