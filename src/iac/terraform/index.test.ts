import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { corpusDir, readSources } from "../../../test/support/corpus.js";
import type { Resource } from "../../model/types.js";
import { policyInput } from "../../model/input.js";
import type { SourceFile } from "../source.js";
import { loadTerraform } from "./index.js";
import recorded from "./numbers.terraform.json" with { type: "json" };

const here = path.dirname(fileURLToPath(import.meta.url));

function byAddress(resources: Resource[], address: string): Resource {
  const found = resources.find((resource) => resource.address === address);
  if (!found) throw new Error(`no ${address} among ${resources.map((r) => r.address).join(", ")}`);
  return found;
}

function line(resource: Resource, pointer: string): string {
  const location = resource.locations[pointer];
  return location ? `${location.file}:${location.line}` : "none";
}

describe("modules", () => {
  const model = loadTerraform(readSources(path.join(here, "fixtures/modules-app")));

  it("loads the fixture repository without errors", () => {
    expect(model.errors).toEqual([]);
    expect(model.resources.map((r) => r.address).sort()).toEqual([
      "aws_flow_log.vpc",
      "aws_s3_bucket.logs",
      "module.network.aws_security_group.web",
      'module.network.module.rules.aws_security_group_rule.port["http"]',
      'module.network.module.rules.aws_security_group_rule.port["https"]',
      "module.vpc",
    ]);
  });

  it("binds root variables from terraform.tfvars and *.auto.tfvars, child inputs from the module block", () => {
    const group = byAddress(model.resources, "module.network.aws_security_group.web");
    expect(group.module).toBe("module.network");
    expect(group.file).toBe("modules/network/main.tf");
    expect([group.line, group.endLine]).toEqual([9, 34]);
    expect(group.config.name).toBe("app-staging-web");
    expect(group.config.ingress).toEqual([
      { from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] },
      {
        from_port: 22,
        to_port: 22,
        protocol: "tcp",
        cidr_blocks: ["172.16.0.0/12"],
        description: "ssh 0",
      },
      {
        from_port: 22,
        to_port: 22,
        protocol: "tcp",
        cidr_blocks: ["192.168.0.0/16"],
        description: "ssh 1",
      },
    ]);
  });

  it("locates each element where its value is written, across modules and variable files", () => {
    const group = byAddress(model.resources, "module.network.aws_security_group.web");
    expect(line(group, "/ingress/0")).toBe("modules/network/main.tf:12");
    expect(line(group, "/ingress/0/cidr_blocks")).toBe("modules/network/main.tf:16");
    expect(line(group, "/ingress/0/cidr_blocks/0")).toBe("main.tf:21");
    expect(line(group, "/ingress/1")).toBe("modules/network/main.tf:21");
    expect(line(group, "/ingress/1/cidr_blocks/0")).toBe("prod.auto.tfvars:1");
    expect(line(group, "/ingress/2/cidr_blocks/0")).toBe("main.tf:22");
    expect(line(group, "/tags/LogBucket")).toBe("main.tf:15");
  });

  it("keeps unset resource attributes unknown and records references module-qualified", () => {
    const group = byAddress(model.resources, "module.network.aws_security_group.web");
    expect(group.config.tags).toEqual({
      LogBucket: "app-staging-logs",
      BucketArn: { $unknown: "aws_s3_bucket.logs.arn" },
    });
    expect(group.references).toEqual(["aws_s3_bucket.logs"]);
    const flowLog = byAddress(model.resources, "aws_flow_log.vpc");
    expect(flowLog.config).toEqual({
      vpc_id: { $unknown: "module.vpc.vpc_id" },
      log_group: "app-staging-web",
      outputs: { security_group_name: "app-staging-web" },
    });
    expect(flowLog.references).toEqual(["module.network.aws_security_group.web", "module.vpc"]);
  });

  it("expands for_each in nested modules with each.key and each.value", () => {
    const rule = byAddress(
      model.resources,
      'module.network.module.rules.aws_security_group_rule.port["https"]',
    );
    expect(rule.module).toBe("module.network.module.rules");
    expect(rule.config).toEqual({
      type: "ingress",
      security_group_id: "app-staging-web",
      from_port: 443,
      to_port: 443,
      description: "allow https",
    });
    expect(rule.references).toEqual(["module.network.aws_security_group.web"]);
  });

  it("records remote and local module calls", () => {
    expect(model.moduleCalls.map((call) => [call.address, call.source, call.directory])).toEqual([
      ["module.vpc", "terraform-aws-modules/vpc/aws", undefined],
      ["module.network", "./modules/network", "modules/network"],
      ["module.network.module.rules", "./modules/rules", "modules/network/modules/rules"],
    ]);
  });
});

function load(text: string, extra: SourceFile[] = []) {
  return loadTerraform([{ path: "main.tf", text }, ...extra]);
}

describe("IAM documents", () => {
  it("locates each action of a jsonencode policy on its own line", () => {
    const { resources, errors } = load(`resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "s3:GetObject",
        "iam:*",
      ]
      Resource = aws_s3_bucket.data.arn
    }]
  })
}
resource "aws_s3_bucket" "data" {}
`);
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_iam_policy.admin");
    expect(JSON.parse(policy.config.policy as string)).toEqual({
      Statement: [
        {
          Action: ["s3:GetObject", "iam:*"],
          Effect: "Allow",
          Resource: { $unknown: "aws_s3_bucket.data.arn" },
        },
      ],
      Version: "2012-10-17",
    });
    expect(line(policy, "/policy")).toBe("main.tf:3");
    expect(line(policy, "/policy/Statement/0")).toBe("main.tf:5");
    expect(line(policy, "/policy/Statement/0/Action/0")).toBe("main.tf:8");
    expect(line(policy, "/policy/Statement/0/Action/1")).toBe("main.tf:9");
    expect(line(policy, "/policy/Statement/0/Resource")).toBe("main.tf:11");
  });

  it("locates a variable nothing gives a value where it is read, one with a value where that is written", () => {
    const { resources, errors } = load(`variable "reader" {
  type = string
}
variable "team" {
  type    = string
  default = "arn:aws:iam::111122223333:role/team"
}
resource "aws_sqs_queue_policy" "orders" {
  queue_url = "https://sqs.eu-west-1.amazonaws.com/111122223333/orders"
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::111122223333:root", var.reader, var.team] }
      Action    = "sqs:SendMessage"
      Resource  = "*"
    }]
  })
}
`);
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_sqs_queue_policy.orders");
    expect(JSON.parse(policy.config.policy as string).Statement[0].Principal.AWS[1]).toEqual({
      $unknown: "var.reader",
    });
    expect(line(policy, "/policy/Statement/0/Principal/AWS/1")).toBe("main.tf:13");
    expect(line(policy, "/policy/Statement/0/Principal/AWS/2")).toBe("main.tf:6");
  });

  it("renders aws_iam_policy_document as the provider does and carries it into the policy", () => {
    const { resources, errors } = load(`data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "Read"
    actions = ["s3:GetObject", "s3:ListBucket"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    effect      = "Deny"
    not_actions = ["iam:*"]
    resources   = ["*"]
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = "b"
  policy = data.aws_iam_policy_document.bucket.json
}
`);
    expect(errors).toEqual([]);
    const bucketPolicy = byAddress(resources, "aws_s3_bucket_policy.this");
    expect(bucketPolicy.references).toEqual(["data.aws_iam_policy_document.bucket"]);
    expect(bucketPolicy.config.policy).toBe(
      [
        "{",
        '  "Version": "2012-10-17",',
        '  "Statement": [',
        "    {",
        '      "Sid": "Read",',
        '      "Effect": "Allow",',
        '      "Action": [',
        '        "s3:ListBucket",',
        '        "s3:GetObject"',
        "      ],",
        '      "Resource": "*",',
        '      "Principal": {',
        '        "AWS": "arn:aws:iam::111122223333:root"',
        "      },",
        '      "Condition": {',
        '        "Bool": {',
        '          "aws:SecureTransport": "false"',
        "        }",
        "      }",
        "    },",
        "    {",
        '      "Effect": "Deny",',
        '      "NotAction": "iam:*",',
        '      "Resource": "*"',
        "    }",
        "  ]",
        "}",
      ].join("\n"),
    );
    expect(line(bucketPolicy, "/policy")).toBe("main.tf:25");
    expect(line(bucketPolicy, "/policy/Statement/0")).toBe("main.tf:2");
    expect(line(bucketPolicy, "/policy/Statement/0/Action/0")).toBe("main.tf:4");
    expect(line(bucketPolicy, "/policy/Statement/0/Principal/AWS")).toBe("main.tf:8");
    expect(line(bucketPolicy, "/policy/Statement/0/Condition/Bool/aws:SecureTransport")).toBe(
      "main.tf:10",
    );
    expect(line(bucketPolicy, "/policy/Statement/1/NotAction")).toBe("main.tf:18");
    const document = byAddress(resources, "data.aws_iam_policy_document.bucket");
    expect(document.mode).toBe("data");
    expect(document.config.minified_json).toBe(
      JSON.stringify(JSON.parse(bucketPolicy.config.policy as string)),
    );
  });

  it("merges source and override documents by Sid", () => {
    const { resources } = load(`data "aws_iam_policy_document" "base" {
  statement {
    sid       = "A"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid       = "B"
    actions   = ["ec2:*"]
    resources = ["*"]
  }
  override_policy_documents = [jsonencode({ Statement = [{ Sid = "A", Effect = "Deny", Action = "*", Resource = "*" }] })]
}
`);
    const merged = byAddress(resources, "data.aws_iam_policy_document.merged");
    expect(JSON.parse(merged.config.json as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "A", Effect: "Deny", Action: "*", Resource: "*" },
        { Sid: "B", Effect: "Allow", Action: "ec2:*", Resource: "*" },
      ],
    });
  });

  it("locates actions inside a heredoc policy (terragoat iam.tf)", () => {
    const { resources, errors } = loadTerraform(
      readSources(path.join(corpusDir, "real/terragoat/terraform/aws")),
    );
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_iam_user_policy.userpolicy");
    expect([policy.line, policy.endLine]).toEqual([25, 46]);
    expect(JSON.parse(policy.config.policy as string).Statement[0].Action).toEqual([
      "ec2:*",
      "s3:*",
      "lambda:*",
      "cloudwatch:*",
    ]);
    expect(line(policy, "/policy")).toBe("iam.tf:29");
    expect(
      [
        "/policy/Statement/0/Action/0",
        "/policy/Statement/0/Action/3",
        "/policy/Statement/0/Resource",
      ].map((p) => line(policy, p)),
    ).toEqual(["iam.tf:35", "iam.tf:38", "iam.tf:41"]);
    expect(policy.references).toEqual(["aws_iam_user.user"]);
  });

  it("keeps a heredoc policy with unknown interpolations as JSON, each affected string explicitly unknown", () => {
    const { resources, errors } = load(`resource "aws_s3_bucket" "b" {}
resource "aws_iam_role_policy" "p" {
  policy = <<EOF
{
  "Statement": [{
    "Action": ["s3:*", "iam:PassRole"],
    "Resource": ["\${aws_s3_bucket.b.arn}/*", "arn:aws:s3:::fixed"],
    "Effect": "Allow"
  }]
}
EOF
  not_json = <<EOF
name=\${aws_s3_bucket.b.arn}
EOF
  key = <<EOF
{"\${aws_s3_bucket.b.arn}": 1}
EOF
}
`);
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_iam_role_policy.p");
    expect(JSON.parse(policy.config.policy as string).Statement[0]).toEqual({
      Action: ["s3:*", "iam:PassRole"],
      Resource: [{ $unknown: "\${aws_s3_bucket.b.arn}/*" }, "arn:aws:s3:::fixed"],
      Effect: "Allow",
    });
    expect(line(policy, "/policy/Statement/0/Action/0")).toBe("main.tf:6");
    expect(line(policy, "/policy/Statement/0/Resource/1")).toBe("main.tf:7");
    expect(line(policy, "/policy/Statement/0/Effect")).toBe("main.tf:8");
    expect(policy.config.not_json).toEqual({
      $unknown: "<<EOF\nname=\${aws_s3_bucket.b.arn}\nEOF",
    });
    expect(policy.config.key).toEqual({ $unknown: '<<EOF\n{"\${aws_s3_bucket.b.arn}": 1}\nEOF' });
    expect(policy.references).toEqual(["aws_s3_bucket.b"]);
  });

  it("locates a policy read with file() in the JSON file itself", () => {
    const { resources } = load(
      `resource "aws_iam_policy" "p" {
  policy = file("policies/admin.json")
}
`,
      [
        {
          path: "policies/admin.json",
          text: '{\n  "Statement": [\n    { "Effect": "Allow",\n      "Action": "*" }\n  ]\n}\n',
        },
      ],
    );
    const policy = byAddress(resources, "aws_iam_policy.p");
    expect(line(policy, "/policy")).toBe("main.tf:2");
    expect(line(policy, "/policy/Statement/0/Action")).toBe("policies/admin.json:4");
  });
  it("renders templatefile() and locates the rendered policy's actions in the template", () => {
    const { resources, errors } = load(
      `resource "aws_iam_policy" "t" {
  policy = templatefile("\${path.module}/policy.json.tpl", { actions = ["s3:GetObject", "s3:*"], bucket = "logs" })
}
`,
      [
        {
          path: "policy.json.tpl",
          text: `{
  "Statement": [{
    "Effect": "Allow",
    "Action": [
%{ for i, a in actions ~}
      "\${a}"%{ if i < length(actions) - 1 },%{ endif }
%{ endfor ~}
    ],
    "Resource": "arn:aws:s3:::\${bucket}/*"
  }]
}
`,
        },
      ],
    );
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_iam_policy.t");
    expect(JSON.parse(policy.config.policy as string).Statement[0]).toEqual({
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:*"],
      Resource: "arn:aws:s3:::logs/*",
    });
    expect(line(policy, "/policy/Statement/0/Action")).toBe("policy.json.tpl:4");
    expect(line(policy, "/policy/Statement/0/Resource")).toBe("policy.json.tpl:9");
  });

  it("reports a template file that does not parse once, at its own line, and leaves the call's value unknown", () => {
    const { resources, errors } = load(
      `resource "null_resource" "t" {
  triggers = { text = templatefile("t.tpl", { name = "x" }) }
}
`,
      [{ path: "t.tpl", text: 'a\n%{ if name != "" }\${name}\n' }],
    );
    expect(errors.map((e) => [e.file, e.line, e.column, e.code, e.message])).toEqual([
      ["t.tpl", 2, 1, "hcl-syntax", "'%{ if }' without a matching '%{ endif }'"],
    ]);
    const triggers = byAddress(resources, "null_resource.t").config.triggers;
    expect(triggers).toEqual({ text: { $unknown: 'templatefile("t.tpl", { name = "x" })' } });
  });

  it("renders a template file's text after a carriage return without a newline as literal, as Terraform does", () => {
    // hclsyntax.ParseTemplate reads everything from such a CR on as one literal (only `$${`
    // unescaped), so the second `${name}` is not interpolated (see template-file.test.ts).
    const { resources, errors } = load(
      `resource "null_resource" "t" {
  triggers = { text = templatefile("t.tpl", { name = "x" }) }
}
`,
      [{ path: "t.tpl", text: "a=\${name}\rb=\${name} $\${c}" }],
    );
    expect(errors).toEqual([]);
    const triggers = byAddress(resources, "null_resource.t").config.triggers;
    expect(triggers).toEqual({ text: "a=x\rb=\${name} \${c}" });
  });
});

