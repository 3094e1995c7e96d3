// The machine-readable report: `{ "findings": [...], "errors": [...], "warnings": [...],
// "notices": [...], "countdowns": [...] }` with the fields of `Finding` and `LoadError`
// (src/model/types.ts) and of the gate's `Countdown`, in a fixed order so outputs diff cleanly.
// Notices are the gate's located notes that do not block (waivers expired, expiring, without a
// reason, naming no loaded rule; a settings rule id no loaded rule has). `enforcement` is the level settings give the finding; `blocks` says whether it fails
// this check (not fixed, not waived, new or `fail_on: all`), the gate's own answer, so a script
// need not redo it. A new finding a changed line elsewhere decided (`decided`, from `tollgate
// diff`) has that line as `file`/`line`/`endLine`, what read it as `readBy` (absent when the line
// is one of the finding's span or its resource's block), and where the finding is written as
// `foundAt`.
import type { GateDecision } from "../gate/index.js";
import type { Finding, LoadError } from "../model/types.js";
import type { DecidingLine } from "./placement.js";

export function renderJson(
  decision: Pick<
    GateDecision,
    "findings" | "blocking" | "errors" | "warnings" | "notices" | "countdowns"
  >,
  decided: ReadonlyMap<Finding, DecidingLine> = new Map(),
): string {
  const blocking = new Set(decision.blocking);
  const problem = (e: LoadError) => ({
    file: e.file,
    line: e.line,
    column: e.column,
    code: e.code,
    message: e.message,
  });
  const report = {
    findings: decision.findings.map((f) => {
      const place = decided.get(f);
      return {
        rule: f.rule,
        title: f.title,
        severity: f.severity,
        category: f.category,
        file: place?.path ?? f.file,
        line: place?.line ?? f.line,
        endLine: place?.line ?? f.endLine,
        readBy: place?.by,
        foundAt: place ? { file: f.file, line: f.line, endLine: f.endLine } : undefined,
        resource: f.resource,
        subject: f.subject,
        root: f.root,
        resourceBlock: f.resourceBlock,
        message: f.message,
        evidence: f.evidence,
        remediation: f.remediation,
        unknown: f.unknown,
        status: f.status,
        unloadedAtBase: f.unloadedAtBase,
        widened: f.widened,
        narrowed: f.narrowed,
        adopted: f.adopted,
        enforcement: f.enforcement,
        advisoryUntil: f.advisoryUntil,
        waived: f.waived,
        blocks: blocking.has(f),
      };
    }),
    errors: decision.errors.map(problem),
    warnings: decision.warnings.map(problem),
    notices: decision.notices.map(problem),
    countdowns: decision.countdowns.map((c) => ({
      rule: c.rule,
      blockingFrom: c.blockingFrom,
      daysLeft: c.daysLeft,
      findings: c.findings,
    })),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
