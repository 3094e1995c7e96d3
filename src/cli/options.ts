// Flag parsing shared by the subcommands: node's parseArgs for the grammar, reading the command's
// own option table (the one `--help` prints) before its run sees anything, zod for the values, both
// turned into UsageError so every mistake prints the command's usage and exits 2. The options scan
// and diff share are defined here.
import { parseArgs } from "node:util";
import { z } from "zod";
import { UsageError, type CliIO, type Command, type OptionTable } from "./command.js";

export const formatSchema = z.enum(["text", "json", "sarif", "markdown"]);
export type OutputFormat = z.infer<typeof formatSchema>;

/** What `parseOptions` gives for a table: each option's value typed from its configuration. */
type Parsed<O extends OptionTable, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: P; strict: true }>
>;

/** `args` parsed strictly against `options`; a complaint is a usage error. */
function parseOptions<O extends OptionTable, P extends boolean>(
  args: string[],
  options: O,
  allowPositionals: P,
): Parsed<O, P> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // parseArgs keeps the last of a repeated single-valued option: `--policies a --policies b`
  // would drop `a` without a word.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || token.value === undefined) continue;
    const option: { multiple?: boolean } | undefined = options[token.name];
    if (option?.multiple) continue;
    if (seen.has(token.name))
      throw new UsageError(`--${token.name} takes one value, and was given more than once`);
    seen.add(token.name);
  }
  return parsed;
}

/** A command as written: its run gets the values of its own options, typed from their table. */
interface CommandSpec<O extends OptionTable, P extends boolean> extends Omit<Command, "run"> {
  options: O;
  /** Whether it takes arguments besides its options (paths, a folder, a command name). */
  allowPositionals: P;
  run(parsed: Parsed<O, P>, io: CliIO): Promise<number>;
}

/**
 * The command whose arguments are parsed against `spec.options` and nothing else, so `--help`,
 * which prints that table, lists exactly the options the command accepts.
 */
export function defineCommand<const O extends OptionTable, P extends boolean>(
  spec: CommandSpec<O, P>,
): Command {
  return {
    ...spec,
    run: (args, io) => spec.run(parseOptions(args, spec.options, spec.allowPositionals), io),
  };
}

export function checked<S extends z.ZodType>(schema: S, value: unknown, flag: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? "invalid value"}`);
  return result.data;
}

/** The options of a gate run, `scan` and `diff` alike: output, settings, policies. */
export const gateOptions = {
  format: {
    type: "string",
    default: "text",
    value: "format",
    description: `the output: ${formatSchema.options.join(", ")}`,
  },
  config: {
    type: "string",
    value: "file",
    description: "the app's settings file (tollgate.yml): enforcement, waivers, rule settings",
  },
  "org-config": {
    type: "string",
    value: "file",
    description:
      "the organization's settings file (its .github repository's), with --config merged over it as the repository's",
  },
  repository: {
    type: "string",
    default: "",
    value: "name",
    description: "the repository's name (no owner) the settings' repositories globs match",
  },
  topic: {
    type: "string",
    multiple: true,
    value: "name",
    description:
      "a topic of the repository, which the settings' overrides topics match (repeatable)",
  },
  bundle: {
    type: "string",
    value: "file",
    description: "a bundle from tollgate build or opa build -t wasm, not the built-in rules",
  },
  policies: {
    type: "string",
    value: "dir",
    description: "a folder of Rego policies, compiled for this run, not the built-in rules",
  },
  "custom-policies": {
    type: "string",
    multiple: true,
    value: "dir",
    description:
      "a folder of custom Rego policies evaluated beside the others, as the app adds an organization's (repeatable)",
  },
  "var-file": {
    type: "string",
    multiple: true,
    value: "path",
    description:
      "a Terraform -var-file, relative to each root module, read after its tfvars (repeatable)",
  },
  "parameter-file": {
    type: "string",
    multiple: true,
    value: "path",
    description:
      "a CloudFormation parameter file (create-stack's, deploy's or CodePipeline's, JSON or YAML) for every template, from the folder read (repeatable)",
  },
} as const satisfies OptionTable;

/**
 * The `-var-file`s of a run: the settings' `terraform.var_files` by root, and `--var-file` for every
 * root (`"*"`), read after the root's own.
 */
export function variableFilesOf(
  flags: { "var-file"?: string[] | undefined },
  byRoot: Record<string, string[]>,
): Record<string, string[]> {
  const every = flags["var-file"] ?? [];
  return every.length > 0 ? { ...byRoot, "*": every } : byRoot;
}

/**
 * The CloudFormation parameter files of a run: the settings' `cloudformation.parameter_files` by
 * template, and `--parameter-file` for every template (`"*"`), read before a template's own.
 */
export function parameterFilesOf(
  flags: { "parameter-file"?: string[] | undefined },
  byTemplate: Record<string, string[]>,
): Record<string, string[]> {
  const every = (flags["parameter-file"] ?? []).map((given) => given.replace(/^\.\//, ""));
  return every.length > 0 ? { ...byTemplate, "*": every } : byTemplate;
}
