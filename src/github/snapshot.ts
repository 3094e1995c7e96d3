// Fetches what a pull request's scan reads at base and at head: its changed IaC files and, for
// Terraform, their whole module directories plus the local modules they call and the modules that
// call them, up to the roots; for a changed file a module reads (`file("rules.yaml")`, a `.csv`
// or `.txt` data file too), that module's directory and its callers too; for CloudFormation, the templates a read one nests with a
// local `TemplateURL` and the templates that nest a changed one, up to the top, and the parameter
// files the settings name for a template read (a changed one reads its template). One recursive tree
// per commit locates files; blob reads are batched and shared between the two commits.
import { isCloudFormation, nestedTemplatePaths } from "../iac/cloudformation/index.js";
import {
  checkDataFileBytes,
  checkSourceBytes,
  dataFileTooLarge,
  isPassedOverWhenNotText,
  notTextOfChange,
} from "../iac/index.js";
import { isTerraformSource, joinPath, type FileListing, type SourceFile } from "../iac/source.js";
import type { Settings } from "../config/index.js";
import type { CustomRuleSet, ScanEngine, ScanResult } from "../engine/types.js";
import type { LoadError } from "../model/types.js";
import { readBlobs, type BlobContent, type BlobReadOptions } from "./blobs.js";
import type { GitHubApi, RepoRef } from "./client.js";
import { listPullFiles, type PullFile } from "./pullFiles.js";
import {
  directoryOf,
  fileContentPaths,
  fileReadPaths,
  filesetReadPaths,
  unresolvedReadPaths,
  isDataPath,
  isIacPath,
  isTerraformPath,
  isTerraformTemplatePath,
  isToolNamedPath,
  localModuleDirs,
  mayBeReadByModules,
} from "./select.js";

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
  /**
   * Every file name of each commit's tree, which Terraform's `fileset()` enumerates; absent for a
   * side whose tree GitHub truncated.
   */
  listings?: { base?: FileListing; head?: FileListing };
}

/**
 * Both sides of a pull request scanned with the repository's settings (variable and parameter
 * files, rule settings), its custom rules and each side's file listing for `fileset()`.
 */
