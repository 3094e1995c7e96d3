import { describe, expect, it } from "vitest";
import type { LoadError, Resource, Value } from "../../model/types.js";
import { loadCloudFormation } from "./index.js";

function load(
  text: string,
  parameters?: Record<string, Value>,
): { resources: Resource[]; errors: string[] } {
  const model = loadCloudFormation(
    { path: "template.yaml", text },
    parameters ? { parameters } : {},
  );
  return {
    resources: model.resources,
    errors: model.errors
      .filter(aboutValues)
      .map((error) => `${error.file}:${error.line}:${error.column}: ${error.code}`),
  };
}

/** The fixtures here are about values, not about the properties AWS requires (required.test.ts). */
function aboutValues(error: LoadError): boolean {
  return error.code !== "cfn-required-property";
}

function config(text: string, parameters?: Record<string, Value>): Record<string, Value> {
  const { resources, errors } = load(text, parameters);
  expect(errors).toEqual([]);
  return (resources.find((resource) => resource.name === "Subject") ?? resources[0])?.config ?? {};
}

const header = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  Subnets:
    Type: CommaDelimitedList
    Default: "a, b,c"
  Secret:
    Type: String
    NoEcho: true
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami
Mappings:
  Sizes:
    prod: { Instance: m5.large, Disks: [1, 2] }
    dev: { Instance: t3.micro }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  InUsEast: !Equals [!Ref "AWS::Region", us-east-1]
  ProdInUsEast: !And [!Condition IsProd, !Condition InUsEast]
  ProdOrUsEast: !Or [!Condition IsProd, !Condition InUsEast]
Resources:
  Logs:
    Type: AWS::S3::Bucket
`;

function withResource(body: string): string {
  return `${header}  Subject:\n${body}`;
}

describe("short-form intrinsics", () => {
  it("evaluates every tag that the template alone decides", () => {
    const value = config(
      withResource(`    Type: AWS::EC2::Instance
    Properties:
      Size: !FindInMap [Sizes, !Ref Env, Instance]
      Disks: !FindInMap [Sizes, prod, Disks]
      Name: !Join ["-", [app, !Ref Env, 3]]
      First: !Select [1, !Split [",", "x,y,z"]]
      SubnetList: !Ref Subnets
      Second: !Select ["0", !Ref Subnets]
      Data: !Base64 "hi"
      Blocks: !Cidr ["10.0.0.0/16", 3, 8]
      Flag: !If [IsProd, on, off]
      NotDev: !Condition IsDev
      Count: !Length [a, b]
      Json: !ToJsonString { a: 1 }
`),
    );
    expect(config(withResource("    Type: AWS::SNS::Topic\n"))).toEqual({});
    expect(value).toEqual({
      Size: "m5.large",
      Disks: [1, 2],
      Name: "app-prod-3",
      First: "y",
      SubnetList: ["a", "b", "c"],
      Second: "a",
      Data: "aGk=",
      Blocks: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
      // Plain `on` is YAML 1.1's true, as CloudFormation reads it.
      Flag: true,
      NotDev: { Condition: "IsDev" },
      Count: 2,
      Json: '{"a":1}',
    });
  });

  it("reads a policy document written as Fn::ToJsonString as that document, unknown parts alone unknown", () => {
    const { resources, errors } = load(
      withResource(`    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs
      PolicyDocument: !ToJsonString
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "\${Logs.Arn}/*"
      Tags: !ToJsonString { Owner: !Ref Logs }
