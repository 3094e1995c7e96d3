// What each `/tollgate` command in a pull request comment does, with who may do it: `run` and
// `explain` need write access or more; `override` needs a place under `break_glass` in the
// settings read from default branches. Everyone else gets a polite reply, never silence. `run`
// returns the pull request to scan; the handler in app.ts queues it like any other event.
import type { OrgPolicies } from "../org/index.js";
import type { RuleMetadata } from "../policy/metadata.js";
import {
  readGateSettings,
  type GitHubApi,
  type InstallationSight,
  type LastValidSettings,
} from "../github/index.js";
import { authoriseOverride, overrideCheck } from "./breakGlass.js";
import { USAGE, type Command } from "./commands.js";
import type { CheckTarget, ScanRequest } from "./events.js";
import { explainRule } from "./explain.js";
import { pullTarget } from "./pulls.js";
import { describeError, type FlowLog } from "./checkFlow.js";

export type CommentRequest = Extract<ScanRequest, { kind: "comment" }>;

export interface CommandContext {
  api: GitHubApi;
  log: FlowLog;
  /** This app's id, to tell its check runs from other apps' (asked of GitHub once). */
  appId: () => Promise<number>;
  /** The rules of the policy bundle in force, for `/tollgate explain`. */
  rules: () => Promise<readonly RuleMetadata[]>;
  /** The organization's custom rules, so `/tollgate explain` knows those in force too. */
  customPolicies?: OrgPolicies;
  lastValidSettings?: LastValidSettings;
  /** Tells a 404 for the organization's settings from a `.github` repository out of sight. */
  installationSight?: InstallationSight;
  clock?: () => Date;
}

/** Repository roles that may run and explain (GitHub's `permission` folds maintain into write). */
const MAY_RUN = new Set(["admin", "maintain", "write"]);

/** Carries out the comment's commands in order; the pull request to scan if one said `run`. */
export async function runCommentCommands(
  context: CommandContext,
  request: CommentRequest,
): Promise<CheckTarget | undefined> {
  let permission: Promise<string> | undefined;
  const mayRun = async () => {
    permission ??= context.api.rest.repos
      .getCollaboratorPermissionLevel({
        owner: request.owner,
        repo: request.repo,
        username: request.author,
      })
      .then(({ data }) => data.permission);
    return MAY_RUN.has(await permission);
  };
  let scan: CheckTarget | undefined;
  for (const command of request.commands) {
    const fields = { owner: request.owner, repo: request.repo, pull: request.pullNumber };
    context.log.info({ ...fields, command: command.name }, "comment command");
    try {
      scan = (await runCommand(context, request, command, mayRun)) ?? scan;
    } catch (error) {
      // A GitHub failure mid-command still gets an answer; the next command is tried on its own.
      context.log.warn(
        { ...fields, command: command.name, error: describeError(error) },
        "comment command failed",
      );
      await reply(
        context,
        request,
        `Sorry @${request.author}, Tollgate could not complete \`/tollgate ${command.name === "malformed" ? command.command : command.name === "unknown" ? command.word : command.name}\`: ${describeError(error)}. Please try again.`,
      );
    }
  }
  return scan;
}

/** One command; the pull request to scan when it is an authorised `run` on an open PR. */
async function runCommand(
  context: CommandContext,
  request: CommentRequest,
  command: Command,
  mayRun: () => Promise<boolean>,
): Promise<CheckTarget | undefined> {
  switch (command.name) {
    case "run":
      if (!(await mayRun())) {
        await reply(
          context,
          request,
          refusal(
            request.author,
            "start a Tollgate scan",
            ", or push a commit to run the check again",
          ),
        );
        break;
      }
      return startScan(context, request);
    case "explain":
      if (!(await mayRun())) {
        await reply(context, request, refusal(request.author, "ask Tollgate to explain a rule"));
        break;
      }
      await reply(context, request, await explainRule(context, request, command.rule));
      break;
    case "override":
      await override(context, request, command.reason);
      break;
    case "malformed":
      await reply(
        context,
        request,
        `Sorry @${request.author}, Tollgate could not read that command: ${command.problem}.\n\nUsage: ${USAGE[command.command]}`,
      );
      break;
    case "help":
      await reply(context, request, commandList(`@${request.author}, Tollgate understands`));
      break;
    case "unknown":
      await reply(
        context,
        request,
        commandList(
          `Sorry @${request.author}, Tollgate does not know \`/tollgate ${command.word}\`. It understands`,
        ),
      );
      break;
  }
  return undefined;
}

function commandList(opening: string): string {
  return [
    `${opening}, one per line:`,
    "",
    ...Object.values(USAGE).map((usage) => `- ${usage}`),
  ].join("\n");
}

/** `otherwise`: what the author may do instead, besides asking a maintainer (a push runs the check). */
function refusal(author: string, action: string, otherwise = ""): string {
  return `Sorry @${author}, only people with write access to this repository can ${action}. A maintainer can comment the command${otherwise}.`;
}

async function reply(context: CommandContext, request: CommentRequest, body: string) {
  await context.api.rest.issues.createComment({
    owner: request.owner,
    repo: request.repo,
    issue_number: request.pullNumber,
    body,
  });
}

async function react(context: CommandContext, request: CommentRequest, content: "rocket" | "+1") {
  await context.api.rest.reactions.createForIssueComment({
    owner: request.owner,
    repo: request.repo,
    comment_id: request.commentId,
    content,
  });
}

/** A rocket says "scanning"; a closed pull request gets the reply `override` gives, as nothing will run. */
async function startScan(
  context: CommandContext,
  request: CommentRequest,
): Promise<CheckTarget | undefined> {
  const target = await pullTarget(context.api, {
    owner: request.owner,
    repo: request.repo,
    pullNumber: request.pullNumber,
  });
  if (target) await react(context, request, "rocket");
  else await reply(context, request, notOpen(request.author));
  return target;
}

function notOpen(author: string): string {
  return `Sorry @${author}, this pull request is not open.`;
}

/**
 * Break-glass: who may override comes only from the settings on default branches, read afresh;
 * with any settings error the app cannot tell, so it refuses. The override is written to the
 * head commit's newest Tollgate run (see breakGlass.ts) and acknowledged with a reaction and a reply.
 */
async function override(context: CommandContext, request: CommentRequest, reason: string) {
  const repository = { owner: request.owner, repo: request.repo };
  const read = await readGateSettings(
    context.api,
    repository,
    undefined,
    context.lastValidSettings,
    context.installationSight,
  );
  const decision = await authoriseOverride(context.api, read, request.author);
  if (!decision.ok) {
    context.log.info({ ...repository, reason: decision.reason }, "override refused");
    await reply(context, request, `Sorry @${request.author}, ${decision.message}`);
    return;
  }
  const target = await pullTarget(context.api, { ...repository, pullNumber: request.pullNumber });
  if (!target) {
    await reply(context, request, notOpen(request.author));
    return;
  }
  const outcome = await overrideCheck(context, target, {
    by: request.author,
    reason,
    at: (context.clock ?? (() => new Date()))().toISOString(),
    writtenAt: request.writtenAt,
  });
  await reply(context, request, outcome.message);
  if (outcome.ok) await react(context, request, "+1");
}
