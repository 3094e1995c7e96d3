// The impact preview of a pull request on the organization's `.github` repository that changes the
// settings or the custom policies: for the installation's open pull requests (at most 50, the most
// recently updated), the gate under the default branch's settings and policies against the gate
// under the proposed ones. The only place a pull request head's settings are read, and only here,
// to preview; the proposed policies are compiled but never kept as the version in force.
import {
  mergeSettings,
  ORGANIZATION_SETTINGS_REPOSITORY,
  SETTINGS_PATH,
  type ParsedSettingsFile,
  type RepositoryIdentity,
  type Settings,
  type SettingsFileResult,
} from "../config/index.js";
import { changedUnreadModules, diffScans, followRenamesInScan } from "../diff/index.js";
import { evaluatedRules } from "../engine/index.js";
import type { CustomRuleSet, ScanEngine } from "../engine/types.js";
import { gateWithWaivers, type GateDecision } from "../gate/index.js";
import {
  fetchPullSnapshots,
  findMergeBase,
  readSettingsFile,
  listPullFiles,
  readGateSettings,
  renamedFiles,
  scanPullSnapshots,
  type GitHubApi,
  type PullSnapshots,
  type RepoRef,
  type SnapshotLimits,
} from "../github/index.js";
import type { LoadError } from "../model/types.js";
import type { RuleMetadata } from "../policy/metadata.js";
import { boundedRuleSet } from "./bounded.js";
import type { CompiledPolicies } from "./compile.js";
import { policyFileKind } from "./folder.js";
import {
  listInstallationRepositories,
  listOpenPulls,
  mapLimited,
  type InstallationListing,
  type OpenPull,
} from "./pulls.js";
import { organizationFileNotices, selectorsUnjudged } from "./settingsCheck.js";
import type { OrgPolicies } from "./store.js";

/** Open pull requests a preview evaluates; each costs a fetch and four scans. */
export const MAX_PREVIEW_PULLS = 50;
/** Repositories whose open pull requests a preview lists (the most recently pushed): one request each. */
export const MAX_PREVIEW_REPOSITORIES = 100;

export interface ProposedChange {
  owner: string;
  pullNumber: number;
  headSha: string;
}

export type PullImpact =
  | {
      pull: OpenPull;
      kind: "newly-blocks" | "unblocks" | "still-blocks" | "still-passes";
      /** Blocking findings and errors under the proposed settings, for the summary. */
      reasons: string[];
    }
  | { pull: OpenPull; kind: "not-evaluated"; reasons: string[] };

export type ImpactPreview =
  | { relevant: false }
  | {
      relevant: true;
      ok: false;
      errors: LoadError[];
      annotatable: string[];
      /** The proposed settings file's own problems, when it parses (its rule ids then unjudged). */
      settingsNotices: LoadError[];
      settingsUnjudged?: string;
    }
  | {
      relevant: true;
      ok: true;
      impacts: PullImpact[];
      /** Open pull requests left out by the bound, and whether a listing bound cut more. */
      leftOut: number;
      truncated: boolean;
      rules: number;
      /** The proposed settings file's own problems (`organizationFileNotices`), as a push would report them. */
      settingsNotices: LoadError[];
      /** Why some of them could not be judged, if so. */
      settingsUnjudged?: string;
    };

export interface ImpactOptions {
  engine: ScanEngine;
  customPolicies: OrgPolicies;
  limits?: SnapshotLimits;
  now: Date;
  maxPulls?: number;
}

