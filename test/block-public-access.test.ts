// TG-IAM-010 and TG-IAM-017 on a CloudFormation bucket policy or ACL whose Block Public Access an
// undecided Fn::If, or a parameter a deployment may set false, turns on in some deployments only:
// one grant, two findings on its line, low where the block contains it and at full severity where
// it does not, each saying when. The fixtures' markers pin the lines only.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { jsonFindings, runOnFiles } from "./support/cli.js";

const fixture = new URL(
  "../policies/iam/resource_policy_public/fixtures/positive_contained_deployments.yaml",
  import.meta.url,
);

const aclFixture = new URL(
  "../policies/iam/s3_public_acl/fixtures/positive_contained_deployments.yaml",
  import.meta.url,
);

interface JsonFinding {
  rule: string;
  line: number;
  severity: string;
  message: string;
}

describe("Block Public Access some deployments turn on", { timeout: 120_000 }, () => {
  it("is low where the block contains the grant and critical where it does not", async () => {
    const text = await readFile(fixture, "utf8");
    const { stdout } = await runOnFiles("block-public-access", { "t.yaml": text }, () => [
      "scan",
      ".",
      "--format",
      "json",
    ]);
    const findings = jsonFindings<JsonFinding>(stdout);
    const verdicts = findings
      .filter((f) => f.rule === "TG-IAM-010")
      .map((f) => [f.line, f.severity, /Only when (.*)\.$/.exec(f.message)?.[1] ?? ""])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(verdicts).toEqual([
      [102, "critical", "Restrict is false"],
      [102, "low", "Restrict is true"],
      [118, "low", ""],
      [35, "critical", "not IsProd"],
      [35, "low", "IsProd"],
      [53, "critical", "not IsProd"],
      [53, "low", "IsProd"],
      [70, "low", ""],
      [87, "critical", "BlockPublic is false"],
      [87, "low", "BlockPublic is true"],
    ]);
  });

  it("judges a public ACL per deployment of the flags that contain it", async () => {
    const text = await readFile(aclFixture, "utf8");
    const { stdout } = await runOnFiles("block-public-access-acl", { "t.yaml": text }, () => [
      "scan",
      ".",
      "--format",
      "json",
    ]);
    const verdicts = jsonFindings<JsonFinding>(stdout)
      .filter((f) => f.rule === "TG-IAM-017")
      .map((f) => [f.line, f.severity, /Only when (.*)\.$/.exec(f.message)?.[1] ?? ""])
      .sort((a, b) => String(a).localeCompare(String(b)));
    expect(verdicts).toEqual([
      [22, "high", "IgnoreAcls is false"],
      [22, "low", "IgnoreAcls is true"],
      [29, "high", "BlockAcls is false"],
      [29, "low", "BlockAcls is true"],
      [36, "critical", "not IsProd"],
      [36, "low", "IsProd"],
    ]);
  });
});
