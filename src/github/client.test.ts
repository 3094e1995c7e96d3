import { describe, expect, it } from "vitest";
import { rateLimitOf, rateLimitWaitMs } from "./client.js";

/** An error as Octokit throws one: `status`, and the response with GitHub's headers. */
function refused(status: number, headers: Record<string, string>): Error {
  return Object.assign(new Error("rate limited"), { status, response: { status, headers } });
}

describe("rateLimitWaitMs", () => {
  it("reads retry-after, or the primary limit's reset when none is left, and nothing else", () => {
    const now = 1_800_000_000_000;
    expect(rateLimitWaitMs(refused(403, { "retry-after": "60" }), now)).toBe(60_000);
    expect(rateLimitWaitMs(refused(429, { "retry-after": "2" }), now)).toBe(2_000);
    const reset = { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 90) };
    expect(rateLimitWaitMs(refused(403, reset), now)).toBe(90_000);
    expect(rateLimitWaitMs(refused(403, { "x-ratelimit-remaining": "12" }), now)).toBeUndefined();
    expect(rateLimitWaitMs(refused(422, { "retry-after": "60" }), now)).toBeUndefined();
    expect(rateLimitWaitMs(new Error("network"), now)).toBeUndefined();
  });

  it("waits a minute on a secondary limit that names no wait, and takes no other 403 for a limit", () => {
    const secondary = Object.assign(refused(403, {}), {
      message:
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    });
    expect(rateLimitOf(secondary)).toEqual({ waitMs: 60_000, named: false });
    const forbidden = Object.assign(refused(403, {}), {
      message: "Resource not accessible by integration",
    });
    expect(rateLimitOf(forbidden)).toBeUndefined();
  });
});
