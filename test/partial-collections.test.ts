// A list or map holding certain elements beside an unknown part (`concat(var.office,
// ["0.0.0.0/0"])`, `merge(var.rules, { ssh = ... })`): the certain exposure is a blocking finding
// located where it is written, whatever the unknown part holds; the unknown part alone is still
// only "cannot tell".
import { describe, expect, it } from "vitest";
import path from "node:path";
import { main } from "../src/cli/index.js";
import { withTempDir, writeFiles } from "./support/tempDir.js";

interface JsonFinding {
  rule: string;
  line: number;
  status: string;
  enforcement: string;
  resource: string;
  unknown?: string;
}

async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  return withTempDir("partial", async (dir) => {
    await writeFiles(dir, files);
    let stdout = "";
    let stderr = "";
    const code = await main([...args(dir), "--format", "json"], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: dir,
    });
    expect(stderr).toBe("");
    const { findings } = JSON.parse(stdout) as { findings: JsonFinding[] };
    return {
      code,
      findings: findings
        .map(
          (f) =>
            `${f.line} ${f.rule} ${f.status} ${f.enforcement}${f.unknown ? ` cannot tell: ${f.unknown}` : ""}`,
        )
        .sort(),
    };
  });
}

const advisory = { "tollgate.yml": "rule_settings:\n  unknown_values: advisory\n" };
const scan = (files: Record<string, string>) =>
  run({ ...advisory, ...files }, (dir) => [
    "scan",
    path.join(dir, "src"),
    "--config",
    path.join(dir, "tollgate.yml"),
  ]);

const group = (cidrs: string) => `variable "office" { type = list(string) }
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ${cidrs}
  }
}
`;

describe("known elements beside an unknown part", () => {
  it.each([
    ['concat(var.office, ["0.0.0.0/0"])'],
    ['distinct(compact(flatten([var.office, "0.0.0.0/0", null])))'],
    ['setunion(var.office, ["0.0.0.0/0"])'],
  ])("reports the internet in %s as blocking", async (cidrs) => {
    const { code, findings } = await scan({ "src/main.tf": group(cidrs) });
    expect(findings).toContain("9 TG-NET-001 new blocking");
    expect(code).toBe(1);
  });

  it('reports full admin from concat(var.extra_actions, ["*"]) as blocking', async () => {
    const { findings } = await scan({
      "src/main.tf": `variable "extra_actions" { type = list(string) }
data "aws_iam_policy_document" "d" {
  statement {
    actions   = concat(var.extra_actions, ["*"])
    resources = ["*"]
  }
}
resource "aws_iam_role_policy" "r" {
  role   = "ci"
  policy = data.aws_iam_policy_document.d.json
}
`,
    });
    expect(findings).toContain("4 TG-IAM-002 new blocking");
  });

  it("reports the certain key of a merge feeding for_each and a dynamic block, on its line", async () => {
    const { findings } = await scan({
      "src/main.tf": `variable "extra_rules" { type = map(object({ port = number, cidr = string })) }
locals {
  rules = merge(var.extra_rules, {
    ssh = { port = 22, cidr = "0.0.0.0/0" }
  })
}
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
resource "aws_vpc_security_group_ingress_rule" "r" {
  for_each          = local.rules
  security_group_id = aws_security_group.a.id
  from_port         = each.value.port
  to_port           = each.value.port
  ip_protocol       = "tcp"
  cidr_ipv4         = each.value.cidr
}
`,
    });
    expect(findings.filter((f) => f.includes("blocking"))).toEqual([
      "4 TG-NET-001 new blocking",
      "4 TG-NET-001 new blocking",
    ]);
    // The rules var.extra_rules may add are still "cannot tell".
    expect(findings.filter((f) => f.includes("cannot tell")).length).toBe(2);
  });

  it("reports no certain finding for private CIDRs beside an unknown part, and leaves an unknown alone advisory", async () => {
    const privateOnly = await scan({
      "src/main.tf": group('concat(var.office, ["10.0.0.0/8"])'),
    });
    expect(privateOnly.findings.filter((f) => f.includes("blocking"))).toEqual([]);
    const unknownOnly = await scan({ "src/main.tf": group("concat(var.office, var.office)") });
    expect(unknownOnly.findings).toEqual([
      "9 TG-NET-001 new advisory cannot tell: concat(var.office, var.office)",
    ]);
    expect(unknownOnly.code).toBe(0);
  });

  it("keeps an exposure the base already had existing when the head adds concat with a variable", async () => {
    const { code, findings } = await run(
      {
        "base/main.tf": group('["0.0.0.0/0"]'),
        "head/main.tf": group('concat(var.office, ["0.0.0.0/0"])'),
      },
      (dir) => ["diff", "--base-dir", path.join(dir, "base"), "--head-dir", path.join(dir, "head")],
    );
    expect(findings).toEqual(["9 TG-NET-001 existing blocking"]);
    expect(code).toBe(0);
  });
});

describe("instances of a for_each over a partial collection across a diff", () => {
  const buckets = (name: string, forEach: string, extra = "") => `variable "extra" {
  type = list(string)
}
resource "aws_s3_bucket" "${name}" {
  for_each = ${forEach}
  bucket   = each.key
  acl      = "public-read"
}
${extra}`;
  const diff = (base: string, head: string) =>
    run({ ...advisory, "base/main.tf": base, "head/main.tf": head }, (dir) => [
      "diff",
      "--base-dir",
      path.join(dir, "base"),
      "--head-dir",
      path.join(dir, "head"),
      "--config",
      path.join(dir, "tollgate.yml"),
    ]);
  const publicAcl = (findings: string[]) => findings.filter((f) => f.includes("TG-IAM-017"));

  it("never moves a keyed instance onto the instance without a key", async () => {
    const { findings } = await diff(
      buckets("x", 'toset(["a"])'),
      buckets(
        "y",
        'setunion(["b"], var.extra)',
        'moved {\n  from = aws_s3_bucket.x["a"]\n  to   = aws_s3_bucket.y\n}\n',
      ),
    );
    // y["b"] is new on its for_each line; x["a"] is fixed, not the instance without a key's.
    expect(publicAcl(findings)).toEqual([
      "5 TG-IAM-017 new blocking",
      "7 TG-IAM-017 fixed blocking",
      "7 TG-IAM-017 new blocking",
    ]);
  });

  it("keeps a known instance existing when a partial for_each becomes wholly unknown", async () => {
    const { findings } = await diff(
      buckets("x", 'setunion(["a"], var.extra)'),
      buckets("x", "var.extra"),
    );
    expect(publicAcl(findings)).toEqual(["7 TG-IAM-017 existing blocking"]);
  });
});
