// Reads `/tollgate <command>` lines out of a pull request comment: one command per line, the command
// word in any case, lines inside fenced code blocks, indented code and quoted replies ignored (a reply
// quoting someone's `/tollgate run` must not run it again). Arguments are validated with zod here.
import { z } from "zod";

export type Command =
  | { name: "run" }
  | { name: "override"; reason: string }
  | { name: "explain"; rule: string }
  /** `/tollgate help`, or `/tollgate` alone: the author gets the list of commands. */
  | { name: "help" }
  /** A known command with arguments it cannot take: the author gets its usage. */
  | { name: "malformed"; command: "run" | "override" | "explain"; problem: string }
  /** `/tollgate` with a word it does not know: the author is told so, with the list of commands. */
  | { name: "unknown"; word: string };

/** At most this many commands are taken from one comment; the rest are ignored. */
export const MAX_COMMANDS_PER_COMMENT = 3;
/** GitHub check run titles take 255 characters; a reason fits in the summary with room to spare. */
export const MAX_REASON_LENGTH = 500;

export const USAGE = {
  run: "`/tollgate run`: scan the pull request's head commit again",
  override:
    "`/tollgate override <reason>`: override a blocking result on this commit (people named under `break_glass` in the settings)",
  explain: "`/tollgate explain <rule-id>`: the rule's documentation and this PR's findings of it",
  help: "`/tollgate help`: this list",
} as const;

const reasonSchema = z
  .string()
  .trim()
  .min(1, "a reason is required: `/tollgate override <reason>`")
  .max(MAX_REASON_LENGTH, `the reason is longer than ${MAX_REASON_LENGTH} characters`);
/** Rule ids as settings accept them (`TG-NET-001`, `aws.s3.public_read`). */
const ruleIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/,
    "expected one rule id, such as `/tollgate explain TG-NET-001`",
  );

const COMMAND_LINE = /^\/tollgate(?:\s+(\S+))?(?:\s+(.*?))?\s*$/i;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function parseCommands(body: string): Command[] {
  const commands: Command[] = [];
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const opening = FENCE.exec(line)?.[1];
    if (fence) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    // Indented code (four spaces or a tab) and quoted replies are someone else's words.
    if (/^( {4}|\t)/.test(line) || /^ {0,3}>/.test(line)) continue;
    const match = COMMAND_LINE.exec(line.trim());
    if (!match) continue;
    commands.push(readCommand(match[1]?.toLowerCase() ?? "", match[2] ?? ""));
    if (commands.length === MAX_COMMANDS_PER_COMMENT) break;
  }
  return commands;
}

function readCommand(word: string, rest: string): Command {
  switch (word) {
    case "run":
      return rest === ""
        ? { name: "run" }
        : { name: "malformed", command: "run", problem: "`/tollgate run` takes no arguments" };
    case "override": {
      const reason = reasonSchema.safeParse(rest);
      return reason.success
        ? { name: "override", reason: reason.data }
        : { name: "malformed", command: "override", problem: firstIssue(reason.error) };
    }
    case "explain": {
      const rule = ruleIdSchema.safeParse(rest.trim());
      return rule.success
        ? { name: "explain", rule: rule.data }
        : { name: "malformed", command: "explain", problem: firstIssue(rule.error) };
    }
    // Whatever follows `help` (`/tollgate help explain`) still asks for the list.
    case "":
    case "help":
      return { name: "help" };
    default:
      return { name: "unknown", word };
  }
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid arguments";
}
