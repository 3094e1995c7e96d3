// OpenTofu's own files (`.tofu`, `.tofu.json`) are read as Terraform's, with OpenTofu's precedence
// (a `main.tofu` in place of the `main.tf` beside it); review finding 13 (session 21): a PR could
// add `main.tofu` (what OpenTofu deploys) beside a benign `main.tf` (what Tollgate judged).
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

const openSsh = `resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;
const benign = openSsh.replace("0.0.0.0/0", "10.0.0.0/8");

interface Finding {
  rule: string;
  file: string;
  line: number;
  status: string;
}
const named = (findings: Finding[]) =>
  findings.map(
    (f) => `${f.rule} ${f.file.replace(/^.*opentofu[^/]*\//, "")}:${f.line} ${f.status}`,
  );

describe("tollgate scan and diff on OpenTofu files", () => {
  it("scan judges a .tofu file in place of the .tf beside it, and a .tofu.json in a subfolder", async () => {
    const run = await runOnFiles(
      "opentofu",
      {
        "main.tf": benign,
        "main.tofu": openSsh,
        "net/extra.tofu.json": JSON.stringify({
          resource: {
            aws_security_group_rule: {
              rdp: {
                type: "ingress",
                security_group_id: "sg-1",
                from_port: 3389,
                to_port: 3389,
                protocol: "tcp",
                cidr_blocks: ["0.0.0.0/0"],
              },
            },
          },
        }),
      },
      (dir) => ["scan", dir, "--format", "json"],
    );
    const report = JSON.parse(run.stdout) as {
      findings: Finding[];
      errors: unknown[];
      warnings: Array<{ file: string; line: number; code: string }>;
    };
    expect(named(report.findings)).toEqual([
      "TG-NET-001 main.tofu:7 new",
      "TG-NET-002 net/extra.tofu.json:1 new",
    ]);
    expect(report.errors).toEqual([]);
    expect(
      report.warnings.map((e) => `${e.file.replace(/^.*opentofu[^/]*\//, "")}:${e.line} ${e.code}`),
    ).toEqual(["main.tf:1 opentofu-precedence"]);
    expect(run.code).toBe(1);
  });

  it("diff blocks a .tofu file a pull request adds beside a benign .tf", async () => {
    const run = await runOnFiles(
      "opentofu-diff",
      {
        "base/main.tf": benign,
        "head/main.tf": benign,
        "head/main.tofu": openSsh,
      },
      (dir) => diffArgs(dir, "--format", "json"),
    );
    expect(named(jsonFindings<Finding>(run.stdout))).toEqual(["TG-NET-001 main.tofu:7 new"]);
    expect(run.code).toBe(1);
  });
});
