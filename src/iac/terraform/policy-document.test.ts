import { describe, expect, it } from "vitest";
import { renderPolicyDocument } from "./policy-document.js";

describe("aws_iam_policy_document rendering", () => {
  it("writes the provider's shapes: default Allow and Version, single values as strings, sets reverse-sorted", () => {
    const rendered = renderPolicyDocument({
      policy_id: "trust",
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [
            { type: "Service", identifiers: ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"] },
            { type: "AWS", identifiers: ["arn:aws:iam::1:root"] },
            { type: "Service", identifiers: ["lambda.amazonaws.com"] },
          ],
          condition: [
            { test: "StringEquals", variable: "aws:PrincipalTag/team", values: ["a", "c", "b"] },
            { test: "Bool", variable: "aws:MultiFactorAuthPresent", values: ["true"] },
          ],
        },
      ],
    });
    expect(JSON.parse(rendered.json)).toEqual({
      Version: "2012-10-17",
      Id: "trust",
      Statement: [
        {
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: {
            AWS: "arn:aws:iam::1:root",
            Service: ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "lambda.amazonaws.com"],
          },
          Condition: {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            StringEquals: { "aws:PrincipalTag/team": ["c", "b", "a"] },
          },
        },
      ],
    });
    expect(rendered.minifiedJson).toBe(JSON.stringify(JSON.parse(rendered.json)));
    expect(Object.keys(JSON.parse(rendered.json).Statement[0])).toEqual([
      "Effect",
      "Action",
      "Principal",
      "Condition",
    ]);
  });

  it("names a condition whose operator or key is unknown by its expression", () => {
    const rendered = renderPolicyDocument({
      statement: [
        {
          actions: ["sts:AssumeRole"],
          condition: [
            {
              test: { $unknown: "condition.value.test" },
              variable: { $unknown: "condition.value.variable" },
              values: { $unknown: "condition.value.values" },
            },
            { test: "Bool", variable: "aws:SecureTransport", values: ["true"] },
          ],
        },
      ],
    });
    expect(JSON.parse(rendered.json).Statement[0].Condition).toEqual({
      Bool: { "aws:SecureTransport": "true" },
      '{"$unknown":"condition.value.test"}': {
        '{"$unknown":"condition.value.variable"}': { $unknown: "condition.value.values" },
      },
    });
  });

  it('writes a lone "*" principal as the string "*" and keeps NotPrincipal apart', () => {
    const rendered = renderPolicyDocument({
      statement: [
        {
          effect: "Deny",
          not_actions: ["iam:*", "s3:*"],
          resources: ["*"],
          principals: [{ type: "*", identifiers: ["*"] }],
        },
        {
          sid: "X",
          actions: ["*"],
          not_principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:user/a"] }],
        },
      ],
    });
    expect(JSON.parse(rendered.json).Statement).toEqual([
      { Effect: "Deny", NotAction: ["s3:*", "iam:*"], Resource: "*", Principal: "*" },
      { Sid: "X", Effect: "Allow", Action: "*", NotPrincipal: { AWS: "arn:aws:iam::1:user/a" } },
    ]);
  });

  it("links each rendered element to the config path it was written at", () => {
    const rendered = renderPolicyDocument({
      statement: [{ actions: ["b:x", "a:y", "c:z"], resources: ["*"] }],
    });
    const link = (path: string): string | undefined =>
      rendered.links.find((l) => l.document.join("/") === path)?.config.join("/");
    expect(JSON.parse(rendered.json).Statement[0].Action).toEqual(["c:z", "b:x", "a:y"]);
    expect(link("Statement/0/Action/0")).toBe("statement/0/actions/2");
    expect(link("Statement/0/Action/2")).toBe("statement/0/actions/1");
    expect(link("Statement/0/Resource")).toBe("statement/0/resources/0");
    expect(link("Statement/0")).toBe("statement/0");
  });

  it("keeps an unknown list visible instead of guessing it", () => {
    const rendered = renderPolicyDocument({
      statement: [
        {
          actions: { $unknown: "var.actions" },
          resources: ["*", { $unknown: "aws_s3_bucket.b.arn" }],
        },
      ],
    });
    expect(JSON.parse(rendered.json).Statement[0]).toEqual({
      Effect: "Allow",
      Action: { $unknown: "var.actions" },
      Resource: ["*", { $unknown: "aws_s3_bucket.b.arn" }],
    });
  });
});
