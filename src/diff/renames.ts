// Files a pull request renamed, and base findings carried over to the names they have at head. A
// finding's identity holds its root (the Terraform root module's folder, the template's path), so
// without this `git mv stack.yaml cfn/stack.yaml` or renaming `envs/prod` made every finding there
// new and fixed at once, and a PR that changes nothing deployed was blocked.
import {
  directoryOf,
  isTemplateFile,
  isTerraformSource,
  loadCloudFormation,
  type SourceFile,
} from "../iac/index.js";
import type { Finding } from "../model/types.js";

/** A file the pull request renamed: its path at base and at head. */
export interface Rename {
  from: string;
  to: string;
}

/** Git's default rename threshold (`--find-renames` without a score): half the content the same. */
const MIN_SIMILARITY = 0.5;
/** File pairs compared for similar text at most, so a tree of thousands of new files stays quick. */
const MAX_COMPARISONS = 20_000;

/**
 * Renames told by content, for files git or GitHub did not pair (two folders, files git does not
 * track, a template rewritten in the other syntax). Among the files gone at head and the files new
 * at head, none of them in `paired` already, each is paired once, in this order:
 * 1. the same text;
 * 2. the same CloudFormation template once loaded: the same resources with the same properties,
 *    whether written in YAML or JSON, where they are written aside;
 * 3. similar text, as git's rename detection judges it by default: lines holding at least half of
 *    the larger file are in the other too, between two Terraform sources or two other files; the
 *    most similar pairs first.
 * A pairing only names the root a base finding has at head (followRenames): the findings are still
 * compared by rule, resource and evidence, so a rename with an edit that opens something new at
 * head still reports it new.
 */
export function renamesByContent(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  paired: readonly Rename[] = [],
): Rename[] {
  return pairInTurn(base, head, paired, [
    pairEqual((file) => file.text),
    pairEqual(templateContent),
    pairSimilar,
  ]);
}

/**
 * CloudFormation templates rewritten in the other syntax (YAML to JSON or back) with the same
 * resources: the one rename the app adds to GitHub's, which pairs files by their text alone.
 */
export function convertedTemplates(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  paired: readonly Rename[] = [],
): Rename[] {
  return pairInTurn(base, head, paired, [pairEqual(templateContent)]);
}

/** Files gone at head paired with files new at head by each pairing in turn, each file once. */
function pairInTurn(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  paired: readonly Rename[],
  pairings: readonly Pairing[],
): Rename[] {
  const headPaths = new Set(head.map((file) => file.path));
  const basePaths = new Set(base.map((file) => file.path));
  const pairedFrom = new Set(paired.map((rename) => rename.from));
  const pairedTo = new Set(paired.map((rename) => rename.to));
  let gone = base.filter((file) => !headPaths.has(file.path) && !pairedFrom.has(file.path));
  let added = head.filter((file) => !basePaths.has(file.path) && !pairedTo.has(file.path));
  const renames: Rename[] = [];
  for (const pairing of pairings) {
    const found = pairing(gone, added);
    if (found.length === 0) continue;
    renames.push(...found);
    const from = new Set(found.map((rename) => rename.from));
    const to = new Set(found.map((rename) => rename.to));
    gone = gone.filter((file) => !from.has(file.path));
    added = added.filter((file) => !to.has(file.path));
  }
  return renames;
}

type Pairing = (gone: readonly SourceFile[], added: readonly SourceFile[]) => Rename[];

/** Pairs files whose keys are equal (and defined), each once, in the order given. */
function pairEqual(key: (file: SourceFile) => string | undefined): Pairing {
  return (gone, added) => {
    if (gone.length === 0 || added.length === 0) return [];
    const byKey = new Map<string, string[]>();
    for (const file of added) {
      const value = key(file);
      if (value === undefined) continue;
      const same = byKey.get(value);
      if (same) same.push(file.path);
      else byKey.set(value, [file.path]);
    }
    const renames: Rename[] = [];
    for (const file of gone) {
      const value = key(file);
      const to = value === undefined ? undefined : byKey.get(value)?.shift();
      if (to !== undefined) renames.push({ from: file.path, to });
    }
    return renames;
  };
}

