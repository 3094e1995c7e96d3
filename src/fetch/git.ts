// Reads a commit's IaC files from a local git repository without a checkout: one `git ls-tree`
// for the listing and one `git cat-file --batch` process for every blob, so `tollgate diff`
// costs two processes per commit whatever the repository's size.
import { spawn } from "node:child_process";
import { isIacCandidate, type SourceFile } from "../iac/index.js";
import type { LoadError } from "../model/types.js";

export interface GitSnapshot {
  files: SourceFile[];
  errors: LoadError[];
}

const MAX_FILE_BYTES = 2 * 1024 * 1024;

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

/** Resolve a ref (branch, tag, sha, `HEAD~1`) to a commit id, or throw with git's message. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith("-")) throw new Error(`not a git ref: ${ref}`);
  const out = await run(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => {
    throw new Error(`${ref} is not a commit in ${repo}`);
  });
  return out.toString("utf8").trim();
}

/**
 * The files git calls renamed from `base` to `head`, or to the working tree when `head` is not
 * given: `git diff --find-renames` at its default threshold (half the content the same), as GitHub
 * lists a pull request's renamed files. Paths are from the repository's top, as readGitSnapshot
 * names them. Files git does not track are not in the working tree's answer.
 */
export async function readGitRenames(
  repo: string,
  base: string,
  head?: string,
): Promise<{ from: string; to: string }[]> {
  const commits = [await resolveCommit(repo, base)];
  if (head !== undefined) commits.push(await resolveCommit(repo, head));
  const out = await run(repo, [
    "diff",
    "--no-ext-diff",
    "--no-relative",
    "--find-renames",
    "--diff-filter=R",
    "--name-status",
    "-z",
    ...commits,
    "--",
  ]);
  // Each rename is three fields: R<score>, the path at base, the path at head.
  const fields = out.toString("utf8").split("\0");
  const renames: { from: string; to: string }[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [status, from, to] = fields.slice(i, i + 3);
    if (status?.startsWith("R") && from && to) renames.push({ from, to });
  }
  return renames;
}

interface TreeEntry {
  mode: string;
  sha: string;
  size: number;
  path: string;
}

/** Every IaC-looking file of a commit, read through git and checked like files on disk. */
export async function readGitSnapshot(
  repo: string,
  ref: string,
  check: (path: string, bytes: Uint8Array) => SourceFile | LoadError,
): Promise<GitSnapshot> {
  const commit = await resolveCommit(repo, ref);
  const listing = await run(repo, ["ls-tree", "-r", "-z", "--long", "--full-tree", commit]);
  const entries: TreeEntry[] = [];
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
    // The files a loader may want, as the disk reader picks them; everything else is never read.
    if (type !== "blob" || !isIacCandidate(path)) continue;
    entries.push({ mode, sha, size: size === "-" ? 0 : Number(size), path });
  }
  const errors: LoadError[] = [];
  const wanted = entries.filter((entry) => {
    if (entry.mode === "120000") {
      errors.push({
        file: entry.path,
        line: 1,
        column: 1,
        code: "symlink",
        message: "symbolic link skipped: only regular files are scanned",
      });
      return false;
    }
    if (entry.size > MAX_FILE_BYTES) {
      errors.push({
        file: entry.path,
        line: 1,
        column: 1,
        code: "file-too-large",
        message: `file is ${entry.size} bytes, over the ${MAX_FILE_BYTES}-byte limit`,
      });
      return false;
    }
    return true;
  });
  const files: SourceFile[] = [];
  if (wanted.length === 0) return { files, errors };
  const batch = await run(
    repo,
    ["cat-file", "--batch"],
    Buffer.from(wanted.map((e) => e.sha).join("\n") + "\n"),
  );
  let offset = 0;
  for (const entry of wanted) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const header = batch.subarray(offset, headerEnd).toString("utf8");
    const size = Number(header.split(" ")[2]);
    const bytes = batch.subarray(headerEnd + 1, headerEnd + 1 + size);
    offset = headerEnd + 1 + size + 1;
    const checked = check(entry.path, new Uint8Array(bytes));
    if ("text" in checked) files.push(checked);
    else errors.push(checked);
  }
  return { files, errors };
}
