// TG-IAM-010 on a CloudFormation bucket policy whose Block Public Access an undecided Fn::If turns
// on in some deployments only: one grant, two findings on its line, low where the block contains
// it and critical where it does not, each saying when. The fixture's markers pin the lines only.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { jsonFindings, runOnFiles } from "./support/cli.js";

const fixture = new URL(
  "../policies/iam/resource_policy_public/fixtures/positive_contained_deployments.yaml",
  import.meta.url,
);

interface JsonFinding {
  rule: string;
  line: number;
  severity: string;
  message: string;
}

describe(
  "TG-IAM-010 under Block Public Access some deployments turn on",
  { timeout: 120_000 },
  () => {
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
        [24, "critical", "not IsProd"],
        [24, "low", "IsProd"],
        [42, "critical", "not IsProd"],
        [42, "low", "IsProd"],
        [59, "low", ""],
      ]);
    });
  },
);
