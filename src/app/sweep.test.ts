import { describe, expect, it } from "vitest";
import type { GitHubApi } from "../github/index.js";
import { sweepLeftRuns } from "./sweep.js";

/** The App's client, listing `installations` as `GET /app/installations` answers, or failing. */
function appClient(installations: unknown[] | Error): () => Promise<GitHubApi> {
  const api = {
    paginate: async () => {
      if (installations instanceof Error) throw installations;
      return installations;
    },
    rest: { apps: { listInstallations: () => undefined } },
  };
  return async () => api as unknown as GitHubApi;
}

const installation = (id: number, login: string | null, suspendedAt: string | null = null) => ({
  id,
  account: login === null ? null : { login, type: "Organization" },
  suspended_at: suspendedAt,
  app_id: 1,
});

function recordingLog() {
  const lines: [string, string, object][] = [];
  return {
    lines,
    log: {
      info: (fields: object, message: string) => lines.push(["info", message, fields]),
      warn: (fields: object, message: string) => lines.push(["warn", message, fields]),
      error: (fields: object, message: string) => lines.push(["error", message, fields]),
    },
  };
}

describe("sweepLeftRuns", () => {
  it("looks at each installation not suspended, one after another, past one that fails", async () => {
    const { lines, log } = recordingLog();
    const looked: string[] = [];
    let inFlight = 0;
    await sweepLeftRuns({
      log,
      appClient: appClient([
        installation(1, "acme"),
        installation(2, "broken"),
        installation(3, "paused", "2026-11-27T10:00:00Z"),
        installation(4, null),
        installation(5, "globex"),
      ]),
      look: async (id, owner) => {
        inFlight += 1;
        expect(inFlight).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
        if (owner === "broken") throw new Error("GitHub answered 502");
        looked.push(`${id} ${owner}`);
      },
    });
    expect(looked).toEqual(["1 acme", "5 globex"]);
    expect(lines).toEqual([
      [
        "warn",
        "could not look at an installation for runs a previous process left in progress",
        { installation: 2, owner: "broken", error: "Error: GitHub answered 502" },
      ],
      [
        "info",
        "looked for runs a previous process left in progress",
        { installations: 5, looked: 2, failed: [2], passedOver: 2 },
      ],
    ]);
  });

  it("says so when the App's installations cannot be listed, and looks at none", async () => {
    const { lines, log } = recordingLog();
    const looked: number[] = [];
    await sweepLeftRuns({
      log,
      appClient: appClient(Object.assign(new Error("Bad credentials"), { status: 401 })),
      look: async (id) => void looked.push(id),
    });
    expect(looked).toEqual([]);
    expect(lines).toEqual([
      [
        "error",
        expect.stringMatching(/^could not list the App's installations: runs a previous process/),
        { error: "Error: Bad credentials (HTTP 401)" },
      ],
    ]);
  });
});
