import { describe, expect, it } from "vitest";
import {
  compareEnforcement,
  mergeSettings,
  parseSettingsFile,
  selectsRepository,
  type ParsedSettingsFile,
  type Settings,
} from "./index.js";

const ORG = "acme/.github:.github/tollgate.yml";
const REPO = ".github/tollgate.yml";
const infra = { name: "infra-payments", topics: ["pci", "terraform"] };
/** The repository's enforcement entries the merge held, where written (the gate reports them). */
const heldEntries = (settings: Settings) =>
  settings.repositoryEnforcement
    .filter((entry) => entry.held)
    .map((e) => `${e.origin.line}:${e.origin.column}: enforcement.${e.section}.${e.key}`);

function file(name: string, lines: string[]): ParsedSettingsFile {
  const result = parseSettingsFile(lines.join("\n"), name);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.parsed;
}

describe("mergeSettings", () => {
  it("layers defaults, organization, then repository, key by key and entry by entry", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "fail_on: all",
        "enforcement:",
        "  categories: { iam: blocking, logging: advisory }",
      ]),
      file(REPO, ["on_error: neutral", "enforcement:", "  categories: { logging: off }"]),
      infra,
    );
    expect(notices).toEqual([]);
    expect(settings).toMatchObject({
      fail_on: "all",
      on_error: "neutral",
      enforcement: {
        categories: { iam: { level: "blocking" }, logging: { level: "off" } },
      },
    });
  });

  it("applies the organization's overrides whose selector matches, in order", () => {
    const organization = file(ORG, [
      "fail_on: new",
      "overrides:",
      "  - repositories: ['infra-*']",
      "    fail_on: all",
      "    enforcement: { severities: { medium: blocking } }",
      "  - topics: [pci]",
      "    repositories: ['web-*']",
      "    on_error: neutral",
      "  - topics: [pci, hipaa]",
      "    enforcement: { severities: { medium: { blocking_from: 2027-01-01 } } }",
    ]);
    const selected = mergeSettings(organization, null, infra).settings;
    expect(selected).toMatchObject({
      fail_on: "all",
      on_error: "block",
      enforcement: { severities: { medium: { level: "blocking", blockingFrom: "2027-01-01" } } },
    });
    const other = mergeSettings(organization, null, { name: "docs", topics: [] }).settings;
    expect(other).toMatchObject({ fail_on: "new", enforcement: { severities: {} } });
  });

  it("defaults import_adopts to new, takes a repository's existing, and holds a lock on new", () => {
    expect(mergeSettings(null, null, infra).settings.import_adopts).toBe("new");
    const repository = file(REPO, ["import_adopts: existing"]);
    expect(mergeSettings(null, repository, infra).settings.import_adopts).toBe("existing");
    const { settings, notices } = mergeSettings(
      file(ORG, ["import_adopts: new", "locked: [import_adopts]"]),
      repository,
      infra,
    );
    expect(settings.import_adopts).toBe("new");
    expect(notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}`)).toEqual([
      `${REPO}:1:1: settings-locked`,
    ]);
  });

  it("defaults unread_modules to notice, takes a repository's block, and holds a lock on block", () => {
    expect(mergeSettings(null, null, infra).settings.unread_modules).toBe("notice");
    const strict = file(REPO, ["unread_modules: block"]);
    expect(mergeSettings(null, strict, infra).settings.unread_modules).toBe("block");
    const { settings, notices } = mergeSettings(
      file(ORG, ["unread_modules: block", "locked: [unread_modules]"]),
      file(REPO, ["unread_modules: notice"]),
      infra,
    );
    expect(settings.unread_modules).toBe("block");
    expect(notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}`)).toEqual([
      `${REPO}:1:1: settings-locked`,
    ]);
  });

  it("leaves terraform.tool absent by default, takes the repository's over the organization's, and holds a lock on any other value", () => {
    expect(mergeSettings(null, null, infra).settings.terraformTool).toBeUndefined();
    const terraform = file(REPO, ["version: 1", "terraform:", "  tool: terraform"]);
    expect(mergeSettings(null, terraform, infra).settings.terraformTool).toBe("terraform");
    const organization = file(ORG, ["terraform: { tool: opentofu }"]);
    expect(mergeSettings(organization, null, infra).settings.terraformTool).toBe("opentofu");
    expect(mergeSettings(organization, terraform, infra).settings.terraformTool).toBe("terraform");
    const where = (notices: { file: string; line: number; column: number; code: string }[]) =>
      notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}`);
    const locked = mergeSettings(
      file(ORG, ["terraform: { tool: opentofu }", "locked: [terraform.tool]"]),
      terraform,
      infra,
    );
    expect(locked.settings.terraformTool).toBe("opentofu");
    expect(where(locked.notices)).toEqual([`${REPO}:3:3: settings-locked`]);
    expect(locked.notices[0]?.message).toContain("the organization's value (opentofu) applies");
    // Locked and absent (an error where the tools differ, the strictest): no tool may be named.
    const absent = mergeSettings(file(ORG, ["locked: [terraform.tool]"]), terraform, infra);
    expect(absent.settings.terraformTool).toBeUndefined();
    expect(where(absent.notices)).toEqual([`${REPO}:3:3: settings-locked`]);
    // The organization's own value is no loosening.
    const same = mergeSettings(
      file(ORG, ["terraform: { tool: terraform }", "locked: [terraform.tool]"]),
      terraform,
      infra,
    );
    expect(same.settings.terraformTool).toBe("terraform");
    expect(same.notices).toEqual([]);
  });

  it("keeps a locked key's organization value when the repository loosens it, with a located notice", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "fail_on: all",
        "on_error: block",
        "enforcement:",
        "  categories: { iam: blocking }",
        "locked: [fail_on, on_error, enforcement.categories.iam]",
      ]),
      file(REPO, [
        "fail_on: new",
        "on_error: neutral",
        "enforcement:",
        "  categories:",
        "    iam: advisory",
        "    network: off",
      ]),
      infra,
    );
    expect(settings).toMatchObject({
      fail_on: "all",
      on_error: "block",
      enforcement: { categories: { iam: { level: "blocking" }, network: { level: "off" } } },
      locks: { keys: [{ scope: "category", category: "iam" }] },
    });
    expect(notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}: ${n.message}`)).toEqual([
      `${REPO}:1:1: settings-locked: fail_on is locked by the organization and may not be loosened; the organization's value applies`,
      `${REPO}:2:1: settings-locked: on_error is locked by the organization and may not be loosened; the organization's value applies`,
    ]);
    // The held enforcement entry is left to the gate, which names the rules it holds.
    expect(heldEntries(settings)).toEqual(["5:5: enforcement.categories.iam"]);
  });

  it("merges rule settings option by option, organization then its overrides then repository", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "rule_settings: { s3_require_kms: true, log_retention_min_days: 180 }",
        "overrides:",
        "  - topics: [pci]",
        "    rule_settings: { log_retention_min_days: 400 }",
      ]),
      file(REPO, ["rule_settings:", "  unknown_values: advisory", "  s3_require_kms: false"]),
      infra,
    );
    expect(notices).toEqual([]);
    expect(settings.ruleSettings).toEqual({
      s3_require_kms: false,
      dynamodb_require_kms: false,
      dynamodb_require_cmk: false,
      mq_require_cmk: false,
      log_retention_min_days: 400,
      unknown_values: "advisory",
      custom: {},
    });
  });

  it("merges custom rules' options by name, and keeps the organization's under a lock", () => {
    const merged = mergeSettings(
      file(ORG, [
        "rule_settings:",
        "  custom: { acme_required_tags: [Team, Owner], acme_max_size: 16 }",
        "overrides:",
        "  - topics: [pci]",
        "    rule_settings: { custom: { acme_max_size: 8 } }",
        "locked: [rule_settings.custom.acme_required_tags]",
      ]),
      file(REPO, [
        "rule_settings:",
        "  custom:",
        "    acme_required_tags: [Team]",
        "    acme_regions: { allowed: [eu-west-1], strict: true }",
      ]),
      infra,
    );
    expect(merged.settings.ruleSettings.custom).toEqual({
      acme_required_tags: ["Team", "Owner"],
      acme_max_size: 8,
      acme_regions: { allowed: ["eu-west-1"], strict: true },
    });
    expect(merged.notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.message}`)).toEqual([
      `${REPO}:3:5: rule_settings.custom.acme_required_tags is locked by the organization and may not be loosened; the organization's value applies`,
    ]);
    const refused = parseSettingsFile("rule_settings:\n  acme_required_tags: [Team]\n", REPO);
    expect(refused.ok ? [] : refused.errors.map((e) => e.message)).toEqual([
      "rule_settings: unknown key 'acme_required_tags' (a custom rule's options go under custom)",
    ]);
    const badName = parseSettingsFile("rule_settings:\n  custom: { Acme-Tags: 1 }\n", REPO);
    expect(badName.ok).toBe(false);
  });

  it("holds locked rule settings a repository loosens, and lets it tighten them", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "rule_settings: { s3_require_kms: true, log_retention_min_days: 180, mq_require_cmk: true, dynamodb_require_kms: true }",
        "locked: [rule_settings.s3_require_kms, rule_settings.log_retention_min_days, rule_settings.unknown_values, rule_settings.mq_require_cmk, rule_settings.dynamodb_require_kms]",
      ]),
      file(REPO, [
        "rule_settings:",
        "  s3_require_kms: false",
        "  log_retention_min_days: 30",
        "  unknown_values: advisory",
        "  dynamodb_require_cmk: true",
        "  mq_require_cmk: false",
        "  dynamodb_require_kms: false",
      ]),
      infra,
    );
    expect(settings.ruleSettings).toEqual({
      s3_require_kms: true,
      dynamodb_require_kms: true,
      dynamodb_require_cmk: true,
      mq_require_cmk: true,
      log_retention_min_days: 180,
      unknown_values: "advisory",
      custom: {},
    });
    // Notices follow the options' schema order, which puts mq_require_cmk before the retention.
    expect(notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.message}`)).toEqual([
      `${REPO}:2:3: rule_settings.s3_require_kms is locked by the organization and may not be loosened; the organization's value applies`,
      `${REPO}:7:3: rule_settings.dynamodb_require_kms is locked by the organization and may not be loosened; the organization's value applies`,
      `${REPO}:6:3: rule_settings.mq_require_cmk is locked by the organization and may not be loosened; the organization's value applies`,
      `${REPO}:3:3: rule_settings.log_retention_min_days is locked by the organization and may not be loosened; the organization's value applies`,
    ]);

    const tighter = mergeSettings(
      file(ORG, ["rule_settings: { unknown_values: advisory }", "locked: [rule_settings]"]),
      file(REPO, [
        "rule_settings:",
        "  log_retention_min_days: 400",
        "  dynamodb_require_cmk: true",
        "  mq_require_cmk: true",
        "  unknown_values: ignore",
      ]),
      infra,
    );
    expect(tighter.settings.ruleSettings).toEqual({
      s3_require_kms: false,
      dynamodb_require_kms: false,
      dynamodb_require_cmk: true,
      mq_require_cmk: true,
      log_retention_min_days: 400,
      unknown_values: "advisory",
      custom: {},
    });
    // The organization said nothing of retention: its value is the default, 365.
    expect(tighter.notices.map((n) => n.message)).toEqual([
      "rule_settings.unknown_values is locked by the organization and may not be loosened; the organization's value applies",
    ]);
    const shorter = mergeSettings(
      file(ORG, ["locked: [rule_settings]"]),
      file(REPO, ["rule_settings: { log_retention_min_days: 90 }"]),
      infra,
    );
    expect(shorter.settings.ruleSettings.log_retention_min_days).toBe(365);
    expect(shorter.notices).toHaveLength(1);
  });

  it("lets a repository tighten a locked key", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "enforcement:",
        "  rules: { TG-1: { blocking_from: 2026-12-01 } }",
        "locked: [fail_on, enforcement]",
      ]),
      file(REPO, [
        "fail_on: all",
        "enforcement:",
        "  rules: { TG-1: { blocking_from: 2026-11-01 } }",
      ]),
      infra,
    );
    expect(notices).toEqual([]);
    expect(settings).toMatchObject({
      fail_on: "all",
      enforcement: { rules: { "TG-1": { level: "blocking", blockingFrom: "2026-11-01" } } },
      locks: { keys: [{ scope: "all" }] },
    });
  });

  it("judges a repository's own overrides against the organization's value, not its own", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, ["fail_on: new", "locked: [fail_on]"]),
      file(REPO, [
        "fail_on: all",
        "overrides:",
        "  - repositories: ['infra-*']",
        "    fail_on: new",
      ]),
      infra,
    );
    expect(notices).toEqual([]);
    expect(settings.fail_on).toBe("new");
  });

  it("holds a locked severity the organization leaves at its default, saying where", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, ["locked: [enforcement.severities.high, enforcement.severities.medium]"]),
      file(REPO, [
        "enforcement:",
        "  severities:",
        "    high: { blocking_from: 2030-01-01 }",
        "    medium: off",
        "    low: blocking",
      ]),
      infra,
    );
    expect(settings.enforcement.severities).toEqual({ low: { level: "blocking" } });
    expect(notices).toEqual([]);
    expect(heldEntries(settings)).toEqual([
      "3:5: enforcement.severities.high",
      "4:5: enforcement.severities.medium",
    ]);
  });

  it("holds a locked rule or category the organization does not write when it is looser than any level the organization gives a rule", () => {
    const repo = file(REPO, [
      "enforcement:",
      "  rules:",
      "    TG-NET-001: off",
      "    TG-ENC-002: advisory",
      "  categories:",
      "    network: off",
      "    logging: advisory",
    ]);
    // Unwritten, a rule's organization level is its category's or its severity's (default or
    // written): never below advisory here, so only `off` is surely looser.
    const locked = mergeSettings(file(ORG, ["locked: [enforcement]"]), repo, infra);
    expect(heldEntries(locked.settings)).toEqual([
      "3:5: enforcement.rules.TG-NET-001",
      "6:5: enforcement.categories.network",
    ]);
    expect(locked.settings.enforcement.rules).toEqual({ "TG-ENC-002": { level: "advisory" } });
    expect(locked.settings.enforcement.categories).toEqual({ logging: { level: "advisory" } });
    // An organization that turns a severity off leaves no level a repository's `off` is below.
    const lenient = mergeSettings(
      file(ORG, ["enforcement:", "  severities:", "    info: off", "locked: [enforcement]"]),
      repo,
      infra,
    );
    expect(heldEntries(lenient.settings)).toEqual([]);
  });

  it("holds a later blocking_from against a locked blocking entry", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, [
        "enforcement:",
        "  rules: { TG-1: blocking }",
        "locked: [enforcement.rules.TG-1]",
      ]),
      file(REPO, ["enforcement:", "  rules: { TG-1: { blocking_from: 2030-01-01 } }"]),
      infra,
    );
    expect(settings.enforcement.rules["TG-1"]).toEqual({ level: "blocking" });
    expect(notices).toEqual([]);
    expect(heldEntries(settings)).toEqual(["2:12: enforcement.rules.TG-1"]);
  });

  it("adds waivers up with where each was written, unless waivers are locked", () => {
    const organization = ["waivers:", "  - rule: TG-1", "    reason: org-wide exception"];
    const repository = file(REPO, [
      "waivers:",
      "  - rule: TG-2",
      "    resource: aws_s3_bucket.logs",
      "    reason: log bucket",
    ]);
    const open = mergeSettings(file(ORG, organization), repository, infra);
    expect(open.settings.waivers).toEqual([
      {
        rule: "TG-1",
        resource: "*",
        reason: "org-wide exception",
        origin: { file: ORG, line: 2, column: 5 },
        // Notices point at the key they are about; one not written, at the item.
        keyOrigins: {
          rule: { file: ORG, line: 2, column: 5 },
          resource: { file: ORG, line: 2, column: 5 },
          roots: { file: ORG, line: 2, column: 5 },
          reason: { file: ORG, line: 3, column: 5 },
          expires: { file: ORG, line: 2, column: 5 },
        },
      },
      {
        rule: "TG-2",
        resource: "aws_s3_bucket.logs",
        reason: "log bucket",
        origin: { file: REPO, line: 2, column: 5 },
        keyOrigins: {
          rule: { file: REPO, line: 2, column: 5 },
          resource: { file: REPO, line: 3, column: 5 },
          roots: { file: REPO, line: 2, column: 5 },
          reason: { file: REPO, line: 4, column: 5 },
          expires: { file: REPO, line: 2, column: 5 },
        },
      },
    ]);
    const closed = mergeSettings(
      file(ORG, [...organization, "locked: [waivers]"]),
      repository,
      infra,
    );
    expect(closed.settings.waivers.map((w) => w.rule)).toEqual(["TG-1"]);
    expect([open.settings.inlineWaivers, closed.settings.inlineWaivers]).toEqual([true, false]);
    expect(closed.notices).toMatchObject([{ file: REPO, line: 1, code: "settings-locked" }]);
  });

  it("keeps a waiver's roots as findings name them, each with where it is written", () => {
    const { settings } = mergeSettings(
      null,
      file(REPO, [
        "waivers:",
        "  - rule: TG-IAM-010",
        "    roots:",
        "      - ./live/prod/",
        "      - stacks/*.yaml",
        "      - ./",
        "    reason: public site",
      ]),
      infra,
    );
    expect(settings.waivers[0]?.roots).toEqual([
      { glob: "live/prod", origin: { file: REPO, line: 4, column: 9 } },
      { glob: "stacks/*.yaml", origin: { file: REPO, line: 5, column: 9 } },
      { glob: ".", origin: { file: REPO, line: 6, column: 9 } },
    ]);
    expect(settings.waivers[0]?.keyOrigins?.roots).toEqual({ file: REPO, line: 3, column: 5 });
  });

  it("reads locked only from the organization", () => {
    const { settings, notices } = mergeSettings(null, file(REPO, ["locked: [fail_on]"]), infra);
    expect(settings.locks.keys).toEqual([]);
    expect(notices).toMatchObject([{ file: REPO, line: 1, column: 1, code: "settings-org-only" }]);
  });
});

