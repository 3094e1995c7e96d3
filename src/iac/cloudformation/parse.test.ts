import { describe, expect, it } from "vitest";
import { isCloudFormation, loadCloudFormation } from "./index.js";
import { MAX_NESTING_DEPTH, parseTemplate } from "./parse.js";

function errorsOf(text: string, path = "template.yaml"): string[] {
  return loadCloudFormation({ path, text }).errors.map(
    (error) => `${error.file}:${error.line}:${error.column}: ${error.code}`,
  );
}

describe("template parsing bounds", () => {
  it("refuses a billion-laughs alias bomb quickly, at the alias that overflows", () => {
    const levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level <= 9; level++) {
      levels.push(
        `a${level}: &a${level} [${Array(9)
          .fill(`*a${level - 1}`)
          .join(",")}]`,
      );
    }
    const text = `Resources:\n  Bomb:\n    Type: AWS::SNS::Topic\n    Properties:\n${levels.map((line) => `      ${line}`).join("\n")}\n`;
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^template\.yaml:\d+:\d+: yaml-alias-bomb$/);
  });

  it("still follows a few ordinary aliases", () => {
    const text =
      "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: &shared\n      DisplayName: x\n  B:\n    Type: AWS::SNS::Topic\n    Properties: *shared\n";
    const model = loadCloudFormation({ path: "t.yaml", text });
    expect(model.errors).toEqual([]);
    expect(model.resources.map((resource) => resource.config)).toEqual([
      { DisplayName: "x" },
      { DisplayName: "x" },
    ]);
  });

  it("records where an alias is written as what decides its value, which stays at the anchor", () => {
    const text = [
      "Resources:", // 1
      "  A:", // 2
      "    Type: AWS::SNS::Topic", // 3
      "    Properties: &shared", // 4
      "      DisplayName: x", // 5
      "      Tags: &tags [{Key: team, Value: web}]", // 6
      "  B:", // 7
      "    Type: AWS::SNS::Topic", // 8
      "    Properties: *shared", // 9
      "  C:", // 10
      "    Type: AWS::SNS::Topic", // 11
      "    Properties:", // 12
      "      <<: *shared", // 13
      "      Tags: *tags", // 14
      "",
    ].join("\n");
    const model = loadCloudFormation({ path: "t.yaml", text });
    expect(model.errors).toEqual([]);
    const read = (name: string) => {
      const resource = model.resources.find((r) => r.name === name);
      return Object.entries(resource?.readFrom ?? {}).map(([by, places]) => [
        by,
        places.map((place) => `${place.line}:${place.column}`),
      ]);
    };
    expect(read("A")).toEqual([]);
    // The alias, then the anchor's content (where a PR may change the value instead).
    expect(read("B")).toEqual([["", ["9:17", "5:7"]]]);
    expect(read("C")).toEqual([
      ["/DisplayName", ["13:11", "5:20"]],
      ["/Tags", ["14:13", "6:19"]],
    ]);
    expect(model.resources[1]?.locations["/DisplayName"]).toMatchObject({ line: 5 });
  });

  it("merges `<<` keys as the AWS CLI's package and sam expand them, own keys winning", () => {
    const text = [
      "Metadata:",
      "  Public: &public",
      "    AccessControl: PublicRead",
      "    BucketName: shared",
      "  Named: &named",
      "    BucketName: named",
      "    ObjectLockEnabled: true",
      "Resources:",
      "  A:",
      "    Type: AWS::S3::Bucket",
      "    Properties:",
      "      <<: *public",
      "      BucketName: own",
      "  B:",
      "    Type: AWS::S3::Bucket",
      "    Properties:",
      "      <<: [*named, *public]",
      "      VersioningConfiguration: {Status: Enabled}",
      "",
    ].join("\n");
    const model = loadCloudFormation({ path: "t.yaml", text });
    expect(model.errors).toEqual([]);
    expect(model.resources.map((resource) => resource.config)).toEqual([
      { AccessControl: "PublicRead", BucketName: "own" },
      {
        BucketName: "named",
        ObjectLockEnabled: true,
        AccessControl: "PublicRead",
        VersioningConfiguration: { Status: "Enabled" },
      },
    ]);
    // A merged value is located where it is written, as an alias's is.
    expect(model.resources[0]?.locations["/AccessControl"]).toMatchObject({ line: 3, column: 5 });
    expect(
      errorsOf("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      <<: 1\n"),
    ).toEqual(["template.yaml:5:7: yaml-merge"]);
  });

  it("refuses nesting deeper than the limit in flow, block and alias form", () => {
    const flow = `Resources: ${"[".repeat(MAX_NESTING_DEPTH + 1)}${"]".repeat(MAX_NESTING_DEPTH + 1)}\n`;
    expect(errorsOf(flow)).toEqual(["template.yaml:1:75: yaml-too-deep"]);
    const block =
      Array.from(
        { length: MAX_NESTING_DEPTH + 2 },
        (_, depth) => `${" ".repeat(depth)}k${depth}:`,
      ).join("\n") + " leaf\n";
    expect(errorsOf(block)).toEqual([
      `template.yaml:${MAX_NESTING_DEPTH + 1}:${MAX_NESTING_DEPTH + 1}: yaml-too-deep`,
    ]);
    expect(errorsOf(`Resources: ${"[".repeat(40)}${"]".repeat(40)}\n`)).toEqual([
      "template.yaml:1:12: cfn-template",
    ]);
    const viaAlias = `Deep: &deep ${"[".repeat(40)}${"]".repeat(40)}\nResources: ${"[".repeat(40)}*deep${"]".repeat(40)}\n`;
    expect(errorsOf(viaAlias)).toEqual(["template.yaml:2:52: yaml-too-deep"]);
  });

  it("refuses megabytes of brackets before parsing them", () => {
    expect(errorsOf(`Resources:\n${"[".repeat(1_000_000)}`)).toEqual([
      "template.yaml:2:1025: yaml-too-deep",
    ]);
    expect(errorsOf(`{"Resources":\n${"[".repeat(1_000_000)}`, "t.json")).toEqual([
      "t.json:2:64: json-too-deep",
    ]);
  });

  it("refuses flow-heavy YAML the parser would take seconds over, at once", () => {
    const text = `Resources:\n${Array(3_000).fill("  - [1, 2, 3, 4, 5, 6, 7, 8]").join("\n")}\n`;
    expect(loadCloudFormation({ path: "t.yaml", text }).errors).toEqual([
      expect.objectContaining({ line: 1, column: 1, code: "yaml-too-complex" }),
    ]);
  });

  it("refuses a template over the size limit without parsing it", () => {
    const text = `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n# ${"x".repeat(2 * 1024 * 1024)}\n`;
    expect(errorsOf(text)).toEqual(["template.yaml:1:1: file-too-large"]);
  });

  it("reports YAML and JSON syntax errors with their line and column", () => {
    expect(errorsOf("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n   Properties: {\n")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^template\.yaml:4:\d+: yaml-syntax$/)]),
    );
    const json =
      '{\n  "Resources": {\n    "Topic": { "Type": "AWS::SNS::Topic" }\n    "Queue": { "Type": "AWS::SQS::Queue" }\n  }\n}\n';
    expect(loadCloudFormation({ path: "t.json", text: json }).errors).toEqual([
      {
        file: "t.json",
        line: 4,
        column: 5,
        code: "json-syntax",
        message: "expected ',' or '}' after an object property, found '\"'",
      },
    ]);
    expect(errorsOf('{"Resources": {"A": 1, "A": 2}}', "t.json")).toEqual([
      "t.json:1:24: json-syntax",
    ]);
    expect(errorsOf('{"Resources": {}} x', "t.json")).toEqual(["t.json:1:19: json-syntax"]);
    expect(errorsOf("Resources:\n  A: 1\n  A: 2\n")).toEqual(["template.yaml:3:3: yaml-syntax"]);
    expect(errorsOf("Resources: {}\n---\nResources: {}\n")).toEqual([
      "template.yaml:3:1: yaml-multiple-documents",
    ]);
  });

  it("reads a JSON-looking file that only YAML accepts as YAML", () => {
    const flowYaml =
      '{Resources: {Topic: {Type: "AWS::SNS::Topic", Properties: {TopicName: !Ref "AWS::StackName",}}}}';
    const model = loadCloudFormation({ path: "t.yaml", text: flowYaml });
    expect(model.errors).toEqual([]);
    expect(model.resources[0]?.config).toEqual({ TopicName: { $unknown: "!Ref AWS::StackName" } });
  });

  it("reads plain yes/no/on/off as booleans, as CloudFormation's YAML 1.1 does", () => {
    const text = [
      "Resources:",
      "  DB:",
      "    Type: AWS::RDS::DBInstance",
      "    Properties:",
      "      StorageEncrypted: no",
      "      PubliclyAccessible: YES",
      "      DeletionProtection: Off",
      "      MultiAZ: on",
      '      DBName: "no"',
      "      Tags: [{Key: y, Value: n}]",
      "",
    ].join("\n");
    const model = loadCloudFormation({ path: "t.yaml", text });
    expect(model.errors).toEqual([]);
    expect(model.resources[0]?.config).toEqual({
      StorageEncrypted: false,
      PubliclyAccessible: true,
      DeletionProtection: false,
      MultiAZ: true,
      DBName: "no",
      Tags: [{ Key: "y", Value: "n" }],
    });
  });

  it("rewrites tags on block collections to long form, spanning from the tag", () => {
    const text =
      'Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Name: !Join\n        - "-"\n        - [a, b]\n';
    const parsed = parseTemplate({ path: "t.yaml", text });
    expect(parsed.errors).toEqual([]);
    expect(loadCloudFormation({ path: "t.yaml", text }).resources[0]?.config).toEqual({
      Name: "a-b",
    });
    const name = loadCloudFormation({ path: "t.yaml", text }).resources[0]?.locations["/Name"];
    expect(name).toEqual({ file: "t.yaml", line: 5, column: 7, endLine: 7, endColumn: 17 });
  });
});

