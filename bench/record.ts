// What a check run's record (findings and any break-glass override, in `output.text`) costs: time to
// build and encode it, and to decode it back, for results of 10 to 3,000 findings, and its size
// against GitHub's 65,535-character limit. Figures, not assertions. Run: npx tsx bench/record.ts
import { performance } from "node:perf_hooks";
import { defaultSettings } from "../src/config/index.js";
import { decideGate } from "../src/gate/index.js";
import { decodeRecord, encodeRecord, recordOf } from "../src/report/index.js";
import { finding } from "../test/app/findings.js";

const SHA = "a".repeat(40);
const now = new Date("2026-11-26T00:00:00Z");
const ROUNDS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

console.log("findings  encode ms  decode ms  text chars  recorded  blocking keys listed");
for (const count of [10, 100, 1000, 3000]) {
  const findings = Array.from({ length: count }, (_, i) =>
    finding({
      resource: `module.net.aws_security_group.group_${i}`,
      evidence: `tcp/${1000 + i} from 0.0.0.0/0`,
      message: `Ingress tcp/${1000 + i} from 0.0.0.0/0 on a security group attached to a public subnet`,
      status: "new",
    }),
  );
  const decision = decideGate(findings, [], defaultSettings, { now });
  const encodeTimes: number[] = [];
  const decodeTimes: number[] = [];
  let text = "";
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    text = encodeRecord(recordOf(decision, SHA));
    encodeTimes.push(performance.now() - start);
    const decodeStart = performance.now();
    decodeRecord(text);
    decodeTimes.push(performance.now() - decodeStart);
  }
  const record = decodeRecord(text);
  console.log(
    [
      String(count).padStart(8),
      median(encodeTimes).toFixed(2).padStart(9),
      median(decodeTimes).toFixed(2).padStart(9),
      String(text.length).padStart(10),
      String(record?.findings.length ?? 0).padStart(8),
      String(record?.blocking.length ?? 0).padStart(20),
    ].join("  "),
  );
}
