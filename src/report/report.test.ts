import { describe, expect, it } from "vitest";
import { finding as baseFinding } from "../../test/app/findings.js";
import { defaultSettings, mergeSettings, settingsFileSchema } from "../config/index.js";
import { decideGate } from "../gate/index.js";
import type { Finding, LoadError } from "../model/types.js";
import {
  batchAnnotations,
  buildCheckRunReport,
  incompleteCheckReport,
  MAX_ANNOTATIONS,
  planAnnotations,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  ruleTextMarkdown,
  SUMMARY_LIMIT,
  type ChangedLines,
} from "./index.js";

const finding = (overrides: Partial<Finding> = {}) => baseFinding({ status: "new", ...overrides });
const loadError: LoadError = {
  file: "main.tf",
  line: 3,
  column: 7,
  code: "hcl-syntax",
  message: "expected '='",
};
const changed = (entries: [string, number[] | "all"][]) =>
  new Map<string, ChangedLines>(
    entries.map(([path, lines]) => [path, lines === "all" ? "all" : new Set(lines)]),
  );

describe("planAnnotations", () => {
  it("fails blocking findings and warns advisory ones on changed lines", () => {
    const decision = decideGate(
      [
        finding({ line: 12 }),
        finding({ severity: "low", rule: "TG-LOG-001", line: 14, category: "logging" }),
      ],
      [],
      defaultSettings,
    );
    const { annotations, unannotated } = planAnnotations(
      decision,
      changed([["main.tf", [12, 14]]]),
    );
    expect(annotations.map((a) => [a.start_line, a.annotation_level])).toEqual([
      [12, "failure"],
      [14, "warning"],
    ]);
    expect(annotations[0]).toMatchObject({
      path: "main.tf",
      title: "TG-NET-001: Security group open to the world",
    });
    expect(unannotated).toEqual([]);
  });

  it("moves a new finding to the nearest changed line of its span, else keeps its own line and lists it", () => {
    const decision = decideGate(
      [finding({ line: 10, endLine: 20 }), finding({ evidence: "tcp/80", line: 30, endLine: 35 })],
      [],
      defaultSettings,
    );
    const { annotations, unannotated } = planAnnotations(
      decision,
      changed([["main.tf", [4, 13, 18, 40]]]),
    );
    // The check run lists an annotation off the diff; "Files changed" does not show it, so the
    // summary marks the finding as not on a changed line.
    expect(annotations.map((a) => a.start_line)).toEqual([13, 30]);
    expect(unannotated.map((f) => f.evidence)).toEqual(["tcp/80"]);
  });

  it("moves a new finding whose value is written elsewhere to the changed lines of its resource's block", () => {
    const block = { file: "main.tf", line: 1, endLine: 14 };
    // An open variable default the PR did not touch, used by the block from line 11 on.
    const fromVariable = finding({
      file: "variables.tf",
      line: 3,
      endLine: 3,
      resourceBlock: block,
    });
    // A second instance (count 1 -> 2): its cidr line 12 is unchanged, the count line 2 is not.
    const secondInstance = finding({
      resource: "aws_security_group.web[1]",
      line: 12,
      endLine: 12,
      resourceBlock: block,
    });
    // The PR points the block at the variable (line 11), or raises its count (line 2).
    const placed = (one: Finding, lines: number[]) =>
      planAnnotations(decideGate([one], [], defaultSettings), changed([["main.tf", lines]]));
    const variable = placed(fromVariable, [11]);
    expect(variable.annotations.map((a) => [a.path, a.start_line])).toEqual([["main.tf", 11]]);
    expect(variable.annotations[0]?.message.split("\n").slice(0, 2)).toEqual([
      "HIGH new finding on aws_security_group.web (main.tf:1): Ingress tcp/22 from 0.0.0.0/0",
      "The value is written at variables.tf:3.",
    ]);
    expect(variable.unannotated).toEqual([]);
    const instance = placed(secondInstance, [2]);
    expect(instance.annotations.map((a) => [a.path, a.start_line])).toEqual([["main.tf", 2]]);
    expect(instance.unannotated).toEqual([]);
  });

  it("puts a new finding inside its block on the changed line of the block nearest its own", () => {
    // SSH to RDP: description, from_port and to_port (7-9) rewritten, the cidr line 11 kept.
    const rdp = finding({
      line: 11,
      endLine: 11,
      resourceBlock: { file: "main.tf", line: 1, endLine: 13 },
    });
    const decision = decideGate([rdp], [], defaultSettings);
    const { annotations } = planAnnotations(decision, changed([["main.tf", [7, 8, 9]]]));
    expect(annotations.map((a) => a.start_line)).toEqual([9]);
  });

  it("moves a new finding whose line and block are unchanged to a changed place its count, for_each or attribute read, and nowhere else", () => {
    // The rule for the "rdp" key of local.admin_ports (locals.tf:4), its cidr_blocks testing
    // var.public (terraform.tfvars:2); the block is main.tf:1-14, the value main.tf:12.
    const rdp = finding({
      resource: 'aws_security_group_rule.admin["rdp"]',
      line: 12,
      endLine: 12,
      resourceBlock: { file: "main.tf", line: 1, endLine: 14 },
      readFrom: [
        { by: "for_each", file: "locals.tf", line: 4, endLine: 4 },
        { by: "cidr_blocks", file: "terraform.tfvars", line: 2, endLine: 2 },
      ],
    });
    const placed = (lines: [string, number[] | "all"][]) => {
      const plan = planAnnotations(decideGate([rdp], [], defaultSettings), changed(lines));
      return {
        at: plan.annotations.map((a) => `${a.path}:${a.start_line}`),
        unannotated: plan.unannotated.length,
        why: plan.annotations[0]?.message.split("\n")[1],
      };
    };
    expect(placed([["locals.tf", [3, 4]]])).toEqual({
      at: ["locals.tf:4"],
      unannotated: 0,
      why: "This changed line is read by the resource's for_each.",
    });
    expect(placed([["terraform.tfvars", [2]]])).toMatchObject({ at: ["terraform.tfvars:2"] });
    expect(placed([["terraform.tfvars", "all"]])).toMatchObject({ at: ["terraform.tfvars:2"] });
    // The for_each element first; both before another line of the block (its description),
    // which is used only when nothing that decided the finding changed.
    expect(
      placed([
        ["terraform.tfvars", [2]],
        ["locals.tf", [4]],
      ]),
    ).toMatchObject({
      at: ["locals.tf:4"],
    });
    expect(
      placed([
        ["locals.tf", [4]],
        ["main.tf", [2]],
      ]),
    ).toMatchObject({
      at: ["locals.tf:4"],
      why: "This changed line is read by the resource's for_each.",
    });
    expect(
      placed([
        ["locals.tf", [3]],
        ["main.tf", [2]],
      ]),
    ).toMatchObject({ at: ["main.tf:2"], unannotated: 0 });
    // Other entries and values the PR changed decide nothing here: the finding keeps its line.
    expect(
      placed([
        ["locals.tf", [3, 5]],
        ["terraform.tfvars", [1]],
      ]),
    ).toEqual({
      at: ["main.tf:12"],
      unannotated: 1,
      why: "Evidence: tcp/22 from 0.0.0.0/0",
    });
  });

  it("lists a moved finding in the check run summary where its annotation is", () => {
    const rdp = finding({
      resource: 'aws_security_group_rule.admin["rdp"]',
      line: 12,
      endLine: 12,
      resourceBlock: { file: "main.tf", line: 1, endLine: 14 },
      readFrom: [{ by: "for_each", file: "locals.tf", line: 4, endLine: 4 }],
    });
    const decision = decideGate([rdp], [], defaultSettings);
    const moved = buildCheckRunReport(decision, changed([["locals.tf", [4]]])).summary;
    expect(moved).toContain("at `locals.tf:4` (**blocks merge**)");
    expect(moved).toContain(
      "  This changed line is read by the resource's for\\_each. The value is written at `main.tf:12`.",
    );
    // There too when the PR also edits another line of the block, as the annotation is.
    const beside = changed([
      ["locals.tf", [4]],
      ["main.tf", [2]],
    ]);
    expect(buildCheckRunReport(decision, beside).summary).toContain(
      "at `locals.tf:4` (**blocks merge**)",
    );
    expect(planAnnotations(decision, beside).annotations.map((a) => a.path)).toEqual(["locals.tf"]);
    // Unmoved when the change touched none of what decided it.
    const kept = buildCheckRunReport(decision, changed([["locals.tf", [5]]])).summary;
    expect(kept).toContain("at `main.tf:12` (**blocks merge**, not on a changed line)");
    expect(kept).not.toContain("This changed line");
  });

  it("annotates a new finding on the changed variable its value comes from, naming the resource's block", () => {
    const fromVariable = finding({
      file: "variables.tf",
      line: 4,
      endLine: 4,
      resourceBlock: { file: "main.tf", line: 1, endLine: 14 },
    });
    const decision = decideGate([fromVariable], [], defaultSettings);
    const { annotations } = planAnnotations(decision, changed([["variables.tf", [4]]]));
    expect(annotations.map((a) => [a.path, a.start_line])).toEqual([["variables.tf", 4]]);
    expect(annotations[0]?.message.split("\n")[0]).toBe(
      "HIGH new finding on aws_security_group.web (main.tf:1): Ingress tcp/22 from 0.0.0.0/0",
    );
    expect(renderMarkdown(decision)).toContain(
      "`aws_security_group.web` (`main.tf:1`) at `variables.tf:4`",
    );
    expect(renderText(decision)).toContain("  aws_security_group.web (main.tf:1): Ingress");
  });

  it("says a value written outside its resource's block (a parameter's Default) is what decides the finding", () => {
    // `Default: 0.0.0.0/0` of a CloudFormation parameter, read by `CidrIp: !Ref AdminCidr`.
    const fromDefault = finding({
      file: "stack.yaml",
      line: 6,
      endLine: 6,
      resource: "WebSG",
      resourceBlock: { file: "stack.yaml", line: 12, endLine: 20 },
      readAt: { file: "stack.yaml", line: 20, endLine: 20 },
    });
    const decision = decideGate([fromDefault], [], defaultSettings);
    const { annotations } = planAnnotations(decision, changed([["stack.yaml", "all"]]));
    expect(annotations.map((a) => [a.path, a.start_line])).toEqual([["stack.yaml", 6]]);
    expect(annotations[0]?.message.split("\n").slice(0, 2)).toEqual([
      "HIGH new finding on WebSG (stack.yaml:12): Ingress tcp/22 from 0.0.0.0/0",
      "This line holds the value that decides it: the resource reads it at stack.yaml:20.",
    ]);
    expect(renderMarkdown(decision)).toContain(
      "at `stack.yaml:6` (**blocks merge**)\n  That line holds the value that decides it: the resource reads it at `stack.yaml:20`.\n",
    );
    // A finding inside its block needs no such note.
    const inside = decideGate([finding()], [], defaultSettings);
    expect(
      planAnnotations(inside, changed([["main.tf", "all"]])).annotations[0]?.message,
    ).not.toContain("holds the value");
  });

  it("annotates existing findings only on their own changed line and never fixed ones", () => {
    const decision = decideGate(
      [
        finding({ status: "existing", line: 10 }),
        finding({ status: "existing", evidence: "x", line: 11, endLine: 20 }),
        finding({ status: "fixed", line: 12 }),
      ],
      [],
      defaultSettings,
    );
    const { annotations, unannotated } = planAnnotations(
      decision,
      changed([["main.tf", [10, 12, 15]]]),
    );
    expect(annotations.map((a) => [a.start_line, a.annotation_level])).toEqual([[10, "warning"]]);
    expect(unannotated).toEqual([]);
  });

  it("annotates anywhere in a file whose patch GitHub left out, and errors in PR files", () => {
    const decision = decideGate([finding({ line: 99 })], [loadError], defaultSettings);
    const { annotations } = planAnnotations(decision, changed([["main.tf", "all"]]));
    expect(annotations.map((a) => [a.start_line, a.annotation_level, a.title])).toEqual([
      [3, "failure", "Scan error: hcl-syntax"],
      [99, "failure", "TG-NET-001: Security group open to the world"],
    ]);
  });

  it("gives the instances of a count one annotation, naming them in index order", () => {
    const instances = Array.from({ length: 12 }, (_, i) =>
      finding({ resource: `aws_security_group.web[${i}]`, line: 9 }),
    );
    const other = finding({
      resource: "aws_security_group.db",
      line: 9,
      evidence: "tcp/22 from ::/0",
    });
    const decision = decideGate([...instances, other], [], defaultSettings);
    const { annotations, unannotated } = planAnnotations(decision, changed([["main.tf", [9]]]));
    expect(annotations.map((a) => a.message.split("\n")[0])).toEqual([
      "HIGH new finding on 12 resources: aws_security_group.web[0], aws_security_group.web[1], aws_security_group.web[2] and 9 more: Ingress tcp/22 from 0.0.0.0/0",
      "HIGH new finding on aws_security_group.db: Ingress tcp/22 from 0.0.0.0/0",
    ]);
    expect(unannotated).toEqual([]);
  });

  it("lists the instances of a count as one item in the summary, in index order", () => {
    const instances = [0, 10, 11, 1, 2].map((i) =>
      finding({ resource: `aws_security_group.web[${i}]`, line: 9 }),
    );
    const other = finding({ resource: "aws_security_group.db", evidence: "tcp/22 from ::/0" });
    const { summary } = buildCheckRunReport(
      decideGate([...instances, other], [], defaultSettings),
      changed([["main.tf", [9, 10]]]),
    );
    expect(summary.split("\n").filter((line) => line.startsWith("- **HIGH**"))).toEqual([
      "- **HIGH** `TG-NET-001` Security group open to the world — 5 resources: `aws_security_group.web[0]`, `aws_security_group.web[1]`, `aws_security_group.web[2]` and 2 more at `main.tf:9` (**blocks merge**)",
      // The rule's title is said once, by its first item.
      "- **HIGH** `TG-NET-001` — `aws_security_group.db` at `main.tf:10` (**blocks merge**)",
    ]);
  });

  it("caps annotations and hands the rest to the summary", () => {
    const many = Array.from({ length: MAX_ANNOTATIONS + 7 }, (_, i) =>
      finding({ evidence: `port ${i}`, line: 1 }),
    );
    const { annotations, unannotated } = planAnnotations(
      decideGate(many, [], defaultSettings),
      changed([["main.tf", [1]]]),
    );
    expect(annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(unannotated).toHaveLength(7);
  });
});

describe("batchAnnotations", () => {
  it("cuts batches of 50", () => {
    const decision = decideGate(
      Array.from({ length: 120 }, (_, i) => finding({ evidence: `e${i}` })),
      [],
      defaultSettings,
    );
    const { annotations } = planAnnotations(decision, changed([["main.tf", "all"]]));
    expect(batchAnnotations(annotations).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batchAnnotations([])).toEqual([]);
  });
});

describe("check run output", () => {
  it("tells the author of a blocked pull request how to waive a finding or ask for an override", () => {
    const blocked = decideGate([finding()], [], defaultSettings);
    const summary = (unblocking?: Parameters<typeof buildCheckRunReport>[4]) =>
      buildCheckRunReport(blocked, changed([["main.tf", "all"]]), [], undefined, unblocking)
        .summary;
    const unblockingLine = (text: string) =>
      text.split("\n").filter((line) => line.startsWith("_To merge:"));
    expect(unblockingLine(summary({ inlineWaivers: true, commands: { override: true } }))).toEqual([
      "_To merge: fix what blocks and push again, or accept a finding with `# tollgate:ignore <rule-id> reason=\"...\" expires=YYYY-MM-DD` on its line or the line above (JSON has no comments: there, a waiver in the settings' `waivers`). Comment `/tollgate explain <rule-id>` for a rule's documentation; someone named under `break_glass` may comment `/tollgate override <reason>` to let this commit merge._",
    ]);
    // Nobody under break_glass: no override to ask for; inline waivers locked: the organization's.
    expect(
      unblockingLine(summary({ inlineWaivers: false, commands: { override: false } })),
    ).toEqual([
      "_To merge: fix what blocks and push again, or accept a finding with a waiver in the organization's settings (`waivers`; the organization locks waivers, so `tollgate:ignore` comments do not count). Comment `/tollgate explain <rule-id>` for a rule's documentation._",
    ]);
    // The CLI's markdown names no comment command, which only the app answers.
    expect(
      unblockingLine(renderMarkdown(blocked, { unblocking: { inlineWaivers: true } }))[0],
    ).not.toContain("/tollgate");
    // Nothing blocks: nothing to unblock.
    const passed = decideGate([finding({ status: "existing" })], [], defaultSettings);
    expect(
      unblockingLine(
        buildCheckRunReport(passed, changed([]), [], undefined, {
          inlineWaivers: true,
          commands: { override: true },
        }).summary,
      ),
    ).toEqual([]);
  });

  it("titles by new findings per severity and sections the summary", () => {
    const decision = decideGate(
      [
        finding({ severity: "critical", rule: "TG-IAM-001", category: "iam", evidence: "s3:*" }),
        finding(),
        finding({ status: "existing", evidence: "tcp/80" }),
        finding({ status: "fixed", evidence: "tcp/21" }),
        finding({
          evidence: "tcp/25",
          waived: { written: "settings", reason: "mail relay, ticket SEC-1" },
        }),
      ],
      [],
      defaultSettings,
    );
    const report = buildCheckRunReport(decision, changed([["main.tf", [10]]]), [
      "skipped big.json: larger than 1 MB",
    ]);
    expect(report.title).toBe("2 new findings: 1 critical, 1 high; 1 waived");
    expect(report.conclusion).toBe("failure");
    const headings = report.summary.split("\n").filter((l) => l.startsWith("#"));
    expect(headings).toEqual([
      "## ❌ Tollgate: blocked",
      "### New findings (2)",
      "#### IAM (1)",
      "#### Network (1)",
      "### Existing findings (1)",
      "#### Network (1)",
      "### Fixed findings (1)",
      "#### Network (1)",
      "### Waived findings (1)",
      "#### Network (1)",
      "### Notices",
    ]);
    expect(report.summary).toContain("mail relay, ticket SEC-1");
    expect(report.summary).toContain("| new | 1 | 1 | 0 | 0 | 0 |");
  });

  it("counts waived new findings in the title, which their notices annotate as new", () => {
    const waived = finding({ waived: { written: "settings", reason: "jump host, SEC-7" } });
    const report = buildCheckRunReport(
      decideGate([waived], [], defaultSettings),
      changed([["main.tf", [10]]]),
    );
    expect(report.conclusion).toBe("success");
    expect(report.title).toBe("No new findings (1 waived)");
    expect(report.annotationBatches.flat().map((a) => a.annotation_level)).toEqual(["notice"]);
  });

  it("stays under GitHub's limit with a note counting the findings cut, cutting before an item", () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      finding({ evidence: `tcp/${i} from 0.0.0.0/0`, message: "x".repeat(60) }),
    );
    const { summary } = buildCheckRunReport(decideGate(many, [], defaultSettings), new Map());
    expect(Buffer.byteLength(summary, "utf8")).toBeLessThanOrEqual(SUMMARY_LIMIT);
    const listed = summary.split("\n").filter((line) => line.startsWith("- **HIGH**")).length;
    const left = 2000 - listed;
    expect(summary).toContain(
      `_Report cut here: ${left} more findings (${left} new, ${left} blocking) did not fit GitHub's size limit.`,
    );
    // The last finding listed keeps its own lines: the cut is made before an item. Its message,
    // the first item's, is not said again.
    expect(summary.split("\n").slice(-4, -2)).toEqual([
      expect.stringMatching(
        /^- \*\*HIGH\*\* `TG-NET-001` — `aws_security_group\.web` at `main\.tf:10`/,
      ),
      expect.stringMatching(/^ {2}Evidence: `tcp\/\d+ from 0\.0\.0\.0\/0`$/),
    ]);
  });

  it("says how many of the findings a cut leaves out are new and blocking", () => {
    const existing = Array.from({ length: 600 }, (_, i) =>
      finding({ status: "existing", evidence: `tcp/${i}`, rule: `TG-NET-00${i % 2}` }),
    );
    const added = Array.from({ length: 2000 }, (_, i) =>
      finding({ evidence: `tcp/${i} from 0.0.0.0/0`, message: "x".repeat(60) }),
    );
    const { summary } = buildCheckRunReport(
      decideGate([...added, ...existing], [], defaultSettings),
      new Map(),
    );
    const listed = summary.split("\n").filter((line) => line.startsWith("- **HIGH**")).length;
    const left = 2000 - listed;
    // The existing findings, counted by rule after the new ones, are cut too: but they block nothing.
    expect(summary).toContain(
      `_Report cut here: ${left + 600} more findings (${left} new, ${left} blocking) did not fit`,
    );
  });

  it("says 'both' for a fix of two findings, and no fix under what the pull request fixed", () => {
    const remediation = "Allow SSH only from known ranges (a VPN or bastion).";
    const at = (line: number, status: "new" | "fixed") =>
      finding({ line, status, remediation, evidence: `tcp/22 #${line}` });
    const lines = renderMarkdown(
      decideGate([at(4, "new"), at(9, "new"), at(20, "fixed")], [], defaultSettings),
    ).split("\n");
    expect(lines.filter((line) => line.startsWith("  Fix"))).toEqual([
      `  Fix (both \`TG-NET-001\` findings here): ${remediation}`,
    ]);
    expect(lines.indexOf("### Fixed findings (1)")).toBeGreaterThan(
      lines.findIndex((line) => line.includes("Fix (both")),
    );
  });

  it("says a rule's fix once, under the first of its findings, so a large pull request lists more of them", () => {
    const remediation = "Allow SSH only from known ranges (a VPN or bastion).";
    const many = Array.from({ length: 400 }, (_, i) =>
      finding({
        file: `stacks/s${i}/main.tf`,
        resource: `aws_security_group.sg${i}`,
        remediation,
        evidence: "tcp/22 from 0.0.0.0/0",
      }),
    );
    const { summary } = buildCheckRunReport(decideGate(many, [], defaultSettings), new Map());
    const lines = summary.split("\n");
    expect(lines.filter((line) => line.includes("Fix"))).toEqual([
      `  Fix (all 400 \`TG-NET-001\` findings here): ${remediation}`,
    ]);
    expect(lines.findIndex((line) => line.includes("Fix"))).toBe(
      lines.findIndex((line) => line.startsWith("- **HIGH**")) + 2,
    );
    // With the fix under each, 229 of the 400 fitted; 290 do now.
    expect(lines.filter((line) => line.startsWith("- **HIGH**")).length).toBeGreaterThan(280);
    // A waived finding's waiver comes after its fix, as in its annotation.
    const waived = renderMarkdown(
      decideGate(
        [finding({ remediation, waived: { written: "settings", reason: "jump host" } })],
        [],
        defaultSettings,
      ),
    ).split("\n");
    expect(waived.slice(waived.findIndex((line) => line.startsWith("  Fix")))).toEqual([
      `  Fix: ${remediation}`,
      "  Waived: jump host",
      "",
    ]);
  });

  it("lists every finding of a 300-file pull request, each annotated, saying a rule's title and shared message once", () => {
    // Rules as the built-in library words them on the terragoat and cfngoat corpora, one finding
    // in each of 300 files; IAM-001's message names its evidence, NET-007's value is a variable's.
    const rules: Partial<Finding>[] = [
      {
        rule: "TG-ENC-018",
        severity: "medium",
        category: "encryption",
        title: "S3 bucket does not deny insecure transport",
        message:
          "The bucket has no policy denying requests without TLS: add a bucket policy with a Deny on aws:SecureTransport false.",
        evidence: "no aws:SecureTransport deny",
        remediation:
          "Add a bucket policy statement denying s3:* when aws:SecureTransport is false.",
        resource: "aws_s3_bucket.data",
      },
      {
        rule: "TG-LOG-006",
        severity: "low",
        category: "logging",
        title: "S3 bucket without server access logging",
        message:
          "The bucket has no server access logging: deliver its access logs to a log bucket.",
        evidence: "no access logging",
        resource: "aws_s3_bucket.data",
      },
      {
        rule: "TG-NET-007",
        severity: "low",
        category: "network",
        title: "Unrestricted egress to the internet",
        message:
          "The security group allows all outbound traffic to 0.0.0.0/0: allow only the destinations the workload needs.",
        evidence: "egress all from 0.0.0.0/0",
        resource: "aws_security_group.service",
        resourceBlock: { file: "", line: 40, endLine: 60 },
      },
      {
        rule: "TG-IAM-001",
        severity: "high",
        category: "iam",
        title: "IAM policy allows every action of a service",
        message: "The policy allows 'ACTION': grant the specific actions the workload needs.",
        evidence: "ACTION",
        remediation:
          "Name each action the workload calls (`service:Action`) instead of `*` or `service:*`.",
        resource: "aws_iam_role_policy.service",
      },
      {
        rule: "TG-ENC-004",
        severity: "high",
        category: "encryption",
        title: "RDS storage not encrypted",
        message: "The database storage is not encrypted: set storage encryption to true.",
        evidence: "storage_encrypted not true",
        resource: "aws_db_instance.service",
      },
      {
        rule: "TG-NET-014",
        severity: "medium",
        category: "network",
        title: "Instances get public IP addresses",
        message:
          "The subnet gives instances public IP addresses: use private subnets and reach them through a load balancer or Session Manager.",
        evidence: "map_public_ip_on_launch = true",
        resource: "aws_subnet.public",
      },
    ];
    const actions = ["s3:*", "cloudwatch:*", "ec2:*", "rds:*"];
    const teams = ["payments", "platform", "identity", "data-lake", "edge", "observability"];
    const findings = Array.from({ length: 300 }, (_, i) => {
      const shape = rules[i % rules.length]!;
      const file = `stacks/${teams[i % teams.length]}/service-${String(i).padStart(3, "0")}/main.tf`;
      const action = actions[i % actions.length]!;
      return finding({
        ...shape,
        file,
        line: 12 + (i % 30),
        endLine: 12 + (i % 30),
        message: shape.message!.replace("ACTION", action),
        evidence: shape.evidence!.replace("ACTION", action),
        ...(shape.resourceBlock ? { resourceBlock: { ...shape.resourceBlock, file } } : {}),
      });
    });
    const report = buildCheckRunReport(
      decideGate(findings, [], defaultSettings),
      changed(findings.map((f) => [f.file, "all"])),
    );
    expect(Buffer.byteLength(report.summary, "utf8")).toBeLessThanOrEqual(SUMMARY_LIMIT);
    // Before, 207 of them fitted, in 65,386 bytes; all 300 take 50,223 now.
    expect(report.summary).not.toContain("Report cut");
    for (const f of findings) expect(report.summary).toContain(`at \`${f.file}:${f.line}\``);
    const lines = report.summary.split("\n");
    for (const shape of rules)
      expect(lines.filter((line) => line.includes(shape.title!))).toHaveLength(1);
    expect(report.annotationBatches.map((batch) => batch.length)).toEqual([50, 50, 50, 50, 50, 50]);
    expect(new Set(report.annotationBatches.flat().map((a) => a.path)).size).toBe(300);
  });

  it("says a later finding's message when it differs from the first's other than in its evidence", () => {
    const allows = (action: string, rest = "grant the specific actions the workload needs.") =>
      finding({
        rule: "TG-IAM-001",
        title: "IAM policy allows every action of a service",
        file: `${action.split(":")[0]}.tf`,
        message: `The policy allows '${action}': ${rest}`,
        evidence: action,
      });
    const summary = renderMarkdown(
      decideGate(
        [allows("ec2:*"), allows("iam:*", "it can grant itself anything."), allows("s3:*")],
        [],
        defaultSettings,
      ),
    );
    expect(summary.split("\n").filter((line) => line.startsWith("  "))).toEqual([
      "  The policy allows 'ec2:\\*': grant the specific actions the workload needs. Evidence: `ec2:*`",
      "  The policy allows 'iam:\\*': it can grant itself anything. Evidence: `iam:*`",
      "  Evidence: `s3:*`",
    ]);
  });

  it("over its limit, counts existing findings by rule and keeps new ones in full, saying where the rest is", () => {
    const existing = Array.from({ length: 2000 }, (_, i) =>
      finding({
        status: "existing",
        evidence: `tcp/${i} from 0.0.0.0/0`,
        message: "x".repeat(60),
        rule: i % 2 === 0 ? "TG-NET-001" : "TG-NET-002",
      }),
    );
    const decision = decideGate(
      [finding({ line: 1, evidence: "tcp/22 new" }), finding({ status: "fixed" }), ...existing],
      [],
      defaultSettings,
    );
    const options = { limit: 65_536, fullReport: "`--format json` lists every finding." };
    const markdown = renderMarkdown(decision, options);
    expect(Buffer.byteLength(markdown, "utf8")).toBeLessThanOrEqual(65_536);
    expect(markdown).toContain("### New findings (1)");
    expect(markdown).toContain("Evidence: `tcp/22 new`");
    expect(markdown).toContain("### Existing findings (2000)");
    expect(markdown).toContain(
      "- **HIGH** `TG-NET-001` Security group open to the world: 1000 findings",
    );
    expect(markdown).toContain("### Fixed findings (1)\n\n#### Network (1)");
    expect(markdown.split("\n").at(-1)).toBe(
      "_Existing findings are counted by rule to fit GitHub's size limit. `--format json` lists every finding._",
    );
    // Without a limit, or when everything fits, every finding is listed.
    expect(renderMarkdown(decision)).toContain("Evidence: `tcp/1999 from 0.0.0.0/0`");
  });

  it("escapes markup that scanned files put in messages", () => {
    const markdown = renderMarkdown(
      decideGate(
        [finding({ message: "<img src=x> @everyone [link](http://x)" })],
        [],
        defaultSettings,
      ),
    );
    expect(markdown).toContain("\\<img src=x\\> \\@everyone \\[link\\](http://x)");
  });

  it("keeps inline code of a rule's remediation and escapes the rest of its markup", () => {
    const remediation =
      "Use `Action` with `s3:*_x`; not <b>[docs](http://x)</b> @team *now*, or a lone ` tick";
    const expected =
      "Use `Action` with `s3:*_x`; not \\<b\\>\\[docs\\](http://x)\\</b\\> \\@team \\*now\\*, or a lone \\` tick";
    expect(ruleTextMarkdown(remediation)).toBe(expected);
    const markdown = renderMarkdown(decideGate([finding({ remediation })], [], defaultSettings));
    expect(markdown).toContain(`  Fix: ${expected}`);
    const sarif = JSON.parse(
      renderSarif(decideGate([finding({ remediation })], [], defaultSettings)),
    ) as {
      runs: { tool: { driver: { rules: { help: { markdown: string } }[] } } }[];
    };
    expect(sarif.runs[0]!.tool.driver.rules[0]!.help.markdown).toContain(
      `Remediation: ${expected}`,
    );
  });

  it("lists load warnings in the summary without blocking or counting them as scan errors", () => {
    const warning: LoadError = {
      file: "net/main.tf",
      line: 4,
      column: 12,
      code: "terraform-undeclared-reference",
      message: "reference to an undeclared input variable: var.cidr; its value is unknown",
      level: "warning",
    };
    const report = buildCheckRunReport(
      decideGate([], [warning], defaultSettings),
      changed([["net/main.tf", "all"]]),
    );
    expect([report.conclusion, report.title]).toEqual(["success", "No new findings"]);
    expect(report.summary.split("\n").filter((l) => l.startsWith("###"))).toEqual([
      "### Warnings (1)",
    ]);
    expect(report.summary).toContain(
      "`net/main.tf:4:12: warning: reference to an undeclared input variable: var.cidr; its value is unknown (terraform-undeclared-reference)`",
    );
    expect(report.summary).toContain("- 1 load warning (not blocking: what each names");
  });

  it("explains a run that could not complete", () => {
    const report = incompleteCheckReport(
      "failure",
      "GitHub API error",
      "HttpError: Server Error (500)",
    );
    expect(report.title).toBe("Scan incomplete: GitHub API error");
    expect(report.summary).toContain("fails closed");
    expect(report.summary).toContain("HttpError: Server Error (500)");
  });
});

