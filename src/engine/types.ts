// The seam between the loading/evaluation engine and its callers (CLI, app, benchmarks): files in,
// located findings and errors out. The app and the CLI code against this, never the stages behind it.
import type { SourceFile } from "../iac/source.js";
import type { Finding, LoadError } from "../model/types.js";

export interface ScanResult {
  /** Findings before diffing and gating: `status`, `enforcement` and `waived` are filled later. */
  findings: Finding[];
  /** Located problems: unparseable files, refused files, policy evaluation errors. */
  errors: LoadError[];
}

export interface ScanEngine {
  /** Load every IaC file given (one repository snapshot) and evaluate all policies on it. */
  scan(files: SourceFile[]): Promise<ScanResult>;
}
