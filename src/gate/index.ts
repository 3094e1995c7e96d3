// The gate stage: turns diffed (and waived) findings, load errors and merged settings into the
// check's verdict. It fills each finding's enforcement on the injected day (`blocking_from` dates,
// locked floors), picks the ones that block and says why, so every report renders the same decision.
// Errors block by default: a security gate fails closed. Load warnings (`level: "warning"`, e.g. an
// undeclared reference whose value is unknown) are kept apart: reported, never blocking (but for a
// Terraform workspace left out at head and not at base, an error of the change), and so is
// a finding an unknown value decides (`Finding.unknown`): advisory at most, whatever the settings,
// and left out where a certain finding of its rule on the same resource and line restates it.
import {
  compareEnforcement,
  DEFAULT_SEVERITY_ENFORCEMENT,
  selectsRepository,
  type RepositoryEnforcementEntry,
  type RepositoryIdentity,
  type EnforcementLevel,
  type EnforcementLock,
  type EnforcementRule,
  type EnforcementTable,
  type Settings,
  type SettingsOrigin,
  waiverKeyOrigin,
} from "../config/index.js";
import { changedAt, describeChangedCall, type ChangedModuleCall } from "../diff/modules.js";
import { directoryOf, isTerraformFile, type SourceFile } from "../iac/source.js";
import { WORKSPACE_LEFT_OUT, WORKSPACE_LIMIT } from "../iac/terraform/workspaces.js";
import { MACRO_UNREAD } from "../iac/cloudformation/evaluate.js";
import {
  applyWaivers,
  byPlace,
  closeRuleIds,
  daysFromToday,
  describeDaysLeft,
  parseDay,
  unknownCategoryReferences,
  unknownRuleReferences,
} from "../rollout/index.js";
import {
  BUILT_IN_CATEGORIES,
  isWarning,
  problemPlace,
  type Category,
  type Finding,
  type FindingStatus,
  type LoadError,
  type Severity,
} from "../model/types.js";

export type Conclusion = "failure" | "neutral" | "success";

export interface GateCounts {
  bySeverity: Record<Severity, number>;
  /** The built-in four always, a custom rule's category when it has findings. */
  byCategory: Record<Category, number>;
  byStatus: Record<FindingStatus, number>;
}

export interface GateDecision {
  conclusion: Conclusion;
  /** Every finding not turned `off`, with `enforcement` and `status` (default `new`) filled in. */
  findings: Finding[];
  /** The findings that make the conclusion `failure`. */
  blocking: Finding[];
  errors: LoadError[];
  /** Counts over `findings`. */
  counts: GateCounts;
  /** How many findings settings turned off. */
  suppressed: number;
  /** One sentence per cause of the conclusion, most severe first, then waiver and date notes. */
  reasons: string[];
  /** Located notes that do not block: waivers expired, expiring, reasonless or misdated. */
  notices: LoadError[];
  /** Load warnings: the files loaded, but what these point at is unknown to the policies. */
  warnings: LoadError[];
  /** Rules advisory until a `blocking_from` day, with the findings that would block then, by rule id. */
  countdowns: Countdown[];
}

/** A rule held advisory until `blockingFrom` (UTC), `daysLeft` from the gate's day. */
export interface Countdown {
  rule: string;
  blockingFrom: string;
  daysLeft: number;
  /** How many findings would block on that day as they stand (`fail_on`, waivers). */
  findings: number;
}

export interface GateContext {
  /** The day `blocking_from` dates are judged on; the current time when not given. */
  now?: Date;
  /**
   * What did not load at base: a new finding such an error may hide at base cannot be known to be
   * new. It is gated as new all the same, marked `unloadedAtBase`, and the reasons say so.
   */
  baseProblems?: readonly LoadError[];
  /** What applying waivers reported (`applyWaivers`), listed in the reasons. */
  notices?: readonly LoadError[];
  /** Calls of modules Tollgate does not read that the change adds or re-points (src/diff/modules.ts). */
  changedModules?: readonly ChangedModuleCall[];
}

export const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

/** What enforcement and locks are judged by: a finding's, or a loaded rule's, id, category and severity. */
type RuleScope = Pick<Finding, "rule" | "category" | "severity">;

/** Where a finding's enforcement comes from: the first of its rule, category, severity entry. */
function enforcementEntry(finding: RuleScope, table: EnforcementTable): EnforcementRule {
  return (
    table.rules[finding.rule] ??
    table.categories[finding.category] ??
    table.severities[finding.severity] ?? { level: DEFAULT_SEVERITY_ENFORCEMENT[finding.severity] }
  );
}

/** `blocking` with a `blocking_from` day still ahead is advisory until that day starts (UTC). */
function levelOn(rule: EnforcementRule, now: Date): EnforcementLevel {
  if (rule.level === "blocking" && rule.blockingFrom && now < dayStart(rule.blockingFrom))
    return "advisory";
  return rule.level;
}

const LEVEL_RANK: Record<EnforcementLevel, number> = { off: 0, advisory: 1, blocking: 2 };

