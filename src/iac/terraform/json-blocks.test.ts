import { describe, expect, it } from "vitest";
import { writtenPath } from "../../model/pointer.js";
import type { Resource } from "../../model/types.js";
import { renderPolicyDocument } from "./policy-document.js";
import { loadTerraform } from "./index.js";

function only(json: unknown): { resource: Resource; errors: unknown[] } {
  const { resources, errors } = loadTerraform([
    { path: "main.tf.json", text: JSON.stringify(json, null, 2) },
  ]);
  const [resource] = resources;
  if (!resource) throw new Error("no resource");
  return { resource, errors };
}

describe(".tf.json nested blocks written as one object", () => {
  it("reads an argument beside a dynamic block of its name as blocks, whichever comes first", () => {
    for (const order of ["argument first", "dynamic first"]) {
      const ingress = { from_port: 22, to_port: 22, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] };
      const dynamic = {
        ingress: {
          for_each: ["10.0.0.0/8"],
          content: {
            from_port: 443,
            to_port: 443,
            protocol: "tcp",
            cidr_blocks: ["${ingress.value}"],
          },
        },
      };
      const body = order === "argument first" ? { ingress, dynamic } : { dynamic, ingress };
      const { resource, errors } = only({ resource: { aws_security_group: { web: body } } });
      expect(errors).toEqual([]);
      const ports = (resource.config.ingress as { from_port: number }[]).map((b) => b.from_port);
      expect(ports.sort()).toEqual([22, 443]);
    }
  });

  it("expands dynamic blocks inside a one-object block, and a list of dynamic specs", () => {
    const { resource, errors } = only({
      data: {
        aws_iam_policy_document: {
          doc: {
            statement: {
              actions: ["s3:GetObject"],
              resources: ["*"],
              dynamic: {
                condition: [
                  {
                    for_each: ["a"],
                    content: {
                      test: "StringEquals",
                      variable: "aws:x",
                      values: ["${condition.value}"],
                    },
                  },
                  {
                    for_each: ["b"],
                    content: {
                      test: "StringLike",
                      variable: "aws:y",
                      values: ["${condition.value}"],
                    },
                  },
                ],
              },
            },
          },
        },
      },
    });
    expect(errors).toEqual([]);
    expect(resource.config.statement).toEqual([
      {
        actions: ["s3:GetObject"],
        resources: ["*"],
        condition: [
          { test: "StringEquals", variable: "aws:x", values: ["a"] },
          { test: "StringLike", variable: "aws:y", values: ["b"] },
        ],
      },
    ]);
  });

  it("renders a policy document whose statement, principals and condition are objects", () => {
    const config = {
      statement: {
        actions: ["s3:*"],
        resources: ["*"],
        principals: { type: "AWS", identifiers: ["*"] },
        condition: { test: "Bool", variable: "aws:SecureTransport", values: ["false"] },
      },
    };
    const rendered = renderPolicyDocument(config);
    expect(rendered.document.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "s3:*",
        Resource: "*",
        Principal: { AWS: "*" },
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    const principal = rendered.links.find((l) => l.document.join("/") === "Statement/0/Principal");
    expect(principal?.config).toEqual(["statement", "principals"]);
  });

  it("takes index 0 of a one-object block as the object itself", () => {
    const config = { versioning: { enabled: false }, rule: [{ id: "a" }] };
    expect(writtenPath(config, ["versioning", 0, "enabled"])).toEqual(["versioning", "enabled"]);
    expect(writtenPath(config, ["rule", 0, "id"])).toEqual(["rule", 0, "id"]);
    expect(writtenPath(config, ["absent", 0])).toEqual(["absent", 0]);
  });
});
