import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { corpusDir } from "../../test/support/corpus.js";
import type { LoadError } from "../model/types.js";
import { checkSourceBytes, notTextOfChange, readDataFile, readRepositoryFiles } from "./files.js";
import { loadModel } from "./index.js";

let root: string;
let outside: string;

function write(relative: string, content: string | Uint8Array): void {
  const target = path.join(root, relative);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, content);
}

function located(errors: { file: string; line: number; column: number; code: string }[]): string[] {
  return errors.map((error) => `${error.file}:${error.line}:${error.column}: ${error.code}`);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "tollgate-files-"));
  outside = mkdtempSync(path.join(tmpdir(), "tollgate-outside-"));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("readRepositoryFiles", () => {
  it("keeps IaC candidates with repository paths and skips tool directories", () => {
    for (const file of [
      "main.tf",
      "prod.tfvars",
      "x.tf.json",
      "y.tfvars.json",
      "stack/app.yaml",
      "stack/b.yml",
      "stack/c.json",
      "legacy/d.template",
      "cdk.out/App.template.json",
      "stack/policy.json.tftpl",
      "stack/user_data.tpl",
      "stack/.terraform.lock.hcl",
      "stack/other.hcl",
      "README.md",
      "logo.png",
    ]) {
      write(file, "x = 1\n");
    }
    for (const skipped of [
      ".git/config.json",
      "node_modules/pkg/package.json",
      ".terraform/modules/m/main.tf",
      "stack/.terraform/x.tf",
      "app/.aws-sam/build/template.yaml",
    ])
      write(skipped, "{}\n");
    const { files, errors } = readRepositoryFiles(root);
    expect(errors).toEqual([]);
    expect(files.map((file) => file.path)).toEqual([
      "cdk.out/App.template.json",
      "legacy/d.template",
      "main.tf",
      "prod.tfvars",
      "stack/.terraform.lock.hcl",
      "stack/app.yaml",
      "stack/b.yml",
      "stack/c.json",
      "stack/policy.json.tftpl",
      "stack/user_data.tpl",
      "x.tf.json",
      "y.tfvars.json",
    ]);
    expect(files[2]).toEqual({ path: "main.tf", text: "x = 1\n" });
  });

  it("reads listed paths below tool directories when told not to skip them", () => {
    write("node_modules/pkg/stack.yaml", "{}\n");
    write(".aws-sam/build/template.yaml", "{}\n");
    const paths = ["node_modules/pkg/stack.yaml", ".aws-sam/build/template.yaml"];
    expect(readRepositoryFiles(root, { paths }).files).toEqual([]);
    const listed = readRepositoryFiles(root, { paths, skipDirectories: false });
    expect(listed.errors).toEqual([]);
    expect(listed.files.map((file) => file.path)).toEqual([
      ".aws-sam/build/template.yaml",
      "node_modules/pkg/stack.yaml",
    ]);
  });

  it("reads the template a Terraform policy renders with templatefile(), so the policy is known", () => {
    write(
      "iam/main.tf",
      'resource "aws_iam_policy" "deploy" {\n  policy = templatefile("${path.module}/deploy.json.tftpl", { action = "iam:PassRole" })\n}\n',
    );
    write(
      "iam/deploy.json.tftpl",
      '{"Statement": [{"Effect": "Allow", "Action": "${action}", "Resource": "*"}]}\n',
    );
    const { files, errors } = readRepositoryFiles(root);
    expect(errors).toEqual([]);
    const model = loadModel(files);
    expect(model.errors).toEqual([]);
    expect(model.resources[0]?.config.policy).toBe(
      '{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}\n',
    );
  });

  it("reads only the given files and directories, refusing paths outside the root", () => {
    write("infra/a.tf", "a\n");
    write("infra/sub/b.yaml", "b\n");
    write("other/c.tf", "c\n");
    write("notes.txt", "d\n");
    const { files, errors } = readRepositoryFiles(root, {
      paths: ["infra", "other/c.tf", "notes.txt", "../escape", "missing.tf", "infra/a.tf"],
    });
    expect(files.map((file) => file.path)).toEqual([
      "infra/a.tf",
      "infra/sub/b.yaml",
      "other/c.tf",
    ]);
    expect(located(errors)).toEqual([
      "../escape:1:1: path-outside-root",
      "missing.tf:1:1: file-not-found",
    ]);
  });

  it("refuses oversized, binary and non-UTF-8 files with their line", () => {
    write("big.tf", "a".repeat(100));
    write("binary.json", Uint8Array.from([0x7b, 0x0a, 0x20, 0x20, 0x00, 0x7d]));
    write("latin1.yaml", Uint8Array.from([...Buffer.from("Resources:\n  Name: caf"), 0xe9, 0x0a]));
    write("ok.tf", "ok\n");
    const { files, errors } = readRepositoryFiles(root, { maxFileBytes: 50 });
    expect(files.map((file) => file.path)).toEqual(["ok.tf"]);
    expect(located(errors)).toEqual([
      "big.tf:1:1: file-too-large",
      "binary.json:2:3: not-text",
      "latin1.yaml:2:12: invalid-utf8",
    ]);
  });

  it("passes over an oversized file that cannot be IaC, and refuses one that may be, saying what to do", () => {
    const lock = `{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {}${" ".repeat(80)}\n}\n`;
    write("package-lock.json", lock);
    write("cdk.out/tree.json", `{"version": "tree-0.1", "tree": {}}${" ".repeat(80)}`);
    write("data/locales.json", `{"greeting": "hello"}${" ".repeat(80)}`);
    write("list.yaml", `- a\n- b\n${"#".repeat(80)}\n`);
    write("stack.json", `{\n  "AWSTemplateFormatVersion": "2010-09-09"${" ".repeat(80)}}`);
    write(
      "app.yaml",
      `# app\n---\nResources:\n  B:\n    Type: AWS::S3::Bucket\n${"#".repeat(80)}\n`,
    );
    write("escaped.json", `{"\\u0052esources": {}${" ".repeat(80)}}`);
    write("big.tf", "#".repeat(100));
    const { files, errors } = readRepositoryFiles(root, { maxFileBytes: 50 });
    expect(files).toEqual([]);
    expect(located(errors)).toEqual([
      "app.yaml:1:1: file-too-large",
      "big.tf:1:1: file-too-large",
      "escaped.json:1:1: file-too-large",
      "stack.json:1:1: file-too-large",
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(
        /^\d+ bytes, over Tollgate's fixed limit of 50 bytes for one file, and CloudFormation itself accepts no template over 1 MB: split it into nested stacks$/,
      ),
      "100 bytes, over Tollgate's fixed limit of 50 bytes for one file: split it into smaller files",
      expect.stringContaining("split it into nested stacks"),
      expect.stringContaining("split it into nested stacks"),
    ]);
  });

  it("says a UTF-16 file is UTF-16, with or without a byte order mark, not that it is binary", () => {
    const text = 'resource "aws_s3_bucket" "b" {}\r\n';
    write("bom-le.tf", Uint8Array.from([0xff, 0xfe, ...Buffer.from(text, "utf16le")]));
    write("be.yaml", Uint8Array.from(Buffer.from(text, "utf16le").swap16()));
    write("le.tfvars", Uint8Array.from(Buffer.from("a = 1\n", "utf16le")));
    const { files, errors } = readRepositoryFiles(root);
    expect(files).toEqual([]);
    expect(errors.map((error) => `${error.file}:${error.code}: ${error.message}`)).toEqual([
      "be.yaml:utf16-file: is UTF-16BE text; Terraform and CloudFormation read UTF-8: save the file as UTF-8",
      "bom-le.tf:utf16-file: is UTF-16LE text; Terraform and CloudFormation read UTF-8: save the file as UTF-8",
      "le.tfvars:utf16-file: is UTF-16LE text; Terraform and CloudFormation read UTF-8: save the file as UTF-8",
    ]);
  });

  it("follows symlinks inside the repository, refuses ones leaving it, and survives loops", () => {
    write("modules/net/main.tf", "net\n");
    writeFileSync(path.join(outside, "secret.tf"), "secret\n");
    symlinkSync(path.join(root, "modules/net"), path.join(root, "net-link"));
    symlinkSync(path.join(outside, "secret.tf"), path.join(root, "leak.tf"));
    symlinkSync(outside, path.join(root, "leak-dir"));
    symlinkSync(path.join(outside, "secret.tf"), path.join(root, "LICENSE"));
    symlinkSync(root, path.join(root, "modules/loop"));
    const { files, errors } = readRepositoryFiles(root);
    expect(files.map((file) => file.path)).toEqual(["modules/net/main.tf"]);
    expect(located(errors)).toEqual([
      "leak-dir:1:1: symlink-escape",
      "leak.tf:1:1: symlink-escape",
    ]);
    expect(files.some((file) => file.text.includes("secret"))).toBe(false);
  });

  it("stops at maxFiles and says which file was the first left out", () => {
    for (const name of ["a", "b", "c", "d"]) write(`${name}.tf`, `${name}\n`);
    const { files, errors } = readRepositoryFiles(root, { maxFiles: 2 });
    expect(files.map((file) => file.path)).toEqual(["a.tf", "b.tf"]);
    expect(located(errors)).toEqual(["c.tf:1:1: too-many-files"]);
  });

  it("reads the real corpus without a refusal", () => {
    const { files, errors } = readRepositoryFiles(path.join(corpusDir, "real"));
    expect(errors).toEqual([]);
    expect(
      files.filter((file) => file.path.startsWith("cfngoat/")).map((file) => file.path),
    ).toEqual(["cfngoat/cfngoat.yaml", "cfngoat/eks.yaml"]);
    expect(files.length).toBeGreaterThan(700);
    const eks = files.find((file) => file.path === "cfngoat/eks.yaml");
    expect(eks?.text).toBe(readFileSync(path.join(corpusDir, "real/cfngoat/eks.yaml"), "utf8"));
  });

  it("reports a root that does not exist", () => {
    const { files, errors } = readRepositoryFiles(path.join(root, "nope"));
    expect(files).toEqual([]);
    expect(errors.map((error) => error.code)).toEqual(["root-not-found"]);
  });
});