`),
    );
    expect(errors).toEqual([]);
    const subject = resources.find((resource) => resource.name === "Subject");
    expect(subject?.config).toEqual({
      Bucket: { $unknown: "!Ref Logs" },
      PolicyDocument: {
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: { $unknown: "!Sub ${Logs.Arn}/*" },
          },
        ],
      },
      // Not a policy document: JSON text with an unknown part is unknown.
      Tags: { $unknown: "!ToJsonString {Owner: !Ref Logs}" },
    });
    expect(subject?.locations?.["/PolicyDocument/Statement/0/Principal"]?.line).toBe(35);
  });

  it("leaves what only a stack knows unknown, named by its expression", () => {
    const { resources, errors } = load(
      withResource(`    Type: AWS::EC2::Instance
    Properties:
      Bucket: !Ref Logs
      Arn: !GetAtt Logs.Arn
      ListArn: !GetAtt [Logs, Arn]
      Region: !Ref AWS::Region
      Zone: !Select [0, !GetAZs ""]
      Imported: !ImportValue shared-vpc
      Macro: !Transform { Name: AWS::Include, Parameters: { Location: s3://x } }
      Password: !Ref Secret
      Image: !Ref Ami
      Flag: !If [InUsEast, a, b]
      Both: !If [ProdInUsEast, a, b]
      Either: !If [ProdOrUsEast, a, b]
`),
    );
    // A macro's output is not read: never silently (test/cloudformation-include.test.ts).
    expect(errors).toEqual(["template.yaml:37:14: cfn-macro-unread"]);
    const value = resources.find((resource) => resource.name === "Subject")?.config;
    expect(value).toEqual({
      Bucket: { $unknown: "!Ref Logs" },
      Arn: { $unknown: "!GetAtt Logs.Arn" },
      ListArn: { $unknown: "!GetAtt Logs.Arn" },
      Region: { $unknown: "!Ref AWS::Region" },
      Zone: { $unknown: '!Select [0, !GetAZs ""]' },
      Imported: { $unknown: "!ImportValue shared-vpc" },
      Macro: { $unknown: "!Transform {Name: AWS::Include, Parameters: {Location: s3://x}}" },
      Password: { $unknown: "!Ref Secret" },
      Image: { $unknown: "!Ref Ami" },
      Flag: { $unknown: "!If [InUsEast, a, b]" },
      Both: { $unknown: "!If [ProdInUsEast, a, b]" },
      Either: "a",
    });
  });

  it("takes parameter and pseudo parameter values from the options", () => {
    const text = withResource(`    Type: AWS::EC2::Instance
    Properties:
      Flag: !If [ProdInUsEast, a, b]
      Name: !Sub "\${AWS::Region}-\${Env}"
`);
    expect(config(text, { "AWS::Region": "us-east-1", Env: "dev" })).toEqual({
      Flag: "b",
      Name: "us-east-1-dev",
    });
    expect(config(text, { "AWS::Region": "us-east-1" })).toEqual({
      Flag: "a",
      Name: "us-east-1-prod",
    });
  });

  it("locates a value a parameter's Default gives at that Default, as a Terraform variable's", () => {
    const text = `Parameters:
  AdminCidr:
    Type: String
    Default: 0.0.0.0/0
  Ports:
    Type: CommaDelimitedList
    Default: "22,3389"
  Given:
    Type: String
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroup
    Properties:
      CidrIp: !Ref AdminCidr
      Ports: !Ref Ports
      Listed:
        - !Ref AdminCidr
        - !Ref Given
      Joined: !Sub "\${AdminCidr}"
`;
    const subject = load(text).resources[0];
    // A PR that only changes a Default changes that line, where the finding then is.
    expect(subject?.locations["/CidrIp"]?.line).toBe(4);
    expect(subject?.locations["/Ports"]?.line).toBe(7);
    expect(subject?.locations["/Ports/1"]?.line ?? subject?.locations["/Ports"]?.line).toBe(7);
    expect(subject?.locations["/Listed/0"]?.line).toBe(4);
    // Without a default (or under another intrinsic) the value is where the property writes it.
    expect(subject?.locations["/Listed/1"]?.line).toBe(18);
    expect(subject?.locations["/Joined"]?.line).toBe(19);
    expect(load(text, { AdminCidr: "10.0.0.0/8" }).resources[0]?.locations["/CidrIp"]?.line).toBe(
      14,
    );
    // Where the resource reads such a value, for an inline waiver there.
    expect(subject?.readAt?.["/CidrIp"]?.line).toBe(14);
    expect(subject?.readAt?.["/Listed/0"]?.line).toBe(17);
    expect(Object.keys(subject?.readAt ?? {}).sort()).toEqual(["/CidrIp", "/Listed/0", "/Ports"]);
    expect(load(text, { AdminCidr: "10.0.0.0/8" }).resources[0]?.readAt?.["/CidrIp"]).toBe(
      undefined,
    );
  });

  it("locates a !Ref to a parameter a decided Fn::If chose at its Default, as a plain !Ref, the condition in readFrom", () => {
    const text = `Parameters:
  AdminCidr:
    Type: String
    Default: 0.0.0.0/0
  Open:
    Type: String
    Default: "yes"
  Given:
    Type: String
Conditions:
  IsOpen: !Equals [!Ref Open, "yes"]
  IsClosed: !Not [!Condition IsOpen]
  Undecided: !Equals [!Ref Given, "x"]
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroup
    Properties:
      CidrIp: !If [IsOpen, !Ref AdminCidr, 10.0.0.0/8]
      Nested: !If [IsOpen, !If [IsClosed, 10.0.0.0/8, !Ref AdminCidr], 10.0.0.0/8]
      Literal: !If [IsClosed, !Ref AdminCidr, 10.0.0.0/8]
      Maybe: !If [Undecided, !Ref AdminCidr, !Ref AdminCidr]
      Listed:
        - !If [IsOpen, !Ref AdminCidr, !Ref AWS::NoValue]
`;
    const lines = (places?: { line: number }[]) => places?.map((place) => place.line);
    const subject = load(text).resources[0];
    expect(subject?.config).toMatchObject({ CidrIp: "0.0.0.0/0", Nested: "0.0.0.0/0" });
    // Where the value is written: the Default, as for \`CidrIp: !Ref AdminCidr\`.
    expect(subject?.locations["/CidrIp"]?.line).toBe(4);
    expect(subject?.locations["/Nested"]?.line).toBe(4);
    expect(subject?.locations["/Listed/0"]?.line).toBe(4);
    // Where the resource reads it, for an inline waiver there.
    expect(subject?.readAt?.["/CidrIp"]?.line).toBe(18);
    expect(subject?.readAt?.["/Nested"]?.line).toBe(19);
    expect(subject?.readAt?.["/Listed/0"]?.line).toBe(23);
    // What chose the branch: IsOpen (line 11) and Open's Default (7); IsClosed (12) names IsOpen.
    expect(lines(subject?.readFrom?.["/CidrIp"])).toEqual([11, 7]);
    expect(lines(subject?.readFrom?.["/Nested"])).toEqual([12, 11, 7]);
    // A literal branch, or an undecided Fn::If, is where the property writes it.
    expect(subject?.locations["/Literal"]?.line).toBe(20);
    expect(subject?.locations["/Maybe"]?.line).toBe(21);
    expect(Object.keys(subject?.readAt ?? {}).sort()).toEqual(["/CidrIp", "/Listed/0", "/Nested"]);
    // A value the options give was never read from the Default: the branch stays the reader.
    const given = load(text, { AdminCidr: "10.0.0.0/8" }).resources[0];
    expect(given?.locations["/CidrIp"]?.line).toBe(18);
    expect(given?.readAt).toBeUndefined();
    expect(lines(given?.readFrom?.["/CidrIp"])).toEqual([11, 7]);
  });

  it("records where a resource's decided Condition is written, the conditions it names and the parameter Defaults they read", () => {
    const text = `Parameters:
  BreakGlass:
    Type: String
    Default: "true"
  Env:
    Type: String
    Default: prod
  Given:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Open: !And [!Condition IsProd, !Equals [!Ref BreakGlass, "true"]]
  Undecided: !Equals [!Ref Given, "yes"]
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: Open
    Properties:
      CidrIp: 0.0.0.0/0
  Maybe:
    Type: AWS::EC2::SecurityGroupIngress
    Condition: Undecided
    Properties:
      CidrIp: 0.0.0.0/0
`;
    const lines = (resource?: Resource) =>
      Object.fromEntries(
        Object.entries(resource?.readFrom ?? {}).map(([by, read]) => [by, read.map((r) => r.line)]),
      );
    const { resources } = load(text);
    // Open (line 12), IsProd it names (11) and the Defaults they read: Env's, BreakGlass's.
    expect(lines(resources.find((r) => r.name === "Subject"))).toEqual({
      Condition: [12, 11, 7, 4],
    });
    // An undecided Condition is in `conditional`; a Default the options override is not read.
    expect(lines(resources.find((r) => r.name === "Maybe"))).toEqual({});
    const given = load(text, { Env: "prod" }).resources.find((r) => r.name === "Subject");
    expect(lines(given)).toEqual({ Condition: [12, 11, 4] });
  });

  it("records, for each value a decided Fn::If or a Fn::FindInMap chose, where what chose it is written", () => {
    const text = `Parameters:
  Open:
    Type: String
    Default: "yes"
  Env:
    Type: String
    Default: prod
  Given:
    Type: String
Mappings:
  Cidrs:
    prod:
      Admin: 0.0.0.0/0
    dev:
      Admin: 10.0.0.0/8
Conditions:
  IsOpen: !Equals [!Ref Open, "yes"]
  IsProd: !Equals [!Ref Env, prod]
  OpenProd: !And [!Condition IsOpen, !Condition IsProd]
  Undecided: !Equals [!Ref Given, "x"]
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Join ["-", [!If [IsProd, prod, dev], group]]
      SecurityGroupIngress:
        - !If [OpenProd, { IpProtocol: tcp, CidrIp: 0.0.0.0/0 }, !Ref AWS::NoValue]
        - IpProtocol: tcp
          CidrIp: !FindInMap [Cidrs, !Ref Env, Admin]
        - !If [Undecided, !If [IsOpen, { CidrIp: 1.0.0.0/8 }, !Ref AWS::NoValue], { CidrIp: 2.0.0.0/8 }]
        - CidrIp: 3.0.0.0/8
      Tags: !If [IsOpen, !Ref AWS::NoValue, [{ Key: a, Value: b }]]
`;
    const lines = (resource?: Resource) =>
      Object.fromEntries(
        Object.entries(resource?.readFrom ?? {}).map(([by, read]) => [by, read.map((r) => r.line)]),
      );
    const { resources, errors } = load(text);
    expect(errors).toEqual([]);
    expect(lines(resources[0])).toEqual({
      // Inside an intrinsic's arguments: the property holding it.
      "/GroupDescription": [18, 7],
      // A condition's definition, those it names, the Defaults they read.
      "/SecurityGroupIngress/0": [19, 17, 4, 18, 7],
      // The mapping entry, and the Default that chose its top-level key.
      "/SecurityGroupIngress/1/CidrIp": [13, 7],
      // IsOpen, decided inside Undecided's true branch, chose only that branch's item.
      "/SecurityGroupIngress/2": [17, 4],
      // A property a decided Fn::If removes still records it, for a finding on its absence.
      "/Tags": [17, 4],
    });
    // A value the options give was never read from a Default.
    // An item a decided Fn::If removes leaves its pointer to the next: the list records it.
    const given = load(text, { Env: "dev", Open: "no" }).resources[0];
    expect(lines(given)).toEqual({
      "/GroupDescription": [18],
      "/SecurityGroupIngress": [19, 17, 18],
      "/SecurityGroupIngress/0/CidrIp": [15],
      "/Tags": [17],
    });
  });

  it("records a decided Fn::If inside a branch of an undecided one whose values differ under that branch's conditions", () => {
    const text = `Parameters:
  Strict:
    Type: String
    Default: "no"
  Given:
    Type: String
Conditions:
  IsStrict: !Equals [!Ref Strict, "yes"]
  Undecided: !Equals [!Ref Given, "x"]
  Inner: !Equals [!Ref Given, "y"]
Resources:
  Subject:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: !If
          - Undecided
          - HttpTokens: !If [IsStrict, required, optional]
            HttpEndpoint: enabled
          - HttpTokens: required
        Nested: !If
          - Undecided
          - !If [Inner, { Tokens: !If [IsStrict, a, b] }, { Tokens: c }]
          - { Tokens: d }
`;
    const { resources, errors } = load(text);
    expect(errors).toEqual([]);
    const places = (pointer: string) =>
      resources[0]?.readFrom?.[pointer]?.map((place) => [place.line, place.when]);
    // IsStrict (line 8) and Strict's Default (4) chose HttpTokens only when Undecided.
    expect(places("/LaunchTemplateData/MetadataOptions/HttpTokens")).toEqual([
      [8, ["Undecided"]],
      [4, ["Undecided"]],
    ]);
    // Nested undecided ones: their conditions conjoined, outermost first.
    expect(places("/LaunchTemplateData/Nested/Tokens")).toEqual([
      [8, ["Undecided", "Inner"]],
      [4, ["Undecided", "Inner"]],
    ]);
  });

  it("reads a Fn::FindInMap with an undecided key as the mapping entries it may return, each under its key", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tier:
    Type: String
Mappings:
  RegionMap:
    us-east-1: { AdminCidr: 10.0.0.0/8, Port: 22 }
    eu-west-1: { AdminCidr: 0.0.0.0/0, Port: 22 }
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: !FindInMap [RegionMap, !Ref "AWS::Region", AdminCidr]
      FromPort: !FindInMap [RegionMap, !Ref Tier, Port]
      Name: !Join ["-", [!FindInMap [RegionMap, !Ref Tier, AdminCidr]]]
      Fallback: !FindInMap [RegionMap, !Ref Tier, Missing, { DefaultValue: none }]
`);
    expect(errors).toEqual([]);
    const [subject] = resources;
    expect(subject?.config).toEqual({
      CidrIp: { $unknown: "!FindInMap [RegionMap, !Ref AWS::Region, AdminCidr]" },
      // Every entry holds 22.
      FromPort: 22,
      // Not the whole value at its position: one unknown.
      Name: { $unknown: '!Join ["-", [!FindInMap [RegionMap, !Ref Tier, AdminCidr]]]' },
      // No entry has the key: only the DefaultValue is left.
      Fallback: "none",
    });
    expect(subject?.alternatives).toEqual({
      "/CidrIp": [
        { condition: "AWS::Region is us-east-1", value: "10.0.0.0/8" },
        { condition: "AWS::Region is eu-west-1", value: "0.0.0.0/0" },
      ],
    });
    expect(subject?.readFrom?.["/CidrIp"]?.map((place) => [place.line, place.when])).toEqual([
      [7, ["AWS::Region is us-east-1"]],
      [8, ["AWS::Region is eu-west-1"]],
    ]);
    expect(subject?.readFrom?.["/FromPort"]?.map((place) => place.line)).toEqual([7, 8]);
  });

  it("spells out each AllowedValues value a value or a condition reads, the Default the value of record", () => {
    const text = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Tier:
    Type: String
    AllowedValues: [web, db]
Mappings:
  EnvCidrs:
    dev: { Admin: 10.0.0.0/8, Port: 22 }
    prod: { Admin: 0.0.0.0/0, Port: 22 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsStaging: !Equals [!Ref Env, staging]
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: !FindInMap [EnvCidrs, !Ref Env, Admin]
      FromPort: !FindInMap [EnvCidrs, !Ref Env, Port]
      Description: !Sub "\${Env}-\${Tier}"
      ToPort: !If [IsProd, 443, 22]
      Staging: !If [IsStaging, staged, direct]
  Debug:
    Type: AWS::IAM::User
    Condition: IsProd
`;
    const { resources, errors } = load(text);
    expect(errors).toEqual([]);
    const [subject, debug] = resources;
    expect(subject?.config).toEqual({
      // The Default's entry is the value of record.
      CidrIp: "10.0.0.0/8",
      // Every allowed value gives 22.
      FromPort: 22,
      // Tier has no Default.
      Description: { $unknown: "!Sub ${Env}-${Tier}" },
      ToPort: { $unknown: "!If [IsProd, 443, 22]" },
      // staging is not an allowed value: IsStaging is false in every deployment.
      Staging: "direct",
    });
    expect(subject?.alternatives?.["/CidrIp"]).toEqual([
      { condition: "Env is dev", value: "10.0.0.0/8" },
      { condition: "Env is prod", value: "0.0.0.0/0" },
    ]);
    expect(subject?.alternatives?.["/Description"]?.map((one) => one.condition)).toEqual([
      "Env is dev and Tier is web",
      "Env is dev and Tier is db",
      "Env is prod and Tier is web",
      "Env is prod and Tier is db",
    ]);
    expect(subject?.alternatives?.["/ToPort"]).toEqual([
      { condition: "IsProd", value: 443 },
      { condition: "not IsProd", value: 22 },
    ]);
    // Each mapping entry decides the value under its own value of Env (the Default's line, 6,
    // decides only the value of record).
    expect(subject?.readFrom?.["/CidrIp"]?.map((place) => [place.line, place.when])).toEqual([
      [12, undefined],
      [6, undefined],
      [12, ["Env is dev"]],
      [13, ["Env is prod"]],
    ]);
    expect(debug?.conditional).toEqual({ "": "IsProd" });

    // A value given for the parameter is the only one.
    const given = load(text, { Env: "prod", Tier: "web" });
    expect(given.resources[0]?.config).toMatchObject({
      CidrIp: "0.0.0.0/0",
      Description: "prod-web",
      ToPort: 443,
    });
    expect(given.resources[0]?.alternatives).toBeUndefined();
    expect(given.resources[1]?.conditional).toBeUndefined();
  });

  it("spells out AllowedValues inside an undecided Fn::If's branch, none contradicting it", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  AdminCidr:
    Type: String
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
    Default: 10.0.0.0/8
Mappings:
  EnvCidrs:
    dev: { Admin: 10.1.0.0/16 }
    prod: { Admin: 0.0.0.0/0 }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  Open: !Equals [!Ref AdminCidr, 0.0.0.0/0]
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: !If [IsProd, !Ref AdminCidr, 10.0.0.0/8]
      CidrIpv6: !If [IsProd, !FindInMap [EnvCidrs, !Ref Env, Admin], "::1/128"]
      Rules:
        - !If [IsProd, { Cidr: !Ref AdminCidr }, !Ref AWS::NoValue]
`);
    expect(errors).toEqual([]);
    const [subject] = resources;
    expect(subject?.config.CidrIp).toEqual({
      $unknown: '!If [IsProd, !Ref AdminCidr, "10.0.0.0/8"]',
    });
    expect(subject?.alternatives?.["/CidrIp"]).toEqual([
      { condition: "IsProd and AdminCidr is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "IsProd and AdminCidr is 0.0.0.0/0", value: "0.0.0.0/0" },
      { condition: "not IsProd", value: "10.0.0.0/8" },
    ]);
    // Env is dev contradicts IsProd: no deployment reads the dev entry in that branch.
    expect(subject?.alternatives?.["/CidrIpv6"]).toEqual([
      { condition: "IsProd and Env is prod", value: "0.0.0.0/0" },
      { condition: "not IsProd", value: "::1/128" },
    ]);
    expect(subject?.conditional).toEqual({ "/Rules/0": "IsProd" });
    expect(subject?.alternatives?.["/Rules/0/Cidr"]).toEqual([
      { condition: "AdminCidr is 10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "AdminCidr is 0.0.0.0/0", value: "0.0.0.0/0" },
    ]);
    // What those texts mean, for findings to tell when they hold in every deployment.
    expect(subject?.choices).toEqual({
      parameters: { Env: ["dev", "prod"], AdminCidr: ["10.0.0.0/8", "0.0.0.0/0"] },
      conditions: {
        IsProd: "Env is prod",
        IsDev: "Env is dev",
        Open: "AdminCidr is 0.0.0.0/0",
      },
    });
  });

  it("spells out a list parameter's AllowedValues as the values each item may take", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Cidrs:
    Type: CommaDelimitedList
    AllowedValues: [10.0.0.0/8, 0.0.0.0/0]
    Default: 10.0.0.0/8,10.0.0.0/8
Resources:
  Subject:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: !Select [1, !Ref Cidrs]
      Sources: !Ref Cidrs
`);
    expect(errors).toEqual([]);
    const [subject] = resources;
    expect(subject?.config).toEqual({
      CidrIp: "10.0.0.0/8",
      Sources: ["10.0.0.0/8", "10.0.0.0/8"],
    });
    expect(subject?.alternatives?.["/CidrIp"]).toEqual([
      { condition: "Cidrs is 10.0.0.0/8,10.0.0.0/8", value: "10.0.0.0/8" },
      { condition: "Cidrs is 0.0.0.0/0,0.0.0.0/0", value: "0.0.0.0/0" },
    ]);
    // A list may hold several of its values: it is not one of them in every deployment.
    expect(subject?.choices).toBeUndefined();
  });

  it("leaves a dynamic reference unknown, named by it, and in a !Sub policy only its string", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Subject:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      CidrIp: "{{resolve:ssm:/network/admin-cidr}}"
      Password: "{{resolve:secretsmanager:db:SecretString:password}}"
      Secure: "prefix-{{resolve:ssm-secure:/db/pass:3}}"
      Plain: "{{not a reference}}"
      Name: !Sub "\${AWS::StackName}-{{resolve:ssm:/name}}"
      PolicyDocument: !Sub |
        {"Statement": [{"Effect": "Allow", "Action": "{{resolve:ssm:/iam/action}}",
          "Resource": "arn:aws:s3:::b/*"}]}
`);
    expect(errors).toEqual([]);
    expect(resources[0]?.config).toEqual({
      CidrIp: { $unknown: "{{resolve:ssm:/network/admin-cidr}}" },
      Password: { $unknown: "{{resolve:secretsmanager:db:SecretString:password}}" },
      Secure: { $unknown: "prefix-{{resolve:ssm-secure:/db/pass:3}}" },
      Plain: "{{not a reference}}",
      Name: { $unknown: "!Sub ${AWS::StackName}-{{resolve:ssm:/name}}" },
      PolicyDocument: {
        Statement: [
          {
            Effect: "Allow",
            Action: { $unknown: "{{resolve:ssm:/iam/action}}" },
            Resource: "arn:aws:s3:::b/*",
          },
        ],
      },
    });
  });

  it("removes AWS::NoValue properties and list items, keeping pointers on the items left", () => {
    const { resources } = load(
      withResource(`    Type: AWS::EC2::SecurityGroup
    Properties:
      Description: !If [IsProd, !Ref AWS::NoValue, dev group]
      Rules:
        - !If [IsProd, !Ref "AWS::NoValue", { Port: 80 }]
        - Port: 22
`),
    );
    const subject = resources.find((resource) => resource.name === "Subject");
    expect(subject?.config).toEqual({ Rules: [{ Port: 22 }] });
    expect(subject?.locations["/Rules/0/Port"]?.line).toBe(34);
    expect(subject?.locations["/Description"]).toBeUndefined();
  });

  it("accepts the long JSON forms", () => {
    const text = JSON.stringify(
      {
        Parameters: { Env: { Type: "String", Default: "prod" } },
        Conditions: { IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] } },
        Resources: {
          Logs: { Type: "AWS::S3::Bucket" },
          Subject: {
            Type: "AWS::S3::BucketPolicy",
            Properties: {
              Bucket: { Ref: "Logs" },
              Arn: { "Fn::GetAtt": ["Logs", "Arn"] },
              Name: {
                "Fn::Sub": ["${Prefix}-${Env}", { Prefix: { "Fn::If": ["IsProd", "p", "d"] } }],
              },
            },
          },
        },
      },
      null,
      2,
    );
    const { resources, errors } = loadCloudFormation({ path: "template.json", text });
    expect(errors.filter(aboutValues)).toEqual([]);
    const subject = resources.find((resource) => resource.name === "Subject");
    expect(subject?.config).toEqual({
      Bucket: { $unknown: "!Ref Logs" },
      Arn: { $unknown: "!GetAtt Logs.Arn" },
      Name: "p-prod",
    });
    expect(subject?.references).toEqual(["Logs"]);
    expect(subject?.locations["/Name"]?.line).toBe(34);
  });
});

