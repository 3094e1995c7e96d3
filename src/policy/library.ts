// Custom policy folders as Tollgate compiles them everywhere (the app's org policies, and the CLI's
// `build`, `test` and `--policies`): the sources compile together with the built-in helpers of
// `policies/lib/` (`data.tollgate.lib.*`), which they may import but not redefine, and may not
// take a built-in rule's id. The built-in folder itself compiles as it is.
import { realpath } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadError } from "../model/types.js";
import { closestName } from "../model/spelling.js";
import { parseModule } from "../rego/syntax/index.js";
import {
  buildPolicies,
  readPolicySources,
  readRules,
  regoSources,
  sourcesRevision,
  type BuildResult,
  type PolicySource,
} from "./build.js";

/** The built-in library, next to `src/` and `dist/` alike. */
export const BUILTIN_POLICY_DIR = fileURLToPath(new URL("../../policies", import.meta.url));

/** The built-in helpers custom sources compile with, and their content hash. */
export interface PolicyLibrary {
  sources: PolicySource[];
  revision: string;
}

/** The helpers' package: custom sources may declare neither it, nor one below or above it. */
const LIBRARY_PACKAGE = ["tollgate", "lib"];
/**
 * Where the helpers' files sit among the custom sources: an absolute path, which no file of a
 * repository has, so a folder's own `lib/iam.rego` never replaces one.
 */
const LIBRARY_FILE_PREFIX = "/tollgate/";

let library: Promise<PolicyLibrary> | undefined;

/** `policies/lib/**` of this Tollgate, the way the engine reads the built-in folder; read once. */
export function builtinLibrary(): Promise<PolicyLibrary> {
  library ??= readPolicySources(path.join(BUILTIN_POLICY_DIR, "lib")).then((found) => {
    const sources = found.map((source) => ({
      path: `${LIBRARY_FILE_PREFIX}lib/${source.path}`,
      text: source.text,
    }));
    return { sources, revision: sourcesRevision(sources) };
  });
  library.catch(() => (library = undefined));
  return library;
}

let builtinIds: Promise<string[]> | undefined;

/**
 * The ids of the built-in rules, read from their METADATA without compiling them: the ids a
 * custom rule may not take, as the app takes them from its engine.
 */
export function builtinRuleIds(): Promise<string[]> {
  builtinIds ??= readPolicySources(BUILTIN_POLICY_DIR).then((sources) =>
    readRules(sources).rules.map((rule) => rule.id),
  );
  builtinIds.catch(() => (builtinIds = undefined));
  return builtinIds;
}

/** Whether `dir` is the built-in library's own folder, which defines the helpers it compiles with. */
export async function isBuiltinFolder(dir: string): Promise<boolean> {
  const [given, builtin] = await Promise.all(
    [dir, BUILTIN_POLICY_DIR].map((p) => realpath(p).catch(() => path.resolve(p))),
  );
  return given === builtin;
}

/**
 * Compile custom sources with the helpers of `helpers` (the built-in library unless given): a
 * source in a reserved package, or a rule taking one of `reservedIds`, refuses the folder with a
 * located error. `built.sources` holds the helpers too, so the bundle carries what it ran.
 * `dataRoot`: the folder the sources' paths start with (`buildPolicies`).
 */
export async function buildCustomPolicies(
  sources: readonly PolicySource[],
  reservedIds: readonly string[],
  helpers?: PolicyLibrary,
  dataRoot = "",
): Promise<BuildResult> {
  const { sources: librarySources } = helpers ?? (await builtinLibrary());
  const helperNames = librarySources.flatMap(
    (source) =>
      /^package tollgate\.lib\.([A-Za-z_][A-Za-z0-9_]*)\s*$/m.exec(source.text)?.[1] ?? [],
  );
  const packageErrors = regoSources(sources).flatMap((source) =>
    libraryPackageErrors(source, helperNames),
  );
  if (packageErrors.length > 0) return { ok: false, errors: packageErrors, warnings: [] };
  const built = await buildPolicies([...librarySources, ...sources], dataRoot);
  if (!built.ok) return built;
  const reserved = new Set(reservedIds);
  const errors: LoadError[] = built.built.rules
    .filter((rule) => reserved.has(rule.id))
    .map((rule) => ({
      file: built.built.ruleFiles[rule.entrypoint] ?? rule.entrypoint,
      line: 1,
      column: 1,
      code: "policy-metadata",
      message: `rule id ${rule.id} is also used by the built-in library`,
    }));
  return errors.length > 0 ? { ok: false, errors, warnings: built.warnings } : built;
}

/** A folder's sources and their build: the built-in folder as it is, any other as custom policies. */
export async function buildPolicyFolder(
  dir: string,
): Promise<{ sources: PolicySource[]; result: BuildResult }> {
  const sources = await readPolicySources(dir);
  const result = (await isBuiltinFolder(dir))
    ? await buildPolicies(sources)
    : await buildCustomPolicies(sources, await builtinRuleIds());
  return { sources, result };
}

/**
 * A source that declares `tollgate.lib` or a package in it would merge its rules into the helpers
 * every rule imports (Rego joins packages of the same path), so it is refused where it says so.
 * An import of a helper that does not exist (`data.tollgate.lib.netwrok`) is refused at the import:
 * no custom source can define one, and the compiler would only report each use as an unsafe var.
 * An unparsable source is left to the build, which reports it.
 */
function libraryPackageErrors(source: PolicySource, helperNames: readonly string[]): LoadError[] {
  const parsed = parseModule(source.text, source.path);
  if (!parsed.module) return [];
  const errors: LoadError[] = [];
  const { path: packagePath, loc } = parsed.module.package;
  const inLibrary =
    packagePath.length <= LIBRARY_PACKAGE.length
      ? packagePath.every((segment, i) => LIBRARY_PACKAGE[i] === segment)
      : LIBRARY_PACKAGE.every((segment, i) => packagePath[i] === segment);
  if (inLibrary)
    errors.push({
      file: source.path,
      line: loc.line,
      column: loc.column,
      code: "policy-package",
      message: `package ${packagePath.join(".")}: ${LIBRARY_PACKAGE.join(".")} holds Tollgate's built-in helpers, which custom policies import (data.${LIBRARY_PACKAGE.join(".")}.<name>) but may not redefine or extend; name the package otherwise, e.g. acme.lib.<name>`,
    });
  for (const imported of parsed.module.imports) {
    const { head, operands } = imported.path;
    const names = operands.map((term) => (term.type === "string" ? term.value : undefined));
    const helper = names[LIBRARY_PACKAGE.length];
    const inHelpers = LIBRARY_PACKAGE.every((segment, i) => names[i] === segment);
    if (head.type !== "var" || head.name !== "data" || !inHelpers || helper === undefined) continue;
    if (helperNames.includes(helper)) continue;
    const suggestion = closestName(helper, helperNames);
    errors.push({
      file: source.path,
      line: imported.loc.line,
      column: imported.loc.column,
      code: "policy-import",
      message: `import data.${LIBRARY_PACKAGE.join(".")}.${helper}: no such helper${suggestion ? ` (did you mean ${suggestion}?)` : ""}; the helpers are ${[...helperNames].sort().join(", ")}`,
    });
  }
  return errors;
}
