// `tollgate diff` on a Terraform resource whose `count` or `for_each` reads a variable with no
// value. Static evaluation keeps such a resource as one instance at base and head, so
// `count = var.env == "prod" ? 1 : 0` widened to `var.env != "dev"` (every env but dev) read
// existing (review finding 10). The expression is now compared as written: rewritten, what the
// resource exposes is new, saying so; unchanged, it stays existing.
import { describe, expect, it } from "vitest";
import { diffArgs, jsonFindings, runOnFiles } from "./support/cli.js";

interface JsonFinding {
  rule: string;
  status: string;
  widened?: string;
}

/** An SSH-open group created as `meta` (`count = ...`) says, `env` having `defaultEnv`. */
const group = (meta: string, defaultEnv = "") => `variable "env" {
  type = string${defaultEnv === "" ? "" : `\n  default = "${defaultEnv}"`}
  validation {
    condition     = contains(["prod", "qa", "dev"], var.env)
    error_message = "env"
  }
}
resource "aws_security_group" "ssh" {
  ${meta}
  name        = "ssh"
  description = "ssh"
  vpc_id      = "vpc-123"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

async function diff(base: string, head: string, format = "json") {
  const files = { "base/main.tf": base, "head/main.tf": head };
  return runOnFiles("tf-count-rewrites", files, (dir) => diffArgs(dir, "--format", format));
}

const labels = (stdout: string) =>
  jsonFindings<JsonFinding>(stdout).map((f) => `${f.status} ${f.rule} ${f.widened ?? "-"}`);

const prodOnly = 'count = var.env == "prod" ? 1 : 0';
const allButDev = 'count = var.env != "dev" ? 1 : 0';

describe("tollgate diff on an unknown count or for_each rewritten", () => {
  it("calls what the resource exposes new when its count is rewritten, in every format", async () => {
    const note = 'count redefined: var.env != "dev" ? 1 : 0 (was var.env == "prod" ? 1 : 0)';
    const json = await diff(group(prodOnly), group(allButDev));
    expect(json.stderr).toBe("");
    expect(labels(json.stdout)).toEqual([`new TG-NET-001 ${note}`]);
    expect(json.code).toBe(1);
    for (const format of ["text", "markdown", "sarif"]) {
      const { stdout, code } = await diff(group(prodOnly), group(allButDev), format);
      // SARIF is JSON: its message text escapes the quotes.
      const said = `widened by this change: ${note}`;
      expect(stdout).toContain(format === "sarif" ? JSON.stringify(said).slice(1, -1) : said);
      expect(code).toBe(1);
    }
  });

  it("keeps it existing when the count is unchanged, or known on both sides", async () => {
    const same = await diff(group(prodOnly), group(prodOnly));
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
    // With a default, both counts are 1: compared by value, as before.
    const known = await diff(group(prodOnly, "prod"), group(allButDev, "prod"));
    expect(labels(known.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(known.code).toBe(0);
  });

  it("calls it new when a for_each is rewritten", async () => {
    const forEach = (test: string) => `for_each = ${test} ? toset(["a"]) : toset([])`;
    const rewritten = await diff(
      group(forEach('var.env == "prod"')),
      group(forEach('var.env != "dev"')),
    );
    expect(labels(rewritten.stdout)).toEqual([
      'new TG-NET-001 for_each redefined: var.env != "dev" ? toset(["a"]) : toset([]) (was var.env == "prod" ? toset(["a"]) : toset([]))',
    ]);
    expect(rewritten.code).toBe(1);
    const same = await diff(
      group(forEach('var.env == "prod"')),
      group(forEach('var.env == "prod"')),
    );
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });
});

// Compared as text, a count respaced, commented or wrapped in parentheses read as redefined, and
// what its resource exposes new (session 22). It is compared by syntax tree: the same expression
// laid out otherwise is no rewrite; a changed operator or value still is.
describe("tollgate diff on an unknown count laid out otherwise", () => {
  const throughLocal = (on: string) => `locals {
  on = ${on}
}
${group("count = local.on ? 1 : 0")}`;

  it("keeps it existing when only spacing, comments or parentheses change", async () => {
    for (const [base, head] of [
      [group(prodOnly), group('count = var.env=="prod" ? 1 : 0 # only in production')],
      [group(prodOnly), group('count = (\n    var.env == "prod" # prod\n    ? 1\n    : 0\n  )')],
      [throughLocal('var.env == "prod"'), throughLocal('(var.env ==\n  "prod") /* prod */')],
    ] as const) {
      const { stdout, stderr, code } = await diff(base, head);
      expect(stderr).toBe("");
      expect(labels(stdout)).toEqual(["existing TG-NET-001 -"]);
      expect(code).toBe(0);
    }
  });

  it("still calls it new when the expression laid out otherwise also changes", async () => {
    for (const [base, head] of [
      [group(prodOnly), group('count = var.env!="dev" ? 1 : 0 # all but dev')],
      [group(prodOnly), group('count = (var.env == "prod" || true) ? 1 : 0')],
      [throughLocal('var.env == "prod"'), throughLocal('(var.env !=\n  "dev")')],
    ] as const) {
      const { stdout, code } = await diff(base, head);
      expect(labels(stdout)).toEqual([expect.stringMatching(/^new TG-NET-001 count redefined: /)]);
      expect(code).toBe(1);
    }
  });
  it("keeps it existing when a block's arguments or a map's keys are only reordered", async () => {
    const count = 'count = aws_vpc.main.id != "" && aws_vpc.main.tags["env"] == "prod" ? 1 : 0';
    const withVpc = (...vpc: string[]) =>
      group(count).replace(
        'resource "aws_security_group"',
        `resource "aws_vpc" "main" {\n${vpc.map((line) => `  ${line}\n`).join("")}}\nresource "aws_security_group"`,
      );
    const netOnly = (stdout: string) => labels(stdout).filter((label) => label.includes("NET"));
    const base = withVpc(
      'cidr_block = "10.0.0.0/16"',
      "enable_dns_hostnames = true",
      'tags = { env = var.env, team = "platform" }',
    );
    const reordered = await diff(
      base,
      withVpc(
        'tags = { team = "platform", env = var.env }',
        "enable_dns_hostnames = true",
        'cidr_block = "10.0.0.0/16"',
      ),
    );
    expect(reordered.stderr).toBe("");
    expect(netOnly(reordered.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(reordered.code).toBe(0);
    const changed = await diff(
      base,
      withVpc(
        'tags = { team = "platform", env = "prod" }',
        "enable_dns_hostnames = true",
        'cidr_block = "10.0.0.0/16"',
      ),
    );
    expect(netOnly(changed.stdout)).toEqual([
      expect.stringMatching(/^new TG-NET-001 count redefined: /),
    ]);
    expect(changed.code).toBe(1);
  });
});

describe("tollgate diff on an unknown count reading a local", () => {
  const throughLocal = (on: string) => `locals {
  on = ${on}
}
${group("count = local.on ? 1 : 0")}`;

  it("calls it new when the local is redefined, saying how", async () => {
    const rewritten = await diff(
      throughLocal('var.env == "prod"'),
      throughLocal('var.env != "dev"'),
    );
    expect(rewritten.stderr).toBe("");
    expect(labels(rewritten.stdout)).toEqual([
      'new TG-NET-001 count redefined: local.on ? 1 : 0 where local.on = var.env != "dev" (was local.on ? 1 : 0 where local.on = var.env == "prod")',
    ]);
    expect(rewritten.code).toBe(1);
  });

  it("follows a local read through another, and keeps it existing when none changes", async () => {
    const chained = (test: string) => `locals {
  on  = local.env_ok
  env_ok = ${test}
}
${group("count = local.on ? 1 : 0")}`;
    const rewritten = await diff(chained('var.env == "prod"'), chained('var.env != "dev"'));
    expect(labels(rewritten.stdout)).toEqual([
      'new TG-NET-001 count redefined: local.on ? 1 : 0 where local.on = local.env_ok; local.env_ok = var.env != "dev" (was local.on ? 1 : 0 where local.on = local.env_ok; local.env_ok = var.env == "prod")',
    ]);
    for (const base of [throughLocal('var.env == "prod"'), chained('var.env == "prod"')]) {
      const same = await diff(base, base);
      expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
      expect(same.code).toBe(0);
    }
  });
});

describe("tollgate diff on an unknown count or for_each decided by a module call", () => {
  /** The root calling ./modules/sg as `call` says; the module's group is created as `meta` says. */
  const root = (call: string, meta = "count = var.enabled ? 1 : 0", locals = "") => ({
    "main.tf": `variable "env" {
  type = string
}
module "sg" {
  source = "./modules/sg"
  ${call}
}
`,
    "modules/sg/main.tf": `variable "enabled" {
  type    = bool
  default = false
}
${locals}${group(meta)}`,
  });

  async function diffTrees(base: Record<string, string>, head: Record<string, string>) {
    const files = Object.fromEntries([
      ...Object.entries(base).map(([name, text]) => [`base/${name}`, text]),
      ...Object.entries(head).map(([name, text]) => [`head/${name}`, text]),
    ]);
    return runOnFiles("tf-count-rewrites", files, (dir) => diffArgs(dir, "--format", "json"));
  }

  it("calls it new when the argument the count reads is widened, naming the argument", async () => {
    const argument = (test: string) => `enabled = ${test}`;
    const widened = await diffTrees(
      root(argument('var.env == "prod"')),
      root(argument('var.env != "dev"')),
    );
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: var.enabled ? 1 : 0 where module.sg's enabled argument = var.env != "dev" (was var.enabled ? 1 : 0 where module.sg's enabled argument = var.env == "prod")`,
    ]);
    expect(widened.code).toBe(1);
    const same = await diffTrees(
      root(argument('var.env == "prod"')),
      root(argument('var.env == "prod"')),
    );
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });

  it("follows the argument through a for_each element and a module's locals", async () => {
    const iterated = (test: string) => `for_each = { a = { on = ${test} } }
  enabled  = each.value.on`;
    const viaLocal = ["count = local.on ? 1 : 0", "locals {\n  on = var.enabled\n}\n"] as const;
    const widened = await diffTrees(
      root(iterated('var.env == "prod"'), ...viaLocal),
      root(iterated('var.env != "dev"'), ...viaLocal),
    );
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: local.on ? 1 : 0 where module.sg["a"]'s local.on = var.enabled; module.sg["a"]'s enabled argument = each.value.on; module.sg's for_each = { a = { on = var.env != "dev" } } (was local.on ? 1 : 0 where module.sg["a"]'s local.on = var.enabled; module.sg["a"]'s enabled argument = each.value.on; module.sg's for_each = { a = { on = var.env == "prod" } })`,
    ]);
    const same = await diffTrees(
      root(iterated('var.env == "prod"'), ...viaLocal),
      root(iterated('var.env == "prod"'), ...viaLocal),
    );
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
  });

  it("calls it new when the module call's own unknown count is rewritten", async () => {
    const counted = (test: string) => `count = ${test} ? 1 : 0`;
    const widened = await diffTrees(
      root(counted('var.env == "prod"'), ""),
      root(counted('var.env != "dev"'), ""),
    );
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      `new TG-NET-001 module.sg's count redefined: var.env != "dev" ? 1 : 0 (was var.env == "prod" ? 1 : 0)`,
    ]);
    expect(widened.code).toBe(1);
    const same = await diffTrees(
      root(counted('var.env == "prod"'), ""),
      root(counted('var.env == "prod"'), ""),
    );
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });
});

