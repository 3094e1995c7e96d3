// The one resource model both loaders produce and every later stage reads. It is the `input`
// policies receive (`{ resources: [...] }`, less `Resource.readFrom` and `readAt`: model/input.ts), so
// everything here must stay plain JSON.

/** A place in a source file; lines and columns are 1-based, end inclusive of the last line. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * A place in `Resource.readFrom`. `when`: it decides the value only in the deployments where all
 * these conditions hold (the branch of an undecided CloudFormation `Fn::If` it is written in).
 */
export interface ReadPlace extends SourceLocation {
  when?: string[];
  /** A place a Terraform value passed through, named (`aws_vpc.v's cidr_block`). */
  through?: string;
}

export type SourceKind = "terraform" | "cloudformation";

/**
 * A value that static evaluation could not know (a variable without default, a data source's
 * attribute, a CloudFormation `!GetAtt`). Policies must treat it as "we cannot tell", never as a
 * safe or unsafe value. `$unknown` holds the source expression that produced it.
 */
export interface UnknownValue {
  $unknown: string;
}

export type Value =
  null | boolean | number | string | UnknownValue | Value[] | { [key: string]: Value };

/** The first key of the JSON pointers (`/$meta/DeletionPolicy`) that locate `Resource.meta`. */
export const META_KEY = "$meta";

export function unknown(expression: string): UnknownValue {
  return { $unknown: expression };
}

export function isUnknown(value: unknown): value is UnknownValue {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).$unknown === "string" &&
    Object.keys(value).length === 1
  );
}

/**
 * Which versions of a Terraform resource's provider may be in force in its root module, as far as
 * the repository tells: Terraform intersects the `version` constraints of `required_providers`
 * (and of legacy `provider` blocks) in the root module and every local module it calls, and
 * `terraform init` then keeps the version `.terraform.lock.hcl` in the root module's directory
 * selects. Registry modules are never fetched, so their own constraints are not counted.
 */
export interface ProviderVersions {
  /** The source address, lower case, without Terraform's or OpenTofu's registry host: `hashicorp/aws`. */
  source: string;
  /** The constraints written on it, root module first (`["~> 5.0", ">= 4.0"]`); `[]` when none. */
  constraints: string[];
  /** The version the root module's lock file selects, when the repository has one listing it. */
  locked?: string;
  /**
   * The lowest version that may be in force: the locked one when it meets the constraints, else
   * the lowest the constraints allow (`0.0.0` when nothing bounds it).
   */
  lowest: string;
  /**
   * The first version above every version that may be in force (`6.0.0` for `~> 5.0`, the next
   * patch after a locked version); absent when nothing bounds it, as with no constraint and no
   * lock file: `terraform init` would then pick the newest release, but a lock file outside the
   * repository may pin any version.
   */
  below?: string;
}

/**
 * One resource (Terraform `resource`/`data` instance, or a CloudFormation resource), or one
 * instance of a Terraform module call whose source is not local (`mode: "module"`): such a
 * module is never fetched, so its evaluated arguments are what policies can judge; or one Terraform
 * `provider` block of a module instance (`mode: "provider"`), its evaluated arguments as `config`.
 *
 * `config` holds the evaluated attributes: Terraform nested blocks are lists of objects (as in
 * Terraform's plan JSON), CloudFormation `Properties` keep their names. `locations` maps a JSON
 * pointer into `config` (RFC 6901: `/ingress/0/cidr_blocks/1`) to where it is written, so a
 * finding on a path is reported on its most specific written line.
 */
