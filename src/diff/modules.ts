// Module calls a change points at code Tollgate does not read: a call of a registry, git, S3 or HTTP
// module the head adds, or whose `source` or `version` it changes. What such a module deploys is
// judged only through the call's arguments, so a change of what it fetches passes with no finding;
// the gate names each one in the verdict (`unread_modules`). Calls are matched by root and address
// without instance keys, so moving one between files, or a count added to it, changes nothing.
import type { ScanResult, UnreadModuleCall } from "../engine/types.js";

/** A head call of a module not read that the change added or re-pointed, with what it was. */
export interface ChangedModuleCall extends UnreadModuleCall {
  /** `added`: no call of that address at base (or a local one); else what changed. */
  change: "added" | "source" | "version";
  /** The base call's source and version, for a re-pointed one. */
  before?: { source: string; version?: string };
}

/** The head's calls of modules not read that are new or re-pointed since base, by place. */
export function changedUnreadModules(base: ScanResult, head: ScanResult): ChangedModuleCall[] {
  const key = (call: UnreadModuleCall) => JSON.stringify([call.root, call.address]);
  const atBase = new Map((base.unreadModules ?? []).map((call) => [key(call), call]));
  const changed = (head.unreadModules ?? []).flatMap((call): ChangedModuleCall[] => {
    const was = atBase.get(key(call));
    if (!was) return [{ ...call, change: "added" }];
    const before = {
      source: was.source,
      ...(was.version !== undefined ? { version: was.version } : {}),
    };
    if (was.source !== call.source) return [{ ...call, change: "source", before }];
    if (was.version !== call.version) return [{ ...call, change: "version", before }];
    return [];
  });
  return changed.sort((a, b) => {
    const [at, bt] = [changedAt(a), changedAt(b)];
    return (at.file < bt.file ? -1 : at.file > bt.file ? 1 : 0) || at.line - bt.line;
  });
}

/** Where a changed call is told: its `version` when only that changed, else its `source`. */
export function changedAt(call: ChangedModuleCall): UnreadModuleCall["sourceAt"] {
  return call.change === "version" && call.versionAt ? call.versionAt : call.sourceAt;
}

/** `module.sg (main.tf:5, added: source "git::…?ref=v1")`, `… version "1.0.0" -> "2.0.0"`. */
export function describeChangedCall(call: ChangedModuleCall): string {
  const at = changedAt(call);
  const quoted = (value: string | undefined) =>
    value === undefined ? "(none)" : JSON.stringify(value);
  const what =
    call.change === "added"
      ? `added, source ${quoted(call.source)}${call.version !== undefined ? ` version ${quoted(call.version)}` : ""}`
      : call.change === "source"
        ? `source ${quoted(call.before?.source)} -> ${quoted(call.source)}`
        : `version ${quoted(call.before?.version)} -> ${quoted(call.version)}`;
  return `${call.address} (${at.file}:${at.line}, ${what})`;
}
