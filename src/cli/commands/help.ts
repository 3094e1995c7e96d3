// `tollgate help [command]` (or `--help`, `-h`): the list of commands, or one command's usage and
// options, as `tollgate <command> --help` prints them.
import { EXIT_OK, UsageError, type Command } from "../command.js";
import { commandHelp, overview } from "../help.js";
import { defineCommand } from "../options.js";

/** The help command over `commands`, the CLI's list, which holds it too. */
export function helpCommand(commands: readonly Command[]): Command {
  return defineCommand({
    name: "help",
    summary: "print a command's usage and options (also tollgate <command> --help)",
    usage: ["tollgate help [command]"],
    options: {},
    allowPositionals: true,
    async run({ positionals }, io) {
      if (positionals.length > 1) throw new UsageError("give at most one command");
      const [name] = positionals;
      if (name === undefined) {
        io.stdout(overview(commands));
        return EXIT_OK;
      }
      const command = commands.find((c) => c.name === name);
      if (!command) throw new UsageError(`unknown command '${name}'`);
      io.stdout(commandHelp(command));
      return EXIT_OK;
    },
  });
}
