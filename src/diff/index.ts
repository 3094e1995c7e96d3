// The diff stage: labels each finding new, existing or fixed by comparing a base and a head scan.
// Identity is rule + root + subject + evidence (never the line), so moving code changes nothing
// while one more bad value on the same resource is new; equal identities are counted as
// multisets. The subject is the resource address unless the finding names what it is about (the
// security group a standalone rule opens), so a rule moved out of its group's block is the same
// finding. A resource the head's Terraform `moved` blocks rename keeps its findings: a base
// finding is compared at the address its subject moved to, as Terraform moves its state; a
// CloudFormation resource moved between stacks likewise, and into another root with its template
// (stacks.ts). A base finding whose rule the head reports as cannot tell on the same subject is
// not known fixed.
// A head finding matched by identity is still new when its conditions hold in deployments the
// base's did not (`widening`: a workspace or `AllowedValues` entry the PR adds where it opens,
// a condition redefined or dropped), marked `widened`; narrowed, it stays existing. A
// CloudFormation condition is read by what it means at its own commit (`meanings`), so `IsProd`
// redefined from prod to prod or staging widens what it guards, here and in coverage below. What
// no meaning is read for, a condition known only as written or an unknown Terraform count or
// for_each (with what it reads), is compared as written: rewritten, the head finding is new,
// matched or covered (`rewrittenUnread`).
// A head finding left new on a resource instance the head's Terraform `import` block adopts is
// marked `adopted`, and stays new unless the settings say `import_adopts: existing`: the gate
// cannot see the deployed object, which applying the block makes what the configuration says.
// Then coverage (coverage.ts, from the rules' structured `scope`): a head finding left new is
// existing when a base finding's exposure, on the same root, subject and category, already held
// it (a PR narrowing all ports to 22 opens nothing new), with no further mark. A base finding
// left fixed is left out, so no format lists it as fixed, when its exposure is still open: inside
// a wider head finding, which is new (22 widened to 22-2222), or narrowed into a head finding of
// its own rule, which is existing (SSH on 0-1024 narrowed to 22). A wider base finding of another
// rule is fixed (all traffic narrowed to 22 fixes TG-NET-005; SSH stays open, existing). Without
// a scope only identity matches. Equal identities whose scopes differ do not match when the head's
// provably reaches further in any part of a grant, whatever it narrowed beside it: `sqs:*` moved
// from one queue to `*`, or to another queue, or from `*` in one VPC to one queue from anywhere (a
// `Condition` entry dropped) or in another VPC (a value changed), keeps its evidence, yet is new,
// marked `widened` with what it now reaches (the other queue's grant fixed; the VPC's not, its
// queue still granted); in doubt they match.
import { isDeepStrictEqual } from "node:util";
import type { ScanResult } from "../engine/types.js";
import { directoryOf } from "../iac/source.js";
import {
  covers,
  followMoves,
  type Adopted,
  type Finding,
  type FindingDeployments,
  type Forgotten,
  type Move,
} from "../model/index.js";
import { meaningText, readableText, spokenCondition, widening } from "../policy/conditions.js";
import { namingWorkspace } from "../policy/findings.js";
import { exposureNarrowed, exposureWidened, findingCovers, stillGrantsPart } from "./coverage.js";
import { stackMoves } from "./stacks.js";

export {
  convertedTemplates,
  followRenames,
  followRenamesInScan,
  renamesByContent,
  type Rename,
} from "./renames.js";
export { changedUnreadModules, type ChangedModuleCall } from "./modules.js";

/** The identity of a finding across commits: stable under moves and edits elsewhere in the file. */
export function findingIdentity(
  finding: Pick<Finding, "rule" | "resource" | "subject" | "evidence" | "root">,
): string {
  return JSON.stringify([
    finding.rule,
    finding.root ?? "",
    finding.subject ?? finding.resource,
    finding.evidence,
  ]);
}

/**
 * The base's CloudFormation resources kept by their `DeletionPolicy` that the head declares in no
 * root and does not move elsewhere: removing them from the template leaves them deployed.
 */
