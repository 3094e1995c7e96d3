import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { loadModel } from "../iac/index.js";
import { compileRego } from "../rego/compiler.js";
import { hostBuiltins } from "../rego/runtime/index.js";
import { buildPolicies, bundleOf, type PolicySource } from "./build.js";
import { ALL_RULES_ENTRYPOINT, readBundle, writeBundle, type PolicyBundle } from "./bundle.js";
import { loadRuleSet } from "./evaluate.js";

const rule = (name: string, id: string, body: string): PolicySource => ({
  path: `network/${name}/policy.rego`,
  text: `# METADATA
# title: ${name}
# custom:
#   id: ${id}
#   severity: low
#   category: network
package tollgate.rules.network.${name}

import rego.v1

${body}
`,
});

/** A security group per name, each with one ingress rule on the port it is named after. */
const { resources } = loadModel([
  {
    path: "main.tf",
    text: ["ssh", "rdp", "web"]
      .map(
        (name, i) => `resource "aws_security_group" "${name}" {
  ingress {
    from_port   = ${[22, 3389, 443][i]}
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
      )
      .join("\n"),
  },
]);

const opensPort = (name: string, id: string, port: number) =>
  rule(
    name,
    id,
    `deny contains {"resource": r.address, "message": "open", "evidence": "${port}", "path": ["ingress", i, "from_port"]} if {
\tsome r in data.tollgate.lib.groups
\tsome i, ingress in r.config.ingress
\tingress.from_port == ${port}
}`,
  );

/** A helper package every rule reads, as `policies/lib` is. */
const lib: PolicySource = {
  path: "lib/groups.rego",
  text: `package tollgate.lib

import rego.v1

groups contains r if {
\tsome r in input.resources
\tr.type == "aws_security_group"
}
`,
};

/** Fails with eval_conflict_error whenever both an ssh and an rdp group are in the input. */
const conflicting = rule(
  "conflicting",
  "T-BAD",
  `level := "ssh" if input.resources[_].name == "ssh"

level := "rdp" if input.resources[_].name == "rdp"

deny contains {"resource": "aws_security_group.web", "message": level, "evidence": level} if level`,
);

async function build(sources: PolicySource[]): Promise<PolicyBundle> {
  const built = await buildPolicies(sources);
  if (!built.ok) throw new Error(JSON.stringify(built.errors));
  return readBundle(await bundleOf(built.built));
}

/** The same bundle as `opa build` would list it: rule entrypoints only. */
function ruleByRule(bundle: PolicyBundle): PolicyBundle {
  const wasm = bundle.manifest.wasm?.filter((r) => r.entrypoint !== ALL_RULES_ENTRYPOINT);
  return { ...bundle, manifest: { ...bundle.manifest, ...(wasm ? { wasm } : {}) } };
}

describe("evaluating a rule set", () => {
  it("replaces an instance whose memory an evaluation grew past the limit, with the same results", async () => {
    const bundle = await build([lib, opensPort("ssh", "T-SSH", 22)]);
    // 8,000 groups grow the memory past its initial 16 MiB, the limit given.
    const many = loadModel([
      {
        path: "many.tf",
        text: Array.from(
          { length: 8_000 },
          (_, i) =>
            `resource "aws_security_group" "g${i}" {\n  ingress {\n    from_port   = 22\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`,
        ).join("\n"),
      },
    ]).resources;
    const initial = 256 * 65_536;
    const kept = await loadRuleSet(bundle, "bundle", Number.POSITIVE_INFINITY);
    const recycled = await loadRuleSet(bundle, "bundle", initial);
    expect(recycled.memoryBytes()).toBe(initial);
    const first = recycled.evaluate(many);
    expect(first.findings).toHaveLength(8_000);
    expect(first).toEqual(kept.evaluate(many));
    // The grown memory stays with an instance that is kept, and goes with one replaced.
    expect(kept.memoryBytes()).toBeGreaterThan(initial);
    expect(recycled.memoryBytes()).toBe(initial);
    expect(recycled.evaluate(resources)).toEqual(kept.evaluate(resources));
    expect(recycled.evaluate(many)).toEqual(first);
  });

  it("keeps a rule's findings however many there are (a spread of them overflowed the stack)", async () => {
    // V8 takes at most about 120,000 arguments in one call, so `findings.push(...found)` threw
    // "Maximum call stack size exceeded" past that, naming no rule.
    const many = rule(
      "many",
      "T-MANY",
      `deny contains {"resource": "aws_security_group.web", "message": "m", "evidence": "e", "path": ["ingress", i]} if {
\tsome i in numbers.range(1, 150000)
}`,
    );
    const ruleSet = await loadRuleSet(await build([many]), "bundle");
    const evaluated = ruleSet.evaluate(resources);
    expect(evaluated.errors).toEqual([]);
    expect(evaluated.findings).toHaveLength(150_000);
  }, 120_000);

  it("gives print lines and errors with non-ASCII text as written (the SDK decodes bytes)", async () => {
    const printing = rule(
      "printing",
      "T-PRINT",
      `deny contains {"resource": r.address, "message": "m", "evidence": "é"} if {
\tsome r in data.tollgate.lib.groups
\tr.name == "ssh"
\tprint("groupe ✓", r.name, "日本")
}`,
    );
    const printed = (await loadRuleSet(await build([lib, printing]))).evaluate(resources).printed;
    expect(printed).toEqual(["groupe ✓ ssh 日本"]);
    const failing = { ...conflicting, path: "network/conflicting/règle.rego" };
    const { errors } = (await loadRuleSet(await build([failing]))).evaluate(resources);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain("network/conflicting/règle.rego:");
  });

  it("gives the same findings in one evaluation of every rule as rule by rule", async () => {
    const bundle = await build([
      lib,
      opensPort("ssh", "T-SSH", 22),
      opensPort("rdp", "T-RDP", 3389),
      opensPort("none", "T-NONE", 8080),
    ]);
    expect(bundle.manifest.wasm?.map((r) => r.entrypoint)).toContain(ALL_RULES_ENTRYPOINT);
    const combined = (await loadRuleSet(bundle)).evaluate(resources);
    const separate = (await loadRuleSet(ruleByRule(bundle))).evaluate(resources);
    expect(combined).toEqual(separate);
    expect(combined.errors).toEqual([]);
    expect(combined.findings.map((f) => [f.rule, f.resource, f.line])).toEqual([
      ["T-SSH", "aws_security_group.ssh", 3],
      ["T-RDP", "aws_security_group.rdp", 10],
    ]);
  });

  it("locates a finding on a module call's source at the source line, as a custom rule reports it", async () => {
    const unpinned = rule(
      "pinned",
      "T-PIN",
      `deny contains {"resource": r.address, "message": "unpinned", "evidence": r.moduleSource, "path": ["source"]} if {
\tsome r in input.resources
\tr.mode == "module"
\tnot contains(r.moduleSource, "?ref=")
}`,
    );
    const calls = loadModel([
      {
        path: "main.tf",
        text: 'module "sg" {\n  name   = "web"\n  source = "git::https://example.com/sg.git"\n}\n',
      },
    ]).resources;
    const { findings, errors } = (await loadRuleSet(await build([unpinned]))).evaluate(calls);
    expect(errors).toEqual([]);
    expect(findings.map((f) => [f.rule, f.resource, f.file, f.line])).toEqual([
      ["T-PIN", "module.sg", "main.tf", 3],
    ]);
  });

  it("falls back to rule by rule when the one evaluation fails, so only the bad rule is lost", async () => {
    const bundle = await build([
      lib,
      opensPort("ssh", "T-SSH", 22),
      conflicting,
      opensPort("rdp", "T-RDP", 3389),
    ]);
    const input = new TextEncoder().encode(JSON.stringify({ resources }));
    const policy = await loadPolicy(bundle.modules["/policy.wasm"]!, undefined, hostBuiltins);
    expect(() => policy.evaluate(input.buffer as ArrayBuffer, ALL_RULES_ENTRYPOINT)).toThrow(
      /eval_conflict_error/,
    );
    const ruleSet = await loadRuleSet(bundle);
    expect(ruleSet.rules.map((r) => r.id)).toEqual(["T-SSH", "T-BAD", "T-RDP"]);
    const evaluated = ruleSet.evaluate(resources);
    expect(evaluated.findings.map((f) => f.rule)).toEqual(["T-SSH", "T-RDP"]);
    // Located at the rule's package line in its source, which the bundle carries.
    expect(evaluated.errors).toEqual([
      {
        file: "network/conflicting/policy.rego",
        line: 7,
        column: 1,
        code: "policy-eval",
        message: expect.stringMatching(
          /^rule T-BAD failed: .*network\/conflicting\/policy\.rego:\d+:\d+: eval_conflict_error/,
        ),
      },
    ]);
    const withoutConflict = resources.filter((r) => r.name !== "rdp");
    expect(ruleSet.evaluate(withoutConflict).findings.map((f) => f.rule)).toEqual([
      "T-SSH",
      "T-BAD",
    ]);
  });

  it("takes each rule's findings from the entrypoint for all rules when the bundle has it", async () => {
    const sources = [opensPort("ssh", "T-SSH", 22), opensPort("rdp", "T-RDP", 3389)];
    const built = await buildPolicies([lib, ...sources]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    // A stand-in for the generated package that answers for T-SSH only: T-RDP, left out, is
    // evaluated on its own.
    const stand = `package tollgate.all

results["tollgate/rules/network/ssh/deny"] := [{"resource": "aws_security_group.web", "message": "stand-in", "evidence": "x"}]
`;
    const compiled = await compileRego(
      {
        "all.rego": stand,
        "lib.rego": lib.text,
        ...Object.fromEntries(sources.map((s) => [s.path, s.text])),
      },
      { entrypoints: [...Object.keys(built.built.annotations), ALL_RULES_ENTRYPOINT] },
    );
    const bundle = await readBundle(
      await writeBundle({
        wasm: compiled.wasm,
        entrypoints: [
          ...Object.entries(built.built.annotations).map(([entrypoint, annotations]) => ({
            entrypoint,
            annotations,
          })),
          { entrypoint: ALL_RULES_ENTRYPOINT },
        ],
      }),
    );
    const evaluated = (await loadRuleSet(bundle)).evaluate(resources);
    expect(evaluated.findings.map((f) => [f.rule, f.resource, f.message])).toEqual([
      ["T-SSH", "aws_security_group.web", "stand-in"],
      ["T-RDP", "aws_security_group.rdp", "open"],
    ]);
  });

  it("locates a malformed finding, or one naming no input resource, at the clause that gave it", async () => {
    const clauses = rule(
      "clauses",
      "T-CLAUSES",
      `deny contains {"resource": r.address, "message": "open", "evidence": "e"} if {
\tsome r in data.tollgate.lib.groups
}

deny contains {"resource": r.address, "evidence": "no message"} if {
\tsome r in data.tollgate.lib.groups
\tr.name == "ssh"
}`,
    );
    const elsewhere: PolicySource = {
      path: "network/clauses/more.rego",
      text: `package tollgate.rules.network.clauses

import rego.v1

deny contains {"resource": "aws_s3_bucket.gone", "message": "m", "evidence": "e"} if {
\tsome r in input.resources
\tr.name == "web"
}
`,
    };
    const bundle = await build([lib, clauses, elsewhere]);
    const errorsOf = async (ruleSet: Promise<Awaited<ReturnType<typeof loadRuleSet>>>) =>
      (await ruleSet)
        .evaluate(resources)
        .errors.map(
          (e) => `${e.file}:${e.line}:${e.column}: ${e.message.split(" ").slice(2, 5).join(" ")}`,
        )
        .sort();
    expect(await errorsOf(loadRuleSet(bundle))).toEqual([
      "network/clauses/more.rego:5:1: reported resource 'aws_s3_bucket.gone',",
      "network/clauses/policy.rego:15:1: returned a malformed",
    ]);
    // A module without the clauses entrypoint (opa build's) still points at the package line.
    const built = await buildPolicies([lib, clauses, elsewhere]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const { compileRego } = await import("../rego/compiler.js");
    const plain = await compileRego(
      Object.fromEntries(built.built.sources.map((s) => [s.path, s.text])),
      { entrypoints: ["tollgate/rules/network/clauses/deny"] },
    );
    const opaLike = await readBundle(
      await writeBundle({
        wasm: plain.wasm,
        entrypoints: [
          {
            entrypoint: "tollgate/rules/network/clauses/deny",
            annotations: built.built.annotations["tollgate/rules/network/clauses/deny"] ?? [],
          },
        ],
        sources: Object.fromEntries(built.built.sources.map((s) => ["/" + s.path, s.text])),
      }),
    );
    expect(await errorsOf(loadRuleSet(opaLike))).toEqual([
      "network/clauses/policy.rego:7:1: reported resource 'aws_s3_bucket.gone',",
      "network/clauses/policy.rego:7:1: returned a malformed",
    ]);
  });

  it("evaluates over a data file's integers past 2^53 as written, and writes them so to data.json", async () => {
    const exact = rule(
      "exact",
      "T-EXACT",
      `deny contains {"resource": "aws_security_group.web", "message": "m", "evidence": "e"} if {
\tdata.acme.account == 9007199254740993
\tdata.acme.ids[0] == 123456789012345678901
}`,
    );
    const built = await buildPolicies([
      exact,
      { path: "acme/data.yaml", text: "account: 9007199254740993\n" },
      { path: "acme/data.json", text: '{"ids": [123456789012345678901]}' },
    ]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bytes = await bundleOf(built.built);
    const bundle = await readBundle(bytes);
    expect(bundle.data).toEqual({
      acme: { account: 9007199254740993n, ids: [123456789012345678901n] },
    });
    const ruleSet = await loadRuleSet(bundle);
    expect(ruleSet.evaluate(resources).findings.map((f) => f.rule)).toEqual(["T-EXACT"]);
    // With rule settings too, which replace the base document for the call.
    expect(ruleSet.evaluate(resources, { x: 1 }).findings.map((f) => f.rule)).toEqual(["T-EXACT"]);
  });

  it("evaluates over a data file's decimals a double cannot hold as written, as OPA compares them", async () => {
    const exact = rule(
      "decimals",
      "T-DECIMAL",
      `deny contains {"resource": "aws_security_group.web", "message": json.marshal(data.acme), "evidence": "e"} if {
\tdata.acme.rate == 0.1000000000000000055511151231257827
\tdata.acme.rate != 0.1
\tdata.acme.far > 1e300
}`,
    );
    const built = await buildPolicies([
      exact,
      { path: "acme/data.json", text: '{"rate": 0.1000000000000000055511151231257827}' },
      { path: "acme/data.yaml", text: "far: 1e400\n" },
    ]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bundle = await readBundle(await bundleOf(built.built));
    const ruleSet = await loadRuleSet(bundle);
    // json.marshal writes them as written, as OPA's json.Number.
    expect(ruleSet.evaluate(resources).findings.map((f) => f.message)).toEqual([
      '{"far":1e400,"rate":0.1000000000000000055511151231257827}',
    ]);
  });

  it("shows a malformed finding's numbers as the rule wrote them, past a double too", async () => {
    const bundle = await build([
      rule(
        "numbers",
        "T-NUMBERS",
        `deny contains {"resource": "aws_security_group.web", "message": "m", "evidence": 123456789012345678901} if {
\tinput.resources[_].name == "web"
}

deny contains {"resource": "aws_security_group.ssh", "message": "m", "evidence": 0.1000000000000000055511151231257827} if {
\tinput.resources[_].name == "web"
}`,
      ),
    ]);
    const ruleSet = await loadRuleSet(bundle);
    expect(
      ruleSet
        .evaluate(resources)
        .errors.map((e) => [e.line, e.message.replace(/^.*\((evidence[^)]*)\).*returned /, "$1: ")])
        .sort(),
    ).toEqual([
      [
        11,
        'evidence is a number, not a string: {"evidence":123456789012345678901,"message":"m","resource":"aws_security_group.web"}',
      ],
      [
        15,
        'evidence is a number, not a string: {"evidence":0.1000000000000000055511151231257827,"message":"m","resource":"aws_security_group.ssh"}',
      ],
    ]);
  });

  it("gives rule settings as data.tollgate.settings for one call, over the bundle's own data", async () => {
    const bundle = await build([
      rule(
        "configured",
        "T-SET",
        `deny contains {"resource": r.address, "message": data.tollgate.settings.word, "evidence": "x"} if {
\tsome r in input.resources
\tsome ingress in r.config.ingress
\tingress.from_port == data.tollgate.ports.ssh
}`,
      ),
    ]);
    const ruleSet = await loadRuleSet({ ...bundle, data: { tollgate: { ports: { ssh: 22 } } } });
    const messages = (settings?: Record<string, unknown>) =>
      ruleSet.evaluate(resources, settings).findings.map((f) => [f.resource, f.message]);
    expect(messages()).toEqual([]);
    expect(messages({ word: "configured" })).toEqual([["aws_security_group.ssh", "configured"]]);
    // The call's settings are gone after it; the bundle's data stays.
    expect(messages()).toEqual([]);
    expect(messages({ word: "again" })).toEqual([["aws_security_group.ssh", "again"]]);
  });
});
