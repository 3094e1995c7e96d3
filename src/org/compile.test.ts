import { describe, expect, it } from "vitest";
import { loadModel } from "../iac/index.js";
import { writeBundle } from "../policy/bundle.js";
import { buildPolicies, bundleOf } from "../policy/build.js";
import { boundedRuleSet } from "./bounded.js";
import { compilePolicies, compilerVersion, policiesKey } from "./compile.js";
import { compilerRevision } from "../policy/revision.js";
import { OWNER_TAG_RULE, WITH_COMPARISON_MODULE } from "../../test/support/customRules.js";
import type { PolicyFolderContents } from "./folder.js";

const BUCKETS = [
  'resource "aws_s3_bucket" "logs" {',
  '  bucket = "acme-logs"',
  "}",
  "",
  'resource "aws_s3_bucket" "owned" {',
  '  bucket = "acme-owned"',
  '  tags = { owner = "platform" }',
  "}",
  "",
].join("\n");

const folder = (sources: Record<string, string>): PolicyFolderContents => ({
  sources: Object.entries(sources).map(([path, text]) => ({ path, text })),
  bundles: [],
  errors: [],
});

const resources = loadModel([{ path: "main.tf", text: BUCKETS }]).resources;

describe("custom policies", () => {
  it("compile under the METADATA contract and find what the rule denies", async () => {
    const outcome = await compilePolicies(
      "k",
      "acme/.github:tollgate/policies",
      folder({ "tollgate/policies/owner_tag.rego": OWNER_TAG_RULE }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.policies.rules.map((r) => [r.meta.id, r.file])).toEqual([
      ["ACME-TAG-001", "tollgate/policies/owner_tag.rego"],
    ]);
    const result = await boundedRuleSet(outcome.policies).evaluate(resources);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: "ACME-TAG-001",
        severity: "high",
        resource: "aws_s3_bucket.logs",
        file: "main.tf",
        line: 1,
      }),
    ]);
  });

  it("judge each Terraform root on its own: a finding stays in the root whose resource it names", async () => {
    const outcome = await compilePolicies(
      "k",
      "acme/.github:tollgate/policies",
      folder({ "tollgate/policies/owner_tag.rego": OWNER_TAG_RULE }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const twoRoots = loadModel([
      { path: "dev/main.tf", text: 'resource "aws_s3_bucket" "logs" {}\n' },
      {
        path: "prod/main.tf",
        text: '\n\nresource "aws_s3_bucket" "logs" {\n  tags = { owner = "platform" }\n}\n',
      },
    ]).resources;
    const result = await boundedRuleSet(outcome.policies).evaluate(twoRoots);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.resource}`)).toEqual([
      "dev/main.tf:1 aws_s3_bucket.logs",
    ]);
  });

  it("judge a root's Terraform workspaces together: one finding where all miss, one saying when", async () => {
    const outcome = await compilePolicies(
      "k",
      "acme/.github:tollgate/policies",
      folder({ "tollgate/policies/owner_tag.rego": OWNER_TAG_RULE }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const model = loadModel([
      {
        path: "main.tf",
        text: [
          'resource "aws_s3_bucket" "logs" {}',
          "",
          'resource "aws_s3_bucket" "data" {',
          '  tags = terraform.workspace == "prod" ? { owner = "platform" } : {}',
          "}",
          "",
        ].join("\n"),
      },
    ]).resources;
    const result = await boundedRuleSet(outcome.policies).evaluate(model);
    expect(result.errors).toEqual([]);
    expect(
      result.findings.map(
        (f) => `${f.resource} ${/Only when .*?(?=\.( |$))/.exec(f.message)?.[0] ?? "always"}`,
      ),
    ).toEqual([
      "aws_s3_bucket.data Only when terraform.workspace is not prod",
      "aws_s3_bucket.logs always",
    ]);
  });

  it("import the built-in helpers: a rule on lib.network's ingress entries finds the open port", async () => {
    const rule = [
      "# METADATA",
      "# title: No database port open to the internet",
      "# custom:",
      "#   id: ACME-NET-001",
      "#   severity: critical",
      "#   category: network",
      "#   remediation: Restrict the source to the VPC.",
      "package tollgate.rules.acme.postgres_open",
      "",
      "import data.acme.lib.ports",
      "import data.tollgate.lib.network",
      "import rego.v1",
      "",
      "deny contains finding if {",
      "\tsome e in network.public_ingress",
      "\tnetwork.exposes_tcp_port(e, ports.postgres)",
      '\tfinding := {"resource": e.address, "message": "Postgres is open.", "evidence": network.evidence(e), "path": e.cidr_path}',
      "}",
      "",
    ].join("\n");
    // The org's own helper sits at lib/network.rego, the path of a built-in helper's file in
    // policies/: it must neither replace the built-in nor be replaced by it.
    const helper = "package acme.lib.ports\n\nimport rego.v1\n\npostgres := 5432\n";
    const outcome = await compilePolicies(
      "k",
      "acme/.github:lib",
      folder({ "lib/postgres_open.rego": rule, "lib/network.rego": helper }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.policies.rules.map((r) => [r.meta.id, r.file])).toEqual([
      ["ACME-NET-001", "lib/postgres_open.rego"],
    ]);
    const model = loadModel([
      {
        path: "net.tf",
        text: [
          'resource "aws_security_group" "db" {',
          '  name = "db"',
          "  ingress {",
          '    protocol    = "tcp"',
          "    from_port   = 5432",
          "    to_port     = 5432",
          '    cidr_blocks = ["10.0.0.0/8", "0.0.0.0/0"]',
          "  }",
          "  ingress {",
          '    protocol    = "tcp"',
          "    from_port   = 443",
          "    to_port     = 443",
          '    cidr_blocks = ["0.0.0.0/0"]',
          "  }",
          "}",
          "",
        ].join("\n"),
      },
    ]);
    expect(model.errors).toEqual([]);
    const result = await boundedRuleSet(outcome.policies).evaluate(model.resources);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        rule: "ACME-NET-001",
        severity: "critical",
        resource: "aws_security_group.db",
        file: "net.tf",
        line: 7,
        evidence: "tcp/5432 from 0.0.0.0/0",
      }),
    ]);
  });

  it("refuse a source that declares a package of the built-in helpers, where it does", async () => {
    for (const pkg of ["tollgate.lib.iam", "tollgate.lib", "tollgate"]) {
      const outcome = await compilePolicies(
        "k",
        "o",
        folder({
          "rules/owner_tag.rego": OWNER_TAG_RULE,
          "rules/shadow.rego": `# a helper of our own\npackage ${pkg}\n\nimport rego.v1\n\nstatements := []\n`,
        }),
      );
      expect(outcome).toEqual({
        ok: false,
        errors: [
          expect.objectContaining({
            file: "rules/shadow.rego",
            line: 2,
            code: "policy-package",
            message: expect.stringContaining(`package ${pkg}: tollgate.lib holds`),
          }),
        ],
        warnings: [],
      });
    }
  });

  it("refuse an import of a helper that does not exist, at the import, naming the closest", async () => {
    const misspelt = OWNER_TAG_RULE.replace(
      "import rego.v1",
      "import data.tollgate.lib.netwrok\nimport data.tollgate.lib.util.is_unknown\nimport rego.v1",
    );
    expect(misspelt).not.toBe(OWNER_TAG_RULE);
    const outcome = await compilePolicies("k", "o", folder({ "rules/owner_tag.rego": misspelt }));
    expect(outcome).toEqual({
      ok: false,
      errors: [
        expect.objectContaining({
          file: "rules/owner_tag.rego",
          line: misspelt.split("\n").indexOf("import data.tollgate.lib.netwrok") + 1,
          column: 1,
          code: "policy-import",
          message: expect.stringMatching(
            /^import data\.tollgate\.lib\.netwrok: no such helper \(did you mean network\?\); the helpers are .*\biam\b/,
          ),
        }),
      ],
      warnings: [],
    });
  });

  it("give the compiler's warnings with the compiled rules, and with the errors when they fail", async () => {
    const warning = {
      file: "rules/checks.rego",
      line: 5,
      column: 55,
      code: "rego_with_comparison",
      message: expect.stringContaining("'with input as a == b'"),
      level: "warning",
    };
    const compiled = await compilePolicies(
      "k",
      "o",
      folder({
        "rules/owner_tag.rego": OWNER_TAG_RULE,
        "rules/checks.rego": WITH_COMPARISON_MODULE,
      }),
    );
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    expect(compiled.policies.rules.map((r) => r.meta.id)).toEqual(["ACME-TAG-001"]);
    expect(compiled.policies.warnings).toEqual([warning]);
    const broken = await compilePolicies(
      "k",
      "o",
      folder({
        "rules/owner_tag.rego": OWNER_TAG_RULE.replace("some r in input.resources", "some r in in"),
        "rules/checks.rego": WITH_COMPARISON_MODULE,
      }),
    );
    expect(broken).toEqual({
      ok: false,
      errors: [expect.objectContaining({ file: "rules/owner_tag.rego", line: 13 })],
      warnings: [warning],
    });
  });

  it("reports compile errors where they are, file line and column", async () => {
    const outcome = await compilePolicies(
      "k",
      "o",
      folder({
        "rules/broken.rego": OWNER_TAG_RULE.replace("some r in input.resources", "some r in in"),
      }),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors[0]).toMatchObject({ file: "rules/broken.rego", line: 13 });
    expect(outcome.errors[0]?.column).toBeGreaterThan(1);
  });

  it("refuses a rule without valid METADATA, and an id the built-in library already uses", async () => {
    const noSeverity = await compilePolicies(
      "k",
      "o",
      folder({ "rules/r.rego": OWNER_TAG_RULE.replace("#   severity: high\n", "") }),
    );
    expect(noSeverity).toMatchObject({
      ok: false,
      errors: [{ file: "rules/r.rego", code: "policy-metadata" }],
    });
    const taken = await compilePolicies("k", "o", folder({ "rules/r.rego": OWNER_TAG_RULE }), [
      "ACME-TAG-001",
    ]);
    expect(taken).toMatchObject({
      ok: false,
      errors: [{ file: "rules/r.rego", message: expect.stringContaining("built-in library") }],
    });
  });

  it("accepts a prebuilt OPA Wasm bundle, and names a broken one", async () => {
    const built = await buildPolicies([{ path: "owner_tag.rego", text: OWNER_TAG_RULE }]);
    if (!built.ok) throw new Error("the fixture rule does not compile");
    const bytes = await writeBundle({
      wasm: built.built.wasm,
      entrypoints: Object.entries(built.built.annotations).map(([entrypoint, annotations]) => ({
        entrypoint,
        annotations,
      })),
    });
    const outcome = await compilePolicies("k", "o", {
      sources: [],
      bundles: [
        { path: "policies/acme.tar.gz", bytes },
        { path: "policies/junk.tar.gz", bytes: new Uint8Array([1, 2, 3]) },
      ],
      errors: [],
    });
    expect(outcome).toMatchObject({
      ok: false,
      errors: [{ file: "policies/junk.tar.gz", code: "policy-bundle" }],
    });
    const good = await compilePolicies("k", "o", {
      sources: [],
      bundles: [{ path: "policies/acme.tar.gz", bytes }],
      errors: [],
    });
    if (!good.ok) throw new Error(JSON.stringify(good.errors));
    const result = await boundedRuleSet(good.policies).evaluate(resources);
    expect(result.findings.map((f) => [f.rule, f.resource])).toEqual([
      ["ACME-TAG-001", "aws_s3_bucket.logs"],
    ]);
  });

  it("takes a bundle from tollgate build, whose entrypoint for all rules is not a rule", async () => {
    const built = await buildPolicies([{ path: "owner_tag.rego", text: OWNER_TAG_RULE }]);
    if (!built.ok) throw new Error("the fixture rule does not compile");
    const outcome = await compilePolicies("k", "o", {
      sources: [],
      bundles: [{ path: "policies/acme.tar.gz", bytes: await bundleOf(built.built) }],
      errors: [],
    });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.policies.rules.map((rule) => rule.meta.id)).toEqual(["ACME-TAG-001"]);
    const result = await boundedRuleSet(outcome.policies).evaluate(resources);
    expect(result.findings.map((f) => [f.rule, f.resource])).toEqual([
      ["ACME-TAG-001", "aws_s3_bucket.logs"],
    ]);
  });

  it("evaluates a prebuilt bundle's rules over its own /data.json, as opa build writes it", async () => {
    const exempting = OWNER_TAG_RULE.replace(
      "\tnot r.config.tags.owner",
      "\tnot r.config.tags.owner\n\tnot r.config.bucket in data.acme.exempt",
    );
    const built = await buildPolicies([{ path: "owner_tag.rego", text: exempting }]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bundle = (data: Record<string, unknown>) =>
      writeBundle({
        wasm: built.built.wasm,
        entrypoints: Object.entries(built.built.annotations).map(([entrypoint, annotations]) => ({
          entrypoint,
          annotations,
        })),
        data,
      });
    const found = async (data: Record<string, unknown>) => {
      const outcome = await compilePolicies("k", "o", {
        sources: [],
        bundles: [{ path: "policies/acme.tar.gz", bytes: await bundle(data) }],
        errors: [],
      });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
      const result = await boundedRuleSet(outcome.policies).evaluate(resources);
      return result.findings.map((f) => f.resource);
    };
    expect(await found({ acme: { exempt: ["acme-logs"] } })).toEqual([]);
    expect(await found({ acme: { exempt: [] } })).toEqual(["aws_s3_bucket.logs"]);
  });

  it("keys a folder by its files' content, the compiler and the helpers, not by when it was read", () => {
    const files = [
      { path: "p/a.rego", blobSha: "a".repeat(40), size: 1, kind: "rego" as const },
      { path: "p/b.rego", blobSha: "b".repeat(40), size: 1, kind: "rego" as const },
    ];
    const lib = "sha256:lib";
    expect(policiesKey(files, lib)).toBe(
      policiesKey(
        files.map((f) => ({ ...f })),
        lib,
      ),
    );
    expect(policiesKey(files, lib)).not.toBe(
      policiesKey([files[0]!, { ...files[1]!, blobSha: "c".repeat(40) }], lib),
    );
    expect(policiesKey(files, lib)).not.toBe(policiesKey(files, lib, ["TG-NET-001"]));
    expect(policiesKey(files, lib)).not.toBe(policiesKey(files, "sha256:upgraded-lib"));
    // The running compiler by default; another one (a release, a change to src/rego) another key.
    expect(policiesKey(files, lib)).toBe(policiesKey(files, lib, [], compilerVersion()));
    expect(compilerVersion()).toContain(compilerRevision().slice("sha256:".length, 23));
    expect(policiesKey(files, lib)).not.toBe(
      policiesKey(files, lib, [], compilerVersion().replace(/compiler\.\w+/, "compiler.0123")),
    );
  });
});

