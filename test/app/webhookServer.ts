// Drives the app over HTTP as GitHub does, for benchmarks: Probot's server on a loopback port with
// a quiet logger and the test Octokit (no retries, no throttling), and pull_request deliveries
// from GitHub's recorded payload, signed with the webhook secret.
import { createHmac } from "node:crypto";
import { Probot, Server, type ApplicationFunction } from "probot";
import { freePort } from "../redis/redisServer.js";
import { pullRequestPayload, TestOctokit } from "./payloads.js";

export interface WebhookServer {
  webhookUrl: string;
  stop: () => Promise<void>;
}

/** Probot's server running `app` as app 1; `baseUrl` points its GitHub requests at a fake. */
export async function startWebhookServer(options: {
  privateKey: string;
  secret: string;
  app: ApplicationFunction;
  baseUrl?: string;
}): Promise<WebhookServer> {
  const port = await freePort();
  // A line per webhook would drown the figures: a logger at `fatal`, made by an initialised Probot.
  const quiet = new Probot({ appId: 1, privateKey: options.privateKey, logLevel: "fatal" });
  await quiet.load(() => undefined);
  const server = new Server({
    Probot: Probot.defaults({
      appId: 1,
      privateKey: options.privateKey,
      secret: options.secret,
      logLevel: "fatal",
      Octokit: TestOctokit,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    }),
    port,
    host: "127.0.0.1",
    log: quiet.log,
  });
  await server.load(options.app);
  await server.start();
  return { webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`, stop: () => server.stop() };
}

/** A `pull_request.synchronize` body for `pullNumber` of acme/infra, from BASE_SHA to HEAD_SHA. */
export function synchronizeBody(pullNumber: number, installationId: number): string {
  const payload = pullRequestPayload("synchronize");
  (payload.pull_request as { number: number }).number = pullNumber;
  payload.installation = { id: installationId };
  return JSON.stringify(payload);
}

/** POSTs a signed `pull_request` delivery; resolves with the HTTP status once Probot answered. */
export async function deliverSigned(
  webhookUrl: string,
  body: string,
  delivery: { id: string; secret: string },
): Promise<number> {
  const response = await fetch(webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": delivery.id,
      "x-hub-signature-256": `sha256=${createHmac("sha256", delivery.secret).update(body).digest("hex")}`,
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
