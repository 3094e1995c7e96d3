import { describe, expect, it } from "vitest";
import {
  directoryOf,
  fileContentPaths,
  fileReadPaths,
  isIacPath,
  localModuleDirs,
  mayBeReadByModules,
  terraformFilesIn,
  unresolvedReadPaths,
} from "./select.js";

describe("isIacPath", () => {
  it("takes Terraform and possible templates, not tool configuration", () => {
    const paths = [
      "main.tf",
      "env/prod.tfvars",
      "stack.tf.json",
      "cfn/bucket.yaml",
      "cfn/vpc.template",
      "cfn/iam.json",
      "package.json",
      ".github/workflows/ci.yml",
      "web/node_modules/x/config.json",
      "README.md",
      "main.tf.bak",
      "cdk.out/tree.json",
      "infra/cdk.out/manifest.json",
      "cdk.out/AppStack.assets.json",
      "cdk.out/asset.3f2a/config.json",
      "cdk.out/assembly-Prod/tree.json",
      "cdk.out/AppStack.template.json",
    ];
    expect(paths.filter(isIacPath)).toEqual([
      "main.tf",
      "env/prod.tfvars",
      "stack.tf.json",
      "cfn/bucket.yaml",
      "cfn/vpc.template",
      "cfn/iam.json",
      "cdk.out/AppStack.template.json",
    ]);
  });
});

describe("mayBeReadByModules", () => {
  it("leaves out application code, lock files, images and documentation, not configuration of any other name", () => {
    const paths = [
      "src/app.py",
      "web/index.tsx",
      "go.sum",
      "go.mod",
      "yarn.lock",
      "package-lock.json",
      "requirements-dev.txt",
      "assets/logo.PNG",
      "dist/lambda.zip",
      "Dockerfile",
      "services/api.dockerfile",
      ".gitignore",
      "LICENSE",
      "docs/guide.md",
      "scripts/user_data.sh",
      "conf/nginx.conf",
      "keys/deploy.pub",
      "saml-metadata.xml",
      "policies/bucket.json.j2",
      "hosts",
    ];
    expect(paths.filter(mayBeReadByModules)).toEqual([
      "scripts/user_data.sh",
      "conf/nginx.conf",
      "keys/deploy.pub",
      "saml-metadata.xml",
      "policies/bucket.json.j2",
      "hosts",
    ]);
  });
});

describe("module directories", () => {
  it("lists Terraform files directly in a directory", () => {
    const tree = [
      ".terraform.lock.hcl",
      "main.tf",
      "vars.tf",
      "modules/net/main.tf",
      "modules/net/x.tfvars",
      "modules/net/sub/a.tf",
      "modules/net/README.md",
      "modules/net/other.hcl",
    ];
    // The lock file says which provider versions the root runs, so it comes with the module.
    expect(terraformFilesIn("", tree)).toEqual([".terraform.lock.hcl", "main.tf", "vars.tf"]);
    expect(terraformFilesIn("modules/net", tree)).toEqual([
      "modules/net/main.tf",
      "modules/net/x.tfvars",
    ]);
    expect(directoryOf("main.tf")).toBe("");
  });

  it("lists OpenTofu's files with a module's Terraform files: OpenTofu reads a .tofu in place of its .tf", () => {
    const tree = ["live/main.tf", "live/main.tofu", "live/net.tofu.json", "live/notes.tofu.bak"];
    expect(terraformFilesIn("live", tree)).toEqual([
      "live/main.tf",
      "live/main.tofu",
      "live/net.tofu.json",
    ]);
  });

  it("resolves local module sources and ignores registry, git and escaping ones", () => {
    const text = [
      'module "net" {',
      '  source = "../../modules/net"',
      "}",
      'module "dns" {',
      '  source  = "./dns/"',
      "}",
      'module "vpc" {',
      '  source = "terraform-aws-modules/vpc/aws"',
      "}",
      'module "up" {',
      '  source = "../../../../outside"',
      "}",
      'module "git" {',
      '  source = "git::https://example.com/x.git"',
      "}",
    ].join("\n");
    expect(localModuleDirs("envs/prod", text)).toEqual(["modules/net", "envs/prod/dns"]);
    expect(localModuleDirs("", 'module "m" {\n  source = "./"\n}')).toEqual([""]);
  });

  it("resolves local module sources written in JSON syntax (.tf.json)", () => {
    const text = JSON.stringify(
      {
        module: {
          net: { source: "../../modules/net" },
          vpc: { source: "terraform-aws-modules/vpc/aws" },
          up: [{ source: "../../../../outside" }],
        },
      },
      null,
      2,
    );
    expect(localModuleDirs("envs/prod", text)).toEqual(["modules/net"]);
  });
});

