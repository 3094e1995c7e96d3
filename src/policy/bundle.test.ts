import { describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { mkdir, mkdtemp, writeFile, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "tar";
import { compileRego } from "../rego/compiler.js";
import { hostBuiltins } from "../rego/runtime/index.js";
import { BundleError, readBundle, writeBundle } from "./bundle.js";

const wasmMagic = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

describe("OPA bundles", () => {
  it("round-trips the opa build -t wasm layout with entrypoint annotations", async () => {
    const bytes = await writeBundle({
      wasm: wasmMagic,
      entrypoints: [
        {
          entrypoint: "tollgate/rules/x/deny",
          annotations: [{ scope: "package", custom: { id: "TG-1" } }],
        },
      ],
      data: { tollgate: { settings: { strict: true } } },
      sources: { "/policies/x.rego": "package tollgate.rules.x\n" },
    });
    const bundle = await readBundle(bytes);
    expect(bundle.manifest.wasm).toEqual([
      {
        entrypoint: "tollgate/rules/x/deny",
        module: "/policy.wasm",
        annotations: [{ scope: "package", custom: { id: "TG-1" } }],
      },
    ]);
    expect(bundle.modules["/policy.wasm"]).toEqual(wasmMagic);
    expect(bundle.data).toEqual({ tollgate: { settings: { strict: true } } });
    expect(bundle.sources["/policies/x.rego"]).toBe("package tollgate.rules.x\n");
  });

  it("reads entries written with a leading slash, as opa build writes them, and nested data.json", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bundle-test-"));
    try {
      await writeFile(
        path.join(dir, ".manifest"),
        JSON.stringify({ revision: "r1", wasm: [{ entrypoint: "a/b", module: "/policy.wasm" }] }),
      );
      await writeFile(path.join(dir, "policy.wasm"), wasmMagic);
      await writeFile(path.join(dir, "data.json"), JSON.stringify({ top: 1 }));
      const { mkdir } = await import("node:fs/promises");
      await mkdir(path.join(dir, "x", "y"), { recursive: true });
      await writeFile(path.join(dir, "x", "y", "data.json"), JSON.stringify({ deep: 2 }));
      const out = path.join(dir, "b.tar.gz");
      await create({ gzip: true, file: out, cwd: dir, prefix: "/" }, [
        ".manifest",
        "policy.wasm",
        "data.json",
        "x/y/data.json",
      ]);
      const bundle = await readBundle(new Uint8Array(await readFile(out)));
      expect(bundle.manifest.revision).toBe("r1");
      expect(bundle.data).toEqual({ top: 1, x: { y: { deep: 2 } } });
      expect(Object.keys(bundle.modules)).toEqual(["/policy.wasm"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a manifest that names a missing module and bytes that are not a bundle", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bundle-test-"));
    try {
      await writeFile(
        path.join(dir, ".manifest"),
        JSON.stringify({ revision: "", wasm: [{ entrypoint: "a/b", module: "/missing.wasm" }] }),
      );
      const out = path.join(dir, "b.tar.gz");
      await create({ gzip: true, file: out, cwd: dir }, [".manifest"]);
      await expect(
        readBundle(new Uint8Array(await readFile(out)), "custom.tar.gz"),
      ).rejects.toThrow(/custom.tar.gz: manifest names module \/missing.wasm/);
      await expect(
        readBundle(new TextEncoder().encode("not a tarball at all"), "junk.tar.gz"),
      ).rejects.toThrow(/junk.tar.gz/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads a hand-made bundle's data.yaml and data.yml, each at its folder's path, as OPA does", async () => {
    const bundle = await readBundle(
      await tarball({
        ".manifest": JSON.stringify({ wasm: [{ entrypoint: "a/b", module: "/policy.wasm" }] }),
        "policy.wasm": wasmMagic,
        "data.json": JSON.stringify({ top: 1 }),
        "acme/data.yaml": "allowed_instance_types: [t3.micro]\n",
        "acme/limits/data.yml": "max: 9007199254740993\n",
      }),
    );
    expect(bundle.data).toEqual({
      top: 1,
      acme: { allowed_instance_types: ["t3.micro"], limits: { max: 9007199254740993n } },
    });
  });

  it("refuses a bundle whose data files set one value twice or do not parse, each located", async () => {
    const bytes = await tarball({
      ".manifest": JSON.stringify({ wasm: [{ entrypoint: "a/b", module: "/policy.wasm" }] }),
      "policy.wasm": wasmMagic,
      "data.json": JSON.stringify({ acme: { x: 1 } }),
      "acme/data.yaml": "x: 2\n",
      "other/data.yml": "a: [1,\n",
    });
    const error = await readBundle(bytes, "hand.tar.gz").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    const lines = (error as BundleError).message.split("\n");
    expect(lines[0]).toBe(
      "hand.tar.gz: data.json:1:1: data.acme.x is also set by acme/data.yaml: data files may add keys to one another's objects, not set the same value",
    );
    expect(lines[1]).toMatch(/^other\/data\.yml:\d+:\d+: /);
  });

  it("evaluates an opa build -t wasm style bundle's rule over its data.yaml", async () => {
    const { wasm } = await compileRego(
      {
        "acme.rego": `package acme

import rego.v1

deny contains t if {
\tsome t in data.acme.allowed_instance_types
\tt == input.type
}
`,
      },
      { entrypoints: ["acme/deny"] },
    );
    const bundle = await readBundle(
      await tarball({
        ".manifest": JSON.stringify({
          wasm: [{ entrypoint: "acme/deny", module: "/policy.wasm" }],
        }),
        "policy.wasm": wasm,
        "acme/data.yaml": "allowed_instance_types: [t3.micro]\n",
      }),
    );
    const policy = await loadPolicy(
      bundle.modules["/policy.wasm"] as Uint8Array,
      undefined,
      hostBuiltins,
    );
    policy.setData(bundle.data);
    expect(policy.evaluate({ type: "t3.micro" }, "acme/deny")).toEqual([{ result: ["t3.micro"] }]);
  });
});

/** A gzipped tar of `files` (path to text or bytes), each written with a leading slash. */
async function tarball(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), "bundle-test-"));
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    const out = path.join(dir, "b.tar.gz");
    await create({ gzip: true, file: out, cwd: dir, prefix: "/" }, Object.keys(files));
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