describe("break_glass", () => {
  it("adds up the organization's and the repository's users and teams, logins without case", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, ["break_glass:", "  users: [Alice]", "  teams: [acme/security-leads]"]),
      file(REPO, ["break_glass:", "  users: [alice, bob]"]),
      infra,
    );
    expect(notices).toEqual([]);
    expect(settings.breakGlass).toEqual({
      users: ["Alice", "bob"],
      teams: ["acme/security-leads"],
    });
  });

  it("keeps only the organization's list once it locks break_glass, saying where", () => {
    const { settings, notices } = mergeSettings(
      file(ORG, ["locked: [break_glass]"]),
      file(REPO, ["fail_on: new", "break_glass: { users: [mallory] }"]),
      infra,
    );
    expect(settings.breakGlass).toEqual({ users: [], teams: [] });
    expect(notices).toMatchObject([{ file: REPO, line: 2, column: 1, code: "settings-locked" }]);
  });

  it("refuses names that are not logins or org/team-slug, at their place", () => {
    const result = parseSettingsFile(
      ["break_glass:", "  users: [ok-user, 'two words']", "  teams: [no-slash]"].join("\n"),
      REPO,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.line, e.message])).toEqual([
      [2, "break_glass.users.1: a GitHub login"],
      [3, "break_glass.teams.0: org/team-slug"],
    ]);
  });
});

