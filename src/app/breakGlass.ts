// Break-glass overrides (`/tollgate override <reason>`): who may give one (users by login, teams by
// membership through the API, both named in settings read from default branches) and giving it:
// the head commit's newest Tollgate run is re-completed `neutral` with the override in its title,
// summary and record, so a re-run of that commit in any replica finds it there again.
import {
  httpStatus,
  ORGANIZATION_UNSEEN,
  type GitHubApi,
  type RepositorySettings,
} from "../github/index.js";
import {
  checkRunOutput,
  escapeMarkdown,
  overriddenReport,
  type CheckRunReport,
} from "../report/index.js";
import type { CommandContext } from "./commentCommands.js";
import { latestCheckRun } from "./checkRuns.js";
import type { CheckTarget } from "./events.js";

export type OverrideAuthorisation =
  { ok: true; as: string } | { ok: false; reason: string; message: string };

/**
 * Whether `author` may override: settings must have been read without error, name someone, and
 * name the author or a team they are an active member of. A team the API cannot answer for (not
 * 404) does not grant, and the refusal says so; so does an organization file the installation
 * cannot see (`settings-organization-unseen`), whose `break_glass` cannot count.
 */
export async function authoriseOverride(
  api: GitHubApi,
  read: RepositorySettings,
  author: string,
): Promise<OverrideAuthorisation> {
  if (read.errors.length > 0) {
    return {
      ok: false,
      reason: "settings-error",
      message: `Tollgate could not read valid settings (${read.errors[0]?.code ?? "error"} in ${read.errors[0]?.file ?? "settings"}), so it cannot tell who may override. Fix the settings, or try again later.`,
    };
  }
  const { users, teams } = read.settings.breakGlass;
  const unseen = unseenOrganization(read);
  if (users.length + teams.length === 0) {
    return {
      ok: false,
      reason: "disabled",
      message: `break-glass overrides are not enabled here: the Tollgate settings${unseen ? " this app can read" : ""} name no users or teams under \`break_glass\`.${unseen}`,
    };
  }
  if (users.some((user) => user.toLowerCase() === author.toLowerCase()))
    return { ok: true, as: author };
  const unanswered: string[] = [];
  for (const team of teams) {
    const [org = "", slug = ""] = team.split("/");
    try {
      const { data } = await api.rest.teams.getMembershipForUserInOrg({
        org,
        team_slug: slug,
        username: author,
      });
      if (data.state === "active") return { ok: true, as: `${author} (${team})` };
    } catch (error) {
      if (httpStatus(error) !== 404) unanswered.push(team);
    }
  }
  return {
    ok: false,
    reason: "not-named",
    message: `only the people and teams named under \`break_glass\` in the Tollgate settings can override a blocking result.${
      unanswered.length > 0
        ? ` GitHub did not say whether you are a member of ${unanswered.join(", ")}, so that could not count.`
        : ""
    }${unseen}`,
  };
}

/** For a refusal: why the organization's `break_glass`, if it names anyone, does not count. */
function unseenOrganization(read: RepositorySettings): string {
  const notice = read.notices.find((problem) => problem.code === ORGANIZATION_UNSEEN);
  if (!notice) return "";
  const why = notice.message.charAt(0).toUpperCase() + notice.message.slice(1);
  return ` Any \`break_glass\` in the organization's settings does not count: ${why}.`;
}

export interface OverrideOutcome {
  ok: boolean;
  /** The reply on the pull request. */
  message: string;
}

/**
 * Re-completes the newest Tollgate run on the head commit as overridden, if it is failing and
 * completed before the comment asking for it was written (`writtenAt`): the override is of the
 * result its author could have read, never of one that came after (a push while they typed).
 */
export async function overrideCheck(
  context: Pick<CommandContext, "api" | "appId" | "log">,
  target: CheckTarget,
  given: { by: string; reason: string; at: string; writtenAt: string },
): Promise<OverrideOutcome> {
  const short = target.headSha.slice(0, 7);
  const run = await latestCheckRun(context.api, target, target.headSha, await context.appId());
  if (!run)
    return {
      ok: false,
      message: `There is no Tollgate check on ${short} to override yet. Comment \`/tollgate run\` first.`,
    };
  if (run.status !== "completed")
    return {
      ok: false,
      message: `The Tollgate check on ${short} is still running; comment the override again once it completes.`,
    };
  if (run.conclusion !== "failure")
    return {
      ok: false,
      message: `The Tollgate check on ${short} did not block (${run.conclusion ?? "no conclusion"}), so there is nothing to override.`,
    };
  // GitHub keeps whole seconds: a run completed in the comment's own second was not read either.
  if (run.completedAt !== undefined && Date.parse(run.completedAt) >= Date.parse(given.writtenAt))
    return {
      ok: false,
      message: `The Tollgate check on ${short} completed after your comment: read it and override again.`,
    };
  if (!run.record || run.record.sha !== target.headSha)
    return {
      ok: false,
      message: `The Tollgate check on ${short} carries no record of what blocked (it predates overrides). Comment \`/tollgate run\`, then override the new result.`,
    };
  const override = {
    by: given.by,
    reason: given.reason,
    at: given.at,
    sha: target.headSha,
    covers: run.record.blocking,
    coversDigest: run.record.blockingDigest,
    coversErrors: run.record.failedOnErrors,
  };
  const previous: CheckRunReport = {
    conclusion: "failure",
    title: run.title,
    summary: run.summary,
    annotationBatches: [],
    record: run.record,
  };
  const report = overriddenReport(previous, override);
  await context.api.rest.checks.update({
    owner: target.owner,
    repo: target.repo,
    check_run_id: run.id,
    status: "completed",
    conclusion: "neutral",
    completed_at: given.at,
    output: checkRunOutput(report),
  });
  context.log.info(
    { owner: target.owner, repo: target.repo, checkRunId: run.id, by: given.by },
    "blocking result overridden",
  );
  const count = run.record.blocking.length + run.record.blockingOmitted;
  const what = [
    ...(count > 0 ? [`${count} blocking finding${count === 1 ? "" : "s"}`] : []),
    ...(override.coversErrors ? ["the scan errors that failed it"] : []),
  ].join(" and ");
  return {
    ok: true,
    message: [
      `Override recorded: @${given.by} overrode the Tollgate check on ${short} (${what || "its failure"}). Reason:`,
      "",
      `> ${escapeMarkdown(given.reason)}`,
      "",
      `The check is now neutral and says so in its title and summary${run.url ? ` (${run.url})` : ""}. The override applies to ${short} only: a new push is gated normally again.`,
    ].join("\n"),
  };
}
