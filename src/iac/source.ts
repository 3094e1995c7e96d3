// What loaders read: repository files already fetched (from disk, git or GitHub) and checked
// for size, binary content and encoding by the fetch stage, so every loader is a pure function;
// and the one way their syntax trees (HCL, JSON) say where a node is written.

/** The folder of a repository path (`""` for the top): a Terraform file's module. */
export function directoryOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

/**
 * Joins a folder with a relative path (a module's `source`, a nested stack's `TemplateURL`). A
 * path that climbs above the top of the names keeps its leading `..` (the CLI names files relative
 * to the working folder, so a module may sit above it); `leavesTop` tells such a path.
 */
export function joinPath(directory: string, relative: string): string {
  const parts = directory === "" ? [] : directory.split("/");
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/** A joined path above the top of the names: outside the repository, or above the CLI's folder. */
export function leavesTop(joined: string): boolean {
  return joined === ".." || joined.startsWith("../");
}

/**
 * `target`, joined from the folder of the file at `from`, lies further above the top of the names
 * than `from` does: outside the repository, or, for a file the CLI names above its working folder
 * (`tollgate scan ../x` reads `../x/stack.yaml`), above the folder it was given, as `leavesTop`
 * is for a file named below it (`../x/nested/net.yaml` does not leave `../x/stack.yaml`'s top).
 */
export function climbsAbove(from: string, target: string): boolean {
  const levels = (path: string): number => {
    const parts = path.split("/");
    const below = parts.findIndex((part) => part !== "..");
    return below < 0 ? parts.length : below;
  };
  return levels(target) > levels(from);
}

/**
 * Terraform source, where blocks are written: `.tf` or `.tf.json`, and OpenTofu's `.tofu` or
 * `.tofu.json`, read alike (`readByOpenTofu` says which of a folder's files are read).
 */
export function isTerraformSource(path: string): boolean {
  return /\.(tf|tofu)(\.json)?$/.test(path);
}

/** OpenTofu's own source, `.tofu` or `.tofu.json`: Terraform reads none. */
export function isOpenTofuSource(path: string): boolean {
  return /\.tofu(\.json)?$/.test(path);
}

/**
 * What deploys a repository's Terraform (the settings' `terraform.tool`): `terraform` reads the
 * `.tf`/`.tf.json` files only, `opentofu` as `readByOpenTofu` says.
 */
export type TerraformTool = "terraform" | "opentofu";

/** Terraform source or a variable file (`.tfvars`, `.tfvars.json`): what a module's values come from. */
export function isTerraformFile(path: string): boolean {
  return isTerraformSource(path) || /\.tfvars(\.json)?$/.test(path);
}

/**
 * The OpenTofu file that takes the place of a `.tf` or `.tf.json` file when both are in one folder
 * (`main.tofu` for `main.tf`, `main.tofu.json` for `main.tf.json`, `x_override.tofu` for
 * `x_override.tf`): OpenTofu then reads it and not the other. Undefined for any other file.
 */
export function openTofuAlternative(path: string): string | undefined {
  const match = /\.tf(\.json)?$/.exec(path);
  return match ? `${path.slice(0, match.index)}.tofu${match[1] ?? ""}` : undefined;
}

/**
 * The Terraform sources of `files` a module reads, as OpenTofu selects them ("Extension
 * Precedence"): every `.tofu`/`.tofu.json` file, and every `.tf`/`.tf.json` file but one whose
 * OpenTofu alternative is among `files`. Terraform itself reads no `.tofu` file: which reading is
 * judged is the settings' `terraform.tool` (`discoverModules`).
 */
export function readByOpenTofu<T extends { path: string }>(files: readonly T[]): T[] {
  const paths = new Set(files.map((file) => file.path));
  return files.filter((file) => {
    if (!isTerraformSource(file.path)) return false;
    const alternative = openTofuAlternative(file.path);
    return alternative === undefined || !paths.has(alternative);
  });
}

/** The `.tf`/`.tf.json` files among `files` OpenTofu leaves out for the `.tofu` file beside each. */
export function shadowedSources<T extends { path: string }>(
  files: readonly T[],
): { file: T; by: string }[] {
  const paths = new Set(files.map((file) => file.path));
  return files.flatMap((file) => {
    const by = openTofuAlternative(file.path);
    return by !== undefined && paths.has(by) ? [{ file, by }] : [];
  });
}

/**
 * Data and tool files that share template extensions but are never CloudFormation: lock and
 * package files, CI and editor settings, and what `cdk synth` writes beside its templates in
 * `cdk.out/` (the construct tree, the manifest, asset manifests and the assets themselves).
 */
const NOT_TEMPLATES = [
  /(^|\/)\.github\//,
  /(^|\/)node_modules\//,
  /(^|\/)\.vscode\//,
  /(^|\/)(package|package-lock|npm-shrinkwrap|composer|tsconfig[^/]*|renovate|\.?eslintrc|\.prettierrc)\.json$/,
  /(^|\/)(pnpm-lock|\.pre-commit-config|docker-compose[^/]*|\.gitlab-ci|mkdocs)\.ya?ml$/,
  /\.tflint\.json$/,
  /(^|\/)cdk\.out\/(.*\/)?(tree|manifest|[^/]+\.assets)\.json$/,
  /(^|\/)cdk\.out\/(.*\/)?asset\.[^/]+\//,
];

/** A path that names a data or tool file, never a template, whatever it holds. */
export function isKnownNotTemplate(path: string): boolean {
  return NOT_TEMPLATES.some((pattern) => pattern.test(path));
}

/**
 * Files whose text no module plausibly reads for what it deploys: documentation; source code of
 * other languages (deployed as built artifacts, not judged); dependency manifests and lock files;
 * images, fonts, media, archives and compiled files (a module cannot read their text); container
 * and build files and repository settings. The app does not look up a modification of one alone
 * (finding out costs both commits' trees and a read of every Terraform file, on each push of every
 * pull request changing only application code), and no fetch reads one for a `file()` whose path
 * is computed. A file of another name (`user_data.sh`, `nginx.conf`, `key.pub`) is.
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

/** Whether a module may plausibly read the file's text with `file()` (see `NOT_READ_EXTENSION`). */
export function mayBeReadByModules(path: string): boolean {
  return !NOT_READ_EXTENSION.test(path) && !NOT_READ_NAME.test(path) && !isKnownNotTemplate(path);
}

export interface SourceFile {
  /** Repository-relative path with forward slashes (`modules/net/main.tf`). */
  path: string;
  text: string;
}

/**
 * The names a fetch stage saw beside the files it gave, so Terraform's `fileset()` can enumerate a
 * folder as Terraform would: every regular file below `folders`, whatever its name, IaC or not.
 */
export interface FileListing {
  /** Folders listed whole, at any depth, named as the files are (`""` for the whole snapshot). */
  folders: readonly string[];
  /** Every regular file below `folders`. */
  files: readonly string[];
  /**
   * Paths below `folders` whose kind or contents were not listed: folders a walk skips
   * (`node_modules`, `.terraform`), symbolic links, submodules, folders that could not be read.
   */
  unlisted: readonly string[];
}

/**
 * Where a node is written in a source file. `line`/`column` are 1-based; `endLine`/`endColumn`
 * are the position just after the node's last character (exclusive, like HCL's own ranges).
 * Columns count UTF-16 code units from the line start, as JavaScript strings do. `start`/`end`
 * are offsets into the text (UTF-16 code units, end exclusive): `text.slice(start, end)` is it.
 */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  start: number;
  end: number;
  /**
   * The node's own text where the file's text at its offsets is not it: a node of a `.tf.json`
   * string read from its decoded text (one with JSON escapes), placed on the whole string.
   */
  decodedText?: string;
}
