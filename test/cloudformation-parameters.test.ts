// CloudFormation parameters beyond their Default, end to end (session 11's r01): each of a
// parameter's AllowedValues may be deployed, so what one of them opens is reported under it and
// flipping the Default fixes nothing; parameter files a user names (--parameter-file, the
// settings' cloudformation.parameter_files) give the values a deployment uses instead.
import { describe, expect, it } from "vitest";
import { diffArgs, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  file: string;
  line: number;
  message: string;
}

async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  const { code, stdout, stderr } = await runOnFiles("cfn-parameters", files, (dir) => [
    ...args(dir),
    "--format",
    "json",
  ]);
  const { findings, errors, warnings } = JSON.parse(stdout) as {
    findings: JsonFinding[];
    errors?: { file: string; code: string }[];
    warnings?: { file: string; line: number; code: string }[];
  };
  // The groups here write no SecurityGroupEgress and keep AWS's default egress (TG-NET-007),
  // which these tests are not about.
  const about = findings.filter((f) => f.rule !== "TG-NET-007");
  return { code, stderr, findings: about, errors: errors ?? [], warnings: warnings ?? [] };
}

/** A template whose Env (AllowedValues dev, prod; Default `env`) picks the SSH source from a mapping. */
const mapped = (env: string, prodCidr: string) => `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: ${env}
Mappings:
  EnvCidrs:
    dev:
      Admin: 10.0.0.0/8
    prod:
      Admin: ${prodCidr}
Resources:
  AdminSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: admin access
      VpcId: vpc-1
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !FindInMap [EnvCidrs, !Ref Env, Admin]
`;

/** A template opening SSH and attaching an admin role only when Env is dev. */
const devOnly = (env: string) => `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: ${env}
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: bastion
      VpcId: vpc-1
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !If [IsDev, 0.0.0.0/0, 10.0.0.0/8]
  DebugRole:
    Type: AWS::IAM::Role
    Condition: IsDev
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ec2.amazonaws.com }
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
`;

// The first run compiles the built-in policies, slow on a loaded machine.
describe("CloudFormation AllowedValues", { timeout: 120_000 }, () => {
  it("reports SSH a non-Default allowed value opens, on the mapping line the pull request changed", async () => {
    const { code, findings } = await run(
      {
        "base/network.yaml": mapped("dev", "10.20.0.0/16"),
        "head/network.yaml": mapped("dev", "0.0.0.0/0"),
      },
      diffArgs,
    );
    expect(code).toBe(1);
    expect(findings.map((f) => [f.status, f.rule, f.line])).toEqual([["new", "TG-NET-001", 12]]);
    expect(findings[0]?.message).toMatch(/Only when Env is prod\.$/);
  });

  it("lists nothing as fixed when the Default moves to another allowed value", async () => {
    const { code, findings } = await run(
      { "base/t.yaml": devOnly("dev"), "head/t.yaml": devOnly("prod") },
      diffArgs,
    );
    expect(code).toBe(0);
    expect(findings.map((f) => [f.status, f.rule, f.message.replace(/.* Only/, "Only")])).toEqual([
      ["existing", "TG-IAM-007", "Only when IsDev."],
      ["existing", "TG-NET-001", "Only when IsDev."],
    ]);
  });
});

/** SSH sources and a policy that read Env (dev, prod) and AdminCidr in the ways templates do. */
const everyDeployment = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  AdminCidr:
    Type: String
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
    Default: 10.0.0.0/8
  Sources:
    Type: CommaDelimitedList
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
    Default: 10.0.0.0/8
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  ProdAdmin:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: !If [IsProd, !Ref AdminCidr, 10.0.0.0/8]
  Listed:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: !Select [0, !Ref Sources]
  Everywhere:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: !If [IsProd, 0.0.0.0/0, !If [IsDev, 0.0.0.0/0, 10.0.0.0/8]]
  Wildcard:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: wildcard
      Roles: [app]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: !Sub "arn:aws:s3:::data-\${Env}/*"
`;

describe(
  "CloudFormation AllowedValues in branches, lists and every deployment",
  { timeout: 120_000 },
  () => {
    it("reports what each deployment opens, and a finding in every one without a condition", async () => {
      const { findings } = await run({ "t.yaml": everyDeployment }, () => ["scan", "t.yaml"]);
      const messages = Object.fromEntries(
        findings.map((f) => [`${f.rule} ${f.message.replace(/^.*?(Only when|$)/, "$1")}`, f.line]),
      );
      expect(messages).toEqual({
        // A parameter read inside an undecided Fn::If's branch: each of its values, in that branch.
        "TG-NET-001 Only when IsProd and AdminCidr is 0.0.0.0/0.": 26,
        // A list parameter's AllowedValues are what each of its items may be.
        "TG-NET-001 Only when Sources is 0.0.0.0/0.": 34,
        // IsProd or (IsDev and not IsProd) is every deployment when Env is dev or prod.
        "TG-NET-001 ": 42,
        // The same finding under Env is dev and under Env is prod.
        "TG-IAM-001 ": 51,
      });
    });
  },
);

describe("CloudFormation AllowedValues passed to a nested stack", { timeout: 120_000 }, () => {
  const parent = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
Resources:
  Net:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/network.yaml
      Parameters:
        Env: !Ref Env
`;
  const child = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: !If [IsProd, 0.0.0.0/0, 10.0.0.0/8]
  Tagged:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 3389
      ToPort: 3389
      CidrIp: !FindInMap [Cidrs, !Ref Env, Rdp]
