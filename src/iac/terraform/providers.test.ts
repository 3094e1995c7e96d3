import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";
import { constraintRange, formatVersion } from "./providers.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

function providerOf(resources: Resource[], address: string, root = "") {
  return resources.find((r) => r.address === address && (r.root ?? "") === root)?.provider;
}

function requiring(version: string, source = "hashicorp/aws"): string {
  return `terraform {
  required_providers {
    aws = {
      source  = "${source}"
      version = "${version}"
    }
  }
}
`;
}

const cluster = `resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier = "warehouse"
}
`;

function lockFile(version: string, address = "registry.terraform.io/hashicorp/aws"): string {
  return `# This file is maintained automatically by "terraform init".
provider "${address}" {
  version     = "${version}"
  constraints = ">= 5.0.0"
  hashes = [
    "h1:abc=",
    "zh:def",
  ]
}
`;
}

function range(text: string): [string, string | undefined] | undefined {
  const found = constraintRange(text);
  return found && [formatVersion(found.lowest), found.below && formatVersion(found.below)];
}

describe("version constraints", () => {
  it("read as the versions they allow, as Terraform's constraint syntax means them", () => {
    expect(range("~> 5.0")).toEqual(["5.0.0", "6.0.0"]);
    expect(range("~> 5")).toEqual(["5.0.0", "6.0.0"]);
    expect(range("~> 5.92.1")).toEqual(["5.92.1", "5.93.0"]);
    expect(range(">= 4.0, < 6")).toEqual(["4.0.0", "6.0.0"]);
    expect(range(">= 3.29")).toEqual(["3.29.0", undefined]);
    expect(range("> 5.99.0")).toEqual(["5.99.1", undefined]);
    expect(range("<= 5.100.0")).toEqual(["0.0.0", "5.100.1"]);
    expect(range("5.3.0")).toEqual(["5.3.0", "5.3.1"]);
    expect(range("= 6.0.0-beta1")).toEqual(["6.0.0", "6.0.1"]);
    expect(range(">= 5.0, != 5.1.0")).toEqual(["5.0.0", undefined]);
    expect(range("latest")).toBeUndefined();
    expect(range(">= 5.0,")).toBeUndefined();
  });
});

