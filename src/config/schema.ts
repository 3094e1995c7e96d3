// What `.github/tollgate.yml` may say (in the organization's `.github` repository and in each
// repository), as one zod schema without defaults so a merge can tell "not said" from "said", and
// the resolved `Settings` the gate reads once the organization and repository files are merged.
import { z } from "zod";
import { BUILT_IN_CATEGORIES, CATEGORY_PATTERN } from "../model/types.js";

export const SETTINGS_PATH = ".github/tollgate.yml";
/** The repository whose default branch holds the organization's defaults. */
export const ORGANIZATION_SETTINGS_REPOSITORY = ".github";

export const enforcementLevelSchema = z.enum(["off", "advisory", "blocking"]);
export type EnforcementLevel = z.infer<typeof enforcementLevelSchema>;

export const severitySchema = z.enum(["critical", "high", "medium", "low", "info"]);
/**
 * A category: the built-in rules' four or a custom rule's own (`tagging`). One no loaded rule has
 * is reported where it is written, at gate time (rollout/ruleIds.ts), as a misspelt rule id is.
 */
export const categorySchema = z
  .string()
  .regex(
    CATEGORY_PATTERN,
    `a category (${BUILT_IN_CATEGORIES.join(", ")} or a custom rule's own: lowercase letters, digits and '-')`,
  );

/** Rule ids as policies declare them (`TG-NET-001`, `aws.s3.public_read`). */
const ruleIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/, "a rule id (letters, digits, _ . : / -)");

/** A calendar day, `YYYY-MM-DD`, read as UTC. */
const isoDateSchema = z.iso.date("a date as YYYY-MM-DD");

/** `blocking_from`: advisory (with a countdown) until that day, blocking from its start (UTC). */
const enforcementEntrySchema = z.union(
  [
    enforcementLevelSchema,
    z.strictObject({
      level: z.literal("blocking").optional(),
      blocking_from: isoDateSchema,
    }),
  ],
  { error: "expected off, advisory, blocking or { blocking_from: YYYY-MM-DD }" },
);
export type EnforcementEntryInput = z.input<typeof enforcementEntrySchema>;

/**
 * Enforcement of a finding is the first match of: its rule id, its category, its severity, and
 * the built-in default (critical and high block, medium, low and info advise). `off` drops it.
 */
const enforcementSchema = z.strictObject(
  {
    rules: z.record(ruleIdSchema, enforcementEntrySchema).optional(),
    categories: z.record(categorySchema, enforcementEntrySchema).optional(),
    severities: z.partialRecord(severitySchema, enforcementEntrySchema).optional(),
  },
  {
    // `enforcement: blocking` is the likely slip; say what the section holds instead.
    error: (issue) =>
      issue.code === "invalid_type"
        ? "expected a mapping with rules, categories or severities, each naming off, advisory or blocking"
        : undefined,
  },
);

const globListSchema = z.array(z.string().min(1)).min(1);

/** Which repositories a block applies to: all of `repositories` (name globs) and `topics` must hold. */
const repositorySelectorShape = {
  repositories: globListSchema
    .optional()
    .describe("repository name globs (picomatch); any one matching is enough"),
  topics: globListSchema
    .optional()
    .describe("repository topics; the repository must have at least one of them"),
};

const failOnSchema = z
  .enum(["new", "all"])
  .describe("new: only findings the pull request introduces block; all: every open one does");
const onErrorSchema = z
  .enum(["block", "neutral"])
  .describe("a scan that could not complete fails the check unless neutral");
const importAdoptsSchema = z
  .enum(["new", "existing"])
  .describe(
    "existing: a finding on what a Terraform import block the pull request adds adopts counts as existing; new (default): it counts as new, since the gate cannot see the deployed object",
  );

const unreadModulesSchema = z
  .enum(["notice", "block"])
  .describe(
    "block: a call of a module Tollgate does not read (registry, git, S3, HTTP source) that a pull request adds, or whose source or version it changes, is an error, gated by on_error; notice (default): it is named in the verdict's reasons",
  );

/**
 * A glob of the roots a waiver covers, as findings name them (`Finding.root`): a Terraform root
 * module's folder or the path of the CloudFormation template at the top of its stacks, from the
 * repository root, never leaving it.
 */
