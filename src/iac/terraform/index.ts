// The Terraform loader's only door: all repository files in, the evaluated resource model out.
// Every directory of `.tf` files is a module; roots are evaluated with their tfvars, local child
// modules with their bound inputs; a call of a module not in the repository (registry, git) is
// never fetched: each of its instances becomes a `mode: "module"` record of its arguments.
//
// What static evaluation cannot know is `{ $unknown: "<source text>" }`, never a guess:
// - a resource with an unknown `count`/`for_each` is one instance without an index, and that
//   meta-argument stays in its `config` as the unknown (`config.count`), so a policy can tell;
//   so is one that only root variables' defaults a deployment may override make empty, under
//   `conditional[""]` (defaults.ts);
// - a dynamic block over an unknown collection is one block whose iterator values are unknown,
//   recorded in the resource's `unknownForEach` (pointer to the `for_each` expression), since
//   Terraform may create none or several;
// - `jsonencode` (and policy documents) keep an unknown leaf as `{"$unknown": ...}` inside the
//   JSON text, so the known rest of a policy still reaches the rules; a template whose text is
//   JSON does the same for each string holding an unknown interpolation (a heredoc policy with
//   `"${aws_s3_bucket.b.arn}/*"`); other templates and functions with an unknown input are
//   unknown as a whole;
// - `file()` of a file not among the given ones (binary, too large, a computed path) is unknown,
//   unless the repository surely lacks it (a literal path the fetch stage follows): then, as in
//   Terraform, an error on the call's line; a path outside the files read is refused.
// Values `jsondecode`/`yamldecode` read from a file (or a template, a heredoc) are located at their
// lines in it (decoded.ts), as a policy read with `file()` or `templatefile()` is.
// A single value (string, number, bool) given through a variable default, a tfvars entry, a module
// call's argument, a local or a for_each entry is located where that literal is written (origin.ts
// attributeOrigin), the line a reviewer changes; the resource's block stays the finding's block.
// Addresses are unique within one root module; two roots may both hold `aws_s3_bucket.this`
// (tell them apart by `file`). Each resource says which versions of its provider may be in force
// for its root (providers.ts: constraints of the root and its local modules, the lock file).
import { createHash } from "node:crypto";
import type { Adopted, Forgotten, LoadError, Move, Resource, Value } from "../../model/types.js";
import {
  directoryOf,
  isTerraformSource,
  type FileListing,
  type SourceFile,
  type TerraformTool,
} from "../source.js";
import { ExpressionEvaluator } from "./evaluate.js";
import { ModuleInstance, type LoadContext, type ModuleCallRecord } from "./instance.js";
import { discoverModules, joinPath, type ModuleDefinition } from "./modules.js";
import {
  declaredImports,
  declaredMoves,
  forgottenAddresses,
  rootMovesInForce,
  type ImportDeclaration,
} from "./moved.js";
import { overridableDefaults } from "./defaults.js";
import { at, type Evaluated } from "./origin.js";
import { RootProviders } from "./providers.js";
import { automaticVariableFiles, readVariableFile } from "./variable-files.js";
import {
  cannotPlanIn,
  plannedWorkspaces,
  unplannableWarning,
  unplannedWorkspaces,
  WORKSPACE_LIMIT,
  workspaceDomain,
  worldLimitError,
  type Workspace,
  type WorkspaceRead,
} from "./workspaces.js";

export type { ModuleCallRecord } from "./instance.js";
export { leavesTop, unloadedModuleFolders } from "./modules.js";
export {
  fileContentTargets,
  fileReadTargets,
  filesetCalls,
  localModuleDirs,
  mayReach,
  unresolvedReads,
  type UnresolvedRead,
} from "./references.js";
export { listFileset } from "./fileset.js";
export { renderPolicyDocument, type RenderedPolicyDocument } from "./policy-document.js";

