// The app's look-up of what a changed Terraform file reads (`unresolvedReads`, references.ts) on a
// hostile file: 2 MiB of `fileset()` calls whose folder is not literal. Each call once looked for a
// literal match by scanning the rest of the file, so the time grew with the square of the file
// (20,000 calls, 580 KB: 4.9 s; 2 MiB: about a minute, per push). Target: linear, under 0.5 s
// CPU for 2 MiB (the app's largest file). Exits 1 over it. Run: npx tsx bench/file-reads.ts
import { unresolvedReads } from "../src/iac/terraform/references.js";

const line = 'files = fileset(local.dir, "*.py")\n';
const target = 0.5;
let over = false;
for (const bytes of [512 * 1024, 2 * 1024 * 1024]) {
  const text = line.repeat(Math.floor(bytes / line.length));
  const before = process.cpuUsage();
  const reads = unresolvedReads("modules/functions", text).length;
  const used = process.cpuUsage(before);
  const seconds = (used.user + used.system) / 1e6;
  if (bytes === 2 * 1024 * 1024 && seconds > target) over = true;
  console.log(
    `${(bytes / 1024).toFixed(0)} KiB, ${reads} calls: ${seconds.toFixed(3)} s CPU` +
      (bytes === 2 * 1024 * 1024 ? ` (target < ${target} s)` : ""),
  );
}
process.exitCode = over ? 1 : 0;
