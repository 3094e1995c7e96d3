// OPA's semver.is_valid and semver.compare, with OPA's own parser rather than a SemVer 2.0.0
// one: it takes one leading "v", leading zeros, and an empty pre-release or build after "-" or
// "+", and refuses what the `semver` package's loose mode takes (spaces, "=", a missing patch).
// Precedence is SemVer's, with numeric identifiers compared as int64 as Go's strconv reads them.
import { str } from "./host-operands.js";
import type { HostFunction, HostValue } from "./host-value.js";

interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
}

const IDENTIFIERS = /^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/;
const INT64_MAX = 2n ** 63n - 1n;

function cut(s: string, separator: string): [string, string] {
  const at = s.indexOf(separator);
  return at < 0 ? [s, ""] : [s.slice(0, at), s.slice(at + 1)];
}

/** Go's strconv.ParseInt(s, 10, 64) for the text left after "-" and "+" were cut off. */
function versionNumber(text: string): bigint | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n > INT64_MAX ? undefined : n;
}

export function parseVersion(text: string): Version | undefined {
  const [withoutBuild, build] = cut(text.startsWith("v") ? text.slice(1) : text, "+");
  if (build !== "" && !IDENTIFIERS.test(build)) return undefined;
  const [core, preRelease] = cut(withoutBuild, "-");
  if (preRelease !== "" && !IDENTIFIERS.test(preRelease)) return undefined;
  const parts = core.split(".");
  if (parts.length !== 3) return undefined;
  const [major, minor, patch] = parts.map(versionNumber);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  return { major, minor, patch, preRelease };
}

/** A numeric identifier as Go's strconv.Atoi gives it, clamped to int64 when it overflows. */
function identifierNumber(identifier: string): bigint {
  const n = BigInt(identifier);
  return n > INT64_MAX ? INT64_MAX : n;
}

function sign(a: bigint | string, b: bigint | string): number {
  return a > b ? 1 : a < b ? -1 : 0;
}

export function compareVersions(a: Version, b: Version): number {
  const core = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (core !== 0 || a.preRelease === b.preRelease) return core;
  // A version with a pre-release ranks below the same version without one.
  if (a.preRelease === "") return 1;
  if (b.preRelease === "") return -1;
  const left = a.preRelease.split(".");
  const right = b.preRelease.split(".");
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const xNumeric = /^\d+$/.test(x);
    const yNumeric = /^\d+$/.test(y);
    // Numeric identifiers rank below alphanumeric ones.
    if (xNumeric !== yNumeric) return xNumeric ? -1 : 1;
    const order = xNumeric ? sign(identifierNumber(x), identifierNumber(y)) : sign(x, y);
    if (order !== 0) return order;
  }
  return sign(BigInt(left.length), BigInt(right.length));
}

function versionOperand(value: HostValue, what: string): Version {
  const text = str(value, what);
  const version = parseVersion(text);
  if (version === undefined)
    throw new Error(`operand ${what}: string ${text} is not a valid SemVer`);
  return version;
}

export const semverDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "semver.is_valid": {
    arity: 1,
    fn: (value) => typeof value === "string" && parseVersion(value) !== undefined,
  },
  "semver.compare": {
    arity: 2,
    fn: (a, b) => compareVersions(versionOperand(a, "1"), versionOperand(b, "2")),
  },
};
