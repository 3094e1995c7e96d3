import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  findMergeBase,
  listWorkingTree,
  locateRepository,
  readGitChanges,
  readGitSnapshot,
  renamesOf,
  resolveCommit,
} from "./git.js";
import type { LoadError } from "../model/types.js";
import type { SourceFile } from "../iac/source.js";

let repo = "";
const git = (...args: string[]) =>
  execFileSync(
    "git",
    ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
    { encoding: "utf8" },
  );

const decode = (file: string, bytes: Uint8Array): SourceFile | LoadError =>
  bytes.includes(0)
    ? { file, line: 1, column: 1, code: "binary", message: "binary file" }
    : { path: file, text: new TextDecoder().decode(bytes) };

beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), "tollgate-git-"));
  git("init", "-q", "-b", "main");
  await mkdir(path.join(repo, "modules", "net"), { recursive: true });
  await writeFile(path.join(repo, "main.tf"), 'resource "aws_s3_bucket" "a" {}\n');
  await writeFile(
    path.join(repo, "modules", "net", "sg.tf"),
    'resource "aws_security_group" "web" {}\n',
  );
  await writeFile(
    path.join(repo, ".terraform.lock.hcl"),
    'provider "registry.terraform.io/hashicorp/aws" {}\n',
  );
  await writeFile(
    path.join(repo, "modules", "net", "policy.json.tftpl"),
    '{"Statement": [{"Effect": "Allow", "Action": "${action}", "Resource": "*"}]}\n',
  );
  await writeFile(path.join(repo, "README.md"), "not IaC\n");
  await writeFile(path.join(repo, "blob.json"), Buffer.from([0x7b, 0x00, 0x7d]));
  await symlink("/etc/passwd", path.join(repo, "evil.tf"));
  // Over the 2 MiB limit: a lock file passed over, a template refused.
  const padding = " ".repeat(2 * 1024 * 1024);
  await writeFile(path.join(repo, "package-lock.json"), `{"name": "app"${padding}}`);
  await writeFile(path.join(repo, "big.template"), `{"Resources": {}${padding}}`);
  git("add", "-A");
  git("commit", "-qm", "base");
  await writeFile(path.join(repo, "main.tf"), 'resource "aws_s3_bucket" "b" {}\n');
  git("commit", "-qam", "head");
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("git snapshots", () => {
  it("reads the IaC files of each commit without a checkout", async () => {
    const head = await readGitSnapshot(repo, "main", decode);
    const base = await readGitSnapshot(repo, "main~1", decode);
    expect(head.files.map((f) => f.path).sort()).toEqual([
      ".terraform.lock.hcl",
      "main.tf",
      "modules/net/policy.json.tftpl",
      "modules/net/sg.tf",
    ]);
    expect(head.files.find((f) => f.path === "main.tf")?.text).toContain('"b"');
    expect(base.files.find((f) => f.path === "main.tf")?.text).toContain('"a"');
    expect(head.errors.map((e) => [e.file, e.code]).sort()).toEqual([
      ["big.template", "file-too-large"],
      ["blob.json", "binary"],
      ["evil.tf", "symlink"],
    ]);
  });

  it("finds where a branch left its base, and nothing for an unborn HEAD", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tollgate-merge-base-"));
    const at = (...args: string[]) =>
      execFileSync(
        "git",
        ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
        { encoding: "utf8" },
      ).trim();
    try {
      at("init", "-q", "-b", "main");
      at("commit", "-q", "--allow-empty", "-m", "cut");
      const cut = at("rev-parse", "HEAD");
      at("checkout", "-qb", "pr");
      at("commit", "-q", "--allow-empty", "-m", "pr");
      at("checkout", "-q", "main");
      at("commit", "-q", "--allow-empty", "-m", "main moves on");
      expect(await findMergeBase(dir, "main", "pr")).toBe(cut);
      expect(await findMergeBase(dir, "pr", "main")).toBe(cut);
      expect(await findMergeBase(dir, "main~1", "main")).toBe(cut);
      at("checkout", "-q", "--orphan", "fresh");
      expect(await findMergeBase(dir, "main")).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names a ref that is not a commit", async () => {
    await expect(resolveCommit(repo, "no-such-branch")).rejects.toThrow(
      /no-such-branch is not a commit/,
    );
    await expect(resolveCommit(repo, "--output=/tmp/x")).rejects.toThrow(/not a git ref/);
  });

  it("finds the repository's top folder from a folder inside it, and names a folder in none", async () => {
    const top = (await locateRepository(path.join(repo, "modules", "net"))).top;
    expect(top).toBe(git("rev-parse", "--show-toplevel").trim());
    const outside = await mkdtemp(path.join(tmpdir(), "tollgate-nogit-"));
    try {
      await expect(locateRepository(outside)).rejects.toThrow(
        `${outside} is not inside a git repository`,
      );
      await expect(locateRepository(path.join(outside, "missing"))).rejects.toThrow(
        `${path.join(outside, "missing")} is not a folder`,
      );
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("lists the working tree as git would commit it: no ignored file, no deleted one", async () => {
    try {
      await writeFile(path.join(repo, ".gitignore"), ".aws-sam/\n");
      await writeFile(path.join(repo, ".git", "info", "exclude"), "cdk.out/\n");
      await mkdir(path.join(repo, ".aws-sam", "build"), { recursive: true });
      await writeFile(path.join(repo, ".aws-sam", "build", "template.yaml"), "Resources: {}\n");
      await mkdir(path.join(repo, "cdk.out"));
      await writeFile(path.join(repo, "cdk.out", "App.template.json"), "{}\n");
      await writeFile(path.join(repo, "modules", "net", "new.tf"), "locals {}\n");
      git("rm", "-q", "--cached", "README.md");
      await rm(path.join(repo, "main.tf"));
      expect((await listWorkingTree(repo)).sort()).toEqual(
        [
          ".gitignore",
          ".terraform.lock.hcl",
          "big.template",
          "blob.json",
          "evil.tf",
          "modules/net/new.tf",
          "modules/net/policy.json.tftpl",
          "modules/net/sg.tf",
          "package-lock.json",
          // Untracked now, and not ignored.
          "README.md",
        ].sort(),
      );
    } finally {
      await writeFile(path.join(repo, ".git", "info", "exclude"), "");
      git("reset", "-q", "--hard");
      git("clean", "-qfdx");
    }
  });

  it("names the files git calls renamed, between commits and with the working tree", async () => {
    git("checkout", "-q", "-b", "renames");
    try {
      const policy = path.join(repo, "modules", "net", "policy.json.tftpl");
      await mkdir(path.join(repo, "env prod"));
      git("mv", "modules/net/sg.tf", "env prod/sécurité.tf");
      await writeFile(policy, (await readFile(policy, "utf8")).repeat(4));
      git("add", "-A");
      git("commit", "-qm", "renamed");
      git("mv", "main.tf", "buckets.tf");
      await writeFile(path.join(repo, "buckets.tf"), "# buckets\n", { flag: "a" });
      expect(renamesOf(await readGitChanges(repo, "main", "renames"))).toEqual([
        { from: "modules/net/sg.tf", to: "env prod/sécurité.tf" },
      ]);
      expect(renamesOf(await readGitChanges(repo, "main"))).toEqual([
        { from: "main.tf", to: "buckets.tf" },
        { from: "modules/net/sg.tf", to: "env prod/sécurité.tf" },
      ]);
    } finally {
      git("reset", "-q", "--hard");
      git("checkout", "-q", "main");
    }
  });

  it("lists each file's change with its hunks, by its head path however git quotes it", async () => {
    git("checkout", "-q", "-b", "changes");
    try {
      await writeFile(path.join(repo, "main.tf"), "# buckets\n", { flag: "a" });
      await mkdir(path.join(repo, "env prod"));
      git("mv", "modules/net/sg.tf", "env prod/sécurité.tf");
      await writeFile(path.join(repo, "env prod", 'naïve "new".tf'), "locals {\n}\n");
      await writeFile(path.join(repo, "blob.bin"), new Uint8Array([0, 1, 2]));
      git("rm", "-q", "README.md");
      git("add", "-A");
      git("commit", "-qm", "changed");
      const changes = await readGitChanges(repo, "main", "changes");
      expect(changes).toEqual(
        expect.arrayContaining([
          { path: "main.tf", status: "modified", patch: expect.stringMatching(/^@@ -1,0 \+2 @@/) },
          {
            path: "env prod/sécurité.tf",
            status: "renamed",
            from: "modules/net/sg.tf",
            patch: "",
          },
          {
            path: 'env prod/naïve "new".tf',
            status: "added",
            patch: "@@ -0,0 +1,2 @@\n+locals {\n+}",
          },
          { path: "blob.bin", status: "added", patch: undefined },
          { path: "README.md", status: "removed", patch: "@@ -1 +0,0 @@\n-not IaC" },
        ]),
      );
      expect(changes).toHaveLength(5);
    } finally {
      git("reset", "-q", "--hard");
      git("checkout", "-q", "main");
    }
  });
});
