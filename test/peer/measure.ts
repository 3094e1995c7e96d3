// Measures the built-in rules against a peer scanner's fixtures (`../shared/corpus/kics`): per
// mapped query, recall on the lines its positive fixtures expect, and findings of the mapped
// rules on its negative fixtures (false positives). Every fixture file is scanned on its own,
// with the query's rule settings when the mapping gives some (opt-in rules). Each file is
// scanned a second time with `unknown_values: advisory`, to tell which missed lines a rule
// flags as "cannot tell" (an advisory finding, never blocking, not counted as recalled).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { loadModel } from "../../src/iac/index.js";
import type { Category, Finding, Resource } from "../../src/model/types.js";
import { loadPolicyBundle } from "../../src/engine/index.js";
import { loadRuleSet, type RuleSet } from "../../src/policy/evaluate.js";
import { corpusDir, repoRoot } from "../support/corpus.js";

const mappingSchema = z.object({
  queries: z.record(
    z.string(),
    z.object({
      rules: z.array(z.string()),
      note: z.string().optional(),
      settings: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
const expectedSchema = z.array(
  z.object({ line: z.number(), filename: z.string().optional(), fileName: z.string().optional() }),
);

export interface QueryMeasure {
  query: string;
  rules: string[];
  categories: Category[];
  expectedLines: number;
  recalledLines: number;
  /** `file:line` of expected lines no mapped rule found. */
  missed: string[];
  /**
   * `file:line` of expected lines past the end of their file or on a blank line: nothing is
   * written there for any rule to report on (the peer's expectation is stale). Still counted in
   * `expectedLines` and `missed`; kept apart so the summary can say how many there are.
   */
  unwritten: string[];
  /** `file:line rule` of mapped-rule findings on negative fixtures. */
  falsePositives: string[];
  /** Of `missed`, the lines a mapped rule reports as "cannot tell" under `unknown_values: advisory`. */
  cannotTell: string[];
  /** `file:line rule` of mapped-rule "cannot tell" findings on negative fixtures under advisory. */
  cannotTellOnNegatives: string[];
  loadErrors: string[];
}

/** The innermost resource whose block contains the line. */
function resourceAt(resources: Resource[], file: string, line: number): Resource | undefined {
  let best: Resource | undefined;
  for (const r of resources) {
    if (r.file !== file || r.line > line || r.endLine < line) continue;
    if (!best || r.endLine - r.line < best.endLine - best.line) best = r;
  }
  return best;
}

/**
 * An expected line counts as recalled when a mapped rule reports that line, or reports the
 * resource whose block holds it: the peer points at a resource or attribute where we often
 * point at the exact element inside it (the `*` inside a heredoc policy).
 */
function recalled(line: number, file: string, resources: Resource[], findings: Finding[]): boolean {
  if (findings.some((f) => f.file === file && f.line === line)) return true;
  const owner = resourceAt(resources, file, line);
  return owner !== undefined && findings.some((f) => f.resource === owner.address);
}

export async function measurePeerFixtures(
  corpus: string,
  mappingFile: string,
  ruleSet: RuleSet,
): Promise<QueryMeasure[]> {
  const mapping = mappingSchema.parse(JSON.parse(await readFile(mappingFile, "utf8")));
  const categoryOf = new Map(ruleSet.rules.map((r) => [r.id, r.category]));
  const measures: QueryMeasure[] = [];
  for (const [query, { rules, settings }] of Object.entries(mapping.queries)) {
    if (rules.length === 0) continue;
    const dir = path.join(corpus, query, "test");
    const names = (await readdir(dir)).sort();
    const expected = expectedSchema.parse(
      JSON.parse(await readFile(path.join(dir, "positive_expected_result.json"), "utf8")),
    );
    const positives = names.filter(
      (n) => n.startsWith("positive") && !n.endsWith("expected_result.json"),
    );
    const negatives = names.filter(
      (n) =>
        (n.startsWith("negative") && !n.endsWith(".json")) ||
        (n.startsWith("negative") && n.endsWith(".json") && !n.includes("expected")),
    );
    const measure: QueryMeasure = {
      query,
      rules,
      categories: [
        ...new Set(
          rules.map((r) => categoryOf.get(r)).filter((c): c is Category => c !== undefined),
        ),
      ],
      expectedLines: 0,
      recalledLines: 0,
      missed: [],
      unwritten: [],
      falsePositives: [],
      cannotTell: [],
      cannotTellOnNegatives: [],
      loadErrors: [],
    };
    const scan = async (name: string) => {
      const text = await readFile(path.join(dir, name), "utf8");
      const model = loadModel([{ path: name, text }]);
      const written = text.split(/\r?\n/);
      const evaluated = ruleSet.evaluate(model.resources, settings);
      const advisory = ruleSet.evaluate(model.resources, {
        ...settings,
        unknown_values: "advisory",
      });
      measure.loadErrors.push(...model.errors.map((e) => `${e.file}:${e.line}: ${e.message}`));
      return {
        model,
        written,
        findings: evaluated.findings.filter((f) => rules.includes(f.rule)),
        cannotTell: advisory.findings.filter(
          (f) => rules.includes(f.rule) && f.unknown !== undefined,
        ),
      };
    };
    for (const name of positives) {
      const lines = expected
        .filter(
          (e) =>
            (e.filename ?? e.fileName ?? (positives.length === 1 ? name : "positive1.tf")) === name,
        )
        .map((e) => e.line);
      if (lines.length === 0) continue;
      const { model, written, findings, cannotTell } = await scan(name);
      for (const line of new Set(lines)) {
        measure.expectedLines += 1;
        if (recalled(line, name, model.resources, findings)) measure.recalledLines += 1;
        else {
          measure.missed.push(`${name}:${line}`);
          if (recalled(line, name, model.resources, cannotTell))
            measure.cannotTell.push(`${name}:${line}`);
        }
        if ((written[line - 1] ?? "").trim() === "") measure.unwritten.push(`${name}:${line}`);
      }
    }
    for (const name of negatives) {
      const { findings, cannotTell } = await scan(name);
      measure.falsePositives.push(...findings.map((f) => `${name}:${f.line} ${f.rule}`));
      measure.cannotTellOnNegatives.push(...cannotTell.map((f) => `${name}:${f.line} ${f.rule}`));
    }
    measures.push(measure);
  }
  return measures;
}

export function summarise(measures: QueryMeasure[]): string {
  const lines = ["query | rules | recall | false positives", "--- | --- | --- | ---"];
  for (const m of measures) {
    lines.push(
      `${m.query} | ${m.rules.join(" ")} | ${m.recalledLines}/${m.expectedLines}${m.missed.length ? ` (missed ${m.missed.join(", ")})` : ""} | ${m.falsePositives.length}${m.falsePositives.length ? ` (${m.falsePositives.join(", ")})` : ""}`,
    );
  }
  const byCategory = new Map<string, { expected: number; recalled: number; fp: number }>();
  for (const m of measures) {
    for (const c of m.categories) {
      const entry = byCategory.get(c) ?? { expected: 0, recalled: 0, fp: 0 };
      entry.expected += m.expectedLines;
      entry.recalled += m.recalledLines;
      entry.fp += m.falsePositives.length;
      byCategory.set(c, entry);
    }
  }
  lines.push("", "category | recall | false positives on negatives", "--- | --- | ---");
  for (const [c, e] of [...byCategory].sort()) {
    lines.push(
      `${c} | ${e.recalled}/${e.expected} (${((100 * e.recalled) / Math.max(1, e.expected)).toFixed(1)}%) | ${e.fp}`,
    );
  }
  const expected = measures.reduce((n, m) => n + m.expectedLines, 0);
  const recalledTotal = measures.reduce((n, m) => n + m.recalledLines, 0);
  const fps = measures.reduce((n, m) => n + m.falsePositives.length, 0);
  const unwritten = measures.flatMap((m) => m.unwritten.map((at) => `${m.query}/${at}`));
  const written = expected - unwritten.length;
  const cannotTell = measures.flatMap((m) => m.cannotTell.map((at) => `${m.query}/${at}`));
  const cannotTellOnNegatives = measures.flatMap((m) =>
    m.cannotTellOnNegatives.map((at) => `${m.query}/${at}`),
  );
  lines.push(
    "",
    `overall recall ${recalledTotal}/${expected} (${((100 * recalledTotal) / Math.max(1, expected)).toFixed(1)}%), ${fps} findings on negative fixtures`,
    `${unwritten.length} expected lines lie past the end of their file or on a blank line (${unwritten.join(", ")}); on the ${written} others, recall ${recalledTotal}/${written} (${((100 * recalledTotal) / Math.max(1, written)).toFixed(1)}%)`,
    `with unknown_values: advisory, ${cannotTell.length} missed lines get a "cannot tell" finding (advisory, not counted above)${cannotTell.length ? ` (${cannotTell.join(", ")})` : ""}, and negative fixtures get ${cannotTellOnNegatives.length}${cannotTellOnNegatives.length ? ` (${cannotTellOnNegatives.join(", ")})` : ""}`,
  );
  return lines.join("\n");
}

/** The built-in library against `../shared/corpus/kics` through `policies/kics-mapping.json`. */
export async function measureBuiltinLibrary(): Promise<QueryMeasure[]> {
  const ruleSet = await loadRuleSet(await loadPolicyBundle());
  return measurePeerFixtures(
    path.join(corpusDir, "kics"),
    path.join(repoRoot, "policies/kics-mapping.json"),
    ruleSet,
  );
}
