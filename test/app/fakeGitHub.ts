// A fake of the GitHub API a pull request fetch reads (PR files, git trees and blobs, contents,
// GraphQL blob lookups), answering from in-memory commits. Blob ids are real git blob hashes, so
// base and head share them as on GitHub. `FakeRepositoryApi` answers requests; `FakeGitHub` serves
// it on 127.0.0.1 (fetch tests, benchmark) and the nock harness mounts the same answers.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import type { GitHubApi } from "../../src/github/index.js";

export interface FakePullFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied";
  previous_filename?: string;
  patch?: string;
  /** The file's blob id at head (`gitBlobSha`), as GitHub lists it. */
  sha?: string;
}

export interface FakeRepository {
  commits: Record<string, Record<string, string | Buffer>>;
  pullFiles: FakePullFile[];
}

export interface FakeAnswer {
  /** The Octokit method the request stands for (`git.getTree`), for counting. */
  route: string;
  status: number;
  body: unknown;
}

export function gitBlobSha(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

const NOT_FOUND = { message: "Not Found" };

export class FakeRepositoryApi {
  private readonly blobs = new Map<string, Buffer>();
  /** GraphQL answers with a 502 while this is set, to exercise the REST fallback. */
  graphqlDown = false;

  constructor(private readonly repository: FakeRepository) {
    for (const files of Object.values(repository.commits)) {
      for (const content of Object.values(files)) {
        this.blobs.set(
          gitBlobSha(content),
          typeof content === "string" ? Buffer.from(content) : content,
        );
      }
    }
  }

  /** The answer to a request this fake knows, or undefined for any other request. */
  respond(method: string, url: URL, body: unknown): FakeAnswer | undefined {
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (method === "GET" && /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/.test(path)) {
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const listed = this.repository.pullFiles.slice(0, 3000);
      return {
        route: "pulls.listFiles",
        status: 200,
        body: listed.slice((page - 1) * perPage, page * perPage),
      };
    }
    if (method === "GET" && (match = /^\/repos\/[^/]+\/[^/]+\/git\/trees\/([^/]+)$/.exec(path))) {
      const files = this.repository.commits[match[1] ?? ""];
      if (!files) return { route: "git.getTree", status: 404, body: NOT_FOUND };
      const tree = Object.entries(files).map(([file, content]) => ({
        path: file,
        mode: "100644",
        type: "blob",
        sha: gitBlobSha(content),
        size: typeof content === "string" ? Buffer.byteLength(content) : content.length,
      }));
      return { route: "git.getTree", status: 200, body: { sha: match[1], truncated: false, tree } };
    }
    if (
      method === "GET" &&
      (match = /^\/repos\/[^/]+\/[^/]+\/git\/blobs\/([0-9a-f]{40})$/.exec(path))
    ) {
      const blob = this.blobs.get(match[1] ?? "");
      if (!blob) return { route: "git.getBlob", status: 404, body: NOT_FOUND };
      const content = blob.toString("base64");
      return {
        route: "git.getBlob",
        status: 200,
        body: { sha: match[1], size: blob.length, encoding: "base64", content },
      };
    }
    if (method === "GET" && (match = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(path))) {
      return {
        route: "repos.getContent",
        ...this.contents(url.searchParams.get("ref") ?? "", decodeURIComponent(match[1] ?? "")),
      };
    }
    if (method === "POST" && (path === "/graphql" || path === "/api/graphql")) {
      if (this.graphqlDown)
        return { route: "graphql", status: 502, body: { message: "Bad Gateway" } };
      return {
        route: "graphql",
        status: 200,
        body: { data: { repository: this.blobLookups(body) } },
      };
    }
    return undefined;
  }

  private contents(ref: string, path: string): { status: number; body: unknown } {
    const files = this.repository.commits[ref] ?? {};
    const content = files[path];
    if (content !== undefined) {
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      return {
        status: 200,
        body: { type: "file", encoding: "base64", content: bytes.toString("base64") },
      };
    }
    const listing = Object.keys(files)
      .filter((file) => file.startsWith(`${path}/`) && !file.slice(path.length + 1).includes("/"))
      .map((file) => ({ type: "file", path: file, name: file.slice(path.length + 1) }));
    return listing.length > 0 ? { status: 200, body: listing } : { status: 404, body: NOT_FOUND };
  }

  /** Answers `bN: object(oid: $oN)` aliases as Tollgate's blob query asks them. */
  private blobLookups(body: unknown): Record<string, unknown> {
    const variables = (body as { variables?: Record<string, string> }).variables ?? {};
    const found: Record<string, unknown> = {};
    for (const [name, oid] of Object.entries(variables)) {
      if (!/^o\d+$/.test(name)) continue;
      const blob = this.blobs.get(oid);
      const binary = blob?.subarray(0, 8000).includes(0) ?? false;
      found[`b${name.slice(1)}`] = blob
        ? {
            text: binary ? null : blob.toString("utf8"),
            isBinary: binary,
            isTruncated: false,
            byteSize: blob.length,
          }
        : null;
    }
    return found;
  }
}

/** `FakeRepositoryApi` over HTTP on 127.0.0.1, counting requests by route. */
export class FakeGitHub {
  readonly requests: string[] = [];
  /** Delay before each answer, to stand for GitHub's own latency in benchmarks. */
  latencyMs = 0;
  readonly api: FakeRepositoryApi;
  private server: Server | undefined;

  constructor(repository: FakeRepository) {
    this.api = new FakeRepositoryApi(repository);
  }

  set graphqlDown(down: boolean) {
    this.api.graphqlDown = down;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Longer than any compile between two requests of a test: with Node's 5 s, a compile that
    // held the event loop past it (a loaded machine) let the server close a kept-alive socket
    // the client then reused, and the next request failed with ECONNRESET.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** An Octokit pointed at this server, without retries so counts are exact. */
  client(baseUrl: string): GitHubApi {
    return new ProbotOctokit({
      auth: { token: "test-token" },
      baseUrl,
      retry: { enabled: false },
      throttle: { enabled: false },
    });
  }

  countOf(route: string): number {
    return this.requests.filter((r) => r === route).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const text = req.method === "POST" ? await readBody(req) : "";
    const answer = this.api.respond(
      req.method ?? "GET",
      url,
      text ? (JSON.parse(text) as unknown) : undefined,
    );
    this.requests.push(answer?.route ?? `unknown ${req.method} ${url.pathname}`);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    res
      .writeHead(answer?.status ?? 404, { "content-type": "application/json" })
      .end(JSON.stringify(answer?.body ?? NOT_FOUND));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