export interface Resource {
  /**
   * `aws_s3_bucket.logs`, `module.net.aws_security_group.web["a"]`, `data.aws_iam_policy_document.x`,
   * a module call `module.sg` / `module.sg["a"]`, a provider configuration `provider.aws`,
   * `provider.aws.west` / `module.net.provider.aws`, or a CloudFormation logical id (within its
   * stack: a nested stack's resources are named in findings by `qualifiedAddress`).
   */
  address: string;
  /** `aws_s3_bucket` or `AWS::S3::Bucket`; `module` for a module call, `provider` for a provider block. */
  type: string;
  /** The name in its block (`logs`), the provider's local name (`aws`), or the logical id. */
  name: string;
  mode: "managed" | "data" | "module" | "provider";
  source: SourceKind;
  /**
   * Module path (`module.net`), "" at the root; a module call's caller. CloudFormation: the logical
   * ids of the stack resources nesting this one's template, top first (`Network`, `Network.Subnets`),
   * "" in a template loaded on its own.
   */
  module: string;
  /** A module call's `source` as written (`terraform-aws-modules/security-group/aws//modules/ssh`). */
  moduleSource?: string;
  /** A module call's `version` constraint as written, when it has one. */
  moduleVersion?: string;
  /**
   * What makes `address` unique in a repository: the Terraform root module's directory (two roots
   * may both hold `aws_s3_bucket.this`) or the path of the CloudFormation template at the top of
   * its stacks (the template's own, unless another nests it), with `module` for a nested stack.
   */
  root?: string;
  /**
   * A Terraform resource's provider (or the one a provider block configures) and which of its
   * versions may be in force; absent for module calls and for Terraform's own resources
   * (`terraform_data`).
   */
  provider?: ProviderVersions;
  file: string;
  line: number;
  column: number;
  endLine: number;
  config: { [key: string]: Value };
  /**
   * Addresses of the resources this one refers to (`aws_s3_bucket.logs`, `LogBucket`); one
   * instance (`aws_s3_bucket.logs["x"]`) when only its value was read, as `each.value` of a
   * `for_each` over a resource's instances reads it, or an index whose key is known
   * (`aws_s3_bucket.logs["x"]`, `aws_s3_bucket.logs[each.key]`, `aws_instance.web[0]`) does.
   */
  references: string[];
  locations: { [pointer: string]: SourceLocation };
  /**
   * Present when written: what the source says about the resource itself rather than its
   * configuration. CloudFormation: the resource attributes beside `Properties` (`DeletionPolicy`,
   * `UpdateReplacePolicy`, `Condition`, `DependsOn`, `Metadata`, `CreationPolicy`,
   * `UpdatePolicy`), evaluated as `Properties` are. Terraform: `lifecycle` as an object
   * (`prevent_destroy`, `create_before_destroy`, `ignore_changes`, `replace_triggered_by`, the
   * references as written text) and `depends_on` (references as written text). Its values are
   * located, and recorded in `conditional` and `alternatives`, under the pointer `/$meta/...`
   * (`META_KEY`), which no pointer into `config` can be: no attribute or property name starts
   * with `$`.
   */
  meta?: { [key: string]: Value };
  /**
   * Terraform resources only: the `address` of the provider configuration entry (`mode:
   * "provider"`) the resource uses: the one its `provider` argument names, else the default one of
   * its provider, through the `providers` maps (or the inheritance of default configurations) of
   * the module calls above it. Absent when no `provider` block configures it (Terraform then uses
   * an empty configuration, read from the environment).
   */
  providerConfig?: string;
  /**
   * Present when not empty (CloudFormation, and Terraform as said below): the JSON pointers whose
   * value exists only in deployments where a condition the template cannot decide holds (an
   * undecided `Fn::If`
   * branch, `""` for the resource's own undecided `Condition`), to that condition as text:
   * `IsReplication`, `not IsReplication`, `IsProd and not HasKey` for nested ifs. A value below
   * such a pointer inherits it. Terraform too, under `""` alone: an instance that a root
   * variable's default a deployment may override leaves out (`not var.env is "dev"`,
   * iac/terraform/defaults.ts). `config` keeps every branch that may be deployed (list items of
   * both branches, an object property whose other branch is `AWS::NoValue`), so a rule looking
   * for a protective value must not count a conditional one as always there.
   */
  conditional?: { [pointer: string]: string };
  /**
   * Terraform only, present when not empty: the JSON pointers of nested blocks that a `dynamic`
   * block generates from a `for_each` static evaluation could not know, to that expression
   * (`{"/vpc_options/0": "var.vpc_options"}`). `config` holds one such block, whose iterator's
   * values are unknown, where Terraform may create none or several, so a rule looking for a
   * protective block must not count it as always there; a block nested in it inherits this.
   * A policy document rendered from such blocks carries them into its JSON, wherever the text
   * goes: a statement (`/assume_role_policy/Statement/1`) or a condition key
   * (`/policy/Statement/0/Condition/StringEquals/aws:PrincipalOrgID`).
   */
  unknownForEach?: { [pointer: string]: string };
  /**
   * Terraform only, present when not empty: of `unknownForEach`, the blocks standing for what the
   * unknown part of a partial collection adds beside the blocks of its known elements (`for_each =
   * concat(["a"], var.extra)`: `{"/ingress/1": "var.extra"}`), to that part's expression. Nothing
   * says that part is not empty, so such a block may not exist: findings in it are cannot tell
   * (src/policy/findings.ts). Left out of what policies receive.
   */
  unknownPartBlocks?: { [pointer: string]: string };
  /**
   * Terraform only: set on the one instance without a key that stands for the instances the
   * unknown part of a partial `for_each` may add beside its known ones (`setunion(["a"],
   * var.extra)`), to that part's expression (`var.extra`). Nothing says that part is not empty,
   * so the instance may not exist: its findings are cannot tell (src/policy/findings.ts). Left
   * out of what policies receive.
   */
  unknownPart?: string;
  /**
   * Present when not empty: where the variables and locals that decide this Terraform instance
   * are written (a tfvars entry, a variable's default, a module argument, a local), by what read
   * them: `count`, `for_each` (the element that makes this instance), or a top-level attribute or
   * block (`cidr_blocks`, `ingress`) whose expressions read them, in a condition too
   * (`var.public ? ["0.0.0.0/0"] : []`); for an instance inside a module, the count or for_each
   * of each module call creating it, keyed by the call (`module.logs.count`,
   * `module.app["eu"].module.logs.for_each`): what it read, and where the meta-argument itself is
   * written (a count wholly, a for_each by its first line); for a CloudFormation resource whose
   * `Condition` the template decides, where that condition, the conditions it names and the
   * parameter `Default`s they read are written (`Condition`); for one a `Fn::ForEach` generated,
   * the collection item that made it (`Fn::ForEach`); for a CloudFormation value that a decided
   * `Fn::If` or a `Fn::FindInMap` chose, or a YAML alias names, by its JSON pointer
   * (`/SecurityGroupIngress/0/CidrIp`, `""` for the whole `Properties`, a list for an item such an
   * `Fn::If` removed): that condition's places, or the mapping entry and the `Default`s its keys
   * read, or the alias and the anchor's content; inside a branch of an undecided `Fn::If` whose
   * value is one of its `alternatives`, under that branch's conditions (`ReadPlace.when`). Only
   * findings on, around or inside that pointer take it (and only those holding under those
   * conditions). A value is located where it is written (`locations`); these are what else
   * decides it, for an annotation on the line a pull request changed. Left out of what policies
   * receive (`policyInput`). For a Terraform value, by its JSON pointer too:
   * the places it passed through between where it is written and this attribute, nearest the
   * attribute first, each named (`through`: `aws_vpc.v's cidr_block`, `module.m's cidr argument`,
   * `local.cidr`, `module.net's output cidr`, `the condition var.public`).
   */
  readFrom?: { [by: string]: ReadPlace[] };
  /**
   * Present when not empty: the JSON pointers whose location lies elsewhere than the attribute
   * that reads them (a Terraform variable's default, a module call's argument, a for_each entry,
   * an element of a list from a tfvars entry; a CloudFormation parameter's `Default`), to where
   * this block reads them: that attribute (the `!Ref` property or list item), or for an element
   * the nearest place along its pointer inside the block. An inline waiver written there still
   * covers the finding. Left out of what policies receive.
   */
  readAt?: { [pointer: string]: SourceLocation };
  /**
   * CloudFormation only, present when not empty: a pointer whose `config` value is unknown
   * because an undecided `Fn::If` chooses between different values there
   * (`PubliclyAccessible: !If [IsPublic, true, false]`), or an undecided `Fn::FindInMap` key, to
   * each value with its condition; also one whose value differs per `AllowedValues` value of a
   * parameter it reads ("Env is prod"), where `config` holds the `Default`'s value when known.
   */
  alternatives?: { [pointer: string]: Array<{ condition: string; value: Value }> };
  /**
   * CloudFormation only, present when not empty: pointers whose `config` value is a parameter's
   * `Default` that whoever deploys the template may replace (no value was given, no
   * `AllowedValues` list, no parent stack creates it), to the parameter's name. Rules that count a
   * protective value as on (Block Public Access) read it as one a deployment may turn off.
   */
  parameterDefaults?: { [pointer: string]: string };
  /**
   * CloudFormation only, present when the resource's `conditional` or `alternatives` may name a
   * parameter with several `AllowedValues`: what those condition texts mean together, so that a
   * finding under "Env is dev" and under "Env is prod" holds in every deployment. Left out of
   * what policies receive.
   */
  choices?: ChoiceDomain;
  /**
   * CloudFormation only, outside a nested stack's template, present when the resource's
   * `conditional` or `alternatives` may name an undecided condition whose meaning is known over
   * parameters a deployment may give any value: each such condition's text (`IsProd`: `Env is
   * prod`), so that the diff can tell one redefined wider under its name. Left out of what
   * policies receive.
   */
  conditionMeanings?: { [condition: string]: string };
  /**
   * CloudFormation only, present when the resource's `conditional` or `alternatives` may name an
   * undecided condition whose meaning is not known (`conditionMeanings`: one over a pseudo
   * parameter or an import, or any in a nested stack's template): each such condition's
   * definition as written, the conditions it names written out in it, so that the diff can tell
   * one redefined under its name. Left out of what policies receive.
   */
  conditionsAsWritten?: { [condition: string]: string };
  /**
   * Terraform only, present when no value decides how often the instance is created: its own
   * `count` or `for_each` unknown (`meta`), or a module call's enclosing it (`module.sg's count`),
   * as written (`text`), followed by what that reads as defined in the modules: the locals
   * (`local.on = var.env == "prod"`), the arguments of the calls binding the variables it reads
   * (`module.sg's enabled argument = var.env == "prod"`), other resources' arguments read
   * (`aws_vpc.main's tags`), a remote module's call when its output is read, and any enclosing
   * call's unknown expansion, so that the diff can tell one redefined (`Finding.unknownExpansion`).
   * A variable declared `sensitive` reads `var.token = (sensitive value)` in `text`, and
   * `sensitive` holds, by its name, a digest the diff compares (`var.token's value changed`). Left
   * out of what policies receive. `form` is a digest of the same read by syntax tree, not text
   * (spacing, comments, parentheses, the order of arguments and map keys aside): what the diff
   * compares.
   */
  expansionAsWritten?: {
    meta: string;
    text: string;
    form?: string;
    sensitive?: { [variable: string]: string };
  };
  /**
   * Terraform only, present when the root module reads `terraform.workspace` with maps or
   * comparisons that tell workspaces apart (iac/terraform/workspaces.ts): the condition text of
   * the workspace this instance was evaluated in (`terraform.workspace is prod`). The root's
   * resources are then there once per workspace, each world a deployment of its own that policies
   * judge alone (model/scopes.ts), with `choices` naming every world; a finding in some worlds
   * only says so. Left out of what policies receive.
   */
  workspace?: string;
  /**
   * With `workspace`: the value `terraform.workspace` takes in this world (`prod`; for the world
   * standing for the workspaces nothing names, `default` or a name none writes). Left out of
   * what policies receive.
   */
  workspaceName?: string;
}

