import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

function resource(resources: Resource[], address: string): Resource {
  const found = resources.find((candidate) => candidate.address === address);
  if (!found) throw new Error(`no ${address} in ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

/** The places each pointer's value passed through, as `name @ file:line`. */
function hops(found: Resource): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(found.readFrom ?? {})
      .filter(([by]) => by.startsWith("/"))
      .map(([by, places]) => [
        by,
        places.map((place) => `${place.through} @ ${place.file}:${place.line}`),
      ]),
  );
}

describe("the places a Terraform value passed through", () => {
  it("are another resource's attribute and the locals between, nearest the reader first", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  open   = "0.0.0.0/0"
  chosen = local.open
}
resource "aws_vpc" "v" {
  cidr_block = local.chosen
}
resource "aws_security_group" "sg" {
  description = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.v.cidr_block]
  }
}
`,
    });
    expect(errors).toEqual([]);
    const sg = resource(resources, "aws_security_group.sg");
    // The value stays located where it is written; the hops are recorded by its pointer only.
    expect(sg.locations["/ingress/0/cidr_blocks/0"]?.line).toBe(2);
    expect(hops(sg)).toEqual({
      "/ingress/0/cidr_blocks/0": [
        "aws_vpc.v's cidr_block @ main.tf:6",
        "local.chosen @ main.tf:3",
      ],
    });
    // The VPC reads local.chosen itself: its cidr_block's reads hold that line already.
    expect(hops(resource(resources, "aws_vpc.v"))).toEqual({});
  });

  it("are a module call's argument, the module's resource attribute and its output", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  open = "0.0.0.0/0"
}
module "net" {
  source = "./net"
  cidr   = local.open
}
resource "aws_security_group" "sg" {
  description = "rdp"
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = [module.net.cidr]
  }
}
`,
      "net/main.tf": `variable "cidr" {}
