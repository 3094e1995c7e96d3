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

/** Mutated copies of terragoat loaded, in tests of `BATCH` each: one test of all took 27 s alone. */
const ROUNDS = 150;
const BATCH = 25;

describe("robustness", () => {
  const files = readSources(path.join(corpusDir, "real/terragoat/terraform/aws"));
  // Drawn up front, in the order one loop drew them, so each batch runs the same copies alone.
  const next = random(20261126);
  const copies = Array.from({ length: ROUNDS }, () => {
    const target = Math.floor(next() * files.length);
    return files.map((file, i) =>
      i === target ? { ...file, text: mutate(mutate(file.text, next), next) } : file,
    );
  });

  const batches = Array.from({ length: ROUNDS / BATCH }, (_, index): [string, number] => [
    `${index * BATCH} to ${index * BATCH + BATCH - 1}`,
    index * BATCH,
  ]);
  it.each(batches)(
    `loads mutated copies %s of ${ROUNDS} of terragoat without throwing, every error located`,
    (_copies, first) => {
      for (const mutated of copies.slice(first, first + BATCH)) {
        const model = loadTerraform(mutated);
        for (const error of model.errors) {
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.column).toBeGreaterThanOrEqual(1);
          expect(error.code).toMatch(/^[a-z-]+$/);
          expect(error.code).not.toBe("terraform-internal");
        }
        expect(model.resources.length).toBeGreaterThan(0);
      }
    },
  );
});

describe("sets of many elements", () => {
  it("merges them in time linear in their elements", () => {
    // 20,000 strings: each against every other, in the set and in its origin, was minutes here
    // (past this suite's 30 s); keyed by value, well under a second alone.
    const model = loadTerraform([
      {
        path: "main.tf",
        text: `locals {
  rows = flatten([for a in range(200) : [for b in range(100) : "r\${a}-\${b}"]])
}
resource "x" "y" {
  v = [length(toset(local.rows)), length(distinct(concat(local.rows, local.rows))), length(setsubtract(local.rows, local.rows))]
}
`,
      },
    ]);
    expect(model.errors).toEqual([]);
    expect(model.resources[0]?.config.v).toEqual([20_000, 20_000, 0]);
  });
});