const rootGlobSchema = z
  .string()
  .min(1)
  .regex(
    /^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$))[^\\]*$/,
    "a path glob from the repository root, as live/prod or stacks/*.yaml (no leading /, no '..', / between folders)",
  );

/**
 * `reason` and `expires` are checked when waivers are applied rather than here, so one bad waiver
 * is reported at its line and does not invalidate the whole file: a waiver without a reason never
 * applies, and an `expires` that is not a real `YYYY-MM-DD` day counts as expired.
 */
const settingsWaiverSchema = z.strictObject({
  rule: ruleIdSchema,
  resource: z
    .string()
    .min(1)
    .default("*")
    .describe(
      "resource address, exact or a pattern where * is any characters and ? one (aws_security_group.bastion[*]); every resource when absent",
    ),
  repositories: globListSchema.optional().describe("repository name globs; all when absent"),
  roots: z
    .array(rootGlobSchema)
    .min(1)
    .optional()
    .describe(
      "Terraform root module folders and top CloudFormation template paths, globs from the repository root (picomatch; . is the repository root); every root when absent",
    ),
  reason: z.string().optional().describe("required: a waiver without a reason never applies"),
  expires: z.string().optional().describe("YYYY-MM-DD, the last day the waiver applies (UTC)"),
  approver: z.string().optional(),
});

/** A custom rule option's name: lowercase, as Rego reads it in a ref (`settings.custom.team_tag`). */
const CUSTOM_RULE_SETTING_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * Options of custom rules: names of their own under `custom`, so none can clash with a built-in
 * option, and any JSON value, given to every rule as `data.tollgate.settings.custom`.
 */
export const customRuleSettingsSchema = z.record(
  z.string().regex(CUSTOM_RULE_SETTING_KEY_PATTERN, "a lowercase name (a-z, 0-9, _)"),
  z.json(),
);

/**
 * Options of the built-in rules, given to them as `data.tollgate.settings` (policies/lib/settings.rego
 * reads each with the same default as `defaultRuleSettings`).
 */
export const ruleSettingsSchema = z
  .strictObject({
    s3_require_kms: z
      .boolean()
      .optional()
      .describe("S3 buckets must use SSE-KMS, not SSE-S3 (default false)"),
    dynamodb_require_kms: z
      .boolean()
      .optional()
      .describe("DynamoDB tables must use a KMS key, the AWS managed one included (default false)"),
    dynamodb_require_cmk: z
      .boolean()
      .optional()
      .describe(
        "DynamoDB tables and their replicas must use a customer managed KMS key (default false)",
      ),
    mq_require_cmk: z
      .boolean()
      .optional()
      .describe("Amazon MQ ActiveMQ brokers must use a customer managed KMS key (default false)"),
    log_retention_min_days: z
      .int()
      .min(1)
      .max(3653)
      .optional()
      .describe("the shortest CloudWatch Logs retention accepted, in days (default 365)"),
    unknown_values: z
      .enum(["ignore", "advisory"])
      .optional()
      .describe(
        "advisory: report, never blocking, where a value that cannot be known decides an important check (default ignore)",
      ),
    custom: customRuleSettingsSchema
      .optional()
      .describe(
        "options of custom rules, any JSON value by name, read as data.tollgate.settings.custom.<name>",
      ),
  })
  .describe("options of the built-in rules, and of custom rules under custom");

export type RuleSettingsInput = z.output<typeof ruleSettingsSchema>;
/** The built-in rules' options, each with its own type and order of strictness. */
export const RULE_SETTING_KEYS = ruleSettingsSchema
  .keyof()
  .options.filter((key): key is Exclude<typeof key, "custom"> => key !== "custom");
export type RuleSettingKey = (typeof RULE_SETTING_KEYS)[number];

const overrideSchema = z.strictObject({
  ...repositorySelectorShape,
  fail_on: failOnSchema.optional(),
  on_error: onErrorSchema.optional(),
  import_adopts: importAdoptsSchema.optional(),
  unread_modules: unreadModulesSchema.optional(),
  enforcement: enforcementSchema.optional(),
  rule_settings: ruleSettingsSchema.optional(),
});

/** A GitHub login: letters, digits and single hyphens, at most 39 characters. */
const loginSchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, "a GitHub login");
/** `org/team-slug`, as GitHub's team URLs spell it. */
const teamSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "org/team-slug");