describe("tollgate diff on an unknown count decided at head, or covering another finding", () => {
  it("calls it new when the head decides the count the base could not", async () => {
    for (const meta of ["count = 1", ""]) {
      const decided = await diff(group(prodOnly), group(meta));
      expect(decided.stderr).toBe("");
      const said = jsonFindings<JsonFinding>(decided.stdout).map((f) => [f.status, f.widened]);
      expect(said).toEqual([["new", expect.stringContaining("count decided at head (was ")]]);
      expect(said[0]?.[1]).toContain('count = var.env == "prod" ? 1 : 0)');
      expect(decided.code).toBe(1);
    }
  });

  it("calls a finding a base finding covered new when the count is rewritten", async () => {
    // All ports at base, SSH only at head: TG-NET-005's base finding holds TG-NET-001's.
    const narrowedTo = (meta: string, ports: string) =>
      group(meta).replace("from_port   = 22\n    to_port     = 22", ports);
    const allPorts = "from_port   = 0\n    to_port     = 65535";
    const ssh = "from_port   = 22\n    to_port     = 22";
    const widened = await diff(narrowedTo(prodOnly, allPorts), narrowedTo(allButDev, ssh));
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      'new TG-NET-001 count redefined: var.env != "dev" ? 1 : 0 (was var.env == "prod" ? 1 : 0)',
      "fixed TG-NET-005 -",
    ]);
    expect(widened.code).toBe(1);
    const same = await diff(narrowedTo(prodOnly, allPorts), narrowedTo(prodOnly, ssh));
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -", "fixed TG-NET-005 -"]);
    expect(same.code).toBe(0);
  });
});

