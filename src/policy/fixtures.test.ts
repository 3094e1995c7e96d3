import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { LoadError } from "../model/types.js";
import { parseMarkers, readFixtures, runPolicyFolder } from "./fixtures.js";

describe("fixture markers", () => {
  it("reads tollgate:none in HCL # and // comments and YAML comments, with the place of the first", () => {
    const errors: LoadError[] = [];
    const hcl = parseMarkers(
      [
        "# tollgate:none TG-NET-001 TG-NET-002",
        'resource "aws_security_group" "web" {',
        '  name = "web" # tollgate:expect TG-NET-005 low',
        "  // tollgate:none TG-NET-003\tTG-NET-001",
        "}",
      ].join("\n"),
      "network/x/fixtures/positive.tf",
      errors,
    );
    expect(Object.fromEntries(hcl.silent)).toEqual({
      "TG-NET-001": { file: "network/x/fixtures/positive.tf", line: 1, column: 3 },
      "TG-NET-002": { file: "network/x/fixtures/positive.tf", line: 1, column: 3 },
      "TG-NET-003": { file: "network/x/fixtures/positive.tf", line: 4, column: 6 },
    });
    expect(Object.fromEntries(hcl.expected)).toEqual({ "TG-NET-005": ["3"] });
    const yaml = parseMarkers(
      "Resources: # tollgate:none TG-ENC-001 -- rules of keys stay silent\n",
      "encryption/x/fixtures/negative.yaml",
      errors,
    );
    // The ids stop at the first word that cannot be one.
    expect([...yaml.silent.keys()]).toEqual(["TG-ENC-001"]);
    expect(errors).toEqual([]);
  });

  it("reports a tollgate:none that names no rule", () => {
    const errors: LoadError[] = [];
    parseMarkers("a = 1\n  # tollgate:none\n", "f/fixtures/negative.tf", errors);
    expect(errors).toEqual([
      {
        file: "f/fixtures/negative.tf",
        line: 2,
        column: 5,
        code: "fixture",
        message: "tollgate:none names no rule",
      },
    ]);
  });
});

describe("readFixtures and tollgate:none", () => {
  async function withFolder(files: Record<string, string>, test: (dir: string) => Promise<void>) {
    const dir = await mkdtemp(path.join(tmpdir(), "tollgate-fixture-markers-"));
    try {
      for (const [name, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), text);
      }
      await test(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it("takes a JSON fixture's silent rules from the object form of its .expect.json", async () => {
    await withFolder(
      {
        "r/fixtures/positive.json": '{"Resources": {}}\n',
        "r/fixtures/positive.expect.json":
          '{\n  "findings": [{ "rule": "T-1", "line": 1 }],\n  "none": [\n    "T-2",\n    "T-3"\n  ]\n}\n',
        "r/fixtures/negative.json": '{"Resources": {}}\n',
        "r/fixtures/negative.expect.json": '[{ "rule": "T-1", "line": 1 }]\n',
      },
      async (dir) => {
        const { fixtures, errors } = await readFixtures(dir);
        expect(errors).toEqual([]);
        const [negative, positive] = fixtures;
        expect(Object.fromEntries(positive?.expected ?? [])).toEqual({ "T-1": ["1"] });
        expect(Object.fromEntries(positive?.silent ?? [])).toEqual({
          "T-2": { file: "r/fixtures/positive.expect.json", line: 4, column: 1 },
          "T-3": { file: "r/fixtures/positive.expect.json", line: 5, column: 1 },
        });
        expect(negative?.silent.size).toBe(0);
      },
    );
  });

  it("names the files of a fixture folder, and refuses a rule both expected and silent", async () => {
    await withFolder(
      {
        "r/fixtures/positive_pair/a.tf": "x = 1 # tollgate:expect T-1\n",
        "r/fixtures/positive_pair/b.tf": "\n# tollgate:none T-2 T-1\n",
      },
      async (dir) => {
        const { fixtures, errors } = await readFixtures(dir);
        expect(Object.fromEntries(fixtures[0]?.silent ?? [])).toEqual({
          "T-1": { file: "r/fixtures/positive_pair/b.tf", line: 2, column: 3 },
          "T-2": { file: "r/fixtures/positive_pair/b.tf", line: 2, column: 3 },
        });
        expect(errors).toEqual([
          {
            file: "r/fixtures/positive_pair/b.tf",
            line: 2,
            column: 3,
            code: "fixture",
            message: "tollgate:none names T-1, which the fixture expects to find",
          },
        ]);
      },
    );
  });

  it("takes Rego tests instead of a positive fixture, and names a rule that has neither", async () => {
    const rule = (name: string, id: string) =>
      [
        "# METADATA",
        `# title: ${id}`,
        "# custom:",
        `#   id: ${id}`,
        "#   severity: high",
        "#   category: iam",
        `package tollgate.rules.iam.${name}`,
        "",
        "import rego.v1",
        "",
        "deny contains finding if {",
        "\tsome r in input.resources",
        '\tfinding := {"resource": r.address, "message": "m", "evidence": "e"}',
        "}",
        "",
      ].join("\n");
    const test = (pkg: string, refersTo: string) =>
      `package ${pkg}\n\nimport rego.v1\n\ntest_it if count(data.tollgate.rules.iam.${refersTo}.deny) == 0\n`;
    await withFolder(
      {
        "fixtured/policy.rego": rule("fixtured", "T-1"),
        "fixtured/fixtures/positive.tf": 'resource "aws_iam_user" "u" { # tollgate:expect T-1\n}\n',
        "by_folder/policy.rego": rule("by_folder", "T-2"),
        "by_folder/policy_test.rego": test("acme.any_name", "fixtured"),
        "by_reference/policy.rego": rule("by_reference", "T-3"),
        "tests/all_test.rego": test("acme.tests", "by_reference"),
        "untested/policy.rego": rule("untested", "T-4"),
        "skipped/policy.rego": rule("skipped", "T-5"),
        "skipped/policy_test.rego": `package acme.skipped\n\nimport rego.v1\n\ntodo_test_it if false\n`,
      },
      async (dir) => {
        const run = await runPolicyFolder(dir);
        if (!run.ok) throw new Error(JSON.stringify(run.errors));
        expect(run.errors).toEqual([]);
        expect(
          run.withoutFixtures.map(({ rule, regoTestFiles }) => [rule.id, regoTestFiles]),
        ).toEqual([
          ["T-2", ["by_folder/policy_test.rego"]],
          ["T-3", ["tests/all_test.rego"]],
          ["T-5", []],
          ["T-4", []],
        ]);
        expect(run.untested.map((r) => r.id)).toEqual(["T-5", "T-4"]);
      },
    );
  }, 60_000);
});
