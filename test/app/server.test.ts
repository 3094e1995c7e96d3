// `npm start` as a process: src/app/server.ts with its environment, pointed (GHE_HOST) at a fake
// GitHub on 127.0.0.1. A signed webhook is answered and ends in a completed check run; the
// unsigned one is refused and logged as one line without its payload; every log line is JSON at the
// level asked for, with each key once and the component that logged it, and no secret is logged.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../redis/redisServer.js";
import { repeatedKeys } from "../support/jsonKeys.js";
import { pullFilesBetween, readCommit } from "./commits.js";
import { FakeAppGitHub } from "./fakeAppGitHub.js";
import { examplePayload } from "./harness.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = path.join(root, "test/app/fixtures/terraform");
const BASE = "a".repeat(40);
const HEAD = "b".repeat(40);
const SECRET = "server-test-webhook-secret";
const privateKey = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

let server: ChildProcess;
let output = "";
let url = "";
const commits = {
  [BASE]: readCommit(path.join(fixtures, "base")),
  [HEAD]: readCommit(path.join(fixtures, "opened")),
};
const github = new FakeAppGitHub({
  commits,
  pullFiles: pullFilesBetween(commits[BASE] ?? {}, commits[HEAD] ?? {}),
});

// The app's look for runs a previous process left in progress (TOLLGATE_LEFT_RUNS_AFTER_SECONDS=0)
// waits on GitHub until /ping has answered: the look must not hold the server's start.
let releaseInstallations: () => void = () => undefined;
github.installationsHeld = new Promise((resolve) => (releaseInstallations = resolve));

beforeAll(async () => {
  const githubUrl = new URL(await github.start());
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ["--import", "tsx", path.join(root, "src/app/server.ts")], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      APP_ID: "12345",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      GHE_HOST: githubUrl.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      TOLLGATE_LEFT_RUNS_AFTER_SECONDS: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  // Without a current dist/policies.tar.gz the server compiles the library first (about 20 s).
  for (let tries = 0; tries < 600; tries++) {
    if (server.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    const up = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      releaseInstallations();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server did not answer /ping:\n${output}`);
}, 150_000);

afterAll(async () => {
  server?.kill("SIGKILL");
  await github.stop();
});

function signedDelivery(body: string, id: string, signature = sign(body)) {
  return fetch(`${url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
    },
    body,
  });
}

function sign(body: string): string {
  return `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
}

describe("the app server process", () => {
  it("answers /ping and /health, checks a signed pull request, refuses an unsigned one, logs JSON without secrets", async () => {
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({
      status: "ok",
      redis: "not used",
    });
    const payload = examplePayload("pull_request", "opened");
    const pull = payload.pull_request as {
      number: number;
      head: { sha: string };
      base: { sha: string };
    };
    pull.number = 41;
    (payload.pull_request as { title: string }).title = "a title only the payload carries";
    pull.head.sha = HEAD;
    pull.base.sha = BASE;
    const body = JSON.stringify(payload);
    const completed = github.completion(41);
    expect((await signedDelivery(body, "server-test-1")).status).toBe(200);
    expect((await signedDelivery(body, "server-test-2", `sha256=${"0".repeat(64)}`)).status).toBe(
      400,
    );
    await completed;
    expect(github.lastCompletion).toMatchObject({
      conclusion: "failure",
      output: { title: "2 new findings: 1 critical, 1 high" },
    });

    // The log lines follow the completing request and the look's answer: a bounded wait for them.
    const logged = (msg: string) => output.includes(`"msg":"${msg}"`);
    for (
      let tries = 0;
      tries < 100 &&
      !(logged("check completed") && logged("looked for runs a previous process left in progress"));
      tries++
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = output.trim().split("\n");
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as {
          level: number;
          msg: string;
          delivery?: string;
          component?: string;
        };
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
    // JSON.parse keeps the last of a repeated key; log pipelines may reject the line or keep the first.
    expect(lines.filter((line) => repeatedKeys(line).length > 0)).toEqual([]);
    expect(records.filter((r) => r.component === undefined)).toEqual([]);
    expect(records).toContainEqual(
      expect.objectContaining({ component: "event", msg: "check requested" }),
    );
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Listening on /),
        "check requested",
        "check completed",
        "looked for runs a previous process left in progress",
      ]),
    );
    expect(records.every((r) => r.level >= 30)).toBe(true);
    // The refused delivery: one line naming it and why, never its ~21 KB body (Probot logged it twice).
    const refused = records.filter(
      (r) => r.level >= 40 && JSON.stringify(r).includes("server-test-2"),
    );
    expect(refused).toEqual([
      expect.objectContaining({
        level: 40,
        msg: "webhook refused",
        delivery: "server-test-2",
        event: "pull_request",
        reason: expect.stringContaining("signature does not match"),
      }),
    ]);
    expect(output).not.toContain("a title only the payload carries");
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain("PRIVATE KEY");
    expect(output).not.toContain("fake-installation-token");
  });
});
