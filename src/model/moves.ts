// Where a Terraform address goes through `moved` blocks. Addresses are compared as text: a move's
// ends are written as `Resource.address` writes them, so an end is a prefix of every address it
// covers, followed by an instance key (`[`) or, for a module, the rest of the path (`.`).
import type { Move } from "./types.js";

type Moving = Pick<Move, "from" | "to" | "whole" | "anyInstance">;

/** Whether `end` of a move (its `from`, or its `to`) names `address` or something inside it. */
export function covers(end: string, whole: boolean, address: string): boolean {
  if (!address.startsWith(end)) return false;
  const next = address.charAt(end.length);
  return next === "" || next === "." || (whole && next === "[");
}

/** Where `move` takes `address`, or undefined when it does not cover it. */
export function movedAddress(address: string, move: Moving): string | undefined {
  if (move.anyInstance) {
    const rest = afterInstanceKey(address, move.from);
    return rest === undefined ? undefined : move.to + rest;
  }
  return covers(move.from, move.whole, address)
    ? move.to + address.slice(move.from.length)
    : undefined;
}

/**
 * What follows `end[key]` in `address` (`""`, or `.` and the rest inside a module instance), or
 * undefined when `address` is not an instance of `end`. Keys are numbers or JSON strings.
 */
function afterInstanceKey(address: string, end: string): string | undefined {
  if (!address.startsWith(`${end}[`)) return undefined;
  const key = /^\[(?:\d+|"(?:[^"\\]|\\.)*")\]/.exec(address.slice(end.length));
  if (key === null) return undefined;
  const rest = address.slice(end.length + key[0].length);
  return rest === "" || rest.startsWith(".") ? rest : undefined;
}

/**
 * The addresses `address` passes through, itself first, following chains (`a` to `b`, then `b`
 * to `c`) and moves of what contains it (a module, then a resource inside it); where two moves
 * cover an address the one naming it most closely applies. `cycle` when an address comes back.
 */
export function followMoves(
  address: string,
  moves: readonly Moving[],
): { path: string[]; cycle: boolean } {
  const path = [address];
  for (;;) {
    const current = path[path.length - 1] ?? address;
    let closest: Moving | undefined;
    for (const move of moves) {
      if (
        movedAddress(current, move) !== undefined &&
        move.from.length > (closest?.from.length ?? -1)
      )
        closest = move;
    }
    if (!closest) return { path, cycle: false };
    const next = movedAddress(current, closest) ?? current;
    if (path.includes(next)) return { path, cycle: true };
    path.push(next);
  }
}
