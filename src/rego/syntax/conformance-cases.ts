// Test support: reads OPA's conformance cases from `../shared/conformance/opa` beside the repo
// (CI clones shared/ next to the checkout), so the front end's tests run on real policies.

import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export interface ConformanceCase {
  /** `<folder>/<file>: <note>`. */
  name: string;
  note: string;
  modules: string[];
  wantErrorCode?: string;
  wantError?: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const conformanceRoot = path.resolve(repoRoot, "../shared/conformance/opa");

export function loadConformanceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const folder of readdirSync(conformanceRoot).sort()) {
    const dir = path.join(conformanceRoot, folder);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".yaml")) continue;
      const document = parse(readFileSync(path.join(dir, file), "utf8")) as {
        cases?: Record<string, unknown>[];
      };
      for (const raw of document.cases ?? []) {
        const note = String(raw.note ?? "");
        const entry: ConformanceCase = {
          name: `${folder}/${file}: ${note}`,
          note,
          modules: Array.isArray(raw.modules) ? raw.modules.map(String) : [],
        };
        if (typeof raw.want_error_code === "string") entry.wantErrorCode = raw.want_error_code;
        if (typeof raw.want_error === "string") entry.wantError = raw.want_error;
        cases.push(entry);
      }
    }
  }
  return cases;
}
