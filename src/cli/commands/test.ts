// `tollgate test [dir]`: every rule against its positive and negative fixtures, evaluated through
// the Wasm our compiler builds, printed as a table; exit 1 when any rule misses or over-reports.
import path from "node:path";
import { readBundle } from "../../policy/bundle.js";
import { buildPolicies, bundleOf, readPolicySources } from "../../policy/build.js";
import { loadRuleSet } from "../../policy/evaluate.js";
import { readFixtures, runFixtures } from "../../policy/fixtures.js";
import { formatLoadError } from "../../report/index.js";
import { EXIT_BLOCKED, EXIT_OK, EXIT_USAGE, UsageError, type Command } from "../command.js";
import { parseFlags } from "../options.js";
import { parseArgs } from "node:util";
import { BUILTIN_POLICY_DIR } from "../../engine/index.js";

export const testCommand: Command = {
  name: "test",
  summary: "run each rule on its fixtures through the compiled Wasm",
  usage: "tollgate test [dir]",
  async run(args, io) {
    const { positionals } = parseFlags(() =>
      parseArgs({ args, options: {}, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 1) throw new UsageError("give at most one policy folder");
    const dir = positionals[0] ? path.resolve(io.cwd, positionals[0]) : BUILTIN_POLICY_DIR;
    const sources = await readPolicySources(dir);
    if (sources.length === 0) throw new UsageError(`no .rego files in ${dir}`);
    const built = await buildPolicies(sources);
    if (!built.ok) {
      for (const error of built.errors) io.stderr(formatLoadError(error) + "\n");
      return EXIT_USAGE;
    }
    const ruleSet = await loadRuleSet(await readBundle(await bundleOf(built.built)));
    const ruleDirs = new Map(
      built.built.rules.map((rule) => [
        path.posix.dirname(built.built.ruleFiles[rule.entrypoint] ?? ""),
        rule.id,
      ]),
    );
    const { fixtures, errors } = await readFixtures(dir);
    for (const error of errors) io.stderr(formatLoadError(error) + "\n");
    const outcomes = runFixtures(ruleSet, fixtures, ruleDirs);
    const width = Math.max(4, ...outcomes.map((o) => o.rule.length));
    const fileWidth = Math.max(7, ...outcomes.map((o) => o.fixture.length));
    io.stdout(`${"rule".padEnd(width)}  ${"fixture".padEnd(fileWidth)}  result\n`);
    for (const outcome of outcomes) {
      const detail = outcome.passed
        ? `ok (${outcome.found.length} finding${outcome.found.length === 1 ? "" : "s"})`
        : [
            outcome.kind === "positive" && outcome.expected.length === 0 ? "no expect markers" : "",
            outcome.missing.length ? `missing lines ${outcome.missing.join(", ")}` : "",
            outcome.unexpected.length ? `unexpected lines ${outcome.unexpected.join(", ")}` : "",
            ...outcome.errors.map(formatLoadError),
          ]
            .filter(Boolean)
            .join("; ");
      io.stdout(
        `${outcome.rule.padEnd(width)}  ${outcome.fixture.padEnd(fileWidth)}  ${outcome.passed ? "" : "FAIL "}${detail}\n`,
      );
    }
    const untested = built.built.rules.filter(
      (rule) => !outcomes.some((o) => o.rule === rule.id && o.kind === "positive"),
    );
    for (const rule of untested)
      io.stdout(
        `${rule.id.padEnd(width)}  ${"(none)".padEnd(fileWidth)}  FAIL no positive fixture\n`,
      );
    const failed = outcomes.filter((o) => !o.passed).length + untested.length + errors.length;
    io.stdout(
      `\n${outcomes.length - outcomes.filter((o) => !o.passed).length} passed, ${failed} failed\n`,
    );
    return failed === 0 ? EXIT_OK : EXIT_BLOCKED;
  },
};