describe("hostile custom policies", () => {
  // numbers.range is not among our builtins: a literal list of 100 numbers to iterate over instead.
  const hundred = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
  const hostile = (body: string) =>
    OWNER_TAG_RULE.replace(
      '\tr.type == "aws_s3_bucket"\n\tnot r.config.tags.owner\n',
      `\tr.type == "aws_s3_bucket"\n\tn := ${hundred}\n${body}\n`,
    );

  it("locate a malformed finding at the clause that gave it, in its own file", async () => {
    const outcome = await compilePolicies(
      "k",
      "acme/.github:tollgate/policies",
      folder({
        "tollgate/policies/owner_tag.rego": OWNER_TAG_RULE,
        "tollgate/policies/owner_tag_more.rego":
          "package tollgate.rules.acme.owner_tag\n\nimport rego.v1\n\n" +
          'deny contains {"resource": r.address, "evidence": "no message"} if {\n' +
          '\tsome r in input.resources\n\tr.name == "owned"\n}\n',
      }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const result = await boundedRuleSet(outcome.policies).evaluate(resources);
    expect(result.findings.map((f) => f.resource)).toEqual(["aws_s3_bucket.logs"]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: "tollgate/policies/owner_tag_more.rego",
        line: 5,
        column: 1,
        code: "policy-result",
        message: expect.stringContaining("returned a malformed finding"),
      }),
    ]);
  });

  it("end a long loop at the deadline as a located error", async () => {
    const outcome = await compilePolicies(
      "k",
      "acme/.github:p",
      folder({
        "p/spin.rego": hostile(
          "\tsome a in n\n\tsome b in n\n\tsome c in n\n\tsome d in n\n\tsome e in n\n\ta + b + c + d + e < 0",
        ),
      }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const result = await boundedRuleSet(outcome.policies, {
      timeoutMs: 500,
      maxMemoryPages: 1024,
      totalMs: 10_000,
    }).evaluate(resources);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        file: "p/spin.rego",
        code: "eval_timeout",
        message: expect.stringContaining("ACME-TAG-001"),
      }),
    ]);
  });

  it("end a huge allocation at the memory cap as an error", async () => {
    const outcome = await compilePolicies(
      "k",
      "o",
      folder({
        "p/hog.rego": hostile(
          "\txs := [json.marshal(input) | some a in n; some b in n; some c in n]\n\tcount(xs) < 0",
        ),
      }),
    );
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const result = await boundedRuleSet(outcome.policies, {
      timeoutMs: 20_000,
      maxMemoryPages: 256,
      totalMs: 30_000,
    }).evaluate(resources);
    expect(result.findings).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.code).toMatch(/^eval_(memory|internal)_error$/);
    expect(result.errors[0]?.message).toContain("ACME-TAG-001");
  });
});
