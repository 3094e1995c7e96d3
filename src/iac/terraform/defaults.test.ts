import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";

function load(files: Record<string, string>, variableFiles?: string[]) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources, variableFiles ? { variableFiles } : {});
}

/** Each managed resource as `address: its condition`, "-" for none. */
const kept = (resources: Resource[]) =>
  resources
    .filter((r) => r.mode === "managed")
    .map((r) => `${r.address}: ${r.conditional?.[""] ?? "-"}`);

const env = (declaration: string) => `variable "env" {
  type    = string
  default = "dev"
${declaration}}
resource "aws_security_group" "ssh" {
  count = var.env == "prod" ? 1 : 0
  name  = "ssh-\${var.env}"
}
`;

describe("a root variable's default that a deployment may override", () => {
  it("keeps a block its default leaves out as one instance under the overriding condition", () => {
    const { resources, errors } = load({ "main.tf": env("") });
    expect(errors).toEqual([]);
    expect(kept(resources)).toEqual(['aws_security_group.ssh: not var.env is "dev"']);
    const [ssh] = resources;
    // Its values are those the defaults give, as every other block's; its count stays unknown.
    expect(ssh?.config.name).toBe("ssh-dev");
    expect(ssh?.config.count).toEqual({ $unknown: 'var.env == "prod" ? 1 : 0' });
    expect(ssh?.readFrom?.count).toContainEqual(expect.objectContaining({ line: 3 }));
  });

  it("leaves the block out when a variable file, or a validation accepting one value, pins it", () => {
    expect(
      kept(load({ "main.tf": env(""), "terraform.tfvars": 'env = "dev"\n' }).resources),
    ).toEqual([]);
    expect(
      kept(load({ "main.tf": env(""), "dev.tfvars": 'env = "dev"\n' }, ["dev.tfvars"]).resources),
    ).toEqual([]);
    for (const condition of ['var.env == "dev"', '"dev" == var.env', 'contains(["dev"], var.env)'])
      expect(
        kept(
          load({
            "main.tf": env(
              `  validation {\n    condition = ${condition}\n    error_message = "dev only"\n  }\n`,
            ),
          }).resources,
        ),
      ).toEqual([]);
    // Two values accepted: prod may be deployed.
    expect(
      kept(
        load({
          "main.tf": env(
            `  validation {\n    condition = contains(["dev", "prod"], var.env)\n    error_message = "dev or prod"\n  }\n`,
          ),
        }).resources,
      ),
    ).toEqual(['aws_security_group.ssh: not var.env is "dev"']);
  });

  it("keeps as today a block its default creates", () => {
    const { resources } = load({ "main.tf": env("").replace('"prod" ? 1', '"dev" ? 1') });
    expect(kept(resources)).toEqual(["aws_security_group.ssh[0]: -"]);
  });

  it("names every default the count or for_each read, through locals, and an opaque one by its name", () => {
    const { resources, errors } = load({
      "main.tf": `variable "create" {
  type    = bool
  default = true
}
variable "create_rule" {
  type    = bool
  default = false
}
variable "rules" {
  type    = map(string)
  default = {}
}
variable "token" {
  type      = string
  default   = "s3cr3t-value"
  sensitive = true
}
locals {
  create_rule = var.create && var.create_rule
}
resource "aws_security_group_rule" "one" {
  count = local.create_rule ? 1 : 0
  type  = "ingress"
}
resource "aws_security_group_rule" "each" {
  for_each = var.rules
  type     = "ingress"
  cidr_blocks = [each.value]
}
resource "aws_ssm_parameter" "token" {
  count = var.token == "" ? 1 : 0
  name  = "token"
}
`,
    });
    expect(errors).toEqual([]);
    expect(kept(resources)).toEqual([
      "aws_security_group_rule.one: not var.create is true or not var.create_rule is false",
      "aws_security_group_rule.each: not var.rules is {}",
      // A sensitive default is never written in a report.
      "aws_ssm_parameter.token: var.token is not its default",
    ]);
    expect(resources[1]?.config.cidr_blocks).toEqual([{ $unknown: "each.value" }]);
  });

  it("keeps a module call's resources, but not for a child variable left to its own default", () => {
    const { resources, errors } = load({
      "main.tf": `variable "enabled" {
  type    = bool
  default = false
}
module "sg" {
  source = "./sg"
  count  = var.enabled ? 1 : 0
}
module "quiet" {
  source = "./sg"
}
`,
      "sg/main.tf": `variable "create" {
  type    = bool
  default = false
}
resource "aws_security_group" "this" {
  count = var.create ? 1 : 0
  name  = "sg"
}
resource "aws_security_group" "always" {
  name = "always"
}
`,
    });
    expect(errors).toEqual([]);
    expect(kept(resources)).toEqual([
      "module.sg.aws_security_group.always: not var.enabled is false",
      "module.quiet.aws_security_group.always: -",
    ]);
  });
});