/**
 * Who may override a blocking result on one pull request with `/tollgate override <reason>`.
 * Users and teams add up over the organization's and the repository's files unless the
 * organization locks `break_glass`; a lock with no one named disables overrides.
 */
const breakGlassSchema = z
  .strictObject({
    users: z.array(loginSchema).optional().describe("GitHub logins"),
    teams: z
      .array(teamSchema)
      .optional()
      .describe("teams as org/team-slug; membership is checked through the API"),
  })
  .describe("people allowed to override a blocking result on one pull request");

const lockableTopKeys = [
  "fail_on",
  "on_error",
  "import_adopts",
  "unread_modules",
  "terraform.tool",
  "waivers",
  "enforcement",
  "break_glass",
  "rule_settings",
] as const;

/** The lockable keys that name no rule, category or custom option: what a misspelt lock likely meant. */
export const LOCKABLE_KEYS: readonly string[] = [
  ...lockableTopKeys,
  ...ruleSettingsSchema.keyof().options.map((key) => `rule_settings.${key}`),
  ...BUILT_IN_CATEGORIES.map((category) => `enforcement.categories.${category}`),
  ...severitySchema.options.map((severity) => `enforcement.severities.${severity}`),
];

/** Keys the organization can lock; see `merge.ts` for what loosening each one means. */
const lockableKeySchema = z.union([
  z.enum(lockableTopKeys),
  z.templateLiteral(["rule_settings.", ruleSettingsSchema.keyof()]),
  z.templateLiteral(["enforcement.categories.", categorySchema]),
  z.templateLiteral(["enforcement.severities.", severitySchema]),
  // Zod reports the last option a string fails, so this one's message names the value and all of them.
  z
    .string()
    .regex(
      /^(?:enforcement\.rules\.[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}|rule_settings\.custom\.[a-z][a-z0-9_]{0,63})$/,
      {
        error: (issue) =>
          `'${String(issue.input)}' cannot be locked; expected one of ${lockableTopKeys.join(", ")}, ` +
          `rule_settings.<${ruleSettingsSchema.keyof().options.join("|")}>, rule_settings.custom.<name>, ` +
          `enforcement.categories.<${BUILT_IN_CATEGORIES.join("|")}|a custom rule's category>, ` +
          `enforcement.severities.<${severitySchema.options.join("|")}>, enforcement.rules.<rule id>`,
      },
    ),
]);

/** Where custom policies live: a folder relative to the repository root, never leaving it. */
const policyFolderSchema = z
  .string()
  .max(200)
  .regex(
    /^(?!(?:.*\/)?\.{1,2}(?:\/|$))[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/,
    "a folder relative to the repository root, as a/b (letters, digits, _ . -; no '..')",
  );

export const DEFAULT_POLICY_FOLDER = "tollgate/policies";

/**
 * Custom Rego rules (and prebuilt `.tar.gz` bundles) read from a folder on the default branch:
 * the organization's `.github` repository's, and a repository's own when the organization allows it.
 */
const policiesSchema = z.strictObject({
  path: policyFolderSchema
    .optional()
    .describe(
      `folder of .rego files and .tar.gz OPA Wasm bundles; default ${DEFAULT_POLICY_FOLDER}`,
    ),
  allow_repository_policies: z
    .boolean()
    .optional()
    .describe("organization file only: repositories may add rules from their own folder"),
});

/**
 * How Terraform root modules are evaluated: `var_files` are the `-var-file`s a root is planned
 * with, by the root's folder (repository-relative, `.` for the repository root), each path relative
 * to that root, read after its `terraform.tfvars` and `*.auto.tfvars` in the order given. `tool` is
 * what deploys the repository's Terraform: `terraform` reads no `.tofu` file, `opentofu` reads a
 * `.tofu` file in place of the `.tf` of its name; absent, a folder the two read differently is an error.
 */
const terraformToolSchema = z.enum(["terraform", "opentofu"]);

const terraformSchema = z
  .strictObject({
    var_files: z
      .record(z.string().min(1), z.array(z.string().min(1)).min(1))
      .optional()
      .describe(
        "-var-file paths by root module folder (. for the repository root), relative to it",
      ),
    tool: terraformToolSchema
      .optional()
      .describe(
        "what deploys the repository: terraform (no .tofu file read) or opentofu (a .tofu file in place of the .tf of its name); absent, a folder they read differently is an error",
      ),
  })
  .describe("how Terraform root modules are evaluated");

/**
 * How CloudFormation templates are evaluated: `parameter_files` are the AWS CLI parameter files a
 * template is deployed with (`--parameters file://...`, `deploy --parameter-overrides
 * file://...`), by the template's path, all paths from the repository root, read in the order given.
 */
const cloudformationSchema = z
  .strictObject({
    parameter_files: z
      .record(z.string().min(1), z.array(z.string().min(1)).min(1))
      .optional()
      .describe("parameter file paths by template path, both from the repository root"),
  })
  .describe("how CloudFormation templates are evaluated");

export const settingsFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    fail_on: failOnSchema.optional(),
    on_error: onErrorSchema.optional(),
    import_adopts: importAdoptsSchema.optional(),
    unread_modules: unreadModulesSchema.optional(),
    enforcement: enforcementSchema.optional(),
    rule_settings: ruleSettingsSchema.optional(),
    /** Applied over the file's top level, in order, when their selector matches the repository. */
    overrides: z
      .array(overrideSchema)
      .optional()
      .describe("settings for the repositories a selector matches, applied in order"),
    waivers: z.array(settingsWaiverSchema).optional(),
    break_glass: breakGlassSchema.optional(),
    policies: policiesSchema.optional(),
    terraform: terraformSchema.optional(),
    cloudformation: cloudformationSchema.optional(),
    locked: z
      .array(lockableKeySchema)
      .optional()
      .describe("organization file only: keys a repository may tighten but not loosen"),
  })
  .describe("Tollgate settings (.github/tollgate.yml)");

