// Reads blob contents, deduplicated by blob id so a file unchanged between base and head is read
// once. Octokit's throttling paces every GraphQL query like a write (one a second per installation,
// shared with check run updates) but lets GETs run 10 at a time, so a few blobs are REST GETs in
// parallel and many are GraphQL `object(oid:)` lookups under aliases, bounded by count and bytes.
// Truncated or failed lookups fall back to REST blobs; a rate limit fails the read. Texts already
// read for the same repository come from a `BlobCache` when one is given: a blob id names its
// content for good, so each push of a pull request reads only the blobs it has not read before.
import { z } from "zod";
import { rateLimitOf, type GitHubApi, type RepoRef } from "./client.js";

export interface BlobRequest {
  sha: string;
  size: number;
}

/**
 * A blob's text when it is UTF-8 without NUL; otherwise its bytes, which the caller judges by the
 * file's name as the CLI judges a file on disk (`checkSourceBytes`): a template that is only not
 * UTF-8 (Latin-1, as the AWS CLI reads in such a locale) must fail closed, not be passed over.
 */
export type BlobContent =
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: Uint8Array }
  | { kind: "unreadable"; reason: string };

export interface BlobReadOptions {
  /** Aliases per GraphQL query. */
  blobsPerQuery?: number;
  /** Sum of blob sizes per GraphQL query, to keep each response well under GitHub's limits. */
  bytesPerQuery?: number;
  /**
   * Up to this many distinct blobs a read is REST GETs (not write-paced, one REST point each);
   * beyond it, one GraphQL query per batch. The REST quota decides: 5,000 requests an hour per
   * installation, and a 10-file PR read as 19 GETs makes a check cost 27 requests instead of 9, so
   * an org-wide re-run of 300 PRs would need 8,100 (quota gone) instead of 2,700. At 2 (a one-file
   * PR's base and head) a check costs at most one request more than with GraphQL, and the
   * smallest PRs skip the one-second write pacing Octokit's throttling gives a GraphQL query.
   */
  restBlobLimit?: number;
  /** REST blob GETs in flight at once (Octokit's throttling allows 10 per installation). */
  restConcurrency?: number;
  /** Texts read before, by repository and blob id; absent, every blob is read. */
  cache?: BlobCache;
}

/**
 * The texts of blobs read, by repository and blob id, least recently used dropped first past
 * `maxBytes` of UTF-8 (as GitHub sizes blobs; a string's `length` counts UTF-16 units, so text
 * outside ASCII would overrun the bound). Per repository, so no installation is given another's file by its id alone.
 */
