import { describe, expect, it } from "vitest";
import {
  defaultSettings,
  mergeSettings,
  settingsFileSchema,
  type Settings,
} from "../config/index.js";
import type { Finding, LoadError } from "../model/types.js";
import { finding as baseFinding } from "../../test/app/findings.js";
import { decideGate, enforcementLevel } from "./index.js";

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
      [finding({ waived: { reason: "accepted risk" } })],
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

  it("treats findings without a status (a single scan) as new", () => {
    const decision = decideGate([finding({ status: undefined })], [], defaultSettings);
    expect(decision.findings[0]?.status).toBe("new");
    expect(decision.conclusion).toBe("failure");
  });
});
