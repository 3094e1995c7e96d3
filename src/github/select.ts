// Which repository files a pull request's scan needs, decided from paths and text alone: changed
// IaC files and templates, every Terraform file in their module directories, the local modules
// those call, and the files they read with file() or templatefile().
// Pure, so the fetch below can be tested for *what* it reads apart from *how* it reads it.
import { posix } from "node:path";
import { directoryOf } from "../iac/source.js";

/** Terraform sources, variable files and the dependency lock file (provider versions in force). */
const TERRAFORM_FILE = /(\.(tf|tfvars|tf\.json|tfvars\.json)|(^|\/)\.terraform\.lock\.hcl)$/;
const TEMPLATE_FILE = /\.(ya?ml|json|template)$/;
/** Data and tool files that share template extensions but are never CloudFormation. */
const NOT_TEMPLATES = [
  /(^|\/)\.github\//,
  /(^|\/)node_modules\//,
  /(^|\/)\.vscode\//,
  /(^|\/)(package|package-lock|composer|tsconfig[^/]*|renovate|\.?eslintrc|\.prettierrc)\.json$/,
  /(^|\/)(pnpm-lock|\.pre-commit-config|docker-compose[^/]*|\.gitlab-ci|mkdocs)\.ya?ml$/,
  /\.tflint\.json$/,
];

/**
 * Template files `templatefile()` renders: `.tftpl`, the ending its documentation recommends, and
 * the older `.tpl`. Not IaC on their own, but a change to one changes what its module deploys.
 */
const TERRAFORM_TEMPLATE = /\.(tftpl|tpl)$/;

export function isTerraformTemplatePath(path: string): boolean {
  return TERRAFORM_TEMPLATE.test(path);
}

export function isTerraformPath(path: string): boolean {
  return TERRAFORM_FILE.test(path);
}

/** A file the engine may load: Terraform, or a YAML/JSON file that may be a CloudFormation template (the engine decides). */
export function isIacPath(path: string): boolean {
  if (isTerraformPath(path)) return true;
  return TEMPLATE_FILE.test(path) && !NOT_TEMPLATES.some((pattern) => pattern.test(path));
}

export { directoryOf };

/** Terraform files directly in `dir` (not in subdirectories), from a tree's path list. */
export function terraformFilesIn(dir: string, paths: Iterable<string>): string[] {
  const selected: string[] = [];
  for (const path of paths) {
    if (isTerraformPath(path) && directoryOf(path) === dir) selected.push(path);
  }
  return selected;
}

const LOCAL_SOURCE = /^\s*source\s*=\s*"(\.{1,2}\/[^"]*)"/gm;

/**
 * Directories of local modules (`source = "./modules/net"`) a Terraform file in `dir` calls,
 * repository-relative; sources that leave the repository are dropped. Registry and git sources
 * are not fetched: they are not in the pull request's repository.
 */
export function localModuleDirs(dir: string, text: string): string[] {
  const dirs = new Set<string>();
  for (const match of text.matchAll(LOCAL_SOURCE)) {
    const source = match[1] ?? "";
    const resolved = posix.normalize(posix.join(dir === "" ? "." : dir, source)).replace(/\/$/, "");
    if (resolved === ".." || resolved.startsWith("../")) continue;
    dirs.add(resolved === "." ? "" : resolved);
  }
  return [...dirs];
}

/** `file("...")` or `templatefile("...", ...)` with a literal path, optionally under `${path.module}/`. */
const FILE_READ = /\b(?:file|templatefile)\(\s*"(?:\$\{path\.module\}\/)?([^"$]+)"/g;

/**
 * Repository paths a Terraform file in `dir` reads with `file()` or `templatefile()` (a policy
 * kept as JSON or as a template beside the module), so they are fetched as a checkout would hold
 * them. Only literal paths, relative to the module (`${path.module}/x` or `x`, which Terraform
 * resolves from the root module, the same folder when the file is in one); paths that leave the
 * repository are dropped. A path built otherwise stays unread, and its value unknown.
 */
export function fileReadPaths(dir: string, text: string): string[] {
  const paths = new Set<string>();
  for (const match of text.matchAll(FILE_READ)) {
    const resolved = posix.normalize(posix.join(dir === "" ? "." : dir, match[1] ?? ""));
    if (resolved === "." || resolved === ".." || resolved.startsWith("../")) continue;
    paths.add(resolved);
  }
  return [...paths];
}
