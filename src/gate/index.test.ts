import { describe, expect, it } from "vitest";
import {
  defaultSettings,
  mergeSettings,
  parseSettingsFile,
  settingsFileSchema,
  type Settings,
} from "../config/index.js";
import type { Finding, LoadError } from "../model/types.js";
import { finding as baseFinding } from "../../test/app/findings.js";
import { diffFindings } from "../diff/index.js";
import { checkRunTitle } from "../report/checkRun.js";
import { decideGate, enforcementLevel, gateWithWaivers } from "./index.js";

const finding = (overrides: Partial<Finding> = {}) => baseFinding({ status: "new", ...overrides });

const settings = (input: object): Settings =>
  mergeSettings(
    { file: "tollgate.yml", settings: settingsFileSchema.parse(input), locations: {} },
    null,
    { name: "infra", topics: [] },
  ).settings;
const loadError: LoadError = {
  file: "main.tf",
  line: 3,
  column: 7,
  code: "hcl-syntax",
  message: "expected '='",
};

describe("enforcementLevel", () => {
  it("blocks critical and high, advises below, by default", () => {
    const levels = (["critical", "high", "medium", "low", "info"] as const).map((severity) =>
      enforcementLevel(finding({ severity }), defaultSettings),
    );
    expect(levels).toEqual(["blocking", "blocking", "advisory", "advisory", "advisory"]);
  });

  it("prefers rule over category over severity", () => {
    const configured = settings({
      enforcement: {
        rules: { "TG-NET-001": "advisory" },
        categories: { network: "off" },
        severities: { high: "blocking" },
      },
    });
    expect(enforcementLevel(finding(), configured)).toBe("advisory");
    expect(enforcementLevel(finding({ rule: "TG-NET-002" }), configured)).toBe("off");
    expect(enforcementLevel(finding({ rule: "X", category: "iam" }), configured)).toBe("blocking");
  });
});

