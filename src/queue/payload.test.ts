import { describe, expect, it } from "vitest";
import { orgTaskPayloadSchema } from "./payload.js";

describe("org task payloads", () => {
  const push = (extra: Record<string, unknown>) => ({
    kind: "policy-push",
    deliveryId: "d-1",
    push: {
      owner: "acme",
      repo: ".github",
      sha: "a".repeat(40),
      paths: [],
      complete: true,
      ...extra,
    },
    acceptedAt: 0,
  });

  it("takes a policy push stored without its visibility as public, so no private name is suggested", () => {
    const parsed = orgTaskPayloadSchema.parse(push({}));
    expect(parsed.kind === "policy-push" && parsed.push.shownPublicly).toBe(true);
    const private_ = orgTaskPayloadSchema.parse(push({ shownPublicly: false }));
    expect(private_.kind === "policy-push" && private_.push.shownPublicly).toBe(false);
  });
});
