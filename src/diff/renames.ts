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
import type { ScanResult } from "../engine/types.js";
import { META_KEY, type Finding, type Resource } from "../model/types.js";

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
 *    most similar pairs first;
 * 4. similar CloudFormation templates once loaded (templateValues), by the same measure over what
 *    they deploy rather than their lines, so a template converted to the other syntax and edited
 *    in the same pull request still pairs.
 * A pairing only names the root a base finding has at head (followRenames): the findings are still
 * compared by rule, resource and evidence, so a rename with an edit that opens something new at
 * head still reports it new.
 */
export function renamesByContent(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  paired: readonly Rename[] = [],
): Rename[] {
  const deployed = deployedOnce();
  return pairInTurn(base, head, paired, [
    pairEqual((file) => file.text),
    pairEqual((file) => templateContent(deployed(file))),
    pairSimilar((file) => ({ kind: isTerraformSource(file.path), parts: lineCounts(file.text) })),
    pairSimilar((file) => templateValues(deployed(file))),
  ]);
}

/**
 * CloudFormation templates rewritten in the other syntax (YAML to JSON or back), with the same
 * resources or similar ones (steps 2 and 4 above): the renames the app adds to GitHub's, which
 * pairs files by their text alone.
 */
export function convertedTemplates(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  paired: readonly Rename[] = [],
): Rename[] {
  const deployed = deployedOnce();
  return pairInTurn(base, head, paired, [
    pairEqual((file) => templateContent(deployed(file))),
    pairSimilar((file) => templateValues(deployed(file))),
  ]);
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

/** A loaded resource without its places: what the template deploys, however it is written. */
type Deployed = Omit<
  Resource,
  "file" | "line" | "column" | "endLine" | "locations" | "readAt" | "readFrom" | "root"
>;

/**
 * The resources of a CloudFormation template, loaded on its own, without their places, by
 * address; undefined for a file that is no template or holds no resource. Each file is loaded
 * once however many pairings ask.
 */
function deployedOnce(): (file: SourceFile) => Deployed[] | undefined {
  const loaded = new Map<SourceFile, Deployed[] | undefined>();
  return (file) => {
    if (loaded.has(file)) return loaded.get(file);
    let deployed: Deployed[] | undefined;
    if (isTemplateFile(file)) {
      const { resources } = loadCloudFormation(file);
      deployed = resources
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
        .sort((a, b) => byText(a.address, b.address));
      if (deployed.length === 0) deployed = undefined;
    }
    loaded.set(file, deployed);
    return deployed;
  };
}

/**
 * What a CloudFormation template deploys as one text, keys sorted. Unknown values are named in
 * short form whichever syntax wrote them (`!GetAtt Role.Arn`), so YAML and its JSON conversion
 * give the same text.
 */
function templateContent(deployed: Deployed[] | undefined): string | undefined {
  if (deployed === undefined) return undefined;
  return JSON.stringify(deployed, (_key, value: unknown) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => byText(a, b)))
      : value,
  );
}

/**
 * A template's deployed values as parts for `similarity`, in place of lines: each resource's
 * logical id with its type, and each value of its properties and resource attributes with the
 * logical id and the path to it (`Logs/Tags/[]/Key "team"`). List items are not numbered, so a
 * tag added first moves no other value; each part weighs its length, as a line does. A template
 * shares half of its weight with another only when most of its resources are there with most of
 * their properties: two templates that only both declare a `Bucket` are not paired.
 */
function templateValues(deployed: Deployed[] | undefined): Measured | undefined {
  if (deployed === undefined) return undefined;
  const parts = new Map<string, number>();
  for (const resource of deployed) addResourceValues(parts, resource);
  return { parts };
}

/** What a CloudFormation resource deploys, as parts (templateValues) added to `parts`. */
function addResourceValues(
  parts: Map<string, number>,
  resource: Pick<Deployed, "address" | "type" | "config" | "meta">,
): void {
  const add = (part: string) => parts.set(part, (parts.get(part) ?? 0) + 1);
  const walk = (path: string, value: unknown): void => {
    if (Array.isArray(value)) {
      if (value.length === 0) add(`${path} []`);
      for (const item of value) walk(`${path}/[]`, item);
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value);
      if (entries.length === 0) add(`${path} {}`);
      for (const [key, item] of entries) walk(`${path}/${key}`, item);
    } else add(`${path} ${JSON.stringify(value)}`);
  };
  add(`${resource.address}: ${resource.type}`);
  walk(resource.address, resource.config);
  if (resource.meta) walk(`${resource.address}/${META_KEY}`, resource.meta);
}

/**
 * Whether a CloudFormation resource deploys every value `before` deploys (templateValues' parts,
 * list items unnumbered), perhaps more: the same resource, or the same with something added.
 */