describe("decideGate", () => {
  it("names the module calls not read that the change adds or re-points, after the verdict, blocking nothing", () => {
    const call = (name: string, line: number) => ({
      root: "",
      address: `module.${name}`,
      source: `git::https://github.com/acme/${name}.git?ref=v2`,
      sourceAt: { file: "main.tf", line, column: 3 },
      change: "source" as const,
      before: { source: `git::https://github.com/acme/${name}.git?ref=v1` },
    });
    const one = decideGate([], [], defaultSettings, { changedModules: [call("sg", 5)] });
    expect(one.conclusion).toBe("success");
    expect(one.reasons).toEqual([
      "no blocking findings",
      'not judged: module not read: 1 module call this change adds or re-points, judged only through its arguments: module.sg (main.tf:5, source "git::https://github.com/acme/sg.git?ref=v1" -> "git::https://github.com/acme/sg.git?ref=v2")',
    ]);
    const many = decideGate([], [], defaultSettings, {
      changedModules: ["a", "b", "c", "d", "e"].map((name, index) => call(name, index + 1)),
    });
    expect(many.reasons[1]).toMatch(
      /^not judged: module not read: 5 module calls this change adds or re-points, judged only through their arguments: module\.a .*; module\.c \(main\.tf:3, [^;]*; and 2 more$/,
    );
    expect(decideGate([], [], defaultSettings, { changedModules: [] }).reasons).toEqual([
      "no blocking findings",
    ]);
  });

  it("makes each such call an error at its version or source line under unread_modules: block, per on_error", () => {
    const changedModules = [
      {
        root: "",
        address: "module.vpc",
        source: "terraform-aws-modules/vpc/aws",
        version: "6.0.0",
        sourceAt: { file: "net/main.tf", line: 2, column: 3 },
        versionAt: { file: "net/main.tf", line: 3, column: 3 },
        change: "version" as const,
        before: { source: "terraform-aws-modules/vpc/aws", version: "5.0.0" },
      },
    ];
    const blocked = decideGate([], [], settings({ unread_modules: "block" }), { changedModules });
    expect(blocked.conclusion).toBe("failure");
    expect(blocked.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.code}`)).toEqual([
      "net/main.tf:3:3 module-not-read",
    ]);
    expect(blocked.errors[0]?.message).toContain('version "5.0.0" -> "6.0.0"');
    expect(blocked.reasons[0]).toBe("1 error prevented a complete scan; the gate fails closed");
    const neutral = settings({ unread_modules: "block", on_error: "neutral" });
    expect(decideGate([], [], neutral, { changedModules }).conclusion).toBe("neutral");
    expect(decideGate([], [], settings({}), { changedModules }).errors).toEqual([]);
  });

  it("fails on a new high finding and says why", () => {
    const decision = decideGate([finding(), finding({ status: "existing" })], [], defaultSettings);
    expect(decision.conclusion).toBe("failure");
    expect(decision.blocking).toHaveLength(1);
    expect(decision.findings.map((f) => f.enforcement)).toEqual(["blocking", "blocking"]);
    expect(decision.reasons).toEqual(["1 blocking new finding (1 high)"]);
    expect(decision.counts.byStatus).toEqual({ new: 1, existing: 1, fixed: 0 });
  });

  it("lets existing findings pass with fail_on: new and blocks them with fail_on: all", () => {
    const existing = [finding({ status: "existing" }), finding({ status: "fixed" })];
    expect(decideGate(existing, [], defaultSettings).conclusion).toBe("success");
    const all = decideGate(existing, [], settings({ fail_on: "all" }));
    expect(all.conclusion).toBe("failure");
    expect(all.blocking.map((f) => f.status)).toEqual(["existing"]);
  });

  it("passes a finding on what an import block adopts under fail_on: new, says so, and blocks it under all", () => {
    const adopted = [finding({ status: "existing", adopted: { file: "main.tf", line: 5 } })];
    const decision = decideGate(adopted, [], defaultSettings);
    expect(decision.conclusion).toBe("success");
    expect(decision.reasons).toContain(
      "1 finding on what import blocks adopt (main.tf:5): already deployed, so existing, not new (import_adopts: existing)",
    );
    expect(decideGate(adopted, [], settings({ fail_on: "all" })).conclusion).toBe("failure");
  });

  it("blocks a new finding on what an import block adopts, saying a waiver records one already so", () => {
    const adopted = [finding({ status: "new", adopted: { file: "main.tf", line: 5 } })];
    const decision = decideGate(adopted, [], defaultSettings);
    expect(decision.conclusion).toBe("failure");
    expect(decision.reasons).toContain(
      "1 new finding on what import blocks adopt (main.tf:5): new all the same, the deployed object being unseen; a waiver records one already deployed so",
    );
  });

  it("does not call a finding fixed when its file, module or template did not load at head", () => {
    const gone = [
      finding({ status: "fixed", file: "main.tf", root: "" }),
      finding({ status: "fixed", file: "network.tf", root: "", resource: "aws_security_group.a" }),
      finding({ status: "fixed", file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ status: "fixed", file: "stack.yaml", root: "stack.yaml" }),
    ];
    // main.tf broke; so did a template beside stack.yaml, which stays fixed.
    const problems = [loadError, { ...loadError, file: "other.yaml", code: "yaml-syntax" }];
    const decision = decideGate(gone, problems, settings({ on_error: "neutral", fail_on: "all" }));
    expect(decision.findings.map((f) => `${f.status}:${f.file}`)).toEqual([
      "existing:main.tf",
      "existing:network.tf",
      "fixed:envs/prod/main.tf",
      "fixed:stack.yaml",
    ]);
    // Still open as far as the gate can tell: with fail_on: all they block, whatever on_error says.
    expect(decision.conclusion).toBe("failure");
    expect(decision.reasons).toContain(
      "2 base findings not counted as fixed: their files did not load at head, so they stay open",
    );
    const tfvars = { ...loadError, file: "envs/prod/terraform.tfvars" };
    expect(decideGate(gone, [tfvars], defaultSettings).counts.byStatus).toEqual({
      new: 0,
      existing: 1,
      fixed: 3,
    });
  });

  it("marks a new finding whose file, module or template did not load at base, and still gates it as new", () => {
    const found = [
      finding({ file: "main.tf", root: "" }),
      finding({ file: "network.tf", root: "", resource: "aws_security_group.a" }),
      finding({ file: "envs/prod/main.tf", root: "envs/prod" }),
      finding({ file: "stack.yaml", root: "stack.yaml", severity: "medium" }),
      finding({ file: "stack.yaml", root: "stack.yaml", status: "existing" }),
    ];
    // main.tf did not parse at base, nor did stack.yaml; a base warning hides nothing.
    const baseProblems = [
      loadError,
      { ...loadError, file: "stack.yaml", code: "yaml-syntax" },
      { ...loadError, file: "envs/prod/main.tf", level: "warning" as const },
    ];
    const decision = decideGate(found, [], defaultSettings, { baseProblems });
    expect(decision.findings.map((f) => [f.file, f.status, f.unloadedAtBase])).toEqual([
      ["main.tf", "new", true],
      ["network.tf", "new", true],
      ["envs/prod/main.tf", "new", undefined],
      ["stack.yaml", "new", true],
      ["stack.yaml", "existing", undefined],
    ]);
    // Blocking as any new finding is: a base that did not load is not this change's error, so
    // no error is reported and on_error plays no part.
    expect(decision.blocking.map((f) => f.file)).toEqual([
      "main.tf",
      "network.tf",
      "envs/prod/main.tf",
    ]);
    expect(decision.errors).toEqual([]);
    expect(decision.reasons).toEqual([
      "3 blocking new findings (3 high)",
      "3 new findings may not be new: their files did not load at base, so they are gated as new",
    ]);
    expect(decideGate(found, [], defaultSettings).reasons).toEqual([
      "3 blocking new findings (3 high)",
    ]);
  });

  describe("a base finding the head reports as cannot tell", () => {
    // The variable lost its open default: the SSH rule now cannot tell what var.admin_cidr is;
    // the database's group really was closed.
    const base = [
      finding({ evidence: "tcp/22 from 0.0.0.0/0" }),
      finding({ resource: "aws_security_group.db" }),
    ];
    const cannotTell = finding({
      evidence: "tcp/22 from var.admin_cidr",
      unknown: "var.admin_cidr",
    });
    const reason =
      "1 base finding not counted as fixed: a value Tollgate cannot know now decides it (var.admin_cidr)";

    it("is not called fixed beside the cannot-tell finding (unknown_values: advisory)", () => {
      const decision = decideGate(diffFindings(base, [cannotTell]), [], defaultSettings);
      expect(decision.findings.map((f) => `${f.status}:${f.resource}:${f.evidence}`)).toEqual([
        "new:aws_security_group.web:tcp/22 from var.admin_cidr",
        "fixed:aws_security_group.db:tcp/22 from 0.0.0.0/0",
      ]);
      expect(decision.conclusion).toBe("success");
      expect(decision.reasons).toContain(reason);
    });

    it("is neither fixed nor open when the settings do not report cannot tell (unknown_values: ignore)", () => {
      const decision = decideGate(diffFindings(base, [], [], [cannotTell]), [], defaultSettings);
      expect(decision.findings.map((f) => `${f.status}:${f.resource}:${f.evidence}`)).toEqual([
        "fixed:aws_security_group.db:tcp/22 from 0.0.0.0/0",
      ]);
      expect(decision.counts.byStatus).toEqual({ new: 0, existing: 0, fixed: 1 });
      expect(decision.blocking).toEqual([]);
      expect(decision.conclusion).toBe("success");
      expect(decision.reasons).toEqual(["no blocking findings", reason]);
    });

    it("stays open when its file did not load at head", () => {
      const decision = decideGate(
        diffFindings(base.slice(0, 1), [], [], [cannotTell]),
        [loadError],
        defaultSettings,
      );
      expect(decision.findings.map((f) => f.status)).toEqual(["existing"]);
      expect(decision.reasons).not.toContain(reason);
    });
  });

  describe("a cannot-tell finding beside a certain one", () => {
    // cidr_blocks = concat(var.office, ["0.0.0.0/0"]): SSH is open whatever var.office holds.
    const certain = finding();
    const cannotTell = (overrides: Partial<Finding> = {}) =>
      finding({ evidence: "tcp/22 from var.office", unknown: "var.office", ...overrides });
    const listed = (findings: Finding[]) =>
      findings.map((f) => `${f.status}:${f.resource}:${f.line}:${f.unknown ?? "certain"}`);

    it("is left out where a certain finding of its rule restates it: resource block and line", () => {
      const decision = decideGate(
        [
          certain,
          cannotTell(),
          // Another instance of the block: what a partial for_each's unknown part may add.
          finding({ resource: 'aws_s3_bucket.x["a"]', rule: "TG-IAM-017" }),
          cannotTell({ resource: "aws_s3_bucket.x", rule: "TG-IAM-017" }),
        ],
        [],
        defaultSettings,
      );
      expect(listed(decision.findings)).toEqual([
        "new:aws_security_group.web:10:certain",
        'new:aws_s3_bucket.x["a"]:10:certain',
      ]);
      expect(decision.reasons).toEqual(["2 blocking new findings (2 high)"]);
      expect(decision.counts.byStatus).toEqual({ new: 2, existing: 0, fixed: 0 });
    });

    it("is kept on another line, rule, resource or module instance, or beside a fixed one", () => {
      const kept = [
        cannotTell({ line: 11 }),
        cannotTell({ rule: "TG-NET-002" }),
        cannotTell({ resource: "aws_security_group.db" }),
        cannotTell({ resource: 'module.b["y"].aws_security_group.web' }),
      ];
      const decision = decideGate(
        [
          finding({ status: "fixed", resource: "aws_security_group.old" }),
          cannotTell({ resource: "aws_security_group.old" }),
          finding({ resource: 'module.b["x"].aws_security_group.web' }),
          certain,
          ...kept,
        ],
        [],
        defaultSettings,
      );
      expect(decision.findings.filter((f) => f.unknown !== undefined)).toHaveLength(5);
    });

    it("is left out beside a waived or existing certain finding, which it no longer counts beside", () => {
      const decision = decideGate(
        [
          finding({ status: "existing", waived: { written: "settings", reason: "bastion" } }),
          cannotTell(),
        ],
        [],
        defaultSettings,
      );
      expect(listed(decision.findings)).toEqual(["existing:aws_security_group.web:10:certain"]);
      expect(decision.reasons).toEqual(["no blocking findings"]);
    });

    it("still keeps a base finding it decides from counting as fixed", () => {
      // ["0.0.0.0/0"] became concat(var.office, ["::/0"]): var.office may still hold 0.0.0.0/0.
      const head = [finding({ evidence: "tcp/22 from ::/0" }), cannotTell()];
      const decision = decideGate(diffFindings([certain], head), [], defaultSettings);
      expect(listed(decision.findings)).toEqual(["new:aws_security_group.web:10:certain"]);
      expect(decision.reasons).toContain(
        "1 base finding not counted as fixed: a value Tollgate cannot know now decides it (var.office)",
      );
    });
  });

  it("passes advisory findings, counting them in the reason", () => {
    const decision = decideGate([finding({ severity: "medium" })], [], defaultSettings);
    expect(decision).toMatchObject({
      conclusion: "success",
      reasons: ["no blocking findings; 1 new advisory finding"],
    });
  });

  it("drops findings turned off and counts them", () => {
    const decision = decideGate(
      [finding()],
      [],
      settings({ enforcement: { rules: { "TG-NET-001": "off" } } }),
    );
    expect(decision).toMatchObject({ conclusion: "success", findings: [], suppressed: 1 });
  });

  it("never blocks on a waived finding", () => {
    const decision = decideGate(
      [finding({ waived: { written: "settings", reason: "accepted risk" } })],
      [],
      defaultSettings,
    );
    expect(decision.conclusion).toBe("success");
  });

  it("fails closed on errors, or goes neutral when told", () => {
    expect(decideGate([], [loadError], defaultSettings)).toMatchObject({
      conclusion: "failure",
      reasons: ["1 error prevented a complete scan; the gate fails closed"],
    });
    expect(decideGate([], [loadError], settings({ on_error: "neutral" })).conclusion).toBe(
      "neutral",
    );
    expect(decideGate([finding()], [loadError], settings({ on_error: "neutral" })).conclusion).toBe(
      "failure",
    );
  });

  it("keeps load warnings apart: reported, counted in the reasons, never blocking", () => {
    const warning: LoadError = {
      file: "main.tf",
      line: 4,
      column: 12,
      code: "terraform-undeclared-reference",
      message: "reference to an undeclared input variable: var.cidr; its value is unknown",
      level: "warning",
    };
    const decision = decideGate([], [warning, warning], defaultSettings);
    expect(decision).toMatchObject({
      conclusion: "success",
      errors: [],
      warnings: [warning, warning],
    });
    expect(decision.reasons).toEqual([
      "no blocking findings",
      "2 load warnings (not blocking: what each names is unknown to the policies or left out)",
    ]);
    const mixed = decideGate([], [warning, loadError], defaultSettings);
    expect([mixed.conclusion, mixed.errors, mixed.warnings]).toEqual([
      "failure",
      [loadError],
      [warning],
    ]);
  });

  it("blocks on a workspace at a limit unless the base reached the same one there, its root unchanged", () => {
    const atLimit: LoadError = {
      file: "envs/main.tf",
      line: 4,
      column: 11,
      code: "terraform-workspace-limit",
      message:
        'in workspace "prod": this expression builds more than 100000 elements; it is treated as unknown; what that workspace deploys is not known (it is judged with terraform.workspace unknown)',
      inputs: "root-unchanged",
    };
    // A scan, and a diff whose base evaluated prod: the head could not be, and fails closed.
    expect(decideGate([], [atLimit], defaultSettings).conclusion).toBe("failure");
    const fresh = decideGate([], [atLimit], defaultSettings, { baseProblems: [] });
    expect([fresh.conclusion, fresh.errors]).toEqual(["failure", [atLimit]]);
    // Another workspace, or another file, at base is not the same limit.
    const elsewhere = [
      { ...atLimit, message: atLimit.message.replace('"prod"', '"staging"') },
      { ...atLimit, file: "other/main.tf" },
    ];
    // The same limit, in a root the pull request changed (what it reads differs): blocking.
    elsewhere.push({ ...atLimit, inputs: "root-changed" });
    expect(decideGate([], [atLimit], defaultSettings, { baseProblems: elsewhere }).conclusion).toBe(
      "failure",
    );
    for (const base of elsewhere)
      expect(decideGate([], [atLimit], defaultSettings, { baseProblems: [base] }).conclusion).toBe(
        "failure",
      );
    // The base reached it too, on another line, and the root reads the same: no error of this change.
    const both = decideGate([], [atLimit], defaultSettings, {
      baseProblems: [{ ...atLimit, line: 2 }],
    });
    expect([both.conclusion, both.errors, both.warnings]).toEqual([
      "success",
      [],
      [
        {
          ...atLimit,
          level: "warning",
          message: `${atLimit.message}; the base reached the same limit there and this change leaves that root module as it was, so it does not block`,
        },
      ],
    ]);
  });

  it("blocks on a workspace the head leaves out unless the base left it out for the same error there", () => {
    const why = 'regex: no match for "^0\\\\.15$"';
    const leftOut = (workspaces: string[], error = why): LoadError => ({
      file: "envs/main.tf",
      line: 3,
      column: 43,
      code: "terraform-workspaces",
      message: `${workspaces.map((name) => `workspace "${name}"`).join(", ")} left out: Terraform cannot plan there (${error})`,
      level: "warning",
      leftOut: { workspaces, error },
      inputs: "root-unchanged",
    });
    const head = leftOut(["prod", "qa"]);
    // A scan has no base: the code as it stands, a warning.
    const scan = decideGate([], [head], defaultSettings);
    expect([scan.conclusion, scan.errors, scan.warnings]).toEqual(["success", [], [head]]);
    // The base left both out for the same error, on another line: no error of this change.
    const both = decideGate([], [head], defaultSettings, {
      baseProblems: [{ ...leftOut(["qa", "prod"]), line: 9 }],
    });
    expect([both.conclusion, both.errors, both.warnings]).toEqual(["success", [], [head]]);
    // The base planned them, left them out for another error, or in another file: blocking.
    const blocked = (name: string) => ({
      file: "envs/main.tf",
      line: 3,
      column: 43,
      code: "terraform-workspace-left-out",
      message: `Tollgate could not check ${name} at the head (${why}), though the base did not fail there for this error: what it deploys goes unjudged, and Terraform may plan it (its numbers are exact where Tollgate's are float64); make the expression evaluate in that workspace, or, if Terraform cannot plan it either, fix that or override this check`,
    });
    for (const base of [
      [],
      [leftOut(["prod", "qa"], 'lookup: the map has no key "prod" and no default was given')],
      [{ ...leftOut(["prod", "qa"]), file: "other/main.tf" }],
    ]) {
      const decision = decideGate([], [head], defaultSettings, { baseProblems: base });
      expect([decision.conclusion, decision.errors, decision.warnings]).toEqual([
        "failure",
        [blocked('workspace "prod", workspace "qa"')],
        [],
      ]);
    }
    // The base left out prod alone: qa blocks, prod stays a warning.
    const one = decideGate([], [head], defaultSettings, { baseProblems: [leftOut(["prod"])] });
    expect([one.conclusion, one.errors, one.warnings]).toEqual([
      "failure",
      [blocked('workspace "qa"')],
      [
        {
          ...leftOut(["prod"]),
          message: `workspace "prod" left out: Terraform cannot plan there (${why})`,
        },
      ],
    ]);
  });

  it("blocks on a workspace the base left out alike when the pull request changed its root", () => {
    const why = 'regex: no match for "^0\\\\.15$"';
    const head: LoadError = {
      file: "envs/main.tf",
      line: 3,
      column: 43,
      code: "terraform-workspaces",
      message: `workspace "prod", workspace "qa" left out: Terraform cannot plan there (${why})`,
      level: "warning",
      leftOut: { workspaces: ["prod", "qa"], error: why },
      inputs: "root-changed",
    };
    const changed = (names: string) => ({
      file: "envs/main.tf",
      line: 3,
      column: 43,
      code: "terraform-workspace-left-out",
      message: `Tollgate could not check ${names} (${why}), at the base either, and this change edits what its root module reads (its files, the local modules it calls, its variable files or the files its functions read): what the change deploys there goes unjudged; make the expression evaluate in that workspace (Terraform may plan it: its numbers are exact where Tollgate's are float64), or, if Terraform cannot plan it either, fix that or override this check`,
    });
    // Both left out at base, which read other files: one error naming both.
    const base = { ...head, line: 9, inputs: "root-unchanged" };
    const both = decideGate([], [head], defaultSettings, { baseProblems: [base] });
    expect([both.conclusion, both.errors, both.warnings]).toEqual([
      "failure",
      [changed('workspace "prod", workspace "qa"')],
      [],
    ]);
    // Without a digest at head the root cannot be shown unchanged: blocking too.
    expect(
      decideGate([], [{ ...head, inputs: undefined }], defaultSettings, {
        baseProblems: [{ ...base, inputs: undefined }],
      }).errors,
    ).toEqual([changed('workspace "prod", workspace "qa"')]);
    // prod alone left out at base: qa is new there, prod is in a changed root; two errors, no warning.
    const one = decideGate([], [head], defaultSettings, {
      baseProblems: [{ ...base, leftOut: { workspaces: ["prod"], error: why } }],
    });
    expect([
      one.conclusion,
      one.errors.map((e) => `${e.code} ${e.message.replace(/ \(.*$/, "")}`),
      one.warnings,
    ]).toEqual([
      "failure",
      [
        'terraform-workspace-left-out Tollgate could not check workspace "qa" at the head',
        'terraform-workspace-left-out Tollgate could not check workspace "prod"',
      ],
      [],
    ]);
  });

  it("treats findings without a status (a single scan) as new", () => {
    const decision = decideGate([finding({ status: undefined })], [], defaultSettings);
    expect(decision.findings[0]?.status).toBe("new");
    expect(decision.conclusion).toBe("failure");
  });
});