/**
 * The parameters a deployment gives exactly one of several values (`Env`: `dev`, `prod`), and
 * the conditions those values alone decide, each as a condition text over them (`IsProd`: `Env is
 * prod`), read by policy/conditions.ts.
 */
export interface ChoiceDomain {
  parameters: { [parameter: string]: string[] };
  conditions: { [condition: string]: string };
}

/**
 * A value in `ChoiceDomain.parameters` that stands for every value the list does not name: the
 * Terraform workspace no map or comparison names (iac/terraform/workspaces.ts).
 */
export const UNLISTED_VALUE = "(unnamed)";

/**
 * The deployments a finding holds in: its conditions (none: every deployment) and what their
 * names mean (`Resource.choices`), so that the diff can tell whether a pull request widened them.
 */
export interface FindingDeployments {
  when: string[];
  choices?: ChoiceDomain;
  /** What its undecided conditions mean (`Resource.conditionMeanings`), when known. */
  meanings?: { [condition: string]: string };
  /** The definitions of its undecided conditions whose meaning is not known (`Resource.conditionsAsWritten`). */
  written?: { [condition: string]: string };
  /**
   * The Terraform workspaces (`Resource.workspaceName`) the finding was found in, when its root
   * tells workspaces apart: a finding of one workspace may name it in its evidence where one of
   * several says `${terraform.workspace}` (policy/findings.ts), and the diff matches the two.
   */
  workspaces?: string[];
}

