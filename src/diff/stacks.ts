// CloudFormation resources moved between stacks. Splitting resources verbatim into a child
// template (`AWS::CloudFormation::Stack` with a local `TemplateURL`), inlining a child's resources
// back into its parent, moving one from a child to its sibling, renaming the top template,
// nesting a template scanned on its own under a parent, or moving a nested stack to another parent
// or top template renames them in findings (`User` becomes `Iam.User`, root `iam.yaml` becomes
// `app.yaml`, `Bastion.HostSG` becomes `Jumpbox.HostSG`) though what they deploy is unchanged; the
// head's implied moves here carry their base findings across, as Terraform's `moved` blocks carry
// a resource into a local module.
import type { ResourceAddress, StackPlace } from "../engine/types.js";
import { covers, type Move } from "../model/index.js";
import { deploysAllOf } from "./renames.js";

/**
 * Moves of CloudFormation resources the base declares and the head no longer does (by root and
 * address). First, each nested stack gone at base that one stack new at head stands for
 * (stacksMoved: the same template, perhaps under another name, parent or top template) takes
 * along itself and every resource its template and the templates below it declare: each goes to
 * the address it has under the new stack, if the head newly declares one there of its type. Then
 * each other resource gone moves to the one resource the head newly declares that is its
 * counterpart, when that resource has no other: one of the same logical id and type that is
 * - in the same root, in a stack nesting the one it left or nested below it (any depth, either
 *   way);
 * - in the same root, in a stack neither nesting nor nested by the one it left (a sibling, a
 *   stack renamed), deploying every value it deployed (deploysAllOf), perhaps more: two unrelated
 *   resources that only share a logical id are not taken for one;
 * - in another root, its stack path ending with the one it left or the one it left ending with
 *   it, written in the same template file or deploying every value it deployed: the top template
 *   renamed (`Network` in both), a template scanned on its own now nested (`""` to `Network`),
 *   or one no longer nested, with or without a rename git paired otherwise (a top template split
 *   into a parent and a child, git pairing the child with the old top).
 * A resource with two counterparts (a child template the head nests twice) goes to the first
 * deploying every value it deployed, so one copy continues it and the others are new; none
 * moves that still has its address at head. Only the address moves (and the root: `toRoot`):
 * findings are still compared by rule and evidence, so an exposure the move adds (a parameter the
 * new parent passes otherwise) is new.
 */
export function stackMoves(
  base: readonly ResourceAddress[],
  head: readonly ResourceAddress[],
): Move[] {
  const baseHeld = addressesByRoot(base);
  const headHeld = addressesByRoot(head);
  const allGone = stackResources(base, (root, address) => !headHeld.get(root)?.has(address));
  const allArrived = stackResources(head, (root, address) => !baseHeld.get(root)?.has(address));
  const carried = carriedWithStacks(allGone, allArrived, templatesOfStacks(base, head));
  const taken = new Set(carried.values());
  const gone = allGone.filter((entry) => !carried.has(entry));
  const arrived = allArrived.filter((entry) => !taken.has(entry));
  const arrivedByKey = new Map<string, Placed[]>();
  for (const entry of arrived) {
    const group = arrivedByKey.get(entry.key);
    if (group) group.push(entry);
    else arrivedByKey.set(entry.key, [entry]);
  }
  const goneTo = (entry: Placed): Placed[] =>
    (arrivedByKey.get(entry.key) ?? []).filter((other) => counterparts(entry, other));
  const arrivedFrom = new Map<Placed, number>();
  for (const entry of gone)
    for (const to of goneTo(entry)) arrivedFrom.set(to, (arrivedFrom.get(to) ?? 0) + 1);
  const matched = new Map(carried);
  const claimed = new Set<Placed>();
  const ambiguous: Placed[] = [];
  for (const entry of gone) {
    const [to, ...others] = goneTo(entry);
    if (to === undefined) continue;
    if (others.length > 0 || arrivedFrom.get(to) !== 1) {
      ambiguous.push(entry);
      continue;
    }
    matched.set(entry, to);
    claimed.add(to);
  }
  // Copies (a template nested twice where the base had its resources once, or the reverse): each
  // goes to the first copy deploying every value it deployed, so one copy continues it and the
  // others are new, rather than all new and it fixed though still deployed.
  for (const entry of ambiguous) {
    const to = goneTo(entry).find(
      (other) => !claimed.has(other) && deploysAllOf(deployed(entry), deployed(other)),
    );
    if (to === undefined) continue;
    matched.set(entry, to);
    claimed.add(to);
  }
  return [...matched].map(([from, to]) => ({
    root: from.root,
    from: from.address,
    to: to.address,
    ...(to.root === from.root ? {} : { toRoot: to.root }),
    whole: true,
    implied: true,
    file: to.stack.file,
    line: to.stack.line,
    column: to.stack.column,
  }));
}

