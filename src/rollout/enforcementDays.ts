// A `blocking_from` day already begun when the file is read: the entry is in force, with no
// countdown, though whoever wrote the date likely meant to schedule one. Told to whoever can edit
// the file: the organization's admins on the `.github` repository's checks, a repository's pull
// requests of its own file, and by the CLI for every file it is given.
import { originOf, type ParsedSettingsFile } from "../config/index.js";
import type { LoadError } from "../model/types.js";
import { daysFromToday, parseDay } from "./days.js";

/**
 * Each enforcement entry (top level or an `overrides` one) whose `blocking_from` day has begun: its
 * findings block already, though the admin who wrote it likely meant to schedule a day ahead.
 */
export function blockingDaysBegun(file: ParsedSettingsFile, now: Date): LoadError[] {
  const sections = [
    { path: ["enforcement"], enforcement: file.settings.enforcement },
    ...(file.settings.overrides ?? []).map((override, index) => ({
      path: ["overrides", index, "enforcement"],
      enforcement: override.enforcement,
    })),
  ];
  return sections.flatMap(({ path, enforcement }) =>
    (["rules", "categories", "severities"] as const).flatMap((section) =>
      Object.entries(enforcement?.[section] ?? {}).flatMap(([key, entry]) => {
        if (typeof entry !== "object" || entry === null) return [];
        const day = parseDay(entry.blocking_from);
        const daysLeft = day && daysFromToday(day, now);
        if (daysLeft === undefined || daysLeft > 0) return [];
        const where = [...path, section, key];
        const since =
          daysLeft === 0
            ? "is today"
            : `has passed (${-daysLeft} day${daysLeft === -1 ? "" : "s"} ago)`;
        return [
          {
            ...originOf(file, [...where, "blocking_from"]),
            code: "settings-blocking-from-passed",
            message: `${where.join(".")}: blocking_from ${entry.blocking_from} ${since}, so this entry is already in force: its findings block now, with no countdown; to schedule it, write a day ahead, or to keep it, write blocking`,
          },
        ];
      }),
    ),
  );
}