/** A located problem found while loading (syntax error, unsupported construct, refused file). */
export interface LoadError {
  file: string;
  line: number;
  column: number;
  message: string;
  /** Stable machine-readable code, e.g. `hcl-syntax`, `yaml-alias-bomb`, `file-too-large`. */
  code: string;
  /**
   * Absent: an error, the scan is incomplete (the gate applies `on_error`). `warning`: the file
   * loaded and what could not be known is an explicit unknown value (a reference to a name the
   * snapshot does not declare); reported beside the findings, never blocking.
   */
  level?: "warning";
  /**
   * Of a `terraform-workspace-limit` error or a warning with `leftOut`: a digest of every file its root module reads (its own,
   * its local modules', its variable files, the files its functions read) and of the files its
   * `fileset()` calls list. The gate compares it
   * with the base's to tell whether the pull request changed that root. Of a `not-text` warning:
   * the file's git blob id, which a diff looks for at base (iac/files.ts `notTextOfChange`).
   */
  inputs?: string;
  /**
   * Terraform fails its plan on these values too (a list indexed out of range, `element()` of an
   * empty list, `one()` of two, `tonumber("ten")`, `regex()` matching nothing, `slice()` out of
   * range, `index()` of a value not in the list, `tolist([1, true])`), not printed: a workspace that alone meets such
   * an error is one Terraform cannot plan (terraform/workspaces.ts `cannotPlanIn`).
   */
  failsPlan?: true;
  /**
   * Of a `terraform-workspaces` warning leaving workspaces out because Terraform cannot plan them
   * (terraform/workspaces.ts `unplannableWarning`): their names and the message of the error they
   * failed with. Tollgate's values may differ from Terraform's (float64 numbers), so in a diff the
   * gate blocks on a workspace the base did not leave out for the same error in the same file.
   */
  leftOut?: { workspaces: readonly string[]; error: string };
}

