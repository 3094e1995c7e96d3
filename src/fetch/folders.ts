// What changed from one folder to another, in the shape `readGitChanges` gives between two git refs,
// so `tollgate diff --base-dir/--head-dir` puts findings on changed lines as it does between refs.
// The hunks come from jsdiff's line diff (Myers', as git's default).
import { createTwoFilesPatch, OMIT_HEADERS } from "diff";
import type { SourceFile } from "../iac/index.js";
import type { GitFileChange } from "./git.js";

/**
 * Lines added plus lines removed past which a file counts as wholly changed, as GitHub gives no
 * patch for a diff too large: the diff's time grows with the file's length times this bound, and a
 * 5,000-line file rewritten took 4.8 s unbounded, 0.1 s so.
 */
const MAX_EDIT_LENGTH = 1000;

/**
 * The files changed from `base` to `head`. A head file is compared with the base file of its path,
 * else with the one `renames` pairs it with (renamesByContent); a head file with neither is wholly
 * added, and a base file no head file is compared with is removed. Files of the same text at the
 * same path are left out, as git leaves them. Line endings are no change (CRLF for LF, a final
 * newline added or dropped): they decide no finding, and would mark lines no one edited.
 */
export function folderChanges(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  renames: readonly { from: string; to: string }[],
): GitFileChange[] {
  const baseByPath = new Map(base.map((file) => [file.path, file]));
  const renamedFrom = new Map(renames.map((rename) => [rename.to, rename.from]));
  const compared = new Set<string>();
  const changes: GitFileChange[] = [];
  for (const file of head) {
    const before = baseByPath.get(file.path) ?? baseByPath.get(renamedFrom.get(file.path) ?? "");
    if (before === undefined) {
      changes.push({ path: file.path, status: "added", patch: undefined });
      continue;
    }
    compared.add(before.path);
    if (before.path !== file.path) {
      const patch = changedHunks(before, file);
      changes.push({ path: file.path, status: "renamed", from: before.path, patch });
    } else if (before.text !== file.text) {
      changes.push({ path: file.path, status: "modified", patch: changedHunks(before, file) });
    }
  }
  for (const file of base) {
    if (!compared.has(file.path))
      changes.push({ path: file.path, status: "removed", patch: undefined });
  }
  return changes;
}

/** The hunks, without context lines, from `before` to `after`; undefined past MAX_EDIT_LENGTH. */
function changedHunks(before: SourceFile, after: SourceFile): string | undefined {
  return createTwoFilesPatch(
    before.path,
    after.path,
    withFinalNewline(before.text),
    withFinalNewline(after.text),
    undefined,
    undefined,
    {
      context: 0,
      stripTrailingCr: true,
      headerOptions: OMIT_HEADERS,
      maxEditLength: MAX_EDIT_LENGTH,
    },
  );
}

function withFinalNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
