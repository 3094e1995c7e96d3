// The workspaces a root module is evaluated for when it reads `terraform.workspace`, which
// Terraform sets from the workspace selected, not from anything written. Static evaluation leaves
// it unknown; a root whose values depend on it (`local.cidrs[terraform.workspace]`,
// `lookup(var.sizes, terraform.workspace)`, `terraform.workspace == "prod" ? a : b`) is evaluated
// again once per workspace that its maps and comparisons tell apart, each a world of its own
// (`Resource.workspace`), and policies judge each world alone (policy/evaluate.ts), so a finding
// in one says "Only when terraform.workspace is prod".
// The names: the string keys of every map indexed by `terraform.workspace` (`m[...]`, `lookup`),
// the strings compared with it (`==`, `!=`, `contains`), and `default`. A workspace none of them
// names behaves alike at every such place (but for its name where interpolated): `default`
// stands for it when nothing names `default`, and one more world with a name nothing writes does
// when something does. A world whose evaluation fails where the unknown one did not, with an
// error Terraform raises there too (a map without its key, `cannotPlanIn`), is one Terraform
// cannot plan: it is left out, and a warning says so (in a diff, an error when the base did not
// leave it out for the same error: Tollgate's values may differ, gate/index.ts). One that reaches
// a limit of Tollgate's own, or fails otherwise, is kept, judged as the evaluation with the
// workspace unknown has it, and is an error of the head (WORKSPACE_LIMIT): what only that
// workspace deploys is not known.

import { UNLISTED_VALUE, type ChoiceDomain, type LoadError } from "../../model/types.js";

/** How `terraform.workspace` stays unknown in the evaluation of record: its source text. */
export const WORKSPACE_EXPRESSION = "terraform.workspace";

/**
 * Recorded among the names when a function other than `lookup`/`contains` reads the workspace
 * (`startswith(terraform.workspace, "dev")`): such a root is left as its evaluation of record
 * has it, the reads unknown, since evaluating the workspaces nothing names as `default` would
 * decide that call wrongly for them (a resource counted out everywhere, its finding lost).
 */
export const OPAQUE_WORKSPACE_READ = "(read by a function)";

/** Worlds beyond which a root is left as its evaluation of record has it (the reads unknown). */
export const MAX_WORKSPACES = 16;

/**
 * The workspace a world is evaluated with for the workspaces no map or comparison names, when
 * `default` is named: a name none writes.
 */
export const UNNAMED_WORKSPACE = "tollgate-unnamed-workspace";

/** The value the domain gives the unnamed world: no condition text names it. */
const UNNAMED_VALUE = UNLISTED_VALUE;

/** Where a root first read `terraform.workspace` with a name, for the warnings about it. */
export interface WorkspaceRead {
  file: string;
  line: number;
  column: number;
}

export interface Workspace {
  /** The value `terraform.workspace` takes in this world. */
  name: string;
  /** The condition text of the world: `terraform.workspace is prod`, or for the unnamed one `not ... and not ...`. */
  condition: string;
  /** This world's value in `ChoiceDomain.parameters["terraform.workspace"]`. */
  value: string;
}

/** Workspace names a condition text can hold as one value (`Env is prod`, conditions.ts). */
const WORKSPACE_NAME = /^[A-Za-z0-9_.-]+$/;
const KEYWORDS = new Set(["and", "or", "not", "is"]);

/**
 * The worlds to evaluate a root in, given the names its evaluation of record collected; none when
 * it names no workspace (nothing there depends on which is selected, but for interpolated names),
 * names one a condition text cannot hold, or names more than MAX_WORKSPACES.
 */
export function plannedWorkspaces(named: ReadonlySet<string>): Workspace[] {
  if (named.size === 0 || named.has(OPAQUE_WORKSPACE_READ)) return [];
  const names = [...new Set([...named, "default"])].sort();
  if (names.length + 1 > MAX_WORKSPACES) return [];
  if (names.some((name) => !WORKSPACE_NAME.test(name) || KEYWORDS.has(name))) return [];
  const others = (excluded: string): string =>
    names
      .filter((name) => name !== excluded)
      .map((name) => `not ${WORKSPACE_EXPRESSION} is ${name}`)
      .join(" and ");
  const worlds = names.map((name): Workspace =>
    name === "default" && !named.has("default")
      ? { name, condition: others("default"), value: UNNAMED_VALUE }
      : { name, condition: `${WORKSPACE_EXPRESSION} is ${name}`, value: name },
  );
  if (named.has("default"))
    worlds.push({ name: UNNAMED_WORKSPACE, condition: others(""), value: UNNAMED_VALUE });
  return worlds;
}

/** What the conditions of the worlds `kept` mean together: each deployment selects one of them. */
export function workspaceDomain(kept: readonly Workspace[]): ChoiceDomain {
  return {
    parameters: { [WORKSPACE_EXPRESSION]: kept.map((world) => world.value) },
    conditions: {},
  };
}

/**
 * Why a root that reads workspace names (`named`, each where it was first read) is evaluated
 * with `terraform.workspace` unknown rather than once per name: a located warning listing the
 * names left unevaluated; undefined when it names none or a function reads the workspace (the
 * names would not tell workspaces apart; README).
 */
