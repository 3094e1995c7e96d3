import { describe, expect, it } from "vitest";
import type { SourceFile } from "../source.js";
import { loadTerraform, type TerraformOptions } from "./index.js";

const files: SourceFile[] = [
  {
    path: "envs/app/main.tf",
    text: `variable "ssh_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = var.ssh_cidrs
}
`,
  },
  { path: "envs/app/terraform.tfvars", text: `ssh_cidrs = ["10.1.0.0/16"]\n` },
  { path: "envs/app/staging.tfvars", text: `# staging\nssh_cidrs = ["0.0.0.0/0"]\n` },
  { path: "other/main.tf", text: `resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n` },
];

function cidrs(options: TerraformOptions) {
  const model = loadTerraform(files, options);
  const rule = model.resources.find((r) => r.address === "aws_security_group_rule.ssh");
  const location = rule?.locations["/cidr_blocks/0"];
  return {
    value: rule?.config.cidr_blocks,
    at: location && `${location.file}:${location.line}`,
    errors: model.errors.map((e) => `${e.file}:${e.line}: ${e.code}: ${e.message}`),
  };
}

describe("-var-file files of a root module", () => {
  it("are read after its tfvars, each value located in the file that sets it", () => {
    expect(cidrs({})).toEqual({
      value: ["10.1.0.0/16"],
      at: "envs/app/terraform.tfvars:1",
      errors: [],
    });
    expect(cidrs({ rootVariableFiles: { "envs/app": ["staging.tfvars"] } })).toEqual({
      value: ["0.0.0.0/0"],
      at: "envs/app/staging.tfvars:2",
      errors: [],
    });
  });

  it("named for every root apply where a root has them, an error only where none has", () => {
    expect(cidrs({ rootVariableFiles: { "*": ["staging.tfvars"] } })).toMatchObject({
      value: ["0.0.0.0/0"],
      errors: [],
    });
    expect(cidrs({ rootVariableFiles: { "*": ["prod.tfvars"] } }).errors).toEqual([
      'prod.tfvars:1: terraform-missing-variable-file: variable file "prod.tfvars" (-var-file of every root module) is not among the files read',
    ]);
  });

  it("are errors when missing from their root or given for a folder that is no root", () => {
    expect(
      cidrs({ rootVariableFiles: { "envs/app": ["prod.tfvars"], envs: ["x.tfvars"] } }).errors,
    ).toEqual([
      'envs:1: terraform-missing-variable-file: variable files are given for "envs", which is not a root module among the files read',
      'envs/app/prod.tfvars:1: terraform-missing-variable-file: variable file "envs/app/prod.tfvars" (-var-file of root envs/app) is not among the files read',
    ]);
  });

  it("are no error for a root the snapshot left out: one the listing shows unread, or one outside it", () => {
    // A pull request changing only other/ is fetched without envs/app: its variable files wait.
    const other = files.filter((file) => file.path.startsWith("other/"));
    const listing = { folders: [""], files: files.map((file) => file.path), unlisted: [] };
    const errors = (options: TerraformOptions) =>
      loadTerraform(other, options).errors.map((e) => `${e.file}: ${e.message}`);
    const given = { rootVariableFiles: { "envs/app": ["staging.tfvars"] } };
    expect(errors({ ...given, listing })).toEqual([]);
    // `tollgate scan other`: the listing covers other/ alone, and envs/app lies outside it.
    const scanned = { folders: ["other"], files: ["other/main.tf"], unlisted: [] };
    expect(errors({ ...given, listing: scanned })).toEqual([]);
    // Without a listing nothing tells it from a folder that is no root; a folder the listing
    // holds no Terraform file in is none (a typo), and one whose files were read is a module.
    const notRoot =
      'variable files are given for "envs/app", which is not a root module among the files read';
    expect(errors(given)).toEqual([`envs/app: ${notRoot}`]);
    expect(errors({ rootVariableFiles: { "envs/ap": ["x.tfvars"] }, listing })).toEqual([
      'envs/ap: variable files are given for "envs/ap", which is not a root module among the files read',
    ]);
    const called = [
      ...files,
      { path: "root/main.tf", text: 'module "app" {\n  source = "../envs/app"\n}\n' },
    ];
    expect(
      loadTerraform(called, { ...given, listing: { ...listing, files: called.map((f) => f.path) } })
        .errors.map((e) => `${e.file}: ${e.message}`)
        .filter((e) => e.includes("is not a root")),
    ).toEqual([`envs/app: ${notRoot}`]);
  });
});