describe("renderText", () => {
  it("prints load warnings after errors, marked as warnings", () => {
    const warning: LoadError = {
      ...loadError,
      code: "terraform-undeclared-reference",
      level: "warning",
    };
    const text = renderText(decideGate([], [warning], defaultSettings));
    expect(text.split("\n")).toEqual([
      "main.tf:3:7: warning: expected '=' (terraform-undeclared-reference)",
      "",
      "success: no blocking findings; 1 load warning (not blocking: what each names is unknown to the policies or left out)",
      "",
    ]);
  });

  it("lists the gate's notices one a line, and counts them in the verdict", () => {
    const notices: LoadError[] = [
      {
        file: "org.yml",
        line: 3,
        column: 5,
        code: "waiver-expired",
        message: "waiver for TG-NET-001 expired on 2026-01-01; the finding is enforced again",
      },
      {
        file: "tollgate.yml",
        line: 2,
        column: 5,
        code: "settings-locked",
        message: "fail_on is locked",
      },
    ];
    const decision = decideGate([finding()], [], defaultSettings, { notices });
    expect(renderText(decision).split("\n").slice(-5)).toEqual([
      "org.yml:3:5: waiver for TG-NET-001 expired on 2026-01-01; the finding is enforced again (waiver-expired) [notice]",
      "tollgate.yml:2:5: fail_on is locked (settings-locked) [notice]",
      "",
      "failure: 1 blocking new finding (1 high); 2 notices above",
      "",
    ]);
  });

  it("gives a notice about the whole run (no file) no place in text and no location in SARIF", () => {
    const notice: LoadError = {
      file: "",
      line: 0,
      column: 0,
      code: "git-merge-base",
      message: "no merge base of main and HEAD in this clone",
    };
    const decision = decideGate([finding()], [], defaultSettings, { notices: [notice] });
    expect(renderText(decision).split("\n").slice(-4)).toEqual([
      "no merge base of main and HEAD in this clone (git-merge-base) [notice]",
      "",
      "failure: 1 blocking new finding (1 high); 1 notice above",
      "",
    ]);
    const [run] = JSON.parse(renderSarif(decision)).runs;
    expect(run.invocations[0].toolConfigurationNotifications).toEqual([
      {
        level: "warning",
        descriptor: { id: "git-merge-base" },
        message: { text: "no merge base of main and HEAD in this clone (git-merge-base)" },
      },
    ]);
  });

  it("says each waived finding's reason and, when its waiver has one, the day it expires, in every format", () => {
    const decision = decideGate(
      [
        finding({
          line: 4,
          status: "existing",
          waived: { written: "settings", reason: "bastion", expires: "2027-01-01" },
        }),
        finding({ line: 9, evidence: "tcp/25", waived: { written: "inline", reason: "relay" } }),
      ],
      [],
      defaultSettings,
      { now: new Date("2026-11-26T12:00:00Z") },
    );
    expect(
      renderText(decision)
        .split("\n")
        .filter((l) => l.startsWith("main.tf:")),
    ).toEqual([
      "main.tf:4: high TG-NET-001 Security group open to the world [existing, waived: bastion (expires 2027-01-01)]",
      "main.tf:9: high TG-NET-001 Security group open to the world [new, would block, waived: relay]",
    ]);
    const waivedLines = (markdown: string) =>
      markdown.split("\n").filter((l) => l.startsWith("  Waived:"));
    const expected = ["  Waived: bastion (expires 2027-01-01)", "  Waived: relay"];
    expect(waivedLines(renderMarkdown(decision))).toEqual(expected);
    const report = buildCheckRunReport(decision, changed([["main.tf", "all"]]));
    expect(waivedLines(report.summary)).toEqual(expected);
    expect(
      report.annotationBatches
        .flat()
        .map((a) => a.message.split("\n").find((l) => l.startsWith("Waived"))),
    ).toEqual(["Waived: bastion (expires 2027-01-01)", "Waived: relay"]);
    const json = JSON.parse(renderJson(decision)) as { findings: { waived: object }[] };
    expect(json.findings.map((f) => f.waived)).toEqual([
      { written: "settings", reason: "bastion", expires: "2027-01-01" },
      { written: "inline", reason: "relay" },
    ]);
    const results = JSON.parse(renderSarif(decision)).runs[0].results as {
      suppressions: object[];
    }[];
    expect(results.map((r) => r.suppressions)).toEqual([
      [{ kind: "external", justification: "bastion", properties: { expires: "2027-01-01" } }],
      [{ kind: "inSource", justification: "relay" }],
    ]);
  });

  it("labels enforcement only where it applies: not on fixed findings, 'would block' when waived", () => {
    const decision = decideGate(
      [
        finding({ line: 10 }),
        finding({ line: 11, status: "existing", evidence: "tcp/80" }),
        finding({ line: 12, status: "fixed", evidence: "tcp/21" }),
        finding({
          line: 13,
          evidence: "tcp/25",
          waived: { written: "settings", reason: "mail relay" },
        }),
        finding({
          line: 14,
          status: "fixed",
          evidence: "tcp/26",
          waived: { written: "settings", reason: "old" },
        }),
      ],
      [],
      defaultSettings,
    );
    const labels = renderText(decision)
      .split("\n")
      .filter((l) => l.startsWith("main.tf:"))
      .map((l) => l.slice(l.indexOf("[")));
    expect(labels).toEqual([
      "[new, blocking]",
      "[existing, would block if new]",
      "[fixed]",
      "[new, would block, waived: mail relay]",
      "[fixed, waived: old]",
    ]);
    const items = renderMarkdown(decision)
      .split("\n")
      .filter((l) => l.startsWith("- **HIGH**"))
      .map((l) => l.slice(l.indexOf(" at `")));
    expect(items).toEqual([
      " at `main.tf:10` (**blocks merge**)",
      " at `main.tf:11` (would block if new)",
      " at `main.tf:12`",
      " at `main.tf:13` (would block)",
    ]);
  });

  it("tags a finding a blocking_from countdown holds with the day it blocks from", () => {
    const countdown = mergeSettings(
      {
        file: "tollgate.yml",
        settings: settingsFileSchema.parse({
          enforcement: { rules: { "TG-NET-001": { blocking_from: "2027-03-01" } } },
        }),
        locations: {},
      },
      null,
      { name: "infra", topics: [] },
    ).settings;
    const decision = decideGate(
      [finding({ line: 4 }), finding({ line: 9, status: "existing", evidence: "tcp/80" })],
      [],
      countdown,
      { now: new Date("2026-11-28T12:00:00Z") },
    );
    expect(
      renderText(decision)
        .split("\n")
        .filter((line) => line.startsWith("main.tf:")),
    ).toEqual([
      "main.tf:4: high TG-NET-001 Security group open to the world [new, advisory until 2027-03-01]",
      "main.tf:9: high TG-NET-001 Security group open to the world [existing, advisory]",
    ]);
    expect(renderMarkdown(decision)).toContain(" at `main.tf:4` (advisory until 2027-03-01)");
    // JSON and SARIF say it on the finding as well, beside the rule's countdown.
    const json = JSON.parse(renderJson(decision)) as { findings: { advisoryUntil?: string }[] };
    expect(json.findings.map((f) => f.advisoryUntil)).toEqual(["2027-03-01", undefined]);
    const results = JSON.parse(renderSarif(decision)).runs[0].results as {
      properties: { advisoryUntil?: string };
    }[];
    expect(results.map((r) => r.properties.advisoryUntil)).toEqual(["2027-03-01", undefined]);
  });

  it("never calls an existing finding blocking beside a verdict that nothing blocks (fail_on: new)", () => {
    const decision = decideGate(
      [finding({ status: "existing" }), finding({ status: "existing", evidence: "tcp/80" })],
      [],
      defaultSettings,
    );
    expect(decision.reasons).toEqual(["no blocking findings"]);
    const text = renderText(decision);
    expect(text).not.toMatch(/\bblocking\]/);
    expect(text).toContain("[existing, would block if new]");
    // The markdown report is the check run's summary too.
    const report = buildCheckRunReport(decision, changed([["main.tf", "all"]]));
    for (const summary of [renderMarkdown(decision), report.summary]) {
      const items = summary.split("\n").filter((line) => line.startsWith("- **HIGH**"));
      expect(items).toHaveLength(2);
      for (const item of items) expect(item).toMatch(/\(would block if new\)$/);
    }
    expect(
      report.annotationBatches.flat().map((a) => [a.annotation_level, a.message.split("\n")[0]]),
    ).toEqual([
      ["warning", expect.stringMatching(/^HIGH existing finding on /) as string],
      ["warning", expect.stringMatching(/^HIGH existing finding on /) as string],
    ]);
    // Under fail_on: all the same findings block, and say so.
    const all = decideGate(decision.findings, [], { ...defaultSettings, fail_on: "all" });
    expect(renderText(all)).toContain("[existing, blocking]");
  });

  it("says in JSON and SARIF which findings block: not fixed, waived or existing ones under fail_on: new", () => {
    const findings = [
      finding({ line: 10 }),
      finding({ line: 11, status: "existing", evidence: "tcp/80" }),
      finding({ line: 12, status: "fixed", evidence: "tcp/21" }),
      finding({
        line: 13,
        evidence: "tcp/25",
        waived: { written: "settings", reason: "mail relay" },
      }),
      finding({ line: 14, severity: "low", evidence: "tcp/26" }),
    ];
    const byLine = (decision: ReturnType<typeof decideGate>) => {
      const json = JSON.parse(renderJson(decision)) as {
        findings: { line: number; enforcement: string; blocks: boolean }[];
      };
      return json.findings.map((f) => [f.line, f.enforcement, f.blocks]);
    };
    const onNew = decideGate(findings, [], defaultSettings);
    expect(byLine(onNew)).toEqual([
      [10, "blocking", true],
      [11, "blocking", false],
      [12, "blocking", false],
      [13, "blocking", false],
      [14, "advisory", false],
    ]);
    const onAll = decideGate(findings, [], { ...defaultSettings, fail_on: "all" });
    expect(byLine(onAll).map(([line, , blocks]) => [line, blocks])).toEqual([
      [10, true],
      [11, true],
      [12, false],
      [13, false],
      [14, false],
    ]);
    const results = JSON.parse(renderSarif(onNew)).runs[0].results as {
      locations: { physicalLocation: { region: { startLine: number } } }[];
      properties: { enforcement: string; blocks: boolean };
    }[];
    expect(
      results.map((r) => [
        r.locations[0]?.physicalLocation.region.startLine,
        r.properties.enforcement,
        r.properties.blocks,
      ]),
    ).toEqual([
      [10, "blocking", true],
      [11, "blocking", false],
      [13, "blocking", false],
      [14, "advisory", false],
    ]);
  });

  it("sorts findings by file, line and rule whatever order the engine gave them", () => {
    const decision = decideGate(
      [
        finding({ file: "b.tf", line: 2, rule: "TG-NET-002" }),
        finding({ file: "main.tf", line: 9, evidence: "tcp/80" }),
        finding({ file: "b.tf", line: 10, rule: "TG-NET-001" }),
        finding({ file: "b.tf", line: 2, rule: "TG-NET-001" }),
        finding({ file: "a.tf", line: 30, severity: "critical" }),
      ],
      [],
      defaultSettings,
    );
    const located = (text: string, item: RegExp) =>
      text
        .split("\n")
        .filter((l) => item.test(l))
        .map((l) => `${/[a-z]+\.tf:\d+/.exec(l)?.[0]} ${/TG-NET-00\d/.exec(l)?.[0]}`);
    expect(located(renderText(decision), /^[a-z]+\.tf:\d+: /)).toEqual([
      "a.tf:30 TG-NET-001",
      "b.tf:2 TG-NET-001",
      "b.tf:2 TG-NET-002",
      "b.tf:10 TG-NET-001",
      "main.tf:9 TG-NET-001",
    ]);
    // Markdown keeps severity first (the critical finding leads), then each rule's findings
    // together, under their fix, in file and line order.
    expect(located(renderMarkdown(decision), /^- \*\*/)).toEqual([
      "a.tf:30 TG-NET-001",
      "b.tf:2 TG-NET-001",
      "b.tf:10 TG-NET-001",
      "main.tf:9 TG-NET-001",
      "b.tf:2 TG-NET-002",
    ]);
  });

  it("prints file:line lines, errors with columns, and the verdict", () => {
    const text = renderText(decideGate([finding()], [loadError], defaultSettings));
    expect(text.split("\n")).toEqual([
      "main.tf:3:7: expected '=' (hcl-syntax) [error]",
      "main.tf:10: high TG-NET-001 Security group open to the world [new, blocking]",
      "  aws_security_group.web: Ingress tcp/22 from 0.0.0.0/0 (evidence: tcp/22 from 0.0.0.0/0)",
      "",
      "failure: 1 blocking new finding (1 high); 1 error prevented a complete scan; the gate fails closed",
      "",
    ]);
  });
});

