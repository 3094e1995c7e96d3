// The fake GitHub a whole app process talks to over HTTP on 127.0.0.1, for benchmarks: the App's
// installations (none), installation tokens, check runs (noting when each completes), compare, and the repository reads of
// `FakeRepositoryApi`, on github.com's paths or GitHub Enterprise Server's (`/api/v3`, `/api/graphql`).
// Every request is counted by the Octokit method it stands for.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeRepositoryApi, type FakeRepository } from "./fakeGitHub.js";

export class FakeAppGitHub {
  /** The route of every request in arrival order (`checks.update`, `git.getTree`, ...). */
  readonly routes: string[] = [];
  /** When (performance.now()) each check run completed, by run id. */
  readonly completedAt = new Map<number, number>();
  /** The body of the latest request that completed a run (conclusion, output, annotations). */
  lastCompletion: Record<string, unknown> | undefined;
  /** The pull request number each check run was created for (its `external_id`, `12@delivery`). */
  readonly pullOfRun = new Map<number, number>();
  private readonly repository: FakeRepositoryApi;
  private readonly waiters = new Map<number, (at: number) => void>();
  private nextRun = 1;
  private server: Server | undefined;
  /** `GET /app/installations` (the restarted app's look for runs left) answers, none, once this settles. */
  installationsHeld: Promise<void> = Promise.resolve();

  constructor(repository: FakeRepository) {
    this.repository = new FakeRepositoryApi(repository);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readJson(req).then(async (body) => {
        if (/^(\/api\/v3)?\/app\/installations(\?|$)/.test(req.url ?? "")) {
          await this.installationsHeld;
          this.routes.push("apps.listInstallations");
          res.writeHead(200, { "content-type": "application/json" }).end("[]");
          return;
        }
        const { route, status, answer } = this.answer(req.method ?? "GET", req.url ?? "/", body);
        this.routes.push(route);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Resolves with the time the next check run created for `pullNumber` completes. */
  completion(pullNumber: number): Promise<number> {
    return new Promise((resolve) => this.waiters.set(pullNumber, resolve));
  }

  /** Requests by route since `from` (an index into `routes`). */
  countRoutes(from = 0): Map<string, number> {
    const counts = new Map<string, number>();
    for (const route of this.routes.slice(from)) counts.set(route, (counts.get(route) ?? 0) + 1);
    return counts;
  }

  private answer(
    method: string,
    rawUrl: string,
    body: unknown,
  ): { route: string; status: number; answer: unknown } {
    const url = new URL(rawUrl, "http://127.0.0.1");
    // GitHub Enterprise Server's REST prefix, as `GHE_HOST` makes Probot use it.
    url.pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const path = url.pathname;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return {
        route: "apps.createInstallationAccessToken",
        status: 201,
        answer: { token: "fake-installation-token", expires_at: "2099-01-01T00:00:00Z" },
      };
    }
    if (method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(path)) {
      const id = this.nextRun++;
      this.pullOfRun.set(id, Number.parseInt((body as { external_id?: string }).external_id ?? ""));
      return { route: "checks.create", status: 201, answer: { id } };
    }
    const run = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(path);
    if (method === "PATCH" && run) {
      const id = Number(run[1]);
      if ((body as { status?: string }).status === "completed") {
        const at = performance.now();
        this.completedAt.set(id, at);
        this.lastCompletion = body as Record<string, unknown>;
        const pull = this.pullOfRun.get(id) ?? 0;
        this.waiters.get(pull)?.(at);
        this.waiters.delete(pull);
      }
      return { route: "checks.update", status: 200, answer: { id } };
    }
    // Asked after the organization's settings answer 404 (kept 5 minutes): all repositories.
    if (method === "GET" && path === "/installation/repositories") {
      return {
        route: "apps.listReposAccessibleToInstallation",
        status: 200,
        answer: { total_count: 0, repository_selection: "all", repositories: [] },
      };
    }
    const compare = /^\/repos\/[^/]+\/[^/]+\/compare\/([0-9a-f]{40})\.\.\./.exec(path);
    if (method === "GET" && compare) {
      return {
        route: "repos.compareCommits",
        status: 200,
        answer: { merge_base_commit: { sha: compare[1] } },
      };
    }
    const known = this.repository.respond(method, url, body);
    return known
      ? { route: known.route, status: known.status, answer: known.body }
      : { route: `unknown ${method} ${path}`, status: 404, answer: { message: "Not Found" } };
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : {};
}
