// The built-in library through the compiled Wasm, as `tollgate test` runs it: every rule finds
// exactly the lines its positive fixtures mark and nothing in its negatives.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readBundle } from "../src/policy/bundle.js";
import { buildPolicies, bundleOf, readPolicySources } from "../src/policy/build.js";
import { loadRuleSet } from "../src/policy/evaluate.js";
import { readFixtures, runFixtures } from "../src/policy/fixtures.js";

const policyDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../policies");

const built = await buildPolicies(await readPolicySources(policyDir));
if (!built.ok)
  throw new Error(
    built.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n"),
  );
const ruleSet = await loadRuleSet(await readBundle(await bundleOf(built.built)));
const ruleDirs = new Map(
  built.built.rules.map((rule) => [
    path.posix.dirname(built.built.ruleFiles[rule.entrypoint] ?? ""),
    rule.id,
  ]),
);
const { fixtures, errors } = await readFixtures(policyDir);
const outcomes = runFixtures(ruleSet, fixtures, ruleDirs);

describe("the built-in policy library", () => {
  it("has valid metadata, unique ids and readable fixtures", () => {
    expect(ruleSet.errors).toEqual([]);
    expect(errors).toEqual([]);
    expect(built.built.rules.length).toBeGreaterThanOrEqual(60);
  });

  it("has a positive fixture for every rule", () => {
    const tested = new Set(
      outcomes.filter((o) => o.kind === "positive" && o.expected.length > 0).map((o) => o.rule),
    );
    expect(built.built.rules.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it.each(outcomes.map((o) => [`${o.rule} ${o.fixture}`, o] as const))("%s", (_name, outcome) => {
    expect({
      missing: outcome.missing,
      unexpected: outcome.unexpected,
      errors: outcome.errors,
    }).toEqual({ missing: [], unexpected: [], errors: [] });
  });
});
