import path from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, readSources } from "../../../test/support/corpus.js";
import { loadTerraform } from "./index.js";

/** A deterministic generator so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Cuts, duplicates or swaps a slice of the text: broken syntax, dangling references, odd types. */
function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const length = Math.floor(next() * 40);
  switch (Math.floor(next() * 3)) {
    case 0:
      return text.slice(0, at) + text.slice(at + length);
    case 1:
      return text.slice(0, at) + text.slice(at, at + length).repeat(3) + text.slice(at);
    default: {
      const other = Math.floor(next() * text.length);
      return text.slice(0, at) + text.slice(other, other + length) + text.slice(at + length);
    }
  }
}

describe("robustness", () => {
  const files = readSources(path.join(corpusDir, "real/terragoat/terraform/aws"));

  it("loads 150 mutated copies of terragoat without throwing, every error located", () => {
    const next = random(20261126);
    for (let round = 0; round < 150; round++) {
      const target = Math.floor(next() * files.length);
      const mutated = files.map((file, i) =>
        i === target ? { ...file, text: mutate(mutate(file.text, next), next) } : file,
      );
      const model = loadTerraform(mutated);
      for (const error of model.errors) {
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.column).toBeGreaterThanOrEqual(1);
        expect(error.code).toMatch(/^[a-z-]+$/);
        expect(error.code).not.toBe("terraform-internal");
      }
      expect(model.resources.length).toBeGreaterThan(0);
    }
  });
});
