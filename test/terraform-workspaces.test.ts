// Terraform roots whose values depend on the selected workspace (`local.cidrs[terraform.workspace]`),
// end to end (session 14's r14): what one workspace opens is reported "Only when terraform.workspace
// is prod" on the map entry that opens it, what every workspace opens once and unconditionally, and
// the diff sees one finding whatever the worlds it holds in.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffArgs, runCli, runOnFiles } from "./support/cli.js";
import { withTempDir, writeFiles } from "./support/tempDir.js";

interface JsonFinding {
  rule: string;
  status: string;
  line: number;
  message: string;
  unknown?: string;
  widened?: string;
  narrowed?: string;
}

async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  const { code, stdout } = await runOnFiles("tf-workspaces", files, (dir) => [
    ...args(dir),
    "--format",
    "json",
  ]);
  const { findings } = JSON.parse(stdout) as { findings: JsonFinding[] };
  return {
    code,
    findings: findings
      .filter((f) => f.rule !== "TG-NET-007")
      .map(
        (f) =>
          `${f.status} ${f.rule} ${f.line}${f.unknown ? " cannot tell" : ""}${f.message.replace(/^[^]*?( Only when [^]*)?$/, "$1")}${f.widened || f.narrowed ? ` (${f.widened ?? f.narrowed})` : ""}`,
      )
      .sort(),
  };
}

/** SSH from each workspace's entry, RDP from the internet in every workspace. */
const admin = (prodCidr: string) => `locals {
  admin_cidrs = {
    default = "10.0.0.0/8"
    staging = "10.0.0.0/8"
    prod    = "${prodCidr}"
  }
}

resource "aws_security_group" "admin" {
  name = "admin-\${terraform.workspace}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.admin_cidrs[terraform.workspace]]
  }
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

const scan = (dir: string) => ["scan", path.join(dir, "src")];

// The first run compiles the built-in policies, slow on a loaded machine.
describe("terraform.workspace", { timeout: 120_000 }, () => {
  it("reports what one workspace opens under it, on its map entry, and the rest once", async () => {
    const { code, findings } = await run({ "src/main.tf": admin("0.0.0.0/0") }, scan);
    expect(code).toBe(1);
    expect(findings).toEqual([
      "new TG-NET-001 5 Only when terraform.workspace is prod.",
      "new TG-NET-002 21",
    ]);
  });

  it("is listed by inspect once per workspace, with its condition", async () => {
    const { stdout } = await withTempDir("tf-workspaces", async (dir) => {
      await writeFiles(dir, { "main.tf": admin("0.0.0.0/0") });
      return runCli(["inspect", "."], dir);
    });
    expect(stdout.split("\n").filter(Boolean)).toEqual(
      ["default", "prod", "staging"].map(
        (name) =>
          `main.tf:9  aws_security_group.admin  (aws_security_group)  when terraform.workspace is ${name}`,
      ),
    );
  });

  it("is given by inspect --format json on each world's resources", async () => {
    const { stdout } = await withTempDir("tf-workspaces", async (dir) => {
      await writeFiles(dir, {
        "main.tf": `${admin("0.0.0.0/0")}
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}
`,
      });
      return runCli(["inspect", ".", "--format", "json"], dir);
    });
    const { input } = JSON.parse(stdout) as {
      input: { resources: Array<{ address: string; workspace?: string }> };
    };
    expect(input.resources.map((r) => `${r.address} ${r.workspace ?? "-"}`)).toEqual(
      ["default", "prod", "staging"].flatMap((name) => [
        `aws_security_group.admin terraform.workspace is ${name}`,
        `aws_s3_bucket.logs terraform.workspace is ${name}`,
      ]),
    );
  });

  /** staging opens SSH to `staging`; prod builds `prodSize` x 1,000 elements, at a limit from 101. */
  const sized = (staging: string, prod: string, prodSize: number) => `locals {
  cidrs = { staging = "${staging}", prod = "${prod}" }
  sizes = { staging = 1, prod = ${prodSize} }
  ids   = [for i in range(local.sizes[terraform.workspace]) : range(1000)]
}

