// Zone abbreviations ("JST", "CEST", "+04") from the host's tzdata files, which is where Go's
// time package, and so OPA, reads them: Intl gives offsets but no tzdata abbreviations. A zone's
// TZif file (RFC 8536) names the abbreviation of each period; past its last transition the
// footer's POSIX TZ rule names standard and daylight time. Undefined when the host has no tzdata.
import { readFileSync } from "node:fs";
import { join } from "node:path";

interface LocalTimeType {
  /** Seconds east of UTC. */
  offset: number;
  abbreviation: string;
}

interface ZoneInfo {
  /** Transition instants (Unix seconds), ascending, and the type in force from each. */
  transitions: number[];
  typeAt: number[];
  types: LocalTimeType[];
  /** The footer's rule: standard time and, when the zone has it, daylight time. */
  rule?: { standard: LocalTimeType; daylight?: LocalTimeType };
}

/** Go's zoneinfo search path (after $ZONEINFO), less the platform-specific archive. */
const ZONEINFO_DIRECTORIES = [
  "/usr/share/zoneinfo",
  "/usr/share/lib/zoneinfo",
  "/usr/lib/locale/TZ",
  "/etc/zoneinfo",
];

const cache = new Map<string, ZoneInfo | undefined>();

/** Reads a POSIX TZ name (`JST`, `<+04>`) and offset (`-9`, `3:30`): west-positive, as POSIX has it. */
function posixRule(text: string): ZoneInfo["rule"] {
  const match =
    /^(<[^>]*>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})(?:(<[^>]*>|[A-Za-z]{3,})([+-]?\d{1,3}(?::\d{1,2}){0,2})?)?(?:,|$)/.exec(
      text,
    );
  if (!match) return undefined;
  const name = (raw: string) => raw.replace(/^<|>$/g, "");
  const seconds = (raw: string) => {
    const sign = raw.startsWith("-") ? -1 : 1;
    const [h = 0, m = 0, s = 0] = raw.replace(/^[+-]/, "").split(":").map(Number);
    return sign * (h * 3600 + m * 60 + s);
  };
  const standard = { abbreviation: name(match[1]!), offset: -seconds(match[2]!) };
  if (match[3] === undefined) return { standard };
  const daylightOffset = match[4] === undefined ? standard.offset + 3600 : -seconds(match[4]);
  return { standard, daylight: { abbreviation: name(match[3]), offset: daylightOffset } };
}

/** The version 2+ data block of a TZif file (64-bit times), or version 1's if that is all. */
function parseTzif(data: Buffer): ZoneInfo | undefined {
  if (data.length < 44 || data.toString("latin1", 0, 4) !== "TZif") return undefined;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => data.readUInt32BE(at + 20 + 4 * i));
  const blockLength = (c: number[], timeSize: number) =>
    c[3]! * timeSize + c[3]! + c[4]! * 6 + c[5]! + c[2]! * (timeSize + 4) + c[1]! + c[0]!;
  let at = 0;
  let timeSize = 4;
  let c = counts(0);
  if (data[4] !== 0) {
    at = 44 + blockLength(c, 4);
    if (at + 44 > data.length || data.toString("latin1", at, at + 4) !== "TZif") return undefined;
    c = counts(at);
    timeSize = 8;
  }
  const [, , , timeCount = 0, typeCount = 0, charCount = 0] = c;
  let p = at + 44;
  if (p + blockLength(c, timeSize) > data.length) return undefined;
  const transitions: number[] = [];
  for (let i = 0; i < timeCount; i++, p += timeSize)
    transitions.push(timeSize === 8 ? Number(data.readBigInt64BE(p)) : data.readInt32BE(p));
  const typeAt = [...data.subarray(p, p + timeCount)];
  p += timeCount;
  const raw = [];
  for (let i = 0; i < typeCount; i++, p += 6)
    raw.push({ offset: data.readInt32BE(p), index: data[p + 5] ?? 0 });
  const chars = data.toString("latin1", p, p + charCount);
  const types = raw.map(({ offset, index }) => {
    const nul = chars.indexOf("\0", index);
    return { offset, abbreviation: chars.slice(index, nul < 0 ? undefined : nul) };
  });
  const end = at + 44 + blockLength(c, timeSize);
  const footer = timeSize === 8 ? data.toString("latin1", end).split("\n")[1] : undefined;
  const rule = footer ? posixRule(footer) : undefined;
  return rule === undefined ? { transitions, typeAt, types } : { transitions, typeAt, types, rule };
}

function zoneInfo(zone: string): ZoneInfo | undefined {
  if (cache.has(zone)) return cache.get(zone);
  let info: ZoneInfo | undefined;
  // Zone names reach here from policies; only a plain IANA name is looked up on disk.
  if (/^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    const directories = process.env.ZONEINFO
      ? [process.env.ZONEINFO, ...ZONEINFO_DIRECTORIES]
      : ZONEINFO_DIRECTORIES;
    for (const directory of directories) {
      try {
        info = parseTzif(readFileSync(join(directory, zone)));
      } catch {
        continue;
      }
      if (info !== undefined) break;
    }
  }
  cache.set(zone, info);
  return info;
}

/**
 * The abbreviation tzdata gives `zone` at the instant, whose offset (from Intl) is `offset`: the
 * period's own name, or past the last transition the footer rule's name for that offset.
 */
export function tzdataAbbreviation(
  zone: string,
  unixSeconds: number,
  offset: number,
): string | undefined {
  const info = zoneInfo(zone);
  if (info === undefined) return undefined;
  const { transitions, typeAt, types, rule } = info;
  let low = 0;
  let high = transitions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (transitions[middle]! <= unixSeconds) low = middle + 1;
    else high = middle;
  }
  if (low === transitions.length && rule !== undefined)
    return rule.daylight?.offset === offset
      ? rule.daylight.abbreviation
      : rule.standard.abbreviation;
  const type = low === 0 ? types[0] : types[typeAt[low - 1] ?? 0];
  return type?.abbreviation || undefined;
}
