// The CLI as a user runs it, on the bundled example pull request and on real corpus files:
// exit codes, the JSON contract of findings, and located errors for bad input.
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { execFileSync } from "node:child_process";
import { corpusDir, repoRoot } from "./support/corpus.js";
import { withTempDir, writeFiles } from "./support/tempDir.js";
import { cp, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { commands } from "../src/cli/index.js";
import { readBundle } from "../src/policy/bundle.js";
import { parseTemplate, type TemplateNode } from "../src/iac/cloudformation/parse.js";

const run = (args: string[], cwd = repoRoot) => runCli(args, cwd);

/**
 * A custom low-severity network rule `id` in package `name`, reporting the security groups named
 * `groupName`, then `extra` lines.
 */
function namedGroupPolicy(
  { name = "any_sg", id = "T-1", groupName = "open" } = {},
  extra: string[] = [],
): string {
  return [
    "# METADATA",
    `# title: Security groups named ${groupName}`,
    "# custom:",
    `#   id: ${id}`,
    "#   severity: low",
    "#   category: network",
    `package tollgate.rules.network.${name}`,
    "",
    'deny contains {"resource": r.address, "message": "named", "evidence": "name", "path": ["name"]} if {',
    "\tsome r in input.resources",
    `\tr.config.name == "${groupName}"`,
    "}",
    "",
    ...extra,
  ].join("\n");
}

interface JsonFinding {
  rule: string;
  file: string;
  line: number;
  resource: string;
  status?: string;
  enforcement: string;
  severity: string;
  blocks: boolean;
  evidence: string;
  subject?: string;
}

/** `tollgate diff` between the folders `base` and `head` of `dir`, then `extra`. */
function diffDirs(dir: string, format = "json", ...extra: string[]) {
  return run([
    "diff",
    "--base-dir",
    path.join(dir, "base"),
    "--head-dir",
    path.join(dir, "head"),
    "--format",
    format,
    ...extra,
  ]);
}

/** The findings of a JSON report. */
function findingsOf(stdout: string): JsonFinding[] {
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;
}

/** Rule, file, line, readBy and foundAt of each new finding of a JSON report. */
function located(stdout: string) {
  return (JSON.parse(stdout) as { findings: (JsonFinding & Record<string, unknown>)[] }).findings
    .filter((f) => f.status === "new")
    .map((f) => [f.rule, f.file, f.line, f.readBy, f.foundAt]);
}

describe("tollgate diff on the example pull request", () => {
  it("blocks on the wildcard IAM action and the SSH rule the PR adds, on their exact lines", async () => {
    const result = await run([
      "diff",
      "--base-dir",
      "examples/pr/base",
      "--head-dir",
      "examples/pr/head",
      "--format",
      "json",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const { findings, errors } = JSON.parse(result.stdout) as {
      findings: JsonFinding[];
      errors: unknown[];
    };
    expect(errors).toEqual([]);
    const introduced = findings
      .filter((f) => f.status === "new")
      .map((f) => [f.rule, f.file, f.line, f.resource, f.evidence]);
    expect(introduced).toEqual(
      expect.arrayContaining([
        ["TG-IAM-006", "main.tf", 27, "aws_iam_policy.deploy", "iam:* on *"],
        [
          "TG-NET-001",
          "network/main.tf",
          14,
          "module.network.aws_security_group.bastion",
          "tcp/22 from 0.0.0.0/0",
        ],
      ]),
    );
  });

  it("SARIF: diff says each result's baselineState, scan none (it compared nothing); both name the version", async () => {
    type Log = {
      runs: {
        tool: { driver: { version?: string; semanticVersion?: string } };
        results: { ruleId: string; baselineState?: string }[];
      }[];
    };
    const { version } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
      version: string;
    };
    const dirs = ["--base-dir", "examples/pr/base", "--head-dir", "examples/pr/head"];
    const [diff] = (JSON.parse((await run(["diff", ...dirs, "--format", "sarif"])).stdout) as Log)
      .runs;
    expect(diff!.results.map((r) => r.baselineState)).toContain("new");
    expect(diff!.results.filter((r) => !("baselineState" in r))).toEqual([]);
    const [scan] = (
      JSON.parse((await run(["scan", "examples/pr/head", "--format", "sarif"])).stdout) as Log
    ).runs;
    expect(scan!.results.length).toBeGreaterThan(0);
    expect(scan!.results.filter((r) => "baselineState" in r)).toEqual([]);
    for (const { tool } of [diff!, scan!])
      expect(tool.driver).toMatchObject({ version, semanticVersion: version });
  });

  it("tells in markdown how to waive a blocking finding, as the settings allow", async () => {
    const markdown = async (...settings: string[]) =>
      (
        await run([
          "diff",
          "--base-dir",
          "examples/pr/base",
          "--head-dir",
          "examples/pr/head",
          "--format",
          "markdown",
          ...settings,
        ])
      ).stdout
        .split("\n")
        .filter((line) => line.startsWith("_To merge:"));
    expect(await markdown()).toEqual([
      '_To merge: fix what blocks and push again, or accept a finding with `# tollgate:ignore <rule-id> reason="..." expires=YYYY-MM-DD` on its line or the line above (JSON has no comments: there, a waiver in the settings\' `waivers`)._',
    ]);
    await withTempDir("locked-waivers", async (dir) => {
      await writeFile(path.join(dir, "org.yml"), "locked: [waivers]\n");
      expect((await markdown("--org-config", path.join(dir, "org.yml")))[0]).toContain(
        "a waiver in the organization's settings (`waivers`; the organization locks waivers, so `tollgate:ignore` comments do not count)",
      );
    });
  });

  it("passes when the head only moves code that already had findings", async () => {
    await withTempDir("move", async (dir) => {
      const head = await readFile(path.join(repoRoot, "examples/pr/head/network/main.tf"), "utf8");
      await writeFile(
        path.join(dir, "moved.tf"),
        "\n\n\n# moved to another file, lower down\n\n" + head,
      );
      await withTempDir("move-base", async (base) => {
        await writeFile(path.join(base, "main.tf"), head);
        const result = await run([
          "diff",
          "--base-dir",
          base,
          "--head-dir",
          dir,
          "--format",
          "json",
        ]);
        const findings = findingsOf(result.stdout);
        expect(findings.length).toBeGreaterThan(0);
        expect(findings.every((f) => f.status === "existing")).toBe(true);
        expect(result.code).toBe(0);
      });
    });
  });

  it("passes when the head only renames the root module's folder (git mv envs/prod environments/prod)", async () => {
    await withTempDir("rename", async (dir) => {
      const { cp } = await import("node:fs/promises");
      await cp(path.join(repoRoot, "examples/pr/head"), path.join(dir, "base/envs/prod"), {
        recursive: true,
      });
      await cp(path.join(repoRoot, "examples/pr/head"), path.join(dir, "head/environments/prod"), {
        recursive: true,
      });
      const result = await run([
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--format",
        "json",
      ]);
      const findings = findingsOf(result.stdout);
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.map((f) => `${f.status} ${f.file}`)).toEqual(
        findings.map((f) => `existing ${f.file}`),
      );
      expect(findings.every((f) => f.file.startsWith("environments/prod/"))).toBe(true);
      expect(result.code).toBe(0);
    });
  });
});

describe("tollgate diff pairs renamed files that git or the text alone would not", () => {
  const cfngoat = path.join(corpusDir, "real/cfngoat/cfngoat.yaml");
  /** A YAML template as JSON, through the loader's own reading (short tags in their long form). */
  const asJson = (file: string, text: string): string => {
    const plain = (node: TemplateNode): unknown =>
      node.kind === "scalar"
        ? node.value
        : node.kind === "sequence"
          ? node.items.map(plain)
          : Object.fromEntries(node.entries.map((entry) => [entry.key, plain(entry.value)]));
    const { root } = parseTemplate({ path: file, text });
    if (root === null) throw new Error(`${file} did not parse`);
    return JSON.stringify(plain(root), null, 2) + "\n";
  };
  const statuses = (stdout: string) =>
    findingsOf(stdout).map((f) => `${f.status} ${f.rule} ${f.resource}`);

  it("keeps the findings of a CloudFormation template converted from YAML to JSON existing", async () => {
    await withTempDir("yaml-json", async (dir) => {
      const text = await readFile(cfngoat, "utf8");
      await writeFiles(dir, {
        "base/cfngoat.yaml": text,
        "head/cfn/cfngoat.json": asJson("cfngoat.yaml", text),
      });
      const result = await diffDirs(dir);
      const found = statuses(result.stdout);
      expect(found.length).toBeGreaterThan(20);
      expect(found.filter((line) => !line.startsWith("existing "))).toEqual([]);
      expect(result.code).toBe(0);
    });
  });

  it("keeps them existing when the converted template is also edited, and reports what the edit opens as new", async () => {
    await withTempDir("yaml-json-edited", async (dir) => {
      const text = await readFile(cfngoat, "utf8");
      // One tag more on FlowBucket: by text the JSON shares no line with the YAML.
      const tagged = text.replace(
        "        - Key: yor_trace\n          Value: a148a687",
        "        - Key: team\n          Value: data\n        - Key: yor_trace\n          Value: a148a687",
      );
      expect(tagged).not.toBe(text);
      // Also the RDS group's MySQL rule, from the VPC's range, now from anywhere.
      const opened = tagged.replace("CidrIp: !GetAtt WebVPC.CidrBlock", "CidrIp: 0.0.0.0/0");
      expect(opened).not.toBe(tagged);
      await writeFiles(dir, {
        "base/cfngoat.yaml": text,
        "head/cfngoat.json": asJson("cfngoat.yaml", tagged),
      });
      const result = await diffDirs(dir);
      const found = statuses(result.stdout);
      expect(found.length).toBeGreaterThan(20);
      expect(found.filter((line) => !line.startsWith("existing "))).toEqual([]);
      expect(result.code).toBe(0);
      // Back from JSON to YAML, with the edit that opens MySQL to the internet.
      await rm(path.join(dir, "base/cfngoat.yaml"));
      await rm(path.join(dir, "head/cfngoat.json"));
      await writeFiles(dir, {
        "base/cfngoat.json": asJson("cfngoat.yaml", text),
        "head/cfngoat.yaml": opened,
      });
      const back = await diffDirs(dir);
      const backFound = statuses(back.stdout);
      expect(backFound.filter((line) => line.startsWith("existing ")).length).toBeGreaterThan(20);
      expect(backFound.filter((line) => !line.startsWith("existing "))).toEqual([
        "new TG-NET-003 DefaultSG",
      ]);
      expect(back.code).toBe(1);
    });
  });

  it("follows a template renamed with edits, and still reports what an edit opens as new", async () => {
    await withTempDir("renamed-edited", async (dir) => {
      const text = await readFile(cfngoat, "utf8");
      // The RDS group's MySQL rule, from the VPC's range, now from anywhere: the one new finding.
      const opened = text
        .replace(
          "Description: AWS CloudFormation Template",
          "Description: The CloudFormation template",
        )
        .replace("CidrIp: !GetAtt WebVPC.CidrBlock", "CidrIp: 0.0.0.0/0");
      expect(opened).not.toBe(text);
      await writeFiles(dir, { "base/cfngoat.yaml": text, "head/stacks/goat.yaml": opened });
      const result = await diffDirs(dir);
      const found = statuses(result.stdout);
      expect(found.filter((line) => line.startsWith("existing ")).length).toBeGreaterThan(20);
      expect(found.filter((line) => !line.startsWith("existing "))).toEqual([
        "new TG-NET-003 DefaultSG",
      ]);
      expect(result.code).toBe(1);
    });
  });

  it("takes git's renames between refs and with the working tree, and pairs untracked files by similarity", async () => {
    await withTempDir("git-rename", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      await cp(path.join(repoRoot, "examples/pr/head"), path.join(dir, "envs/prod"), {
        recursive: true,
      });
      git("init", "-q", "-b", "main");
      git("add", "envs");
      git("commit", "-qm", "base");
      // The root folder renamed, and its main.tf edited on the way: no file keeps its text.
      git("mv", "envs/prod", "environments");
      const main = path.join(dir, "environments/main.tf");
      await writeFile(
        main,
        (await readFile(main, "utf8")).replace("203.0.113.0/24", "198.51.100.0/24"),
      );
      const network = path.join(dir, "environments/network/main.tf");
      await writeFile(network, (await readFile(network, "utf8")).replace("(temporarily) ", ""));
      const diffRefs = async (...refs: string[]) => {
        const result = await run(["diff", ...refs, "--format", "json"], dir);
        return { found: statuses(result.stdout), code: result.code };
      };
      const allExisting = {
        found: expect.arrayContaining([expect.stringMatching(/^existing /)]),
        code: 0,
      };
      // The working tree, the rename staged by git mv.
      const worktree = await diffRefs("--base", "main");
      expect(worktree).toMatchObject(allExisting);
      expect(worktree.found.filter((line) => !line.startsWith("existing "))).toEqual([]);
      git("add", "-A", "environments");
      git("commit", "-qm", "head");
      const refs = await diffRefs("--base", "main~1", "--head", "main");
      expect(refs).toEqual(worktree);
      // Moved again without git: files git does not track, paired by similarity.
      await rename(path.join(dir, "environments"), path.join(dir, "production"));
      expect(await diffRefs("--base", "main~1")).toEqual(worktree);
    });
  });
});

describe("tollgate diff --base <branch> from a branch cut before the base branch moved on", () => {
  const openSsh = [
    'resource "aws_security_group" "web" {',
    '  name = "web"',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    "  }",
    "}",
    "",
  ].join("\n");
  const wildcardIam =
    'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }] })\n}\n';
  const report = (stdout: string) => {
    const json = JSON.parse(stdout) as { findings: JsonFinding[]; notices: { code: string }[] };
    return {
      found: json.findings.map((f) => `${f.status} ${f.rule}`),
      notices: json.notices.map((n) => n.code),
    };
  };

  it("compares from the merge base, as the app does, so the base branch's later changes are not the PR's", async () => {
    await withTempDir("merge-base", async (dir) => {
      const repo = path.join(dir, "repo");
      const git = (cwd: string, ...args: string[]) =>
        execFileSync(
          "git",
          ["-C", cwd, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      await writeFiles(repo, { "main.tf": openSsh });
      git(repo, "init", "-q", "-b", "main");
      git(repo, "add", "main.tf");
      git(repo, "commit", "-qm", "base");
      // The pull request only tags the group; meanwhile main closes SSH and adds a wildcard policy.
      git(repo, "checkout", "-qb", "pr");
      await writeFiles(repo, { "main.tf": openSsh.replace('"web"\n', '"web"\n  tags = {}\n') });
      git(repo, "commit", "-qam", "tag");
      git(repo, "checkout", "-q", "main");
      await writeFiles(repo, {
        "main.tf": openSsh.replace("0.0.0.0/0", "10.0.0.0/8"),
        "iam.tf": wildcardIam,
      });
      git(repo, "add", "iam.tf", "main.tf");
      git(repo, "commit", "-qm", "fix ssh, add iam");
      const quiet = { found: ["existing TG-NET-001"], notices: [] };
      const refs = await run(["diff", "--base", "main", "--head", "pr", "--format", "json"], repo);
      expect([report(refs.stdout), refs.code]).toEqual([quiet, 0]);
      git(repo, "checkout", "-q", "pr");
      const worktree = await run(["diff", "--base", "main", "--format", "json"], repo);
      expect([report(worktree.stdout), worktree.code]).toEqual([quiet, 0]);

      // A shallow clone has no merge base: the tip is compared, and a notice says what that costs.
      const shallow = path.join(dir, "shallow");
      git(dir, "clone", "-q", "--depth", "1", "--branch", "pr", `file://${repo}`, shallow);
      git(shallow, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main");
      const tip = await run(["diff", "--base", "origin/main", "--format", "json"], shallow);
      expect([report(tip.stdout), tip.code]).toEqual([
        { found: ["new TG-NET-001", "fixed TG-IAM-006"], notices: ["git-merge-base"] },
        1,
      ]);

      // The pull request's merge commit at depth 1 (actions/checkout): its first parent is the base.
      git(repo, "checkout", "-qb", "merged", "main");
      git(repo, "merge", "-q", "--no-ff", "-m", "merge", "pr");
      const merged = path.join(dir, "merged");
      git(dir, "clone", "-q", "--depth", "1", "--branch", "merged", `file://${repo}`, merged);
      git(merged, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main");
      const onMerge = await run(["diff", "--base", "origin/main", "--format", "json"], merged);
      expect([report(onMerge.stdout), onMerge.code]).toEqual([
        { found: ["existing TG-IAM-006"], notices: [] },
        0,
      ]);
    });
  });
});

describe("tollgate diff on a pull request that only refactors Terraform addresses", () => {
  // terragoat's web-node group opens SSH to the internet (TG-NET-001, high, blocking). Each PR
  // edits every file of the root as `edit` says and writes `moved.tf`, both sides under `dir`.
  const refactoringPullRequest = async (
    dir: string,
    edit: (text: string) => string,
    movedBlock: string,
  ) => {
    const base = path.join(dir, "base");
    const head = path.join(dir, "head");
    await cp(path.join(corpusDir, "real/terragoat/terraform/aws"), base, { recursive: true });
    await mkdir(head);
    for (const name of await readdir(base)) {
      await writeFile(path.join(head, name), edit(await readFile(path.join(base, name), "utf8")));
    }
    await writeFile(path.join(head, "moved.tf"), movedBlock);
    const diff = () => run(["diff", "--base-dir", base, "--head-dir", head, "--format", "json"]);
    return { head, diff };
  };
  const sshFinding = (stdout: string) =>
    findingsOf(stdout)
      .filter((f) => f.rule === "TG-NET-001" && f.resource.startsWith("aws_security_group.web"))
      .map((f) => `${f.status}:${f.resource}:${f.file}:${f.line}`);

  it("keeps the open SSH rule existing through a rename with a moved block; without it, new and blocking", async () => {
    const rename = (text: string) =>
      text
        .replaceAll('"aws_security_group" "web-node"', '"aws_security_group" "web_node"')
        .replaceAll("aws_security_group.web-node.", "aws_security_group.web_node.");
    await withTempDir("refactor", async (dir) => {
      const { head, diff } = await refactoringPullRequest(
        dir,
        rename,
        "moved {\n  from = aws_security_group.web-node\n  to   = aws_security_group.web_node\n}\n",
      );
      const result = await diff();
      expect(sshFinding(result.stdout)).toEqual(["existing:aws_security_group.web_node:ec2.tf:95"]);
      expect(result.code).toBe(0);

      await writeFile(path.join(head, "moved.tf"), "");
      const unmoved = await diff();
      // The new finding is on its block's changed line, the renamed header, as the app annotates it.
      expect(sshFinding(unmoved.stdout)).toEqual([
        "new:aws_security_group.web_node:ec2.tf:77",
        "fixed:aws_security_group.web-node:ec2.tf:95",
      ]);
      expect(unmoved.code).toBe(1);
    });
  });

  it("keeps it existing when the group gains count = 1, which Terraform moves to [0] by itself", async () => {
    const counted = (text: string) =>
      text
        .replace('resource "aws_security_group" "web-node" {', "$&\n  count = 1")
        .replaceAll("aws_security_group.web-node.", "aws_security_group.web-node[0].");
    await withTempDir("refactor", async (dir) => {
      const { diff } = await refactoringPullRequest(dir, counted, "");
      const result = await diff();
      expect(sshFinding(result.stdout)).toEqual([
        "existing:aws_security_group.web-node[0]:ec2.tf:96",
      ]);
      expect(result.code).toBe(0);
    });
  });
});

describe("tollgate diff when the head makes a finding's value unknown", () => {
  /** `tollgate diff` of two folders holding `name` as `base` and as `head`, with default settings. */
  const diffFolders = async (name: string, base: string, head: string) => {
    return withTempDir("unknown-at-head", async (dir) => {
      await writeFiles(dir, { [`base/${name}`]: base, [`head/${name}`]: head });
      const args = [
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
      ];
      const text = await run(args);
      const json = await run([...args, "--format", "json"]);
      expect(text.stderr + json.stderr).toBe("");
      const findings = findingsOf(json.stdout);
      return { code: text.code, stdout: text.stdout, findings };
    });
  };

  it("does not call open SSH fixed when cidr_blocks becomes a variable without a default", async () => {
    const group = (cidrBlocks: string) =>
      [
        'variable "allowed" {',
        "  type = list(string)",
        "}",
        "",
        'resource "aws_security_group" "web" {',
        '  name = "web"',
        "  ingress {",
        "    from_port   = 22",
        "    to_port     = 22",
        '    protocol    = "tcp"',
        `    cidr_blocks = ${cidrBlocks}`,
        "  }",
        "}",
        "",
      ].join("\n");
    const result = await diffFolders("main.tf", group('["0.0.0.0/0"]'), group("var.allowed"));
    expect(result.findings).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "success: no blocking findings; 1 base finding not counted as fixed: a value Tollgate cannot know now decides it (var.allowed)\n",
    );
  });

  it("does not call open SSH fixed when CidrIp becomes a parameter without a Default", async () => {
    const template = (cidrIp: string) =>
      [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Parameters:",
        "  AllowedCidr:",
        "    Type: String",
        "Resources:",
        "  WebGroup:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: web",
        "      SecurityGroupIngress:",
        "        - IpProtocol: tcp",
        "          FromPort: 22",
        "          ToPort: 22",
        `          CidrIp: ${cidrIp}`,
        "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]",
        "",
      ].join("\n");
    const result = await diffFolders(
      "template.yaml",
      template("0.0.0.0/0"),
      template("!Ref AllowedCidr"),
    );
    expect(result.findings).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "success: no blocking findings; 1 base finding not counted as fixed: a value Tollgate cannot know now decides it (!Ref AllowedCidr)\n",
    );
  });
});

describe("tollgate diff on CloudFormation nested stacks", () => {
  const parent = (sshCidr: string) =>
    [
      'AWSTemplateFormatVersion: "2010-09-09"',
      "Resources:",
      "  Network:",
      "    Type: AWS::CloudFormation::Stack",
      "    Properties:",
      "      TemplateURL: ./network.yaml",
      "      Parameters:",
      `        SshCidr: ${sshCidr}`,
      "",
    ].join("\n");
  const network = (description: string) =>
    [
      'AWSTemplateFormatVersion: "2010-09-09"',
      "Parameters:",
      "  SshCidr: {Type: String, Default: 10.0.0.0/8}",
      "Resources:",
      "  WebSG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      `      GroupDescription: ${description}`,
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref SshCidr}",
      "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]",
      "",
    ].join("\n");
  const ssh = (stdout: string) =>
    findingsOf(stdout)
      .filter((f) => f.rule === "TG-NET-001")
      .map((f) => `${f.status} ${f.resource} ${f.file}:${f.line}`);

  it("reports what the parent passes at the parent's line, and keeps its identity when either template changes", async () => {
    await withTempDir("nested-stacks", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      const commit = async (files: Record<string, string>, message: string) => {
        await writeFiles(dir, files);
        git("add", ...Object.keys(files));
        git("commit", "-qm", message);
      };
      git("init", "-q", "-b", "main");
      await commit(
        { "stacks/web.yaml": parent("10.1.0.0/16"), "stacks/network.yaml": network("web") },
        "base",
      );
      // Scanned on its own, network.yaml's Default opens nothing; the parent's value does.
      await commit({ "stacks/web.yaml": parent("0.0.0.0/0") }, "open SSH in the parent only");
      await commit({ "stacks/network.yaml": network("web servers") }, "edit the child only");
      await commit({ "stacks/web.yaml": parent("10.1.0.0/16") }, "close it in the parent");
      const diff = async (base: string, head: string) => {
        const result = await run(["diff", "--base", base, "--head", head, "--format", "json"], dir);
        return { found: ssh(result.stdout), code: result.code };
      };
      expect(await diff("main~3", "main~2")).toEqual({
        found: ["new Network.WebSG stacks/web.yaml:8"],
        code: 1,
      });
      expect(await diff("main~2", "main~1")).toEqual({
        found: ["existing Network.WebSG stacks/web.yaml:8"],
        code: 0,
      });
      expect(await diff("main~1", "main")).toEqual({
        found: ["fixed Network.WebSG stacks/web.yaml:8"],
        code: 0,
      });
      // Closed again in the parent: the scan of the folder reports nothing.
      const scan = await run(["scan", "stacks", "--format", "json"], dir);
      expect(findingsOf(scan.stdout)).toEqual([]);
    });
  });

  it("keeps the findings of resources split verbatim into a nested stack, or inlined back, existing", async () => {
    await withTempDir("nested-split", async (dir) => {
      const text = await readFile(path.join(corpusDir, "real/cfngoat/cfngoat.yaml"), "utf8");
      // cfngoat's User, AccessKey and UserPolicy, moved into iam.yaml, which the parent nests.
      const start = text.indexOf("  User:\n    Type: AWS::IAM::User");
      const end = text.indexOf("  #############\n  ###  KMS  ###");
      expect(start).toBeGreaterThan(0);
      expect(end).toBeGreaterThan(start);
      const parent = [
        text.slice(0, start),
        "  Iam:\n",
        "    Type: AWS::CloudFormation::Stack\n",
        "    Properties:\n",
        "      TemplateURL: ./iam.yaml\n",
        "      Parameters:\n",
        "        CompanyName: !Ref CompanyName\n",
        "        Environment: !Ref Environment\n\n",
        text
          .slice(end)
          .replace("!Ref User", "!GetAtt Iam.Outputs.UserName")
          .replace("!GetAtt AccessKey.SecretAccessKey", "!GetAtt Iam.Outputs.SecretKey"),
      ].join("");
      const child = (resources: string) =>
        [
          "AWSTemplateFormatVersion: '2010-09-09'",
          "Parameters:",
          "  CompanyName: {Type: String}",
          "  Environment: {Type: String}",
          "Resources:",
          resources,
          "Outputs:",
          "  UserName: {Value: !Ref User}",
          "  SecretKey: {Value: !GetAtt AccessKey.SecretAccessKey}",
          "",
        ].join("\n");
      const moved = text.slice(start, end);
      // Moved with an edit: IAM's every action too.
      const widened = moved.replace('- "ec2:*"', '- "ec2:*"\n              - "iam:*"');
      expect(widened).not.toBe(moved);
      const notExisting = async (base: Record<string, string>, head: Record<string, string>) => {
        await rm(dir, { recursive: true, force: true });
        await writeFiles(dir, { ...base, ...head });
        const result = await diffDirs(dir);
        const found = findingsOf(result.stdout);
        expect(found.filter((f) => f.status === "existing").length).toBeGreaterThan(20);
        return {
          other: found
            .filter((f) => f.status !== "existing")
            .map((f) => `${f.status} ${f.rule} ${f.resource} ${f.evidence}`),
          code: result.code,
        };
      };
      const split = { "head/cfngoat.yaml": parent, "head/iam.yaml": child(moved) };
      expect(await notExisting({ "base/cfngoat.yaml": text }, split)).toEqual({
        other: [],
        code: 0,
      });
      const inlined = { "head/cfngoat.yaml": text };
      const splitBase = { "base/cfngoat.yaml": parent, "base/iam.yaml": child(moved) };
      expect(await notExisting(splitBase, inlined)).toEqual({ other: [], code: 0 });
      const widenedSplit = { ...split, "head/iam.yaml": child(widened) };
      const { other, code } = await notExisting({ "base/cfngoat.yaml": text }, widenedSplit);
      // The one new finding, on the moved policy: no other of it is new, none listed fixed.
      expect(other).toEqual(["new TG-IAM-006 Iam.UserPolicy iam:* on *"]);
      expect(code).toBe(1);
    });
  });

  it("reads the child a given parent nests, and names a missing one at the TemplateURL", async () => {
    await withTempDir("nested-stacks-paths", async (dir) => {
      await writeFiles(dir, {
        "stacks/web.yaml": parent("0.0.0.0/0"),
        "stacks/network.yaml": network("web"),
      });
      const scan = await run(["scan", "stacks/web.yaml", "--format", "json"], dir);
      expect(ssh(scan.stdout)).toEqual(["new Network.WebSG stacks/web.yaml:8"]);
      await rm(path.join(dir, "stacks/network.yaml"));
      const missing = await run(["scan", "stacks/web.yaml"], dir);
      expect(missing.stdout + missing.stderr).toContain(
        'stacks/web.yaml:6:7: nested stack Network: TemplateURL "./network.yaml" names stacks/network.yaml, which is not among the files read',
      );
    });
  });

  it("loads the children of a folder or template named above the working folder (scan ../x)", async () => {
    await withTempDir("nested-stacks-above", async (dir) => {
      await writeFiles(dir, {
        "x/stacks/web.yaml": parent("0.0.0.0/0"),
        "x/stacks/network.yaml": network("web"),
        "work/.keep": "",
      });
      const cwd = path.join(dir, "work");
      for (const given of ["../x", "../x/stacks/web.yaml"]) {
        const scan = await run(["scan", given, "--format", "json"], cwd);
        expect(JSON.parse(scan.stdout).errors).toEqual([]);
        expect(ssh(scan.stdout)).toEqual(["new Network.WebSG ../x/stacks/web.yaml:8"]);
      }
    });
  });
});