describe("decideGate on an injected day", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  const countdown = settings({
    enforcement: { rules: { "TG-NET-001": { blocking_from: "2026-12-01" } } },
  });

  it("advises with a countdown before blocking_from and blocks from that day on", () => {
    const before = decideGate([finding(), finding({ status: "existing" })], [], countdown, { now });
    expect(before).toMatchObject({ conclusion: "success", blocking: [] });
    expect(before.findings.map((f) => f.enforcement)).toEqual(["advisory", "advisory"]);
    // The new one will block that day, so it says so; the existing one (fail_on: new) will not.
    expect(before.findings.map((f) => f.advisoryUntil)).toEqual(["2026-12-01", undefined]);
    expect(before.reasons).toEqual([
      "no blocking findings; 1 new advisory finding",
      "TG-NET-001 is advisory until 2026-12-01 (in 5 days), then blocking: 1 finding",
    ]);
    const on = decideGate([finding()], [], countdown, { now: new Date("2026-12-01T00:00:00Z") });
    expect(on).toMatchObject({
      conclusion: "failure",
      reasons: ["1 blocking new finding (1 high)"],
    });
  });

  it("counts down only the findings that will block that day: new ones under fail_on: new, unwaived then", () => {
    const waived = (expires?: string) =>
      finding({
        waived: { written: "settings", reason: "migration", ...(expires ? { expires } : {}) },
      });
    const findings = [
      finding({ status: "existing" }),
      finding({ status: "fixed" }),
      waived(),
      waived("2026-12-01"),
      waived("2026-11-30"),
    ];
    const onNew = decideGate(findings, [], countdown, { now });
    // Only the waiver that lapses before the day leaves its finding to block.
    expect(onNew.reasons).toContain(
      "TG-NET-001 is advisory until 2026-12-01 (in 5 days), then blocking: 1 finding",
    );
    const existingOnly = decideGate([finding({ status: "existing" })], [], countdown, { now });
    expect(existingOnly.reasons).toEqual(["no blocking findings"]);
    const onAll = settings({
      fail_on: "all",
      enforcement: { rules: { "TG-NET-001": { blocking_from: "2026-12-01" } } },
    });
    expect(decideGate(findings, [], onAll, { now }).reasons).toContain(
      "TG-NET-001 is advisory until 2026-12-01 (in 5 days), then blocking: 2 findings",
    );
  });

  it("holds findings in a locked scope at the organization's level, whatever entry the repository adds", () => {
    const locked = mergeSettings(
      {
        file: "org.yml",
        settings: settingsFileSchema.parse({
          enforcement: { categories: { network: "blocking" } },
          locked: ["enforcement.categories.network"],
        }),
        locations: {},
      },
      {
        file: "repo.yml",
        settings: settingsFileSchema.parse({
          enforcement: { rules: { "TG-NET-001": "off", "TG-IAM-001": "off" } },
        }),
        locations: {},
      },
      { name: "infra", topics: [] },
    ).settings;
    const decision = decideGate(
      [finding({ severity: "low" }), finding({ rule: "TG-IAM-001", category: "iam" })],
      [],
      locked,
      { now },
    );
    expect(decision).toMatchObject({ conclusion: "failure", suppressed: 1 });
    expect(decision.blocking.map((f) => f.rule)).toEqual(["TG-NET-001"]);
    expect(decision.reasons).toContain("1 finding held at the organization's locked enforcement");
  });

  it("never blocks a finding an unknown value decides, whatever its severity, entry or lock", () => {
    const undecided = (overrides: Partial<Finding>) =>
      finding({
        unknown: "var.public",
        evidence: "publicly_accessible = var.public",
        ...overrides,
      });
    const strict = mergeSettings(
      {
        file: "org.yml",
        settings: settingsFileSchema.parse({
          fail_on: "all",
          enforcement: { categories: { network: "blocking" }, rules: { "TG-IAM-001": "off" } },
          locked: ["enforcement.categories.network"],
        }),
        locations: {},
      },
      null,
      { name: "infra", topics: [] },
    ).settings;
    const decision = decideGate(
      [
        undecided({ severity: "critical" }),
        undecided({ status: "existing", severity: "low" }),
        undecided({ rule: "TG-IAM-001", category: "iam" }),
      ],
      [],
      strict,
      { now },
    );
    expect(decision.conclusion).toBe("success");
    expect(decision.blocking).toEqual([]);
    expect(decision.suppressed).toBe(1);
    expect(decision.findings.map((f) => [f.severity, f.status, f.enforcement])).toEqual([
      ["critical", "new", "advisory"],
      ["low", "existing", "advisory"],
    ]);
    expect(decision.reasons).toEqual([
      "no blocking findings; 1 new advisory finding",
      "2 findings an unknown value decides (cannot tell; advisory, never blocking)",
    ]);
    // The same finding with a known value blocks.
    const known = decideGate([finding({ severity: "critical" })], [], strict, { now });
    expect(known.conclusion).toBe("failure");
  });

  it("lists waiver notices with their place among the reasons", () => {
    const notice = {
      file: "main.tf",
      line: 5,
      column: 33,
      code: "waiver-expired",
      message: "waiver for TG-NET-001 expired on 2026-11-01; the finding is enforced again",
    };
    const decision = decideGate([finding()], [], defaultSettings, { now, notices: [notice] });
    expect(decision.notices).toEqual([notice]);
    expect(decision.reasons).toEqual([
      "1 blocking new finding (1 high)",
      "main.tf:5:33: waiver for TG-NET-001 expired on 2026-11-01; the finding is enforced again",
    ]);
  });
});

