// `tollgate inspect <paths...>`: prints the resource model exactly as policies receive it in
// `input`, so policy authors can see what their Rego works on; the text form lists resources,
// with the Terraform blocks whose number a `for_each` Tollgate cannot know decides. Terraform roots
// are read with the `--var-file`s a scan would be given; a root evaluated per workspace
// (`Resource.workspace`) lists each world's resources with its condition, in both forms.
import { loadModel } from "../../iac/index.js";
import { isWarning, policyInput, qualifiedAddress } from "../../model/index.js";
import { formatLoadError } from "../../report/index.js";
import { EXIT_OK, EXIT_USAGE, UsageError } from "../command.js";
import {
  checked,
  defineCommand,
  gateOptions,
  parameterFilesOf,
  variableFilesOf,
} from "../options.js";
import { readPaths, withGivenFiles } from "../pipeline.js";
import { z } from "zod";

const formatSchema = z.enum(["text", "json"]);

export const inspectCommand = defineCommand({
  name: "inspect",
  summary: "print the resource model policies receive as input",
  usage: [
    "tollgate inspect <paths...> [--format text|json] [--var-file <path>]... [--parameter-file <path>]...",
  ],
  options: {
    format: {
      type: "string",
      default: "text",
      value: "format",
      description: "text: a line per resource; json: the policies' input and errors",
    },
    "var-file": gateOptions["var-file"],
    "parameter-file": gateOptions["parameter-file"],
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0)
      throw new UsageError("give at least one file or folder to inspect");
    const format = checked(formatSchema, values.format, "--format");
    const parameterFiles = parameterFilesOf(values, {});
    const snapshot = await withGivenFiles(
      await readPaths(positionals, io.cwd),
      parameterFiles["*"] ?? [],
      io.cwd,
    );
    const model = loadModel(
      snapshot.files,
      {
        rootVariableFiles: variableFilesOf(values, {}),
        ...(snapshot.listing ? { listing: snapshot.listing } : {}),
      },
      { parameterFiles },
    );
    const problems = [...snapshot.errors, ...model.errors];
    const errors = problems.filter((problem) => !isWarning(problem));
    const warnings = problems.filter(isWarning);
    if (format === "json") {
      // Each world of a workspace root is judged alone: its resources say which it is, a field
      // policies do not receive (their input holds one world's resources).
      const input = policyInput(model.resources).resources.map((entry, i) => {
        const workspace = model.resources[i]?.workspace;
        return workspace === undefined ? entry : { ...entry, workspace };
      });
      const report = { input: { resources: input }, errors, warnings };
      io.stdout(JSON.stringify(report, null, 2) + "\n");
    } else {
      for (const resource of model.resources) {
        const kind =
          resource.mode === "module" ? `module ${resource.moduleSource ?? ""}` : resource.type;
        const world = resource.workspace === undefined ? "" : `  when ${resource.workspace}`;
        io.stdout(
          `${resource.file}:${resource.line}  ${qualifiedAddress(resource)}  (${kind})${world}\n`,
        );
        for (const [pointer, expression] of Object.entries(resource.unknownForEach ?? {}))
          io.stdout(`  ${pointer}  none or several, for_each = ${expression}\n`);
      }
      for (const problem of problems) io.stderr(formatLoadError(problem) + "\n");
    }
    return errors.length > 0 && model.resources.length === 0 ? EXIT_USAGE : EXIT_OK;
  },
});