describe("selectsRepository", () => {
  it("matches name globs case-insensitively and needs one of the topics", () => {
    expect(selectsRepository({}, infra)).toBe(true);
    expect(selectsRepository({ repositories: ["INFRA-*"] }, infra)).toBe(true);
    expect(selectsRepository({ repositories: ["web-*", "infra-{payments,ledger}"] }, infra)).toBe(
      true,
    );
    expect(selectsRepository({ repositories: ["infra"] }, infra)).toBe(false);
    expect(selectsRepository({ topics: ["hipaa", "pci"] }, infra)).toBe(true);
    expect(selectsRepository({ topics: ["hipaa"] }, infra)).toBe(false);
    expect(selectsRepository({ repositories: ["infra-*"], topics: ["hipaa"] }, infra)).toBe(false);
  });
});

describe("compareEnforcement", () => {
  it("orders off < advisory < blocking from a later day < from an earlier day < blocking", () => {
    const ordered = [
      { level: "off" as const },
      { level: "advisory" as const },
      { level: "blocking" as const, blockingFrom: "2027-01-01" },
      { level: "blocking" as const, blockingFrom: "2026-12-01" },
      { level: "blocking" as const },
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareEnforcement(ordered[i]!, ordered[i + 1]!)).toBeLessThan(0);
      expect(compareEnforcement(ordered[i + 1]!, ordered[i]!)).toBeGreaterThan(0);
    }
  });
});

