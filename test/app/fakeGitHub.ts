// A fake GitHub REST + GraphQL server on 127.0.0.1 for the fetch tests and the request benchmark:
// commits are in-memory file maps, blob ids are real git blob hashes (so base and head share them
// as on GitHub), and every request is counted by route.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ProbotOctokit } from "probot";
import type { GitHubApi } from "../../src/github/index.js";

export interface FakePullFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed";
  previous_filename?: string;
  patch?: string;
}

export interface FakeRepository {
  commits: Record<string, Record<string, string | Buffer>>;
  pullFiles: FakePullFile[];
}

export function gitBlobSha(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export class FakeGitHub {
  readonly requests: string[] = [];
  private server: Server | undefined;
  private blobs = new Map<string, Buffer>();
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

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
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
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    let match: RegExpExecArray | null;
    if ((match = /^\/repos\/[^/]+\/[^/]+\/pulls\/\d+\/files$/.exec(url.pathname))) {
      this.requests.push("pulls.listFiles");
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const listed = this.repository.pullFiles.slice(0, 3000);
      return send(200, listed.slice((page - 1) * perPage, page * perPage));
    }
    if ((match = /^\/repos\/[^/]+\/[^/]+\/git\/trees\/([^/]+)$/.exec(url.pathname))) {
      this.requests.push("git.getTree");
      const files = this.repository.commits[match[1] ?? ""];
      if (!files) return send(404, { message: "Not Found" });
      const tree = Object.entries(files).map(([path, content]) => ({
        path,
        mode: "100644",
        type: "blob",
        sha: gitBlobSha(content),
        size: typeof content === "string" ? Buffer.byteLength(content) : content.length,
      }));
      return send(200, { sha: match[1], truncated: false, tree });
    }
    if ((match = /^\/repos\/[^/]+\/[^/]+\/git\/blobs\/([0-9a-f]{40})$/.exec(url.pathname))) {
      this.requests.push("git.getBlob");
      const blob = this.blobs.get(match[1] ?? "");
      if (!blob) return send(404, { message: "Not Found" });
      return send(200, {
        sha: match[1],
        size: blob.length,
        encoding: "base64",
        content: blob.toString("base64"),
      });
    }
    if ((match = /^\/repos\/[^/]+\/[^/]+\/contents\/(.+)$/.exec(url.pathname))) {
      this.requests.push("repos.getContent");
      const files = this.repository.commits[url.searchParams.get("ref") ?? ""] ?? {};
      const path = decodeURIComponent(match[1] ?? "");
      const content = files[path];
      if (content === undefined) {
        const listing = Object.keys(files)
          .filter(
            (file) => file.startsWith(`${path}/`) && !file.slice(path.length + 1).includes("/"),
          )
          .map((file) => ({ type: "file", path: file, name: file.slice(path.length + 1) }));
        return listing.length > 0 ? send(200, listing) : send(404, { message: "Not Found" });
      }
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      return send(200, { type: "file", encoding: "base64", content: bytes.toString("base64") });
    }
    if (url.pathname === "/graphql" && req.method === "POST") {
      this.requests.push("graphql");
      if (this.graphqlDown) return send(502, { message: "Bad Gateway" });
      const body = JSON.parse(await readBody(req)) as { variables: Record<string, string> };
      const repository: Record<string, unknown> = {};
      for (const [name, oid] of Object.entries(body.variables)) {
        if (!/^o\d+$/.test(name)) continue;
        const blob = this.blobs.get(oid);
        const binary = blob?.subarray(0, 8000).includes(0) ?? false;
        repository[`b${name.slice(1)}`] = blob
          ? { text: binary ? null : blob.toString("utf8"), isBinary: binary, isTruncated: false }
          : null;
      }
      return send(200, { data: { repository } });
    }
    this.requests.push(`unknown ${req.method} ${url.pathname}`);
    send(404, { message: "Not Found" });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