/**
 * Where a problem points, `file:line:column: ` as editors link it, or nothing for one about the run
 * as a whole (no file: the merge base a diff could not find).
 */
export function problemPlace(problem: Pick<LoadError, "file" | "line" | "column">): string {
  return problem.file === "" ? "" : `${problem.file}:${problem.line}:${problem.column}: `;
}

/**
 * A resource's address in its root: `address`, with a nested CloudFormation stack's path before
 * it (`Network.WebSG`), as a Terraform address holds its module path. Findings are named by it.
 */
export function qualifiedAddress(
  resource: Pick<Resource, "address" | "module" | "source">,
): string {
  return resource.source === "cloudformation" && resource.module !== ""
    ? `${resource.module}.${resource.address}`
    : resource.address;
}

export function isWarning(problem: LoadError): boolean {
  return problem.level === "warning";
}

/**
 * A Terraform `moved` block as it applies to one instance of the module declaring it: `from` and
 * `to` are absolute in the root module (`module.net[0].aws_security_group.web`), keys written as
 * in `Resource.address`. Terraform moves what the previous state holds at `from` to `to` without
 * touching the infrastructure, so a finding there is the same finding at its new address.
 */
export interface Move {
  /** The root module's directory, as `Resource.root`. */
  root: string;
  from: string;
  to: string;
  /**
   * The root `to` is in, when it is not `root`: a CloudFormation resource whose top template the
   * head renamed, or whose template it nests under a parent or no longer nests (src/diff/stacks.ts).
   */
  toRoot?: string;
  /**
   * Both ends name a whole resource or module call (`aws_instance.a` to `aws_instance.b`): every
   * instance moves and keeps its key. Otherwise they name instances, and an end without a key is
   * the instance without one (`aws_instance.a` to `aws_instance.a[0]` when adding `count`).
   */
  whole: boolean;
  /**
   * No `moved` block says so: Terraform's own move of a resource that gained `count` (its
   * instance without a key becomes `[0]`) or lost `count` and `for_each` (`[0]` becomes the one
   * without a key), made unless a `moved` block names the resource. The place is the resource's.
   * Also a CloudFormation resource moved between stacks (src/diff/stacks.ts), placed at the
   * resource at head.
   */
  implied?: true;
  /**
   * Implied, for a resource whose `count` or `for_each` Tollgate cannot know: its one address
   * (`to`, without a key) stands for every instance, so each instance of `from` (`from[0]`,
   * `from["a"]`) is `to`.
   */
  anyInstance?: true;
  /** Where the `moved` block is written. */
  file: string;
  line: number;
  column: number;
}

