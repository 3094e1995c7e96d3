// Fetches what a pull request's scan reads at base and at head: its changed IaC files and, for
// Terraform, their whole module directories plus the local modules they call. One recursive tree
// per commit locates files; blob reads are batched and shared between the two commits.
import type { SourceFile } from "../iac/source.js";
import type { LoadError } from "../model/types.js";
import { readBlobs, type BlobReadOptions } from "./blobs.js";
import type { GitHubApi, RepoRef } from "./client.js";
import { listPullFiles, type PullFile } from "./pullFiles.js";
import { directoryOf, isIacPath, isTerraformPath, localModuleDirs } from "./select.js";

export interface PullRef extends RepoRef {
  pullNumber: number;
  baseSha: string;
  headSha: string;
}

export interface SnapshotLimits extends BlobReadOptions {
  /** Larger files are skipped with a notice (GitHub's own contents API stops at 1 MB). */
  maxFileBytes?: number;
  /** Files and bytes read per commit, so a huge repository cannot exhaust memory. */
  maxFilesPerCommit?: number;
  maxBytesPerCommit?: number;
  /** Rounds of following local module calls. */
  maxModuleDepth?: number;
}

export interface PullSnapshots {
  /** Every file the pull request changes, as GitHub lists them (for annotations). */
  changedFiles: PullFile[];
  base: SourceFile[];
  head: SourceFile[];
  /**
   * What the head scan lacks, as located errors so the gate fails closed: a file too large or
   * unreadable, a budget or listing limit reached. An attacker must not pass by making a file big.
   */
  errors: LoadError[];
  /** What the base scan lacks, for the summary: it only makes more findings look new. */
  notices: string[];
}

/** Where an error about the pull request as a whole points, having no file of its own. */
export const PULL_REQUEST_FILE = "(pull request)";

interface TreeEntry {
  sha: string;
  size: number;
}

type Side = "base" | "head";

export async function fetchPullSnapshots(
  api: GitHubApi,
  pull: PullRef,
  limits: SnapshotLimits = {},
  signal?: AbortSignal,
): Promise<PullSnapshots> {
  const maxFileBytes = limits.maxFileBytes ?? 1024 * 1024;
  const maxFiles = limits.maxFilesPerCommit ?? 2000;
  const maxBytes = limits.maxBytesPerCommit ?? 64 * 1024 * 1024;
  const notices: string[] = [];
  const errors: LoadError[] = [];
  const incomplete = (side: Side, file: string, code: string, message: string) => {
    if (side === "head") errors.push({ file, line: 1, column: 1, code, message });
    else notices.push(`${file} at base: ${message}`);
  };
  const listing = await listPullFiles(api, pull, signal);
  if (listing.truncated) {
    incomplete(
      "head",
      PULL_REQUEST_FILE,
      "pull-too-large",
      `GitHub lists only the first ${listing.files.length} changed files; split the pull request so every file is scanned`,
    );
  }
  const changedIac = listing.files.filter(
    (f) => isIacPath(f.path) || (f.previousPath !== undefined && isIacPath(f.previousPath)),
  );
  if (changedIac.length === 0) {
    return { changedFiles: listing.files, base: [], head: [], errors, notices };
  }

  const [baseTree, headTree] = await Promise.all([
    readTree(api, pull, pull.baseSha, signal),
    readTree(api, pull, pull.headSha, signal),
  ]);
  const trees: Record<Side, Tree> = { base: baseTree, head: headTree };
  for (const [side, tree] of [
    ["base", baseTree],
    ["head", headTree],
  ] as const) {
    if (tree.truncated) {
      incomplete(
        side,
        PULL_REQUEST_FILE,
        "tree-truncated",
        "GitHub truncated the commit's file tree; module files may be missing",
      );
    }
  }

  const wanted: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  const visitedDirs: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  const addDir = (side: Side, dir: string) => {
    if (visitedDirs[side].has(dir)) return;
    visitedDirs[side].add(dir);
    for (const path of trees[side].terraformByDir.get(dir) ?? []) wanted[side].add(path);
  };
  for (const file of changedIac) {
    for (const side of ["base", "head"] as const) {
      const path = side === "base" ? (file.previousPath ?? file.path) : file.path;
      if (
        isTerraformPath(file.path) ||
        (file.previousPath !== undefined && isTerraformPath(file.previousPath))
      ) {
        addDir(side, directoryOf(file.path));
        if (file.previousPath !== undefined) addDir(side, directoryOf(file.previousPath));
      } else if (trees[side].entries.has(path)) wanted[side].add(path);
    }
  }

  const read: Record<Side, Map<string, string>> = { base: new Map(), head: new Map() };
  const skipped = new Set<string>();
  const bytesRead: Record<Side, number> = { base: 0, head: 0 };
  for (let round = 0; round <= (limits.maxModuleDepth ?? 8); round++) {
    const pending: { side: Side; path: string; entry: TreeEntry }[] = [];
    for (const side of ["base", "head"] as const) {
      let fileBudget = maxFiles - read[side].size;
      for (const path of wanted[side]) {
        if (read[side].has(path) || skipped.has(`${side}:${path}`)) continue;
        const entry = trees[side].entries.get(path);
        if (!entry) continue;
        if (entry.size > maxFileBytes) {
          skipped.add(`${side}:${path}`);
          incomplete(
            side,
            path,
            "file-too-large",
            `${entry.size} bytes is over the ${maxFileBytes}-byte limit`,
          );
        } else if (fileBudget <= 0 || bytesRead[side] + entry.size > maxBytes) {
          skipped.add(`${side}:${path}`);
          incomplete(
            side,
            path,
            "scan-budget",
            `over the budget of ${maxFiles} files or ${maxBytes} bytes per commit`,
          );
        } else {
          fileBudget--;
          bytesRead[side] += entry.size;
          pending.push({ side, path, entry });
        }
      }
    }
    if (pending.length === 0) break;
    const contents = await readBlobs(
      api,
      pull,
      pending.map((p) => p.entry),
      limits,
      signal,
    );
    for (const { side, path, entry } of pending) {
      const content = contents.get(entry.sha);
      if (content?.kind === "text") {
        read[side].set(path, content.text);
        if (isTerraformPath(path))
          for (const dir of localModuleDirs(directoryOf(path), content.text)) addDir(side, dir);
      } else {
        skipped.add(`${side}:${path}`);
        if (content?.kind === "binary" && !isTerraformPath(path)) {
          // A binary `.json` or `.yaml` is data, not a template: nothing to scan, nothing missed.
          notices.push(`Skipped ${path} at ${side}: binary or not UTF-8.`);
        } else if (content?.kind === "binary") {
          incomplete(side, path, "file-not-text", "binary or not UTF-8");
        } else {
          incomplete(
            side,
            path,
            "file-unreadable",
            content?.reason ?? "GitHub returned no content",
          );
        }
      }
    }
  }
  const files = (side: Side): SourceFile[] =>
    [...read[side]]
      .map(([path, text]) => ({ path, text }))
      .sort((a, b) => a.path.localeCompare(b.path));
  return {
    changedFiles: listing.files,
    base: files("base"),
    head: files("head"),
    errors: capErrors(errors),
    notices: capNotices(notices),
  };
}

