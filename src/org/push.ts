// What a push to a default branch means for the gate: the settings file or a custom policy folder
// changed, so the policies are compiled and checked on that commit, and open pull requests judged by
// them are checked again. Pure over the paths a push payload names.
import { ORGANIZATION_SETTINGS_REPOSITORY, SETTINGS_PATH } from "../config/index.js";
import { policyFileKind } from "./folder.js";

export interface PushedChanges {
  repo: string;
  /** Paths the push's commits added, modified or removed. */
  paths: readonly string[];
  /**
   * False when what changed is not known, so anything may have: a payload that may not list every
   * commit (GitHub lists at most 20), or a new default branch.
   */
  complete: boolean;
}

export interface PushPlan {
  /**
   * Report the `.github` repository's settings (and compile the folder they name, if any) at the
   * pushed commit as the `Tollgate policies` check.
   */
  checkPolicies: boolean;
  /** Whose open pull requests to check again. */
  rerun: "installation" | "repository" | "none";
  /** For logs and the check summary. */
  reason: string;
}

/** `folder`: the custom policy folder the pushed settings name, if any. */
export function planPush(push: PushedChanges, folder: string | undefined): PushPlan {
  const settingsChanged = !push.complete || push.paths.includes(SETTINGS_PATH);
  const policiesChanged =
    folder !== undefined &&
    (!push.complete ||
      push.paths.some(
        (path) =>
          path.startsWith(`${folder}/`) &&
          policyFileKind(path.slice(folder.length + 1)) !== undefined,
      ));
  const changed = [
    ...(settingsChanged ? [SETTINGS_PATH] : []),
    ...(policiesChanged ? [`${folder}/`] : []),
  ];
  const reason = push.complete
    ? `the push changes ${changed.join(" and ") || "neither settings nor policies"}`
    : "the push does not tell what changed";
  const organization = push.repo === ORGANIZATION_SETTINGS_REPOSITORY;
  return {
    checkPolicies: organization && (policiesChanged || settingsChanged),
    rerun: changed.length === 0 ? "none" : organization ? "installation" : "repository",
    reason,
  };
}
