// Reads a commit's IaC files from a local git repository without a checkout: one `git ls-tree`
// for the listing and one `git cat-file --batch` process for every blob, so `tollgate diff`
// costs two processes per commit whatever the repository's size.
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import {
  checkDataFileBytes,
  DataFileBudget,
  dataFileTargets,
  dataFileTooLarge,
  DEFAULT_MAX_FILE_BYTES,
  isIacCandidate,
  oversizedFile,
  passedOverReads,
  SNIFFED_BYTES,
  type FileListing,
  type SourceFile,
} from "../iac/index.js";
import type { LoadError } from "../model/types.js";

export interface GitSnapshot {
  files: SourceFile[];
  errors: LoadError[];
  /** Every regular file of the commit, of any name, from its top (what `fileset()` lists). */
  listing: FileListing;
}

function run(repo: string, args: string[], stdin?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(new Error(`git ${args[0]} failed: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.end(stdin);
  });
}

/**
 * The repository holding `folder`: its top folder, which names every path git gives, or undefined
 * for a bare repository (refs only, no working tree). Throws when `folder` is in no repository, so
 * that is what the user reads rather than a ref that "is not a commit".
 */
export async function locateRepository(folder: string): Promise<{ top: string | undefined }> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${folder} is not a folder`);
  await run(folder, ["rev-parse", "--git-dir"]).catch(() => {
    throw new Error(`${folder} is not inside a git repository`);
  });
  const top = await run(folder, ["rev-parse", "--show-toplevel"]).catch(() => undefined);
  const named = top?.toString("utf8").trim();
  return { top: named === undefined || named === "" ? undefined : named };
}

/**
 * The working tree's files as git would commit them, from the top folder `top`: tracked files
 * still on disk and untracked ones no ignore rule covers (.gitignore, .git/info/exclude, the
 * global excludes), so build output such as `.aws-sam/` or `cdk.out/` is left out as git leaves
 * it out. Paths are from the top, as git diff names them.
 */
export async function listWorkingTree(top: string): Promise<string[]> {
  const [listed, deleted] = await Promise.all(
    [
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      ["ls-files", "-z", "--deleted"],
    ].map(async (args) => (await run(top, args)).toString("utf8").split("\0").filter(Boolean)),
  );
  const gone = new Set(deleted);
  // A file with a merge conflict is listed once per stage.
  return [...new Set(listed!)].filter((file) => !gone.has(file));
}

/** Resolve a ref (branch, tag, sha, `HEAD~1`) to a commit id, or throw with git's message. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith("-")) throw new Error(`not a git ref: ${ref}`);
  const out = await run(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => {
    throw new Error(`${ref} is not a commit in ${repo}`);
  });
  return out.toString("utf8").trim();
}

/**
 * The commit a pull request's changes start from, as GitHub's three-dot pull request diff and the
 * app take it: the merge base of `base` and `head` (`HEAD` for the working tree), so fixes made on
 * the base branch since the branch was cut are not the pull request's. Without the history to find
 * it (a shallow clone), `base` itself when head's commit names it as a parent (a pull request's
 * merge commit checked out at depth 1, as `actions/checkout` does); otherwise undefined.
 */
export async function findMergeBase(
  repo: string,
  base: string,
  head = "HEAD",
): Promise<string | undefined> {
  const baseCommit = await resolveCommit(repo, base);
  // An unborn HEAD (a branch made with `checkout --orphan`) has no history to share.
  const headCommit = await resolveCommit(repo, head).catch(() => undefined);
  if (headCommit === undefined) return undefined;
  const found = await run(repo, ["merge-base", baseCommit, headCommit]).catch(() => undefined);
  if (found !== undefined) return found.toString("utf8").trim();
  // A shallow clone hides a commit's parents from merge-base, but its text still names them.
  const text = (await run(repo, ["cat-file", "commit", headCommit])).toString("utf8");
  const parents = text
    .slice(0, text.indexOf("\n\n"))
    .split("\n")
    .filter((line) => line.startsWith("parent "))
    .map((line) => line.slice("parent ".length));
  return parents.includes(baseCommit) ? baseCommit : undefined;
}

/** One file's change between two commits as a pull request lists it: its hunks without file headers. */
export interface GitFileChange {
  /** The path at head (at base for a removed file), from the repository's top. */
  path: string;
  status: "added" | "removed" | "modified" | "renamed";
  /** A renamed file's path at base. */
  from?: string;
  /**
   * Unified diff hunks; undefined when every line counts as changed: a binary file (GitHub gives
   * no patch for one), a file git does not track.
   */
  patch: string | undefined;
}

/**
 * The files changed from `base` to `head` (or the working tree's tracked files), with git's hunks:
 * what GitHub lists as a pull request's files, so changed lines are read from them the same way.
 * Renames are git's `--find-renames` at its default threshold (half the content the same), as
 * GitHub lists a pull request's renamed files. A file git does not track is not listed.
 */
export async function readGitChanges(
  repo: string,
  base: string,
  head?: string,
): Promise<GitFileChange[]> {
  const commits = [await resolveCommit(repo, base)];
  if (head !== undefined) commits.push(await resolveCommit(repo, head));
  const out = await run(repo, [
    "diff",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-relative",
    "--find-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--unified=0",
    ...commits,
    "--",
  ]);
  return parseGitDiff(out.toString("utf8"));
}

/**
 * Splits `git diff` output (`a/` and `b/` prefixes) into files. The head path is on the `+++` line,
 * else (a rename alone) on `rename to`, else (a binary file, a mode change) in the `diff --git`
 * line, whose two names are then the same.
 */
export function parseGitDiff(diff: string): GitFileChange[] {
  const changes: GitFileChange[] = [];
  for (const section of diff.split(/^diff --git /m).slice(1)) {
    const lines = section.replace(/\n$/, "").split("\n");
    const firstHunk = lines.findIndex((line) => line.startsWith("@@"));
    const header = firstHunk === -1 ? lines : lines.slice(0, firstHunk);
    const field = (name: string): string | undefined => {
      const line = header.find((l) => l.startsWith(name));
      // git ends a name holding a space with a tab on these lines, for patch(1).
      return line === undefined
        ? undefined
        : unquotePath(line.slice(name.length).replace(/\t$/, ""));
    };
    const status = header.some((l) => l.startsWith("new file mode"))
      ? "added"
      : header.some((l) => l.startsWith("deleted file mode"))
        ? "removed"
        : header.some((l) => l.startsWith("rename from "))
          ? "renamed"
          : "modified";
    const named = status === "removed" ? field("--- ") : field("+++ ");
    const path = named?.slice(2) ?? field("rename to ") ?? sameName(header[0] ?? "");
    if (path === undefined) continue;
    const binary = header.some((l) => l.startsWith("Binary files ") || l === "GIT binary patch");
    const from = status === "renamed" ? field("rename from ") : undefined;
    changes.push({
      path,
      status,
      ...(from === undefined ? {} : { from }),
      patch: binary ? undefined : firstHunk === -1 ? "" : lines.slice(firstHunk).join("\n"),
    });
  }
  return changes;
}

/** The renames among `changes`, from the path at base to the path at head. */
export function renamesOf(changes: readonly GitFileChange[]): { from: string; to: string }[] {
  return changes.flatMap((change) =>
    change.from === undefined ? [] : [{ from: change.from, to: change.path }],
  );
}

/** The path of `a/P b/P`, the rest of a `diff --git` line for a file that was not renamed. */
function sameName(names: string): string | undefined {
  if (names.startsWith('"')) {
    const end = /^"(?:[^"\\]|\\.)*"/.exec(names)?.[0];
    return end === undefined ? undefined : unquotePath(end).slice(2);
  }
  const length = (names.length - 5) / 2;
  const path = names.slice(2, 2 + length);
  return names === `a/${path} b/${path}` ? path : undefined;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13 };

