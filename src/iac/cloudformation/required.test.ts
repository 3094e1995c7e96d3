// A property AWS requires and the policies read (a security group rule's IpProtocol, an IAM
// policy's document) that a template leaves out is a located warning, not silence.
import { describe, expect, it } from "vitest";
import { loadModel } from "../index.js";

const template = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Rules:
    Type: String
Conditions:
  Never: !Equals [a, b]
  Maybe: !Equals [!Ref Rules, x]
Resources:
  Ingress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-1
      FromPort: 22
      ToPort: 22
      CidrIp: 0.0.0.0/0
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
        - FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
      SecurityGroupEgress:
        - IpProtocol: !If [Maybe, tcp, !Ref AWS::NoValue]
          CidrIp: 0.0.0.0/0
  Dropped:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: dropped
      Roles: [app]
      PolicyDocument: !If [Never, { Statement: [] }, !Ref AWS::NoValue]
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !If [Maybe, { Statement: [] }, !Ref AWS::NoValue]
      Policies:
        - PolicyName: inline
`;

const warnings = (text: string) =>
  loadModel([{ path: "t.yaml", text }])
    .errors.filter((error) => error.code === "cfn-required-property")
    .map((error) => [error.line, error.column, error.level, error.message.split(";")[0]]);

describe("properties AWS requires", () => {
  it("reports each one missing where it belongs, as a warning", () => {
    expect(warnings(template)).toEqual([
      [
        9,
        3,
        "warning",
        "resource Ingress: IpProtocol is required (AWS::EC2::SecurityGroupIngress)",
      ],
      [
        25,
        11,
        "warning",
        "resource Group: IpProtocol is required in each SecurityGroupIngress item (AWS::EC2::SecurityGroup)",
      ],
      // A decided Fn::If leaves it out; an undecided one (IpProtocol of the egress) may keep it.
      [31, 3, "warning", "resource Dropped: PolicyDocument is required (AWS::IAM::Policy)"],
      [
        42,
        11,
        "warning",
        "resource Role: PolicyDocument is required in each Policies item (AWS::IAM::Role)",
      ],
    ]);
  });

  it("passes over what the template cannot know, or another macro may write", () => {
    const unknown = `Parameters:
  Rules:
    Type: CommaDelimitedList
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress: !Ref Rules
  Included:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: !Ref Rules
`;
    expect(warnings(unknown)).toEqual([]);
    expect(warnings(`Transform: Acme::Defaults\n${template}`)).toEqual([]);
  });
});
