// Test data shared by the PR-flow tests: a realistic finding with overrides, and a fake engine that
// answers from a table of files, so gate, report and app tests need neither the engine nor GitHub.
import type { ScanEngine, ScanOptions, ScanResult } from "../../src/engine/types.js";
import type { SourceFile } from "../../src/iac/source.js";
import type { Finding } from "../../src/model/types.js";

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: "TG-NET-001",
    title: "Security group open to the world",
    severity: "high",
    category: "network",
    file: "main.tf",
    line: 10,
    endLine: 20,
    resource: "aws_security_group.web",
    message: "Ingress tcp/22 from 0.0.0.0/0",
    evidence: "tcp/22 from 0.0.0.0/0",
    enforcement: "advisory",
    waived: null,
    ...overrides,
  };
}

/** Finds what `rules` says for each file's text: a stand-in for the Wasm engine with the same seam. */
export class FakeEngine implements ScanEngine {
  readonly scanned: SourceFile[][] = [];
  /** The options of each scan, in order: what the caller passed on (rule settings, custom rules). */
  readonly options: (ScanOptions | undefined)[] = [];
  constructor(private readonly rules: (file: SourceFile) => ScanResult) {}

  async scan(files: SourceFile[], options?: ScanOptions): Promise<ScanResult> {
    this.scanned.push(files);
    this.options.push(options);
    const result: ScanResult = { findings: [], errors: [] };
    for (const file of files) {
      const { findings, errors } = this.rules(file);
      result.findings.push(...findings);
      result.errors.push(...errors);
    }
    return result;
  }
}
