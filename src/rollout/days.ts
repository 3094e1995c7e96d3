// Calendar days as settings and waivers write them (`YYYY-MM-DD`, read as UTC) and the whole days
// left until one, shared by waiver expiry and `blocking_from` countdowns so both count alike.

const DAY_MS = 86_400_000;

/** A real calendar day as `YYYY-MM-DD` (2026-02-30 is not), at 00:00 UTC. */
export function parseDay(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text) ? day : undefined;
}

/** Whole UTC days from `now`'s day to `day`: 0 on the day itself, negative once it has passed. */
export function daysFromToday(day: Date, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round((day.getTime() - today) / DAY_MS);
}

/** `today`, `in 1 day`, `in 5 days`. */
export function describeDaysLeft(days: number): string {
  return days <= 0 ? "today" : `in ${days} day${days === 1 ? "" : "s"}`;
}
