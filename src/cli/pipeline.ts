// What scan and diff share: reading snapshots from disk or git, the settings file, the engine,
// and rendering one gate decision in the format asked for.
import { existsSync, lstatSync, type Stats } from "node:fs";
import { readFile, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import {
  defaultSettings,
  mergeSettings,
  originOf,
  parseSettingsFile,
  SETTINGS_PATH,
  type ParsedSettingsFile,
  type Settings,
} from "../config/index.js";
import { createEngine, customRuleSet } from "../engine/index.js";
import type { CustomRuleSet, ScanEngine } from "../engine/types.js";
import { listWorkingTree, locateRepository, readGitSnapshot } from "../fetch/git.js";
import {
  checkSourceBytes,
  DataFileBudget,
  dataFileTargets,
  directoryOf,
  fileReadTargets,
  isIacCandidate,
  isTemplateFile,
  isTerraformSource,
  nestedTemplatePaths,
  oversizedDataFile,
  passedOverReads,
  readDataFile,
  readRepositoryFiles,
  unloadedModuleFolders,
  type FileListing,
  type SourceFile,
} from "../iac/index.js";
import type { Finding, LoadError } from "../model/types.js";
import type { GateDecision } from "../gate/index.js";
import {
  COMMENT_LIMIT,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  type DecidingLine,
  type Unblocking,
} from "../report/index.js";
import { blockingDaysBegun } from "../rollout/index.js";
import { UsageError } from "./command.js";
import type { OutputFormat } from "./options.js";
import { packageVersion } from "../version.js";

export interface Snapshot {
  files: SourceFile[];
  errors: LoadError[];
  /** Every file name below the folders read whole (what `fileset()` lists), from the same top. */
  listing?: FileListing;
}

/**
 * Files below each path (a folder or a file), named relative to `cwd` as a user typed them, and
 * the local modules they call outside those paths.
 */
export async function readPaths(
  paths: string[],
  cwd: string,
  budget = new DataFileBudget(),
): Promise<Snapshot> {
  const snapshot: Snapshot = { files: [], errors: [] };
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UsageError(`no such file or folder: ${given}`);
    const root = info.isDirectory() ? absolute : path.dirname(absolute);
    const read = readRepositoryFiles(
      root,
      info.isDirectory() ? {} : { paths: [path.basename(absolute)] },
    );
    add(snapshot, read, path.relative(cwd, root));
  }
  return withCalledModules(snapshot, cwd, budget);
}

/** Files read below `folder` (relative to the working folder), named from the working folder. */
function add(snapshot: Snapshot, read: Snapshot, folder: string): void {
  const prefix = folder.split(path.sep).join("/");
  const rename = (file: string) => (prefix === "" ? file : `${prefix}/${file}`);
  snapshot.files.push(...read.files.map((f) => ({ ...f, path: rename(f.path) })));
  snapshot.errors.push(...read.errors.map((e) => ({ ...e, file: rename(e.file) })));
  if (!read.listing) return;
  const listing = snapshot.listing ?? { folders: [], files: [], unlisted: [] };
  snapshot.listing = {
    folders: [
      ...listing.folders,
      ...read.listing.folders.map((f) => (f === "" ? prefix : rename(f))),
    ],
    files: [...listing.files, ...read.listing.files.map(rename)],
    unlisted: [...listing.unlisted, ...read.listing.unlisted.map(rename)],
  };
}

/**
 * The snapshot with each of `paths` (from the working folder, as `--parameter-file` names them)
 * that no given path covered read as well; one that does not exist is left to the loader, which
 * reports it.
 */
export async function withGivenFiles(
  snapshot: Snapshot,
  paths: readonly string[],
  cwd: string,
): Promise<Snapshot> {
  const read = new Set(snapshot.files.map((file) => file.path));
  for (const given of paths) {
    if (read.has(given)) continue;
    const extra = await readPaths([given], cwd).catch(() => undefined);
    if (extra === undefined) continue;
    snapshot.files.push(...extra.files.filter((file) => !read.has(file.path)));
    snapshot.errors.push(...extra.errors);
    for (const file of extra.files) read.add(file.path);
  }
  return snapshot;
}

