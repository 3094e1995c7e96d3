// OPA bundles as `opa build -t wasm` writes them: a gzipped tar with `/policy.wasm`, `/data.json`
// and `/.manifest` (whose `wasm` list names each entrypoint, with its rule annotations); a bundle
// made by hand may hold data files (`data.json`, `data.yaml`, `data.yml`) in any folder. We read
// bundles made by either tool and write the same layout, bounded against tar bombs.
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Parser, create } from "tar";
import { z } from "zod";
import { exactJsonText } from "../rego/runtime/index.js";
import { isDataFile, mergeDataFiles, type DataFile } from "./data.js";

/**
 * The entrypoint our builds add beside the rules: an object from each rule's entrypoint to its
 * `deny` value, so one `opa_eval` computes what the rules share once. It has no annotations and
 * is never a rule; bundles without it (`opa build`, older builds) are evaluated rule by rule.
 */
export const ALL_RULES_ENTRYPOINT = "tollgate/all/results";

/** One compiled entrypoint in the manifest, with the annotations of the rule it evaluates. */
export const wasmResolverSchema = z.object({
  entrypoint: z.string().min(1),
  module: z.string().min(1),
  annotations: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const manifestSchema = z
  .object({
    revision: z.string().default(""),
    roots: z.array(z.string()).optional(),
    wasm: z.array(wasmResolverSchema).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    rego_version: z.number().int().optional(),
  })
  .loose();

export type BundleManifest = z.infer<typeof manifestSchema>;

export interface PolicyBundle {
  manifest: BundleManifest;
  /** Wasm modules by their bundle path (`/policy.wasm`). */
  modules: Record<string, Uint8Array>;
  /** The bundle's base document: its data files merged (`/data.json` from `opa build`). */
  data: Record<string, unknown>;
  /** Rego sources the bundle carries (`opa build` includes them), by bundle path. */
  sources: Record<string, string>;
}

export class BundleError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

function normalise(entryPath: string): string {
  const trimmed = entryPath.replace(/^\.?\/+/, "");
  return "/" + trimmed;
}

/** Read a bundle from its gzipped tar bytes; `name` is used in error messages. */
export async function readBundle(bytes: Uint8Array, name = "bundle.tar.gz"): Promise<PolicyBundle> {
  const entries = new Map<string, Buffer>();
  let total = 0;
  let failure: BundleError | undefined;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry) => {
        if (entry.type !== "File" && entry.type !== "OldFile") {
          entry.resume();
          return;
        }
        if (entries.size >= MAX_ENTRIES)
          failure ??= new BundleError(name, `more than ${MAX_ENTRIES} entries`);
        const chunks: Buffer[] = [];
        let size = 0;
        entry.on("data", (chunk: Buffer) => {
          size += chunk.length;
          total += chunk.length;
          if (size > MAX_ENTRY_BYTES || total > MAX_TOTAL_BYTES) {
            failure ??= new BundleError(
              name,
              `entry ${entry.path} is larger than the bundle limit`,
            );
            return;
          }
          chunks.push(chunk);
        });
        entry.on("end", () => {
          if (!failure) entries.set(normalise(entry.path), Buffer.concat(chunks));
        });
      },
    });
    parser.on("error", (error: Error) =>
      reject(new BundleError(name, `not a gzipped tar: ${error.message}`)),
    );
    parser.on("end", () => resolve());
    parser.end(Buffer.from(bytes));
  });
  if (failure) throw failure;
  if (entries.size === 0) throw new BundleError(name, "not a gzipped tar bundle, or an empty one");
  return assembleBundle(entries, name);
}

function assembleBundle(entries: Map<string, Buffer>, name: string): PolicyBundle {
  let manifest: BundleManifest = { revision: "" };
  const manifestBytes = entries.get("/.manifest");
  if (manifestBytes) {
    let raw: unknown;
    try {
      raw = JSON.parse(manifestBytes.toString("utf8"));
    } catch (error) {
      throw new BundleError(name, `/.manifest is not JSON: ${(error as Error).message}`);
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success)
      throw new BundleError(name, `/.manifest: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    manifest = parsed.data;
  }
  const modules: Record<string, Uint8Array> = {};
  const sources: Record<string, string> = {};
  const dataFiles: DataFile[] = [];
  for (const [entryPath, content] of entries) {
    if (entryPath.endsWith(".wasm")) modules[entryPath] = new Uint8Array(content);
    else if (entryPath.endsWith(".rego")) sources[entryPath] = content.toString("utf8");
    else if (isDataFile(entryPath))
      dataFiles.push({ path: entryPath.slice(1), text: content.toString("utf8") });
  }
  // As OPA's bundle reader: `data.json`, `data.yaml` and `data.yml` at any depth, each at its
  // folder's path, merged as a policy folder's are, `data.tollgate` included (taken as it is).
  const { data, errors } = mergeDataFiles(dataFiles, "", true);
  if (errors.length > 0)
    throw new BundleError(
      name,
      errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join("\n"),
    );
  for (const resolver of manifest.wasm ?? []) {
    if (!modules[normalise(resolver.module)]) {
      throw new BundleError(
        name,
        `manifest names module ${resolver.module} for ${resolver.entrypoint}, which the bundle lacks`,
      );
    }
  }
  if (Object.keys(modules).length === 0)
    throw new BundleError(name, "holds no Wasm module (/policy.wasm)");
  return { manifest, modules, data, sources };
}

export interface BundleContents {
  wasm: Uint8Array;
  entrypoints: { entrypoint: string; annotations?: Record<string, unknown>[] }[];
  data?: Record<string, unknown>;
  sources?: Record<string, string>;
  revision?: string;
  metadata?: Record<string, unknown>;
}

/** Write the `opa build -t wasm` layout as gzipped tar bytes. */
export async function writeBundle(contents: BundleContents): Promise<Uint8Array> {
  const manifest: BundleManifest = {
    revision: contents.revision ?? "",
    roots: [""],
    wasm: contents.entrypoints.map((e) => ({
      entrypoint: e.entrypoint,
      module: "/policy.wasm",
      ...(e.annotations ? { annotations: e.annotations } : {}),
    })),
    ...(contents.metadata ? { metadata: contents.metadata } : {}),
    rego_version: 1,
  };
  const dir = await mkdtemp(path.join(tmpdir(), "tollgate-bundle-"));
  try {
    const files: string[] = ["data.json", "policy.wasm", ".manifest"];
    await writeFile(path.join(dir, "data.json"), exactJsonText(contents.data ?? {}));
    await writeFile(path.join(dir, "policy.wasm"), contents.wasm);
    await writeFile(path.join(dir, ".manifest"), JSON.stringify(manifest));
    for (const [sourcePath, text] of Object.entries(contents.sources ?? {})) {
      const relative = sourcePath.replace(/^\/+/, "");
      if (relative.split("/").includes(".."))
        throw new Error(`source path escapes the bundle: ${sourcePath}`);
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), text);
      files.push(relative);
    }
    const out = path.join(dir, "bundle.tar.gz");
    await create({ gzip: true, file: out, cwd: dir, portable: true, noMtime: true }, files);
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
