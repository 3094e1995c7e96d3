import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";
import { plannedWorkspaces, UNNAMED_WORKSPACE } from "./workspaces.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

/** Each instance as `world: address = the value at pointer`, in load order. */
function worlds(resources: Resource[], pointer: (r: Resource) => unknown): string[] {
  return resources.map(
    (r) => `${r.workspace ?? "-"}: ${r.address} = ${JSON.stringify(pointer(r))}`,
  );
}

const sshFrom = (cidrs: string) => `resource "aws_security_group" "a" {
  name = "a-\${terraform.workspace}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ${cidrs}
  }
}
`;

const ingressCidrs = (r: Resource) =>
  (r.config.ingress as Array<{ cidr_blocks: unknown }>)[0]?.cidr_blocks;

describe("roots that read terraform.workspace", () => {
  it("are evaluated once per key of a map it indexes, each world located at its entry", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = {
    default = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom("[local.cidrs[terraform.workspace]]")}`,
    });
    expect(errors).toEqual([]);
    // A workspace no key names fails at the index, as Terraform's plan does: no world of its own.
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is default: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
    expect(resources.map((r) => r.locations["/ingress/0/cidr_blocks/0"]?.line)).toEqual([3, 4]);
    expect(resources.map((r) => r.config.name)).toEqual(["a-default", "a-prod"]);
    expect(resources[0]?.choices).toEqual({
      parameters: { "terraform.workspace": ["default", "prod"] },
      conditions: {},
    });
  });

  it("let default stand for every workspace nothing names, under the negation of the others", () => {
    const { resources } = load({
      "main.tf": sshFrom(`terraform.workspace == "prod" ? ["0.0.0.0/0"] : ["10.0.0.0/8"]`),
    });
    expect(worlds(resources, ingressCidrs)).toEqual([
      `not terraform.workspace is prod: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });

  it("leave out a default that a map without its key cannot plan", () => {
    const { resources, errors } = load({
      "main.tf": `variable "sizes" {
  default = {
    staging = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom("[lookup(var.sizes, terraform.workspace)]")}`,
    });
    // The evaluation of record, with the workspace unknown, reports nothing either.
    expect(errors).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
      `terraform.workspace is staging: aws_security_group.a = ["10.0.0.0/8"]`,
    ]);
  });

  it("follow terraform.workspace passed to a local module's variable", () => {
    const { resources } = load({
      "main.tf": `module "sg" {
  source = "./modules/sg"
  env    = terraform.workspace
}
`,
      "modules/sg/main.tf": `variable "env" { type = string }
locals {
  cidrs = { dev = "10.0.0.0/8", prod = "0.0.0.0/0" }
}
${sshFrom(`[lookup(local.cidrs, var.env, "10.1.0.0/16")]`)}`,
    });
    expect(worlds(resources, ingressCidrs)).toEqual([
      `not terraform.workspace is dev and not terraform.workspace is prod: module.sg.aws_security_group.a = ["10.1.0.0/16"]`,
      `terraform.workspace is dev: module.sg.aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: module.sg.aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });

  it("give each world the instances its for_each makes", () => {
    const { resources } = load({
      "main.tf": `locals {
  ports = {
    default = {}
    prod    = { ssh = 22 }
  }
}
resource "aws_security_group_rule" "open" {
  for_each          = local.ports[terraform.workspace]
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = each.value
  to_port           = each.value
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
`,
    });
    expect(worlds(resources, (r) => r.config.from_port)).toEqual([
      `terraform.workspace is prod: aws_security_group_rule.open["ssh"] = 22`,
    ]);
  });

  it("leave a root that names no workspace as it was, and a name it only interpolates unknown", () => {
    const { resources } = load({ "main.tf": sshFrom(`["10.0.0.0/8"]`) });
    expect(resources.map((r) => [r.workspace, r.choices, r.config.name])).toEqual([
      [undefined, undefined, { $unknown: '"a-${terraform.workspace}"' }],
    ]);
  });

  it("leave a root as it was when a function other than lookup or contains reads the workspace", () => {
    // Evaluated as default, startswith(...) would count the group out in every world, where
    // any workspace whose name starts with dev deploys it.
    const { resources } = load({
      "main.tf": `locals {
  size = terraform.workspace == "prod" ? "large" : "small"
}

resource "aws_security_group" "a" {
  count = startswith(terraform.workspace, "dev") ? 1 : 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
    });
    // As before workspaces were evaluated: the count unknown, the group kept, in no world.
    expect(resources.map((r) => [r.address, r.workspace])).toEqual([
      ["aws_security_group.a", undefined],
    ]);
  });
});