describe("Fn::Sub", () => {
  it("substitutes what is known and leaves the whole string unknown otherwise", () => {
    const value = config(
      withResource(`    Type: AWS::SNS::Topic
    DependsOn: [Logs]
    Properties:
      Known: !Sub "\${Env}-topic"
      Literal: !Sub "\${!NotAVariable}-\${Env}"
      WithAccount: !Sub "arn:aws:sns:\${AWS::Region}:\${AWS::AccountId}:\${Env}"
      WithResource: !Sub "\${Logs.Arn}/*"
      ListForm: !Sub
        - "\${Name}-\${Env}"
        - Name: !FindInMap [Sizes, dev, Instance]
      PartlyBound: !Sub
        - "arn:\${AWS::Partition}:s3:::\${Bucket}/\${Key}"
        - Bucket: "*"
          Key: !Ref Logs
`),
    );
    expect(value).toEqual({
      Known: "prod-topic",
      Literal: "${NotAVariable}-prod",
      WithAccount: { $unknown: "!Sub arn:aws:sns:${AWS::Region}:${AWS::AccountId}:${Env}" },
      WithResource: { $unknown: "!Sub ${Logs.Arn}/*" },
      ListForm: "t3.micro-prod",
      // Its own map's known values are written in; what stays unknown keeps its name.
      PartlyBound: { $unknown: "!Sub arn:${AWS::Partition}:s3:::*/${Key}" },
    });
    expect(
      load(withResource(`    Type: AWS::SNS::Topic\n    DependsOn: Logs\n`)).resources[1]
        ?.references,
    ).toEqual(["Logs"]);
    const dependsOnList = `    Type: AWS::SNS::Topic\n    DependsOn: [Logs, Elsewhere]\n`;
    expect(load(withResource(dependsOnList)).resources[1]?.references).toEqual(["Logs"]);
  });
});

