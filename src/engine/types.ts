// The seam between the loading/evaluation engine and its callers (CLI, app, benchmarks): files in,
// located findings and errors out. The app and the CLI code against this, never the stages behind it.
import type { RuleSettings } from "../config/schema.js";
import type { FileListing, SourceFile } from "../iac/source.js";
import type {
  Adopted,
  Finding,
  Forgotten,
  LoadError,
  Move,
  Resource,
  Roots,
} from "../model/types.js";
import type { RuleMetadata } from "../policy/metadata.js";

export interface ScanResult {
  /** Findings before diffing and gating: `status`, `enforcement` and `waived` are filled later. */
  findings: Finding[];
  /**
   * The findings an unknown value decides that `unknown_values: ignore` keeps out of `findings`:
   * never reported, but a base finding one of them stands for at head is not fixed (src/diff).
   */
  undecided?: Finding[];
  /** Located problems: unparseable files, refused files, policy evaluation errors. */
  errors: LoadError[];
  /** The snapshot's Terraform `moved` blocks: at head, where the base's resources went. */
  moves?: Move[];
  /** The snapshot's Terraform `removed` blocks that leave what they remove deployed. */
  forgotten?: Forgotten[];
  /** The snapshot's Terraform `import` blocks: at head, what the change adopts rather than creates. */
  adopted?: Adopted[];
  /** What the rules' `print` calls wrote, line by line: for stderr, never into a report. */
  printed?: string[];
  /** Every resource's root and address: at base, what a Terraform state would hold. */
  addresses?: ResourceAddress[];
  /** What was loaded as deployed on its own: at base, what the head keeps so (`ScanOptions.keepRoots`). */
  roots?: Roots;
  /**
   * CloudFormation resources whose `DeletionPolicy` keeps them deployed when a template stops
   * declaring them (`Retain`, `RetainExceptOnCreate`), where that is written: at base, what the
   * head no longer declares is `forgotten` (diffScans).
   */
  retained?: Forgotten[];
  /** The module calls whose module Tollgate does not read, each once (src/diff/modules.ts). */
  unreadModules?: UnreadModuleCall[];
}

/**
 * A call of a module Tollgate does not fetch (a registry, git, S3 or HTTP `source`): what it deploys
 * is judged only through the rules that read the call's arguments. In a diff, one the change adds
 * or points at another source or version is named in the verdict.
 */
export interface UnreadModuleCall {
  root: string;
  /** The call's address without instance keys: `module.sg`, `module.app.module.sg`. */
  address: string;
  source: string;
  /** The `version` constraint as written, when the call has one. */
  version?: string;
  /** Where `source` is written. */
  sourceAt: Place;
  /** Where `version` is written, when it is. */
  versionAt?: Place;
  /**
   * `stack`: a CloudFormation nested stack (`TemplateURL`) or SAM application (`Location`; an
   * application's `SemanticVersion` is its version); absent for a Terraform module call.
   */
  kind?: "stack";
}

/** A place in a file, `file:line:column` as editors link it. */
export interface Place {
  file: string;
  line: number;
  column: number;
}

/**
 * A resource as the diff follows it between commits: its root and `qualifiedAddress`, and for a
 * CloudFormation resource, what tells it moved between a template and a stack that template
 * nests (src/diff/stacks.ts).
 */
export interface ResourceAddress {
  root?: string | undefined;
  address: string;
  stack?: StackPlace;
}

/**
 * A CloudFormation resource's place among nested stacks, where it is written, and what it deploys
 * (to tell a resource moved between sibling stacks from another of the same logical id).
 */
export interface StackPlace {
  /** The stack path nesting its template (`Resource.module`): `Network`, "" in the top template. */
  path: string;
  logicalId: string;
  type: string;
  file: string;
  line: number;
  column: number;
  /** Its evaluated `Properties` and resource attributes (`Resource.config` and `meta`). */
  config: Resource["config"];
  meta?: Resource["meta"];
}

/**
 * Rules evaluated beside the built-in library on the same resource model: an organization's or a
 * repository's custom policies (src/org), which evaluate in a bounded worker, hence asynchronously.
 */
export interface CustomRuleSet {
  /** Where the rules come from, for errors and summaries (`acme/.github:tollgate/policies`). */
  origin: string;
  rules: readonly RuleMetadata[];
  /** Where each rule is defined, by id: its repository (`acme/.github`) and file path there. */
  definitions?: Readonly<Record<string, { repository: string; path: string }>>;
  /**
   * Findings of every rule, with `ruleSettings` as `data.tollgate.settings` when given; a rule
   * that fails, times out or runs out of memory is a located error.
   */
  evaluate(resources: readonly Resource[], ruleSettings?: RuleSettings): Promise<ScanResult>;
}

export interface ScanOptions {
  customRules?: readonly CustomRuleSet[];
  /** Every file name the snapshot's fetch listed, IaC or not: what Terraform's `fileset()` enumerates. */
  listing?: FileListing;
  /**
   * The effective `rule_settings`, given to built-in and custom rules as `data.tollgate.settings`;
   * absent, rules use their defaults (policies/lib/settings.rego). Findings an unknown value
   * decides (`Finding.unknown`) are kept only with `unknown_values: advisory`, and otherwise
   * returned apart (`ScanResult.undecided`).
   */
  ruleSettings?: RuleSettings;
  /**
   * Terraform `-var-file`s by root module directory, paths relative to the root; `"*"` for every
   * root (the CLI's `--var-file`, the settings' `terraform.var_files`).
   */
  variableFiles?: { readonly [root: string]: readonly string[] };
  /**
   * What deploys the Terraform (the settings' `terraform.tool`): `terraform` reads no `.tofu` file,
   * `opentofu` reads a `.tofu` in place of the `.tf` of its name; absent, a folder the two read
   * differently is an `opentofu-ambiguous` error.
   */
  terraformTool?: "terraform" | "opentofu";
  /**
   * CloudFormation parameter files by template path, repository paths; `"*"` for every template
   * (the CLI's `--parameter-file`, the settings' `cloudformation.parameter_files`).
   */
  parameterFiles?: { readonly [template: string]: readonly string[] };
  /**
   * Terraform folders and templates to load as deployed on their own even when the snapshot
   * nests them: in a diff, the base's `roots` at the head. A call or a parent stack the pull
   * request adds does not stop the deployments that plan the folder, or create the template's
   * stack, alone with their own defaults.
   */
  keepRoots?: Roots;
}

export interface ScanEngine {
  /** Load every IaC file given (one repository snapshot) and evaluate all policies on it. */
  scan(files: SourceFile[], options?: ScanOptions): Promise<ScanResult>;
  /** The built-in rules, so custom ones can be refused an id already taken. */
  readonly builtinRules?: readonly RuleMetadata[];
}