describe("worlds Tollgate's own limits reach", () => {
  const openGroup = `resource "aws_security_group" "a" {
  count = length(local.ids) > 0 ? 1 : 0
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

  it("keep the world, judged as with the workspace unknown, with an error on the limit's line", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  sizes = { default = 1, prod = 200 }
  ids   = [for i in range(local.sizes[terraform.workspace]) : range(1000)]
}
${openGroup}`,
    });
    // prod holds more elements than Tollgate evaluates: that is no workspace Terraform cannot
    // plan, and default's group must not read as the only one. What only prod deploys is not
    // known, so the head could not be fully evaluated: an error, not a warning.
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 3,
        column: 11,
        code: "terraform-workspace-limit",
        message:
          'in workspace "prod": this expression builds more than 100000 elements; it is treated as unknown; what that workspace deploys is not known (it is judged with terraform.workspace unknown)',
      },
    ]);
    expect(worlds(resources, (r) => r.config.count)).toEqual([
      `terraform.workspace is default: aws_security_group.a[0] = undefined`,
      `terraform.workspace is prod: aws_security_group.a = {"$unknown":"length(local.ids) > 0 ? 1 : 0"}`,
    ]);
    expect(resources[0]?.choices?.parameters).toEqual({
      "terraform.workspace": ["default", "prod"],
    });
  });

  it("count each world's module instances from the root on, as the evaluation of record does", () => {
    // 2,600 instances in each evaluation: within the 5,000 each may make, not when a world
    // starts where the evaluation of record stopped.
    const { resources, errors } = load({
      "main.tf": `module "many" {
  source = "./m"
  count  = 2600
}
resource "aws_instance" "x" {
  instance_type = terraform.workspace == "prod" ? "m5.large" : "t3.micro"
}
`,
      "m/main.tf": "",
    });
    expect(errors).toEqual([]);
    expect(worlds(resources, (r) => r.config.instance_type)).toEqual([
      `not terraform.workspace is prod: aws_instance.x = "t3.micro"`,
      `terraform.workspace is prod: aws_instance.x = "m5.large"`,
    ]);
  });
});

describe("workspace names Tollgate does not evaluate one by one", () => {
  it("are named in a warning where the first is read when there are more than 16", () => {
    const names = Array.from({ length: 17 }, (_, i) => `ws${String(i).padStart(2, "0")}`);
    const { resources, errors } = load({
      "main.tf": `locals {
  sizes = { ${names.map((name) => `${name} = "t3.micro"`).join(", ")} }
}
resource "aws_instance" "x" {
  instance_type = local.sizes[terraform.workspace]
}
`,
    });
    expect(resources.map((r) => [r.workspace, r.config.instance_type])).toEqual([
      [undefined, { $unknown: "local.sizes[terraform.workspace]" }],
    ]);
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 5,
        column: 19,
        level: "warning",
        code: "terraform-workspaces",
        message: `the root tells apart 18 workspaces (default among them), more than the 15 Tollgate evaluates one by one: none of ${names
          .slice(0, 20)
          .map((name) => `"${name}"`)
          .join(", ")} is evaluated on its own; what terraform.workspace decides stays unknown`,
      },
    ]);
  });

  it("are named in a warning when a condition cannot hold one", () => {
    const { errors } = load({
      "main.tf": `resource "aws_instance" "x" {
  instance_type = terraform.workspace == "prod eu" ? "m5.large" : "t3.micro"
}
`,
    });
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      `2:19 terraform-workspaces a condition cannot hold the workspace name "prod eu": none of "prod eu" is evaluated on its own; what terraform.workspace decides stays unknown`,
    ]);
  });
});

describe("workspace names read through a template of the workspace alone", () => {
  it.each([
    ['local.cidrs["${terraform.workspace}"]'],
    ['lookup(local.cidrs, "${terraform.workspace}")'],
  ])("are collected as the bare read's: %s", (read) => {
    const { resources, errors } = load({
      "main.tf": `locals {
  cidrs = {
    default = "10.0.0.0/8"
    prod    = "0.0.0.0/0"
  }
}
${sshFrom(`[${read}]`)}`,
    });
    expect(errors).toEqual([]);
    expect(worlds(resources, ingressCidrs)).toEqual([
      `terraform.workspace is default: aws_security_group.a = ["10.0.0.0/8"]`,
      `terraform.workspace is prod: aws_security_group.a = ["0.0.0.0/0"]`,
    ]);
  });
});

describe("plannedWorkspaces", () => {
  it("adds a world for the unnamed workspaces when default is named", () => {
    expect(plannedWorkspaces(new Set(["default", "prod"])).map((w) => w.name)).toEqual([
      "default",
      "prod",
      UNNAMED_WORKSPACE,
    ]);
  });

  it("plans none for a name a condition text cannot hold", () => {
    expect(plannedWorkspaces(new Set(["prod eu"]))).toEqual([]);
    expect(plannedWorkspaces(new Set(["not"]))).toEqual([]);
  });
});
