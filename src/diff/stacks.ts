// CloudFormation resources moved between stacks. Splitting resources verbatim into a child
// template (`AWS::CloudFormation::Stack` with a local `TemplateURL`), inlining a child's resources
// back into its parent, moving one from a child to its sibling, renaming the top template, or
// nesting a template scanned on its own under a parent renames them in findings (`User` becomes
// `Iam.User`, root `iam.yaml` becomes `app.yaml`) though what they deploy is unchanged; the
// head's implied moves here carry their base findings across, as Terraform's `moved` blocks carry
// a resource into a local module.
import type { ResourceAddress, StackPlace } from "../engine/types.js";
import type { Move } from "../model/types.js";
import { deploysAllOf } from "./renames.js";

/**
 * Moves of CloudFormation resources the base declares and the head no longer does (by root and
 * address), each to the one resource the head newly declares that is its counterpart, when that
 * resource has no other: one of the same logical id and type that is
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
 * A resource with two counterparts (a child template the head nests twice) moves nowhere, nor
 * does one that still has its address at head. Only the address moves (and the root: `toRoot`):
 * findings are still compared by rule and evidence, so an exposure the move adds is new.
 */
export function stackMoves(
  base: readonly ResourceAddress[],
  head: readonly ResourceAddress[],
): Move[] {
  const baseHeld = addressesByRoot(base);
  const headHeld = addressesByRoot(head);
  const gone = stackResources(base, (root, address) => !headHeld.get(root)?.has(address));
  const arrived = stackResources(head, (root, address) => !baseHeld.get(root)?.has(address));
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
  const moves: Move[] = [];
  for (const entry of gone) {
    const [to, ...others] = goneTo(entry);
    if (to === undefined || others.length > 0 || arrivedFrom.get(to) !== 1) continue;
    moves.push({
      root: entry.root,
      from: entry.address,
      to: to.address,
      ...(to.root === entry.root ? {} : { toRoot: to.root }),
      whole: true,
      implied: true,
      file: to.stack.file,
      line: to.stack.line,
      column: to.stack.column,
    });
  }
  return moves;
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

/** Whether `arrived`, of the same logical id and type as `gone`, is where `gone` went. */
function counterparts(gone: Placed, arrived: Placed): boolean {
  const deployed = (placed: Placed) => ({
    address: placed.stack.logicalId,
    type: placed.stack.type,
    config: placed.stack.config,
    meta: placed.stack.meta,
  });
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