/** One settings file as written; absent keys inherit. */
export type SettingsFile = z.output<typeof settingsFileSchema>;
export type SettingsOverride = z.output<typeof overrideSchema>;

export interface RepositoryIdentity {
  /** The repository's name without its owner (`infra`). */
  name: string;
  topics: readonly string[];
}

/** Where a setting was written, for notices that point at it. */
export interface SettingsOrigin {
  file: string;
  line: number;
  column: number;
}

export interface EnforcementRule {
  level: EnforcementLevel;
  /** Set only with `level: blocking`: advisory until this day (UTC). */
  blockingFrom?: string;
}

export interface EnforcementTable {
  rules: Record<string, EnforcementRule>;
  categories: Record<string, EnforcementRule>;
  severities: Partial<Record<z.infer<typeof severitySchema>, EnforcementRule>>;
}

/** A settings waiver with where it was written. */
export interface SettingsWaiver {
  rule: string;
  resource: string;
  /** Repository name globs; every repository when absent. */
  repositories?: string[];
  /**
   * Root globs (`Finding.root`, `.` for the repository root), without a leading `./` or a trailing
   * `/`, each with where it is written; every root when absent.
   */
  roots?: { glob: string; origin: SettingsOrigin }[];
  reason?: string;
  expires?: string;
  approver?: string;
  /** Where the item starts: its first key. */
  origin: SettingsOrigin;
  /** Where each of these keys is written (the item's start for one left out): `waiverKeyOrigin`. */
  keyOrigins?: Partial<Record<WaiverKey, SettingsOrigin>>;
}

/** The keys of a settings waiver a notice may be about. */
export type WaiverKey = "rule" | "resource" | "roots" | "reason" | "expires";

/**
 * A rule id the settings name outside waivers: an `enforcement.rules` key anywhere in a file (an
 * `overrides` entry for other repositories too), or an organization's `locked:
 * [enforcement.rules.<id>]`. The gate reports one no loaded rule has.
 */
export interface RuleReference {
  rule: string;
  /** `enforcement.rules` or `locked`: what the id does, for the notice. */
  key: "enforcement.rules" | "locked";
  origin: SettingsOrigin;
}

/** A category the settings name, as `RuleReference`: `enforcement.categories` keys and locks. */
export interface CategoryReference {
  category: string;
  key: "enforcement.categories" | "locked";
  origin: SettingsOrigin;
}

/**
 * A repository's enforcement entry, where it is written. Whether a lock holds it depends on each
 * rule's category and severity, which only the loaded rules tell: the gate judges it
 * (`lockedEntryNotices`) and reports it on this line.
 */