function retainedGone(
  retained: readonly Forgotten[],
  headAddresses: readonly { root?: string; address: string }[],
  moves: readonly Move[],
): Forgotten[] {
  const atHead = new Set(
    headAddresses.map(({ root, address }) => JSON.stringify([root ?? "", address])),
  );
  return retained.filter(
    ({ root, address }) =>
      !atHead.has(JSON.stringify([root, address])) &&
      !moves.some((move) => move.root === root && move.from === address),
  );
}

/**
 * Diffs two scans: the base's findings follow the head's `moves` that Terraform would make, and
 * CloudFormation resources moved between stacks or roots (stackMoves). A
 * base root gone at head may be one renamed (followRenames), so what it held counts as held in
 * every root a move is in: such a move is left alone rather than matched wrongly.
 */
export function diffScans(
  base: ScanResult,
  head: ScanResult,
  importAdopts: "new" | "existing" = "new",
): Finding[] {
  const moves = [...(head.moves ?? []), ...stackMoves(base.addresses ?? [], head.addresses ?? [])];
  const headRoots = new Set((head.addresses ?? []).map(({ root }) => root ?? ""));
  const moveRoots = [...new Set(moves.map((move) => move.root))];
  const baseAddresses = (base.addresses ?? []).flatMap(({ root, address }) =>
    headRoots.has(root ?? "")
      ? [{ root, address }]
      : moveRoots.map((moveRoot) => ({ root: moveRoot, address })),
  );
  const diffed = diffFindings(
    base.findings,
    head.findings,
    movesInForce(intoUnfetchedCalls(moves, head.addresses ?? []), baseAddresses),
    head.undecided,
    [...(head.forgotten ?? []), ...retainedGone(base.retained ?? [], head.addresses ?? [], moves)],
    notManagedAtBase(head.adopted ?? [], base.addresses),
    importAdopts,
  );
  return copiesOfKeptRoots(base, head, diffed);
}

/**
 * A root module or top template the base deploys on its own is judged on its own at the head too
 * (`ScanOptions.keepRoots`), so when the pull request also nests it under a new caller or parent
 * stack, its resources appear twice: on their own, compared with the base as before, and as the
 * new caller's copy. A copy's finding that the base had on the same resource of that root, by
 * rule and evidence, is existing, as it was when the move to the parent was the only reading (a
 * template wrapped in a parent stack, a root folder called from a new root); one the caller's
 * values change (a parameter the parent passes otherwise) keeps its own evidence and stays new.
 */
function copiesOfKeptRoots(base: ScanResult, head: ScanResult, diffed: Finding[]): Finding[] {
  const kept = new Set([
    ...(head.roots?.terraform ?? []).filter((r) => base.roots?.terraform.includes(r)),
    ...(head.roots?.cloudformation ?? []).filter((r) => base.roots?.cloudformation.includes(r)),
  ]);
  if (kept.size === 0) return diffed;
  const baseKeys = new Set(
    base.findings
      .filter((f) => kept.has(f.root ?? ""))
      .map((f) => JSON.stringify([f.root ?? "", f.resource, f.rule, f.evidence])),
  );
  if (baseKeys.size === 0) return diffed;
  return diffed.map((finding) => {
    if (finding.status !== "new") return finding;
    const block = finding.resourceBlock?.file ?? finding.file;
    for (const root of [block, directoryOf(block)]) {
      if (!kept.has(root) || root === (finding.root ?? "")) continue;
      const at = finding.resource.split(".");
      for (let cut = 1; cut < at.length; cut++) {
        const own = at.slice(cut).join(".");
        if (baseKeys.has(JSON.stringify([root, own, finding.rule, finding.evidence])))
          return { ...finding, status: "existing" as const };
      }
    }
    return finding;
  });
}

/**
 * Moves into a module call that is not fetched (a registry module, reported at the call's
 * address: `module.sg`) end at that call: `aws_security_group.a` moved to
 * `module.sg.aws_security_group.this[0]` is compared with what the call reports.
 */
