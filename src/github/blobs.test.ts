import { describe, expect, it } from "vitest";
import { BlobCache, decodeText, planBlobQueries } from "./blobs.js";

const blob = (n: number, size: number) => ({ sha: n.toString(16).padStart(40, "0"), size });

describe("planBlobQueries", () => {
  it("groups blobs by count and by bytes, never leaving one out", () => {
    const blobs = [blob(1, 10), blob(2, 10), blob(3, 10), blob(4, 500), blob(5, 10)];
    const sizes = (queries: { size: number }[][]) => queries.map((q) => q.map((b) => b.size));
    expect(sizes(planBlobQueries(blobs, { blobsPerQuery: 2, bytesPerQuery: 1000 }))).toEqual([
      [10, 10],
      [10, 500],
      [10],
    ]);
    expect(sizes(planBlobQueries(blobs, { blobsPerQuery: 100, bytesPerQuery: 100 }))).toEqual([
      [10, 10, 10],
      [500],
      [10],
    ]);
    expect(planBlobQueries([])).toEqual([]);
  });
});

describe("decodeText", () => {
  it("takes UTF-8 text, and keeps the bytes of what holds a NUL anywhere or is not UTF-8", () => {
    expect(decodeText(Buffer.from('resource "x" "y" {} # é'))).toEqual({
      kind: "text",
      text: 'resource "x" "y" {} # é',
    });
    const nul = Buffer.from([0x61, 0x00, 0x62]);
    expect(decodeText(nul)).toEqual({ kind: "binary", bytes: nul });
    // Latin-1 "café": the bytes are kept, for the caller to refuse at the 0xe9 as the CLI does.
    const latin1 = Buffer.from("# caf\xe9\n", "latin1");
    expect(decodeText(latin1)).toEqual({ kind: "binary", bytes: latin1 });
    // A NUL past git's 8,000-byte look is still no text.
    const late = Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]);
    expect(decodeText(late)).toEqual({ kind: "binary", bytes: late });
  });
});

describe("BlobCache", () => {
  it("bounds the texts it keeps by their UTF-8 bytes, not their length", () => {
    const cache = new BlobCache(10);
    const repository = { owner: "acme", repo: "infra" };
    // Six characters, twelve bytes: over the bound alone.
    cache.set(repository, "a".repeat(40), "éééééé");
    expect(cache.get(repository, "a".repeat(40))).toBeUndefined();
    // Ten bytes, then four more: the older is dropped.
    cache.set(repository, "b".repeat(40), "ééééé");
    cache.set(repository, "c".repeat(40), "éé");
    expect(cache.get(repository, "b".repeat(40))).toBeUndefined();
    expect(cache.get(repository, "c".repeat(40))).toBe("éé");
    expect(cache.get({ owner: "acme", repo: "other" }, "c".repeat(40))).toBeUndefined();
  });
});
