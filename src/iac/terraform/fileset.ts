// Terraform's `fileset(path, pattern)` over the names a fetch stage listed (`FileListing`): the
// regular files below `path` matching `pattern`, relative to `path`, sorted; no match (or no such
// folder) is the empty set, as in Terraform. When the listing cannot show every file that could
// match (no listing, a folder outside it, a skipped folder or a symbolic link the pattern reaches),
// the result is not given: a smaller set would leave files the configuration reads unjudged.
//
// Terraform matches with doublestar v1: the pattern is split on `/`, `**` alone in a segment
// crosses folders, `*` and `?` stay in one and match a leading dot, `[...]`/`[^...]` classes,
// `{a,b}` alternatives within a segment, `\` escapes. picomatch (already a dependency; no
// doublestar port is in node_modules) with `dot`, `noextglob` and `nonegate` gave doublestar's
// answer on 33 of 40 probe pairs (pattern, name); of the 7 it reads otherwise, one is `*` against
// an empty name, which no file has, and the constructs behind the other 6 are refused here
// (`unlikeTerraform`) rather than matched wrongly: `{1..3}` (a range to picomatch, literal to
// doublestar), `(a|b)` (a group), `[[:alpha:]]` (a POSIX class), nested braces and braces holding
// a `/`; and `[!a]`, a negation to picomatch only.
import picomatch from "picomatch";
import type { FileListing } from "../source.js";
import { leavesTop } from "./modules.js";

/** The files `fileset` lists, relative to its path, or why they cannot all be known. */
export type FilesetResult = { files: string[] } | { unknown: string };

const OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  noextglob: true,
  nonegate: true,
  strictSlashes: true,
};

/**
 * `fileset` of the repository folder `directory` (already resolved: `path.module` is
 * repository-relative here) and `pattern`, from `listing`.
 */
export function listFileset(
  listing: FileListing | undefined,
  directory: string,
  pattern: string,
): FilesetResult {
  const unlike = unlikeTerraform(pattern);
  if (unlike) return { unknown: `its pattern uses ${unlike}, which Tollgate does not match` };
  const segments = pattern.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) return { unknown: "its pattern climbs out of the folder with `..`" };
  if (leavesTop(directory)) return { unknown: "its folder is outside the files read" };
  if (!listing || !listing.folders.some((folder) => within(directory, folder)))
    return { unknown: `the files in ${directory || "."} were not all listed` };
  const blocked = listing.unlisted.find(
    (path) =>
      within(directory, path) ||
      (within(path, directory) &&
        mayReach(segments, path.slice(directory.length ? directory.length + 1 : 0))),
  );
  if (blocked !== undefined)
    return {
      unknown: `${blocked} may hold files it lists, and it was not listed (a skipped folder, a symbolic link or a submodule)`,
    };
  const matches = picomatch(segments.join("/"), OPTIONS);
  const prefix = directory === "" ? "" : `${directory}/`;
  const files = listing.files
    .filter((path) => path.startsWith(prefix) && matches(path.slice(prefix.length)))
    .map((path) => path.slice(prefix.length));
  return { files: [...new Set(files)].sort() };
}

/** Whether the listing names anything below `folder`: whether the folder exists. */
export function holdsAnything(listing: FileListing | undefined, folder: string): boolean {
  const inside = (path: string) => path !== folder && within(path, folder);
  return !!listing && (listing.files.some(inside) || listing.unlisted.some(inside));
}

/**
 * Whether `listing` shows that no file is at `written` (a repository path as a call resolves it,
 * `..` steps kept): true when a folder listed whole holds the path and names no file there, in
 * any letter case (a case-insensitive disk reads another's), and nothing unlisted (a symbolic
 * link, a skipped folder, a submodule) lies on the way, which the path never climbs above the
 * listed folder to reach; false when the file is listed or may be there; undefined when the
 * listing does not cover the path. A listed file not given (over the size limit, binary) is there.
 */
export function listedAbsent(
  listing: FileListing | undefined,
  written: string,
): boolean | undefined {
  if (!listing) return undefined;
  const steps: string[] = [];
  for (const segment of written.toLowerCase().split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && steps.length > 0 && steps[steps.length - 1] !== "..") steps.pop();
    else steps.push(segment);
  }
  const path = steps.join("/");
  const lower = (paths: readonly string[]) => paths.map((p) => p.toLowerCase());
  const folder = lower(listing.folders).find((f) => within(path, f));
  if (folder === undefined) return undefined;
  const unlisted = lower(listing.unlisted);
  const passed: string[] = [];
  let entered = false;
  for (const segment of written.toLowerCase().split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (entered && passed.join("/") === folder) return undefined;
      if (passed.length > 0 && passed[passed.length - 1] !== "..") passed.pop();
      else passed.push(segment);
    } else passed.push(segment);
    const here = passed.join("/");
    if (!within(here, folder)) {
      if (entered) return undefined;
      continue;
    }
    entered = true;
    if (unlisted.some((u) => within(here, u))) return false;
  }
  // A folder of that name is no file either, but Terraform's error for it differs: left unknown.
  return !lower(listing.files).some((file) => within(file, path));
}

/** `path` is `folder` or below it. */
function within(path: string, folder: string): boolean {
  return folder === "" || path === folder || path.startsWith(`${folder}/`);
}

/**
 * Whether a pattern (its segments) may match `relative`, an unlisted path below the folder, or a
 * file below it: each of its segments in turn, until a `**` that may cross into it.
 */
function mayReach(segments: readonly string[], relative: string): boolean {
  const steps = relative.split("/");
  for (let i = 0; i < steps.length; i++) {
    const segment = segments[i];
    if (segment === undefined) return false;
    if (segment === "**") return true;
    if (!picomatch(segment, OPTIONS)(steps[i] as string)) return false;
  }
  return true;
}

/** The first construct picomatch reads otherwise than Terraform's doublestar, if any. */
function unlikeTerraform(pattern: string): string | undefined {
  if (/[()|]/.test(pattern))
    return "parentheses or `|` (literal to Terraform, a group to picomatch)";
  if (pattern.includes("[:")) return "a POSIX class `[:...:]`";
  if (pattern.includes("[!")) return "`[!...]` (Terraform negates with `[^...]`)";
  let depth = 0;
  let alternatives = "";
  for (const char of pattern) {
    if (char === "{") {
      if (depth > 0) return "nested `{...}`";
      depth++;
      alternatives = "";
    } else if (char === "}" && depth > 0) {
      depth--;
      if (alternatives.includes("/")) return "a `/` inside `{...}`";
      if (alternatives.includes("..")) return "`..` inside `{...}` (a range to picomatch)";
    } else if (depth > 0) alternatives += char;
  }
  return undefined;
}