function locks(lock: EnforcementLock, finding: RuleScope): boolean {
  switch (lock.scope) {
    case "all":
      return true;
    case "rule":
      return lock.rule === finding.rule;
    case "category":
      return lock.category === finding.category;
    case "severity":
      return lock.severity === finding.severity;
  }
}

interface Enforced {
  level: EnforcementLevel;
  /** Set while a `blocking_from` day is ahead and holds the finding at advisory. */
  blockingFrom?: string;
  /** The organization's locked level raised it. */
  heldByLock: boolean;
}

/** A `blocking_from` day, already validated by the settings schema. */
function dayStart(day: string): Date {
  return parseDay(day) ?? new Date(Number.NaN);
}

/** The organization's entry for a finding in a locked scope, which its own may not loosen. */
function lockedFloor(finding: RuleScope, settings: Settings): EnforcementRule | undefined {
  return settings.locks.keys.some((lock) => locks(lock, finding))
    ? enforcementEntry(finding, settings.locks.organization)
    : undefined;
}

/**
 * The entry a rule's findings are enforced by: the stricter as written of its own and a locked
 * floor, so a locked organization date earlier than the repository's (or one under its advisory)
 * is the day its findings count down to.
 */
function ruleEntry(rule: RuleScope, settings: Settings): EnforcementRule {
  const own = enforcementEntry(rule, settings.enforcement);
  const floor = lockedFloor(rule, settings);
  return floor && compareEnforcement(floor, own) > 0 ? floor : own;
}

function enforce(finding: Finding, settings: Settings, now: Date): Enforced {
  const own = enforcementEntry(finding, settings.enforcement);
  const entry = ruleEntry(finding, settings);
  const level = levelOn(entry, now);
  const heldByLock = LEVEL_RANK[level] > LEVEL_RANK[levelOn(own, now)];
  // A finding an unknown value decides follows its rule's settings and locks down to off, but
  // never blocks, so it counts down to nothing.
  if (finding.unknown !== undefined)
    return { level: level === "blocking" ? "advisory" : level, heldByLock };
  const counting = level === "advisory" && entry.blockingFrom && entry.level === "blocking";
  return { level, heldByLock, ...(counting ? { blockingFrom: entry.blockingFrom } : {}) };
}

/** A loaded rule as the gate judges settings against it. */
export interface LoadedRule {
  id: string;
  category: Category;
  severity: Severity;
}

/**
 * A located `settings-locked` notice for each repository enforcement entry the organization's
 * locks hold for some loaded rule it sets: the rule is in a locked scope (any lock: a rule under a
 * locked category too) and the organization's entry for it is stricter as written, so the gate's
 * floor keeps that level and the line does nothing for it. An entry the merge already held (looser
 * than the organization's written key, judged without the rules) is reported here too, so each
 * line is told once, in these words, and named by the rules it sets where they are known.
 */
export function lockedEntryNotices(settings: Settings, rules: readonly LoadedRule[]): LoadError[] {
  if (settings.locks.keys.length === 0) return [];
  const notices: LoadError[] = [];
  const byId = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const entry of settings.repositoryEnforcement) {
    const held = byId.flatMap((loaded) => {
      const rule = { rule: loaded.id, category: loaded.category, severity: loaded.severity };
      if (!sets(entry, rule, settings.enforcement)) return [];
      const floor = lockedFloor(rule, settings);
      return floor && compareEnforcement(entry.rule, floor) < 0
        ? [`${loaded.id} (${describeEntry(floor)})`]
        : [];
    });
    if (held.length === 0 && !entry.held) continue;
    const named =
      held.length > 3
        ? `${held.slice(0, 3).join(", ")} and ${plural(held.length - 3, "more rule")}`
        : held.join(", ");
    notices.push({
      ...entry.origin,
      code: "settings-locked",
      message: `enforcement.${entry.section}.${entry.key} may not loosen what the organization locks; ${named ? `its level applies to ${named}` : "the organization's level applies"}`,
    });
  }
  return notices;
}

/**
 * A located notice for each settings waiver, for this repository, whose rule the settings turn
 * off: its findings are left out, so it waives nothing. A rule is judged by the loaded rules'
 * metadata, else by a finding of it; a waiver already reported on its line is not told twice. One
 * of the organization's file is left to its admins (`WaiverContext.organizationFile`).
 */
function offRuleWaiverNotices(
  settings: Settings,
  context: WaiverContext,
  findings: readonly Finding[],
  reported: readonly LoadError[],
): LoadError[] {
  const scopes = new Map<string, RuleScope>();
  for (const rule of context.rules ?? [])
    scopes.set(rule.id, { rule: rule.id, category: rule.category, severity: rule.severity });
  for (const finding of findings) if (!scopes.has(finding.rule)) scopes.set(finding.rule, finding);
  const place = (where: { file: string; line: number; column: number }) =>
    `${where.file}:${where.line}:${where.column}`;
  const told = new Set(reported.map(place));
  return settings.waivers.flatMap((waiver) => {
    const scope = scopes.get(waiver.rule);
    const places = [waiver.origin, ...Object.values(waiver.keyOrigins ?? {})];
    if (!scope || places.some((where) => told.has(place(where)))) return [];
    if (waiver.origin.file === context.organizationFile) return [];
    if (!selectsRepository({ repositories: waiver.repositories }, context.repository)) return [];
    if (ruleEntry(scope, settings).level !== "off") return [];
    return [
      {
        ...waiverKeyOrigin(waiver, "rule"),
        code: "waiver-rule-off",
        message: `waiver for ${waiver.rule}: the settings turn this rule off, so it waives nothing; remove it, or the enforcement entry if the rule should run`,
      },
    ];
  });
}

