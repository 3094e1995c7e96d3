// `tollgate diff`: the PR check without GitHub. Scans a base and a head snapshot (git refs of a
// local repository, or two folders), labels findings new/existing/fixed and gates on them. A new
// finding whose own lines the change left alone is reported on the changed line that decided it (a
// tfvars value, a locals entry), else on one of its resource's block, as the check run annotates it
// (report/placement.ts, one decision for every format): git tells the changed lines between
// refs, a line diff of each file with its counterpart between folders.
import { stat } from "node:fs/promises";
import path from "node:path";
import {
  changedUnreadModules,
  diffScans,
  followRenamesInScan,
  renamesByContent,
  type Rename,
} from "../../diff/index.js";
import { evaluatedRules } from "../../engine/index.js";
import { folderChanges } from "../../fetch/folders.js";
import {
  findMergeBase,
  locateRepository,
  readGitChanges,
  renamesOf,
  type GitFileChange,
} from "../../fetch/git.js";
import { gateWithWaivers } from "../../gate/index.js";
import { notTextOfChange } from "../../iac/index.js";
import type { LoadError } from "../../model/types.js";
import { changedLinesByFile, decidingLines } from "../../report/index.js";
import { EXIT_BLOCKED, EXIT_OK, UsageError } from "../command.js";
import {
  checked,
  formatSchema,
  gateOptions,
  defineCommand,
  parameterFilesOf,
  variableFilesOf,
} from "../options.js";
import {
  engineFor,
  customRulesFor,
  loadSettings,
  readGitRef,
  readPaths,
  readWorkingTree,
  render,
  repositoryPaths,
  unreadSettingsNotices,
  type Snapshot,
} from "../pipeline.js";

