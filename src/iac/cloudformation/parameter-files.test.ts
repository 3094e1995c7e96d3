// Parameter files: the AWS CLI's shapes give a top template its parameter values, located in the
// file, replacing the Default and the AllowedValues alternatives; what cannot be read is located.
import { describe, expect, it } from "vitest";
import { loadModel } from "../index.js";

const template = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  AdminCidr:
    Type: String
    Default: 10.0.0.0/8
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami
Mappings:
  Ports:
    dev: { Ssh: 22 }
    prod: { Ssh: 2222 }
Resources:
  Admin:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      CidrIp: !Ref AdminCidr
      FromPort: !FindInMap [Ports, !Ref Env, Ssh]
      ImageId: !Ref Ami
`;

function load(files: Record<string, string>, parameterFiles: Record<string, string[]>) {
  const model = loadModel(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    {},
    { parameterFiles },
  );
  return {
    resource: model.resources[0],
    // The fixtures are about values, not about the properties AWS requires (required.test.ts).
    errors: model.errors
      .filter((error) => error.code !== "cfn-required-property")
      .map(
        (error) =>
          `${error.file}:${error.line}: ${error.code}${error.level ? ` (${error.level})` : ""}`,
      ),
  };
}

describe("CloudFormation parameter files", () => {
  it("reads the create-stack, deploy and CodePipeline shapes, later files replacing earlier ones", () => {
    const createStack = `[
  { "ParameterKey": "Env", "ParameterValue": "prod" },
  { "ParameterKey": "AdminCidr", "ParameterValue": "0.0.0.0/0" },
  { "ParameterKey": "Ami", "ParameterValue": "ami-123" }
]`;
    const { resource, errors } = load(
      {
        "t.yaml": template,
        "params/prod.json": createStack,
        "params/deploy.json": '["AdminCidr=192.0.2.0/24"]',
        "params/pipeline.json": '{ "Parameters": { "Env": "dev" }, "Tags": {} }',
      },
      { "t.yaml": ["params/prod.json"] },
    );
    expect(errors).toEqual([]);
    // A given value is the only one: no alternatives for Env's other AllowedValues.
    expect(resource?.config).toEqual({
      CidrIp: "0.0.0.0/0",
      FromPort: 2222,
      // An SSM-typed parameter's value names a key: still unknown.
      ImageId: { $unknown: "!Ref Ami" },
    });
    expect(resource?.alternatives).toBeUndefined();
    // Located where the file writes the value, read at the !Ref.
    expect(resource?.locations["/CidrIp"]).toMatchObject({ file: "params/prod.json", line: 3 });
    expect(resource?.readAt?.["/CidrIp"]).toMatchObject({ file: "t.yaml", line: 21 });

    const layered = load(
      {
        "t.yaml": template,
        "params/prod.json": createStack,
        "params/deploy.json": '["AdminCidr=192.0.2.0/24"]',
        "params/pipeline.json": '{ "Parameters": { "Env": "dev" }, "Tags": {} }',
      },
      {
        "*": ["params/pipeline.json"],
        "t.yaml": ["params/prod.json", "params/deploy.json"],
      },
    );
    expect(layered.errors).toEqual([]);
    expect(layered.resource?.config).toMatchObject({ CidrIp: "192.0.2.0/24", FromPort: 2222 });
  });

  it("reports a missing or unreadable file, and a name the template does not declare", () => {
    const { resource, errors } = load(
      {
        "t.yaml": template,
        "bad.json": '[{ "ParameterKey": "Env", ',
        "shape.json": '{ "Env": "prod" }',
        "extra.json": '[{ "ParameterKey": "Typo", "ParameterValue": "x" }]',
        "every.json": '{ "Parameters": { "Other": "x" } }',
      },
      {
        "*": ["every.json"],
        "t.yaml": ["missing.json", "bad.json", "shape.json", "extra.json"],
      },
    );
    expect(errors).toEqual([
      // A file for every template may name parameters this one lacks: passed over.
      "missing.json:1: cfn-missing-parameter-file",
      // The parser's own errors, where the JSON breaks off.
      "bad.json:1: yaml-syntax",
      "bad.json:1: yaml-syntax",
      "shape.json:1: cfn-parameter-file",
      "extra.json:1: cfn-unknown-parameter (warning)",
    ]);
    // Nothing usable given: the Default is the value of record, the other allowed value an alternative.
    expect(resource?.config.FromPort).toBe(22);
    expect(resource?.alternatives?.["/FromPort"]).toEqual([
      { condition: "Env is dev", value: 22 },
      { condition: "Env is prod", value: 2222 },
    ]);
  });
});