describe("provider versions in force", () => {
  it("are the constraints of the root module when there is no lock file", () => {
    const { resources, errors } = load({ "versions.tf": requiring("~> 5.0"), "main.tf": cluster });
    expect(errors).toEqual([]);
    expect(providerOf(resources, "aws_redshift_cluster.warehouse")).toEqual({
      source: "hashicorp/aws",
      constraints: ["~> 5.0"],
      lowest: "5.0.0",
      below: "6.0.0",
    });
  });

  it("are unbounded without any constraint or lock file", () => {
    const { resources } = load({ "main.tf": cluster });
    expect(providerOf(resources, "aws_redshift_cluster.warehouse")).toEqual({
      source: "hashicorp/aws",
      constraints: [],
      lowest: "0.0.0",
    });
  });

  it("intersect the constraints of the local modules the root calls, for their resources too", () => {
    const { resources, errors } = load({
      "main.tf": `${requiring(">= 4.0")}
module "warehouse" {
  source = "./modules/warehouse"
}
`,
      "modules/warehouse/main.tf": `${requiring("< 6.0.0", "registry.terraform.io/HashiCorp/AWS")}
${cluster}`,
    });
    expect(errors).toEqual([]);
    expect(providerOf(resources, "module.warehouse.aws_redshift_cluster.warehouse")).toEqual({
      source: "hashicorp/aws",
      constraints: [">= 4.0", "< 6.0.0"],
      lowest: "4.0.0",
      below: "6.0.0",
    });
  });

  it("are the version the root's lock file selects when it meets the constraints", () => {
    const { resources, errors } = load({
      "prod/main.tf": requiring(">= 5.0") + cluster,
      "prod/.terraform.lock.hcl": lockFile("5.94.1"),
      "next/main.tf": requiring(">= 5.0") + cluster,
      "next/.terraform.lock.hcl": lockFile("6.2.0"),
    });
    expect(errors).toEqual([]);
    expect(providerOf(resources, "aws_redshift_cluster.warehouse", "prod")).toEqual({
      source: "hashicorp/aws",
      constraints: [">= 5.0"],
      locked: "5.94.1",
      lowest: "5.94.1",
      below: "5.94.2",
    });
    expect(providerOf(resources, "aws_redshift_cluster.warehouse", "next")).toMatchObject({
      locked: "6.2.0",
      lowest: "6.2.0",
      below: "6.2.1",
    });
  });

  it("keep to the constraints when the lock file selects a version outside them", () => {
    // `terraform init` refuses such a lock until `-upgrade` selects a version anew.
    const { resources } = load({
      "main.tf": requiring(">= 6.0") + cluster,
      ".terraform.lock.hcl": lockFile("5.94.1"),
    });
    expect(providerOf(resources, "aws_redshift_cluster.warehouse")).toEqual({
      source: "hashicorp/aws",
      constraints: [">= 6.0"],
      locked: "5.94.1",
      lowest: "6.0.0",
    });
  });

  it("follow the resource's provider argument or type, legacy forms, OpenTofu and .tf.json", () => {
    const { resources, errors } = load({
      "legacy/main.tf": `terraform {
  required_providers {
    aws = "~> 4.0"
  }
}

provider "aws" {
  alias   = "west"
  version = ">= 4.2"
}

resource "aws_s3_bucket" "logs" {
  provider = aws.west
}

resource "random_id" "suffix" {
  byte_length = 4
}

resource "terraform_data" "marker" {
  input = "x"
}

resource "null" "odd" {}
`,
      "tofu/main.tf": requiring(">= 5.0") + cluster,
      "tofu/.terraform.lock.hcl": lockFile("5.100.0", "registry.opentofu.org/hashicorp/aws"),
      "json/main.tf.json": JSON.stringify({
        terraform: {
          required_providers: { aws: { source: "hashicorp/aws", version: "~> 6.1" } },
        },
        resource: { aws_s3_bucket: { logs: {} } },
      }),
    });
    expect(errors).toEqual([]);
    expect(providerOf(resources, "aws_s3_bucket.logs", "legacy")).toEqual({
      source: "hashicorp/aws",
      constraints: ["~> 4.0", ">= 4.2"],
      lowest: "4.2.0",
      below: "5.0.0",
    });
    expect(providerOf(resources, "random_id.suffix", "legacy")).toEqual({
      source: "hashicorp/random",
      constraints: [],
      lowest: "0.0.0",
    });
    expect(providerOf(resources, "null.odd", "legacy")?.source).toBe("hashicorp/null");
    expect(resources.find((r) => r.address === "terraform_data.marker")).toBeDefined();
    expect(providerOf(resources, "terraform_data.marker", "legacy")).toBeUndefined();
    // OpenTofu's lock file names the provider on its own registry.
    expect(providerOf(resources, "aws_redshift_cluster.warehouse", "tofu")).toMatchObject({
      locked: "5.100.0",
      lowest: "5.100.0",
    });
    expect(providerOf(resources, "aws_s3_bucket.logs", "json")).toMatchObject({
      lowest: "6.1.0",
      below: "7.0.0",
    });
  });

  it("read required_providers given twice in .tf.json, or as a list, as HCL merges the blocks", () => {
    const { resources, errors } = load({
      "twice/main.tf.json": `{"terraform": {
  "required_providers": {"random": {"source": "hashicorp/random", "version": "~> 3.0"}},
  "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 6.1"}}},
 "resource": {"aws_s3_bucket": {"logs": {}}, "random_id": {"r": {"byte_length": 4}}}}`,
      "list/main.tf.json": JSON.stringify({
        terraform: {
          required_providers: [{ aws: { source: "hashicorp/aws", version: "~> 5.2" } }],
        },
        resource: { aws_s3_bucket: { logs: {} } },
      }),
    });
    expect(errors).toEqual([]);
    expect(providerOf(resources, "aws_s3_bucket.logs", "twice")).toMatchObject({
      lowest: "6.1.0",
      below: "7.0.0",
    });
    expect(providerOf(resources, "random_id.r", "twice")).toMatchObject({ lowest: "3.0.0" });
    expect(providerOf(resources, "aws_s3_bucket.logs", "list")).toMatchObject({
      lowest: "5.2.0",
    });
  });

  it("warn, located, about constraints Terraform cannot read or that exclude each other", () => {
    const { resources, errors } = load({
      "odd/main.tf": requiring("newest") + cluster,
      "clash/main.tf": `${requiring("~> 5.0")}
module "warehouse" {
  source = "./modules/warehouse"
}
`,
      "clash/modules/warehouse/main.tf": requiring(">= 6.0") + cluster,
      "broken/main.tf": cluster,
      "broken/.terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {\n',
    });
    expect(
      errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code} ${e.level ?? "error"}`),
    ).toEqual([
      "broken/.terraform.lock.hcl:2:1: hcl-syntax warning",
      "clash/main.tf:5:17: terraform-provider-version warning",
      "odd/main.tf:5:17: terraform-provider-version warning",
    ]);
    expect(errors[1]?.message).toContain("allow no version together (~> 5.0; >= 6.0)");
    // What cannot be read bounds nothing.
    expect(providerOf(resources, "aws_redshift_cluster.warehouse", "odd")?.lowest).toBe("0.0.0");
    expect(
      providerOf(resources, "module.warehouse.aws_redshift_cluster.warehouse", "clash"),
    ).toMatchObject({ lowest: "0.0.0", constraints: ["~> 5.0", ">= 6.0"] });
  });
});