/** Whether a repository's entry is where a rule's enforcement comes from, given the merged table. */
function sets(
  entry: RepositoryEnforcementEntry,
  rule: RuleScope,
  table: EnforcementTable,
): boolean {
  switch (entry.section) {
    case "rules":
      return entry.key === rule.rule;
    case "categories":
      return entry.key === rule.category && table.rules[rule.rule] === undefined;
    case "severities":
      return (
        entry.key === rule.severity &&
        table.rules[rule.rule] === undefined &&
        table.categories[rule.category] === undefined
      );
  }
}

function describeEntry(rule: EnforcementRule): string {
  return rule.level === "blocking" && rule.blockingFrom
    ? `blocking from ${rule.blockingFrom}`
    : rule.level;
}

/**
 * Rule id, then category, then severity settings, then the built-in default for the severity, on
 * the day `now`; a locked organization level is a floor for findings in the lock's scope. A
 * finding an unknown value decides is advisory at most.
 */
export function enforcementLevel(
  finding: Finding,
  settings: Settings,
  now: Date = new Date(),
): EnforcementLevel {
  return enforce(finding, settings, now).level;
}

/**
 * Whether a finding counting down to `blockingFrom` blocks on that day as it stands: open, new
 * unless `fail_on: all` (an existing one never blocks under `fail_on: new`), and not waived then.
 */
function blocksFrom(
  finding: Finding,
  status: FindingStatus,
  blockingFrom: string,
  settings: Settings,
): boolean {
  if (status === "fixed" || (settings.fail_on === "new" && status !== "new")) return false;
  const waiver = finding.waived;
  return waiver === null || (waiver.expires !== undefined && waiver.expires < blockingFrom);
}

function blocks(finding: Finding, settings: Settings): boolean {
  if (finding.enforcement !== "blocking" || finding.waived !== null) return false;
  if (finding.status === "fixed") return false;
  return settings.fail_on === "all" || finding.status === "new";
}

/** What waivers are judged against: the head's files (inline comments), the repository, the day. */
export interface WaiverContext {
  files: readonly SourceFile[];
  repository: RepositoryIdentity;
  now: Date;
  /** The ids of the rules evaluated: a waiver naming none of them is reported. */
  knownRules?: ReadonlySet<string>;
  /** The categories of the rules evaluated: an `enforcement.categories` key naming none is reported. */
  knownCategories?: ReadonlySet<string>;
  /** The rules evaluated, whose categories and severities judge a repository's locked entries. */
  rules?: readonly LoadedRule[];
  /** What merging the settings files reported, for the CLI (the app lists them in its summary). */
  settingsNotices?: readonly LoadError[];
  /** What did not load at base (`GateContext.baseProblems`). */
  baseProblems?: readonly LoadError[];
  /** `GateContext.changedModules`. */
  changedModules?: readonly ChangedModuleCall[];
  /** The scan covered the whole repository (`WaiverInput.wholeRepository`); never for the app's. */
  wholeRepository?: boolean;
  /** The roots the scan loaded (`WaiverInput.scannedRoots`), judged with `wholeRepository`. */
  scannedRoots?: readonly string[];
  /**
   * The organization's file, named as in origins, when the scan is a repository's pull request and
   * the file's admins are told of its problems on the `.github` repository: its waivers are reported
   * only where they bear on the findings (`WaiverInput.organizationFile`), and its unknown rule ids
   * and categories and its waivers for a rule turned off not at all.
   */
  organizationFile?: string;
}

/**
 * Waivers (inline and from settings) applied to the findings, then the decision: the sequence
 * the app's check, the impact preview and the CLI share.
 */
