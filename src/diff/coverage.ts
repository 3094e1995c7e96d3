// Whether one finding's exposure lies inside another's, from the scope rules give beside their
// evidence (`Finding.scope`), never from message text. The diff asks it after exact identity
// matching, so that narrowing an exposure (all ports to port 22) is not new and widening one
// (22 to 22-2222) does not fix the narrower one. Conservative: when in doubt, not covered.
import { BlockList, isIP } from "node:net";
import { isDeepStrictEqual } from "node:util";
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
 * Two allow statements: `outer`'s `Condition` block admits every request `inner`'s does
 * (`conditionCovers`); every resource and every
 * action `inner` names, `outer` names (`setCovers`): resources case-sensitively, as ARNs are,
 * actions not; a resource Tollgate cannot know only by a `*` resource or the same expression.
 * Each statement that may deny beside `outer` is beside `inner` too, or one denying as much
 * (`deniesHeld`), so what it takes from `outer` it takes from `inner`; `inner` may be denied more.
 */
function grantCovers(outer: Omit<IamScope, "kind">, inner: Omit<IamScope, "kind">): boolean {
  if (outer.effect !== "Allow" || inner.effect !== "Allow") return false;
  if (!deniesHeld(outer.denies, inner.denies)) return false;
  if (!conditionCovers(outer.condition, inner.condition)) return false;
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
 * What the grant `scope` (a pull request's head) provably reaches that `other` (its base) did not,
 * one part of the grant at a time: each part names requests `scope` admits and `other` does not,
 * whatever the other parts do, since a statement admits the requests every part of it admits
 * (`sqs:*` on `*` from one VPC, then on one queue from anywhere: the queue is granted from outside
 * the VPC). Narrowing one part never makes up for widening another. Parts, as the head has them:
 * - `to` another principal, unless `other`'s is everyone; no longer contained by Block Public
 *   Access;
 * - actions or resources one of `other`'s patterns does not cover (`setCovers`): AWS adds actions
 *   and resources under a wildcard, so a pattern no single pattern covers is wider. A resource
 *   Tollgate cannot know, or a policy variable, is doubt and no part;
 * - a `Condition` block `other`'s does not cover (`conditionCovers`), whether it dropped an
 *   entry, widened a value (10.0.0.0/24 to 0.0.0.0/0) or changed one to what cannot be compared
 *   (vpc-1 to vpc-2). The last is judged wider on purpose: the grant now admits callers it did
 *   not, which a security reviewer must see, and a value written another way (`"true"` or
 *   `["true"]`, a key's case, `ArnEquals` or `ArnLike`, an address or its /32) reads the same;
 * - a statement that may deny beside `other` that no statement beside the head provably denies as
 *   much of (`deniesHeld`): gone, or rewritten to what may deny less (`sqs:*` unless from one VPC,
 *   then `sqs:DeleteQueue` on a queue nothing uses). The same Deny written another way (its
 *   lists reordered, a `Sid` added, `"*"` or `["*"]`) or made wider denies as much.
 * undefined for two scopes that are not grants of one kind; [] when no part is provably wider.
 */
export function grantWidening(scope: FindingScope, other: FindingScope): string[] | undefined {
  const parts: string[] = [];
  if (scope.kind === "resource-policy" && other.kind === "resource-policy") {
    if (other.principal !== "*" && scope.principal !== other.principal)
      parts.push(`to ${scope.principal}`);
    if (other.contained && !scope.contained)
      parts.push("no longer contained by Block Public Access");
  } else if (scope.kind !== "iam" || other.kind !== "iam") return undefined;
  const lower = (patterns: string[] | undefined) => patterns?.map((p) => p.toLowerCase());
  if (
    !setCovers(
      { listed: lower(other.actions), excluded: lower(other.notActions) },
      { listed: lower(scope.actions), excluded: lower(scope.notActions) },
    )
  )
    parts.push(actionsText(scope));
  const variable = (grant: Omit<IamScope, "kind">) =>
    (grant.unknownResources ?? []).length > 0 ||
    [...grant.resources, ...(grant.notResources ?? [])].some((pattern) => pattern.includes("${"));
  if (!variable(scope) && !variable(other) && !setCovers(resourceSet(other), resourceSet(scope)))
    parts.push(`on ${resourcesText(scope)}`);
  if (!conditionCovers(other.condition, scope.condition)) {
    parts.push(`under ${conditionText(scope.condition)} (was ${conditionText(other.condition)})`);
  }
  if (!deniesHeld(other.denies, scope.denies))
    parts.push("with a Deny the base had beside it gone or rewritten");
  return parts;
}

/**
 * Whether `scope`, which reaches beyond `other` (`grantWidening`), may still grant part of what `other` does: an
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

/**
 * Whether each statement that may deny of `earlier` (JSON text, as `IamScope.denies` holds them)
 * has one among `later` that denies every request it does (`denialCovers`): what `earlier`'s take
 * from a grant, `later`'s take too.
 */
export function deniesHeld(earlier: string[] | undefined, later: string[] | undefined): boolean {
  return (earlier ?? []).every((narrow) =>
    (later ?? []).some((wide) => denialCovers(wide, narrow)),
  );
}

/**
 * Whether the statement `wide` denies every request `narrow` does: the same text, or two `Deny`
 * statements, each read by `denialParts`, where `wide`'s actions and resources cover `narrow`'s
 * (`setCovers`, actions of any case), its principal is `narrow`'s (the same set of each type) or
 * the string `*`, and its `Condition` holds whenever `narrow`'s does (`conditionCovers`; none
 * always holds). A `Sid` denies nothing. A statement whose effect is not a known `Deny`, or that
 * `denialParts` cannot read, only as written.
 */
function denialCovers(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  const outer = denialParts(wide);
  const inner = denialParts(narrow);
  if (outer === undefined || inner === undefined) return false;
  const lower = (set: PatternSet): PatternSet => ({
    listed: set.listed?.map((pattern) => pattern.toLowerCase()),
    excluded: set.excluded?.map((pattern) => pattern.toLowerCase()),
  });
  return (
    (outer.principal === "*" || isDeepStrictEqual(outer.principal, inner.principal)) &&
    setCovers(lower(outer.actions), lower(inner.actions)) &&
    setCovers(outer.resources, inner.resources) &&
    conditionCovers(outer.condition, inner.condition)
  );
}

/** The parts of a statement that may deny which `denialCovers` compares. */
interface DenialParts {
  actions: PatternSet;
  resources: PatternSet;
  /** `*`, or each principal type's values as a sorted set; undefined when it names none. */
  principal: "*" | Record<string, string[]> | undefined;
  condition: Record<string, unknown>;
}

/** What a statement's key may hold for `denialParts` to read it. */
const DENIAL_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Principal",
  "Condition",
]);

/**
 * A statement's parts, when it is a `Deny` Tollgate can read whole: only keys `DENIAL_KEYS`
 * names (no `NotPrincipal`), one of `Action`/`NotAction` and of `Resource`/`NotResource`, each a
 * text or a non-empty list of texts, a `Principal` of `*` or of types mapped to such, a
 * `Condition` mapping; no value Tollgate cannot know, and no policy variable (`${aws:username}`,
 * whose value a pattern cannot be compared with). Undefined otherwise.
 */
function denialParts(text: string): DenialParts | undefined {
  if (text.includes("${") || text.includes('"$unknown"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed.Effect !== "Deny") return undefined;
  const statement = parsed;
  if (Object.keys(statement).some((key) => !DENIAL_KEYS.has(key))) return undefined;
  const texts = (value: unknown): string[] | undefined => {
    const items = Array.isArray(value) ? value : [value];
    return items.length > 0 && items.every((item) => typeof item === "string")
      ? [...new Set(items as string[])].sort()
      : undefined;
  };
  const patterns = (listedKey: string, excludedKey: string): PatternSet | undefined => {
    const listed = Object.hasOwn(statement, listedKey);
    if (listed === Object.hasOwn(statement, excludedKey)) return undefined;
    const named = texts(statement[listed ? listedKey : excludedKey]);
    if (named === undefined) return undefined;
    return listed ? { listed: named } : { excluded: named };
  };
  const actions = patterns("Action", "NotAction");
  const resources = patterns("Resource", "NotResource");
  const condition = statement.Condition ?? {};
  if (actions === undefined || resources === undefined || !isRecord(condition)) return undefined;
  let principal: DenialParts["principal"];
  if (statement.Principal === "*") principal = "*";
  else if (isRecord(statement.Principal)) {
    principal = {};
    for (const [type, values] of Object.entries(statement.Principal)) {
      const named = texts(values);
      if (named === undefined) return undefined;
      principal[type] = named;
    }
  } else if (statement.Principal !== undefined) return undefined;
  return { actions, resources, principal, condition };
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

/**
 * Whether the `Condition` block `outer` admits every request `inner` admits: each of `outer`'s
 * entries is implied by one of `inner`'s (`entryImplies`), since a request must meet every entry.
 * A block that is no mapping of operators to keys is compared as written.
 */
export function conditionCovers(outer: unknown, inner: unknown): boolean {
  if (!isRecord(outer) || !isRecord(inner)) return JSON.stringify(outer) === JSON.stringify(inner);
  const innerEntries = conditionEntries(inner);
  return conditionEntries(outer).every((wide) =>
    innerEntries.some((narrow) => entryImplies(narrow, wide)),
  );
}

/** One operator and key of a `Condition` block, its values read as IAM reads them. */
interface ConditionEntry {
  operator: string;
  /** The test without its `ForAnyValue:`/`ForAllValues:` qualifier and `IfExists` suffix. */
  test: string;
  qualifier: string;
  ifExists: boolean;
  /** As written, and in lower case (`key`): IAM reads condition keys without regard to case. */
  name: string;
  key: string;
  /** Each value as text (`true` and `"true"` alike); undefined when one is no scalar. */
  values: string[] | undefined;
  written: unknown;
}

function conditionEntries(block: Record<string, unknown>): ConditionEntry[] {
  return Object.entries(block).flatMap(([operator, keys]) => {
    const [, qualifier = "", test = operator, ifExists] =
      /^(ForAnyValue:|ForAllValues:)?(.*?)(IfExists)?$/.exec(operator) ?? [];
    if (!isRecord(keys)) {
      const entry = { operator, test, qualifier, ifExists: false, name: "", key: "" };
      return [{ ...entry, values: undefined, written: keys }];
    }
    return Object.entries(keys).map(([key, written]) => {
      const items = Array.isArray(written) ? written : [written];
      const scalar = items.every((item) => ["string", "number", "boolean"].includes(typeof item));
      return {
        operator,
        test,
        qualifier,
        ifExists: ifExists !== undefined,
        name: key,
        key: key.toLowerCase(),
        values: scalar ? items.map(String) : undefined,
        written,
      };
    });
  });
}

/**
 * How IAM compares a request's value with a condition's, by test: as text, as an IAM pattern
 * (`*`, `?`), as text of any case, as a CIDR block; any other test (numbers, dates, `Bool`,
 * `Null`, binary) only by equal text. `negated` tests admit what matches none of their values.
 */
const CONDITION_TESTS: Record<string, { family: string; match: ValueMatch; negated: boolean }> = {
  StringEquals: { family: "string", match: "text", negated: false },
  StringNotEquals: { family: "string", match: "text", negated: true },
  StringEqualsIgnoreCase: { family: "string", match: "caseless", negated: false },
  StringNotEqualsIgnoreCase: { family: "string", match: "caseless", negated: true },
  StringLike: { family: "string", match: "pattern", negated: false },
  StringNotLike: { family: "string", match: "pattern", negated: true },
  // ArnEquals and ArnLike both take wildcards, as IAM's documentation says.
  ArnEquals: { family: "arn", match: "pattern", negated: false },
  ArnLike: { family: "arn", match: "pattern", negated: false },
  ArnNotEquals: { family: "arn", match: "pattern", negated: true },
  ArnNotLike: { family: "arn", match: "pattern", negated: true },
  IpAddress: { family: "ip", match: "cidr", negated: false },
  NotIpAddress: { family: "ip", match: "cidr", negated: true },
};
type ValueMatch = "text" | "caseless" | "pattern" | "cidr" | "exact";

/**
 * Whether a request `narrow` admits, `wide` admits too: one key, qualifier and family of test, and
 * `wide` admits a missing key whenever `narrow` does (`IfExists`). A test admitting what matches
 * one of its values is wider with each value covering more (`valueCovers`); a negated one, with
 * each excluding less. Entries whose values are no scalars only as written.
 */
function entryImplies(narrow: ConditionEntry, wide: ConditionEntry): boolean {
  if (narrow.key !== wide.key || narrow.qualifier !== wide.qualifier) return false;
  if (narrow.ifExists && !wide.ifExists) return false;
  if (narrow.values === undefined || wide.values === undefined) {
    return (
      narrow.operator === wide.operator &&
      JSON.stringify(narrow.written) === JSON.stringify(wide.written)
    );
  }
  const testOf = (entry: ConditionEntry) =>
    CONDITION_TESTS[entry.test] ?? {
      family: entry.test,
      match: "exact" as const,
      negated: /Not/.test(entry.test),
    };
  const narrowTest = testOf(narrow);
  const wideTest = testOf(wide);
  if (narrowTest.family !== wideTest.family || narrowTest.negated !== wideTest.negated)
    return false;
  const covering = (
    inner: readonly string[],
    innerMatch: ValueMatch,
    outer: readonly string[],
    outerMatch: ValueMatch,
  ) =>
    inner.every((value) =>
      outer.some((pattern) => valueCovers(outerMatch, pattern, innerMatch, value)),
    );
  return narrowTest.negated
    ? covering(wide.values, wideTest.match, narrow.values, narrowTest.match)
    : covering(narrow.values, narrowTest.match, wide.values, wideTest.match);
}

/** Whether every request value `inner` matches (read as `innerMatch`), `outer` matches. */
function valueCovers(
  outerMatch: ValueMatch,
  outer: string,
  innerMatch: ValueMatch,
  inner: string,
): boolean {
  const literal = innerMatch !== "pattern" || !/[*?]/.test(inner);
  switch (outerMatch) {
    case "text":
      return literal && innerMatch !== "caseless" && innerMatch !== "cidr" && outer === inner;
    case "caseless":
      return literal && innerMatch !== "cidr" && outer.toLowerCase() === inner.toLowerCase();
    case "pattern":
      return (innerMatch === "text" || innerMatch === "pattern") && patternCovers(outer, inner);
    case "cidr":
      return innerMatch === "cidr" && cidrContains(asCidr(outer), asCidr(inner));
    case "exact":
      return innerMatch === "exact" && outer === inner;
  }
}

/** An address as IAM's `IpAddress` reads it alone: its own block (/32, or /128). */
function asCidr(text: string): string {
  const version = isIP(text.trim());
  return version === 4 ? `${text.trim()}/32` : version === 6 ? `${text.trim()}/128` : text;
}

/** A `Condition` block as a message says it: `StringEquals aws:SourceVpc vpc-1`. */
function conditionText(block: unknown): string {
  if (!isRecord(block)) return JSON.stringify(block);
  const entries = conditionEntries(block);
  if (entries.length === 0) return "no Condition";
  return listed(
    entries.map(({ operator, name, values, written }) =>
      `${operator} ${name} ${values ? values.join(" or ") : JSON.stringify(written)}`.trim(),
    ),
  );
}

/** A grant's actions as a message says them. */
function actionsText(grant: Omit<IamScope, "kind">): string {
  return grant.notActions
    ? `every action but ${listed(grant.notActions)}`
    : listed(grant.actions ?? []);
}

/** A grant's resources as a message says them. */
function resourcesText(grant: Omit<IamScope, "kind">): string {
  return grant.notResources
    ? `every resource but ${listed(grant.notResources)}`
    : listed([...grant.resources, ...(grant.unknownResources ?? [])]);
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
  return exposureText(earlier, later);
}

/**
 * What `later` exposes beyond `earlier`, conditions aside, said as the parts it widened: for two
 * grants, each part `grantWidening` proves wider (`under no Condition (was StringEquals
 * aws:SourceVpc vpc-1)`), narrowing the others notwithstanding; for other scopes, the whole
 * exposure (`tcp/22-2222 from 0.0.0.0/0`), when it provably holds `earlier`'s and more. Undefined
 * when not provably wider: equivalent or incomparable network rewrites stay matched.
 */
export function exposureWidened(earlier: FindingScope, later: FindingScope): string | undefined {
  const parts = grantWidening(later, earlier);
  if (parts !== undefined) return parts.length > 0 ? parts.join(", ") : undefined;
  const exposure = { conditions: false };
  return scopeCovers(later, earlier, exposure) && !scopeCovers(earlier, later, exposure)
    ? exposureText(earlier, later)
    : undefined;
}

/** `later`'s exposure as written, with what of it differs from `earlier`'s for a grant. */
function exposureText(earlier: FindingScope, later: FindingScope): string | undefined {
  if (later.kind === "network") return networkText(later);
  if (later.kind === "acl") {
    return `${later.permissions.join(", ")} to ${later.grantee}${containedText(later)}`;
  }
  if (earlier.kind !== "iam" && earlier.kind !== "resource-policy") return undefined;
  const actions = actionsText(later);
  const resources = resourcesText(later);
  const principal = later.kind === "resource-policy" ? ` to ${later.principal}` : "";
  const contained = later.kind === "resource-policy" ? containedText(later) : "";
  const condition = conditionCovers(later.condition, earlier.condition)
    ? ""
    : ` under ${conditionText(later.condition)}`;
  const denied =
    deniesHeld(later.denies, earlier.denies) && deniesHeld(earlier.denies, later.denies)
      ? ""
      : " less what a Deny beside it takes";
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
