// `tollgate test [dir]` (the built-in library, policies/, without a dir): every rule against its
// positive and negative fixtures, evaluated through the Wasm our compiler builds, then every
// `test_*` rule of the `*_test.rego` files, printed as tables; exit 1 when any rule misses or
// over-reports, any Rego test fails or errors, or a rule has neither a positive fixture nor a Rego
// test. A test's or fixture row's `print` output follows it when it did not pass, or always with
// --verbose (as `opa test`).
import path from "node:path";
import { readPolicySources, regoSources } from "../../policy/build.js";
import { runPolicyFolder, type FixtureOutcome } from "../../policy/fixtures.js";
import { formatLoadError } from "../../report/index.js";
import { EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError } from "../command.js";
import { defineCommand } from "../options.js";
import { namedFromCwd } from "../pipeline.js";
import type { LoadError } from "../../model/types.js";
import { readRegoTests, type RegoTestOutcome } from "../../policy/rego-tests.js";
import { BUILTIN_POLICY_DIR } from "../../engine/index.js";

export const testCommand = defineCommand({
  name: "test",
  summary:
    "run each rule on its fixtures, and the *_test.rego tests, through the Wasm (no dir: the built-in library)",
  usage: ["tollgate test [dir] [-v]"],
  options: {
    verbose: {
      type: "boolean",
      short: "v",
      description:
        "print what each test's and fixture's print calls wrote, not only a failed one's",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const verbose = values.verbose === true;
    if (positionals.length > 1) throw new UsageError("give at most one policy folder");
    const dir = positionals[0] ? path.resolve(io.cwd, positionals[0]) : BUILTIN_POLICY_DIR;
    const sources = regoSources(await readPolicySources(dir));
    if (sources.length === 0 && (await readRegoTests(dir)).length === 0)
      throw new UsageError(`no .rego files in ${dir}`);
    const run = await runPolicyFolder(dir);
    // Errors name the folder's files from where the command ran; the tables, below the folder.
    const named = (problems: readonly LoadError[]) => namedFromCwd(problems, dir, io.cwd);
    for (const error of named(run.errors)) io.stderr(formatLoadError(error) + "\n");
    for (const warning of named(run.warnings)) io.stderr(formatLoadError(warning) + "\n");
    if (!run.ok) return EXIT_USAGE;
    const { outcomes, untested } = run;
    // A folder of tests alone (no rule, no fixture) has no fixture table, as `opa test` runs it.
    const testsOnly = run.rules.length === 0 && outcomes.length === 0 && run.errors.length === 0;
    if (testsOnly && run.regoTests.length > 0) {
      const regoFailed = printRegoTests(run.regoTests, io.stdout, verbose);
      return regoFailed === 0 ? EXIT_OK : EXIT_BLOCKED;
    }
    const width = Math.max(
      4,
      ...outcomes.map((o) => o.rule.length),
      ...run.withoutFixtures.map((w) => w.rule.id.length),
    );
    const fileWidth = Math.max(7, ...outcomes.map((o) => o.fixture.length));
    io.stdout(`${"rule".padEnd(width)}  ${"fixture".padEnd(fileWidth)}  result\n`);
    for (const outcome of outcomes) {
      const detail = outcome.passed
        ? `ok (${outcome.found.length} finding${outcome.found.length === 1 ? "" : "s"})`
        : [
            outcome.kind === "positive" && outcome.expected.length === 0 ? noMarker(outcome) : "",
            outcome.missing.length ? `missing lines ${outcome.missing.join(", ")}` : "",
            outcome.unexpected.length === 0
              ? ""
              : outcome.silencedAt === undefined
                ? `unexpected lines ${outcome.unexpected.join(", ")}`
                : `${outcome.rule} fires at ${outcome.unexpected.map((place) => placeIn(outcome, place)).join(", ")}, though tollgate:none at ${outcome.silencedAt} says it must not`,
            outcome.wrongSeverities.length
              ? `severity on line ${outcome.wrongSeverities.join("; ")}`
              : "",
            ...named(outcome.errors).map(formatLoadError),
          ]
            .filter(Boolean)
            .join("; ");
      io.stdout(
        `${outcome.rule.padEnd(width)}  ${outcome.fixture.padEnd(fileWidth)}  ${outcome.passed ? "" : "FAIL "}${detail}\n`,
      );
      if (verbose || !outcome.passed)
        for (const line of outcome.printed.flatMap((text) => text.split("\n")))
          io.stdout(`  ${line}\n`);
    }
    for (const { rule, regoTestFiles } of run.withoutFixtures)
      io.stdout(
        `${rule.id.padEnd(width)}  ${"(none)".padEnd(fileWidth)}  ${
          regoTestFiles.length === 0
            ? "FAIL no positive fixture and no Rego test"
            : `ok (no fixture; Rego tests in ${regoTestFiles.join(", ")})`
        }\n`,
      );
    // A count per row above, where a rule its Rego tests cover passes; an error on stderr fails.
    const fixturesPassed = outcomes.filter((o) => o.passed).length;
    const covered = run.withoutFixtures.length - untested.length;
    const failed = outcomes.length - fixturesPassed + untested.length + run.errors.length;
    io.stdout(`\n${fixturesPassed + covered} passed, ${failed} failed\n`);
    if (run.regoTests.length > 0) io.stdout("\n");
    const regoFailed = printRegoTests(run.regoTests, io.stdout, verbose);
    return failed === 0 && regoFailed === 0 ? EXIT_OK : EXIT_BLOCKED;
  },
});

/** What a positive fixture without any expected finding lacks, and how to write it. */
function noMarker(outcome: FixtureOutcome): string {
  const comment = `end each line ${outcome.rule} must report with # tollgate:expect ${outcome.rule}`;
  return outcome.fixture.endsWith(".json")
    ? `no expected finding (list them in ${outcome.fixture.replace(/\.json$/, ".expect.json")})`
    : `no tollgate:expect marker (${comment})`;
}

/** A place of an outcome (`12`, or `a.tf:12` in a fixture folder) as `file:line` from the policy folder. */
function placeIn(outcome: FixtureOutcome, place: string): string {
  return /^\d+$/.test(place) ? `${outcome.fixture}:${place}` : `${outcome.fixture}/${place}`;
}

/**
 * The Rego tests' table and summary (nothing without tests); returns how many failed or errored.
 * Under a test's row, indented, the lines its `print` calls wrote: when it did not pass, or
 * always when verbose.
 */
function printRegoTests(
  tests: RegoTestOutcome[],
  stdout: (text: string) => void,
  verbose: boolean,
): number {
  if (tests.length === 0) return 0;
  const width = Math.max(9, ...tests.map((t) => t.name.length));
  const places = tests.map((t) => `${t.file}:${t.line}`);
  const placeWidth = Math.max(8, ...places.map((p) => p.length));
  stdout(`${"rego test".padEnd(width)}  ${"location".padEnd(placeWidth)}  result\n`);
  const label = { passed: "ok", failed: "FAIL", errored: "ERROR", skipped: "SKIPPED" };
  tests.forEach((test, index) => {
    const detail = test.detail === undefined ? "" : ` ${test.detail}`;
    stdout(
      `${test.name.padEnd(width)}  ${(places[index] ?? "").padEnd(placeWidth)}  ${label[test.status]}${detail}\n`,
    );
    if (verbose || test.status !== "passed")
      for (const line of (test.printed ?? []).flatMap((text) => text.split("\n")))
        stdout(`  ${line}\n`);
  });
  const count = (status: RegoTestOutcome["status"]) =>
    tests.filter((t) => t.status === status).length;
  stdout(
    `\n${count("passed")} passed, ${count("failed")} failed, ${count("errored")} errored, ${count("skipped")} skipped\n`,
  );
  return count("failed") + count("errored");
}