/**
 * Terraform reads a local module wherever its `source` points, above the given folder too, and so
 * does the CLI: `tollgate scan modules/ssh` reads the `../../` that module calls. Each such folder
 * no given path covered is read, its own Terraform files only (`.tf` and `.tf.json`: a module is
 * one folder; the folders below it are other modules, and are not roots of this scan), until every
 * local call is found. So are the files a Terraform file reads with `file()` or `templatefile()`
 * and a literal path (a policy template below a followed module, a JSON document beside it), and
 * the templates a CloudFormation template nests with a local `TemplateURL` or `Location`, that
 * no given path covered, each checked as the folder walk checks a file; and the files such a call
 * names that no walk reads (`users.csv`), wherever they are, as data files (`readDataFile`). A
 * folder or file that does not exist is left to the loader: it reports the call on its line, or
 * leaves the value unknown.
 */
async function withCalledModules(
  snapshot: Snapshot,
  cwd: string,
  budget: DataFileBudget,
): Promise<Snapshot> {
  const tried = new Set<string>();
  for (;;) {
    const read = new Set(snapshot.files.map((file) => file.path));
    // A file refused once (not text, say) is not read again, nor its refusal said twice.
    const refused = new Set(snapshot.errors.map((error) => error.file));
    const folders = unloadedModuleFolders(snapshot.files).filter((folder) => !tried.has(folder));
    const targets = new Set(
      snapshot.files
        .flatMap((file) =>
          isTerraformSource(file.path)
            ? fileReadTargets(directoryOf(file.path), file.text)
            : isTemplateFile(file)
              ? nestedTemplatePaths(file)
              : [],
        )
        .filter(
          (target) =>
            isIacCandidate(target) &&
            !read.has(target) &&
            !refused.has(target) &&
            !tried.has(target),
        ),
    );
    const dataFiles = dataFileTargets(snapshot.files, snapshot.listing).filter(
      (target) => !tried.has(target),
    );
    if (folders.length === 0 && targets.size === 0 && dataFiles.length === 0) {
      addPassedOverReads(snapshot, cwd);
      const overBudget = budget.warning();
      if (overBudget) snapshot.errors.push(overBudget);
      return snapshot;
    }
    for (const folder of folders) {
      tried.add(folder);
      const absolute = path.resolve(cwd, folder);
      const entries = await readdir(absolute, { withFileTypes: true }).catch(() => undefined);
      if (!entries) continue;
      const names = entries.filter((e) => !e.isDirectory() && isTerraformSource(e.name));
      add(snapshot, readRepositoryFiles(absolute, { paths: names.map((e) => e.name) }), folder);
    }
    for (const target of targets) {
      tried.add(target);
      const absolute = path.resolve(cwd, target);
      const info = await stat(absolute).catch(() => undefined);
      if (!info?.isFile()) continue;
      const folder = directoryOf(target);
      const files = readRepositoryFiles(path.dirname(absolute), {
        paths: [path.basename(absolute)],
      });
      add(snapshot, files, folder);
    }
    dataFiles.forEach((target) => tried.add(target));
    addDataFiles(snapshot, cwd, dataFiles, budget);
  }
}

/** Each of `targets` (`dataFileTargets`), named from `root`, read into the snapshot (`readDataFile`). */
function addDataFiles(
  snapshot: Snapshot,
  root: string,
  targets: readonly string[],
  budget: DataFileBudget,
): void {
  for (const target of targets) {
    const read = readDataFile(root, target, undefined, budget);
    if (read === null) continue;
    if ("text" in read) snapshot.files.push(read);
    else snapshot.errors.push(read);
  }
}

/** The warning for each file a module reads that the walk passed over as too large (`passedOverReads`). */
function addPassedOverReads(snapshot: Snapshot, root: string): void {
  for (const target of passedOverReads(snapshot.files, snapshot.errors)) {
    const warning = oversizedDataFile(root, target);
    if (warning) snapshot.errors.push(warning);
  }
}

/**
 * The working tree of the repository whose top folder is `top`, as git would commit it
 * (`listWorkingTree`), named from the top as a git ref's files are, whatever folder the user is in;
 * with the data files its Terraform files read (`dataFileTargets`) that git would commit.
 */
