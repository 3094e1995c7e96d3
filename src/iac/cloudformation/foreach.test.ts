// Fn::ForEach (AWS::LanguageExtensions) expansion, on templates shaped like the examples in AWS's
// documentation of the transform (written here in our own words): literal lists, list parameters,
// `&{}` in logical ids, nested loops, loops in properties and conditions, and collections the
// template cannot give.
import { describe, expect, it } from "vitest";
import type { LoadError, Resource } from "../../model/types.js";
import { isCloudFormation, loadCloudFormation } from "./index.js";

function load(text: string): { resources: Resource[]; errors: LoadError[] } {
  return loadCloudFormation({ path: "template.yaml", text });
}

const where = (resource: Resource | undefined, pointer = ""): string => {
  const location = resource?.locations[pointer];
  return location ? `${location.line}:${location.column}` : "none";
};

describe("Fn::ForEach", () => {
  it("generates one resource per item of a written list, each located at the output template", () => {
    const text = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - TopicName
    - [Success, Failure, Timeout]
    - SnsTopic\${TopicName}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Ref TopicName
          DisplayName: !Sub "alerts-\${TopicName}"
          KmsMasterKeyId: !Ref Key
  Key:
    Type: AWS::KMS::Key
`;
    const { resources, errors } = load(text);
    expect(errors).toEqual([]);
    expect(resources.map((resource) => resource.address)).toEqual([
      "SnsTopicSuccess",
      "SnsTopicFailure",
      "SnsTopicTimeout",
      "Key",
    ]);
    const failure = resources[1];
    expect(failure?.config).toEqual({
      TopicName: "Failure",
      DisplayName: "alerts-Failure",
      KmsMasterKeyId: { $unknown: "!Ref Key" },
    });
    expect(failure?.references).toEqual(["Key"]);
    expect([failure?.line, failure?.endLine]).toEqual([7, 12]);
    expect(where(failure, "/TopicName")).toBe("10:11");
    expect(where(failure, "/DisplayName")).toBe("11:11");
  });

  it("loops over a CommaDelimitedList parameter's default, with &{} keeping letters and digits only", () => {
    const { resources, errors } = load(`Transform: AWS::LanguageExtensions
Parameters:
  BucketNames:
    Type: CommaDelimitedList
    Default: "raw-data, curated.data"
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref BucketNames
    - Bucket&{Name}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "\${Name}-\${AWS::AccountId}"
          Tags:
            - Key: source
              Value: !Ref Name
`);
    expect(errors).toEqual([]);
    expect(resources.map((resource) => resource.address)).toEqual([
      "Bucketrawdata",
      "Bucketcurateddata",
    ]);
    expect(resources[1]?.config).toEqual({
      BucketName: { $unknown: "!Sub curated.data-${AWS::AccountId}" },
      Tags: [{ Key: "source", Value: "curated.data" }],
    });
  });

  it("expands nested loops with the outer identifier substituted first", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Environments:
    - Env
    - [Dev, Prod]
    - Fn::ForEach::Queues:
        - Queue
        - [Orders, Refunds]
        - \${Env}\${Queue}Queue:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub "\${Env}-\${Queue}"
`);
    expect(errors).toEqual([]);
    expect(resources.map((resource) => [resource.address, resource.config.QueueName])).toEqual([
      ["DevOrdersQueue", "Dev-Orders"],
      ["DevRefundsQueue", "Dev-Refunds"],
      ["ProdOrdersQueue", "Prod-Orders"],
      ["ProdRefundsQueue", "Prod-Refunds"],
    ]);
    expect(resources.every((resource) => resource.line === 10)).toBe(true);
  });

  it("expands loops inside properties and in Conditions", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Stage:
    Type: String
    Default: prod
Conditions:
  Fn::ForEach::StageChecks:
    - Name
    - [prod, test]
    - Is\${Name}: !Equals [!Ref Stage, !Ref Name]
Resources:
  Audit:
    Type: AWS::CloudTrail::Trail
    Condition: Isprod
    Properties:
      IsLogging: true
      Fn::ForEach::Flags:
        - Flag
        - [IsMultiRegionTrail, EnableLogFileValidation]
        - \${Flag}: true
  Scratch:
    Type: AWS::S3::Bucket
    Condition: Istest
`);
    expect(errors).toEqual([]);
    // Istest is false only by Stage's Default, which a deployment may override.
    expect(
      resources.map((resource) => [resource.address, resource.conditional?.[""] ?? null]),
    ).toEqual([
      ["Audit", null],
      ["Scratch", "Istest"],
    ]);
    expect(resources[0]?.config).toEqual({
      IsLogging: true,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    expect(where(resources[0], "/EnableLogFileValidation")).toBe("21:11");
  });

  it("records the collection item that made each generated resource or property in readFrom", () => {
    const { resources, errors } = load(`Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Environments:
    - Env
    - [Dev, Prod]
    - Fn::ForEach::Queues:
        - Queue
        - - Orders
          - Refunds
        - \${Env}\${Queue}Queue:
            Type: AWS::SQS::Queue
            Properties:
              Fn::ForEach::Tags:
                - Flag
                - [FifoQueue]
                - \${Flag}: true
`);
    expect(errors).toEqual([]);
    const read = (resource: Resource | undefined) =>
      Object.entries(resource?.readFrom ?? {}).map(([by, places]) => [
        by,
        places.map((place) => `${place.line}:${place.column}`),
      ]);
    // The inner loop's item first, then the outer one's.
    expect(read(resources.find((r) => r.address === "ProdRefundsQueue"))).toEqual([
      ["Fn::ForEach", ["9:13", "5:13"]],
      ["/FifoQueue", ["15:20"]],
    ]);
  });

  it("warns on a collection the template cannot give and loads the output once, its values unknown", () => {
    const { resources, errors } = load(`Transform: AWS::LanguageExtensions
Parameters:
  Principals:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Roles:
    - Principal
    - !Ref Principals
    - Role\${Principal}:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: { AWS: !Ref Principal }
                Action: "sts:AssumeRole"
`);
    expect(errors).toEqual([
      {
        file: "template.yaml",
        line: 8,
        column: 7,
        code: "cfn-foreach-unknown-collection",
        level: "warning",
        message:
          "Fn::ForEach::Roles: the collection cannot be known from the template, so its output is loaded once with Principal unknown",
      },
    ]);
    expect(resources.map((resource) => resource.address)).toEqual(["Role${Principal}"]);
    expect(resources[0]?.config.AssumeRolePolicyDocument).toEqual({
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: { $unknown: "!Ref Principal" } },
          Action: "sts:AssumeRole",
        },
      ],
    });
  });

  it("reports a malformed loop at its place and loads the rest", () => {
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn::ForEach::Broken:
    - not an identifier
    - [A]
    - X\${A}: { Type: AWS::SNS::Topic }
  Plain:
    Type: AWS::SNS::Topic
`);
    expect(errors.map((error) => [error.code, error.line, error.column])).toEqual([
      ["cfn-foreach", 4, 5],
    ]);
    expect(resources.map((resource) => resource.address)).toEqual(["Plain"]);
  });

  it("bounds what nested loops generate with a located error", () => {
    const items = `[${Array.from({ length: 60 }, (_, i) => `i${i}`).join(", ")}]`;
    const { resources, errors } = load(`AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn::ForEach::A:
    - X
    - ${items}
    - Fn::ForEach::B:
        - Y
        - ${items}
        - T\${X}\${Y}: { Type: AWS::SNS::Topic }
`);
    // 2000 iterations: each outer one runs 60 inner ones, so 32 outer items and part of a 33rd.
    expect(resources.length).toBe(2000 - 33);
    expect(resources.at(-1)?.address).toBe("Ti32i46");
    expect(errors.map((error) => [error.code, error.line])).toEqual([["cfn-foreach-limit", 6]]);
  });

  it("takes a template without a version header whose Resources hold a loop for CloudFormation", () => {
    const text = `Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Topics:
    - Name
    - [A]
    - Topic\${Name}: { Type: AWS::SNS::Topic }
`;
    expect(isCloudFormation({ path: "t.yaml", text })).toBe(true);
  });
});
