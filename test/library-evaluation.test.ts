// The built-in library on real projects, evaluated in one call for every rule and rule by rule (as
// a bundle without the combined entrypoint is): the findings and errors must be the same, exactly.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_POLICY_DIR } from "../src/engine/index.js";
import { loadModel, readRepositoryFiles } from "../src/iac/index.js";
import { buildPolicies, bundleOf, readPolicySources } from "../src/policy/build.js";
import { ALL_RULES_ENTRYPOINT, readBundle } from "../src/policy/bundle.js";
import { loadRuleSet } from "../src/policy/evaluate.js";
import { corpusDir } from "./support/corpus.js";

const built = await buildPolicies(await readPolicySources(BUILTIN_POLICY_DIR));
if (!built.ok) throw new Error(built.errors.map((e) => `${e.file}: ${e.message}`).join("\n"));
const bundle = await readBundle(await bundleOf(built.built));
const combined = await loadRuleSet(bundle);
const ruleByRule = await loadRuleSet({
  ...bundle,
  manifest: {
    ...bundle.manifest,
    wasm: (bundle.manifest.wasm ?? []).filter((r) => r.entrypoint !== ALL_RULES_ENTRYPOINT),
  },
});

describe("the built-in library evaluated in one call", () => {
  it("has the entrypoint for all rules, and the same rules either way", () => {
    expect(bundle.manifest.wasm?.map((r) => r.entrypoint)).toContain(ALL_RULES_ENTRYPOINT);
    expect(combined.rules).toEqual(ruleByRule.rules);
    expect(combined.errors).toEqual([]);
  });

  it.each(["terragoat", "cfngoat", "terraform-aws-iam"])(
    "finds exactly what rule-by-rule evaluation finds in %s",
    (project) => {
      const { files } = readRepositoryFiles(path.join(corpusDir, "real", project));
      const { resources } = loadModel(files);
      const once = combined.evaluate(resources);
      expect(once.findings.length).toBeGreaterThan(0);
      expect(once).toEqual(ruleByRule.evaluate(resources));
    },
    // Not a speed target: each instance's first evaluation of terraform-aws-iam grows its Wasm
    // memory to ~290 MiB, which a busy machine takes many seconds over.
    120_000,
  );
});

describe("the built-in library under unknown_values: advisory", () => {
  // The engine evaluates the built-in rules this way whatever the settings, and drops what an
  // unknown value decides under ignore: that is right only while nothing else changes.
  it("reports what it reports under ignore, and cannot-tell findings besides, on every fixture", () => {
    const { files } = readRepositoryFiles(BUILTIN_POLICY_DIR);
    const { resources } = loadModel(files);
    const ignored = combined.evaluate(resources, { unknown_values: "ignore" });
    const advisory = combined.evaluate(resources, { unknown_values: "advisory" });
    const cannotTell = advisory.findings.filter((f) => f.unknown !== undefined);
    expect(ignored.findings.length).toBeGreaterThan(1000);
    expect(cannotTell.length).toBeGreaterThan(100);
    expect(ignored.findings.filter((f) => f.unknown !== undefined)).toEqual([]);
    expect({
      ...advisory,
      findings: advisory.findings.filter((f) => f.unknown === undefined),
    }).toEqual(ignored);
  }, 120_000);
});