export async function readWorkingTree(
  top: string,
  budget = new DataFileBudget(),
): Promise<Snapshot> {
  const listed = await listWorkingTree(top);
  const read = readRepositoryFiles(top, {
    paths: listed.filter(isIacCandidate),
    skipDirectories: false,
  });
  // git lists a symbolic link and a submodule as a path like a file's; only `lstat` tells them.
  const regular = (file: string) => attemptLstat(path.join(top, file))?.isFile() ?? false;
  const committed = new Set(listed);
  const listing = {
    folders: [""],
    files: listed.filter(regular),
    unlisted: listed.filter((file) => !regular(file)),
  };
  addDataFiles(
    read,
    top,
    dataFileTargets(read.files, listing).filter((target) => committed.has(target)),
    budget,
  );
  addPassedOverReads(read, top);
  const overBudget = budget.warning();
  if (overBudget) read.errors.push(overBudget);
  return { ...read, listing };
}

function attemptLstat(absolute: string): Stats | undefined {
  try {
    return lstatSync(absolute);
  } catch {
    return undefined;
  }
}

export function readGitRef(repo: string, ref: string): Promise<Snapshot> {
  return readGitSnapshot(repo, ref, (file, bytes) => checkSourceBytes(file, bytes));
}

/** The repository a CLI run stands for: selects settings overrides and settings waivers by name. */
export interface CliRepository {
  name: string;
  topics: string[];
}

/** The settings of a CLI run, and what merging its files reported (`settings-locked` and the like). */
export interface CliSettings {
  settings: Settings;
  notices: LoadError[];
}

/**
 * The settings the app would apply: `--org-config` as the organization's file, `--config` as the
 * repository's merged over it (locks held, located notices); `--config` alone stands for both.
 * Without `--repository` no `repositories` glob matches, and a notice says so where the first is
 * written (the app always knows the name; a run that forgot it would silently drop them). A
 * `blocking_from` day already begun is told, as the `.github` repository's checks tell it.
 */
export async function loadSettings(
  flags: { config?: string | undefined; "org-config"?: string | undefined },
  cwd: string,
  repository: CliRepository,
  now: Date = new Date(),
): Promise<CliSettings> {
  const organization = await readSettingsFlag("--org-config", flags["org-config"], cwd);
  const file = await readSettingsFlag("--config", flags.config, cwd);
  const files = [organization, file].filter((f): f is ParsedSettingsFile => f !== undefined);
  const merged =
    organization && file
      ? mergeSettings(organization, file, repository)
      : files[0]
        ? mergeSettings(files[0], null, repository)
        : { settings: defaultSettings, notices: [] };
  const begun = files.flatMap((parsed) => blockingDaysBegun(parsed, now));
  const unnamed = repository.name === "" ? unnamedRepositoryNotices(files) : [];
  return { ...merged, notices: [...merged.notices, ...begun, ...unnamed] };
}

/**
 * A notice at each repository's `.github/tollgate.yml` when the run is given no `--config`: the app
 * applies that file to every pull request, and without it the run reads none of its `var_files`,
 * `parameter_files`, enforcement or waivers, so it may pass what the app blocks. The repository is
 * the git top of each scanned folder (the folder itself outside git); the file is named from
 * `namesFrom`, as the run names the files it read, and the `--config` it suggests from `cwd`, as
 * the flag is read.
 */
export async function unreadSettingsNotices(
  folders: readonly string[],
  flags: { config?: string | undefined },
  namesFrom: string,
  cwd: string,
): Promise<LoadError[]> {
  if (flags.config !== undefined) return [];
  const tops = new Set<string>();
  for (const folder of folders)
    tops.add(
      await locateRepository(folder).then(
        ({ top }) => top ?? folder,
        () => folder,
      ),
    );
  const notices: LoadError[] = [];
  for (const top of tops) {
    const file = path.join(top, SETTINGS_PATH);
    if (!(await stat(file).catch(() => undefined))?.isFile()) continue;
    // git names the top with symbolic links resolved; so must the folder names start from.
    const [real, from, here] = await Promise.all([
      realpath(file),
      realpath(namesFrom),
      realpath(cwd),
    ]);
    const name = path.relative(from, real).split(path.sep).join("/");
    const flag = path.relative(here, real).split(path.sep).join("/");
    notices.push({
      file: name,
      line: 1,
      column: 1,
      code: "settings-not-read",
      message: `the repository's settings, which the app applies to its pull requests, were not read: without --config this run applies none of their var_files, parameter_files, enforcement or waivers; pass --config ${flag} to gate as the app does`,
    });
  }
  return notices;
}

