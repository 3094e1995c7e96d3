import { describe, expect, it } from "vitest";
import { BASE_SHA, examplePayload, HEAD_SHA } from "../../test/app/harness.js";
import { commentScan, commitScan, pullRequestScan, requestedActionScan } from "./events.js";

describe("event validation", () => {
  it("reads a pull_request payload into a check target", () => {
    const payload = examplePayload("pull_request", "synchronize") as {
      pull_request: Record<string, unknown>;
    };
    payload.pull_request = {
      ...payload.pull_request,
      number: 3,
      head: { sha: HEAD_SHA },
      base: { sha: BASE_SHA, ref: "main" },
      updated_at: "2026-11-27T10:00:00Z",
    };
    expect(pullRequestScan(payload)).toEqual({
      kind: "pull",
      target: { owner: "acme", repo: "infra", pullNumber: 3, headSha: HEAD_SHA, baseSha: BASE_SHA },
      delivered: { baseRef: "main", updatedAt: "2026-11-27T10:00:00Z" },
    });
  });

  it("ignores a payload without the fields it relies on, saying which", () => {
    expect(pullRequestScan({ repository: { name: "x", owner: { login: "y" } } })).toEqual({
      kind: "ignore",
      reason: expect.stringMatching(/^payload lacks what the app needs: pull_request: /),
    });
    const badSha = examplePayload("pull_request", "opened") as {
      pull_request: { head: { sha: string } };
    };
    badSha.pull_request.head.sha = "not-a-sha";
    expect(pullRequestScan(badSha).kind).toBe("ignore");
  });

  it("names the check suite's pull requests with the same head, to be looked up afresh", () => {
    const payload = examplePayload("check_suite", "rerequested") as {
      check_suite: Record<string, unknown>;
    };
    payload.check_suite = {
      ...payload.check_suite,
      head_sha: HEAD_SHA,
      pull_requests: [
        { number: 8, head: { sha: "9".repeat(40) }, base: { sha: BASE_SHA } },
        { number: 9, head: { sha: HEAD_SHA }, base: { sha: BASE_SHA } },
      ],
    };
    expect(commitScan(payload, "check_suite")).toEqual({
      kind: "commit",
      owner: "acme",
      repo: "infra",
      headSha: HEAD_SHA,
      pullNumbers: [9],
    });
    payload.check_suite.pull_requests = [];
    expect(commitScan(payload, "check_suite")).toEqual({
      kind: "commit",
      owner: "acme",
      repo: "infra",
      headSha: HEAD_SHA,
      pullNumbers: [],
    });
  });

  it("acts only on its own Re-run action", () => {
    const payload = examplePayload("check_run", "requested_action") as Record<string, unknown>;
    payload.check_run = {
      ...(payload.check_run as object),
      name: "Tollgate",
      head_sha: HEAD_SHA,
      pull_requests: [],
    };
    expect(requestedActionScan(payload).kind).toBe("ignore");
    payload.requested_action = { identifier: "rerun" };
    expect(requestedActionScan(payload).kind).toBe("commit");
  });

  it("takes `/tollgate` commands on their own line only; an unknown word is a command to answer", () => {
    const payload = examplePayload("issue_comment", "created") as Record<
      string,
      Record<string, unknown>
    >;
    payload.issue = {
      ...payload.issue,
      pull_request: { url: "https://api.github.com/repos/acme/infra/pulls/1" },
    };
    const withBody = (body: string) => {
      const request = commentScan({ ...payload, comment: { ...payload.comment, body } });
      return request.kind === "comment" ? request.commands : request.kind;
    };
    expect(
      [
        "/tollgate run",
        "thanks!\n/tollgate  run  ",
        "/tollgate runner",
        "say /tollgate run",
        "> /tollgate run",
      ].map(withBody),
    ).toEqual([
      [{ name: "run" }],
      [{ name: "run" }],
      [{ name: "unknown", word: "runner" }],
      "ignore",
      "ignore",
    ]);
  });

  it("takes when a comment was written from GitHub's `created_at`, and ignores one without a time", () => {
    const payload = examplePayload("issue_comment", "created") as Record<
      string,
      Record<string, unknown>
    >;
    payload.issue = {
      ...payload.issue,
      pull_request: { url: "https://api.github.com/repos/acme/infra/pulls/1" },
    };
    const written = (created_at: unknown) =>
      commentScan({
        ...payload,
        comment: { ...payload.comment, body: "/tollgate override x", created_at },
      });
    expect(written("2026-11-28T14:00:05Z")).toMatchObject({
      kind: "comment",
      writtenAt: "2026-11-28T14:00:05Z",
    });
    expect(written("yesterday")).toEqual({
      kind: "ignore",
      reason: "payload lacks what the app needs: comment.created_at: Invalid ISO datetime",
    });
  });
});
