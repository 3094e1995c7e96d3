import { describe, expect, it } from "vitest";
import { corpusSource } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import { locate } from "../../policy/findings.js";
import { loadCloudFormation } from "./index.js";

function resource(resources: Resource[], address: string): Resource {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`no ${address}`);
  return found;
}

function lineOf(r: Resource, pointer: string): number | undefined {
  return locate(r, pointer)?.line;
}

describe("resource attributes (meta)", () => {
  it("keeps cfngoat's DeletionPolicy and DependsOn, located (corpus)", () => {
    const { resources, errors } = loadCloudFormation(corpusSource("real/cfngoat/cfngoat.yaml"));
    expect(errors.filter((e) => e.level !== "warning")).toEqual([]);
    const flowBucket = resource(resources, "FlowBucket");
    expect(flowBucket.meta).toEqual({ DeletionPolicy: "Delete" });
    expect(lineOf(flowBucket, "/$meta/DeletionPolicy")).toBe(351);
    const route = resource(resources, "WebDefaultPublicRoute");
    expect(route.meta).toEqual({ DependsOn: ["InternetGatewayAttachment"] });
    expect(lineOf(route, "/$meta/DependsOn/0")).toBe(284);
    expect(resource(resources, "WebVPC").meta).toBeUndefined();
    // Seven resources write `DeletionPolicy: Delete`, none `Retain` or `Snapshot`.
    const policies = resources.flatMap((r) =>
      r.meta?.DeletionPolicy ? [r.meta.DeletionPolicy] : [],
    );
    expect(policies).toEqual(Array(7).fill("Delete"));
  });

  const template = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Stage:
    Type: String
  Kept:
    Type: String
    Default: Retain
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  Always: !Equals [a, a]
Resources:
  Log:
    Type: AWS::S3::Bucket
  Table:
    Type: AWS::DynamoDB::Table
    Condition: Always
    DependsOn: Log
    DeletionPolicy: !If [IsProd, Retain, Delete]
    UpdateReplacePolicy: !Ref Kept
    Metadata:
      Owner: !Ref Log
    Properties:
      BillingMode: PAY_PER_REQUEST
`;

  it("evaluates intrinsics in attributes as in Properties, located under /$meta", () => {
    const { resources, errors } = loadCloudFormation({ path: "t.yaml", text: template });
    expect(errors).toEqual([]);
    const table = resource(resources, "Table");
    expect(table.meta).toEqual({
      Condition: "Always",
      DependsOn: "Log",
      DeletionPolicy: { $unknown: "!If [IsProd, Retain, Delete]" },
      UpdateReplacePolicy: "Retain",
      Metadata: { Owner: { $unknown: "!Ref Log" } },
    });
    // An undecided Fn::If is one alternative per branch, as a property's is.
    expect(table.alternatives).toEqual({
      "/$meta/DeletionPolicy": [
        { condition: "IsProd", value: "Retain" },
        { condition: "not IsProd", value: "Delete" },
      ],
    });
    expect(lineOf(table, "/$meta/DeletionPolicy")).toBe(19);
    // A parameter's Default is where the value is written; the attribute is where it is read.
    expect(lineOf(table, "/$meta/UpdateReplacePolicy")).toBe(8);
    expect(table.readAt?.["/$meta/UpdateReplacePolicy"]?.line).toBe(20);
    // Metadata's Ref does not join the resource's references: DependsOn alone names Log.
    expect(table.references).toEqual(["Log"]);
    expect(table.config).toEqual({ BillingMode: "PAY_PER_REQUEST" });
  });
});