/**
 * A Terraform `removed` block of a root module whose `lifecycle` says `destroy = false`: Terraform
 * forgets what `from` names (a resource, or a module call and all in it) without destroying it,
 * so whatever was deployed there stays as it was, no longer managed by this root.
 */
export interface Forgotten {
  /** The root module's directory, as `Resource.root`. */
  root: string;
  /** `aws_s3_bucket.legacy`, `module.old`: every instance of it, and for a module all inside. */
  address: string;
  /** Where the `removed` block is written; for `policy`, the base's `DeletionPolicy`. */
  file: string;
  line: number;
  /**
   * A CloudFormation resource the head no longer declares whose base `DeletionPolicy` keeps it
   * deployed (`Retain`, `RetainExceptOnCreate`), rather than a `removed` block.
   */
  policy?: string;
}

/**
 * A Terraform `import` block of a root module: it adopts into the state what is already deployed
 * at `address`, so findings on it were not brought into the world by the change that adds it.
 */
export interface Adopted {
  /** The root module's directory, as `Resource.root`. */
  root: string;
  /**
   * The resource instance `to` names (`aws_s3_bucket.logs`, `module.app["a"].aws_s3_bucket.b`),
   * `[*]` standing for a key an expression gives (`[each.key]` under the block's `for_each`).
   */
  address: string;
  /** Where the `import` block is written. */
  file: string;
  line: number;
}

export interface Model {
  resources: Resource[];
  errors: LoadError[];
  /** Terraform's `moved` blocks, the invalid ones left out (reported in `errors` as warnings). */
  moves: Move[];
  /** Terraform's `removed` blocks that keep what they remove deployed. */
  forgotten?: Forgotten[];
  /** Terraform's `import` blocks, the invalid ones left out (reported in `errors` as warnings). */
  adopted?: Adopted[];
  /** What was loaded as deployed on its own: Terraform root module folders, top templates. */
  roots?: Roots;
}

/** Terraform root module folders and CloudFormation top templates, each sorted. */
export interface Roots {
  terraform: string[];
  cloudformation: string[];
}

export type Severity = "critical" | "high" | "medium" | "low" | "info";
/**
 * What a rule is about: the built-in library's four (`BUILT_IN_CATEGORIES`), or a custom rule's
 * own, a lowercase slug (`CATEGORY_PATTERN`: `tagging`, `supply-chain`).
 */
export type Category = string;

/** The built-in rules' categories, in the order reports list them (custom ones follow by name). */
export const BUILT_IN_CATEGORIES = ["iam", "network", "encryption", "logging"] as const;

