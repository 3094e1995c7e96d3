// `tollgate test`: runs every rule of a policy folder on its own fixtures through the compiled
// Wasm (so a passing test is a policy that will run in the gate). A positive fixture marks each
// line that must carry a finding with `# tollgate:expect <rule-id>` (`# tollgate:expect <rule-id>
// low` when the rule's findings on that line must have that severity); JSON fixtures list them in
// `<name>.expect.json`; `fixtures/settings.json` holds the rule settings its fixtures run with.
// `# tollgate:none <rule-id>...` names other rules that must find nothing in the fixture, so one
// input pins what several rules leave to each other without a copy in each rule's folder.
// A fixture is one file, or a folder (`fixtures/positive_locked/`) whose files are scanned together
// as a repository of their own, for what one file cannot hold (a lock file beside its module).
// Fixtures that need other settings sit in a subfolder of another name with its own settings.json
// (`fixtures/unknown_advisory/`).
// A rule passes when it finds exactly the marked lines and nothing in negatives. The folder's
// `*_test.rego` files run beside them (rego-tests.ts); a rule without a positive fixture must be
// exercised by one of them instead.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { loadModel, type SourceFile } from "../iac/index.js";
import type { LoadError, Severity } from "../model/types.js";
import { ruleSettingsSchema } from "../config/index.js";
import { readBundle } from "./bundle.js";
import { bundleOf, type PolicySource } from "./build.js";
import { buildPolicyFolder } from "./library.js";
import { loadRuleSet, type RuleSet } from "./evaluate.js";
import type { RuleMetadata } from "./metadata.js";
import { readRegoTests, runRegoTests, type RegoTestOutcome } from "./rego-tests.js";

export interface FixtureFile {
  /** Path relative to the policy folder: a fixture file, or a fixture folder. */
  path: string;
  /** What is scanned: the fixture file, or every file of the folder with paths relative to it. */
  files: SourceFile[];
  /** A fixture folder, whose places name their file. */
  folder: boolean;
  /** Expected `rule-id` → places: a line (`"12"`), or `"<file>:<line>"` in a fixture folder. */
  expected: Map<string, string[]>;
  /** `rule-id` → place → the severity every finding of the rule there must have. */
  severities: Map<string, Map<string, Severity>>;
  /** Rules a `tollgate:none` marker names, which must find nothing here → where it names them. */
  silent: Map<string, MarkerPlace>;
  kind: "positive" | "negative";
  /** Rule settings for this fixture (`settings.json` of its folder), given as `data.tollgate.settings`. */
  settings?: Record<string, unknown>;
}

/** Where a marker stands: its file relative to the policy folder, line and column. */
export interface MarkerPlace {
  file: string;
  line: number;
  column: number;
}

export interface FixtureOutcome {
  rule: string;
  fixture: string;
  /** `negative` for a rule checked only because a `tollgate:none` marker names it. */
  kind: "positive" | "negative";
  /** `file:line` of the `tollgate:none` marker that names the rule, when one does. */
  silencedAt?: string;
  /** Places as in `FixtureFile.expected`. */
  expected: string[];
  found: string[];
  missing: string[];
  unexpected: string[];
  /** `12: low expected, critical found` for marked places whose findings have another severity. */
  wrongSeverities: string[];
  errors: LoadError[];
  passed: boolean;
  /** What the rules' `print` calls wrote on this fixture. */
  printed: string[];
}

const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const MARKER =
  /tollgate:expect\s+([A-Za-z][A-Za-z0-9_.-]*)(?:\s+(critical|high|medium|low|info)\b)?/g;
/** `tollgate:none` and the rule ids after it on its line (none at all is a mistake it reports). */
const NONE_MARKER = /tollgate:none((?:[ \t]+[A-Za-z][A-Za-z0-9_.-]*)*)/g;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const expectedFindingsSchema = z.array(
  z.object({
    rule: z.string(),
    line: z.number().int().positive(),
    severity: z.enum(SEVERITIES).optional(),
  }),
);
/** The list of expected findings, or an object that adds the rules that must find nothing. */
const expectFileSchema = z.union([
  expectedFindingsSchema,
  z
    .object({
      findings: expectedFindingsSchema.default([]),
      none: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/)).default([]),
    })
    .strict(),
]);

/** What a fixture expects: places by rule, the severity some must have, the rules that are silent. */
export interface Expectations {
  expected: Map<string, string[]>;
  severities: Map<string, Map<string, Severity>>;
  silent: Map<string, MarkerPlace>;
}

