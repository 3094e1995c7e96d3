import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { chmod, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../../../test/app/fakeGitHub.js";
import { OWNER_TAG_RULE, WITH_COMPARISON_MODULE } from "../../../test/support/customRules.js";
import type { GitHubApi } from "../../github/index.js";
import { loadModel } from "../../iac/index.js";
import { boundedRuleSet } from "../bounded.js";
import { compilePolicies, type CompiledPolicies } from "../compile.js";
import { OrgPolicies } from "../store.js";
import { decodeCompiled, encodeCompiled } from "./codec.js";
import { NumberText } from "../../rego/runtime/index.js";
import { DiskCompiledStore } from "./disk.js";
import { cacheKeyOf, cacheKeyOfApp } from "./trust.js";
import { compiledSlot, lastGoodSlot, slotName } from "./types.js";

const BUCKET = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n}\n';
const keyOf = (digit: string) => "sha256:" + digit.repeat(64);
const fileOf = (dir: string, key: string) => path.join(dir, `${key.slice(7)}.compiled`);
const lastGoodFileOf = (dir: string, origin: string) =>
  path.join(dir, `${slotName(lastGoodSlot(origin))}.last-good`);
/** The app's key, and the one of a writer of the folder who does not have the app's secrets. */
const macKey = cacheKeyOf(randomBytes(32));
const plantersKey = cacheKeyOf(randomBytes(32));
const ORIGIN = "acme/.github:tollgate/policies";

/** An entry as Tollgate wrote them before entries had a MAC: a sha256 digest line instead. */
function unauthenticatedEntry(policies: CompiledPolicies): Buffer {
  const payload = withoutMacLine(encodeCompiled(policies, compiledSlot(policies.key), macKey));
  const digest = "sha256:" + createHash("sha256").update(payload).digest("hex") + "\n";
  return Buffer.concat([Buffer.from("tollgate-compiled/1\n"), Buffer.from(digest), payload]);
}

/** What follows an entry's format and MAC lines. */
function withoutMacLine(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes);
  return buffer.subarray(buffer.indexOf("\n", buffer.indexOf("\n") + 1) + 1);
}

/** `entry`'s format and MAC lines over another entry's content. */
function withContentOf(entry: Uint8Array, other: Uint8Array): Buffer {
  const buffer = Buffer.from(entry);
  const lines = buffer.subarray(0, buffer.byteLength - withoutMacLine(entry).byteLength);
  return Buffer.concat([lines, withoutMacLine(other)]);
}

let compiled: CompiledPolicies;
let scratch: string;