/** A category name: a lowercase letter, then 1 to 30 lowercase letters, digits or `-`. */
export const CATEGORY_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** Categories in report order: the built-in four first, in their order, then the others by name. */
export function byCategoryOrder(a: Category, b: Category): number {
  const rank = (category: Category) => {
    const index = (BUILT_IN_CATEGORIES as readonly string[]).indexOf(category);
    return index === -1 ? BUILT_IN_CATEGORIES.length : index;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
export type FindingStatus = "new" | "existing" | "fixed";
export type Enforcement = "blocking" | "advisory";

/**
 * What a network finding exposes: one security group or network ACL rule entry, its protocol
 * (`all`, `tcp`, `udp`), port range (0-65535 for `all`) and CIDR (the source of an ingress rule,
 * the destination of an egress one), as written.
 */
export interface NetworkScope {
  kind: "network";
  direction: "ingress" | "egress";
  protocol: string;
  from: number;
  to: number;
  source: string;
  /** A network ACL rule's: the ports of its range the finding is about that no earlier deny closes. */
  ports?: number[];
}

/**
 * What an IAM finding grants: one allow statement's actions the finding is about (or, with
 * `notActions`, every action but those), IAM patterns with `*` and `?`, on its resources, under its
 * `Condition` block as written.
 */
export interface IamScope {
  kind: "iam";
  effect: "Allow";
  actions?: string[];
  notActions?: string[];
  resources: string[];
  /**
   * Resources Tollgate cannot know, by their expressions (`aws_s3_bucket.logs.arn`): covered only
   * by the same expression or a `*` resource, and covering only the same expression.
   */
  unknownResources?: string[];
  /** A `NotResource` statement's patterns (its `resources` then empty): every resource but those. */
  notResources?: string[];
  condition: { [operator: string]: unknown };
  /**
   * The statements of the same resource that may deny (their effect is not a known `Allow`), as
   * JSON text: what the statement grants is then less than it says, so the scope covers only a
   * scope whose resource holds each of them too.
   */
  denies?: string[];
}

/**
 * What a public grant of a resource policy exposes: one allow statement's actions (or, with
 * `notActions`, every action but those) on its resources under its `Condition` block, as for
 * `IamScope`, to `principal` (the finding's principal evidence: `*`, `AWS arn:aws:iam::*:root`);
 * `contained` when Block Public Access keeps the grant from being public for now.
 */
export interface ResourcePolicyScope extends Omit<IamScope, "kind"> {
  kind: "resource-policy";
  principal: string;
  contained: boolean;
}

/**
 * What a public bucket ACL grant exposes: the group it grants to and the permissions it grants
 * (a canned ACL as the grants it stands for, `FULL_CONTROL` as the four it holds); `contained`
 * when Block Public Access keeps S3 from honouring it for now.
 */
export interface AclScope {
  kind: "acl";
  grantee: "AllUsers" | "AuthenticatedUsers";
  permissions: Array<"READ" | "WRITE" | "READ_ACP" | "WRITE_ACP">;
  contained: boolean;
}

/**
 * What a finding exposes, as data beside its `evidence` (src/diff/coverage.ts compares two). `when`
 * is filled in from the finding's location, never by a rule: the conditions it holds under
 * (CloudFormation conditions, `for_each` collections that must not be empty), `[]` for always.
 */
export type FindingScope = (NetworkScope | IamScope | ResourcePolicyScope | AclScope) & {
  when: string[];
};

/**
 * A policy result, located. Rule + root + subject (else resource) + evidence is its identity across
 * commits (src/diff).
 */
export interface Finding {
  rule: string;
  title: string;
  severity: Severity;
  category: Category;
  file: string;
  line: number;
  endLine: number;
  resource: string;
  /**
   * What the finding is about when that is not `resource`, where it is written: the security group
   * a standalone rule (`aws_vpc_security_group_ingress_rule`, `AWS::EC2::SecurityGroupIngress`)
   * opens. It stands for `resource` in the identity, so moving a group's inline rules into rule
   * resources changes no finding; absent when it is `resource` or cannot be resolved.
   */
  subject?: string;
  /** The resource's `root` (Terraform root module directory or template path), part of the identity. */
  root?: string;
  /**
   * Where the resource's own block is written. The finding's `file` and `line` are where the
   * offending value is written, which may lie outside it: the variable default, tfvars entry,
   * local or module argument the value came from, or a CloudFormation parameter.
   */
  resourceBlock?: { file: string; line: number; endLine: number };
  /**
   * Where what decides the finding besides its value is written (`Resource.readFrom`): what its
   * resource's `count`, `for_each` or `Condition` read, then what the `count` or `for_each` of
   * each module call creating it read (`call` is that call, innermost first), then what the
   * attribute or block holding it read.
   */
  readFrom?: Array<{
    by: string;
    call?: string;
    /** A place the value passed through on its way to the attribute `by` (`Resource.readFrom`). */
    through?: string;
    file: string;
    line: number;
    endLine: number;
  }>;
  /**
   * Where the resource's block reads the value when the finding is located where the value is
   * written instead (`Resource.readAt`): the attribute line an inline waiver may also be written on.
   */
  readAt?: { file: string; line: number; endLine: number };
  message: string;
  /** What exactly is wrong (`s3:*`, `tcp/22 from 0.0.0.0/0`, `/server_side_encryption_configuration`). */
  evidence: string;
  /**
   * What the finding exposes, when its rule says (`scope` in policies/README.md): a base finding
   * whose scope covers a head one's makes that one existing rather than new (src/diff).
   */
  scope?: FindingScope;
  remediation?: string;
  /**
   * Set when a value static evaluation could not know decides the finding: the expression that
   * produced it (`var.public`). Reported only with `rule_settings.unknown_values: advisory`, and
   * never blocking whatever its severity or enforcement ("cannot tell: var.public decides").
   */
  unknown?: string;
  /**
   * Terraform only: what decides how often its resource is created, when static evaluation
   * cannot know it (`Resource.expansionAsWritten`: `count` or `module.sg's count` as `meta`, and
   * as `text` `var.env == "prod" ? 1 : 0`, or `var.enabled ? 1 : 0 where module.sg's enabled
   * argument = var.env == "prod"` with what it reads), with the resource's module path.
   * The resource is kept as one instance at base and head, so the diff cannot tell by meaning
   * whether a pull request widened where it is created (prod, then every env but dev): it
   * compares this instead. Never reported.
   */
  unknownExpansion?: {
    meta: string;
    module: string;
    text: string;
    form?: string;
    sensitive?: { [variable: string]: string };
  };
  /**
   * On a base finding the diff labels `fixed`: the head reports its rule on the same resource as
   * cannot tell, and these expressions decide it there (`var.allowed`). The PR made the value
   * unknown rather than fixing it, so the gate lists it as neither fixed nor open.
   */
  unknownAtHead?: string[];
  /**
   * On a finding the diff labels `fixed`: the head's Terraform `removed` block with `destroy =
   * false` that forgets its resource (where it is written). What it exposes stays deployed, no
   * longer managed here, so the gate lists it as neither fixed nor open.
   */
  forgottenAtHead?: { file: string; line: number; policy?: string };
  /**
   * On a head finding the diff labels `new`: its file, module or template did not load at base,
   * so whether the base had it is unknown. The gate still gates it as new (set by the gate).
   */
  unloadedAtBase?: true;
  /**
   * Where the finding holds, when not in every deployment or when its resource names choices
   * (`FindingDeployments`). Compared by the diff, never reported.
   */
  deployments?: FindingDeployments;
  /**
   * On a head finding the diff labels `new` although the base had it: the deployments it holds in
   * now and did not at base (`now also when terraform.workspace is qa`), or what of its exposure
   * reaches beyond the base's (`now under StringEquals aws:SourceVpc vpc-2 (was ... vpc-1)`).
   */
  widened?: string;
  /**
   * On a head finding the diff labels `existing` whose conditions hold in fewer deployments than
   * the base's did: where it holds now (`now only when terraform.workspace is prod`). Still open,
   * so never fixed; reports say so beside it and in the summary.
   */
  narrowed?: string;
  /**
   * On a head finding the base did not have: the head's Terraform `import` block that adopts its
   * resource (where it is written). New by default, since applying the block makes the deployed
   * object what the configuration says and the gate cannot see it; `existing` under the setting
   * `import_adopts: existing` (what it exposes is then taken as deployed already).
   */
  adopted?: { file: string; line: number };
  status?: FindingStatus;
  enforcement: Enforcement;
  /**
   * Set by the gate on an advisory finding a `blocking_from` countdown holds: the day (UTC) from
   * which it blocks as it stands (open, new unless `fail_on: all`, not waived then).
   */
  advisoryUntil?: string;
  /**
   * The waiver that holds the finding: its reason, last day, and where it is written (`inline`, a
   * `tollgate:ignore` comment in the IaC file; `settings`, a settings file's `waivers`).
   */
  waived: null | { reason: string; written: "inline" | "settings"; expires?: string };
}