export function gateWithWaivers(
  findings: readonly Finding[],
  problems: LoadError[],
  settings: Settings,
  context: WaiverContext,
): GateDecision {
  const waived = applyWaivers(findings, {
    files: context.files,
    settingsWaivers: settings.waivers,
    repository: context.repository,
    now: context.now,
    inlineWaivers: settings.inlineWaivers,
    ...(context.knownRules ? { knownRules: context.knownRules } : {}),
    ...(context.wholeRepository ? { wholeRepository: true } : {}),
    ...(context.scannedRoots ? { scannedRoots: context.scannedRoots } : {}),
    ...(context.organizationFile !== undefined
      ? { organizationFile: context.organizationFile }
      : {}),
  });
  const ours = (reference: { origin: { file: string } }) =>
    reference.origin.file !== context.organizationFile;
  // A misspelt id or category under enforcement or locked is reported as a waiver's id is: a notice.
  const unknownIds = context.knownRules
    ? unknownRuleReferences(settings.ruleReferences.filter(ours), context.knownRules)
    : [];
  const unknownCategories = context.knownCategories
    ? unknownCategoryReferences(settings.categoryReferences.filter(ours), context.knownCategories)
    : [];
  const held = lockedEntryNotices(settings, context.rules ?? []);
  const offRule = offRuleWaiverNotices(settings, context, findings, waived.notices);
  const misspeltByOrganization = organizationEntriesMissingHere(settings, context, findings);
  return decideGate(waived.findings, problems, settings, {
    now: context.now,
    notices: [
      ...(context.settingsNotices ?? []),
      ...unknownIds,
      ...unknownCategories,
      ...held,
      ...waived.notices,
      ...offRule,
      ...misspeltByOrganization,
    ].sort(byPlace),
    ...(context.baseProblems ? { baseProblems: context.baseProblems } : {}),
    ...(context.changedModules ? { changedModules: context.changedModules } : {}),
  });
}

/**
 * On a repository's pull request, the organization's rule ids and categories (under `enforcement`
 * and in `locked`) naming nothing loaded whose likely meaning has findings here: their admins are
 * told on the `.github` repository, but this verdict may not be what they meant, so the author
 * hears of it, once per misspelt name however often the file writes it. A lock alone changes a
 * verdict only through this repository's own enforcement entries, so it is told only when there are.
 */
function organizationEntriesMissingHere(
  settings: Settings,
  context: WaiverContext,
  findings: readonly Finding[],
): LoadError[] {
  const { organizationFile, knownRules, knownCategories } = context;
  if (organizationFile === undefined) return [];
  const open = findings.filter((finding) => finding.status !== "fixed");
  const ofOrganization = <T extends { origin: { file: string } }>(references: readonly T[]) =>
    references.filter((reference) => reference.origin.file === organizationFile);
  return [
    ...(knownRules
      ? misspeltHere(
          "rule",
          ofOrganization(settings.ruleReferences).map((r) => ({ ...r, name: r.rule })),
          knownRules,
          new Set(open.map((finding) => finding.rule)),
          settings,
        )
      : []),
    ...(knownCategories
      ? misspeltHere(
          "category",
          ofOrganization(settings.categoryReferences).map((r) => ({ ...r, name: r.category })),
          knownCategories,
          new Set(open.map((finding) => finding.category)),
          settings,
        )
      : []),
  ];
}

function misspeltHere(
  kind: "rule" | "category",
  references: readonly { name: string; key: string; origin: SettingsOrigin }[],
  known: ReadonlySet<string>,
  found: ReadonlySet<string>,
  settings: Settings,
): LoadError[] {
  const section = kind === "rule" ? "enforcement.rules" : "enforcement.categories";
  const byName = new Map<string, (typeof references)[number][]>();
  for (const reference of references)
    if (!known.has(reference.name))
      byName.set(reference.name, [...(byName.get(reference.name) ?? []), reference]);
  return [...byName].flatMap(([name, written]) => {
    const entry = written.some((reference) => reference.key !== "locked");
    const lock = written.some((reference) => reference.key === "locked");
    if (!entry && settings.repositoryEnforcement.length === 0) return [];
    const meant = closeRuleIds(name, known).filter((close) => found.has(close));
    const first = written[0];
    if (meant.length === 0 || !first) return [];
    const what =
      entry && lock
        ? `enforcement entry ${section}.${name} and its lock name`
        : entry
          ? `${section}.${name} names`
          : `locked: ${section}.${name} names`;
    const effect =
      entry && lock
        ? "neither applies to this pull request"
        : entry
          ? "that entry does not apply to this pull request"
          : "that lock does not hold this repository's enforcement entries";
    return [
      {
        ...first.origin,
        code: `settings-organization-unknown-${kind}`,
        message: `the organization's ${what} no loaded ${kind} (did you mean ${meant.join(", ")}, which found something here?), so ${effect}; the organization's admins are told on the .github repository's Tollgate policies check`,
      },
    ];
  });
}

/**
 * A Terraform workspace at a Tollgate limit (WORKSPACE_LIMIT) is an error of the head, but a
 * warning when the base reached the same limit in the same file and workspaces (the same
 * message, wherever the line moved) and the pull request changed nothing that root module reads
 * (the same `inputs`): a root that always reaches it must not fail every pull request, but one
 * the pull request changed may now deploy anything in that workspace (an exposure opened there
 * would pass unseen). Without a base (`scan`) it stays an error.
 */
function reachedAtBase(problem: LoadError, base: readonly LoadError[] | undefined): LoadError {
  if (problem.code !== WORKSPACE_LIMIT || isWarning(problem) || problem.inputs === undefined)
    return problem;
  const same = base?.some(
    (at) =>
      at.code === problem.code &&
      at.file === problem.file &&
      at.message === problem.message &&
      at.inputs === problem.inputs,
  );
  return same
    ? {
        ...problem,
        level: "warning",
        message: `${problem.message}; the base reached the same limit there and this change leaves that root module as it was, so it does not block`,
      }
    : problem;
}

