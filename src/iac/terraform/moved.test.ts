import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir } from "../../../test/support/corpus.js";
import { readRepositoryFiles } from "../files.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

const moves = (model: ReturnType<typeof load>, implied = false) =>
  model.moves
    .filter((m) => implied || !m.implied)
    .map(
      (m) =>
        `${m.root}:${m.from}${m.anyInstance ? "[*]" : ""} -> ${m.to}${m.whole ? "" : " (instance)"}`,
    );

const warnings = (model: ReturnType<typeof load>) =>
  model.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.level ?? "error"} ${e.message}`);

describe("moved blocks", () => {
  it("are read with their place, a resource or module rename moving every instance", () => {
    const model = load({
      "infra/main.tf": `resource "aws_security_group" "app" {}

moved {
  from = aws_security_group.web
  to   = aws_security_group.app
}

module "network" {
  source = "terraform-aws-modules/vpc/aws"
}
moved {
  from = module.vpc
  to   = module.network
}
`,
    });
    expect(moves(model)).toEqual([
      "infra:aws_security_group.web -> aws_security_group.app",
      "infra:module.vpc -> module.network",
    ]);
    expect(model.moves[0]).toMatchObject({ file: "infra/main.tf", line: 3, column: 1 });
    expect(model.errors).toEqual([]);
  });

  it("keep instance keys as addresses write them: count to for_each, adding count, into a module", () => {
    const model = load({
      "main.tf": `resource "aws_instance" "web" {
  for_each = toset(["a", "b"])
}
moved {
  from = aws_instance.web[0]
  to   = aws_instance.web["a"]
}
resource "aws_instance" "db" {
  count = 1
}
moved {
  from = aws_instance.db
  to   = aws_instance.db[0]
}
module "edge" {
  source   = "terraform-aws-modules/security-group/aws"
  for_each = toset(["x"])
}
moved {
  from = aws_security_group.edge
  to   = module.edge["x"].aws_security_group.this[0]
}
`,
    });
    expect(moves(model)).toEqual([
      ':aws_instance.web[0] -> aws_instance.web["a"] (instance)',
      ":aws_instance.db -> aws_instance.db[0] (instance)",
      ':aws_security_group.edge -> module.edge["x"].aws_security_group.this[0] (instance)',
    ]);
  });

  it("in a child module apply to each of its instances, relative to each", () => {
    const model = load({
      "main.tf": `module "net" {
  source = "./modules/net"
  count  = 2
}
module "edge" {
  source = "./modules/net"
}
`,
      "modules/net/main.tf": `resource "aws_security_group" "app" {}
moved {
  from = aws_security_group.web
  to   = aws_security_group.app
}
`,
    });
    expect(moves(model)).toEqual([
      ":module.net[0].aws_security_group.web -> module.net[0].aws_security_group.app",
      ":module.net[1].aws_security_group.web -> module.net[1].aws_security_group.app",
      ":module.edge.aws_security_group.web -> module.edge.aws_security_group.app",
    ]);
    expect(model.moves[0]).toMatchObject({ file: "modules/net/main.tf", line: 2 });
  });

  it("are implied where count is added or removed, unless a moved block names the resource", () => {
    const model = load({
      "main.tf": `resource "aws_security_group" "web" {
  count = 1
}
resource "aws_security_group" "db" {}
resource "aws_security_group" "cache" {
  for_each = toset(["a"])
}
resource "aws_security_group" "queue" {
  count = var.queues
}
variable "queues" {}
data "aws_vpc" "main" {}
resource "aws_instance" "app" {
  count = 2
}
moved {
  from = aws_instance.app
  to   = aws_instance.app[1]
}
module "net" {
  source = "./net"
}
`,
      "net/main.tf": `resource "aws_security_group" "edge" {}`,
    });
    expect(moves(model, true).filter((m) => !moves(model).includes(m))).toEqual([
      ":aws_security_group.web -> aws_security_group.web[0] (instance)",
      ":aws_security_group.db[0] -> aws_security_group.db (instance)",
      // Its count is unknown: whichever instances were at base, each is now `queue`.
      ":aws_security_group.queue[*] -> aws_security_group.queue (instance)",
      ":module.net.aws_security_group.edge[0] -> module.net.aws_security_group.edge (instance)",
    ]);
    expect(model.moves.find((m) => m.implied)).toMatchObject({ file: "main.tf", line: 1 });
  });

  it("are read from .tf.json, where the addresses are strings", () => {
    const model = load({
      "main.tf.json": JSON.stringify({
        resource: { aws_instance: { b: { count: 1 } } },
        moved: [{ from: 'aws_instance.a["k"]', to: "aws_instance.b[0]" }],
      }),
    });
    expect(moves(model)).toEqual([':aws_instance.a["k"] -> aws_instance.b[0] (instance)']);
  });

  it("that Terraform refuses are left out with a located warning, the rest still load", () => {
    const model = load({
      "main.tf": `resource "aws_instance" "a" {}
