import { chmod, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OWNER_TAG_RULE } from "../../../test/support/customRules.js";
import { loadModel } from "../../iac/index.js";
import { boundedRuleSet } from "../bounded.js";
import { compilePolicies, type CompiledPolicies } from "../compile.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import { DiskCompiledStore } from "./disk.js";

const BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n';
const keyOf = (digit: string) => "sha256:" + digit.repeat(64);
const fileOf = (dir: string, key: string) => path.join(dir, `${key.slice(7)}.compiled`);

let compiled: CompiledPolicies;
let scratch: string;

beforeAll(async () => {
  const outcome = await compilePolicies(keyOf("a"), "acme/.github:tollgate/policies", {
    sources: [{ path: "tollgate/policies/owner_tag.rego", text: OWNER_TAG_RULE }],
    bundles: [],
    errors: [],
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  compiled = outcome.policies;
  scratch = await mkdtemp(path.join(tmpdir(), "tollgate-disk-store-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const withKey = (key: string): CompiledPolicies => ({ ...compiled, key });

function recordingLog() {
  const warnings: { fields: object; message: string }[] = [];
  return {
    warnings,
    log: { warn: (fields: object, message: string) => warnings.push({ fields, message }) },
  };
}

let dirs = 0;
/** A folder the store creates itself. */
const freshDir = () => path.join(scratch, `store-${++dirs}`);

describe("the compiled policy codec", () => {
  it("gives back the policies it encoded, and refuses any other key", () => {
    const bytes = encodeCompiled(compiled);
    expect(decodeCompiled(bytes, compiled.key)).toEqual({ ok: true, policies: compiled });
    expect(decodeCompiled(bytes, keyOf("b"))).toMatchObject({ ok: false });
  });
});

describe("DiskCompiledStore", () => {
  it("hands another process's store the entry one wrote, and it evaluates", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    await new DiskCompiledStore({ dir, log }).put(compiled);
    const restarted = await new DiskCompiledStore({ dir, log }).get(compiled.key);
    expect(restarted).toEqual(compiled);
    const resources = loadModel([{ path: "main.tf", text: BUCKET }]).resources;
    const result = await boundedRuleSet(restarted!).evaluate(resources);
    expect(result.findings.map((f) => [f.rule, f.resource])).toEqual([
      ["ACME-TAG-001", "aws_s3_bucket.logs"],
    ]);
    expect(await new DiskCompiledStore({ dir, log }).get(keyOf("b"))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("ignores and logs an entry that is corrupt, truncated, foreign or another key's", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const store = new DiskCompiledStore({ dir, log });
    await store.put(compiled);
    const file = fileOf(dir, compiled.key);
    const good = await readFile(file);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    const otherKey = encodeCompiled(withKey(keyOf("c")));
    const cases: [string, Uint8Array, RegExp][] = [
      ["a flipped Wasm byte", flipped, /digest/],
      ["a truncated write", good.subarray(0, good.length - 100), /digest/],
      ["a foreign file", Buffer.from("#!/bin/sh\necho planted\n"), /not a tollgate-compiled/],
      ["another key's entry under this name", otherKey, /the entry of sha256:c/],
    ];
    for (const [, bytes, problem] of cases) {
      await writeFile(file, bytes);
      warnings.length = 0;
      expect(await store.get(compiled.key)).toBeUndefined();
      expect(warnings).toEqual([
        {
          fields: { file, problem: expect.stringMatching(problem) },
          message: "compiled policy cache entry ignored",
        },
      ]);
    }
    // The next compile's write replaces it.
    await store.put(compiled);
    expect(await store.get(compiled.key)).toEqual(compiled);
  });

  it("keeps the most recently used entries within its count and byte bounds", async () => {
    const dir = freshDir();
    const { log } = recordingLog();
    const entrySize = encodeCompiled(compiled).byteLength;
    const store = new DiskCompiledStore({ dir, log, maxEntries: 3 });
    const keys = ["1", "2", "3", "4"].map(keyOf);
    let second = 1_000_000;
    for (const key of keys.slice(0, 3)) {
      await store.put(withKey(key));
      // File times one second apart, whatever the file system's resolution.
      await utimes(fileOf(dir, key), ++second, second);
    }
    // Reading the oldest makes it the most recent.
    expect(await store.get(keys[0]!)).toBeDefined();
    await store.put(withKey(keys[3]!));
    expect((await readdir(dir)).sort()).toEqual(
      [keys[0]!, keys[2]!, keys[3]!].map((key) => `${key.slice(7)}.compiled`).sort(),
    );

    const bytesDir = freshDir();
    const byBytes = new DiskCompiledStore({ dir: bytesDir, log, maxBytes: entrySize * 2 });
    for (const key of keys) await byBytes.put(withKey(key));
    expect(await readdir(bytesDir)).toHaveLength(2);
  });

  it("leaves whole entries and no temporary files when many writers race", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const stores = [1, 2, 3].map(() => new DiskCompiledStore({ dir, log, maxEntries: 4 }));
    const keys = ["1", "2", "3", "4", "5", "6"].map(keyOf);
    await Promise.all(
      stores.flatMap((store) => keys.flatMap((key) => [store.put(withKey(key)), store.get(key)])),
    );
    const names = await readdir(dir);
    expect(names.filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(names.length).toBeLessThanOrEqual(4);
    for (const name of names) {
      const key = "sha256:" + name.slice(0, 64);
      expect(decodeCompiled(await readFile(path.join(dir, name)), key)).toMatchObject({
        ok: true,
      });
    }
    expect(warnings).toEqual([]);
  });

  it("refuses a folder anyone may write to, and says why", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    await new DiskCompiledStore({ dir, log }).put(compiled);
    await chmod(dir, 0o777);
    const store = new DiskCompiledStore({ dir, log });
    expect(await store.get(compiled.key)).toBeUndefined();
    expect(warnings).toEqual([
      {
        fields: { dir, error: expect.stringMatching(/anyone may write/) },
        message: "TOLLGATE_CACHE_DIR not used",
      },
    ]);
  });
});