describe("tollgate diff on an unknown count reading a variable with a value", () => {
  it("calls it new when a variable file changes the value it reads beside the unknown one", async () => {
    const gated = `${group('count = var.enabled && var.env == "prod" ? 1 : 0')}variable "enabled" {
  type = bool
}
`;
    const run = (base: string, head: string) =>
      runOnFiles(
        "tf-count-rewrites",
        {
          "base/main.tf": gated,
          "base/terraform.tfvars": `enabled = ${base}\n`,
          "head/main.tf": gated,
          "head/terraform.tfvars": `enabled = ${head}\n`,
        },
        (dir) => diffArgs(dir, "--format", "json"),
      );
    const enabled = await run("false", "true");
    expect(enabled.stderr).toBe("");
    expect(labels(enabled.stdout)).toEqual([
      'new TG-NET-001 count redefined: var.enabled && var.env == "prod" ? 1 : 0 where var.enabled = true (was var.enabled && var.env == "prod" ? 1 : 0 where var.enabled = false)',
    ]);
    expect(enabled.code).toBe(1);
    const same = await run("true", "true");
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });
});

describe("tollgate diff on an unknown count reading a sensitive variable", () => {
  // Review finding 10 (session 21): the note printed both values of a `sensitive = true`
  // variable into the check run, annotations, JSON and SARIF.
  const gated = `${group('count = var.token != "" && var.env == "prod" ? 1 : 0')}variable "token" {
  type      = string
  sensitive = true
}
`;
  const run = (base: string, head: string, format: string) =>
    runOnFiles(
      "tf-count-rewrites",
      {
        "base/main.tf": gated,
        "base/secrets.auto.tfvars": `token = "${base}"\n`,
        "head/main.tf": gated,
        "head/secrets.auto.tfvars": `token = "${head}"\n`,
      },
      (dir) => diffArgs(dir, "--format", format),
    );

  it("calls it new when the value changes, saying so but never the value, in every format", async () => {
    const json = await run("xoxb-OLD-SECRET-123", "xoxb-NEW-SECRET-456", "json");
    expect(json.stderr).toBe("");
    expect(labels(json.stdout)).toEqual([
      'new TG-NET-001 count redefined: var.token != "" && var.env == "prod" ? 1 : 0 where var.token = (sensitive value); var.token\'s value changed',
    ]);
    expect(json.code).toBe(1);
    for (const format of ["json", "text", "markdown", "sarif"]) {
      const { stdout, stderr, code } = await run(
        "xoxb-OLD-SECRET-123",
        "xoxb-NEW-SECRET-456",
        format,
      );
      expect(stdout).toContain("value changed");
      expect(`${stdout}${stderr}`).not.toMatch(/SECRET/);
      expect(code).toBe(1);
    }
  });

  it("keeps it existing when the value is the same", async () => {
    const same = await run("xoxb-SECRET-123", "xoxb-SECRET-123", "json");
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.stdout).not.toMatch(/SECRET/);
    expect(same.code).toBe(0);
  });
});