export function intoUnfetchedCalls(
  moves: readonly Move[],
  headAddresses: ReadonlyArray<{ root?: string | undefined; address: string }>,
): Move[] {
  const calls = headAddresses.filter(({ address }) => moduleCall.test(address));
  if (calls.length === 0) return [...moves];
  return moves.map((move) => {
    let enclosing: string | undefined;
    for (const { root, address } of calls) {
      if ((root ?? "") !== move.root || !move.to.startsWith(`${address}.`)) continue;
      if (address.length > (enclosing?.length ?? -1)) enclosing = address;
    }
    return enclosing === undefined ? move : { ...move, to: enclosing, whole: false };
  });
}

/** An address naming a module call itself (`module.sg`, `module.app["x"].module.sg[0]`). */
const moduleCall = /(^|\.)module\.[A-Za-z_][\w-]*(\[[^\]]*\])?$/;

/**
 * Head findings come back in their order, each `new` or `existing`; then base findings that no
 * longer occur, `fixed`, with their base location and address. With two equal findings at base
 * and three at head, two are existing and one is new. `moves` (the head's) say where a base
 * finding's subject is now; a chain of them that comes back on itself moves nothing. A `fixed`
 * finding whose rule reports its subject as cannot tell at head (a finding of `head` or of `undecided`,
 * the head's that the settings do not report) gets `unknownAtHead`: nothing says it was fixed.
 * A head finding without an equal base finding is `existing` when a base finding covers it
 * (coverage.ts) under the same conditions and count as written (`rewrittenUnread`); a base finding without an equal head finding is left out, not fixed, when a head
 * finding covers it or it covers a head finding of its rule, and when it moved onto a resource
 * whose count or for_each is unknown at head (`Move.anyInstance`) that reports the same finding.
 * A `fixed` finding on what a head `removed` block with `destroy = false` forgets (`forgotten`)
 * gets `forgottenAtHead`: it is still deployed, only no longer managed here; so does one on a
 * CloudFormation resource the head stops declaring that its base `DeletionPolicy` retains. A head finding left
 * new whose resource an `import` block (`adopted`) adopts gets `adopted` saying where, and stays
 * new unless `importAdopts` is `existing` (settings `import_adopts`): the gate cannot see the
 * deployed object, and applying the block makes it what the configuration says, so two lines
 * written in the pull request would otherwise turn the gate off for any new resource.
 */
