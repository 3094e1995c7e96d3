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