/** Resource types that nest a template (src/iac/cloudformation/stacks.ts). */
const NESTING_TYPES = new Set(["AWS::CloudFormation::Stack", "AWS::Serverless::Application"]);

/**
 * The template each loaded nested stack instantiates, by root and stack path (`[root, path]` as
 * JSON), on each side: the file its resources are written in (at base, by its name at head when
 * a rename paired it: followRenamesInScan). A stack whose template declares nothing has none.
 */
function templatesOfStacks(
  base: readonly ResourceAddress[],
  head: readonly ResourceAddress[],
): { base: ReadonlyMap<string, string>; head: ReadonlyMap<string, string> } {
  const templates = (addresses: readonly ResourceAddress[]) => {
    const byStack = new Map<string, string>();
    for (const { root = "", stack } of addresses)
      if (stack !== undefined && stack.path !== "")
        byStack.set(JSON.stringify([root, stack.path]), stack.file);
    return byStack;
  };
  return { base: templates(base), head: templates(head) };
}

/**
 * Nested stacks gone at base, each with the one stack new at head that stands for it: both
 * instantiate the same template, and no other gone or new stack does, or, among several, only
 * these two have that logical id. The stack's identity is its template, not its name nor its
 * parent: a stack moved to another top template, renamed (`Bastion` to `Jumpbox`) or given other
 * `Parameters` on the way is still that stack.
 */
function stacksMoved(
  gone: readonly Placed[],
  arrived: readonly Placed[],
  templates: ReturnType<typeof templatesOfStacks>,
): Map<Placed, Placed> {
  const nested = (entries: readonly Placed[], side: ReadonlyMap<string, string>): Nesting[] =>
    entries.flatMap((entry) => {
      const template = NESTING_TYPES.has(entry.stack.type)
        ? side.get(JSON.stringify([entry.root, entry.address]))
        : undefined;
      return template === undefined ? [] : [{ entry, template }];
    });
  const goneStacks = nested(gone, templates.base);
  const arrivedStacks = nested(arrived, templates.head);
  const pairs = new Map<Placed, Placed>();
  const unpaired: Nesting[] = [];
  for (const from of goneStacks) {
    const sameTemplate = (stack: Nesting) => stack.template === from.template;
    const sameId = (stack: Nesting) =>
      sameTemplate(stack) && stack.entry.stack.logicalId === from.entry.stack.logicalId;
    const to = [sameTemplate, sameId]
      .map((among) =>
        onlyOne(goneStacks.filter(among)) === from
          ? onlyOne(arrivedStacks.filter(among))
          : undefined,
      )
      .find((stack) => stack !== undefined);
    if (to === undefined) unpaired.push(from);
    else pairs.set(from.entry, to.entry);
  }
  // Copies of one template, more at head than at base or fewer: each stack left goes to the first
  // copy left with the same `Parameters` and other values (deploysAllOf, its name aside), so one
  // copy continues it.
  const taken = new Set(pairs.values());
  const copies = (stacks: readonly Nesting[], template: string) =>
    stacks.filter((stack) => stack.template === template).length;
  for (const from of unpaired) {
    if (copies(goneStacks, from.template) === copies(arrivedStacks, from.template)) continue;
    const to = arrivedStacks.find(
      (stack) =>
        stack.template === from.template &&
        !taken.has(stack.entry) &&
        deploysAllOf(
          { ...deployed(from.entry), address: "" },
          { ...deployed(stack.entry), address: "" },
        ),
    );
    if (to === undefined) continue;
    pairs.set(from.entry, to.entry);
    taken.add(to.entry);
  }
  return pairs;
}

/** A nested stack resource and the template it instantiates. */
interface Nesting {
  entry: Placed;
  template: string;
}