describe("a finding in a local module several roots call", () => {
  it("names the root module beside the address, which alone is unique only within a root", () => {
    const shared = finding({
      file: "modules/bucket/main.tf",
      root: "envs/prod",
      resource: "module.logs.aws_s3_bucket.this",
    });
    const inRoot = finding({ file: "envs/dev/main.tf", root: "envs/dev" });
    const atTop = finding({ file: "modules/bucket/main.tf", root: "", resource: "module.top.x" });
    const template = finding({ file: "stack.yaml", root: "stack.yaml", resource: "Bucket" });
    const text = renderText(decideGate([shared, inRoot, atTop, template], [], defaultSettings));
    expect(text).toContain("  module.logs.aws_s3_bucket.this in envs/prod: ");
    expect(text).toContain("  aws_security_group.web: Ingress");
    expect(text).not.toContain("web in ");
    expect(text).toContain("  Bucket: ");
    expect(text).toContain("  module.top.x: ");
    expect(renderMarkdown(decideGate([shared], [], defaultSettings))).toContain(
      "`module.logs.aws_s3_bucket.this in envs/prod`",
    );
    const json = JSON.parse(renderJson(decideGate([shared], [], defaultSettings))) as {
      findings: { root?: string }[];
    };
    expect(json.findings[0]?.root).toBe("envs/prod");
  });
});