export interface TerraformOptions {
  /** Extra variable files (`-var-file`), repository paths, applied to every root module after its own tfvars. */
  variableFiles?: string[];
  /**
   * `-var-file`s by root module directory, each path relative to that root, read after the root's
   * own tfvars in order; `"*"` names files for every root (the CLI's `--var-file`), an error only
   * when no root has one.
   */
  rootVariableFiles?: { readonly [root: string]: readonly string[] };
  /** Variable values (`-var`), applied to every root module last. */
  variables?: { [name: string]: Value };
  /** Every file name the fetch stage listed, which `fileset()` enumerates (source.ts). */
  listing?: FileListing;
  /**
   * Folders evaluated as root modules even when a local module call reaches them: in a diff, the
   * base's roots at the head, since a call a pull request adds does not stop the deployment that
   * plans the folder alone, with its own defaults and tfvars.
   */
  keepRoots?: readonly string[];
  /** What deploys the modules (`terraform.tool`); see `discoverModules`. */
  tool?: TerraformTool;
}

export interface TerraformModel {
  resources: Resource[];
  errors: LoadError[];
  /** Every module call evaluated, local or remote. */
  moduleCalls: ModuleCallRecord[];
  /** `moved` blocks, absolute in their root, for each instance of the module declaring them. */
  moves: Move[];
  /** Root modules' `removed` blocks that leave what they remove deployed. */
  forgotten: Forgotten[];
  adopted: Adopted[];
  /** The folders evaluated as root modules. */
  roots: string[];
}

/**
 * Loads every Terraform module in `files` (all repository files: `file()` may read any of them)
 * into resources. Never throws for bad input: problems come back as located errors and the rest
 * of the repository still loads.
 */
