// Whether one finding's exposure lies inside another's, from the scope rules give beside their
// evidence (`Finding.scope`), never from message text. The diff asks it after exact identity
// matching, so that narrowing an exposure (all ports to port 22) is not new and widening one
// (22 to 22-2222) does not fix the narrower one. Conservative: when in doubt, not covered.
import { BlockList, isIP } from "node:net";
import type {
  AclScope,
  Finding,
  FindingScope,
  IamScope,
  NetworkScope,
  ResourcePolicyScope,
} from "../model/index.js";
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
 * Conditions: `inner`'s imply each of `outer`'s, so `outer` holds in every deployment `inner` does
 * (unless `options.conditions` is false: the exposure alone is compared). Then both of one kind:
 * `networkCovers`, `grantCovers` (identity policies), `publicGrantCovers` (resource policies),
 * `aclCovers`.
 */
export function scopeCovers(
  outer: FindingScope,
  inner: FindingScope,
  options: { conditions?: boolean } = {},
): boolean {
  if (
    options.conditions !== false &&
    !outer.when.every((condition) => implies(inner.when, condition))
  )
    return false;
  if (outer.kind === "network" && inner.kind === "network") return networkCovers(outer, inner);
  if (outer.kind === "iam" && inner.kind === "iam") return grantCovers(outer, inner);
  if (outer.kind === "resource-policy" && inner.kind === "resource-policy") {
    return publicGrantCovers(outer, inner);
  }
  if (outer.kind === "acl" && inner.kind === "acl") return aclCovers(outer, inner);
  return false;
}

/**
 * A contained grant covers only contained ones (removing Block Public Access exposes what it
 * kept in; adding it exposes nothing new). `outer`'s principal is everyone (`*`) or `inner`'s;
 * then its statement covers `inner`'s as an identity statement does (`grantCovers`).
 */
function publicGrantCovers(outer: ResourcePolicyScope, inner: ResourcePolicyScope): boolean {
  return (
    (!outer.contained || inner.contained) &&
    (outer.principal === "*" || outer.principal === inner.principal) &&
    grantCovers(outer, inner)
  );
}

/**
 * The same containment order as `publicGrantCovers`; `outer` grants to everyone (`AllUsers`) or
 * to `inner`'s group, and every permission `inner` grants.
 */