describe("isCloudFormation", () => {
  const yes = (text: string): boolean => isCloudFormation({ path: "x.yaml", text });

  it("recognises templates by content", () => {
    expect(yes('AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n')).toBe(true);
    expect(
      yes(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n",
      ),
    ).toBe(true);
    expect(
      yes(
        "Resources:\n  Skill:\n    Type: Alexa::ASK::Skill\n  Hook:\n    Type: Custom::Cleanup\n",
      ),
    ).toBe(true);
    expect(yes('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}')).toBe(true);
    expect(yes("AWSTemplateFormatVersion: 2010-09-09\nResources:\n  B: [\n")).toBe(true);
  });

  it("still recognises a broken JSON template written on one line, so its error is reported", () => {
    const repeated =
      '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "Private", "AccessControl": "PublicRead"}}}}';
    expect(yes(repeated)).toBe(true);
    expect(errorsOf(repeated, "t.json")).toEqual(["t.json:1:92: json-syntax"]);
    const unclosed = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": ';
    expect(yes(unclosed)).toBe(true);
    expect(errorsOf(unclosed, "t.json")).toHaveLength(1);
  });

  it("rejects other YAML and JSON", () => {
    expect(yes("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")).toBe(false);
    expect(yes("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")).toBe(false);
    expect(yes('{"name": "tollgate", "version": "1.0.0"}')).toBe(false);
    expect(yes("Resources:\n  cpu: 2\n  memory: 4Gi\n")).toBe(false);
    expect(yes("Resources: [\n")).toBe(false);
  });
});
