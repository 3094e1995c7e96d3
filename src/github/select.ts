// Which repository files a pull request's scan needs, decided from paths and text alone: changed
// IaC files and templates, every Terraform file in their module directories, the local modules
// those call, and the files they read with file() or templatefile().
// Pure, so the fetch below can be tested for *what* it reads apart from *how* it reads it.
import {
  directoryOf,
  fileContentTargets,
  fileReadTargets,
  filesetCalls,
  isKnownNotTemplate,
  joinPath,
  leavesTop,
  listFileset,
  localModuleDirs,
  unresolvedReads,
  type FileListing,
  type UnresolvedRead,
} from "../iac/index.js";

/** Terraform sources, variable files and the dependency lock file (provider versions in force). */
const TERRAFORM_FILE = /(\.(tf|tfvars|tf\.json|tfvars\.json)|(^|\/)\.terraform\.lock\.hcl)$/;
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

/**
 * Files whose text no module plausibly reads for what it deploys, whose modification alone is not
 * looked up among the files modules read: finding out costs both commits' trees and a read of every
 * Terraform file, on each push of every pull request that changes only application code. (One
 * added, removed or renamed is looked up whatever its kind: a `fileset()` may list it.)
 * Documentation; source code of other languages (deployed as built artifacts, not judged);
 * dependency manifests and lock files; images, fonts, media, archives and compiled files (a
 * module cannot read their text); container and build files and repository settings. A file of
 * another name (`user_data.sh`, `nginx.conf`, `key.pub`) is looked up.
 */
const NOT_READ_EXTENSION = new RegExp(
  "\\.(" +
    [
      "md|markdown|mdx|rst|adoc",
      "py|pyi|ipynb|js|mjs|cjs|jsx|ts|mts|cts|tsx|go|java|kt|kts|scala|groovy|gradle|rb|php",
      "cs|fs|vb|c|h|cc|cpp|cxx|hpp|hh|rs|swift|m|mm|dart|lua|pl|pm|ex|exs|erl|hrl|clj|cljs|hs|elm",
      "vue|svelte|html?|css|scss|sass|less|sql",
      "lock|sum",
      "png|jpe?g|gif|bmp|ico|webp|svg|tiff?|psd|woff2?|ttf|otf|eot|mp[34]|wav|ogg|webm|mov|avi|pdf",
      "docx?|xlsx?|pptx?|zip|tar|gz|tgz|bz2|xz|7z|jar|war|whl|egg|exe|dll|so|dylib|a|o|class|pyc|wasm",
    ].join("|") +
    ")$",
  "i",
);
const NOT_READ_NAME =
  /(^|\/)(go\.mod|go\.work|Gemfile|Pipfile|Cargo\.toml|pyproject\.toml|setup\.cfg|pom\.xml|(requirements|constraints)[^/]*\.txt|Dockerfile|Containerfile|[^/]*\.dockerfile|Makefile|\.[^/]*ignore|\.gitattributes|\.editorconfig|\.npmrc|\.nvmrc|LICEN[CS]E[^/]*|COPYING[^/]*|CODEOWNERS)$/;

/**
 * Whether a module may plausibly read the file's text with `file()`, so a pull request modifying
 * it alone is looked up among the files modules read.
 */
export function mayBeReadByModules(path: string): boolean {
  return !NOT_READ_EXTENSION.test(path) && !NOT_READ_NAME.test(path) && !isKnownNotTemplate(path);
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

export { directoryOf, localModuleDirs };

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
      (read) => (read.content || renamed.has(path)) && mayRead(read, path),
    );
    if (matching.length > 0) found.push({ path, content: matching.some((read) => read.content) });
  }
  return found;
}

function mayRead(read: UnresolvedRead, path: string): boolean {
  const { folder, pattern } = read;
  if (folder === undefined) return true;
  const matches = (at: string): boolean => {
    if (leavesTop(at) || (at !== "" && path !== at && !path.startsWith(`${at}/`))) return false;
    if (pattern === undefined) return true;
    const listed = listFileset({ folders: [""], files: [path], unlisted: [] }, at, pattern);
    return !("files" in listed) || listed.files.length > 0;
  };
  if (!read.fromRoot) return matches(folder);
  // The root module is a folder above the file read (or holding it): any of them.
  const parts = path.split("/");
  return parts.some((_, depth) => matches(joinPath(parts.slice(0, depth).join("/"), folder)));
}