describe("tollgate diff when a file did not load at base", () => {
  it("says in every format that its head findings may not be new, and gates them as new", async () => {
    const sshTemplate = [
      "Resources:",
      "  SG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: x",
      "      SecurityGroupIngress:",
      "        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}",
      "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]",
      "",
    ].join("\n");
    await withTempDir("base-broken", async (dir) => {
      // The change fixes a tab that broke the base template; app.yaml loads on both sides.
      await writeFiles(dir, {
        "base/t.yaml": `${sshTemplate}\tbroken: x\n`,
        "head/t.yaml": sshTemplate,
        "base/app.yaml": sshTemplate.replace("SG:", "AppSG:"),
        "head/app.yaml": sshTemplate.replace("SG:", "AppSG:").replace(/22/g, "3389"),
      });
      const json = await diffDirs(dir);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as {
        findings: (JsonFinding & { unloadedAtBase?: boolean })[];
      };
      expect(report.findings.map((f) => [f.rule, f.file, f.status, f.unloadedAtBase])).toEqual([
        ["TG-NET-002", "app.yaml", "new", undefined],
        ["TG-NET-001", "t.yaml", "new", true],
        ["TG-NET-001", "app.yaml", "fixed", undefined],
      ]);
      const text = (await diffDirs(dir, "text")).stdout;
      expect(text).toContain(
        "t.yaml:7: high TG-NET-001 SSH open to the internet [new, blocking, base did not load: it may not be new]",
      );
      expect(text).toContain(
        "1 new finding may not be new: its file did not load at base, so it is gated as new",
      );
      expect((await diffDirs(dir, "markdown")).stdout).toContain(
        "base did not load: it may not be new",
      );
      const sarif = JSON.parse((await diffDirs(dir, "sarif")).stdout) as {
        runs: { results: { message: { text: string }; properties: object }[] }[];
      };
      expect(sarif.runs[0]!.results.map((r) => r.properties)).toEqual([
        expect.not.objectContaining({ unloadedAtBase: true }),
        expect.objectContaining({ unloadedAtBase: true }),
      ]);
      expect(sarif.runs[0]!.results[1]!.message.text).toMatch(
        /\(base did not load: it may not be new\.\)$/,
      );
    });
  });
});

describe("tollgate diff on a JSON or YAML file holding control bytes (not text)", () => {
  // What git-crypt commits for secrets.yaml: a NUL-framed header, then ciphertext.
  const encrypted = (secret: string) => `\0GITCRYPT\0${secret}\x02\x03`;
  const problems = (stdout: string) => {
    const report = JSON.parse(stdout) as Record<"errors" | "warnings", LoadErrorJson[]>;
    const line = (p: LoadErrorJson) => `${p.file}:${p.line}:${p.column}: ${p.code}`;
    return { errors: report.errors.map(line), warnings: report.warnings.map(line) };
  };
  type LoadErrorJson = { file: string; line: number; column: number; code: string };

  it("fails closed on one the change adds or changes, at its byte, and warns of one it leaves alone or moves", async () => {
    await withTempDir("not-text", async (dir) => {
      await writeFiles(dir, {
        "base/secrets.yaml": encrypted("one"),
        "head/secrets.yaml": encrypted("one"),
        "base/old/keys.json": encrypted("two"),
        "head/new/keys.json": encrypted("two"),
        "base/prod.yaml": encrypted("three"),
        "head/prod.yaml": encrypted("four"),
        "head/stack.template": "Resources:\n  Topic:\n    Type: \x01AWS::SNS::Topic\n",
      });
      const changed = await diffDirs(dir);
      expect(changed.code).toBe(1);
      expect(problems(changed.stdout)).toEqual({
        errors: ["prod.yaml:1:1: not-text", "stack.template:3:11: not-text"],
        warnings: ["new/keys.json:1:1: not-text", "secrets.yaml:1:1: not-text"],
      });
      expect((await diffDirs(dir, "text")).stdout).toContain(
        "stack.template:3:11: holds control byte 0x01, which no JSON or YAML text may hold, so it cannot be a CloudFormation template (an encrypted or binary file), and this change adds or changes it: what it deploys goes unjudged; if it is an encrypted file, override this check",
      );
      // Without a base, as the code stands: passed over with the warning.
      const scan = await run(["scan", path.join(dir, "head"), "--format", "json"]);
      expect(scan.code).toBe(0);
      expect(problems(scan.stdout).errors).toEqual([]);
      // Left alone, nothing blocks.
      await rm(path.join(dir, "head/stack.template"));
      await writeFile(path.join(dir, "head/prod.yaml"), encrypted("three"));
      const alone = await diffDirs(dir);
      expect(alone.code).toBe(0);
      expect(problems(alone.stdout).errors).toEqual([]);
    });
  });

  it("between git refs, as between folders", async () => {
    await withTempDir("not-text-git", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      await writeFiles(dir, { "secrets.yaml": encrypted("one"), "prod.json": encrypted("two") });
      git("init", "-q", "-b", "main");
      git("add", ".");
      git("commit", "-qm", "base");
      await writeFile(path.join(dir, "prod.json"), `{"a":\n "\x7f\x1f"}`);
      git("commit", "-qam", "head");
      const result = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(result.code).toBe(1);
      expect(problems(result.stdout)).toEqual({
        errors: ["prod.json:2:4: not-text"],
        warnings: ["secrets.yaml:1:1: not-text"],
      });
    });
  });
});

describe("tollgate diff on a YAML allowlist a module decodes, padded past the size limit", () => {
  const sshModule =
    'locals {\n  cfg = yamldecode(file("${path.module}/cidrs.yaml"))\n}\n' +
    'resource "aws_security_group" "ssh" {\n  name = "ssh"\n  ingress {\n    from_port   = 22\n' +
    '    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = local.cfg.admin\n  }\n}\n';
  const narrow = "admin:\n  - 10.0.0.0/8\n";
  // Over 2 MiB of comments: no template section first, so the walk passes it over.
  const padded = `admin:\n  - 0.0.0.0/0\n${"# padding padding padding\n".repeat(90_000)}`;
  type Problem = { file: string; line: number; code: string };
  const problems = (stdout: string) => {
    const report = JSON.parse(stdout) as Record<"errors" | "warnings", Problem[]>;
    const line = (p: Problem) => `${p.file}:${p.line}: ${p.code}`;
    return { errors: report.errors.map(line), warnings: report.warnings.map(line) };
  };

  it("fails closed when the change pads it, and warns of one it leaves alone (folders)", async () => {
    await withTempDir("padded-yaml", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": sshModule,
        "base/cidrs.yaml": narrow,
        "head/main.tf": sshModule,
        "head/cidrs.yaml": padded,
      });
      const changed = await diffDirs(dir);
      expect(problems(changed.stdout)).toEqual({
        errors: ["cidrs.yaml:1: file-too-large"],
        warnings: [],
      });
      expect(changed.code).toBe(1);
      expect((await diffDirs(dir, "text")).stdout).toContain(
        "cidrs.yaml:1:1: 2340021 bytes, over Tollgate's fixed limit of 2097152 bytes for one file; it was not read, and this change adds or changes it: what a module reads from it with file() goes unjudged (file-too-large) [error]",
      );
      // A scan has no base: the warning README promises.
      const scan = await run(["scan", "head", "--format", "json"], dir);
      expect(problems(scan.stdout)).toEqual({
        errors: [],
        warnings: ["head/cidrs.yaml:1: file-too-large"],
      });
      expect(scan.code).toBe(0);
      // Left alone by the change: a warning, nothing blocks.
      await writeFile(path.join(dir, "base/cidrs.yaml"), padded);
      const alone = await diffDirs(dir);
      expect(problems(alone.stdout)).toEqual({
        errors: [],
        warnings: ["cidrs.yaml:1: file-too-large"],
      });
      expect(alone.code).toBe(0);
    });
  });

  it("between git refs and against the working tree, as between folders", async () => {
    await withTempDir("padded-yaml-git", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      await writeFiles(dir, { "main.tf": sshModule, "cidrs.yaml": narrow });
      git("init", "-q", "-b", "main");
      git("add", ".");
      git("commit", "-qm", "base");
      await writeFile(path.join(dir, "cidrs.yaml"), padded);
      const worktree = await run(["diff", "--base", "main", "--format", "json"], dir);
      expect(problems(worktree.stdout)).toEqual({
        errors: ["cidrs.yaml:1: file-too-large"],
        warnings: [],
      });
      expect(worktree.code).toBe(1);
      git("commit", "-qam", "head");
      const refs = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(problems(refs.stdout)).toEqual(problems(worktree.stdout));
      expect(refs.code).toBe(1);
      // A later change that leaves it alone: a warning.
      await writeFiles(dir, { "other.tf": "# changed\n" });
      git("add", "other.tf");
      git("commit", "-qm", "other");
      const later = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(problems(later.stdout)).toEqual({
        errors: [],
        warnings: ["cidrs.yaml:1: file-too-large"],
      });
      expect(later.code).toBe(0);
    });
  });

  it("says a not-text allowlist a module reads once, not again as the module's file", async () => {
    await withTempDir("not-text-yaml", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": sshModule,
        "base/cidrs.yaml": narrow,
        "head/main.tf": sshModule,
        "head/cidrs.yaml": "admin:\n  - 0.0.0.0/0\n# \x01\n",
      });
      const changed = await diffDirs(dir);
      expect(problems(changed.stdout)).toEqual({
        errors: ["cidrs.yaml:3: not-text"],
        warnings: [],
      });
      expect(changed.code).toBe(1);
    });
  });
});

describe("tollgate diff on a pull request that narrows or widens an exposure", () => {
  /** A bastion group open to the internet on TCP `from`-`to`. */
  const bastion = (from: number, to: number) =>
    [
      'resource "aws_security_group" "bastion" {',
      '  name   = "bastion"',
      '  vpc_id = "vpc-1"',
      "  ingress {",
      `    from_port   = ${from}`,
      `    to_port     = ${to}`,
      '    protocol    = "tcp"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      "  }",
      "}",
      "",
    ].join("\n");
  /** The same group in a CloudFormation template. */
  const template = (from: number, to: number) =>
    [
      "Resources:",
      "  SG:",
      "    Type: AWS::EC2::SecurityGroup",
      "    Properties:",
      "      GroupDescription: legacy",
      "      SecurityGroupIngress:",
      "        - IpProtocol: tcp",
      `          FromPort: ${from}`,
      `          ToPort: ${to}`,
      "          CidrIp: 0.0.0.0/0",
      "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]",
      "",
    ].join("\n");
  const statuses = (stdout: string) =>
    findingsOf(stdout).map((f) => `${f.status} ${f.rule} ${f.evidence}`);

  it("passes a Terraform group narrowed from every port to SSH, which fixes TG-NET-005", async () => {
    await withTempDir("narrow", async (dir) => {
      await writeFiles(dir, { "base/main.tf": bastion(0, 65535), "head/main.tf": bastion(22, 22) });
      const result = await diffDirs(dir);
      expect(statuses(result.stdout)).toEqual([
        "existing TG-NET-001 tcp/22 from 0.0.0.0/0",
        "fixed TG-NET-005 tcp/0-65535 from 0.0.0.0/0",
      ]);
      expect(result.code).toBe(0);
    });
  });

  it("passes a CloudFormation group narrowed from 0-1024 to SSH, with SSH not listed as fixed", async () => {
    await withTempDir("narrow", async (dir) => {
      await writeFiles(dir, {
        "base/sg.yaml": template(0, 1024),
        "head/sg.yaml": template(22, 22),
      });
      const result = await diffDirs(dir);
      expect(statuses(result.stdout)).toEqual(["existing TG-NET-001 tcp/22 from 0.0.0.0/0"]);
      expect(result.code).toBe(0);
    });
  });

  it("passes an IAM policy narrowed from every action to two, one of them escalating", async () => {
    /** An inline role policy allowing `action` on every resource, with `deny` as a second statement. */
    const policy = (action: string, deny = "") =>
      [
        'resource "aws_iam_role_policy" "deployer" {',
        '  name = "deployer"',
        '  role = "deployer"',
        "  policy = jsonencode({",
        '    Version = "2012-10-17"',
        `    Statement = [{ Effect = "Allow", Action = ${action}, Resource = "*" }${deny}]`,
        "  })",
        "}",
        "",
      ].join("\n");
    await withTempDir("narrow-iam", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": policy('"*"'),
        "head/main.tf": policy('["ecs:UpdateService", "iam:PassRole"]'),
      });
      const narrowed = await diffDirs(dir);
      expect(statuses(narrowed.stdout)).toEqual([
        "existing TG-IAM-006 iam:passrole on *",
        "fixed TG-IAM-002 * on *",
      ]);
      expect(narrowed.code).toBe(0);
      // A deny beside the base's grant may have kept PassRole out: not known to be existing.
      const deny = ', { Effect = "Deny", Action = "iam:*", Resource = "*" }';
      await writeFiles(dir, { "base/main.tf": policy('"*"', deny) });
      const denied = await diffDirs(dir);
      expect(statuses(denied.stdout)).toEqual([
        "new TG-IAM-006 iam:passrole on *",
        "fixed TG-IAM-002 * on *",
      ]);
      expect(denied.code).toBe(1);
    });
  });

  it("compares a network ACL rule by the ports its earlier denies leave open", async () => {
    /** A network ACL denying RDP at rule 50 and allowing TCP `from`-`to` at rule `number`. */
    const acl = (number: number, from: number, to: number) =>
      [
        'resource "aws_network_acl" "public" {',
        '  vpc_id = "vpc-1"',
        "  ingress {",
        "    rule_no    = 50",
        '    action     = "deny"',
        '    protocol   = "tcp"',
        "    from_port  = 3389",
        "    to_port    = 3389",
        '    cidr_block = "0.0.0.0/0"',
        "  }",
        "  ingress {",
        `    rule_no    = ${number}`,
        '    action     = "allow"',
        '    protocol   = "tcp"',
        `    from_port  = ${from}`,
        `    to_port    = ${to}`,
        '    cidr_block = "0.0.0.0/0"',
        "  }",
        "}",
        "",
      ].join("\n");
    await withTempDir("narrow-acl", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": acl(100, 0, 65535),
        "head/main.tf": acl(100, 22, 22),
      });
      expect(statuses((await diffDirs(dir)).stdout)).toEqual([
        "existing TG-NET-008 tcp/22 from 0.0.0.0/0",
      ]);
      // RDP allowed before the deny: open now, though the base's rule spanned its port.
      await writeFiles(dir, { "head/main.tf": acl(40, 3389, 3389) });
      expect(statuses((await diffDirs(dir)).stdout)).toEqual([
        "new TG-NET-008 tcp/3389 from 0.0.0.0/0",
        "fixed TG-NET-008 tcp/0-65535 from 0.0.0.0/0",
      ]);
    });
  });

  it("blocks SSH widened to 22-2222 as new in every format and lists nothing fixed", async () => {
    await withTempDir("widen", async (dir) => {
      await writeFiles(dir, { "base/main.tf": bastion(22, 22), "head/main.tf": bastion(22, 2222) });
      const result = await diffDirs(dir);
      expect(statuses(result.stdout)).toEqual([
        "new TG-NET-003 tcp/22-2222 from 0.0.0.0/0",
        "new TG-NET-001 tcp/22-2222 from 0.0.0.0/0",
      ]);
      expect(result.code).toBe(1);
      const text = (await diffDirs(dir, "text")).stdout;
      expect(text).not.toContain("fixed");
      const markdown = (await diffDirs(dir, "markdown")).stdout;
      expect(markdown).not.toMatch(/tcp\/22 from/);
    });
  });
});

describe("tollgate diff on a pull request that narrows, widens or uncovers a public grant", () => {
  const statuses = (stdout: string) =>
    findingsOf(stdout).map((f) => `${f.status} ${f.rule} ${f.severity} ${f.evidence}`);
  const contained = "(contained by Block Public Access)";
  /** A bucket, its public access block turning `flags` on, and a resource-policy or ACL grant. */
  const bucket = (flags: boolean, grant: string) =>
    [
      'resource "aws_s3_bucket" "site" {',
      '  bucket = "site"',
      "}",
      "",
      'resource "aws_s3_bucket_public_access_block" "site" {',
      "  bucket                  = aws_s3_bucket.site.id",
      `  block_public_acls       = ${flags}`,
      `  ignore_public_acls      = ${flags}`,
      `  block_public_policy     = ${flags}`,
      `  restrict_public_buckets = ${flags}`,
      "}",
      "",
      grant,
    ].join("\n");
  /** A bucket policy granting `actions` (HCL) to everyone on the bucket's objects, then `deny`. */
  const bucketPolicy = (actions: string, deny = "") =>
    [
      'resource "aws_s3_bucket_policy" "site" {',
      "  bucket = aws_s3_bucket.site.id",
      "  policy = jsonencode({",
      '    Version = "2012-10-17"',
      "    Statement = [{",
      '      Effect    = "Allow"',
      '      Principal = "*"',
      `      Action    = ${actions}`,
      '      Resource  = "${aws_s3_bucket.site.arn}/*"',
      `    }${deny}]`,
      "  })",
      "}",
      "",
    ].join("\n");
  const readWrite = '["s3:GetObject", "s3:PutObject"]';
  const iamRules = (stdout: string) =>
    statuses(stdout).filter((line) => /TG-IAM-01[07] /.test(line));

  it("blocks a bucket policy whose Block Public Access the PR turns off, and lists nothing fixed", async () => {
    await withTempDir("uncover-policy", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bucket(true, bucketPolicy(readWrite)),
        "head/main.tf": bucket(false, bucketPolicy(readWrite)),
      });
      const result = await diffDirs(dir);
      expect(iamRules(result.stdout)).toEqual([
        "new TG-IAM-010 critical Principal *: s3:getobject,s3:putobject",
      ]);
      expect(result.code).toBe(1);
      // The same with a deny beside the grant at base and head (TLS only): the deny takes as much
      // from each.
      const tlsOnly =
        ', { Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "*",' +
        ' Condition = { Bool = { "aws:SecureTransport" = "false" } } }';
      await writeFiles(dir, {
        "base/main.tf": bucket(true, bucketPolicy(readWrite, tlsOnly)),
        "head/main.tf": bucket(false, bucketPolicy(readWrite, tlsOnly)),
      });
      expect(iamRules((await diffDirs(dir)).stdout)).toEqual([
        "new TG-IAM-010 critical Principal *: s3:getobject,s3:putobject",
      ]);
      // Block Public Access added: the contained grant opens nothing new.
      await writeFiles(dir, {
        "base/main.tf": bucket(false, bucketPolicy(readWrite)),
        "head/main.tf": bucket(true, bucketPolicy(readWrite)),
      });
      expect(iamRules((await diffDirs(dir)).stdout)).toEqual([
        `existing TG-IAM-010 low Principal *: s3:getobject,s3:putobject ${contained}`,
      ]);
    });
  });

  it("passes a public grant narrowed to fewer actions and blocks one widened", async () => {
    await withTempDir("narrow-policy", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bucket(false, bucketPolicy(readWrite)),
        "head/main.tf": bucket(false, bucketPolicy('"s3:GetObject"')),
      });
      const narrowed = await diffDirs(dir);
      expect(iamRules(narrowed.stdout)).toEqual([
        "existing TG-IAM-010 critical Principal *: s3:getobject",
      ]);
      expect(narrowed.code).toBe(0);
      await writeFiles(dir, {
        "base/main.tf": bucket(false, bucketPolicy('"s3:GetObject"')),
        "head/main.tf": bucket(false, bucketPolicy(readWrite)),
      });
      const widened = await diffDirs(dir);
      expect(iamRules(widened.stdout)).toEqual([
        "new TG-IAM-010 critical Principal *: s3:getobject,s3:putobject",
      ]);
      expect(widened.code).toBe(1);
    });
  });

  it("blocks a CloudFormation bucket policy the PR takes Block Public Access from", async () => {
    const template = (blocked: boolean) =>
      [
        "Resources:",
        "  Site:",
        "    Type: AWS::S3::Bucket",
        ...(blocked
          ? [
              "    Properties:",
              "      PublicAccessBlockConfiguration:",
              "        BlockPublicPolicy: true",
              "        RestrictPublicBuckets: true",
            ]
          : []),
        "  SitePolicy:",
        "    Type: AWS::S3::BucketPolicy",
        "    Properties:",
        "      Bucket: !Ref Site",
        "      PolicyDocument:",
        "        Statement:",
        "          - Effect: Allow",
        '            Principal: "*"',
        "            Action: s3:GetObject",
        '            Resource: !Sub "${Site.Arn}/*"',
        "",
      ].join("\n");
    await withTempDir("uncover-template", async (dir) => {
      await writeFiles(dir, {
        "base/site.yaml": template(true),
        "head/site.yaml": template(false),
      });
      const result = await diffDirs(dir);
      expect(iamRules(result.stdout)).toEqual([
        "new TG-IAM-010 critical Principal *: s3:getobject",
      ]);
      expect(result.code).toBe(1);
    });
  });

  it("blocks a public ACL whose Block Public Access the PR turns off, and passes one narrowed", async () => {
    const acl = (canned: string) =>
      [
        'resource "aws_s3_bucket_acl" "site" {',
        "  bucket = aws_s3_bucket.site.id",
        `  acl    = "${canned}"`,
        "}",
        "",
      ].join("\n");
    await withTempDir("uncover-acl", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bucket(true, acl("public-read")),
        "head/main.tf": bucket(false, acl("public-read")),
      });
      const uncovered = await diffDirs(dir);
      expect(iamRules(uncovered.stdout)).toEqual(["new TG-IAM-017 high acl public-read"]);
      expect(uncovered.code).toBe(1);
      await writeFiles(dir, {
        "base/main.tf": bucket(false, acl("public-read-write")),
        "head/main.tf": bucket(false, acl("public-read")),
      });
      const narrowed = await diffDirs(dir);
      expect(iamRules(narrowed.stdout)).toEqual(["existing TG-IAM-017 high acl public-read"]);
      expect(narrowed.code).toBe(0);
    });
  });
});

