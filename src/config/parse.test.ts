import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { defaultSettings, originOf, parseSettings, parseSettingsFile } from "./index.js";

const FILE = ".github/tollgate.yml";

function errorsOf(text: string) {
  const result = parseSettings(text, FILE);
  if (result.ok) throw new Error("expected errors");
  return result.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.code}: ${e.message}`);
}

describe("parseSettings", () => {
  it("gives the defaults for an empty file", () => {
    const result = parseSettings("", FILE);
    expect(result).toEqual({ ok: true, settings: defaultSettings });
    expect(defaultSettings).toMatchObject({
      fail_on: "new",
      on_error: "block",
      enforcement: { rules: {}, categories: {}, severities: {} },
      waivers: [],
    });
  });

  it("names a locked entry that cannot be locked and lists what can", () => {
    const errors = errorsOf(
      "locked: [enforcement, policies, rule_settings.s3_requires_kms, enforcement.categories.Network]\n",
    );
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(
      /^\.github\/tollgate\.yml:1:23: settings-invalid: locked\.1: 'policies' cannot be locked; expected one of fail_on, on_error, import_adopts, unread_modules, terraform\.tool, waivers, enforcement, break_glass, rule_settings, rule_settings\.<.*unknown_values.*>, enforcement\.categories\.<iam\|network\|encryption\|logging\|a custom rule's category>, enforcement\.severities\.<critical\|high\|medium\|low\|info>, enforcement\.rules\.<rule id>$/,
    );
    expect(errors[1]).toContain("'rule_settings.s3_requires_kms' cannot be locked");
    expect(errors[2]).toContain("'enforcement.categories.Network' cannot be locked");
  });

  it("reads every key it knows, today's plain levels and blocking_from dates", () => {
    const result = parseSettings(
      [
        "version: 1",
        "fail_on: all",
        "on_error: neutral",
        "enforcement:",
        "  rules:",
        "    TG-IAM-001: off",
        "    TG-NET-002: { blocking_from: 2026-12-01 }",
        "  categories:",
        "    logging: blocking",
        "  severities:",
        "    medium: blocking",
      ].join("\n"),
      FILE,
    );
    expect(result).toMatchObject({
      ok: true,
      settings: {
        fail_on: "all",
        on_error: "neutral",
        enforcement: {
          rules: {
            "TG-IAM-001": { level: "off" },
            "TG-NET-002": { level: "blocking", blockingFrom: "2026-12-01" },
          },
          categories: { logging: { level: "blocking" } },
          severities: { medium: { level: "blocking" } },
        },
      },
    });
  });

  it("points at a date that is not a day and at blocking_from on a looser level", () => {
    expect(errorsOf("enforcement:\n  rules:\n    TG-1: { blocking_from: 2026-02-30 }\n")).toEqual([
      ".github/tollgate.yml:3:28: settings-invalid: enforcement.rules.TG-1.blocking_from: 2026-02-30 is not a day of the calendar; expected a date as YYYY-MM-DD",
    ]);
    expect(errorsOf("enforcement:\n  rules:\n    TG-1: { blocking_from: 15/01/2027 }\n")).toEqual([
      ".github/tollgate.yml:3:28: settings-invalid: enforcement.rules.TG-1.blocking_from: a date as YYYY-MM-DD, not '15/01/2027'",
    ]);
    // "Advisory until that day" written as a level: said at the level, with what to write instead.
    expect(
      errorsOf(
        "enforcement:\n  rules:\n    TG-1: { level: advisory, blocking_from: 2026-02-01 }\n",
      ),
    ).toEqual([
      ".github/tollgate.yml:3:20: settings-invalid: enforcement.rules.TG-1.level: an entry with blocking_from is advisory until that day and blocking from it, so its level can only be blocking; leave level out (or write advisory alone, without blocking_from)",
    ]);
    expect(
      errorsOf(
        "overrides:\n  - enforcement:\n      rules:\n        TG-1: { level: blockng, blocking_from: 2026-02-01 }\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:4:24: settings-invalid: overrides\.0\.enforcement\.rules\.TG-1\.level: .*; leave level out \(did you mean blocking\?\)$/,
      ),
    ]);
  });

  it("suggests the closest value or key a first-time file likely meant, in file order", () => {
    expect(
      errorsOf(
        [
          "fail_on: nwe",
          "enforcment:",
          "  rules: {}",
          "enforcement:",
          "  severities:",
          "    hihg: blocking",
          "  rule:",
          "    TG-1: Blocking",
          "  categories:",
          "    network: blocking_from 2027-01-15",
          "    iam: advisroy",
          "waiver: []",
          "locked: enforcement",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      '.github/tollgate.yml:1:10: settings-invalid: fail_on: Invalid option: expected one of "new"|"all" (did you mean new?)',
      ".github/tollgate.yml:2:1: settings-invalid: settings: unknown key 'enforcment' (did you mean enforcement?)",
      ".github/tollgate.yml:6:5: settings-invalid: enforcement.severities: unknown key 'hihg' (did you mean high?)",
      ".github/tollgate.yml:7:3: settings-invalid: enforcement: unknown key 'rule' (did you mean rules?)",
      ".github/tollgate.yml:10:14: settings-invalid: enforcement.categories.network: expected off, advisory, blocking or { blocking_from: YYYY-MM-DD } (did you mean { blocking_from: 2027-01-15 }?)",
      ".github/tollgate.yml:11:10: settings-invalid: enforcement.categories.iam: expected off, advisory, blocking or { blocking_from: YYYY-MM-DD } (did you mean advisory?)",
      ".github/tollgate.yml:12:1: settings-invalid: settings: unknown key 'waiver' (did you mean waivers?)",
      ".github/tollgate.yml:13:9: settings-invalid: locked: expected a list, as [enforcement]",
    ]);
    expect(errorsOf("locked: [enforcment, enforcement.severities.hihg]\n")).toEqual([
      expect.stringMatching(
        /^[^ ]+:1:10: .* 'enforcment' cannot be locked \(did you mean enforcement\?\); expected/,
      ),
      expect.stringMatching(
        /^[^ ]+:1:22: .* 'enforcement\.severities\.hihg' cannot be locked \(did you mean enforcement\.severities\.high\?\); expected/,
      ),
    ]);
  });

  it("says what a record key or the enforcement section had to be, not only that it is wrong", () => {
    expect(errorsOf('enforcement:\n  rules:\n    "bad id!": off\n')).toEqual([
      ".github/tollgate.yml:3:5: settings-invalid: enforcement.rules: key 'bad id!' is not valid: expected a rule id (letters, digits, _ . : / -)",
    ]);
    expect(errorsOf("enforcement: blocking\n")).toEqual([
      ".github/tollgate.yml:1:14: settings-invalid: enforcement: expected a mapping with rules, categories or severities, each naming off, advisory or blocking",
    ]);
  });

  it("reads rule settings over their defaults", () => {
    const result = parseSettings(
      "rule_settings:\n  s3_require_kms: true\n  log_retention_min_days: 90\n  unknown_values: advisory\n",
      FILE,
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        ...defaultSettings,
        ruleSettings: {
          s3_require_kms: true,
          dynamodb_require_kms: false,
          dynamodb_require_cmk: false,
          mq_require_cmk: false,
          log_retention_min_days: 90,
          unknown_values: "advisory",
          custom: {},
        },
      },
    });
    expect(defaultSettings.ruleSettings).toEqual({
      s3_require_kms: false,
      dynamodb_require_kms: false,
      dynamodb_require_cmk: false,
      mq_require_cmk: false,
      log_retention_min_days: 365,
      unknown_values: "ignore",
      custom: {},
    });
  });

  it("has the rule settings defaults the rules read when a scan gives none", async () => {
    // A rule run without settings (`tollgate test` on a fixture without settings.json, an older
    // caller) must behave as one run with the defaults.
    const library = await readFile(
      new URL("../../policies/lib/settings.rego", import.meta.url),
      "utf8",
    );
    const regoDefaults = Object.fromEntries(
      [...library.matchAll(/^default (\w+) := (.+)$/gm)].map(([, key, value]) => [
        key,
        JSON.parse(value!) as unknown,
      ]),
    );
    // Custom rules' options have no defaults in the helpers: a rule reads its own with a default.
    const { custom, ...builtIn } = defaultSettings.ruleSettings;
    expect(custom).toEqual({});
    expect(regoDefaults).toEqual(builtIn);
  });

  it("points at a bad rule setting and at an unknown one", () => {
    expect(
      errorsOf(
        "rule_settings:\n  log_retention_min_days: 0\n  s3_require_kms: yes please\n  unknown_values: block\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:2:27: settings-invalid: rule_settings\.log_retention_min_days: .*>=1/,
      ),
      expect.stringMatching(
        /^\.github\/tollgate\.yml:3:19: settings-invalid: rule_settings\.s3_require_kms: .*boolean/,
      ),
      expect.stringMatching(
        /^\.github\/tollgate\.yml:4:19: settings-invalid: rule_settings\.unknown_values: .*"ignore".*"advisory"/,
      ),
    ]);
    expect(errorsOf("rule_settings:\n  s3_kms: true\n")).toEqual([
      ".github/tollgate.yml:2:3: settings-invalid: rule_settings: unknown key 's3_kms' (a custom rule's options go under custom)",
    ]);
    expect(errorsOf("locked: [rule_settings.s3_kms]\n")).toEqual([
      expect.stringMatching(/^\.github\/tollgate\.yml:1:10: settings-invalid: locked\.0: /),
    ]);
  });

  it("records where each key and list item is written", () => {
    const result = parseSettingsFile("waivers:\n  - rule: TG-1\n    reason: ok\n", FILE);
    if (!result.ok) throw new Error("expected a valid file");
    expect(originOf(result.parsed, ["waivers", 0])).toEqual({ file: FILE, line: 2, column: 5 });
    expect(originOf(result.parsed, ["waivers", 0, "reason"])).toEqual({
      file: FILE,
      line: 3,
      column: 5,
    });
    expect(originOf(result.parsed, ["fail_on"])).toEqual({ file: FILE, line: 1, column: 1 });
  });

  it("refuses a lock on a key that cannot be locked", () => {
    expect(errorsOf("locked: [fail_on, enforcement.categories.net_work]\n")).toEqual([
      expect.stringMatching(/^\.github\/tollgate\.yml:1:19: settings-invalid: locked\.1: /),
    ]);
  });

  it("points at a bad value", () => {
    expect(errorsOf("fail_on: never\n")).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:1:10: settings-invalid: fail_on: .*"new".*"all"/,
      ),
    ]);
  });

  it("points at an unknown key, nested, naming the plural key a singular one means", () => {
    expect(errorsOf("enforcement:\n  rules: {}\n  severity:\n    high: off\n")).toEqual([
      ".github/tollgate.yml:3:3: settings-invalid: enforcement: unknown key 'severity' (did you mean severities?)",
    ]);
    expect(
      errorsOf(
        [
          "enforcement:",
          "  category:",
          "    logging: advisory",
          "waivers:",
          "  - rule: TG-NET-001",
          '    reason: "bastion"',
          "    repository: [payments]",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      ".github/tollgate.yml:2:3: settings-invalid: enforcement: unknown key 'category' (did you mean categories?)",
      ".github/tollgate.yml:7:5: settings-invalid: waivers.0: unknown key 'repository' (did you mean repositories?)",
    ]);
  });

  it("refuses a waiver's roots glob that leaves the repository, at the glob", () => {
    expect(
      errorsOf(
        [
          "waivers:",
          "  - rule: TG-IAM-010",
          '    reason: "public site"',
          "    roots: [live/prod, /live/staging, live/../prod, '..']",
          "",
        ].join("\n"),
      ),
    ).toEqual(
      [24, 39, 53].map(
        (column, position) =>
          `.github/tollgate.yml:4:${column}: settings-invalid: waivers.0.roots.${position + 1}: a path glob from the repository root, as live/prod or stacks/*.yaml (no leading /, no '..', / between folders)`,
      ),
    );
    expect(parseSettings("waivers:\n  - rule: TG-1\n    roots: []\n", FILE).ok).toBe(false);
  });

  it("points at each misspelt key of a waiver on its own line", () => {
    expect(
      errorsOf(
        [
          "waivers:",
          "  - rule: TG-NET-001",
          "    reasn: bastion",
          "    resource: aws_security_group.bastion",
          "    expiers: 2027-01-31",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      ".github/tollgate.yml:3:5: settings-invalid: waivers.0: unknown key 'reasn' (did you mean reason?)",
      ".github/tollgate.yml:5:5: settings-invalid: waivers.0: unknown key 'expiers' (did you mean expires?)",
    ]);
  });

  it("points at a category that cannot be one, and leaves one no rule may have to the gate", () => {
    const [error] = errorsOf("enforcement:\n  categories:\n    Net_work: off\n");
    expect(error).toMatch(
      /^\.github\/tollgate\.yml:3:5: settings-invalid: enforcement\.categories: key 'Net_work' is not valid: expected a category \(iam, network, encryption, logging or a custom rule's own/,
    );
    // A custom rule's own category, or a typo the gate reports with the closest (rollout/ruleIds.ts).
    const custom = parseSettings(
      "enforcement:\n  categories:\n    tagging: off\n    netwrok: off\n",
      FILE,
    );
    expect(custom.ok).toBe(true);
  });

  it("reads terraform.var_files by root folder, . and ./ and a trailing / naming the same root", () => {
    const result = parseSettings(
      [
        "terraform:",
        "  var_files:",
        "    .: [staging.tfvars]",
        "    ./envs/app/: [common.tfvars, ../shared/prod.tfvars]",
      ].join("\n"),
      FILE,
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        ...defaultSettings,
        terraformVariableFiles: {
          "": ["staging.tfvars"],
          "envs/app": ["common.tfvars", "../shared/prod.tfvars"],
        },
      },
    });
  });

  it("reads cloudformation.parameter_files by template path, a leading ./ naming the same file", () => {
    const result = parseSettings(
      [
        "cloudformation:",
        "  parameter_files:",
        "    ./infra/app.yaml: [infra/params/prod.json, ./infra/params/eu.json]",
      ].join("\n"),
      FILE,
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        ...defaultSettings,
        cloudformationParameterFiles: {
          "infra/app.yaml": ["infra/params/prod.json", "infra/params/eu.json"],
        },
      },
    });
    expect(errorsOf("cloudformation:\n  parameter_files:\n    app.yaml: prod.json\n")).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:3:15: settings-invalid: cloudformation\.parameter_files\.app\.yaml: /,
      ),
    ]);
  });

  it("refuses terraform.var_files that are not lists of paths, or an unknown terraform key", () => {
    expect(errorsOf("terraform:\n  var_files:\n    .: staging.tfvars\n")).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:3:8: settings-invalid: terraform\.var_files\.\.: /,
      ),
    ]);
    expect(errorsOf("terraform:\n  var_files:\n    envs/app: []\n")).toEqual([
      expect.stringMatching(
        /^\.github\/tollgate\.yml:3:15: settings-invalid: terraform\.var_files\.envs\/app: /,
      ),
    ]);
    expect(errorsOf('terraform:\n  var_files:\n    .: [""]\n')).toHaveLength(1);
    expect(errorsOf("terraform:\n  vars: { region: eu-west-1 }\n")).toEqual([
      expect.stringMatching(/^\.github\/tollgate\.yml:\d+:\d+: settings-invalid: terraform: /),
    ]);
  });

  it("points at a bad enforcement level", () => {
    const [error] = errorsOf("enforcement:\n  rules:\n    TG-1: warn\n");
    expect(error).toMatch(
      /^\.github\/tollgate\.yml:3:11: settings-invalid: enforcement\.rules\.TG-1: /,
    );
  });

  it("reports YAML syntax errors with their position", () => {
    const [error] = errorsOf("fail_on: [new\non_error: block\n");
    expect(error).toMatch(/^\.github\/tollgate\.yml:\d+:\d+: settings-yaml: /);
  });

  it("refuses duplicate keys", () => {
    expect(errorsOf("fail_on: new\nfail_on: all\n")[0]).toMatch(
      /^\.github\/tollgate\.yml:2:1: settings-yaml: /,
    );
  });

  it("refuses a document that is not a mapping", () => {
    expect(errorsOf("- fail_on\n")[0]).toMatch(
      /^\.github\/tollgate\.yml:1:1: settings-invalid: settings: /,
    );
  });

  it("bounds alias expansion and size", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 10; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(", ")}]`,
      );
    expect(errorsOf(bomb.join("\n"))[0]).toMatch(/settings-yaml: .*[Aa]lias/);
    expect(errorsOf("#".repeat(70_000))[0]).toBe(
      `${FILE}:1:1: settings-too-large: settings file is larger than 65536 bytes`,
    );
  });
});