/**
 * A workspace a Terraform root leaves out at the head (`LoadError.leftOut`: its evaluation failed
 * with an error Terraform raises too, on the same values) is an error of the head when the base
 * did not leave it out for the same error in the same file: Tollgate's values are not always
 * Terraform's (a float64 from `jsondecode` where Terraform's number is 512-bit:
 * `tostring(jsondecode("0.11111111111111111111"))` keeps 20 ones), so a pull request can make a workspace fail in Tollgate alone and everything it deploys go unjudged. One
 * the base left out alike is an error too when the pull request changed what that root module
 * reads (`inputs`, as for a workspace at a limit, `reachedAtBase`): the change may deploy anything
 * there unseen. Left out alike in a root left as it was, it stays in the warning: a condition
 * this change did not bring. Without a base (`scan`) it stays a warning: the code as it stands,
 * with nothing to compare.
 */
function leftOutSinceBase(problem: LoadError, base: readonly LoadError[] | undefined): LoadError[] {
  const left = problem.leftOut;
  if (!left || base === undefined) return [problem];
  const alike = base.filter((at) => at.file === problem.file && at.leftOut?.error === left.error);
  const before = new Set(alike.flatMap((at) => at.leftOut?.workspaces ?? []));
  const rootUnchanged =
    problem.inputs !== undefined && alike.some((at) => at.inputs === problem.inputs);
  const introduced = left.workspaces.filter((name) => !before.has(name));
  const kept = left.workspaces.filter((name) => before.has(name));
  const named = (names: readonly string[]) =>
    names.map((name) => `workspace ${JSON.stringify(name)}`).join(", ");
  const at = { file: problem.file, line: problem.line, column: problem.column };
  const errors: LoadError[] = [];
  if (introduced.length > 0)
    errors.push({
      ...at,
      code: WORKSPACE_LEFT_OUT,
      message: `Tollgate could not check ${named(introduced)} at the head (${left.error}), though the base did not fail there for this error: what it deploys goes unjudged, and Terraform may plan it (its numbers are exact where Tollgate's are float64); make the expression evaluate in that workspace, or, if Terraform cannot plan it either, fix that or override this check`,
    });
  if (kept.length > 0 && !rootUnchanged)
    errors.push({
      ...at,
      code: WORKSPACE_LEFT_OUT,
      message: `Tollgate could not check ${named(kept)} (${left.error}), at the base either, and this change edits what its root module reads (its files, the local modules it calls, its variable files or the files its functions read): what the change deploys there goes unjudged; make the expression evaluate in that workspace (Terraform may plan it: its numbers are exact where Tollgate's are float64), or, if Terraform cannot plan it either, fix that or override this check`,
    });
  if (errors.length === 0) return [problem];
  if (kept.length === 0 || !rootUnchanged) return errors;
  const warning: LoadError = {
    ...problem,
    message: `${named(kept)} left out: Terraform cannot plan there (${left.error})`,
    leftOut: { workspaces: kept, error: left.error },
  };
  return [...errors, warning];
}

/**
 * A `Fn::Transform` whose output Tollgate does not read (an `AWS::Include` snippet, a macro) is a
 * warning of the code as it stands, but in a diff one the base did not have in that file (the pull
 * request adds it, or re-points its `Location`) is an error: the change deploys what goes unjudged.
 */
function includedSinceBase(problem: LoadError, base: readonly LoadError[] | undefined): LoadError {
  if (problem.code !== MACRO_UNREAD || !isWarning(problem) || base === undefined) return problem;
  const before = base.some(
    (at) => at.code === problem.code && at.file === problem.file && at.message === problem.message,
  );
  if (before) return problem;
  return {
    file: problem.file,
    line: problem.line,
    column: problem.column,
    code: problem.code,
    message: `${problem.message}, and this change adds it (the base had no such Fn::Transform in ${problem.file}); inline the snippet in the template, or override this check`,
  };
}

