import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { create } from "tar";
import { readBundle, writeBundle } from "./bundle.js";

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
});