describe("checkSourceBytes", () => {
  it("decodes UTF-8 and drops a byte order mark", () => {
    expect(
      checkSourceBytes(
        "a.yaml",
        Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from("Name: café\n")]),
      ),
    ).toEqual({ path: "a.yaml", text: "Name: café\n" });
  });

  it("finds the first invalid byte past genuine replacement characters and multi-byte text", () => {
    const bytes = Uint8Array.from([...Buffer.from("ok: \uFFFD\nname: é€"), 0xc3, 0x28, 0x0a]);
    expect(checkSourceBytes("b.yaml", bytes)).toMatchObject({
      file: "b.yaml",
      line: 2,
      column: 9,
      code: "invalid-utf8",
    });
    expect(checkSourceBytes("c.yaml", Uint8Array.from([0xed, 0xa0, 0x80]))).toMatchObject({
      line: 1,
      column: 1,
      code: "invalid-utf8",
    });
  });

  it("passes over a JSON or YAML name holding control bytes no template can (git-crypt, binary), with a warning", () => {
    // What git-crypt commits for secrets.yaml: a NUL-framed header, then ciphertext.
    const encrypted = Uint8Array.from([0x00, ...Buffer.from("GITCRYPT"), 0x00, 0x8f, 0x12, 0xc3]);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const [name, bytes, line, column] of [
      ["secrets.yaml", encrypted, 1, 1],
      ["stack.template", png, 2, 1],
      ["cfn/app.JSON", Uint8Array.from([...Buffer.from("{}\n  "), 0x01]), 2, 3],
    ] as const)
      expect(checkSourceBytes(name, bytes)).toEqual({
        file: name,
        line,
        column,
        code: "not-text",
        level: "warning",
        // what a diff looks for at base: the blob id git gives the same bytes
        inputs: execFileSync("git", ["hash-object", "--stdin"], { input: bytes }).toString().trim(),
        message: expect.stringMatching(
          /^holds control byte 0x(00|1a|01), which no JSON or YAML text may hold, so it cannot be a CloudFormation template \(an encrypted or binary file\); passed over$/,
        ) as string,
      });
    // Terraform reads these: a binary one is a broken root, as before.
    expect(checkSourceBytes("main.tf", encrypted)).toMatchObject({ code: "binary-file" });
    expect(checkSourceBytes("prod.tfvars.json", png)).toMatchObject({ code: "invalid-utf8" });
    // What CloudFormation could deploy is never passed over: a byte order mark, tabs and CRLF,
    // valid UTF-8 of any kind, ESC (ISO-2022 text), and bytes that are only not UTF-8 (a Latin-1
    // template the AWS CLI reads in its locale's encoding) stay an error.
    const deployable =
      "\uFEFFResources:\r\n\tX: { Type: AWS::SNS::Topic } # \u0085 \u00A0 \u{1F600} \u001B$B\n";
    expect(checkSourceBytes("ok.yaml", new TextEncoder().encode(deployable))).toEqual({
      path: "ok.yaml",
      text: deployable.slice(1),
    });
    expect(
      checkSourceBytes(
        "latin1.yaml",
        Uint8Array.from(Buffer.from("Description: caf\xe9\n", "latin1")),
      ),
    ).toMatchObject({ code: "invalid-utf8" });
    // UTF-16 keeps its own error, though its text holds NUL bytes.
    expect(checkSourceBytes("u16.yaml", Uint8Array.from([0xff, 0xfe, 0x52, 0x00]))).toMatchObject({
      code: "utf16-file",
    });
  });

  it("in a diff, makes a not-text warning an error unless the base holds the same bytes", () => {
    const warning = checkSourceBytes("secrets.yaml", Uint8Array.from([0x00, 0x47, 0x01]));
    if (warning === null || !("code" in warning)) throw new Error("expected a not-text warning");
    const heldAt = new Set<string>();
    // the base holds these bytes (under any name): left alone or moved, still the warning
    heldAt.add(warning.inputs!);
    expect(notTextOfChange(warning, (id) => heldAt.has(id))).toBe(warning);
    heldAt.clear();
    expect(notTextOfChange(warning, (id) => heldAt.has(id))).toEqual({
      file: "secrets.yaml",
      line: 1,
      column: 1,
      code: "not-text",
      inputs: warning.inputs,
      message:
        "holds control byte 0x00, which no JSON or YAML text may hold, so it cannot be a CloudFormation template (an encrypted or binary file), and this change adds or changes it: what it deploys goes unjudged; if it is an encrypted file, override this check",
    });
    // any other problem is left as it is
    const binary = checkSourceBytes("main.tf", Uint8Array.from([0x00]));
    expect(notTextOfChange(binary as LoadError, () => false)).toBe(binary);
  });

  it("applies the size limit before anything else", () => {
    expect(checkSourceBytes("d.tf", new Uint8Array(10), 5)).toMatchObject({
      line: 1,
      column: 1,
      code: "file-too-large",
    });
  });

  it("passes over oversized bytes that cannot be a template, by name or by first key", () => {
    const lock = new TextEncoder().encode('{"name": "app", "lockfileVersion": 3}');
    expect(checkSourceBytes("package-lock.json", lock, 5)).toBeNull();
    expect(checkSourceBytes("cdk.out/tree.json", new Uint8Array(10), 5)).toBeNull();
    expect(checkSourceBytes("lock.json", lock, 5)).toBeNull();
    const template = new TextEncoder().encode('{"Resources": {}}');
    expect(checkSourceBytes("lock.json", template, 5)).toMatchObject({ code: "file-too-large" });
  });
});

describe("readDataFile", () => {
  it("reads a file of any name, and warns, never refuses, for one it cannot read", () => {
    write("users.csv", "name\nalice\n");
    write("big.csv", "x".repeat(101));
    write("binary.txt", new Uint8Array([0x61, 0x0a, 0x62, 0x00]));
    writeFileSync(path.join(outside, "secret.csv"), "name\n");
    symlinkSync(path.join(outside, "secret.csv"), path.join(root, "leak.csv"));
    expect(readDataFile(root, "users.csv", 100)).toEqual({
      path: "users.csv",
      text: "name\nalice\n",
    });
    expect(readDataFile(root, "missing.csv", 100)).toBeNull();
    const unread = ["big.csv", "binary.txt", "leak.csv"].map((file) =>
      readDataFile(root, file, 100),
    );
    expect(unread.map((error) => error && "code" in error && error.level)).toEqual([
      "warning",
      "warning",
      "warning",
    ]);
    expect(located(unread.flatMap((error) => (error && "code" in error ? [error] : [])))).toEqual([
      "big.csv:1:1: file-too-large",
      "binary.txt:2:2: binary-file",
      "leak.csv:1:1: symlink-escape",
    ]);
  });
});
