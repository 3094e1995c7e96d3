// The load stage's door: one repository snapshot in, one resource model out. Terraform files are
// loaded together (modules span files and folders); every other candidate is tried as
// CloudFormation by content, templates together (a nested stack's template is loaded with its
// parent's parameters), and files that are neither are passed over silently.
import type { LoadError, Model, Roots } from "../model/types.js";
import { isCloudFormation, loadStacks, type StackOptions } from "./cloudformation/index.js";
import { isIacCandidate } from "./files.js";
import {
  directoryOf,
  isTerraformFile,
  isTerraformSource,
  mayBeReadByModules,
  type FileListing,
  type SourceFile,
} from "./source.js";
import {
  fileContentTargets,
  loadTerraform,
  mayReach,
  unresolvedReads,
  type TerraformOptions,
} from "./terraform/index.js";

export type { FileListing, SourceFile } from "./source.js";
export type { TerraformOptions } from "./terraform/index.js";
export type { StackOptions } from "./cloudformation/index.js";
export { loadCloudFormation, nestedTemplatePaths } from "./cloudformation/index.js";
export {
  readRepositoryFiles,
  checkSourceBytes,
  checkDataFileBytes,
  isPassedOverWhenNotText,
  notTextOfChange,
  DataFileBudget,
  dataFileTooLarge,
  isIacCandidate,
  inSkippedDirectory,
  readDataFile,
  unreadDataFile,
  oversizedFile,
  oversizedDataFile,
  SNIFFED_BYTES,
  DEFAULT_MAX_FILE_BYTES,
} from "./files.js";
export {
  fileContentTargets,
  fileReadTargets,
  filesetCalls,
  listFileset,
  leavesTop,
  localModuleDirs,
  unloadedModuleFolders,
  mayReach,
  unresolvedReads,
  type UnresolvedRead,
} from "./terraform/index.js";
export {
  directoryOf,
  isKnownNotTemplate,
  isTerraformFile,
  mayBeReadByModules,
  isTerraformSource,
  joinPath,
} from "./source.js";

const TEMPLATE_FILE = /\.(ya?ml|json|template)$/;

/**
 * The files the Terraform sources among `files` read with `file()` or `templatefile()` and a
 * literal path (`fileContentTargets`), whose names no walk reads (`users.csv`) and that are not
 * among `files`: what a fetch reads next, as data files (`readDataFile`). Paths may climb above
 * the top (`leavesTop`). With the `listing` of what the fetch saw, also every listed file a call
 * whose path the text does not tell may read (`file("${path.module}/rules/${each.value}")` over a
 * `fileset()`, `file(local.path)`; `unresolvedReads`), unless no module plausibly reads a file of
 * its kind (`mayBeReadByModules`): what those calls read is then known, not silently unknown.
 */
export function dataFileTargets(files: readonly SourceFile[], listing?: FileListing): string[] {
  const read = new Set(files.map((file) => file.path));
  const terraform = files.filter((file) => isTerraformSource(file.path));
  const targets = terraform.flatMap((file) =>
    fileContentTargets(directoryOf(file.path), file.text),
  );
  // Each distinct place once, then one pass over the listing.
  const reads = [
    ...new Map(
      (listing ? terraform : [])
        .flatMap((file) => unresolvedReads(directoryOf(file.path), file.text))
        .filter((r) => r.content)
        .map((r) => [JSON.stringify(r), r]),
    ).values(),
  ];
  if (reads.length > 0)
    for (const path of listing?.files ?? [])
      if (mayBeReadByModules(path) && reads.some((r) => mayReach(r, path))) targets.push(path);
  return [...new Set(targets)].filter((target) => !isIacCandidate(target) && !read.has(target));
}

/**
 * The IaC candidates (`cidrs.yaml`) the Terraform sources among `files` read the text of with a
 * literal path (`fileContentTargets`) that were neither read nor refused (no `errors` names one):
 * passed over as too large and no template (`oversizedFile`). The fetch that knows their sizes
 * says each (`dataFileTooLarge`), as for a data file of another name: what a module reads from one
 * is otherwise silently unknown.
 */
export function passedOverReads(
  files: readonly SourceFile[],
  errors: readonly LoadError[],
): string[] {
  const read = new Set(files.map((file) => file.path));
  const refused = new Set(errors.map((error) => error.file));
  const targets = files
    .filter((file) => isTerraformSource(file.path))
    .flatMap((file) => fileContentTargets(directoryOf(file.path), file.text));
  return [...new Set(targets)].filter(
    (target) => isIacCandidate(target) && !read.has(target) && !refused.has(target),
  );
}

export function loadModel(
  files: SourceFile[],
  terraformOptions: TerraformOptions = {},
  stackOptions: StackOptions = {},
): Model {
  const model: Model = { resources: [], errors: [], moves: [] };
  const roots: Roots = { terraform: [], cloudformation: [] };
  if (files.some((file) => isTerraformFile(file.path))) {
    // All files, not only Terraform's: `file()` and `templatefile()` read others.
    const terraform = loadTerraform(files, terraformOptions);
    model.resources.push(...terraform.resources);
    model.errors.push(...terraform.errors);
    model.moves.push(...terraform.moves);
    if (terraform.forgotten.length > 0) model.forgotten = terraform.forgotten;
    if (terraform.adopted.length > 0) model.adopted = terraform.adopted;
    roots.terraform = terraform.roots;
  }
  const stacks = loadStacks(files.filter(isTemplateFile), files, stackOptions);
  model.resources.push(...stacks.resources);
  model.errors.push(...stacks.errors);
  roots.cloudformation = stacks.tops;
  model.roots = roots;
  return model;
}

/** A file the model loads as a CloudFormation template: a template's name, a template's content. */
export function isTemplateFile(file: SourceFile): boolean {
  return !isTerraformFile(file.path) && TEMPLATE_FILE.test(file.path) && isCloudFormation(file);
}