/** A path as git quotes one holding unusual bytes: `"..."` with C escapes and octal UTF-8 bytes. */
function unquotePath(quoted: string): string {
  if (!quoted.startsWith('"') || !quoted.endsWith('"') || quoted.length < 2) return quoted;
  const bytes: number[] = [];
  const body = quoted.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\") {
      bytes.push(...new TextEncoder().encode(char));
      continue;
    }
    const next = body[++i] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i))?.[0];
    if (octal !== undefined) {
      bytes.push(parseInt(octal, 8));
      i += 2;
    } else bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

interface TreeEntry {
  mode: string;
  sha: string;
  size: number;
  path: string;
}

/**
 * The first `length` bytes of a blob: one `git cat-file` stopped once they arrived, so a huge file
 * is never held whole.
 */
function readBlobHead(repo: string, sha: string, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, "cat-file", "blob", sha], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const chunks: Buffer[] = [];
    let received = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= length) child.kill();
    });
    child.on("error", reject);
    child.on("close", () => resolve(Buffer.concat(chunks).subarray(0, length)));
  });
}

/**
 * Every IaC-looking file of a commit, read through git and checked like files on disk: `check`
 * returns null for a file that is passed over. A file over the size limit is judged from its first
 * bytes (`oversizedFile`), never read whole. Then the data files its Terraform files read
 * (`dataFileTargets`), checked as `readDataFile` checks one on disk: what cannot be read is a warning.
 */
