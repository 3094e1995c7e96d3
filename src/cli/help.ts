// What `tollgate --help`, `tollgate <command> --help` and usage errors print, all from each
// command's own `usage` and option table, so the help and the parser cannot disagree.
import type { Command, OptionSpec } from "./command.js";

/** The flags that ask for help instead of a run, anywhere before a `--`. */
const HELP_FLAGS = ["--help", "-h"];

const helpLine: OptionSpec = { type: "boolean", short: "h", description: "print this help" };

/**
 * Whether `args` ask for help. A strict parse never takes `--help` or `-h` as an option's value
 * (it calls that ambiguous), so the flag means help wherever it stands before `--`.
 */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.includes(arg));
}

/** The command's synopsis, one line per form. */
export function usageText(command: Command): string {
  return `usage: ${command.usage.join("\n       ")}`;
}

/** `tollgate <command> --help`: synopsis, summary, and one line per option with its default. */
export function commandHelp(command: Command): string {
  const options = [...Object.entries(command.options), ["help", helpLine] as const];
  const flags = options.map(([name, option]) => {
    const short = option.short === undefined ? "    " : `-${option.short}, `;
    return `${short}--${name}${option.value === undefined ? "" : ` <${option.value}>`}`;
  });
  const width = Math.max(...flags.map((flag) => flag.length));
  const lines = options.map(([, option], index) => {
    // An empty default is the same as none: the help would print `(default: )`.
    const shown = option.default === undefined ? "" : String(option.default);
    const described =
      shown === "" ? option.description : `${option.description} (default: ${shown})`;
    return `  ${(flags[index] ?? "").padEnd(width)}  ${described}`;
  });
  return [usageText(command), "", command.summary, "", "options:", ...lines, ""].join("\n");
}

/** `tollgate --help`: every command with its summary. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["usage: tollgate <command> [options]", "", "commands:", ...lines, ""].join("\n");
}
