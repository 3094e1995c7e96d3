// `tollgate build` of the whole built-in library, as `npm run build` runs it: a slow suite, since
// compiling every rule takes 15 s of CPU (81 s at a load average of 20 on two cores). The CLI's
// build behaviour on a small folder is tested in cli.test.ts.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { describe, expect, it } from "vitest";
import { readBundle } from "../src/policy/bundle.js";
import { hostBuiltins } from "../src/rego/index.js";
import { runCli } from "./support/cli.js";
import { repoRoot } from "./support/corpus.js";
import { withTempDir } from "./support/tempDir.js";

describe("tollgate build policies", () => {
  it("writes the built-in library in the opa build layout, every rule an entrypoint", async () => {
    await withTempDir("build", async (dir) => {
      const out = path.join(dir, "bundle.tar.gz");
      const result = await runCli(["build", "policies", "-o", out], repoRoot);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const bundle = await readBundle(new Uint8Array(await readFile(out)));
      expect(bundle.modules["/policy.wasm"]?.byteLength).toBeGreaterThan(1000);
      const entrypoints = bundle.manifest.wasm?.map((w) => w.entrypoint) ?? [];
      expect(entrypoints).toContain("tollgate/rules/network/ssh_open/deny");
      const scan = await runCli(
        ["scan", "examples/pr/head", "--bundle", out, "--format", "json"],
        repoRoot,
      );
      expect(scan.code).toBe(1);

      // The OPA SDK's defaults (5 pages of memory, no maximum) load it, although its constants
      // end 8 pages in; its string builtins are Tollgate's host functions (src/rego/index.ts).
      const wasm = bundle.modules["/policy.wasm"]!;
      const ssh = "tollgate/rules/network/ssh_open/deny";
      const plain = await loadPolicy(wasm);
      expect(plain.evaluate({ resources: [] }, ssh)).toEqual([{ result: [] }]);
      await writeFile(
        path.join(dir, "main.tf"),
        `resource "aws_security_group" "bastion" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
`,
      );
      const inspect = await runCli(["inspect", dir, "--format", "json"], repoRoot);
      const { input } = JSON.parse(inspect.stdout) as { input: unknown };
      const policy = await loadPolicy(wasm, undefined, hostBuiltins);
      expect(policy.evaluate(input, ssh)).toMatchObject([
        { result: [{ resource: "aws_security_group.bastion" }] },
      ]);
    });
  }, 300_000);
});
