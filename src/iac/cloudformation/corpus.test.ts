import { describe, expect, it } from "vitest";
import { corpusSource, kicsExamples } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import { isCloudFormation, loadCloudFormation } from "./index.js";
import { parseTemplate, parseYamlTemplate } from "./parse.js";
import type { TemplateNode } from "./parse.js";

/** Not templates: a bare map of resources with no `Resources` section (CloudFormation rejects them). */
const NOT_TEMPLATES = new Set([
  "kics/cloudformation/security_groups_with_unrestricted_access_to_ssh/test/negative3.json",
  "kics/cloudformation/security_groups_with_unrestricted_access_to_ssh/test/negative4.json",
]);

function resource(resources: Resource[], name: string): Resource {
  const found = resources.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no resource ${name}`);
  return found;
}

describe("CloudFormation corpus", () => {
  it("loads both cfngoat templates without an error", () => {
    const counts = ["real/cfngoat/cfngoat.yaml", "real/cfngoat/eks.yaml"].map((file) => {
      const model = loadCloudFormation(corpusSource(file));
      expect(isCloudFormation(corpusSource(file))).toBe(true);
      expect(model.errors).toEqual([]);
      return model.resources.length;
    });
    expect(counts).toEqual([45, 24]);
  });

  it("loads every KICS CloudFormation fixture on its own, with no error but the names it leaves undeclared", () => {
    const fixtures = kicsExamples("cloudformation");
    expect(fixtures.length).toBe(62);
    let resources = 0;
    const naming: string[] = [];
    for (const file of fixtures.filter((fixture) => !NOT_TEMPLATES.has(fixture))) {
      const template = corpusSource(file);
      expect(isCloudFormation(template), file).toBe(true);
      const model = loadCloudFormation(template);
      const undeclared = model.errors.filter((error) => error.code === "cfn-undeclared-reference");
      expect(model.errors.length - undeclared.length, file).toBe(0);
      if (undeclared.length > 0) naming.push(file);
      expect(model.resources.length, file).toBeGreaterThan(0);
      resources += model.resources.length;
    }
    expect(resources).toBeGreaterThan(100);
    // KICS trims a fixture to the resources its query reads, leaving what they name undeclared
    // (`!Ref MyVPC`, `!GetAtt Topic.TopicName`): CloudFormation rejects these, and so does the gate.
    expect(naming).toHaveLength(18);
  });

  it("does not take a bare map of resources for a template", () => {
    for (const file of NOT_TEMPLATES) {
      expect(isCloudFormation(corpusSource(file))).toBe(false);
      expect(loadCloudFormation(corpusSource(file)).errors.map((error) => error.code)).toEqual([
        "cfn-template",
      ]);
    }
  });

  it("reads JSON fixtures to the tree and spans the YAML parser gives, and the values JSON.parse gives", () => {
    const plain = (node: TemplateNode): unknown =>
      node.kind === "scalar"
        ? node.value
        : node.kind === "sequence"
          ? node.items.map(plain)
          : Object.fromEntries(node.entries.map((entry) => [entry.key, plain(entry.value)]));
    const jsonFixtures = kicsExamples("cloudformation").filter((fixture) =>
      fixture.endsWith(".json"),
    );
    expect(jsonFixtures.length).toBe(24);
    for (const file of jsonFixtures) {
      const viaJson = parseTemplate(corpusSource(file));
      const viaYaml = parseYamlTemplate(corpusSource(file));
      expect(viaJson.errors, file).toEqual([]);
      expect(viaJson.root, file).toEqual(viaYaml.root);
      expect(viaJson.root && plain(viaJson.root), file).toEqual(
        JSON.parse(corpusSource(file).text),
      );
    }
  });

  it("locates resources and their properties on the lines they are written", () => {
    const { resources } = loadCloudFormation(corpusSource("real/cfngoat/cfngoat.yaml"));
    const webNode = resource(resources, "WebNodeSG");
    expect([webNode.line, webNode.column, webNode.type]).toEqual([
      112,
      3,
      "AWS::EC2::SecurityGroup",
    ]);
    expect(webNode.locations["/SecurityGroupIngress/1/FromPort"]?.line).toBe(124);
    expect(webNode.locations["/SecurityGroupIngress/1/CidrIp"]).toMatchObject({
      line: 126,
      column: 9,
      endLine: 126,
      endColumn: 26,
    });
    expect(webNode.config.SecurityGroupIngress).toContainEqual({
      IpProtocol: "tcp",
      FromPort: 22,
      ToPort: 22,
      CidrIp: "0.0.0.0/0",
    });

    const db = resource(resources, "DefaultDB");
    expect(db.line).toBe(468);
    expect(db.locations["/StorageEncrypted"]?.line).toBe(488);
    expect(db.config.StorageEncrypted).toBe(false);
    expect(db.config.PubliclyAccessible).toBe(true);

    const cleanup = resource(resources, "CleanupRole");
    expect(cleanup.locations["/Policies/1/PolicyDocument/Statement/0/Action/2"]?.line).toBe(1092);
    expect(cleanup.config.Policies).toMatchObject([
      {
        PolicyName: "lambda-execute",
        PolicyDocument: { Statement: [{ Effect: "Allow", Action: ["logs:*"], Resource: "*" }] },
      },
      { PolicyName: "s3-object-delete" },
    ]);
  });

  it("reads CRLF line endings to the same model", () => {
    const unix = corpusSource("real/cfngoat/cfngoat.yaml");
    const windows = { path: unix.path, text: unix.text.replace(/\n/g, "\r\n") };
    const expected = loadCloudFormation(unix).resources;
    const actual = loadCloudFormation(windows).resources;
    expect(actual.map((resource) => resource.config)).toEqual(
      expected.map((resource) => resource.config),
    );
    const startLines = (resources: Resource[]) =>
      resources.map((resource) =>
        Object.values(resource.locations).map((location) => [
          location.line,
          location.column,
          location.endLine,
        ]),
      );
    expect(startLines(actual)).toEqual(startLines(expected));
  });

  it("evaluates !Sub, parameters and references on real templates", () => {
    const { resources } = loadCloudFormation(corpusSource("real/cfngoat/cfngoat.yaml"), {
      parameters: { "AWS::AccountId": "123456789012" },
    });
    const instance = resource(resources, "EC2Instance");
    expect(instance.config.Tags).toContainEqual({
      Key: "Name",
      Value: "123456789012-acme-dev-ec2",
    });
    expect(instance.config.ImageId).toEqual({ $unknown: "!Ref LatestAmiId" });
    expect(instance.config.AvailabilityZone).toEqual({ $unknown: '!Select ["0", !GetAZs ""]' });
    expect(instance.references).toEqual(["WebNodeSG", "WebSubnet"]);

    const flowLogs = resource(resources, "VpcFlowLogs");
    expect(flowLogs.config.LogDestination).toEqual({ $unknown: "!GetAtt FlowBucket.Arn" });
    expect(flowLogs.references).toContain("FlowBucket");

    const key = resource(resources, "LogsKey");
    expect(key.config.KeyPolicy).toMatchObject({
      Statement: [{ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*" }],
    });

    const eks = loadCloudFormation(corpusSource("real/cfngoat/eks.yaml")).resources;
    const cluster = resource(eks, "EKSCluster");
    expect(cluster.config.RoleArn).toEqual({ $unknown: "!GetAtt EKSIAMRole.Arn" });
    expect(cluster.references).toContain("EKSIAMRole");
  });
});
