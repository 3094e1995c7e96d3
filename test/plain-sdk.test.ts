// The built-in library's policy.wasm in a plain OPA SDK, `loadPolicy(wasm)` with no host functions,
// rule by rule on real projects: every rule gives what it gives with Tollgate's `hostBuiltins`.
// The module still names the regex builtins to the host, for patterns its native engine leaves
// there (README); the library uses none. A slow suite: it compiles the whole library.
import path from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { BUILTIN_POLICY_DIR } from "../src/engine/index.js";
import { loadModel, readRepositoryFiles } from "../src/iac/index.js";
import { policyInput } from "../src/model/input.js";
import { deploymentsOf } from "../src/model/scopes.js";
import { buildPolicies, bundleOf } from "../src/policy/build.js";
import { readPolicySources } from "../src/policy/build.js";
import { ALL_RULES_ENTRYPOINT, readBundle } from "../src/policy/bundle.js";
import { hostBuiltins } from "../src/rego/index.js";
import { corpusDir } from "./support/corpus.js";

/** Native builtins that pass what they do not implement to `hostBuiltins` (README). */
const HOST_FALLBACK = ["regex.match", "regex.replace", "tollgate.regex.split"];

const built = await buildPolicies(await readPolicySources(BUILTIN_POLICY_DIR));
if (!built.ok) throw new Error(built.errors.map((e) => `${e.file}: ${e.message}`).join("\n"));
const bundle = await readBundle(await bundleOf(built.built));
const wasm = bundle.modules["/policy.wasm"]!;
const entrypoints = (bundle.manifest.wasm ?? [])
  .map((r) => r.entrypoint)
  .filter((e) => e !== ALL_RULES_ENTRYPOINT);

/** The builtins the module imports from the host: its `builtins` export, by name. */
async function hostImports(): Promise<string[]> {
  const policy = await loadPolicy(wasm);
  const instance = policy.wasmInstance as WebAssembly.Instance;
  const exports = instance.exports as Record<string, (...args: number[]) => number>;
  const text = exports.opa_json_dump!(exports.builtins!());
  const bytes = new Uint8Array(policy.mem.buffer);
  let end = text;
  while (bytes[end] !== 0) end++;
  const names = JSON.parse(new TextDecoder().decode(bytes.subarray(text, end))) as object;
  return Object.keys(names).sort();
}

describe("the built-in library in a plain OPA SDK", () => {
  it("names to the host only the builtins README lists", async () => {
    expect(await hostImports()).toEqual(HOST_FALLBACK);
  });

  it.each(["cfngoat", "terraform-aws-s3-bucket", "terraform-aws-security-group"])(
    "evaluates each rule on %s as Tollgate does, none stopping at a host builtin",
    async (project) => {
      const { files } = readRepositoryFiles(path.join(corpusDir, "real", project));
      const { resources } = loadModel(files);
      const plain = await loadPolicy(wasm);
      const hosted = await loadPolicy(wasm, undefined, hostBuiltins);
      plain.setData(bundle.data);
      hosted.setData(bundle.data);
      const reached = new Set<string>();
      let compared = 0;
      for (const deployment of deploymentsOf(resources)) {
        const input = policyInput(deployment);
        for (const entrypoint of entrypoints) {
          const expected: unknown = hosted.evaluate(input, entrypoint);
          let actual: unknown;
          try {
            actual = plain.evaluate(input, entrypoint);
          } catch (error) {
            // The SDK throws a plain object with a message for a builtin it lacks.
            const message = (error as { message?: unknown }).message;
            const missing = /^not implemented: built-in function \d+: (.+)$/.exec(String(message));
            expect(missing, `${entrypoint}: ${String(message)}`).not.toBeNull();
            reached.add(missing![1]!);
            continue;
          }
          expect(actual, entrypoint).toEqual(expected);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(entrypoints.length);
      expect([...reached]).toEqual([]);
    },
    120_000,
  );
});
