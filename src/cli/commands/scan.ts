// `tollgate scan <paths...>`: evaluate every policy on the IaC below the paths; every finding
// counts as new, so the exit code says whether the gate would block this code as it stands.
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { EXIT_BLOCKED, EXIT_OK, UsageError } from "../command.js";
import {
  checked,
  formatSchema,
  gateOptions,
  defineCommand,
  parameterFilesOf,
  variableFilesOf,
} from "../options.js";
import { locateRepository } from "../../fetch/git.js";
import { gateWithWaivers } from "../../gate/index.js";
import { evaluatedRules } from "../../engine/index.js";
import { isTemplateFile, isTerraformFile } from "../../iac/index.js";
import {
  engineFor,
  customRulesFor,
  loadSettings,
  readPaths,
  render,
  repositoryPaths,
  unreadSettingsNotices,
  withGivenFiles,
  type Snapshot,
} from "../pipeline.js";

export const scanCommand = defineCommand({
  name: "scan",
  summary: "evaluate the policies on Terraform and CloudFormation files",
  usage: ["tollgate scan <paths...> [options]"],
  options: gateOptions,
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError("give at least one file or folder to scan");
    const format = checked(formatSchema, values.format, "--format");
    const repository = { name: values.repository, topics: values.topic ?? [] };
    const { settings, notices: settingsNotices } = await loadSettings(values, io.cwd, repository);
    const engine = await engineFor(values, io.cwd);
    const customRules = await customRulesFor(values, io.cwd, engine);
    const read = await readPaths(positionals, io.cwd);
    // The settings name roots, templates and parameter files from the repository's top.
    const fromTop = await pathsFromTop(await foldersOf(positionals, io.cwd), io.cwd);
    const parameterFiles = parameterFilesOf(
      values,
      renamed(settings.cloudformationParameterFiles, fromTop, fromTop),
    );
    const snapshot = await withGivenFiles(read, parameterFiles["*"] ?? [], io.cwd);
    const result = await engine.scan(snapshot.files, {
      ...(snapshot.listing ? { listing: snapshot.listing } : {}),
      ruleSettings: settings.ruleSettings,
      customRules,
      variableFiles: variableFilesOf(
        values,
        renamed(settings.terraformVariableFiles, fromTop, (file) => file),
      ),
      ...(settings.terraformTool ? { terraformTool: settings.terraformTool } : {}),
      parameterFiles,
    });
    const decision = gateWithWaivers(
      result.findings.map((f) => ({ ...f, status: "new" as const })),
      [...snapshot.errors, ...result.errors],
      settings,
      {
        files: snapshot.files,
        repository,
        now: new Date(),
        ...evaluatedRules(engine, customRules),
        settingsNotices: [
          ...settingsNotices,
          ...(await unreadSettingsNotices(
            await foldersOf(positionals, io.cwd),
            values,
            io.cwd,
            io.cwd,
          )),
        ],
        wholeRepository: await coversRepository(positionals, io.cwd),
        scannedRoots: (result.addresses ?? []).map((resource) => resource.root ?? ""),
      },
    );
    // A mistyped or wrong folder scans nothing and passes; peers exit 0 on it too, and a loop over
    // folders some of which hold no IaC should not fail, so the exit code stays 0 and stderr says so.
    for (const given of positionals) {
      if (!holdsIac(snapshot, path.relative(io.cwd, path.resolve(io.cwd, given))))
        io.stderr(`tollgate scan: warning: no Terraform or CloudFormation files under ${given}\n`);
    }
    for (const line of result.printed ?? []) io.stderr(`${line}\n`);
    const settingsFiles = [values.config, values["org-config"]];
    const repositoryPath =
      format === "sarif"
        ? await repositoryPaths(await foldersOf(positionals, io.cwd), io.cwd, io.cwd, settingsFiles)
        : undefined;
    io.stdout(
      render(decision, format, {
        unblocking: { inlineWaivers: settings.inlineWaivers },
        ...(repositoryPath ? { repositoryPath } : {}),
      }),
    );
    return decision.conclusion === "failure" ? EXIT_BLOCKED : EXIT_OK;
  },
});

/**
 * How `scan` names a path the settings write from the top of the repository the scanned folders are
 * in: from the working folder, as it names the files it reads (`live/staging` is `staging` run from
 * `live`, `repo/live/staging` from the folder holding `repo`). Unchanged outside git, for folders of
 * several repositories, or at the top.
 */
async function pathsFromTop(
  folders: readonly string[],
  cwd: string,
): Promise<(fromTop: string) => string> {
  const tops = new Set<string | undefined>();
  for (const folder of folders)
    tops.add(
      await locateRepository(folder).then(
        (found) => found.top,
        () => undefined,
      ),
    );
  const [top] = tops;
  if (tops.size !== 1 || top === undefined) return (fromTop) => fromTop;
  // git names the top with symbolic links resolved; so must the working folder be.
  const [realTop, realCwd] = await Promise.all([realpath(top), realpath(cwd)]);
  if (realTop === realCwd) return (fromTop) => fromTop;
  return (fromTop) => path.relative(realCwd, path.join(realTop, fromTop)).split(path.sep).join("/");
}

/** `byPath` with each key renamed by `key` and each listed path by `value`. */
function renamed(
  byPath: Record<string, string[]>,
  key: (fromTop: string) => string,
  value: (file: string) => string,
): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(byPath).map(([name, files]) => [key(name), files.map(value)]),
  );
}

/**
 * Whether a given path is the top folder of a git repository: then the scan covered all of it, and
 * a settings waiver whose rule found nothing is stale. Any other folder may be part of one.
 */
async function coversRepository(given: readonly string[], cwd: string): Promise<boolean> {
  for (const each of given) {
    const folder = path.resolve(cwd, each);
    const top = await locateRepository(folder).then(
      (found) => found.top,
      () => undefined,
    );
    if (top !== undefined && (await realpath(top)) === (await realpath(folder))) return true;
  }
  return false;
}

/** The folders the given paths are or are in. */
async function foldersOf(given: readonly string[], cwd: string): Promise<string[]> {
  return Promise.all(
    given.map(async (each) => {
      const absolute = path.resolve(cwd, each);
      return (await stat(absolute)).isDirectory() ? absolute : path.dirname(absolute);
    }),
  );
}

/**
 * Whether the snapshot has a Terraform file or a CloudFormation template at or below `relative`
 * (from the working folder), or a file there that did not load: that one is reported already.
 */
function holdsIac(snapshot: Snapshot, relative: string): boolean {
  const prefix = relative.split(path.sep).join("/");
  const under = (file: string) => prefix === "" || file === prefix || file.startsWith(`${prefix}/`);
  return (
    snapshot.files.some(
      (file) => under(file.path) && (isTerraformFile(file.path) || isTemplateFile(file)),
    ) || snapshot.errors.some((error) => under(error.file))
  );
}
