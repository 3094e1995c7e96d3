import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRuleSettings, type RuleSettings } from "../config/index.js";
import type { Resource } from "../model/types.js";
import { createEngine, type CustomRuleSet, type ScanEngine } from "./index.js";

/**
 * Reports a database whose `publicly_accessible` is unknown, with the expression, when the
 * settings ask for such findings (as policies/lib/settings.rego's `cannot_tell` does).
 */
const undecidedRule = `# METADATA
# title: Public database
# custom:
#   id: T-PUBLIC
#   severity: critical
#   category: network
package tollgate.rules.network.public

import rego.v1

deny contains finding if {
	some r in input.resources
	data.tollgate.settings.unknown_values == "advisory"
	expression := r.config.publicly_accessible["$unknown"]
	finding := {"resource": r.address, "message": "may be public", "evidence": expression, "unknown": expression, "path": ["publicly_accessible"]}
}

deny contains {"resource": r.address, "message": sprintf("retention under %d", [data.tollgate.settings.log_retention_min_days]), "evidence": "retention"} if {
	some r in input.resources
	r.config.retention_in_days < data.tollgate.settings.log_retention_min_days
}
`;

const files = [
  {
    path: "main.tf",
    text: `variable "public" {}

resource "aws_db_instance" "main" {
  publicly_accessible = var.public
}

resource "aws_cloudwatch_log_group" "app" {
  retention_in_days = 90
}
`,
  },
];

describe("the engine's scan", () => {
  let dir: string;
  let engine: ScanEngine;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tollgate-engine-"));
    await mkdir(path.join(dir, "network", "public"), { recursive: true });
    await writeFile(path.join(dir, "network", "public", "policy.rego"), undecidedRule);
    engine = await createEngine({ policyDir: dir });
    // A custom folder compiles with the built-in helpers (policy/library.ts).
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const custom = (seen: (RuleSettings | undefined)[]): CustomRuleSet => ({
    origin: "acme/.github:tollgate/policies",
    rules: [],
    evaluate: async (resources: readonly Resource[], ruleSettings?: RuleSettings) => {
      seen.push(ruleSettings);
      const database = resources.find((r) => r.type === "aws_db_instance")!;
      return {
        findings: [
          {
            rule: "ACME-1",
            title: "custom",
            severity: "high",
            category: "network",
            file: database.file,
            line: database.line,
            endLine: database.endLine,
            resource: database.address,
            message: "custom may be public",
            evidence: "var.public",
            unknown: "var.public",
            enforcement: "blocking",
            waived: null,
          },
        ],
        errors: [],
      };
    },
  });

  it("gives the rule settings to built-in and custom rules alike", async () => {
    const seen: (RuleSettings | undefined)[] = [];
    const ruleSettings = { ...defaultRuleSettings, log_retention_min_days: 120 };
    const result = await engine.scan(files, { ruleSettings, customRules: [custom(seen)] });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => f.message)).toEqual(["retention under 120"]);
    expect(seen).toEqual([ruleSettings]);
    const shorter = await engine.scan(files, {
      ruleSettings: { ...defaultRuleSettings, log_retention_min_days: 60 },
    });
    expect(shorter.findings).toEqual([]);
  });

  it("keeps findings an unknown value decides only with unknown_values: advisory", async () => {
    const advisory = { ...defaultRuleSettings, unknown_values: "advisory" as const };
    const kept = await engine.scan(files, { ruleSettings: advisory, customRules: [custom([])] });
    expect(kept.findings.map((f) => [f.rule, f.unknown, f.line])).toEqual([
      ["T-PUBLIC", undefined, 7],
      ["T-PUBLIC", "var.public", 4],
      ["ACME-1", "var.public", 3],
    ]);
    const byDefault = await engine.scan(files, {
      ruleSettings: defaultRuleSettings,
      customRules: [custom([])],
    });
    expect(byDefault.findings.map((f) => [f.rule, f.unknown, f.line])).toEqual([
      ["T-PUBLIC", undefined, 7],
    ]);
    // No settings at all (this test library has no defaults of its own): nothing either.
    const unset = await engine.scan(files, { customRules: [custom([])] });
    expect(unset.findings).toEqual([]);
  });

  it("returns apart what an unknown value decides under unknown_values: ignore, built-in rules asked for it", async () => {
    const seen: (RuleSettings | undefined)[] = [];
    const byDefault = await engine.scan(files, {
      ruleSettings: defaultRuleSettings,
      customRules: [custom(seen)],
    });
    expect(byDefault.undecided?.map((f) => [f.rule, f.unknown, f.line])).toEqual([
      ["T-PUBLIC", "var.public", 4],
      ["ACME-1", "var.public", 3],
    ]);
    // Custom rules get the settings as they are.
    expect(seen).toEqual([defaultRuleSettings]);
    const advisory = { ...defaultRuleSettings, unknown_values: "advisory" as const };
    expect((await engine.scan(files, { ruleSettings: advisory })).undecided).toEqual([]);
  });
});

/** Reports a queue with SSE turned off, and one no queue policy of its deployment refers to. */
const queueRule = `# METADATA
# title: Queue
# custom:
#   id: T-QUEUE
#   severity: high
#   category: encryption
package tollgate.rules.encryption.queue

import rego.v1

queues := [r | some r in input.resources; r.type in {"aws_sqs_queue", "AWS::SQS::Queue"}]

deny contains {"resource": r.address, "message": "sse off", "evidence": "sse", "path": [key]} if {
	some r in queues
	some key in ["sqs_managed_sse_enabled", "SqsManagedSseEnabled"]
	r.config[key] == false
}

deny contains {"resource": r.address, "message": "no policy", "evidence": "policy"} if {
	some r in queues
	not has_policy(r)
}

has_policy(queue) if {
	some p in input.resources
	p.type in {"aws_sqs_queue_policy", "AWS::SQS::QueuePolicy"}
	queue.address in p.references
}
`;

describe("deployments", () => {
  let dir: string;
  let engine: ScanEngine;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tollgate-deployments-"));
    await mkdir(path.join(dir, "encryption", "queue"), { recursive: true });
    await writeFile(path.join(dir, "encryption", "queue", "policy.rego"), queueRule);
    engine = await createEngine({ policyDir: dir });
    // A custom folder compiles with the built-in helpers (policy/library.ts).
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("evaluates each Terraform root and CloudFormation template on its own, so equal addresses never mix", async () => {
    const result = await engine.scan([
      {
        path: "dev/main.tf",
        text: `resource "aws_sqs_queue" "this" {
  sqs_managed_sse_enabled = false
}
`,
      },
      {
        path: "prod/main.tf",
        text: `

resource "aws_sqs_queue" "this" {}

resource "aws_sqs_queue_policy" "this" {
  queue_url = aws_sqs_queue.this.id
  policy    = "{}"
}
`,
      },
      {
        path: "a.yaml",
        text: `Resources:
  Thing:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: false
`,
      },
      {
        path: "b.yaml",
        text: `Resources:
  Other:
    Type: AWS::SNS::Topic
  Thing:
    Type: AWS::SQS::Queue
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Thing]
      PolicyDocument: {}
`,
      },
    ]);
    expect(result.errors).toEqual([]);
    const where = result.findings.map((f) => `${f.file}:${f.line} ${f.resource} ${f.message}`);
    expect(where.sort()).toEqual([
      "a.yaml:2 Thing no policy",
      "a.yaml:5 Thing sse off",
      "dev/main.tf:1 aws_sqs_queue.this no policy",
      "dev/main.tf:2 aws_sqs_queue.this sse off",
    ]);
  });
});