export async function readGitSnapshot(
  repo: string,
  ref: string,
  check: (path: string, bytes: Uint8Array) => SourceFile | LoadError | null,
  budget = new DataFileBudget(),
): Promise<GitSnapshot> {
  const commit = await resolveCommit(repo, ref);
  const listing = await run(repo, ["ls-tree", "-r", "-z", "--long", "--full-tree", commit]);
  const entries: TreeEntry[] = [];
  const blobs = new Map<string, TreeEntry>();
  const listed: string[] = [];
  const unlisted: string[] = [];
  for (const record of listing.toString("utf8").split("\0")) {
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    const [, mode, type, sha, size, path] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    // A symbolic link may name a file or a folder, a submodule holds files of another commit.
    if (type === "blob" && mode !== "120000") listed.push(path);
    else unlisted.push(path);
    if (type !== "blob") continue;
    const entry = { mode, sha, size: size === "-" ? 0 : Number(size), path };
    blobs.set(path, entry);
    // The files a loader may want, as the disk reader picks them; the rest only as data files.
    if (isIacCandidate(path)) entries.push(entry);
  }
  const errors: LoadError[] = [];
  const wanted: TreeEntry[] = [];
  for (const entry of entries) {
    if (entry.mode === "120000") {
      errors.push(symlinkSkipped(entry.path));
    } else if (entry.size > DEFAULT_MAX_FILE_BYTES) {
      const head = await readBlobHead(repo, entry.sha, SNIFFED_BYTES);
      const refused = oversizedFile(entry.path, entry.size, new Uint8Array(head));
      if (refused !== null) errors.push(refused);
    } else wanted.push(entry);
  }
  const files: SourceFile[] = [];
  const contents = await readBlobs(repo, wanted);
  wanted.forEach((entry, i) => {
    const checked = check(entry.path, contents[i] as Uint8Array);
    if (checked === null) return;
    if ("text" in checked) files.push(checked);
    else errors.push(checked);
  });
  const dataFiles: TreeEntry[] = [];
  for (const target of dataFileTargets(files, { folders: [""], files: listed, unlisted })) {
    const entry = blobs.get(target);
    if (entry === undefined) continue;
    if (entry.mode === "120000")
      errors.push({
        ...symlinkSkipped(entry.path),
        message: "symbolic link skipped, so what a module reads from it with file() is unknown",
        level: "warning",
      });
    else if (entry.size > DEFAULT_MAX_FILE_BYTES)
      errors.push(dataFileTooLarge(entry.path, entry.size, DEFAULT_MAX_FILE_BYTES, entry.sha));
    else if (budget.admit(entry.path, entry.size)) dataFiles.push(entry);
  }
  // A `cidrs.yaml` a module reads, passed over above as too large and no template.
  for (const target of passedOverReads(files, errors)) {
    const entry = blobs.get(target);
    if (entry !== undefined && entry.size > DEFAULT_MAX_FILE_BYTES)
      errors.push(dataFileTooLarge(target, entry.size, DEFAULT_MAX_FILE_BYTES, entry.sha));
  }
  const overBudget = budget.warning();
  if (overBudget) errors.push(overBudget);
  const dataContents = await readBlobs(repo, dataFiles);
  dataFiles.forEach((entry, i) => {
    const checked = checkDataFileBytes(entry.path, dataContents[i] as Uint8Array);
    if ("text" in checked) files.push(checked);
    else errors.push(checked);
  });
  return { files, errors, listing: { folders: [""], files: listed, unlisted } };
}

/** The bytes of each entry's blob, in order, from one `git cat-file --batch`. */
async function readBlobs(repo: string, entries: readonly TreeEntry[]): Promise<Uint8Array[]> {
  if (entries.length === 0) return [];
  const batch = await run(
    repo,
    ["cat-file", "--batch"],
    Buffer.from(entries.map((e) => e.sha).join("\n") + "\n"),
  );
  let offset = 0;
  return entries.map(() => {
    const headerEnd = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, headerEnd).toString("utf8");
    const size = Number(header.split(" ")[2]);
    const bytes = batch.subarray(headerEnd + 1, headerEnd + 1 + size);
    offset = headerEnd + 1 + size + 1;
    return new Uint8Array(bytes);
  });
}

function symlinkSkipped(file: string): LoadError {
  return {
    file,
    line: 1,
    column: 1,
    code: "symlink",
    message: "symbolic link skipped: only regular files are scanned",
  };
}
