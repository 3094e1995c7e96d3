import { describe, expect, it } from "vitest";
import type { SettingsWaiver } from "../config/index.js";
import type { Finding, LoadError } from "../model/types.js";
import { finding } from "../../test/app/findings.js";
import { applyWaivers, findInlineWaivers, parseDay, resourceBlockLine } from "./index.js";

const now = new Date("2026-11-26T06:00:00Z");
const repository = { name: "infra", topics: [] };
const MAIN_TF = [
  'resource "aws_security_group" "web" {', // 1
  '  description = "web # tollgate:ignore TG-NET-001 reason=\\"in a string\\""', // 2
  "  ingress {", // 3
  "    from_port = 22", // 4
  '    cidr_blocks = ["0.0.0.0/0"] # tollgate:ignore TG-NET-001 reason="bastion, SEC-12" expires=2027-01-31', // 5
  "  }", // 6
  "}", // 7
].join("\n");

const located = (notices: LoadError[]) =>
  notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}: ${n.message}`);

function waive(
  findings: Finding[],
  files: { path: string; text: string }[],
  settingsWaivers: SettingsWaiver[] = [],
) {
  return applyWaivers(findings, { files, settingsWaivers, repository, now });
}

describe("findInlineWaivers", () => {
  it("reads rule, quoted reason and expiry from # and // comments, never from strings", () => {
    expect(findInlineWaivers({ path: "main.tf", text: MAIN_TF })).toEqual([
      {
        rule: "TG-NET-001",
        reason: "bastion, SEC-12",
        expires: "2027-01-31",
        file: "main.tf",
        line: 5,
        column: 33,
        standalone: false,
        unknownAttributes: [],
      },
    ]);
    expect(
      findInlineWaivers({
        path: "a.tf",
        text: "// tollgate:ignore TG-1 reason=legacy approver=@sec",
      }),
    ).toEqual([
      {
        rule: "TG-1",
        reason: "legacy",
        approver: "@sec",
        file: "a.tf",
        line: 1,
        column: 1,
        standalone: true,
        unknownAttributes: [],
      },
    ]);
    expect(findInlineWaivers({ path: "t.yaml", text: "// tollgate:ignore TG-1 reason=x" })).toEqual(
      [],
    );
    expect(findInlineWaivers({ path: "t.json", text: '{"a": "# tollgate:ignore TG-1"}' })).toEqual(
      [],
    );
  });
});

describe("resourceBlockLine", () => {
  it("gives each misspelt attribute its own column, after quoted values holding = and spaces", () => {
    const line =
      '      CidrIp: 0.0.0.0/0 # tollgate:ignore TG-NET-001 reasn="a = b" expires=2027-01-01 aprover=@sec';
    const [waiver] = findInlineWaivers({ path: "t.yaml", text: `Resources:\n${line}\n` });
    expect(waiver).toMatchObject({ line: 2, column: line.indexOf("#") + 1 });
    expect(waiver?.unknownAttributes).toEqual([
      { name: "reasn", column: line.indexOf("reasn=") + 1 },
      { name: "aprover", column: line.indexOf("aprover=") + 1 },
    ]);
  });

  it("finds Terraform blocks by address (module prefix and instance key dropped) and CloudFormation ids", () => {
    const text = [
      'data "aws_iam_policy_document" "x" {',
      "}",
      'resource "aws_s3_bucket" "x" {',
    ].join("\n");
    expect(resourceBlockLine({ path: "m.tf", text }, 'module.a.aws_s3_bucket.x["k"]')).toBe(3);
    expect(resourceBlockLine({ path: "m.tf", text }, "data.aws_iam_policy_document.x")).toBe(1);
    expect(resourceBlockLine({ path: "m.tf", text }, "aws_s3_bucket.y")).toBeUndefined();
    const template = "Resources:\n  # note\n  LogBucket:\n    Type: AWS::S3::Bucket\n";
    expect(resourceBlockLine({ path: "t.yaml", text: template }, "LogBucket")).toBe(3);
  });
});

describe("applyWaivers", () => {
  it("waives a finding on the waiver's line, on the line below it, or in its commented block top", () => {
    const text = [
      '# tollgate:ignore TG-S3-001 reason="public website"', // 1: above the block
      'resource "aws_s3_bucket" "site" {', // 2
      '  // tollgate:ignore TG-S3-002 reason="static assets only"', // 3: top inside the block
      '  acl = "public-read"', // 4
      '  # tollgate:ignore TG-S3-003 reason="line above"', // 5
      "  versioning {}", // 6
      "}", // 7
    ].join("\n");
    const on = (rule: string, line: number) =>
      finding({ rule, file: "s3.tf", line, resource: "aws_s3_bucket.site" });
    const { findings, notices } = waive(
      [on("TG-S3-001", 4), on("TG-S3-002", 4), on("TG-S3-003", 6), on("TG-S3-004", 6)],
      [{ path: "s3.tf", text }],
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "public website", written: "inline" },
      { reason: "static assets only", written: "inline" },
      { reason: "line above", written: "inline" },
      null,
    ]);
    expect(notices).toEqual([]);
  });

  it("waives a finding whose value is written in another file by the comment at its block's top", () => {
    const text = [
      '# tollgate:ignore TG-NET-001 reason="office VPN only"', // 1
      'resource "aws_security_group" "web" {', // 2
      "  ingress {", // 3
      "    cidr_blocks = [var.admin_cidr]", // 4
      "  }", // 5
      "}", // 6
    ].join("\n");
    const fromVariable = (rule: string) =>
      finding({
        rule,
        file: "variables.tf",
        line: 3,
        resourceBlock: { file: "main.tf", line: 2, endLine: 6 },
      });
    const { findings } = waive(
      [fromVariable("TG-NET-001"), fromVariable("TG-NET-002")],
      [
        { path: "main.tf", text },
        { path: "variables.tf", text: 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n' },
      ],
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "office VPN only", written: "inline" },
      null,
    ]);
  });

  it("waives a finding located where its value is written by the comment on the attribute reading it", () => {
    // The module's attachment reads the ARN its caller writes; the finding is on the caller's line.
    const module = [
      'variable "policy_arns" {}', // 1
      'resource "aws_iam_role_policy_attachment" "this" {', // 2
      "  count      = length(var.policy_arns)", // 3
      '  policy_arn = var.policy_arns[count.index] # tollgate:ignore TG-IAM-007 reason="deploy role, OPS-7"', // 4
      "}", // 5
      'resource "aws_iam_role_policy_attachment" "other" {', // 6
      '  role       = "x" # tollgate:ignore TG-IAM-007 reason="not the line reading it"', // 7
      "  tags       = {}", // 8
      '  # tollgate:ignore TG-IAM-007 reason="break-glass role"', // 9
      "  policy_arn = var.break_glass", // 10
      "}", // 11
    ].join("\n");
    const readAt = (rule: string, line: number, block: [number, number]) =>
      finding({
        rule,
        file: "main.tf",
        line: 4,
        resourceBlock: { file: "modules/role/main.tf", line: block[0], endLine: block[1] },
        readAt: { file: "modules/role/main.tf", line, endLine: line },
      });
    const { findings, notices } = waive(
      [
        readAt("TG-IAM-007", 4, [2, 5]),
        readAt("TG-IAM-001", 4, [2, 5]),
        readAt("TG-IAM-007", 10, [6, 11]),
        // Read on line 8: the trailing comment on line 7 speaks for its own line only.
        readAt("TG-IAM-007", 8, [6, 11]),
        // The same line in the caller's file is not the attribute.
        finding({ rule: "TG-IAM-007", file: "main.tf", line: 4 }),
      ],
      [
        { path: "modules/role/main.tf", text: module },
        { path: "main.tf", text: 'module "role" {\n  source = "./modules/role"\n}\n' },
      ],
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "deploy role, OPS-7", written: "inline" },
      null,
      { reason: "break-glass role", written: "inline" },
      null,
      null,
    ]);
    expect(notices).toEqual([]);
  });

  it("leaves findings of other rules, files and lines alone", () => {
    const { findings } = waive(
      [
        finding({ line: 5, rule: "TG-NET-002", file: "main.tf" }),
        finding({ line: 5, file: "other.tf" }),
        finding({ line: 3, file: "main.tf" }),
        // A trailing comment speaks for its own line only, not the one below.
        finding({ line: 6, file: "main.tf" }),
      ],
      [{ path: "main.tf", text: MAIN_TF }],
    );
    expect(findings.map((f) => f.waived)).toEqual([null, null, null, null]);
  });

  it("applies an unexpired waiver until the end of its last day (UTC) and flags it 14 days ahead", () => {
    const text = (expires: string) =>
      `x = 1 # tollgate:ignore TG-NET-001 reason="accepted" expires=${expires}`;
    const result = (expires: string) =>
      waive([finding({ file: "a.tf", line: 1 })], [{ path: "a.tf", text: text(expires) }]);
    expect(result("2027-01-31")).toMatchObject({
      findings: [{ waived: { reason: "accepted", written: "inline", expires: "2027-01-31" } }],
      notices: [],
    });
    expect(located(result("2026-12-05").notices)).toEqual([
      "a.tf:1:7: waiver-expiring: waiver for TG-NET-001 expires on 2026-12-05 (in 9 days); renew it or fix the finding",
    ]);
    expect(result("2026-12-10").notices).toEqual([]);
    expect(result("2026-12-09").notices.map((n) => n.code)).toEqual(["waiver-expiring"]);
    expect(result("2026-11-26").findings[0]?.waived).not.toBeNull();
    expect(located(result("2026-11-26").notices)).toEqual([
      "a.tf:1:7: waiver-expiring: waiver for TG-NET-001 expires on 2026-11-26 (its last day is today); renew it or fix the finding",
    ]);
    const expired = result("2026-11-25");
    expect(expired.findings[0]?.waived).toBeNull();
    expect(located(expired.notices)).toEqual([
      "a.tf:1:7: waiver-expired: waiver for TG-NET-001 expired on 2026-11-25; the finding is enforced again",
    ]);
  });

  it("counts a malformed date as expired and reports a reasonless waiver, applying neither", () => {
    const text = [
      'a = 1 # tollgate:ignore TG-NET-001 reason="ok" expires=2026-02-30',
      "b = 2 # tollgate:ignore TG-NET-001",
      'c = 3 # tollgate:ignore TG-NET-001 reason="  " expires=2027-01-01',
      "# tollgate:ignore",
      'e = 5 # tollgate:ignore TG-NET-001 reason="typo" expire=2020-01-01',
    ].join("\n");
    const { findings, notices } = waive(
      [1, 2, 3, 5].map((line) => finding({ file: "a.tf", line })),
      [{ path: "a.tf", text }],
    );
    expect(findings.map((f) => f.waived)).toEqual([null, null, null, null]);
    expect(located(notices)).toEqual([
      "a.tf:1:7: waiver-bad-date: waiver for TG-NET-001: expires '2026-02-30' is not a YYYY-MM-DD day, so it counts as expired",
      'a.tf:2:7: waiver-no-reason: waiver for TG-NET-001 has no reason; it does not apply until it says why (reason="...")',
      'a.tf:3:7: waiver-no-reason: waiver for TG-NET-001 has no reason; it does not apply until it says why (reason="...")',
      "a.tf:4:1: waiver-no-rule: waiver for (no rule) names no rule; it does not apply",
      "a.tf:5:50: waiver-unknown-attribute: waiver for TG-NET-001: unknown attribute 'expire' (expected reason, expires, approver); it does not apply",
    ]);
  });

  it("reports a waiver whose rule id no loaded rule has, inline or in settings, and applies the rest", () => {
    const text = [
      'a = 1 # tollgate:ignore TG-NET-01 reason="typo"',
      'b = 2 # tollgate:ignore TG-NET-001 reason="bastion"',
    ].join("\n");
    const origin = { file: ".github/tollgate.yml", line: 3, column: 5 };
    const { findings, notices } = applyWaivers(
      [1, 2].map((line) => finding({ file: "a.tf", line })),
      {
        files: [{ path: "a.tf", text }],
        settingsWaivers: [{ rule: "TG-ENC-02", resource: "*", reason: "typo", origin }],
        repository,
        now,
        knownRules: new Set(["TG-NET-001", "TG-ENC-002"]),
      },
    );
    expect(findings.map((f) => f.waived)).toEqual([null, { reason: "bastion", written: "inline" }]);
    expect(located(notices)).toEqual([
      ".github/tollgate.yml:3:5: waiver-unknown-rule: waiver for TG-ENC-02: no loaded rule has that id, so it waives nothing; check the rule id (did you mean TG-ENC-002?)",
      "a.tf:1:7: waiver-unknown-rule: waiver for TG-NET-01: no loaded rule has that id, so it waives nothing; check the rule id (did you mean TG-NET-001?)",
    ]);
  });

  it("applies settings waivers by rule, resource glob and repository, naming the approver", () => {
    const origin = { file: ".github/tollgate.yml", line: 4, column: 5 };
    const waivers: SettingsWaiver[] = [
      {
        rule: "TG-NET-001",
        resource: "aws_security_group.bastion_*",
        reason: "bastions",
        approver: "@security",
        origin,
      },
      { rule: "TG-NET-001", resource: "*", repositories: ["web-*"], reason: "web", origin },
      { rule: "TG-IAM-001", resource: 'module.a.aws_iam_policy.p["x"]', reason: "exact", origin },
    ];
    const { findings } = waive(
      [
        finding({ resource: "aws_security_group.bastion_a" }),
        finding({ resource: "aws_security_group.web" }),
        finding({ rule: "TG-IAM-001", resource: 'module.a.aws_iam_policy.p["x"]' }),
      ],
      [],
      waivers,
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "bastions (approved by @security)", written: "settings" },
      null,
      { reason: "exact", written: "settings" },
    ]);
  });

  it("matches resource patterns across / and brackets, as Terraform addresses need, and reports one matching nothing", () => {
    const origin = (line: number) => ({ file: ".github/tollgate.yml", line, column: 5 });
    const findings = [
      'aws_security_group.bastion["prod/eu"]',
      'aws_security_group.bastion["dev.us"]',
      "aws_security_group.web[0]",
    ].map((resource) => finding({ resource }));
    const waivedBy = (waiver: Omit<SettingsWaiver, "rule" | "reason" | "origin">) =>
      waive(findings, [], [{ rule: "TG-NET-001", reason: "SEC-9", origin: origin(2), ...waiver }]);
    const waivedOf = (result: ReturnType<typeof waive>) =>
      result.findings.map((f) => f.waived !== null);
    expect(waivedOf(waivedBy({ resource: "*" }))).toEqual([true, true, true]);
    expect(waivedOf(waivedBy({ resource: "aws_security_group.bastion*" }))).toEqual([
      true,
      true,
      false,
    ]);
    expect(waivedOf(waivedBy({ resource: "aws_security_group.bastion[*]" }))).toEqual([
      true,
      true,
      false,
    ]);
    expect(waivedOf(waivedBy({ resource: 'aws_security_group.bastion["prod/??"]' }))).toEqual([
      true,
      false,
      false,
    ]);
    expect(waivedOf(waivedBy({ resource: "aws_security_group.web[0-9]" }))).toEqual([
      false,
      false,
      false,
    ]);
    expect(waivedBy({ resource: "*" }).notices).toEqual([]);
    expect(located(waivedBy({ resource: "aws_security_group.bastoin*" }).notices)).toEqual([
      `.github/tollgate.yml:2:5: waiver-matches-nothing: waiver for TG-NET-001: resource 'aws_security_group.bastoin*' matches none of its 3 findings (aws_security_group.bastion["prod/eu"], aws_security_group.bastion["dev.us"], aws_security_group.web[0]), so it waives nothing; check the address`,
    ]);
    const one = waive(
      [finding({ resource: "aws_sqs_queue.jobs" })],
      [],
      [{ rule: "TG-NET-001", resource: "aws_sqs_queue.nosuch", reason: "r", origin: origin(2) }],
    );
    expect(located(one.notices)).toEqual([
      `.github/tollgate.yml:2:5: waiver-matches-nothing: waiver for TG-NET-001: resource 'aws_sqs_queue.nosuch' does not match its one finding (aws_sqs_queue.jobs), so it waives nothing; check the address`,
    ]);
    // A waiver whose rule found nothing here has nothing to waive, and is not reported.
    const other = waive(
      findings,
      [],
      [{ rule: "TG-IAM-001", resource: "aws_iam_role.x", reason: "r", origin: origin(3) }],
    );
    expect(other.notices).toEqual([]);
  });

  it("reports a settings waiver whose rule found nothing only when the scan covered the whole repository", () => {
    const origin = { file: ".github/tollgate.yml", line: 3, column: 5 };
    const findings = [finding({ rule: "TG-NET-001", resource: "aws_security_group.web" })];
    const settingsWaivers: SettingsWaiver[] = [
      { rule: "TG-IAM-001", resource: "aws_iam_role.x", reason: "SEC-4", origin },
    ];
    const input = { files: [], settingsWaivers, repository, now };
    // Changed folders only (the app): the rule may find it elsewhere, so nothing is said.
    expect(applyWaivers(findings, input).notices).toEqual([]);
    expect(located(applyWaivers(findings, { ...input, wholeRepository: true }).notices)).toEqual([
      `.github/tollgate.yml:3:5: waiver-matches-nothing: waiver for TG-IAM-001: resource 'aws_iam_role.x' matches none of its findings (the rule found nothing in this repository), so it waives nothing; remove it if it is no longer needed`,
    ]);
    // A fixed finding is not open: the waiver is stale once the PR fixes what it waived.
    const fixed = [finding({ rule: "TG-IAM-001", resource: "aws_iam_role.x", status: "fixed" })];
    expect(
      applyWaivers(fixed, { ...input, wholeRepository: true }).notices.map((n) => n.code),
    ).toEqual(["waiver-matches-nothing"]);
    // An expired or reasonless waiver is reported for that, once.
    const expired = applyWaivers([], {
      ...input,
      wholeRepository: true,
      settingsWaivers: [{ ...settingsWaivers[0]!, expires: "2026-01-01" }],
    });
    expect(expired.notices).toEqual([]);
  });

  it("applies a settings waiver with roots only to the findings of the roots its globs match", () => {
    const origin = { file: ".github/tollgate.yml", line: 2, column: 5 };
    const rootsAt = (...globs: string[]) =>
      globs.map((glob, position) => ({
        glob,
        origin: { ...origin, line: 4, column: 13 + position },
      }));
    // One module's bucket through two roots, a template's logical id and one at the repository top.
    const findings = [
      finding({
        rule: "TG-IAM-010",
        resource: "module.site.aws_s3_bucket_policy.this",
        root: "live/prod",
      }),
      finding({
        rule: "TG-IAM-010",
        resource: "module.site.aws_s3_bucket_policy.this",
        root: "live/staging",
      }),
      finding({ rule: "TG-IAM-010", resource: "BucketPolicy", root: "cfn/site.json" }),
      finding({ rule: "TG-IAM-010", resource: "aws_s3_bucket_policy.top", root: "" }),
    ];
    const waivedBy = (roots: SettingsWaiver["roots"], resource = "*") =>
      waive(
        findings,
        [],
        [{ rule: "TG-IAM-010", resource, roots, reason: "site", origin }],
      ).findings.map((f) => f.waived !== null);
    expect(waivedBy(rootsAt("live/prod"), "module.site.*")).toEqual([true, false, false, false]);
    expect(waivedBy(rootsAt("live/*"))).toEqual([true, true, false, false]);
    expect(waivedBy(rootsAt("**/*.json", "."))).toEqual([false, false, true, true]);
    // `*` does not cross folders, as in `repositories` and every path glob.
    expect(waivedBy(rootsAt("*"))).toEqual([false, false, false, false]);
    expect(waivedBy(undefined)).toEqual([true, true, true, true]);
  });

  it("reports a roots glob naming no root of a whole-repository scan, and roots holding none of the resource's findings", () => {
    const origin = { file: ".github/tollgate.yml", line: 2, column: 5 };
    const keyOrigins = { roots: { ...origin, line: 4 } };
    const findings = [
      finding({
        rule: "TG-IAM-010",
        resource: "module.site.aws_s3_bucket_policy.this",
        root: "live/prod",
      }),
      finding({
        rule: "TG-IAM-010",
        resource: "module.site.aws_s3_bucket_policy.this",
        root: "live/staging",
      }),
    ];
    const input = (globs: string[], resource = "module.site.*") => ({
      files: [],
      repository,
      now,
      settingsWaivers: [
        {
          rule: "TG-IAM-010",
          resource,
          roots: globs.map((glob, position) => ({
            glob,
            origin: { ...origin, line: 4 + position, column: 9 },
          })),
          reason: "site",
          origin,
          keyOrigins,
        },
      ],
    });
    const whole = {
      wholeRepository: true,
      scannedRoots: ["live/prod", "live/staging", "", "cfn/site.json"],
    };
    expect(
      located(applyWaivers(findings, { ...input(["live/prd", "live/staging"]), ...whole }).notices),
    ).toEqual([
      ".github/tollgate.yml:4:9: waiver-unmatched-root: waiver for TG-IAM-010: roots 'live/prd' matches no Terraform root module or CloudFormation template in this repository (did you mean live/prod?), so it adds no root to the waiver",
    ]);
    expect(
      located(applyWaivers(findings, { ...input(["live/qa", "stacks/*.yaml"]), ...whole }).notices),
    ).toEqual([
      ".github/tollgate.yml:4:9: waiver-unmatched-root: waiver for TG-IAM-010: roots 'live/qa' matches no Terraform root module or CloudFormation template in this repository, so the waiver waives nothing",
      ".github/tollgate.yml:5:9: waiver-unmatched-root: waiver for TG-IAM-010: roots 'stacks/*.yaml' matches no Terraform root module or CloudFormation template in this repository, so the waiver waives nothing",
    ]);
    // The roots are the repository's, but the resource's findings are all in another one.
    expect(
      located(applyWaivers(findings.slice(0, 1), { ...input(["live/staging"]), ...whole }).notices),
    ).toEqual([
      ".github/tollgate.yml:4:5: waiver-roots-match-nothing: waiver for TG-IAM-010: resource 'module.site.*' matches findings only outside its roots (in live/prod), so it waives nothing; check roots",
    ]);
    expect(applyWaivers(findings, { ...input(["live/prod", "."]), ...whole }).notices).toEqual([]);
    // A partial scan (the app's changed folders) may have left the roots out: nothing is said.
    expect(applyWaivers(findings.slice(0, 1), input(["live/qa"])).notices).toEqual([]);
    expect(applyWaivers(findings.slice(0, 1), input(["live/staging"])).notices).toEqual([]);
    expect(
      applyWaivers(findings, { ...input(["live/qa"]), scannedRoots: whole.scannedRoots }).notices,
    ).toEqual([]);
  });

  it("applies a settings waiver naming a group to the rule resources that open it", () => {
    const origin = { file: ".github/tollgate.yml", line: 4, column: 5 };
    const waivers: SettingsWaiver[] = [
      { rule: "TG-NET-001", resource: "aws_security_group.bastion", reason: "bastion", origin },
      { rule: "TG-NET-001", resource: "aws_security_group_rule.legacy", reason: "old", origin },
    ];
    const rule = "aws_vpc_security_group_ingress_rule.ssh";
    const { findings } = waive(
      [
        finding({ resource: rule, subject: "aws_security_group.bastion" }),
        finding({ resource: rule, subject: "aws_security_group.web" }),
        finding({ resource: "aws_security_group_rule.legacy", subject: "aws_security_group.web" }),
      ],
      [],
      waivers,
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "bastion", written: "settings" },
      null,
      { reason: "old", written: "settings" },
    ]);
  });

  it("reports an expired settings waiver where it is written, and a reasonless one even unused", () => {
    const { findings, notices } = waive(
      [finding()],
      [],
      [
        {
          rule: "TG-NET-001",
          resource: "*",
          reason: "old",
          expires: "2026-01-01",
          origin: { file: "acme/.github:.github/tollgate.yml", line: 7, column: 5 },
        },
        {
          rule: "TG-X",
          resource: "*",
          origin: { file: ".github/tollgate.yml", line: 2, column: 5 },
        },
      ],
    );
    expect(findings[0]?.waived).toBeNull();
    expect(notices.map((n) => `${n.file}:${n.line} ${n.code}`)).toEqual([
      ".github/tollgate.yml:2 waiver-no-reason",
      "acme/.github:.github/tollgate.yml:7 waiver-expired",
    ]);
    // A settings waiver's reason is a key of the file, not the comment's `reason="..."`.
    expect(notices[0]?.message).toBe(
      'waiver for TG-X has no reason; it does not apply until it says why (reason: "...")',
    );
  });

  it("reports and never applies inline waivers when the organization locks waivers", () => {
    const { findings, notices } = applyWaivers([finding({ file: "main.tf", line: 5 })], {
      files: [{ path: "main.tf", text: MAIN_TF }],
      settingsWaivers: [],
      repository,
      now,
      inlineWaivers: false,
    });
    expect(findings[0]?.waived).toBeNull();
    expect(located(notices)).toEqual([
      "main.tf:5:33: waiver-locked: waiver for TG-NET-001 does not apply: the organization locks waivers, so only its settings grant them",
    ]);
  });

  it("keeps a waiver already set and leaves fixed findings (base lines) alone", () => {
    const text = 'x = 1 # tollgate:ignore TG-NET-001 reason="ok"';
    const { findings } = waive(
      [
        finding({ waived: { written: "settings", reason: "engine" } }),
        finding({ file: "a.tf", line: 1, status: "fixed" }),
        finding({ file: "a.tf", line: 1, status: "existing" }),
      ],
      [{ path: "a.tf", text }],
    );
    expect(findings.map((f) => f.waived)).toEqual([
      { reason: "engine", written: "settings" },
      null,
      { reason: "ok", written: "inline" },
    ]);
  });
});

describe("parseDay", () => {
  it("accepts real calendar days only", () => {
    expect(parseDay("2028-02-29")?.toISOString()).toBe("2028-02-29T00:00:00.000Z");
    for (const text of ["2027-02-29", "2026-13-01", "26-01-01", "2026-1-1", "tomorrow"])
      expect(parseDay(text)).toBeUndefined();
  });
});