describe("gateWithWaivers and rule ids in settings", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  const parsed = (text: string, file: string) => {
    const result = parseSettingsFile(text, file);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.parsed;
  };

  it("reports an enforcement.rules key or locked rule no loaded rule has, where it is written, as a waiver's, in overrides for other repositories too", () => {
    const organization = parsed(
      [
        "locked: [enforcement.rules.TG-NET-01, enforcement.rules.TG-NET-001]",
        "enforcement:",
        "  rules:",
        "    TG-NET-001: blocking",
        "overrides:",
        "  - repositories: [infra]",
        "    enforcement:",
        "      rules:",
        "        TG-IAM-01: blocking",
        "  - repositories: [other]",
        "    enforcement:",
        "      rules:",
        "        TG-IAM-02: blocking",
        "",
      ].join("\n"),
      "org.yml",
    );
    const repository = parsed(
      [
        "enforcement:",
        "  rules:",
        "    TG-LOG-12: blocking",
        "waivers:",
        "  - rule: TG-LOG-12",
        "    reason: x",
        "",
      ].join("\n"),
      "repo.yml",
    );
    const merged = mergeSettings(organization, repository, { name: "infra", topics: [] }).settings;
    const known = new Set(["TG-NET-001", "TG-IAM-001", "TG-LOG-012"]);
    const decision = gateWithWaivers([finding()], [], merged, {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
      knownRules: known,
    });
    expect(decision.notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}`)).toEqual([
      "org.yml:1:10: settings-unknown-rule",
      "org.yml:9:9: settings-unknown-rule",
      "org.yml:13:9: settings-unknown-rule",
      "repo.yml:3:5: settings-unknown-rule",
      "repo.yml:5:5: waiver-unknown-rule",
    ]);
    expect(decision.notices.map((n) => n.message)).toEqual([
      "locked: enforcement.rules.TG-NET-01: no loaded rule has that id, so this lock holds nothing; check the rule id (did you mean TG-NET-001?)",
      "enforcement.rules.TG-IAM-01: no loaded rule has that id, so this enforcement entry sets nothing; check the rule id (did you mean TG-IAM-001?)",
      "enforcement.rules.TG-IAM-02: no loaded rule has that id, so this enforcement entry sets nothing; check the rule id (did you mean TG-IAM-001?)",
      "enforcement.rules.TG-LOG-12: no loaded rule has that id, so this enforcement entry sets nothing; check the rule id (did you mean TG-LOG-012?)",
      "waiver for TG-LOG-12: no loaded rule has that id, so it waives nothing; check the rule id (did you mean TG-LOG-012?)",
    ]);
    // Notices, like a waiver's: the verdict is the same without them.
    expect(decision.conclusion).toBe("failure");
    expect(decision.reasons).toContain(
      "repo.yml:3:5: enforcement.rules.TG-LOG-12: no loaded rule has that id, so this enforcement entry sets nothing; check the rule id (did you mean TG-LOG-012?)",
    );
    // Unchecked when the caller does not say which rules were loaded.
    const unchecked = gateWithWaivers([finding()], [], merged, {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
    });
    expect(unchecked.notices).toEqual([]);
  });

  it("takes a custom rule's category under enforcement.categories and reports one no loaded rule has, with the closest", () => {
    const organization = parsed(
      [
        "locked: [enforcement.categories.taging, enforcement.categories.tagging]",
        "enforcement:",
        "  categories:",
        "    tagging: off",
        "    loging: off",
        "overrides:",
        "  - repositories: [other]",
        "    enforcement:",
        "      categories:",
        "        networkk: blocking",
        "",
      ].join("\n"),
      "org.yml",
    );
    const merged = mergeSettings(organization, null, { name: "infra", topics: [] }).settings;
    const decision = gateWithWaivers(
      [
        finding({ rule: "ACME-TAG-001", category: "tagging", severity: "critical" }),
        finding({ rule: "TG-LOG-012", category: "logging", severity: "critical" }),
      ],
      [],
      merged,
      {
        files: [],
        repository: { name: "infra", topics: [] },
        now,
        knownRules: new Set(["ACME-TAG-001", "TG-LOG-012"]),
        knownCategories: new Set(["iam", "network", "encryption", "logging", "tagging"]),
      },
    );
    // `tagging: off` switches off the custom rule alone; the typo `loging` sets nothing.
    expect(decision.findings.map((f) => `${f.rule} ${f.enforcement}`)).toEqual([
      "TG-LOG-012 blocking",
    ]);
    expect(decision.suppressed).toBe(1);
    expect(decision.notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.message}`)).toEqual([
      "org.yml:1:10: locked: enforcement.categories.taging: no loaded rule has that category, so this lock holds nothing; check the category (did you mean tagging?)",
      "org.yml:5:5: enforcement.categories.loging: no loaded rule has that category, so this enforcement entry sets nothing; check the category (did you mean logging?)",
      "org.yml:10:9: enforcement.categories.networkk: no loaded rule has that category, so this enforcement entry sets nothing; check the category (did you mean network?)",
    ]);
    expect(decision.notices.every((n) => n.code === "settings-unknown-category")).toBe(true);
  });
});