export interface RepositoryEnforcementEntry {
  section: keyof EnforcementTable;
  key: string;
  rule: EnforcementRule;
  origin: SettingsOrigin;
  /** Looser than any level the organization's lock allows: the merge left it out of the table. */
  held?: true;
}

/** A locked enforcement key: findings in its scope are held at least at the organization's level. */
export type EnforcementLock =
  | { scope: "all" }
  | { scope: "rule"; rule: string }
  | { scope: "category"; category: string }
  | { scope: "severity"; severity: z.infer<typeof severitySchema> };

/** The folders custom rules are read from; each absent when no file names one. */
export interface CustomPolicySettings {
  /** Folder of the organization's `.github` repository (its default branch). */
  organization?: string;
  /** Folder of the repository itself, set only when the organization allows repository policies. */
  repository?: string;
}

/** What the gate applies: defaults, then the organization's file, then the repository's. */
export interface Settings {
  fail_on: "new" | "all";
  on_error: "block" | "neutral";
  /** Whether a finding on what a Terraform `import` block adopts is new (default) or existing. */
  import_adopts: "new" | "existing";
  /**
   * Whether a call of a module not read that a change adds or re-points is named in the reasons
   * (`notice`, default) or is an error the gate treats per `on_error` (`block`).
   */
  unread_modules: "notice" | "block";
  enforcement: EnforcementTable;
  waivers: SettingsWaiver[];
  /** Whether `tollgate:ignore` comments count; false once the organization locks `waivers`. */
  inlineWaivers: boolean;
  /** The organization's enforcement alone, and the locks that make it a floor. */
  locks: { organization: EnforcementTable; keys: EnforcementLock[] };
  /** Who may override a blocking result (`/tollgate override`); nobody when both lists are empty. */
  breakGlass: BreakGlass;
  policies: CustomPolicySettings;
  /** What the built-in and custom rules read as `data.tollgate.settings`. */
  ruleSettings: RuleSettings;
  /** `-var-file`s by root module folder ("" for the repository root), paths relative to the root. */
  terraformVariableFiles: Record<string, string[]>;
  /**
   * What deploys the repository's Terraform (`terraform.tool`): `terraform` reads no `.tofu` file,
   * `opentofu` a `.tofu` in place of the `.tf` of its name; absent, where they differ is an error.
   */
  terraformTool?: "terraform" | "opentofu";
  /** Where rule ids are named under `enforcement.rules` and in `locked`, in file order. */
  ruleReferences: RuleReference[];
  /** Where categories are named under `enforcement.categories` and in `locked`, in file order. */
  categoryReferences: CategoryReference[];
  /** Parameter files by CloudFormation template, repository paths. */
  cloudformationParameterFiles: Record<string, string[]>;
  /** The repository file's enforcement entries applied, layer by layer, in file order. */
  repositoryEnforcement: RepositoryEnforcementEntry[];
}

/** Every rule option resolved: the defaults, then the organization's file, then the repository's. */
export type RuleSettings = Required<RuleSettingsInput>;

export const defaultRuleSettings: RuleSettings = {
  s3_require_kms: false,
  dynamodb_require_kms: false,
  dynamodb_require_cmk: false,
  mq_require_cmk: false,
  log_retention_min_days: 365,
  unknown_values: "ignore",
  custom: {},
};

export interface BreakGlass {
  /** Logins, compared without case as GitHub does. */
  users: string[];
  /** `org/team-slug`. */
  teams: string[];
}

export const DEFAULT_SEVERITY_ENFORCEMENT: Record<
  z.infer<typeof severitySchema>,
  EnforcementLevel
> = {
  critical: "blocking",
  high: "blocking",
  medium: "advisory",
  low: "advisory",
  info: "advisory",
};

export const defaultSettings: Settings = {
  fail_on: "new",
  on_error: "block",
  import_adopts: "new",
  unread_modules: "notice",
  enforcement: { rules: {}, categories: {}, severities: {} },
  waivers: [],
  inlineWaivers: true,
  locks: { organization: { rules: {}, categories: {}, severities: {} }, keys: [] },
  breakGlass: { users: [], teams: [] },
  policies: {},
  ruleSettings: defaultRuleSettings,
  terraformVariableFiles: {},
  ruleReferences: [],
  categoryReferences: [],
  cloudformationParameterFiles: {},
  repositoryEnforcement: [],
};
