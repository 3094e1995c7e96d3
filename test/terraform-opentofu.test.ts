// OpenTofu's own files (`.tofu`, `.tofu.json`) are read as Terraform's, with OpenTofu's precedence
// (a `main.tofu` in place of the `main.tf` beside it); review finding 13 (session 21): a PR could
// add `main.tofu` (what OpenTofu deploys) beside a benign `main.tf` (what Tollgate judged). Which
// tool deploys is the settings' `terraform.tool`; absent, a folder the two read differently is an
// error (session 22 review finding 5: a PR opening SSH in a Terraform-deployed `main.tf` and adding
// the old file as `main.tofu` passed).
import path from "node:path";
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
  it("scan under terraform.tool: opentofu judges a .tofu file in place of the .tf beside it, and a .tofu.json in a subfolder", async () => {
    const run = await runOnFiles(
      "opentofu",
      {
        "settings/tollgate.yml": "terraform:\n  tool: opentofu\n",
        "repo/main.tf": benign,
        "repo/main.tofu": openSsh,
        "repo/net/extra.tofu.json": JSON.stringify({
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
      (dir) => [
        "scan",
        path.join(dir, "repo"),
        "--config",
        path.join(dir, "settings/tollgate.yml"),
        "--format",
        "json",
      ],
    );
    const report = JSON.parse(run.stdout) as {
      findings: Finding[];
      errors: unknown[];
      warnings: Array<{ file: string; line: number; code: string }>;
    };
    expect(named(report.findings)).toEqual([
      "TG-NET-001 repo/main.tofu:7 new",
      "TG-NET-002 repo/net/extra.tofu.json:1 new",
    ]);
    expect(report.errors).toEqual([]);
    expect(
      report.warnings.map((e) => `${e.file.replace(/^.*opentofu[^/]*\//, "")}:${e.line} ${e.code}`),
    ).toEqual(["repo/main.tf:1 opentofu-precedence"]);
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

  // /tmp/s22/review/r-tofu: the base's main.tf opens SSH to 10.0.0.0/8; the head's to 0.0.0.0/0,
  // and adds the base's file as main.tofu. Terraform deploys main.tf, OpenTofu main.tofu.
  const sshFrom = (cidr: string) => `variable "ssh_cidr" {
  type    = string
  default = "${cidr}"
}
${openSsh.replace('"0.0.0.0/0"', "var.ssh_cidr")}`;
  const hidden = {
    "base/main.tf": sshFrom("10.0.0.0/8"),
    "head/main.tf": sshFrom("0.0.0.0/0"),
    "head/main.tofu": sshFrom("10.0.0.0/8"),
  };
  type Report = {
    findings: Finding[];
    errors: Array<{ file: string; line: number; code: string; message: string }>;
    warnings: Array<{ file: string; line: number; code: string }>;
  };
  const diffWith = (tool: string | undefined) =>
    runOnFiles(
      "opentofu-hidden",
      tool === undefined
        ? hidden
        : { ...hidden, "settings/tollgate.yml": `terraform:\n  tool: ${tool}\n` },
      (dir) =>
        diffArgs(
          dir,
          "--format",
          "json",
          ...(tool === undefined ? [] : ["--config", path.join(dir, "settings/tollgate.yml")]),
        ),
    );
  const placed = (entries: Array<{ file: string; line: number; code: string }>) =>
    entries.map((e) => `${path.basename(e.file)}:${e.line} ${e.code}`);

  it("diff without terraform.tool blocks a .tf the change widens behind a .tofu copy of the old one", async () => {
    const run = await diffWith(undefined);
    const report = JSON.parse(run.stdout) as Report;
    expect(placed(report.errors)).toEqual(["main.tofu:1 opentofu-ambiguous"]);
    expect(report.errors[0]?.message).toContain("Terraform reads main.tf and not this file");
    expect(report.errors[0]?.message).toContain("set terraform.tool");
    expect(run.code).toBe(1);
  });

  it("diff under terraform.tool: terraform judges the .tf and leaves the .tofu out with a warning", async () => {
    const run = await diffWith("terraform");
    const report = JSON.parse(run.stdout) as Report;
    expect(named(report.findings)).toEqual(["TG-NET-001 main.tf:3 new"]);
    expect(report.errors).toEqual([]);
    expect(placed(report.warnings)).toEqual(["main.tofu:1 opentofu-not-read"]);
    expect(run.code).toBe(1);
  });

  it("diff under terraform.tool: opentofu judges the .tofu, as OpenTofu deploys it", async () => {
    const run = await diffWith("opentofu");
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(placed(report.warnings)).toEqual(["main.tf:1 opentofu-precedence"]);
    expect(run.code).toBe(0);
  });
});
