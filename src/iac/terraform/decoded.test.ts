// Values decoded from files (`yamldecode(file())`, `jsondecode(file())`, `jsondecode(templatefile())`)
// are located at their own line in the decoded file; a file Terraform would fail to read is an
// error on the call's line; one outside the files read is refused.
import { describe, expect, it } from "vitest";
import type { Resource } from "../../model/types.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";
import { MAX_LOCATED_DOCUMENT } from "./decoded.js";

function load(files: Record<string, string>) {
  const sources: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadTerraform(sources);
}

function resource(resources: Resource[], address: string): Resource {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

/** `file:line` of a pointer, and where the block reads it when that is elsewhere. */
function where(found: Resource, pointer: string): string {
  const location = found.locations[pointer];
  const readAt = found.readAt?.[pointer];
  if (!location) return "none";
  const at = `${location.file}:${location.line}`;
  return readAt ? `${at} (read at ${readAt.file}:${readAt.line})` : at;
}

const ingressModule = `locals {
  rules = yamldecode(file("\${path.module}/rules.yaml"))
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "Web tier"

  dynamic "ingress" {
    for_each = local.rules.ingress
    content {
      description = ingress.value.description
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ingress.value.cidrs
    }
  }
}
`;

const rulesYaml = `# Who may reach the web tier. Reviewed by the network team.
ingress:
  - description: HTTPS from anywhere
    port: 443
    cidrs:
      - 0.0.0.0/0
  - description: SSH from the office
    port: 22
    cidrs: [203.0.113.0/24, 0.0.0.0/0]
`;

describe("yamldecode(file())", () => {
  const { resources, errors } = load({
    "envs/prod/main.tf": 'module "web" {\n  source = "../../modules/web"\n}\n',
    "modules/web/main.tf": ingressModule,
    "modules/web/rules.yaml": rulesYaml,
  });
  const group = resource(resources, "module.web.aws_security_group.web");

  it("decodes the rules and locates each value at its line in rules.yaml, read where the block reads it", () => {
    expect(errors).toEqual([]);
    expect(group.config.ingress).toEqual([
      {
        description: "HTTPS from anywhere",
        from_port: 443,
        to_port: 443,
        protocol: "tcp",
        cidr_blocks: ["0.0.0.0/0"],
      },
      {
        description: "SSH from the office",
        from_port: 22,
        to_port: 22,
        protocol: "tcp",
        cidr_blocks: ["203.0.113.0/24", "0.0.0.0/0"],
      },
    ]);
    expect(where(group, "/ingress/0/from_port")).toBe(
      "modules/web/rules.yaml:4 (read at modules/web/main.tf:13)",
    );
    expect(where(group, "/ingress/0/cidr_blocks/0")).toBe(
      "modules/web/rules.yaml:6 (read at modules/web/main.tf:16)",
    );
    expect(where(group, "/ingress/1/to_port")).toBe(
      "modules/web/rules.yaml:8 (read at modules/web/main.tf:14)",
    );
    expect(group.locations["/ingress/1/cidr_blocks/1"]).toEqual({
      file: "modules/web/rules.yaml",
      line: 9,
      column: 29,
      endLine: 9,
      endColumn: 38,
    });
    // Written in the block itself, as before.
    expect(where(group, "/ingress/0/protocol")).toBe("modules/web/main.tf:15");
  });

  it("locates a value an alias repeats where its anchor writes it", () => {
    const anchored = load({
      "main.tf": `locals {
  net = yamldecode(file("network.yml"))
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = local.net.ssh
}
`,
      "network.yml": "anywhere: &anywhere\n  - 0.0.0.0/0\nssh: *anywhere\n",
    });
    expect(anchored.errors).toEqual([]);
    const rule = resource(anchored.resources, "aws_security_group_rule.ssh");
    expect(where(rule, "/cidr_blocks/0")).toBe("network.yml:2 (read at main.tf:11)");
  });
});

describe("jsondecode(file()) and jsondecode(templatefile())", () => {
  const statement = (action: string) => `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadLogs",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "${action}"],
      "Resource": "*"
    }
  ]
}
`;

  it("locates each element of a policy decoded from a JSON file, through a local and jsonencode", () => {
    const { resources, errors } = load({
      "iam/main.tf": `locals {
  policy = jsondecode(file("policies/logs.json"))
}

resource "aws_iam_policy" "logs" {
  name   = "logs"
  policy = jsonencode(merge(local.policy, { Version = "2012-10-17" }))
}
`,
      "iam/policies/logs.json": statement("s3:*"),
    });
    expect(errors).toEqual([]);
    const policy = resource(resources, "aws_iam_policy.logs");
    expect(where(policy, "/policy/Statement/0/Action/1")).toBe(
      "iam/policies/logs.json:7 (read at iam/main.tf:7)",
    );
    expect(where(policy, "/policy/Statement/0/Effect")).toBe(
      "iam/policies/logs.json:6 (read at iam/main.tf:7)",
    );
    // merge() wrote Version in the .tf file: it stays there.
    expect(where(policy, "/policy/Version")).toBe("iam/main.tf:7");
  });

  it("locates a value of a JSON template at the template's line when no interpolation writes it", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  policy = jsondecode(templatefile("\${path.root}/policy.json.tftpl", { bucket = "logs" }))
}

resource "aws_iam_policy" "p" {
  policy = jsonencode(local.policy)
}
`,
      "policy.json.tftpl": `{
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::\${bucket}/*"
    }
  ]
}
`,
    });
    expect(errors).toEqual([]);
    const policy = resource(resources, "aws_iam_policy.p");
    expect(where(policy, "/policy/Statement/0/Action")).toBe(
      "policy.json.tftpl:5 (read at main.tf:6)",
    );
    expect(where(policy, "/policy/Statement/0/Resource")).toBe(
      "policy.json.tftpl:6 (read at main.tf:6)",
    );
  });

  it("locates a value decoded from a heredoc at its line in the .tf file", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  rules = jsondecode(<<EOF
{
  "cidrs": ["10.0.0.0/8", "0.0.0.0/0"]
}
EOF
  )
}

resource "aws_security_group_rule" "in" {
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = local.rules.cidrs
}
`,
    });
    expect(errors).toEqual([]);
    expect(where(resource(resources, "aws_security_group_rule.in"), "/cidr_blocks/1")).toBe(
      "main.tf:4 (read at main.tf:16)",
    );
  });

  it("decodes a document past the size limit, located as before where the block reads it", () => {
    const padding = `"${"x".repeat(MAX_LOCATED_DOCUMENT)}"`;
    const { resources, errors } = load({
      "main.tf": `locals {
  rules = jsondecode(file("rules.json"))
}

resource "aws_security_group_rule" "in" {
  type              = "ingress"
  security_group_id = "sg-1"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = local.rules.cidrs
}
`,
      "rules.json": `{\n  "padding": ${padding},\n  "cidrs": ["0.0.0.0/0"]\n}\n`,
    });
    expect(errors).toEqual([]);
    const rule = resource(resources, "aws_security_group_rule.in");
    expect(rule.config.cidr_blocks).toEqual(["0.0.0.0/0"]);
    expect(where(rule, "/cidr_blocks/0")).toBe("main.tf:11");
  });
});

describe("csvdecode(file())", () => {
  it("locates each field at its place in the CSV file, a quoted one spanning lines too", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  rules = csvdecode(file("\${path.module}/rules.csv"))
}

resource "aws_security_group_rule" "in" {
  for_each          = { for rule in local.rules : rule.name => rule }
  type              = "ingress"
  security_group_id = "sg-1"
  description       = each.value.note
  from_port         = each.value.port
  to_port           = each.value.port
  protocol          = "tcp"
  cidr_blocks       = [each.value.cidr]
}
`,
      "rules.csv":
        'name,port,cidr,note\r\n\r\nhttps,443,0.0.0.0/0,"public, TLS"\r\nssh,22,"0.0.0.0/0","two\r\nlines"\r\n',
    });
    expect(errors).toEqual([]);
    const ssh = resource(resources, 'aws_security_group_rule.in["ssh"]');
    expect(ssh.config.description).toBe("two\nlines");
    expect(ssh.locations["/cidr_blocks/0"]).toEqual({
      file: "rules.csv",
      line: 4,
      column: 8,
      endLine: 4,
      endColumn: 19,
    });
    expect(where(ssh, "/from_port")).toBe("rules.csv:4 (read at main.tf:10)");
    const https = resource(resources, 'aws_security_group_rule.in["https"]');
    expect(where(https, "/description")).toBe("rules.csv:3 (read at main.tf:9)");
  });
});

describe("files a call names", () => {
  const bucket = (acl: string) =>
    `resource "aws_s3_bucket_acl" "b" {\n  bucket = "b"\n  acl    = ${acl}\n}\n`;

  it("resolves path.module, path.root and a bare path from the root module's folder", () => {
    const { resources, errors } = load({
      "envs/prod/main.tf": `module "m" {\n  source = "../../modules/m"\n}\n${bucket('jsondecode(file("${path.root}/acl.json")).acl')}`,
      "envs/prod/acl.json": '{"acl": "public-read"}\n',
      "envs/prod/shared.json": '{"acl": "private"}\n',
      "modules/m/main.tf": `resource "aws_s3_bucket_acl" "here" {
  bucket = "here"
  acl    = jsondecode(file("\${path.module}/acl.json")).acl
}

resource "aws_s3_bucket_acl" "root" {
  bucket = "root"
  acl    = jsondecode(file("shared.json")).acl
}
`,
      "modules/m/acl.json": '{\n  "acl": "authenticated-read"\n}\n',
    });
    expect(errors).toEqual([]);
    expect(where(resource(resources, "aws_s3_bucket_acl.b"), "/acl")).toBe(
      "envs/prod/acl.json:1 (read at envs/prod/main.tf:6)",
    );
    expect(where(resource(resources, "module.m.aws_s3_bucket_acl.here"), "/acl")).toBe(
      "modules/m/acl.json:2 (read at modules/m/main.tf:3)",
    );
    expect(where(resource(resources, "module.m.aws_s3_bucket_acl.root"), "/acl")).toBe(
      "envs/prod/shared.json:1 (read at modules/m/main.tf:8)",
    );
  });

  it("fails a literal path the repository does not have on the call's line, as Terraform does", () => {
    const { resources, errors } = load({
      "main.tf": `locals {
  rules = yamldecode(file("\${path.module}/rules.yaml"))
}

${bucket("local.rules.acl")}`,
    });
    expect(errors).toEqual([
      {
        file: "main.tf",
        line: 2,
        column: 22,
        code: "terraform-missing-file",
        message:
          "file: no file rules.yaml in the repository; Terraform fails to read a missing file",
      },
    ]);
    expect(resource(resources, "aws_s3_bucket_acl.b").config.acl).toEqual({
      $unknown: "local.rules.acl",
    });
  });

  it("warns of a literal data file the listing shows the repository lacks, never one it lists", () => {
    const main = `module "m" {
  source = "./modules/m"
}

resource "aws_instance" "a" {
  ami       = "ami-1"
  user_data = file("boot.sh")
}
`;
    const module = `locals {
  users = csvdecode(file("\${path.module}/users.csv"))
}

resource "aws_iam_user" "u" {
  for_each = { for user in local.users : user.name => user }
  name     = each.key
}
`;
    const sources = [
      { path: "main.tf", text: main },
      { path: "modules/m/main.tf", text: module },
    ];
    const listed = (files: string[], unlisted: string[] = []) =>
      loadTerraform(sources, {
        listing: { folders: [""], files: ["main.tf", "modules/m/main.tf", ...files], unlisted },
      });
    const missing = listed([]);
    // A build step before plan may make a data file: a warning, and its value unknown.
    expect(
      missing.errors.map(
        (e) => `${e.file}:${e.line}:${e.column} ${e.level ?? "error"} ${e.code} ${e.message}`,
      ),
    ).toEqual([
      "main.tf:7:15 warning terraform-missing-file no file boot.sh in the repository; Terraform fails to read it unless a step before plan makes it, so what it decides is unknown to the policies",
      "modules/m/main.tf:2:21 warning terraform-missing-file no file modules/m/users.csv in the repository; Terraform fails to read it unless a step before plan makes it, so what it decides is unknown to the policies",
    ]);
    expect(missing.resources.find((r) => r.address === "aws_instance.a")?.config).toMatchObject({
      user_data: { $unknown: expect.any(String) },
    });
    // Listed but not given (over the size limit, binary): it exists, what it decides is unknown.
    expect(listed(["boot.sh", "modules/m/users.csv"]).errors).toEqual([]);
    // Another letter case, a symbolic link or skipped folder on the way: it may exist.
    expect(listed(["Boot.sh"], ["modules/m"]).errors).toEqual([]);
    expect(listed([], ["boot.sh", "modules"]).errors).toEqual([]);
    // Without a listing, or one not covering the folder, such a name stays unknown as before.
    expect(loadTerraform(sources).errors).toEqual([]);
    expect(
      loadTerraform(sources, { listing: { folders: ["other"], files: [], unlisted: [] } }).errors,
    ).toEqual([]);
  });

  it("leaves unknown, without an error, a file the fetch stage may not have read", () => {
    const { resources, errors } = load({
      "main.tf": `variable "env" {
  default = "prod"
}

resource "aws_instance" "a" {
  ami       = "ami-1"
  user_data = file("\${path.module}/boot.sh")
  tags      = jsondecode(file("\${path.module}/tags-\${var.env}.json"))
}
`,
      "modules/m/main.tf":
        'resource "aws_s3_bucket_acl" "c" {\n  bucket = "c"\n  acl    = file("acl.json")\n}\n',
      "callers/main.tf": 'module "m" {\n  source = "../modules/m"\n}\n',
    });
    // A shell script is not a name the fetch reads, a computed path is not followed, and a bare
    // path in a called module is read from a root the fetch may not have looked in.
    expect(errors).toEqual([]);
    const instance = resource(resources, "aws_instance.a");
    expect(instance.config.user_data).toEqual({ $unknown: 'file("${path.module}/boot.sh")' });
    expect(instance.config.tags).toMatchObject({ $unknown: expect.stringContaining("jsondecode") });
  });

  it("refuses a file outside the files read, and an absolute path", () => {
    const { errors } = load({
      "envs/prod/main.tf": `resource "aws_iam_policy" "up" {
  policy = file("../../../secrets/policy.json")
}

resource "aws_iam_policy" "abs" {
  policy = templatefile("/etc/tollgate/policy.json.tpl", {})
}
`,
    });
    expect(errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["envs/prod/main.tf", 2, "terraform-file-outside"],
      ["envs/prod/main.tf", 6, "terraform-file-outside"],
    ]);
    expect(errors[0]?.message).toBe(
      'file: "../../../secrets/policy.json" is outside the files read (the repository, or the folders given to the CLI); Tollgate reads no file outside them, so the value is unknown',
    );
  });

  it("answers fileexists() for a literal path it would have read, and leaves other paths unknown", () => {
    const { resources, errors } = load({
      "main.tf": `resource "null_resource" "n" {
  triggers = {
    present  = fileexists("\${path.module}/rules.yaml")
    absent   = fileexists("overrides.yaml")
    computed = fileexists("\${path.module}/\${terraform.workspace}.yaml")
    script   = fileexists("boot.sh")
  }
}
`,
      "rules.yaml": "a: 1\n",
    });
    expect(errors).toEqual([]);
    expect(resource(resources, "null_resource.n").config.triggers).toEqual({
      present: true,
      absent: false,
      computed: { $unknown: 'fileexists("${path.module}/${terraform.workspace}.yaml")' },
      script: { $unknown: 'fileexists("boot.sh")' },
    });
  });
});
