// `tollgate scan <paths...>`: evaluate every policy on the IaC below the paths; every finding
// counts as new, so the exit code says whether the gate would block this code as it stands.
import { EXIT_BLOCKED, EXIT_OK, UsageError, type Command } from "../command.js";
import { checked, formatSchema, parseFlags } from "../options.js";
import { parseArgs } from "node:util";
import { gateWithWaivers } from "../../gate/index.js";
import { engineFor, loadSettings, readPaths, render } from "../pipeline.js";

export const scanCommand: Command = {
  name: "scan",
  summary: "evaluate the policies on Terraform and CloudFormation files",
  usage:
    "tollgate scan <paths...> [--format text|json|sarif|markdown] [--config tollgate.yml] [--repository name] [--bundle bundle.tar.gz | --policies dir]",
  async run(args, io) {
    const { values, positionals } = parseFlags(() =>
      parseArgs({
        args,
        options: {
          format: { type: "string", default: "text" },
          config: { type: "string" },
          repository: { type: "string", default: "" },
          bundle: { type: "string" },
          policies: { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      }),
    );
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
      { files: snapshot.files, repository, now: new Date() },
    );
    io.stdout(render(decision, format));
    return decision.conclusion === "failure" ? EXIT_BLOCKED : EXIT_OK;
  },
};
