// A Terraform `removed` block with `lifecycle { destroy = false }` forgets a resource without
// destroying it: what the resource exposed stays deployed, so its findings are not fixed.
import { describe, expect, it } from "vitest";
import { diffArgs, runOnFiles } from "./support/cli.js";

const base = `resource "aws_security_group" "legacy" {
  name        = "legacy"
  description = "legacy"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const removed = (lifecycle: string) => `removed {
  from = aws_security_group.legacy
${lifecycle}}
`;

async function diff(head: string) {
  const files = { "base/main.tf": base, "head/main.tf": head };
  const { stdout, stderr } = await runOnFiles("removed", files, (dir) => diffArgs(dir));
  expect(stderr).toBe("");
  return stdout;
}

describe("removed blocks", () => {
  it("does not count the findings of a resource forgotten with destroy = false as fixed", async () => {
    const out = await diff(removed("  lifecycle {\n    destroy = false\n  }\n"));
    expect(out).not.toContain("[fixed]");
    expect(out).toContain(
      "1 base finding not counted as fixed: no longer managed here, still deployed (removed with destroy = false at main.tf:1)",
    );
  });

  it.each([["  lifecycle {\n    destroy = true\n  }\n"], [""]])(
    "counts a removal that destroys as fixed",
    async (lifecycle) => {
      const out = await diff(removed(lifecycle));
      expect(out).toContain("TG-NET-001 SSH open to the internet [fixed]");
      expect(out).not.toContain("not counted as fixed");
    },
  );
});

// Review finding 14 (session 22): CloudFormation's twin. A resource whose `DeletionPolicy` is
// `Retain` (or `RetainExceptOnCreate`) stays deployed when the template stops declaring it.
const topic =
  "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: alias/x\n";
const sg = (policy: string) =>
  `  Sg:\n    Type: AWS::EC2::SecurityGroup\n${policy}    Properties:\n      GroupDescription: ssh\n      VpcId: vpc-123\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n`;

async function diffTemplates(baseText: string, headText: string) {
  const files = { "base/t.yaml": baseText, "head/t.yaml": headText };
  const { stdout, stderr } = await runOnFiles("retained", files, (dir) => diffArgs(dir));
  expect(stderr).toBe("");
  return stdout;
}

describe("CloudFormation DeletionPolicy", () => {
  it.each([["Retain"], ["RetainExceptOnCreate"]])(
    "does not count the findings of a resource removed under DeletionPolicy: %s as fixed",
    async (policy) => {
      const out = await diffTemplates(topic + sg(`    DeletionPolicy: ${policy}\n`), topic);
      expect(out).not.toContain("[fixed]");
      expect(out).toContain(
        `2 base findings not counted as fixed: retained by its DeletionPolicy, still deployed (no longer declared at head; base DeletionPolicy: Sg ${policy} at t.yaml:8)`,
      );
    },
  );

  it.each([["    DeletionPolicy: Delete\n"], ["    DeletionPolicy: Snapshot\n"], [""]])(
    "counts a removal under DeletionPolicy Delete, Snapshot or none as fixed",
    async (policy) => {
      const out = await diffTemplates(topic + sg(policy), topic);
      expect(out).toContain("TG-NET-001 SSH open to the internet [fixed]");
      expect(out).not.toContain("not counted as fixed");
    },
  );

  it("a retained resource the head still declares is neither fixed nor retained", async () => {
    const kept = topic + sg("    DeletionPolicy: Retain\n");
    const out = await diffTemplates(kept, `# moved\n${kept}`);
    expect(out).not.toContain("[fixed]");
    expect(out).not.toContain("not counted as fixed");
  });
});