export function loadTerraform(files: SourceFile[], options: TerraformOptions = {}): TerraformModel {
  const errors = new Map<string, LoadError>();
  const report = (error: LoadError): void => {
    const key = errorKey(error);
    const known = errors.get(key);
    if (!known) errors.set(key, error);
    // The same error in a module several roots call: the gate compares what every one reads.
    else if (
      known.inputs !== undefined &&
      error.inputs !== undefined &&
      !known.inputs.split(" ").includes(error.inputs)
    )
      errors.set(key, { ...known, inputs: `${known.inputs} ${error.inputs}` });
  };
  const resources: Resource[] = [];
  const moduleCalls: ModuleCallRecord[] = [];
  const discovery = discoverModules(files, options.tool);
  discovery.errors.forEach(report);
  const kept = (options.keepRoots ?? []).filter((dir) => discovery.modules.has(dir));
  const roots = [...new Set([...discovery.roots, ...kept])].sort();
  const evaluator = new ExpressionEvaluator();
  const rootMoves: Omit<Move, "root">[] = [];
  const rootImports: ImportDeclaration[] = [];
  const moves: Move[] = [];
  const forgotten: Forgotten[] = [];
  const adopted: Adopted[] = [];
  const sensitiveTexts = new Set<string>();
  const context: LoadContext = {
    evaluator,
    modules: discovery.modules,
    files: discovery.files,
    report,
    sensitiveTexts,
    emit: (resource) => resources.push(resource),
    recordModuleCall: (call) => moduleCalls.push(call),
    declaredMoves: new Map(
      [...discovery.modules.values()].map((definition) => [
        definition.directory,
        declaredMoves(definition, report),
      ]),
    ),
    emitMove: (move) => rootMoves.push(move),
    declaredImports: new Map(
      [...discovery.modules.values()].map((definition) => [
        definition.directory,
        declaredImports(definition, report),
      ]),
    ),
    emitImport: (block) => rootImports.push(block),
    instanceCount: 0,
    resolutionDepth: 0,
    ...(options.listing ? { listing: options.listing } : {}),
  };

  const extraFiles: SourceFile[] = [];
  for (const path of options.variableFiles ?? []) {
    const file = discovery.files.get(path);
    if (file) extraFiles.push(file);
    else
      report({
        file: path,
        line: 1,
        column: 1,
        message: `variable file ${JSON.stringify(path)} is not among the repository files`,
        code: "terraform-missing-variable-file",
      });
  }

  const everyRoot = options.rootVariableFiles?.["*"] ?? [];
  const foundForEveryRoot = new Set<string>();
  const namedFiles = (directory: string): SourceFile[] => {
    const named: SourceFile[] = [];
    for (const relative of everyRoot) {
      const file = discovery.files.get(joinPath(directory, relative));
      if (!file) continue;
      named.push(file);
      foundForEveryRoot.add(relative);
    }
    for (const relative of options.rootVariableFiles?.[directory] ?? []) {
      const file = discovery.files.get(joinPath(directory, relative));
      if (file) named.push(file);
      else missingVariableFile(joinPath(directory, relative), `root ${directory || "."}`);
    }
    return named;
  };
  const missingVariableFile = (path: string, of: string): void =>
    report({
      file: path,
      line: 1,
      column: 1,
      message: `variable file ${JSON.stringify(path)} (-var-file of ${of}) is not among the files read`,
      code: "terraform-missing-variable-file",
    });
  // A root this snapshot left out: a folder the listing shows holding Terraform files none of which
  // was read (a pull request's snapshot holds only the roots it changes), or one outside every folder
  // listed (`tollgate scan legacy` of a repository whose settings name `live/staging`). Its variable
  // files wait for a snapshot that reads it. Without a listing, or with its files read, it is no root.
  const listed = (folder: string): boolean =>
    options.listing?.folders.some(
      (top) => top === "" || folder === top || folder.startsWith(`${top}/`),
    ) ?? false;
  const leftOut = (root: string): boolean =>
    options.listing !== undefined &&
    !discovery.modules.has(root) &&
    (!listed(root) ||
      options.listing.files.some((file) => isTerraformSource(file) && directoryOf(file) === root));
  for (const root of Object.keys(options.rootVariableFiles ?? {}))
    if (root !== "*" && !roots.includes(root) && !leftOut(root))
      report({
        file: root || ".",
        line: 1,
        column: 1,
        message: `variable files are given for ${JSON.stringify(root)}, which is not a root module among the files read`,
        code: "terraform-missing-variable-file",
      });

  for (const directory of roots) {
    const definition = discovery.modules.get(directory);
    if (!definition) continue;
    const variableFiles = [...automaticVariableFiles(files, directory), ...namedFiles(directory)];
    evaluator.startRoot();
    const rootValues = new Map<string, Evaluated>();
    for (const file of [...variableFiles, ...extraFiles]) {
      for (const [name, value] of readVariableFile(file, evaluator, report)) {
        if (definition.variables.has(name)) rootValues.set(name, value);
      }
    }
    // A value given on the command line is written nowhere in the repository: it is located at
    // the variable's declaration, the nearest place a reader can look.
    for (const [name, value] of Object.entries(options.variables ?? {})) {
      const declared = definition.variables.get(name);
      if (declared) rootValues.set(name, { value, origin: at(declared.file.path, declared.node) });
    }
    context.providers = new RootProviders(definition, discovery.modules, discovery.files, report);
    context.overridableDefaults = overridableDefaults(definition, rootValues);
    context.instanceCount++;
    const rootInstances = context.instanceCount;
    const before = resources.length;
    rootMoves.length = 0;
    rootImports.length = 0;
    const read = new Set<string>();
    const listed = new Set<string>();
    try {
      const named = new Map<string, WorkspaceRead>();
      const reported = new Set<string>();
      const recordContext: LoadContext = {
        ...context,
        read,
        listed,
        report: (error) => {
          reported.add(errorKey(error));
          report(error);
        },
      };
      evaluator.workspaceNames = named;
      const record = new ModuleInstance(
        recordContext,
        definition,
        "",
        new Map(),
        rootValues,
        0,
        [],
      );
      try {
        record.load();
      } finally {
        delete evaluator.workspaceNames;
        context.instanceCount = recordContext.instanceCount;
      }
      // What the gate compares with the base's together with what the root reads (`inputs`).
      const rootBound: LoadError[] = [];
      const worlds = workspaceWorlds(
        {
          ...context,
          read,
          listed,
          instanceCount: rootInstances,
          report: (error) =>
            error.code === WORKSPACE_LIMIT || error.leftOut ? rootBound.push(error) : report(error),
        },
        named,
        reported,
        resources.slice(before),
        { file: definition.files[0]?.path ?? directory, line: 1, column: 1 },
        (worldContext) => {
          const world = new ModuleInstance(
            worldContext,
            definition,
            "",
            new Map(),
            rootValues,
            0,
            [],
          );
          world.reuseLocals(record);
          world.load();
        },
      );
      if (worlds) resources.splice(before, resources.length - before, ...worlds);
      if (rootBound.length > 0) {
        const inputs = rootInputs(
          definition,
          discovery.modules,
          [
            ...variableFiles,
            ...extraFiles,
            ...[...read].flatMap((path) => discovery.files.get(path) ?? []),
          ],
          listed,
        );
        for (const error of rootBound) report({ ...error, inputs });
      }
      for (let i = before; i < resources.length; i++) {
        const resource = resources[i];
        if (resource) resource.root = directory;
      }
      moves.push(...rootMovesInForce(directory, rootMoves, report));
      forgotten.push(
        ...forgottenAddresses(definition).map((removed) => ({ root: directory, ...removed })),
      );
      // Each block once, however many times the root's instances were evaluated.
      const imports = new Map(rootImports.map((block) => [JSON.stringify(block), block]));
      adopted.push(...[...imports.values()].map((block) => ({ root: directory, ...block })));
    } catch (error) {
      // Every known failure is a located value already; this keeps one root's defect from hiding the others.
      if (!(error instanceof Error)) throw error;
      resources.length = before;
      context.resolutionDepth = 0;
      const first = definition.files[0];
      report({
        file: first?.path ?? directory,
        line: 1,
        column: 1,
        message: `the module in ${directory || "the repository root"} could not be evaluated (${error.message}); its resources are left out`,
        code: "terraform-internal",
      });
    }
  }
  for (const relative of everyRoot)
    if (!foundForEveryRoot.has(relative)) missingVariableFile(relative, "every root module");
  // Terraform never shows a sensitive variable's value; an error quoting one says so instead.
  const redacted = [...sensitiveTexts].sort((a, b) => b.length - a.length);
  const withoutSecrets = (error: LoadError): LoadError =>
    redacted.some((text) => error.message.includes(text))
      ? {
          ...error,
          message: redacted.reduce(
            (message, text) => message.split(text).join("(sensitive value)"),
            error.message,
          ),
        }
      : error;
  return {
    resources,
    errors: [...errors.values()].map(withoutSecrets),
    moduleCalls,
    moves,
    forgotten,
    adopted,
    roots,
  };
}