describe("conditions", () => {
  it("omits a resource whose condition is false and keeps one the template cannot decide", () => {
    const text = `${header}  ProdOnly:\n    Type: AWS::SNS::Topic\n    Condition: IsProd\n  DevOnly:\n    Type: AWS::SNS::Topic\n    Condition: IsDev\n  EastOnly:\n    Type: AWS::SNS::Topic\n    Condition: InUsEast\n`;
    // IsDev is false only by Env's Default, which a deployment may override: DevOnly is kept
    // under it, as under an undecided condition.
    expect(
      load(text).resources.map((resource) => [resource.name, resource.conditional?.[""]]),
    ).toEqual([
      ["Logs", undefined],
      ["ProdOnly", undefined],
      ["DevOnly", "IsDev"],
      ["EastOnly", "InUsEast"],
    ]);
    expect(
      load(text, { Env: "dev", "AWS::Region": "eu-west-1" }).resources.map(
        (resource) => resource.name,
      ),
    ).toEqual(["Logs", "DevOnly"]);
  });

  it("keeps a resource whose condition only a Default a deployment may override makes false", () => {
    const template = (parameter: string) => `Parameters:
  Env:
    Type: String
    Default: dev
${parameter}Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Never: !Equals [a, b]
Resources:
  Admin:
    Type: AWS::EC2::SecurityGroup
    Condition: IsProd
    Properties:
      GroupName: !Sub "admin-\${Env}"
      CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]
  Gone:
    Type: AWS::SNS::Topic
    Condition: Never
`;
    const open = load(template(""));
    expect(open.errors).toEqual([]);
    expect(open.resources.map((r) => [r.name, r.conditional])).toEqual([
      ["Admin", { "": "IsProd" }],
    ]);
    // Values the Default gives stay as today, but its own condition holds where it exists.
    expect(open.resources[0]?.config).toEqual({ GroupName: "admin-dev", CidrIp: "10.0.0.0/8" });
    // Pinned: one AllowedValues value, or a value given (a parameter file).
    expect(load(template("    AllowedValues: [dev]\n")).resources).toEqual([]);
    expect(load(template(""), { Env: "dev" }).resources).toEqual([]);
  });

  it("keeps a property or item only such a Default leaves out as AWS::NoValue, under its condition", () => {
    const { resources, errors } = load(`Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      PubliclyAccessible: !If [IsProd, true, !Ref AWS::NoValue]
      Cidrs:
        - 10.0.0.0/8
        - !If [IsProd, 0.0.0.0/0, !Ref AWS::NoValue]
      Chosen: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]
`);
    expect(errors).toEqual([]);
    // Between two values, the Default's stays the value, as today.
    expect(resources[0]?.config).toEqual({
      PubliclyAccessible: true,
      Cidrs: ["10.0.0.0/8", "0.0.0.0/0"],
      Chosen: "0.0.0.0/0",
    });
    expect(resources[0]?.conditional).toEqual({
      "/PubliclyAccessible": "IsProd",
      "/Cidrs/1": "IsProd",
    });
  });

  it("reports a condition that depends on itself, at its line", () => {
    const text = `Conditions:\n  Loop: !Not [!Condition Loop]\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Condition: Loop\n`;
    const { resources, errors } = load(text);
    expect(resources.map((resource) => resource.name)).toEqual(["Topic"]);
    expect(errors).toEqual(["template.yaml:2:26: cfn-condition-cycle"]);
  });
});