describe("tollgate diff on an IAM policy rewritten with NotAction, NotResource, a deny or an unknown ARN", () => {
  const statuses = (stdout: string) =>
    findingsOf(stdout)
      .filter((f) => f.rule.startsWith("TG-IAM"))
      .map((f) => `${f.status} ${f.rule} ${f.evidence}`);
  /** An inline role policy with `statements` (HCL), beside a bucket. */
  const policy = (statements: string) =>
    [
      'resource "aws_s3_bucket" "logs" {',
      '  bucket = "logs"',
      "}",
      "",
      'resource "aws_iam_role_policy" "deployer" {',
      '  name = "deployer"',
      '  role = "deployer"',
      "  policy = jsonencode({",
      '    Version   = "2012-10-17"',
      `    Statement = [${statements}]`,
      "  })",
      "}",
      "",
    ].join("\n");
  const allButIam = '{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }';

  it("passes actions a base NotAction allowed, with a deny beside them, and blocks one it excluded", async () => {
    await withTempDir("not-action", async (dir) => {
      const s3 = '{ Effect = "Allow", Action = ["s3:*", "ec2:Describe*"], Resource = "*" }';
      const deny = '{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }';
      await writeFiles(dir, {
        "base/main.tf": policy(allButIam),
        "head/main.tf": policy(`${s3}, ${deny}`),
      });
      const narrowed = await diffDirs(dir);
      expect(statuses(narrowed.stdout)).toEqual([
        "existing TG-IAM-001 s3:*",
        "fixed TG-IAM-004 Allow NotAction iam:*",
      ]);
      expect(narrowed.code).toBe(0);
      const passRole = '{ Effect = "Allow", Action = ["s3:*", "iam:PassRole"], Resource = "*" }';
      await writeFiles(dir, { "head/main.tf": policy(passRole) });
      const excluded = await diffDirs(dir);
      expect(statuses(excluded.stdout)).toEqual([
        "new TG-IAM-006 iam:passrole on *",
        "existing TG-IAM-001 s3:*",
        "fixed TG-IAM-004 Allow NotAction iam:*",
      ]);
      expect(excluded.code).toBe(1);
    });
  });

  it("calls a grant moved from one queue to another new, and the first fixed", async () => {
    const grant = (queue: string) =>
      policy(
        `{ Effect = "Allow", Action = "sqs:*", Resource = "arn:aws:sqs:eu-west-1:111122223333:${queue}" }`,
      );
    await withTempDir("moved-grant", async (dir) => {
      await writeFiles(dir, { "base/main.tf": grant("jobs"), "head/main.tf": grant("other") });
      const moved = await diffDirs(dir);
      expect(statuses(moved.stdout)).toEqual(["new TG-IAM-001 sqs:*", "fixed TG-IAM-001 sqs:*"]);
      expect(moved.code).toBe(1);
    });
  });

  it("says a grant narrowed from every queue to one, still open (reports render it alike)", async () => {
    const jobs = "arn:aws:sqs:eu-west-1:111122223333:jobs";
    const grant = (resource: string) =>
      policy(`{ Effect = "Allow", Action = "sqs:*", Resource = "${resource}" }`);
    await withTempDir("narrowed-grant", async (dir) => {
      await writeFiles(dir, { "base/main.tf": grant("*"), "head/main.tf": grant(jobs) });
      const narrowed = `now only sqs:* on ${jobs}`;
      const json = await diffDirs(dir);
      expect(findingsOf(json.stdout).filter((f) => f.rule.startsWith("TG-IAM"))).toMatchObject([
        { status: "existing", rule: "TG-IAM-001", evidence: "sqs:*", narrowed },
      ]);
      expect(json.code).toBe(0);
      const text = await diffDirs(dir, "text");
      expect(text.stdout).toContain(`narrowed by this change: ${narrowed}`);
      expect(text.stdout).toContain("1 existing finding narrowed by this change, still open");
    });
  });

  it("compares NotResource by what it excludes", async () => {
    const grant = (action: string, excluded: string) =>
      policy(`{ Effect = "Allow", Action = "${action}", NotResource = "${excluded}" }`);
    await withTempDir("not-resource", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": grant("*", "arn:aws:s3:::secrets/*"),
        "head/main.tf": grant("s3:*", "arn:aws:s3:::secrets/*"),
      });
      const narrowed = await diffDirs(dir);
      expect(statuses(narrowed.stdout)).toContain("existing TG-IAM-001 s3:*");
      expect(narrowed.code).toBe(0);
      // Excluding less exposes more.
      await writeFiles(dir, { "head/main.tf": grant("s3:*", "arn:aws:s3:::secrets/public/*") });
      const widened = await diffDirs(dir);
      expect(statuses(widened.stdout)).toContain("new TG-IAM-001 s3:*");
      expect(widened.code).toBe(1);
    });
  });

  it("compares an ARN Tollgate cannot know by its expression", async () => {
    const grant = (action: string, resources: string) =>
      policy(`{ Effect = "Allow", Action = "${action}", Resource = ${resources} }`);
    await withTempDir("unknown-arn", async (dir) => {
      const both = '[aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]';
      await writeFiles(dir, {
        "base/main.tf": grant("*", both),
        "head/main.tf": grant("s3:*", '"${aws_s3_bucket.logs.arn}/*"'),
      });
      const narrowed = await diffDirs(dir);
      // Narrowed within its rule, as SSH on 0-1024 narrowed to 22: `*` is not listed fixed.
      expect(statuses(narrowed.stdout)).toEqual(["existing TG-IAM-001 s3:*"]);
      expect(narrowed.code).toBe(0);
      // Another expression, though its value may lie inside the base's: not known to be existing.
      await writeFiles(dir, {
        "base/main.tf": grant("*", '"${aws_s3_bucket.logs.arn}/public/*"'),
        "head/main.tf": grant("s3:*", "aws_s3_bucket.logs.arn"),
      });
      const other = await diffDirs(dir);
      expect(statuses(other.stdout)).toEqual(["new TG-IAM-001 s3:*", "fixed TG-IAM-001 *"]);
      expect(other.code).toBe(1);
    });
  });
});

describe("tollgate diff on a pull request that adopts a deployed resource with an import block", () => {
  const group = [
    'resource "aws_security_group" "legacy" {',
    '  name = "legacy"',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    '    cidr_blocks = ["0.0.0.0/0"]',
    "  }",
    "}",
    "",
  ].join("\n");
  const importBlock = (to: string) => `import {\n  to = ${to}\n  id = "sg-0123"\n}\n`;
  const report = (stdout: string) => {
    const { findings, warnings } = JSON.parse(stdout) as {
      findings: Array<JsonFinding & { adopted?: { file: string; line: number } }>;
      warnings: Array<{ file: string; line: number; code: string }>;
    };
    return {
      findings: findings
        .filter((f) => f.rule === "TG-NET-001")
        .map((f) => `${f.status} ${f.adopted ? `${f.adopted.file}:${f.adopted.line}` : "-"}`),
      warnings: warnings.map((w) => `${w.file}:${w.line} ${w.code}`),
    };
  };

  it("keeps what the block adopts new unless import_adopts: existing, and what the base managed new", async () => {
    await withTempDir("import-adopted", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": "",
        "head/main.tf": `${importBlock("aws_security_group.legacy")}\n${group}`,
        "tollgate.yml": "import_adopts: existing\n",
      });
      // Review finding 14 (session 21): the gate cannot see the deployed object, and applying
      // the block makes it what the configuration says; any id would otherwise pass the PR.
      const adoptedNew = await diffDirs(dir);
      expect(report(adoptedNew.stdout)).toEqual({ findings: ["new main.tf:1"], warnings: [] });
      expect(adoptedNew.code).toBe(1);
      const newText = await diffDirs(dir, "text");
      expect(newText.stdout).toContain(
        "adopted by the import block at main.tf:1: new all the same, since applying it makes the deployed object so; if it is already so, a waiver records it",
      );
      const optIn = ["--config", path.join(dir, "tollgate.yml")];
      const adopted = await diffDirs(dir, "json", ...optIn);
      expect(report(adopted.stdout)).toEqual({ findings: ["existing main.tf:1"], warnings: [] });
      expect(adopted.code).toBe(0);
      const text = await diffDirs(dir, "text", ...optIn);
      expect(text.stdout).toContain(
        "adopted by the import block at main.tf:1: already deployed, now managed here",
      );
      // The base managed it already: the block adopts nothing, what the PR opens is new.
      await writeFiles(dir, { "base/main.tf": group.replace('"0.0.0.0/0"', '"10.0.0.0/8"') });
      const managed = await diffDirs(dir);
      expect(report(managed.stdout).findings).toEqual(["new -"]);
      expect(managed.code).toBe(1);
    });
  });

  it("reads a called module's block in each instance (Terraform 1.16), unless required_version refuses it", async () => {
    const root = (required: string) =>
      `terraform {\n  required_version = "${required}"\n}\nmodule "legacy" {\n  source = "./legacy"\n  count  = 2\n}\n`;
    await withTempDir("import-child", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": "",
        "head/main.tf": root(">= 1.16.0"),
        "head/legacy/main.tf": `${importBlock("aws_security_group.legacy")}\n${group}`,
      });
      const child = await diffDirs(dir);
      expect(report(child.stdout)).toEqual({
        findings: ["new legacy/main.tf:1", "new legacy/main.tf:1"],
        warnings: [],
      });
      expect(child.code).toBe(1);
      // Only releases that refuse it: said where, and not taken as adopted.
      await writeFiles(dir, { "head/main.tf": root("~> 1.15.0") });
      const refused = await diffDirs(dir);
      expect(report(refused.stdout)).toEqual({
        findings: ["new -", "new -"],
        warnings: ["legacy/main.tf:1 terraform-import"],
      });
      expect(refused.code).toBe(1);
    });
  });
});

describe("tollgate diff on a pull request that moves a group's inline rules into rule resources", () => {
  // The AWS provider v5 asks for aws_vpc_security_group_ingress_rule in place of inline ingress
  // blocks, CloudFormation users write AWS::EC2::SecurityGroupIngress with GroupId: nothing is
  // exposed that was not before, so the open rules stay existing on the group they open.
  const terragoat = path.join(corpusDir, "real/terragoat/terraform/aws");
  const inlineSsh =
    '  ingress {\n    from_port = 22\n    to_port   = 22\n    protocol  = "tcp"\n    cidr_blocks = [\n    "0.0.0.0/0"]\n  }\n';
  const ingressRule = (name: string, cidr: string, port: number) =>
    [
      `resource "aws_vpc_security_group_ingress_rule" "${name}" {`,
      "  security_group_id = aws_security_group.web-node.id",
      `  ${cidr.includes(":") ? "cidr_ipv6" : "cidr_ipv4"} = "${cidr}"`,
      '  ip_protocol       = "tcp"',
      `  from_port         = ${port}`,
      `  to_port           = ${port}`,
      "}",
      "",
    ].join("\n");

  /** terragoat at base (its ec2.tf edited by `baseEdit`); at head, its SSH rule moved to rules.tf. */
  const terraformPullRequest = async (rules: string, baseEdit = (text: string) => text) =>
    withTempDir("sg-rules", async (dir) => {
      const base = path.join(dir, "base");
      const head = path.join(dir, "head");
      await cp(terragoat, base, { recursive: true });
      const ec2 = baseEdit(await readFile(path.join(base, "ec2.tf"), "utf8"));
      expect(ec2).toContain(inlineSsh.replace("  }\n", ""));
      await writeFile(path.join(base, "ec2.tf"), ec2);
      await cp(base, head, { recursive: true });
      const withoutSsh = ec2.replace(/ {2}ingress \{\n {4}from_port = 22\n[^}]*\}\n/, "");
      expect(withoutSsh).not.toBe(ec2);
      await writeFile(path.join(head, "ec2.tf"), withoutSsh);
      await writeFile(path.join(head, "rules.tf"), rules);
      const result = await run([
        "diff",
        "--base-dir",
        base,
        "--head-dir",
        head,
        "--format",
        "json",
      ]);
      return {
        ...result,
        findings: (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings,
      };
    });
  const withStatus = (findings: JsonFinding[], status: string) =>
    findings.filter((f) => f.status === status).map((f) => `${f.rule} ${f.resource} ${f.evidence}`);

  it("keeps terragoat's open SSH existing when it becomes an aws_vpc_security_group_ingress_rule", async () => {
    const result = await terraformPullRequest(ingressRule("web_node_ssh", "0.0.0.0/0", 22));
    expect(withStatus(result.findings, "new")).toEqual([]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(
      result.findings
        .filter((f) => f.rule === "TG-NET-001")
        .map((f) => `${f.status} ${f.resource} ${f.file}:${f.line}`),
    ).toEqual(["existing aws_vpc_security_group_ingress_rule.web_node_ssh rules.tf:3"]);
    expect(result.code).toBe(0);
  });

  it("keeps both halves existing when an inline IPv4 and IPv6 rule becomes two rule resources", async () => {
    const result = await terraformPullRequest(
      ingressRule("ssh_ipv4", "0.0.0.0/0", 22) + ingressRule("ssh_ipv6", "::/0", 22),
      (text) =>
        text.replace(
          inlineSsh,
          inlineSsh.replace("  }\n", '    ipv6_cidr_blocks = ["::/0"]\n  }\n'),
        ),
    );
    expect(withStatus(result.findings, "new")).toEqual([]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(
      withStatus(result.findings, "existing").filter((f) => f.startsWith("TG-NET-001")),
    ).toEqual([
      "TG-NET-001 aws_vpc_security_group_ingress_rule.ssh_ipv4 tcp/22 from 0.0.0.0/0",
      "TG-NET-001 aws_vpc_security_group_ingress_rule.ssh_ipv6 tcp/22 from ::/0",
    ]);
    expect(result.code).toBe(0);
  });

  it("calls RDP opened beside the moved SSH rule new, and only that", async () => {
    const result = await terraformPullRequest(
      ingressRule("web_node_ssh", "0.0.0.0/0", 22) + ingressRule("web_node_rdp", "0.0.0.0/0", 3389),
    );
    expect(withStatus(result.findings, "new")).toEqual([
      "TG-NET-002 aws_vpc_security_group_ingress_rule.web_node_rdp tcp/3389 from 0.0.0.0/0",
    ]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(result.code).toBe(1);
  });

  it("keeps cfngoat's open SSH and all-traffic rules existing as AWS::EC2::SecurityGroupIngress", async () => {
    await withTempDir("sg-rules-cfn", async (dir) => {
      const template = await readFile(path.join(corpusDir, "real/cfngoat/cfngoat.yaml"), "utf8");
      const opened = [
        "      - IpProtocol: tcp\n        FromPort: 22\n        ToPort: 22\n        CidrIp: 0.0.0.0/0\n",
        '      - IpProtocol: "-1"\n        FromPort: 0\n        ToPort: 0\n        CidrIp: 0.0.0.0/0\n',
      ];
      const standalone = [
        "  WebNodeSSHIngress:",
        "    Type: AWS::EC2::SecurityGroupIngress",
        "    Properties:",
        "      GroupId: !GetAtt WebNodeSG.GroupId",
        "      IpProtocol: tcp",
        "      FromPort: 22",
        "      ToPort: 22",
        "      CidrIp: 0.0.0.0/0",
        "  WebNodeAllIngress:",
        "    Type: AWS::EC2::SecurityGroupIngress",
        "    Properties:",
        "      GroupId: !Ref WebNodeSG",
        '      IpProtocol: "-1"',
        "      CidrIp: 0.0.0.0/0",
        "",
      ].join("\n");
      let moved = template;
      for (const entry of opened) {
        expect(moved).toContain(entry);
        moved = moved.replace(entry, "");
      }
      moved = moved.replace("  # Security Group  SSH port open to the world\n", `${standalone}$&`);
      await writeFiles(dir, { "base/cfngoat.yaml": template, "head/cfngoat.yaml": moved });
      const result = await run([
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--format",
        "json",
      ]);
      const findings = findingsOf(result.stdout);
      expect(withStatus(findings, "new")).toEqual([]);
      expect(withStatus(findings, "fixed")).toEqual([]);
      expect(
        findings
          .filter((f) => f.rule === "TG-NET-001" || f.rule === "TG-NET-005")
          .map((f) => `${f.status} ${f.rule} ${f.resource}`)
          .sort(),
      ).toEqual(["existing TG-NET-001 WebNodeSSHIngress", "existing TG-NET-005 WebNodeAllIngress"]);
      expect(result.code).toBe(0);
    });
  });
  /** terragoat with its VPC's default group adopted: `base` gives it inline rules, `head` moves them. */
  const defaultGroupPullRequest = async (base: string, head: string) => {
    return withTempDir("default-sg", async (dir) => {
      for (const [side, text] of [
        ["base", base],
        ["head", head],
      ] as const) {
        await cp(terragoat, path.join(dir, side), { recursive: true });
        await writeFile(path.join(dir, side, "default_sg.tf"), text);
      }
      const result = await run([
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--format",
        "json",
      ]);
      return {
        ...result,
        findings: (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings,
      };
    });
  };
  const adoptedGroup = (rules: string[]) =>
    [
      'resource "aws_default_security_group" "web" {',
      "  vpc_id = aws_vpc.web_vpc.id",
      ...rules,
      "}",
      "",
    ].join("\n");
  const inlineDefaultRules = adoptedGroup([
    "  ingress {",
    '    protocol  = "-1"',
    "    self      = true",
    "    from_port = 0",
    "    to_port   = 0",
    "  }",
    "  ingress {",
    '    protocol    = "tcp"',
    "    from_port   = 443",
    "    to_port     = 443",
    '    cidr_blocks = ["10.0.0.0/16", "10.1.0.0/16"]',
    "  }",
    "  egress {",
    '    protocol    = "-1"',
    "    from_port   = 0",
    "    to_port     = 0",
    '    cidr_blocks = ["0.0.0.0/0"]',
    "  }",
  ]);
  const vpcRule = (type: string, name: string, group: string, settings: string[]) =>
    [
      `resource "aws_vpc_security_group_${type}_rule" "${name}" {`,
      `  security_group_id = ${group}`,
      ...settings.map((line) => `  ${line}`),
      "}",
      "",
    ].join("\n");
  // The same rules as rule resources, in another order, naming the group both ways.
  const standaloneDefaultRules = [
    adoptedGroup([]),
    vpcRule("egress", "all_out", "aws_default_security_group.web.id", [
      'ip_protocol = "-1"',
      'cidr_ipv4   = "0.0.0.0/0"',
    ]),
    vpcRule("ingress", "https_second", "aws_vpc.web_vpc.default_security_group_id", [
      'ip_protocol = "tcp"',
      "from_port   = 443",
      "to_port     = 443",
      'cidr_ipv4   = "10.1.0.0/16"',
    ]),
    vpcRule("ingress", "https_first", "aws_default_security_group.web.id", [
      'ip_protocol = "tcp"',
      "from_port   = 443",
      "to_port     = 443",
      'cidr_ipv4   = "10.0.0.0/16"',
    ]),
    vpcRule("ingress", "itself", "aws_default_security_group.web.id", [
      'ip_protocol                  = "-1"',
      "referenced_security_group_id = aws_default_security_group.web.id",
    ]),
  ].join("\n");

  it("keeps the default group's rules existing, open to the internet or not, when they become rule resources", async () => {
    const result = await defaultGroupPullRequest(inlineDefaultRules, standaloneDefaultRules);
    expect(withStatus(result.findings, "new")).toEqual([]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(
      result.findings
        .filter((f) => f.rule === "TG-NET-006")
        .map((f) => `${f.status} ${f.resource} ${f.evidence}`)
        .sort(),
    ).toEqual([
      "existing aws_vpc_security_group_egress_rule.all_out egress all to 0.0.0.0/0",
      "existing aws_vpc_security_group_ingress_rule.https_first ingress tcp/443 from 10.0.0.0/16",
      "existing aws_vpc_security_group_ingress_rule.https_second ingress tcp/443 from 10.1.0.0/16",
      "existing aws_vpc_security_group_ingress_rule.itself ingress all from self",
    ]);
    expect(result.code).toBe(0);
  });

  it("calls a private rule added to the default group beside the moved ones new, and only that", async () => {
    const result = await defaultGroupPullRequest(
      inlineDefaultRules,
      standaloneDefaultRules +
        vpcRule("ingress", "postgres", "aws_default_security_group.web.id", [
          'ip_protocol = "tcp"',
          "from_port   = 5432",
          "to_port     = 5432",
          'cidr_ipv4   = "10.2.0.0/16"',
        ]),
    );
    expect(withStatus(result.findings, "new")).toEqual([
      "TG-NET-006 aws_vpc_security_group_ingress_rule.postgres ingress tcp/5432 from 10.2.0.0/16",
    ]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(result.code).toBe(1);
  });

  it("keeps every finding on the default group's open egress existing when its rule names the group through the VPC", async () => {
    const openEgress = ['ip_protocol = "-1"', 'cidr_ipv4   = "0.0.0.0/0"'];
    const result = await defaultGroupPullRequest(
      adoptedGroup([
        "  egress {",
        '    protocol    = "-1"',
        "    from_port   = 0",
        "    to_port     = 0",
        '    cidr_blocks = ["0.0.0.0/0"]',
        "  }",
      ]),
      adoptedGroup([]) +
        vpcRule("egress", "all_out", "aws_vpc.web_vpc.default_security_group_id", openEgress),
    );
    expect(withStatus(result.findings, "new")).toEqual([]);
    expect(withStatus(result.findings, "fixed")).toEqual([]);
    expect(
      result.findings
        .filter((f) => f.resource === "aws_vpc_security_group_egress_rule.all_out")
        .map((f) => `${f.status} ${f.rule} ${f.subject}`)
        .sort(),
    ).toEqual([
      "existing TG-NET-006 aws_default_security_group.web",
      "existing TG-NET-007 aws_default_security_group.web",
    ]);
    expect(result.code).toBe(0);
  });

  it("keeps a network ACL's open SSH entry existing when it becomes an aws_network_acl_rule", async () => {
    await withTempDir("acl-rules", async (dir) => {
      const entry = (indent: string) =>
        [
          'protocol   = "tcp"',
          "from_port  = 22",
          "to_port    = 22",
          'cidr_block = "0.0.0.0/0"',
        ].map((line) => indent + line);
      const acl = (ingress: string[]) =>
        [
          'resource "aws_network_acl" "public" {',
          '  vpc_id = "vpc-0123456789abcdef0"',
          ...ingress,
          "}",
          "",
        ].join("\n");
      const base = acl([
        "  ingress {",
        "    rule_no    = 100",
        '    action     = "allow"',
        ...entry("    "),
        "  }",
      ]);
      const head = [
        acl([]),
        'resource "aws_network_acl_rule" "ssh" {',
        "  network_acl_id = aws_network_acl.public.id",
        "  rule_number    = 100",
        '  rule_action    = "allow"',
        ...entry("  "),
        "}",
        "",
      ].join("\n");
      await writeFiles(dir, { "base/main.tf": base, "head/main.tf": head });
      const result = await run([
        "diff",
        "--base-dir",
        path.join(dir, "base"),
        "--head-dir",
        path.join(dir, "head"),
        "--format",
        "json",
      ]);
      const findings = findingsOf(result.stdout);
      expect(findings.map((f) => `${f.status} ${f.rule} ${f.resource} ${f.evidence}`)).toEqual([
        "existing TG-NET-008 aws_network_acl_rule.ssh tcp/22 from 0.0.0.0/0",
      ]);
      expect(result.code).toBe(0);
    });
  });
});

describe("tollgate diff between git refs puts a new finding on the changed line that decided it", () => {
  /**
   * A repository in `dir` whose first commit is the app fixture `fixture/base`, and whose second is
   * it with `edits` (path to the new text, undefined to delete) applied, as the PR check sees them.
   */
  const twoCommits = async (
    dir: string,
    fixture: string,
    edits: Record<string, (text: string) => string | undefined>,
  ) => {
    const git = (...args: string[]) =>
      execFileSync(
        "git",
        ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
        { encoding: "utf8" },
      );
    await cp(path.join(repoRoot, "test/app/fixtures", fixture, "base"), dir, { recursive: true });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "base");
    for (const [file, edit] of Object.entries(edits)) {
      const text = edit(await readFile(path.join(dir, file), "utf8").catch(() => ""));
      if (text === undefined) await rm(path.join(dir, file));
      else await writeFile(path.join(dir, file), text);
    }
    /** The working tree against the base commit before `commit`, the two commits after. */
    const diff = (format: string, head = true) =>
      run(
        [
          "diff",
          "--base",
          head ? "main~1" : "main",
          ...(head ? ["--head", "main"] : []),
          "--format",
          format,
        ],
        dir,
      );
    const commit = () => {
      git("add", "-A", ".");
      git("commit", "-qm", "head");
    };
    return { diff, commit };
  };

  it("a module call's count a tfvars value turned on: the findings are on terraform.tfvars:1", async () => {
    await withTempDir("decided", async (dir) => {
      const { diff, commit } = await twoCommits(dir, "module_count", {
        "terraform.tfvars": (text) => text.replace("false", "true"),
      });
      const readBy = "the count of module.logs, which creates the resource";
      const bucket = { file: "modules/bucket/main.tf", line: 5, endLine: 7 };
      const expected = [
        ["TG-ENC-018", "terraform.tfvars", 1, readBy, bucket],
        ["TG-LOG-006", "terraform.tfvars", 1, readBy, bucket],
      ];
      expect(located((await diff("json", false)).stdout)).toEqual(expected);
      commit();
      const json = await diff("json");
      expect(json.code).toBe(0);
      expect(located(json.stdout)).toEqual(expected);

      const text = (await diff("text")).stdout.split("\n");
      expect(text.filter((line) => /^\S+:\d+: /.test(line))).toEqual([
        `terraform.tfvars:1: medium TG-ENC-018 S3 bucket does not deny insecure transport [new, advisory] (finding at modules/bucket/main.tf:5; this changed line is read by ${readBy})`,
        `terraform.tfvars:1: low TG-LOG-006 S3 bucket without server access logging [new, advisory] (finding at modules/bucket/main.tf:5; this changed line is read by ${readBy})`,
      ]);

      const sarif = JSON.parse((await diff("sarif")).stdout) as {
        runs: { results: Record<string, unknown>[] }[];
      };
      const region = (file: string, startLine: number, endLine: number) => ({
        physicalLocation: {
          artifactLocation: { uri: file, uriBaseId: "%SRCROOT%" },
          region: { startLine, endLine },
        },
      });
      const [result] = sarif.runs[0]!.results;
      expect(result).toMatchObject({
        ruleId: "TG-ENC-018",
        locations: [region("terraform.tfvars", 1, 1)],
        relatedLocations: [{ id: 1, ...region("modules/bucket/main.tf", 5, 7) }],
      });
      expect(result!.message).toMatchObject({
        text: expect.stringMatching(new RegExp(`This changed line is read by ${readBy}\\.$`)),
      });

      const markdown = (await diff("markdown")).stdout.split("\n");
      const item = markdown.findIndex((line) => line.startsWith("- **MEDIUM** `TG-ENC-018`"));
      expect(markdown.slice(item, item + 2)).toEqual([
        "- **MEDIUM** `TG-ENC-018` S3 bucket does not deny insecure transport — `module.logs[0].aws_s3_bucket.this` at `terraform.tfvars:1` (advisory)",
        `  This changed line is read by ${readBy}. The value is written at \`modules/bucket/main.tf:5\`.`,
      ]);

      // tollgate scan has no change to compare: the findings stay in the module.
      const scanned = await run(["scan", ".", "--format", "json"], dir);
      const scannedAt = (JSON.parse(scanned.stdout) as { findings: JsonFinding[] }).findings.map(
        (f) => `${f.rule} ${f.file}:${f.line}`,
      );
      expect(scannedAt).toEqual(
        expect.arrayContaining([
          "TG-ENC-018 modules/bucket/main.tf:5",
          "TG-LOG-006 modules/bucket/main.tf:5",
        ]),
      );
    });
  });

  it("a CloudFormation parameter Default a Fn::If's condition reads: the finding is on that Default", async () => {
    await withTempDir("decided", async (dir) => {
      const { diff, commit } = await twoCommits(dir, "cfn_if", {
        "stack.yaml": (text) => text.replace('Default: "no"', 'Default: "yes"'),
      });
      commit();
      const readBy = "the resource's SecurityGroupIngress/0/CidrIp";
      const json = await diff("json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        ["TG-NET-001", "stack.yaml", 5, readBy, { file: "stack.yaml", line: 17, endLine: 17 }],
      ]);
      const text = (await diff("text")).stdout.split("\n");
      expect(text.filter((line) => /^\S+:\d+: /.test(line))).toEqual([
        `stack.yaml:5: high TG-NET-001 SSH open to the internet [new, blocking] (finding at stack.yaml:17; this changed line is read by ${readBy})`,
      ]);
    });
  });

  it("a key added to a locals map a rule's for_each iterates: the finding is on that entry", async () => {
    await withTempDir("decided", async (dir) => {
      const { diff, commit } = await twoCommits(dir, "for_each", {
        "locals.tf": (text) => text.replace("    ssh = 22\n", "    ssh = 22\n    rdp = 3389\n"),
      });
      commit();
      const result = await diff("json");
      expect(result.code).toBe(1);
      // The cidr is a variable default (variables.tf:3) the change did not touch.
      expect(located(result.stdout)).toEqual([
        [
          "TG-NET-002",
          "locals.tf",
          4,
          "the resource's for_each",
          { file: "variables.tf", line: 3, endLine: 3 },
        ],
      ]);
    });
  });

  it("a changed line that did not decide the finding is not used: it stays on its own line", async () => {
    // Logs on at base, the bucket's access logging in a file of its own. The head deletes that
    // file (no line added) and adds a comment below the tfvars entry the module call's count reads.
    await withTempDir("decided", async (dir) => {
      const { diff, commit } = await twoCommits(dir, "module_count", {
        "terraform.tfvars": () => "enable_logs = true\n",
        "modules/bucket/logging.tf": () =>
          'resource "aws_s3_bucket_logging" "this" {\n  bucket        = aws_s3_bucket.this.id\n  target_bucket = "central-logs"\n}\n',
      });
      commit();
      await rm(path.join(dir, "modules/bucket/logging.tf"));
      await writeFile(path.join(dir, "terraform.tfvars"), "enable_logs = true\n# audit logs\n");
      commit();
      const result = await diff("json");
      expect(result.code).toBe(0);
      expect(located(result.stdout)).toEqual([
        ["TG-LOG-006", "modules/bucket/main.tf", 5, undefined, undefined],
      ]);
    });
  });
});

describe("tollgate diff with Terraform -var-files (explore-tf s26-varfile)", () => {
  /** A bastion whose SSH sources are `var.ssh_cidrs`, no default: only a var-file decides them. */
  const bastion = [
    'variable "ssh_cidrs" {',
    "  type = list(string)",
    "}",
    "",
    'resource "aws_security_group" "bastion" {',
    '  name   = "bastion"',
    '  vpc_id = "vpc-1"',
    "  ingress {",
    "    from_port   = 22",
    "    to_port     = 22",
    '    protocol    = "tcp"',
    "    cidr_blocks = var.ssh_cidrs",
    "  }",
    "}",
    "",
  ].join("\n");
  const sides = (headStaging: string) => ({
    "base/main.tf": bastion,
    "base/staging.tfvars": 'ssh_cidrs = ["10.0.0.0/8"]\n',
    "base/tfvars/prod.tfvars": 'ssh_cidrs = ["10.0.0.0/8"]\n',
    "head/main.tf": bastion,
    "head/staging.tfvars": headStaging,
    "head/tfvars/prod.tfvars": 'ssh_cidrs = ["10.0.0.0/8"]\n',
  });
  const opened = 'ssh_cidrs = ["0.0.0.0/0"]\n';
  const diffWith = (dir: string, extra: string[]) =>
    run([
      "diff",
      ...["--base-dir", path.join(dir, "base"), "--head-dir", path.join(dir, "head")],
      ...["--format", "json", ...extra],
    ]);
  const outcome = (result: { code: number; stdout: string }) => {
    const report = JSON.parse(result.stdout) as {
      findings: (JsonFinding & { status: string; waived: { reason: string } | null })[];
      errors: { file: string; code: string }[];
    };
    return {
      code: result.code,
      findings: report.findings.map((f) => [
        f.status,
        f.rule,
        f.file,
        f.line,
        f.waived?.reason ?? null,
      ]),
      errors: report.errors.map((e) => `${e.file}: ${e.code}`),
    };
  };

  it("blocks SSH a change to the named var-file opens, on its line, read at base and head alike", async () => {
    await withTempDir("var-file", async (dir) => {
      await writeFiles(dir, {
        ...sides(opened),
        "tollgate.yml": "terraform:\n  var_files:\n    .: [staging.tfvars]\n",
      });
      const blocked = {
        code: 1,
        findings: [["new", "TG-NET-001", "staging.tfvars", 1, null]],
        errors: [],
      };
      expect(outcome(await diffWith(dir, ["--var-file", "staging.tfvars"]))).toEqual(blocked);
      expect(outcome(await diffWith(dir, ["--config", path.join(dir, "tollgate.yml")]))).toEqual(
        blocked,
      );
      // Without it (Terraform reads no such file on its own) and with the unchanged prod file.
      expect(outcome(await diffWith(dir, []))).toEqual({ code: 0, findings: [], errors: [] });
      expect(outcome(await diffWith(dir, ["--var-file", "tfvars/prod.tfvars"]))).toEqual({
        code: 0,
        findings: [],
        errors: [],
      });
    });
  });

  it("inspects a root with the var-file a scan would read, and lists one no root has", async () => {
    await withTempDir("var-file-inspect", async (dir) => {
      await writeFiles(dir, sides(opened));
      const inspected = async (extra: string[]) => {
        const result = await run(["inspect", path.join(dir, "head"), "--format", "json", ...extra]);
        const report = JSON.parse(result.stdout) as {
          input: { resources: { config: { ingress: { cidr_blocks: unknown }[] } }[] };
          errors: { file: string; code: string }[];
        };
        return {
          code: result.code,
          cidrs: report.input.resources[0]?.config.ingress[0]?.cidr_blocks,
          errors: report.errors.map((e) => `${e.file}: ${e.code}`),
        };
      };
      expect(await inspected(["--var-file", "staging.tfvars"])).toEqual({
        code: 0,
        cidrs: ["0.0.0.0/0"],
        errors: [],
      });
      expect(
        await inspected(["--var-file", "staging.tfvars", "--var-file", "tfvars/prod.tfvars"]),
      ).toEqual({ code: 0, cidrs: ["10.0.0.0/8"], errors: [] });
      expect(await inspected([])).toEqual({
        code: 0,
        cidrs: { $unknown: "var.ssh_cidrs" },
        errors: [],
      });
      expect(await inspected(["--var-file", "prod.tfvars"])).toEqual({
        code: 0,
        cidrs: { $unknown: "var.ssh_cidrs" },
        errors: ["prod.tfvars: terraform-missing-variable-file"],
      });
    });
  });

  it("fails closed on a var-file no root has, and honours a waiver above the value", async () => {
    await withTempDir("var-file-errors", async (dir) => {
      await writeFiles(dir, {
        ...sides(
          '# tollgate:ignore TG-NET-001 reason="staging bastion" expires=2099-01-31\n' + opened,
        ),
      });
      expect(outcome(await diffWith(dir, ["--var-file", "prod.tfvars"]))).toMatchObject({
        code: 1,
        errors: ["prod.tfvars: terraform-missing-variable-file"],
      });
      expect(outcome(await diffWith(dir, ["--var-file", "staging.tfvars"]))).toEqual({
        code: 0,
        findings: [["new", "TG-NET-001", "staging.tfvars", 2, "staging bastion"]],
        errors: [],
      });
    });
  });
});

describe("tollgate diff between folders puts a new finding on the changed line that decided it", () => {
  /**
   * A bastion whose ingress (line 13, or 14 with a default) opens SSH to the internet when
   * `public_ssh` is on.
   */
  const bastion = (publicSsh?: boolean) =>
    [
      'variable "public_ssh" {',
      "  type    = bool",
      ...(publicSsh === undefined ? [] : [`  default = ${publicSsh}`]),
      "}",
      "",
      'resource "aws_security_group" "bastion" {',
      '  name        = "bastion"',
      '  description = "SSH to the bastion"',
      "",
      "  ingress {",
      "    from_port   = 22",
      "    to_port     = 22",
      '    protocol    = "tcp"',
      '    cidr_blocks = var.public_ssh ? ["0.0.0.0/0"] : ["10.20.0.0/16"]',
      "  }",
      "}",
      "",
    ].join("\n");
  const tfvars = (publicSsh: boolean) =>
    `# Who may reach the bastion over SSH.\n\npublic_ssh = ${publicSsh}\n`;
  const readBy = "the resource's ingress";

  it("a tfvars value that opens SSH: the finding is on that line in every format", async () => {
    await withTempDir("dir-decided", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bastion(),
        "base/terraform.tfvars": tfvars(false),
        "head/main.tf": bastion(),
        "head/terraform.tfvars": tfvars(true),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        ["TG-NET-001", "terraform.tfvars", 3, readBy, { file: "main.tf", line: 13, endLine: 13 }],
      ]);

      const text = (await diffDirs(dir, "text")).stdout.split("\n");
      expect(text.filter((line) => /^\S+:\d+: /.test(line))).toEqual([
        `terraform.tfvars:3: high TG-NET-001 SSH open to the internet [new, blocking] (finding at main.tf:13; this changed line is read by ${readBy})`,
      ]);

      const sarif = JSON.parse((await diffDirs(dir, "sarif")).stdout) as {
        runs: { results: Record<string, unknown>[] }[];
      };
      const region = (file: string, line: number) => ({
        physicalLocation: {
          artifactLocation: { uri: file, uriBaseId: "%SRCROOT%" },
          region: { startLine: line, endLine: line },
        },
      });
      expect(sarif.runs[0]!.results).toMatchObject([
        {
          ruleId: "TG-NET-001",
          locations: [region("terraform.tfvars", 3)],
          relatedLocations: [{ id: 1, ...region("main.tf", 13) }],
          message: {
            text: expect.stringMatching(new RegExp(`This changed line is read by ${readBy}\\.$`)),
          },
        },
      ]);

      const markdown = (await diffDirs(dir, "markdown")).stdout.split("\n");
      const item = markdown.findIndex((line) => line.startsWith("- **HIGH** `TG-NET-001`"));
      expect(markdown.slice(item, item + 2)).toEqual([
        "- **HIGH** `TG-NET-001` SSH open to the internet — `aws_security_group.bastion` at `terraform.tfvars:3` (**blocks merge**)",
        `  This changed line is read by the resource's ingress. The value is written at \`main.tf:13\`.`,
      ]);
    });
  });

  it("an inline ingress whose port the PR widens: every format puts it on the port line, as the app does", async () => {
    // to_port 22 -> 3389 (line 5); the cidr_blocks line 7 the finding is written at is unchanged.
    const group = (toPort: number) =>
      [
        'resource "aws_security_group" "this" {', // 1
        '  name = "admin"', // 2
        "  ingress {", // 3
        "    from_port   = 22", // 4
        `    to_port     = ${toPort}`, // 5
        '    protocol    = "tcp"', // 6
        '    cidr_blocks = ["0.0.0.0/0"]', // 7
        "  }", // 8
        "}", // 9
        "",
      ].join("\n");
    await withTempDir("dir-decided", async (dir) => {
      await writeFiles(dir, { "base/main.tf": group(22), "head/main.tf": group(3389) });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      const written = { file: "main.tf", line: 7, endLine: 7 };
      expect(located(json.stdout).sort()).toEqual(
        ["TG-NET-001", "TG-NET-002", "TG-NET-003"].map((rule) => [
          rule,
          "main.tf",
          5,
          undefined,
          written,
        ]),
      );

      const text = (await diffDirs(dir, "text")).stdout.split("\n");
      expect(text.filter((line) => /^\S+:\d+: /.test(line))[0]).toBe(
        "main.tf:5: high TG-NET-001 SSH open to the internet [new, blocking] (finding at main.tf:7)",
      );

      const sarif = JSON.parse((await diffDirs(dir, "sarif")).stdout) as {
        runs: { results: { locations: { physicalLocation: { region: object } }[] }[] }[];
      };
      expect(sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region)).toEqual(
        Array(3).fill({ startLine: 5, endLine: 5 }),
      );

      const markdown = (await diffDirs(dir, "markdown")).stdout.split("\n");
      const item = markdown.findIndex((line) => line.startsWith("- **HIGH** `TG-NET-001`"));
      expect(markdown.slice(item, item + 2)).toEqual([
        "- **HIGH** `TG-NET-001` SSH open to the internet — `aws_security_group.this` at `main.tf:5` (**blocks merge**)",
        "  The value is written at `main.tf:7`.",
      ]);
    });
  });

  it("line endings alone change no line: main.tf in CRLF without a final newline", async () => {
    await withTempDir("dir-decided", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bastion(),
        "base/terraform.tfvars": tfvars(false),
        "head/main.tf": bastion().replace(/\n$/, "").replace(/\n/g, "\r\n"),
        "head/terraform.tfvars": tfvars(true).replace(/\n/g, "\r\n"),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        ["TG-NET-001", "terraform.tfvars", 3, readBy, { file: "main.tf", line: 13, endLine: 13 }],
      ]);
    });
  });

  it("a renamed file with an edit: the finding is on the edited line of the file at its new name", async () => {
    // main.tf becomes bastion.tf with public_ssh's default turned on (line 3); the rest is as it was.
    await withTempDir("dir-decided", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": bastion(false),
        "head/bastion.tf": bastion(true),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        ["TG-NET-001", "bastion.tf", 3, readBy, { file: "bastion.tf", line: 14, endLine: 14 }],
      ]);
    });
  });

  it("a CloudFormation parameter Default a decided Fn::If's !Ref takes: the finding is on that Default, a waiver on the !If line covers it", async () => {
    /** SSH from `AdminCidr` (Default at line 5) while `Open` (Default at line 8) is "yes". */
    const stack = (adminCidr: string, open: string, waiver = "") =>
      [
        "Parameters:", // 1
        "  AdminCidr:", // 2
        "    Type: String", // 3
        "    Description: who may reach the bastion", // 4
        `    Default: ${adminCidr}`, // 5
        "  Open:", // 6
        "    Type: String", // 7
        `    Default: "${open}"`, // 8
        "Conditions:", // 9
        '  IsOpen: !Equals [!Ref Open, "yes"]', // 10
        "Resources:", // 11
        "  Bastion:", // 12
        "    Type: AWS::EC2::SecurityGroup", // 13
        "    Properties:", // 14
        "      GroupDescription: bastion", // 15
        "      SecurityGroupIngress:", // 16
        "        - IpProtocol: tcp", // 17
        "          FromPort: 22", // 18
        "          ToPort: 22", // 19
        `          CidrIp: !If [IsOpen, !Ref AdminCidr, 10.0.0.0/8]${waiver}`, // 20
        "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]", // 21
        "",
      ].join("\n");
    const cidrIp = "the resource's SecurityGroupIngress/0/CidrIp";
    await withTempDir("dir-decided", async (dir) => {
      // Only AdminCidr's Default widens: the finding is on it, where the value is written.
      await writeFiles(dir, {
        "base/stack.yaml": stack("10.1.0.0/16", "yes"),
        "head/stack.yaml": stack("0.0.0.0/0", "yes"),
      });
      const widened = await diffDirs(dir, "json");
      expect(widened.code).toBe(1);
      expect(located(widened.stdout)).toEqual([
        ["TG-NET-001", "stack.yaml", 5, undefined, undefined],
      ]);

      // A waiver on the line that reads it still applies there.
      const reason = ' # tollgate:ignore TG-NET-001 reason="bastion, SEC-12"';
      await writeFiles(dir, { "head/stack.yaml": stack("0.0.0.0/0", "yes", reason) });
      const waived = await diffDirs(dir, "json");
      expect(waived.code).toBe(0);
      const { findings } = JSON.parse(waived.stdout) as {
        findings: (JsonFinding & { waived: unknown })[];
      };
      expect(findings.map((f) => [f.rule, f.line, f.status, f.waived])).toEqual([
        ["TG-NET-001", 5, "new", { reason: "bastion, SEC-12", written: "inline" }],
      ]);

      // Only Open's Default changes: the finding is on it, read by the condition IsOpen chose.
      await writeFiles(dir, {
        "base/stack.yaml": stack("0.0.0.0/0", "no"),
        "head/stack.yaml": stack("0.0.0.0/0", "yes"),
      });
      const opened = await diffDirs(dir, "json");
      expect(located(opened.stdout)).toEqual([
        ["TG-NET-001", "stack.yaml", 8, cidrIp, { file: "stack.yaml", line: 5, endLine: 5 }],
      ]);
    });
  });

  it("a CloudFormation Default a decided Fn::If reads inside one branch of an undecided one: the finding under that branch is on it", async () => {
    /** HttpTokens chosen by IsStrict (Strict's Default at line 4) when Undecided. */
    const stack = (strict: string) =>
      [
        "Parameters:", // 1
        "  Strict:", // 2
        "    Type: String", // 3
        `    Default: "${strict}"`, // 4
        "  Given:", // 5
        "    Type: String", // 6
        "Conditions:", // 7
        '  IsStrict: !Equals [!Ref Strict, "yes"]', // 8
        '  Undecided: !Equals [!Ref Given, "x"]', // 9
        "Resources:", // 10
        "  Template:", // 11
        "    Type: AWS::EC2::LaunchTemplate", // 12
        "    Properties:", // 13
        "      LaunchTemplateData:", // 14
        "        MetadataOptions: !If", // 15
        "          - Undecided", // 16
        "          - HttpTokens: !If [IsStrict, required, optional]", // 17
        "            HttpEndpoint: enabled", // 18
        "          - HttpTokens: required", // 19
        "",
      ].join("\n");
    await withTempDir("dir-decided", async (dir) => {
      await writeFiles(dir, { "base/stack.yaml": stack("yes"), "head/stack.yaml": stack("no") });
      const json = await diffDirs(dir, "json");
      expect(located(json.stdout)).toEqual([
        [
          "TG-IAM-019",
          "stack.yaml",
          4,
          "the resource's LaunchTemplateData/MetadataOptions/HttpTokens",
          { file: "stack.yaml", line: 15, endLine: 19 },
        ],
      ]);
    });
  });
});