describe("gateWithWaivers and a repository's entries under the organization's locks", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  const parsed = (lines: string[], file: string) => {
    const result = parseSettingsFile(lines.join("\n"), file);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.parsed;
  };
  // The loaded rules' metadata: what tells an unwritten rule's level (its category's, else its severity's).
  const rules = [
    { id: "TG-NET-001", category: "network", severity: "high" as const },
    { id: "TG-NET-002", category: "network", severity: "critical" as const },
    { id: "TG-NET-003", category: "network", severity: "low" as const },
    { id: "TG-LOG-001", category: "logging", severity: "high" as const },
    // Listed after the others, named in id order.
    { id: "TG-NET-007", category: "network", severity: "high" as const },
    { id: "TG-NET-006", category: "network", severity: "high" as const },
    { id: "TG-NET-005", category: "network", severity: "high" as const },
    { id: "TG-NET-004", category: "network", severity: "high" as const },
  ];
  const gate = (organization: string[], repository: string[], findings: Finding[] = []) =>
    gateWithWaivers(
      findings,
      [],
      mergeSettings(parsed(organization, "org.yml"), parsed(repository, "repo.yml"), {
        name: "infra",
        topics: [],
      }).settings,
      {
        files: [],
        repository: { name: "infra", topics: [] },
        now,
        knownRules: new Set(rules.map((rule) => rule.id)),
        knownCategories: new Set(rules.map((rule) => rule.category)),
        rules,
      },
    );
  const located = (decision: { notices: LoadError[] }) =>
    decision.notices.map((n) => `${n.file}:${n.line}:${n.column}: ${n.code}: ${n.message}`);

  it("reports an advisory or later entry for a locked rule or category the organization leaves unwritten, where the rules' metadata shows it looser", () => {
    const decision = gate(
      ["locked: [enforcement]"],
      [
        "enforcement:",
        "  rules:",
        "    TG-NET-001: advisory",
        "    TG-NET-003: advisory",
        "  categories:",
        "    network: { blocking_from: 2030-01-01 }",
        "    logging: advisory",
      ],
      [finding()],
    );
    expect(located(decision)).toEqual([
      "repo.yml:3:5: settings-locked: enforcement.rules.TG-NET-001 may not loosen what the organization locks; its level applies to TG-NET-001 (blocking)",
      "repo.yml:6:5: settings-locked: enforcement.categories.network may not loosen what the organization locks; its level applies to TG-NET-002 (blocking), TG-NET-004 (blocking), TG-NET-005 (blocking) and 2 more rules",
      "repo.yml:7:5: settings-locked: enforcement.categories.logging may not loosen what the organization locks; its level applies to TG-LOG-001 (blocking)",
    ]);
    // The gate's floor held the finding all along; the notice tells the repository's author.
    expect(decision.blocking.map((f) => f.rule)).toEqual(["TG-NET-001"]);
  });

  it("reports an entry a lock on another key holds: a rule under a locked category, a severity under a locked category", () => {
    const decision = gate(
      ["locked: [enforcement.categories.network]"],
      [
        "enforcement:",
        "  rules:",
        "    TG-NET-002: off",
        "    TG-LOG-001: off",
        "  severities:",
        "    high: advisory",
      ],
    );
    expect(located(decision)).toEqual([
      "repo.yml:3:5: settings-locked: enforcement.rules.TG-NET-002 may not loosen what the organization locks; its level applies to TG-NET-002 (blocking)",
      "repo.yml:6:5: settings-locked: enforcement.severities.high may not loosen what the organization locks; its level applies to TG-NET-001 (blocking), TG-NET-004 (blocking), TG-NET-005 (blocking) and 2 more rules",
    ]);
  });

  it("says nothing of an entry as strict as the organization's level, nor without locks or the rules' metadata", () => {
    const repository = [
      "enforcement:",
      "  rules:",
      "    TG-NET-003: advisory",
      "  categories:",
      "    network: blocking",
    ];
    expect(gate(["locked: [enforcement]"], repository).notices).toEqual([]);
    expect(
      gate(["fail_on: all"], ["enforcement:", "  rules:", "    TG-NET-001: off"]).notices,
    ).toEqual([]);
    const merged = mergeSettings(
      parsed(["locked: [enforcement]"], "org.yml"),
      parsed(["enforcement:", "  rules:", "    TG-NET-001: advisory"], "repo.yml"),
      { name: "infra", topics: [] },
    ).settings;
    const unjudged = gateWithWaivers([], [], merged, {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
    });
    expect(unjudged.notices).toEqual([]);
  });

  it("reports an entry the merge holds once, in the gate's words, with the merge's notices and without the rules", () => {
    const merged = mergeSettings(
      parsed(
        [
          "enforcement:",
          "  categories:",
          "    network: blocking",
          "locked: [enforcement.categories.network, fail_on]",
        ],
        "org.yml",
      ),
      parsed(
        ["fail_on: new", "enforcement:", "  categories:", "    network: advisory"],
        "repo.yml",
      ),
      { name: "infra", topics: [] },
    );
    const context = { files: [], repository: { name: "infra", topics: [] }, now };
    const decision = gateWithWaivers([], [], merged.settings, {
      ...context,
      settingsNotices: merged.notices,
      rules,
    });
    expect(located(decision)).toEqual([
      "repo.yml:4:5: settings-locked: enforcement.categories.network may not loosen what the organization locks; its level applies to TG-NET-001 (blocking), TG-NET-002 (blocking), TG-NET-003 (blocking) and 4 more rules",
    ]);
    // fail_on: new is the organization's default, as strict as `new`: nothing held.
    expect(merged.settings.enforcement.categories.network).toEqual({ level: "blocking" });
    // Without the rules' metadata the entry is still reported, once.
    const unjudged = gateWithWaivers([], [], merged.settings, {
      ...context,
      settingsNotices: merged.notices,
    });
    expect(located(unjudged)).toEqual([
      "repo.yml:4:5: settings-locked: enforcement.categories.network may not loosen what the organization locks; the organization's level applies",
    ]);
  });

  it("reports a waiver for a rule the settings turn off, on the waiver's line, unless a lock keeps the rule on", () => {
    const repository = [
      "enforcement:",
      "  rules:",
      "    TG-NET-001: off",
      "  categories:",
      "    logging: off",
      "waivers:",
      "  - rule: TG-NET-001",
      "    resource: aws_security_group.web",
      "    reason: legacy",
      "  - rule: TG-LOG-001",
      "    resource: aws_s3_bucket.logs",
      "    reason: no findings here, judged by the rule's metadata",
      "  - rule: TG-NET-002",
      "    resource: aws_security_group.web",
      "    reason: on",
    ];
    const decision = gate(["fail_on: new"], repository, [finding()]);
    expect(located(decision)).toEqual([
      "repo.yml:7:5: waiver-rule-off: waiver for TG-NET-001: the settings turn this rule off, so it waives nothing; remove it, or the enforcement entry if the rule should run",
      "repo.yml:10:5: waiver-rule-off: waiver for TG-LOG-001: the settings turn this rule off, so it waives nothing; remove it, or the enforcement entry if the rule should run",
    ]);
    expect(decision.suppressed).toBe(1);
    // A locked category keeps TG-NET-001 on: the waiver waives it, and the entry is reported instead.
    const held = gate(["locked: [enforcement.categories.network]"], repository, [finding()]);
    expect(located(held).map((line) => line.split(": ").slice(0, 2).join(": "))).toEqual([
      "repo.yml:3:5: settings-locked",
      "repo.yml:10:5: waiver-rule-off",
    ]);
    expect(held.findings.map((f) => f.waived?.reason)).toEqual(["legacy"]);
  });

  it("tells a repository's pull request only the organization file's waivers that bear on its findings", () => {
    const organization = [
      "enforcement:",
      "  rules:",
      "    TG-NET-003: off",
      "    TG-IAM-01: blocking",
      "waivers:",
      "  - rule: TG-NET-001",
      "    resource: aws_security_group.other",
      "    reason: written for another repository",
      "  - rule: TG-NET-001",
      "    resource: aws_security_group.wbe",
      "    repositories: [infra]",
      "    reason: written for this one, misspelt",
      "  - rule: TG-NET-01",
      "    reason: unknown id",
      "  - rule: TG-LOG-001",
      "    resource: aws_s3_bucket.logs",
      "  - rule: TG-NET-001",
      "    resource: aws_security_group.web",
      "    expires: 2026-13-01",
      "    reason: misdated, and would cover the finding",
      "  - rule: TG-NET-003",
      "    reason: the organization turns this rule off",
    ];
    const merged = mergeSettings(
      parsed(organization, "org.yml"),
      parsed(["fail_on: new"], "repo.yml"),
      {
        name: "infra",
        topics: [],
      },
    ).settings;
    const context = {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
      knownRules: new Set(rules.map((rule) => rule.id)),
      knownCategories: new Set(rules.map((rule) => rule.category)),
      rules,
    };
    const codes = (decision: { notices: LoadError[] }) =>
      located(decision).map((line) => line.split(": ").slice(0, 2).join(": "));
    // Told to the organization's admins (the CLI, the `.github` repository): everything.
    expect(codes(gateWithWaivers([finding()], [], merged, context))).toEqual([
      "org.yml:4:5: settings-unknown-rule",
      "org.yml:7:5: waiver-matches-nothing",
      "org.yml:10:5: waiver-matches-nothing",
      "org.yml:13:5: waiver-unknown-rule",
      "org.yml:15:5: waiver-no-reason",
      "org.yml:19:5: waiver-bad-date",
      "org.yml:21:5: waiver-rule-off",
    ]);
    // A repository's pull request: the waiver written for it that misses, and the one that would
    // cover its finding but does not apply.
    const quiet = gateWithWaivers([finding()], [], merged, {
      ...context,
      organizationFile: "org.yml",
    });
    expect(codes(quiet)).toEqual([
      "org.yml:10:5: waiver-matches-nothing",
      "org.yml:13:5: waiver-organization-unknown-rule",
      "org.yml:19:5: waiver-bad-date",
    ]);
    expect(quiet.blocking).toHaveLength(1);
  });

  it("points each waiver notice at the key it is about, not at the waiver's first line", () => {
    const decision = gate(
      [],
      [
        "waivers:",
        "  - reason: lapsed", // 2
        "    rule: TG-NET-001",
        "    resource: aws_security_group.web",
        "    expires: 2026-11-01", // 5
        "  - reason: ends soon",
        "    resource: aws_security_group.web",
        "    expires: 2026-12-01", // 8
        "    rule: TG-NET-001",
        "  - reason: misspelt address",
        "    rule: TG-NET-001",
        "    resource: aws_security_group.wbe", // 12
        "  - resource: aws_security_group.web",
        "    rule: TG-NET-01", // 14
        "    reason: misspelt id",
        "  - resource: aws_security_group.web",
        '    reason: ""', // 17
        "    rule: TG-NET-001",
      ],
      [finding()],
    );
    expect(located(decision).map((line) => line.split(": ").slice(0, 2).join(": "))).toEqual([
      "repo.yml:5:5: waiver-expired",
      "repo.yml:8:5: waiver-expiring",
      "repo.yml:12:5: waiver-matches-nothing",
      "repo.yml:14:5: waiver-unknown-rule",
      "repo.yml:17:5: waiver-no-reason",
    ]);
    expect(decision.findings[0]?.waived).toEqual({
      reason: "ends soon",
      written: "settings",
      expires: "2026-12-01",
    });
  });

  it("tells a repository's pull request of an organization entry misspelling a rule that found something here", () => {
    const organization = [
      "enforcement:",
      "  rules:",
      "    TG-NET-01: advisory",
      "    TG-LOG-01: advisory",
    ];
    const merged = mergeSettings(parsed(organization, "org.yml"), null, {
      name: "infra",
      topics: [],
    }).settings;
    const decision = gateWithWaivers([finding()], [], merged, {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
      knownRules: new Set(rules.map((rule) => rule.id)),
      rules,
      organizationFile: "org.yml",
    });
    // TG-LOG-01's likely meaning found nothing here: its admins alone are told.
    expect(located(decision)).toEqual([
      "org.yml:3:5: settings-organization-unknown-rule: the organization's enforcement.rules.TG-NET-01 names no loaded rule (did you mean TG-NET-001, which found something here?), so that entry does not apply to this pull request; the organization's admins are told on the .github repository's Tollgate policies check",
    ]);
    expect(decision.blocking).toHaveLength(1);
    // One line of the check's summary.
    expect(decision.reasons.filter((reason) => reason.startsWith("org.yml:3:5: "))).toHaveLength(1);
  });

  it("tells a repository's pull request of an organization waiver misspelling a rule whose finding here it would cover", () => {
    const organization = [
      "waivers:",
      "  - reason: bastion, SEC-12",
      "    rule: TG-NET-01", // 3: told
      "    resource: aws_security_group.web",
      "  - rule: TG-NET-01", // 5: its resource covers no finding here
      "    resource: aws_security_group.other",
      "    reason: another group",
      "  - rule: TG-LOG-01", // 8: TG-LOG-001 found nothing here
      "    reason: log buckets",
    ];
    const merged = mergeSettings(parsed(organization, "org.yml"), null, {
      name: "infra",
      topics: [],
    }).settings;
    const context = {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
      knownRules: new Set(rules.map((rule) => rule.id)),
      rules,
      organizationFile: "org.yml",
    };
    const decision = gateWithWaivers([finding()], [], merged, context);
    expect(located(decision)).toEqual([
      "org.yml:3:5: waiver-organization-unknown-rule: the organization's waiver for TG-NET-01 names no loaded rule (did you mean TG-NET-001, whose finding here it would cover?), so it waives nothing; the organization's admins are told on the .github repository's Tollgate policies check",
    ]);
    expect(decision.blocking).toHaveLength(1);
    expect(decision.reasons.filter((reason) => reason.startsWith("org.yml:"))).toHaveLength(1);
    // Waived by another waiver, the finding holds no one: nothing to tell.
    const waivedHere = gateWithWaivers(
      [finding({ waived: { written: "settings", reason: "repository waiver" } })],
      [],
      merged,
      context,
    );
    expect(located(waivedHere)).toEqual([]);
  });

  it("tells a repository's pull request of an organization category or lock misspelt where its meaning found something", () => {
    const organization = [
      "enforcement:",
      "  categories:",
      "    netwrok: blocking",
      "    loging: blocking",
      "locked: [enforcement.categories.netwrok, enforcement.rules.TG-NET-01]",
    ];
    const context = {
      files: [],
      repository: { name: "infra", topics: [] },
      now,
      knownRules: new Set(rules.map((rule) => rule.id)),
      knownCategories: new Set(rules.map((rule) => rule.category)),
      rules,
      organizationFile: "org.yml",
    };
    const low = finding({ rule: "TG-NET-003", severity: "low" });
    const merged = (repository: string[]) =>
      mergeSettings(parsed(organization, "org.yml"), parsed(repository, "repo.yml"), {
        name: "infra",
        topics: [],
      }).settings;
    // Logging found nothing here; the rule lock alone changes nothing without repository entries.
    const decision = gateWithWaivers([low], [], merged(["fail_on: new"]), context);
    expect(located(decision)).toEqual([
      "org.yml:3:5: settings-organization-unknown-category: the organization's enforcement entry enforcement.categories.netwrok and its lock name no loaded category (did you mean network, which found something here?), so neither applies to this pull request; the organization's admins are told on the .github repository's Tollgate policies check",
    ]);
    expect(decision.blocking).toHaveLength(0);
    // The repository loosens TG-NET-001, which the misspelt lock meant to hold.
    const loosened = gateWithWaivers(
      [finding()],
      [],
      merged(["enforcement:", "  rules:", "    TG-NET-001: off"]),
      context,
    );
    expect(located(loosened).map((line) => line.split(" (did")[0])).toEqual([
      "org.yml:3:5: settings-organization-unknown-category: the organization's enforcement entry enforcement.categories.netwrok and its lock name no loaded category",
      "org.yml:5:42: settings-organization-unknown-rule: the organization's locked: enforcement.rules.TG-NET-01 names no loaded rule",
    ]);
  });

  it("counts down to a locked organization date earlier than the repository's", () => {
    const decision = gate(
      [
        "enforcement:",
        "  categories:",
        "    network: { blocking_from: 2027-01-15 }",
        "locked: [enforcement]",
      ],
      ["enforcement:", "  rules:", "    TG-NET-001: { blocking_from: 2028-01-01 }"],
      [finding()],
    );
    expect(decision.countdowns).toEqual([
      { rule: "TG-NET-001", blockingFrom: "2027-01-15", daysLeft: 50, findings: 1 },
    ]);
    expect(located(decision)).toEqual([
      "repo.yml:3:5: settings-locked: enforcement.rules.TG-NET-001 may not loosen what the organization locks; its level applies to TG-NET-001 (blocking from 2027-01-15)",
    ]);
    // An advisory entry under a locked date counts down to that date too.
    const advisory = gate(
      [
        "enforcement:",
        "  categories:",
        "    network: { blocking_from: 2027-01-15 }",
        "locked: [enforcement]",
      ],
      ["enforcement:", "  rules:", "    TG-NET-001: advisory"],
      [finding()],
    );
    expect(advisory.countdowns.map((c) => c.blockingFrom)).toEqual(["2027-01-15"]);
  });
});