/** The verdict. Without `context.now` dates are judged on the current time (the CLI's default). */
export function decideGate(
  findings: Finding[],
  headProblems: LoadError[],
  settings: Settings,
  context: GateContext = {},
): GateDecision {
  const problems = headProblems.flatMap((problem) =>
    leftOutSinceBase(
      reachedAtBase(includedSinceBase(problem, context.baseProblems), context.baseProblems),
      context.baseProblems,
    ),
  );
  const errors = problems.filter((problem) => !isWarning(problem));
  const now = context.now ?? new Date();
  const unconfirmed = findings.filter(
    (finding) => finding.status === "fixed" && errors.some((error) => hides(error, finding)),
  );
  // Under `unread_modules: block`, what the change points at unread is an error of the change; it
  // hides no finding, the module's files being all that went unread.
  if (settings.unread_modules === "block")
    errors.push(...(context.changedModules ?? []).map(unreadModuleError));
  // A base finding whose rule now reports its resource as cannot tell was not fixed: the PR made
  // the value unknown. It is neither fixed nor open (a cannot-tell finding, reported under
  // unknown_values: advisory, stands for it), and the reasons say so.
  const madeUnknown = findings.filter(
    (finding) =>
      finding.status === "fixed" &&
      finding.unknownAtHead !== undefined &&
      !unconfirmed.includes(finding),
  );
  // A base finding on what a `removed` block forgets with `destroy = false`: Terraform leaves it
  // deployed, so the PR fixed nothing; it is no longer managed here, neither fixed nor open.
  const forgotten = findings.filter(
    (finding) =>
      finding.status === "fixed" &&
      finding.forgottenAtHead !== undefined &&
      !madeUnknown.includes(finding) &&
      !unconfirmed.includes(finding),
  );
  // The mirror case: a head finding whose file, module or template did not load at base may have
  // been there. A base that did not load is no error of this change (the change may be what fixed
  // it), but not knowing is no reason to let a finding pass: it stays new, and blocks as a new
  // finding does, as a base finding hidden at head stays open.
  const baseErrors = (context.baseProblems ?? []).filter((problem) => !isWarning(problem));
  const unloadedAtBase = new Set(
    findings.filter(
      (finding) =>
        (finding.status ?? "new") === "new" && baseErrors.some((error) => hides(error, finding)),
    ),
  );
  const enforced: Finding[] = [];
  const countdowns = new Map<string, { blockingFrom: string; count: number }>();
  let suppressed = 0;
  let held = 0;
  for (const finding of findings) {
    if (madeUnknown.includes(finding) || forgotten.includes(finding)) continue;
    const result = enforce(finding, settings, now);
    if (result.level === "off") {
      suppressed++;
      continue;
    }
    // A base finding whose file, module or template did not load at head may still be there.
    const status = unconfirmed.includes(finding) ? "existing" : (finding.status ?? "new");
    // The day a `blocking_from` countdown makes it block, as it stands.
    const advisoryUntil =
      result.blockingFrom !== undefined &&
      blocksFrom(finding, status, result.blockingFrom, settings)
        ? result.blockingFrom
        : undefined;
    enforced.push({
      ...finding,
      status,
      enforcement: result.level,
      ...(unloadedAtBase.has(finding) ? { unloadedAtBase: true as const } : {}),
      ...(advisoryUntil !== undefined ? { advisoryUntil } : {}),
    });
    if (result.heldByLock) held++;
    if (advisoryUntil !== undefined) {
      const countdown = countdowns.get(finding.rule) ?? {
        blockingFrom: advisoryUntil,
        count: 0,
      };
      countdown.count++;
      countdowns.set(finding.rule, countdown);
    }
  }
  const reported = withoutRestated(enforced);
  const blocking = reported.filter((finding) => blocks(finding, settings));

  const reasons: string[] = [];
  if (blocking.length > 0) {
    const scope = settings.fail_on === "all" ? "open" : "new";
    reasons.push(
      `${plural(blocking.length, `blocking ${scope} finding`)} (${severityList(blocking)})`,
    );
  }
  if (errors.length > 0) {
    reasons.push(
      settings.on_error === "block"
        ? `${plural(errors.length, "error")} prevented a complete scan; the gate fails closed`
        : `${plural(errors.length, "error")} prevented a complete scan (on_error: neutral)`,
    );
  }
  const conclusion: Conclusion =
    blocking.length > 0 || (errors.length > 0 && settings.on_error === "block")
      ? "failure"
      : errors.length > 0
        ? "neutral"
        : "success";
  if (conclusion === "success") {
    const advisory = reported.filter((f) => f.status === "new" && f.enforcement === "advisory");
    reasons.push(
      advisory.length > 0
        ? `no blocking findings; ${plural(advisory.length, "new advisory finding")}`
        : "no blocking findings",
    );
  }
  // A new finding a waiver accepts blocks nothing, so the reviewer is told here, not only at the
  // report's end: above all one this change's own comment waives. The check run title's count.
  const waivedNew = reported.filter((f) => f.status === "new" && f.waived !== null);
  reasons.push(...describeWaivedNew(waivedNew));
  // Nor can a finding say what a module the change points at deploys when Tollgate does not read it.
  reasons.push(...describeChangedModules(context.changedModules ?? []));
  const undecided = reported.filter((f) => f.status !== "fixed" && f.unknown !== undefined);
  if (undecided.length > 0)
    reasons.push(
      `${plural(undecided.length, "finding")} an unknown value decides (cannot tell; advisory, never blocking)`,
    );
  if (unconfirmed.length > 0)
    reasons.push(
      `${plural(unconfirmed.length, "base finding")} not counted as fixed: ${unconfirmed.length === 1 ? "its file" : "their files"} did not load at head, so ${unconfirmed.length === 1 ? "it stays" : "they stay"} open`,
    );
  const notAtBase = reported.filter((finding) => finding.unloadedAtBase);
  if (notAtBase.length > 0)
    reasons.push(
      `${plural(notAtBase.length, "new finding")} may not be new: ${notAtBase.length === 1 ? "its file" : "their files"} did not load at base, so ${notAtBase.length === 1 ? "it is" : "they are"} gated as new`,
    );
  if (madeUnknown.length > 0) {
    const decidedBy = [...new Set(madeUnknown.flatMap((f) => f.unknownAtHead ?? []))].join(", ");
    reasons.push(
      `${plural(madeUnknown.length, "base finding")} not counted as fixed: a value Tollgate cannot know now decides ${madeUnknown.length === 1 ? "it" : "them"} (${decidedBy})`,
    );
  }
  // A `removed` block with `destroy = false`, or a CloudFormation `DeletionPolicy` that retains.
  const removedBlock = forgotten.filter((f) => f.forgottenAtHead?.policy === undefined);
  const retained = forgotten.filter((f) => f.forgottenAtHead?.policy !== undefined);
  const placesOf = (some: readonly Finding[], text: (f: Finding) => string) =>
    [...new Set(some.map(text))].join(", ");
  if (removedBlock.length > 0) {
    const places = placesOf(
      removedBlock,
      (f) => `${f.forgottenAtHead?.file}:${f.forgottenAtHead?.line}`,
    );
    reasons.push(
      `${plural(removedBlock.length, "base finding")} not counted as fixed: no longer managed here, still deployed (removed with destroy = false at ${places})`,
    );
  }
  if (retained.length > 0) {
    const places = placesOf(
      retained,
      (f) =>
        `${f.resource} ${f.forgottenAtHead?.policy} at ${f.forgottenAtHead?.file}:${f.forgottenAtHead?.line}`,
    );
    reasons.push(
      `${plural(retained.length, "base finding")} not counted as fixed: retained by its DeletionPolicy, still deployed (no longer declared at head; base DeletionPolicy: ${places})`,
    );
  }
  const adopted = reported.filter((f) => f.status === "existing" && f.adopted !== undefined);
  if (adopted.length > 0) {
    const places = [...new Set(adopted.map((f) => `${f.adopted?.file}:${f.adopted?.line}`))];
    reasons.push(
      `${plural(adopted.length, "finding")} on what import blocks adopt (${places.join(", ")}): already deployed, so existing, not new (import_adopts: existing)`,
    );
  }
  const adoptedNew = reported.filter((f) => f.status === "new" && f.adopted !== undefined);
  if (adoptedNew.length > 0) {
    const places = [...new Set(adoptedNew.map((f) => `${f.adopted?.file}:${f.adopted?.line}`))];
    reasons.push(
      `${plural(adoptedNew.length, "new finding")} on what import blocks adopt (${places.join(", ")}): new all the same, the deployed object being unseen; a waiver records one already deployed so`,
    );
  }
  // Like a fix, though the finding stays open: the pull request took deployments away from it.
  const narrowed = reported.filter((f) => f.status === "existing" && f.narrowed !== undefined);
  if (narrowed.length > 0) {
    const named = narrowed
      .slice(0, 3)
      .map((f) => `${f.rule} at ${f.file}:${f.line} ${f.narrowed ?? ""}`);
    const more = narrowed.length > 3 ? ` and ${narrowed.length - 3} more` : "";
    reasons.push(
      `${plural(narrowed.length, "existing finding")} narrowed by this change, still open: ${named.join("; ")}${more}`,
    );
  }
  const warnings = problems.filter(isWarning);
  if (warnings.length > 0)
    reasons.push(
      `${plural(warnings.length, "load warning")} (not blocking: what each names is unknown to the policies or left out)`,
    );
  const notices = [...(context.notices ?? [])];
  for (const notice of notices) reasons.push(`${problemPlace(notice)}${notice.message}`);
  const countdownList = [...countdowns]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, { blockingFrom, count }]) => ({
      rule,
      blockingFrom,
      daysLeft: daysFromToday(dayStart(blockingFrom), now),
      findings: count,
    }));
  reasons.push(...countdownList.map(describeCountdown));
  if (held > 0)
    reasons.push(`${plural(held, "finding")} held at the organization's locked enforcement`);
  return {
    conclusion,
    findings: reported,
    blocking,
    errors,
    counts: countFindings(reported),
    suppressed,
    reasons,
    notices,
    warnings,
    countdowns: countdownList,
  };
}

