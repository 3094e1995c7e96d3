// Which head-side lines a pull request changed, from the unified diff `patch` GitHub gives per file.
// Hand-written rather than a diff library because only hunk headers and `+` lines matter here, and
// GitHub's patches are hunks without file headers, which general parsers treat as malformed.

/** Head-side line numbers added or modified in a file, or `all` when GitHub gave no patch (diff too large). */
export type ChangedLines = ReadonlySet<number> | "all";

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function parsePatchChangedLines(patch: string): Set<number> {
  const changed = new Set<number>();
  let headLine = 0;
  let inHunk = false;
  for (const line of patch.split("\n")) {
    const header = HUNK_HEADER.exec(line);
    if (header) {
      headLine = Number(header[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    const marker = line[0];
    if (marker === "+") changed.add(headLine++);
    else if (marker === " " || marker === undefined) headLine++;
    // `-` lines exist only at base; `\ No newline at end of file` belongs to neither side.
  }
  return changed;
}

export interface PatchedFile {
  path: string;
  status: string;
  patch?: string | undefined;
}

/** Changed lines per head path; removed files are absent since nothing at head can be annotated there. */
export function changedLinesByFile(files: readonly PatchedFile[]): Map<string, ChangedLines> {
  const byFile = new Map<string, ChangedLines>();
  for (const file of files) {
    if (file.status === "removed") continue;
    byFile.set(file.path, file.patch === undefined ? "all" : parsePatchChangedLines(file.patch));
  }
  return byFile;
}
