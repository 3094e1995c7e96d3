// Where a finding goes on a change: the check run's annotations and `tollgate diff` both put a new
// finding on a changed line, the nearest of its own span (`line..endLine`), else of a place its
// resource's count or for_each, those of the module calls creating it, or the attribute holding it,
// read, or its value passed through (`Finding.readFrom`: the count itself, the locals entry that
// added a for_each key, the tfvars value a condition tests, another resource's attribute or a
// module call's argument the value came by), else of its resource's block. A changed line
// elsewhere is never used.
import type { Finding } from "../model/types.js";
import type { ChangedLines } from "./patch.js";

/** A changed line a finding is put on; `by` names what read it when it came from `readFrom`. */
export interface ChangedLinePlace {
  path: string;
  line: number;
  by?: string;
}

/**
 * Existing findings are placed only where the change touched their own line; new ones may move to
 * the changed line nearest their own inside their span, else inside the first place (in `readFrom`
 * order) what decides them was read from, else inside their resource's block. Undefined when no
 * such line changed.
 */
export function placeOnChangedLine(
  finding: Finding,
  changedLines: ReadonlyMap<string, ChangedLines>,
): ChangedLinePlace | undefined {
  const reader = (place: NonNullable<Finding["readFrom"]>[number]): string =>
    place.through !== undefined
      ? `${place.through} on its way to the resource's ${place.by}`
      : place.call === undefined
        ? `the resource's ${place.by}`
        : `the ${place.by} of ${place.call}, which creates the resource`;
  const changed = changedLines.get(finding.file);
  if (changed === "all" || changed?.has(finding.line))
    return { path: finding.file, line: finding.line };
  if (finding.status !== "new") return undefined;
  const own = nearestChanged(changed, finding.line, finding.endLine, finding.line);
  if (own !== undefined) return { path: finding.file, line: own };
  // What decided the finding before the rest of its block: an unrelated edit there (a
  // description) does not decide a value the PR changed at its Mapping or a count.
  for (const place of finding.readFrom ?? []) {
    const changed = changedLines.get(place.file);
    if (changed === "all") return { path: place.file, line: place.line, by: reader(place) };
    const line = nearestChanged(changed, place.line, place.endLine, place.line);
    if (line !== undefined) return { path: place.file, line, by: reader(place) };
  }
  const block = finding.resourceBlock;
  if (block !== undefined) {
    const inBlock = changedLines.get(block.file);
    if (inBlock === "all") return { path: block.file, line: block.line };
    // Nearest the finding's own line when that lies in the block (the other ports of an ingress
    // the PR rewrote), else nearest the block's header.
    const near = block.file === finding.file ? finding.line : block.line;
    const line = nearestChanged(inBlock, block.line, block.endLine, near);
    if (line !== undefined) return { path: block.file, line };
  }
  return undefined;
}

/** The changed line in `from..to` nearest `near`, the earlier of two as near. */
function nearestChanged(
  changed: ReadonlySet<number> | undefined,
  from: number,
  to: number,
  near: number,
): number | undefined {
  let nearest: number | undefined;
  for (const line of changed ?? []) {
    if (line < from || line > to) continue;
    const closer =
      nearest === undefined ||
      Math.abs(line - near) < Math.abs(nearest - near) ||
      (Math.abs(line - near) === Math.abs(nearest - near) && line < nearest);
    if (closer) nearest = line;
  }
  return nearest;
}

/**
 * A new finding's place on the changed line that decided it, when that is not its own line: `by`
 * names what read it when it came from `readFrom`.
 */
export type DecidingLine = ChangedLinePlace;

/**
 * The new findings, among `findings`, that `placeOnChangedLine` puts on a changed line other than
 * their own: one nearer inside their span, one they were read from, else one of their resource's
 * block. Every format reports them there, as the check run annotates them; the others stay where
 * they are written.
 */
export function decidingLines(
  findings: readonly Finding[],
  changedLines: ReadonlyMap<string, ChangedLines>,
): Map<Finding, DecidingLine> {
  const moved = new Map<Finding, DecidingLine>();
  for (const finding of findings) {
    if (finding.status !== "new") continue;
    const place = placeOnChangedLine(finding, changedLines);
    if (place !== undefined && (place.path !== finding.file || place.line !== finding.line))
      moved.set(finding, place);
  }
  return moved;
}