describe("tollgate diff on a pull request that edits only a file Terraform decodes", () => {
  const webModule = `locals {
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
  const rules = (sshFrom: string[]) =>
    [
      "# Who may reach the web tier.",
      "ingress:",
      "  - description: HTTPS from anywhere",
      "    port: 443",
      "    cidrs:",
      "      - 0.0.0.0/0",
      "  - description: SSH from the office",
      "    port: 22",
      "    cidrs:",
      ...sshFrom.map((cidr) => `      - ${cidr}`),
      "",
    ].join("\n");
  const root = 'module "web" {\n  source = "../../modules/web"\n}\n';

  it("puts SSH opened in rules.yaml on the YAML line that opens it, for the root calling the module", async () => {
    await withTempDir("decoded-yaml", async (dir) => {
      await writeFiles(dir, {
        "base/envs/prod/main.tf": root,
        "base/modules/web/main.tf": webModule,
        "base/modules/web/rules.yaml": rules(["203.0.113.0/24"]),
        "head/envs/prod/main.tf": root,
        "head/modules/web/main.tf": webModule,
        "head/modules/web/rules.yaml": rules(["203.0.113.0/24", "0.0.0.0/0"]),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(
        findingsOf(json.stdout).map((f) => [f.rule, f.status, f.file, f.line, f.resource]),
      ).toEqual([
        ["TG-NET-001", "new", "modules/web/rules.yaml", 11, "module.web.aws_security_group.web"],
      ]);
      const text = (await diffDirs(dir, "text")).stdout.split("\n");
      expect(text.filter((line) => /^\S+:\d+: /.test(line))).toEqual([
        "modules/web/rules.yaml:11: high TG-NET-001 SSH open to the internet [new, blocking]",
      ]);
    });
  });

  it("puts an action added to a JSON policy jsondecode reads on that policy's line", async () => {
    const iam = `locals {
  deploy = jsondecode(file("\${path.module}/policies/deploy.json"))
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = jsonencode(local.deploy)
}
`;
    const policy = (actions: string[]) =>
      JSON.stringify(
        {
          Version: "2012-10-17",
          Statement: [{ Sid: "Deploy", Effect: "Allow", Action: actions, Resource: "*" }],
        },
        null,
        2,
      ) + "\n";
    await withTempDir("decoded-json", async (dir) => {
      await writeFiles(dir, {
        "base/iam/main.tf": iam,
        "base/iam/policies/deploy.json": policy(["cloudfront:CreateInvalidation"]),
        "head/iam/main.tf": iam,
        "head/iam/policies/deploy.json": policy(["cloudfront:CreateInvalidation", "iam:PassRole"]),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(
        findingsOf(json.stdout)
          .filter((f) => f.status === "new")
          .map((f) => [f.rule, f.file, f.line]),
      ).toEqual([["TG-IAM-006", "iam/policies/deploy.json", 9]]);
    });
  });
});

describe("tollgate reads a CSV file Terraform decodes, though no walk reads a .csv", () => {
  const webModule = `locals {
  rules = csvdecode(file("\${path.module}/rules.csv"))
}

resource "aws_security_group_rule" "in" {
  for_each          = { for rule in local.rules : rule.name => rule }
  type              = "ingress"
  security_group_id = "sg-123"
  from_port         = each.value.port
  to_port           = each.value.port
  protocol          = "tcp"
  cidr_blocks       = [each.value.cidr]
}
`;
  const rules = (sshFrom: string) => `name,port,cidr\nhttps,443,0.0.0.0/0\nssh,22,${sshFrom}\n`;
  const root = 'module "web" {\n  source = "../../modules/web"\n}\n';
  const located = (stdout: string) =>
    findingsOf(stdout).map((f) => [f.rule, f.status ?? "", f.file, f.line]);

  it("scans, and diffs the working tree and refs, on the CSV line that opens SSH", async () => {
    await withTempDir("decoded-csv", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      await writeFiles(dir, {
        "envs/prod/main.tf": root,
        "modules/web/main.tf": webModule,
        "modules/web/rules.csv": rules("203.0.113.0/24"),
      });
      git("init", "-q", "-b", "main");
      git("add", "envs", "modules");
      git("commit", "-qm", "base");
      await writeFiles(dir, { "modules/web/rules.csv": rules("0.0.0.0/0") });
      const scan = await run(["scan", "envs/prod", "--format", "json"], dir);
      expect(scan.code).toBe(1);
      expect(located(scan.stdout)).toEqual([["TG-NET-001", "new", "modules/web/rules.csv", 3]]);
      const worktree = await run(["diff", "--base", "main", "--format", "json"], dir);
      expect(located(worktree.stdout)).toEqual([["TG-NET-001", "new", "modules/web/rules.csv", 3]]);
      git("commit", "-qam", "open SSH");
      const refs = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(located(refs.stdout)).toEqual(located(worktree.stdout));
      expect(refs.code).toBe(1);
    });
  });

  it("leaves the values of a CSV over the size limit or not UTF-8 unknown, with a warning on the file", async () => {
    await withTempDir("unread-csv", async (dir) => {
      const big = "name,port,cidr\n" + "ssh,22,0.0.0.0/0\n".repeat(130_000);
      await writeFiles(dir, {
        "big/main.tf": webModule,
        "big/rules.csv": big,
        // Checked for, never read: no warning however large.
        "big/lambda.tf": 'locals {\n  zip = fileexists("lambda.zip")\n}\n',
        "big/lambda.zip": "PK".repeat(1_100_000),
        "latin1/main.tf": webModule,
      });
      await writeFile(
        path.join(dir, "latin1/rules.csv"),
        Buffer.from("name,port,cidr\ncaf\xe9,22,0.0.0.0/0\n", "latin1"),
      );
      const scan = await run(["scan", "big", "latin1", "--format", "json"], dir);
      const report = JSON.parse(scan.stdout) as {
        findings: unknown[];
        errors: unknown[];
        warnings: { file: string; line: number; code: string }[];
      };
      expect(scan.code).toBe(0);
      expect(report.findings).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(report.warnings.map((w) => [w.file, w.line, w.code])).toEqual([
        ["big/rules.csv", 1, "file-too-large"],
        ["latin1/rules.csv", 2, "invalid-utf8"],
      ]);
    });
  });
});

describe("tollgate warns of a literal CSV path the repository lacks", () => {
  it("reports terraform-missing-file on the call in scan and in a diff of refs, not for a file over the size limit", async () => {
    await withTempDir("missing-csv", async (dir) => {
      const reader = 'locals {\n  rules = csvdecode(file("${path.module}/rules.csv"))\n}\n';
      await writeFiles(dir, {
        "missing/main.tf": reader,
        "big/main.tf": reader,
        "big/rules.csv": "name,port\n" + "ssh,22\n".repeat(320_000),
      });
      // A build step may make a data file before plan: a warning, not a scan error.
      type Report = Record<"errors" | "warnings", { file: string; line: number; code: string }[]>;
      const problemsOf = (stdout: string) => {
        const report = JSON.parse(stdout) as Report;
        return {
          errors: report.errors.map((e) => [e.file, e.line, e.code]),
          warnings: report.warnings.map((e) => [e.file, e.line, e.code]),
        };
      };
      // A file over the 2 MiB limit is listed, so never called missing: its own warning only.
      const expected = {
        errors: [],
        warnings: [
          ["big/rules.csv", 1, "file-too-large"],
          ["missing/main.tf", 2, "terraform-missing-file"],
        ],
      };
      const scan = await run(["scan", "missing", "big", "--format", "json"], dir);
      expect(problemsOf(scan.stdout)).toEqual(expected);
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      git("init", "-q", "-b", "main");
      git("add", "missing", "big");
      git("commit", "-qm", "base");
      await writeFiles(dir, { "missing/other.tf": "# changed\n" });
      git("add", "missing/other.tf");
      git("commit", "-qm", "head");
      const refs = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(problemsOf(refs.stdout)).toEqual(expected);
    });
  });
});

describe("tollgate diff puts each finding two changed entries of one local make on its own entry", () => {
  const groups = (ports: [number, number], cidrs: [string, string]) => `locals {
  ports = {
    ssh = ${ports[0]}
    rdp = ${ports[1]}
  }
  admin = {
    ssh_cidr = "${cidrs[0]}"
    rdp_cidr = "${cidrs[1]}"
  }
}

resource "aws_security_group" "ports" {
  name        = "ports"
  description = "One rule per port"

  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.ports.id
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
  cidr_ipv4         = local.admin.ssh_cidr
}

resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = aws_security_group.ports.id
  from_port         = 3389
  to_port           = 3389
  ip_protocol       = "tcp"
  cidr_ipv4         = local.admin.rdp_cidr
}
`;

  it("both ports of a map opened, both CIDRs of an object opened: four findings, four lines", async () => {
    await withTempDir("two-entries", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": groups([8022, 8389], ["10.0.0.0/8", "10.1.0.0/16"]),
        "head/main.tf": groups([22, 3389], ["0.0.0.0/0", "0.0.0.0/0"]),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(
        findingsOf(json.stdout)
          .filter((f) => f.status === "new")
          .map((f) => [f.rule, f.line, f.resource])
          .sort((a, b) => Number(a[1]) - Number(b[1])),
      ).toEqual([
        ["TG-NET-001", 3, "aws_security_group.ports"],
        ["TG-NET-002", 4, "aws_security_group.ports"],
        ["TG-NET-001", 7, "aws_vpc_security_group_ingress_rule.ssh"],
        ["TG-NET-002", 8, "aws_vpc_security_group_ingress_rule.rdp"],
      ]);
    });
  });
});

describe("tollgate diff on a pull request that edits only a policy file a fileset() lists (explore-tf r15)", () => {
  const iam = `resource "aws_iam_policy" "p" {
  for_each = fileset("\${path.module}/policies", "*.json")
  name     = trimsuffix(each.value, ".json")
  policy   = file("\${path.module}/policies/\${each.value}")
}
`;
  const policy = (actions: string[]) =>
    JSON.stringify(
      { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] },
      null,
      2,
    ) + "\n";

  it("reads every file it lists and puts the new finding on the changed policy's line", async () => {
    await withTempDir("fileset-policies", async (dir) => {
      await writeFiles(dir, {
        "base/iam/main.tf": iam,
        "base/iam/policies/reader.json": policy(["s3:GetObject"]),
        "base/iam/policies/writer.json": policy(["s3:PutObject"]),
        "base/iam/policies/README.md": "Not a policy.\n",
        "head/iam/main.tf": iam,
        "head/iam/policies/reader.json": policy(["s3:GetObject", "iam:*"]),
        "head/iam/policies/writer.json": policy(["s3:PutObject"]),
        "head/iam/policies/README.md": "Not a policy.\n",
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).warnings ?? []).toEqual([]);
      expect(
        findingsOf(json.stdout)
          .filter((f) => f.status === "new")
          .map((f) => [f.rule, f.file, f.line, f.resource]),
      ).toEqual([["TG-IAM-006", "iam/policies/reader.json", 8, 'aws_iam_policy.p["reader.json"]']]);
    });
  });
});

describe("tollgate reads the data files a file() call with a computed path may read", () => {
  // The rules are CSV files a fileset() lists and file() reads by a path built from each name: no
  // literal path names them, and no walk reads a .csv on its own.
  const group = `resource "aws_security_group" "web" {
  name = "web"
  dynamic "ingress" {
    for_each = flatten([for f in fileset(path.module, "rules/*.csv") : csvdecode(file("\${path.module}/\${f}"))])
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
`;
  const base = { "main.tf": group, "rules/web.csv": "port,cidr\n443,10.0.0.0/8\n" };
  const head = {
    "main.tf": group,
    "rules/web.csv": "port,cidr\n443,10.0.0.0/8\n3389,0.0.0.0/0\n",
    "rules/ssh.csv": "port,cidr\n22,0.0.0.0/0\n",
  };
  const expected = [
    ["TG-NET-001", "rules/ssh.csv", 2],
    ["TG-NET-002", "rules/web.csv", 3],
  ];
  const newFindings = (stdout: string) =>
    findingsOf(stdout)
      .filter((f) => f.status === "new")
      .map((f) => [f.rule, f.file, f.line])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  it("between git refs and in the working tree, on the rows a pull request adds", async () => {
    await withTempDir("computed-reads", async (dir) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      git("init", "-q", "-b", "main");
      await writeFiles(dir, base);
      git("add", ".");
      git("commit", "-qm", "base");
      await writeFiles(dir, head);
      const tree = await run(["diff", "--base", "main", "--format", "json"], dir);
      expect(tree.code).toBe(1);
      expect(newFindings(tree.stdout)).toEqual(expected);
      git("add", ".");
      git("commit", "-qm", "head");
      const refs = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        dir,
      );
      expect(refs.code).toBe(1);
      expect(newFindings(refs.stdout)).toEqual(expected);
    });
  });

  it("between folders", async () => {
    await withTempDir("computed-reads", async (dir) => {
      await writeFiles(
        dir,
        Object.fromEntries([
          ...Object.entries(base).map(([name, text]) => [`base/${name}`, text]),
          ...Object.entries(head).map(([name, text]) => [`head/${name}`, text]),
        ]),
      );
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(newFindings(json.stdout)).toEqual(expected);
    });
  });
});

describe("tollgate diff between folders puts a new finding on what decided it before an unrelated edit of its block", () => {
  /** An SSH rule whose CidrIp a Mapping entry (line 6) decides; GroupDescription at line 11. */
  const mapped = (cidr: string, description: string) =>
    [
      "Parameters:", // 1
      "  Env: {Type: String, Default: prod}", // 2
      "Mappings:", // 3
      "  Net:", // 4
      "    prod:", // 5
      `      SshCidr: ${cidr}`, // 6
      "Resources:", // 7
      "  SG:", // 8
      "    Type: AWS::EC2::SecurityGroup", // 9
      "    Properties:", // 10
      `      GroupDescription: ${description}`, // 11
      "      SecurityGroupIngress:", // 12
      "        - IpProtocol: tcp", // 13
      "          FromPort: 22", // 14
      "          ToPort: 22", // 15
      "          CidrIp: !FindInMap [Net, !Ref Env, SshCidr]", // 16
      "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]", // 17
      "",
    ].join("\n");
  const placed = (stdout: string) => stdout.split("\n").filter((line) => /^\S+:\d+: /.test(line));

  it("a Mapping value the PR opens beside a new GroupDescription: on the Mapping line in every format", async () => {
    await withTempDir("dir-block-edit", async (dir) => {
      await writeFiles(dir, {
        "base/t.yaml": mapped("10.3.0.0/16", "admin"),
        "head/t.yaml": mapped("0.0.0.0/0", "admin hosts"),
      });
      const readBy = "the resource's SecurityGroupIngress/0/CidrIp";
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        ["TG-NET-001", "t.yaml", 6, readBy, { file: "t.yaml", line: 16, endLine: 16 }],
      ]);
      expect(placed((await diffDirs(dir, "text")).stdout)).toEqual([
        `t.yaml:6: high TG-NET-001 SSH open to the internet [new, blocking] (finding at t.yaml:16; this changed line is read by ${readBy})`,
      ]);
      const sarif = JSON.parse((await diffDirs(dir, "sarif")).stdout) as {
        runs: { results: { locations: { physicalLocation: { region: unknown } }[] }[] }[];
      };
      expect(sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region)).toEqual([
        { startLine: 6, endLine: 6 },
      ]);
      const markdown = (await diffDirs(dir, "markdown")).stdout;
      expect(markdown).toContain("`SG` at `t.yaml:6`");
    });
  });

  it("an item !Select picks of a CommaDelimitedList parameter: on the parameter's Default", async () => {
    const stack = (admins: string) =>
      [
        "Parameters:", // 1
        "  AdminCidrs:", // 2
        "    Type: CommaDelimitedList", // 3
        `    Default: "${admins}"`, // 4
        "Resources:", // 5
        "  SG:", // 6
        "    Type: AWS::EC2::SecurityGroup", // 7
        "    Properties:", // 8
        "      GroupDescription: admin", // 9
        "      SecurityGroupIngress:", // 10
        "        - {IpProtocol: tcp, FromPort: 5432, ToPort: 5432, CidrIp: !Select [1, !Ref AdminCidrs]}", // 11
        "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}", // 12
        "",
      ].join("\n");
    await withTempDir("dir-block-edit", async (dir) => {
      await writeFiles(dir, {
        "base/t.yaml": stack("10.1.0.0/16,10.2.0.0/16"),
        "head/t.yaml": stack("10.1.0.0/16,0.0.0.0/0").replace("10.0.0.0/8", "10.0.0.0/16"),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([["TG-NET-003", "t.yaml", 4, undefined, undefined]]);
    });
  });

  it("a literal count or for_each the PR raises: the new instance's finding is on that line", async () => {
    const volumes = (count: number, keys: string) =>
      [
        'resource "aws_ebs_volume" "scratch" {', // 1
        `  count             = ${count}`, // 2
        '  availability_zone = "eu-west-1a"', // 3
        "  size              = 10", // 4
        "  encrypted         = false", // 5
        "}", // 6
        "", // 7
        'resource "aws_ebs_volume" "shards" {', // 8
        `  for_each          = toset(${keys})`, // 9
        '  availability_zone = "eu-west-1a"', // 10
        "  size              = 10", // 11
        "  encrypted         = false", // 12
        "}", // 13
        "",
      ].join("\n");
    await withTempDir("dir-block-edit", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": volumes(1, '["a"]'),
        "head/main.tf": volumes(2, '["a", "b"]'),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        [
          "TG-ENC-002",
          "main.tf",
          2,
          "the resource's count",
          { file: "main.tf", line: 5, endLine: 5 },
        ],
        [
          "TG-ENC-002",
          "main.tf",
          9,
          "the resource's for_each",
          { file: "main.tf", line: 12, endLine: 12 },
        ],
      ]);
      expect(
        placed((await diffDirs(dir, "text")).stdout).filter((l) => l.includes("[new")),
      ).toEqual([
        "main.tf:2: high TG-ENC-002 EBS volume not encrypted [new, blocking] (finding at main.tf:5; this changed line is read by the resource's count)",
        "main.tf:9: high TG-ENC-002 EBS volume not encrypted [new, blocking] (finding at main.tf:12; this changed line is read by the resource's for_each)",
      ]);
    });
  });
});

describe("tollgate diff between folders puts a new finding on the changed line its value passed through", () => {
  const locals = 'locals {\n  open    = "0.0.0.0/0"\n  private = "10.0.0.0/8"\n}\n';
  const ingress = (port: number, cidr: string) =>
    [
      'resource "aws_security_group" "sg" {',
      '  name        = "sg"',
      '  description = "admin access"',
      "  ingress {",
      `    from_port   = ${port}`,
      `    to_port     = ${port}`,
      '    protocol    = "tcp"',
      `    cidr_blocks = [${cidr}]`,
      "  }",
      "}",
      "",
    ].join("\n");
  /** The VPC's cidr_block (main.tf:6) is local.private at base, local.open at head. */
  const vpc = (cidr: string) =>
    `${locals}resource "aws_vpc" "v" {\n  cidr_block = ${cidr}\n}\n${ingress(22, "aws_vpc.v.cidr_block")}`;
  /** The same VPC with a count (its cidr_block at main.tf:7), read through a splat. */
  const counted = (cidr: string) =>
    `${locals}resource "aws_vpc" "v" {\n  count      = 1\n  cidr_block = ${cidr}\n}\n${ingress(22, "one(aws_vpc.v[*].cidr_block)")}`;
  /** The module's cidr argument (main.tf:7), which its RDP ingress reads as var.cidr. */
  const caller = (cidr: string) =>
    `${locals}module "m" {\n  source = "./m"\n  cidr   = ${cidr}\n}\n`;
  const child = `variable "cidr" {}\n${ingress(3389, "var.cidr")}`;
  const placed = (stdout: string) => stdout.split("\n").filter((line) => /^\S+:\d+: /.test(line));
  const written = { file: "main.tf", line: 2, endLine: 2 };

  it("another resource's attribute the PR points at another local: on that attribute's line", async () => {
    await withTempDir("dir-through", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": vpc("local.private"),
        "head/main.tf": vpc("local.open"),
      });
      const readBy = "aws_vpc.v's cidr_block on its way to the resource's ingress";
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([["TG-NET-001", "main.tf", 6, readBy, written]]);
      const text = await diffDirs(dir, "text");
      expect(placed(text.stdout).filter((line) => line.includes("[new"))).toEqual([
        `main.tf:6: high TG-NET-001 SSH open to the internet [new, blocking] (finding at main.tf:2; this changed line is read by ${readBy})`,
      ]);
    });
  });

  it("an attribute of a counted resource read through a splat: on that attribute's line", async () => {
    await withTempDir("dir-through", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": counted("local.private"),
        "head/main.tf": counted("local.open"),
      });
      const readBy = "aws_vpc.v[0]'s cidr_block on its way to the resource's ingress";
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([["TG-NET-001", "main.tf", 7, readBy, written]]);
    });
  });

  it("a module call's argument the PR points at another local: on the argument's line", async () => {
    await withTempDir("dir-through", async (dir) => {
      await writeFiles(dir, {
        "base/main.tf": caller("local.private"),
        "base/m/main.tf": child,
        "head/main.tf": caller("local.open"),
        "head/m/main.tf": child,
      });
      const readBy = "module.m's cidr argument on its way to the resource's ingress";
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([["TG-NET-002", "main.tf", 7, readBy, written]]);
      const text = await diffDirs(dir, "text");
      expect(placed(text.stdout)).toEqual([
        `main.tf:7: high TG-NET-002 RDP open to the internet [new, blocking] (finding at main.tf:2; this changed line is read by ${readBy})`,
      ]);
    });
  });
});

describe("tollgate diff puts a new finding on the changed value that decided it, however it was read", () => {
  /** Rule, file and line of each new finding of a JSON report. */
  const lines = (stdout: string) =>
    located(stdout).map(([rule, file, line]) => `${String(rule)} ${String(file)}:${String(line)}`);
  /** An S3 bucket policy rendered from `document`, a data "aws_iam_policy_document" "bucket". */
  const bucketPolicy = [
    'resource "aws_s3_bucket_policy" "data" {',
    '  bucket = "acme-data"',
    "  policy = data.aws_iam_policy_document.bucket.json",
    "}",
    "",
  ].join("\n");

  it("a variable default's one principal in a policy document: on the default", async () => {
    await withTempDir("decided-var-document", async (dir) => {
      const readers = (principal: string) =>
        [
          'variable "readers" {',
          "  type    = list(string)",
          `  default = [${principal}]`,
          "}",
          'data "aws_iam_policy_document" "bucket" {',
          "  statement {",
          '    actions   = ["s3:GetObject"]',
          '    resources = ["arn:aws:s3:::acme-data/*"]',
          "    principals {",
          '      type        = "AWS"',
          "      identifiers = var.readers",
          "    }",
          "  }",
          "}",
          bucketPolicy,
        ].join("\n");
      await writeFiles(dir, {
        "base/main.tf": readers('"arn:aws:iam::111122223333:root"'),
        "head/main.tf": readers('"*"'),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(lines(json.stdout)).toEqual(["TG-IAM-010 main.tf:3"]);
    });
  });

  it("a new entry of a variable's map a dynamic statement is generated from: on the entry", async () => {
    await withTempDir("decided-var-dynamic-statement", async (dir) => {
      const grants = (entries: string[]) =>
        [
          'variable "grants" {',
          "  type = map(object({",
          "    actions    = list(string)",
          '    principals = optional(list(string), ["arn:aws:iam::111122223333:root"])',
          "  }))",
          "  default = {",
          ...entries,
          "  }",
          "}",
          'data "aws_iam_policy_document" "bucket" {',
          '  dynamic "statement" {',
          "    for_each = var.grants",
          "    content {",
          "      sid       = statement.key",
          "      actions   = statement.value.actions",
          '      resources = ["arn:aws:s3:::acme-data/*"]',
          "      principals {",
          '        type        = "AWS"',
          "        identifiers = statement.value.principals",
          "      }",
          "    }",
          "  }",
          "}",
          bucketPolicy,
        ].join("\n");
      const read = '    read = { actions = ["s3:GetObject"] }';
      await writeFiles(dir, {
        "base/main.tf": grants([read]),
        "head/main.tf": grants([
          read,
          '    public = { actions = ["s3:GetObject"], principals = ["*"] }',
        ]),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(lines(json.stdout)).toEqual(["TG-IAM-010 main.tf:8"]);
    });
  });

  it("a root policy document a module merges with compact() into its bucket policy: on the root line", async () => {
    await withTempDir("decided-module-document", async (dir) => {
      const root = (principal: string) =>
        [
          'data "aws_iam_policy_document" "extra" {',
          "  statement {",
          '    actions   = ["s3:GetObject"]',
          '    resources = ["arn:aws:s3:::acme-data/*"]',
          "    principals {",
          '      type        = "AWS"',
          `      identifiers = [${principal}]`,
          "    }",
          "  }",
          "}",
          'module "bucket" {',
          '  source = "./modules/bucket"',
          "  policy = data.aws_iam_policy_document.extra.json",
          "}",
          "",
        ].join("\n");
      const bucket = [
        'variable "policy" {',
        "  type    = string",
        "  default = null",
        "}",
        'data "aws_iam_policy_document" "tls" {',
        "  statement {",
        '    effect    = "Deny"',
        '    actions   = ["s3:*"]',
        '    resources = ["arn:aws:s3:::acme-data/*"]',
        "    principals {",
        '      type        = "*"',
        '      identifiers = ["*"]',
        "    }",
        "    condition {",
        '      test     = "Bool"',
        '      variable = "aws:SecureTransport"',
        '      values   = ["false"]',
        "    }",
        "  }",
        "}",
        'data "aws_iam_policy_document" "bucket" {',
        "  source_policy_documents = compact([",
        "    data.aws_iam_policy_document.tls.json,",
        '    var.policy != null ? var.policy : "",',
        "  ])",
        "}",
        bucketPolicy,
      ].join("\n");
      await writeFiles(dir, {
        "base/main.tf": root('"arn:aws:iam::111122223333:root"'),
        "base/modules/bucket/main.tf": bucket,
        "head/main.tf": root('"*"'),
        "head/modules/bucket/main.tf": bucket,
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(lines(json.stdout)).toEqual(["TG-IAM-010 main.tf:7"]);
    });
  });

  it("an optional() default in a variable's type: on the default, in the root and through a module", async () => {
    await withTempDir("decided-optional-default", async (dir) => {
      const ingress = (cidr: string) =>
        [
          'variable "ingress" {',
          "  type = map(object({",
          "    port        = number",
          `    cidr_blocks = optional(list(string), ["${cidr}"])`,
          "  }))",
          "  default = {",
          "    ssh = { port = 22 }",
          "  }",
          "}",
          'resource "aws_security_group" "app" {',
          '  name        = "app"',
          '  description = "app"',
          '  dynamic "ingress" {',
          "    for_each = var.ingress",
          "    content {",
          "      from_port   = ingress.value.port",
          "      to_port     = ingress.value.port",
          '      protocol    = "tcp"',
          "      cidr_blocks = ingress.value.cidr_blocks",
          "    }",
          "  }",
          "}",
          "",
        ].join("\n");
      const groups = (cidr: string) =>
        [
          'variable "groups" {',
          "  type = map(object({",
          "    ports = list(number)",
          `    cidrs = optional(list(string), ["${cidr}"])`,
          "  }))",
          "  default = {",
          "    web = { ports = [22] }",
          "  }",
          "}",
          'module "sg" {',
          '  source   = "./sg"',
          "  for_each = var.groups",
          "  ports    = each.value.ports",
          "  cidrs    = each.value.cidrs",
          "}",
          "",
        ].join("\n");
      const group = [
        'variable "ports" { type = list(number) }',
        'variable "cidrs" { type = list(string) }',
        'resource "aws_security_group" "sg" {',
        '  name        = "sg"',
        '  description = "sg"',
        '  dynamic "ingress" {',
        "    for_each = toset(var.ports)",
        "    content {",
        "      from_port   = ingress.value",
        "      to_port     = ingress.value",
        '      protocol    = "tcp"',
        "      cidr_blocks = var.cidrs",
        "    }",
        "  }",
        "}",
        "",
      ].join("\n");
      await writeFiles(dir, {
        "root/base/main.tf": ingress("10.0.0.0/8"),
        "root/head/main.tf": ingress("0.0.0.0/0"),
        "module/base/main.tf": groups("10.0.0.0/8"),
        "module/base/sg/main.tf": group,
        "module/head/main.tf": groups("0.0.0.0/0"),
        "module/head/sg/main.tf": group,
      });
      const root = await diffDirs(path.join(dir, "root"), "json");
      expect(root.code).toBe(1);
      expect(lines(root.stdout)).toEqual(["TG-NET-001 main.tf:4"]);
      const module = await diffDirs(path.join(dir, "module"), "json");
      expect(module.code).toBe(1);
      expect(lines(module.stdout)).toEqual(["TG-NET-001 main.tf:4"]);
    });
  });

  it("a local a standalone rule reads for its port or protocol: on the local", async () => {
    await withTempDir("decided-standalone-rule", async (dir) => {
      const rules = (port: number, protocol: string) =>
        [
          "locals {",
          `  port  = ${port}`,
          `  proto = "${protocol}"`,
          "}",
          'resource "aws_security_group" "main" {',
          '  name        = "main"',
          '  description = "main"',
          "}",
          'resource "aws_vpc_security_group_ingress_rule" "web" {',
          "  security_group_id = aws_security_group.main.id",
          "  from_port         = local.port",
          "  to_port           = local.port",
          '  ip_protocol       = "tcp"',
          '  cidr_ipv4         = "0.0.0.0/0"',
          "}",
          'resource "aws_security_group_rule" "web" {',
          '  type              = "ingress"',
          "  security_group_id = aws_security_group.main.id",
          "  from_port         = 443",
          "  to_port           = 443",
          "  protocol          = local.proto",
          '  cidr_blocks       = ["0.0.0.0/0"]',
          "}",
          "",
        ].join("\n");
      await writeFiles(dir, {
        "base/main.tf": rules(443, "tcp"),
        "head/main.tf": rules(22, "-1"),
      });
      const json = await diffDirs(dir, "json");
      expect(json.code).toBe(1);
      expect(located(json.stdout)).toEqual([
        [
          "TG-NET-005",
          "main.tf",
          3,
          "the resource's protocol",
          { file: "main.tf", line: 22, endLine: 22 },
        ],
        [
          "TG-NET-001",
          "main.tf",
          2,
          "the resource's from_port",
          { file: "main.tf", line: 14, endLine: 14 },
        ],
      ]);
    });
  });

  it("the protocol of the entry that opens the port, not a sibling entry's changed line", async () => {
    await withTempDir("decided-sibling-entry", async (dir) => {
      const services = (admin: string, protocol: string) => [
        "locals {",
        "  services = {",
        "    web = {",
        "      ports = [443]",
        '      cidrs = ["0.0.0.0/0"]',
        "    }",
        "    admin = {",
        "      ports = [22]",
        `      cidrs = ["${admin}"]`,
        "    }",
        "  }",
        `  proto = "${protocol}"`,
        "}",
      ];
      const dynamic = (admin: string, protocol: string) =>
        [
          ...services(admin, protocol),
          'resource "aws_security_group" "main" {',
          '  name        = "main"',
          '  description = "main"',
          '  dynamic "ingress" {',
          "    for_each = local.services",
          "    content {",
          "      from_port   = ingress.value.ports[0]",
          "      to_port     = ingress.value.ports[0]",
          "      protocol    = local.proto",
          "      cidr_blocks = ingress.value.cidrs",
          "    }",
          "  }",
          "}",
          "",
        ].join("\n");
      const flattened = (admin: string, protocol: string) =>
        [
          ...services(admin, protocol),
          "locals {",
          "  rules = flatten([",
          "    for name, service in local.services : [",
          '      for port in service.ports : { key = "${name}-${port}", port = port, cidrs = service.cidrs }',
          "    ]",
          "  ])",
          "}",
          'resource "aws_security_group" "main" {',
          '  name        = "main"',
          '  description = "main"',
          "}",
          'resource "aws_security_group_rule" "in" {',
          "  for_each          = { for rule in local.rules : rule.key => rule }",
          '  type              = "ingress"',
          "  security_group_id = aws_security_group.main.id",
          "  from_port         = each.value.port",
          "  to_port           = each.value.port",
          "  protocol          = local.proto",
          "  cidr_blocks       = each.value.cidrs",
          "}",
          "",
        ].join("\n");
      await writeFiles(dir, {
        "dynamic/base/main.tf": dynamic("10.0.0.0/8", "tcp"),
        "dynamic/head/main.tf": dynamic("10.1.0.0/16", "-1"),
        "flatten/base/main.tf": flattened("10.0.0.0/8", "tcp"),
        "flatten/head/main.tf": flattened("10.1.0.0/16", "-1"),
      });
      const written = { file: "main.tf", line: 5, endLine: 5 };
      const inline = await diffDirs(path.join(dir, "dynamic"), "json");
      expect(inline.code).toBe(1);
      expect(located(inline.stdout)).toEqual([
        ["TG-NET-005", "main.tf", 12, "the resource's ingress", written],
      ]);
      const rules = await diffDirs(path.join(dir, "flatten"), "json");
      expect(rules.code).toBe(1);
      expect(located(rules.stdout)).toEqual([
        ["TG-NET-005", "main.tf", 12, "the resource's protocol", written],
      ]);
    });
  });
});

describe("tollgate diff with a settings file", () => {
  const diffWith = async (settings: string, headEdit?: (text: string) => string) =>
    withTempDir("settings", async (dir) => {
      const head = path.join(dir, "head");
      await import("node:fs/promises").then((fs) =>
        fs.cp(path.join(repoRoot, "examples/pr/head"), head, { recursive: true }),
      );
      if (headEdit) {
        const file = path.join(head, "network/main.tf");
        await writeFile(file, headEdit(await readFile(file, "utf8")));
      }
      await writeFile(path.join(dir, "tollgate.yml"), settings);
      return run([
        "diff",
        "--base-dir",
        "examples/pr/base",
        "--head-dir",
        head,
        "--config",
        path.join(dir, "tollgate.yml"),
        "--format",
        "json",
      ]);
    });

  it("exits 0 when the new findings are only advisory, 1 when one still blocks", async () => {
    const advisory = await diffWith(
      "enforcement:\n  categories:\n    iam: advisory\n    network: advisory\n",
    );
    expect(advisory.stderr).toBe("");
    expect(advisory.code).toBe(0);
    const findings = findingsOf(advisory.stdout);
    expect(findings.filter((f) => f.status === "new").map((f) => f.enforcement)).toEqual([
      "advisory",
      "advisory",
    ]);
    expect(findings.filter((f) => f.blocks)).toEqual([]);
    const blocking = await diffWith("enforcement:\n  categories:\n    iam: advisory\n");
    expect(blocking.code).toBe(1);
    expect(
      findingsOf(blocking.stdout)
        .filter((f) => f.blocks)
        .map((f) => f.rule),
    ).toEqual(["TG-NET-001"]);
  });

  it("honours an inline waiver with a reason and an expiry date", async () => {
    const waiver =
      '    # tollgate:ignore TG-NET-001 reason="bastion migration, ticket OPS-12" expires=2999-12-31\n';
    const result = await diffWith("enforcement:\n  categories:\n    iam: advisory\n", (text) =>
      text.replace(
        '    cidr_blocks = [var.office_cidr, "0.0.0.0/0"]\n',
        waiver + '    cidr_blocks = [var.office_cidr, "0.0.0.0/0"]\n',
      ),
    );
    const { findings } = JSON.parse(result.stdout) as {
      findings: (JsonFinding & { waived: unknown })[];
    };
    expect(findings.find((f) => f.rule === "TG-NET-001")).toMatchObject({
      waived: {
        reason: "bastion migration, ticket OPS-12",
        written: "inline",
        expires: "2999-12-31",
      },
      enforcement: "blocking",
      blocks: false,
    });
    expect(result.code).toBe(0);
  });
});

describe("tollgate diff when a bucket gains a policy that does not deny plain HTTP", () => {
  const statuses = (stdout: string) =>
    findingsOf(stdout)
      .filter((f) => f.rule === "TG-ENC-018")
      .map((f) => `${f.status} ${f.resource} ${f.subject ?? "-"}`);

  it("keeps TG-ENC-018 existing on the bucket, in Terraform and CloudFormation", async () => {
    await withTempDir("enc018-policy", async (dir) => {
      const bucket = 'resource "aws_s3_bucket" "logs" {\n  bucket = "example-logs"\n}\n';
      const policy = [
        'resource "aws_s3_bucket_policy" "logs" {',
        "  bucket = aws_s3_bucket.logs.id",
        "  policy = jsonencode({",
        "    Statement = [{",
        '      Effect    = "Allow"',
        '      Principal = { Service = "delivery.logs.amazonaws.com" }',
        '      Action    = "s3:PutObject"',
        '      Resource  = "${aws_s3_bucket.logs.arn}/AWSLogs/*"',
        "    }]",
        "  })",
        "}",
        "",
      ].join("\n");
      const template = ["Resources:", "  Bucket:", "    Type: AWS::S3::Bucket", ""].join("\n");
      const bucketPolicy = [
        "  BucketPolicy:",
        "    Type: AWS::S3::BucketPolicy",
        "    Properties:",
        "      Bucket: !Ref Bucket",
        "      PolicyDocument:",
        "        Statement:",
        "          - Effect: Allow",
        "            Principal: {Service: delivery.logs.amazonaws.com}",
        "            Action: s3:PutObject",
        '            Resource: !Sub "${Bucket.Arn}/AWSLogs/*"',
        "",
      ].join("\n");
      await writeFiles(dir, {
        "base/main.tf": bucket,
        "head/main.tf": bucket + policy,
        "base/stack.yaml": template,
        "head/stack.yaml": template + bucketPolicy,
      });
      const result = await diffDirs(dir);
      expect(statuses(result.stdout).sort()).toEqual([
        "existing BucketPolicy Bucket",
        "existing aws_s3_bucket_policy.logs aws_s3_bucket.logs",
      ]);
    });
  });
});

describe("tollgate scan with a waiver naming no rule", () => {
  it("says where the waiver is and that it waives nothing", async () => {
    await withTempDir("waiver-typo", async (dir) => {
      await writeFiles(dir, {
        "main.tf": [
          'resource "aws_ebs_volume" "x" {',
          '  availability_zone = "eu-west-1a"',
          "  size              = 1",
          '  encrypted         = false # tollgate:ignore TG-ENC-02 reason="typo in id"',
          "}",
          "",
        ].join("\n"),
      });
      const result = await run(["scan", dir, "--format", "text"]);
      expect(result.stdout).toContain(
        "main.tf:4:29: waiver for TG-ENC-02: no loaded rule has that id, so it waives nothing; check the rule id",
      );
      expect(result.stdout).toMatch(/TG-ENC-002 .*\[new, blocking\]/);
    });
  });
});

describe("tollgate scan and diff with a settings waiver whose rule finds nothing", () => {
  it("report it stale for a whole git repository, and not for a folder inside it", async () => {
    await withTempDir("stale-waiver", async (dir) => {
      const bucket = ['resource "aws_s3_bucket" "b" {', '  bucket = "x"', "}", ""].join("\n");
      await writeFiles(dir, {
        "main.tf": bucket,
        "sub/main.tf": bucket,
        "tollgate.yml": [
          "waivers:",
          "  - rule: TG-NET-001",
          "    resource: aws_security_group.old",
          '    reason: "SEC-1"',
          "",
        ].join("\n"),
      });
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      git("init", "-q", "-b", "main");
      git("add", "main.tf", "sub/main.tf");
      git("commit", "-qm", "base");
      const stale =
        "tollgate.yml:3:5: waiver for TG-NET-001: resource 'aws_security_group.old' matches none of its findings (the rule found nothing in this repository), so it waives nothing; remove it if it is no longer needed";
      const config = path.join(dir, "tollgate.yml");
      const scanned = async (target: string) =>
        (await run(["scan", target, "--config", config, "--format", "text"], dir)).stdout;
      expect(await scanned(".")).toContain(stale);
      expect(await scanned("sub")).not.toContain("TG-NET-001");
      const diffed = await run(["diff", "--base", "main", "--config", config], dir);
      expect(diffed.stdout).toContain(stale);
    });
  });
});

describe("tollgate scan with a settings waiver kept to one root of a monorepo", () => {
  it("waives a shared module's finding for the roots named, and reports a root glob naming none", async () => {
    await withTempDir("root-waiver", async (dir) => {
      const site = (name: string) =>
        [
          'module "site" {',
          '  source = "../../modules/bucket"',
          `  name   = "${name}"`,
          "}",
          "",
        ].join("\n");
      await writeFiles(dir, {
        "modules/bucket/main.tf": [
          'variable "name" { type = string }',
          'resource "aws_s3_bucket" "this" {',
          "  bucket = var.name",
          "}",
          'resource "aws_s3_bucket_policy" "this" {',
          "  bucket = aws_s3_bucket.this.id",
          "  policy = jsonencode({",
          '    Version   = "2012-10-17"',
          "    Statement = [{",
          '      Effect    = "Allow"',
          '      Principal = "*"',
          '      Action    = "s3:GetObject"',
          '      Resource  = "${aws_s3_bucket.this.arn}/*"',
          "    }]",
          "  })",
          "}",
          "",
        ].join("\n"),
        "live/prod/main.tf": site("acme-prod-site"),
        "live/staging/main.tf": site("acme-staging-site"),
        "tollgate.yml": [
          "waivers:",
          "  - rule: TG-IAM-010",
          "    resource: module.site.*",
          "    roots: [live/prod, live/prd]",
          '    reason: "public website bucket"',
          "",
        ].join("\n"),
      });
      execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
      const { stdout } = await run(
        ["scan", ".", "--config", path.join(dir, "tollgate.yml"), "--format", "json"],
        dir,
      );
      const report = JSON.parse(stdout) as {
        findings: (JsonFinding & { root: string; waived: unknown })[];
        notices: { file: string; line: number; column: number; code: string; message: string }[];
      };
      expect(
        report.findings
          .filter((f) => f.rule === "TG-IAM-010")
          .map((f) => [f.root, f.waived !== null]),
      ).toEqual([
        ["live/prod", true],
        ["live/staging", false],
      ]);
      expect(report.notices.map((n) => `${n.line}:${n.column}: ${n.code}: ${n.message}`)).toEqual([
        "4:24: waiver-unmatched-root: waiver for TG-IAM-010: roots 'live/prd' matches no Terraform root module or CloudFormation template in this repository (did you mean live/prod?), so it adds no root to the waiver",
      ]);
    });
  });
});

describe("tollgate scan with waivers on the attribute that reads a value", () => {
  it("honours them where the finding was before it moved to where the value is written", async () => {
    await withTempDir("read-at", async (dir) => {
      await mkdir(path.join(dir, "modules/role"), { recursive: true });
      await writeFile(
        path.join(dir, "main.tf"),
        [
          'module "deploy" {', // 1
          '  source = "./modules/role"', // 2
          '  name   = "deploy"', // 3
          "  policy_arns = [", // 4
          '    "arn:aws:iam::aws:policy/AdministratorAccess",', // 5
          "  ]", // 6
          "}", // 7
          "", // 8
          'variable "break_glass_policy" {', // 9
          '  default = "arn:aws:iam::aws:policy/AdministratorAccess"', // 10
          "}", // 11
          "", // 12
          'resource "aws_iam_role_policy_attachment" "break_glass" {', // 13
          '  role = "break-glass"', // 14
          '  # tollgate:ignore TG-IAM-007 reason="break-glass role, reviewed by security"', // 15
          "  policy_arn = var.break_glass_policy", // 16
          "}", // 17
          "",
        ].join("\n"),
      );
      await writeFile(
        path.join(dir, "modules/role/main.tf"),
        [
          'variable "name" {}',
          'variable "policy_arns" {}',
          'resource "aws_iam_role_policy_attachment" "this" {',
          "  count      = length(var.policy_arns)",
          "  role       = var.name",
          '  policy_arn = var.policy_arns[count.index] # tollgate:ignore TG-IAM-007 reason="deploy role, OPS-7"',
          "}",
          "",
        ].join("\n"),
      );
      const result = await run(["scan", ".", "--format", "json"], dir);
      expect(result.stderr).toBe("");
      const { findings } = JSON.parse(result.stdout) as {
        findings: (JsonFinding & { waived: unknown })[];
      };
      // Each finding stays where its value is written; the waivers on the attributes cover them.
      expect(findings.map((f) => [f.rule, f.file, f.line, f.resource, f.waived])).toEqual([
        [
          "TG-IAM-007",
          "main.tf",
          10,
          "aws_iam_role_policy_attachment.break_glass",
          { reason: "break-glass role, reviewed by security", written: "inline" },
        ],
        [
          "TG-IAM-007",
          "main.tf",
          5,
          "module.deploy.aws_iam_role_policy_attachment.this[0]",
          { reason: "deploy role, OPS-7", written: "inline" },
        ],
      ]);
      expect(result.code).toBe(0);
    });
  });

  it("honours them on the CloudFormation property that takes a parameter's Default", async () => {
    await withTempDir("read-at-cfn", async (dir) => {
      await writeFile(
        path.join(dir, "template.yaml"),
        [
          "Parameters:", // 1
          "  AdminCidr:", // 2
          "    Type: String", // 3
          "    Default: 0.0.0.0/0", // 4
          "Resources:", // 5
          "  Bastion:", // 6
          "    Type: AWS::EC2::SecurityGroup", // 7
          "    Properties:", // 8
          "      GroupDescription: bastion", // 9
          "      SecurityGroupIngress:", // 10
          "        - IpProtocol: tcp", // 11
          "          FromPort: 22", // 12
          "          ToPort: 22", // 13
          '          CidrIp: !Ref AdminCidr # tollgate:ignore TG-NET-001 reason="bastion, SEC-12"', // 14
          "",
        ].join("\n"),
      );
      const result = await run(["scan", ".", "--format", "json"], dir);
      expect(result.stderr).toBe("");
      const { findings } = JSON.parse(result.stdout) as {
        findings: (JsonFinding & { waived: unknown })[];
      };
      // The finding stays on the Default, which a PR widening it changes; the waiver covers it.
      const ssh = findings.filter((f) => f.rule === "TG-NET-001");
      expect(ssh.map((f) => [f.file, f.line, f.resource, f.waived])).toEqual([
        ["template.yaml", 4, "Bastion", { reason: "bastion, SEC-12", written: "inline" }],
      ]);
      expect(result.code).toBe(0);
    });
  });
});

describe("tollgate scan with rule settings", () => {
  const scanWith = async (settings: string | undefined, terraform: string) => {
    return withTempDir("rule-settings", async (dir) => {
      await writeFile(path.join(dir, "main.tf"), terraform);
      const config = settings === undefined ? [] : ["--config", path.join(dir, "tollgate.yml")];
      if (settings !== undefined) await writeFile(path.join(dir, "tollgate.yml"), settings);
      const result = await run(["scan", dir, "--format", "json", ...config]);
      expect(result.stderr).toBe("");
      const findings = findingsOf(result.stdout);
      return { code: result.code, findings };
    });
  };
  const logGroup = [
    'resource "aws_cloudwatch_log_group" "app" {',
    '  name              = "app"',
    "  retention_in_days = 90",
    '  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/app"',
    "}",
    "",
  ].join("\n");

  it("gives the rules the options of the --config file", async () => {
    const retention = (findings: JsonFinding[]) =>
      findings.filter((f) => f.rule === "TG-LOG-012").map((f) => [f.line, f.evidence]);
    expect(retention((await scanWith(undefined, logGroup)).findings)).toEqual([
      [3, "retention_in_days = 90"],
    ]);
    const configured = await scanWith("rule_settings:\n  log_retention_min_days: 90\n", logGroup);
    expect(retention(configured.findings)).toEqual([]);
    const stricter = await scanWith("rule_settings: { log_retention_min_days: 400 }\n", logGroup);
    expect(retention(stricter.findings)).toEqual([[3, "retention_in_days = 90"]]);
  });

  it("reports what an unknown value decides only with unknown_values: advisory, never blocking", async () => {
    const database = [
      'variable "public" {',
      "  type = bool",
      "}",
      "",
      'resource "aws_db_instance" "orders" {',
      '  engine              = "postgres"',
      '  instance_class      = "db.t4g.micro"',
      "  storage_encrypted   = true",
      "  publicly_accessible = var.public",
      "}",
      "",
    ].join("\n");
    const ignored = await scanWith(undefined, database);
    expect(ignored.findings.filter((f) => f.rule === "TG-NET-009")).toEqual([]);
    const advisory = await scanWith(
      "rule_settings:\n  unknown_values: advisory\nenforcement:\n  rules: { TG-NET-009: blocking }\n",
      database,
    );
    expect(advisory.code).toBe(0);
    expect(advisory.findings.filter((f) => f.rule === "TG-NET-009")).toEqual([
      expect.objectContaining({
        line: 9,
        severity: "critical",
        evidence: "publicly_accessible = var.public",
        unknown: "var.public",
        enforcement: "advisory",
      }),
    ]);
  });
});

describe("tollgate scan, inspect and build", () => {
  it("scans a folder and reports every finding as new", async () => {
    const result = await run(["scan", "examples/pr/head", "--format", "json"]);
    expect(result.code).toBe(1);
    const findings = findingsOf(result.stdout);
    expect(findings.map((f) => f.file)).toContain("examples/pr/head/main.tf");
    expect(findings.every((f) => f.status === "new")).toBe(true);
  });

  it("prints the model policies receive", async () => {
    const result = await run(["inspect", "examples/pr/head", "--format", "json"]);
    expect(result.code).toBe(0);
    const { input } = JSON.parse(result.stdout) as { input: { resources: { address: string }[] } };
    expect(input.resources.map((r) => r.address)).toEqual([
      "aws_iam_policy.deploy",
      "module.network.aws_security_group.bastion",
    ]);
  });

  it("lists the Terraform blocks an unknown for_each may create none or several of", async () => {
    const fixture =
      "policies/network/opensearch_public/fixtures/unknown_advisory/positive_dynamic.tf";
    const result = await run(["inspect", fixture]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${fixture}:8  aws_opensearch_domain.search  (aws_opensearch_domain)\n` +
        "  /vpc_options/0  none or several, for_each = var.vpc_options == null ? [] : [var.vpc_options]\n" +
        `${fixture}:26  aws_elasticsearch_domain.legacy  (aws_elasticsearch_domain)\n` +
        "  /vpc_options/0  none or several, for_each = var.vpc_options_list\n",
    );
  });

  // The whole built-in library's build is test/build-library.test.ts, a slow suite.
  it("writes a bundle in the opa build layout with every rule's annotations", async () => {
    await withTempDir("build", async (dir) => {
      await writeFiles(dir, {
        "rules/network/any_sg/policy.rego": namedGroupPolicy(),
        "iac/main.tf": 'resource "aws_security_group" "open" {\n  name = "open"\n}\n',
      });
      const out = path.join(dir, "bundle.tar.gz");
      const result = await run(["build", "rules", "-o", out], dir);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const bundle = await readBundle(new Uint8Array(await readFile(out)));
      expect(bundle.modules["/policy.wasm"]?.byteLength).toBeGreaterThan(1000);
      const rule = bundle.manifest.wasm?.find(
        (w) => w.entrypoint === "tollgate/rules/network/any_sg/deny",
      );
      expect(rule?.annotations?.[0]).toMatchObject({
        title: "Security groups named open",
        custom: { id: "T-1", severity: "low", category: "network" },
      });
      const scan = await run(["scan", "iac", "--bundle", out, "--format", "json"], dir);
      expect(scan.stderr).toBe("");
      expect(findingsOf(scan.stdout).map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
        "T-1 iac/main.tf:2",
      ]);
    });
  });

  it("evaluates --custom-policies beside the built-in rules, as the app adds an organization's", async () => {
    await withTempDir("custom-policies", async (dir) => {
      await writeFiles(dir, {
        "rules/network/any_sg/policy.rego": namedGroupPolicy(),
        "org.yml": "enforcement:\n  rules:\n    T-1: blocking\n    TG-NET-001: advisory\n",
        "iac/main.tf": [
          'resource "aws_security_group" "open" {',
          '  name = "open"',
          "  ingress {",
          "    from_port   = 22",
          "    to_port     = 22",
          '    protocol    = "tcp"',
          '    cidr_blocks = ["0.0.0.0/0"]',
          "  }",
          "}",
          "",
        ].join("\n"),
      });
      const scan = await run(
        ["scan", "iac", "--custom-policies", "rules", "--config", "org.yml", "--format", "json"],
        dir,
      );
      expect(scan.stderr).toBe("");
      const report = JSON.parse(scan.stdout) as { findings: JsonFinding[]; notices: unknown[] };
      // Both rule ids are known to the settings: neither entry is reported as naming no rule.
      expect(report.notices).toEqual([]);
      expect(report.findings.map((f) => `${f.rule} ${f.enforcement} ${f.file}:${f.line}`)).toEqual([
        "TG-NET-001 advisory iac/main.tf:7",
        "T-1 blocking iac/main.tf:2",
      ]);
      expect(scan.code).toBe(1);
      // A folder repeating a rule id of the rules in force would count its findings twice.
      const twice = await run(
        ["scan", "iac", "--policies", "rules", "--custom-policies", "rules"],
        dir,
      );
      expect(twice.code).toBe(2);
      // The folders' content is wrong, not the command line: the error alone, no usage after it.
      expect(twice.stderr).toBe(
        "tollgate scan: --custom-policies: rules: rule id T-1 is also in the rules in force\n",
      );
    });
  }, 120_000);

  it("says at its clause what a finding must be when a custom rule's deny gives something else", async () => {
    await withTempDir("malformed-finding", async (dir) => {
      const words = '\\"open\\" to \\\\ all, '.repeat(12);
      await writeFiles(dir, {
        "rules/network/any_sg/policy.rego": namedGroupPolicy({}, [
          // A finding written as text: sprintf gives a string, which must be an object.
          `deny contains sprintf("%v", [{"resource": r.address, "message": "${words}"}]) if {`,
          "\tsome r in input.resources",
          "}",
          "",
          'deny contains {"message": "no resource", "evidence": "e"} if {',
          "\tsome r in input.resources",
          "}",
          "",
        ]),
        "iac/main.tf": 'resource "aws_security_group" "open" {\n  name = "open"\n}\n',
      });
      const scan = await run(["scan", "iac", "--custom-policies", "rules"], dir);
      const contract =
        "a finding is an object with resource (an address in input.resources) and message, and " +
        "optionally evidence, path, severity, unknown, when, subject and scope (policies/README.md)";
      const lines = scan.stdout.split("\n").filter((line) => line.includes("(policy-result)"));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toBe(
        `rules/network/any_sg/policy.rego:18:1: rule T-1 returned a malformed finding (resource is missing): ${contract}; it returned {"evidence":"e","message":"no resource"} (policy-result) [error]`,
      );
      const start = `rules/network/any_sg/policy.rego:14:1: rule T-1 returned a malformed finding (a string, not an object): ${contract}; it returned "`;
      expect(lines[0]?.startsWith(start)).toBe(true);
      const shown = lines[0]?.slice(start.length - 1, -" (policy-result) [error]".length) ?? "";
      // Cut at a whole escape: closed with a quote, it reads back as the start of the text.
      expect(shown).toMatch(/…$/);
      expect(JSON.parse(`${shown.slice(0, -1)}"`)).toMatch(
        /^\{"message": "\\"open\\" to \\\\ all, /,
      );
      expect(scan.code).toBe(1);
    });
  }, 120_000);

  it("names a policy folder's files from where scan names the IaC files, and diff from the head", async () => {
    await withTempDir("policy-paths", async (dir) => {
      const malformed = namedGroupPolicy({}, [
        'deny contains {"message": "no resource", "evidence": "e"} if {',
        "\tsome r in input.resources",
        "}",
        "",
      ]);
      await writeFiles(dir, {
        "org/rules/network/any_sg/policy.rego": malformed,
        "org/broken/network/any_sg/policy.rego": namedGroupPolicy({}, ["broken := ", ""]),
        "work/base/main.tf": 'resource "aws_security_group" "open" {\n  name = "closed"\n}\n',
        "work/head/main.tf": 'resource "aws_security_group" "open" {\n  name = "open"\n}\n',
      });
      const work = path.join(dir, "work");
      const errorLines = (output: string) =>
        output.split("\n").filter((line) => line.includes("(policy-result)"));
      // From a folder beside the policies: each path opens from where the command ran.
      for (const flag of ["--custom-policies", "--policies"]) {
        const scan = await run(["scan", "head", flag, "../org/rules"], work);
        expect(errorLines(scan.stdout), flag).toEqual([
          expect.stringMatching(/^\.\.\/org\/rules\/network\/any_sg\/policy\.rego:14:1: rule T-1 /),
        ]);
        expect(scan.stdout, flag).toContain("head/main.tf:2");
      }
      const broken = await run(["scan", "work/head", "--custom-policies", "org/broken"], dir);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(/^org\/broken\/network\/any_sg\/policy\.rego:15:1: /m);
      // diff names files from the head folder: the policies too.
      const diff = await run(
        ["diff", "--base-dir", "base", "--head-dir", "head", "--custom-policies", "../org/rules"],
        work,
      );
      expect(errorLines(diff.stdout)).toEqual([
        expect.stringMatching(/^\.\.\/\.\.\/org\/rules\/network\/any_sg\/policy\.rego:14:1: /),
      ]);
      expect(diff.stdout).toContain("main.tf:2");
    });
  }, 120_000);

  it("reads a policy folder's data files as OPA does: build, test, scan --policies and --bundle", async () => {
    await withTempDir("data-files", async (dir) => {
      const rule = namedGroupPolicy().replace(
        '\tr.config.name == "open"',
        "\tnot r.config.name in data.acme.allowed_names",
      );
      await writeFiles(dir, {
        "rules/network/any_sg/policy.rego": rule,
        "rules/acme/data.yaml": "allowed_names:\n  - web\n",
        "rules/network/any_sg/fixtures/positive.tf":
          'resource "aws_security_group" "open" {\n  name = "open" # tollgate:expect T-1\n}\n',
        "rules/network/any_sg/fixtures/negative.tf":
          'resource "aws_security_group" "web" {\n  name = "web"\n}\n',
        "rules/network/any_sg/policy_test.rego": [
          "package tollgate.rules.network.any_sg_test",
          "",
          'test_data_is_loaded if data.acme.allowed_names == ["web"]',
          "",
        ].join("\n"),
        "iac/main.tf": [
          'resource "aws_security_group" "web" {\n  name = "web"\n}\n',
          'resource "aws_security_group" "open" {\n  name = "open"\n}\n',
        ].join("\n"),
      });
      const out = path.join(dir, "bundle.tar.gz");
      const built = await run(["build", "rules", "-o", out], dir);
      expect(built.stderr).toBe("");
      expect((await readBundle(new Uint8Array(await readFile(out)))).data).toEqual({
        acme: { allowed_names: ["web"] },
      });
      const tested = await run(["test", "rules"], dir);
      expect(tested.stdout).toContain("2 passed, 0 failed\n");
      expect(tested.stdout).toContain("1 passed, 0 failed, 0 errored, 0 skipped");
      expect(tested.code).toBe(0);
      for (const policies of [
        ["--policies", "rules"],
        ["--bundle", out],
      ]) {
        const scan = await run(["scan", "iac", ...policies, "--format", "json"], dir);
        expect(scan.stderr).toBe("");
        expect(findingsOf(scan.stdout).map((f) => `${f.resource} ${f.file}:${f.line}`)).toEqual([
          "aws_security_group.open iac/main.tf:6",
        ]);
      }
      // A data file that does not parse refuses the folder where it fails, never left out.
      await writeFile(path.join(dir, "rules", "acme", "data.yaml"), "allowed_names: [web\n");
      for (const args of [
        ["build", "rules", "-o", out],
        ["test", "rules"],
        ["scan", "iac", "--policies", "rules"],
      ]) {
        const refused = await run(args, dir);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/acme\/data\.yaml:2:1: Flow sequence/);
      }
    });
  }, 120_000);

  it("prints the compiler's warnings on stderr, located, and still builds and tests", async () => {
    await withTempDir("with-comparison", async (dir) => {
      const ruleDir = path.join(dir, "network", "any_sg");
      await mkdir(path.join(ruleDir, "fixtures"), { recursive: true });
      await writeFile(
        path.join(ruleDir, "policy.rego"),
        namedGroupPolicy({}, ["none_when_empty if count(deny) with input as {} == 0", ""]),
      );
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        'resource "aws_security_group" "open" {\n  name = "open" # tollgate:expect T-1\n}\n',
      );
      await writeFile(
        path.join(ruleDir, "policy_test.rego"),
        [
          "package tollgate.rules.network.any_sg_test",
          "",
          "import data.tollgate.rules.network.any_sg",
          "",
          "test_open if {",
          '\tcount(any_sg.deny) with input as {"resources": []} == 1',
          "}",
          "",
        ].join("\n"),
      );
      const warning = (file: string, at: string) =>
        `${file}:${at}: warning: 'with input as a == b' sets input to (a == b)`;
      const built = await run(["build", dir, "-o", path.join(dir, "bundle.tar.gz")]);
      expect(built.code).toBe(0);
      expect(built.stderr).toContain(warning("network/any_sg/policy.rego", "14:49"));
      expect(built.stderr.trim().split("\n")).toHaveLength(1);
      const tested = await run(["test", dir]);
      expect(tested.stderr).toContain(warning("network/any_sg/policy.rego", "14:49"));
      expect(tested.stderr).toContain(warning("network/any_sg/policy_test.rego", "6:53"));
      expect(tested.stderr).toMatch(/\(rego_with_comparison\)\n$/);
      expect(tested.stderr.trim().split("\n")).toHaveLength(2);
      // The trap's test passes, which is why it is worth a warning.
      expect(tested.stdout).toMatch(/1 passed, 0 failed, 0 errored/);
      expect(tested.code).toBe(0);
    });
  });

  it("prints the warnings found before the policies failed to compile, after the errors", async () => {
    await withTempDir("warned-and-broken", async (dir) => {
      const ruleDir = path.join(dir, "network", "any_sg");
      await mkdir(path.join(ruleDir, "fixtures"), { recursive: true });
      await writeFile(
        path.join(ruleDir, "policy.rego"),
        namedGroupPolicy({}, [
          "none_when_empty if count(deny) with input as {} == 0",
          "",
          "broken if unbound",
          "",
        ]),
      );
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        'resource "aws_security_group" "open" {\n  name = "open" # tollgate:expect T-1\n}\n',
      );
      // Run from the folder above, the files are named from there, as scan names them.
      const folder = path.basename(dir);
      const expected = [
        new RegExp(
          `^${folder}/network/any_sg/policy\\.rego:16:11: var unbound is unsafe \\(rego_unsafe_var_error\\)$`,
        ),
        new RegExp(
          `^${folder}/network/any_sg/policy\\.rego:14:49: warning: 'with input as a == b' .* \\(rego_with_comparison\\)$`,
        ),
      ];
      for (const command of [
        ["build", folder, "-o", path.join(dir, "bundle.tar.gz")],
        ["test", folder],
      ]) {
        const result = await run(command, path.dirname(dir));
        expect(result.code, command[0]).toBe(2);
        const lines = result.stderr.trim().split("\n");
        expect(lines, command[0]).toHaveLength(2);
        lines.forEach((line, i) => expect(line, command[0]).toMatch(expected[i] as RegExp));
      }
    });
  });

  it("builds, tests and scans with a custom folder whose rule imports the built-in helpers, as the app compiles it", async () => {
    await withTempDir("custom-lib", async (dir) => {
      await writeFiles(dir, {
        "policies/no_iam_user/policy.rego": [
          "# METADATA",
          "# title: No IAM users",
          "# custom:",
          "#   id: ACME-IAM-001",
          "#   severity: high",
          "#   category: iam",
          "#   remediation: Use roles.",
          "package tollgate.rules.iam.no_iam_user",
          "",
          "import data.tollgate.lib.util",
          "",
          'deny contains {"resource": r.address, "message": "IAM user", "evidence": r.address} if {',
          '\tsome r in util.resources("aws_iam_user")',
          "}",
          "",
        ].join("\n"),
        "policies/no_iam_user/fixtures/positive.tf":
          'resource "aws_iam_user" "bob" { # tollgate:expect ACME-IAM-001\n  name = "bob"\n}\n',
        "policies/no_iam_user/policy_test.rego": [
          "package acme.no_iam_user_test",
          "",
          "import data.tollgate.lib.util",
          "import data.tollgate.rules.iam.no_iam_user",
          "",
          "test_helper_and_rule if {",
          '\tresources := [{"type": "aws_iam_user", "mode": "managed", "address": "aws_iam_user.a"}]',
          '\tcount(util.resources("aws_iam_user")) == 1 with input as {"resources": resources}',
          '\tcount(no_iam_user.deny) == 1 with input as {"resources": resources}',
          "}",
          "",
        ].join("\n"),
        "iac/main.tf": 'resource "aws_iam_user" "bob" {\n  name = "bob"\n}\n',
      });
      const built = await run(["build", "policies", "-o", "bundle.tar.gz"], dir);
      expect(built.stderr).toBe("");
      expect(built.stdout).toMatch(/^wrote bundle\.tar\.gz: 1 rules/);
      const tested = await run(["test", "policies"], dir);
      expect(tested.stderr).toBe("");
      expect(tested.stdout).toMatch(/1 passed, 0 failed\n/);
      expect(tested.stdout).toMatch(/1 passed, 0 failed, 0 errored/);
      expect(tested.code).toBe(0);
      for (const flags of [
        ["--policies", "policies"],
        ["--bundle", "bundle.tar.gz"],
      ]) {
        const scanned = await run(["scan", "iac", ...flags, "--format", "json"], dir);
        expect(scanned.stderr, flags[0]).toBe("");
        expect(findingsOf(scanned.stdout).map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
          "ACME-IAM-001 iac/main.tf:1",
        ]);
      }
    });
    // Four compilations with the helpers, a few seconds each.
  }, 120_000);

  it("refuses in a custom folder what the app refuses: the helpers' packages, package tollgate and a built-in rule id", async () => {
    await withTempDir("custom-reserved", async (dir) => {
      const rule = (id: string) =>
        namedGroupPolicy({ id }).replace(
          "package tollgate.rules.network.any_sg",
          "package tollgate.rules.network.mine",
        );
      await writeFiles(dir, {
        "reserved/shadow.rego": "package tollgate.lib.util\n\nresources(_) := []\n",
        "reserved/nested/top.rego": "package tollgate\n\nx := 1\n",
        "reserved/mine/policy.rego": rule("T-1"),
        "taken/mine/policy.rego": rule("TG-IAM-001"),
      });
      const packageError = (file: string, pkg: string) =>
        `${file}:1:1: package ${pkg}: tollgate.lib holds Tollgate's built-in helpers, which custom policies import (data.tollgate.lib.<name>) but may not redefine or extend; name the package otherwise, e.g. acme.lib.<name> (policy-package)`;
      const idError =
        "taken/mine/policy.rego:1:1: rule id TG-IAM-001 is also used by the built-in library (policy-metadata)";
      // build and test name the folder's files from where they ran, as scan does (below).
      for (const command of [
        ["build", "FOLDER", "-o", "bundle.tar.gz"],
        ["test", "FOLDER"],
      ]) {
        const reserved = await run(
          command.map((arg) => (arg === "FOLDER" ? "reserved" : arg)),
          dir,
        );
        expect(reserved.code, command[0]).toBe(2);
        expect(reserved.stderr.trim().split("\n"), command[0]).toEqual([
          packageError("reserved/nested/top.rego", "tollgate"),
          packageError("reserved/shadow.rego", "tollgate.lib.util"),
        ]);
        const taken = await run(
          command.map((arg) => (arg === "FOLDER" ? "taken" : arg)),
          dir,
        );
        expect(taken.code, command[0]).toBe(2);
        expect(taken.stderr.trim(), command[0]).toBe(idError);
      }
      const scanned = await run(["scan", ".", "--policies", "taken"], dir);
      expect(scanned.code).toBe(2);
      expect(scanned.stderr).toContain(
        "\ntaken/mine/policy.rego:1:1: rule id TG-IAM-001 is also used by the built-in library",
      );
    });
  }, 120_000);

  it("writes a rule's print output to stderr, so JSON and SARIF on stdout stay valid", async () => {
    await withTempDir("print", async (dir) => {
      await writeFiles(dir, {
        "policies/any_sg/policy.rego": namedGroupPolicy().replace(
          "\tsome r in input.resources\n\tr.config.name",
          '\tsome r in input.resources\n\tprint("debug", r.address)\n\tr.config.name',
        ),
        "iac/main.tf": 'resource "aws_security_group" "open" {\n  name = "open"\n}\n',
      });
      for (const format of ["json", "sarif"]) {
        const scanned = await run(
          ["scan", "iac", "--policies", "policies", "--format", format],
          dir,
        );
        expect(() => JSON.parse(scanned.stdout), format).not.toThrow();
        expect(scanned.stderr, format).toBe("debug aws_security_group.open\n");
      }
    });
  }, 60_000);

  it("tests a policy folder on its fixtures and names the lines a rule misses or reports at another severity", async () => {
    await withTempDir("policies", async (dir) => {
      const ruleDir = path.join(dir, "network", "any_sg");
      await mkdir(path.join(ruleDir, "fixtures"), { recursive: true });
      await writeFile(path.join(ruleDir, "policy.rego"), namedGroupPolicy());
      const group = (name: string, marker = "") =>
        `resource "aws_security_group" "${name}" {\n  name = "${name}"${marker}\n}\n`;
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        group("open", " # tollgate:expect T-1"),
      );
      await writeFile(path.join(ruleDir, "fixtures", "negative.tf"), group("closed"));
      const passing = await run(["test", dir]);
      expect(passing.stdout).toMatch(/2 passed, 0 failed/);
      expect(passing.code).toBe(0);
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        group("closed", " # tollgate:expect T-1"),
      );
      const failing = await run(["test", dir]);
      expect(failing.stdout).toMatch(/FAIL missing lines 2/);
      expect(failing.code).toBe(1);
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        group("open", " # tollgate:expect T-1 low"),
      );
      expect((await run(["test", dir])).code).toBe(0);
      await writeFile(
        path.join(ruleDir, "fixtures", "positive.tf"),
        group("open", " # tollgate:expect T-1 high"),
      );
      const wrongSeverity = await run(["test", dir]);
      expect(wrongSeverity.stdout).toMatch(/FAIL severity on line 2: high expected, low found/);
      expect(wrongSeverity.code).toBe(1);
      // A positive fixture without a marker says what to write, and where the rule fired.
      await writeFile(path.join(ruleDir, "fixtures", "positive.tf"), group("open"));
      const unmarkedFile = await run(["test", dir]);
      expect(unmarkedFile.stdout).toMatch(
        /FAIL no tollgate:expect marker \(end each line T-1 must report with # tollgate:expect T-1\); unexpected lines 2\n/,
      );
      expect(unmarkedFile.code).toBe(1);

      // A fixture folder is scanned as one repository; its places name the file.
      await rm(path.join(ruleDir, "fixtures", "positive.tf"));
      const folder = path.join(ruleDir, "fixtures", "positive_folder");
      await mkdir(folder);
      await writeFile(path.join(folder, "a.tf"), group("open", " # tollgate:expect T-1"));
      await writeFile(path.join(folder, "b.tf"), group("closed"));
      const together = await run(["test", dir]);
      expect(together.stdout).toMatch(/positive_folder\s+ok \(1 finding\)/);
      expect(together.code).toBe(0);
      await writeFile(
        path.join(folder, "b.tf"),
        'resource "aws_security_group" "second" {\n  name = "open"\n}\n',
      );
      const unmarked = await run(["test", dir]);
      expect(unmarked.stdout).toMatch(/FAIL unexpected lines b\.tf:2/);
      expect(unmarked.code).toBe(1);
    });
  });

  it("checks the rules a tollgate:none marker names and says where one fires", async () => {
    await withTempDir("fixture-none", async (dir) => {
      const rule = async (name: string, id: string, groupName: string) => {
        const ruleDir = path.join(dir, "network", name);
        await mkdir(path.join(ruleDir, "fixtures"), { recursive: true });
        await writeFile(
          path.join(ruleDir, "policy.rego"),
          namedGroupPolicy({ name, id, groupName }),
        );
        return path.join(ruleDir, "fixtures");
      };
      const group = (name: string, marker = "") =>
        `resource "aws_security_group" "${name}" {\n  name = "${name}"${marker}\n}\n`;
      const openFixtures = await rule("open_sg", "T-1", "open");
      const publicFixtures = await rule("public_sg", "T-2", "public");
      await writeFile(
        path.join(publicFixtures, "positive.tf"),
        group("public", " # tollgate:expect T-2"),
      );
      const positive = path.join(openFixtures, "positive.tf");
      const marked = (extra: string) =>
        `# tollgate:none T-2\n${group("open", " # tollgate:expect T-1")}${extra}`;
      await writeFile(positive, marked(""));
      const passing = await run(["test", dir]);
      expect(passing.stdout).toMatch(/T-2\s+network\/open_sg\/fixtures\/positive\.tf\s+ok/);
      expect(passing.stdout).toMatch(/3 passed, 0 failed/);
      expect(passing.code).toBe(0);

      await writeFile(positive, marked(group("public")));
      const failing = await run(["test", dir]);
      expect(failing.stdout).toContain(
        "FAIL T-2 fires at network/open_sg/fixtures/positive.tf:6, though tollgate:none at " +
          "network/open_sg/fixtures/positive.tf:1 says it must not",
      );
      expect(failing.stdout).toMatch(/2 passed, 1 failed/);
      expect(failing.code).toBe(1);

      // A misspelt id would make a check that cannot fail: it is an error where it is written.
      await writeFile(positive, `# tollgate:none T-02\n${group("open", " # tollgate:expect T-1")}`);
      const misspelt = await run(["test", dir]);
      expect(misspelt.stdout).toContain(
        "network/open_sg/fixtures/positive.tf:1:3: tollgate:none names T-02, which no rule of the folder has (fixture)",
      );
      expect(misspelt.code).toBe(1);
    });
  });

  it("runs a fixtures subfolder with the settings.json beside it", async () => {
    await withTempDir("fixture-settings", async (dir) => {
      const ruleDir = path.join(dir, "network", "strict_sg");
      await mkdir(path.join(ruleDir, "fixtures", "strict"), { recursive: true });
      await writeFile(
        path.join(ruleDir, "policy.rego"),
        [
          "# METADATA",
          "# title: Security groups refused when strict",
          "# custom:",
          "#   id: T-2",
          "#   severity: low",
          "#   category: network",
          "package tollgate.rules.network.strict_sg",
          "",
          "import rego.v1",
          "",
          'deny contains {"resource": r.address, "message": "strict", "evidence": "name", "path": ["name"]} if {',
          "\tdata.tollgate.settings.custom.strict == true",
          "\tsome r in input.resources",
          "}",
          "",
        ].join("\n"),
      );
      const group = (marker = "") =>
        `resource "aws_security_group" "web" {\n  name = "web"${marker}\n}\n`;
      await writeFile(path.join(ruleDir, "fixtures", "negative.tf"), group());
      await writeFile(
        path.join(ruleDir, "fixtures", "strict", "positive.tf"),
        group(" # tollgate:expect T-2"),
      );
      await writeFile(
        path.join(ruleDir, "fixtures", "strict", "settings.json"),
        '{ "custom": { "strict": true } }\n',
      );
      const passing = await run(["test", dir]);
      expect(passing.stdout).toMatch(/2 passed, 0 failed/);
      expect(passing.code).toBe(0);
      await rm(path.join(ruleDir, "fixtures", "strict", "settings.json"));
      const failing = await run(["test", dir]);
      expect(failing.stdout).toMatch(/FAIL missing lines 2/);
      expect(failing.code).toBe(1);
    });
  });

  it("runs the test_* rules of *_test.rego files beside the fixtures, with file and line", async () => {
    await withTempDir("rego-tests", async (dir) => {
      await mkdir(path.join(dir, "lib"), { recursive: true });
      await writeFile(
        path.join(dir, "lib", "ports.rego"),
        "package acme.lib.ports\n\nimport rego.v1\n\nadmin(port) if port in {22, 3389}\n",
      );
      const testFile = path.join(dir, "lib", "ports_test.rego");
      const tests = (extra: string) =>
        [
          "package acme.lib.ports_test",
          "",
          "import data.acme.lib.ports",
          "import rego.v1",
          "",
          "test_ssh if ports.admin(22)",
          "",
          "test_https if not ports.admin(443)",
          extra,
        ].join("\n");
      await writeFile(testFile, tests(""));
      const passing = await run(["test", dir]);
      expect(passing.stdout).toMatch(
        /data\.acme\.lib\.ports_test\.test_ssh\s+lib\/ports_test\.rego:6\s+ok/,
      );
      expect(passing.stdout).toMatch(/2 passed, 0 failed, 0 errored, 0 skipped/);
      expect(passing.code).toBe(0);
      await writeFile(testFile, tests("\ntest_http if ports.admin(80)\n"));
      const failing = await run(["test", dir]);
      expect(failing.stdout).toMatch(/test_http\s+lib\/ports_test\.rego:10\s+FAIL undefined/);
      expect(failing.stdout).toMatch(/2 passed, 1 failed, 0 errored, 0 skipped/);
      expect(failing.code).toBe(1);
      await writeFile(testFile, tests("\ntest_typo if ports.admn(80)\n"));
      const broken = await run(["test", dir]);
      expect(broken.stderr).toMatch(/lib\/ports_test\.rego:10:\d+: .*admn/);
      expect(broken.code).toBe(1);
    });
  });

  it("counts a rule without a positive fixture in the summary as its row reads: ok with Rego tests, FAIL without", async () => {
    await withTempDir("rego-covered", async (dir) => {
      const group = (name: string, marker = "") =>
        `resource "aws_security_group" "${name}" {\n  name = "${name}"${marker}\n}\n`;
      await writeFiles(dir, {
        "network/open_sg/policy.rego": namedGroupPolicy({ name: "open_sg" }),
        "network/open_sg/fixtures/positive.tf": group("open", " # tollgate:expect T-1"),
        "network/open_sg/fixtures/negative.tf": group("closed"),
        "network/public_sg/policy.rego": namedGroupPolicy({
          name: "public_sg",
          id: "T-2",
          groupName: "public",
        }),
        "network/public_sg/policy_test.rego": [
          "package tollgate.rules.network.public_sg_test",
          "",
          "import data.tollgate.rules.network.public_sg",
          "",
          "test_public if {",
          '\tgroup := {"address": "aws_security_group.p", "config": {"name": "public"}}',
          '\tcount(public_sg.deny) == 1 with input as {"resources": [group]}',
          "}",
          "",
        ].join("\n"),
      });
      const covered = await run(["test", dir]);
      // The fixture table's summary; the Rego tests' own follows it.
      const summary = (stdout: string) => /^\d+ passed, \d+ failed$/m.exec(stdout)?.[0];
      expect(covered.stdout).toMatch(/T-2\s+\(none\)\s+ok \(no fixture; Rego tests in/);
      expect(summary(covered.stdout)).toBe("3 passed, 0 failed");
      expect(covered.code).toBe(0);
      await rm(path.join(dir, "network", "public_sg", "policy_test.rego"));
      const untested = await run(["test", dir]);
      expect(untested.stdout).toMatch(/T-2\s+\(none\)\s+FAIL no positive fixture and no Rego test/);
      expect(summary(untested.stdout)).toBe("2 passed, 1 failed");
      expect(untested.code).toBe(1);
    });
  });

  it("runs a folder of test files alone and shows each test's print output under it, as opa test", async () => {
    await withTempDir("rego-prints", async (dir) => {
      const testFile = [
        "package prints_test",
        "",
        "import rego.v1",
        "",
        ...["one", "two", "three"].flatMap((name, i) => [
          `test_${name} if {`,
          `\tprint("${name}", ${i + 1})`,
          i < 2 ? "\tfalse" : "\ttrue",
          "}",
          "",
        ]),
      ].join("\n");
      await writeFile(path.join(dir, "prints_test.rego"), testFile);
      const rows = (stdout: string) =>
        stdout.split("\n").filter((line) => line.startsWith("data.") || line.startsWith("  "));
      const failing = await run(["test", dir]);
      expect(failing.stdout).not.toMatch(/^rule\s+fixture/m);
      expect(rows(failing.stdout)).toEqual([
        expect.stringMatching(
          /^data\.prints_test\.test_one\s+prints_test\.rego:5\s+FAIL undefined$/,
        ),
        "  one 1",
        expect.stringMatching(/^data\.prints_test\.test_two\s+.*FAIL undefined$/),
        "  two 2",
        expect.stringMatching(/^data\.prints_test\.test_three\s+.*ok$/),
      ]);
      expect(failing.code).toBe(1);
      const verbose = await run(["test", dir, "--verbose"]);
      expect(rows(verbose.stdout)).toEqual([...rows(failing.stdout), "  three 3"]);
      await rm(path.join(dir, "prints_test.rego"));
      const empty = await run(["test", dir]);
      expect(empty.stderr).toMatch(/no \.rego files in/);
      expect(empty.code).toBe(2);
    });
  });

  it("exits 2 with the usage on a mistake", async () => {
    expect((await run(["scan"])).code).toBe(2);
    expect((await run(["scan", "x", "--format", "xml"])).stderr).toMatch(/--format/);
    expect((await run(["diff", "--base", "main", "--base-dir", "x"])).code).toBe(2);
    expect((await run(["frobnicate"])).code).toBe(2);
    // A repeated single-valued flag would keep only its last value.
    const twice = await run(["scan", "x", "--policies", "a", "--policies", "b"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(
      /^tollgate scan: --policies takes one value, and was given more than once\n/,
    );
    expect((await run(["scan", "no/such/folder"])).stderr).toMatch(/no such file or folder/);
    const missing = await run(["diff", "--base-dir", "examples/pr/base", "--head-dir", "nope"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^tollgate diff: --head-dir: nope is not a folder\n/);
  });

  it("exits 2 on a settings file's errors, located, without the usage: the command line is right", async () => {
    await withTempDir("bad-settings", async (dir) => {
      await writeFiles(dir, { "bad.yml": "fail_on: sometimes\nwaivers: {}\n" });
      for (const args of [
        ["scan", "examples/pr/head", "--config", path.join(dir, "bad.yml")],
        ["diff", "--base-dir", "examples/pr/base", "--head-dir", "examples/pr/head"],
      ]) {
        const flags = args[0] === "diff" ? ["--org-config", path.join(dir, "bad.yml")] : [];
        const result = await run([...args, ...flags]);
        expect(result.code).toBe(2);
        const lines = result.stderr.split("\n");
        expect(lines[0]).toMatch(new RegExp(`^tollgate ${args[0]}: .*bad\\.yml:1:10: fail_on: `));
        expect(lines[1]).toMatch(/bad\.yml:2:10: waivers: /);
        expect(result.stderr).not.toMatch(/usage:|--help/);
      }
    });
  });

  it("tells, at .github/tollgate.yml, that a run without --config does not apply the settings the app applies", async () => {
    await withTempDir("unread-settings", async (dir) => {
      // The settings give live/ its prod.tfvars, which opens SSH: the app blocks, a run without
      // them passes, and only the notice says why the two differ.
      await writeFiles(dir, {
        ".github/tollgate.yml": "terraform:\n  var_files:\n    live: [prod.tfvars]\n",
        "live/main.tf": [
          'variable "cidr" {\n  default = "10.0.0.0/8"\n}',
          'resource "aws_security_group" "ssh" {',
          "  ingress {",
          "    from_port   = 22",
          "    to_port     = 22",
          '    protocol    = "tcp"',
          "    cidr_blocks = [var.cidr]",
          "  }",
          "}",
          "",
        ].join("\n"),
        "live/prod.tfvars": 'cidr = "10.1.0.0/16"\n',
      });
      const git = (...args: string[]) =>
        execFileSync("git", [
          "-C",
          dir,
          "-c",
          "user.name=t",
          "-c",
          "user.email=t@example.com",
          ...args,
        ]);
      git("init", "-q", "-b", "main");
      git("add", ".");
      git("commit", "-qm", "base");
      await writeFiles(dir, { "live/prod.tfvars": 'cidr = "0.0.0.0/0"\n' });
      const report = (result: { code: number; stdout: string }) => {
        const json = JSON.parse(result.stdout) as {
          findings: JsonFinding[];
          notices: { file: string; line: number; code: string; message: string }[];
        };
        return {
          code: result.code,
          found: json.findings.map((f) => `${f.status} ${f.rule}`),
          notices: json.notices.map((n) => `${n.file}:${n.line}: ${n.code}`),
        };
      };
      const unread = (file: string) => ({
        code: 0,
        found: [],
        notices: [`${file}:1: settings-not-read`],
      });
      expect(report(await run(["scan", ".", "--format", "json"], dir))).toEqual(
        unread(".github/tollgate.yml"),
      );
      // From a folder inside the repository, scan names the file from there, diff from the top.
      const live = path.join(dir, "live");
      expect(report(await run(["scan", ".", "--format", "json"], live))).toEqual(
        unread("../.github/tollgate.yml"),
      );
      const fromLive = await run(["diff", "--base", "main", "--format", "json"], live);
      expect(report(fromLive)).toEqual(unread(".github/tollgate.yml"));
      // The --config it suggests is read from the working folder, as the flag is.
      expect(
        (JSON.parse(fromLive.stdout) as { notices: { message: string }[] }).notices[0]?.message,
      ).toMatch(/; pass --config \.\.\/\.github\/tollgate\.yml to gate as the app does$/);
      const notice = JSON.parse((await run(["scan", ".", "--format", "json"], dir)).stdout) as {
        notices: { message: string }[];
      };
      expect(notice.notices[0]?.message).toBe(
        "the repository's settings, which the app applies to its pull requests, were not read: without --config this run applies none of their var_files, parameter_files, enforcement or waivers; pass --config .github/tollgate.yml to gate as the app does",
      );
      // Given the file, the run gates as the app does, and says nothing of it.
      const config = ["--config", ".github/tollgate.yml", "--format", "json"];
      expect(report(await run(["scan", ".", ...config], dir))).toEqual({
        code: 1,
        found: ["new TG-NET-001"],
        notices: [],
      });
      expect(report(await run(["diff", "--base", "main", ...config], dir))).toEqual({
        code: 1,
        found: ["new TG-NET-001"],
        notices: [],
      });
    });
  });

  it("scans part of a repository with its settings, from its top or a folder below: paths are the top's", async () => {
    await withTempDir("partial-var-files", async (dir) => {
      const ssh = [
        'variable "cidr" {}',
        'resource "aws_security_group" "admin" {',
        "  ingress {",
        "    from_port   = 22",
        "    to_port     = 22",
        '    protocol    = "tcp"',
        "    cidr_blocks = [var.cidr]",
        "  }",
        "}",
        "",
      ].join("\n");
      await writeFiles(dir, {
        "tollgate.yml":
          "terraform:\n  var_files:\n    live/staging: [staging.tfvars]\n" +
          "cloudformation:\n  parameter_files:\n    cfn/app.yaml: [cfn/prod.json]\n",
        "cfn/app.yaml": [
          "Parameters:",
          "  Cidr: { Type: String, Default: 10.0.0.0/8 }",
          "Resources:",
          "  G:",
          "    Type: AWS::EC2::SecurityGroup",
          "    Properties:",
          "      GroupDescription: g",
          "      SecurityGroupEgress: []",
          "      SecurityGroupIngress:",
          "        - { IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr }",
          "",
        ].join("\n"),
        "cfn/prod.json": '["Cidr=0.0.0.0/0"]\n',
        "live/staging/main.tf": ssh,
        "live/staging/staging.tfvars": 'cidr = "0.0.0.0/0"\n',
        "legacy/main.tf": 'resource "terraform_data" "t" {\n  input = "t"\n}\n',
      });
      execFileSync("git", ["-C", dir, "init", "-q", "-b", "main"]);
      const scan = async (cwd: string, config: string, ...paths: string[]) => {
        const json = JSON.parse(
          (await run(["scan", ...paths, "--config", config, "--format", "json"], cwd)).stdout,
        ) as { findings: JsonFinding[]; errors: { file: string; message: string }[] };
        return {
          found: json.findings
            .filter((f) => f.rule === "TG-NET-001")
            .map((f) => `${f.rule} ${f.file}:${f.line}`),
          errors: json.errors.map((e) => `${e.file}: ${e.message}`),
        };
      };
      // legacy/ alone: live/staging lies outside what was read, and its variable files wait.
      expect(await scan(dir, "tollgate.yml", "legacy")).toEqual({ found: [], errors: [] });
      const opened = (...files: string[]) => ({
        found: files.map((file) => `TG-NET-001 ${file}:1`),
        errors: [],
      });
      expect(await scan(dir, "tollgate.yml", ".")).toEqual(
        opened("live/staging/staging.tfvars", "cfn/prod.json"),
      );
      // From live/, scan names the root staging, and the settings' live/staging is that root.
      expect(await scan(path.join(dir, "live"), "../tollgate.yml", "staging")).toEqual(
        opened("staging/staging.tfvars"),
      );
      // From the folder holding the repository, its top is that of the folder scanned.
      const name = path.basename(dir);
      expect(await scan(path.dirname(dir), `${name}/tollgate.yml`, `${name}/live/staging`)).toEqual(
        opened(`${name}/live/staging/staging.tfvars`),
      );
      // And a template's parameter files, both named from the top.
      expect(await scan(path.join(dir, "cfn"), "../tollgate.yml", ".")).toEqual(
        opened("prod.json"),
      );
      // A folder that holds no root is still named, whatever part is scanned.
      await writeFiles(dir, {
        "tollgate.yml": "terraform:\n  var_files:\n    legacy/old: [x.tfvars]\n",
      });
      expect((await scan(dir, "tollgate.yml", "legacy")).errors).toEqual([
        'legacy/old: variable files are given for "legacy/old", which is not a root module among the files read',
      ]);
    });
  });

  it("warns on stderr, exit code 0, for a path holding no Terraform or CloudFormation", async () => {
    await withTempDir("no-iac", async (dir) => {
      await writeFiles(dir, {
        "empty/package.json": '{"name": "x"}\n',
        "stack/template.yaml": "Resources:\n  B:\n    Type: AWS::SNS::Topic\n",
      });
      const result = await run(["scan", "empty", "stack", "--format", "json"], dir);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ errors: [] });
      expect(result.stderr).toBe(
        "tollgate scan: warning: no Terraform or CloudFormation files under empty\n",
      );
      expect((await run(["scan", "stack"], dir)).stderr).toBe("");
    });
  });

  it("exits 2 naming the flag when --bundle or --policies cannot give any rule", async () => {
    await withTempDir("flags", async (dir) => {
      await writeFiles(dir, {
        "main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        "empty/README.md": "no policies yet\n",
      });
      // A folder holding no rule is the folder's error, said alone; the others, the command
      // line's, are followed by the usage.
      const cases: Array<[string[], RegExp, "usage" | "alone"]> = [
        [["--policies", "empty"], /--policies: empty holds no rule/, "alone"],
        [["--custom-policies", "empty"], /--custom-policies: empty holds no rule/, "alone"],
        [["--policies", "missing"], /--policies: missing is not a folder/, "usage"],
        [["--policies", "main.tf"], /--policies: main\.tf is not a folder/, "usage"],
        [["--bundle", "missing.tar.gz"], /--bundle: missing\.tar\.gz is not a file/, "usage"],
        [["--bundle", "empty"], /--bundle: empty is not a file/, "usage"],
        [
          ["--bundle", "b.tar.gz", "--policies", "empty"],
          /--bundle or --policies, not both/,
          "usage",
        ],
      ];
      for (const [flags, message, usage] of cases) {
        for (const command of [
          ["scan", "."],
          ["diff", "--base-dir", ".", "--head-dir", "."],
        ]) {
          const result = await run([...command, ...flags], dir);
          expect(result.stderr, flags.join(" ")).toMatch(message);
          expect(result.stderr.includes("usage:"), flags.join(" ")).toBe(usage === "usage");
          expect(result.code, flags.join(" ")).toBe(2);
        }
      }
    });
  });

  it("reads the local modules a folder scanned alone calls, above it too, as Terraform does", async () => {
    // A terraform-aws-modules example calls the module at "../../". Scanned from its own folder it
    // must give what the whole project's scan gives for that root: the same rules, resources and
    // lines, and no error. The module's other folders (examples, modules) are not roots here.
    const project = path.join(corpusDir, "real/terraform-aws-s3-bucket");
    const key = (f: JsonFinding) => `${f.rule} ${f.resource} ${f.line}`;
    const alone = await run(
      ["scan", ".", "--format", "json"],
      path.join(project, "examples/complete"),
    );
    const whole = await run(["scan", ".", "--format", "json"], project);
    const aloneOut = JSON.parse(alone.stdout) as { findings: JsonFinding[]; errors: unknown[] };
    const wholeOut = JSON.parse(whole.stdout) as { findings: (JsonFinding & { root: string })[] };
    expect(aloneOut.errors).toEqual([]);
    expect(aloneOut.findings.map(key).sort()).toEqual(
      wholeOut.findings
        .filter((f) => f.root === "examples/complete")
        .map(key)
        .sort(),
    );
    expect(new Set(aloneOut.findings.map((f) => f.file))).toEqual(
      new Set(["main.tf", "../../main.tf"]),
    );
  });

  it("reads the templates and .tf.json files of a module followed out of the scanned folder", async () => {
    // envs/prod calls ../../modules/deploy, whose policies are a templatefile() below it and, from
    // its .tf.json, a file() beside it. Scanned alone, envs/prod gives what the whole project's
    // scan gives for that root; diffed alone, the template's s3:* is new on its own line.
    await withTempDir("module-templates", async (dir) => {
      for (const side of ["base", "opened"]) {
        const project = path.join(dir, side);
        await cp(path.join(repoRoot, "test/app/fixtures/template", side), project, {
          recursive: true,
        });
        const boundary = { name: "boundary", policy: '${file("${path.module}/boundary.json")}' };
        await writeFiles(project, {
          "envs/prod/main.tf": 'module "deploy" {\n  source = "../../modules/deploy"\n}\n',
          "modules/deploy/boundary.tf.json":
            JSON.stringify({ resource: { aws_iam_policy: { boundary } } }, null, 2) + "\n",
          "modules/deploy/boundary.json":
            '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n',
        });
      }
      const key = (f: JsonFinding) => `${f.rule} ${f.resource} ${f.line}`;
      const prod = path.join(dir, "opened/envs/prod");
      const alone = await run(["scan", ".", "--format", "json"], prod);
      const whole = await run(["scan", ".", "--format", "json"], path.join(dir, "opened"));
      const aloneOut = JSON.parse(alone.stdout) as { findings: JsonFinding[]; errors: unknown[] };
      const wholeOut = JSON.parse(whole.stdout) as { findings: (JsonFinding & { root: string })[] };
      expect(aloneOut.errors).toEqual([]);
      expect(aloneOut.findings.map((f) => `${f.rule} ${f.file}:${f.line}`).sort()).toEqual([
        "TG-IAM-001 ../../modules/deploy/templates/deploy.json.tftpl:6",
        "TG-IAM-002 ../../modules/deploy/boundary.json:1",
      ]);
      expect(aloneOut.findings.map(key).sort()).toEqual(
        wholeOut.findings
          .filter((f) => f.root === "envs/prod")
          .map(key)
          .sort(),
      );
      const diffed = await run(
        ["diff", "--base-dir", "../../../base/envs/prod", "--head-dir", ".", "--format", "json"],
        prod,
      );
      const findings = findingsOf(diffed.stdout);
      expect(findings.map((f) => `${f.status} ${f.rule} ${f.file}:${f.line}`)).toEqual([
        "existing TG-IAM-002 ../../modules/deploy/boundary.json:1",
        "new TG-IAM-001 ../../modules/deploy/templates/deploy.json.tftpl:6",
      ]);
      expect(diffed.code).toBe(1);
    });
  });

  it("diff of a ref with the working tree reads neither side above the repository", async () => {
    // Both sides must see the same files: the base ref cannot hold a module above the repository,
    // so the working tree does not read it either, or all it holds would look new.
    await withTempDir("outside-module", async (dir) => {
      const repo = path.join(dir, "repo");
      await writeFiles(dir, {
        "shared/sg.tf": await readFile(
          path.join(repoRoot, "examples/pr/head/network/main.tf"),
          "utf8",
        ),
        "repo/main.tf": 'module "net" {\n  source = "../shared"\n}\n',
      });
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      git("init", "-q", "-b", "main");
      git("add", "main.tf");
      git("commit", "-qm", "base");
      const scanned = await run(["scan", ".", "--format", "json"], repo);
      const findings = findingsOf(scanned.stdout);
      expect(findings.some((f) => f.rule === "TG-NET-001" && f.file === "../shared/sg.tf")).toBe(
        true,
      );
      const result = await run(["diff", "--base", "main", "--format", "json"], repo);
      const diffed = JSON.parse(result.stdout) as {
        findings: JsonFinding[];
        errors: { file: string; line: number }[];
      };
      expect(diffed.findings.filter((f) => f.status === "new")).toEqual([]);
      // The call is reported where it is, and the incomplete scan fails closed.
      expect(diffed.errors).toMatchObject([{ file: "main.tf", line: 2 }]);
      expect(result.code).toBe(1);
    });
  });

  it("diff with the working tree reads the whole repository as git would commit it, named from its top", async () => {
    const template = (port: number) =>
      [
        "Resources:",
        "  SG:",
        "    Type: AWS::EC2::SecurityGroup",
        "    Properties:",
        "      GroupDescription: x",
        "      SecurityGroupIngress:",
        `        - {IpProtocol: tcp, FromPort: ${port}, ToPort: ${port}, CidrIp: 0.0.0.0/0}`,
        "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}]",
        "",
      ].join("\n");
    await withTempDir("worktree", async (repo) => {
      const git = (...args: string[]) =>
        execFileSync(
          "git",
          ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
          { encoding: "utf8" },
        );
      git("init", "-q", "-b", "main");
      await writeFiles(repo, {
        "app/template.yaml": "Resources: {}\n",
        ".gitignore": ".aws-sam/\n",
      });
      git("add", ".");
      git("commit", "-qm", "base");
      // The change: SSH in app/, RDP in a new untracked file elsewhere; the build copies of
      // `sam build` (.gitignore) and `cdk synth` (.git/info/exclude) are not part of it.
      await writeFiles(repo, {
        "app/template.yaml": template(22),
        "other/rdp.yaml": template(3389),
        "app/.aws-sam/build/template.yaml": template(22),
        "cdk.out/App.template.json": JSON.stringify({
          Resources: {
            SG: {
              Type: "AWS::EC2::SecurityGroup",
              Properties: {
                GroupDescription: "x",
                SecurityGroupIngress: [
                  { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" },
                ],
              },
            },
          },
        }),
      });
      await writeFile(path.join(repo, ".git", "info", "exclude"), "cdk.out/\n");
      const expected = [
        ["TG-NET-001", "app/template.yaml"],
        ["TG-NET-002", "other/rdp.yaml"],
      ];
      for (const cwd of [repo, path.join(repo, "app")]) {
        const result = await run(["diff", "--base", "main", "--format", "json"], cwd);
        const findings = findingsOf(result.stdout);
        expect(findings.map((f) => [f.rule, f.file, f.status])).toEqual(
          expected.map(([rule, file]) => [rule, file, "new"]),
        );
        const sarif = await run(["diff", "--base", "main", "--format", "sarif"], cwd);
        const uris = (
          JSON.parse(sarif.stdout) as {
            runs: {
              results: {
                locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
              }[];
            }[];
          }
        ).runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
        expect(uris).toEqual(expected.map(([, file]) => file));
      }
      // Committed, the same change diffed between refs from the subfolder says the same.
      git("add", "app/template.yaml", "other/rdp.yaml");
      git("commit", "-qm", "head");
      const refs = await run(
        ["diff", "--base", "main~1", "--head", "main", "--format", "json"],
        path.join(repo, "app"),
      );
      const findings = findingsOf(refs.stdout);
      expect(findings.map((f) => [f.rule, f.file])).toEqual(expected);
    });
  });

  it("diff names a --repo folder that is not inside a git repository", async () => {
    await withTempDir("nogit", async (dir) => {
      const result = await run(["diff", "--base", "HEAD", "--repo", dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`tollgate diff: ${dir} is not inside a git repository\n`);
    });
  });

  it("reports a local module source that names no folder on the call's line", async () => {
    await withTempDir("missing-module", async (dir) => {
      await writeFile(
        path.join(dir, "main.tf"),
        'module "net" {\n  source = "../no-such-module"\n}\n',
      );
      const result = await run(["scan", ".", "--format", "json"], dir);
      const { errors } = JSON.parse(result.stdout) as {
        errors: { file: string; line: number; message: string }[];
      };
      expect(errors).toMatchObject([{ file: "main.tf", line: 2 }]);
      expect(errors[0]?.message).toMatch(/"\.\.\/no-such-module" leaves the files that were read/);
      expect(result.code).toBe(1);
    });
  });

  it("reports malformed Terraform with file and line, and still scans the rest", async () => {
    await withTempDir("bad", async (dir) => {
      await writeFile(
        path.join(dir, "broken.tf"),
        'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n',
      );
      await writeFile(
        path.join(dir, "ok.tf"),
        await readFile(path.join(repoRoot, "examples/pr/head/network/main.tf"), "utf8"),
      );
      const result = await run(["scan", dir, "--format", "json"]);
      const { findings, errors } = JSON.parse(result.stdout) as {
        findings: JsonFinding[];
        errors: { file: string; line: number }[];
      };
      expect(errors.some((e) => e.file.endsWith("broken.tf") && e.line >= 2)).toBe(true);
      expect(findings.some((f) => f.rule === "TG-NET-001")).toBe(true);
      expect(result.code).toBe(1);
    });
  });
});

describe("tollgate help and version", () => {
  /** The lines of a help text that describe an option: `  -o, --output <file>  ...`. */
  const optionLines = (help: string) =>
    help.split("\n").filter((line) => /^ {2}(-\w, | {4})--/.test(line));

  it("prints each command's usage and every option its parser reads, with its default, on stdout", async () => {
    for (const command of commands) {
      const help = await run([command.name, "--help"]);
      expect(help.code, command.name).toBe(0);
      expect(help.stderr, command.name).toBe("");
      for (const line of command.usage) expect(help.stdout, command.name).toContain(line);
      const lines = optionLines(help.stdout);
      // Every option of the table, then --help itself, and nothing the parser does not read.
      expect(lines, command.name).toHaveLength(Object.keys(command.options).length + 1);
      for (const [option, spec] of [
        ...Object.entries(command.options),
        ["help", { short: "h" }] as const,
      ]) {
        const flag = `${spec.short === undefined ? "" : `-${spec.short}, `}--${option}`;
        const line = lines.find((l) => l.trim() === flag || l.trim().startsWith(`${flag} `));
        expect(line, `${command.name} --${option}`).toBeDefined();
        if (!("description" in spec)) continue;
        expect(spec.description.trim(), `${command.name} --${option}`).not.toBe("");
        expect(line).toContain(spec.description);
        if (spec.value !== undefined) expect(line).toContain(`--${option} <${spec.value}>`);
        if (spec.default !== undefined && spec.default !== "")
          expect(line).toContain(`(default: ${String(spec.default)})`);
      }
      // -h, `help <command>` and --help among other arguments print the same.
      for (const args of [
        [command.name, "-h"],
        ["help", command.name],
        ["-h", command.name],
        [command.name, "some/path", "--format", "json", "--help"],
      ]) {
        const again = await run(args);
        expect(again, args.join(" ")).toEqual(help);
      }
    }
  });

  it("reads every option the help lists, and exits 2 with the usage on stderr for one it does not", async () => {
    await withTempDir("options", async (dir) => {
      for (const command of commands) {
        // `test` is given the empty folder: without one it tests the whole built-in library.
        const folder = command.name === "test" ? [dir] : [];
        for (const [option, spec] of Object.entries(command.options)) {
          const value = spec.type === "string" ? ["x"] : [];
          const args = [command.name, `--${option}`, ...value, ...folder];
          const result = await run(args, dir);
          expect(result.stderr, args.join(" ")).not.toMatch(/Unknown option/);
        }
        const wrong = await run([command.name, "--no-such-option"], dir);
        expect(wrong.code, command.name).toBe(2);
        expect(wrong.stdout, command.name).toBe("");
        expect(wrong.stderr, command.name).toContain("Unknown option '--no-such-option'");
        for (const line of command.usage) expect(wrong.stderr, command.name).toContain(line);
      }
    });
  });

  it("says what README's CLI section says: what test runs without a folder and what -v prints, the forms of a parameter file", async () => {
    const help = (await run(["test", "--help"])).stdout;
    expect(help).toMatch(
      /fixtures, and the \*_test\.rego tests, .*\(no dir: the built-in library\)/,
    );
    expect(help).toMatch(/--verbose +print what each test's and fixture's print calls wrote/);
    const readme = await readFile(path.join(repoRoot, "README.md"), "utf8");
    const cli = readme.slice(readme.indexOf("## CLI"), readme.indexOf("`tollgate build` writes"));
    expect(cli.replace(/\s+/g, " ")).toContain("without dir, the built-in library's (policies/)");
    // A parameter file is read in each form README's CloudFormation section lists, not JSON alone.
    expect((await run(["scan", "--help"])).stdout).toMatch(
      /--parameter-file <path> +a CloudFormation parameter file \(create-stack's, deploy's or CodePipeline's, JSON or YAML\)/,
    );
    for (const { name } of commands.filter((c) => !["help", "version"].includes(c.name)))
      expect(cli, name).toContain(`tollgate ${name} `);
  });

  it("takes --help after -- as a path, as parseArgs takes it", async () => {
    const result = await run(["inspect", "--", "--help"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no such file or folder: --help/);
  });

  it("lists every command for --help, -h and help, and exits 2 for an unknown one", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const result = await run(args);
      expect(result.code, args.join(" ")).toBe(0);
      const lines = result.stdout.split("\n");
      for (const { name, summary } of commands) {
        const listed = lines.some((l) => l.startsWith(`  ${name} `) && l.endsWith(`  ${summary}`));
        expect(listed, `${args.join(" ")} lists ${name}`).toBe(true);
      }
    }
    for (const args of [
      ["help", "frobnicate"],
      ["frobnicate", "--help"],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(/unknown command 'frobnicate'/);
    }
  });

  it("prints package.json's version for --version, -V and version", async () => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
      version: string;
    };
    for (const args of [["--version"], ["-V"], ["version"]])
      expect(await run(args), args.join(" ")).toEqual({
        code: 0,
        stdout: `${version}\n`,
        stderr: "",
      });
    expect((await run(["version", "extra"])).code).toBe(2);
  });
});

describe("tollgate scan with the organization's settings (--org-config)", () => {
  it("merges --config over it as the repository's file and reports a locked entry the rules show looser, on its line", async () => {
    await withTempDir("org-config", async (dir) => {
      await writeFile(
        path.join(dir, "main.tf"),
        [
          'resource "aws_security_group" "web" {',
          "  ingress {",
          "    from_port   = 22",
          "    to_port     = 22",
          '    protocol    = "tcp"',
          '    cidr_blocks = ["0.0.0.0/0"]',
          "  }",
          "}",
          "",
        ].join("\n"),
      );
      await writeFile(path.join(dir, "org.yml"), "locked: [enforcement]\n");
      await writeFile(
        path.join(dir, "tollgate.yml"),
        ["enforcement:", "  rules:", "    TG-NET-001: advisory", "locked: [waivers]", ""].join(
          "\n",
        ),
      );
      const scanned = await run(
        ["scan", ".", "--org-config", "org.yml", "--config", "tollgate.yml", "--format", "json"],
        dir,
      );
      const report = JSON.parse(scanned.stdout) as {
        notices: { file: string; line: number; column: number; code: string; message: string }[];
      };
      expect(report.notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}`)).toEqual([
        "tollgate.yml:3:5: settings-locked",
        "tollgate.yml:4:1: settings-org-only",
      ]);
      expect(report.notices[0]?.message).toBe(
        "enforcement.rules.TG-NET-001 may not loosen what the organization locks; its level applies to TG-NET-001 (blocking)",
      );
      // The organization's lock holds the finding: the gate blocks.
      expect(scanned.code).toBe(1);
      // Alone, --config is the whole of the settings, as before.
      const alone = await run(["scan", ".", "--config", "tollgate.yml", "--format", "json"], dir);
      expect(alone.code).toBe(0);
    });
  });

  it("selects the organization's overrides by --topic, as the app by the repository's topics", async () => {
    await withTempDir("org-topic", async (dir) => {
      await writeFile(
        path.join(dir, "main.tf"),
        [
          'resource "aws_cloudwatch_log_group" "app" {',
          '  name              = "app"',
          "  retention_in_days = 30",
          '  kms_key_id        = "arn:aws:kms:eu-west-1:111122223333:key/app"',
          "}",
          "",
        ].join("\n"),
      );
      await writeFile(
        path.join(dir, "org.yml"),
        [
          "overrides:",
          "  - topics: [pci]",
          "    enforcement:",
          "      rules:",
          "        TG-LOG-012: blocking",
          "",
        ].join("\n"),
      );
      const scan = (...flags: string[]) =>
        run(["scan", ".", "--org-config", "org.yml", "--format", "json", ...flags], dir);
      expect((await scan()).code).toBe(0);
      expect((await scan("--topic", "web")).code).toBe(0);
      expect((await scan("--topic", "web", "--topic", "pci")).code).toBe(1);
    });
  });

  it("says where settings select repositories by name when no --repository names this one", async () => {
    await withTempDir("org-no-repository", async (dir) => {
      await writeFile(
        path.join(dir, "main.tf"),
        [
          'resource "aws_ebs_volume" "x" {',
          '  availability_zone = "eu-west-1a"',
          "  size = 1",
          "}",
          "",
        ].join("\n"),
      );
      await writeFile(
        path.join(dir, "org.yml"),
        [
          "waivers:",
          "  - rule: TG-ENC-002",
          "    repositories: [payments]",
          "    reason: SEC-4",
          "overrides:",
          "  - repositories: [legacy-*]",
          "    fail_on: all",
          "",
        ].join("\n"),
      );
      const scan = (...flags: string[]) =>
        run(["scan", ".", "--org-config", "org.yml", "--format", "text", ...flags], dir);
      const unnamed = await scan();
      expect(unnamed.code).toBe(1);
      expect(unnamed.stdout.split("\n")).toContain(
        "org.yml:3:5: waivers.0 selects repositories by name (as overrides.0 does), but no --repository was given, so none of them applies; pass --repository <name> to check the settings as that repository's pull requests are (settings-no-repository) [notice]",
      );
      expect(unnamed.stdout).toContain("failure: 1 blocking new finding (1 high); 1 notice above");
      const named = await scan("--repository", "payments");
      expect(named.code).toBe(0);
      expect(named.stdout).not.toContain("settings-no-repository");
    });
  });

  it("says a blocking_from day already begun is in force, in either file", async () => {
    await withTempDir("org-blocking-from-begun", async (dir) => {
      await writeFile(
        path.join(dir, "main.tf"),
        ['resource "aws_ebs_volume" "x" {', '  availability_zone = "eu-west-1a"', "}", ""].join(
          "\n",
        ),
      );
      const enforcement = (entry: string) => ["enforcement:", `  ${entry}`, ""].join("\n");
      await writeFile(
        path.join(dir, "org.yml"),
        enforcement("rules: { TG-ENC-002: { blocking_from: 2020-01-15 } }"),
      );
      await writeFile(
        path.join(dir, "repo.yml"),
        enforcement(
          "severities: { low: { blocking_from: 2999-01-15 }, info: { blocking_from: 2021-06-01 } }",
        ),
      );
      const { stdout } = await run(
        ["scan", ".", "--format", "text", "--org-config", "org.yml", "--config", "repo.yml"],
        dir,
      );
      const begun = stdout.split("\n").filter((line) => line.includes("blocking-from-passed"));
      expect(begun).toEqual([
        expect.stringMatching(
          /^org\.yml:2:26: enforcement\.rules\.TG-ENC-002: blocking_from 2020-01-15 has passed \(\d+ days ago\), so this entry is already in force: its findings block now, with no countdown; .* \(settings-blocking-from-passed\) \[notice\]$/,
        ),
        expect.stringMatching(
          /^repo\.yml:2:61: enforcement\.severities\.info: blocking_from 2021-06-01 has passed/,
        ),
      ]);
    });
  });
});

describe("SARIF from a subfolder of a git repository names files from the repository's top", () => {
  /** Each result's location and related locations, then each notification's location. */
  function sarifUris(stdout: string): { results: string[][]; notifications: string[] } {
    type Located = { physicalLocation: { artifactLocation: { uri: string } } };
    const [sarifRun] = (
      JSON.parse(stdout) as {
        runs: {
          results: { locations: Located[]; relatedLocations?: Located[] }[];
          invocations: { toolConfigurationNotifications: { locations?: Located[] }[] }[];
        }[];
      }
    ).runs;
    const uri = (at: Located) => at.physicalLocation.artifactLocation.uri;
    return {
      results: sarifRun!.results.map((r) =>
        [...r.locations, ...(r.relatedLocations ?? [])].map(uri),
      ),
      notifications: sarifRun!.invocations[0]!.toolConfigurationNotifications.flatMap((n) =>
        (n.locations ?? []).map(uri),
      ),
    };
  }

  // A root in envs/prod calling a module two folders up that opens `port` to the internet, and a
  // settings file at the top with a waiver for a misspelt rule id (a notice located in it).
  const files = (port: number) => ({
    "modules/sg/main.tf": [
      'variable "port" { default = 22 }',
      'resource "aws_security_group" "ssh" {',
      "  ingress {",
      `    from_port   = ${port}`,
      `    to_port     = ${port}`,
      '    protocol    = "tcp"',
      '    cidr_blocks = ["0.0.0.0/0"]',
      "  }",
      "}",
      "",
    ].join("\n"),
    "envs/prod/main.tf": 'module "sg" {\n  source = "../../modules/sg"\n}\n',
    "tollgate.yml": "waivers:\n  - rule: TG-NET-01\n    reason: typo\n",
  });
  const config = ["--config", "../../tollgate.yml"];

  it("scan and diff from envs/prod name the module above it modules/sg/main.tf, in SARIF only", async () => {
    await withTempDir("sarif-top", async (repo) => {
      execFileSync("git", ["-C", repo, "init", "-q", "-b", "main"]);
      await writeFiles(repo, files(22));
      const prod = path.join(repo, "envs", "prod");
      const expected = { results: [["modules/sg/main.tf"]], notifications: ["tollgate.yml"] };
      const scan = await run(["scan", ".", ...config, "--format", "sarif"], prod);
      expect(sarifUris(scan.stdout)).toEqual(expected);
      // A file given rather than a folder, from the repository's top's child.
      const file = await run(
        ["scan", "prod/main.tf", "--config", "../tollgate.yml", "--format", "sarif"],
        path.join(repo, "envs"),
      );
      expect(sarifUris(file.stdout)).toEqual(expected);
      // The terminal and JSON keep the names the user can open from where they ran it.
      const text = await run(["scan", ".", ...config], prod);
      expect(text.stdout).toMatch(/^\.\.\/\.\.\/modules\/sg\/main\.tf:7: high TG-NET-001/m);
      expect(text.stdout).toMatch(/^\.\.\/\.\.\/tollgate\.yml:2:5: waiver for TG-NET-01/m);
      const json = await run(["scan", ".", ...config, "--format", "json"], prod);
      expect(findingsOf(json.stdout).map((f) => f.file)).toEqual(["../../modules/sg/main.tf"]);

      // diff between two folders of the repository: the head folder names files, then the top.
      await writeFiles(path.join(repo, "base"), files(3389));
      const dirs = await run(
        [
          "diff",
          "--base-dir",
          "../../base/envs/prod",
          "--head-dir",
          ".",
          ...config,
          "--format",
          "sarif",
        ],
        prod,
      );
      // New there, on the changed port line, with the finding's own place related.
      expect(sarifUris(dirs.stdout)).toEqual({
        ...expected,
        results: [["modules/sg/main.tf", "modules/sg/main.tf"]],
      });
    });
  });

  it("locates a settings file outside the repository by an absolute file:// URI, not ../", async () => {
    await withTempDir("sarif-outside", async (dir) => {
      const repo = path.join(dir, "repo");
      execFileSync("git", ["init", "-q", "-b", "main", repo]);
      await writeFiles(repo, files(22));
      await writeFiles(dir, { "cfg/org.yml": files(22)["tollgate.yml"] });
      const orgFile = path.join(await realpath(dir), "cfg", "org.yml");
      const scan = await run(
        ["scan", ".", "--org-config", "../../../cfg/org.yml", "--format", "sarif"],
        path.join(repo, "envs", "prod"),
      );
      const [sarifRun] = (
        JSON.parse(scan.stdout) as {
          runs: {
            invocations: {
              toolConfigurationNotifications: {
                locations?: { physicalLocation: { artifactLocation: object } }[];
              }[];
            }[];
          }[];
        }
      ).runs;
      expect(
        sarifRun!.invocations[0]!.toolConfigurationNotifications.flatMap((n) =>
          (n.locations ?? []).map((at) => at.physicalLocation.artifactLocation),
        ),
      ).toEqual([{ uri: pathToFileURL(orgFile).href }]);
      expect(sarifUris(scan.stdout).results).toEqual([["modules/sg/main.tf"]]);
    });
  });

  it("a new finding decided by a changed line elsewhere is located there, from the top", async () => {
    await withTempDir("sarif-decided", async (repo) => {
      const git = (...args: string[]) =>
        execFileSync("git", [
          "-C",
          repo,
          "-c",
          "user.name=t",
          "-c",
          "user.email=t@example.com",
          ...args,
        ]);
      git("init", "-q", "-b", "main");
      await writeFiles(repo, files(22));
      // The port read from the module's variable, which the base sets to a closed one.
      await writeFile(
        path.join(repo, "envs/prod/main.tf"),
        'module "sg" {\n  source = "../../modules/sg"\n  port = 8443\n}\n',
      );
      const prod = path.join(repo, "envs", "prod");
      await writeFiles(repo, {
        "modules/sg/main.tf": files(22)["modules/sg/main.tf"].replace(/ = 22\n/g, " = var.port\n"),
      });
      git("add", ".");
      git("commit", "-qm", "base");
      await writeFile(
        path.join(repo, "envs/prod/main.tf"),
        'module "sg" {\n  source = "../../modules/sg"\n  port = 22\n}\n',
      );
      for (const args of [
        ["diff", "--base", "main", ...config],
        ["diff", "--base-dir", path.join(repo, "base-copy"), "--head-dir", ".", ...config],
      ]) {
        if (args.includes("--base-dir")) {
          await writeFiles(path.join(repo, "base-copy"), {
            "main.tf": 'module "sg" {\n  source = "../modules/sg"\n  port = 8443\n}\n',
          });
        }
        const result = await run([...args, "--format", "sarif"], prod);
        expect(sarifUris(result.stdout).results, args.join(" ")).toEqual([
          ["envs/prod/main.tf", "modules/sg/main.tf"],
        ]);
      }
    });
  });

  it("outside git, SARIF names files as the run does", async () => {
    await withTempDir("sarif-nogit", async (dir) => {
      await writeFiles(dir, files(22));
      const scan = await run(
        ["scan", ".", ...config, "--format", "sarif"],
        path.join(dir, "envs", "prod"),
      );
      expect(sarifUris(scan.stdout)).toEqual({
        results: [["../../modules/sg/main.tf"]],
        notifications: ["../../tollgate.yml"],
      });
    });
  });
});
