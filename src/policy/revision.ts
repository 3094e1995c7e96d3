// What decides a compiled bundle besides its policy sources: the Rego compiler (`rego/`, its Wasm
// runtime included) and the bundle builder (`policy/build.ts`, `bundle.ts`, `metadata.ts`), hashed
// as this process loads them, `.ts` under tsx, `.js` from `dist/`. Bundles record it, so a bundle
// or cache entry that outlived a compiler change is never taken for current.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding `rego/` and `policy/`: `src/` or `dist/`. */
export interface CompilerFiles {
  root: string;
  /** The extension of the modules that run: `.ts` (src, under tsx) or `.js` (dist). */
  extension: ".ts" | ".js";
}

/** Where a bundle's manifest keeps the revisions of the compiler that built it, by extension. */
export const COMPILER_METADATA_KEY = "tollgate_compiler";

const BUILDER_FILES = ["policy/build", "policy/bundle", "policy/metadata"];

const here = fileURLToPath(import.meta.url);

/** The compiler this process runs. */
export const runningCompiler: CompilerFiles = {
  root: path.resolve(path.dirname(here), ".."),
  extension: here.endsWith(".ts") ? ".ts" : ".js",
};

/** The compiler's files below `files.root`, relative with `/`, sorted. */
export function compilerFiles(files: CompilerFiles): string[] {
  const found: string[] = [];
  const rego = path.join(files.root, "rego");
  for (const entry of readdirSync(rego, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const relative = path
      .relative(files.root, path.join(entry.parentPath, entry.name))
      .split(path.sep)
      .join("/");
    // The AssemblyScript sources reach a bundle only as the built runtime.wasm, hashed itself;
    // the conformance harness compares against OPA and builds nothing.
    if (/^rego\/(runtime\/assembly|conformance)\//.test(relative)) continue;
    const isModule =
      relative.endsWith(files.extension) &&
      !relative.endsWith(".d.ts") &&
      !relative.endsWith(".test.ts");
    if (isModule || relative.endsWith(".wasm")) found.push(relative);
  }
  for (const builder of BUILDER_FILES) found.push(builder + files.extension);
  return found.sort();
}

/** The hash of the compiler's files (path and content of each). */
export function compilerRevisionOf(files: CompilerFiles): string {
  const hash = createHash("sha256");
  for (const relative of compilerFiles(files))
    hash
      .update(relative)
      .update("\0")
      .update(readFileSync(path.join(files.root, relative)))
      .update("\0");
  return "sha256:" + hash.digest("hex");
}

let running: string | undefined;

/** The revision of the compiler this process runs, computed once. */
export function compilerRevision(): string {
  running ??= compilerRevisionOf(runningCompiler);
  return running;
}

let recorded: Record<string, string> | undefined;

/**
 * What a bundle built by this process records: the running compiler's revision and, when it runs
 * from `dist/` next to a `src/` that `dist/` is not older than, the sources' too, so tsx (tests,
 * development) can use the `npm run build` bundle until a source of the compiler changes.
 */
export function builtByRevisions(files: CompilerFiles = runningCompiler): Record<string, string> {
  if (files === runningCompiler && recorded) return recorded;
  const revisions: Record<string, string> = {
    [files.extension]: files === runningCompiler ? compilerRevision() : compilerRevisionOf(files),
  };
  const sources: CompilerFiles = { root: path.join(files.root, "..", "src"), extension: ".ts" };
  if (files.extension === ".js" && builtFrom(files, sources))
    revisions[".ts"] = compilerRevisionOf(sources);
  if (files === runningCompiler) recorded = revisions;
  return revisions;
}

/** Whether a bundle's manifest metadata says it was built by the compiler `files` hold. */
export function builtByCompiler(
  metadata: Record<string, unknown> | undefined,
  files: CompilerFiles = runningCompiler,
): boolean {
  const revisions = metadata?.[COMPILER_METADATA_KEY];
  if (typeof revisions !== "object" || revisions === null) return false;
  const current = files === runningCompiler ? compilerRevision() : compilerRevisionOf(files);
  return (revisions as Record<string, unknown>)[files.extension] === current;
}

/**
 * Every compiler source has its built module, no older than it, and the runtimes are the same
 * bytes: `dist/` was built from these sources (a `src/` edited since, or absent, is not).
 */
function builtFrom(built: CompilerFiles, sources: CompilerFiles): boolean {
  if (!existsSync(path.join(sources.root, "rego"))) return false;
  for (const relative of compilerFiles(sources)) {
    const source = path.join(sources.root, relative);
    const target = path.join(built.root, relative.replace(/\.ts$/, ".js"));
    if (!existsSync(target)) return false;
    if (relative.endsWith(".wasm")) {
      if (!readFileSync(source).equals(readFileSync(target))) return false;
    } else if (statSync(target).mtimeMs < statSync(source).mtimeMs) return false;
  }
  return true;
}