/**
 * What a CloudFormation template deploys, told apart from how it is written: its loaded resources
 * without their places, keys sorted. Unknown values are named in short form whichever syntax
 * wrote them (`!GetAtt Role.Arn`), so YAML and its JSON conversion give the same text. Undefined
 * for a file that is no template or holds no resource.
 */
function templateContent(file: SourceFile): string | undefined {
  if (!isTemplateFile(file)) return undefined;
  const { resources } = loadCloudFormation(file);
  if (resources.length === 0) return undefined;
  const deployed = resources
    .map(
      ({
        file: _file,
        line: _line,
        column: _column,
        endLine: _endLine,
        locations: _locations,
        readAt: _readAt,
        readFrom: _readFrom,
        root: _root,
        ...rest
      }) => rest,
    )
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return JSON.stringify(deployed, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/** Pairs files of one kind whose text is similar enough, the most similar first. */
const pairSimilar: Pairing = (gone, added) => {
  if (gone.length * added.length > MAX_COMPARISONS) return [];
  const addedLines = added.map((file) => lineCounts(file.text));
  const candidates: { from: string; to: string; score: number }[] = [];
  for (const before of gone) {
    const beforeLines = lineCounts(before.text);
    added.forEach((after, index) => {
      if (isTerraformSource(before.path) !== isTerraformSource(after.path)) return;
      const score = similarity(
        before.text.length,
        beforeLines,
        after.text.length,
        addedLines[index],
      );
      if (score >= MIN_SIMILARITY) candidates.push({ from: before.path, to: after.path, score });
    });
  }
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  candidates.sort((a, b) => b.score - a.score || byPath(a.from, b.from) || byPath(a.to, b.to));
  const from = new Set<string>();
  const to = new Set<string>();
  const renames: Rename[] = [];
  for (const candidate of candidates) {
    if (from.has(candidate.from) || to.has(candidate.to)) continue;
    from.add(candidate.from);
    to.add(candidate.to);
    renames.push({ from: candidate.from, to: candidate.to });
  }
  return renames;
};

/** A text's lines, each with its line break, and how often each occurs. */
function lineCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? [])
    counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/**
 * The share of the larger text made of lines both hold (each counted as often as both hold it),
 * in characters: git scores a rename so, the bytes of the source found again in the destination
 * over the larger size (diffcore-rename.c). Empty files are never similar.
 */
function similarity(
  beforeSize: number,
  beforeLines: ReadonlyMap<string, number>,
  afterSize: number,
  afterLines: ReadonlyMap<string, number> | undefined,
): number {
  const larger = Math.max(beforeSize, afterSize);
  if (larger === 0 || Math.min(beforeSize, afterSize) < MIN_SIMILARITY * larger) return 0;
  let common = 0;
  for (const [line, count] of afterLines ?? []) {
    common += Math.min(count, beforeLines.get(line) ?? 0) * line.length;
  }
  return common / larger;
}

/**
 * Base findings with the root they have at head: a renamed template's new path, and for a
 * Terraform root folder whose renamed files all went to one other folder, leaving none of its
 * Terraform files behind at head, that folder. Anything else keeps its root.
 */
export function followRenames(
  findings: readonly Finding[],
  renames: readonly Rename[],
  headPaths: Iterable<string>,
): Finding[] {
  if (renames.length === 0) return [...findings];
  const renamedFile = new Map(renames.map((rename) => [rename.from, rename.to]));
  const leftAtHead = new Set<string>();
  for (const path of headPaths) if (isTerraformSource(path)) leftAtHead.add(directoryOf(path));
  const targets = new Map<string, Set<string>>();
  for (const { from, to } of renames) {
    if (!isTerraformSource(from)) continue;
    const folder = directoryOf(from);
    const set = targets.get(folder) ?? new Set<string>();
    set.add(directoryOf(to));
    targets.set(folder, set);
  }
  const renamedFolder = new Map<string, string>();
  for (const [folder, to] of targets) {
    const [only] = to;
    if (to.size === 1 && only !== undefined && only !== folder && !leftAtHead.has(folder))
      renamedFolder.set(folder, only);
  }
  return findings.map((finding) => {
    if (finding.root === undefined) return finding;
    const root =
      finding.root === finding.file
        ? renamedFile.get(finding.root)
        : (renamedFolder.get(finding.root) ?? renamedFile.get(finding.root));
    return root === undefined ? finding : { ...finding, root };
  });
}