export function diffFindings(
  base: Finding[],
  head: Finding[],
  moves: readonly Move[] = [],
  undecided: readonly Finding[] = [],
  forgotten: readonly Forgotten[] = [],
  adopted: readonly Adopted[] = [],
  importAdopts: "new" | "existing" = "new",
): Finding[] {
  // The import block that adopts the resource a finding is written in (its `resource`, not its
  // subject: a new rule opening an adopted group is new).
  const importBlocks = adoptions(adopted);
  const adoptedBy = (finding: Finding): Adopted | undefined =>
    importBlocks.find(({ adopts }) => adopts(finding.root, finding.resource))?.block;
  const movesByRoot = new Map<string, Move[]>();
  // Moves into another root, by where they start: each moves one CloudFormation resource.
  const intoOtherRoot = new Map<string, Move>();
  for (const move of moves) {
    if (move.toRoot !== undefined) {
      intoOtherRoot.set(JSON.stringify([move.root, move.from]), move);
      continue;
    }
    pushTo(movesByRoot, move.root, move);
  }
  const unmatchedBase = new Map<string, BaseEntry[]>();
  // Base findings of one workspace whose evidence names it, by their identity had they said
  // `${terraform.workspace}` there, as a finding of several workspaces does.
  const byWorkspaceIdentity = new Map<string, BaseEntry[]>();
  for (const finding of base) {
    const rootMoves = movesByRoot.get(finding.root ?? "") ?? [];
    const subject = finding.subject ?? finding.resource;
    const rehomed = intoOtherRoot.get(JSON.stringify([finding.root ?? "", subject]));
    const followed = followMoves(subject, rootMoves);
    const root = rehomed?.toRoot ?? finding.root ?? "";
    const moved = rehomed?.to ?? (followed.cycle ? subject : (followed.path.at(-1) ?? subject));
    const at = { ...finding, root, subject: moved };
    // Moved onto the one address of a resource whose count or for_each is unknown at head.
    const collapsed = rootMoves.some((move) => move.anyInstance === true && move.to === moved);
    const entry = { finding, root, moved, subject: subjectOf(at), collapsed };
    pushTo(unmatchedBase, findingIdentity(at), entry);
    const named = workspaceIdentity(at);
    if (named !== undefined) pushTo(byWorkspaceIdentity, named, entry);
  }
  const matched = new Set<BaseEntry>();
  // Base findings a head finding of the same identity reached beyond (`widened`), by that finding.
  const widenedBy = new Map<BaseEntry, Finding>();
  const baseScopes = scopedBySubject(
    [...unmatchedBase.values()]
      .flat()
      .map(({ finding, root, moved }) => ({ ...finding, root, subject: moved })),
  );
  const headScopes = scopedBySubject(head);
  const headIdentities = new Set(head.map((finding) => findingIdentity(finding)));
  // A base finding and a head one compare conditions by what they mean at their own commit: a
  // condition the head redefined wider under its name covers no more than it did.
  const holds = (outer: Finding, inner: Finding): boolean =>
    findingCovers(byMeaning(outer), byMeaning(inner));
  const coveredIn = (scopes: Map<string, Finding[]>, inner: Finding): boolean =>
    inner.scope !== undefined &&
    (scopes.get(scopeKey(inner)) ?? []).some((outer) => holds(outer, inner));
  // Widened into a head finding, or narrowed into one its own rule still reports.
  const stillOpen = (scopes: Map<string, Finding[]>, gone: Finding): boolean =>
    gone.scope !== undefined &&
    (scopes.get(scopeKey(gone)) ?? []).some(
      (other) => holds(other, gone) || (other.rule === gone.rule && holds(gone, other)),
    );
  const labelled: Finding[] = head.map((finding) => {
    const conditionsWidened = (earlier: Finding): string | undefined =>
      earlier.deployments
        ? widening(earlier.deployments, finding.deployments ?? { when: [] })
        : undefined;
    // An equal identity whose exposure the head widened (`sqs:*` on one queue, then on `*`) is
    // not the same finding: the base one stays unmatched, left out when the head's covers it.
    // Among the rest, one the head holds no more widely than wins; else the first, and the
    // finding is new for what its conditions widened. Left new, it says what it reaches beyond
    // the first such base finding, whose evidence it repeats.
    let beyond: string | undefined;
    const choose = (group: readonly BaseEntry[]): BaseEntry | undefined => {
      const candidates = group.filter((entry) => {
        if (matched.has(entry)) return false;
        const reach = reachedBeyond(
          { ...entry.finding, root: entry.root, subject: entry.moved },
          finding,
        );
        if (reach === undefined) return true;
        beyond ??= reach;
        if (!widenedBy.has(entry)) widenedBy.set(entry, finding);
        return false;
      });
      const chosen =
        candidates.find((entry) => conditionsWidened(entry.finding) === undefined) ?? candidates[0];
      if (chosen) matched.add(chosen);
      return chosen;
    };
    const match =
      choose(unmatchedBase.get(findingIdentity(finding)) ?? []) ??
      choose(inSharedWorkspace(finding, unmatchedBase, byWorkspaceIdentity));
    const wider = match ? conditionsWidened(match.finding) : undefined;
    if (wider !== undefined) {
      const named = (finding.deployments?.when ?? []).join(" ");
      const meanings = redefinitions(named, finding.deployments, match?.finding.deployments);
      return { ...finding, status: "new", widened: `now ${wider}${meanings}` };
    }
    const rewritten = match ? rewrittenUnread(finding, match.finding) : undefined;
    if (rewritten !== undefined) return { ...finding, status: "new", widened: rewritten };
    if (match !== undefined) {
      const narrowed = narrowing(match.finding, finding);
      return { ...finding, status: "existing", ...(narrowed ? { narrowed } : {}) };
    }
    // Held by a base finding of another rule, or of its own wider, whose conditions or expansion
    // the head rewrote where only the text tells: new, as it would be matched by identity.
    const coveredRewritten =
      finding.scope === undefined
        ? []
        : (baseScopes.get(scopeKey(finding)) ?? []).filter((outer) => holds(outer, finding));
    const coverRewrites = coveredRewritten.map((outer) => rewrittenUnread(finding, outer));
    if (coverRewrites.length > 0 && coverRewrites.every((text) => text !== undefined))
      return { ...finding, status: "new", widened: coverRewrites[0] };
    if (coveredIn(baseScopes, finding)) {
      // Narrowed within its rule (SSH on 0-1024, then on 22): the base's, gone at head, is not
      // listed fixed, so this says what is left open.
      const narrowed = (baseScopes.get(scopeKey(finding)) ?? [])
        .filter(
          (earlier) =>
            earlier.rule === finding.rule &&
            !headIdentities.has(findingIdentity(earlier)) &&
            holds(earlier, finding),
        )
        .map((earlier) => narrowing(earlier, finding))
        .find((text) => text !== undefined);
      return { ...finding, status: "existing", ...(narrowed ? { narrowed } : {}) };
    }
    const importBlock = adoptedBy(finding);
    if (importBlock && importAdopts === "existing")
      return {
        ...finding,
        status: "existing",
        adopted: { file: importBlock.file, line: importBlock.line },
      };
    return {
      ...finding,
      status: "new",
      ...(beyond ? { widened: `now ${beyond}` } : {}),
      ...(importBlock ? { adopted: { file: importBlock.file, line: importBlock.line } } : {}),
    };
  });
  const cannotTell = new Map<string, string[]>();
  for (const finding of [...head, ...undecided]) {
    if (finding.unknown === undefined) continue;
    const expressions = cannotTell.get(subjectOf(finding)) ?? [];
    if (!expressions.includes(finding.unknown)) expressions.push(finding.unknown);
    cannotTell.set(subjectOf(finding), expressions);
  }
  for (const [identity, group] of unmatchedBase) {
    for (const entry of group) {
      if (matched.has(entry)) continue;
      const { finding, root, moved, subject, collapsed } = entry;
      if (stillOpen(headScopes, { ...finding, root, subject: moved })) continue;
      // Moved in part (`sqs:*` on queues a and b, then a and c): the head's finding is new, and
      // this one is not fixed, a still being granted.
      const successor = widenedBy.get(entry);
      if (successor?.scope && finding.scope && stillGrantsPart(successor.scope, finding.scope))
        continue;
      // The head's one finding there stands for every instance it may have, this one too.
      if (collapsed && headIdentities.has(identity)) continue;
      const unknownAtHead = finding.unknown === undefined ? cannotTell.get(subject) : undefined;
      const removed = forgotten.find(
        (entry) =>
          entry.root === (finding.root ?? "") &&
          [finding.resource, moved].some((address) => covers(entry.address, true, address)),
      );
      labelled.push({
        ...finding,
        status: "fixed",
        ...(unknownAtHead ? { unknownAtHead } : {}),
        ...(removed
          ? {
              forgottenAtHead: {
                file: removed.file,
                line: removed.line,
                ...(removed.policy !== undefined ? { policy: removed.policy } : {}),
              },
            }
          : {}),
      });
    }
  }
  return labelled;
}