describe("tollgate scan on an error quoting a sensitive variable's value", () => {
  it("writes (sensitive value) in its place", async () => {
    const files = {
      "main.tf": `variable "token" {
  type      = string
  sensitive = true
}
output "next" {
  value = var.token + 1
}
`,
      "terraform.tfvars": 'token = "xoxb-SECRET-1"\n',
    };
    const run = await runOnFiles("tf-sensitive-error", files, (dir) => [
      "scan",
      dir,
      "--format",
      "json",
    ]);
    expect(run.stdout).not.toMatch(/SECRET/);
    const { errors } = JSON.parse(run.stdout) as { errors: Array<{ message: string }> };
    expect(errors.map((e) => e.message)).toEqual([
      'left of + is the string "(sensitive value)"; a number is required',
    ]);
  });
});

describe("tollgate diff on an unknown count reading a module's output", () => {
  it("calls it new when the output is redefined, following it into the module", async () => {
    const root = `variable "env" {
  type = string
}
module "flags" {
  source = "./modules/flags"
  env    = var.env
}
${group("count = module.flags.ssh ? 1 : 0")}`;
    const flags = (test: string) => `variable "env" {
  type = string
}
output "ssh" {
  value = ${test}
}
`;
    const run = (base: string, head: string) =>
      runOnFiles(
        "tf-count-rewrites",
        {
          "base/main.tf": root,
          "base/modules/flags/main.tf": flags(base),
          "head/main.tf": root,
          "head/modules/flags/main.tf": flags(head),
        },
        (dir) => diffArgs(dir, "--format", "json"),
      );
    const widened = await run('var.env == "prod"', 'var.env != "dev"');
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: module.flags.ssh ? 1 : 0 where module.flags's output ssh = var.env != "dev"; module.flags's env argument = var.env (was module.flags.ssh ? 1 : 0 where module.flags's output ssh = var.env == "prod"; module.flags's env argument = var.env)`,
    ]);
    expect(widened.code).toBe(1);
    const same = await run('var.env == "prod"', 'var.env == "prod"');
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });
});

// A count reading another resource's or data source's attribute was compared by the reference
// alone, so the vpc's `env` tag rewritten to be prod for every env but dev kept what the count
// creates existing (review finding 1); so was one reading a registry module's output, which
// Tollgate does not read. The count now brings the attribute's argument as written in the block
// (the whole block for an attribute the provider computes), and the registry call as written.
describe("tollgate diff on an unknown count reading a resource's attribute or a registry module", () => {
  const ssh = (count: string) => group(count).replace(/^variable "env" \{[\s\S]*?\n\}\n/, "");
  const run = (base: string, head: string) =>
    runOnFiles("tf-count-rewrites", { "base/main.tf": base, "head/main.tf": head }, (dir) =>
      diffArgs(dir, "--format", "json"),
    );
  const netOnly = (stdout: string) =>
    labels(stdout).filter((label) => label.includes("TG-NET-001"));

  it("calls it new when the attribute's argument is rewritten in the other resource's block", async () => {
    const withVpc = (env: string, count: string) => `variable "env" {
  type = string
}
data "aws_vpc" "shared" {
  tags = {
    env = ${env}
  }
}
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    env = ${env}
  }
}
${ssh(count)}`;
    const tagged = 'count = aws_vpc.main.tags["env"] == "prod" ? 1 : 0';
    const wider = 'var.env == "dev" ? "dev" : "prod"';
    const widened = await run(withVpc("var.env", tagged), withVpc(wider, tagged));
    expect(widened.stderr).toBe("");
    expect(netOnly(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: aws_vpc.main.tags["env"] == "prod" ? 1 : 0 where aws_vpc.main's tags = {\n    env = ${wider}\n  } (was aws_vpc.main.tags["env"] == "prod" ? 1 : 0 where aws_vpc.main's tags = {\n    env = var.env\n  })`,
    ]);
    expect(widened.code).toBe(1);
    const byData = 'count = data.aws_vpc.shared.tags["env"] == "prod" ? 1 : 0';
    const dataWidened = await run(withVpc("var.env", byData), withVpc(wider, byData));
    expect(netOnly(dataWidened.stdout)).toEqual([
      `new TG-NET-001 count redefined: data.aws_vpc.shared.tags["env"] == "prod" ? 1 : 0 where data.aws_vpc.shared's tags = {\n    env = ${wider}\n  } (was data.aws_vpc.shared.tags["env"] == "prod" ? 1 : 0 where data.aws_vpc.shared's tags = {\n    env = var.env\n  })`,
    ]);
    // `id` is the provider's: the whole block but its tags decides it (a CIDR changed).
    const computed = 'count = aws_vpc.main.id == "vpc-123" ? 1 : 0';
    const blockRewritten = await run(
      withVpc("var.env", computed),
      withVpc("var.env", computed).replace('"10.0.0.0/16"', '"10.1.0.0/16"'),
    );
    expect(netOnly(blockRewritten.stdout)).toEqual([
      expect.stringMatching(
        /^new TG-NET-001 count redefined: .* where aws_vpc\.main = its block but tags as written, sha256 [0-9a-f]{16} \(was .* sha256 [0-9a-f]{16}\)$/,
      ),
    ]);
    for (const count of [tagged, byData, computed]) {
      const same = await run(withVpc("var.env", count), withVpc("var.env", count));
      expect(netOnly(same.stdout)).toEqual(["existing TG-NET-001 -"]);
      expect(same.code).toBe(0);
    }
  });

  // Session 22: an AWS resource's `id` or `arn` read by a count compared its whole block, so a
  // tag added to it made the count's resource new, though tags never make or replace an id; and
  // `tags_all` compared the block, not the provider's `default_tags` it merges, so widening those
  // kept the resource existing.
  it("compares an AWS resource's id or arn by its block but its tags", async () => {
    const withBucket = (bucket: string) => `resource "aws_s3_bucket" "logs" {
${bucket}
}
${ssh('count = startswith(aws_s3_bucket.logs.arn, "arn:aws:s3:::logs-prod") ? 1 : 0')}`;
    const base = withBucket('  bucket_prefix = "logs-"\n  tags = { team = "platform" }');
    const tagged = await run(
      base,
      withBucket('  bucket_prefix = "logs-"\n  tags = { team = "platform", owner = "alice" }'),
    );
    expect(tagged.stderr).toBe("");
    expect(netOnly(tagged.stdout)).toEqual(["existing TG-NET-001 -"]);
    const renamed = await run(
      base,
      withBucket('  bucket_prefix = "logs-prod-"\n  tags = { team = "platform" }'),
    );
    expect(netOnly(renamed.stdout)).toEqual([
      expect.stringMatching(
        /^new TG-NET-001 count redefined: .* where aws_s3_bucket\.logs = its block but tags as written, sha256 [0-9a-f]{16} \(was /,
      ),
    ]);
    expect(renamed.code).toBe(1);
  });

  it("compares tags_all by the block's tags and its provider's default_tags", async () => {
    const tagged = (env: string, cidr = "10.0.0.0/16") => `provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { env = "${env}" }
  }
}
resource "aws_vpc" "main" {
  cidr_block = "${cidr}"
  tags = {
    team = "platform"
  }
}
${ssh('count = aws_vpc.main.tags_all["env"] == "prod" ? 1 : 0')}`;
    const widened = await run(tagged("dev"), tagged("prod"));
    expect(widened.stderr).toBe("");
    expect(netOnly(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: aws_vpc.main.tags_all["env"] == "prod" ? 1 : 0 where provider.aws's default_tags = { tags = { env = "prod" } }; aws_vpc.main's tags = {\n    team = "platform"\n  } (was aws_vpc.main.tags_all["env"] == "prod" ? 1 : 0 where provider.aws's default_tags = { tags = { env = "dev" } }; aws_vpc.main's tags = {\n    team = "platform"\n  })`,
    ]);
    expect(widened.code).toBe(1);
    const elsewhere = await run(tagged("dev"), tagged("dev", "10.1.0.0/16"));
    expect(netOnly(elsewhere.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(elsewhere.code).toBe(0);
  });

  it("calls it new when a registry module call whose output it reads is rewritten", async () => {
    const labelled = (enabled: string) => `variable "env" {
  type = string
}
module "this" {
  source  = "cloudposse/label/null"
  version = "0.25.0"
  enabled = ${enabled}
}
${ssh("count = module.this.enabled ? 1 : 0")}`;
    const widened = await run(labelled('var.env == "prod"'), labelled('var.env != "dev"'));
    expect(widened.stderr).toBe("");
    expect(labels(widened.stdout)).toEqual([
      `new TG-NET-001 count redefined: module.this.enabled ? 1 : 0 where module.this's call = { source = "cloudposse/label/null"; version = "0.25.0"; enabled = var.env != "dev" } (was module.this.enabled ? 1 : 0 where module.this's call = { source = "cloudposse/label/null"; version = "0.25.0"; enabled = var.env == "prod" })`,
    ]);
    expect(widened.code).toBe(1);
    const same = await run(labelled('var.env == "prod"'), labelled('var.env == "prod"'));
    expect(labels(same.stdout)).toEqual(["existing TG-NET-001 -"]);
    expect(same.code).toBe(0);
  });
});