/**
 * The resources of a root read by `terraform.workspace`, evaluated once per workspace its maps and
 * comparisons name (`named`, workspaces.ts), each marked with its world; undefined when it names
 * none, or no world can be planned (a located warning says why when names were read). `load`
 * evaluates the root again with `context` as given (reusing the locals no workspace changes), each
 * world counting its module instances from `context.instanceCount` on its own, and leaving the
 * count of the evaluation of record for the roots after it. What a world reports is dropped (the evaluation of record reported what all share), but:
 * - an error that evaluation did not report, of the kind Terraform raises for the world too (a map
 *   without its key, `cannotPlanIn`), is one Terraform cannot plan: the world is left out, and a
 *   located warning names it (`unplannableWarning`);
 * - any other error that evaluation did not report (a Tollgate limit, `terraform-limit`: more
 *   instances or elements in this world; an error Terraform may not raise; a failure of
 *   Tollgate's own) says nothing of what Terraform would do: the world keeps its condition with
 *   the resources of the evaluation of record (`record`, where the workspace is unknown), so no
 *   other world's finding reads as holding everywhere for lack of it, and a located error names
 *   it (`WORKSPACE_LIMIT`): what only it deploys is not known. Dropping such a world instead
 *   would let one expression Tollgate evaluates wrongly hide every workspace.
 */