function noExpectations(): Expectations {
  return { expected: new Map(), severities: new Map(), silent: new Map() };
}

function fixtureError(place: MarkerPlace, message: string): LoadError {
  return { ...place, code: "fixture", message };
}

function addExpectation(
  into: Expectations,
  rule: string,
  place: string,
  severity: Severity | undefined,
): void {
  into.expected.set(rule, [...(into.expected.get(rule) ?? []), place]);
  if (severity === undefined) return;
  into.severities.set(rule, (into.severities.get(rule) ?? new Map()).set(place, severity));
}

/**
 * The markers of a file (`file`, relative to the policy folder): marked places are its line
 * numbers, prefixed with `prefix` inside a fixture folder. A `tollgate:none` naming no rule is
 * reported in `errors`.
 */
export function parseMarkers(
  text: string,
  file: string,
  errors: LoadError[],
  prefix = "",
  into = noExpectations(),
): Expectations {
  text.split("\n").forEach((line, index) => {
    for (const match of line.matchAll(MARKER))
      addExpectation(
        into,
        match[1] as string,
        `${prefix}${index + 1}`,
        match[2] as Severity | undefined,
      );
    for (const match of line.matchAll(NONE_MARKER)) {
      const place = { file, line: index + 1, column: match.index + 1 };
      const rules = (match[1] ?? "").trim().split(/\s+/).filter(Boolean);
      if (rules.length === 0) errors.push(fixtureError(place, "tollgate:none names no rule"));
      for (const rule of rules) if (!into.silent.has(rule)) into.silent.set(rule, place);
    }
  });
  return into;
}

/** A rule a fixture both expects and names in `tollgate:none` is a mistake in the fixture. */
function contradictions(expectations: Expectations): LoadError[] {
  return [...expectations.silent]
    .filter(([rule]) => expectations.expected.has(rule))
    .map(([rule, place]) =>
      fixtureError(place, `tollgate:none names ${rule}, which the fixture expects to find`),
    );
}

/** Line of the first occurrence of `needle` at or after `from` in `text` (1 when absent). */
function lineOf(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}

/** Line numbers in order, and `file:line` places by file then line. */
function comparePlaces(a: string, b: string): number {
  const cut = (place: string) => {
    const colon = place.lastIndexOf(":");
    return [place.slice(0, colon + 1), Number(place.slice(colon + 1))] as const;
  };
  const [fileA, lineA] = cut(a);
  const [fileB, lineB] = cut(b);
  return fileA < fileB ? -1 : fileA > fileB ? 1 : lineA - lineB;
}

/** Every file below a fixture folder, with paths relative to it. */
async function readFixtureFolder(folder: string): Promise<SourceFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: SourceFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(folder, full).split(path.sep).join("/");
    files.push({ path: relative, text: await readFile(full, "utf8") });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Whether a folder holds fixtures: a rule's `fixtures/`, or a settings subfolder right inside it
 * (`fixtures/unknown_advisory/`), named unlike a fixture folder (`positive*`, `negative*`).
 */
function holdsFixtures(folder: string): boolean {
  const name = path.basename(folder);
  if (name === "fixtures") return true;
  return (
    path.basename(path.dirname(folder)) === "fixtures" &&
    !name.startsWith("positive") &&
    !name.startsWith("negative")
  );
}