describe("renderJson", () => {
  it("writes exactly the finding and error fields", () => {
    const extra = { ...finding({ remediation: "Restrict the CIDR" }), internal: true } as Finding;
    const warning: LoadError = {
      ...loadError,
      code: "terraform-undeclared-reference",
      level: "warning",
    };
    const report = JSON.parse(
      renderJson(decideGate([extra], [loadError, warning], defaultSettings)),
    ) as {
      findings: object[];
      errors: object[];
      warnings: object[];
    };
    expect(Object.keys(report)).toEqual([
      "findings",
      "errors",
      "warnings",
      "notices",
      "countdowns",
    ]);
    expect(report.warnings).toEqual([{ ...loadError, code: "terraform-undeclared-reference" }]);
    expect(Object.keys(report.findings[0] ?? {})).toEqual([
      "rule",
      "title",
      "severity",
      "category",
      "file",
      "line",
      "endLine",
      "resource",
      "message",
      "evidence",
      "remediation",
      "status",
      "enforcement",
      "waived",
      "blocks",
    ]);
    expect(report.errors).toEqual([loadError]);
  });
});

describe("renderSarif", () => {
  it("writes a SARIF 2.1.0 log GitHub code scanning takes", () => {
    const decision = decideGate(
      [
        finding({ remediation: "Restrict the CIDR" }),
        finding({ evidence: "tcp/80", status: "existing", file: "modules/a b/main.tf" }),
        finding({ status: "fixed", evidence: "tcp/21" }),
      ],
      [],
      defaultSettings,
    );
    const log = JSON.parse(
      renderSarif(
        { ...decision, errors: [loadError] },
        { toolVersion: "0.1.0", comparedWithBase: true },
      ),
    );
    expect(log.version).toBe("2.1.0");
    const [run] = log.runs;
    expect(run.tool.driver).toMatchObject({ version: "0.1.0", semanticVersion: "0.1.0" });
    expect(run.tool.driver.rules).toEqual([
      expect.objectContaining({
        id: "TG-NET-001",
        help: expect.objectContaining({ text: expect.stringContaining("Restrict the CIDR") }),
        properties: { tags: ["security", "iac", "network"], "security-severity": "8.0" },
      }),
    ]);
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toMatchObject({
      ruleId: "TG-NET-001",
      ruleIndex: 0,
      level: "error",
      baselineState: "new",
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "main.tf" },
            region: { startLine: 10, endLine: 20 },
          },
        },
      ],
    });
    expect(run.results[1].locations[0].physicalLocation.artifactLocation.uri).toBe(
      "modules/a%20b/main.tf",
    );
    expect(run.results[1].baselineState).toBe("unchanged");
    const fingerprints = run.results.map(
      (r: { partialFingerprints: Record<string, string> }) =>
        Object.values(r.partialFingerprints)[0],
    );
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprints[0]).not.toBe(fingerprints[1]);
    expect(run.invocations[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [{ descriptor: { id: "hcl-syntax" } }],
    });
  });

  it("marks a waiver written in the file inSource and one in settings external (SARIF 2.1.0 §3.35.2)", () => {
    const decision = decideGate(
      [
        finding({ line: 4, waived: { written: "inline", reason: "bastion, SEC-12" } }),
        finding({ line: 9, waived: { written: "settings", reason: "web tier" } }),
      ],
      [],
      defaultSettings,
    );
    const results = JSON.parse(renderSarif(decision)).runs[0].results as {
      suppressions: object[];
    }[];
    expect(results.map((r) => r.suppressions)).toEqual([
      [{ kind: "inSource", justification: "bastion, SEC-12" }],
      [{ kind: "external", justification: "web tier" }],
    ]);
  });

  it("says no baselineState when nothing was compared (scan): SARIF 2.1.0 reads absent as not compared", () => {
    // scan gives every finding the status new, which the gate reads; SARIF must not.
    const decision = decideGate([finding({ status: "new" })], [], defaultSettings);
    const [result] = JSON.parse(renderSarif(decision)).runs[0].results;
    expect(result).not.toHaveProperty("baselineState");
    expect(result.level).toBe("error");
  });

  it("carries the gate's waiver and settings notices and its countdowns, in JSON and as SARIF configuration notifications", () => {
    const expired: LoadError = {
      file: "tollgate.yml",
      line: 2,
      column: 5,
      code: "waiver-expired",
      message: "waiver for TG-NET-001 expired on 2020-01-01; the finding is enforced again",
    };
    const settings = {
      ...defaultSettings,
      enforcement: {
        ...defaultSettings.enforcement,
        rules: { "TG-NET-001": { level: "blocking" as const, blockingFrom: "2026-12-01" } },
      },
    };
    const decision = decideGate([finding(), finding({ status: "existing" })], [], settings, {
      now: new Date("2026-11-26T12:00:00Z"),
      notices: [expired],
    });
    const json = JSON.parse(renderJson(decision)) as { notices: object[]; countdowns: object[] };
    expect(json.notices).toEqual([expired]);
    expect(json.countdowns).toEqual([
      { rule: "TG-NET-001", blockingFrom: "2026-12-01", daysLeft: 5, findings: 1 },
    ]);
    const [run] = JSON.parse(renderSarif(decision)).runs;
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([]);
    expect(run.invocations[0].toolConfigurationNotifications).toEqual([
      {
        level: "warning",
        descriptor: { id: "waiver-expired" },
        message: {
          text: "tollgate.yml:2:5: waiver for TG-NET-001 expired on 2020-01-01; the finding is enforced again (waiver-expired)",
        },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: "tollgate.yml", uriBaseId: "%SRCROOT%" },
              region: { startLine: 2, endLine: 2, startColumn: 5 },
            },
          },
        ],
      },
      {
        level: "note",
        descriptor: { id: "enforcement-countdown" },
        associatedRule: { id: "TG-NET-001", index: 0 },
        message: {
          text: "TG-NET-001 is advisory until 2026-12-01 (in 5 days), then blocking: 1 finding",
        },
        properties: { blockingFrom: "2026-12-01", daysLeft: 5, findings: 1 },
      },
    ]);
  });

  it("sets a result's level by what the gate does with it, as annotations do, keeping its severity", () => {
    const settings = {
      ...defaultSettings,
      enforcement: {
        ...defaultSettings.enforcement,
        rules: {
          "TG-LOG-012": { level: "blocking" as const },
          "TG-IAM-002": { level: "advisory" as const },
        },
      },
    };
    const decision = decideGate(
      [
        finding({ rule: "TG-LOG-012", severity: "low", line: 1 }),
        finding({ rule: "TG-IAM-002", severity: "critical", line: 2 }),
        finding({ line: 3, status: "existing" }),
        finding({ line: 4, waived: { written: "settings", reason: "bastion" } }),
        finding({ line: 5, unknown: "var.cidr" }),
      ],
      [],
      settings,
    );
    const results = JSON.parse(renderSarif(decision)).runs[0].results as {
      ruleId: string;
      level: string;
      properties: { severity: string; blocks: boolean };
    }[];
    expect(
      results.map((r) => [r.ruleId, r.level, r.properties.severity, r.properties.blocks]),
    ).toEqual([
      ["TG-LOG-012", "error", "low", true],
      ["TG-IAM-002", "warning", "critical", false],
      ["TG-NET-001", "warning", "high", false],
      ["TG-NET-001", "note", "high", false],
      ["TG-NET-001", "note", "high", false],
    ]);
    // A rule's default level is what settings make its findings, on the results' scale: a low
    // rule set to blocking is an error, a critical one set to advisory a warning, not by severity.
    const rules = JSON.parse(renderSarif(decision)).runs[0].tool.driver.rules as {
      id: string;
      defaultConfiguration: { level: string };
      properties: { "security-severity"?: string };
    }[];
    expect(
      rules.map((r) => [r.id, r.defaultConfiguration.level, r.properties["security-severity"]]),
    ).toEqual([
      ["TG-LOG-012", "error", "3.0"],
      ["TG-IAM-002", "warning", "9.5"],
      ["TG-NET-001", "error", "8.0"],
    ]);
  });

  it("groups and tags a custom rule's own category after the built-in ones", () => {
    const tagging = (overrides: Partial<Finding>) =>
      finding({ rule: "ACME-TAG-001", category: "tagging", severity: "medium", ...overrides });
    const decision = decideGate(
      [
        tagging({ evidence: "missing Team" }),
        finding({ rule: "ACME-SC-001", category: "supply-chain", severity: "low" }),
        finding({ rule: "TG-LOG-001", category: "logging", severity: "low" }),
        finding(),
      ],
      [],
      defaultSettings,
    );
    const headings = renderMarkdown(decision)
      .split("\n")
      .filter((l) => l.startsWith("#### "));
    expect(headings).toEqual([
      "#### Network (1)",
      "#### Logging (1)",
      "#### Supply chain (1)",
      "#### Tagging (1)",
    ]);
    const rules = JSON.parse(renderSarif(decision)).runs[0].tool.driver.rules as {
      id: string;
      properties: { tags: string[] };
    }[];
    expect(rules.find((r) => r.id === "ACME-TAG-001")?.properties.tags).toEqual([
      "security",
      "iac",
      "tagging",
    ]);
    expect(decision.counts.byCategory).toEqual({
      iam: 0,
      network: 1,
      encryption: 0,
      logging: 1,
      tagging: 1,
      "supply-chain": 1,
    });
    const json = JSON.parse(renderJson(decision)) as { findings: { category: string }[] };
    expect(json.findings.map((f) => f.category).sort()).toEqual([
      "logging",
      "network",
      "supply-chain",
      "tagging",
    ]);
  });

  it("writes load warnings as warning notifications of a successful execution", () => {
    const warning: LoadError = {
      ...loadError,
      code: "terraform-undeclared-reference",
      level: "warning",
    };
    const [run] = JSON.parse(renderSarif(decideGate([], [warning], defaultSettings))).runs;
    expect(run.invocations[0]).toMatchObject({
      executionSuccessful: true,
      toolExecutionNotifications: [
        { level: "warning", descriptor: { id: "terraform-undeclared-reference" } },
      ],
    });
  });

  it("relates a finding whose value is written elsewhere to its resource's block", () => {
    const block = { file: "main.tf", line: 1, endLine: 14 };
    const results = JSON.parse(
      renderSarif(
        decideGate(
          [
            finding({ file: "variables.tf", line: 4, endLine: 4, resourceBlock: block }),
            finding({ evidence: "tcp/3389", line: 11, endLine: 11, resourceBlock: block }),
          ],
          [],
          defaultSettings,
        ),
      ),
    ).runs[0].results;
    expect(results[0].relatedLocations).toEqual([
      {
        id: 1,
        physicalLocation: {
          artifactLocation: { uri: "main.tf", uriBaseId: "%SRCROOT%" },
          region: { startLine: 1, endLine: 14 },
        },
        message: { text: "aws_security_group.web is declared here" },
      },
    ]);
    expect(results[1].relatedLocations).toBeUndefined();
  });

  it("keeps the fingerprint when a finding moves", () => {
    const at = (line: number) =>
      JSON.parse(renderSarif(decideGate([finding({ line, endLine: line })], [], defaultSettings)))
        .runs[0].results[0].partialFingerprints;
    expect(at(10)).toEqual(at(99));
  });

  it("numbers the fingerprints of findings of one identity written twice, in file order", () => {
    // Two equal ingress blocks of one group: one identity, two places GitHub must both show.
    const twice = [finding({ line: 14, endLine: 14 }), finding({ line: 7, endLine: 7 })];
    const single = finding({ line: 7, endLine: 7 });
    const printsOf = (findings: Finding[]) =>
      JSON.parse(renderSarif(decideGate(findings, [], defaultSettings))).runs[0].results.map(
        (
          r: { locations: { physicalLocation: { region: { startLine: number } } }[] } & {
            partialFingerprints: Record<string, string>;
          },
        ) => [
          r.locations[0]!.physicalLocation.region.startLine,
          Object.values(r.partialFingerprints)[0],
        ],
      );
    const [[, alone]] = printsOf([single]);
    expect(printsOf(twice)).toEqual([
      [14, `${alone}:2`],
      [7, alone],
    ]);
  });
});