/** The error `unread_modules: block` makes of a module call not read that the change adds or re-points. */
function unreadModuleError(call: ChangedModuleCall): LoadError {
  return {
    ...changedAt(call),
    code: "module-not-read",
    message: `not judged: module not read: ${describeChangedCall(call)}; Tollgate does not fetch it, and unread_modules: block makes ${call.kind === "stack" ? "a nested stack" : "a call"} this change adds or re-points an error`,
  };
}

/**
 * `not judged: module not read: 1 module call this change adds or re-points, judged only through its
 * arguments: module.sg (main.tf:2, added, source "git::…")`, the first three named.
 */
function describeChangedModules(calls: readonly ChangedModuleCall[]): string[] {
  if (calls.length === 0) return [];
  const named = calls.slice(0, 3).map(describeChangedCall);
  const more = calls.length > 3 ? `; and ${calls.length - 3} more` : "";
  const them = calls.length === 1 ? "its" : "their";
  // Module calls, CloudFormation nested stacks (`kind: "stack"`), or both.
  const stacks = calls.filter((call) => call.kind === "stack").length;
  const s = calls.length === 1 ? "" : "s";
  const what =
    stacks === 0
      ? plural(calls.length, "module call")
      : stacks === calls.length
        ? plural(calls.length, "nested stack")
        : `${calls.length} module call${s} or nested stack${s}`;
  const through = stacks === calls.length ? "properties" : "arguments";
  return [
    `not judged: module not read: ${what} this change adds or re-points, judged only through ${them} ${through}: ${named.join("; ")}${more}`,
  ];
}