export function unplannedWorkspaces(
  named: ReadonlyMap<string, WorkspaceRead>,
): LoadError | undefined {
  if (named.size === 0 || named.has(OPAQUE_WORKSPACE_READ)) return undefined;
  const names = [...named.keys()].sort();
  const unfit = names.filter((name) => !WORKSPACE_NAME.test(name) || KEYWORDS.has(name));
  const told = new Set([...names, "default"]).size;
  const why =
    told + 1 > MAX_WORKSPACES
      ? `the root tells apart ${told} workspaces (default among them), more than the ${MAX_WORKSPACES - 1} Tollgate evaluates one by one`
      : unfit.length > 0
        ? `a condition cannot hold the workspace ${unfit.length === 1 ? "name" : "names"} ${quotedList(unfit)}`
        : undefined;
  if (why === undefined) return undefined;
  const [first] = [...named.values()];
  return {
    ...(first ?? { file: "", line: 1, column: 1 }),
    level: "warning",
    code: "terraform-workspaces",
    message: `${why}: none of ${quotedList(names)} is evaluated on its own; what terraform.workspace decides stays unknown`,
  };
}

/**
 * Whether `error`, reported by a world and not by the evaluation of record, is one Terraform
 * raises when planning that workspace, so the world is left out: a map or object without the
 * key read (`m[terraform.workspace]`, `lookup` without a default), or another error Terraform
 * fails on for the same values (`failsPlan`: a list indexed out of range, `element()` of an empty
 * list, `one()` of two, `tonumber` of a string that is no number, `regex()` matching nothing,
 * `slice()` out of range, `index()` of a value not in the list, `parseint` of no integer, a NaN
 * result, a list, set or map of numbers and bools). Any other error may be
 * Tollgate's alone (a limit, a function it evaluates differently), and leaving the world out for
 * it would hide what that workspace deploys.
 */
export function cannotPlanIn(error: LoadError): boolean {
  return error.code === "terraform-missing-attribute" || error.failsPlan === true;
}

/**
 * The located warning naming the worlds `alike` left out for `error`, which Terraform raises there
 * too, with their names (`leftOut`) for the gate to compare with the base's; undefined when the only one is the world of the workspaces nothing names. A map keyed by
 * the workspaces a team uses fails for every other name by design: warning of that on every scan
 * would be noise, and what is left out is the same either way.
 */
export function unplannableWarning(
  error: LoadError,
  alike: readonly Workspace[],
): LoadError | undefined {
  const named = alike.filter((world) => world.value !== UNNAMED_VALUE);
  if (named.length === 0) return undefined;
  return {
    file: error.file,
    line: error.line,
    column: error.column,
    level: "warning",
    code: "terraform-workspaces",
    message: `${workspacesNamed(named)} left out: Terraform cannot plan there (${error.message})`,
    leftOut: { workspaces: named.map((world) => world.name), error: error.message },
  };
}

/**
 * The code of the gate's error for a workspace a diff's head leaves out (`unplannableWarning`)
 * where its base did not for the same error (gate/index.ts): Tollgate's numbers are float64 and
 * Terraform's exact, so an error Terraform raises on Tollgate's values may be Tollgate's alone.
 */
export const WORKSPACE_LEFT_OUT = "terraform-workspace-left-out";

/**
 * The code of a world at a Tollgate limit (`worldLimitError`). Making one workspace reach a limit
 * is cheap for a pull request's author, and what only that workspace deploys is then unknown (an
 * exposure there would pass unseen), so it is an error, blocking under `on_error` as any load
 * error of the head. The gate judges it a warning when the base reached the same limit and the
 * root module read the same files (`inputs`, gate/index.ts), so a root that always reaches it does
 * not fail every pull request that leaves it alone.
 */
export const WORKSPACE_LIMIT = "terraform-workspace-limit";

/**
 * The error for `error`, a Tollgate limit (or another error, or failure, not `cannotPlanIn`) that
 * the worlds `alike` reached where the evaluation of record did not: each is judged as that
 * evaluation has it.
 */
export function worldLimitError(error: LoadError, alike: readonly Workspace[]): LoadError {
  return {
    file: error.file,
    line: error.line,
    column: error.column,
    code: WORKSPACE_LIMIT,
    message: `in ${workspacesNamed(alike)}: ${error.message}; what that workspace deploys is not known (it is judged with terraform.workspace unknown)`,
  };
}

/** `workspace "prod", workspace "qa"`; the unnamed world is the workspaces nothing names. */
function workspacesNamed(worlds: readonly Workspace[]): string {
  return worlds
    .map((world) =>
      world.value === UNNAMED_VALUE
        ? "the workspaces nothing names"
        : `workspace ${JSON.stringify(world.name)}`,
    )
    .join(", ");
}

/** At most twenty names, quoted, then how many more. */
function quotedList(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((name) => JSON.stringify(name));
  return names.length > 20 ? `${shown.join(", ")} and ${names.length - 20} more` : shown.join(", ");
}
