// Whether one finding's exposure lies inside another's, from the scope rules give beside their
// evidence (`Finding.scope`), never from message text. The diff asks it after exact identity
// matching, so that narrowing an exposure (all ports to port 22) is not new and widening one
// (22 to 22-2222) does not fix the narrower one. Conservative: when in doubt, not covered.
import { BlockList, isIP } from "node:net";
import type { Finding, FindingScope, IamScope, NetworkScope } from "../model/index.js";
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
 * Conditions: `inner`'s imply each of `outer`'s, so `outer` holds in every deployment `inner` does.
 * Then both of one kind: `networkCovers`, `iamCovers`.
 */
export function scopeCovers(outer: FindingScope, inner: FindingScope): boolean {
  if (!outer.when.every((condition) => implies(inner.when, condition))) return false;
  if (outer.kind === "network" && inner.kind === "network") return networkCovers(outer, inner);
  if (outer.kind === "iam" && inner.kind === "iam") return iamCovers(outer, inner);
  return false;
}

/**
 * The same direction; `outer`'s protocol is `all` or `inner`'s; its port range holds `inner`'s
 * (and its open ports, when a network ACL's earlier denies leave only some, hold `inner`'s); its
 * CIDR contains `inner`'s, of the same IP version.
 */
function networkCovers(outer: NetworkScope, inner: NetworkScope): boolean {
  return (
    outer.direction === inner.direction &&
    (outer.protocol === "all" || outer.protocol === inner.protocol) &&
    outer.from <= inner.from &&
    inner.to <= outer.to &&
    portsCover(outer, inner) &&
    cidrContains(outer.source, inner.source)
  );
}

/**
 * Two allow statements: each of `inner`'s resources is matched by one of `outer`'s patterns
 * (case-sensitive, as ARNs are); `outer`'s `Condition` entries are all in `inner`'s, the same
 * (a statement's conditions must all hold, so `inner` is at most as broad); and every action
 * `inner` allows, `outer` allows. Actions (case-insensitive): each of `inner`'s is matched by one
 * of `outer`'s patterns. `NotAction` allows nearly everything: `outer` covers it only with
 * an action pattern matching every action, or with a `NotAction` each of whose patterns lies
 * inside one of `inner`'s (it excludes no more); an `outer` `NotAction` never covers an `inner`
 * `Action`.
 */
function iamCovers(outer: IamScope, inner: IamScope): boolean {
  if (outer.effect !== "Allow" || inner.effect !== "Allow") return false;
  const resourcesCovered = inner.resources.every((resource) =>
    outer.resources.some((pattern) => patternCovers(pattern, resource)),
  );
  if (!resourcesCovered || !conditionWithin(outer.condition, inner.condition)) return false;
  const action = (pattern: string) => pattern.toLowerCase();
  if (inner.actions !== undefined) {
    return inner.actions.every((allowed) =>
      (outer.actions ?? []).some((pattern) => patternCovers(action(pattern), action(allowed))),
    );
  }
  if (outer.actions !== undefined) {
    return outer.actions.some((pattern) => patternCovers(action(pattern), "*"));
  }
  const innerExcluded = inner.notActions ?? [];
  return (outer.notActions ?? []).every((excluded) =>
    innerExcluded.some((pattern) => patternCovers(action(pattern), action(excluded))),
  );
}

/** Each operator's keys in `outer` are in `inner` with the same value. */
function conditionWithin(outer: IamScope["condition"], inner: IamScope["condition"]): boolean {
  return Object.entries(outer).every(([operator, keys]) => {
    const innerKeys = inner[operator];
    if (!isRecord(keys) || !isRecord(innerKeys)) return false;
    return Object.entries(keys).every(
      ([key, value]) =>
        key in innerKeys && JSON.stringify(innerKeys[key]) === JSON.stringify(value),
    );
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether every text the IAM pattern `inner` (`*` any run, `?` one character) matches, the
 * pattern `outer` matches: `outer`'s `*` may take any run of `inner`, wildcards included; its `?`
 * one literal character or `?`; a literal only the same literal.
 */
export function patternCovers(outer: string, inner: string): boolean {
  // covered[i][j]: outer from i covers inner from j.
  const covered: boolean[][] = Array.from({ length: outer.length + 1 }, () =>
    new Array<boolean>(inner.length + 1).fill(false),
  );
  covered[outer.length]![inner.length] = true;
  for (let i = outer.length - 1; i >= 0; i--) {
    for (let j = inner.length; j >= 0; j--) {
      const token = outer[i];
      const next = inner[j];
      if (token === "*") {
        covered[i]![j] = covered[i + 1]![j]! || (j < inner.length && covered[i]![j + 1]!);
      } else if (next === undefined || next === "*") {
        covered[i]![j] = false;
      } else if (token === "?" || token === next) {
        covered[i]![j] = (next !== "?" || token === "?") && covered[i + 1]![j + 1]!;
      }
    }
  }
  return covered[0]![0]!;
}

/** `outer`'s open ports, when it lists them, include every port `inner` opens. */
function portsCover(outer: NetworkScope, inner: NetworkScope): boolean {
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
