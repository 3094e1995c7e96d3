import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import { loadTerraform } from "./index.js";

function load(text: string): Resource[] {
  const model = loadTerraform([{ path: "main.tf", text }]);
  expect(model.errors).toEqual([]);
  return model.resources;
}

function config(resources: Resource[], address: string): Resource["config"] {
  const found = resources.find((resource) => resource.address === address);
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found.config;
}

const office = 'variable "office" { type = list(string) }\n';

describe("collections with known and unknown elements", () => {
  it("keeps the known elements of concat, flatten, compact, distinct, setunion and toset beside one unknown", () => {
    const resources = load(
      office +
        `locals {
  lists = {
    concat   = concat(var.office, ["0.0.0.0/0"])
    flatten  = distinct(compact(flatten([var.office, "0.0.0.0/0", null])))
    setunion = setunion(var.office, ["0.0.0.0/0"])
    toset    = tolist(toset(concat(["b"], var.office, ["a", "b"])))
    for      = [for c in concat(var.office, ["10.0.0.0/8"]) : upper(c)]
    splat    = concat(var.office, [{ c = "x" }])[*].c
  }
}
resource "terraform_data" "t" { input = local.lists }
`,
    );
    expect(config(resources, "terraform_data.t").input).toEqual({
      concat: [{ $unknown: "var.office" }, "0.0.0.0/0"],
      flatten: ["0.0.0.0/0", { $unknown: "var.office" }],
      setunion: ["0.0.0.0/0", { $unknown: "var.office" }],
      toset: ["a", "b", { $unknown: "var.office" }],
      for: [{ $unknown: "var.office" }, "10.0.0.0/8"],
      splat: [{ $unknown: "var.office" }, "x"],
    });
  });

  it("leaves lengths, indexes, equality and lists of unknowns alone unknown", () => {
    const resources = load(
      office +
        `locals {
  partial = concat(var.office, ["0.0.0.0/0"])
}
resource "terraform_data" "t" {
  input = {
    length   = length(local.partial)
    index    = local.partial[0]
    equal    = local.partial == ["0.0.0.0/0"]
    both     = concat(var.office, var.office)
    emptied  = compact(concat(var.office, [""]))
    contains = contains(local.partial, "0.0.0.0/0")
    missing  = contains(local.partial, "10.0.0.0/8")
    joined   = join(",", local.partial)
  }
}
`,
    );
    expect(config(resources, "terraform_data.t").input).toEqual({
      length: { $unknown: "length(local.partial)" },
      index: { $unknown: "local.partial[0]" },
      equal: { $unknown: 'local.partial == ["0.0.0.0/0"]' },
      both: { $unknown: "concat(var.office, var.office)" },
      emptied: { $unknown: 'compact(concat(var.office, [""]))' },
      contains: true,
      missing: { $unknown: 'contains(local.partial, "10.0.0.0/8")' },
      joined: { $unknown: 'join(",", local.partial)' },
    });
  });

  it("counts a count over a partial list as unknown", () => {
    const resources = load(
      office + `resource "aws_eip" "e" { count = length(concat(var.office, ["x"])) }\n`,
    );
    expect(resources.map((r) => r.address)).toEqual(["aws_eip.e"]);
    expect(config(resources, "aws_eip.e").count).toEqual({
      $unknown: 'length(concat(var.office, ["x"]))',
    });
  });

  it("locates a known element where it is written", () => {
    const resources = load(
      office +
        `resource "aws_security_group" "a" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = concat(
      var.office,
      ["0.0.0.0/0"],
    )
  }
}
`,
    );
    const group = resources[0] as Resource;
    expect(group.locations["/ingress/0/cidr_blocks/1"]?.line).toBe(9);
  });

  it("keeps the keys of the maps merge takes after an unknown one, for for_each and dynamic blocks", () => {
    const resources = load(
      `variable "extra_rules" { type = map(object({ port = number, cidr = string })) }
locals {
  rules = merge({ web = { port = 80, cidr = "10.0.0.0/8" } }, var.extra_rules, {
    ssh = { port = 22, cidr = "0.0.0.0/0" }
  })
}
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
  tags = merge(var.extra_tags, { Name = "a" })
}
variable "extra_tags" { type = map(string) }
resource "aws_vpc_security_group_ingress_rule" "r" {
  for_each  = local.rules
  from_port = each.value.port
  cidr_ipv4 = each.value.cidr
}
resource "terraform_data" "t" {
  input = {
    keys   = keys(local.rules)
    ssh    = local.rules.ssh.port
    web    = local.rules.web
    other  = local.rules.other
    lookup = lookup(local.rules, "other", "fallback")
    rules  = length(aws_vpc_security_group_ingress_rule.r)
  }
}
`,
    );
    expect(resources.map((r) => r.address).sort()).toEqual([
      "aws_security_group.a",
      "aws_vpc_security_group_ingress_rule.r",
      'aws_vpc_security_group_ingress_rule.r["ssh"]',
      'aws_vpc_security_group_ingress_rule.r["web"]',
      "terraform_data.t",
    ]);
    const group = resources.find((r) => r.address === "aws_security_group.a") as Resource;
    // "web" may be replaced by var.extra_rules; "ssh" is certain; others may exist.
    expect(group.config.ingress).toEqual([
      { from_port: 22, cidr_blocks: ["0.0.0.0/0"] },
      {
        from_port: { $unknown: "ingress.value.port" },
        cidr_blocks: [{ $unknown: "ingress.value.cidr" }],
      },
      {
        from_port: { $unknown: "ingress.value.port" },
        cidr_blocks: [{ $unknown: "ingress.value.cidr" }],
      },
    ]);
    expect(group.unknownForEach).toEqual({ "/ingress/2": "var.extra_rules" });
    // That block may not exist: var.extra_rules may add no key.
    expect(group.unknownPartBlocks).toEqual({ "/ingress/2": "var.extra_rules" });
    // A partial map never reaches policies: a missing key there would read as absent.
    expect(group.config.tags).toEqual({ $unknown: "var.extra_tags" });
    expect(config(resources, 'aws_vpc_security_group_ingress_rule.r["ssh"]')).toEqual({
      from_port: 22,
      cidr_ipv4: "0.0.0.0/0",
    });
    expect(config(resources, "aws_vpc_security_group_ingress_rule.r")).toEqual({
      from_port: { $unknown: "each.value.port" },
      cidr_ipv4: { $unknown: "each.value.cidr" },
      for_each: { $unknown: "var.extra_rules" },
    });
    const input = config(resources, "terraform_data.t").input as Record<string, unknown>;
    expect(input.keys).toEqual({ $unknown: "keys(local.rules)" });
    expect(input.ssh).toBe(22);
    expect(input.web).toEqual({ $unknown: expect.stringContaining("merge(") as unknown });
    expect(input.other).toEqual({ $unknown: "local.rules.other" });
    expect(input.lookup).toEqual({ $unknown: "var.extra_rules" });
    expect(input.rules).toEqual({ $unknown: "length(aws_vpc_security_group_ingress_rule.r)" });
  });

  it("marks the block a dynamic block adds for a partial collection's unknown part, in a policy document too", () => {
    const resources = load(
      `variable "names" { type = list(string) }
variable "extra" { type = list(string) }
resource "aws_security_group" "a" {
  dynamic "ingress" {
    for_each = concat(["a"], var.names)
    content {
      description = ingress.value
      dynamic "inner" {
        for_each = toset(["x"])
        content {}
      }
    }
  }
  dynamic "egress" {
    for_each = ["a", var.names[0]]
    content {
      description = egress.value
    }
  }
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = [for s in setunion(["s3:GetObject"], var.extra) : s]
    content {
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d.json
}
`,
    );
    const group = resources.find((r) => r.address === "aws_security_group.a") as Resource;
    expect(group.config.ingress).toEqual([
      { description: "a", inner: [{}] },
      { description: { $unknown: "ingress.value" }, inner: [{}] },
    ]);
    // A list with an unknown element holds both of its blocks: neither is marked.
    expect(group.unknownForEach).toEqual({ "/ingress/1": "var.names" });
    expect(group.unknownPartBlocks).toEqual({ "/ingress/1": "var.names" });
    const policy = resources.find((r) => r.address === "aws_iam_policy.p") as Resource;
    expect(policy.unknownForEach).toEqual({ "/policy/Statement/1": "var.extra" });
    expect(policy.unknownPartBlocks).toEqual({ "/policy/Statement/1": "var.extra" });
  });
});
