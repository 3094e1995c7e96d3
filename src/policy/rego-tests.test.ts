import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readRegoTests, runRegoTests } from "./rego-tests.js";

const helper = {
  path: "lib/util.rego",
  text: `package tollgate.lib.util

is_false(v) if v == false

is_false(v) if lower(v) == "false"
`,
};

const tests = (text: string) => [{ path: "lib/util_test.rego", text }];

describe("Rego unit tests", () => {
  it("runs every test_* rule with the policies it imports and reports each with its line", async () => {
    const run = await runRegoTests(
      [helper],
      tests(`package tollgate.lib.util_test

import data.tollgate.lib.util

test_boolean if util.is_false(false)

test_text if util.is_false("FALSE")

test_undefined if util.is_false("yes")

test_not_true := 3

test_conflict := x if some x in [1, 2]

todo_test_later if false

helper_not_a_test if false

test_function(x) if x
`),
    );
    expect(run.errors).toEqual([]);
    expect(
      run.outcomes.map(({ name, line, status, detail }) => ({ name, line, status, detail })),
    ).toEqual([
      { name: "data.tollgate.lib.util_test.test_boolean", line: 5, status: "passed" },
      { name: "data.tollgate.lib.util_test.test_text", line: 7, status: "passed" },
      {
        name: "data.tollgate.lib.util_test.test_undefined",
        line: 9,
        status: "failed",
        detail: "undefined",
      },
      {
        name: "data.tollgate.lib.util_test.test_not_true",
        line: 11,
        status: "failed",
        detail: "value 3, not true",
      },
      {
        name: "data.tollgate.lib.util_test.test_conflict",
        line: 13,
        status: "errored",
        detail: expect.stringMatching(/^lib\/util_test\.rego:13:\d+: eval_conflict_error: /),
      },
      { name: "data.tollgate.lib.util_test.todo_test_later", line: 15, status: "skipped" },
    ]);
    expect(run.outcomes.every((o) => o.file === "lib/util_test.rego")).toBe(true);
  });

  it("sees input and data only through with, as OPA's test runner does", async () => {
    const run = await runRegoTests(
      [
        {
          path: "rules/p.rego",
          text: "package p\n\nallow if input.user == data.admins[_]\n",
        },
      ],
      tests(`package p_test

import data.p

test_admin if p.allow with input as {"user": "ann"} with data.admins as ["ann"]

test_without_input if not p.allow
`),
    );
    expect(run.outcomes.map((o) => o.status)).toEqual(["passed", "passed"]);
  });

  it("sees the folder's data files as data, which with may still replace", async () => {
    const run = await runRegoTests(
      [
        { path: "rules/p.rego", text: "package p\n\nallow if input.user in data.acme.admins\n" },
        { path: "acme/data.json", text: '{"admins": ["ann"]}' },
      ],
      tests(`package p_test

import data.p

test_from_data if p.allow with input as {"user": "ann"}

test_replaced if not p.allow with input as {"user": "ann"} with data.acme.admins as ["bo"]
`),
      { acme: { admins: ["ann"] } },
    );
    expect(run.errors).toEqual([]);
    expect(run.outcomes.map((o) => o.status)).toEqual(["passed", "passed"]);
  });

  it("sees a data file's integer past 2^53 as written (a bigint), in the sandbox too", async () => {
    const run = await runRegoTests(
      [
        {
          path: "rules/p.rego",
          text: "package p\n\nmatches if data.acme.id == 9007199254740993\n",
        },
      ],
      tests(`package p_test

import data.p

test_exact if p.matches
`),
      { acme: { id: 9007199254740993n } },
    );
    expect(run.errors).toEqual([]);
    expect(run.outcomes.map((o) => o.status)).toEqual(["passed"]);
  });

  it("warns at a test that compares inside 'with ... as', which passes whatever the policy says", async () => {
    const policy = {
      path: "rules/p.rego",
      text: "package p\n\ndeny contains r.name if some r in input.resources\n",
    };
    const run = await runRegoTests(
      [policy],
      tests(`package p_test

import data.p

test_trap if {
	count(p.deny) with input as {"resources": [{"name": "a"}]} == 2
}

test_assigned if {
	n := count(p.deny) with input as {"resources": [{"name": "a"}]}
	n == 2
}
`),
    );
    expect(run.errors).toEqual([]);
    // The trap runs with input = false: count of an empty deny, 0, which is not false, so it passes.
    expect(run.outcomes.map(({ line, status }) => ({ line, status }))).toEqual([
      { line: 5, status: "passed" },
      { line: 9, status: "failed" },
    ]);
    expect(run.warnings).toEqual([
      {
        file: "lib/util_test.rego",
        line: 6,
        column: 61,
        code: "rego_with_comparison",
        message: expect.stringContaining("'v := expr with input as a', then 'v == b'"),
        level: "warning",
      },
    ]);
  });

  it("reports a test file that does not parse or compile as located errors", async () => {
    const broken = await runRegoTests([helper], tests("package t\n\ntest_x if {\n"));
    expect(broken.outcomes).toEqual([]);
    expect(broken.errors[0]).toMatchObject({ file: "lib/util_test.rego", line: 4 });
    const unknown = await runRegoTests(
      [helper],
      tests("package t\n\ntest_x if data.tollgate.lib.util.nope(1)\n"),
    );
    expect(unknown.errors[0]).toMatchObject({
      file: "lib/util_test.rego",
      line: 3,
      code: "rego_type_error",
    });
  });

  it("finds *_test.rego files outside fixture folders", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tollgate-rego-tests-"));
    try {
      await mkdir(path.join(dir, "lib"), { recursive: true });
      await mkdir(path.join(dir, "rule", "fixtures"), { recursive: true });
      await writeFile(path.join(dir, "lib", "util_test.rego"), "package a\n");
      await writeFile(path.join(dir, "lib", "util.rego"), "package b\n");
      await writeFile(path.join(dir, "rule", "fixtures", "x_test.rego"), "package c\n");
      expect((await readRegoTests(dir)).map((t) => t.path)).toEqual(["lib/util_test.rego"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
