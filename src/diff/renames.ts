// Files a pull request renamed, and base findings carried over to the names they have at head. A
// finding's identity holds its root (the Terraform root module's folder, the template's path), so
// without this `git mv stack.yaml cfn/stack.yaml` or renaming `envs/prod` made every finding there
// new and fixed at once, and a PR that changes nothing deployed was blocked.
import { directoryOf, isTerraformSource } from "../iac/source.js";
import type { Finding } from "../model/types.js";

/** A file the pull request renamed: its path at base and at head. */
export interface Rename {
  from: string;
  to: string;
}

/**
 * Renames told by content alone, for snapshots without git's or GitHub's word on them (two
 * folders): a file gone at head whose exact text a file new at head holds, each paired once.
 */
export function renamesByContent(
  base: readonly { path: string; text: string }[],
  head: readonly { path: string; text: string }[],
): Rename[] {
  const headPaths = new Set(head.map((file) => file.path));
  const basePaths = new Set(base.map((file) => file.path));
  const added = new Map<string, string[]>();
  for (const file of head) {
    if (basePaths.has(file.path)) continue;
    const same = added.get(file.text);
    if (same) same.push(file.path);
    else added.set(file.text, [file.path]);
  }
  const renames: Rename[] = [];
  for (const file of base) {
    if (headPaths.has(file.path)) continue;
    const to = added.get(file.text)?.shift();
    if (to !== undefined) renames.push({ from: file.path, to });
  }
  return renames;
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
