import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSources } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import type { Block } from "../hcl/index.js";
import { loadTerraform } from "./index.js";
import { discoverModules } from "./modules.js";

const here = path.dirname(fileURLToPath(import.meta.url));

function byAddress(resources: Resource[], address: string): Resource {
  const found = resources.find((resource) => resource.address === address);
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

function place(resource: Resource, pointer: string): string {
  const location = resource.locations[pointer];
  return location ? `${path.basename(location.file)}:${location.line}` : "none";
}

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([name, text]) => ({ path: name, text }));
  return loadTerraform(sources);
}

describe("override files", () => {
  const model = loadTerraform(readSources(path.join(here, "fixtures/overrides")));

  it("merge into the blocks they name instead of declaring them twice", () => {
    expect(model.errors).toEqual([]);
    expect(model.resources.map((r) => r.address).sort()).toEqual([
      "aws_ebs_volume.data",
      "aws_s3_bucket_logging.app",
      "aws_security_group.bastion",
      "aws_security_group_rule.ssh",
    ]);
  });

  it("replace an argument, located in the override file; later files win", () => {
    const volume = byAddress(model.resources, "aws_ebs_volume.data");
    expect(volume.config).toMatchObject({
      availability_zone: "eu-west-1a",
      encrypted: false,
      size: 20,
    });
    expect(place(volume, "/encrypted")).toBe("main_override.tf:2");
    expect(place(volume, "/size")).toBe("override.tf.json:10");
    expect(place(volume, "/availability_zone")).toBe("main.tf:11");
    expect(volume.line).toBe(10);
    expect(path.basename(volume.file)).toBe("main.tf");
  });

  it("replace every nested block of a type they write, keeping the other types", () => {
    const group = byAddress(model.resources, "aws_security_group.bastion");
    const ingress = group.config.ingress as { from_port: number }[];
    expect(ingress.map((rule) => rule.from_port)).toEqual([3389]);
    expect((group.config.egress as unknown[]).length).toBe(1);
    expect(place(group, "/ingress/0/from_port")).toBe("main_override.tf:11");
    expect(place(group, "/egress/0/protocol")).toBe("main.tf:41");
  });

  it("override locals value by value and variables argument by argument", () => {
    const logging = byAddress(model.resources, "aws_s3_bucket_logging.app");
    expect(logging.config.target_bucket).toBe("logs-override");
    expect(place(logging, "/target_bucket")).toBe("main_override.tf:19");
    const rule = byAddress(model.resources, "aws_security_group_rule.ssh");
    expect(rule.config.cidr_blocks).toEqual(["0.0.0.0/0"]);
    expect(place(rule, "/cidr_blocks/0")).toBe("override.tf.json:4");
  });

  it("merge a resource's lifecycle argument by argument", () => {
    const files = {
      "main.tf": `resource "aws_kms_key" "k" {
  enable_key_rotation = true
  lifecycle {
    prevent_destroy = true
  }
}
`,
      "override.tf": `resource "aws_kms_key" "k" {
  lifecycle {
    create_before_destroy = true
  }
}
`,
    };
    const { modules, errors } = discoverModules(
      Object.entries(files).map(([name, text]) => ({ path: name, text })),
    );
    expect(errors).toEqual([]);
    const key = modules.get("")?.resourcesByKey.get("aws_kms_key.k");
    const lifecycle = key?.node.body.items.filter(
      (item): item is Block => item.kind === "Block" && item.type === "lifecycle",
    );
    expect(
      lifecycle?.map((block) =>
        block.body.items.map((item) => item.kind === "Attribute" && item.name),
      ),
    ).toEqual([["prevent_destroy", "create_before_destroy"]]);
  });

  it("are errors, located in the override, when they name nothing or use depends_on", () => {
    const model = load({
      "main.tf": `resource "aws_s3_bucket" "a" {
  bucket = "a"
}
`,
      "x_override.tf": `resource "aws_s3_bucket" "b" {
  bucket = "b"
}

resource "aws_s3_bucket" "a" {
  depends_on = [aws_s3_bucket.b]
}

locals {
  missing = 1
}
`,
    });
    expect(
      model.errors.map((error) => `${error.file}:${error.line}: ${error.code}: ${error.message}`),
    ).toEqual([
      'x_override.tf:1: terraform-override: Missing base resource "aws_s3_bucket" "b" to override: there is no such declaration in the module\'s other files',
      "x_override.tf:6: terraform-override: depends_on may not be used in an override block; it is ignored",
      'x_override.tf:10: terraform-override: Missing base local value "missing" to override: there is no such declaration in the module\'s other files',
    ]);
    expect(model.resources.map((r) => r.address)).toEqual(["aws_s3_bucket.a"]);
  });

  it("do not override a module's other directories", () => {
    const model = load({
      "a/main.tf": `resource "aws_s3_bucket" "a" {
  bucket = "a"
}
`,
      "b/override.tf": `resource "aws_s3_bucket" "a" {
  bucket = "b"
}
`,
    });
    expect(model.errors.map((error) => `${error.file}:${error.line}`)).toEqual(["b/override.tf:1"]);
    expect(byAddress(model.resources, "aws_s3_bucket.a").config.bucket).toBe("a");
  });
});