/** The finding with its scope's conditions said by what they mean (`meaningText`). */
function byMeaning(finding: Finding): Finding {
  const { scope, deployments } = finding;
  if (scope === undefined || scope.when.length === 0) return finding;
  if (deployments?.choices === undefined && deployments?.meanings === undefined) return finding;
  return {
    ...finding,
    scope: { ...scope, when: scope.when.map((text) => meaningText(text, deployments)) },
  };
}

/** A base finding as the head's are matched against it: at the root and subject it moved to. */
interface BaseEntry {
  finding: Finding;
  root: string;
  moved: string;
  /** `subjectOf` the finding where it moved. */
  subject: string;
  collapsed: boolean;
}

function pushTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}

/**
 * The identity a finding found in one Terraform workspace would have with that workspace's name
 * written `${terraform.workspace}` in its evidence, as a finding of several says it
 * (policy/findings.ts); undefined for others, and when its evidence does not name the workspace.
 */
function workspaceIdentity(
  finding: Pick<Finding, "rule" | "resource" | "subject" | "evidence" | "root" | "deployments">,
): string | undefined {
  const [workspace, ...others] = finding.deployments?.workspaces ?? [];
  if (workspace === undefined || others.length > 0) return undefined;
  const evidence = namingWorkspace(finding.evidence, workspace);
  return evidence === finding.evidence ? undefined : findingIdentity({ ...finding, evidence });
}