/** Every `positive*` and `negative*` file or folder of a rule's `fixtures/` or its settings subfolders. */
export async function readFixtures(
  dir: string,
): Promise<{ fixtures: FixtureFile[]; errors: LoadError[] }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const fixtures: FixtureFile[] = [];
  const errors: LoadError[] = [];
  for (const entry of entries) {
    const isFolder = entry.isDirectory();
    if ((!entry.isFile() && !isFolder) || !holdsFixtures(entry.parentPath)) continue;
    const kind = entry.name.startsWith("positive")
      ? "positive"
      : entry.name.startsWith("negative")
        ? "negative"
        : undefined;
    if (!kind || entry.name.endsWith(".expect.json") || entry.name === "settings.json") continue;
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, full).split(path.sep).join("/");
    let files: SourceFile[];
    let expectations: Expectations;
    if (isFolder) {
      files = await readFixtureFolder(full);
      expectations = noExpectations();
      for (const file of files)
        parseMarkers(file.text, `${relative}/${file.path}`, errors, `${file.path}:`, expectations);
    } else {
      files = [{ path: relative, text: await readFile(full, "utf8") }];
      expectations = parseMarkers(files[0]?.text ?? "", relative, errors);
    }
    if (!isFolder && entry.name.endsWith(".json")) {
      const expectPath = full.replace(/\.json$/, ".expect.json");
      const expectFile = relative.replace(/\.json$/, ".expect.json");
      const raw = await readFile(expectPath, "utf8").catch(() => undefined);
      if (raw !== undefined) {
        const parsed = expectFileSchema.safeParse(safeJson(raw));
        if (!parsed.success) {
          errors.push(
            fixtureError(
              { file: expectFile, line: 1, column: 1 },
              parsed.error.issues[0]?.message ?? "invalid",
            ),
          );
          continue;
        }
        const { findings, none } = Array.isArray(parsed.data)
          ? { findings: parsed.data, none: [] }
          : parsed.data;
        expectations = noExpectations();
        for (const { rule, line, severity } of findings)
          addExpectation(expectations, rule, String(line), severity);
        const noneAt = raw.indexOf('"none"');
        for (const rule of none)
          expectations.silent.set(rule, {
            file: expectFile,
            line: lineOf(raw, JSON.stringify(rule), noneAt),
            column: 1,
          });
      }
    }
    errors.push(...contradictions(expectations));
    const settingsPath = path.join(entry.parentPath, "settings.json");
    const settingsText = await readFile(settingsPath, "utf8").catch(() => undefined);
    let settings: Record<string, unknown> | undefined;
    if (settingsText !== undefined) {
      // The options `rule_settings` accepts, checked as the settings file checks them.
      const parsed = ruleSettingsSchema.safeParse(safeJson(settingsText));
      if (!parsed.success) {
        const file = path.relative(dir, settingsPath).split(path.sep).join("/");
        const issue = parsed.error.issues[0];
        errors.push({
          file,
          line: 1,
          column: 1,
          code: "fixture",
          message:
            issue?.code === "unrecognized_keys"
              ? `settings.json: unknown rule setting ${issue.keys.map((k) => `'${k}'`).join(", ")} (a custom rule's options go under custom)`
              : issue?.code === "invalid_type" && issue.path.length === 0
                ? "settings.json must hold a JSON object"
                : `settings.json: ${issue?.path.map(String).join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
        });
        continue;
      }
      settings = parsed.data;
    }
    fixtures.push({
      path: relative,
      files,
      folder: isFolder,
      ...expectations,
      kind,
      ...(settings ? { settings } : {}),
    });
  }
  return { fixtures: fixtures.sort((a, b) => a.path.localeCompare(b.path)), errors };
}

/** The rule a fixture belongs to: the one whose folder holds its `fixtures/` folder. */
function ownerOf(fixture: FixtureFile, ruleDirs: Map<string, string>): string | undefined {
  const rooted = `/${fixture.path}`;
  const fixtures = rooted.lastIndexOf("/fixtures/");
  return fixtures < 0 ? undefined : ruleDirs.get(rooted.slice(1, fixtures) || ".");
}

export function runFixtures(
  ruleSet: RuleSet,
  fixtures: FixtureFile[],
  ruleDirs: Map<string, string>,
): FixtureOutcome[] {
  const outcomes: FixtureOutcome[] = [];
  const knownRules = new Set(ruleDirs.values());
  for (const fixture of fixtures) {
    const owner = ownerOf(fixture, ruleDirs);
    const model = loadModel(fixture.files);
    const evaluated = ruleSet.evaluate(model.resources, fixture.settings);
    const rules = new Set([
      ...(owner ? [owner] : []),
      ...fixture.expected.keys(),
      ...fixture.silent.keys(),
    ]);
    for (const rule of rules) {
      const silencedBy = fixture.silent.get(rule);
      const onlySilenced = rule !== owner && !fixture.expected.has(rule);
      const kind = onlySilenced ? "negative" : fixture.kind;
      const expected = [...new Set(fixture.expected.get(rule) ?? [])].sort(comparePlaces);
      const placeOf = (f: { file: string; line: number }) =>
        fixture.folder ? `${f.file}:${f.line}` : String(f.line);
      const findings = evaluated.findings.filter((f) => f.rule === rule);
      const found = [...new Set(findings.map(placeOf))].sort(comparePlaces);
      const missing = expected.filter((place) => !found.includes(place));
      const unexpected = found.filter((place) => !expected.includes(place));
      const wrongSeverities = [...(fixture.severities.get(rule) ?? [])].flatMap(
        ([place, severity]) => {
          const other = new Set(
            findings
              .filter((f) => placeOf(f) === place && f.severity !== severity)
              .map((f) => f.severity),
          );
          return other.size === 0
            ? []
            : [`${place}: ${severity} expected, ${[...other].join(", ")} found`];
        },
      );
      const errors = [...model.errors, ...evaluated.errors];
      if (silencedBy && !knownRules.has(rule))
        errors.push(
          fixtureError(silencedBy, `tollgate:none names ${rule}, which no rule of the folder has`),
        );
      outcomes.push({
        rule,
        fixture: fixture.path,
        kind,
        ...(silencedBy ? { silencedAt: `${silencedBy.file}:${silencedBy.line}` } : {}),
        expected,
        found,
        missing,
        unexpected,
        wrongSeverities,
        errors,
        printed: evaluated.printed,
        passed:
          missing.length === 0 &&
          unexpected.length === 0 &&
          wrongSeverities.length === 0 &&
          errors.length === 0 &&
          (kind === "negative" || expected.length > 0),
      });
    }
  }
  return outcomes;
}

export type PolicyFolderRun =
  | {
      ok: false;
      errors: LoadError[];
      /** The compiler's warnings found before the policies failed to compile. */
      warnings: LoadError[];
    }
  | {
      ok: true;
      rules: RuleMetadata[];
      outcomes: FixtureOutcome[];
      /** Rules no positive fixture exercises, with the Rego test files that cover them instead. */
      withoutFixtures: { rule: RuleMetadata; regoTestFiles: string[] }[];
      /** Rules neither a positive fixture nor a Rego test exercises: a failure too. */
      untested: RuleMetadata[];
      /** `test_*` rules of the folder's `*_test.rego` files (rego-tests.ts). */
      regoTests: RegoTestOutcome[];
      /** Unreadable fixtures or expectation files; test files that do not compile. */
      errors: LoadError[];
      /** The compiler's warnings on the policies and the test files: printed, never a failure. */
      warnings: LoadError[];
    };

/**
 * Compile a policy folder (a custom one with the built-in helpers, policy/library.ts) and run every
 * rule on its fixtures: `tollgate test` and the suite.
 */
export async function runPolicyFolder(dir: string): Promise<PolicyFolderRun> {
  const { result: built } = await buildPolicyFolder(dir);
  if (!built.ok) return built;
  const { rules, ruleFiles } = built.built;
  const ruleSet = await loadRuleSet(await readBundle(await bundleOf(built.built)));
  const ruleDirs = new Map(
    rules.map((rule) => [path.posix.dirname(ruleFiles[rule.entrypoint] ?? ""), rule.id]),
  );
  const { fixtures, errors } = await readFixtures(dir);
  const outcomes = runFixtures(ruleSet, fixtures, ruleDirs);
  const testSources = await readRegoTests(dir);
  const regoTests = await runRegoTests(built.built.sources, testSources, built.built.data);
  const withoutFixtures = rules
    .filter((rule) => !outcomes.some((o) => o.rule === rule.id && o.kind === "positive"))
    .map((rule) => ({
      rule,
      regoTestFiles: coveringTestFiles(
        rule,
        ruleFiles[rule.entrypoint] ?? "",
        testSources,
        regoTests.outcomes,
      ),
    }));
  return {
    ok: true,
    rules,
    outcomes,
    withoutFixtures,
    untested: withoutFixtures.filter((w) => w.regoTestFiles.length === 0).map((w) => w.rule),
    regoTests: regoTests.outcomes,
    errors: [...ruleSet.errors, ...errors, ...regoTests.errors],
    warnings: [...built.warnings, ...regoTests.warnings],
  };
}

/**
 * The `_test.rego` files whose tests (one at least runs, not `todo_`) exercise a rule: a file in the
 * rule's folder, of its package or `<package>_test`, or one that refers to `data.<package>`.
 */
function coveringTestFiles(
  rule: RuleMetadata,
  ruleFile: string,
  tests: readonly PolicySource[],
  outcomes: readonly RegoTestOutcome[],
): string[] {
  const pkg = rule.entrypoint.split("/").slice(0, -1).join(".");
  const reference = new RegExp(`\\bdata\\.${pkg.replaceAll(".", "\\.")}(?![\\w])`);
  const ruleDir = path.posix.dirname(ruleFile);
  return tests
    .filter((test) => {
      const ran = outcomes.filter((o) => o.file === test.path && o.status !== "skipped");
      if (ran.length === 0) return false;
      const testPkg = (ran[0]?.name ?? "").split(".").slice(1, -1).join(".");
      return (
        path.posix.dirname(test.path) === ruleDir ||
        testPkg === pkg ||
        testPkg === `${pkg}_test` ||
        reference.test(test.text)
      );
    })
    .map((test) => test.path);
}
