import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCurrent } from "../engine/index.js";
import { readBundle, writeBundle } from "./bundle.js";
import { buildPolicies, bundleOf, sourcesRevision, type PolicySource } from "./build.js";
import {
  builtByCompiler,
  builtByRevisions,
  COMPILER_METADATA_KEY,
  compilerFiles,
  compilerRevision,
  compilerRevisionOf,
  runningCompiler,
  type CompilerFiles,
} from "./revision.js";

const scratch = mkdtempSync(path.join(tmpdir(), "tollgate-revision-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the running compiler's files (tests included, which must not count). */
function copyOfCompiler(name: string): CompilerFiles {
  const root = path.join(scratch, name);
  cpSync(path.join(runningCompiler.root, "rego"), path.join(root, "rego"), { recursive: true });
  mkdirSync(path.join(root, "policy"));
  for (const file of ["build", "bundle", "metadata"])
    cpSync(
      path.join(runningCompiler.root, "policy", file + runningCompiler.extension),
      path.join(root, "policy", file + runningCompiler.extension),
    );
  return { root, extension: runningCompiler.extension };
}

const source: PolicySource = {
  path: "network/x/policy.rego",
  text: `# METADATA
# title: X
# custom:
#   id: TG-X-1
#   severity: low
#   category: network
package tollgate.rules.network.x

import rego.v1

deny contains {"resource": r.address, "message": "m", "evidence": "e"} if {
\tsome r in input.resources
\tr.type == "x"
}
`,
};

describe("the compiler revision", () => {
  it("covers the planner, the emitter, the runtime and the bundle builder, not tests", () => {
    const files = compilerFiles(runningCompiler);
    const ext = runningCompiler.extension;
    expect(files).toEqual(
      expect.arrayContaining([
        `rego/plan/planner${ext}`,
        `rego/wasm/binary${ext}`,
        "rego/runtime/build/runtime.wasm",
        `policy/build${ext}`,
        `policy/bundle${ext}`,
      ]),
    );
    expect(files.filter((f) => /\.test\.ts$|\/assembly\/|\/conformance\//.test(f))).toEqual([]);
  });

  it("changes with any compiler file and with nothing else", () => {
    const copy = copyOfCompiler("edited");
    expect(compilerRevisionOf(copy)).toBe(compilerRevision());
    appendFileSync(path.join(copy.root, "rego/compile/compile.test.ts"), "\n// a test edit\n");
    expect(compilerRevisionOf(copy)).toBe(compilerRevision());
    appendFileSync(
      path.join(copy.root, `rego/plan/planner${copy.extension}`),
      "\n// a planner edit\n",
    );
    expect(compilerRevisionOf(copy)).not.toBe(compilerRevision());
  });

  it("makes a prebuilt bundle stale once the compiler changes, though its sources did not", async () => {
    const built = await buildPolicies([source]);
    if (!built.ok) throw new Error(JSON.stringify(built.errors));
    const bundle = await readBundle(await bundleOf(built.built));
    const key = sourcesRevision([source]);
    expect(isCurrent(bundle, key)).toBe(true);
    expect(isCurrent(bundle, sourcesRevision([{ ...source, text: source.text + "\n" }]))).toBe(
      false,
    );

    const changed = copyOfCompiler("changed");
    appendFileSync(path.join(changed.root, "rego/runtime/build/runtime.wasm"), "\0");
    // The same policies built by the changed compiler, then read by the one running here.
    const byOther = await readBundle(
      await writeBundle({
        revision: key,
        wasm: built.built.wasm,
        entrypoints: built.built.entrypoints.map((entrypoint) => ({ entrypoint })),
        metadata: { [COMPILER_METADATA_KEY]: builtByRevisions(changed) },
      }),
    );
    expect(isCurrent(byOther, key)).toBe(false);
    expect(builtByCompiler(byOther.manifest.metadata, changed)).toBe(true);
    // A bundle that names no compiler (`opa build`, an older Tollgate) is never current.
    const unnamed = await readBundle(
      await writeBundle({ revision: key, wasm: built.built.wasm, entrypoints: [] }),
    );
    expect(isCurrent(unnamed, key)).toBe(false);
  });

  it("lets a dist build vouch for the sources only while dist is not older than them", () => {
    const root = path.join(scratch, "checkout");
    const write = (file: string, text: string, seconds: number) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
      utimesSync(path.join(root, file), seconds, seconds);
    };
    for (const module of ["rego/compiler", "policy/build", "policy/bundle", "policy/metadata"]) {
      write(`src/${module}.ts`, `// ${module}`, 1000);
      write(`dist/${module}.js`, `// ${module} built`, 2000);
    }
    const dist: CompilerFiles = { root: path.join(root, "dist"), extension: ".js" };
    const src: CompilerFiles = { root: path.join(root, "src"), extension: ".ts" };
    expect(builtByRevisions(dist)).toEqual({
      ".js": compilerRevisionOf(dist),
      ".ts": compilerRevisionOf(src),
    });
    // An edit after the last `tsc`: the built compiler is not the sources', so only it is named.
    write("src/rego/compiler.ts", "// rego/compiler edited", 3000);
    expect(builtByRevisions(dist)).toEqual({ ".js": compilerRevisionOf(dist) });
    write("dist/rego/compiler.js", "// rego/compiler rebuilt", 4000);
    expect(builtByRevisions(dist)[".ts"]).toBe(compilerRevisionOf(src));
    // A source without its built module (a new file not yet compiled) also stops the vouching.
    write("src/rego/plan.ts", "// new", 1000);
    expect(builtByRevisions(dist)[".ts"]).toBeUndefined();
  });
});