const MAX_REPORTED = 50;

function capNotices(notices: string[]): string[] {
  if (notices.length <= MAX_REPORTED) return notices;
  return [...notices.slice(0, MAX_REPORTED), `…and ${notices.length - MAX_REPORTED} more notices.`];
}

function capErrors(errors: LoadError[]): LoadError[] {
  if (errors.length <= MAX_REPORTED) return errors;
  const more = errors.length - MAX_REPORTED;
  const summary = {
    file: PULL_REQUEST_FILE,
    line: 1,
    column: 1,
    code: "more-errors",
    message: `and ${more} more files the scan could not read`,
  };
  return [...errors.slice(0, MAX_REPORTED), summary];
}

interface Tree {
  entries: Map<string, TreeEntry>;
  /** Terraform files per directory, so each module directory is found without a tree scan. */
  terraformByDir: Map<string, string[]>;
  truncated: boolean;
}

async function readTree(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  signal: AbortSignal | undefined,
): Promise<Tree> {
  const { data } = await api.rest.git.getTree({
    owner: repository.owner,
    repo: repository.repo,
    tree_sha: sha,
    recursive: "1",
    request: { signal },
  });
  const entries = new Map<string, TreeEntry>();
  const terraformByDir = new Map<string, string[]>();
  for (const entry of data.tree) {
    // Regular files only: symlinks (120000) and submodules (type commit) have no content to scan.
    if (entry.type !== "blob" || entry.mode === "120000" || !entry.path || !entry.sha) continue;
    entries.set(entry.path, { sha: entry.sha, size: entry.size ?? 0 });
    if (!isTerraformPath(entry.path)) continue;
    const dir = directoryOf(entry.path);
    const inDir = terraformByDir.get(dir);
    if (inDir) inDir.push(entry.path);
    else terraformByDir.set(dir, [entry.path]);
  }
  return { entries, terraformByDir, truncated: data.truncated };
}
