// A list or map holding certain elements beside an unknown part (`concat(var.office,
// ["0.0.0.0/0"])`, `merge(var.rules, { ssh = ... })`): the certain exposure is a blocking finding
// located where it is written, whatever the unknown part holds; the unknown part alone is still
// only "cannot tell", left out where a certain finding of its rule on the same resource and line
// restates it. The instance without a key standing for what the unknown part of a for_each adds
// exists only if that part is not empty: its findings are cannot tell.
import { describe, expect, it } from "vitest";
import { runOnFiles } from "./support/cli.js";
import path from "node:path";

interface JsonFinding {
  rule: string;
  line: number;
  status: string;
  enforcement: string;
  resource: string;
  unknown?: string;
}

/** The CLI's stdout and exit code in `format`. */
async function output(
  files: Record<string, string>,
  args: (dir: string) => string[],
  format: "json" | "text" | "sarif",
) {
  const { code, stdout, stderr } = await runOnFiles("partial", files, (dir) => [
    ...args(dir),
    "--format",
    format,
  ]);
  expect(stderr).toBe("");
  return { code, stdout };
}

async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  const { code, stdout } = await output(files, args, "json");
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

describe("a cannot-tell finding a certain one restates", () => {
  const twoSources = `variable "office" { type = list(string) }
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.office
  }
}
`;
  const files = { ...advisory, "src/main.tf": group('concat(var.office, ["0.0.0.0/0"])') };
  const args = (dir: string) => [
    "scan",
    path.join(dir, "src"),
    "--config",
    path.join(dir, "tollgate.yml"),
  ];

  it("is left out on the line where SSH is certainly open, in JSON, text and SARIF", async () => {
    const { code, findings } = await run(files, args);
    expect(findings).toEqual(["9 TG-NET-001 new blocking"]);
    expect(code).toBe(1);
    const text = await output(files, args, "text");
    expect(text.stdout).not.toContain("cannot tell");
    expect(text.stdout).toContain("failure: 1 blocking new finding (1 high)\n");
    const sarif = JSON.parse((await output(files, args, "sarif")).stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
    };
    expect(sarif.runs[0]?.results.map((r) => `${r.ruleId} ${r.level}`)).toEqual([
      "TG-NET-001 error",
    ]);
  });

  it("is kept on a line no certain finding is on", async () => {
    const { findings } = await scan({ "src/main.tf": twoSources });
    expect(findings).toEqual([
      "15 TG-NET-001 new advisory cannot tell: var.office",
      "9 TG-NET-001 new blocking",
    ]);
  });

  it("is left out in a diff too, beside the existing finding it would restate", async () => {
    const { code, findings } = await run(
      {
        ...advisory,
        "base/main.tf": group('["0.0.0.0/0"]'),
        "head/main.tf": group('concat(var.office, ["0.0.0.0/0"])'),
      },
      (dir) => [
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--config",
        path.join(dir, "tollgate.yml"),
      ],
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
    // y["b"] is new on its for_each line; x["a"] is fixed, not the instance without a key's,
    // whose cannot tell (var.extra may add none) y["b"]'s finding on the same line restates.
    expect(publicAcl(findings)).toEqual([
      "5 TG-IAM-017 new blocking",
      "7 TG-IAM-017 fixed blocking",
    ]);
  });

  const scanBuckets = (forEach: string, settings: Record<string, string> = {}) =>
    run({ ...settings, "src/main.tf": buckets("x", forEach) }, (dir) => [
      "scan",
      path.join(dir, "src"),
      ...(settings["tollgate.yml"] ? ["--config", path.join(dir, "tollgate.yml")] : []),
    ]);
  const diffWith = (base: string, head: string, settings: Record<string, string>) =>
    run({ ...settings, "base/main.tf": base, "head/main.tf": head }, (dir) => [
      "diff",
      "--base-dir",
      path.join(dir, "base"),
      "--head-dir",
      path.join(dir, "head"),
      ...(settings["tollgate.yml"] ? ["--config", path.join(dir, "tollgate.yml")] : []),
    ]);

  it.each([["ignore", {}] as const, ["advisory", advisory] as const])(
    "blocks on the known instance alone, the one without a key being a maybe (unknown_values: %s)",
    async (_, settings) => {
      const { code, findings } = await scanBuckets('setunion(["a"], var.extra)', settings);
      expect(publicAcl(findings)).toEqual(["7 TG-IAM-017 new blocking"]);
      expect(code).toBe(1);
    },
  );

  it.each([["ignore", {}] as const, ["advisory", advisory] as const])(
    "opens nothing new when a for_each over a known set gains an unknown part (unknown_values: %s)",
    async (_, settings) => {
      for (const base of ['toset(["a"])', 'setunion(["a"], var.extra)']) {
        const { code, findings } = await diffWith(
          buckets("x", base),
          buckets("x", 'setunion(["a"], var.extra)'),
          settings,
        );
        expect(publicAcl(findings)).toEqual(["7 TG-IAM-017 existing blocking"]);
        expect(code).toBe(0);
      }
    },
  );

  it("says the instance without a key exists only when the unknown part is not empty", async () => {
    const { code, stdout } = await output(
      {
        ...advisory,
        "src/main.tf": `variable "extra" { type = list(string) }
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
}
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = setunion(["10.0.0.0/8"], var.extra)
  security_group_id = aws_security_group.a.id
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
  cidr_ipv4         = each.key
}
`,
      },
      (dir) => ["scan", path.join(dir, "src"), "--config", path.join(dir, "tollgate.yml")],
      "json",
    );
    const { findings } = JSON.parse(stdout) as {
      findings: Array<JsonFinding & { message: string }>;
    };
    expect(
      findings.filter((f) => f.rule === "TG-NET-001").map((f) => [f.resource, f.enforcement]),
    ).toEqual([["aws_vpc_security_group_ingress_rule.ssh", "advisory"]]);
    expect(findings.find((f) => f.rule === "TG-NET-001")?.message).toMatch(
      / Only when var\.extra is not empty\.$/,
    );
    expect(code).toBe(0);
  });

  it("blocks on the one instance of a for_each over a list literal with an unknown element, which is not empty", async () => {
    const { code, findings } = await scanBuckets('toset(["a", var.extra[0]])');
    expect(publicAcl(findings)).toEqual(["7 TG-IAM-017 new blocking"]);
    expect(code).toBe(1);
  });

  it("keeps a known instance existing when a partial for_each becomes wholly unknown", async () => {
    const { findings } = await diff(
      buckets("x", 'setunion(["a"], var.extra)'),
      buckets("x", "var.extra"),
    );
    expect(publicAcl(findings)).toEqual(["7 TG-IAM-017 existing blocking"]);
  });
});

describe("the block a dynamic block adds for a partial collection's unknown part", () => {
  // The block for "a" exists and opens SSH; the one standing for what var.names adds may not.
  const ssh = (forEach: string) => `variable "names" { type = list(string) }
resource "aws_security_group" "a" {
  name        = "a"
  description = "a"
  dynamic "ingress" {
    for_each = ${forEach}
    content {
      description = ingress.value
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
`;
  const scanGroup = (forEach: string, settings: Record<string, string>) =>
    run({ ...settings, "src/main.tf": ssh(forEach) }, (dir) => [
      "scan",
      path.join(dir, "src"),
      ...(settings["tollgate.yml"] ? ["--config", path.join(dir, "tollgate.yml")] : []),
    ]);

  it.each([["ignore", {}] as const, ["advisory", advisory] as const])(
    "blocks once, on the known element's block, its maybe restated there (unknown_values: %s)",
    async (_, settings) => {
      for (const forEach of [
        'concat(["a"], var.names)',
        'setunion(["a"], var.names)',
        '[for n in concat(["a"], var.names) : n]',
        'merge({ a = "a" }, { for n in var.names : n => n })',
      ]) {
        const { code, findings } = await scanGroup(forEach, settings);
        expect(findings, forEach).toEqual(["12 TG-NET-001 new blocking"]);
        expect(code).toBe(1);
      }
    },
  );

  it("reports the known element's block alone, without a condition", async () => {
    const { stdout } = await output(
      { ...advisory, "src/main.tf": ssh('concat(["a"], var.names)') },
      (dir) => ["scan", path.join(dir, "src"), "--config", path.join(dir, "tollgate.yml")],
      "json",
    );
    const { findings } = JSON.parse(stdout) as {
      findings: Array<JsonFinding & { message: string }>;
    };
    expect(findings.map((f) => [f.line, f.rule, f.enforcement, f.unknown, f.message])).toEqual([
      [
        12,
        "TG-NET-001",
        "blocking",
        undefined,
        "The security group allows SSH (tcp/22) from 0.0.0.0/0: restrict the source to known addresses.",
      ],
    ]);
  });

  it("keeps a block's finding existing when its dynamic block's collection gains an unknown part", async () => {
    const { code, findings } = await run(
      { "base/main.tf": ssh('["a"]'), "head/main.tf": ssh('concat(["a"], var.names)') },
      (dir) => ["diff", "--base-dir", path.join(dir, "base"), "--head-dir", path.join(dir, "head")],
    );
    expect(findings).toEqual(["12 TG-NET-001 existing blocking"]);
    expect(code).toBe(0);
  });
});
