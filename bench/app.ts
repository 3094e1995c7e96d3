// Requests and time to fetch a pull request's base and head IaC snapshots, for PRs of 1 to 1,000
// changed Terraform files, against a fake GitHub on 127.0.0.1 that answers after 50 ms, through an
// Octokit with throttling on as in production (GraphQL paced like a write, GETs 10 at a time):
// Tollgate's fetch (one tree per commit; up to 24 blobs as parallel REST GETs, GraphQL batches
// beyond), the same with GraphQL only, and the one-contents-call-per-file approach. Figures only.
// Run: npx tsx bench/app.ts
import { performance } from "node:perf_hooks";
import { ProbotOctokit } from "probot";
import {
  directoryOf,
  fetchPullSnapshots,
  isIacPath,
  listPullFiles,
  terraformFilesIn,
  type GitHubApi,
} from "../src/github/index.js";
import { defaultSettings } from "../src/config/index.js";
import { diffFindings } from "../src/diff/index.js";
import { decideGate } from "../src/gate/index.js";
import { buildCheckRunReport, renderSarif } from "../src/report/index.js";
import { FakeGitHub, type FakeRepository } from "../test/app/fakeGitHub.js";
import { finding } from "../test/app/findings.js";

const BASE = "b".repeat(40);
const HEAD = "h".repeat(40);
const FILES_PER_MODULE = 10;
const UNCHANGED_PER_MODULE = 2;

/** `changed` modified .tf files, ten per module directory, each directory with two unchanged files. */
function repository(changed: number): FakeRepository {
  const base: Record<string, string> = { "README.md": "# infra\n" };
  const head: Record<string, string> = { "README.md": "# infra\n" };
  const pullFiles: FakeRepository["pullFiles"] = [];
  for (let i = 0; i < changed; i++) {
    const dir = `modules/m${Math.floor(i / FILES_PER_MODULE)}`;
    const path = `${dir}/r${i}.tf`;
    const resource = `resource "aws_security_group" "sg${i}" {\n  description = "group ${i}"\n`;
    base[path] = `${resource}  ingress_port = 22\n}\n`;
    head[path] = `${resource}  ingress_port = 3389\n}\n`;
    pullFiles.push({
      filename: path,
      status: "modified",
      patch: "@@ -3 +3 @@\n-  ingress_port = 22\n+  ingress_port = 3389",
    });
    if (i % FILES_PER_MODULE === 0) {
      for (let u = 0; u < UNCHANGED_PER_MODULE; u++) {
        const shared = `variable "v${u}" {\n  default = "${dir}"\n}\n`;
        base[`${dir}/vars${u}.tf`] = shared;
        head[`${dir}/vars${u}.tf`] = shared;
      }
    }
  }
  return { commits: { [BASE]: base, [HEAD]: head }, pullFiles };
}

/** The approach Tollgate avoids: list module directories and read every file at both commits with the contents API. */
async function fetchPerFile(
  api: GitHubApi,
  pull: { owner: string; repo: string; pullNumber: number },
) {
  const { files } = await listPullFiles(api, pull);
  const repository = { owner: pull.owner, repo: pull.repo };
  const dirs = new Set(files.filter((f) => isIacPath(f.path)).map((f) => directoryOf(f.path)));
  let bytes = 0;
  for (const ref of [BASE, HEAD]) {
    for (const dir of dirs) {
      const { data } = await api.rest.repos.getContent({ ...repository, path: dir, ref });
      const paths = Array.isArray(data) ? data.map((entry) => entry.path) : [];
      for (const path of terraformFilesIn(dir, paths)) {
        const file = await api.rest.repos.getContent({ ...repository, path, ref });
        if (!Array.isArray(file.data) && file.data.type === "file")
          bytes += file.data.content?.length ?? 0;
      }
    }
  }
  return bytes;
}

const LATENCY_MS = 50;
let installations = 0;

async function measure(
  label: string,
  changed: number,
  fetch: (api: GitHubApi) => Promise<unknown>,
) {
  const github = new FakeGitHub(repository(changed));
  github.latencyMs = LATENCY_MS;
  // Throttling on, each measurement its own installation so their limiters do not interact.
  const api = new ProbotOctokit({
    auth: { token: "bench-token" },
    baseUrl: await github.start(),
    retry: { enabled: false },
    throttle: {
      enabled: true,
      id: `bench-${++installations}`,
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  });
  const started = performance.now();
  await fetch(api);
  const elapsed = performance.now() - started;
  await github.stop();
  const byRoute = new Map<string, number>();
  for (const route of github.requests) byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
  return { label, changed, requests: github.requests.length, elapsed, byRoute };
}

const pull = { owner: "acme", repo: "infra", pullNumber: 1, baseSha: BASE, headSha: HEAD };
const rows: string[] = [];
for (const changed of [1, 10, 100, 1000]) {
  const tollgate = await measure("trees + blobs", changed, (api) => fetchPullSnapshots(api, pull));
  const graphqlOnly = await measure("trees + GraphQL", changed, (api) =>
    fetchPullSnapshots(api, pull, { restBlobLimit: 0 }),
  );
  // About 2,600 sequential requests at 1,000 files: minutes of waiting for a known answer.
  const perFile =
    changed <= 100
      ? [await measure("contents per file", changed, (api) => fetchPerFile(api, pull))]
      : [];
  for (const result of [tollgate, graphqlOnly, ...perFile]) {
    const routes = [...result.byRoute].map(([route, count]) => `${route}=${count}`).join(" ");
    rows.push(
      `${String(result.changed).padStart(5)}  ${result.label.padEnd(18)} ${String(result.requests).padStart(6)}  ${result.elapsed.toFixed(0).padStart(7)} ms  ${routes}`,
    );
  }
}
console.log("changed  approach           requests     time     requests by route");
console.log(rows.join("\n"));
console.log(
  `\n(each module directory: ${FILES_PER_MODULE} changed + ${UNCHANGED_PER_MODULE} unchanged .tf files; base and head both read; ` +
    `each answer ${LATENCY_MS} ms late; throttling on, so GraphQL queries go one a second)`,
);

/** The pure middle on a large result: diff, gate, check run output and SARIF for 10,000 findings. */
const headFindings = Array.from({ length: 10_000 }, (_, i) =>
  finding({
    file: `modules/m${i % 100}/main.tf`,
    line: (i % 400) + 1,
    endLine: (i % 400) + 5,
    evidence: `tcp/${i}`,
  }),
);
const baseFindings = headFindings.slice(0, 9_000);
const changed = new Map(
  Array.from({ length: 100 }, (_, m) => [`modules/m${m}/main.tf`, new Set([1, 2, 3, 50, 100])]),
);
const middleStarted = performance.now();
const decision = decideGate(diffFindings(baseFindings, headFindings), [], defaultSettings);
const report = buildCheckRunReport(decision, changed);
const sarif = renderSarif(decision);
console.log(
  `\n10,000 findings (1,000 new): diff + gate + check run output + SARIF in ${(performance.now() - middleStarted).toFixed(0)} ms; ` +
    `summary ${report.summary.length} chars, ${report.annotationBatches.length} annotation requests, SARIF ${(sarif.length / 1e6).toFixed(1)} MB`,
);
