import { describe, expect, it } from "vitest";
import { finding } from "../../test/app/findings.js";
import { decideGate } from "../gate/index.js";
import { defaultSettings } from "../config/index.js";
import {
  buildCheckRunReport,
  checkRunOutput,
  decodeRecord,
  encodeRecord,
  overrideCovers,
  overriddenReport,
  cutToBytes,
  fitSummary,
  recordOf,
  SUMMARY_LIMIT,
  withNote,
  type CheckOverride,
} from "./index.js";

const SHA = "a".repeat(40);
const open22 = finding({ line: 3, endLine: 3, status: "new" });
const open3389 = finding({
  line: 4,
  endLine: 4,
  evidence: "tcp/3389 from 0.0.0.0/0",
  status: "new",
});
const now = new Date("2026-11-26T08:00:00Z");

function override(
  covers: string[],
  coversErrors = false,
  coversDigest = "not the digest",
): CheckOverride {
  return {
    by: "alice",
    at: now.toISOString(),
    reason: "INC-42 hotfix",
    sha: SHA,
    covers,
    coversDigest,
    coversErrors,
  };
}

describe("check run record", () => {
  it("survives output.text and says nothing for text that is not a record", () => {
    const decision = decideGate([open22], [], defaultSettings, { now });
    const report = buildCheckRunReport(decision, new Map([["main.tf", "all"]]), [], SHA);
    const text = checkRunOutput(report).text;
    expect(text).toMatch(/^<!-- tollgate:record [A-Za-z0-9_-]+ -->$/);
    expect(decodeRecord(text)).toEqual(report.record);
    expect(report.record).toMatchObject({
      sha: SHA,
      blocking: [expect.stringMatching(/^[0-9a-f]{16}$/)],
      findings: [{ rule: "TG-NET-001", file: "main.tf", line: 3, blocking: true, status: "new" }],
      failedOnErrors: false,
    });
    for (const bad of [
      null,
      "",
      "<!-- tollgate:record bm90IGpzb24 -->",
      "<!-- tollgate:record e30 -->",
    ])
      expect(decodeRecord(bad)).toBeUndefined();
  });

  it("stays under GitHub's output.text limit, counting the findings it leaves out", () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      finding({ resource: `aws_security_group.g${i}`, message: "x".repeat(60), status: "new" }),
    );
    const record = recordOf(decideGate(many, [], defaultSettings, { now }), SHA);
    const text = encodeRecord(record);
    expect(text.length).toBeLessThanOrEqual(60_000);
    const decoded = decodeRecord(text);
    expect(decoded?.findings).toEqual([]);
    expect(decoded?.omitted).toBe(3000);
    expect((decoded?.blocking.length ?? 0) + (decoded?.blockingOmitted ?? 0)).toBe(3000);
    expect(decoded?.blockingOmitted).toBeGreaterThan(0);
    // A set listed in part is covered by the digest of the whole, and only by it.
    const given = override(decoded?.blocking ?? [], false, decoded?.blockingDigest);
    expect(overrideCovers(given, decoded!)).toBe(true);
    expect(overrideCovers({ ...given, coversDigest: "other" }, decoded!)).toBe(false);
  });

  it("stays under the limit with an override of a set listed to the limit, which its digest still covers", () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      finding({ resource: `aws_security_group.g${i}`, status: "new" }),
    );
    const record = recordOf(decideGate(many, [], defaultSettings, { now }), SHA);
    const stored = decodeRecord(encodeRecord(record))!;
    // The override covers every key the stored run lists, with a reason as long as one may be.
    const given = {
      ...override(stored.blocking, false, stored.blockingDigest),
      reason: "r".repeat(500),
    };
    const text = encodeRecord({ ...stored, override: given });
    expect(text.length).toBeLessThanOrEqual(60_000);
    const decoded = decodeRecord(text);
    expect(decoded?.override?.covers.length).toBeGreaterThan(0);
    expect(decoded?.override?.covers.length).toBeLessThan(stored.blocking.length);
    expect(decoded?.override?.reason).toBe(given.reason);
    // A re-run blocking on the same set is covered by the digest.
    expect(overrideCovers(decoded!.override!, record)).toBe(true);
  });

  it("covers what blocks only on the same commit, with every blocking finding, and errors only when given", () => {
    const one = recordOf(decideGate([open22], [], defaultSettings, { now }), SHA);
    const two = recordOf(decideGate([open22, open3389], [], defaultSettings, { now }), SHA);
    const error = { file: "main.tf", line: 1, column: 1, code: "hcl-syntax", message: "bad" };
    const failedOnErrors = recordOf(decideGate([open22], [error], defaultSettings, { now }), SHA);
    expect(overrideCovers(override(one.blocking), one)).toBe(true);
    expect(overrideCovers(override(one.blocking), two)).toBe(false);
    expect(overrideCovers({ ...override(one.blocking), sha: "b".repeat(40) }, one)).toBe(false);
    expect(overrideCovers(override(one.blocking), failedOnErrors)).toBe(false);
    expect(overrideCovers(override(one.blocking, true), failedOnErrors)).toBe(true);
  });

  it("turns a failing report neutral, never silently, and replaces an earlier override section", () => {
    const decision = decideGate([open22], [], defaultSettings, { now });
    const report = buildCheckRunReport(decision, new Map([["main.tf", "all"]]), [], SHA);
    const first = overriddenReport(report, override(report.record?.blocking ?? []));
    expect(first).toMatchObject({
      conclusion: "neutral",
      title: "Overridden by @alice: 1 new finding: 1 high",
      annotationBatches: [
        [{ annotation_level: "warning", title: expect.stringMatching(/\(overridden\)$/) }],
      ],
      record: { override: { by: "alice" } },
    });
    expect(first.summary).toContain("> INC-42 hotfix");
    expect(first.summary).toContain("Overridden: 1 blocking finding.");
    // The report it overrode follows, in words true under a neutral result.
    expect(first.summary).toContain("## Tollgate: blocked until overridden\n");
    expect(first.summary).toContain("at `main.tf:3` (**overridden**)");
    expect(first.summary).not.toMatch(/❌|blocks merge/);
    const again = overriddenReport(first, {
      ...override(report.record?.blocking ?? []),
      by: "bob",
    });
    expect(again.title).toBe("Overridden by @bob: 1 new finding: 1 high");
    expect(again.summary.match(/blocking result overridden/g)).toHaveLength(1);
    expect(again.summary).toContain("**@bob** overrode");
    expect(again.summary.match(/blocked until overridden/g)).toHaveLength(1);
  });

  it("rewrites only its own markup: the opening heading and the tag outside code spans, never scanned text", () => {
    // Evidence and an error quoting the report's own words, as a file may: code spans hold them raw.
    const quoting = finding({
      line: 3,
      endLine: 3,
      status: "new",
      evidence: 'description = "## ❌ Tollgate: blocked (**blocks merge**)"',
    });
    const ticks = finding({
      resource: "aws_security_group.ticks",
      line: 7,
      endLine: 7,
      status: "new",
      evidence: 'name = "`**blocks merge**`"',
    });
    const error = {
      file: "other.tf",
      line: 1,
      column: 1,
      code: "hcl-syntax",
      message: "<!-- tollgate:override --> **blocks merge** <!-- /tollgate:override -->",
    };
    const decision = decideGate([quoting, ticks], [error], defaultSettings, { now });
    const report = buildCheckRunReport(decision, new Map([["main.tf", "all"]]), [], SHA);
    const rendered = [
      'Evidence: `description = "## ❌ Tollgate: blocked (**blocks merge**)"`',
      'Evidence: ``name = "`**blocks merge**`"``',
      "- `other.tf:1:1: <!-- tollgate:override --> **blocks merge** <!-- /tollgate:override --> (hcl-syntax)`",
    ];
    for (const text of rendered) expect(report.summary).toContain(text);
    const overridden = overriddenReport(report, override(report.record?.blocking ?? [], true));
    for (const text of rendered) expect(overridden.summary).toContain(text);
    expect(overridden.summary).toContain("## Tollgate: blocked until overridden\n");
    expect(overridden.summary.match(/at `main\.tf:\d+` \(\*\*overridden\*\*\)/g)).toHaveLength(2);
    expect(overridden.summary.match(/\(\*\*blocks merge\*\*\)(?!")/g)).toBeNull();
    // Overridden again, what the first override wrote is replaced, and the scanned text still stands.
    const again = overriddenReport(overridden, override(report.record?.blocking ?? [], true));
    expect(again.summary.match(/blocking result overridden/g)).toHaveLength(1);
    for (const text of rendered) expect(again.summary).toContain(text);
  });

  it("drops the line on how to unblock from an overridden summary, which blocks nothing now", () => {
    const report = buildCheckRunReport(
      decideGate([open22], [], defaultSettings, { now }),
      new Map([["main.tf", "all"]]),
      [],
      SHA,
      { inlineWaivers: true, commands: { override: true } },
    );
    expect(report.summary).toContain("\n_To merge: fix what blocks");
    const overridden = overriddenReport(report, override(report.record?.blocking ?? []));
    expect(overridden.summary).toContain("## Tollgate: blocked until overridden");
    expect(overridden.summary).not.toContain("_To merge:");
    expect(overridden.summary).not.toContain("/tollgate override <reason>");
  });

  it("keeps an overridden summary within GitHub's 65,535 bytes when the report is at the limit in two-byte characters", () => {
    const report = {
      ...buildCheckRunReport(
        decideGate([open22], [], defaultSettings, { now }),
        new Map([["main.tf", "all"]]),
        [],
        SHA,
      ),
      summary: "é".repeat(32_700),
    };
    const overridden = overriddenReport(report, override(report.record?.blocking ?? []));
    expect(overridden.summary.length).toBeLessThan(SUMMARY_LIMIT);
    expect(Buffer.byteLength(overridden.summary, "utf8")).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(overridden.summary).toMatch(/é\n\n_Report cut at GitHub's limit\._$/);
  });
});

describe("output within GitHub's byte limit", () => {
  it("cuts between characters, never inside one", () => {
    expect(cutToBytes("aé😀b", 1)).toBe("a");
    expect(cutToBytes("aé😀b", 2)).toBe("a");
    expect(cutToBytes("aé😀b", 3)).toBe("aé");
    expect(cutToBytes("aé😀b", 6)).toBe("aé");
    expect(cutToBytes("aé😀b", 7)).toBe("aé😀");
    expect(cutToBytes("aé😀b", 8)).toBe("aé😀b");
  });

  it("keeps a note whole and cuts the summary before it", () => {
    const summary = withNote("€".repeat(30_000), "_Some annotations could not be attached_");
    expect(Buffer.byteLength(summary, "utf8")).toBeGreaterThan(SUMMARY_LIMIT - 3);
    expect(Buffer.byteLength(summary, "utf8")).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(summary).toMatch(/€\n\n_Some annotations could not be attached_$/);
    expect(fitSummary("short")).toBe("short");
  });
});
