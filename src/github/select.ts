// Which repository files a pull request's scan needs, decided from paths and text alone: changed
// IaC files and templates, every Terraform file in their module directories, the local modules
// those call, and the files they read with file() or templatefile().
// Pure, so the fetch below can be tested for *what* it reads apart from *how* it reads it.
import {
  directoryOf,
  fileContentTargets,
  fileReadTargets,
  filesetCalls,
  inSkippedDirectory,
  isKnownNotTemplate,
  joinPath,
  leavesTop,
  listFileset,
  localModuleDirs,
  mayBeReadByModules,
  mayReach,
  unresolvedReads,
  type FileListing,
} from "../iac/index.js";

/**
 * Terraform sources (OpenTofu's `.tofu` and `.tofu.json` too), variable files and the dependency
 * lock file (provider versions in force).
 */
const TERRAFORM_FILE =
  /(\.(tf|tofu|tfvars|tf\.json|tofu\.json|tfvars\.json)|(^|\/)\.terraform\.lock\.hcl)$/;
const TEMPLATE_FILE = /\.(ya?ml|json|template)$/;

/**
 * Template files `templatefile()` renders: `.tftpl`, the ending its documentation recommends, and
 * the older `.tpl`. Not IaC on their own, but a change to one changes what its module deploys.
 */
const TERRAFORM_TEMPLATE = /\.(tftpl|tpl)$/;

/**
 * Data files a module reads with `file()`, fetched as soon as one changes: CSV for `csvdecode`,
 * text for lists split by line (`split("\n", file("cidrs.txt"))`). A changed file of another name
 * rescans the modules that read it too, once a look through the Terraform files finds one does.
 */
const DATA_FILE = /\.(csv|txt)$/;

export function isDataPath(path: string): boolean {
  return DATA_FILE.test(path);
}

export function isTerraformTemplatePath(path: string): boolean {
  return TERRAFORM_TEMPLATE.test(path);
}

export function isTerraformPath(path: string): boolean {
  return TERRAFORM_FILE.test(path);
}

/** A file the engine may load: Terraform, or a YAML/JSON file that may be a CloudFormation template (the engine decides). */
export function isIacPath(path: string): boolean {
  if (isTerraformPath(path)) return true;
  return TEMPLATE_FILE.test(path) && !isKnownNotTemplate(path);
}

/**
 * A YAML/JSON file named as a tool's (a `.github/` workflow, `docker-compose.yml`, `renovate.json`):
 * no template by name (`isIacPath`), but the CLI reads it from disk and judges its content, and
 * CloudFormation deploys a template from any path, so the app reads one a pull request adds or
 * changes and scans it when its content is a template. A folder the CLI's walk never enters
 * (`node_modules/`) is not read.
 */
export function isToolNamedPath(path: string): boolean {
  return TEMPLATE_FILE.test(path) && isKnownNotTemplate(path) && !inSkippedDirectory(path);
}

export { directoryOf, localModuleDirs, mayBeReadByModules };

/** Terraform files directly in `dir` (not in subdirectories), from a tree's path list. */
export function terraformFilesIn(dir: string, paths: Iterable<string>): string[] {
  const selected: string[] = [];
  for (const path of paths) {
    if (isTerraformPath(path) && directoryOf(path) === dir) selected.push(path);
  }
  return selected;
}

/**
 * Repository paths a Terraform file in `dir` reads with `file()` or `templatefile()` (literal
 * paths only), so they are fetched as a checkout would hold them; paths that leave the repository
 * are dropped.
 */
export function fileReadPaths(dir: string, text: string): string[] {
  return fileReadTargets(dir, text).filter((target) => !leavesTop(target));
}

/** `fileReadPaths` less those only `fileexists()` names: the files whose text a module reads. */
export function fileContentPaths(dir: string, text: string): string[] {
  return fileContentTargets(dir, text).filter((target) => !leavesTop(target));
}

/**
 * Repository paths the `fileset()` calls of a Terraform file in `dir` list from `listing` (literal
 * folder and pattern only), so the policies a module reads as `file(each.value)` are fetched.
 */
export function filesetReadPaths(dir: string, text: string, listing: FileListing): string[] {
  return filesetCalls(dir, text).flatMap(({ directory, pattern }) => {
    const listed = listFileset(listing, directory, pattern);
    return "files" in listed ? listed.files.map((file) => joinPath(directory, file)) : [];
  });
}

/**
 * The changed files a Terraform file in `dir` may list or read through a call whose folder, path
 * or pattern its text alone does not tell (`fileset(path.root, "handlers/*.py")`,
 * `fileset(local.dir, "*.py")`, `file("${path.module}/policies/${each.value}")`), or a `fileset()`
 * whose pattern Tollgate does not match: a reader fetching part of a repository cannot tell that
 * such a module does not read them, so it counts them as read (fails closed). `renamed` are the
 * files added, removed or renamed, which change what a `fileset()` lists and what `fileexists()`
 * finds; the others (modified) matter only to calls reading a file's text. `content` says one of
 * those matched, so the file is fetched for the module to read.
 */
export function unresolvedReadPaths(
  dir: string,
  text: string,
  changed: Iterable<string>,
  renamed: ReadonlySet<string>,
): { path: string; content: boolean }[] {
  const reads = unresolvedReads(dir, text);
  const listing = { folders: [""], files: [...changed], unlisted: [] };
  for (const { directory, pattern } of filesetCalls(dir, text))
    if ("unknown" in listFileset(listing, directory, pattern))
      reads.push({ content: false, folder: directory });
  if (reads.length === 0) return [];
  const found: { path: string; content: boolean }[] = [];
  for (const path of listing.files) {
    const matching = reads.filter(
      (read) => (read.content || renamed.has(path)) && mayReach(read, path),
    );
    if (matching.length > 0) found.push({ path, content: matching.some((read) => read.content) });
  }
  return found;
}