/** The one element of `entries`, or undefined when there are none or several. */
function onlyOne<T>(entries: readonly T[]): T | undefined {
  return entries.length === 1 ? entries[0] : undefined;
}

/**
 * The resources gone at base that a moved stack (stacksMoved) takes along, each to the resource
 * new at head at its address under the stack's new one, of its type: the stack itself, and what
 * its template, and the templates below, declare. A resource under two moved stacks (a nested
 * stack moved with its parent, and moved on its own too) goes with the outer one first.
 */
function carriedWithStacks(
  gone: readonly Placed[],
  arrived: readonly Placed[],
  templates: ReturnType<typeof templatesOfStacks>,
): Map<Placed, Placed> {
  const pairs = [...stacksMoved(gone, arrived, templates)].sort(
    ([a], [b]) => a.address.length - b.address.length,
  );
  const arrivedAt = new Map(
    arrived.map((entry) => [JSON.stringify([entry.root, entry.address]), entry]),
  );
  const carried = new Map<Placed, Placed>();
  const taken = new Set<Placed>();
  for (const entry of gone) {
    for (const [from, to] of pairs) {
      if (entry.root !== from.root || !covers(from.address, false, entry.address)) continue;
      const address = to.address + entry.address.slice(from.address.length);
      const counterpart = arrivedAt.get(JSON.stringify([to.root, address]));
      if (
        counterpart === undefined ||
        counterpart.stack.type !== entry.stack.type ||
        taken.has(counterpart)
      )
        continue;
      carried.set(entry, counterpart);
      taken.add(counterpart);
      break;
    }
  }
  return carried;
}

/** A CloudFormation resource with its root, and the key its counterparts share. */
interface Placed {
  root: string;
  address: string;
  stack: StackPlace;
  /** Logical id and type. */
  key: string;
}

function addressesByRoot(addresses: readonly ResourceAddress[]): Map<string, Set<string>> {
  const byRoot = new Map<string, Set<string>>();
  for (const { root, address } of addresses) {
    const held = byRoot.get(root ?? "") ?? new Set<string>();
    held.add(address);
    byRoot.set(root ?? "", held);
  }
  return byRoot;
}

/** The CloudFormation resources among `addresses` that `keep` keeps. */
function stackResources(
  addresses: readonly ResourceAddress[],
  keep: (root: string, address: string) => boolean,
): Placed[] {
  const placed: Placed[] = [];
  for (const { root = "", address, stack } of addresses) {
    if (stack === undefined || !keep(root, address)) continue;
    placed.push({ root, address, stack, key: JSON.stringify([stack.logicalId, stack.type]) });
  }
  return placed;
}

/** What a placed resource deploys, as deploysAllOf compares it: its logical id, type and values. */
function deployed(placed: Placed) {
  return {
    address: placed.stack.logicalId,
    type: placed.stack.type,
    config: placed.stack.config,
    meta: placed.stack.meta,
  };
}

/** Whether `arrived`, of the same logical id and type as `gone`, is where `gone` went. */
function counterparts(gone: Placed, arrived: Placed): boolean {
  if (gone.root !== arrived.root) {
    return (
      oneEndsWithOther(gone, arrived) &&
      (gone.stack.file === arrived.stack.file || deploysAllOf(deployed(gone), deployed(arrived)))
    );
  }
  return nestedOnePath(gone, arrived) || deploysAllOf(deployed(gone), deployed(arrived));
}

/** Whether one of two different stack paths nests the other (`""` nests every stack). */
function nestedOnePath(a: Placed, b: Placed): boolean {
  const [outer, inner] = a.stack.path.length < b.stack.path.length ? [a, b] : [b, a];
  if (outer.stack.path === inner.stack.path) return false;
  return outer.stack.path === "" || inner.stack.path.startsWith(`${outer.stack.path}.`);
}

/** Whether one stack path is the other with stacks above it (`Network` and `App.Network`). */
function oneEndsWithOther(a: Placed, b: Placed): boolean {
  const [shorter, longer] = a.stack.path.length < b.stack.path.length ? [a, b] : [b, a];
  if (shorter.stack.path === longer.stack.path || shorter.stack.path === "") return true;
  return longer.stack.path.endsWith(`.${shorter.stack.path}`);
}