/** `shownPublicly`: the preview is shown on a public `.github` repository. */
export async function previewImpact(
  api: GitHubApi,
  change: ProposedChange,
  options: ImpactOptions,
  shownPublicly = false,
): Promise<ImpactPreview> {
  const organization: RepoRef = { owner: change.owner, repo: ORGANIZATION_SETTINGS_REPOSITORY };
  const current = await readSettingsFileAt(api, organization, undefined);
  const proposed = await readSettingsFileAt(api, organization, change.headSha);
  const folders = [current, proposed]
    .map((file) => (file?.ok ? folderOf(file.parsed) : undefined))
    .filter((folder): folder is string => folder !== undefined);
  const listing = await listPullFiles(api, { ...organization, pullNumber: change.pullNumber });
  const changed = listing.files.flatMap((f) => [
    f.path,
    ...(f.previousPath ? [f.previousPath] : []),
  ]);
  const relevant = changed.some(
    (path) =>
      path === SETTINGS_PATH ||
      folders.some(
        (folder) =>
          path.startsWith(`${folder}/`) &&
          policyFileKind(path.slice(folder.length + 1)) !== undefined,
      ),
  );
  if (!relevant && !listing.truncated) return { relevant: false };

  if (proposed && !proposed.ok)
    return {
      relevant: true,
      ok: false,
      errors: proposed.errors,
      annotatable: changed,
      settingsNotices: [],
    };
  const proposedFile = proposed?.parsed ?? null;
  const reserved = (options.engine.builtinRules ?? []).map((rule) => rule.id);
  const proposedFolder = proposedFile ? folderOf(proposedFile) : undefined;
  let proposedPolicies: CompiledPolicies | undefined;
  if (proposedFolder !== undefined) {
    const resolved = await options.customPolicies.resolve(
      api,
      organization,
      proposedFolder,
      change.headSha,
      reserved,
      undefined,
      false,
    );
    if (!resolved.outcome.ok) {
      // The proposed file's other problems are still worth telling; rule ids and categories are
      // not judged, since the rules the folder would load are unknown.
      // A listing that fails must not hide the compile errors: names are then left unjudged.
      const listed = await listInstallationRepositories(api, change.owner).catch(
        (error: unknown) => ({
          error: error instanceof Error ? error.message.split("\n")[0]! : String(error),
        }),
      );
      const unjudged = [
        selectorsUnjudged(listed),
        "the proposed policies do not compile, so rule ids and categories were not judged.",
      ].filter((why) => why !== undefined);
      return {
        relevant: true,
        ok: false,
        errors: resolved.outcome.errors,
        annotatable: [...changed, ...resolved.listing.files.map((file) => file.path)],
        settingsNotices: settingsNoticesOf(proposedFile, listed, undefined, shownPublicly, options),
        settingsUnjudged: unjudged.join(" "),
      };
    }
    proposedPolicies = resolved.outcome.policies;
  }

  const listed = await listInstallationRepositories(api, change.owner);
  const settingsNotices = settingsNoticesOf(
    proposedFile,
    listed,
    options.engine.builtinRules && [
      ...options.engine.builtinRules,
      ...(proposedPolicies?.rules.map((rule) => rule.meta) ?? []),
    ],
    shownPublicly,
    options,
  );
  const settingsUnjudged = proposedFile ? selectorsUnjudged(listed) : undefined;
  const open = await listOpenPulls(api, change.owner, listed, {
    maxPulls: options.maxPulls ?? MAX_PREVIEW_PULLS,
    maxRepositories: MAX_PREVIEW_REPOSITORIES,
    exclude: [ORGANIZATION_SETTINGS_REPOSITORY],
  });
  // A preview leaving some repositories out unsaid would mislead: it fails (neutral) instead.
  const unlisted = open.unlisted[0];
  if (unlisted) throw unlisted.error;
  const impacts = await mapLimited(open.pulls, 2, (pull) =>
    judgePull(api, pull, proposedFile, proposedPolicies, reserved, options).catch(
      (error: unknown): PullImpact => ({
        pull,
        kind: "not-evaluated",
        reasons: [error instanceof Error ? error.message.split("\n")[0]! : String(error)],
      }),
    ),
  );
  return {
    relevant: true,
    ok: true,
    impacts,
    leftOut: open.leftOut,
    truncated: open.truncated,
    rules: proposedPolicies?.rules.length ?? 0,
    settingsNotices,
    ...(settingsUnjudged ? { settingsUnjudged } : {}),
  };
}

/** The proposed file's own problems, as a push would report them (`organizationFileNotices`). */
function settingsNoticesOf(
  file: ParsedSettingsFile | null,
  listed: InstallationListing | { error: string },
  rules: readonly RuleMetadata[] | undefined,
  shownPublicly: boolean,
  options: ImpactOptions,
): LoadError[] {
  if (!file) return [];
  return organizationFileNotices(file, {
    repositories: "complete" in listed && listed.complete ? listed.repositories : [],
    shownPublicly,
    ...(rules ? { rules } : {}),
    now: options.now,
  });
}

