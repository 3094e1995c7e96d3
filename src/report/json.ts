// The machine-readable report: `{ "findings": [...], "errors": [...] }` with exactly the fields of
// `Finding` and `LoadError` (src/model/types.ts), in a fixed order so outputs diff cleanly.
import type { Finding, LoadError } from "../model/types.js";

export function renderJson(findings: readonly Finding[], errors: readonly LoadError[]): string {
  const report = {
    findings: findings.map((f) => ({
      rule: f.rule,
      title: f.title,
      severity: f.severity,
      category: f.category,
      file: f.file,
      line: f.line,
      endLine: f.endLine,
      resource: f.resource,
      message: f.message,
      evidence: f.evidence,
      remediation: f.remediation,
      status: f.status,
      enforcement: f.enforcement,
      waived: f.waived,
    })),
    errors: errors.map((e) => ({
      file: e.file,
      line: e.line,
      column: e.column,
      code: e.code,
      message: e.message,
    })),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
