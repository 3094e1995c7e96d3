import { describe, expect, it } from "vitest";
import { jobPlace, orgTaskPayloadSchema } from "./payload.js";

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

  it("has a newer re-check of an installation supersede an older one, and no resume of it", () => {
    const recheck = (deliveryId: string, repositories?: string[]) =>
      jobPlace(
        orgTaskPayloadSchema.parse({
          kind: "installation-recheck",
          deliveryId,
          installationId: 4242,
          owner: "acme",
          ...(repositories ? { repositories } : {}),
          acceptedAt: 0,
        }),
      );
    const resume = jobPlace(
      orgTaskPayloadSchema.parse({
        kind: "installation-resume",
        deliveryId: "d-1",
        installationId: 4242,
        owner: "acme",
        acceptedAt: 0,
      }),
    );
    expect(recheck("d-1").supersededOn).toBe(recheck("d-2").supersededOn);
    expect(recheck("d-1").jobId).not.toBe(recheck("d-2").jobId);
    expect(recheck("d-1").supersededOn).not.toBe(resume.supersededOn);
    expect(recheck("d-1").jobId).not.toBe(resume.jobId);
    // Added repositories' look covers them alone: it neither supersedes nor is superseded.
    const added = recheck("d-3", ["web"]).supersededOn;
    expect([recheck("d-1").supersededOn, recheck("d-4", ["web"]).supersededOn]).not.toContain(
      added,
    );
  });

  it("keeps each new default branch its own work, as pushes are", () => {
    const switched = (deliveryId: string, branch: string) =>
      jobPlace(
        orgTaskPayloadSchema.parse({
          kind: "default-branch",
          deliveryId,
          installationId: 4242,
          change: { owner: "acme", repo: ".github", branch, shownPublicly: false },
          acceptedAt: 0,
        }),
      );
    const places = [switched("d-1", "next"), switched("d-2", "main"), switched("d-3", "next")];
    expect(new Set(places.map((place) => place.jobId)).size).toBe(3);
    expect(new Set(places.map((place) => place.supersededOn)).size).toBe(3);
  });
});
