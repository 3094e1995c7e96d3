import { describe, expect, it } from "vitest";
import { loadCloudFormation } from "./index.js";

/** The template's load errors as `line:column: code message`. */
function problems(text: string): string[] {
  return loadCloudFormation({ path: "template.yaml", text }).errors.map(
    (error) => `${error.line}:${error.column}: ${error.code} ${error.message}`,
  );
}

describe("names a template uses but does not declare", () => {
  it("are located errors for Ref, Fn::GetAtt, Fn::Sub and DependsOn, as CloudFormation rejects them", () => {
    const text = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Logs:
    Type: AWS::S3::Bucket
  Trail:
    Type: AWS::CloudTrail::Trail
    DependsOn: [Logs, LogsPolicy]
    Properties:
      S3BucketName: !Ref Log
      SnsTopicName: !GetAtt Topic.TopicName
      TrailName: !Sub "\${Env}-\${AWS::Region}-\${Logs}-\${!Literal}-\${Name}-\${Logs.Arn}-\${Owner}"
      CloudWatchLogsRoleArn: !Sub ["\${Role}", { Role: !GetAtt Logs.Arn }]
      KMSKeyId: !Ref AWS::Reigon
      Tags:
        - Key: stack
          Value: !Ref AWS::StackName
Outputs:
  Arn:
    Value: !GetAtt [Trial, Arn]
`;
    expect(problems(text)).toEqual([
      '6:25: cfn-undeclared-reference Ref names "Stage", which is no parameter, resource or pseudo parameter of this template; CloudFormation rejects it',
      '12:23: cfn-undeclared-reference DependsOn names resource "LogsPolicy", which this template does not declare; CloudFormation rejects it',
      '14:26: cfn-undeclared-reference Ref names "Log", which is no parameter, resource or pseudo parameter of this template; CloudFormation rejects it',
      '15:29: cfn-undeclared-reference Fn::GetAtt names resource "Topic", which this template does not declare; CloudFormation rejects it',
      "16:23: cfn-undeclared-reference Fn::Sub variable ${Name} names nothing this template declares (a parameter, resource or pseudo parameter); CloudFormation rejects it",
      "16:23: cfn-undeclared-reference Fn::Sub variable ${Owner} names nothing this template declares (a parameter, resource or pseudo parameter); CloudFormation rejects it",
      '18:22: cfn-undeclared-reference Ref names "AWS::Reigon", which is no parameter, resource or pseudo parameter of this template; CloudFormation rejects it',
      '24:21: cfn-undeclared-reference Fn::GetAtt names resource "Trial", which this template does not declare; CloudFormation rejects it',
    ]);
    // The value stays unknown, as before: the template still loads.
    const trail = loadCloudFormation({ path: "template.yaml", text }).resources.find(
      (resource) => resource.address === "Trail",
    );
    expect(trail?.config.S3BucketName).toEqual({ $unknown: "!Ref Log" });
    expect(trail?.references).toEqual(["Logs"]);
  });

  it("are found in a branch a condition leaves out and in a resource a false condition drops", () => {
    const text = `Parameters:
  Env:
    Type: String
    Default: dev
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !If [IsProd, !Ref ProdName, dev-bucket]
  ProdOnly:
    Type: AWS::SNS::Topic
    Condition: IsProd
    Properties:
      KmsMasterKeyId: !Ref ProdKey
`;
    expect(problems(text).map((problem) => problem.split(" which")[0])).toEqual([
      '11:37: cfn-undeclared-reference Ref names "ProdName",',
      '16:28: cfn-undeclared-reference Ref names "ProdKey",',
    ]);
  });

  it("leave alone the resources SAM generates and its referenceable properties", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      AutoPublishAlias: live
      DeploymentPreference:
        Type: AllAtOnce
      Events:
        Get:
          Type: Api
          Properties:
            Path: /orders
            Method: get
  Admin:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
  Wiring:
    Type: AWS::CloudFormation::WaitConditionHandle
    DependsOn: [OrdersRole, AdminDeployment, ServerlessRestApiProdStage]
    Metadata:
      Ignored: !Ref Anything
    Properties:
      Role: !GetAtt OrdersRole.Arn
      Alias: !Ref OrdersAliaslive
      Version: !Ref Orders.Version
      Stage: !Ref Admin.Stage
      StageId: !Ref Adminv1Stage
      Rest: !Sub "https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod"
      Deployments: [!Ref ServerlessDeploymentApplication, !GetAtt CodeDeployServiceRole.Arn]
      Missing: !Ref OrderRole
`;
    expect(problems(text)).toEqual([
      '32:21: cfn-undeclared-reference Ref names "OrderRole", which is no parameter, resource or pseudo parameter of this template; CloudFormation rejects it',
    ]);
  });

  it("count a misspelt SAM type as no SAM resource: a located warning, and nothing it generates", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Functon
    Properties:
      Handler: index.handler
  Good:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          TYPO: !GetAtt FnRole.Arn
          GENERATED: !GetAtt GoodRole.Arn
`;
    expect(problems(text).map((problem) => problem.split(" (")[0]!.split(", which")[0])).toEqual([
      '13:25: cfn-undeclared-reference Fn::GetAtt names resource "FnRole"',
      "4:11: cfn-resource-type resource Fn: AWS::Serverless::Functon is not a SAM resource type",
    ]);
  });

  it("are not judged in a template another macro may add them to, nor for Fn::ForEach identifiers", () => {
    const bucket = `Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref FromMacro
`;
    // The macros themselves are reported, as not run (test/cloudformation-include.test.ts).
    expect(problems(`Transform: AWS::Include\n${bucket}`)).toEqual([
      "1:12: cfn-macro-unread Transform AWS::Include is not run: what the macro adds to or changes in the template is deployed but not judged",
    ]);
    expect(
      problems(`Transform: [AWS::Serverless-2016-10-31, OurMacro]\n${bucket}`).filter(
        (problem) => !problem.includes("cfn-macro-unread"),
      ),
    ).toEqual([]);
    expect(
      problems(`${bucket}      Tags:
        Fn::Transform:
          Name: AWS::Include
          Parameters: { Location: s3://bucket/tags.yaml }
`).filter((problem) => !problem.includes("cfn-macro-unread")),
    ).toEqual([]);
    expect(
      problems(`Transform: AWS::LanguageExtensions
Parameters:
  Names:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Names
    - Bucket\${Name}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "\${Name}-logs"
          Tags: [{ Key: name, Value: !Ref Name }]
`).filter((problem) => problem.includes("cfn-undeclared-reference")),
    ).toEqual([]);
  });
});
