// Whether one finding's exposure lies inside another's, from the scope rules give beside their
// evidence (`Finding.scope`), never from message text. The diff asks it after exact identity
// matching, so that narrowing an exposure (all ports to port 22) is not new and widening one
// (22 to 22-2222) does not fix the narrower one. Conservative: when in doubt, not covered.
import { BlockList, isIP } from "node:net";
import type { Finding, FindingScope } from "../model/index.js";
import { implies } from "../policy/conditions.js";

/**
 * Whether `outer` covers `inner`: both have a scope, are on the same root, subject (else
 * resource) and category, neither is a cannot-tell finding, and `outer`'s scope holds whenever
 * and wherever `inner`'s does (`scopeCovers`). The rule may differ: all traffic from the internet
 * covers SSH from the internet.
 */
export function findingCovers(
  outer: Pick<Finding, "root" | "subject" | "resource" | "category" | "scope" | "unknown">,
  inner: Pick<Finding, "root" | "subject" | "resource" | "category" | "scope" | "unknown">,
): boolean {
  if (outer.scope === undefined || inner.scope === undefined) return false;
  if (outer.unknown !== undefined || inner.unknown !== undefined) return false;
  return (
    (outer.root ?? "") === (inner.root ?? "") &&
    (outer.subject ?? outer.resource) === (inner.subject ?? inner.resource) &&
    outer.category === inner.category &&
    scopeCovers(outer.scope, inner.scope)
  );
}

/**
 * Network: the same direction; `outer`'s protocol is `all` or `inner`'s; its port range holds
 * `inner`'s (and its open ports, when a network ACL's earlier denies leave only some, hold
 * `inner`'s); its CIDR contains `inner`'s, of the same IP version. Conditions: `inner`'s imply
 * each of `outer`'s, so `outer` holds in every deployment `inner` does.
 */
export function scopeCovers(outer: FindingScope, inner: FindingScope): boolean {
  if (!outer.when.every((condition) => implies(inner.when, condition))) return false;
  return (
    outer.kind === "network" &&
    inner.kind === "network" &&
    outer.direction === inner.direction &&
    (outer.protocol === "all" || outer.protocol === inner.protocol) &&
    outer.from <= inner.from &&
    inner.to <= outer.to &&
    portsCover(outer, inner) &&
    cidrContains(outer.source, inner.source)
  );
}

/** `outer`'s open ports, when it lists them, include every port `inner` opens. */
function portsCover(
  outer: Pick<FindingScope, "ports">,
  inner: Pick<FindingScope, "ports" | "from" | "to">,
): boolean {
  if (outer.ports === undefined) return true;
  const innerPorts = inner.ports ?? (inner.from === inner.to ? [inner.from] : undefined);
  return innerPorts !== undefined && innerPorts.every((port) => outer.ports?.includes(port));
}

/**
 * Whether the CIDR `outer` contains the CIDR `inner`: the same text, or both valid blocks of the
 * same IP version with `outer`'s prefix no longer and `inner`'s address inside `outer`'s block.
 */
export function cidrContains(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  const outerBlock = parseCidr(outer);
  const innerBlock = parseCidr(inner);
  if (outerBlock === undefined || innerBlock === undefined) return false;
  if (outerBlock.family !== innerBlock.family || outerBlock.prefix > innerBlock.prefix)
    return false;
  const block = new BlockList();
  block.addSubnet(outerBlock.address, outerBlock.prefix, outerBlock.family);
  return block.check(innerBlock.address, innerBlock.family);
}

function parseCidr(
  cidr: string,
): { address: string; prefix: number; family: "ipv4" | "ipv6" } | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (match === null) return undefined;
  const address = match[1] ?? "";
  const prefix = Number(match[2]);
  const version = isIP(address);
  if (version === 4 && prefix <= 32) return { address, prefix, family: "ipv4" };
  if (version === 6 && prefix <= 128) return { address, prefix, family: "ipv6" };
  return undefined;
}
