// CloudFormation resources moved between a template and a stack it nests. Splitting resources
// verbatim into a child template (`AWS::CloudFormation::Stack` with a local `TemplateURL`), or
// inlining a child's resources back into its parent, renames them in findings (`User` becomes
// `Iam.User`) though nothing deployed changes; the head's implied moves here carry their base
// findings across, as Terraform's `moved` blocks carry a resource into a local module.
import type { ResourceAddress, StackPlace } from "../engine/types.js";
import type { Move } from "../model/types.js";

/**
 * Moves of CloudFormation resources the base declares and the head no longer does, to the one
 * resource the head newly declares with the same logical id and type, within the same root, in
 * a stack nesting the one it left or nested below it (any depth, either way). A resource with
 * two such counterparts (a child template the head nests twice) moves nowhere, nor does one
 * that still has its address at head. Only the address moves: findings are still compared by
 * rule and evidence, so an exposure the move adds is new.
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
    (arrivedByKey.get(entry.key) ?? []).filter((other) => nestedOnePath(entry, other));
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
      whole: true,
      implied: true,
      file: to.stack.file,
      line: to.stack.line,
      column: to.stack.column,
    });
  }
  return moves;
}

/** A CloudFormation resource with its root, and the key its counterpart shares. */
interface Placed {
  root: string;
  address: string;
  stack: StackPlace;
  /** Root, logical id and type. */
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
    placed.push({
      root,
      address,
      stack,
      key: JSON.stringify([root, stack.logicalId, stack.type]),
    });
  }
  return placed;
}

/** Whether one of two different stack paths nests the other (`""` nests every stack). */
function nestedOnePath(a: Placed, b: Placed): boolean {
  const [outer, inner] = a.stack.path.length < b.stack.path.length ? [a, b] : [b, a];
  if (outer.stack.path === inner.stack.path) return false;
  return outer.stack.path === "" || inner.stack.path.startsWith(`${outer.stack.path}.`);
}