/**
 * The base findings that are `finding` in a workspace both were found in, where one finding
 * names that workspace in its evidence and the other, found in several, says
 * `${terraform.workspace}`: a finding of prod only widened to prod and qa, or narrowed back. One
 * found in another workspace only (moved from prod to qa) is not among them.
 */
function inSharedWorkspace(
  finding: Finding,
  byIdentity: ReadonlyMap<string, readonly BaseEntry[]>,
  byWorkspaceIdentity: ReadonlyMap<string, readonly BaseEntry[]>,
): BaseEntry[] {
  const workspaces = finding.deployments?.workspaces ?? [];
  const named = workspaceIdentity(finding);
  const several = (byIdentity.get(named ?? "") ?? []).filter(({ finding: earlier }) =>
    earlier.deployments?.workspaces?.includes(workspaces[0] ?? ""),
  );
  const one = (byWorkspaceIdentity.get(findingIdentity(finding)) ?? []).filter(
    ({ finding: earlier }) => workspaces.includes(earlier.deployments?.workspaces?.[0] ?? ""),
  );
  return [...several, ...one];
}

/**
 * What a head finding (`later`) still open from a base one (`earlier`) no longer reaches: `now only`
 * its exposure, when the base's provably held it and more (`exposureNarrowed`: `sqs:*` on `*`,
 * then on one queue), and `when ...` its conditions, when the base's held in deployments the
 * head's do not (`widening` the other way round, so two conditions that cannot be compared narrow
 * nothing); undefined when neither.
 */
function narrowing(earlier: Finding, later: Finding): string | undefined {
  const exposure =
    earlier.scope && later.scope && earlier.unknown === undefined && later.unknown === undefined
      ? exposureNarrowed(earlier.scope, later.scope)
      : undefined;
  const now = later.deployments;
  const when =
    now !== undefined &&
    now.when.length > 0 &&
    widening(now, earlier.deployments ?? { when: [] }) !== undefined
      ? readableText(now.when, now.choices)
      : "";
  const conditions =
    when === ""
      ? undefined
      : `when ${spokenCondition(when)}${redefinitions(when, now, earlier.deployments)}`;
  if (exposure === undefined) return conditions && `now only ${conditions}`;
  return `now only ${exposure}${conditions ? `, and only ${conditions}` : ""}`;
}

/**
 * `; IsProd now means Env is prod`: each condition `text` names, or the meanings of those it names
 * read, that the head (`now`) gives a meaning other than the base's (`before`), since its name
 * alone then says nothing new; "" when none.
 */
function redefinitions(
  text: string,
  now: FindingDeployments | undefined,
  before: FindingDeployments | undefined,
): string {
  const meanings = now?.meanings ?? {};
  // The names it writes, and those their meanings read in turn.
  const names = new Set<string>();
  const unread = text.split(/[\s()]+/);
  for (let name = unread.pop(); name !== undefined; name = unread.pop()) {
    if (names.has(name) || !Object.hasOwn(meanings, name)) continue;
    names.add(name);
    unread.push(...(meanings[name] ?? "").split(/[\s()]+/));
  }
  const said = Object.entries(meanings)
    .filter(([name, meaning]) => names.has(name) && before?.meanings?.[name] !== meaning)
    .map(([name, meaning]) => `${name} now means ${meaning.replace(/^\((.*)\)$/, "$1")}`);
  return said.length > 0 ? `; ${said.join("; ")}` : "";
}

/**
 * The conditions a finding's `when` names (or the meanings of those it names read) whose meaning
 * is not known (`written`) and whose definition the head (`now`) writes otherwise than the base
 * (`before`). Such a condition may now hold wherever it did not (`IsProd` over `AWS::Region`
 * from one region to every region but one), and comparing it by name would read existing, so
 * the finding is new: a reviewer must read the new definition. A rewrite that means the same is
 * new too; a condition that has a meaning on one side only is `widening`'s.
 */