function aclCovers(outer: AclScope, inner: AclScope): boolean {
  return (
    (!outer.contained || inner.contained) &&
    (outer.grantee === "AllUsers" || outer.grantee === inner.grantee) &&
    inner.permissions.every((permission) => outer.permissions.includes(permission))
  );
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
 * Two allow statements: `outer`'s `Condition` entries are all in `inner`'s, the same (a
 * statement's conditions must all hold, so `inner` is at most as broad); every resource and every
 * action `inner` names, `outer` names (`setCovers`): resources case-sensitively, as ARNs are,
 * actions not; a resource Tollgate cannot know only by a `*` resource or the same expression.
 * Each statement that may deny beside `outer` (`denies`, compared as written) is beside `inner`
 * too, so what it takes from `outer` it takes from `inner`; `inner` may be denied more.
 */
function grantCovers(outer: Omit<IamScope, "kind">, inner: Omit<IamScope, "kind">): boolean {
  if (outer.effect !== "Allow" || inner.effect !== "Allow") return false;
  if (!(outer.denies ?? []).every((denial) => inner.denies?.includes(denial))) return false;
  if (!conditionWithin(outer.condition, inner.condition)) return false;
  const outerResources = resourceSet(outer);
  const everyResource = (outerResources.listed ?? []).some((pattern) =>
    patternCovers(pattern, "*"),
  );
  const unknownCovered = (inner.unknownResources ?? []).every(
    (expression) => everyResource || (outer.unknownResources ?? []).includes(expression),
  );
  const lower = (patterns: string[] | undefined) => patterns?.map((p) => p.toLowerCase());
  return (
    unknownCovered &&
    setCovers(outerResources, resourceSet(inner)) &&
    setCovers(
      { listed: lower(outer.actions), excluded: lower(outer.notActions) },
      { listed: lower(inner.actions), excluded: lower(inner.notActions) },
    )
  );
}

/**
 * Whether `scope` provably exposes something `other` does not, its conditions aside: two allow
 * statements (identity, or resource policy to the same principal with the same containment) with
 * the same `Condition` block and denials as written, each listing its actions and resources (no
 * `NotAction`, `NotResource`, resource Tollgate cannot know or policy variable), where an action or
 * a resource `scope` names matches nothing `other` names there, in any case (`patternsOverlap`):
 * `sqs:*` on one queue, then on another. Anything else is doubt, and false: two ways of writing
 * one grant (`"true"` or `["true"]` in a condition, an ARN written for the partition) never count.
 */
export function exposesBeyond(scope: FindingScope, other: FindingScope): boolean {
  if (scope.kind === "iam" && other.kind === "iam") return grantBeyond(scope, other);
  if (scope.kind !== "resource-policy" || other.kind !== "resource-policy") return false;
  return (
    scope.principal === other.principal &&
    scope.contained === other.contained &&
    grantBeyond(scope, other)
  );
}

function grantBeyond(grant: Omit<IamScope, "kind">, other: Omit<IamScope, "kind">): boolean {
  const listed = (statement: Omit<IamScope, "kind">): string[][] | undefined =>
    statement.effect === "Allow" &&
    statement.actions !== undefined &&
    statement.notResources === undefined &&
    (statement.unknownResources ?? []).length === 0 &&
    !statement.resources.some((resource) => resource.includes("${"))
      ? [statement.actions, statement.resources].map((patterns) =>
          patterns.map((pattern) => pattern.toLowerCase()),
        )
      : undefined;
  const [actions, resources] = listed(grant) ?? [];
  const [otherActions, otherResources] = listed(other) ?? [];
  if (!actions || !resources || !otherActions || !otherResources) return false;
  const sorted = (denies: string[] | undefined) => JSON.stringify([...new Set(denies)].sort());
  if (sorted(grant.denies) !== sorted(other.denies)) return false;
  if (JSON.stringify(grant.condition) !== JSON.stringify(other.condition)) return false;
  const outside = (named: string[], patterns: string[]): boolean =>
    named.some((text) => patterns.every((pattern) => !patternsOverlap(pattern, text)));
  return (
    (resources.length > 0 && outside(actions, otherActions)) ||
    (actions.length > 0 && outside(resources, otherResources))
  );
}

/**
 * Whether `scope` grants what it does under fewer restrictions than `other`, their conditions
 * aside: two allow statements (identity, or resource policy to the same principal and no more
 * contained) where `scope`'s `Condition` entries are some of `other`'s but not all, compared as
 * written (`conditionWithin` one way only: `aws:SourceVpc` dropped), and each statement that may
 * deny beside `scope` was beside `other`. Whatever `scope` grants, on `other`'s resources or
 * others, some of it is then granted where `other`'s was not, however its actions and resources
 * were narrowed: `sqs:*` on `*` from one VPC, then on one queue from anywhere. Another value for
 * a key, a key added beside one dropped, or a condition written another way is doubt, and false.
 */
export function dropsRestrictions(scope: FindingScope, other: FindingScope): boolean {
  if (scope.kind === "resource-policy" && other.kind === "resource-policy") {
    if (scope.principal !== other.principal || (scope.contained && !other.contained)) return false;
  } else if (scope.kind !== "iam" || other.kind !== "iam") return false;
  return (
    (scope.denies ?? []).every((denial) => other.denies?.includes(denial)) &&
    conditionWithin(scope.condition, other.condition) &&
    !conditionWithin(other.condition, scope.condition)
  );
}

/**
 * Whether `scope`, which `exposesBeyond` `other`, may still grant part of what `other` does: an
 * action and a resource of `other` each match something `scope` names (`sqs:*` on queues a and
 * b, then on a and c: a is still granted). A grant not plainly listed counts as shared, so the
 * base's is never called fixed while the head may hold part of it.
 */
export function stillGrantsPart(scope: FindingScope, other: FindingScope): boolean {
  if (
    (scope.kind !== "iam" && scope.kind !== "resource-policy") ||
    (other.kind !== "iam" && other.kind !== "resource-policy")
  )
    return true;
  if (scope.actions === undefined || other.actions === undefined) return true;
  const shares = (named: string[], patterns: string[]): boolean =>
    named.some((text) =>
      patterns.some((pattern) => patternsOverlap(pattern.toLowerCase(), text.toLowerCase())),
    );
  return shares(other.actions, scope.actions) && shares(other.resources, scope.resources);
}

/** A statement's resources as `setCovers` reads them: the patterns it lists, or excludes. */
function resourceSet(grant: Omit<IamScope, "kind">): PatternSet {
  return grant.notResources !== undefined
    ? { excluded: grant.notResources }
    : { listed: grant.resources };
}

/** What a statement's `Action`/`NotAction` (or `Resource`/`NotResource`) names: one of the two. */
interface PatternSet {
  listed?: string[] | undefined;
  excluded?: string[] | undefined;
}

/**
 * Whether every text `inner` names, `outer` names. A listed pattern of `inner` is covered by one
 * of `outer`'s, or, when `outer` excludes, matches nothing it excludes (`patternsOverlap`). An
 * exclusion names nearly everything: `outer` covers it only with a pattern matching every text, or
 * with an exclusion each of whose patterns lies inside one of `inner`'s (it excludes no more).
 */
function setCovers(outer: PatternSet, inner: PatternSet): boolean {
  if (inner.listed !== undefined) {
    if (outer.listed !== undefined) {
      return inner.listed.every((named) =>
        outer.listed?.some((pattern) => patternCovers(pattern, named)),
      );
    }
    return inner.listed.every((named) =>
      (outer.excluded ?? []).every((pattern) => !patternsOverlap(pattern, named)),
    );
  }
  if (outer.listed !== undefined)
    return outer.listed.some((pattern) => patternCovers(pattern, "*"));
  const innerExcluded = inner.excluded ?? [];
  return (outer.excluded ?? []).every((excluded) =>
    innerExcluded.some((pattern) => patternCovers(pattern, excluded)),
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

/**
 * Whether some text matches both IAM patterns (`*` any run, `?` one character): a wildcard of
 * either may take what the other spells there, a `*` of either may be empty.
 */
export function patternsOverlap(first: string, second: string): boolean {
  // overlap[i][j]: first from i and second from j match some common text.
  const overlap: boolean[][] = Array.from({ length: first.length + 1 }, () =>
    new Array<boolean>(second.length + 1).fill(false),
  );
  for (let i = first.length; i >= 0; i--) {
    for (let j = second.length; j >= 0; j--) {
      const a = first[i];
      const b = second[j];
      let common = a === undefined && b === undefined;
      if (a === "*") {
        common ||= overlap[i + 1]![j]! || (b !== undefined && b !== "*" && overlap[i]![j + 1]!);
      }
      if (b === "*") {
        common ||= overlap[i]![j + 1]! || (a !== undefined && a !== "*" && overlap[i + 1]![j]!);
      }
      if (a !== undefined && b !== undefined && a !== "*" && b !== "*") {
        common ||= (a === "?" || b === "?" || a === b) && overlap[i + 1]![j + 1]!;
      }
      overlap[i]![j] = common;
    }
  }
  return overlap[0]![0]!;
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

/**
 * What `later` still exposes, said as `tcp/22 from 10.0.0.0/8` or `sqs:* on arn:aws:sqs:…:jobs`,
 * when `earlier` provably holds it (`scopeCovers`, conditions aside: `narrowing` in index.ts says
 * those) and it does not provably hold `earlier`; undefined otherwise, and always for a scope of
 * another kind. Two ways of writing one exposure never read as narrowed unless the comparison
 * proves one inside the other, so this says the head's exposure as written.
 */
export function exposureNarrowed(earlier: FindingScope, later: FindingScope): string | undefined {
  const exposure = { conditions: false };
  if (!scopeCovers(earlier, later, exposure) || scopeCovers(later, earlier, exposure))
    return undefined;
  if (later.kind === "network") return networkText(later);
  if (later.kind === "acl") {
    return `${later.permissions.join(", ")} to ${later.grantee}${containedText(later)}`;
  }
  if (earlier.kind !== "iam" && earlier.kind !== "resource-policy") return undefined;
  const actions = later.notActions
    ? `every action but ${listed(later.notActions)}`
    : listed(later.actions ?? []);
  const resources = later.notResources
    ? `every resource but ${listed(later.notResources)}`
    : listed([...later.resources, ...(later.unknownResources ?? [])]);
  const principal = later.kind === "resource-policy" ? ` to ${later.principal}` : "";
  const contained = later.kind === "resource-policy" ? containedText(later) : "";
  const condition =
    JSON.stringify(later.condition) === JSON.stringify(earlier.condition)
      ? ""
      : " under its Condition block";
  const sorted = (denies: string[] | undefined) => JSON.stringify([...new Set(denies)].sort());
  const denied =
    sorted(later.denies) === sorted(earlier.denies) ? "" : " less what a Deny beside it takes";
  return `${actions} on ${resources}${principal}${condition}${denied}${contained}`;
}

/** A network scope as lib/network.rego writes its evidence, with a network ACL's open ports. */
function networkText(scope: NetworkScope): string {
  const range = scope.from === scope.to ? `${scope.from}` : `${scope.from}-${scope.to}`;
  const ports = scope.protocol === "all" ? "all traffic" : `${scope.protocol}/${range}`;
  const open = scope.ports === undefined ? "" : ` (ports ${listed(scope.ports.map(String))} open)`;
  return `${ports}${open} ${scope.direction === "ingress" ? "from" : "to"} ${scope.source}`;
}

function containedText(scope: { contained: boolean }): string {
  return scope.contained ? " (contained by Block Public Access)" : "";
}

/** Up to three items, then how many more. */
function listed(items: readonly string[]): string {
  const shown = items.slice(0, 3).join(", ");
  return items.length > 3 ? `${shown} and ${items.length - 3} more` : shown;
}
