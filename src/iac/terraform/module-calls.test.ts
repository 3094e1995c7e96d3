import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

function calls(resources: Resource[]): Resource[] {
  return resources.filter((resource) => resource.mode === "module");
}

function lineOf(resource: Resource, pointer: string): number | undefined {
  return resource.locations[pointer]?.line;
}

describe("calls of modules that are not in the repository", () => {
  it("are records with the evaluated arguments, located per element, unknowns explicit", () => {
    const { resources, errors } = load({
      "main.tf": `variable "vpc_id" {}

locals {
  open = "0.0.0.0/0"
}

module "sg" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "~> 5.0"

  name                = "web"
  vpc_id              = var.vpc_id
  ingress_cidr_blocks = [local.open]
  ingress_rules       = ["ssh-tcp", "https-443-tcp"]
  ingress_with_cidr_blocks = [
    {
      from_port   = 3389
      to_port     = 3389
      protocol    = "tcp"
      cidr_blocks = "10.0.0.0/8,0.0.0.0/0"
    },
  ]
  tags       = { bucket = aws_s3_bucket.logs.bucket }
  depends_on = [aws_s3_bucket.logs]
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_instance" "web" {
  vpc_security_group_ids = [module.sg.security_group_id]
}
`,
    });
    expect(errors).toEqual([]);
    const [sg, ...others] = calls(resources);
    expect(others).toEqual([]);
    expect(sg).toMatchObject({
      address: "module.sg",
      type: "module",
      name: "sg",
      mode: "module",
      source: "terraform",
      module: "",
      root: "",
      moduleSource: "terraform-aws-modules/security-group/aws",
      moduleVersion: "~> 5.0",
      file: "main.tf",
      line: 7,
      endLine: 25,
      references: ["aws_s3_bucket.logs"],
    });
    expect(sg?.config).toEqual({
      name: "web",
      vpc_id: { $unknown: "var.vpc_id" },
      ingress_cidr_blocks: ["0.0.0.0/0"],
      ingress_rules: ["ssh-tcp", "https-443-tcp"],
      ingress_with_cidr_blocks: [
        { from_port: 3389, to_port: 3389, protocol: "tcp", cidr_blocks: "10.0.0.0/8,0.0.0.0/0" },
      ],
      tags: { bucket: "logs" },
    });
    const call = sg as Resource;
    expect(lineOf(call, "/ingress_rules/0")).toBe(14);
    expect(lineOf(call, "/ingress_with_cidr_blocks/0")).toBe(16);
    expect(lineOf(call, "/ingress_with_cidr_blocks/0/cidr_blocks")).toBe(20);
    // A value keeps the line where it is written, as in resources: the local's.
    expect(lineOf(call, "/ingress_cidr_blocks/0")).toBe(4);
    // `source` and `version` are not arguments, yet a finding on them lands on their lines.
    expect(lineOf(call, "/source")).toBe(8);
    expect(lineOf(call, "/version")).toBe(9);
    // Outputs of a module nobody fetches stay unknown, and name the call.
    const instance = resources.find((r) => r.address === "aws_instance.web");
    expect(instance?.config.vpc_security_group_ids).toEqual([
      { $unknown: "module.sg.security_group_id" },
    ]);
    expect(instance?.references).toEqual(["module.sg"]);
  });

  it("expand count and for_each into instances like resources, and keep an unknown expansion visible", () => {
    const { resources, errors } = load({
      "main.tf": `variable "groups" {}

module "counted" {
  source = "git::https://example.com/sg.git//modules/ssh?ref=v1.0.0"
  count  = 2
  name   = "ssh-\${count.index}"
}

module "each" {
  source   = "registry.terraform.io/terraform-aws-modules/security-group/aws//modules/rdp"
  for_each = { admin = "10.0.0.0/8", public = "0.0.0.0/0" }
  name                = each.key
  ingress_cidr_blocks = [each.value]
}

module "unknown" {
  source   = "terraform-aws-modules/vpc/aws"
  for_each = var.groups
  name     = each.key
}
`,
    });
    expect(errors).toEqual([]);
    expect(calls(resources).map((r) => [r.address, r.name, r.config])).toEqual([
      ["module.counted[0]", "counted", { name: "ssh-0" }],
      ["module.counted[1]", "counted", { name: "ssh-1" }],
      ['module.each["admin"]', "each", { name: "admin", ingress_cidr_blocks: ["10.0.0.0/8"] }],
      ['module.each["public"]', "each", { name: "public", ingress_cidr_blocks: ["0.0.0.0/0"] }],
      [
        "module.unknown",
        "unknown",
        { name: { $unknown: "each.key" }, for_each: { $unknown: "var.groups" } },
      ],
    ]);
    const publicCall = calls(resources)[3] as Resource;
    expect(lineOf(publicCall, "/ingress_cidr_blocks/0")).toBe(11);
    expect(calls(resources)[0]?.moduleVersion).toBeUndefined();
  });

  it("leave local modules as they are, and record calls inside them under the caller's path", () => {
    const { resources, errors } = load({
      "main.tf": `module "net" {
  source = "./modules/net"
  cidr   = "0.0.0.0/0"
}
`,
      "modules/net/variables.tf": `variable "cidr" {}
`,
      "modules/net/main.tf": `resource "aws_security_group" "web" {
  name = "web"
}

module "sg" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.1.0"
  ingress_cidr_blocks = [var.cidr]
  ingress_rules       = ["rdp-tcp"]
}
`,
    });
    expect(errors).toEqual([]);
    expect(resources.map((r) => [r.address, r.mode, r.module])).toEqual([
      ["module.net.aws_security_group.web", "managed", "module.net"],
      ["module.net.module.sg", "module", "module.net"],
    ]);
    const sg = resources[1] as Resource;
    expect(sg.config).toEqual({ ingress_cidr_blocks: ["0.0.0.0/0"], ingress_rules: ["rdp-tcp"] });
    expect(sg.file).toBe("modules/net/main.tf");
    // The bound input is located where the caller writes it.
    expect(sg.locations["/ingress_cidr_blocks/0"]).toMatchObject({ file: "main.tf", line: 3 });
  });

  it("report a bad argument where it is written and still emit the call", () => {
    const { resources, errors } = load({
      "main.tf": `module "sg" {
  source = "terraform-aws-modules/security-group/aws"
  name   = nosuchfunction("x")
  rules  = ["ssh-tcp"]
}
`,
    });
    expect(errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["main.tf", 3, "terraform-unknown-function"],
    ]);
    const [sg] = calls(resources);
    expect(sg?.config.rules).toEqual(["ssh-tcp"]);
    expect(sg?.config.name).toMatchObject({ $unknown: expect.any(String) });
  });

  it("are what each.value reads under a for_each over them, as module.m[each.key] does", () => {
    const { resources, errors } = load({
      "main.tf": `variable "buckets" {
  type = map(string)
}

module "tenant" {
  source   = "terraform-aws-modules/s3-bucket/aws"
  for_each = var.buckets
  bucket   = each.value
}

resource "aws_s3_bucket_logging" "by_value" {
  for_each      = module.tenant
  bucket        = each.value.s3_bucket_id
  target_bucket = "logs"
}

resource "aws_s3_bucket_logging" "by_key" {
  for_each      = module.tenant
  bucket        = module.tenant[each.key].s3_bucket_id
  target_bucket = "logs"
}

# Only each.value is the call's instance; a name made of each.key is not its bucket.
resource "aws_s3_bucket_logging" "key_only" {
  for_each      = module.tenant
  bucket        = "copy-\${each.key}"
  target_bucket = "logs"
}
`,
    });
    expect(errors).toEqual([]);
    const referencesOf = (address: string) =>
      resources.find((resource) => resource.address === address)?.references;
    expect(referencesOf("aws_s3_bucket_logging.by_value")).toEqual(["module.tenant"]);
    expect(referencesOf("aws_s3_bucket_logging.by_key")).toEqual(["module.tenant"]);
    expect(referencesOf("aws_s3_bucket_logging.key_only")).toEqual([]);
  });
});
