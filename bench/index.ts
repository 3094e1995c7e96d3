// `npm run bench`: runs every benchmark script in this folder, one process each so that their
// memory figures do not mix, and prints their reports in one run. Speed targets live here,
// never in tests.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && name !== "index.ts" && !name.endsWith(".test.ts"))
  .filter((name) => only.length === 0 || only.some((wanted) => name.startsWith(wanted)))
  .sort();

let failed = 0;
for (const script of scripts) {
  process.stdout.write(`\n=== ${script}\n`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--expose-gc", path.join(here, script)],
    {
      stdio: "inherit",
      cwd: path.resolve(here, ".."),
    },
  );
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`(${script} exited with ${result.status ?? result.signal})\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
