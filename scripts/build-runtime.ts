// Builds the Rego Wasm runtime (AssemblyScript in src/rego/runtime/assembly) into
// src/rego/runtime/build/runtime.wasm, and a copy under dist/ so the built CLI finds it next to
// its own module. Run by `npm run build:runtime` before `build` and `test`.
import { mkdir, copyFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import asc from "assemblyscript/asc";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "src/rego/runtime/assembly/index.ts");
const outputs = [
  path.join(root, "src/rego/runtime/build"),
  path.join(root, "dist/rego/runtime/build"),
];
const optimize = !process.argv.includes("--debug");

async function main(): Promise<void> {
  await mkdir(outputs[0]!, { recursive: true });
  const target = path.join(outputs[0]!, "runtime.wasm");
  const { error, stderr } = await asc.main([
    entry,
    "--runtime",
    "stub",
    "--importMemory",
    "--noExportMemory",
    "--zeroFilledMemory",
    "--use",
    "abort=",
    ...(optimize ? ["-O3", "--noAssert"] : ["--debug"]),
    "--outFile",
    target,
  ]);
  if (error) {
    process.stderr.write(stderr.toString());
    throw error;
  }
  for (const dir of outputs.slice(1)) {
    await mkdir(dir, { recursive: true });
    await copyFile(target, path.join(dir, "runtime.wasm"));
  }
  process.stdout.write(`runtime: ${path.relative(root, target)}\n`);
}

await main();
