// The `tollgate` command line: finds the subcommand and turns its outcome into an exit code.
// Each subcommand lives in `commands/` and is listed once here.
import { EXIT_USAGE, UsageError, type CliIO, type Command } from "./command.js";
import { buildCommand } from "./commands/build.js";
import { diffCommand } from "./commands/diff.js";
import { inspectCommand } from "./commands/inspect.js";
import { scanCommand } from "./commands/scan.js";
import { testCommand } from "./commands/test.js";

const commands: Command[] = [scanCommand, diffCommand, inspectCommand, buildCommand, testCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["usage: tollgate <command> [options]", "", "commands:", ...lines, ""].join("\n");
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const out: CliIO = {
    stdout: io?.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io?.stderr ?? ((text) => process.stderr.write(text)),
    cwd: io?.cwd ?? process.cwd(),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    out.stdout(help());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    out.stderr(`tollgate: unknown command '${name}'\n\n${help()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, out);
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr(`tollgate ${name}: ${error.message}\n\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    out.stderr(`tollgate ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
}
