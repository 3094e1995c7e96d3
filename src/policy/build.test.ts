import { describe, expect, it } from "vitest";
import { ALL_RULES_ENTRYPOINT, readBundle } from "./bundle.js";
import { buildPolicies, bundleOf, sourcesRevision, type PolicySource } from "./build.js";
import { loadRuleSet } from "./evaluate.js";
import { loadModel } from "../iac/index.js";

const rule = (id: string): PolicySource => ({
  path: "network/x/policy.rego",
  text: `# METADATA
# title: X
# custom:
#   id: ${id}
#   severity: low
#   category: network
package tollgate.rules.network.x

import rego.v1

deny contains {"resource": r.address, "message": "m", "evidence": "e"} if {
\tsome r in input.resources
\tr.type == "x"
}
`,
});

describe("policy builds", () => {
  it("stamp the bundle with the sources' revision, which any edit changes", async () => {
    const sources = [rule("TG-X-1")];
    const built = await buildPolicies(sources);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bundle = await readBundle(await bundleOf(built.built));
    expect(bundle.manifest.revision).toBe(sourcesRevision(sources));
    expect(sourcesRevision([rule("TG-X-2")])).not.toBe(sourcesRevision(sources));
    expect(bundle.manifest.wasm?.map((w) => w.entrypoint)).toEqual([
      "tollgate/rules/network/x/deny",
      ALL_RULES_ENTRYPOINT,
    ]);
    expect(bundle.manifest.wasm?.[1]).toEqual({
      entrypoint: ALL_RULES_ENTRYPOINT,
      module: "/policy.wasm",
    });
  });

  it("keep the package of the entrypoint for all rules to themselves, located", async () => {
    const taken = await buildPolicies([
      rule("TG-X-1"),
      { path: "mine.rego", text: "package tollgate.all.mine\n\nresults := 1\n" },
    ]);
    expect(taken).toEqual({
      ok: false,
      errors: [
        {
          file: "mine.rego",
          line: 1,
          column: 1,
          code: "policy-package",
          message: expect.stringContaining("tollgate.all is reserved"),
        },
      ],
      warnings: [],
    });
  });

  it("give the compiler's warnings with the errors when they fail, whichever stage stops them", async () => {
    const trap: PolicySource = {
      path: "trap.rego",
      text: "package acme.trap\n\nnone if count(data.tollgate.rules.network.x.deny) with input as {} == 0\n",
    };
    const failures: [string, PolicySource[], RegExp][] = [
      [
        "parse",
        [trap, rule("TG-X-1"), { path: "broken.rego", text: "package broken\n\nx := \n" }],
        /expected a term/,
      ],
      [
        "metadata",
        [trap, { ...rule("TG-X-1"), text: rule("TG-X-1").text.replace("low", "loud") }],
        /custom.severity/,
      ],
      [
        "compile",
        [trap, rule("TG-X-1"), { path: "unsafe.rego", text: "package unsafe\n\nx if y\n" }],
        /var y is unsafe/,
      ],
    ];
    for (const [stage, sources, error] of failures) {
      const built = await buildPolicies(sources);
      expect(built, stage).toEqual({
        ok: false,
        errors: [expect.objectContaining({ message: expect.stringMatching(error) })],
        warnings: [
          {
            file: "trap.rego",
            line: 3,
            column: 68,
            code: "rego_with_comparison",
            message: expect.stringContaining("'with input as a == b'"),
            level: "warning",
          },
        ],
      });
    }
  });

  it("reports a rule id used twice and metadata that does not validate, located", async () => {
    const twice = await buildPolicies([
      rule("TG-X-1"),
      {
        ...rule("TG-X-1"),
        path: "network/y/policy.rego",
        text: rule("TG-X-1").text.replace("network.x", "network.y"),
      },
    ]);
    expect(twice.ok).toBe(false);
    expect(!twice.ok && twice.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/rule id TG-X-1 is also used/),
    ]);
    // Every problem of a rule's METADATA at once, each at the block, not one per build.
    const bad = await buildPolicies([
      {
        ...rule("TG-X-1"),
        text: rule("TG-X-1")
          .text.replace("severity: low", "severity: loud")
          .replace("category: network", "category: Network"),
      },
    ]);
    expect(!bad.ok && bad.errors.map(({ line, message }) => [line, message])).toEqual([
      [1, expect.stringMatching(/METADATA custom\.category: /)],
      [1, expect.stringMatching(/METADATA custom\.severity: /)],
    ]);
    // A rule-scope METADATA block is reported where it is written, not at the file's top.
    const [metadata, rest] = rule("TG-X-1")
      .text.replace("severity: low", "severity: loud")
      .split(/(?=package)/);
    const [head, body] = (rest ?? "").split(/(?=deny)/);
    const ruleScope = await buildPolicies([
      {
        path: "network/x/policy.rego",
        text: `${head}${metadata?.replace("# title", "# scope: rule\n# title")}${body}`,
      },
    ]);
    expect(
      !ruleScope.ok && ruleScope.errors.map(({ file, line, code }) => ({ file, line, code })),
    ).toEqual([{ file: "network/x/policy.rego", line: 5, code: "policy-metadata" }]);
  });
  it("refuse, located, a rule's METADATA whose rule would never be evaluated", async () => {
    const metadata = rule("TG-X-2").text.split("package")[0] ?? "";
    const errorsOf = async (sources: PolicySource[]) => {
      const built = await buildPolicies(sources);
      return built.ok
        ? []
        : built.errors.map(({ file, line, column, code }) => ({ file, line, column, code }));
    };
    // A package outside tollgate.rules: its deny is no entrypoint.
    expect(
      await errorsOf([
        rule("TG-X-1"),
        {
          path: "acme/tags.rego",
          text: `${metadata}package acme.rules.tags\n\nimport rego.v1\n\ndeny contains "x" if false\n`,
        },
      ]),
    ).toEqual([{ file: "acme/tags.rego", line: 7, column: 1, code: "policy-package" }]);
    // deny as an object, and a package with a rule's METADATA but no deny at all (conftest's warn).
    expect(
      await errorsOf([
        {
          path: "tagging/a/policy.rego",
          text: `${metadata}package tollgate.rules.tagging.a\n\nimport rego.v1\n\ndeny[k] := "x" if some k in input.resources\n`,
        },
        {
          path: "tagging/b/policy.rego",
          text: `${metadata.replace("TG-X-2", "TG-X-3")}package tollgate.rules.tagging.b\n\nimport rego.v1\n\nwarn contains "x" if false\n`,
        },
      ]),
    ).toEqual([
      { file: "tagging/a/policy.rego", line: 11, column: 1, code: "policy-rule" },
      { file: "tagging/b/policy.rego", line: 7, column: 1, code: "policy-rule" },
    ]);
    // deny as one value or a function: it compiles, but every scan it fires in would fail.
    const single = (name: string, deny: string) => ({
      path: `tagging/${name}/policy.rego`,
      text: `${metadata}package tollgate.rules.tagging.${name}\n\nimport rego.v1\n\n${deny}\n`,
    });
    expect(
      await errorsOf([
        single("a", "deny if some r in input.resources"),
        single("b", 'deny := {"resource": "x", "message": "m"}'),
        single("c", "default deny := false"),
        single("d", "deny(r) if r.type == 1"),
      ]),
    ).toEqual(
      ["a", "b", "c", "d"].map((name) => ({
        file: `tagging/${name}/policy.rego`,
        line: 11,
        column: name === "c" ? 9 : 1, // at `deny`, after `default`
        code: "policy-rule",
      })),
    );
    // A second package METADATA for one package would silently rename the first file's rule.
    const copy = { ...rule("TG-X-2"), path: "network/x/copy.rego" };
    expect(await errorsOf([rule("TG-X-1"), copy])).toEqual([
      { file: "network/x/copy.rego", line: 1, column: 1, code: "rego_type_error" },
    ]);
    // One METADATA with deny split over two files of the package is one rule.
    const split = await buildPolicies([
      rule("TG-X-1"),
      {
        path: "network/x/more.rego",
        text: "package tollgate.rules.network.x\n\nimport rego.v1\n\ndeny contains {} if false\n",
      },
    ]);
    expect(split.ok && split.built.rules.map((r) => r.id)).toEqual(["TG-X-1"]);
  });

  it("refuse a reference to a rule a helper does not have, where it is written", async () => {
    const helper = {
      path: "/tollgate/lib/names.rego",
      text: 'package tollgate.lib.names\n\nimport rego.v1\n\nallowed_names := {"web"}\n',
    };
    const reader = (name: string) => ({
      path: "network/x/policy.rego",
      text: rule("TG-X-1")
        .text.replace(
          'r.type == "x"',
          `not r.name in names.${name}\n\tdata.tollgate.lib.names.${name}`,
        )
        .replace("import rego.v1", "import data.tollgate.lib.names\nimport rego.v1"),
    });
    expect((await buildPolicies([helper, reader("allowed_names")])).ok).toBe(true);
    const built = await buildPolicies([helper, reader("allowed_nmes")]);
    expect(!built.ok && built.errors).toEqual(
      // `names.allowed_nmes` through the import, then the full ref on the next line.
      [14, 15].map((line) => ({
        file: "network/x/policy.rego",
        line,
        column: line === 14 ? 16 : 2,
        code: "rego_compile_error",
        message:
          "data.tollgate.lib.names.allowed_nmes: the helper names has no rule allowed_nmes (did you mean allowed_names?), so this reference is always undefined",
      })),
    );
  });

  it("carry the folder's data files as the bundle's data.json, and refuse data where a rule is", async () => {
    const reader = {
      path: "network/x/policy.rego",
      text: rule("TG-X-1").text.replace('r.type == "x"', "r.type in data.acme.types"),
    };
    const built = await buildPolicies([
      reader,
      { path: "acme/data.yaml", text: "types: [aws_s3_bucket]\n" },
    ]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bundle = await readBundle(await bundleOf(built.built));
    expect(bundle.data).toEqual({ acme: { types: ["aws_s3_bucket"] } });
    // Merged into /data.json: the file itself is not among the bundle's sources, where a reader
    // would merge it a second time.
    expect(Object.keys(bundle.sources)).toEqual(["/network/x/policy.rego"]);
    const ruleSet = await loadRuleSet(bundle);
    const { resources } = loadModel([
      { path: "main.tf", text: 'resource "aws_s3_bucket" "a" {}\n' },
    ]);
    expect(ruleSet.evaluate(resources).findings.map((f) => f.resource)).toEqual([
      "aws_s3_bucket.a",
    ]);
    // OPA's check: data at a rule's path is a compile error at the rule.
    const conflict = await buildPolicies([
      reader,
      { path: "tollgate/rules/network/x/data.json", text: '{"deny": []}' },
      { path: "acme/data.yaml", text: "types: [x]\n" },
    ]);
    expect(conflict.ok ? [] : conflict.errors).toEqual([
      expect.objectContaining({ file: "tollgate/rules/network/x/data.json", code: "policy-data" }),
    ]);
    const atRule = await buildPolicies([
      reader,
      { path: "data.json", text: '{"acme": {"types": ["x"]}}' },
      { path: "acme/helpers.rego", text: "package acme\n\ntypes := []\n" },
    ]);
    expect(atRule.ok ? [] : atRule.errors).toEqual([
      {
        file: "acme/helpers.rego",
        line: 3,
        column: 1,
        code: "rego_compile_error",
        message: "conflicting rule for data path acme/types found",
      },
    ]);
  });

  it("list a build's errors by file, line and column, as OPA sorts a compile's errors", async () => {
    const built = await buildPolicies([
      {
        path: "b.rego",
        text: "package b\n\nimport rego.v1\n\np if x == 1\n\nq if z == 3\n",
      },
      { path: "a.rego", text: "package a\n\nimport rego.v1\n\nr if y == 2\n" },
    ]);
    expect(
      !built.ok && built.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code}`),
    ).toEqual([
      "a.rego:5:6 rego_unsafe_var_error",
      "b.rego:5:6 rego_unsafe_var_error",
      "b.rego:7:6 rego_unsafe_var_error",
    ]);
  });
});
