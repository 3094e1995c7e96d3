// What a Terraform file reads beyond itself, told from its text alone: the local module folders its
// calls name and the files its `file()`/`templatefile()` calls name with a literal path. Readers
// that fetch part of a repository (the app's pull request snapshot, the CLI following a module out
// of the scanned folders) ask this what to read next, before anything is parsed. `.tf.json` writes
// the same things as JSON: `"source": "./x"`, and calls inside strings with their quotes escaped.
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
 * `file("...")` or `templatefile("...", ...)` with a literal path, optionally under
 * `${path.module}/`; in a JSON string the quotes around the path are escaped (`file(\"x.json\")`).
 */
const FILE_READ = /\b(?:file|templatefile)\(\s*(\\?)"(?:\$\{path\.module\}\/)?([^"$\\]+)\1"/g;

/**
 * Paths a Terraform file in `dir` reads with `file()` or `templatefile()` (a policy kept as JSON or
 * as a template beside the module), joined to `dir`: Terraform resolves `${path.module}/x` from the
 * module and `x` from the root module, the same folder when the file is in one. A path above the
 * top of the names keeps its leading `..` (see `leavesTop`). Only literal paths: a path built
 * otherwise stays unread, and its value unknown.
 */
export function fileReadTargets(dir: string, text: string): string[] {
  const paths = new Set<string>();
  for (const match of text.matchAll(FILE_READ)) {
    const target = joinPath(dir, match[2] ?? "");
    if (target !== dir) paths.add(target);
  }
  return [...paths];
}