describe("Fn::If on a condition the template cannot decide", () => {
  // Stage has no default, so IsPublic cannot be decided; Undeclared is not declared at all.
  const undecided = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
Conditions:
  IsPublic: !Equals [!Ref Stage, public]
  IsShared: !Or [!Condition IsPublic, !Equals [!Ref Stage, shared]]
  IsPrivate: !Not [!Condition IsShared]
  Never: !And [!Condition IsPublic, !Equals [a, b]]
Resources:
  Subject:
`;
  const lineOf = (text: string, fragment: string): number =>
    text.slice(0, text.indexOf(fragment)).split("\n").length;

  it("says what each condition means over parameters of any value, for the diff", () => {
    const text = `${undecided.replace(
      "Conditions:\n",
      "  Team:\n    Type: String\nConditions:\n  InEu: !Equals [!Ref AWS::Region, eu-west-1]\n  Imported: !Equals [!ImportValue stage, public]\n  TeamShared: !And [!Condition IsShared, !Not [!Equals [!Ref Team, ops]], !Equals [a, a]]\n",
    )}    Type: AWS::SNS::Topic
    Properties:
      TopicName: !If [IsPrivate, private, !If [TeamShared, team, !If [InEu, eu, imported]]]
`;
    const { resources, errors } = load(text);
    expect(errors).toEqual([]);
    // A pseudo parameter given no value may be any; an import is only a name; Never is decided,
    // false.
    expect(resources[0]?.conditionMeanings).toEqual({
      IsPublic: "Stage is public",
      IsShared: "(IsPublic or Stage is shared)",
      IsPrivate: "not IsShared",
      TeamShared: "(IsShared and not Team is ops)",
      InEu: "AWS::Region is eu-west-1",
    });
    expect(load(text, { Stage: "public", Team: "ops" }).resources[0]?.conditionMeanings).toEqual({
      InEu: "AWS::Region is eu-west-1",
    });
    // Nothing when no undecided condition has a known meaning.
    expect(
      load(text, { Stage: "public", Team: "ops", "AWS::Region": "us-east-1" }).resources[0]
        ?.conditionMeanings,
    ).toBeUndefined();
  });

  it("says what a condition on a mapping's entry under a region means: the regions with that entry", () => {
    const text = `AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  EnvMap:
    us-east-1: {env: prod}
    eu-west-1: {env: prod}
    ap-south-1: {env: dev}
    sa-east-1: {ami: ami-1}
Conditions:
  IsProd: !Equals [!FindInMap [EnvMap, !Ref "AWS::Region", env], prod]
  IsQa: !Equals [qa, !FindInMap [EnvMap, !Ref "AWS::Region", env]]
  Fallback: !Equals [!FindInMap [EnvMap, !Ref "AWS::Region", env, {DefaultValue: prod}], prod]
  ByName: !Equals [!FindInMap [!Ref "AWS::StackName", !Ref "AWS::Region", env], prod]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !If [IsProd, prod, !If [IsQa, qa, !If [Fallback, f, !If [ByName, n, x]]]]
`;
    const { resources } = load(text);
    // sa-east-1 has no env entry: the lookup fails there. No region's entry is qa: IsQa holds
    // nowhere, which is no text. With a DefaultValue any other region may hold, and a map name
    // no word names may be any: those have no meaning.
    expect(resources[0]?.conditionMeanings).toEqual({
      IsProd: "(AWS::Region is us-east-1 or AWS::Region is eu-west-1)",
    });
  });

  it("keeps a list item whose other branch is AWS::NoValue, recording its condition and line", () => {
    const text = `${undecided}    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Sid: First
          - !If
            - IsPublic
            - Sid: Public
              Principal: "*"
            - !Ref AWS::NoValue
          - !If [IsPrivate, !Ref AWS::NoValue, { Sid: Shared }]
          - Sid: Last
`;
    const [subject] = load(text).resources;
    expect(subject?.config).toEqual({
      PolicyDocument: {
        Statement: [
          { Sid: "First" },
          { Sid: "Public", Principal: "*" },
          { Sid: "Shared" },
          { Sid: "Last" },
        ],
      },
    });
    expect(subject?.conditional).toEqual({
      "/PolicyDocument/Statement/1": "IsPublic",
      "/PolicyDocument/Statement/2": "not IsPrivate",
    });
    expect(subject?.locations["/PolicyDocument/Statement/1"]?.line).toBe(
      lineOf(text, "Sid: Public"),
    );
    expect(subject?.locations["/PolicyDocument/Statement/1/Principal"]?.line).toBe(
      lineOf(text, 'Principal: "*"'),
    );
    expect(subject?.locations["/PolicyDocument/Statement/3/Sid"]?.line).toBe(
      lineOf(text, "Sid: Last"),
    );
    expect(subject?.alternatives).toBeUndefined();
  });

  it("keeps both branches of a list item (one when they are equal), nested ifs conjoined", () => {
    const text = `${undecided}    Type: AWS::EC2::SecurityGroup
    Properties:
      Ports:
        - !If [IsPublic, 443, 8443]
        - !If [IsShared, !If [Undeclared, 22, !Ref AWS::NoValue], 3389]
        - !If [IsPublic, 80, 80]
        - !If [Never, 1, 2]
`;
    const [subject] = load(text).resources;
    expect(subject?.config).toEqual({ Ports: [443, 8443, 22, 3389, 80, 2] });
    expect(subject?.conditional).toEqual({
      "/Ports/0": "IsPublic",
      "/Ports/1": "not IsPublic",
      "/Ports/2": "IsShared and Undeclared",
      "/Ports/3": "not IsShared",
    });
  });

  it("keeps a property whose other branch is AWS::NoValue, and joins list branches into one list", () => {
    const text = `${undecided}    Type: AWS::S3::Bucket
    Properties:
      LoggingConfiguration: !If
        - IsShared
        - DestinationBucketName: logs
        - !Ref AWS::NoValue
      Tags: !If [IsPublic, [{ Key: a, Value: "1" }], [{ Key: b, Value: "2" }, { Key: c, Value: "3" }]]
      Gone: !If [IsPublic, !Ref AWS::NoValue, !Ref AWS::NoValue]
`;
    const [subject] = load(text).resources;
    expect(subject?.config).toEqual({
      LoggingConfiguration: { DestinationBucketName: "logs" },
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
        { Key: "c", Value: "3" },
      ],
    });
    expect(subject?.conditional).toEqual({
      "/LoggingConfiguration": "IsShared",
      "/Tags/0": "IsPublic",
      "/Tags/1": "not IsPublic",
      "/Tags/2": "not IsPublic",
    });
    expect(subject?.locations["/LoggingConfiguration/DestinationBucketName"]?.line).toBe(
      lineOf(text, "DestinationBucketName"),
    );
    expect(subject?.locations["/Tags/2/Key"]?.line).toBe(lineOf(text, "Tags:"));
  });

  it("leaves a property between different values unknown, with each value and its condition", () => {
    const text = `${undecided}    Type: AWS::RDS::DBInstance
    Properties:
      PubliclyAccessible: !If [IsPublic, true, false]
      Cidr: !If [IsShared, !If [IsPublic, 0.0.0.0/0, 10.0.0.0/8], !Ref AWS::NoValue]
      Port: !If [IsPublic, 5432, 5432]
      Engine: !Join ["-", [!If [IsPublic, a, b], x]]
`;
    const [subject] = load(text).resources;
    expect(subject?.config).toEqual({
      PubliclyAccessible: { $unknown: "!If [IsPublic, true, false]" },
      Cidr: {
        $unknown: '!If [IsShared, !If [IsPublic, "0.0.0.0/0", "10.0.0.0/8"], !Ref AWS::NoValue]',
      },
      Port: 5432,
      Engine: { $unknown: '!Join ["-", [!If [IsPublic, a, b], x]]' },
    });
    expect(subject?.alternatives).toEqual({
      "/PubliclyAccessible": [
        { condition: "IsPublic", value: true },
        { condition: "not IsPublic", value: false },
      ],
      "/Cidr": [
        { condition: "IsShared and IsPublic", value: "0.0.0.0/0" },
        { condition: "IsShared and not IsPublic", value: "10.0.0.0/8" },
      ],
    });
    expect(subject?.conditional).toBeUndefined();
  });

  it("spells out an undecided Fn::If inside a branch chosen whole, deployment by deployment", () => {
    const text = `${undecided}    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        MetadataOptions: !If
          - IsPublic
          - HttpTokens: !If [Undeclared, required, !Ref AWS::NoValue]
            HttpEndpoint: !If [IsPublic, enabled, disabled]
          - HttpTokens: required
`;
    const [subject] = load(text).resources;
    expect(subject?.alternatives?.["/LaunchTemplateData/MetadataOptions"]).toEqual([
      { condition: "IsPublic and not Undeclared", value: { HttpEndpoint: "enabled" } },
      {
        condition: "IsPublic and Undeclared",
        value: { HttpTokens: "required", HttpEndpoint: "enabled" },
      },
      { condition: "not IsPublic", value: { HttpTokens: "required" } },
    ]);
    expect(load(text).errors).toEqual([]);
  });

  it("past four conditions inside a branch chosen whole, warns, and counts no part as always there", () => {
    const text = `${undecided}    Type: AWS::EC2::LaunchTemplate
    Properties:
      Existence: !If
        - IsPublic
        - HttpTokens: !If [U1, required, !Ref AWS::NoValue]
          B: !If [U2, 1, 2]
          C: !If [U3, 1, 2]
          D: !If [U4, 1, 2]
          E: !If [U5, 1, 2]
        - HttpTokens: required
      Values: !If
        - IsPublic
        - HttpTokens: required
          B: !If [U2, 1, 2]
          C: !If [U3, 1, 2]
          D: !If [U4, 1, 2]
          E: !If [U5, 1, 2]
          F: !If [U6, 1, 2]
        - HttpTokens: optional
      Spelled: !If
        - IsPublic
        - B: !If [U2, 1, 2]
          C: !If [U3, 1, 2]
          D: !If [U4, 1, 2]
          E: !If [U5, 1, 2]
        - {}
`;
    const [subject] = load(text).resources;
    const model = loadCloudFormation({ path: "template.yaml", text });
    // HttpTokens exists only when U1: not spelled out, the branch is unknown, never "required".
    expect(subject?.alternatives?.["/Existence"]).toEqual([
      {
        condition: "IsPublic",
        value: {
          $unknown:
            "{HttpTokens: !If [U1, required, !Ref AWS::NoValue], B: !If [U2, 1, 2], C: !If [U3, 1, 2], D: !If [U4, 1, 2], E: !If [U5, 1, 2]}",
        },
      },
      { condition: "not IsPublic", value: { HttpTokens: "required" } },
    ]);
    // Values only: what the branch fixes stays known, what they choose is unknown.
    expect(subject?.alternatives?.["/Values"]?.[0]).toEqual({
      condition: "IsPublic",
      value: {
        HttpTokens: "required",
        B: { $unknown: "!If [U2, 1, 2]" },
        C: { $unknown: "!If [U3, 1, 2]" },
        D: { $unknown: "!If [U4, 1, 2]" },
        E: { $unknown: "!If [U5, 1, 2]" },
        F: { $unknown: "!If [U6, 1, 2]" },
      },
    });
    expect(
      model.errors.map((e) => [e.line, e.code, e.level, e.message.replace(/.*; /, "")]),
    ).toEqual([
      [16, "cfn-if-limit", "warning", "under IsPublic its value is unknown"],
      [24, "cfn-if-limit", "warning", "under IsPublic the parts they choose are unknown"],
    ]);
    expect(model.errors[0]?.message).toMatch(
      /^Existence: this branch holds 5 undecided conditions \(U1, U2, U3, U4, U5\), more than the 4/,
    );
    // Four are spelled out: 16 deployments and the other branch, no warning.
    expect(subject?.alternatives?.["/Spelled"]).toHaveLength(17);
  });

  it("records a resource's own undecided Condition at the empty pointer, and both branches' references", () => {
    const text = `${undecided}    Type: AWS::SNS::Topic
    Condition: IsShared
    Properties:
      KmsMasterKeyId: !If [IsPublic, !Ref Key, !GetAtt Other.Arn]
  Key:
    Type: AWS::KMS::Key
  Other:
    Type: AWS::KMS::Key
`;
    const [subject, key] = load(text).resources;
    expect(subject?.conditional).toEqual({ "": "IsShared" });
    expect(subject?.references).toEqual(["Key", "Other"]);
    expect(key?.conditional).toBeUndefined();
  });

  it("records nothing when the template decides every condition", () => {
    // Env given (a parameter file): a deployment cannot make IsDev hold and add the item.
    const { resources, errors } = load(
      withResource(`    Type: AWS::S3::Bucket
    Properties:
      Items: [!If [IsProd, a, b], !If [IsDev, c, !Ref AWS::NoValue]]
`),
      { Env: "prod" },
    );
    expect(errors).toEqual([]);
    const subject = resources.find((resource) => resource.name === "Subject");
    expect(subject?.config).toEqual({ Items: ["a"] });
    expect(subject?.conditional).toBeUndefined();
    expect(subject?.alternatives).toBeUndefined();
  });
});

describe("policy documents", () => {
  it("parses a policy written as a JSON string", () => {
    const value = config(
      withResource(`    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      PolicyDocument: '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
`),
    );
    expect(value.PolicyDocument).toEqual({
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
    });
  });

  it("keeps a !Sub JSON policy's structure, with only the strings holding unknowns unknown", () => {
    const value = config(
      withResource(`    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Logs
      PolicyDocument: !Sub |
        {
          "Statement": [{
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::\${Logs}/*",
            "Condition": { "StringEquals": { "aws:SourceAccount": "\${Env}" } }
          }]
        }
`),
    );
    expect(value.PolicyDocument).toEqual({
      Statement: [
        {
          Effect: "Allow",
          Principal: "*",
          Action: "s3:GetObject",
          Resource: { $unknown: "arn:aws:s3:::${Logs}/*" },
          Condition: { StringEquals: { "aws:SourceAccount": "prod" } },
        },
      ],
    });
  });

  it("reports a policy string that is not JSON, at its line, and keeps the text", () => {
    const { resources, errors } = load(
      `Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: '{"Statement": ['\n`,
    );
    expect(errors).toEqual(["template.yaml:5:33: cfn-policy-json"]);
    expect(resources[0]?.config.AssumeRolePolicyDocument).toBe('{"Statement": [');
    const deep = `{"Statement": ${"[".repeat(100)}${"]".repeat(100)}}`;
    const nested = load(
      `Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: '${deep}'\n`,
    );
    expect(nested.errors).toEqual(["template.yaml:5:33: cfn-policy-json"]);
    expect(nested.resources[0]?.config.AssumeRolePolicyDocument).toBe(deep);
  });
});

describe("unsupported constructs", () => {
  it("reports unknown tags and intrinsics at their place and loads the rest", () => {
    const { resources, errors } = load(`Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A, B]
    - Topic\${Name}:
        Type: AWS::SNS::Topic
  Plain:
    Type: AWS::SNS::Topic
    Properties:
      Weird: !Foo bar
      Custom: { "Fn::Unknown": [1] }
`);
    expect(resources.map((resource) => resource.name)).toEqual(["TopicA", "TopicB", "Plain"]);
    expect(resources[2]?.config).toEqual({ Weird: "bar", Custom: { $unknown: "!Unknown [1]" } });
    expect(errors).toEqual([
      "template.yaml:11:14: cfn-unknown-tag",
      "template.yaml:12:15: cfn-unsupported-intrinsic",
    ]);
  });
});

describe("SAM", () => {
  it("keeps serverless resources with Globals merged in, located where Globals writes them", () => {
    const { resources, errors } = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Environment:
      Variables:
        STAGE: prod
    Layers: [arn:one]
Resources:
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
      Environment:
        Variables:
          TABLE: !Ref Table
      Layers: [arn:two]
      Policies:
        - AWSLambdaBasicExecutionRole
        - Statement:
            - Effect: Allow
              Action: "dynamodb:*"
              Resource: !GetAtt Table.Arn
  Table:
    Type: AWS::Serverless::SimpleTable
`);
    expect(errors).toEqual([]);
    const handler = resources[0];
    expect(handler?.type).toBe("AWS::Serverless::Function");
    expect(handler?.config).toEqual({
      Runtime: "python3.12",
      Timeout: 5,
      Environment: { Variables: { STAGE: "prod", TABLE: { $unknown: "!Ref Table" } } },
      Layers: ["arn:one", "arn:two"],
      Policies: [
        "AWSLambdaBasicExecutionRole",
        {
          Statement: [
            { Effect: "Allow", Action: "dynamodb:*", Resource: { $unknown: "!GetAtt Table.Arn" } },
          ],
        },
      ],
    });
    expect(handler?.locations["/Runtime"]?.line).toBe(4);
    expect(handler?.locations["/Timeout"]?.line).toBe(14);
    expect(handler?.references).toEqual(["Table"]);
  });

  it("declares the implicit APIs function events create, with Globals merged in, at the first such event", () => {
    const { resources, errors } = load(`Transform: AWS::Serverless-2016-10-31
Conditions:
  IsProd: !Equals [!Ref AWS::AccountId, "111122223333"]
Globals:
  Api:
    MethodSettings:
      - ResourcePath: "/*"
        HttpMethod: "*"
        LoggingLevel: ERROR
Resources:
  List:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      Events:
        Own:
          Type: Api
          Properties:
            RestApiId: !Ref Orders
            Path: /own
            Method: get
        Get:
          Type: Api
          Properties:
            Path: /orders
            Method: get
        Web:
          Type: HttpApi
  Put:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Put:
          Type: Api
          Properties:
            Path: /orders
            Method: put
        Routed:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
  Orders:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
  Link:
    Type: AWS::ApiGateway::BasePathMapping
    Properties:
      RestApiId: !Ref ServerlessRestApi
      DomainName: api.example.com
  Http:
    Type: AWS::Serverless::HttpApi
`);
    expect(errors).toEqual([]);
    const rest = resources.find((resource) => resource.address === "ServerlessRestApi");
    expect(rest?.type).toBe("AWS::Serverless::Api");
    expect(rest?.config).toEqual({
      StageName: "Prod",
      MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", LoggingLevel: "ERROR" }],
    });
    // At the first event without RestApiId; its creators' conditions differ, so it has none.
    expect(rest?.line).toBe(22);
    expect(rest?.locations["/MethodSettings/0/LoggingLevel"]?.line).toBe(9);
    expect(rest?.conditional).toBeUndefined();
    // Only List's event creates the HTTP API, so it takes List's condition.
    const http = resources.find((resource) => resource.address === "ServerlessHttpApi");
    expect(http?.type).toBe("AWS::Serverless::HttpApi");
    expect(http?.config).toEqual({});
    expect(http?.line).toBe(27);
    expect(http?.conditional).toEqual({ "": "IsProd" });
    expect(resources.find((resource) => resource.address === "Link")?.references).toEqual([
      "ServerlessRestApi",
    ]);
  });

  it("adds no implicit API without the SAM transform, nor over a resource the template declares", () => {
    const template = (transform: string): string => `${transform}
Resources:
  ServerlessRestApi:
    Type: AWS::ApiGateway::RestApi
  Get:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Get:
          Type: Api
        Web:
          Type: HttpApi
`;
    const withSam = load(template("Transform: AWS::Serverless-2016-10-31"));
    expect(withSam.resources.map((resource) => [resource.address, resource.type])).toEqual([
      ["ServerlessRestApi", "AWS::ApiGateway::RestApi"],
      ["Get", "AWS::Serverless::Function"],
      ["ServerlessHttpApi", "AWS::Serverless::HttpApi"],
    ]);
    const without = load(template('AWSTemplateFormatVersion: "2010-09-09"'));
    expect(without.resources.map((resource) => resource.address)).toEqual([
      "ServerlessRestApi",
      "Get",
    ]);
  });

  it("expands known policy templates into the statements SAM generates, keeping their references and lines", () => {
    const { resources, errors } = load(
      `Transform: AWS::Serverless-2016-10-31
Parameters:
  BucketName:
    Type: String
    Default: not-this-one
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - S3ReadPolicy:
            BucketName: !Ref Uploads
        - DynamoDBCrudPolicy:
            TableName: orders
        - SQSSendMessagePolicy: {}
        - RekognitionReadPolicy:
            CollectionId: faces
  Uploads:
    Type: AWS::S3::Bucket
`,
      { "AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "111122223333" },
    );
    expect(errors).toEqual([]);
    const worker = resources[0];
    const policies = worker?.config.Policies as Array<{ Statement?: Array<Record<string, Value>> }>;
    expect(policies[0]?.Statement).toEqual([
      {
        Effect: "Allow",
        Action: [
          "s3:GetObject",
          "s3:ListBucket",
          "s3:GetBucketLocation",
          "s3:GetObjectVersion",
          "s3:GetLifecycleConfiguration",
        ],
        Resource: [
          { $unknown: "!Sub arn:${AWS::Partition}:s3:::${BucketName}" },
          { $unknown: "!Sub arn:${AWS::Partition}:s3:::${BucketName}/*" },
        ],
      },
    ]);
    expect(policies[1]?.Statement?.[0]?.Resource).toEqual([
      "arn:aws:dynamodb:eu-west-1:111122223333:table/orders",
      "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/*",
    ]);
    expect(policies[1]?.Statement?.[0]?.Action).toContain("dynamodb:DeleteItem");
    // A parameter left out is unknown, never the template's own parameter of the same name.
    expect(policies[2]?.Statement?.[0]?.Resource).toEqual([
      { $unknown: "!Sub arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}" },
    ]);
    expect(policies[3]).toEqual({ RekognitionReadPolicy: { CollectionId: "faces" } });
    expect(worker?.references).toEqual(["Uploads"]);
    expect(worker?.locations["/Policies/1/Statement/0/Action/3"]?.line).toBe(13);
  });
});