describe("gateWithWaivers on new findings a waiver accepts", () => {
  it("says at the top which new findings are waived, by a comment or the settings, with expiry, as the title counts them", () => {
    const now = new Date("2026-11-28T12:00:00Z");
    const waived = settings({
      waivers: [{ rule: "TG-NET-001", resource: "aws_security_group.admin", reason: "SEC-7" }],
    });
    const searchGroup = [
      'resource "aws_security_group" "search" {',
      "  ingress {",
      '    cidr_blocks = ["0.0.0.0/0"] # tollgate:ignore TG-NET-003 reason="public search demo" expires=2027-01-31',
      "  }",
      "}",
    ].join("\n");
    const decision = gateWithWaivers(
      [
        finding({
          rule: "TG-NET-003",
          resource: "aws_security_group.search",
          file: "live/main.tf",
          line: 3,
        }),
        finding({ resource: "aws_security_group.admin", file: "live/admin.tf", line: 4 }),
        finding({ resource: "aws_security_group.web", file: "live/web.tf", line: 9 }),
        finding({
          resource: "aws_security_group.admin",
          file: "live/admin.tf",
          line: 5,
          status: "existing",
        }),
      ],
      [],
      waived,
      {
        files: [{ path: "live/main.tf", text: searchGroup }],
        repository: { name: "infra", topics: [] },
        now,
      },
    );
    expect(decision.reasons.slice(0, 3)).toEqual([
      "1 blocking new finding (1 high)",
      '1 new finding waived by a tollgate:ignore comment, not blocking: TG-NET-003 at live/main.tf:3 ("public search demo", expires 2027-01-31)',
      '1 new finding waived by the settings, not blocking: TG-NET-001 at live/admin.tf:4 ("SEC-7", no expiry)',
    ]);
    expect(checkRunTitle(decision)).toBe("1 new finding: 1 high; 2 waived");
    // An existing finding a waiver covers is no news of this change.
    const existingOnly = gateWithWaivers(
      [finding({ resource: "aws_security_group.admin", status: "existing" })],
      [],
      waived,
      { files: [], repository: { name: "infra", topics: [] }, now },
    );
    expect(existingOnly.reasons).toEqual(["no blocking findings"]);
  });
});
