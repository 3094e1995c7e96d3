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