describe("templatestring", () => {
  it("renders a template held in a local with only the variables passed, as templatefile does", () => {
    const { resources, errors } = load(`locals {
  policy_template = <<EOT
{"Statement": [%%{ for i, a in actions }%%{ if i > 0 },%%{ endif }{"Effect": "Allow", "Action": "$\${a}", "Resource": "arn:aws:s3:::$\${bucket}/*"}%%{ endfor }]}
EOT
  templates = { admin = "$\${name}:*" }
}
resource "aws_iam_policy" "p" {
  policy      = templatestring(local.policy_template, { actions = ["s3:*"], bucket = "logs" })
  description = templatestring(local.templates["admin"], { name = "iam" })
}
`);
    expect(errors).toEqual([]);
    const policy = byAddress(resources, "aws_iam_policy.p");
    expect(JSON.parse(policy.config.policy as string)).toEqual({
      Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::logs/*" }],
    });
    expect(policy.config.description).toBe("iam:*");
  });

  it("refuses a template written in the call, and a variable not passed, as Terraform does", () => {
    const { resources, errors } = load(`locals {
  t = "$\${missing}"
}
resource "null_resource" "t" {
  literal = templatestring("$\${x}", { x = 1 })
  missing = templatestring(local.t, {})
  number  = templatestring(local.n, {})
  later   = templatestring(data.aws_s3_object.t.body, { x = 1 })
}
locals {
  n = 1
}
data "aws_s3_object" "t" {}
`);
    expect(errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["main.tf", 5, "terraform-argument"],
      ["main.tf", 6, "terraform-undeclared-reference"],
      ["main.tf", 7, "terraform-type"],
    ]);
    expect(errors[0]?.message).toMatch(/templatestring/);
    expect(errors[1]?.message).toMatch(/"missing"/);
    const { config } = byAddress(resources, "null_resource.t");
    for (const key of ["literal", "missing", "number", "later"])
      expect(config[key]).toHaveProperty("$unknown");
  });
});

describe("values", () => {
  it("evaluates templates, directives, conditionals, for-expressions, splats and functions", () => {
    const { resources, errors } = load(`locals {
  names  = ["a", "b", "c"]
  tags   = { for n in local.names : n => upper(n) if n != "b" }
  joined = "%{ for n in local.names }<\${n}>%{ endfor }"
  ports  = [for i, p in [80, 443] : { index = i, port = p }]
  pick   = length(local.names) > 2 ? "many" : "few"
  fmt    = format("%-4s|%05.1f|%d%%|%q|%x", "ab", 3.14159, 7, "q", 255)
  lists  = flatten([["x"], ["y", ["z"]]])
  merged = merge({ a = 1 }, { b = 2 }, { a = 3 })
}
resource "null_resource" "x" {
  triggers = {
    tags    = jsonencode(local.tags)
    joined  = local.joined
    ports   = local.ports[*].port
    pick    = local.pick
    fmt     = local.fmt
    lists   = join(",", local.lists)
    merged  = jsonencode(local.merged)
    pieces  = join("-", split(".", "a.b.c"))
    trimmed = trimsuffix(trimprefix(" x.tf ", " "), ".tf ")
    sub     = substr("terraform", 0, 5)
    zipped  = jsonencode(zipmap(["k1", "k2"], [1, 2]))
    kinds   = jsonencode(distinct(compact(["a", "", "a", "b"])))
    lookup  = lookup({ a = "A" }, "z", "default")
    tried   = try(local.merged.missing, "fallback")
    can     = can(local.merged.missing)
    decoded = jsondecode("{\\"k\\": [1, 2]}").k[1]
    range   = jsonencode(range(1, 7, 2))
    replace = replace("a-b-c", "/-(b)-/", "+$1+")
  }
}
`);
    expect(errors).toEqual([]);
    expect(byAddress(resources, "null_resource.x").config.triggers).toEqual({
      tags: '{"a":"A","c":"C"}',
      joined: "<a><b><c>",
      ports: [80, 443],
      pick: "many",
      fmt: 'ab  |003.1|7%|"q"|ff',
      lists: "x,y,z",
      merged: '{"a":3,"b":2}',
      pieces: "a-b-c",
      trimmed: "x",
      sub: "terra",
      zipped: '{"k1":1,"k2":2}',
      kinds: '["a","b"]',
      lookup: "default",
      tried: "fallback",
      can: false,
      decoded: 2,
      range: "[1,3,5]",
      replace: "a+b+c",
    });
  });

  it("traces values through lookup and element to where they are written, and splats a single object", () => {
    const { resources, errors } = load(`locals {
  ports = {
    ssh = 22
    web = 443
  }
  single = { name = "only" }
}
resource "x" "y" {
  picked = [lookup(local.ports, "web"), element([local.ports.ssh, 8080], 3)]
  names  = local.single[*].name
}
`);
    expect(errors).toEqual([]);
    const resource = byAddress(resources, "x.y");
    expect(resource.config).toEqual({ picked: [443, 8080], names: ["only"] });
    expect(line(resource, "/picked/0")).toBe("main.tf:4");
    expect(line(resource, "/picked/1")).toBe("main.tf:9");
  });

  it("makes one rule per port and CIDR of a setproduct, each located where its values are written", () => {
    const { resources, errors } = load(`locals {
  ports = [22, 443]
  cidrs = ["0.0.0.0/0"]
}
resource "aws_vpc_security_group_ingress_rule" "r" {
  for_each    = { for p in setproduct(local.ports, local.cidrs) : "\${p[0]}-\${p[1]}" => p }
  ip_protocol = "tcp"
  from_port   = each.value[0]
  to_port     = each.value[0]
  cidr_ipv4   = each.value[1]
}
`);
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.address)).toEqual([
      'aws_vpc_security_group_ingress_rule.r["22-0.0.0.0/0"]',
      'aws_vpc_security_group_ingress_rule.r["443-0.0.0.0/0"]',
    ]);
    const ssh = byAddress(resources, 'aws_vpc_security_group_ingress_rule.r["22-0.0.0.0/0"]');
    expect(ssh.config).toEqual({
      ip_protocol: "tcp",
      from_port: 22,
      to_port: 22,
      cidr_ipv4: "0.0.0.0/0",
    });
    expect(line(ssh, "/from_port")).toBe("main.tf:2");
    expect(line(ssh, "/cidr_ipv4")).toBe("main.tf:3");
  });

  // terraform-aws-modules/security-group takes a rule's CIDRs as one comma-separated string
  // (`cidr_blocks = "0.0.0.0/0,2.2.2.2/32"`) and splits it: each CIDR is where the string is.
  it("locates each element of split() where the string was written", () => {
    const { resources, errors } = load(`locals {
  rules = [
    {
      cidr_blocks = "0.0.0.0/0,2.2.2.2/32"
    },
  ]
}
resource "aws_security_group_rule" "r" {
  cidr_blocks = compact(split(",", lookup(local.rules[0], "cidr_blocks", "")))
}
`);
    expect(errors).toEqual([]);
    const rule = byAddress(resources, "aws_security_group_rule.r");
    expect(rule.config.cidr_blocks).toEqual(["0.0.0.0/0", "2.2.2.2/32"]);
    expect(line(rule, "/cidr_blocks/0")).toBe("main.tf:4");
    expect(line(rule, "/cidr_blocks/1")).toBe("main.tf:4");
  });

  it("keeps what cannot be known explicit and propagates it", () => {
    const { resources, errors } = load(`variable "owner" {}
data "aws_caller_identity" "current" {}
resource "aws_s3_bucket" "b" {
  bucket = "logs-\${var.owner}"
  acl    = var.owner
  tags = {
    account = data.aws_caller_identity.current.account_id
    stamp   = timestamp()
    upper   = upper(var.owner)
    known   = "fixed"
  }
}
`);
    expect(errors).toEqual([]);
    const bucket = byAddress(resources, "aws_s3_bucket.b");
    expect(bucket.config).toEqual({
      bucket: { $unknown: '"logs-${var.owner}"' },
      acl: { $unknown: "var.owner" },
      tags: {
        account: { $unknown: "data.aws_caller_identity.current.account_id" },
        stamp: { $unknown: "timestamp()" },
        upper: { $unknown: "upper(var.owner)" },
        known: "fixed",
      },
      // No provider block: tags_all is the tags alone (provider-config.test.ts).
      tags_all: {
        account: { $unknown: "data.aws_caller_identity.current.account_id" },
        stamp: { $unknown: "timestamp()" },
        upper: { $unknown: "upper(var.owner)" },
        known: "fixed",
      },
    });
    expect(bucket.references).toEqual(["data.aws_caller_identity.current"]);
  });

  it("reads attributes literally set on another resource, including through count", () => {
    const { resources } = load(`resource "aws_s3_bucket" "logs" {
  count  = 2
  bucket = "logs-\${count.index}"
}
resource "aws_s3_bucket_logging" "l" {
  depends_on    = [aws_s3_bucket.other]
  bucket        = aws_s3_bucket.logs[1].bucket
  target_bucket = aws_s3_bucket.logs[0].id
  all           = join(",", aws_s3_bucket.logs[*].bucket)
  acls          = [for b in aws_s3_bucket.logs : b.acl]
}
resource "aws_s3_bucket" "other" {}
resource "aws_s3_bucket" "none" {
  count  = 0
  bucket = "never"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = try(aws_s3_bucket.none[0].id, "fallback")
  policy = try(aws_s3_bucket.logs[0].policy, "unset")
}
`);
    const policy = byAddress(resources, "aws_s3_bucket_policy.p");
    expect(policy.config).toEqual({
      bucket: "fallback",
      policy: { $unknown: 'try(aws_s3_bucket.logs[0].policy, "unset")' },
    });
    expect(resources.map((r) => r.address)).toEqual([
      "aws_s3_bucket.logs[0]",
      "aws_s3_bucket.logs[1]",
      "aws_s3_bucket_logging.l",
      "aws_s3_bucket.other",
      "aws_s3_bucket_policy.p",
    ]);
    const logging = byAddress(resources, "aws_s3_bucket_logging.l");
    expect(logging.config).toEqual({
      bucket: "logs-1",
      target_bucket: { $unknown: "aws_s3_bucket.logs[0].id" },
      all: "logs-0,logs-1",
      acls: [{ $unknown: "b.acl" }, { $unknown: "b.acl" }],
    });
    // The splat and the for-expression read every instance; logs[0] and logs[1] one each.
    expect(logging.references).toEqual([
      "aws_s3_bucket.logs",
      "aws_s3_bucket.logs[0]",
      "aws_s3_bucket.logs[1]",
      "aws_s3_bucket.other",
    ]);
  });

  it("reads a terraform_data resource's output as its input, which Terraform copies on apply", () => {
    const { resources, errors } = load(`locals {
  admin = "0.0.0.0/0"
}
resource "terraform_data" "cidr" {
  input = local.admin
}
resource "terraform_data" "none" {}
resource "aws_security_group_rule" "rdp" {
  cidr_blocks = [terraform_data.cidr.output]
  other       = terraform_data.none.output
}
`);
    expect(errors).toEqual([]);
    const rule = byAddress(resources, "aws_security_group_rule.rdp");
    expect(rule.config).toEqual({
      cidr_blocks: ["0.0.0.0/0"],
      other: { $unknown: "terraform_data.none.output" },
    });
    expect(line(rule, "/cidr_blocks/0")).toBe("main.tf:2");
    expect(rule.references).toEqual(["terraform_data.cidr", "terraform_data.none"]);
  });

  it("refers each instance of a known for_each to the resources its own element was read from", () => {
    const { resources, errors } = load(`resource "aws_s3_bucket" "a" {
  bucket = "example-a"
}
resource "aws_s3_bucket" "b" {
  bucket = "example-b"
}
resource "aws_s3_bucket" "tenant" {
  for_each = toset(["x", "y"])
  bucket   = "example-tenant-\${each.key}"
}
module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
}
locals {
  buckets = { a = aws_s3_bucket.a, b = aws_s3_bucket.b }
}
resource "aws_s3_bucket_logging" "objects" {
  for_each      = { for name, bucket in local.buckets : name => bucket if name != "" }
  bucket        = each.value.id
  target_bucket = "logs"
}
resource "aws_s3_bucket_logging" "ids" {
  for_each      = { a = aws_s3_bucket.a.id, remote = module.remote.s3_bucket_id }
  bucket        = each.value
  target_bucket = "logs"
}
resource "aws_s3_bucket_logging" "tenant" {
  for_each      = aws_s3_bucket.tenant
  bucket        = each.value.id
  target_bucket = "logs"
}
resource "aws_s3_bucket_logging" "filtered" {
  for_each      = { for k, bucket in aws_s3_bucket.tenant : k => bucket.id if k == "y" }
  bucket        = each.value
  target_bucket = "logs"
}
resource "aws_s3_bucket_logging" "names" {
  for_each      = toset([aws_s3_bucket.b.bucket, aws_s3_bucket.a.bucket])
  bucket        = each.key
  target_bucket = "logs"
}
# A map's key is a name, not its element: "copy-a" is not bucket a.
resource "aws_s3_bucket_logging" "keys" {
  for_each      = local.buckets
  bucket        = "copy-\${each.key}"
  target_bucket = "logs"
}
`);
    expect(errors).toEqual([]);
    const referencesOf = (address: string): string[] => byAddress(resources, address).references;
    expect(referencesOf('aws_s3_bucket_logging.objects["a"]')).toEqual(["aws_s3_bucket.a"]);
    expect(referencesOf('aws_s3_bucket_logging.objects["b"]')).toEqual(["aws_s3_bucket.b"]);
    expect(referencesOf('aws_s3_bucket_logging.ids["a"]')).toEqual(["aws_s3_bucket.a"]);
    expect(referencesOf('aws_s3_bucket_logging.ids["remote"]')).toEqual(["module.remote"]);
    expect(referencesOf('aws_s3_bucket_logging.tenant["x"]')).toEqual([
      'aws_s3_bucket.tenant["x"]',
    ]);
    expect(referencesOf('aws_s3_bucket_logging.tenant["y"]')).toEqual([
      'aws_s3_bucket.tenant["y"]',
    ]);
    expect(resources.filter((r) => r.address.startsWith("aws_s3_bucket_logging.filtered"))).toEqual(
      [
        expect.objectContaining({
          address: 'aws_s3_bucket_logging.filtered["y"]',
          references: ['aws_s3_bucket.tenant["y"]'],
        }),
      ],
    );
    // A set is sorted: "example-a" comes first though aws_s3_bucket.b was written first.
    expect(referencesOf('aws_s3_bucket_logging.names["example-a"]')).toEqual(["aws_s3_bucket.a"]);
    expect(referencesOf('aws_s3_bucket_logging.names["example-b"]')).toEqual(["aws_s3_bucket.b"]);
    expect(referencesOf('aws_s3_bucket_logging.keys["a"]')).toEqual([]);
  });

  it("refers a resource read at one known instance key to that instance alone", () => {
    const { resources, errors } = load(`resource "aws_s3_bucket" "logs" {
  for_each = toset(["x", "y"])
  bucket   = "example-\${each.key}"
}
data "aws_iam_policy_document" "tls" {
  for_each = aws_s3_bucket.logs
  statement {
    actions   = ["s3:*"]
    resources = [each.value.arn]
  }
}
resource "aws_s3_bucket_policy" "by_key" {
  for_each = aws_s3_bucket.logs
  bucket   = aws_s3_bucket.logs[each.key].id
  policy   = data.aws_iam_policy_document.tls[each.key].json
}
resource "aws_s3_bucket_versioning" "literal" {
  bucket = aws_s3_bucket.logs["y"].id
}
resource "aws_s3_bucket_acl" "literal_data" {
  bucket = "example-y"
  acl    = data.aws_iam_policy_document.tls["y"].json
}
`);
    expect(errors).toEqual([]);
    const referencesOf = (address: string): string[] => byAddress(resources, address).references;
    expect(referencesOf('aws_s3_bucket_policy.by_key["x"]')).toEqual([
      'aws_s3_bucket.logs["x"]',
      'data.aws_iam_policy_document.tls["x"]',
    ]);
    expect(referencesOf('aws_s3_bucket_policy.by_key["y"]')).toEqual([
      'aws_s3_bucket.logs["y"]',
      'data.aws_iam_policy_document.tls["y"]',
    ]);
    expect(referencesOf("aws_s3_bucket_versioning.literal")).toEqual(['aws_s3_bucket.logs["y"]']);
    expect(referencesOf("aws_s3_bucket_acl.literal_data")).toEqual([
      'data.aws_iam_policy_document.tls["y"]',
    ]);
  });

  it("records where the variables and locals a count, a for_each element and each attribute read are written", () => {
    const { resources, errors } = load(
      `variable "open" {
  type    = bool
  default = false
}
variable "office" {
  type = string
  default = "10.20.0.0/16"
}
locals {
  enabled = var.open
  ports = {
    ssh = 22
    rdp = 3389
  }
}
resource "aws_security_group_rule" "maybe" {
  count       = local.enabled ? 1 : 0
  type        = "ingress"
  from_port   = 22
  to_port     = 22
  cidr_blocks = var.open ? ["0.0.0.0/0"] : [var.office]
  description = "fixed"
}
resource "aws_security_group_rule" "each" {
  for_each    = local.ports
  from_port   = each.value
  to_port     = each.value
  cidr_blocks = ["0.0.0.0/0"]
}
`,
      [{ path: "terraform.tfvars", text: "open = true\n" }],
    );
    expect(errors).toEqual([]);
    const places = (resource: Resource) =>
      Object.fromEntries(
        Object.entries(resource.readFrom ?? {}).map(([by, read]) => [
          by,
          read.map((r) => `${r.file}:${r.line}`),
        ]),
      );
    // The count reads local.enabled (main.tf:10), whose value is var.open's (the tfvars entry),
    // then is written at main.tf:17; description reads nothing, and a for_each instance its own
    // element, not the whole map, then the for_each line (main.tf:25).
    expect(places(byAddress(resources, "aws_security_group_rule.maybe[0]"))).toEqual({
      count: ["terraform.tfvars:1", "main.tf:10", "main.tf:17"],
      cidr_blocks: ["terraform.tfvars:1"],
    });
    expect(places(byAddress(resources, 'aws_security_group_rule.each["rdp"]'))).toEqual({
      for_each: ["main.tf:13", "main.tf:25"],
    });
    expect(places(byAddress(resources, 'aws_security_group_rule.each["ssh"]'))).toEqual({
      for_each: ["main.tf:12", "main.tf:25"],
    });
  });

  it("records what the count or for_each of the module calls creating an instance read, nested calls too", () => {
    const bucket = `resource "aws_s3_bucket" "this" {
  bucket = var.name
}
variable "name" {
  type = string
}
`;
    const { resources, errors } = load(
      `variable "enable_logs" {
  type    = bool
  default = false
}
locals {
  regions = {
    eu = "eu-west-1"
    us = "us-east-1"
  }
}
module "logs" {
  source = "./modules/bucket"
  count  = var.enable_logs ? 1 : 0
  name   = "logs"
}
module "region" {
  source   = "./modules/region"
  for_each = local.regions
  region   = each.value
}
module "fixed" {
  source = "./modules/bucket"
  count  = 1
  name   = "fixed"
}
`,
      [
        { path: "terraform.tfvars", text: "enable_logs = true\n" },
        { path: "modules/bucket/main.tf", text: bucket },
        {
          path: "modules/region/main.tf",
          text: `variable "region" {
  type = string
}
variable "archive" {
  type    = bool
  default = true
}
module "archive" {
  source = "../bucket"
  count  = var.archive ? 1 : 0
  name   = "archive-\${var.region}"
}
resource "aws_s3_bucket" "regional" {
  for_each = toset(["a"])
  bucket   = "\${var.region}-\${each.key}"
}
module "remote" {
  source = "terraform-aws-modules/s3-bucket/aws"
}
`,
        },
      ],
    );
    expect(errors).toEqual([]);
    const places = (address: string) =>
      Object.fromEntries(
        Object.entries(byAddress(resources, address).readFrom ?? {}).map(([by, read]) => [
          by,
          read.map((r) => `${r.file}:${r.line}-${r.endLine}`),
        ]),
      );
    // The call's count reads var.enable_logs (the tfvars entry), and is written at main.tf:13.
    expect(places("module.logs[0].aws_s3_bucket.this")).toEqual({
      bucket: ["main.tf:14-14"],
      "module.logs.count": ["terraform.tfvars:1-1", "main.tf:13-13"],
    });
    // A literal count has only its own line; a for_each element its map entry, then the
    // for_each line. Nested calls come innermost first; the resource's own for_each stays.
    expect(places("module.fixed[0].aws_s3_bucket.this")).toEqual({
      bucket: ["main.tf:24-24"],
      "module.fixed.count": ["main.tf:23-23"],
    });
    expect(places('module.region["us"].aws_s3_bucket.regional["a"]')).toEqual({
      for_each: ["modules/region/main.tf:14-14"],
      bucket: ["main.tf:8-8"],
      "module.region.for_each": ["main.tf:8-8", "main.tf:18-18"],
    });
    expect(places('module.region["eu"].module.archive[0].aws_s3_bucket.this')).toEqual({
      bucket: ["modules/region/main.tf:11-11"],
      'module.region["eu"].module.archive.count': [
        "modules/region/main.tf:6-6",
        "modules/region/main.tf:10-10",
      ],
      "module.region.for_each": ["main.tf:7-7", "main.tf:18-18"],
    });
    // A call of a remote module inside is emitted as one of the instances the calls create.
    expect(places('module.region["us"].module.remote')).toEqual({
      "module.region.for_each": ["main.tf:8-8", "main.tf:18-18"],
    });
  });

  it("keeps what a count or for_each reads out of the references of whatever reads the resource or module first", () => {
    // Expansions are memoised: whichever reads a resource or module call first makes it expand.
    // Each block is loaded before and after its readers, and must refer to the same resources.
    const blocks = [
      `resource "aws_s3_bucket" "a" {
  bucket = "example-a"
}`,
      `resource "aws_s3_bucket" "b" {
  bucket = "example-b"
}`,
      `resource "aws_s3_bucket_logging" "reader" {
  bucket        = aws_s3_bucket_ownership_controls.this["a"].bucket
  target_bucket = local.target
}`,
      `locals {
  target = aws_s3_bucket_versioning.logs[0].bucket
}`,
      `resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = { a = aws_s3_bucket.a.id, b = aws_s3_bucket.b.id }
  bucket   = each.value
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}`,
      `resource "aws_s3_bucket_versioning" "logs" {
  count  = aws_s3_bucket.b.bucket == "example-b" ? 1 : 0
  bucket = "example-logs"
  versioning_configuration {
    status = "Enabled"
  }
}`,
      `resource "aws_s3_bucket_policy" "reader" {
  bucket = module.tenant["a"].name
  policy = "{}"
}`,
      `module "tenant" {
  source   = "./tenant"
  for_each = { a = aws_s3_bucket.a.bucket, b = aws_s3_bucket.b.bucket }
  name     = each.value
}`,
    ];
    const tenant: SourceFile = {
      path: "tenant/main.tf",
      text: `variable "name" {}
output "name" {
  value = var.name
}
`,
    };
    const expected = {
      "aws_s3_bucket_logging.reader": [
        'aws_s3_bucket_ownership_controls.this["a"]',
        "aws_s3_bucket_versioning.logs[0]",
      ],
      'aws_s3_bucket_ownership_controls.this["a"]': ["aws_s3_bucket.a"],
      'aws_s3_bucket_ownership_controls.this["b"]': ["aws_s3_bucket.b"],
      "aws_s3_bucket_versioning.logs[0]": [],
      "aws_s3_bucket_policy.reader": ["aws_s3_bucket.a"],
    };
    for (const order of [blocks, [...blocks].reverse()]) {
      const { resources, errors } = load(order.join("\n"), [tenant]);
      expect(errors).toEqual([]);
      const references = Object.fromEntries(
        Object.keys(expected).map((address) => [address, byAddress(resources, address).references]),
      );
      expect(references).toEqual(expected);
    }
  });

  it("keeps one instance without index when count or for_each is unknown, with the meta-argument unknown", () => {
    const { resources } = load(`variable "n" {}
resource "aws_instance" "web" {
  count = var.n
  ami   = "ami-1"
}
resource "aws_instance" "each" {
  for_each = var.n
  ami      = each.value
}
`);
    expect(byAddress(resources, "aws_instance.web").config).toEqual({
      count: { $unknown: "var.n" },
      ami: "ami-1",
    });
    expect(byAddress(resources, "aws_instance.each").config).toEqual({
      for_each: { $unknown: "var.n" },
      ami: { $unknown: "each.value" },
    });
    expect(line(byAddress(resources, "aws_instance.web"), "/count")).toBe("main.tf:3");
  });

  it("expands dynamic blocks over known collections and keeps one unknown block otherwise", () => {
    const { resources } = load(`variable "unknown_rules" {}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = { ssh = 22, rdp = 3389 }
    iterator = rule
    content {
      from_port = rule.value
      description = rule.key
    }
  }
  dynamic "egress" {
    for_each = var.unknown_rules
    content {
      to_port  = egress.value.port
      protocol = "-1"
    }
  }
  lifecycle {
    create_before_destroy = true
  }
}
`);
    const group = byAddress(resources, "aws_security_group.sg");
    expect(group.config).toEqual({
      ingress: [
        { from_port: 3389, description: "rdp" },
        { from_port: 22, description: "ssh" },
      ],
      egress: [{ to_port: { $unknown: "egress.value.port" }, protocol: "-1" }],
    });
    // 22 is written in the for_each, where a reviewer changes it; the protocol in the content.
    expect(line(group, "/ingress/1/from_port")).toBe("main.tf:4");
    expect(line(group, "/egress/0/protocol")).toBe("main.tf:15");
    expect(group.unknownForEach).toEqual({ "/egress/0": "var.unknown_rules" });
  });

  it("records the blocks a dynamic block over an unknown collection may or may not create", () => {
    const { resources, errors } = load(`variable "vpc_options" {
  type    = any
  default = {}
}
variable "log_types" {
  type = set(string)
}
variable "extra_ingress" {
  type = list(any)
}
resource "aws_opensearch_domain" "this" {
  domain_name = "search"
  dynamic "vpc_options" {
    for_each = length(var.vpc_options) > 0 ? [var.vpc_options] : []
    content {
      subnet_ids = vpc_options.value.subnet_ids
    }
  }
  dynamic "log_publishing_options" {
    for_each = var.log_types
    content {
      log_type = log_publishing_options.value
    }
  }
}
resource "aws_security_group" "web" {
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  dynamic "ingress" {
    for_each = var.extra_ingress
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
      dynamic "security_groups" {
        for_each = ingress.value.groups
        content {}
      }
    }
  }
}
`);
    expect(errors).toEqual([]);
    const domain = byAddress(resources, "aws_opensearch_domain.this");
    expect(domain.config.vpc_options).toBeUndefined();
    expect(domain.config.log_publishing_options).toEqual([
      { log_type: { $unknown: "log_publishing_options.value" } },
    ]);
    expect(domain.unknownForEach).toEqual({ "/log_publishing_options/0": "var.log_types" });
    const group = byAddress(resources, "aws_security_group.web");
    expect(group.config.ingress).toEqual([
      { from_port: 443, to_port: 443, protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] },
      {
        from_port: { $unknown: "ingress.value.port" },
        to_port: { $unknown: "ingress.value.port" },
        protocol: "tcp",
        cidr_blocks: ["10.0.0.0/8"],
        security_groups: [{}],
      },
    ]);
    expect(group.unknownForEach).toEqual({
      "/ingress/1": "var.extra_ingress",
      "/ingress/1/security_groups/0": "ingress.value.groups",
    });
    // A wholly unknown collection's block stands for all of them: none is a partial one's extra.
    expect(group.unknownPartBlocks).toBeUndefined();
    expect(line(group, "/ingress/1")).toBe("main.tf:33");
  });

  it("follows a policy document's statements and condition keys from such blocks into its JSON", () => {
    const { resources, errors } = load(`variable "organization_ids" {
  type = list(string)
}
variable "extra_statements" {
  type = map(string)
}
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
    dynamic "condition" {
      for_each = length(var.organization_ids) > 0 ? [var.organization_ids] : []
      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = condition.value
      }
    }
  }
  dynamic "statement" {
    for_each = var.extra_statements
    content {
      actions   = ["sts:TagSession"]
      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [statement.key]
      }
    }
  }
}
resource "aws_iam_role" "shared" {
  name               = "shared"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
`);
    expect(errors).toEqual([]);
    const organizations = "length(var.organization_ids) > 0 ? [var.organization_ids] : []";
    expect(byAddress(resources, "aws_iam_role.shared").unknownForEach).toEqual({
      "/assume_role_policy/Statement/0/Condition/StringEquals/aws:PrincipalOrgID": organizations,
      "/assume_role_policy/Statement/1": "var.extra_statements",
    });
    expect(byAddress(resources, "data.aws_iam_policy_document.assume").unknownForEach).toEqual({
      "/statement/0/condition/1": organizations,
      "/statement/1": "var.extra_statements",
      "/json/Statement/0/Condition/StringEquals/aws:PrincipalOrgID": organizations,
      "/json/Statement/1": "var.extra_statements",
      "/minified_json/Statement/0/Condition/StringEquals/aws:PrincipalOrgID": organizations,
      "/minified_json/Statement/1": "var.extra_statements",
    });
  });

  it("merges a set variable's equal elements, and leaves it unknown when unknown ones may be equal", () => {
    const { resources, errors } = load(
      `variable "a" {
  type = string
}
variable "b" {
  type = string
}
module "sg" {
  source = "./sg"
  names  = [var.a, var.b]
  ports  = ["443", "443"]
  rules  = [{ port = 443, cidr = var.a }, { port = 22, cidr = var.b }]
}
`,
      [
        {
          path: "sg/main.tf",
          text: `variable "names" {
  type = set(string)
}
variable "ports" {
  type = set(string)
}
variable "rules" {
  type = set(object({ port = number, cidr = string }))
}
resource "aws_security_group" "this" {
  dynamic "ingress" {
    for_each = var.names
    content {
      description = ingress.value
    }
  }
  dynamic "egress" {
    for_each = var.ports
    content {
      from_port = egress.value
    }
  }
  dynamic "rule" {
    for_each = var.rules
    content {
      from_port   = rule.value.port
      cidr_blocks = [rule.value.cidr]
    }
  }
}
`,
        },
      ],
    );
    expect(errors).toEqual([]);
    const group = byAddress(resources, "module.sg.aws_security_group.this");
    // var.a may equal var.b: one block or two.
    expect(group.unknownForEach).toEqual({ "/ingress/0": "var.names" });
    expect(group.config.egress).toEqual([{ from_port: "443" }]);
    // Rules on different ports stay apart whatever their sources.
    expect(group.config.rule).toEqual([
      { from_port: 443, cidr_blocks: [{ $unknown: "var.a" }] },
      { from_port: 22, cidr_blocks: [{ $unknown: "var.b" }] },
    ]);
  });

  it("fills an optional() default for an explicit null, as for an omitted attribute, located at the default", () => {
    const { resources, errors } = load(
      `module "sg" {
  source = "./sg"
  rules = {
    ssh = { port = 22, cidrs = null }
    pg  = { port = 5432, protocol = null }
  }
}
`,
      [
        {
          path: "sg/main.tf",
          text: `variable "rules" {
  type = map(object({
    port     = number
    protocol = optional(string, "tcp")
    cidrs    = optional(list(string), ["0.0.0.0/0"])
    note     = optional(string)
  }))
}
resource "aws_security_group_rule" "this" {
  for_each    = var.rules
  protocol    = each.value.protocol
  from_port   = each.value.port
  cidr_blocks = each.value.cidrs
  description = each.value.note
}
`,
        },
      ],
    );
    expect(errors).toEqual([]);
    const ssh = byAddress(resources, 'module.sg.aws_security_group_rule.this["ssh"]');
    expect(ssh.config).toMatchObject({ protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] });
    expect(line(ssh, "/cidr_blocks/0")).toBe("sg/main.tf:5");
    const pg = byAddress(resources, 'module.sg.aws_security_group_rule.this["pg"]');
    expect(pg.config).toMatchObject({ protocol: "tcp", cidr_blocks: ["0.0.0.0/0"] });
    // optional() without a default leaves the attribute null.
    expect(pg.config.description).toBeNull();
  });

  it("records such statements in a module call's argument as in a resource's", () => {
    const { resources, errors } = load(`variable "transport_policy" {
  type = object({ enabled = bool })
}
data "aws_iam_policy_document" "media" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::example-media/*"]
  }
  dynamic "statement" {
    for_each = var.transport_policy == null ? [] : [var.transport_policy]
    content {
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = ["arn:aws:s3:::example-media/*"]
    }
  }
}
module "media" {
  source        = "terraform-aws-modules/s3-bucket/aws"
  attach_policy = true
  policy        = data.aws_iam_policy_document.media.json
}
`);
    expect(errors).toEqual([]);
    const media = byAddress(resources, "module.media");
    expect(media.unknownForEach).toEqual({
      "/policy/Statement/1": "var.transport_policy == null ? [] : [var.transport_policy]",
    });
    expect(line(media, "/policy/Statement/1")).toBe("main.tf:9");
  });
});

describe("single values written elsewhere", () => {
  it("are located where written: a module call's argument, a local's for_each entry, a default, a -var", () => {
    const { resources, errors } = loadTerraform(
      [
        {
          path: "main.tf",
          text: `variable "port" {
  default = 22
}
variable "protocol" {}
locals {
  roles = {
    admin = { arn = "arn:aws:iam::aws:policy/AdministratorAccess" }
  }
}
module "role" {
  source      = "./modules/role"
  policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  name        = "deploy"
}
resource "aws_iam_role_policy_attachment" "by_key" {
  for_each   = local.roles
  role       = "deploy"
  policy_arn = each.value.arn
}
resource "aws_security_group_rule" "ssh" {
  type      = "ingress"
  from_port = var.port
  to_port   = var.port + 0
  protocol  = var.protocol
}
`,
        },
        {
          path: "modules/role/main.tf",
          text: `variable "policy_arns" {}
variable "name" {}
resource "aws_iam_role" "this" {
  name = var.name
}
resource "aws_iam_role_policy_attachment" "this" {
  count      = length(var.policy_arns)
  role       = aws_iam_role.this.name
  policy_arn = var.policy_arns[count.index]
}
`,
        },
      ],
      { variables: { protocol: "tcp" } },
    );
    expect(errors).toEqual([]);
    const attachment = byAddress(resources, "module.role.aws_iam_role_policy_attachment.this[0]");
    expect(attachment.file).toBe("modules/role/main.tf");
    expect(line(attachment, "/policy_arn")).toBe("main.tf:12");
    // A value read from another resource is that resource's setting: the name stays here.
    expect(line(attachment, "/role")).toBe("modules/role/main.tf:8");
    const byKey = byAddress(resources, 'aws_iam_role_policy_attachment.by_key["admin"]');
    expect(line(byKey, "/policy_arn")).toBe("main.tf:7");
    expect(line(byKey, "/role")).toBe("main.tf:17");
    const rule = byAddress(resources, "aws_security_group_rule.ssh");
    expect(line(rule, "/from_port")).toBe("main.tf:2");
    // Computed in the attribute: the attribute is where it is written.
    expect(line(rule, "/to_port")).toBe("main.tf:23");
    // Given on the command line: at the variable's declaration.
    expect(line(rule, "/protocol")).toBe("main.tf:4");
  });

  it("locate a module's value at the calling example's argument (terraform-aws-iam corpus)", () => {
    const { resources } = loadTerraform(
      readSources(path.join(corpusDir, "real/terraform-aws-iam")).filter(
        (file) =>
          file.path.startsWith("examples/iam-role/") ||
          file.path.startsWith("modules/iam-role/") ||
          file.path.startsWith("examples/iam-account/") ||
          file.path.startsWith("modules/iam-account/"),
      ),
    );
    // for_each = { admin = { policies = { AdministratorAccess = "arn:...:AdministratorAccess" } } }
    // gives policies = each.value.policies, which the module's attachment reads as each.value.
    const admin = byAddress(
      resources,
      'module.iam_roles["admin"].aws_iam_role_policy_attachment.this["AdministratorAccess"]',
    );
    expect(admin.config.policy_arn).toBe("arn:aws:iam::aws:policy/AdministratorAccess");
    expect(`${admin.file}:${admin.line}`).toBe("modules/iam-role/main.tf:297");
    expect(line(admin, "/policy_arn")).toBe("examples/iam-role/main.tf:28");
    const passwords = byAddress(
      resources,
      "module.iam_account.aws_iam_account_password_policy.this[0]",
    );
    expect(passwords.config.minimum_password_length).toBe(6);
    expect(line(passwords, "/minimum_password_length")).toBe("examples/iam-account/main.tf:14");
  });
});

describe("where a block reads a value written elsewhere", () => {
  it("is recorded for a module argument, a default, a list's elements and a local's statements", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `variable "admin_cidrs" {
  default = ["10.0.0.0/8", "0.0.0.0/0"]
}
locals {
  document = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}
module "role" {
  source      = "./modules/role"
  policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
resource "aws_security_group" "bastion" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }
}
resource "aws_iam_policy" "all" {
  policy = local.document
}
`,
      },
      {
        path: "modules/role/main.tf",
        text: `variable "policy_arns" {}
variable "break_glass" {
  default = "arn:aws:iam::aws:policy/AdministratorAccess"
}
resource "aws_iam_role_policy_attachment" "this" {
  count      = length(var.policy_arns)
  role       = "deploy"
  policy_arn = var.policy_arns[count.index]
}
resource "aws_iam_role_policy_attachment" "break_glass" {
  role       = "deploy"
  policy_arn = var.break_glass
}
`,
      },
    ]);
    expect(errors).toEqual([]);
    const readAt = (resource: Resource, pointer: string) => {
      const place = resource.readAt?.[pointer];
      return place && `${place.file}:${place.line}`;
    };
    const attachment = byAddress(resources, "module.role.aws_iam_role_policy_attachment.this[0]");
    expect(line(attachment, "/policy_arn")).toBe("main.tf:9");
    expect(readAt(attachment, "/policy_arn")).toBe("modules/role/main.tf:8");
    // Written in the attribute, or read from where it is written: nothing else reads it.
    expect(attachment.readAt).toEqual({ "/policy_arn": expect.anything() });
    const breakGlass = byAddress(
      resources,
      "module.role.aws_iam_role_policy_attachment.break_glass",
    );
    expect(line(breakGlass, "/policy_arn")).toBe("modules/role/main.tf:3");
    expect(readAt(breakGlass, "/policy_arn")).toBe("modules/role/main.tf:12");
    const bastion = byAddress(resources, "aws_security_group.bastion");
    expect(line(bastion, "/ingress/0/cidr_blocks/1")).toBe("main.tf:2");
    expect(readAt(bastion, "/ingress/0/cidr_blocks/1")).toBe("main.tf:16");
    expect(Object.keys(bastion.readAt ?? {})).toEqual([
      "/ingress/0/cidr_blocks/0",
      "/ingress/0/cidr_blocks/1",
    ]);
    const policy = byAddress(resources, "aws_iam_policy.all");
    expect(line(policy, "/policy/Statement/0/Action")).toBe("main.tf:5");
    expect(readAt(policy, "/policy/Statement/0/Action")).toBe("main.tf:20");
    // What policies receive leaves it out, as it leaves out readFrom.
    expect(policyInput(resources).resources.some((r) => "readAt" in r)).toBe(false);
  });
});

describe("variable files", () => {
  it("reads terraform.tfvars.json with each element located, and options after the automatic files", () => {
    const files = [
      {
        path: "env/main.tf",
        text: `variable "cidrs" {}\nvariable "name" {}\nresource "aws_security_group" "g" {\n  name = var.name\n  ingress {\n    cidr_blocks = var.cidrs\n  }\n}\n`,
      },
      {
        path: "env/terraform.tfvars.json",
        text: `{\n  "name": "from-json",\n  "cidrs": [\n    "10.0.0.0/8",\n    "0.0.0.0/0"\n  ]\n}\n`,
      },
      { path: "env/prod.tfvars", text: `name = "from-option"\n` },
    ];
    const { resources, errors } = loadTerraform(files, { variableFiles: ["env/prod.tfvars"] });
    expect(errors).toEqual([]);
    const group = byAddress(resources, "aws_security_group.g");
    expect(group.config).toEqual({
      name: "from-option",
      ingress: [{ cidr_blocks: ["10.0.0.0/8", "0.0.0.0/0"] }],
    });
    expect(line(group, "/ingress/0/cidr_blocks/1")).toBe("env/terraform.tfvars.json:5");
    expect(line(group, "/name")).toBe("env/prod.tfvars:1");
  });

  it("reports a broken terraform.tfvars.json where it breaks", () => {
    const files = [
      { path: "main.tf", text: `variable "name" {}\n` },
      { path: "terraform.tfvars.json", text: `{\n  "name": "a"\n  "other": 1\n}\n` },
    ];
    expect(loadTerraform(files).errors).toEqual([
      {
        file: "terraform.tfvars.json",
        line: 3,
        column: 3,
        message: "expected ',' or '}' after an object property, found '\"'",
        code: "terraform-tfvars",
      },
    ]);
  });
});

describe(".tf.json", () => {
  it("loads JSON syntax with templates, count, depends_on strings and dynamic blocks", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf.json",
        text: `{
  "variable": { "env": { "default": "prod" }, "ports": { "default": [22, 443] } },
  "resource": {
    "aws_security_group": {
      "web": {
        "count": 1,
        "name": "web-\${var.env}",
        "depends_on": ["aws_s3_bucket.logs"],
        "dynamic": {
          "ingress": {
            "for_each": "\${var.ports}",
            "iterator": "port",
            "content": { "from_port": "\${port.value}", "cidr_blocks": ["0.0.0.0/0"] }
          }
        }
      }
    },
    "aws_s3_bucket": { "logs": { "bucket": "logs" } }
  }
}
`,
      },
    ]);
    expect(errors).toEqual([]);
    const group = byAddress(resources, "aws_security_group.web[0]");
    expect(group.config).toEqual({
      name: "web-prod",
      ingress: [
        { from_port: 22, cidr_blocks: ["0.0.0.0/0"] },
        { from_port: 443, cidr_blocks: ["0.0.0.0/0"] },
      ],
    });
    expect(group.references).toEqual(["aws_s3_bucket.logs"]);
    expect(line(group, "/ingress/1/cidr_blocks/0")).toBe("main.tf.json:13");
    expect(line(group, "/ingress/1/from_port")).toBe("main.tf.json:2");
  });

  it("evaluates an interpolation written with a JSON escape for '$', as Terraform does", () => {
    const text = `{
  "variable": { "env": { "default": "prod" } },
  "resource": { "aws_s3_bucket": { "b": { "bucket": "logs-\\u0024{var.env}" } } }
}
`;
    const { resources, errors } = loadTerraform([{ path: "main.tf.json", text }]);
    expect(errors).toEqual([]);
    const bucket = byAddress(resources, "aws_s3_bucket.b");
    expect(bucket.config.bucket).toBe("logs-prod");
    expect(line(bucket, "/bucket")).toBe("main.tf.json:3");
  });

  it("names an unknown read from a string with JSON escapes as native syntax writes it", () => {
    const text = `{
  "variable": { "m": {}, "y": {} },
  "resource": {
    "aws_security_group": { "named": { "for_each": { "app": "default" }, "name": "\${each.value}" } },
    "terraform_data": { "t": { "input": {
      "group": "\${aws_security_group.named[\\"app\\"].id}",
      "index": "\${upper(var.m[\\"k\\"])}",
      "escaped": "\\u0024{var.y}",
      "lines": "\${upper(\\n  var.y\\n)}",
      "quoted": "x-\${var.m[\\"k\\"]}"
    } } }
  }
}
`;
    const { resources, errors } = loadTerraform([{ path: "main.tf.json", text }]);
    expect(errors).toEqual([]);
    expect(byAddress(resources, "terraform_data.t").config.input).toEqual({
      group: { $unknown: 'aws_security_group.named["app"].id' },
      index: { $unknown: 'upper(var.m["k"])' },
      escaped: { $unknown: "var.y" },
      lines: { $unknown: "upper(\n  var.y\n)" },
      quoted: { $unknown: '"x-\${var.m["k"]}"' },
    });
  });

  it("reads a name repeated with objects on both sides as its nested blocks, in order, as HCL does", () => {
    const text = `{"resource": {"aws_s3_bucket": {"b": {
  "bucket": "b",
  "versioning": {"enabled": true},
  "logging": {"target_bucket": "l"},
  "versioning": [{"enabled": false}, {"mfa_delete": true}]
}}}}
`;
    const { resources, errors } = loadTerraform([{ path: "main.tf.json", text }]);
    expect(errors).toEqual([]);
    const bucket = byAddress(resources, "aws_s3_bucket.b");
    expect(bucket.config.versioning).toEqual([
      { enabled: true },
      { enabled: false },
      { mfa_delete: true },
    ]);
    expect(line(bucket, "/versioning/0/enabled")).toBe("main.tf.json:3");
    expect(line(bucket, "/versioning/2/mfa_delete")).toBe("main.tf.json:5");
  });
});

describe("errors", () => {
  it("reports a cycle between locals at its place and still loads the rest", () => {
    const { resources, errors } = load(`locals {
  a = local.b
  b = "\${local.a}-x"
}
resource "aws_s3_bucket" "b" {
  bucket = local.a
  acl    = "private"
}
`);
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([["terraform-cycle", 2, 3]]);
    expect(errors[0]?.message).toContain("local.a -> local.b -> local.a");
    expect(byAddress(resources, "aws_s3_bucket.b").config.acl).toBe("private");
  });

  it("fails arithmetic that would make NaN where Terraform does", () => {
    const { resources, errors } = load(`locals {
  infinite = pow(10, 400)
}
resource "aws_s3_bucket" "b" {
  count     = parseint("two", 10)
  sum       = local.infinite + -local.infinite
  product   = 0 * local.infinite
  quotient  = local.infinite / local.infinite
  remainder = local.infinite % 3
  distinct  = length(toset([log(-1, 10), log(-1, 10)]))
}
`);
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      '5:15 terraform-argument parseint: cannot parse "two" as a base 10 integer',
      "6:15 terraform-arithmetic can't compute sum of opposing infinities",
      "7:15 terraform-arithmetic can't multiply zero by infinity",
      "8:15 terraform-arithmetic can't divide zero by zero or infinity by infinity",
      "10:29 terraform-argument log: the result is not a number",
    ]);
    // The count Terraform cannot plan is unknown, not zero instances: the bucket stays.
    expect(resources.map((r) => r.address)).toEqual(["aws_s3_bucket.b"]);
    expect(resources[0]?.config.remainder).toBe(Infinity);
  });

  it("writes numbers as cty does, without an exponent, and fails to encode an infinity as JSON", () => {
    // cty's number-to-string and its JSON are big.Float.Text('f', -1); its JSON refuses an infinity.
    const { resources, errors } = load(`resource "aws_s3_bucket" "b" {
  tags = {
    large = "n\${1e21}"
    small = tostring(1.5e-7)
    json  = jsonencode([1e22, -2.5e-8, 0.1])
  }
  policy = jsonencode({ limit = 1 / 0 })
}
`);
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      "7:12 terraform-argument jsonencode: cannot serialize infinity as JSON",
    ]);
    expect(errors[0]?.failsPlan).toBe(true);
    expect(resources[0]?.config.tags).toEqual({
      large: "n1000000000000000000000",
      small: "0.00000015",
      json: "[10000000000000000000000,-0.000000025,0.1]",
    });
  });

  it("computes and decides in 512 bits as Terraform does (expressions recorded from terraform console)", () => {
    // cty's numbers are 512-bit binary floats: 0.1 + 0.2 == 0.3, but 0.3 + 0.6 is 0.9000…0004.
    const { expressions } = recorded;
    const { resources, errors } = load(`resource "aws_s3_bucket" "b" {
${expressions.map(({ expression }, i) => `  r${i} = ${expression}`).join("\n")}
}
`);
    expect(errors).toEqual([]);
    const config = resources[0]?.config ?? {};
    expect(expressions.map(({ expression }, i) => [expression, config[`r${i}`]])).toEqual(
      expressions.map(({ expression, terraform }) => [expression, terraform]),
    );
  });

  it("decides a count, a conditional and a local on a number no float64 holds, as Terraform does", () => {
    // 0.3 + 0.6 is not 0.9 in Terraform, so no queue; the number reaches policies as unknown.
    const { resources, errors } = load(`locals {
  ninths = 0.3 + 0.6
  big    = 9007199254740992 + 1
}
resource "aws_sqs_queue" "q" {
  count = local.ninths == 0.9 ? 1 : 0
}
resource "aws_s3_bucket" "b" {
  count  = local.big > 9007199254740992 ? 1 : 0
  bucket = "b-\${local.big}"
  ratio  = local.ninths
  tags   = { total = sum([0.3, 0.6]), third = 1 / 3, past = 1e300 * 1e300 }
}
`);
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.address)).toEqual(["aws_s3_bucket.b[0]"]);
    expect(resources[0]?.config).toMatchObject({
      bucket: "b-9007199254740993",
      ratio: { $unknown: "0.3 + 0.6" },
      tags: {
        total: { $unknown: "sum([0.3, 0.6])" },
        third: { $unknown: "1 / 3" },
        past: { $unknown: "1e300 * 1e300" },
      },
    });
  });

  it("divides by zero as Terraform does: an infinity, written +Inf; zero by zero fails, located", () => {
    // cty's quotient is a big.Float's: 1/0 is +Inf and converts to the string "+Inf"; its modulo
    // by zero gives the dividend back.
    const { resources, errors } = load(`resource "aws_s3_bucket" "b" {
  tags = {
    over      = 1 / 0
    under     = -1 / 0
    text      = "\${1 / 0} \${-2 / 0}"
    formatted = format("%v", 1 / 0)
    larger    = 1 / 0 > 1e300
    remainder = 5 % 0
  }
  none = 0 / 0
}
`);
    expect(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`)).toEqual([
      "10:10 terraform-arithmetic can't divide zero by zero or infinity by infinity",
    ]);
    expect(resources[0]?.config.tags).toMatchObject({
      over: Infinity,
      under: -Infinity,
      text: "+Inf -Inf",
      formatted: "+Inf",
      larger: true,
      remainder: 5,
    });
  });

  it("compares an untyped collection by value, and a list, set or map variable unequal to a literal", () => {
    // Terraform's == compares types: an untyped variable, a local or a literal holds a tuple or an
    // object, so `var.open == []` is true; a list(string) variable never equals the tuple `[]`, so
    // the group exists whatever var.extra holds.
    const { resources, errors } = load(`variable "open" {
  default = []
}
variable "extra" {
  type    = list(string)
  default = []
}
variable "tags" {
  type    = map
  default = {}
}
locals {
  none = {}
}
resource "aws_security_group" "extra" {
  count = var.extra != [] ? 1 : 0
  name  = "extra"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.open == [] ? ["0.0.0.0/0"] : var.open
  }
  tags = {
    typed  = var.extra == [] ? "empty" : "listed"
    map    = ({}) != var.tags
    local  = local.none == {}
    same   = [1, 2] == [1, 2]
    differ = [1, 2] != [2, 1]
    kinds  = [] == {}
  }
}
`);
    expect(errors).toEqual([]);
    expect(resources[0]?.config.ingress).toMatchObject([{ cidr_blocks: ["0.0.0.0/0"] }]);
    expect(resources[0]?.config.tags).toEqual({
      typed: "listed",
      map: true,
      local: true,
      same: true,
      differ: true,
      kinds: false,
    });
    expect(resources.map((r) => r.address)).toEqual(["aws_security_group.extra[0]"]);
  });

  it("reads element() of a negative index from the end, located at that element", () => {
    const { resources, errors } = load(`locals {
  names = [
    "first",
    "last",
  ]
}
resource "aws_s3_bucket" "b" {
  bucket = element(local.names, -1)
}
`);
    expect(errors).toEqual([]);
    expect(resources[0]?.config.bucket).toBe("last");
    expect(resources[0]?.locations["/bucket"]?.line).toBe(4);
  });

  it("converts a list(any), set(any) or map(any) variable of mixed primitives to strings", () => {
    const { resources, errors } = load(`variable "names" {
  type    = list(any)
  default = ["a", 1, true]
}
variable "ids" {
  type    = set(any)
  default = [3, "3"]
}
variable "tags" {
  type    = map(any)
  default = { a = "x", b = true }
}
variable "tuple" {
  default = ["a", 1]
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  tags = {
    names = var.names
    ids   = var.ids
    tags  = var.tags
    tuple = var.tuple
  }
}
`);
    expect(errors).toEqual([]);
    expect(resources[0]?.config.tags).toEqual({
      names: ["a", "1", "true"],
      ids: ["3"],
      tags: { a: "x", b: "true" },
      tuple: ["a", 1],
    });
  });

  it("fails the plan on a list, set or map of numbers and bools, which have no one type", () => {
    const { resources, errors } = load(`variable "flags" {
  type    = list(any)
  default = [1, true]
}
resource "aws_s3_bucket" "b" {
  bucket = join(",", tolist([1, true]))
  set    = length(toset([true, 0]))
  map    = tomap({ a = 1, b = false })
  flags  = var.flags
  fine   = tolist([1, true, "x"])
}
`);
    expect(
      errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.failsPlan === true} ${e.message}`),
    ).toEqual([
      "3:13 terraform-type true var.flags: all list elements must have the same type: numbers and bools do not convert to each other",
      "6:22 terraform-type true tolist: all list elements must have the same type: numbers and bools do not convert to each other",
      "7:19 terraform-type true toset: all set elements must have the same type: numbers and bools do not convert to each other",
      "8:12 terraform-type true tomap: all map elements must have the same type: numbers and bools do not convert to each other",
    ]);
    // Where Terraform fails, the value is unknown; a string among the elements takes the others.
    expect(resources[0]?.config).toMatchObject({
      bucket: { $unknown: 'join(",", tolist([1, true]))' },
      flags: { $unknown: "var.flags" },
      fine: ["1", "true", "x"],
    });
  });

  it("keys a for_each set of mixed primitives by their strings, each located where written", () => {
    const { resources, errors } = load(`resource "aws_s3_bucket" "b" {
  for_each = toset([
    3,
    "3",
    "a",
  ])
  bucket = each.value
}
`);
    expect(errors).toEqual([]);
    expect(resources.map((r) => `${r.address} ${r.locations["/bucket"]?.line}`)).toEqual([
      'aws_s3_bucket.b["3"] 3',
      'aws_s3_bucket.b["a"] 5',
    ]);
  });

  it("reports unknown functions, bad module sources and missing variable files", () => {
    const model = loadTerraform(
      [
        {
          path: "main.tf",
          text: `resource "aws_s3_bucket" "b" {
  bucket = frobnicate("x")
}
module "gone" {
  source = "./missing"
}
module "dynamic" {
  source = var.where
}
`,
        },
      ],
      { variableFiles: ["prod.tfvars"] },
    );
    expect(model.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code}`).sort()).toEqual([
      "main.tf:2:12 terraform-unknown-function",
      "main.tf:5:3 terraform-module-source",
      "main.tf:8:3 terraform-module-source",
      "prod.tfvars:1:1 terraform-missing-variable-file",
    ]);
    expect(byAddress(model.resources, "aws_s3_bucket.b").config.bucket).toEqual({
      $unknown: 'frobnicate("x")',
    });
  });

  it("warns on references to undeclared names and keeps their values unknown with the expression", () => {
    const { resources, errors } = load(`resource "aws_security_group_rule" "r" {
  cidr_blocks       = [var.allowed]
  description       = "\${local.team}-ingress"
  security_group_id = module.net.group_id
  prefix_list_ids   = [aws_ec2_managed_prefix_list.corp.id]
  source_security_group_id = data.aws_security_group.base.id
  from_port         = 22
}
`);
    expect(errors.map((e) => [e.code, e.level, e.line, e.column])).toEqual([
      ["terraform-undeclared-reference", "warning", 2, 24],
      ["terraform-undeclared-reference", "warning", 3, 26],
      ["terraform-undeclared-reference", "warning", 4, 23],
      ["terraform-undeclared-reference", "warning", 5, 24],
      ["terraform-undeclared-reference", "warning", 6, 30],
    ]);
    expect(errors[0]?.message).toBe(
      "reference to an undeclared input variable: var.allowed; its value is unknown",
    );
    const rule = byAddress(resources, "aws_security_group_rule.r");
    expect(rule.config.cidr_blocks).toEqual([{ $unknown: "var.allowed" }]);
    expect(rule.config.description).toEqual({ $unknown: '"${local.team}-ingress"' });
    expect(rule.config.security_group_id).toEqual({ $unknown: "module.net.group_id" });
    expect(rule.config.from_port).toBe(22);
    expect(line(rule, "/cidr_blocks/0")).toBe("main.tf:2");
  });

  it("reads an ephemeral resource (Terraform 1.10) as unknown, and warns on an undeclared one", () => {
    const { resources, errors } = load(`ephemeral "random_password" "db" {
  length = 16
}
resource "aws_db_instance" "db" {
  password_wo         = ephemeral.random_password.db.result
  username            = ephemeral.aws_secretsmanager_secret_version.gone.secret_string
  publicly_accessible = true
}
`);
    expect(errors.map((e) => [e.code, e.level, e.line, e.column])).toEqual([
      ["terraform-undeclared-reference", "warning", 6, 25],
    ]);
    expect(errors[0]?.message).toBe(
      "reference to an undeclared ephemeral resource: ephemeral.aws_secretsmanager_secret_version.gone.secret_string; its value is unknown",
    );
    expect(byAddress(resources, "aws_db_instance.db").config).toEqual({
      password_wo: { $unknown: "ephemeral.random_password.db.result" },
      username: { $unknown: "ephemeral.aws_secretsmanager_secret_version.gone.secret_string" },
      publicly_accessible: true,
    });
  });

  it("keeps a malformed file an error beside warnings of another", () => {
    const model = loadTerraform([
      { path: "a.tf", text: 'resource "aws_s3_bucket" "a" {\n  bucket = var.name\n}\n' },
      { path: "b.tf", text: 'resource "aws_s3_bucket" "b" {\n  bucket = \n' },
    ]);
    expect(model.errors.map((e) => [e.file, e.code, e.level ?? "error"])).toEqual([
      ["b.tf", "hcl-syntax", "error"],
      ["a.tf", "terraform-undeclared-reference", "warning"],
    ]);
  });

  it("survives a for-expression bomb with a located limit error", () => {
    const { resources, errors } = load(`locals {
  r = range(1000)
  big = [for a in local.r : [for b in local.r : [for c in local.r : c]]]
}
resource "x" "y" {
  v = length(local.big)
}
`);
    expect(errors.map((e) => [e.code, e.line, e.message])).toEqual([
      [
        "terraform-limit",
        3,
        "this expression builds more than 100000 elements; it is treated as unknown",
      ],
    ]);
    expect(byAddress(resources, "x.y").config.v).toEqual({ $unknown: "length(local.big)" });
  });
  it("stops locals that each double a collection at the first holding too many elements", () => {
    // local.d16 holds local.d15 twice, which holds local.d14 twice...: 196,606 elements.
    const doubling = Array.from(
      { length: 20 },
      (_, i) => `  d${i + 1} = [local.d${i}, local.d${i}]\n`,
    ).join("");
    const { resources, errors } = load(
      `locals {\n  d0 = [1]\n${doubling}}\nresource "x" "y" {\n  v = jsonencode(local.d20)\n}\n`,
    );
    expect(errors.map((e) => [e.code, e.line, e.message])).toEqual([
      [
        "terraform-limit",
        18,
        "this expression builds more than 100000 elements; it is treated as unknown",
      ],
    ]);
    expect(byAddress(resources, "x.y").config.v).toEqual(
      expect.stringContaining('"$unknown":"[local.d15, local.d15]"'),
    );
  });
  it("counts what a function is given as often as it is held", () => {
    const doubling = Array.from(
      { length: 15 },
      (_, i) => `  d${i + 1} = [local.d${i}, local.d${i}]\n`,
    ).join("");
    const { resources, errors } = load(
      `locals {\n  d0 = [1]\n${doubling}}\nresource "x" "y" {\n  v = length(flatten([local.d15, local.d15]))\n}\n`,
    );
    expect(errors.map((e) => [e.code, e.line])).toEqual([["terraform-limit", 20]]);
    expect(byAddress(resources, "x.y").config.v).toEqual({
      $unknown: "length(flatten([local.d15, local.d15]))",
    });
  });
  it("keeps a data file within the size limit known, however many elements it decodes to", () => {
    // 5,000 rows of 24 fields (about 250 KB): 125,000 elements held, more than any expression
    // may build, but bounded by the file, as what is made of it row by row is.
    const columns = Array.from({ length: 24 }, (_, i) => `c${i}`);
    const rows = Array.from({ length: 5_000 }, (_, i) => columns.map(() => i % 10).join(","));
    const model = loadTerraform([
      {
        path: "main.tf",
        text: `locals {
  rules = csvdecode(file("\${path.module}/allow.csv"))
  named = { for i, rule in local.rules : "r\${i}" => rule }
}
resource "x" "y" {
  rules = length(local.rules)
  named = length(concat(values(local.named), local.rules))
}
`,
      },
      { path: "allow.csv", text: `${columns.join(",")}\n${rows.join("\n")}\n` },
    ]);
    expect(model.errors).toEqual([]);
    expect(byAddress(model.resources, "x.y").config).toEqual({ rules: 5_000, named: 10_000 });
  });
  it("still stops decoded data held over and over", () => {
    const doubling = Array.from(
      { length: 12 },
      (_, i) => `  d${i + 1} = [local.d${i}, local.d${i}]\n`,
    ).join("");
    const rows = Array.from({ length: 1_000 }, (_, i) => `${i},x`).join("\n");
    const model = loadTerraform([
      {
        path: "main.tf",
        text: `locals {\n  d0 = csvdecode(file("rows.csv"))\n${doubling}}\nresource "x" "y" {\n  v = jsonencode(local.d12)\n}\n`,
      },
      { path: "rows.csv", text: `n,v\n${rows}\n` },
    ]);
    // local.d7 holds the 1,000 rows of 3 elements 128 times over.
    expect(model.errors.map((e) => [e.code, e.line, e.message])).toEqual([
      [
        "terraform-limit",
        9,
        "this expression builds more than 300000 elements of decoded data; it is treated as unknown",
      ],
    ]);
  });
  it("bounds long reference chains instead of overflowing the stack", () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `  a${i} = local.a${i + 1}\n`).join("");
    const { resources, errors } = load(
      `locals {\n${chain}  a1000 = "end"\n}\nresource "x" "y" {\n  v = local.a0\n}\n`,
    );
    expect(errors[0]).toMatchObject({ code: "terraform-limit", line: 202 });
    expect(byAddress(resources, "x.y").config.v).toEqual({ $unknown: "local.a200" });
  });
});

describe("real corpus", () => {
  it("loads terragoat and the terraform-aws-* modules with zero errors", () => {
    const files = readSources(path.join(corpusDir, "real")).filter(
      (file) => !file.path.startsWith("cfngoat/"),
    );
    const model = loadTerraform(files);
    // The wrappers' `for_each = var.items` defaults to {}, which a deployment overrides: the
    // security-group template wrapper's module is then evaluated, and the template reads the
    // `auto_*` variables it leaves to a generator to declare, as `terraform validate` says too.
    const templates = "terraform-aws-security-group/modules/_templates/main.tf";
    expect(model.errors.filter((error) => error.file !== templates)).toEqual([]);
    expect(
      model.errors.map(({ file, level, code, message }) => [
        file,
        level,
        code,
        /var\.auto_\w+/.exec(message)?.[0],
      ]),
    ).toEqual(
      [
        "ingress_rules",
        "ingress_with_self",
        "computed_ingress_rules",
        "computed_ingress_with_self",
        "number_of_computed_ingress_rules",
        "number_of_computed_ingress_with_self",
        "egress_rules",
        "egress_with_self",
        "computed_egress_rules",
        "computed_egress_with_self",
        "number_of_computed_egress_rules",
        "number_of_computed_egress_with_self",
      ].map((name) => [templates, "warning", "terraform-undeclared-reference", `var.auto_${name}`]),
    );
    const count = (prefix: string): number =>
      model.resources.filter((r) => r.file.startsWith(prefix)).length;
    // 68 resources, data sources and module calls, and the 2 provider blocks of providers.tf.
    expect(count("terragoat/")).toBe(70);
    expect(
      model.resources.filter((r) => r.file === "terragoat/terraform/aws/providers.tf"),
    ).toHaveLength(2);
    expect(count("terraform-aws-iam/")).toBeGreaterThan(50);
    expect(count("terraform-aws-s3-bucket/")).toBeGreaterThan(50);
    expect(count("terraform-aws-security-group/")).toBeGreaterThan(50);
    // Addresses repeat across the example roots; address + root does not.
    const identities = model.resources.map((r) => `${r.root}|${r.address}`);
    expect(new Set(identities).size).toBe(identities.length);
    expect(new Set(model.resources.map((r) => r.address)).size).toBeLessThan(identities.length);
    // The examples give the modules' collections, so two dynamic blocks are left over unknown
    // ones: the cluster autoscaler's per-cluster statement, for a variable the example never
    // sets, which reaches the rendered documents and the policy that attaches them, and a
    // replica's encryption configuration, flattened from a key's ARN that only AWS knows
    // (flatten of an unknown may give any number of elements).
    // (The wrappers' modules, whose `each.value` is unknown, leave most of theirs unknown.)
    const autoscaler = "toset(var.cluster_autoscaler_cluster_names)";
    expect(
      model.resources
        .filter((r) => r.unknownForEach && !(r.root ?? "").includes("/wrappers"))
        .map((r) => [r.file, r.address, r.unknownForEach]),
    ).toEqual([
      [
        "terraform-aws-iam/modules/iam-role-for-service-accounts/main.tf",
        "module.cluster_autoscaler_irsa.data.aws_iam_policy_document.this[0]",
        {
          "/source_policy_documents/0/Statement/1": autoscaler,
          "/json/Statement/1": autoscaler,
          "/minified_json/Statement/1": autoscaler,
        },
      ],
      [
        "terraform-aws-iam/modules/iam-role-for-service-accounts/main.tf",
        "module.cluster_autoscaler_irsa.aws_iam_policy.this[0]",
        { "/policy/Statement/1": autoscaler },
      ],
      [
        "terraform-aws-iam/modules/iam-role-for-service-accounts/policies.tf",
        "module.cluster_autoscaler_irsa.data.aws_iam_policy_document.cluster_autoscaler[0]",
        {
          "/statement/1": autoscaler,
          "/json/Statement/1": autoscaler,
          "/minified_json/Statement/1": autoscaler,
        },
      ],
      [
        "terraform-aws-s3-bucket/main.tf",
        "module.s3_bucket.aws_s3_bucket_replication_configuration.this[0]",
        {
          "/rule/0/destination/0/encryption_configuration/0":
            "flatten([try(destination.value.encryption_configuration.replica_kms_key_id, destination.value.replica_kms_key_id, [])])",
        },
      ],
    ]);
    for (const resource of model.resources) {
      expect(
        Object.keys(resource.config).every(
          (key) => resource.locations[`/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`],
        ),
      ).toBe(true);
    }
  });
});

describe("fileset", () => {
  it("is unknown with a located warning, so the files it lists are not silently unjudged", () => {
    const { resources, errors } = loadTerraform([
      {
        path: "main.tf",
        text: `resource "aws_iam_policy" "p" {
  for_each = fileset("\${path.module}/policies", "*.json")
  policy   = file("\${path.module}/policies/\${each.value}")
}
`,
      },
      { path: "policies/admin.json", text: '{"Statement": []}' },
    ]);
    expect(errors).toEqual([
      expect.objectContaining({
        file: "main.tf",
        line: 2,
        code: "terraform-fileset",
        level: "warning",
      }),
    ]);
    expect(resources[0]?.config.for_each).toEqual({
      $unknown: 'fileset("${path.module}/policies", "*.json")',
    });
  });
});
