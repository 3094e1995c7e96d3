// `tollgate scan <paths...>`: evaluate every policy on the IaC below the paths; every finding
// counts as new, so the exit code says whether the gate would block this code as it stands.
import { EXIT_BLOCKED, EXIT_OK, UsageError } from "../command.js";
import { checked, formatSchema, gateOptions, defineCommand } from "../options.js";
import { gateWithWaivers } from "../../gate/index.js";
import { evaluatedRuleIds } from "../../engine/index.js";
import { engineFor, loadSettings, readPaths, render } from "../pipeline.js";

export const scanCommand = defineCommand({
  name: "scan",
  summary: "evaluate the policies on Terraform and CloudFormation files",
  usage: ["tollgate scan <paths...> [options]"],
  options: gateOptions,
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError("give at least one file or folder to scan");
    const format = checked(formatSchema, values.format, "--format");
    const repository = { name: values.repository, topics: [] };
    const settings = await loadSettings(values.config, io.cwd, repository);
    const engine = await engineFor(values, io.cwd);
    const snapshot = await readPaths(positionals, io.cwd);
    const result = await engine.scan(snapshot.files, { ruleSettings: settings.ruleSettings });
    const decision = gateWithWaivers(
      result.findings.map((f) => ({ ...f, status: "new" as const })),
      [...snapshot.errors, ...result.errors],
      settings,
      { files: snapshot.files, repository, now: new Date(), knownRules: evaluatedRuleIds(engine) },
    );
    io.stdout(render(decision, format));
    return decision.conclusion === "failure" ? EXIT_BLOCKED : EXIT_OK;
  },
});
