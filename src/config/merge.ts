// Merges the organization's settings file and a repository's into the `Settings` the gate applies,
// holding locked keys: a repository may tighten what the organization locks but never loosen it.
// Pure over parsed files, so the app (two files) and the CLI (one file) resolve the same way.
import { isDeepStrictEqual } from "node:util";
import picomatch from "picomatch";
import type { LoadError } from "../model/types.js";
import { originOf, type ParsedSettingsFile } from "./parse.js";
import {
  categorySchema,
  DEFAULT_POLICY_FOLDER,
  DEFAULT_SEVERITY_ENFORCEMENT,
  defaultRuleSettings,
  defaultSettings,
  RULE_SETTING_KEYS,
  severitySchema,
  type EnforcementEntryInput,
  type EnforcementLock,
  type EnforcementRule,
  type EnforcementTable,
  type RepositoryIdentity,
  type RuleSettingKey,
  type RuleSettings,
  type Settings,
  type SettingsFile,
  type SettingsOrigin,
  type SettingsOverride,
  type SettingsWaiver,
  type WaiverKey,
} from "./schema.js";

export interface MergedSettings {
  settings: Settings;
  /** Located notices: a locked key the repository tried to loosen, an org-only key in a repository file. */
  notices: LoadError[];
}

type Section = keyof EnforcementTable;
const SECTIONS: readonly Section[] = ["rules", "categories", "severities"];

/**
 * The merge, in order (later wins, key by key; enforcement entry by entry):
 * 1. the built-in defaults;
 * 2. the organization file's top level, then each of its `overrides` whose selector matches the
 *    repository (all of `repositories` name globs and `topics` given must match), in file order;
 * 3. the repository file's top level, then its own matching `overrides`, except that a key the
 *    organization lists in `locked` keeps the organization's value when the repository's is looser.
 * Waivers add up: the organization's, then the repository's; `applyWaivers` keeps those whose
 * `repositories` globs match. Locking `waivers` leaves only the organization's: the repository's
 * file waivers and its inline `tollgate:ignore` comments no longer apply. `break_glass` users and
 * teams add up the same way; locking it leaves only the organization's (none disables overrides).
 * `rule_settings` merge option by option like `fail_on`, custom ones (`rule_settings.custom.<name>`)
 * too; a locked custom option keeps the organization's value, whose strictness Tollgate cannot tell.
 * `locked` is read only from the organization file.
 * `policies` names the organization's custom rule folder; a repository's own `policies` adds its
 * folder only when the organization sets `allow_repository_policies: true`.
 *
 * Looser means: for enforcement, `off` < `advisory` < `blocking` with a `blocking_from` date (a later
 * date is looser) < `blocking`; `fail_on: new` < `all`; `on_error: neutral` < `block`; `import_adopts: existing` < `new`;
 * `unread_modules: notice` < `block`; `terraform.tool` may not be changed under a lock (absent, an
 * error where the tools read a folder differently, is strictest; neither tool is looser); for a rule
 * option (`rule_settings` as a whole, or `rule_settings.<option>`), `false` < `true`, a shorter
 * `log_retention_min_days` < a longer one, `unknown_values: ignore` < `advisory`; for
 * `waivers` and `break_glass`, anything the repository adds. A locked enforcement key (`enforcement` as a whole, or one
 * rule, category or severity) also makes the organization's level a floor at gate time for every
 * finding in its scope, so a repository cannot loosen a locked category through a rule entry. The
 * repository's enforcement entries are kept with their place (`repositoryEnforcement`, those held
 * here marked `held`): the gate, which knows each rule's category and severity, reports those its
 * floor holds, so a held entry's notice is the gate's, not the merge's.
 */
