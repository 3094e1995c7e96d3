// OpenTofu's files (`.tofu`, `.tofu.json`) are read as Terraform's, with OpenTofu's precedence: a
// `.tofu` file takes the place of the `.tf` file of the same name in its folder (review finding 13,
// session 21: a `main.tofu` beside a benign `main.tf` is what OpenTofu deploys). Terraform reads no
// `.tofu` file, so which reading is judged is the settings' `terraform.tool`; absent, a folder the
// two read differently is an error (session 22 review finding 5).
import { describe, expect, it } from "vitest";
import type { LoadError } from "../../model/types.js";
import type { TerraformTool } from "../source.js";
import { loadTerraform } from "./index.js";

const openSsh = (name: string) => `resource "aws_security_group" "${name}" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`;

function load(files: Record<string, string>, tool?: TerraformTool) {
  return loadTerraform(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    tool ? { tool } : {},
  );
}

const place = (e: LoadError) => `${e.file}:${e.line} ${e.code}${e.level ? ` ${e.level}` : ""}`;

describe("OpenTofu files", () => {
  const shadowedPair = {
    "main.tf": openSsh("web").replace("0.0.0.0/0", "10.0.0.0/8"),
    "main.tofu": openSsh("web"),
    "extra.tf": 'resource "aws_s3_bucket" "logs" {}\n',
  };

  it("under opentofu, read a .tofu file in place of the .tf of the same name, and say the .tf was left out", () => {
    const model = load(shadowedPair, "opentofu");
    expect(model.resources.map((r) => `${r.address} ${r.file}:${r.line}`)).toEqual([
      "aws_s3_bucket.logs extra.tf:1",
      "aws_security_group.web main.tofu:1",
    ]);
    expect(model.resources[1]?.config).toMatchObject({
      ingress: [{ cidr_blocks: ["0.0.0.0/0"] }],
    });
    expect(model.errors.map(place)).toEqual(["main.tf:1 opentofu-precedence warning"]);
    expect(model.errors[0]?.message).toContain("OpenTofu reads main.tofu in its place");
  });

  it("under terraform, read the .tf files only, and say each .tofu file was left out", () => {
    const model = load(
      { ...shadowedPair, "only.tofu": openSsh("only_tofu"), "x.tofu.json": "{}" },
      "terraform",
    );
    expect(model.resources.map((r) => `${r.address} ${r.file}:${r.line}`)).toEqual([
      "aws_s3_bucket.logs extra.tf:1",
      "aws_security_group.web main.tf:1",
    ]);
    expect(model.resources[1]?.config).toMatchObject({
      ingress: [{ cidr_blocks: ["10.0.0.0/8"] }],
    });
    expect(model.errors.map(place)).toEqual([
      "main.tofu:1 opentofu-not-read warning",
      "only.tofu:1 opentofu-not-read warning",
      "x.tofu.json:1 opentofu-not-read warning",
    ]);
  });

  it("with no tool set, read as OpenTofu does, but make each .tofu that shadows a .tf an error", () => {
    const model = load(shadowedPair);
    expect(model.resources.map((r) => `${r.address} ${r.file}:${r.line}`)).toEqual([
      "aws_s3_bucket.logs extra.tf:1",
      "aws_security_group.web main.tofu:1",
    ]);
    expect(model.errors.map(place)).toEqual(["main.tofu:1 opentofu-ambiguous"]);
    expect(model.errors[0]?.message).toContain("Terraform reads main.tf and not this file");
    expect(model.errors[0]?.message).toContain("set terraform.tool (terraform or opentofu)");
  });

  it("with no tool set, make an OpenTofu override file an error, and read a .tofu that shadows nothing without one", () => {
    const model = load({
      "main.tf": openSsh("web").replace("0.0.0.0/0", "10.0.0.0/8"),
      "net_override.tofu": openSsh("web").replace(
        'resource "aws_security_group" "web" {',
        'resource "aws_security_group" "web" {\n  description = "tofu"',
      ),
      "extra.tofu": 'resource "aws_s3_bucket" "only_opentofu" {}\n',
      "sub/override.tofu.json": JSON.stringify({
        resource: { aws_s3_bucket: { b: { bucket: "x" } } },
      }),
      "sub/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
    });
    expect(model.errors.map(place)).toEqual([
      "net_override.tofu:1 opentofu-ambiguous",
      "sub/override.tofu.json:1 opentofu-ambiguous",
    ]);
    expect(model.errors[0]?.message).toContain(
      "OpenTofu applies it and Terraform does not read it",
    );
    expect(model.resources.map((r) => r.address).sort()).toEqual([
      "aws_s3_bucket.b",
      "aws_s3_bucket.only_opentofu",
      "aws_security_group.web",
    ]);
    expect(
      model.resources.find((r) => r.address === "aws_security_group.web")?.config,
    ).toMatchObject({ description: "tofu" });
    expect(load({ "main.tf": openSsh("web"), "extra.tofu": openSsh("more") }).errors).toEqual([]);
  });

  it("pair .tofu.json with .tf.json only, folder by folder", () => {
    const json = (name: string) => JSON.stringify({ resource: { aws_s3_bucket: { [name]: {} } } });
    const model = load(
      {
        "net.tf.json": json("shadowed"),
        "net.tofu.json": json("read"),
        "a.tf.json": json("a_json"),
        "a.tofu": 'resource "aws_s3_bucket" "a_hcl" {}\n',
        "sub/net.tf": 'resource "aws_s3_bucket" "other_folder" {}\n',
      },
      "opentofu",
    );
    expect(model.resources.map((r) => r.address).sort()).toEqual([
      "aws_s3_bucket.a_hcl",
      "aws_s3_bucket.a_json",
      "aws_s3_bucket.other_folder",
      "aws_s3_bucket.read",
    ]);
    expect(model.errors.map(place)).toEqual(["net.tf.json:1 opentofu-precedence warning"]);
  });

  it("load a root of .tofu files alone, and a local module written in .tofu", () => {
    const model = load({
      "live/main.tofu": 'module "sg" {\n  source = "../modules/sg"\n  name = "ssh"\n}\n',
      "live/vars.tofu.json": '{"variable": {"unused": {}}}',
      "modules/sg/main.tofu": `variable "name" {}\n${openSsh("this")}`,
    });
    expect(model.errors).toEqual([]);
    expect(model.resources.map((r) => `${r.address} ${r.file}`)).toEqual([
      "module.sg.aws_security_group.this modules/sg/main.tofu",
    ]);
  });

  it("read override files of .tofu and .tofu.json, one in place of the .tf override of its name", () => {
    const model = load(
      {
        "main.tofu": openSsh("web"),
        "web_override.tf": 'resource "aws_security_group" "web" {\n  description = "from .tf"\n}\n',
        "web_override.tofu": 'resource "aws_security_group" "web" {\n  description = "tofu"\n}\n',
        "override.tofu.json": JSON.stringify({
          resource: { aws_security_group: { web: { name: "from-json" } } },
        }),
      },
      "opentofu",
    );
    expect(model.errors.map(place)).toEqual(["web_override.tf:1 opentofu-precedence warning"]);
    expect(model.resources).toHaveLength(1);
    expect(model.resources[0]?.config).toMatchObject({ description: "tofu", name: "from-json" });
    expect(model.resources[0]?.locations["/description"]?.file).toBe("web_override.tofu");
  });

  it("say where OpenTofu-only syntax is not evaluated: provider for_each, lifecycle enabled, a variable module source", () => {
    const model = load({
      "main.tofu": `variable "regions" {
  default = ["eu-west-1"]
}
provider "aws" {
  alias    = "by_region"
  for_each = toset(var.regions)
  region   = each.value
}
${openSsh("web").replace("  ingress {", "  lifecycle {\n    enabled = false\n  }\n  ingress {")}
module "m" {
  source = var.source
}
`,
      "json.tofu.json": JSON.stringify(
        { resource: { aws_s3_bucket: { b: { lifecycle: { enabled: false } } } } },
        null,
        1,
      ),
    });
    expect(model.errors.map(place)).toEqual([
      "json.tofu.json:6 opentofu-enabled warning",
      "main.tofu:6 opentofu-provider-for-each warning",
      "main.tofu:11 opentofu-enabled warning",
      "main.tofu:22 terraform-module-source",
    ]);
  });
});
