// The `tollgate` command line: finds the subcommand, answers `--help` for any of them from its
// option table, and turns its outcome into an exit code. Each subcommand lives in `commands/` and
// is listed once here.
import { EXIT_OK, EXIT_USAGE, UsageError, type CliIO, type Command } from "./command.js";
import { buildCommand } from "./commands/build.js";
import { diffCommand } from "./commands/diff.js";
import { helpCommand } from "./commands/help.js";
import { inspectCommand } from "./commands/inspect.js";
import { scanCommand } from "./commands/scan.js";
import { testCommand } from "./commands/test.js";
import { versionCommand } from "./commands/version.js";
import { asksForHelp, commandHelp, overview, usageText } from "./help.js";

export const commands: Command[] = [
  scanCommand,
  diffCommand,
  inspectCommand,
  buildCommand,
  testCommand,
  versionCommand,
];
commands.push(helpCommand(commands));

/** The flags that stand for a command in the first place. */
const commandFlags = new Map([
  ["--help", "help"],
  ["-h", "help"],
  ["--version", "version"],
  ["-V", "version"],
]);

/**
 * A reader that goes away (`| head`, a pager quit early) ends only the output: the command still
 * finishes and exits with the status it decided, without an unhandled 'error' stack trace.
 */
export function endOutputQuietly(stream: NodeJS.EventEmitter): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const out: CliIO = {
    stdout: io?.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io?.stderr ?? ((text) => process.stderr.write(text)),
    cwd: io?.cwd ?? process.cwd(),
  };
  const [first, ...rest] = argv;
  if (first === undefined) {
    out.stdout(overview(commands));
    return EXIT_USAGE;
  }
  const name = commandFlags.get(first) ?? first;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    out.stderr(`tollgate: unknown command '${name}'\n\n${overview(commands)}`);
    return EXIT_USAGE;
  }
  if (asksForHelp(rest)) {
    out.stdout(commandHelp(command));
    return EXIT_OK;
  }
  try {
    return await command.run(rest, out);
  } catch (error) {
    if (error instanceof UsageError) {
      const more = Object.keys(command.options).length > 0;
      out.stderr(
        `tollgate ${name}: ${error.message}\n\n${usageText(command)}\n` +
          (more ? `tollgate ${name} --help describes its options\n` : ""),
      );
      return EXIT_USAGE;
    }
    out.stderr(`tollgate ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
}