export function deploysAllOf(
  before: Pick<Deployed, "address" | "type" | "config" | "meta">,
  after: Pick<Deployed, "address" | "type" | "config" | "meta">,
): boolean {
  const beforeParts = new Map<string, number>();
  const afterParts = new Map<string, number>();
  addResourceValues(beforeParts, before);
  addResourceValues(afterParts, after);
  for (const [part, count] of beforeParts) if ((afterParts.get(part) ?? 0) < count) return false;
  return true;
}

/**
 * What similarity compares of a file: its parts, each with how often it occurs; files are only
 * compared with files of the same `kind`.
 */
interface Measured {
  kind?: boolean;
  parts: ReadonlyMap<string, number>;
}

/** Pairs files whose parts are similar enough, the most similar first. */
function pairSimilar(measure: (file: SourceFile) => Measured | undefined): Pairing {
  return (gone, added) => {
    if (gone.length * added.length > MAX_COMPARISONS) return [];
    const addedMeasures = added.map((file) => {
      const measured = measure(file);
      return measured && { ...measured, size: sizeOf(measured.parts) };
    });
    const candidates: { from: string; to: string; score: number }[] = [];
    for (const before of gone) {
      const measured = measure(before);
      if (measured === undefined) continue;
      const beforeSize = sizeOf(measured.parts);
      added.forEach((after, index) => {
        const other = addedMeasures[index];
        if (other === undefined || other.kind !== measured.kind) return;
        const score = similarity(beforeSize, measured.parts, other.size, other.parts);
        if (score >= MIN_SIMILARITY) candidates.push({ from: before.path, to: after.path, score });
      });
    }
    candidates.sort((a, b) => b.score - a.score || byText(a.from, b.from) || byText(a.to, b.to));
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
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A text's lines, each with its line break, and how often each occurs. */
function lineCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? [])
    counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** The characters of all parts, each counted as often as it occurs: a text's length. */
function sizeOf(parts: ReadonlyMap<string, number>): number {
  let size = 0;
  for (const [part, count] of parts) size += part.length * count;
  return size;
}

/**
 * The share of the larger file made of parts both hold (each counted as often as both hold it),
 * in characters: git scores a rename so, the bytes of the source found again in the destination
 * over the larger size (diffcore-rename.c). Empty files are never similar.
 */
function similarity(
  beforeSize: number,
  beforeParts: ReadonlyMap<string, number>,
  afterSize: number,
  afterParts: ReadonlyMap<string, number>,
): number {
  const larger = Math.max(beforeSize, afterSize);
  if (larger === 0 || Math.min(beforeSize, afterSize) < MIN_SIMILARITY * larger) return 0;
  let common = 0;
  for (const [part, count] of afterParts) {
    common += Math.min(count, beforeParts.get(part) ?? 0) * part.length;
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
  const { renamedFile, renamedRoot } = renamesAtHead(renames, headPaths);
  return findings.map((finding) => {
    if (finding.root === undefined) return finding;
    const root =
      finding.root === finding.file ? renamedFile.get(finding.root) : renamedRoot(finding.root);
    return root === undefined ? finding : { ...finding, root };
  });
}

/**
 * A base scan with the names it has at head: its findings' roots (followRenames), and its
 * resources' roots with, for CloudFormation, the template each is written in, which stackMoves
 * compares (a template moved to another folder and nested under a new parent in one PR).
 */
export function followRenamesInScan(
  scan: ScanResult,
  renames: readonly Rename[],
  headPaths: Iterable<string>,
): ScanResult {
  const paths = [...headPaths];
  const findings = followRenames(scan.findings, renames, paths);
  if (renames.length === 0 || scan.addresses === undefined) return { ...scan, findings };
  const { renamedFile, renamedRoot } = renamesAtHead(renames, paths);
  const addresses = scan.addresses.map((entry) => {
    const root = entry.root === undefined ? undefined : renamedRoot(entry.root);
    const file = entry.stack && renamedFile.get(entry.stack.file);
    return {
      ...entry,
      ...(root === undefined ? {} : { root }),
      ...(entry.stack && file !== undefined ? { stack: { ...entry.stack, file } } : {}),
    };
  });
  return { ...scan, findings, addresses };
}

/**
 * Renamed files by their base path, and the head name of a base root that is not itself a file
 * its findings are in: a Terraform root folder (see followRenames), else a renamed template.
 */
function renamesAtHead(
  renames: readonly Rename[],
  headPaths: Iterable<string>,
): {
  renamedFile: ReadonlyMap<string, string>;
  renamedRoot: (root: string) => string | undefined;
} {
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
  return {
    renamedFile,
    renamedRoot: (root) => renamedFolder.get(root) ?? renamedFile.get(root),
  };
}
