// `tollgate build <dir> -o bundle.tar.gz`: compiles a policy folder with our Rego compiler into
// the bundle layout `opa build -t wasm` writes, loadable by Tollgate and by OPA's Wasm SDKs. A
// custom folder compiles with the built-in helpers, as the app compiles it (policy/library.ts).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleOf, regoSources } from "../../policy/build.js";
import { buildPolicyFolder } from "../../policy/library.js";
import { formatLoadError } from "../../report/index.js";
import { EXIT_OK, EXIT_USAGE, UsageError } from "../command.js";
import { defineCommand } from "../options.js";
import { namedFromCwd } from "../pipeline.js";

export const buildCommand = defineCommand({
  name: "build",
  summary: "compile a policy folder into an OPA Wasm bundle",
  usage: ["tollgate build <dir> [-o <file>]"],
  options: {
    output: {
      type: "string",
      short: "o",
      default: "bundle.tar.gz",
      value: "file",
      description: "where to write the bundle",
    },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError("give exactly one policy folder");
    const dir = path.resolve(io.cwd, positionals[0] as string);
    const { sources, result: built } = await buildPolicyFolder(dir);
    if (regoSources(sources).length === 0)
      throw new UsageError(`no .rego files in ${positionals[0]}`);
    // Errors, then warnings, whether or not the build failed, as `tollgate test` prints them.
    const problems = built.ok ? built.warnings : [...built.errors, ...built.warnings];
    for (const problem of namedFromCwd(problems, dir, io.cwd))
      io.stderr(formatLoadError(problem) + "\n");
    if (!built.ok) return EXIT_USAGE;
    const output = path.resolve(io.cwd, values.output);
    await writeFile(output, await bundleOf(built.built));
    io.stdout(
      `wrote ${values.output}: ${built.built.rules.length} rules, ${built.built.wasm.byteLength} bytes of Wasm\n`,
    );
    return EXIT_OK;
  },
});
