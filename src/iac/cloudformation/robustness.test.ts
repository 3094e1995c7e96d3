import { describe, expect, it } from "vitest";
import { corpusSource } from "../../../test/support/corpus.js";
import type { SourceFile } from "../source.js";
import { isCloudFormation, loadCloudFormation } from "./index.js";

const fixtures = [
  "kics/cloudformation/s3_bucket_access_to_any_principal/test/positive3.yaml",
  "kics/cloudformation/security_groups_with_meta_ip/test/positive2.json",
  "kics/cloudformation/cloudtrail_logging_disabled/test/negative4.json",
  "kics/cloudformation/default_security_groups_with_unrestricted_traffic/test/positive1.yaml",
].map(corpusSource);

const insertions = [
  "!Ref ",
  "!Sub ",
  "!If [",
  "!GetAtt",
  "${",
  "}",
  "[",
  "]",
  "{",
  ",",
  ":",
  "\n",
  "  ",
  "&a ",
  "*a",
  '"',
  "'",
  "- ",
  "#",
  "Fn::If",
  "AWS::NoValue",
  "!Select [a, b]",
  "Fn::ForEach::A",
];

describe("damaged templates", () => {
  it("never throw, and every error they give is located and coded", () => {
    let seed = 7;
    const next = (bound: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % bound;
    };
    let damagedWithErrors = 0;
    for (let round = 0; round < 300; round++) {
      const { path: file, text: original } = fixtures[next(fixtures.length)] as SourceFile;
      let text = original;
      for (let edit = 0; edit <= next(5); edit++) {
        const at = next(text.length + 1);
        text =
          next(2) === 0
            ? text.slice(0, at) + insertions[next(insertions.length)] + text.slice(at)
            : text.slice(0, at) + text.slice(at + next(20));
      }
      const template = { path: file, text };
      expect(() => isCloudFormation(template)).not.toThrow();
      const model = loadCloudFormation(template);
      for (const error of model.errors) {
        expect(error.file).toBe(file);
        expect(error.line).toBeGreaterThanOrEqual(1);
        expect(error.column).toBeGreaterThanOrEqual(1);
        expect(error.code).toMatch(/^[a-z0-9-]+$/);
      }
      if (model.errors.length > 0) damagedWithErrors++;
      expect(() => JSON.stringify(model)).not.toThrow();
    }
    expect(damagedWithErrors).toBeGreaterThan(50);
  });
});