describe("a finding an unknown value decides", () => {
  const undecided = finding({
    rule: "TG-NET-009",
    title: "RDS database publicly accessible",
    severity: "critical",
    resource: "aws_db_instance.main",
    line: 12,
    endLine: 12,
    message: "The database may be publicly accessible.",
    evidence: "publicly_accessible = var.public",
    unknown: "var.public",
  });
  const decision = decideGate([undecided], [], defaultSettings);

  it("is advisory and says what decides it in text, markdown and annotations", () => {
    expect(decision.conclusion).toBe("success");
    expect(renderText(decision).split("\n").slice(0, 2)).toEqual([
      "main.tf:12: critical TG-NET-009 RDS database publicly accessible [new, advisory, cannot tell: var.public decides]",
      "  aws_db_instance.main: The database may be publicly accessible. (evidence: publicly_accessible = var.public)",
    ]);
    expect(renderMarkdown(decision)).toContain("(advisory, cannot tell: `var.public` decides)");
    const [annotation] = planAnnotations(decision, changed([["main.tf", [12]]])).annotations;
    expect(annotation).toMatchObject({ annotation_level: "warning" });
    expect(annotation?.message.split("\n")[0]).toBe("cannot tell: var.public decides.");
  });

  it("carries the expression in JSON and is a note in SARIF", () => {
    const [json] = (JSON.parse(renderJson(decision)) as { findings: object[] }).findings;
    expect(json).toMatchObject({ unknown: "var.public", enforcement: "advisory" });
    const [result] = JSON.parse(renderSarif(decision)).runs[0].results;
    expect(result).toMatchObject({
      level: "note",
      message: {
        text: "cannot tell: var.public decides. The database may be publicly accessible. (aws_db_instance.main: publicly_accessible = var.public)",
      },
      properties: { unknown: "var.public", enforcement: "advisory" },
    });
  });
});