export class BlobCache {
  private readonly texts = new Map<string, { text: string; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  get(repository: RepoRef, sha: string): string | undefined {
    const key = cacheKey(repository, sha);
    const entry = this.texts.get(key);
    if (entry === undefined) return undefined;
    this.texts.delete(key);
    this.texts.set(key, entry);
    return entry.text;
  }

  set(repository: RepoRef, sha: string, text: string): void {
    const key = cacheKey(repository, sha);
    const bytes = Buffer.byteLength(text);
    if (this.texts.has(key) || bytes > this.maxBytes) return;
    this.texts.set(key, { text, bytes });
    this.bytes += bytes;
    for (const [oldest, dropped] of this.texts) {
      if (this.bytes <= this.maxBytes) break;
      this.texts.delete(oldest);
      this.bytes -= dropped.bytes;
    }
  }
}

function cacheKey(repository: RepoRef, sha: string): string {
  return `${repository.owner}/${repository.repo}`.toLowerCase() + `@${sha}`;
}

const REST_BLOB_LIMIT = 2;
const REST_CONCURRENCY = 8;

const graphqlBlob = z
  .object({
    text: z.string().nullable(),
    isBinary: z.boolean().nullable(),
    isTruncated: z.boolean(),
    byteSize: z.number(),
  })
  .nullable();
const graphqlBlobs = z.object({ repository: z.record(z.string(), graphqlBlob) });

const SHA = /^[0-9a-f]{40}$/;

/** Blob requests grouped into queries: at most `blobsPerQuery` each and about `bytesPerQuery` bytes. */
export function planBlobQueries(
  blobs: readonly BlobRequest[],
  options: BlobReadOptions = {},
): BlobRequest[][] {
  const maxCount = options.blobsPerQuery ?? 100;
  const maxBytes = options.bytesPerQuery ?? 4 * 1024 * 1024;
  const queries: BlobRequest[][] = [];
  let current: BlobRequest[] = [];
  let bytes = 0;
  for (const blob of blobs) {
    if (current.length > 0 && (current.length >= maxCount || bytes + blob.size > maxBytes)) {
      queries.push(current);
      current = [];
      bytes = 0;
    }
    current.push(blob);
    bytes += blob.size;
  }
  if (current.length > 0) queries.push(current);
  return queries;
}

export async function readBlobs(
  api: GitHubApi,
  repository: RepoRef,
  blobs: readonly BlobRequest[],
  options: BlobReadOptions = {},
  signal?: AbortSignal,
): Promise<Map<string, BlobContent>> {
  const contents = new Map<string, BlobContent>();
  const { cache } = options;
  const unique = [
    ...new Map(blobs.filter((b) => SHA.test(b.sha)).map((b) => [b.sha, b])).values(),
  ].filter((blob) => {
    const text = cache?.get(repository, blob.sha);
    if (text !== undefined) contents.set(blob.sha, { kind: "text", text });
    return text === undefined;
  });
  for (const [sha, content] of await readUncached(api, repository, unique, options, signal)) {
    contents.set(sha, content);
    if (content.kind === "text") cache?.set(repository, sha, content.text);
  }
  return contents;
}

/** The blobs' contents from GitHub: REST GETs for a few, GraphQL batches for more. */
async function readUncached(
  api: GitHubApi,
  repository: RepoRef,
  unique: readonly BlobRequest[],
  options: BlobReadOptions,
  signal: AbortSignal | undefined,
): Promise<Map<string, BlobContent>> {
  const contents = new Map<string, BlobContent>();
  const concurrency = Math.max(1, options.restConcurrency ?? REST_CONCURRENCY);
  if (unique.length <= (options.restBlobLimit ?? REST_BLOB_LIMIT)) {
    const shas = unique.map((blob) => blob.sha);
    await readBlobsRest(api, repository, shas, concurrency, contents, signal);
    return contents;
  }
  for (const query of planBlobQueries(unique, options)) {
    const fallback: string[] = [];
    try {
      const found = await queryBlobs(api, repository, query, signal);
      query.forEach((blob, index) => {
        const entry = found[`b${index}`];
        // GraphQL's text is the blob's bytes only when it is their UTF-8 (its byte length is the
        // blob's): any other text was decoded from another encoding or with U+FFFD in place of
        // bytes, and a binary blob gives none, so those bytes are read with REST.
        if (
          !entry ||
          entry.isTruncated ||
          entry.isBinary ||
          entry.text === null ||
          Buffer.byteLength(entry.text) !== entry.byteSize
        )
          fallback.push(blob.sha);
        else contents.set(blob.sha, { kind: "text", text: entry.text });
      });
    } catch (error) {
      if (signal?.aborted || stillLimited(error)) throw error;
      fallback.push(...query.map((blob) => blob.sha));
    }
    await readBlobsRest(api, repository, fallback, concurrency, contents, signal);
  }
  return contents;
}

/** One REST GET per blob, `concurrency` at a time, into `contents`. */
async function readBlobsRest(
  api: GitHubApi,
  repository: RepoRef,
  shas: readonly string[],
  concurrency: number,
  contents: Map<string, BlobContent>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  const reader = async () => {
    for (let sha = shas[next++]; sha !== undefined; sha = shas[next++]) {
      signal?.throwIfAborted();
      contents.set(sha, await readBlobRest(api, repository, sha, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, shas.length) }, reader));
}

async function queryBlobs(
  api: GitHubApi,
  repository: RepoRef,
  query: BlobRequest[],
  signal: AbortSignal | undefined,
) {
  const variables: Record<string, string> = { owner: repository.owner, name: repository.repo };
  const declarations = ["$owner: String!", "$name: String!"];
  const selections = query.map((blob, index) => {
    variables[`o${index}`] = blob.sha;
    declarations.push(`$o${index}: GitObjectID!`);
    return `b${index}: object(oid: $o${index}) { ... on Blob { text isBinary isTruncated byteSize } }`;
  });
  const document = `query(${declarations.join(", ")}) { repository(owner: $owner, name: $name) { ${selections.join(" ")} } }`;
  return graphqlBlobs.parse(await api.graphql(document, { ...variables, request: { signal } }))
    .repository;
}

async function readBlobRest(
  api: GitHubApi,
  repository: RepoRef,
  sha: string,
  signal: AbortSignal | undefined,
): Promise<BlobContent> {
  try {
    const { data } = await api.rest.git.getBlob({
      owner: repository.owner,
      repo: repository.repo,
      file_sha: sha,
      request: { signal },
    });
    if (data.encoding !== "base64")
      return { kind: "unreadable", reason: `unexpected blob encoding '${data.encoding}'` };
    return decodeText(Buffer.from(data.content, "base64"));
  } catch (error) {
    if (signal?.aborted || stillLimited(error)) throw error;
    return { kind: "unreadable", reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A rate limit outlasting the waits the client makes fails the whole read: more requests would be
 * refused too (and GitHub may ban an app that keeps sending them), and the check says why.
 */
function stillLimited(error: unknown): boolean {
  return rateLimitOf(error) !== undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Text if the bytes are UTF-8 without NUL; otherwise the bytes, for the caller to judge. */
export function decodeText(bytes: Uint8Array): BlobContent {
  if (bytes.includes(0)) return { kind: "binary", bytes };
  try {
    return { kind: "text", text: utf8.decode(bytes) };
  } catch {
    return { kind: "binary", bytes };
  }
}
