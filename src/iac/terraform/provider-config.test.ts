import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, readSources } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import { locate } from "../../policy/findings.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";

function resource(resources: Resource[], address: string, root?: string): Resource {
  const found = resources.find(
    (r) => r.address === address && (root === undefined || r.root === root),
  );
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

function lineOf(r: Resource, pointer: string): string | undefined {
  const at = locate(r, pointer);
  return at && `${at.file}:${at.line}`;
}

function corpus(project: string, ...folders: string[]): SourceFile[] {
  return readSources(path.join(corpusDir, "real", project)).filter((file) =>
    folders.some((folder) => file.path.startsWith(folder)),
  );
}

describe("provider configurations", () => {
  it("gives default_tags to tags_all, the resource's own tags winning (r09)", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      Owner       = "platform"
      Environment = "default"
    }
  }
}

resource "aws_instance" "i" {
  ami = "ami-1"
  tags = {
    Environment = "dev"
  }
}

resource "aws_s3_bucket" "untagged" {}
`,
      },
    ]);
    expect(errors).toEqual([]);
    const provider = resource(resources, "provider.aws");
    expect(provider).toMatchObject({
      type: "provider",
      name: "aws",
      mode: "provider",
      provider: { source: "hashicorp/aws" },
      config: {
        region: "us-east-1",
        default_tags: [{ tags: { Owner: "platform", Environment: "default" } }],
      },
    });
    expect(lineOf(provider, "/region")).toBe("main.tf:2");
    const instance = resource(resources, "aws_instance.i");
    expect(instance.providerConfig).toBe("provider.aws");
    expect(instance.config.tags).toEqual({ Environment: "dev" });
    expect(instance.config.tags_all).toEqual({ Owner: "platform", Environment: "dev" });
    expect(lineOf(instance, "/tags_all/Owner")).toBe("main.tf:5");
    expect(lineOf(instance, "/tags_all/Environment")).toBe("main.tf:14");
    expect(lineOf(instance, "/tags_all")).toBe("main.tf:13");
    const untagged = resource(resources, "aws_s3_bucket.untagged");
    expect(untagged.config.tags_all).toEqual({ Owner: "platform", Environment: "default" });
    // Nothing of its own is written for tags_all: a finding on it is on the resource's block.
    expect(lineOf(untagged, "/tags_all")).toBe("main.tf:18");
  });

  it("passes default_tags into local modules; override_provider replaces them (terraform-aws-s3-bucket examples/object)", () => {
    const { resources } = loadTerraform(
      corpus(
        "terraform-aws-s3-bucket",
        "examples/object/",
        "modules/object/",
        "main.tf",
        "variables.tf",
        "outputs.tf",
        "versions.tf",
      ),
    );
    const object = resource(resources, "module.object.aws_s3_object.this[0]");
    expect(object.providerConfig).toBe("provider.aws");
    expect(object.config.tags_all).toEqual({ Example: "object", Sensitive: "not-really" });
    expect(lineOf(object, "/tags_all/Example")).toBe("examples/object/main.tf:11");
    expect(lineOf(object, "/tags_all/Sensitive")).toBe("examples/object/main.tf:31");
    const overridden = resource(
      resources,
      "module.object_with_override_default_tags.aws_s3_object.this[0]",
    );
    expect(overridden.config.tags_all).toEqual({ Override: "true" });
    const bucket = resource(resources, "module.s3_bucket.aws_s3_bucket.this[0]");
    expect(bucket.providerConfig).toBe("provider.aws");
    expect(bucket.config.tags_all).toEqual({ Example: "object" });
  });

  it("follows provider arguments and providers maps (terraform-aws-s3-bucket examples/s3-replication)", () => {
    const { resources, errors } = loadTerraform(
      corpus(
        "terraform-aws-s3-bucket",
        "examples/s3-replication/",
        "main.tf",
        "variables.tf",
        "outputs.tf",
        "versions.tf",
      ),
    );
    expect(errors.filter((e) => e.level !== "warning")).toEqual([]);
    const replica = resource(resources, "provider.aws.replica");
    expect(replica.config).toMatchObject({ alias: "replica", region: "eu-central-1" });
    expect(resource(resources, "aws_kms_key.replica").providerConfig).toBe("provider.aws.replica");
    expect(resource(resources, "module.replica_bucket.aws_s3_bucket.this[0]").providerConfig).toBe(
      "provider.aws.replica",
    );
    expect(resource(resources, "module.s3_bucket.aws_s3_bucket.this[0]").providerConfig).toBe(
      "provider.aws",
    );
  });

  it("never reads a credential argument (terragoat providers.tf)", () => {
    const { resources } = loadTerraform(corpus("terragoat", "terraform/aws/"));
    const keys = resource(resources, "provider.aws.plain_text_access_keys_provider");
    expect(keys.config).toEqual({
      alias: "plain_text_access_keys_provider",
      region: "us-west-1",
      access_key: "<redacted>",
      secret_key: "<redacted>",
    });
    // Still located, so a rule can point at a hard-coded key.
    expect(lineOf(keys, "/access_key")).toBe("terraform/aws/providers.tf:10");
    // (lambda.tf writes the same keys in a function's environment, which stays as written.)
    const text = JSON.stringify(resources.filter((r) => r.mode === "provider"));
    expect(text.includes("AKIAIOSFODNN7EXAMPLE") || text.includes("EXAMPLEKEY")).toBe(false);
    expect(resource(resources, "provider.aws").config).toEqual({
      profile: "default",
      region: "us-west-2",
    });
  });

  it("reads .tf.json providers as native ones: aliases, nested blocks as an object or an array, secrets at any depth", () => {
    const json = {
      terraform: {
        required_providers: { aws: { source: "hashicorp/aws", version: "~> 5.0" } },
        backend: { s3: { bucket: "state", key: "k", region: "eu-west-1" } },
        cloud: { organization: "acme", token: "CLOUD-TOKEN", workspaces: { name: "prod" } },
      },
      provider: {
        aws: [
          {
            region: "eu-west-1",
            secret_key: "SECRET-KEY",
            default_tags: { tags: { Team: "infra" } },
            assume_role_with_web_identity: {
              role_arn: "arn:aws:iam::1:role/x",
              web_identity_token: "WEB-TOKEN",
            },
          },
          {
            alias: "west",
            region: "us-west-2",
            default_tags: [{ tags: { Team: "west" } }],
            ignore_tags: { keys: ["Owner"] },
          },
        ],
      },
      resource: {
        aws_s3_bucket: {
          a: { bucket: "a", tags: { Name: "a" } },
          b: { provider: "aws.west", bucket: "b", tags: { Owner: "me" } },
        },
      },
    };
    const { resources, errors } = loadTerraform([
      { path: "main.tf.json", text: JSON.stringify(json, null, 2) },
    ]);
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.address)).toEqual([
      "provider.aws",
      "provider.aws.west",
      "aws_s3_bucket.a",
      "aws_s3_bucket.b",
    ]);
    expect(resource(resources, "provider.aws").config).toEqual({
      region: "eu-west-1",
      secret_key: "<redacted>",
      default_tags: [{ tags: { Team: "infra" } }],
      assume_role_with_web_identity: [
        { role_arn: "arn:aws:iam::1:role/x", web_identity_token: "<redacted>" },
      ],
    });
    expect(resource(resources, "aws_s3_bucket.a").config.tags_all).toEqual({
      Team: "infra",
      Name: "a",
    });
    expect(lineOf(resource(resources, "aws_s3_bucket.a"), "/tags_all/Team")).toBe(
      "main.tf.json:31",
    );
    expect(resource(resources, "aws_s3_bucket.b").providerConfig).toBe("provider.aws.west");
    expect(resource(resources, "aws_s3_bucket.b").config.tags_all).toEqual({ Team: "west" });
    const text = JSON.stringify(resources);
    expect(["CLOUD-TOKEN", "SECRET-KEY", "WEB-TOKEN"].filter((s) => text.includes(s))).toEqual([]);
  });

  it("leaves provisioner and connection blocks, and their secrets, out of a resource (HCL and JSON)", () => {
    const hcl = `resource "aws_instance" "web" {
  ami = "ami-1"
  connection {
    type        = "ssh"
    password    = "CONN-PASSWORD"
    private_key = "CONN-KEY"
    host        = self.public_ip
  }
  provisioner "remote-exec" {
    inline = ["echo \${self.private_ip}"]
    connection {
      password = "PROV-PASSWORD"
    }
  }
}
`;
    const json = {
      resource: {
        aws_instance: {
          api: {
            ami: "ami-2",
            connection: {
              type: "ssh",
              password: "CONN-PASSWORD",
              private_key: "CONN-KEY",
              host: "\${self.public_ip}",
            },
            provisioner: [
              { "remote-exec": { inline: ["echo hi"], connection: { password: "PROV-PASSWORD" } } },
              { "local-exec": { command: "echo \${self.private_ip}" } },
            ],
          },
        },
      },
    };
    for (const file of [
      { path: "main.tf", text: hcl },
      { path: "main.tf.json", text: JSON.stringify(json, null, 2) },
    ]) {
      const { resources, errors } = loadTerraform([file]);
      expect(errors).toEqual([]);
      expect(resources).toHaveLength(1);
      expect(Object.keys(resources[0]?.config ?? {})).toEqual(["ami"]);
      const text = JSON.stringify({ resources, errors });
      expect(
        ["CONN-PASSWORD", "CONN-KEY", "PROV-PASSWORD"].filter((s) => text.includes(s)),
      ).toEqual([]);
    }
  });

  it("inherits only default configurations, none past a providers map, and drops ignore_tags keys", () => {
    const { resources } = loadTerraform([
      {
        path: "main.tf",
        text: `provider "aws" {
  default_tags {
    tags = { Team = "a", "internal:cost" = "x" }
  }
  ignore_tags {
    key_prefixes = ["internal:"]
  }
}
provider "aws" {
  alias      = "west"
  region     = "us-west-2"
  token      = var.token
  assume_role {
    role_arn = "arn:aws:iam::123456789012:role/deploy"
  }
}
variable "token" {
  default = "secret-session-token"
}
variable "tags" {}
module "inherits" {
  source = "./child"
}
module "mapped" {
  source    = "./child"
  providers = { "aws.other" = aws.west }
}
resource "aws_sqs_queue" "q" {
  provider = aws.west
  tags     = var.tags
}
`,
      },
      {
        path: "child/main.tf",
        text: `resource "aws_sns_topic" "t" {}
resource "aws_sns_topic" "o" {
  provider = aws.other
}
`,
      },
    ]);
    const west = resource(resources, "provider.aws.west");
    expect(west.config.token).toBe("<redacted>");
    expect(west.config.assume_role).toEqual([
      { role_arn: "arn:aws:iam::123456789012:role/deploy" },
    ]);
    expect(JSON.stringify(resources).includes("secret-session-token")).toBe(false);
    expect(resource(resources, "module.inherits.aws_sns_topic.t")).toMatchObject({
      providerConfig: "provider.aws",
      config: { tags_all: { Team: "a" } },
    });
    // An aliased configuration is never inherited; a providers map passes only what it names.
    expect(resource(resources, "module.inherits.aws_sns_topic.o").providerConfig).toBeUndefined();
    expect(resource(resources, "module.mapped.aws_sns_topic.o").providerConfig).toBe(
      "provider.aws.west",
    );
    const unmapped = resource(resources, "module.mapped.aws_sns_topic.t");
    expect(unmapped.providerConfig).toBeUndefined();
    expect(unmapped.config.tags_all).toBeUndefined();
    // Tags Tollgate cannot know make tags_all unknown by the same expression.
    expect(resource(resources, "aws_sqs_queue.q").config.tags_all).toEqual({
      $unknown: "var.tags",
    });
  });
});