beforeAll(async () => {
  const outcome = await compilePolicies(keyOf("a"), "acme/.github:tollgate/policies", {
    sources: [
      { path: "tollgate/policies/owner_tag.rego", text: OWNER_TAG_RULE },
      { path: "tollgate/policies/checks.rego", text: WITH_COMPARISON_MODULE },
    ],
    bundles: [],
    errors: [],
  });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  compiled = outcome.policies;
  scratch = await mkdtemp(path.join(tmpdir(), "tollgate-disk-store-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const withKey = (key: string): CompiledPolicies => ({ ...compiled, key });
/** A bundle that finds nothing, what a planter would want the gate to run. */
const findsNothing = (): CompiledPolicies => ({ ...compiled, rules: [] });

function recordingLog() {
  const warnings: { fields: object; message: string }[] = [];
  return {
    warnings,
    log: { warn: (fields: object, message: string) => warnings.push({ fields, message }) },
  };
}

let dirs = 0;
/** A folder the store creates itself. */
/** Each case's bytes in `file` make `compiled`'s entry a miss with one warning naming its problem. */
async function expectEachIgnored(
  store: DiskCompiledStore,
  file: string,
  warnings: { fields: object; message: string }[],
  cases: [string, Uint8Array, RegExp][],
): Promise<void> {
  for (const [, bytes, problem] of cases) {
    await writeFile(file, bytes);
    warnings.length = 0;
    expect(await store.get(compiled.key)).toBeUndefined();
    expect(warnings).toEqual([
      {
        fields: { key: compiled.key, file, problem: expect.stringMatching(problem) },
        message: "compiled policy cache entry ignored",
      },
    ]);
  }
}

const freshDir = () => path.join(scratch, `store-${++dirs}`);

describe("the compiled policy codec", () => {
  it("gives back the policies it encoded, and refuses another key, slot or MAC key", () => {
    // The compiler's warnings travel too: the policies check shows them for a cached version.
    expect(compiled.warnings.map((w) => [w.file, w.code])).toEqual([
      ["tollgate/policies/checks.rego", "rego_with_comparison"],
    ]);
    const slot = compiledSlot(compiled.key);
    const bytes = encodeCompiled(compiled, slot, macKey);
    expect(decodeCompiled(bytes, slot, macKey, compiled.key)).toEqual({
      ok: true,
      policies: compiled,
    });
    expect(decodeCompiled(bytes, slot, macKey, keyOf("b"))).toMatchObject({ ok: false });
    expect(decodeCompiled(bytes, compiledSlot(keyOf("b")), macKey)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/MAC does not verify/),
    });
    expect(decodeCompiled(bytes, slot, plantersKey, compiled.key)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/MAC does not verify/),
    });
  });

  it("keeps a data file's integer past 2^53 (a bigint) and decimal past a double exact through an entry", () => {
    const data = {
      acme: { id: 9007199254740993n, rate: new NumberText("0.30000000000000004440") },
    };
    const exact: CompiledPolicies = {
      ...compiled,
      modules: compiled.modules.map((m) => ({ ...m, data })),
    };
    const slot = compiledSlot(exact.key);
    expect(decodeCompiled(encodeCompiled(exact, slot, macKey), slot, macKey)).toEqual({
      ok: true,
      policies: exact,
    });
  });

  it("derives one key from the App's secrets however its PEM is written, and another for other secrets", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const entryOf = (key: ReturnType<typeof cacheKeyOf>) =>
      encodeCompiled(compiled, compiledSlot(compiled.key), key);
    const app = cacheKeyOfApp({ privateKey: pkcs1, webhookSecret: "s3cret" });
    const same = cacheKeyOfApp({
      privateKey: pkcs8.replace(/\n/g, "\r\n") + "\n",
      webhookSecret: "s3cret",
    });
    const otherSecret = cacheKeyOfApp({ privateKey: pkcs1, webhookSecret: "s3cret2" });
    const slot = compiledSlot(compiled.key);
    expect(decodeCompiled(entryOf(app), slot, same)).toMatchObject({ ok: true });
    expect(decodeCompiled(entryOf(app), slot, otherSecret)).toMatchObject({ ok: false });
    // Logged by mistake, the key shows nothing of its material.
    expect(JSON.stringify({ app })).toBe('{"app":{}}');
  });
});

