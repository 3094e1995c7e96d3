// The machine-readable report: `{ "findings": [...], "errors": [...], "warnings": [...] }` with
// exactly the fields of `Finding` and `LoadError` (src/model/types.ts), in a fixed order so
// outputs diff cleanly.
import type { Finding, LoadError } from "../model/types.js";

export function renderJson(
  findings: readonly Finding[],
  errors: readonly LoadError[],
  warnings: readonly LoadError[] = [],
): string {
  const problem = (e: LoadError) => ({
    file: e.file,
    line: e.line,
    column: e.column,
    code: e.code,
    message: e.message,
  });
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
      subject: f.subject,
      root: f.root,
      resourceBlock: f.resourceBlock,
      message: f.message,
      evidence: f.evidence,
      remediation: f.remediation,
      unknown: f.unknown,
      status: f.status,
      enforcement: f.enforcement,
      waived: f.waived,
    })),
    errors: errors.map(problem),
    warnings: warnings.map(problem),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