describe("override files in JSON syntax", () => {
  const group = (ingress: string) => `{
  "resource": { "aws_security_group": { "a": {
    "name": "a",
    "dynamic": { "egress": { "for_each": [443], "content": { "from_port": "\${egress.value}" } } },
    ${ingress}
  } } }
}
`;
  const ingressArgument = `"ingress": { "from_port": 443, "cidr_blocks": ["10.0.0.0/8"] }`;
  const ingressDynamic = `"dynamic": { "ingress": { "for_each": [22], "content": { "from_port": "\${ingress.value}" } } }`;

  it("replace the blocks of the types a dynamic block or a block argument writes, keeping the others", () => {
    const model = load({
      "main.tf.json": group(
        `${ingressArgument},\n    "dynamic": { "ingress": { "for_each": [80], "content": { "from_port": 80 } } }`,
      ),
      "x_override.tf.json": `{
  "resource": { "aws_security_group": { "a": {
    ${ingressDynamic}
  } } }
}
`,
    });
    expect(model.errors).toEqual([]);
    const resource = byAddress(model.resources, "aws_security_group.a");
    expect(resource.config.ingress).toEqual([{ from_port: 22 }]);
    expect(resource.config.egress).toEqual([{ from_port: 443 }]);
    expect(place(resource, "/ingress")).toBe("x_override.tf.json:3");
    expect(place(resource, "/ingress/0/from_port")).toBe("x_override.tf.json:3");
    expect(place(resource, "/egress/0")).toBe("main.tf.json:4");
  });

  it("replace native blocks with a block argument beside them, and are replaced by native blocks", () => {
    const native = `resource "aws_security_group" "a" {
  name = "a"
  ingress {
    from_port = 443
  }
  dynamic "ingress" {
    for_each = [80]
    content {
      from_port = ingress.value
    }
  }
  egress {
    from_port = 0
  }
}
`;
    const intoNative = load({
      "main.tf": native,
      "x_override.tf.json": `{
  "resource": { "aws_security_group": { "a": {
    "ingress": [{ "from_port": 22 }]
  } } }
}
`,
    });
    expect(intoNative.errors).toEqual([]);
    const merged = byAddress(intoNative.resources, "aws_security_group.a");
    expect(merged.config.ingress).toEqual([{ from_port: 22 }]);
    expect(merged.config.egress).toEqual([{ from_port: 0 }]);
    expect(place(merged, "/ingress/0/from_port")).toBe("x_override.tf.json:3");
    const fromNative = load({
      "main.tf.json": group(ingressArgument),
      "x_override.tf": `resource "aws_security_group" "a" {
  ingress {
    from_port = 22
  }
}
`,
    });
    expect(fromNative.errors).toEqual([]);
    const replaced = byAddress(fromNative.resources, "aws_security_group.a");
    expect(replaced.config.ingress).toEqual([{ from_port: 22 }]);
    expect(replaced.config.egress).toEqual([{ from_port: 443 }]);
  });
});
