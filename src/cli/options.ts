// Flag parsing shared by the subcommands: node's parseArgs for the grammar, zod for the values,
// both turned into UsageError so every mistake prints the command's usage and exits 2.
import { z } from "zod";
import { UsageError } from "./command.js";

export const formatSchema = z.enum(["text", "json", "sarif", "markdown"]);
export type OutputFormat = z.infer<typeof formatSchema>;

/** Runs a `parseArgs` call, turning its complaints into usage errors. */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function checked<S extends z.ZodType>(schema: S, value: unknown, flag: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new UsageError(`${flag}: ${result.error.issues[0]?.message ?? "invalid value"}`);
  return result.data;
}
