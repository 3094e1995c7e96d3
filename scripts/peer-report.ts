// Prints the built-in library's recall and false positives on the peer scanner's fixtures.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPolicyBundle } from "../src/engine/index.js";
import { loadRuleSet } from "../src/policy/evaluate.js";
import { measurePeerFixtures, summarise } from "../test/peer/measure.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ruleSet = await loadRuleSet(await loadPolicyBundle());
const measures = await measurePeerFixtures(
  path.resolve(root, "../shared/corpus/kics"),
  path.join(root, "policies/kics-mapping.json"),
  ruleSet,
);
console.log(summarise(measures));
