import { describe, expect, it } from "vitest";
import { parseSettingsFile } from "../config/index.js";
import type { InstalledRepository } from "../config/index.js";
import type { RuleMetadata } from "../policy/metadata.js";
import { organizationFileNotices } from "./settingsCheck.js";

const rules: RuleMetadata[] = [
  { id: "TG-NET-001", title: "", category: "network", severity: "high", entrypoint: "net" },
  { id: "TG-LOG-001", title: "", category: "logging", severity: "medium", entrypoint: "log" },
];
const now = new Date("2026-11-27T12:00:00Z");

const REPOSITORIES: InstalledRepository[] = [
  { name: "payments" },
  { name: "web" },
  { name: "legacy-billing" },
];

function notices(lines: string[], repositories = REPOSITORIES) {
  const parsed = parseSettingsFile(lines.join("\n"), ".github/tollgate.yml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return organizationFileNotices(parsed.parsed, {
    repositories,
    rules,
    now,
  }).map((notice) => `${notice.line}:${notice.code}: ${notice.message}`);
}

describe("organizationFileNotices", () => {
  it("locates a misspelt category and lock at their file, line and column, with the closest names", () => {
    const parsed = parseSettingsFile(
      [
        "overrides:",
        "  - repositories: [web]",
        "    enforcement:",
        "      categories:",
        "        netwrok: blocking",
        "locked:",
        "  - enforcement.categories.loging",
        "  - enforcement.rules.TG-NET-01",
        "",
      ].join("\n"),
      ".github/tollgate.yml",
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const located = organizationFileNotices(parsed.parsed, {
      repositories: REPOSITORIES,
      rules,
      now,
    }).map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}: ${n.message.split("; ")[1]}`);
    expect(located).toEqual([
      ".github/tollgate.yml:5:9: settings-unknown-category: check the category (did you mean network?)",
      ".github/tollgate.yml:7:5: settings-unknown-category: check the category (did you mean logging?)",
      ".github/tollgate.yml:8:5: settings-unknown-rule: check the rule id (did you mean TG-NET-001?)",
    ]);
  });

  it("tells the organization file's own problems once, whichever repositories see them", () => {
    expect(
      notices([
        "enforcement:",
        "  rules:",
        "    TG-NET-01: blocking",
        "waivers:",
        "  - rule: TG-NET-001",
        "    repositories: [paymnets]",
        "    reason: typo",
        "  - rule: TG-LOG-01",
        "    reason: unknown id",
        "  - rule: TG-NET-001",
        "    resource: aws_security_group.web",
        "  - rule: TG-NET-001",
        "    reason: expired",
        "    expires: 2026-11-01",
        "",
      ]),
    ).toEqual([
      "3:settings-unknown-rule: enforcement.rules.TG-NET-01: no loaded rule has that id, so this enforcement entry sets nothing; check the rule id (did you mean TG-NET-001?)",
      "6:settings-unmatched-repository: waivers[0].repositories: 'paymnets' matches no repository this app is installed on (did you mean payments?), so this waiver applies to no repository",
      "8:waiver-unknown-rule: waiver for TG-LOG-01: no loaded rule has that id, so it waives nothing; check the rule id (did you mean TG-LOG-001?)",
      '10:waiver-no-reason: waiver for TG-NET-001 has no reason; it does not apply until it says why (reason: "...")',
      "14:waiver-expired: waiver for TG-NET-001 expired on 2026-11-01, so it waives nothing; remove it, or renew it with a new date",
    ]);
  });

  it("says a blocking_from day already begun is in force, at the day, top level and in overrides", () => {
    expect(
      notices([
        "enforcement:",
        "  categories:",
        "    logging: { blocking_from: 2026-01-15 }",
        "    network: { blocking_from: 2026-11-28 }",
        "  rules:",
        "    TG-NET-001:",
        "      blocking_from: 2026-11-27",
        "overrides:",
        "  - repositories: [web]",
        "    enforcement:",
        "      severities:",
        "        medium: { blocking_from: 2025-12-01 }",
        "",
      ]),
    ).toEqual([
      "3:settings-blocking-from-passed: enforcement.categories.logging: blocking_from 2026-01-15 has passed (316 days ago), so this entry is already in force: its findings block now, with no countdown; to schedule it, write a day ahead, or to keep it, write blocking",
      "7:settings-blocking-from-passed: enforcement.rules.TG-NET-001: blocking_from 2026-11-27 is today, so this entry is already in force: its findings block now, with no countdown; to schedule it, write a day ahead, or to keep it, write blocking",
      "12:settings-blocking-from-passed: overrides.0.enforcement.severities.medium: blocking_from 2025-12-01 has passed (361 days ago), so this entry is already in force: its findings block now, with no countdown; to schedule it, write a day ahead, or to keep it, write blocking",
    ]);
  });

  it("reports a waiver for a rule turned off only where it is off in every repository it applies to", () => {
    const lines = [
      "enforcement:",
      "  categories:",
      "    logging: off",
      "overrides:",
      "  - repositories: [legacy-*]",
      "    enforcement:",
      "      rules:",
      "        TG-NET-001: off",
      "waivers:",
      "  - rule: TG-LOG-001",
      "    reason: off everywhere",
      "  - rule: TG-NET-001",
      "    reason: off in legacy repositories only",
      "  - rule: TG-NET-001",
      "    repositories: [legacy-*]",
      "    reason: off in every repository it applies to",
      "",
    ];
    expect(notices(lines).map((line) => line.split(": ")[0])).toEqual([
      "10:waiver-rule-off",
      "14:waiver-rule-off",
    ]);
  });

  it("judges no rule id when the organization allows repository policies", () => {
    expect(
      notices([
        "policies:",
        "  allow_repository_policies: true",
        "waivers:",
        "  - rule: TEAM-1",
        "    reason: a repository's own rule",
        "",
      ]),
    ).toEqual([]);
  });

  it("applies the overrides a repository's topics select, once the topics are known", () => {
    const lines = [
      "overrides:",
      "  - topics: [frozen]",
      "    enforcement:",
      "      rules:",
      "        TG-NET-001: off",
      "waivers:",
      "  - rule: TG-NET-001",
      "    repositories: [legacy-*]",
      "    reason: off where the repository is frozen",
      "",
    ];
    const topical = REPOSITORIES.map((repository) => ({
      ...repository,
      topics: repository.name === "legacy-billing" ? ["frozen"] : [],
    }));
    expect(notices(lines)).toEqual([]);
    expect(notices(lines, topical).map((line) => line.split(": ")[0])).toEqual([
      "7:waiver-rule-off",
    ]);
  });
});