describe("DiskCompiledStore", () => {
  it("hands another process's store the entry one wrote, and it evaluates", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    await new DiskCompiledStore({ dir, macKey, log }).put(compiled);
    const restarted = await new DiskCompiledStore({ dir, macKey, log }).get(compiled.key);
    expect(restarted).toEqual(compiled);
    const resources = loadModel([{ path: "main.tf", text: BUCKET }]).resources;
    const result = await boundedRuleSet(restarted!).evaluate(resources);
    expect(result.findings.map((f) => [f.rule, f.resource])).toEqual([
      ["ACME-TAG-001", "aws_s3_bucket.logs"],
    ]);
    expect(await new DiskCompiledStore({ dir, macKey, log }).get(keyOf("b"))).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("ignores and logs once an entry that is corrupt, truncated, foreign or another key's", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const store = new DiskCompiledStore({ dir, macKey, log });
    await store.put(compiled);
    const file = fileOf(dir, compiled.key);
    const good = await readFile(file);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    const otherKey = encodeCompiled(withKey(keyOf("c")), compiledSlot(keyOf("c")), macKey);
    const cases: [string, Uint8Array, RegExp][] = [
      ["a flipped Wasm byte", flipped, /MAC does not verify/],
      ["a truncated write", good.subarray(0, good.length - 100), /MAC does not verify/],
      ["a foreign file", Buffer.from("#!/bin/sh\necho planted\n"), /not a tollgate-compiled/],
      ["another key's entry under this name", otherKey, /MAC does not verify/],
    ];
    await expectEachIgnored(store, file, warnings, cases);
    // The next compile's write replaces it.
    await store.put(compiled);
    expect(await store.get(compiled.key)).toEqual(compiled);
  });

  it("runs no entry it did not write: a planted, altered or old-format one is a miss, logged once", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const store = new DiskCompiledStore({ dir, macKey, log });
    await store.put(compiled);
    const file = fileOf(dir, compiled.key);
    const good = await readFile(file);
    const planted = encodeCompiled(findsNothing(), compiledSlot(compiled.key), plantersKey);
    const cases: [string, Uint8Array, RegExp][] = [
      // A writer of the folder who knows the format but not the app's secrets.
      ["planted with a MAC of another key", planted, /MAC does not verify/],
      [
        "content changed, MAC kept",
        withContentOf(good, encodeCompiled(findsNothing(), compiledSlot(compiled.key), macKey)),
        /MAC does not verify/,
      ],
      ["written before entries had a MAC", unauthenticatedEntry(compiled), /earlier Tollgate/],
    ];
    await expectEachIgnored(store, file, warnings, cases);
  });

  it("keeps a folder's last good version apart from its entries, and refuses another folder's", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const store = new DiskCompiledStore({ dir, macKey, log, maxEntries: 1 });
    await store.putLastGood(ORIGIN, compiled);
    // Evicting every compiled entry leaves the last good version.
    for (const key of ["1", "2"].map(keyOf)) await store.put(withKey(key));
    const restarted = new DiskCompiledStore({ dir, macKey, log });
    expect(await restarted.getLastGood(ORIGIN)).toEqual(compiled);
    expect(await restarted.getLastGood("acme/other:tollgate/policies")).toBeUndefined();
    expect(warnings).toEqual([]);

    const file = lastGoodFileOf(dir, ORIGIN);
    const otherFolders = encodeCompiled(
      findsNothing(),
      lastGoodSlot("acme/other:tollgate/policies"),
      macKey,
    );
    for (const [bytes, problem] of [
      [encodeCompiled(findsNothing(), lastGoodSlot(ORIGIN), plantersKey), /MAC does not verify/],
      [otherFolders, /MAC does not verify/],
      [unauthenticatedEntry(compiled), /earlier Tollgate/],
    ] as const) {
      await writeFile(file, bytes);
      warnings.length = 0;
      expect(await restarted.getLastGood(ORIGIN)).toBeUndefined();
      expect(warnings).toEqual([
        {
          fields: { origin: ORIGIN, file, problem: expect.stringMatching(problem) },
          message: "compiled policy cache entry ignored",
        },
      ]);
    }
  });

  it("keeps the most recently used entries within its count and byte bounds", async () => {
    const dir = freshDir();
    const { log } = recordingLog();
    const entrySize = encodeCompiled(compiled, compiledSlot(compiled.key), macKey).byteLength;
    const store = new DiskCompiledStore({ dir, macKey, log, maxEntries: 3 });
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
    const byBytes = new DiskCompiledStore({ dir: bytesDir, macKey, log, maxBytes: entrySize * 2 });
    for (const key of keys) await byBytes.put(withKey(key));
    expect(await readdir(bytesDir)).toHaveLength(2);
  });

  it("leaves whole entries and no temporary files when many writers race", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const stores = [1, 2, 3].map(() => new DiskCompiledStore({ dir, macKey, log, maxEntries: 4 }));
    const keys = ["1", "2", "3", "4", "5", "6"].map(keyOf);
    await Promise.all(
      stores.flatMap((store) => keys.flatMap((key) => [store.put(withKey(key)), store.get(key)])),
    );
    const names = await readdir(dir);
    expect(names.filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(names.length).toBeLessThanOrEqual(4);
    for (const name of names) {
      const key = "sha256:" + name.slice(0, 64);
      expect(
        decodeCompiled(await readFile(path.join(dir, name)), compiledSlot(key), macKey, key),
      ).toMatchObject({ ok: true });
    }
    expect(warnings).toEqual([]);
  });

  it("refuses a folder anyone may write to, and says why", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    await new DiskCompiledStore({ dir, macKey, log }).put(compiled);
    await chmod(dir, 0o777);
    const store = new DiskCompiledStore({ dir, macKey, log });
    expect(await store.get(compiled.key)).toBeUndefined();
    expect(warnings).toEqual([
      {
        fields: { dir, error: expect.stringMatching(/anyone may write/) },
        message: "TOLLGATE_CACHE_DIR not used",
      },
    ]);
  });
});

