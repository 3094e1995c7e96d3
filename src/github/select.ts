// Which repository files a pull request's scan needs, decided from paths and text alone: changed
// IaC files, every Terraform file in their module directories, and the local modules those call.
// Pure, so the fetch below can be tested for *what* it reads apart from *how* it reads it.
import { posix } from "node:path";

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

export function isTerraformPath(path: string): boolean {
  return TERRAFORM_FILE.test(path);
}

/** A file the engine may load: Terraform, or a YAML/JSON file that may be a CloudFormation template (the engine decides). */
export function isIacPath(path: string): boolean {
  if (isTerraformPath(path)) return true;
  return TEMPLATE_FILE.test(path) && !NOT_TEMPLATES.some((pattern) => pattern.test(path));
}

export function directoryOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === "." ? "" : dir;
}

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