moved {
  from = aws_instance.old
  to   = aws_instance.a
}
moved {
  from = aws_instance.a
  to   = aws_instance.b
}
moved {
  from = aws_instance.x
  to   = aws_ebs_volume.x
}
moved {
  from = aws_instance.same
  to   = aws_instance.same
}
moved {
  from = data.aws_ami.a
  to   = data.aws_ami.b
}
moved {
  from = module.m
  to   = aws_instance.m
}
moved {
  from = "aws_instance.\${var.x}"
  to   = aws_instance.y
}
moved {
  from = aws_instance.p
  to   = aws_instance.q
}
moved {
  from = aws_instance.q
  to   = aws_instance.p
}
moved {
  from = aws_instance.one
  to   = aws_instance.two
}
moved {
  from = aws_instance.one
  to   = aws_instance.three
}
`,
    });
    expect(moves(model)).toEqual([":aws_instance.old -> aws_instance.a"]);
    expect(warnings(model)).toEqual([
      "main.tf:6:1 warning moved block from aws_instance.a to aws_instance.b: aws_instance.a is still declared in this module; it is left out",
      "main.tf:10:1 warning moved block from aws_instance.x to aws_ebs_volume.x: the resource type changes, and Tollgate follows a move within one resource type only; it is left out",
      "main.tf:14:1 warning moved block from aws_instance.same to aws_instance.same: both ends are the same address; it is left out",
      'main.tf:19:3 warning moved block "from": a data resource cannot be moved; it is left out',
      'main.tf:20:3 warning moved block "to": a data resource cannot be moved; it is left out',
      "main.tf:22:1 warning moved block from module.m to aws_instance.m: one end is a resource and the other a module; it is left out",
      'main.tf:27:3 warning moved block "from": not a resource or module address (aws_instance.a, aws_instance.a[0], module.net, module.net.aws_instance.a); it is left out',
      "main.tf:38:1 warning moved block from aws_instance.one to aws_instance.two: aws_instance.one is also moved to aws_instance.three; it is left out",
      "main.tf:42:1 warning moved block from aws_instance.one to aws_instance.three: aws_instance.one is also moved to aws_instance.two; it is left out",
      "main.tf:30:1 warning moved block from aws_instance.p to aws_instance.q: the chain of moves leads back to where it starts; it is left out",
      "main.tf:34:1 warning moved block from aws_instance.q to aws_instance.p: the chain of moves leads back to where it starts; it is left out",
    ]);
  });

  it("of a real module are made absolute in each root calling it (terraform-aws-iam)", async () => {
    const root = path.join(corpusDir, "real/terraform-aws-iam");
    const { files } = await readRepositoryFiles(root);
    const model = loadTerraform(files);
    const group = model.moves.filter((m) => m.root === "examples/iam-group" && !m.implied);
    expect(group.map((move) => `${move.file}: ${move.from} -> ${move.to}`)).toEqual([
      "modules/iam-group/migrations.tf: module.iam_group.aws_iam_policy.iam_self_management -> module.iam_group.aws_iam_policy.this",
      "modules/iam-group/migrations.tf: module.iam_group.aws_iam_group_policy_attachment.iam_self_management -> module.iam_group.aws_iam_group_policy_attachment.this",
      "modules/iam-group/migrations.tf: module.iam_group_disabled.aws_iam_policy.iam_self_management -> module.iam_group_disabled.aws_iam_policy.this",
      "modules/iam-group/migrations.tf: module.iam_group_disabled.aws_iam_group_policy_attachment.iam_self_management -> module.iam_group_disabled.aws_iam_group_policy_attachment.this",
      "modules/iam-user/migrations.tf: module.iam_user1.aws_iam_access_key.this_no_pgp -> module.iam_user1.aws_iam_access_key.this",
      "modules/iam-user/migrations.tf: module.iam_user2.aws_iam_access_key.this_no_pgp -> module.iam_user2.aws_iam_access_key.this",
    ]);
    expect(model.errors.filter((e) => e.code === "terraform-moved")).toEqual([]);
  });
});

describe("import blocks", () => {
  const adopted = (model: ReturnType<typeof load>) =>
    model.adopted.map((a) => `${a.root}:${a.address} ${a.file}:${a.line}`);

  it("adopt the instance `to` names, into a module instance, any key under for_each", () => {
    const model = load({
      "live/main.tf": `import {
  to = aws_security_group.legacy
  id = "sg-0123"
}
import {
  for_each = var.buckets
  to       = module.store["logs"].aws_s3_bucket.this[each.key]
  id       = each.value
}
module "store" {
  source   = "./store"
  for_each = toset(["logs"])
}
variable "buckets" { default = {} }
resource "aws_security_group" "legacy" {}
`,
      "live/store/main.tf": `resource "aws_s3_bucket" "this" {}