/** One notice per file whose waivers or overrides select repositories by name, at the first. */
function unnamedRepositoryNotices(files: readonly ParsedSettingsFile[]): LoadError[] {
  return files.flatMap((file) => {
    const selecting = (["waivers", "overrides"] as const)
      .flatMap((section) =>
        (file.settings[section] ?? []).flatMap((entry, index) =>
          entry.repositories
            ? [{ section, index, at: originOf(file, [section, index, "repositories"]) }]
            : [],
        ),
      )
      .sort((a, b) => a.at.line - b.at.line);
    const first = selecting[0];
    if (!first) return [];
    // Named as settings errors name an entry (`overrides.1`), the others too, so each can be found.
    const [firstName, ...others] = selecting.map(({ section, index }) => `${section}.${index}`);
    const shown = others.length > 3 ? [...others.slice(0, 3), `${others.length - 3} more`] : others;
    const also =
      shown.length === 0
        ? ""
        : ` (as ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`} ${others.length === 1 ? "does" : "do"})`;
    return [
      {
        ...first.at,
        code: "settings-no-repository",
        message: `${firstName} selects repositories by name${also}, but no --repository was given, so ${others.length > 0 ? "none of them applies" : "it does not apply"}; pass --repository <name> to check the settings as that repository's pull requests are`,
      },
    ];
  });
}

async function readSettingsFlag(
  flag: string,
  file: string | undefined,
  cwd: string,
): Promise<ParsedSettingsFile | undefined> {
  if (!file) return undefined;
  const text = await readFile(path.resolve(cwd, file), "utf8").catch(() => {
    throw new UsageError(`${flag}: cannot read ${file}`);
  });
  const parsed = parseSettingsFile(text, file);
  // The file is wrong, not the command line: its located errors, exit 2, and no usage after them.
  if (!parsed.ok)
    throw new Error(
      parsed.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n"),
    );
  return parsed.parsed;
}

/**
 * `build`'s and `test`'s problems with the files of the policy folder `dir` (named below it) named
 * from `cwd`, as `scan` names IaC files and a `--policies` folder's: `acme/x/policy.rego:3:1` for
 * `tollgate test acme`, so the path opens where the command ran. Other names (an entrypoint, a
 * helper the folder does not hold) are left as they are.
 */
export function namedFromCwd(
  problems: readonly LoadError[],
  dir: string,
  cwd: string,
): LoadError[] {
  const prefix = path.relative(cwd, dir).split(path.sep).join("/");
  if (prefix === "") return [...problems];
  return problems.map((problem) =>
    problem.file !== "" &&
    !path.isAbsolute(problem.file) &&
    existsSync(path.join(dir, problem.file))
      ? { ...problem, file: `${prefix}/${problem.file}` }
      : problem,
  );
}

/**
 * The engine for `--bundle` or `--policies` (the built-in library without either). A path that
 * cannot be read is a usage error, and policies holding no rule at all an error of the folder: a
 * scan with nothing to check would pass every file. Errors name the `--policies` folder's files from `namesFrom`, the
 * folder the run names IaC files from (the working folder for `scan`).
 */
export async function engineFor(
  flags: { bundle?: string | undefined; policies?: string | undefined },
  cwd: string,
  namesFrom = cwd,
): Promise<ScanEngine> {
  if (flags.bundle && flags.policies) throw new UsageError("give --bundle or --policies, not both");
  const given = flags.bundle
    ? { flag: "--bundle", value: flags.bundle, wanted: "file" }
    : flags.policies
      ? { flag: "--policies", value: flags.policies, wanted: "folder" }
      : undefined;
  if (given === undefined) return createEngine();
  const absolute = path.resolve(cwd, given.value);
  const info = await stat(absolute).catch(() => undefined);
  if (!info || info.isDirectory() !== (given.wanted === "folder"))
    throw new UsageError(`${given.flag}: ${given.value} is not a ${given.wanted} that can be read`);
  const engine = await createEngine(
    flags.bundle
      ? { bundlePath: absolute }
      : { policyDir: absolute, policyDirShownAs: path.relative(namesFrom, absolute) },
  );
  // The folder's content is wrong, not the command line: the error alone, without the usage.
  if ((engine.builtinRules ?? []).length === 0) {
    throw new Error(
      `${given.flag}: ${given.value} holds no rule (a tollgate.rules.* package with deny rules), so nothing would be checked`,
    );
  }
  return engine;
}

