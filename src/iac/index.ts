// The load stage's door: one repository snapshot in, one resource model out. Terraform files are
// loaded together (modules span files and folders); every other candidate is tried as
// CloudFormation by content, templates together (a nested stack's template is loaded with its
// parent's parameters), and files that are neither are passed over silently.
import type { Model } from "../model/types.js";
import { isCloudFormation, loadStacks, type StackOptions } from "./cloudformation/index.js";
import { isIacCandidate } from "./files.js";
import { directoryOf, isTerraformFile, isTerraformSource, type SourceFile } from "./source.js";
import { fileContentTargets, loadTerraform, type TerraformOptions } from "./terraform/index.js";

export type { FileListing, SourceFile } from "./source.js";
export type { TerraformOptions } from "./terraform/index.js";
export type { StackOptions } from "./cloudformation/index.js";
export { loadCloudFormation, nestedTemplatePaths } from "./cloudformation/index.js";
export {
  readRepositoryFiles,
  checkSourceBytes,
  checkDataFileBytes,
  dataFileTooLarge,
  isIacCandidate,
  readDataFile,
  unreadDataFile,
  oversizedFile,
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
  unresolvedReads,
  type UnresolvedRead,
} from "./terraform/index.js";
export {
  directoryOf,
  isKnownNotTemplate,
  isTerraformFile,
  isTerraformSource,
  joinPath,
} from "./source.js";

const TEMPLATE_FILE = /\.(ya?ml|json|template)$/;

/**
 * The files the Terraform sources among `files` read with `file()` or `templatefile()` and a
 * literal path (`fileContentTargets`), whose names no walk reads (`users.csv`) and that are not
 * among `files`: what a fetch reads next, as data files (`readDataFile`). Paths may climb above
 * the top (`leavesTop`).
 */
export function dataFileTargets(files: readonly SourceFile[]): string[] {
  const read = new Set(files.map((file) => file.path));
  const targets = files.flatMap((file) =>
    isTerraformSource(file.path) ? fileContentTargets(directoryOf(file.path), file.text) : [],
  );
  return [...new Set(targets)].filter((target) => !isIacCandidate(target) && !read.has(target));
}

export function loadModel(
  files: SourceFile[],
  terraformOptions: TerraformOptions = {},
  stackOptions: StackOptions = {},
): Model {
  const model: Model = { resources: [], errors: [], moves: [] };
  if (files.some((file) => isTerraformFile(file.path))) {
    // All files, not only Terraform's: `file()` and `templatefile()` read others.
    const terraform = loadTerraform(files, terraformOptions);
    model.resources.push(...terraform.resources);
    model.errors.push(...terraform.errors);
    model.moves.push(...terraform.moves);
    if (terraform.forgotten.length > 0) model.forgotten = terraform.forgotten;
    if (terraform.adopted.length > 0) model.adopted = terraform.adopted;
  }
  const stacks = loadStacks(files.filter(isTemplateFile), files, stackOptions);
  model.resources.push(...stacks.resources);
  model.errors.push(...stacks.errors);
  return model;
}

/** A file the model loads as a CloudFormation template: a template's name, a template's content. */
export function isTemplateFile(file: SourceFile): boolean {
  return !isTerraformFile(file.path) && TEMPLATE_FILE.test(file.path) && isCloudFormation(file);
}