Mappings:
  Cidrs:
    dev: { Rdp: 0.0.0.0/0 }
    prod: { Rdp: 10.0.0.0/8 }
`;

  it("reports what the child opens in each of the parent's deployments, not only the Default's", async () => {
    const { findings } = await run({ "stack.yaml": parent, "nested/network.yaml": child }, () => [
      "scan",
      ".",
    ]);
    expect(
      findings.map((f) => [f.rule, f.file, f.line, f.message.replace(/^.*?(Only when|$)/, "$1")]),
    ).toEqual([
      // The mapping entry dev reads: the parent's Default, yet only one of its deployments.
      ["TG-NET-002", "nested/network.yaml", 23, "Only when Env is dev."],
      ["TG-NET-001", "nested/network.yaml", 15, "Only when Net.IsProd."],
    ]);
  });
});

describe(
  "CloudFormation AllowedValues of a nested stack's own parameters",
  { timeout: 120_000 },
  () => {
    const parent = (passed: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Net:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/network.yaml
${passed}`;
    const child = (declaration: string) => `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminCidr:
    Type: String
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
${declaration}Resources:
  Bastion:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: !Ref AdminCidr
`;

    it("takes the Default of one the parent does not pass, as AWS does, not each allowed value", async () => {
      const files = {
        "stack.yaml": parent(""),
        "nested/network.yaml": child("    Default: 10.0.0.0/8\n"),
      };
      const { findings, errors } = await run(files, () => ["scan", "."]);
      expect(errors).toEqual([]);
      expect(findings).toEqual([]);
      // Deployed alone, whoever deploys it may choose 0.0.0.0/0.
      const alone = await run({ "network.yaml": files["nested/network.yaml"] }, () => [
        "scan",
        ".",
      ]);
      expect(alone.findings.map((f) => [f.rule, f.line])).toEqual([["TG-NET-001", 15]]);
    });

    it("warns at the parent's stack that one without a Default, not passed, fails the stack", async () => {
      const { findings, errors, warnings } = await run(
        { "stack.yaml": parent(""), "nested/network.yaml": child("") },
        () => ["scan", "."],
      );
      expect(errors).toEqual([]);
      expect(warnings).toEqual([
        expect.objectContaining({ file: "stack.yaml", line: 3, code: "cfn-missing-parameter" }),
      ]);
      expect(findings).toEqual([]);
    });
  },
);

describe("CloudFormation parameter files", { timeout: 120_000 }, () => {
  const files = {
    "network.yaml": mapped("dev", "0.0.0.0/0"),
    "params/prod.json": '[{ "ParameterKey": "Env", "ParameterValue": "prod" }]\n',
    "params/dev.json": '{ "Parameters": { "Env": "dev" } }\n',
  };

  it("evaluates every template with --parameter-file's values, the only ones", async () => {
    const prod = await run(files, () => [
      "scan",
      "network.yaml",
      "--parameter-file",
      "params/prod.json",
    ]);
    expect(prod.findings.map((f) => [f.rule, f.message.includes("Only when")])).toEqual([
      ["TG-NET-001", false],
    ]);
    const dev = await run(files, () => ["scan", ".", "--parameter-file", "./params/dev.json"]);
    expect(dev.findings).toEqual([]);
  });

  it("reads the settings' files by template, and reports one that is missing", async () => {
    const settings = (paths: string) =>
      `cloudformation:\n  parameter_files:\n    network.yaml: ${paths}\n`;
    const given = await run({ ...files, "tollgate.yml": settings("[params/prod.json]") }, () => [
      "scan",
      ".",
      "--config",
      "tollgate.yml",
    ]);
    expect(given.findings.map((f) => [f.rule, f.message.includes("Only when")])).toEqual([
      ["TG-NET-001", false],
    ]);
    const missing = await run({ ...files, "tollgate.yml": settings("[params/qa.json]") }, () => [
      "scan",
      ".",
      "--config",
      "tollgate.yml",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.errors.map((e) => [e.file, e.code])).toEqual([
      ["params/qa.json", "cfn-missing-parameter-file"],
    ]);
  });
});