import {
  to = aws_s3_bucket.child
  id = "child"
}
`,
      "other.tf.json": JSON.stringify({
        import: [{ to: 'aws_instance.web["a"]', id: "i-1" }],
      }),
    });
    // A called module's import block (Terraform 1.16 and later) adopts in each instance of it;
    // .tf.json writes `to` as a string.
    expect(adopted(model)).toEqual([
      ':aws_instance.web["a"] other.tf.json:1',
      "live:aws_security_group.legacy live/main.tf:1",
      'live:module.store["logs"].aws_s3_bucket.this[*] live/main.tf:5',
      'live:module.store["logs"].aws_s3_bucket.child live/store/main.tf:2',
    ]);
    expect(warnings(model)).toEqual([]);
  });

  it("of a called module adopt relative to each of its instances, nested, counted or unknown", () => {
    const model = load({
      "main.tf": `module "app" {
  source = "./app"
  count  = 2
}
module "any" {
  source   = "./app"
  for_each = var.names
}
variable "names" {}
`,
      "app/main.tf": `module "store" {
  source = "../store"
}
import {
  to = aws_iam_role.legacy
  id = "legacy"
}
resource "aws_iam_role" "legacy" {}
`,
      "store/main.tf": `import {
  for_each = toset(["a", "b"])
  to       = aws_s3_bucket.this[each.key]
  id       = each.key
}
import {
  to = aws_s3_bucket.this
}
resource "aws_s3_bucket" "this" {
  for_each = toset(["a", "b"])
}
`,
    });
    expect(adopted(model)).toEqual([
      ":module.app[0].aws_iam_role.legacy app/main.tf:4",
      ":module.app[0].module.store.aws_s3_bucket.this[*] store/main.tf:1",
      ":module.app[1].aws_iam_role.legacy app/main.tf:4",
      ":module.app[1].module.store.aws_s3_bucket.this[*] store/main.tf:1",
      ":module.any.aws_iam_role.legacy app/main.tf:4",
      ":module.any.module.store.aws_s3_bucket.this[*] store/main.tf:1",
    ]);
    // Refused once where it is written, whatever calls it.
    expect(warnings(model)).toEqual([
      'store/main.tf:6:1 warning an import block needs "id" (or "identity"); it is left out',
    ]);
  });

  it("of a called module are left out where required_version allows only Terraform before 1.16", () => {
    const files = (required: string) => ({
      "main.tf": `terraform {
  required_version = "${required}"
}
module "app" {
  source = "./app"
}
import {
  to = aws_iam_role.root
  id = "root"
}
resource "aws_iam_role" "root" {}
`,
      "app/main.tf": `import {
  to = aws_iam_role.legacy
  id = "legacy"
}
resource "aws_iam_role" "legacy" {}
`,
    });
    const old = load(files("~> 1.15.0"));
    expect(adopted(old)).toEqual([":aws_iam_role.root main.tf:7"]);
    expect(warnings(old)).toEqual([
      'app/main.tf:1:1 warning an import block in a module another module calls, where required_version "~> 1.15.0" (main.tf:2) allows only Terraform before 1.16, which refuses it, so what it names is not taken as adopted; it is left out',
    ]);
    for (const allowing of [">= 1.5", "~> 1.16", "< 2.0.0"])
      expect(adopted(load(files(allowing)))).toEqual([
        ":aws_iam_role.root main.tf:7",
        ":module.app.aws_iam_role.legacy app/main.tf:1",
      ]);
  });

  it("that Terraform refuses are left out with a located warning", () => {
    const model = load({
      "main.tf": `import {
  id = "no-to"
}
import {
  to = aws_instance.no_id
}
import {
  to       = aws_instance.both
  id       = "i-1"
  identity = { id = "i-1" }
}
import {
  to = data.aws_vpc.main
  id = "vpc-1"
}
import {
  to = module.net
  id = "x"
}
import {
  to = aws_instance.keyed[each.key]
  id = "i-2"
}
import {
  to = aws_instance.ok
  id = "i-3"
}
`,
    });
    expect(adopted(model)).toEqual([":aws_instance.ok main.tf:24"]);
    expect(warnings(model)).toEqual([
      'main.tf:1:1 warning an import block needs "to"; it is left out',
      'main.tf:4:1 warning an import block needs "id" (or "identity"); it is left out',
      'main.tf:7:1 warning an import block takes "id" or "identity", not both; it is left out',
      'main.tf:13:3 warning import block "to": a data resource cannot be imported; it is left out',
      'main.tf:17:3 warning import block "to": not a resource instance address (aws_instance.a, aws_instance.a["k"], aws_instance.a[each.key], module.net.aws_instance.a); it is left out',
      'main.tf:21:3 warning import block "to": a key written as an expression needs "for_each"; it is left out',
    ]);
  });
});
