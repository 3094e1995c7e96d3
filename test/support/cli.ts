// The CLI run in-process by tests: its exit code and what it wrote, in a folder of the caller's
// or in a scratch folder holding given files (most `tollgate diff` tests write `base/` and `head/`).
import path from "node:path";
import { main } from "../../src/cli/index.js";
import { withTempDir, writeFiles } from "./tempDir.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `tollgate <args>` run in `cwd`. */
export async function runCli(args: string[], cwd: string): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
  });
  return { code, stdout, stderr };
}

/** `tollgate <args(dir)>` run in a scratch folder `dir` holding `files`, removed afterwards. */
export function runOnFiles(
  name: string,
  files: Record<string, string>,
  args: (dir: string) => string[],
): Promise<CliRun> {
  return withTempDir(name, async (dir) => {
    await writeFiles(dir, files);
    return runCli(args(dir), dir);
  });
}

/** `diff` of the folders `base` and `head` of `dir`, then `extra`. */
export const diffArgs = (dir: string, ...extra: string[]) => [
  "diff",
  "--base-dir",
  path.join(dir, "base"),
  "--head-dir",
  path.join(dir, "head"),
  ...extra,
];

/** The findings of a `--format json` report. */
export function jsonFindings<T>(stdout: string): T[] {
  return (JSON.parse(stdout) as { findings: T[] }).findings;
}
