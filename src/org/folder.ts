// Reads a custom policy folder from GitHub: one recursive tree of a default branch (or of a commit
// the app was told about, never a pull request head outside the impact preview) picks the `.rego`
// files, data files (`data.json`, `data.yaml`, `data.yml`) and `.tar.gz` bundles, and their blob
// ids name the version before any content is read.
import { readBlobs } from "../github/blobs.js";
import { httpStatus, type GitHubApi, type RepoRef } from "../github/client.js";
import type { LoadError } from "../model/types.js";
import { isPolicyFile, type PolicySource } from "../policy/build.js";
import { isDataFile } from "../policy/data.js";

export interface PolicyFile {
  /** Path from the repository root (`tollgate/policies/s3/tags.rego`): annotations point at it. */
  path: string;
  blobSha: string;
  size: number;
  kind: "rego" | "data" | "bundle";
}

export interface PolicyFolderListing {
  repository: RepoRef;
  folder: string;
  /** `acme/.github:tollgate/policies`: how summaries and the last-good cache name the folder. */
  origin: string;
  files: PolicyFile[];
  /** Files left out (too large, too many, a truncated tree): the folder cannot be trusted whole. */
  errors: LoadError[];
}

export interface PolicyFolderContents {
  /** Rego modules and data files, by their path from the repository root. */
  sources: PolicySource[];
  /** The folder those paths start with: data files sit under `data` at their path below it. */
  folder?: string;
  bundles: { path: string; bytes: Uint8Array }[];
  errors: LoadError[];
}

/** A few hundred rules is a large library (ours has 40); bounds what one folder costs to read. */
export const MAX_POLICY_FILES = 500;
const MAX_SOURCE_BYTES = 512 * 1024;
const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;
const MAX_FOLDER_BYTES = 32 * 1024 * 1024;

export function folderOrigin(repository: RepoRef, folder: string): string {
  return `${repository.owner}/${repository.repo}:${folder}`;
}

/**
 * The folder's files at `ref`, or at the default branch when `ref` is absent. A repository or
 * folder that does not exist lists nothing: no custom rules, not an error.
 */
export async function listPolicyFolder(
  api: GitHubApi,
  repository: RepoRef,
  folder: string,
  ref: string | undefined,
  signal?: AbortSignal,
): Promise<PolicyFolderListing> {
  const listing: PolicyFolderListing = {
    repository,
    folder,
    origin: folderOrigin(repository, folder),
    files: [],
    errors: [],
  };
  let tree;
  try {
    const treeRef = ref ?? (await defaultBranch(api, repository, signal));
    ({ data: tree } = await api.rest.git.getTree({
      ...repository,
      tree_sha: treeRef,
      recursive: "1",
      request: { signal },
    }));
  } catch (error) {
    if (httpStatus(error) === 404 || httpStatus(error) === 409) return listing;
    throw error;
  }
  const prefix = `${folder}/`;
  let bytes = 0;
  const refuse = (path: string, code: string, message: string) =>
    listing.errors.push({ file: path, line: 1, column: 1, code, message });
  if (tree.truncated)
    refuse(folder, "policies-truncated", "GitHub truncated the repository's file tree");
  for (const entry of tree.tree) {
    const path = entry.path ?? "";
    if (entry.type !== "blob" || entry.mode === "120000" || !entry.sha) continue;
    if (!path.startsWith(prefix)) continue;
    const kind = policyFileKind(path.slice(prefix.length));
    if (!kind) continue;
    const size = entry.size ?? 0;
    const limit = kind === "bundle" ? MAX_BUNDLE_BYTES : MAX_SOURCE_BYTES;
    if (size > limit)
      refuse(path, "policy-too-large", `${size} bytes is over the ${limit}-byte limit`);
    else if (listing.files.length >= MAX_POLICY_FILES)
      refuse(path, "policies-too-many", `more than ${MAX_POLICY_FILES} policy files`);
    else if (bytes + size > MAX_FOLDER_BYTES)
      refuse(path, "policies-too-large", `the folder holds more than ${MAX_FOLDER_BYTES} bytes`);
    else {
      bytes += size;
      listing.files.push({ path, blobSha: entry.sha, size, kind });
    }
  }
  listing.files.sort((a, b) => a.path.localeCompare(b.path));
  return listing;
}

/** Rego sources and data files as `tollgate build` reads a folder (no tests, no fixtures), and bundles. */
export function policyFileKind(relative: string): PolicyFile["kind"] | undefined {
  if (relative.split("/").includes("fixtures")) return undefined;
  if (isDataFile(relative)) return "data";
  if (isPolicyFile(relative)) return "rego";
  if (relative.endsWith(".tar.gz")) return "bundle";
  return undefined;
}

/**
 * Sources and data files through the batched GraphQL blob read the pull request fetch uses;
 * bundles as REST blobs.
 */
export async function readPolicyFolder(
  api: GitHubApi,
  listing: PolicyFolderListing,
  signal?: AbortSignal,
): Promise<PolicyFolderContents> {
  const contents: PolicyFolderContents = {
    sources: [],
    folder: listing.folder,
    bundles: [],
    errors: [],
  };
  const rego = listing.files.filter((file) => file.kind !== "bundle");
  const texts = await readBlobs(
    api,
    listing.repository,
    rego.map((file) => ({ sha: file.blobSha, size: file.size })),
    {},
    signal,
  );
  for (const file of rego) {
    const content = texts.get(file.blobSha);
    if (content?.kind === "text") contents.sources.push({ path: file.path, text: content.text });
    else
      contents.errors.push({
        file: file.path,
        line: 1,
        column: 1,
        code: "policy-unreadable",
        message:
          content?.kind === "binary"
            ? "not UTF-8 text"
            : (content?.reason ?? "GitHub returned no content"),
      });
  }
  for (const file of listing.files.filter((f) => f.kind === "bundle")) {
    const { data } = await api.rest.git.getBlob({
      ...listing.repository,
      file_sha: file.blobSha,
      request: { signal },
    });
    if (data.encoding === "base64")
      contents.bundles.push({ path: file.path, bytes: Buffer.from(data.content, "base64") });
    else
      contents.errors.push({
        file: file.path,
        line: 1,
        column: 1,
        code: "policy-unreadable",
        message: `unexpected blob encoding '${data.encoding}'`,
      });
  }
  return contents;
}

async function defaultBranch(
  api: GitHubApi,
  repository: RepoRef,
  signal: AbortSignal | undefined,
): Promise<string> {
  const { data } = await api.rest.repos.get({ ...repository, request: { signal } });
  return data.default_branch;
}
