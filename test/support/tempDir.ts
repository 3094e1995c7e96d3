// Scratch folders for tests that write files and run the CLI on them: each is removed when the
// test body ends, passed or failed, so no test leaves its files in the system's temp folder.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Runs `body` in a new folder `<tmp>/tollgate-<name>-XXXXXX`, then removes the folder. */
export async function withTempDir<T>(name: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), `tollgate-${name}-`));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes each text at its path relative to `dir`, creating the folders on the way. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(dir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
