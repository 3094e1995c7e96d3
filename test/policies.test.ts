// The built-in library through the compiled Wasm, as `tollgate test` runs it: every rule finds
// exactly the lines its positive fixtures mark and nothing in its negatives.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILT_IN_CATEGORIES } from "../src/model/types.js";
import { runPolicyFolder } from "../src/policy/fixtures.js";
import { repoRoot } from "./support/corpus.js";

const run = await runPolicyFolder(path.join(repoRoot, "policies"));
if (!run.ok)
  throw new Error(
    run.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n"),
  );

describe("the built-in policy library", () => {
  it("has valid metadata, readable fixtures and a positive fixture for every rule", () => {
    expect(run.errors).toEqual([]);
    // `tollgate test` accepts Rego tests instead of fixtures; a built-in rule needs fixtures.
    expect(run.withoutFixtures.map(({ rule }) => rule.id)).toEqual([]);
    expect(run.rules.length).toBeGreaterThanOrEqual(60);
  });

  // Custom rules may name a category of their own; the built-in ones keep the four, each rule in the
  // package (and folder) of its category.
  it("files every rule under one of the built-in categories, in its package", () => {
    const misfiled = run.rules
      .filter(
        (rule) =>
          !(BUILT_IN_CATEGORIES as readonly string[]).includes(rule.category) ||
          !rule.entrypoint.startsWith(`tollgate/rules/${rule.category}/`),
      )
      .map((rule) => `${rule.id} ${rule.category} ${rule.entrypoint}`);
    expect(misfiled).toEqual([]);
  });

  // policies/README.md: a CIS AWS Foundations v3.0.0 requirement or a Security Hub control of the
  // FSBP standard, each cited once.
  it("cites controls only as CIS-AWS-<requirement> or AWS-FSBP-<control>", () => {
    const form = /^(CIS-AWS-\d+(\.\d+){1,2}|AWS-FSBP-[A-Z][A-Za-z0-9]*\.\d+)$/;
    const cited = run.rules.filter((rule) => rule.controls !== undefined);
    expect(cited.length).toBeGreaterThan(40);
    const misspelt = cited.flatMap((rule) =>
      (rule.controls ?? [])
        .filter((control, i, all) => !form.test(control) || all.indexOf(control) !== i)
        .map((control) => `${rule.id} ${control}`),
    );
    expect(misspelt).toEqual([]);
  });

  it("runs the Rego unit tests of policies/lib", () => {
    expect(run.regoTests.length).toBeGreaterThan(0);
  });

  it.each(run.regoTests.map((t) => [`${t.name} (${t.file}:${t.line})`, t] as const))(
    "%s",
    (_name, test) => {
      expect({ status: test.status, detail: test.detail }).toEqual({
        status: "passed",
        detail: undefined,
      });
    },
  );

  it.each(run.outcomes.map((o) => [`${o.rule} ${o.fixture}`, o] as const))(
    "%s",
    (_name, outcome) => {
      expect({
        missing: outcome.missing,
        unexpected: outcome.unexpected,
        wrongSeverities: outcome.wrongSeverities,
        errors: outcome.errors,
      }).toEqual({
        missing: [],
        unexpected: [],
        wrongSeverities: [],
        errors: [],
      });
    },
  );
});
