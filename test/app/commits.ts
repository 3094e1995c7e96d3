// Repository commits from fixture folders, and the pull request file list GitHub would give between
// two of them, with patches made by `git diff` itself so changed-line placement sees real hunks
// (GitHub's `patch` is git's unified diff without the file headers).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gitBlobSha, type FakePullFile } from "./fakeGitHub.js";

/** Every file under `dir`, by its path relative to `dir` with `/` separators. */
export function readCommit(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, full).split(path.sep).join("/")] = readFileSync(full, "utf8");
  }
  return files;
}

/** `pulls.listFiles` between two commits: added, removed and modified files with git's hunks. */
export function pullFilesBetween(
  base: Record<string, string>,
  head: Record<string, string>,
): FakePullFile[] {
  const scratch = mkdtempSync(path.join(tmpdir(), "tollgate-patch-"));
  try {
    const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
    return paths.flatMap((file): FakePullFile[] => {
      const before = base[file];
      const after = head[file];
      if (before === after) return [];
      const status = before === undefined ? "added" : after === undefined ? "removed" : "modified";
      const patch = gitPatch(scratch, before, after);
      const sha = after === undefined ? {} : { sha: gitBlobSha(after) };
      return [{ filename: file, status, patch, ...sha }];
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function gitPatch(scratch: string, before: string | undefined, after: string | undefined): string {
  const side = (name: string, text: string | undefined) => {
    if (text === undefined) return "/dev/null";
    const file = path.join(scratch, name);
    writeFileSync(file, text);
    return file;
  };
  const result = spawnSync(
    "git",
    ["diff", "--no-index", "--no-color", "-U3", side("a", before), side("b", after)],
    { encoding: "utf8" },
  );
  // `git diff --no-index` exits 1 when the files differ, which is the only case asked here.
  if (result.status !== 1) throw new Error(`git diff failed: ${result.stderr || result.error}`);
  const hunks = result.stdout.indexOf("\n@@");
  return result.stdout.slice(hunks + 1).replace(/\n$/, "");
}