function rewrittenConditions(
  now: FindingDeployments | undefined,
  before: FindingDeployments | undefined,
): string[] {
  const written = now?.written ?? {};
  const meanings = now?.meanings ?? {};
  const names = new Set<string>();
  const unread = (now?.when ?? []).flatMap((text) => text.split(/[\s()]+/));
  for (let name = unread.pop(); name !== undefined; name = unread.pop()) {
    if (names.has(name)) continue;
    names.add(name);
    if (Object.hasOwn(meanings, name)) unread.push(...(meanings[name] ?? "").split(/[\s()]+/));
  }
  return [...names].filter(
    (name) =>
      Object.hasOwn(written, name) &&
      before?.written !== undefined &&
      Object.hasOwn(before.written, name) &&
      before.written[name] !== written[name],
  );
}

/**
 * What a head finding (`now`) held by a base one (`before`, of the same identity or covering it)
 * says when the head rewrote what decides either that neither can read by meaning: a condition
 * known only as written (`rewrittenConditions`), or an unknown count or for_each
 * (`rewrittenExpansion`); undefined when neither.
 */
function rewrittenUnread(now: Finding, before: Finding): string | undefined {
  const conditions = rewrittenConditions(now.deployments, before.deployments);
  if (conditions.length > 0 && now.deployments !== undefined) {
    const when = spokenCondition(readableText(now.deployments.when, now.deployments.choices));
    const said = conditions.map((name) => `${name} redefined`).join("; ");
    return `now when ${when}; ${said}`;
  }
  return rewrittenExpansion(now, before);
}

/**
 * What a head finding (`now`) says when its resource's unknown count or for_each is written
 * otherwise than at base (`before`): `count = var.env == "prod" ? 1 : 0` widened to
 * `var.env != "dev"` keeps the resource, one unknown instance on both sides, so only the text
 * tells. New, since it may now be created wherever it was not; a rewrite that means the same is
 * new too (a reviewer reads it). So is one the head decides (`count = 1`, or no count: created
 * wherever the base's count may have made none). One known at base is not compared here: the
 * head's unknown count creates it nowhere the base's did not. Compared by `form` (the syntax
 * trees of what it reads), so spacing, comments, parentheses and the order of a block's
 * arguments or a map's keys rewrite nothing.
 */
function rewrittenExpansion(now: Finding, before: Finding): string | undefined {
  const [later, earlier] = [now.unknownExpansion, before.unknownExpansion];
  if (earlier === undefined || isDeepStrictEqual(later, earlier)) return undefined;
  // Read by syntax tree, the same count spaced or commented otherwise is no rewrite.
  const read = (expansion: Finding["unknownExpansion"]) =>
    expansion?.form === undefined ? expansion : { ...expansion, text: "" };
  if (isDeepStrictEqual(read(later), read(earlier))) return undefined;
  // The base's resource when another's covers this one; else its module when it moved.
  const whose =
    before.resource !== now.resource
      ? `${before.resource}: `
      : later === undefined || earlier.module === later.module
        ? ""
        : `${earlier.module || "the root"}: `;
  if (later === undefined)
    return `${earlier.meta} decided at head (was ${whose}${earlier.meta} = ${earlier.text})`;
  // A sensitive variable reads `(sensitive value)` on both sides; only its digest tells.
  const changed = Object.entries(later.sensitive ?? {})
    .filter(
      ([name, digest]) =>
        earlier.sensitive?.[name] !== undefined && earlier.sensitive[name] !== digest,
    )
    .map(([name]) => `${name}'s value changed`);
  const meta = earlier.meta === later.meta && whose === "" ? "" : `${earlier.meta} = `;
  const was =
    later.text === earlier.text && whose === "" ? "" : ` (was ${whose}${meta}${earlier.text})`;
  const said = changed.length > 0 ? `; ${changed.join("; ")}` : "";
  return `${later.meta} redefined: ${later.text}${was}${said}`;
}