describe("custom policy folders", () => {
  it("reads the organization's folder, with the default path when it names none", () => {
    expect(mergeSettings(file(ORG, ["policies: {}"]), null, infra).settings.policies).toEqual({
      organization: "tollgate/policies",
    });
    expect(
      mergeSettings(file(ORG, ["policies: { path: security/rego }"]), null, infra).settings
        .policies,
    ).toEqual({ organization: "security/rego" });
    expect(mergeSettings(null, null, infra).settings.policies).toEqual({});
  });

  it("adds a repository's own folder only when the organization allows it", () => {
    const allowed = mergeSettings(
      file(ORG, ["policies: { allow_repository_policies: true }"]),
      file(REPO, ["policies: { path: rules }"]),
      infra,
    );
    expect(allowed.settings.policies).toEqual({
      organization: "tollgate/policies",
      repository: "rules",
    });
    expect(allowed.notices).toEqual([]);

    const refused = mergeSettings(
      file(ORG, ["policies: { path: org-rules }"]),
      file(REPO, ["policies: { path: rules, allow_repository_policies: true }"]),
      infra,
    );
    expect(refused.settings.policies).toEqual({ organization: "org-rules" });
    expect(refused.notices.map((n) => [n.code, n.line])).toEqual([
      ["settings-org-only", 1],
      ["settings-locked", 1],
    ]);
  });

  it("refuses a folder that leaves the repository", () => {
    for (const path of ["../secrets", "/etc", "a/../../b", "rules/"]) {
      const result = parseSettingsFile(`policies: { path: "${path}" }`, REPO);
      expect(result.ok, path).toBe(false);
    }
  });
});