function workspaceWorlds(
  context: LoadContext,
  named: ReadonlyMap<string, WorkspaceRead>,
  recorded: ReadonlySet<string>,
  record: readonly Resource[],
  rootFile: WorkspaceRead,
  load: (context: LoadContext) => void,
): Resource[] | undefined {
  const planned = plannedWorkspaces(new Set(named.keys()));
  if (planned.length === 0) {
    const unplanned = unplannedWorkspaces(named);
    if (unplanned) context.report(unplanned);
    return undefined;
  }
  const worlds: Array<Workspace & { resources: readonly Resource[] }> = [];
  const limited = new Map<string, { error: LoadError; worlds: Workspace[] }>();
  const unplannable = new Map<string, { error: LoadError; worlds: Workspace[] }>();
  // Worlds left out are grouped by their message too, so each warning says what its own failed
  // with (`no key "staging"`, not the unnamed world's `no key "default"`) and the gate can compare
  // it with the base's.
  const group = (groups: typeof limited, key: string, error: LoadError, world: Workspace): void => {
    const entry = groups.get(key) ?? { error, worlds: [] };
    entry.worlds.push(world);
    groups.set(key, entry);
  };
  for (const world of planned) {
    const emitted: Resource[] = [];
    let cannotPlan: LoadError | undefined;
    const limits: LoadError[] = [];
    const worldContext: LoadContext = {
      ...context,
      workspace: world.name,
      report: (error) => {
        if (error.level === "warning" || recorded.has(errorKey(error))) return;
        if (cannotPlanIn(error)) cannotPlan ??= error;
        else limits.push(error);
      },
      emit: (resource) => emitted.push(resource),
      recordModuleCall: () => {},
      emitMove: () => {},
      emitImport: () => {},
      resolutionDepth: 0,
    };
    try {
      load(worldContext);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      limits.push({
        ...rootFile,
        message: `the module could not be evaluated (${error.message})`,
        code: "terraform-internal",
      });
    }
    if (cannotPlan) {
      group(unplannable, `${errorKey(cannotPlan)}:${cannotPlan.message}`, cannotPlan, world);
      continue;
    }
    const first = limits[0];
    if (!first) {
      worlds.push({ ...world, resources: emitted });
      continue;
    }
    worlds.push({ ...world, resources: record });
    group(limited, errorKey(first), first, world);
  }
  for (const { error, worlds: alike } of unplannable.values()) {
    const warning = unplannableWarning(error, alike);
    if (warning) context.report(warning);
  }
  for (const { error, worlds: alike } of limited.values())
    context.report(worldLimitError(error, alike));
  if (worlds.every((world) => world.resources === record)) return undefined;
  const domain = workspaceDomain(worlds);
  return worlds.flatMap(({ condition, name, resources }) =>
    resources.map((resource) => ({
      ...resource,
      workspace: condition,
      workspaceName: name,
      choices: domain,
    })),
  );
}

/**
 * A digest of what the root module `root` reads: its files and its local modules', every one
 * they call, and `others` (variable files, files its functions read), each by path and text,
 * and the `listings` its `fileset()` calls gave: a file added to a folder one lists changes it,
 * read or not.
 */
function rootInputs(
  root: ModuleDefinition,
  modules: ReadonlyMap<string, ModuleDefinition>,
  others: readonly SourceFile[],
  listings: ReadonlySet<string>,
): string {
  const files = new Map<string, string>(others.map((file) => [file.path, file.text]));
  const seen = new Set<string>();
  const visit = (definition: ModuleDefinition): void => {
    if (seen.has(definition.directory)) return;
    seen.add(definition.directory);
    for (const file of definition.files) files.set(file.path, file.text);
    for (const call of definition.calls.values()) {
      const called = call.directory === undefined ? undefined : modules.get(call.directory);
      if (called) visit(called);
    }
  };
  visit(root);
  const hash = createHash("sha256");
  for (const path of [...files.keys()].sort()) hash.update(`${path}\0${files.get(path)}\0`);
  for (const listing of [...listings].sort()) hash.update(`fileset\0${listing}\0`);
  return hash.digest("hex").slice(0, 32);
}

/** What tells two reported errors apart: the same error reported twice is reported once. */
function errorKey(error: LoadError): string {
  return `${error.file}:${error.line}:${error.column}:${error.code}`;
}
