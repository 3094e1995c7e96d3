// What a Terraform file reads beyond itself, told from its text alone: the local module folders its
// calls name and the files its `file()`/`templatefile()`/`fileexists()`/`filemd5()`… calls name with a literal path. Readers
// that fetch part of a repository (the app's pull request snapshot, the CLI following a module out
// of the scanned folders) ask this what to read next, before anything is parsed. `.tf.json` writes
// the same things as JSON: `"source": "./x"`, and calls inside strings with their quotes escaped.
import { FILE_DIGEST_FUNCTIONS } from "./functions.js";
import { listFileset } from "./fileset.js";
import { joinPath, leavesTop } from "./modules.js";

/** `source = "./x"` in native syntax, `"source": "./x"` in JSON syntax: the local forms. */
const LOCAL_SOURCE = /^\s*source\s*=\s*"(\.{1,2}\/[^"]*)"|"source"\s*:\s*"(\.{1,2}\/[^"\\]*)"/gm;

/**
 * Directories of local modules (`source = "./modules/net"`) a Terraform file in `dir` calls,
 * repository-relative; sources that leave the repository are dropped. Registry and git sources
 * are not local: they are not in the repository.
 */
export function localModuleDirs(dir: string, text: string): string[] {
  const dirs = new Set<string>();
  for (const match of text.matchAll(LOCAL_SOURCE)) {
    const resolved = joinPath(dir, match[1] ?? match[2] ?? "");
    if (!leavesTop(resolved)) dirs.add(resolved);
  }
  return [...dirs];
}

/**
 * Every function reading a file: `file` and `templatefile` read its text, `fileexists` whether it
 * is there, `filemd5`, `filebase64` and the like its bytes, into a value Tollgate leaves unknown.
 */
const FILE_FUNCTIONS = ["file", "templatefile", "fileexists", ...FILE_DIGEST_FUNCTIONS].join("|");

/**
 * A file-reading call (`FILE_FUNCTIONS`, `file("...")`, `filemd5("...")`) with a literal path, optionally
 * under `${path.module}/`; in a JSON string the quotes around the path are escaped
 * (`file(\"x.json\")`). `jsondecode(file("rules.json"))` and `yamldecode(file(...))` read through
 * the `file` call inside them.
 */
const fileReadCall = (names: string): string =>
  String.raw`\b(?:${names})\(\s*(\\?)"(\$\{path\.module\}\/)?([^"$\\]+)\1"`;
const FILE_READ_CALL = fileReadCall(FILE_FUNCTIONS);
const FILE_READ = new RegExp(FILE_READ_CALL, "g");
const CONTENT_READ = new RegExp(fileReadCall("file|templatefile"), "g");
const LITERAL_FILE_READ = new RegExp(`^${FILE_READ_CALL}`);

/**
 * Paths a Terraform file in `dir` reads with `file()`, `templatefile()`, `fileexists()`, `filemd5()`
 * and the like (a policy or rules kept as JSON, YAML or a template beside the module, a zip it
 * hashes), joined to `dir`: Terraform
 * resolves `${path.module}/x` from the module and `x` from the root module, the same folder when
 * the file is in one. A path above the top of the names keeps its leading `..` (see `leavesTop`).
 * Only literal paths: a path built otherwise stays unread, and its value unknown.
 */
export function fileReadTargets(dir: string, text: string): string[] {
  return targetsOf(FILE_READ, dir, text);
}

/**
 * `fileReadTargets` less the paths only `fileexists()`, `filemd5()` and the like name: the files
 * whose text a module reads (a `lambda.zip` it only checks for or hashes is not one).
 */
export function fileContentTargets(dir: string, text: string): string[] {
  return targetsOf(CONTENT_READ, dir, text);
}

function targetsOf(calls: RegExp, dir: string, text: string): string[] {
  const paths = new Set<string>();
  for (const match of text.matchAll(calls)) {
    const target = joinPath(dir, match[3] ?? "");
    if (target !== dir) paths.add(target);
  }
  return [...paths];
}

/**
 * The path of a call `fileReadTargets` finds, given the call's own text (`file("x.json")`), and
 * whether it is written under `${path.module}/`; undefined for a path built otherwise. A reader
 * of the files read knows such a file was looked for, so its absence is the file's, not the fetch's.
 */
export function literalFileRead(callText: string): { path: string; inModule: boolean } | undefined {
  const match = LITERAL_FILE_READ.exec(callText);
  if (!match?.[3]) return undefined;
  return { path: match[3], inModule: match[2] !== undefined };
}

/**
 * `fileset(path.module, "...")`, `fileset("${path.module}/x", "...")` or `fileset("x", "...")`:
 * the folder (under `${path.module}/` or not, as `fileReadTargets` reads a path) and a literal
 * pattern; in a JSON string the quotes are escaped.
 */
const FILESET_CALL =
  /\bfileset\(\s*(?:path\.module|(\\?)"(?:\$\{path\.module\})?\/?([^"$\\]*)\1")\s*,\s*(\\?)"([^"$\\]+)\3"\s*\)/g;

/**
 * The `fileset()` calls a Terraform file in `dir` makes with a literal folder and pattern, the
 * folder joined to `dir`: a reader that fetches part of a repository fetches the files they list,
 * which the module reads with `file()` as `each.value`.
 */
export function filesetCalls(dir: string, text: string): { directory: string; pattern: string }[] {
  return [...text.matchAll(FILESET_CALL)].map((match) => ({
    directory: joinPath(dir, match[2] ?? ""),
    pattern: match[4] ?? "",
  }));
}

/**
 * Where a `fileset()` or file-reading call (`FILE_FUNCTIONS`) the literal forms above do
 * not resolve may read: `folder` is a repository folder, or, with `fromRoot`, a folder below the
 * root module, which a file alone does not tell (any folder above the file read may be it). It is
 * the whole path when the argument is a literal string, else the folder part of its literal head;
 * `pattern` is a `fileset()` pattern when the folder is whole and the pattern literal. Absent
 * `folder`: anywhere. `content` says the call reads the file's text (`file`, `templatefile`), so a
 * modified file matters, not only one added or removed.
 */
export interface UnresolvedRead {
  content: boolean;
  folder?: string;
  fromRoot?: true;
  pattern?: string;
}

const READ_CALL = new RegExp(String.raw`\b(fileset|${FILE_FUNCTIONS})\(\s*`, "g");
const FILESET_CALL_HERE = new RegExp(FILESET_CALL.source, "y");
/** The call's first argument as far as it is known: `path.x`, or a string's literal head. */
const FIRST_ARGUMENT =
  /^(?:path\.(module|root|cwd)\b|(\\?)"(?:\$\{path\.(module|root|cwd)\})?([^"$\\]*)(\2"|\$|\\[^"]))/;