describe("a finding a pull request narrowed to fewer deployments", () => {
  const narrowed = "now only when terraform.workspace is prod";
  const open = finding({ status: "existing" });
  const decision = decideGate([{ ...open, narrowed }], [], defaultSettings);

  it("is a summary line, never blocking, and a note beside the finding in every format", () => {
    expect(decision.conclusion).toBe("success");
    const summary = `1 existing finding narrowed by this change, still open: TG-NET-001 at main.tf:10 ${narrowed}`;
    expect(decision.reasons).toContain(summary);
    const note = `narrowed by this change: ${narrowed}`;
    expect(renderText(decision).split("\n")[0]).toBe(
      `main.tf:10: high TG-NET-001 Security group open to the world [existing, would block if new, ${note}]`,
    );
    expect(renderText(decision)).toContain(summary);
    const markdown = renderMarkdown(decision);
    expect(markdown).toContain(`- ${summary}`);
    expect(markdown).toContain(`(would block if new, ${note})`);
    const [json] = (JSON.parse(renderJson(decision)) as { findings: object[] }).findings;
    expect(json).toMatchObject({ status: "existing", narrowed, blocks: false });
    const [result] = JSON.parse(renderSarif(decision, { comparedWithBase: true })).runs[0].results;
    expect(result).toMatchObject({
      baselineState: "unchanged",
      message: { text: expect.stringContaining(`(${note}.)`) as string },
      properties: { narrowed },
    });
  });

  it("keeps its SARIF fingerprint", () => {
    const fingerprint = (f: Finding) =>
      JSON.parse(renderSarif(decideGate([f], [], defaultSettings))).runs[0].results[0]
        .partialFingerprints;
    expect(fingerprint({ ...open, narrowed })).toEqual(fingerprint(open));
  });
});