resource "aws_security_group" "admin" {
  description = length(local.ids) > 0 ? "admin" : "none"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.cidrs[terraform.workspace]]
  }
}
`;
  const atLimit = `4 terraform-workspace-limit in workspace "prod": this expression builds more than 100000 elements; it is treated as unknown; what that workspace deploys is not known (it is judged with terraform.workspace unknown)`;
  // No map names default: the workspaces nothing names cannot plan, left out without a warning.
  const problems = (stdout: string) => {
    const report = JSON.parse(stdout) as {
      findings: JsonFinding[];
      errors: Array<{ line: number; code: string; message: string }>;
      warnings: Array<{ line: number; code: string; message: string }>;
    };
    const shown = (p: { line: number; code: string; message: string }) =>
      `${p.line} ${p.code} ${p.message}`;
    return { report, errors: report.errors.map(shown), warnings: report.warnings.map(shown) };
  };

  it("keeps a workspace that reaches a Tollgate limit, so the others' findings stay conditional, and fails", async () => {
    // prod builds more elements than Tollgate evaluates: judged with the workspace unknown, not
    // left out, so staging's open SSH is not reported as open everywhere. What prod alone opens
    // is not known, so the scan is incomplete: an error, blocking under on_error.
    const { code, stdout } = await runOnFiles(
      "tf-workspaces",
      { "src/main.tf": sized("0.0.0.0/0", "10.0.0.0/8", 200) },
      (dir) => [...scan(dir), "--format", "json"],
    );
    const { report, errors, warnings } = problems(stdout);
    expect(
      report.findings
        .filter((f) => f.rule === "TG-NET-001")
        .map(
          (f) =>
            `${f.line}${f.unknown ? " cannot tell" : ""} ${f.message.replace(/^[^]*?( Only when [^]*)?$/, "$1")}`,
        ),
    ).toEqual(["2  Only when terraform.workspace is staging."]);
    expect([code, errors, warnings]).toEqual([1, [atLimit], []]);
  });

  it("in a diff, fails when a workspace reaches a limit the base did not, or the change touches its root", async () => {
    // A pull request opening prod to the internet and making prod reach a limit: the exposure
    // is not seen, the limit is.
    const opened = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": sized("10.1.0.0/16", "10.0.0.0/8", 1),
        "head/main.tf": sized("10.1.0.0/16", "0.0.0.0/0", 200),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    expect([opened.code, problems(opened.stdout).errors]).toEqual([1, [atLimit]]);
    // The base reached it too, but the pull request opens prod in that root: still blocking.
    const changed = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": sized("10.1.0.0/16", "10.0.0.0/8", 200),
        "head/main.tf": sized("10.1.0.0/16", "0.0.0.0/0", 200),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    expect([changed.code, problems(changed.stdout).errors]).toEqual([1, [atLimit]]);
    // The base reached it too and the pull request changes another root only: a warning, and
    // the check is decided by the findings.
    const other = `resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n`;
    const again = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": sized("10.1.0.0/16", "10.0.0.0/8", 200),
        "base/other/main.tf": other,
        "head/main.tf": sized("10.1.0.0/16", "10.0.0.0/8", 200),
        "head/other/main.tf": `# renamed\n${other.replace('"b"\n}', '"c"\n}')}`,
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const { errors, warnings } = problems(again.stdout);
    expect([again.code, errors, warnings]).toEqual([
      0,
      [],
      [
        `${atLimit}; the base reached the same limit there and this change leaves that root module as it was, so it does not block`,
      ],
    ]);
  });

  /**
   * prod's SSH from `prod`; `check` is what prod's name reads, where Terraform's 512-bit numbers
   * write 1/3 with far more threes than Tollgate's float64 `0.3333333333333333`.
   */
  const divergent = (prod: string, check: string) => `locals {
  check = terraform.workspace == "prod" ? ${check} : "0.3"
  cidr  = terraform.workspace == "prod" ? "${prod}" : "10.0.0.0/8"
}

resource "aws_security_group" "ssh" {
  name        = "ssh-\${local.check}"
  description = "ssh"
  vpc_id      = "vpc-123"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.cidr]
  }
}
`;
  const unmatched = String.raw`regex("^0\\.1{20}", tostring(jsondecode("0.11111111111111111111")))`;
  const regexLeftOut = String.raw`workspace "prod" left out: Terraform cannot plan there (regex: no match for "^0\\.1{20}")`;

  it("in a diff, fails when the head leaves out a workspace the base checked", async () => {
    // Terraform plans prod and opens SSH there; Tollgate's regex fails in prod alone.
    const opened = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": divergent("10.1.0.0/16", `"0.15"`),
        "head/main.tf": divergent("0.0.0.0/0", unmatched),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const { report, errors, warnings } = problems(opened.stdout);
    expect(report.findings.filter((f) => f.rule === "TG-NET-001")).toEqual([]);
    expect([opened.code, errors, warnings]).toEqual([
      1,
      [
        String.raw`2 terraform-workspace-left-out Tollgate could not check workspace "prod" at the head (regex: no match for "^0\\.1{20}"), though the base did not fail there for this error: what it deploys goes unjudged, and Terraform may plan it (its numbers are exact where Tollgate's are float64); make the expression evaluate in that workspace, or, if Terraform cannot plan it either, fix that or override this check`,
      ],
      [],
    ]);
    // A scan of the head has no base to compare: the warning.
    const scanned = await runOnFiles(
      "tf-workspaces",
      { "src/main.tf": divergent("0.0.0.0/0", unmatched) },
      (dir) => [...scan(dir), "--format", "json"],
    );
    expect([scanned.code, problems(scanned.stdout).warnings]).toEqual([
      0,
      [`2 terraform-workspaces ${regexLeftOut}`],
    ]);
  });

  /** Another root, whose edit changes nothing the root of `divergent` reads. */
  const bucket = (name: string) => `resource "aws_s3_bucket" "b" {\n  bucket = "${name}"\n}\n`;

  it("in a diff, warns of a workspace the base left out for the same error, its root unchanged", async () => {
    const both = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": divergent("0.0.0.0/0", unmatched),
        "base/other/main.tf": bucket("b"),
        "head/main.tf": divergent("0.0.0.0/0", unmatched),
        "head/other/main.tf": bucket("c"),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const { errors, warnings } = problems(both.stdout);
    expect([both.code, errors, warnings]).toEqual([
      0,
      [],
      [`2 terraform-workspaces ${regexLeftOut}`],
    ]);
    // A map without the entry of a workspace a comparison names, at base and head alike.
    const sg = (cidrs: string) => `locals {
  cidrs = { ${cidrs} }
  name  = terraform.workspace == "staging" ? "stage" : "admin"
}
resource "aws_security_group" "admin" {
  name = local.name
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.cidrs[terraform.workspace]]
  }
}
`;
    const kept = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": sg(`prod = "10.1.0.0/16", qa = "10.2.0.0/16"`),
        "base/other/main.tf": bucket("b"),
        "head/main.tf": sg(`prod = "10.1.0.0/16", qa = "10.2.0.0/16"`),
        "head/other/main.tf": bucket("c"),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const noStaging = `terraform-workspaces workspace "staging" left out: Terraform cannot plan there (this object has no attribute or key "staging")`;
    const map = problems(kept.stdout);
    expect([kept.code, map.errors, map.warnings]).toEqual([0, [], [`11 ${noStaging}`]]);
    // The head drops staging's entry: a workspace the base checked goes unchecked, blocking.
    const dropped = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": sg(`prod = "10.1.0.0/16", staging = "10.2.0.0/16"`),
        "head/main.tf": sg(`prod = "10.1.0.0/16"`),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    expect([
      dropped.code,
      problems(dropped.stdout).errors.map((e) => e.replace(/ \(.*$/, "")),
    ]).toEqual([
      1,
      ['11 terraform-workspace-left-out Tollgate could not check workspace "staging" at the head'],
    ]);
  });

  it("in a diff, fails on a workspace the base left out alike when the change edits its root or a module it calls", async () => {
    // Tollgate could check prod neither at base nor at head, and the pull request opens SSH there
    // to the internet: unseen, unless the edit to that root blocks.
    const bothLeftOut = String.raw`2 terraform-workspace-left-out Tollgate could not check workspace "prod" (regex: no match for "^0\\.1{20}"), at the base either, and this change edits what its root module reads (its files, the local modules it calls, its variable files or the files its functions read): what the change deploys there goes unjudged; make the expression evaluate in that workspace (Terraform may plan it: its numbers are exact where Tollgate's are float64), or, if Terraform cannot plan it either, fix that or override this check`;
    const opened = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": divergent("10.1.0.0/16", unmatched),
        "head/main.tf": divergent("0.0.0.0/0", unmatched),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const { report, errors, warnings } = problems(opened.stdout);
    expect(report.findings.filter((f) => f.rule === "TG-NET-001")).toEqual([]);
    expect([opened.code, errors, warnings]).toEqual([1, [bothLeftOut], []]);
    // The root is left as it was, but a local module it calls is edited.
    const calling = `${divergent("10.1.0.0/16", unmatched)}\nmodule "net" {\n  source = "./modules/net"\n}\n`;
    const edited = await runOnFiles(
      "tf-workspaces",
      {
        "base/main.tf": calling,
        "base/modules/net/main.tf": bucket("b"),
        "head/main.tf": calling,
        "head/modules/net/main.tf": bucket("c"),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    expect([edited.code, problems(edited.stdout).errors]).toEqual([1, [bothLeftOut]]);
    // The expression is in a module two roots call, and the change edits the second root only.
    const shared = divergent("10.1.0.0/16", unmatched);
    const call = (comment: string) =>
      `${comment}module "shared" {\n  source = "../modules/shared"\n}\n`;
    const second = await runOnFiles(
      "tf-workspaces",
      {
        "base/modules/shared/main.tf": shared,
        "base/a/main.tf": call(""),
        "base/b/main.tf": call(""),
        "head/modules/shared/main.tf": shared,
        "head/a/main.tf": call(""),
        "head/b/main.tf": call("# the second root\n"),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    expect([second.code, problems(second.stdout).errors]).toEqual([1, [bothLeftOut]]);
    // Neither root edited: the warning, as in a root the change leaves as it was.
    const neither = await runOnFiles(
      "tf-workspaces",
      {
        "base/modules/shared/main.tf": shared,
        "base/a/main.tf": call(""),
        "base/b/main.tf": call(""),
        "base/other/main.tf": bucket("b"),
        "head/modules/shared/main.tf": shared,
        "head/a/main.tf": call(""),
        "head/b/main.tf": call(""),
        "head/other/main.tf": bucket("c"),
      },
      (dir) => [...diffArgs(dir), "--format", "json"],
    );
    const unchanged = problems(neither.stdout);
    expect([neither.code, unchanged.errors, unchanged.warnings]).toEqual([
      0,
      [],
      [`2 terraform-workspaces ${regexLeftOut}`],
    ]);
  });

  it("in a diff changing only the prod entry, reports one new finding on that line", async () => {
    const { code, findings } = await run(
      { "base/main.tf": admin("10.20.0.0/16"), "head/main.tf": admin("0.0.0.0/0") },
      diffArgs,
    );
    expect(code).toBe(1);
    expect(findings).toEqual([
      "existing TG-NET-002 21",
      "new TG-NET-001 5 Only when terraform.workspace is prod.",
    ]);
  });

  it("in a diff adding a workspace the finding holds in too, reports it new, saying where", async () => {
    const sg = (cidrs: string) => `locals {
  admin_cidrs = { ${cidrs} }
}
resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.admin_cidrs[terraform.workspace]]
  }
}
`;
    const base = `prod = "0.0.0.0/0", staging = "10.0.0.0/8"`;
    const { code, findings } = await run(
      {
        "base/main.tf": sg(base),
        "head/main.tf": sg(`${base}, qa = "0.0.0.0/0"`),
      },
      diffArgs,
    );
    expect(code).toBe(1);
    expect(findings).toEqual([
      "new TG-NET-001 2 Only when terraform.workspace is prod or terraform.workspace is qa. (now also when terraform.workspace is qa)",
    ]);
    // The other way round the pull request narrows it: still open in prod, existing.
    const narrowed = await run(
      { "base/main.tf": sg(`${base}, qa = "0.0.0.0/0"`), "head/main.tf": sg(base) },
      diffArgs,
    );
    expect(narrowed.findings).toEqual([
      "existing TG-NET-001 2 Only when terraform.workspace is prod. (now only when terraform.workspace is prod)",
    ]);
  });

  it("in a diff widening a finding that names its one workspace, lists no fix", async () => {
    // prod's logging bucket is `prod-logs`; qa's becomes `qa-logs`: one finding, saying
    // ${terraform.workspace}-logs, that prod's is not fixed by.
    const cdn = (suffixes: string) => `locals {
  suffix = { ${suffixes}, staging = "-logs.s3.amazonaws.com" }
}
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true
  logging_config {
    bucket = "\${terraform.workspace}\${local.suffix[terraform.workspace]}"
  }
}
`;
    const prod = `prod = "-logs"`;
    const both = `prod = "-logs", qa = "-logs"`;
    const widened = await run({ "base/main.tf": cdn(prod), "head/main.tf": cdn(both) }, diffArgs);
    expect(widened.findings).toEqual([
      "new TG-LOG-009 2 Only when terraform.workspace is prod or terraform.workspace is qa. (now also when terraform.workspace is qa)",
    ]);
    const narrowed = await run({ "base/main.tf": cdn(both), "head/main.tf": cdn(prod) }, diffArgs);
    expect(narrowed.findings).toEqual([
      "existing TG-LOG-009 7 Only when terraform.workspace is prod. (now only when terraform.workspace is prod)",
    ]);
  });

  it("says a workspace a comparison leaves out is any but the one compared", async () => {
    const { findings } = await run(
      {
        "src/main.tf": `resource "aws_security_group" "a" {
  name = "a"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = terraform.workspace == "prod" ? ["10.0.0.0/8"] : ["0.0.0.0/0"]
  }
}
`,
      },
      scan,
    );
    expect(findings).toEqual(["new TG-NET-001 7 Only when terraform.workspace is not prod."]);
  });

  it("names the default workspace, and still tells what an unknown decides", async () => {
    const { findings } = await run(
      {
        "src/main.tf": `variable "office" { type = string }
locals {
  ssh = {
    default = "0.0.0.0/0"
    prod    = var.office
  }
}
resource "aws_security_group" "a" {
  name = "a"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.ssh[terraform.workspace]]
  }
}
`,
        "tollgate.yml": "rule_settings:\n  unknown_values: advisory\n",
      },
      (dir) => [...scan(dir), "--config", path.join(dir, "tollgate.yml")],
    );
    expect(findings).toEqual([
      "new TG-NET-001 4 Only when terraform.workspace is default.",
      "new TG-NET-001 5 cannot tell Only when terraform.workspace is prod.",
    ]);
  });
});
