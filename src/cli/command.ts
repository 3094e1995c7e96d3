// What a CLI subcommand is: a name, a one-line summary, its usage, the options it accepts, and a
// run function that gets its own arguments and returns the exit code (0 ok, 1 gate blocked, 2 usage
// or fatal error).
import type { ParseArgsConfig } from "node:util";

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

/** node's parseArgs configuration of one option (@types/node does not export its name). */
type ParseArgsOption = NonNullable<ParseArgsConfig["options"]>[string];

/** One option: node's parseArgs configuration, and what `--help` says of it. */
export interface OptionSpec extends ParseArgsOption {
  /** The value's placeholder in the help (`dir`, `text|json`); a boolean flag has none. */
  value?: string;
  /** One line on what the option does. */
  description: string;
}

/** A command's options by long name. */
export type OptionTable = Record<string, OptionSpec>;

export interface Command {
  name: string;
  summary: string;
  /** The synopsis, one line per form, printed by `--help` and after every usage error. */
  usage: string[];
  /** Every option `run` parses: the parser reads this table and `--help` prints it. */
  options: OptionTable;
  run(args: string[], io: CliIO): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_USAGE = 2;