resource "aws_vpc" "v" {
  cidr_block = var.cidr
}
output "cidr" {
  value = aws_vpc.v.cidr_block
}
`,
    });
    expect(errors).toEqual([]);
    expect(hops(resource(resources, "module.net.aws_vpc.v"))).toEqual({
      "/cidr_block": ["module.net's cidr argument @ main.tf:6"],
    });
    expect(hops(resource(resources, "aws_security_group.sg"))).toEqual({
      "/ingress/0/cidr_blocks/0": [
        "module.net's output cidr @ net/main.tf:6",
        "module.net.aws_vpc.v's cidr_block @ net/main.tf:3",
        "module.net's cidr argument @ main.tf:6",
      ],
    });
  });

  it("are the argument of the module call instance that created the resource, with count or for_each", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = {
    open    = "0.0.0.0/0"
    private = "10.0.0.0/8"
  }
}
module "keyed" {
  source   = "./net"
  for_each = local.cidrs
  cidr     = each.value
}
module "counted" {
  source = "./net"
  count  = 2
  cidr   = local.cidrs.open
}
`,
      "net/main.tf": `variable "cidr" {}
resource "aws_vpc" "v" {
  cidr_block = var.cidr
}
`,
    });
    expect(errors).toEqual([]);
    const argument = (call: string, line: number) => ({
      "/cidr_block": [`${call}'s cidr argument @ main.tf:${line}`],
    });
    expect(hops(resource(resources, 'module.keyed["open"].aws_vpc.v'))).toEqual(
      argument('module.keyed["open"]', 10),
    );
    expect(hops(resource(resources, 'module.keyed["private"].aws_vpc.v'))).toEqual(
      argument('module.keyed["private"]', 10),
    );
    expect(hops(resource(resources, "module.counted[1].aws_vpc.v"))).toEqual(
      argument("module.counted[1]", 15),
    );
  });

  it("are a for_each map built in locals and a conditional's condition with where it reads", () => {
    const { resources, errors } = load({
      "main.tf": `variable "public" {
  type    = bool
  default = false
}
locals {
  open    = "0.0.0.0/0"
  private = "10.0.0.0/8"
  cidr    = var.public ? local.open : local.private
  rules = {
    ssh = { port = 22, cidr = local.cidr }
  }
}
resource "aws_security_group_rule" "r" {
  for_each    = local.rules
  type        = "ingress"
  from_port   = each.value.port
  to_port     = each.value.port
  protocol    = "tcp"
  cidr_blocks = [each.value.cidr]
}
`,
      "terraform.tfvars": "public = true\n",
    });
    expect(errors).toEqual([]);
    const rule = resource(resources, 'aws_security_group_rule.r["ssh"]');
    expect(rule.locations["/cidr_blocks/0"]?.line).toBe(6);
    // The port is written inside local.rules, whose lines are its own: nothing recorded for it.
    // The CIDR passed through local.rules at its entry's line, not at the whole map's.
    expect(hops(rule)).toEqual({
      "/cidr_blocks/0": [
        "local.rules @ main.tf:10",
        "local.cidr @ main.tf:8",
        "the condition var.public @ main.tf:8",
        "the condition var.public @ terraform.tfvars:1",
      ],
    });
  });

  it("are an attribute of a resource with count or for_each, however its instances are read", () => {
    const group = (name: string, read: string) => `resource "aws_security_group" "${name}" {
  description = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ${read}
  }
}
`;
    const { resources, errors } = load({
      "main.tf": `locals {
  open = "0.0.0.0/0"
}
resource "aws_vpc" "v" {
  count      = 1
  cidr_block = local.open
}
resource "aws_vpc" "w" {
  for_each   = toset(["a"])
  cidr_block = local.open
}
${group("splat", "aws_vpc.v[*].cidr_block")}
${group("legacy", "aws_vpc.v.*.cidr_block")}
${group("tuple", "[for v in aws_vpc.v : v.cidr_block]")}
${group("values", "[values(aws_vpc.w)[0].cidr_block]")}
${group("map", "[for k, w in aws_vpc.w : w.cidr_block]")}
${group("index", "[aws_vpc.v[0].cidr_block]")}
${group("computed", "[aws_vpc.w[keys(aws_vpc.w)[0]].cidr_block]")}
`,
    });
    expect(errors).toEqual([]);
    const vpc = ["aws_vpc.v[0]'s cidr_block @ main.tf:6"];
    const keyed = ['aws_vpc.w["a"]\'s cidr_block @ main.tf:10'];
    const expected = {
      ...{ splat: vpc, legacy: vpc, tuple: vpc, index: vpc },
      ...{ values: keyed, map: keyed, computed: keyed },
    };
    for (const [name, places] of Object.entries(expected)) {
      const sg = resource(resources, `aws_security_group.${name}`);
      expect(sg.locations["/ingress/0/cidr_blocks/0"]?.line, name).toBe(2);
      expect(hops(sg), name).toEqual({ "/ingress/0/cidr_blocks/0": places });
    }
  });

  it("are an attribute of a resource read through a local holding the whole resource", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  open = "0.0.0.0/0"
  vpcs = aws_vpc.v
}
resource "aws_vpc" "v" {
  count      = 1
  cidr_block = local.open
}
resource "aws_security_group" "sg" {
  description = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [local.vpcs[0].cidr_block]
  }
}
`,
    });
    expect(errors).toEqual([]);
    expect(hops(resource(resources, "aws_security_group.sg"))).toEqual({
      "/ingress/0/cidr_blocks/0": ["aws_vpc.v[0]'s cidr_block @ main.tf:7"],
    });
  });

  it("are few per pointer on a long chain of locals: the nearest kept", () => {
    const chain = Array.from({ length: 50 }, (_, i) => `  l${i + 1} = local.l${i}`).join("\n");
    const { resources, errors } = load({
      "main.tf": `locals {
  l0 = "0.0.0.0/0"
${chain}
}
resource "aws_vpc" "v" {
  cidr_block = local.l50
}
resource "aws_security_group" "sg" {
  description = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.v.cidr_block]
  }
}
`,
    });
    expect(errors).toEqual([]);
    expect(hops(resource(resources, "aws_security_group.sg"))["/ingress/0/cidr_blocks/0"]).toEqual([
      "aws_vpc.v's cidr_block @ main.tf:55",
      ...[50, 49, 48, 47, 46, 45, 44].map((i) => `local.l${i} @ main.tf:${i + 2}`),
    ]);
  });
});