describe("OrgPolicies over a DiskCompiledStore, across a restart", () => {
  const GOOD = "a".repeat(40);
  const BROKEN = "c".repeat(40);
  const folder = "tollgate/policies";
  const organization = { owner: "acme", repo: ".github" };
  const github = new FakeGitHub({
    commits: {
      [GOOD]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE },
      [BROKEN]: { [`${folder}/owner.rego`]: OWNER_TAG_RULE.replace("some r in", "some r in in") },
    },
    pullFiles: [],
  });
  let api: GitHubApi;
  beforeAll(async () => {
    api = github.client(await github.start());
  });
  afterAll(() => github.stop());

  const instance = (dir: string, log: ReturnType<typeof recordingLog>["log"], key = macKey) =>
    new OrgPolicies({ store: new DiskCompiledStore({ dir, macKey: key, log }) });

  it("keeps enforcing the last good version after a restart while the newest does not compile", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const before = instance(dir, log);
    const good = await before.resolve(api, organization, folder, GOOD, []);
    if (!good.outcome.ok) throw new Error(JSON.stringify(good.outcome.errors));

    const restarted = instance(dir, log);
    const broken = await restarted.resolve(api, organization, folder, BROKEN, []);
    expect(broken.outcome.ok).toBe(false);
    expect(broken.lastGood).toEqual(good.outcome.policies);
    expect(restarted.compiles).toBe(1);
    expect(warnings).toEqual([]);

    // Another app's key (or a planter's) reads no last good version: the errors are reported.
    const { log: otherLog, warnings: otherWarnings } = recordingLog();
    const stranger = instance(dir, otherLog, plantersKey);
    expect(
      (await stranger.resolve(api, organization, folder, BROKEN, [])).lastGood,
    ).toBeUndefined();
    expect(otherWarnings).toEqual([
      expect.objectContaining({
        fields: expect.objectContaining({ origin: good.listing.origin }),
        message: "compiled policy cache entry ignored",
      }),
    ]);
  });

  it("compiles again over an old-format entry, and the entry it writes serves the next restart", async () => {
    const dir = freshDir();
    const { log, warnings } = recordingLog();
    const first = await instance(dir, log).resolve(api, organization, folder, GOOD, []);
    if (!first.outcome.ok) throw new Error(JSON.stringify(first.outcome.errors));
    const file = fileOf(dir, first.outcome.policies.key);
    await writeFile(file, unauthenticatedEntry(first.outcome.policies));

    const upgraded = instance(dir, log);
    expect((await upgraded.resolve(api, organization, folder, GOOD, [])).outcome.ok).toBe(true);
    expect(upgraded.compiles).toBe(1);
    expect(warnings).toEqual([
      {
        fields: {
          key: first.outcome.policies.key,
          file,
          problem: expect.stringMatching(/earlier/),
        },
        message: "compiled policy cache entry ignored",
      },
    ]);
    expect((await readFile(file)).subarray(0, 20).toString()).toBe("tollgate-compiled/2\n");
    const next = instance(dir, log);
    await next.resolve(api, organization, folder, GOOD, []);
    expect(next.compiles).toBe(0);
    expect(warnings).toHaveLength(1);
  });
});