const LITERAL_PATTERN = /^\s*,\s*(\\?)"([^"$\\]+)\1"\s*\)/;

/**
 * The calls of `fileset()` and of the functions reading a file (`FILE_FUNCTIONS`) in a Terraform file in
 * `dir` that `filesetCalls` and `fileReadTargets` do not resolve, with where each may read
 * (`fileset(path.root, "handlers/*.py")`, `fileset(local.dir, "*.py")`,
 * `file("${path.module}/policies/${each.value}")`): a reader fetching part of a repository
 * cannot list or read what they name, so a file added, removed or renamed there (or, read for its
 * text, modified) may change what the module deploys.
 */
export function unresolvedReads(dir: string, text: string): UnresolvedRead[] {
  const reads: UnresolvedRead[] = [];
  for (const call of text.matchAll(READ_CALL)) {
    const start = call.index ?? 0;
    const rest = text.slice(start);
    const fileset = call[1] === "fileset";
    if (fileset) {
      // Sticky: only a literal call starting here, never a scan of the rest of the file per call.
      FILESET_CALL_HERE.lastIndex = start;
      if (FILESET_CALL_HERE.test(text)) continue;
    } else if (literalFileRead(rest)) continue;
    const content = call[1] === "file" || call[1] === "templatefile";
    const argument = FIRST_ARGUMENT.exec(text.slice(start + call[0].length));
    if (!argument) {
      reads.push({ content });
      continue;
    }
    const base = argument[1] ?? argument[3];
    const literal = argument[4] ?? "";
    const whole = argument[1] !== undefined || argument[5] === `${argument[2] ?? ""}"`;
    // A literal path without `path.x` is the root module's, as Terraform reads it.
    const fromRoot = base !== "module";
    const folder = whole ? literal : literal.slice(0, literal.lastIndexOf("/") + 1);
    const read: UnresolvedRead = {
      content,
      folder: fromRoot ? joinPath("", folder) : joinPath(dir, folder),
    };
    if (fromRoot) read.fromRoot = true;
    if (fileset && whole) {
      const after = text.slice(start + call[0].length + argument[0].length);
      const pattern = LITERAL_PATTERN.exec(after);
      if (pattern?.[2]) read.pattern = pattern[2];
    }
    if (!fromRoot && leavesTop(read.folder ?? "")) reads.push({ content });
    else reads.push(read);
  }
  return reads;
}

/**
 * Whether an unresolved read (`unresolvedReads`) may list or read the repository file `path`: below
 * its folder (from the root module, any folder above the file), matching its `fileset()` pattern.
 */
export function mayReach(read: UnresolvedRead, path: string): boolean {
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
