// Where tests and benchmarks find the repository and the shared test data (`../shared` beside
// it), and listings of `shared/corpus` walked once per process instead of once per suite.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile } from "../../src/iac/source.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedDir = path.resolve(repoRoot, "../shared");
export const corpusDir = path.join(sharedDir, "corpus");

const listings = new Map<string, readonly string[]>();

/**
 * Absolute paths of the files under `shared/corpus/<folder>` whose names end in `ext` ("" for
 * every file), depth first, each directory's names sorted.
 */
export function corpusFiles(ext: string, folder = "real"): readonly string[] {
  let files = listings.get(folder);
  if (files === undefined) {
    files = walk(path.join(corpusDir, folder), []);
    listings.set(folder, files);
  }
  return files.filter((file) => file.endsWith(ext));
}

/**
 * KICS's examples for a platform relative to the corpus:
 * `kics/cloudformation/<query>/test/positive1.yaml`.
 */
export function kicsExamples(platform: string): string[] {
  return corpusFiles("", `kics/${platform}`)
    .map((file) => path.relative(corpusDir, file))
    .filter((file) => /\/test\/(positive|negative)\d*\.[a-z]+$/.test(file));
}

/** One file of `shared/corpus` as a source; `relative` (`real/cfngoat/eks.yaml`) is its path. */
export function corpusSource(relative: string): SourceFile {
  return { path: relative, text: readFileSync(path.join(corpusDir, relative), "utf8") };
}

/** Every file under `directory` (fixtures, part of the corpus) as a source, path relative to it. */
export function readSources(directory: string): SourceFile[] {
  return walk(directory, []).map((file) => ({
    path: path.relative(directory, file),
    text: readFileSync(file, "utf8"),
  }));
}

function walk(directory: string, out: string[]): string[] {
  for (const name of readdirSync(directory).sort()) {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}