/**
 * `1 new finding waived by a tollgate:ignore comment, not blocking: TG-NET-003 at main.tf:8 ("public
 * search demo", no expiry)`, then the same for the settings' waivers, the first three of each named.
 */
function describeWaivedNew(findings: Finding[]): string[] {
  const inline = (finding: Finding) => finding.waived?.written === "inline";
  const lines = (ofKind: Finding[], by: string): string[] => {
    if (ofKind.length === 0) return [];
    const named = ofKind.slice(0, 3).map((finding) => {
      const expires = finding.waived?.expires ? `expires ${finding.waived.expires}` : "no expiry";
      return `${finding.rule} at ${finding.file}:${finding.line} ("${finding.waived?.reason ?? ""}", ${expires})`;
    });
    const more = ofKind.length > 3 ? `; and ${ofKind.length - 3} more` : "";
    return [
      `${plural(ofKind.length, "new finding")} waived ${by}, not blocking: ${named.join("; ")}${more}`,
    ];
  };
  return [
    ...lines(findings.filter(inline), "by a tollgate:ignore comment"),
    ...lines(
      findings.filter((finding) => !inline(finding)),
      "by the settings",
    ),
  ];
}

/**
 * The findings without each open cannot-tell finding that an open certain finding restates: same
 * rule, root and subject, the same resource block (any of its instances: `aws_s3_bucket.x["a"]`
 * stands for `aws_s3_bucket.x` too) and the same file and line. The certain finding already asks
 * for that line to change, so "cannot tell" there adds nothing (`concat(var.office,
 * ["0.0.0.0/0"])`: SSH is open to the internet whatever `var.office` holds). Waived or not, a
 * certain finding restates it; a fixed one (gone at head) does not. The diff has already run, so a
 * base finding the head made unknown is still told apart from a fixed one.
 */
export function withoutRestated(findings: Finding[]): Finding[] {
  const certain = new Set(
    findings
      .filter((finding) => finding.unknown === undefined && finding.status !== "fixed")
      .map(placeOf),
  );
  return findings.filter(
    (finding) =>
      finding.unknown === undefined || finding.status === "fixed" || !certain.has(placeOf(finding)),
  );
}

/** Rule, root, subject, resource block and line: where a cannot-tell finding may be restated. */
function placeOf(finding: Finding): string {
  return JSON.stringify([
    finding.rule,
    finding.root ?? "",
    finding.subject ?? "",
    finding.resource.replace(OWN_INSTANCE_KEY, ""),
    finding.file,
    finding.line,
  ]);
}

/** A resource address's own instance key (`[0]`, `["a"]`), not a module's before it. */
const OWN_INSTANCE_KEY = /\[(?:\d+|"(?:[^"\\]|\\.)*")\]$/;

/** What every report says of a countdown: `TG-LOG-012 is advisory until 2027-01-15 (in 30 days), ...`. */
export function describeCountdown(countdown: Countdown): string {
  return `${countdown.rule} is advisory until ${countdown.blockingFrom} (${describeDaysLeft(countdown.daysLeft)}), then blocking: ${plural(countdown.findings, "finding")}`;
}

/**
 * Whether a load error on one side may hide a finding of the other (a base finding then cannot
 * count as fixed, a head finding cannot be known to be new): an error in the finding's own file or
 * template, or in a file of the same Terraform module or of the root module it was evaluated in (a
 * broken `.tf` or `.tfvars` file there changes what the module holds).
 */
function hides(error: LoadError, finding: Finding): boolean {
  if (error.file === finding.file || error.file === finding.root) return true;
  if (!isTerraformFile(error.file) || !isTerraformFile(finding.file)) return false;
  const directory = directoryOf(error.file);
  return directory === directoryOf(finding.file) || directory === finding.root;
}

export function countFindings(findings: Finding[]): GateCounts {
  const counts: GateCounts = {
    bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    byCategory: Object.fromEntries(BUILT_IN_CATEGORIES.map((category) => [category, 0])),
    byStatus: { new: 0, existing: 0, fixed: 0 },
  };
  for (const finding of findings) {
    counts.bySeverity[finding.severity]++;
    counts.byCategory[finding.category] = (counts.byCategory[finding.category] ?? 0) + 1;
    counts.byStatus[finding.status ?? "new"]++;
  }
  return counts;
}

/** `2 critical, 1 high` in severity order, zero counts left out. */
export function severityList(findings: Finding[]): string {
  const { bySeverity } = countFindings(findings);
  return SEVERITIES.filter((s) => bySeverity[s] > 0)
    .map((s) => `${bySeverity[s]} ${s}`)
    .join(", ");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