/**
 * The `--custom-policies` folders, each compiled as the app compiles a custom folder and evaluated
 * beside `engine`'s rules. A folder that cannot be read is a usage error; one that holds no rule,
 * or repeats a rule id of the engine or of another folder, an error of the folder (no usage after
 * it): its findings would be missing or counted twice.
 * Errors name a folder's files from `namesFrom`, as `engineFor` does.
 */
export async function customRulesFor(
  flags: { "custom-policies"?: string[] | undefined },
  cwd: string,
  engine: ScanEngine,
  namesFrom = cwd,
): Promise<CustomRuleSet[]> {
  const sets: CustomRuleSet[] = [];
  const owners = new Map(
    (engine.builtinRules ?? []).map((rule) => [rule.id, "the rules in force"]),
  );
  for (const given of flags["custom-policies"] ?? []) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isDirectory())
      throw new UsageError(`--custom-policies: ${given} is not a folder that can be read`);
    const set = await customRuleSet(absolute, path.relative(namesFrom, absolute));
    if (set.rules.length === 0)
      throw new Error(
        `--custom-policies: ${given} holds no rule (a tollgate.rules.* package with deny rules), so nothing would be checked`,
      );
    for (const rule of set.rules) {
      const owner = owners.get(rule.id);
      if (owner)
        throw new Error(`--custom-policies: ${given}: rule id ${rule.id} is also in ${owner}`);
      owners.set(rule.id, given);
    }
    sets.push(set);
  }
  return sets;
}

/**
 * A file's path from the top of the git repository holding the `scanned` folders, for SARIF
 * (GitHub code scanning resolves a relative `uri` from there): the run names a file from `root`
 * (the working folder for `scan`, the head folder or the repository's top for `diff`), and a
 * settings file as it was given (`settingsFiles`, from `cwd`). A file outside the repository (an
 * `--org-config` elsewhere, a module above the top) is named by its absolute path, which SARIF
 * writes as a `file://` URI: GitHub keeps an absolute URI outside the checkout as it is, where
 * `../x` would be read as a file of the repository. None when the folders are not all in one
 * repository: names stay as the run gave them.
 */
export async function repositoryPaths(
  scanned: readonly string[],
  root: string,
  cwd: string,
  settingsFiles: readonly (string | undefined)[],
): Promise<((file: string) => string) | undefined> {
  const tops = new Set<string | undefined>();
  for (const folder of scanned) {
    tops.add(
      await locateRepository(folder).then(
        ({ top }) => top,
        () => undefined,
      ),
    );
  }
  const [top] = tops;
  if (tops.size !== 1 || top === undefined) return undefined;
  // git names the top with symbolic links resolved; so must the folders named from.
  const [fromRoot, fromCwd] = await Promise.all([realpath(root), realpath(cwd)]);
  const given = new Set(settingsFiles);
  return (file) => {
    const absolute = path.resolve(given.has(file) ? fromCwd : fromRoot, file);
    const relative = path.relative(top, absolute);
    const outside =
      relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    return outside ? absolute : relative.split(path.sep).join("/");
  };
}

/** How `render` writes a decision beyond its format. */
export interface RenderOptions {
  /** New findings `tollgate diff` puts on the changed line that decided them. */
  decided?: ReadonlyMap<Finding, DecidingLine>;
  /**
   * How SARIF names a file (`repositoryPaths`). The other formats name files as the run did, for
   * the person or script that ran it where it ran.
   */
  repositoryPath?: (file: string) => string;
  /** The ways out a blocked markdown report names (the settings' waivers). */
  unblocking?: Unblocking;
  /** The findings were compared with a base (`tollgate diff`): SARIF says each one's `baselineState`. */
  comparedWithBase?: boolean;
}

export function render(
  decision: GateDecision,
  format: OutputFormat,
  { decided = new Map(), repositoryPath, unblocking, comparedWithBase = false }: RenderOptions = {},
): string {
  switch (format) {
    case "json":
      return renderJson(decision, decided) + "\n";
    case "sarif":
      return (
        renderSarif(decision, {
          decided,
          toolVersion: packageVersion(),
          comparedWithBase,
          ...(repositoryPath ? { repositoryPath } : {}),
        }) + "\n"
      );
    case "markdown":
      // Sized for a pull request comment; JSON lists every finding.
      return (
        renderMarkdown(decision, {
          decided,
          limit: COMMENT_LIMIT,
          fullReport: "`--format json` lists every finding.",
          ...(unblocking ? { unblocking } : {}),
        }) + "\n"
      );
    case "text":
      return renderText(decision, decided);
  }
}