export function mergeSettings(
  organization: ParsedSettingsFile | null,
  repository: ParsedSettingsFile | null,
  identity: RepositoryIdentity,
): MergedSettings {
  const notices: LoadError[] = [];
  const locked = new Set<string>(organization?.settings.locked ?? []);
  const settings: Settings = {
    fail_on: defaultSettings.fail_on,
    on_error: defaultSettings.on_error,
    import_adopts: defaultSettings.import_adopts,
    unread_modules: defaultSettings.unread_modules,
    enforcement: emptyTable(),
    waivers: [],
    inlineWaivers: !locked.has("waivers"),
    locks: { organization: emptyTable(), keys: [] },
    breakGlass: { users: [], teams: [] },
    policies: {},
    ruleSettings: { ...defaultRuleSettings },
    terraformVariableFiles: {},
    ruleReferences: [],
    categoryReferences: [],
    cloudformationParameterFiles: {},
    repositoryEnforcement: [],
  };
  // A root's list as a whole: the repository's replaces the organization's for the same root.
  for (const file of [organization, repository])
    for (const [root, paths] of Object.entries(file?.settings.terraform?.var_files ?? {}))
      settings.terraformVariableFiles[root === "." ? "" : root.replace(/^\.\/|\/$/g, "")] = paths;
  // What deploys the repository: the repository's word, unless the organization locks its own.
  // Neither tool is stricter than the other, and absent (an error where they differ) is strictest:
  // under a lock the repository may not name another tool.
  const organizationTool = organization?.settings.terraform?.tool;
  const repositoryTool = repository?.settings.terraform?.tool;
  const toolHeld =
    repositoryTool !== undefined &&
    repositoryTool !== organizationTool &&
    locked.has("terraform.tool");
  if (repository && toolHeld)
    notices.push({
      ...originOf(repository, ["terraform", "tool"]),
      code: "settings-locked",
      message: `terraform.tool is locked by the organization and may not be changed; the organization's ${organizationTool ? `value (${organizationTool})` : "absent value (an error where Terraform and OpenTofu read a folder differently)"} applies`,
    });
  const tool = toolHeld ? organizationTool : (repositoryTool ?? organizationTool);
  if (tool) settings.terraformTool = tool;
  // A template's list as a whole, the same way.
  const repositoryPath = (path: string): string => path.replace(/^\.\//, "");
  for (const file of [organization, repository])
    for (const [template, paths] of Object.entries(
      file?.settings.cloudformation?.parameter_files ?? {},
    ))
      settings.cloudformationParameterFiles[repositoryPath(template)] = paths.map(repositoryPath);

  if (organization) {
    for (const layer of layersFor(organization.settings, identity)) applyLayer(settings, layer);
    addReferences(settings, organization, { locked: true });
    settings.waivers.push(...waiversOf(organization));
    addBreakGlass(settings, organization.settings);
  }
  settings.locks = { organization: cloneTable(settings.enforcement), keys: locksOf(locked) };
  const organizationPolicies = organization?.settings.policies;
  if (organizationPolicies)
    settings.policies.organization = organizationPolicies.path ?? DEFAULT_POLICY_FOLDER;
  const organizationValues = {
    fail_on: settings.fail_on,
    on_error: settings.on_error,
    import_adopts: settings.import_adopts,
    unread_modules: settings.unread_modules,
    ruleSettings: { ...settings.ruleSettings },
  };

  if (repository) {
    for (const layer of layersFor(repository.settings, identity)) {
      const held = looserLockedPaths(layer.settings, organizationValues, settings.locks, locked);
      // A held enforcement entry is reported by the gate, with the rules it would have loosened.
      for (const path of held.filter((path) => path[0] !== "enforcement"))
        notices.push({
          ...originOf(repository, [...layer.path, ...path]),
          code: "settings-locked",
          message: `${path.join(".")} is locked by the organization and may not be loosened; the organization's value applies`,
        });
      const heldKeys = new Set(held.map((path) => path.join(".")));
      applyLayer(settings, layer, (path) => !heldKeys.has(path.join(".")));
      for (const section of SECTIONS)
        for (const [key, entry] of sectionEntries(layer.settings, section))
          settings.repositoryEnforcement.push({
            section,
            key,
            rule: enforcementRule(entry),
            origin: originOf(repository, [...layer.path, "enforcement", section, key]),
            ...(heldKeys.has(`enforcement.${section}.${key}`) ? { held: true } : {}),
          });
    }
    addReferences(settings, repository, { locked: false });
    if (repository.settings.waivers && repository.settings.waivers.length > 0) {
      if (locked.has("waivers")) {
        notices.push({
          ...originOf(repository, ["waivers"]),
          code: "settings-locked",
          message: "waivers are locked by the organization; this file's waivers do not apply",
        });
      } else settings.waivers.push(...waiversOf(repository));
    }
    if (repository.settings.break_glass) {
      if (locked.has("break_glass")) {
        notices.push({
          ...originOf(repository, ["break_glass"]),
          code: "settings-locked",
          message:
            "break_glass is locked by the organization; only the organization's list may override",
        });
      } else addBreakGlass(settings, repository.settings);
    }
    notices.push(...repositoryPolicies(settings, organizationPolicies, repository));
    if (repository.settings.locked) {
      notices.push({
        ...originOf(repository, ["locked"]),
        code: "settings-org-only",
        message:
          "locked is read only from the organization's .github repository; ignored in a repository's settings",
      });
    }
  }
  return { settings, notices };
}

/**
 * A repository's own `policies` folder counts only when the organization allows it; naming one is
 * the opt-in, so repositories that say nothing cost no extra reads.
 */
function repositoryPolicies(
  settings: Settings,
  organization: SettingsFile["policies"],
  repository: ParsedSettingsFile,
): LoadError[] {
  const own = repository.settings.policies;
  if (!own) return [];
  const notices: LoadError[] = [];
  if (own.allow_repository_policies !== undefined)
    notices.push({
      ...originOf(repository, ["policies", "allow_repository_policies"]),
      code: "settings-org-only",
      message:
        "policies.allow_repository_policies is read only from the organization's .github repository; ignored here",
    });
  if (organization?.allow_repository_policies === true)
    settings.policies.repository = own.path ?? organization.path ?? DEFAULT_POLICY_FOLDER;
  else
    notices.push({
      ...originOf(repository, ["policies"]),
      code: "settings-locked",
      message:
        "the organization does not allow repository policies (policies.allow_repository_policies); this repository's rules do not apply",
    });
  return notices;
}

/** Whether a selector (`repositories` globs, `topics`) picks the repository; an empty one picks all. */
export function selectsRepository(
  selector: {
    repositories?: readonly string[] | undefined;
    topics?: readonly string[] | undefined;
  },
  identity: RepositoryIdentity,
): boolean {
  if (
    selector.repositories &&
    !selector.repositories.some((glob) => picomatch.isMatch(identity.name, glob, { nocase: true }))
  )
    return false;
  if (selector.topics && !selector.topics.some((topic) => identity.topics.includes(topic)))
    return false;
  return true;
}

function enforcementRule(entry: EnforcementEntryInput): EnforcementRule {
  return typeof entry === "string"
    ? { level: entry }
    : { level: "blocking", blockingFrom: entry.blocking_from };
}

/** Orders enforcement from loosest to strictest; see `mergeSettings` for the order. */
export function compareEnforcement(a: EnforcementRule, b: EnforcementRule): number {
  const rank = (rule: EnforcementRule) =>
    rule.level === "off" ? 0 : rule.level === "advisory" ? 1 : rule.blockingFrom ? 2 : 3;
  const byRank = rank(a) - rank(b);
  if (byRank !== 0 || !a.blockingFrom || !b.blockingFrom) return byRank;
  // Both blocking from a date: the later date is looser.
  return b.blockingFrom.localeCompare(a.blockingFrom);
}

const rankFailOn = (value: Settings["fail_on"]) => (value === "all" ? 1 : 0);
const rankOnError = (value: Settings["on_error"]) => (value === "block" ? 1 : 0);
const rankImportAdopts = (value: Settings["import_adopts"]) => (value === "new" ? 1 : 0);
const rankUnreadModules = (value: Settings["unread_modules"]) => (value === "block" ? 1 : 0);

/** Each rule option's values ranked from loosest to strictest; see `mergeSettings`. */
const RULE_SETTING_STRICTNESS: { [K in RuleSettingKey]: (value: RuleSettings[K]) => number } = {
  s3_require_kms: (required) => (required ? 1 : 0),
  dynamodb_require_kms: (required) => (required ? 1 : 0),
  dynamodb_require_cmk: (required) => (required ? 1 : 0),
  mq_require_cmk: (required) => (required ? 1 : 0),
  log_retention_min_days: (days) => days,
  unknown_values: (handling) => (handling === "advisory" ? 1 : 0),
};

function looserRuleSetting<K extends RuleSettingKey>(
  key: K,
  value: RuleSettings[K],
  than: RuleSettings[K],
): boolean {
  const rank = RULE_SETTING_STRICTNESS[key];
  return rank(value) < rank(than);
}

/** The rule options a layer writes, in schema order. */
function ruleSettingEntries(
  layer: SettingsOverride | SettingsFile,
): { key: RuleSettingKey; value: RuleSettings[RuleSettingKey] }[] {
  const written = layer.rule_settings ?? {};
  return RULE_SETTING_KEYS.flatMap((key) => {
    const value = written[key];
    return value === undefined ? [] : [{ key, value }];
  });
}

function setRuleSetting<K extends RuleSettingKey>(
  target: RuleSettings,
  key: K,
  value: RuleSettings[K],
): void {
  target[key] = value;
}

interface Layer {
  /** Where the layer sits in its file: `[]` for the top level, `["overrides", 2]` for an override. */
  path: (string | number)[];
  settings: SettingsOverride | SettingsFile;
}

function layersFor(file: SettingsFile, identity: RepositoryIdentity): Layer[] {
  const layers: Layer[] = [{ path: [], settings: file }];
  (file.overrides ?? []).forEach((override, index) => {
    if (selectsRepository(override, identity))
      layers.push({ path: ["overrides", index], settings: override });
  });
  return layers;
}

function applyLayer(
  settings: Settings,
  layer: Layer,
  applies: (path: string[]) => boolean = () => true,
): void {
  const { fail_on, on_error, import_adopts, unread_modules } = layer.settings;
  if (fail_on && applies(["fail_on"])) settings.fail_on = fail_on;
  if (on_error && applies(["on_error"])) settings.on_error = on_error;
  if (import_adopts && applies(["import_adopts"])) settings.import_adopts = import_adopts;
  if (unread_modules && applies(["unread_modules"])) settings.unread_modules = unread_modules;
  for (const section of SECTIONS) {
    const table = settings.enforcement[section] as Record<string, EnforcementRule>;
    for (const [key, entry] of sectionEntries(layer.settings, section)) {
      if (applies(["enforcement", section, key])) table[key] = enforcementRule(entry);
    }
  }
  for (const { key, value } of ruleSettingEntries(layer.settings)) {
    if (applies(["rule_settings", key])) setRuleSetting(settings.ruleSettings, key, value);
  }
  for (const [key, value] of Object.entries(layer.settings.rule_settings?.custom ?? {})) {
    if (applies(["rule_settings", "custom", key]))
      settings.ruleSettings = {
        ...settings.ruleSettings,
        custom: { ...settings.ruleSettings.custom, [key]: value },
      };
  }
}

/**
 * The rule ids and categories a file names under `enforcement`, each where its key is written, in
 * every layer: an `overrides` entry for other repositories is checked too, since it is checked
 * nowhere else. With `locked`, also those of its `locked` list (read from the organization only).
 */
function addReferences(
  settings: Settings,
  file: ParsedSettingsFile,
  { locked }: { locked: boolean },
): void {
  const layers: Layer[] = [
    { path: [], settings: file.settings },
    ...(file.settings.overrides ?? []).map((override, index) => ({
      path: ["overrides", index],
      settings: override,
    })),
  ];
  for (const layer of layers) {
    const at = (section: Section, key: string) =>
      originOf(file, [...layer.path, "enforcement", section, key]);
    for (const [rule] of sectionEntries(layer.settings, "rules"))
      settings.ruleReferences.push({ rule, key: "enforcement.rules", origin: at("rules", rule) });
    for (const [category] of sectionEntries(layer.settings, "categories"))
      settings.categoryReferences.push({
        category,
        key: "enforcement.categories",
        origin: at("categories", category),
      });
  }
  if (!locked) return;
  (file.settings.locked ?? []).forEach((key, index) => {
    const origin = originOf(file, ["locked", index]);
    const [, section, name] = /^enforcement\.(rules|categories)\.(.+)$/.exec(key) ?? [];
    if (section === "rules" && name !== undefined)
      settings.ruleReferences.push({ rule: name, key: "locked", origin });
    if (section === "categories" && name !== undefined)
      settings.categoryReferences.push({ category: name, key: "locked", origin });
  });
}

function sectionEntries(
  layer: SettingsOverride | SettingsFile,
  section: Section,
): [string, EnforcementEntryInput][] {
  const entries: Record<string, EnforcementEntryInput | undefined> =
    layer.enforcement?.[section] ?? {};
  return Object.entries(entries).filter(
    (pair): pair is [string, EnforcementEntryInput] => pair[1] !== undefined,
  );
}

/** The paths of a repository layer's locked values that are looser than the organization's. */
function looserLockedPaths(
  layer: SettingsOverride | SettingsFile,
  organization: Pick<
    Settings,
    "fail_on" | "on_error" | "import_adopts" | "unread_modules" | "ruleSettings"
  >,
  locks: Settings["locks"],
  locked: ReadonlySet<string>,
): string[][] {
  const held: string[][] = [];
  if (
    layer.fail_on &&
    locked.has("fail_on") &&
    rankFailOn(layer.fail_on) < rankFailOn(organization.fail_on)
  )
    held.push(["fail_on"]);
  if (
    layer.on_error &&
    locked.has("on_error") &&
    rankOnError(layer.on_error) < rankOnError(organization.on_error)
  )
    held.push(["on_error"]);
  if (
    layer.import_adopts &&
    locked.has("import_adopts") &&
    rankImportAdopts(layer.import_adopts) < rankImportAdopts(organization.import_adopts)
  )
    held.push(["import_adopts"]);
  if (
    layer.unread_modules &&
    locked.has("unread_modules") &&
    rankUnreadModules(layer.unread_modules) < rankUnreadModules(organization.unread_modules)
  )
    held.push(["unread_modules"]);
  for (const section of SECTIONS) {
    const organizationSection = locks.organization[section] as Record<string, EnforcementRule>;
    for (const [key, entry] of sectionEntries(layer, section)) {
      const isLocked = locked.has("enforcement") || locked.has(`enforcement.${section}.${key}`);
      // A severity the organization leaves unwritten is locked at the built-in default, which the
      // gate holds as a floor anyway; saying so here places the notice on the repository's line.
      // An unwritten rule or category falls to its category or severity, which rule metadata
      // decides and merging does not know: only the lowest level the organization could give it
      // is known, and an entry below that is surely looser (the gate judges the rest).
      const organizationRule =
        organizationSection[key] ??
        (section === "severities"
          ? severityDefault(key)
          : lowestOrganizationLevel(locks.organization, section));
      if (
        isLocked &&
        organizationRule &&
        compareEnforcement(enforcementRule(entry), organizationRule) < 0
      )
        held.push(["enforcement", section, key]);
    }
  }
  for (const { key, value } of ruleSettingEntries(layer)) {
    const isLocked = locked.has("rule_settings") || locked.has(`rule_settings.${key}`);
    if (isLocked && looserRuleSetting(key, value, organization.ruleSettings[key]))
      held.push(["rule_settings", key]);
  }
  // Tollgate cannot tell which value of a custom option is the stricter: under a lock a
  // repository keeps the organization's.
  for (const [key, value] of Object.entries(layer.rule_settings?.custom ?? {})) {
    const isLocked =
      locked.has("rule_settings") ||
      locked.has("rule_settings.custom") ||
      locked.has(`rule_settings.custom.${key}`);
    if (isLocked && !isDeepStrictEqual(value, organization.ruleSettings.custom[key]))
      held.push(["rule_settings", "custom", key]);
  }
  return held;
}

/**
 * The loosest level the organization gives a rule through a `section` entry it does not write: a
 * rule without its own entry takes its category's, else its severity's (written or default); a
 * category without an entry leaves its rules to their severity's.
 */
function lowestOrganizationLevel(
  organization: Settings["enforcement"],
  section: "rules" | "categories",
): EnforcementRule {
  const severities = severitySchema.options.map(
    (severity) => organization.severities[severity] ?? severityDefault(severity),
  );
  const candidates = [
    ...severities,
    ...(section === "rules" ? Object.values(organization.categories) : []),
  ].filter((rule): rule is EnforcementRule => rule !== undefined);
  return candidates.reduce((low, rule) => (compareEnforcement(rule, low) < 0 ? rule : low));
}

function severityDefault(key: string): EnforcementRule | undefined {
  const severity = severitySchema.safeParse(key);
  return severity.success ? { level: DEFAULT_SEVERITY_ENFORCEMENT[severity.data] } : undefined;
}

/** A file's waivers as written; `applyWaivers` picks those whose `repositories` match. */
function waiversOf(file: ParsedSettingsFile): SettingsWaiver[] {
  return (file.settings.waivers ?? []).map((waiver, index) => ({
    rule: waiver.rule,
    resource: waiver.resource,
    ...(waiver.repositories ? { repositories: waiver.repositories } : {}),
    ...(waiver.roots
      ? {
          roots: waiver.roots.map((glob, position) => ({
            glob: rootGlob(glob),
            origin: originOf(file, ["waivers", index, "roots", position]),
          })),
        }
      : {}),
    ...(waiver.reason !== undefined ? { reason: waiver.reason } : {}),
    ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
    ...(waiver.approver !== undefined ? { approver: waiver.approver } : {}),
    origin: originOf(file, ["waivers", index]),
    keyOrigins: Object.fromEntries(
      WAIVER_KEYS.map((key) => [key, originOf(file, ["waivers", index, key])]),
    ),
  }));
}

const WAIVER_KEYS: readonly WaiverKey[] = ["rule", "resource", "roots", "reason", "expires"];

/** A root glob as findings name roots: `./live/prod/` is `live/prod`, `./` is `.`. */
function rootGlob(glob: string): string {
  return glob.replace(/^(?:\.\/)+/, "").replace(/\/+$/, "") || ".";
}

/**
 * Where a notice about one key of a settings waiver points: that key's line (`expires:` for an
 * expired waiver), or the item's first line when the key is not written or its place unknown.
 */
export function waiverKeyOrigin(waiver: SettingsWaiver, key: WaiverKey): SettingsOrigin {
  return waiver.keyOrigins?.[key] ?? waiver.origin;
}

function addBreakGlass(settings: Settings, file: SettingsFile): void {
  const { users = [], teams = [] } = file.break_glass ?? {};
  const known = (list: string[], name: string) =>
    list.some((entry) => entry.toLowerCase() === name.toLowerCase());
  for (const user of users)
    if (!known(settings.breakGlass.users, user)) settings.breakGlass.users.push(user);
  for (const team of teams)
    if (!known(settings.breakGlass.teams, team)) settings.breakGlass.teams.push(team);
}

function locksOf(locked: ReadonlySet<string>): EnforcementLock[] {
  const locks: EnforcementLock[] = [];
  for (const key of locked) {
    if (key === "enforcement") locks.push({ scope: "all" });
    const match = /^enforcement\.(rules|categories|severities)\.(.+)$/.exec(key);
    const name = match?.[2] ?? "";
    const category = categorySchema.safeParse(name);
    const severity = severitySchema.safeParse(name);
    if (match?.[1] === "rules") locks.push({ scope: "rule", rule: name });
    if (match?.[1] === "categories" && category.success)
      locks.push({ scope: "category", category: category.data });
    if (match?.[1] === "severities" && severity.success)
      locks.push({ scope: "severity", severity: severity.data });
  }
  return locks;
}

function emptyTable(): EnforcementTable {
  return { rules: {}, categories: {}, severities: {} };
}

function cloneTable(table: EnforcementTable): EnforcementTable {
  return {
    rules: { ...table.rules },
    categories: { ...table.categories },
    severities: { ...table.severities },
  };
}