export async function scanPullSnapshots(
  engine: ScanEngine,
  snapshots: PullSnapshots,
  settings: Settings,
  customRules: readonly CustomRuleSet[],
): Promise<{ base: ScanResult; head: ScanResult }> {
  const options = {
    ruleSettings: settings.ruleSettings,
    variableFiles: settings.terraformVariableFiles,
    ...(settings.terraformTool ? { terraformTool: settings.terraformTool } : {}),
    parameterFiles: settings.cloudformationParameterFiles,
    ...(customRules.length > 0 ? { customRules } : {}),
  };
  const { base: baseListing, head: headListing } = snapshots.listings ?? {};
  const base = await engine.scan(snapshots.base, {
    ...options,
    ...(baseListing ? { listing: baseListing } : {}),
  });
  // What the base deploys on its own stays so at the head, whatever the change nests it under.
  const head = await engine.scan(snapshots.head, {
    ...options,
    ...(headListing ? { listing: headListing } : {}),
    ...(base.roots ? { keepRoots: base.roots } : {}),
  });
  return { base, head };
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
  parameterFiles: { readonly [template: string]: readonly string[] } = {},
  variableFiles: { readonly [root: string]: readonly string[] } = {},
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
  /**
   * Data files (`users.csv`) that could not be read: what a module reads from them is unknown, a
   * warning, or an error when the pull request adds or changes one. Said at the end for those whose text a module read reads (`contentReads`):
   * a changed one is read with the first round, before its readers are known, and may be read by
   * none; a `lambda.zip` a module only checks with `fileexists()` is not read for its text.
   */
  const unreadData: { side: Side; warning: LoadError }[] = [];
  const dataReads: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  /** Files a read module's `fileset()` lists: one added or removed changes what it deploys. */
  const listedReads: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  const contentReads: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  /**
   * A file's text, judged as the CLI judges the same bytes on disk (`checkSourceBytes`, or
   * `checkDataFileBytes` for a data file), so both decide alike: a template that is only not UTF-8
   * fails closed at its first such byte, and only what the CLI passes over is passed over. What is
   * refused is said here, and undefined returned.
   */
  const textOf = (side: Side, path: string, content: BlobContent | undefined) => {
    if (content === undefined || content.kind === "unreadable") {
      incomplete(side, path, "file-unreadable", content?.reason ?? "GitHub returned no content");
      return undefined;
    }
    if (!scanned(path)) {
      if (content.kind === "text") return content.text;
      const checked = checkDataFileBytes(path, content.bytes, maxFileBytes);
      if ("text" in checked) return checked.text;
      unreadData.push({ side, warning: checked });
      return undefined;
    }
    const bytes = content.kind === "text" ? Buffer.from(content.text) : content.bytes;
    const checked = checkSourceBytes(path, bytes, maxFileBytes);
    // null: too large and no template, which the CLI passes over too
    if (checked === null) return undefined;
    if ("text" in checked) return checked.text;
    if (side === "head") errors.push(notTextOfChange(checked, (blobId) => baseBlobs.has(blobId)));
    else notices.push(`${checked.file} at base: ${checked.message}`);
    return undefined;
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
  // A file named as a tool's the pull request adds or changes is scanned when it holds a template.
  const toolNamed = await templatesByContent(api, pull, listing.files, limits, signal);
  const scanned = (path: string) =>
    isIacPath(path) || isTerraformTemplatePath(path) || toolNamed.templates.has(path);
  const templatePath = (path: string) => isTemplatePath(path) || toolNamed.templates.has(path);
  // And any other file a module may read (`users.csv`, `user_data.sh`): a change to one rescans
  // its readers. A file added, removed, renamed or copied changes what a fileset() lists and what
  // fileexists() finds, whatever its kind (a `handlers/*.py` making one public function each), so
  // its readers are looked up too; only the text of application code, documentation and images
  // is no module's concern (mayBeReadByModules), so a modified one costs the file list alone.
  const rescans = (f: PullFile) =>
    changesListings(f) ||
    [f.path, f.previousPath].some(
      (path) => path !== undefined && (scanned(path) || mayBeReadByModules(path)),
    );
  const changedIac = listing.files.filter(rescans);
  const unscanned: PullSnapshots = {
    changedFiles: listing.files,
    base: [],
    head: [],
    errors: [...errors],
    notices: [...notices],
  };
  if (changedIac.length === 0) return unscanned;
  // A template is deployed with its parameter files (the settings' `cloudformation.parameter_files`).
  const withParameters = Object.entries(parameterFiles).filter(([template]) => template !== "*");
  const parameterPaths = new Set(withParameters.flatMap(([, paths]) => paths));
  /**
   * Changed files that are IaC, templates, data or parameter files by name: the pull request is
   * scanned for them. Without one, the trees and Terraform files are read only to look for modules
   * reading the changed files, and when that look fails the check says it could not tell.
   */
  const knownChange = changedIac.some((f) =>
    [f.path, f.previousPath].some(
      (path) =>
        path !== undefined && (scanned(path) || isDataPath(path) || parameterPaths.has(path)),
    ),
  );
  const couldNotTell = (reason: string): PullSnapshots => {
    const named = changedIac.map((f) => f.path);
    const files = named.slice(0, 5).join(", ") + (named.length > 5 ? ", …" : "");
    return {
      ...unscanned,
      notices: [
        ...unscanned.notices,
        `Not scanned: this pull request changes no IaC file, and whether a Terraform module reads or lists one of the files it changes (${files}) could not be told: ${reason}.`,
      ],
    };
  };
  const searchFailed = (error: unknown): PullSnapshots => {
    if (knownChange || signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return couldNotTell(
      `GitHub did not give the files to look in (${message}); re-run the check to look again`,
    );
  };

  let baseTree: Tree;
  let headTree: Tree;
  try {
    [baseTree, headTree] = await Promise.all([
      readTree(api, pull, pull.baseSha, signal),
      readTree(api, pull, pull.headSha, signal),
    ]);
  } catch (error) {
    return searchFailed(error);
  }
  const trees: Record<Side, Tree> = { base: baseTree, head: headTree };
  /**
   * Blobs the base holds under a name that passes them over as not text (`textOf`): a file the
   * pull request left alone or moved, as the CLI's diff finds one among the base's warnings.
   */
  const baseBlobs = new Set(
    [...baseTree.entries].flatMap(([path, entry]) =>
      isPassedOverWhenNotText(path) ? [entry.sha] : [],
    ),
  );
  /** Why the look for modules reading the changed files may have missed one. */
  const searchGaps: string[] = [];
  for (const [side, tree] of [
    ["base", baseTree],
    ["head", headTree],
  ] as const) {
    if (tree.truncated) {
      searchGaps.push(`GitHub truncated the file tree at ${side}`);
      incomplete(
        side,
        PULL_REQUEST_FILE,
        "tree-truncated",
        "GitHub truncated the commit's file tree; module files may be missing",
      );
    }
  }

  const listings: Record<Side, FileListing> = {
    base: listingOf(baseTree),
    head: listingOf(headTree),
  };
  const wanted: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  /** Changed files that are not Terraform's own: a module may read them with file() or templatefile(). */
  const changedReads: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
  /** Those of them added, removed or renamed: what a `fileset()` lists changes. */
  const renamedReads: Record<Side, Set<string>> = { base: new Set(), head: new Set() };
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
        continue;
      }
      // At either name: a module may read it by its old name still, and then fails to.
      changedReads[side].add(file.path);
      if (file.previousPath !== undefined) changedReads[side].add(file.previousPath);
      if (changesListings(file)) {
        renamedReads[side].add(file.path);
        if (file.previousPath !== undefined) renamedReads[side].add(file.previousPath);
      }
      if (isTerraformTemplatePath(path)) {
        // A template changes what the module that renders it deploys: the nearest folder up
        // with Terraform files (its own, or the module's above a templates/ folder).
        if (trees[side].entries.has(path)) wanted[side].add(path);
        const moduleDir = nearestTerraformDir(trees[side], directoryOf(path));
        if (moduleDir !== undefined) addDir(side, moduleDir);
      } else if ((scanned(path) || isDataPath(path)) && trees[side].entries.has(path))
        // Another file is read once a module is found to read it.
        wanted[side].add(path);
    }
  }

  // A changed parameter file rescans its template, and a template read reads them.
  for (const file of changedIac)
    for (const [template, paths] of withParameters)
      if (paths.includes(file.path) || (file.previousPath && paths.includes(file.previousPath)))
        for (const side of ["base", "head"] as const)
          if (trees[side].entries.has(template)) wanted[side].add(template);
  // A root is planned with its variable files (the settings' `terraform.var_files`, written from
  // the root's folder): a changed one rescans its root, wherever it is kept, and a root read reads them.
  const withVariables = Object.entries(variableFiles)
    .filter(([root]) => root !== "*")
    .map(([root, paths]) => [root, paths.map((p) => joinPath(root, p))] as const);
  for (const file of changedIac)
    for (const [root, paths] of withVariables)
      if (paths.includes(file.path) || (file.previousPath && paths.includes(file.previousPath)))
        for (const side of ["base", "head"] as const) addDir(side, root);
  const addVariableFiles = (side: Side): void => {
    for (const [root, paths] of withVariables)
      if (visitedDirs[side].has(root))
        for (const path of paths) if (trees[side].entries.has(path)) wanted[side].add(path);
  };
  const addParameterFiles = (side: Side): void => {
    for (const [template, paths] of withParameters)
      if (wanted[side].has(template))
        for (const path of paths) if (trees[side].entries.has(path)) wanted[side].add(path);
  };

  // A changed module is evaluated with the inputs its callers give it, so the directories that
  // call a changed one (and theirs, up to the roots) are read as well; the files that may call
  // one are read with the first round.
  const callerSearch = callerCandidates(
    trees,
    visitedDirs,
    changedReads,
    { maxFiles, maxBytes, maxFileBytes },
    notices,
  );
  if (callerSearch.overBudget)
    searchGaps.push(
      `its Terraform files are over the budget of ${maxFiles} files or ${maxBytes} bytes a look reads, and none of the nearest reads them`,
    );
  const parentSearch = parentCandidates(
    trees,
    wanted,
    templatePath,
    { maxFiles, maxBytes, maxFileBytes },
    notices,
  );
  const searched = new Map<string, BlobContent>(toolNamed.read);

  const read: Record<Side, Map<string, string>> = { base: new Map(), head: new Map() };
  const skipped = new Set<string>();
  const bytesRead: Record<Side, number> = { base: 0, head: 0 };
  for (let round = 0; round <= (limits.maxModuleDepth ?? 8); round++) {
    const pending: { side: Side; path: string; entry: TreeEntry }[] = [];
    for (const side of ["base", "head"] as const) {
      addParameterFiles(side);
      addVariableFiles(side);
      let fileBudget = maxFiles - read[side].size;
      for (const path of wanted[side]) {
        if (read[side].has(path) || skipped.has(`${side}:${path}`)) continue;
        const entry = trees[side].entries.get(path);
        if (!entry) continue;
        if (entry.size > maxFileBytes && !scanned(path)) {
          skipped.add(`${side}:${path}`);
          unreadData.push({
            side,
            warning: dataFileTooLarge(path, entry.size, maxFileBytes, entry.sha),
          });
        } else if (entry.size > maxFileBytes) {
          skipped.add(`${side}:${path}`);
          incomplete(
            side,
            path,
            "file-too-large",
            `${entry.size} bytes is over the ${maxFileBytes}-byte limit of a file the app reads: split it (CloudFormation itself accepts no template over 1 MB)`,
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
    const searching =
      round === 0 ? [...callerSearch.blobs.values(), ...parentSearch.blobs.values()] : [];
    if (pending.length === 0 && searching.length === 0) break;
    let contents: Map<string, BlobContent>;
    try {
      contents = await readBlobs(
        api,
        pull,
        [...pending.map((p) => p.entry).filter((entry) => !searched.has(entry.sha)), ...searching],
        limits,
        signal,
      );
    } catch (error) {
      if (round > 0) throw error;
      return searchFailed(error);
    }
    if (round === 0) {
      for (const sha of [...callerSearch.blobs.keys(), ...parentSearch.blobs.keys()]) {
        const content = contents.get(sha);
        if (content) searched.set(sha, content);
      }
      const unread = [...callerSearch.blobs.keys()].filter(
        (sha) => searched.get(sha)?.kind === "unreadable",
      ).length;
      if (unread > 0) searchGaps.push(`GitHub did not give ${unread} Terraform files to look in`);
      addReaders(callerSearch, searched, changedReads, renamedReads, addDir);
      addCallers(callerSearch, searched, visitedDirs, addDir, limits.maxModuleDepth ?? 8);
      addParents(parentSearch, searched, wanted, limits.maxModuleDepth ?? 8);
    }
    for (const [sha, content] of searched) contents.set(sha, content);
    for (const { side, path, entry } of pending) {
      const text = textOf(side, path, contents.get(entry.sha));
      if (text !== undefined) {
        read[side].set(path, text);
        if (isTerraformPath(path)) {
          for (const dir of localModuleDirs(directoryOf(path), text)) addDir(side, dir);
          for (const target of fileReadPaths(directoryOf(path), text)) {
            dataReads[side].add(target);
            if (trees[side].entries.has(target)) wanted[side].add(target);
          }
          for (const target of fileContentPaths(directoryOf(path), text))
            contentReads[side].add(target);
          // Data and templates only, as a checkout's walk reads them: a fileset() over a static
          // site's assets is not fetched, and a lone `.tf` would make a module of part of a folder.
          for (const target of filesetReadPaths(directoryOf(path), text, listings[side])) {
            listedReads[side].add(target);
            if (scanned(target) && !isTerraformPath(target)) wanted[side].add(target);
          }
          // A call the text alone does not resolve may read or list a changed file: counted as
          // read (fails closed), and fetched when read for its text.
          const changed = changedReads[side];
          for (const target of unresolvedReadPaths(
            directoryOf(path),
            text,
            changed,
            renamedReads[side],
          )) {
            listedReads[side].add(target.path);
            if (target.content && trees[side].entries.has(target.path)) {
              dataReads[side].add(target.path);
              contentReads[side].add(target.path);
              wanted[side].add(target.path);
            }
          }
        } else if (templatePath(path)) {
          for (const target of nestedTemplatePaths({ path, text }))
            if (trees[side].entries.has(target)) wanted[side].add(target);
        }
      } else skipped.add(`${side}:${path}`);
    }
  }
  // One the pull request adds or changes (its bytes the base holds under no name) is an error, as
  // in the CLI's diff: a change must not decide what a module deploys where the app cannot see it.
  const baseShas = new Set([...baseTree.entries.values()].map((entry) => entry.sha));
  for (const { side, warning } of unreadData) {
    if (!contentReads[side].has(warning.file)) continue;
    if (side === "head") errors.push(notTextOfChange(warning, (sha) => baseShas.has(sha)));
    else notices.push(`${warning.file} at base: ${warning.message}`);
  }
  // A changed data file no module reads is no part of the scan.
  const unused = (side: Side, path: string) =>
    !scanned(path) && !dataReads[side].has(path) && !parameterPaths.has(path);
  // Files of other names changed, and no module reads or lists one: nothing to scan, as for
  // documentation.
  const readChange = changedIac.some((f) =>
    [f.path, f.previousPath].some(
      (path) =>
        path !== undefined &&
        (["base", "head"] as const).some(
          (side) => dataReads[side].has(path) || listedReads[side].has(path),
        ),
    ),
  );
  if (!knownChange && !readChange)
    return searchGaps.length > 0 ? couldNotTell(searchGaps.join("; ")) : unscanned;
  const files = (side: Side): SourceFile[] =>
    [...read[side]]
      .filter(([path]) => !unused(side, path))
      .map(([path, text]) => ({ path, text }))
      .sort((a, b) => a.path.localeCompare(b.path));
  return {
    changedFiles: listing.files,
    base: files("base"),
    head: files("head"),
    errors: capErrors(errors),
    notices: capNotices(notices),
    listings: {
      ...(baseTree.truncated ? {} : { base: listings.base }),
      ...(headTree.truncated ? {} : { head: listings.head }),
    },
  };
}

/** A tree's file names as a `fileset()` listing. */
function listingOf(tree: Tree): FileListing {
  return { folders: [""], files: [...tree.entries.keys()], unlisted: tree.unlisted };
}

interface CallerSearch {
  /** Per side, the Terraform files outside the directories already added. */
  candidates: Record<Side, { path: string; entry: TreeEntry }[]>;
  /** Their distinct blobs, to read once for both sides. */
  blobs: Map<string, TreeEntry>;
  /** Set when the files to look in were over the budget, so none was read. */
  overBudget?: true;
}

/**
 * The files to read to find the callers of changed Terraform directories: a module alone has no
 * values for the inputs its callers give, so a PR that only edits `modules/sg` must be scanned
 * from `envs/prod`, which calls it, as a full checkout would be; and the modules that read a
 * changed file (`yamldecode(file("rules.yaml"))`), which a PR editing only that file changes.
 * That means every other file a module block or a file read may be written in (`.tf`,
 * `.tf.json`), each distinct blob once; over the file or byte budget the search is skipped with a notice.
 */
function callerCandidates(
  trees: Record<Side, Tree>,
  visitedDirs: Record<Side, Set<string>>,
  changedReads: Record<Side, Set<string>>,
  budget: { maxFiles: number; maxBytes: number; maxFileBytes: number },
  notices: string[],
): CallerSearch {
  const candidates: CallerSearch["candidates"] = { base: [], head: [] };
  const blobs = new Map<string, TreeEntry>();
  for (const side of ["base", "head"] as const) {
    if (visitedDirs[side].size === 0 && changedReads[side].size === 0) continue;
    for (const [dir, paths] of trees[side].terraformByDir) {
      if (visitedDirs[side].has(dir)) continue;
      for (const path of paths) {
        const entry = trees[side].entries.get(path);
        if (!entry || !isTerraformSource(path) || entry.size > budget.maxFileBytes) continue;
        candidates[side].push({ path, entry });
        blobs.set(entry.sha, entry);
      }
    }
  }
  const anchors = {
    base: [...visitedDirs.base, ...[...changedReads.base].map(directoryOf)],
    head: [...visitedDirs.head, ...[...changedReads.head].map(directoryOf)],
  };
  return withinBudget(
    { candidates, blobs },
    anchors,
    budget,
    notices,
    (read, unread) =>
      `Callers of the changed Terraform modules, and modules reading the changed files, were looked for only in the ${read} other Terraform files nearest them: ${read + unread} are over the budget of ${budget.maxFiles} files or ${budget.maxBytes} bytes, so a caller or reader among the ${unread} farther away is missed, and a changed module it calls is scanned without the inputs it gives.`,
  );
}

/** The search as found, or an empty one with a notice when its blobs are over the budget. */
/** A file added, removed, renamed or copied: what a `fileset()` lists and `fileexists()` finds changes. */
function changesListings(file: PullFile): boolean {
  return file.status !== "modified" && file.status !== "unchanged";
}

function withinBudget(
  search: CallerSearch,
  anchors: Record<Side, Iterable<string>>,
  budget: { maxFiles: number; maxBytes: number },
  notices: string[],
  overBudget: (read: number, unread: number) => string,
): CallerSearch {
  const bytes = [...search.blobs.values()].reduce((sum, entry) => sum + entry.size, 0);
  if (search.blobs.size <= budget.maxFiles && bytes <= budget.maxBytes) return search;
  // Over the budget, the files nearest the changed ones are looked in first (their own folder,
  // then those sharing the longest path with it): a module reads `${path.module}/x` or a file of
  // a folder above, and is called mostly from close by, so a big repository still finds those.
  // Closeness: twice the folder names shared with a changed file's folder, plus one for a folder
  // above it (or its own), where parents and callers of a nested folder sit; ties by path.
  const closeness = new Map<string, number>();
  const pathOf = new Map<string, string>();
  for (const side of ["base", "head"] as const) {
    const near = [...new Set(anchors[side])].map(segmentsOf);
    for (const { path, entry } of search.candidates[side]) {
      const dir = segmentsOf(directoryOf(path));
      const score = (anchor: string[]) => {
        const shared = sharedSegments(anchor, dir);
        return 2 * shared + (shared === dir.length ? 1 : 0);
      };
      const best = Math.max(-1, ...near.map(score));
      closeness.set(entry.sha, Math.max(closeness.get(entry.sha) ?? -1, best));
      const known = pathOf.get(entry.sha);
      if (known === undefined || path < known) pathOf.set(entry.sha, path);
    }
  }
  const order = [...search.blobs.values()].sort(
    (a, b) =>
      (closeness.get(b.sha) ?? -1) - (closeness.get(a.sha) ?? -1) ||
      (pathOf.get(a.sha) ?? "").localeCompare(pathOf.get(b.sha) ?? ""),
  );
  const kept = new Map<string, TreeEntry>();
  let keptBytes = 0;
  for (const entry of order) {
    if (kept.size >= budget.maxFiles || keptBytes + entry.size > budget.maxBytes) break;
    kept.set(entry.sha, entry);
    keptBytes += entry.size;
  }
  notices.push(overBudget(kept.size, search.blobs.size - kept.size));
  const candidates = {
    base: search.candidates.base.filter((c) => kept.has(c.entry.sha)),
    head: search.candidates.head.filter((c) => kept.has(c.entry.sha)),
  };
  return { candidates, blobs: kept, overBudget: true };
}

/** A folder's path as its names (`.` and "" for the repository's top: none). */
function segmentsOf(dir: string): string[] {
  return dir === "" || dir === "." ? [] : dir.split("/");
}

/** How many leading folder names two folders share. */
function sharedSegments(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Adds, on each side, the directories whose files read a changed file with a literal path (as
 * `fileReadPaths` finds them), list it with a `fileset()`, or may read or list it through a call
 * whose path the text does not tell (`unresolvedReadPaths`, failing closed), so a pull request that edits only `rules.yaml` rescans the module
 * that decodes it; `addCallers` then adds the roots above it.
 */
function addReaders(
  search: CallerSearch,
  contents: ReadonlyMap<string, BlobContent>,
  changedReads: Record<Side, Set<string>>,
  renamedReads: Record<Side, Set<string>>,
  addDir: (side: Side, dir: string) => void,
): void {
  for (const side of ["base", "head"] as const) {
    if (changedReads[side].size === 0) continue;
    for (const { path, entry } of search.candidates[side]) {
      const content = contents.get(entry.sha);
      if (content?.kind !== "text") continue;
      const dir = directoryOf(path);
      // A changed file a fileset() would list at either commit, whether or not it is there.
      const changed = { folders: [""], files: [...changedReads[side]], unlisted: [] };
      if (
        fileReadPaths(dir, content.text).some((target) => changedReads[side].has(target)) ||
        filesetReadPaths(dir, content.text, changed).length > 0 ||
        unresolvedReadPaths(dir, content.text, changedReads[side], renamedReads[side]).length > 0
      )
        addDir(side, dir);
    }
  }
}

/**
 * Adds, on each side, the directories whose files call a directory already added for a changed
 * file, and their callers in turn up to the roots (local modules they call come with the rounds).
 */
function addCallers(
  search: CallerSearch,
  contents: ReadonlyMap<string, BlobContent>,
  visitedDirs: Record<Side, Set<string>>,
  addDir: (side: Side, dir: string) => void,
  depth: number,
): void {
  for (const side of ["base", "head"] as const) {
    const calls = new Map<string, string[]>();
    for (const { path, entry } of search.candidates[side]) {
      const content = contents.get(entry.sha);
      if (content?.kind !== "text") continue;
      const dir = directoryOf(path);
      calls.set(dir, [...(calls.get(dir) ?? []), ...localModuleDirs(dir, content.text)]);
    }
    const targets = new Set(visitedDirs[side]);
    for (let round = 0; round <= depth; round++) {
      const found = [...calls].filter(
        ([dir, called]) => !targets.has(dir) && called.some((callee) => targets.has(callee)),
      );
      if (found.length === 0) break;
      for (const [dir] of found) {
        targets.add(dir);
        addDir(side, dir);
      }
    }
  }
}

/** A file that may be a CloudFormation template: what the engine tries as one. */
function isTemplatePath(path: string): boolean {
  return isIacPath(path) && !isTerraformPath(path);
}

/**
 * The files named as a tool's (`isToolNamedPath`: a `.github/` workflow, `docker-compose.yml`)
 * the pull request adds or changes whose text at head is a CloudFormation template, judged as the
 * engine judges it (`isCloudFormation`), at either of their names (a rename keeps the text), and
 * the blobs read. The blob ids come with the file list, so an ordinary workflow edit costs one
 * blob read (one REST GET for up to two files, one GraphQL query for more, none for a blob the
 * cache holds) and nothing more. A file whose text cannot be told (no blob id, unreadable, not
 * text) is scanned as a template is, so its reading fails closed as any template's; one over the
 * size limit is passed over, as the CLI passes over an oversized file of such a name.
 */
async function templatesByContent(
  api: GitHubApi,
  pull: PullRef,
  files: readonly PullFile[],
  limits: SnapshotLimits,
  signal: AbortSignal | undefined,
): Promise<{ templates: Set<string>; read: Map<string, BlobContent> }> {
  const maxFileBytes = limits.maxFileBytes ?? 1024 * 1024;
  const candidates = files.filter((f) => f.status !== "removed" && isToolNamedPath(f.path));
  const templates = new Set<string>();
  const read = new Map<string, BlobContent>();
  if (candidates.length === 0) return { templates, read };
  const shas = candidates.flatMap((f) => (f.sha === undefined ? [] : [{ sha: f.sha, size: 0 }]));
  const contents = shas.length > 0 ? await readBlobs(api, pull, shas, limits, signal) : read;
  for (const file of candidates) {
    const content = file.sha === undefined ? undefined : contents.get(file.sha);
    const size =
      content?.kind === "text"
        ? Buffer.byteLength(content.text)
        : content?.kind === "binary"
          ? content.bytes.length
          : 0;
    if (size > maxFileBytes) continue;
    if (content?.kind === "text" && !isCloudFormation({ path: file.path, text: content.text }))
      continue;
    if (content !== undefined && file.sha !== undefined) read.set(file.sha, content);
    templates.add(file.path);
    if (file.previousPath !== undefined) templates.add(file.previousPath);
  }
  return { templates, read };
}

/**
 * The files to read to find the templates nesting a changed one: a nested stack's template alone
 * has no values for the parameters its parent passes, so a PR that only edits `network.yaml` must
 * be scanned from the template whose `TemplateURL` names it, as a full checkout would be. That
 * means every other file that may be a template, each distinct blob once; over the file or byte
 * budget the search is skipped with a notice.
 */
function parentCandidates(
  trees: Record<Side, Tree>,
  wanted: Record<Side, Set<string>>,
  isTemplate: (path: string) => boolean,
  budget: { maxFiles: number; maxBytes: number; maxFileBytes: number },
  notices: string[],
): CallerSearch {
  const candidates: CallerSearch["candidates"] = { base: [], head: [] };
  const blobs = new Map<string, TreeEntry>();
  for (const side of ["base", "head"] as const) {
    if (![...wanted[side]].some(isTemplate)) continue;
    for (const [path, entry] of trees[side].entries) {
      if (wanted[side].has(path) || !isTemplate(path) || entry.size > budget.maxFileBytes) continue;
      candidates[side].push({ path, entry });
      blobs.set(entry.sha, entry);
    }
  }
  const anchors = {
    base: [...wanted.base].filter(isTemplate).map(directoryOf),
    head: [...wanted.head].filter(isTemplate).map(directoryOf),
  };
  return withinBudget(
    { candidates, blobs },
    anchors,
    budget,
    notices,
    (read, unread) =>
      `Templates nesting the changed templates were looked for only in the ${read} other YAML and JSON files nearest them: ${read + unread} are over the budget of ${budget.maxFiles} files or ${budget.maxBytes} bytes, so a template among the ${unread} farther away that nests a changed one is missed, and the changed template is scanned on its own with its parameters' defaults.`,
  );
}

/**
 * Adds, on each side, the templates that nest a template already wanted, and those nesting them
 * in turn up to the top (the other templates they nest come with the rounds).
 */
function addParents(
  search: CallerSearch,
  contents: ReadonlyMap<string, BlobContent>,
  wanted: Record<Side, Set<string>>,
  depth: number,
): void {
  for (const side of ["base", "head"] as const) {
    const nests = new Map<string, string[]>();
    for (const { path, entry } of search.candidates[side]) {
      const content = contents.get(entry.sha);
      if (content?.kind === "text")
        nests.set(path, nestedTemplatePaths({ path, text: content.text }));
    }
    for (let round = 0; round <= depth; round++) {
      const found = [...nests].filter(
        ([path, children]) =>
          !wanted[side].has(path) && children.some((child) => wanted[side].has(child)),
      );
      if (found.length === 0) break;
      for (const [path] of found) wanted[side].add(path);
    }
  }
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

/** `dir` or the closest folder above it that holds Terraform files, if any does. */
function nearestTerraformDir(tree: Tree, dir: string): string | undefined {
  for (let at = dir; ; at = directoryOf(at)) {
    if (tree.terraformByDir.has(at)) return at;
    if (at === "") return undefined;
  }
}

interface Tree {
  entries: Map<string, TreeEntry>;
  /** Symbolic links and submodules: paths whose files a `fileset()` may list but the tree does not name. */
  unlisted: string[];
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
  const unlisted: string[] = [];
  for (const entry of data.tree) {
    if (entry.path && (entry.type === "commit" || entry.mode === "120000"))
      unlisted.push(entry.path);
    // Regular files only: symlinks (120000) and submodules (type commit) have no content to scan.
    if (entry.type !== "blob" || entry.mode === "120000" || !entry.path || !entry.sha) continue;
    entries.set(entry.path, { sha: entry.sha, size: entry.size ?? 0 });
    if (!isTerraformPath(entry.path)) continue;
    const dir = directoryOf(entry.path);
    const inDir = terraformByDir.get(dir);
    if (inDir) inDir.push(entry.path);
    else terraformByDir.set(dir, [entry.path]);
  }
  return { entries, terraformByDir, unlisted, truncated: data.truncated };
}