export const diffCommand = defineCommand({
  name: "diff",
  summary: "gate only on what changed between a base and a head (git refs or folders)",
  usage: [
    "tollgate diff --base <ref> [--head <ref>] [--repo <dir>] [options]",
    "tollgate diff --base-dir <dir> --head-dir <dir> [options]",
  ],
  options: {
    base: {
      type: "string",
      value: "ref",
      description:
        "the git ref of the pull request's target, diffed from its merge base with the head",
    },
    head: {
      type: "string",
      value: "ref",
      description: "the git ref of the head; without it, the repository's working tree",
    },
    repo: {
      type: "string",
      default: ".",
      value: "dir",
      description: "the git repository of the refs",
    },
    "base-dir": {
      type: "string",
      value: "dir",
      description: "the base as a folder, instead of a ref",
    },
    "head-dir": {
      type: "string",
      value: "dir",
      description: "the head as a folder, instead of a ref",
    },
    ...gateOptions,
  },
  allowPositionals: false,
  async run({ values }, io) {
    const format = checked(formatSchema, values.format, "--format");
    const usesDirs = values["base-dir"] !== undefined || values["head-dir"] !== undefined;
    if (usesDirs && (values.base !== undefined || values.head !== undefined)) {
      throw new UsageError(
        "use either --base/--head (git refs) or --base-dir/--head-dir (folders)",
      );
    }
    let base: Snapshot;
    let head: Snapshot;
    // Renames git tells, between two refs or a ref and the working tree; the files it leaves
    // unpaired (two folders, untracked files, a template rewritten in the other syntax) are paired
    // by content below.
    let told: Rename[] = [];
    // The files git tells changed, with their hunks, between refs.
    let gitChanges: GitFileChange[] | undefined;
    // Notes on the run as a whole, listed with the settings' notices.
    const runNotices: LoadError[] = [];
    // The folder files are named from: the head folder, or the repository's top between refs.
    let root: string;
    if (usesDirs) {
      if (!values["base-dir"] || !values["head-dir"])
        throw new UsageError("--base-dir and --head-dir go together");
      // Each folder is its own snapshot root, so the same file has the same name on both sides.
      base = await readPaths(["."], await folderFlag("--base-dir", values["base-dir"], io.cwd));
      root = await folderFlag("--head-dir", values["head-dir"], io.cwd);
      head = await readPaths(["."], root);
    } else {
      if (!values.base) throw new UsageError("--base is required");
      // The whole repository on both sides, named from its top as git diff names files, from
      // whatever folder inside it the command runs.
      const given = path.resolve(io.cwd, values.repo);
      const { top } = await locateRepository(given);
      const repo = top ?? given;
      root = repo;
      if (values.head === undefined && top === undefined)
        throw new UsageError(`${given} is a bare repository: give --head <ref>`);
      // The pull request's changes start at the merge base, as the app reads them: a fix made on
      // the base branch since the branch was cut is not this change's, nor is what it opened.
      const start = await findMergeBase(repo, values.base, values.head);
      if (start === undefined) runNotices.push(noMergeBase(values.base, values.head ?? "HEAD"));
      const from = start ?? values.base;
      base = await readGitRef(repo, from);
      // The working tree stays inside the repository, as the base ref does: a module above it
      // would be read on one side only, and all it holds would look new.
      head = values.head ? await readGitRef(repo, values.head) : await readWorkingTree(repo);
      const changes = await readGitChanges(repo, from, values.head);
      told = renamesOf(changes);
      // A file of the working tree git does not track is wholly added, as a pull request shows it.
      const listed = new Set(changes.map((change) => change.path));
      const atBase = new Set(base.files.map((file) => file.path));
      for (const file of head.files) {
        if (!listed.has(file.path) && !atBase.has(file.path))
          changes.push({ path: file.path, status: "added", patch: undefined });
      }
      gitChanges = changes;
    }
    const renames = [...told, ...renamesByContent(base.files, head.files, told)];
    // The changed lines findings are placed on: git's, else a line diff of each head file with its
    // base counterpart, of the same path or paired as renamed.
    const changes = gitChanges ?? folderChanges(base.files, head.files, renames);
    const repository = { name: values.repository, topics: values.topic ?? [] };
    const { settings, notices: settingsNotices } = await loadSettings(values, io.cwd, repository);
    // A policy folder's files are named from where the IaC files are, as paths the run can open.
    const engine = await engineFor(values, io.cwd, root);
    const customRules = await customRulesFor(values, io.cwd, engine, root);
    // The same variable files at base and head: a change to one is a change of the root's values.
    const scanOptions = {
      ruleSettings: settings.ruleSettings,
      customRules,
      variableFiles: variableFilesOf(values, settings.terraformVariableFiles),
      ...(settings.terraformTool ? { terraformTool: settings.terraformTool } : {}),
      parameterFiles: parameterFilesOf(values, settings.cloudformationParameterFiles),
    };
    const withListing = (snapshot: Snapshot) =>
      snapshot.listing ? { ...scanOptions, listing: snapshot.listing } : scanOptions;
    // Both sides are read whole, so a not-text file the change left alone or moved is one at base.
    const baseBlobs = new Set(base.errors.flatMap((problem) => problem.inputs ?? []));
    const heldAtBase = (blobId: string) => baseBlobs.has(blobId);
    const baseResult = await engine.scan(base.files, withListing(base));
    // What the base deploys on its own stays so at the head, whatever the change nests it under.
    const headResult = await engine.scan(head.files, {
      ...withListing(head),
      ...(baseResult.roots ? { keepRoots: baseResult.roots } : {}),
    });
    const decision = gateWithWaivers(
      diffScans(
        followRenamesInScan(
          baseResult,
          renames,
          head.files.map((file) => file.path),
        ),
        headResult,
        settings.import_adopts,
      ),
      [...head.errors.map((problem) => notTextOfChange(problem, heldAtBase)), ...headResult.errors],
      settings,
      {
        files: head.files,
        repository,
        now: new Date(),
        ...evaluatedRules(engine, customRules),
        settingsNotices: [
          ...runNotices,
          ...settingsNotices,
          ...(await unreadSettingsNotices([root], values, root, io.cwd)),
        ],
        baseProblems: [...base.errors, ...baseResult.errors],
        changedModules: changedUnreadModules(baseResult, headResult),
        // Two git refs are whole repositories, so a settings waiver whose rule found nothing is
        // stale; two folders may be parts of one.
        wholeRepository: !usesDirs,
        scannedRoots: (headResult.addresses ?? []).map((resource) => resource.root ?? ""),
      },
    );
    const decided = decidingLines(decision.findings, changedLinesByFile(changes));
    for (const line of [...(baseResult.printed ?? []), ...(headResult.printed ?? [])])
      io.stderr(`${line}\n`);
    const repositoryPath =
      format === "sarif"
        ? await repositoryPaths([root], root, io.cwd, [values.config, values["org-config"]])
        : undefined;
    io.stdout(
      render(decision, format, {
        decided,
        unblocking: { inlineWaivers: settings.inlineWaivers },
        comparedWithBase: true,
        ...(repositoryPath ? { repositoryPath } : {}),
      }),
    );
    return decision.conclusion === "failure" ? EXIT_BLOCKED : EXIT_OK;
  },
});

/** The notice of a diff compared with the base's tip, its merge base with the head not in the clone. */
function noMergeBase(base: string, head: string): LoadError {
  return {
    file: "",
    line: 0,
    column: 0,
    code: "git-merge-base",
    message: `no merge base of ${base} and ${head} in this clone (a shallow one?): compared with ${base}'s tip, so a fix made there since ${head} branched off shows as new here and what it opened as fixed; fetch the history (actions/checkout's fetch-depth: 0)`,
  };
}

/** The folder a flag names, resolved from the working folder; a usage error naming both if none. */
async function folderFlag(flag: string, value: string, cwd: string): Promise<string> {
  const absolute = path.resolve(cwd, value);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${flag}: ${value} is not a folder`);
  return absolute;
}