describe("fileReadPaths", () => {
  it("names the files file(), templatefile(), fileexists() and the digests read with a literal path, from the module", () => {
    const text = [
      'policy = templatefile("${path.module}/templates/role.json.tftpl", { bucket = var.b })',
      'assume = file("trust.json")',
      'rules  = yamldecode(file("${path.module}/rules.yaml"))',
      'extra  = fileexists("extra.json") ? jsondecode(file("extra.json")) : {}',
      'other  = file("${path.module}/../shared/boundary.json")',
      'data   = filebase64("${path.module}/logo.png")',
      'root   = file("${path.root}/x.json")',
      'built  = file("${var.dir}/y.json")',
      'escape = file("../../../../etc/passwd")',
    ].join("\n");
    expect(fileReadPaths("modules/iam", text)).toEqual([
      "modules/iam/templates/role.json.tftpl",
      "modules/iam/trust.json",
      "modules/iam/rules.yaml",
      "modules/iam/extra.json",
      "modules/shared/boundary.json",
      "modules/iam/logo.png",
    ]);
  });

  it("names every function reading a file, and only file() and templatefile() as reading its text", () => {
    const text = [
      'a = filebase64("init.sh")',
      'b = filebase64sha256("${path.module}/build/lambda.zip")',
      'c = filebase64sha512("c.zip")',
      'd = filemd5("d.txt")',
      'e = filesha1("e.txt")',
      'f = filesha256("f.txt")',
      'g = filesha512("g.txt")',
      'h = file("h.json")',
    ].join("\n");
    expect(fileReadPaths("m", text)).toEqual([
      "m/init.sh",
      "m/build/lambda.zip",
      "m/c.zip",
      "m/d.txt",
      "m/e.txt",
      "m/f.txt",
      "m/g.txt",
      "m/h.json",
    ]);
    expect(fileContentPaths("m", text)).toEqual(["m/h.json"]);
  });

  it("names them in JSON syntax, where the quotes around the path are escaped", () => {
    const text = JSON.stringify({
      resource: {
        aws_iam_policy: {
          deploy: { policy: '${templatefile("${path.module}/templates/deploy.json.tftpl", {})}' },
          boundary: { policy: '${file("boundary.json")}' },
          built: { policy: '${file("${var.dir}/y.json")}' },
        },
      },
    });
    expect(fileReadPaths("modules/iam", text)).toEqual([
      "modules/iam/templates/deploy.json.tftpl",
      "modules/iam/boundary.json",
    ]);
  });
});

describe("unresolvedReadPaths", () => {
  const changed = [
    "modules/fn/handlers/webhook.py",
    "modules/fn/policies/admin.json",
    "apps/web/index.py",
    "README.md",
  ];
  const all = new Set(changed);
  const reads = (text: string, renamed: ReadonlySet<string> = all) =>
    unresolvedReadPaths("modules/fn", text, changed, renamed).map((read) => read.path);

  it("counts a changed file a call may list or read when its folder or path is not literal", () => {
    // path.root: the root module is some folder above the file; the pattern still narrows.
    expect(reads('x = fileset(path.root, "modules/fn/handlers/*.py")')).toEqual([
      "modules/fn/handlers/webhook.py",
    ]);
    expect(reads('x = fileset("${path.root}/modules/fn/handlers", "*.py")')).toEqual([
      "modules/fn/handlers/webhook.py",
    ]);
    expect(reads('x = fileset(path.cwd, "**/*.py")')).toEqual([
      "modules/fn/handlers/webhook.py",
      "apps/web/index.py",
    ]);
    // A path's literal head under path.module bounds it.
    expect(reads('x = file("${path.module}/policies/${each.value}")')).toEqual([
      "modules/fn/policies/admin.json",
    ]);
    expect(reads('x = fileset("${path.module}/handlers", var.pattern)')).toEqual([
      "modules/fn/handlers/webhook.py",
    ]);
    // Anything else may be anywhere.
    expect(reads('x = fileset(local.dir, "*.py")')).toEqual(changed);
    expect(reads("x = fileexists(var.path)")).toEqual(changed);
    expect(reads('x = filebase64sha256("${path.module}/handlers/${each.key}")')).toEqual([
      "modules/fn/handlers/webhook.py",
    ]);
    expect(reads("x = filemd5(local.zip)", new Set())).toEqual([]);
    // A pattern Tollgate does not match lists what may be below its folder.
    expect(reads('x = fileset(path.module, "handlers/{1..3}.py")')).toEqual([
      "modules/fn/handlers/webhook.py",
      "modules/fn/policies/admin.json",
    ]);
  });

  it("leaves literal calls to the readers that resolve them, and modified files to calls reading text", () => {
    const literal = [
      'a = fileset(path.module, "handlers/*.py")',
      'b = fileset("${path.module}/policies", "*.json")',
      'c = file("${path.module}/policy.json")',
      'd = templatefile("role.tftpl", {})',
      'e = fileexists("lambda.zip")',
      'f = filebase64sha256("lambda.zip")',
    ].join("\n");
    expect(reads(literal)).toEqual([]);
    // Modified, not added: a listing is unchanged, the text read is not.
    expect(reads('x = fileset(local.dir, "*.py")', new Set())).toEqual([]);
    expect(reads("x = file(local.path)", new Set())).toEqual(changed);
    expect(
      unresolvedReadPaths("modules/fn", "x = file(local.path)", changed, new Set())[0],
    ).toEqual({ path: changed[0], content: true });
  });
});
