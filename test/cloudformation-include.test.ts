// A `Fn::Transform` Tollgate does not expand (review s22 #1): an `AWS::Include` snippet, which
// `aws cloudformation package` uploads from a local `Location`, or another macro, is deployed but
// its content is judged nowhere. It is never silent: a located `cfn-macro-unread` warning in a
// scan, and an error in a diff whose base did not have it (the pull request adds or re-points it).
import { describe, expect, it } from "vitest";
import { diffArgs, runOnFiles } from "./support/cli.js";

interface JsonProblem {
  file: string;
  line: number;
  code: string;
  message: string;
  level: string;
}

const template = (location: string) => `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  OpenSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ${location}
`;
const plain = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
`;
const rules = `- {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n`;
const block = "on_error: block\n";

/** The `cfn-macro-unread` errors and warnings of a `--format json` report. */
function problems(stdout: string): JsonProblem[] {
  const report = JSON.parse(stdout) as { errors: JsonProblem[]; warnings: JsonProblem[] };
  return [
    ...report.errors.map((p) => ({ ...p, level: "error" })),
    ...report.warnings.map((p) => ({ ...p, level: "warning" })),
  ]
    .filter((p) => p.code === "cfn-macro-unread")
    .map(({ file, line, code, message, level }) => ({ file, line, code, message, level }));
}

describe("Fn::Transform that is not expanded", { timeout: 120_000 }, () => {
  it("is a located warning in a scan", async () => {
    const { stdout } = await runOnFiles(
      "cfn-include",
      { "stack.yaml": template("./rules.yaml"), "rules.yaml": rules },
      (dir) => ["scan", dir, "--format", "json"],
    );
    expect(problems(stdout)).toEqual([
      {
        file: "stack.yaml",
        line: 10,
        code: "cfn-macro-unread",
        level: "warning",
        message:
          'Fn::Transform AWS::Include of "./rules.yaml" is not read: the snippet it includes is deployed but not judged; its value is unknown',
      },
    ]);
  });

  it("names another macro", async () => {
    const { stdout } = await runOnFiles(
      "cfn-include",
      {
        "stack.yaml": plain.replace(
          "Type: AWS::S3::Bucket",
          "Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        Fn::Transform: {Name: MyTags}",
        ),
      },
      (dir) => ["scan", dir, "--format", "json"],
    );
    expect(problems(stdout).map((p) => `${p.file}:${p.line} ${p.level} ${p.message}`)).toEqual([
      "stack.yaml:7 warning Fn::Transform MyTags is not run: the value the macro returns is deployed but not judged; its value is unknown",
    ]);
  });

  it("names a template-level Transform other than SAM's", async () => {
    const { stdout } = await runOnFiles(
      "cfn-include",
      { "stack.yaml": `Transform: [AWS::Serverless-2016-10-31, OurMacro]\n${plain}` },
      (dir) => ["scan", dir, "--format", "json"],
    );
    expect(problems(stdout).map((p) => `${p.file}:${p.line} ${p.level} ${p.message}`)).toEqual([
      "stack.yaml:1 warning Transform OurMacro is not run: what the macro adds to or changes in the template is deployed but not judged",
    ]);
  });

  it("fails closed in a diff that adds it, under on_error: block", async () => {
    const { code, stdout } = await runOnFiles(
      "cfn-include",
      {
        ".tollgate.yml": block,
        "base/stack.yaml": plain,
        "head/stack.yaml": template("./rules.yaml"),
        "head/rules.yaml": rules,
      },
      (dir) => [...diffArgs(dir), "--config", `${dir}/.tollgate.yml`, "--format", "json"],
    );
    const found = problems(stdout);
    expect(found.map((p) => `${p.file}:${p.line} ${p.level}`)).toEqual(["stack.yaml:10 error"]);
    expect(found[0]?.message).toContain("this change adds it");
    expect(code).not.toBe(0);
  });

  it("fails closed in a diff that re-points it", async () => {
    const { code, stdout } = await runOnFiles(
      "cfn-include",
      {
        ".tollgate.yml": block,
        "base/stack.yaml": template("./rules.yaml"),
        "base/rules.yaml": rules,
        "head/stack.yaml": template("./other.yaml"),
        "head/other.yaml": rules,
      },
      (dir) => [...diffArgs(dir), "--config", `${dir}/.tollgate.yml`, "--format", "json"],
    );
    expect(problems(stdout).map((p) => `${p.line} ${p.level}`)).toEqual(["10 error"]);
    expect(code).not.toBe(0);
  });

  it("stays a warning in a diff whose base had it", async () => {
    const { code, stdout } = await runOnFiles(
      "cfn-include",
      {
        ".tollgate.yml": block,
        "base/stack.yaml": template("./rules.yaml"),
        "base/rules.yaml": rules,
        "head/stack.yaml": template("./rules.yaml"),
        "head/rules.yaml": rules,
      },
      (dir) => [...diffArgs(dir), "--config", `${dir}/.tollgate.yml`, "--format", "json"],
    );
    expect(problems(stdout).map((p) => `${p.line} ${p.level}`)).toEqual(["10 warning"]);
    expect(code).toBe(0);
  });
});