async function judgePull(
  api: GitHubApi,
  pull: OpenPull,
  proposedOrganization: ParsedSettingsFile | null,
  proposedPolicies: CompiledPolicies | undefined,
  reserved: readonly string[],
  options: ImpactOptions,
): Promise<PullImpact> {
  const target = { owner: pull.owner, repo: pull.repo };
  const current = await readGateSettings(api, target);
  const repositoryFile = await readSettingsFileAt(api, target, undefined);
  const identity = await identityFor(api, target, current.repository, proposedOrganization);
  const proposedSettings = mergeSettings(
    proposedOrganization,
    repositoryFile?.ok ? repositoryFile.parsed : null,
    identity,
  ).settings;

  const mergeBase = await findMergeBase(api, target, pull.baseSha, pull.headSha);
  const snapshots = await fetchPullSnapshots(
    api,
    { ...target, pullNumber: pull.pullNumber, baseSha: mergeBase.sha, headSha: pull.headSha },
    options.limits,
    undefined,
    {
      ...current.settings.cloudformationParameterFiles,
      ...proposedSettings.cloudformationParameterFiles,
    },
    {
      ...current.settings.terraformVariableFiles,
      ...proposedSettings.terraformVariableFiles,
    },
  );
  const currentCustom = await options.customPolicies.forPull(
    api,
    target,
    current.settings,
    reserved,
  );
  const ownOnly = await options.customPolicies.forPull(
    api,
    target,
    { ...proposedSettings, policies: { ...proposedSettings.policies, organization: undefined } },
    reserved,
  );
  const foreign = (file: string) => `${pull.owner}/${ORGANIZATION_SETTINGS_REPOSITORY}:${file}`;
  const proposedRules: CustomRuleSet[] = [
    ...(proposedPolicies
      ? [boundedRuleSet(proposedPolicies, options.customPolicies.bounds, foreign)]
      : []),
    ...ownOnly.ruleSets,
  ];
  const before = await decide(
    options,
    snapshots,
    current.settings,
    current.repository,
    currentCustom.ruleSets,
    [...current.errors, ...currentCustom.errors],
  );
  const after = await decide(
    options,
    snapshots,
    proposedSettings,
    identity,
    proposedRules,
    ownOnly.errors,
  );
  const blocksBefore = before.conclusion === "failure";
  const blocksAfter = after.conclusion === "failure";
  return {
    pull,
    kind: blocksAfter
      ? blocksBefore
        ? "still-blocks"
        : "newly-blocks"
      : blocksBefore
        ? "unblocks"
        : "still-passes",
    reasons: [
      ...after.blocking.slice(0, 5).map((f) => `${f.rule} on ${f.resource}`),
      ...(after.errors.length > 0 && proposedSettings.on_error === "block"
        ? [`${after.errors.length} scan error${after.errors.length === 1 ? "" : "s"}`]
        : []),
    ],
  };
}

/** Diff, waive and gate one snapshot pair as the pull request check does (src/app/checkFlow.ts). */
async function decide(
  options: ImpactOptions,
  snapshots: PullSnapshots,
  settings: Settings,
  repository: RepositoryIdentity,
  customRules: readonly CustomRuleSet[],
  settingsErrors: readonly LoadError[],
): Promise<GateDecision> {
  const { base, head } = await scanPullSnapshots(options.engine, snapshots, settings, customRules);
  return gateWithWaivers(
    diffScans(
      followRenamesInScan(
        base,
        renamedFiles(snapshots.changedFiles),
        snapshots.head.map((file) => file.path),
      ),
      head,
      settings.import_adopts,
    ),
    [...settingsErrors, ...snapshots.errors, ...head.errors],
    settings,
    {
      files: snapshots.head,
      repository,
      now: options.now,
      ...evaluatedRules(options.engine, customRules),
      baseProblems: base.errors,
      changedModules: changedUnreadModules(base, head),
    },
  );
}

/** Topics are read only when the proposed file selects by topic and the current files did not. */
async function identityFor(
  api: GitHubApi,
  target: RepoRef,
  known: RepositoryIdentity,
  proposed: ParsedSettingsFile | null,
): Promise<RepositoryIdentity> {
  const byTopic = proposed?.settings.overrides?.some((o) => o.topics !== undefined) ?? false;
  if (!byTopic || known.topics.length > 0) return known;
  const { data } = await api.rest.repos.getAllTopics({ ...target, per_page: 100 });
  return { name: target.repo, topics: data.names };
}

function folderOf(file: ParsedSettingsFile): string | undefined {
  return mergeSettings(file, null, { name: ORGANIZATION_SETTINGS_REPOSITORY, topics: [] }).settings
    .policies.organization;
}

/** `.github/tollgate.yml` of one repository at `ref` (its default branch when absent), parsed. */
function readSettingsFileAt(
  api: GitHubApi,
  repository: RepoRef,
  ref: string | undefined,
): Promise<SettingsFileResult | undefined> {
  const name =
    repository.repo === ORGANIZATION_SETTINGS_REPOSITORY
      ? SETTINGS_PATH
      : `${repository.owner}/${repository.repo}:${SETTINGS_PATH}`;
  return readSettingsFile(api, repository, ref, name);
}