/**
 * What `later` (same identity as `earlier`) reaches beyond it, conditions aside (`widening` says
 * what they widened, and never calls a finding new only because two could not be compared), as
 * `exposureWidened` says it: `sqs:*` moved from one queue to another, from `*` in one VPC to one
 * queue from anywhere, or to another VPC; 22 to 22-2222. Undefined when not provably further:
 * equivalent rewrites stay matched. Without scopes, or for a cannot-tell finding, identity decides.
 */
function reachedBeyond(earlier: Finding, later: Finding): string | undefined {
  if (earlier.scope === undefined || later.scope === undefined) return undefined;
  if (earlier.unknown !== undefined || later.unknown !== undefined) return undefined;
  return exposureWidened(earlier.scope, later.scope);
}

/**
 * The `import` blocks whose resource the base did not already manage. Terraform keeps an applied
 * `import` block as a no-op, so one the base had, or one added for a resource the base declared,
 * adopts nothing: what the pull request opens on that resource is its own. Without the base's
 * addresses nothing counts as adopted.
 */
function notManagedAtBase(
  adopted: readonly Adopted[],
  baseAddresses: ScanResult["addresses"],
): Adopted[] {
  if (baseAddresses === undefined) return [];
  return adoptions(adopted)
    .filter(({ adopts }) => !baseAddresses.some(({ root, address }) => adopts(root, address)))
    .map(({ block }) => block);
}

/**
 * Each `import` block with whether it adopts the resource at an address of a root: the one its
 * `to` names, a key written as an expression (`[*]`) matching any key.
 */
function adoptions(
  adopted: readonly Adopted[],
): Array<{ block: Adopted; adopts: (root: string | undefined, address: string) => boolean }> {
  return adopted.map((block) => {
    const pattern = new RegExp(
      `^${block.address
        .split("[*]")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(String.raw`\[(?:\d+|"(?:[^"\\]|\\.)*")\]`)}$`,
    );
    return {
      block,
      adopts: (root, address) => block.root === (root ?? "") && pattern.test(address),
    };
  });
}

/** What coverage compares within: root, subject (else resource) and category. */
function scopeKey(finding: Pick<Finding, "root" | "subject" | "resource" | "category">): string {
  return JSON.stringify([
    finding.root ?? "",
    finding.subject ?? finding.resource,
    finding.category,
  ]);
}

/** The findings with a scope, by `scopeKey`. */
function scopedBySubject(findings: readonly Finding[]): Map<string, Finding[]> {
  const scoped = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.scope === undefined) continue;
    const group = scoped.get(scopeKey(finding));
    if (group) group.push(finding);
    else scoped.set(scopeKey(finding), [finding]);
  }
  return scoped;
}

/** The rule, root and subject of a finding: what a cannot-tell finding at head is about. */
function subjectOf(finding: Pick<Finding, "rule" | "resource" | "subject" | "root">): string {
  return JSON.stringify([finding.rule, finding.root ?? "", finding.subject ?? finding.resource]);
}

/**
 * The moves Terraform carries out on the base's state: one whose destination the base already
 * holds is left alone (Terraform keeps both objects and warns), so a finding already at that
 * destination is never taken for the moved one's. A move to the one address of a resource whose
 * count or for_each is unknown at head (`anyInstance`) moves nothing in Terraform and stays: the
 * base's instance without a key there (a partial for_each's) is one of those it stands for too.
 */
export function movesInForce(
  moves: readonly Move[],
  baseAddresses: ReadonlyArray<{ root?: string | undefined; address: string }>,
): Move[] {
  // Sorted, the addresses a destination covers all start with it, so they sit side by side.
  const sorted = new Map<string, string[]>();
  for (const { root, address } of baseAddresses) {
    const group = sorted.get(root ?? "");
    if (group) group.push(address);
    else sorted.set(root ?? "", [address]);
  }
  for (const group of sorted.values()) group.sort();
  const held = (move: Move): boolean => {
    const addresses = sorted.get(move.toRoot ?? move.root) ?? [];
    let low = 0;
    let high = addresses.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((addresses[middle] ?? "") < move.to) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < addresses.length; i++) {
      const address = addresses[i] ?? "";
      if (!address.startsWith(move.to)) return false;
      if (covers(move.to, move.whole, address)) return true;
    }
    return false;
  };
  return moves.filter((move) => move.anyInstance === true || !held(move));
}
