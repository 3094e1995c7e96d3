// The diff stage: labels each finding new, existing or fixed by comparing a base and a head scan.
// Identity is rule + resource address + evidence (never the line), so moving code changes nothing
// while one more bad value on the same resource is new; equal identities are counted as multisets.
import type { Finding } from "../model/types.js";

export { followRenames, renamesByContent, type Rename } from "./renames.js";

/** The identity of a finding across commits: stable under moves and edits elsewhere in the file. */
export function findingIdentity(
  finding: Pick<Finding, "rule" | "resource" | "evidence" | "root">,
): string {
  return JSON.stringify([finding.rule, finding.root ?? "", finding.resource, finding.evidence]);
}

/**
 * Head findings come back in their order, each `new` or `existing`; then base findings that no
 * longer occur, `fixed`, with their base location. With two equal findings at base and three at
 * head, two are existing and one is new.
 */
export function diffFindings(base: Finding[], head: Finding[]): Finding[] {
  const unmatchedBase = new Map<string, Finding[]>();
  for (const finding of base) {
    const identity = findingIdentity(finding);
    const group = unmatchedBase.get(identity);
    if (group) group.push(finding);
    else unmatchedBase.set(identity, [finding]);
  }
  const labelled: Finding[] = head.map((finding) => {
    const group = unmatchedBase.get(findingIdentity(finding));
    const match = group?.shift();
    return { ...finding, status: match ? "existing" : "new" };
  });
  for (const group of unmatchedBase.values()) {
    for (const finding of group) labelled.push({ ...finding, status: "fixed" });
  }
  return labelled;
}
