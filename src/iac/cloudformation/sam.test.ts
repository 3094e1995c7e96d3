// SAM resources as written: a property name SAM does not define for the type, close to one it
// does (`CodeURI`, `Event`), is a located warning, since SAM rejects the template and no rule
// reads the property under that name.
import { describe, expect, it } from "vitest";
import { loadCloudFormation } from "./index.js";

/** The template's load errors as `line:column: code message`. */
function problems(text: string): string[] {
  return loadCloudFormation({ path: "template.yaml", text }).errors.map(
    (error) => `${error.line}:${error.column}: ${error.code} ${error.message}`,
  );
}

describe("SAM properties", () => {
  it("warns at a misspelt property of a SAM resource, naming the one meant", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      CodeURI: src/
      Event:
        Api: {Type: Api, Properties: {Path: /, Method: get}}
  Table:
    Type: AWS::Serverless::SimpleTable
    Properties:
      SseSpecification: {SSEEnabled: true}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: machine.asl.json
      Policys: [AWSXrayWriteOnlyAccess]
`;
    expect(problems(text)).toEqual([
      "8:7: cfn-sam-property resource Fn: CodeURI is not a property of AWS::Serverless::Function (CodeUri is); SAM rejects the template, and no rule reads it",
      "9:7: cfn-sam-property resource Fn: Event is not a property of AWS::Serverless::Function (Events is); SAM rejects the template, and no rule reads it",
      "14:7: cfn-sam-property resource Table: SseSpecification is not a property of AWS::Serverless::SimpleTable (SSESpecification is); SAM rejects the template, and no rule reads it",
      "19:7: cfn-sam-property resource Machine: Policys is not a property of AWS::Serverless::StateMachine (Policies is); SAM rejects the template, and no rule reads it",
    ]);
  });

  it("warns in Globals too, and passes over the properties SAM defines, intrinsics and other types", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timout: 30
    Runtime: nodejs20.x
  Api:
    TracingEnabled: true
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: src/
      Events:
        Get: {Type: HttpApi}
      Architectures: [arm64]
      DurableConfig: {ExecutionTimeout: 60}
      LoggingConfig: {LogFormat: JSON}
      Policies: [AWSLambdaBasicExecutionRole]
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      AlwaysDeploy: true
      Policy: {}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
      AccessLogSettings: {DestinationArn: arn, Format: x}
  Whole:
    Type: AWS::Serverless::Function
    Properties: !If [Never, {Handler: a}, {Handler: b}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketNam: typo-left-to-cfn-lint
Conditions:
  Never: !Equals [a, b]
`;
    expect(problems(text)).toEqual([
      "4:5: cfn-sam-property Globals.Function: Timout is not a property of AWS::Serverless::Function (Timeout is); SAM rejects the template, and no rule reads it",
    ]);
  });
});

describe("SAM resource types", () => {
  it("warns at a type close to one SAM defines, naming the one meant", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Functon
    Properties:
      Handler: index.handler
  Lower:
    Type: AWS::Serverless::function
    Properties:
      Handler: index.handler
  Machine:
    Type: AWS::Serverless::StateMachines
    Properties:
      DefinitionUri: machine.asl.json
`;
    expect(problems(text)).toEqual([
      "4:11: cfn-resource-type resource Fn: AWS::Serverless::Functon is not a SAM resource type (Function is); no rule reads it",
      "8:11: cfn-resource-type resource Lower: AWS::Serverless::function is not a SAM resource type (Function is); no rule reads it",
      "12:11: cfn-resource-type resource Machine: AWS::Serverless::StateMachines is not a SAM resource type (StateMachine is); no rule reads it",
    ]);
  });

  it("warns at a misspelt Serverless namespace, naming the type meant", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverles::Function
    Properties:
      Handler: index.handler
  Api:
    Type: AWS::ServerLess::Api
    Properties:
      StageName: prod
  Table:
    Type: AWS::Servrless::SimpleTabel
  Other:
    Type: AWS::Serverles::Anything
  Repo:
    Type: AWS::ServerlessRepo::Application
`;
    expect(problems(text)).toEqual([
      "4:11: cfn-resource-type resource Fn: AWS::Serverles::Function is not a resource type (AWS::Serverless::Function is); no rule reads it",
      "8:11: cfn-resource-type resource Api: AWS::ServerLess::Api is not a resource type (AWS::Serverless::Api is); no rule reads it",
      "12:11: cfn-resource-type resource Table: AWS::Servrless::SimpleTabel is not a resource type (AWS::Serverless::SimpleTable is); no rule reads it",
    ]);
  });

  it("passes over every type SAM defines, and a type close to none, which may be newer than this list", () => {
    const text = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fleet:
    Type: AWS::Serverless::CapacityProvider
    Properties:
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
  Socket:
    Type: AWS::Serverless::WebSocketApi
    Properties:
      RouteSelectionExpression: $request.body.action
  Graph:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaInline: "type Query { a: String }"
  Layer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Link:
    Type: AWS::Serverless::Connector
    Properties:
      Source: {Id: Fn}
      Destination: {Id: Layer}
      Permissions: [Read]
  Later:
    Type: AWS::Serverless::KnowledgeBase
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          OPERATOR: !GetAtt FleetOperatorRole.Arn
          LATER: !Ref LaterRole
`;
    expect(problems(text)).toEqual([]);
  });
});
