// OPA's uuid.parse: the fields OPA decodes from a UUID (google/uuid's reading of the bytes), or
// undefined for text that is no UUID. Accepted as google/uuid accepts it: the 36-character form,
// with a `urn:uuid:` prefix (any case), between braces, or 32 hex digits without dashes.
// Version 1 and 2 UUIDs also give their time, node and clock sequence; version 2 its id and domain.
import { integerValue, str } from "./host-operands.js";
import type { HostFunction, HostValue } from "./host-value.js";

const HEX_STARTS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** 100-nanosecond intervals from the Gregorian reform (15 Oct 1582) to the Unix epoch. */
const GREGORIAN_TO_UNIX = 122_192_928_000_000_000n;

function hexByte(text: Buffer, at: number): number | undefined {
  const digits = text.toString("latin1", at, at + 2);
  return /^[0-9a-fA-F]{2}$/.test(digits) ? parseInt(digits, 16) : undefined;
}

/** google/uuid's Parse, over the UTF-8 bytes as Go measures them. */
export function parseUuidBytes(source: string): Buffer | undefined {
  let text = Buffer.from(source, "utf8");
  if (text.length === 32) {
    const bytes = Array.from({ length: 16 }, (_, i) => hexByte(text, 2 * i));
    return bytes.every((b) => b !== undefined) ? Buffer.from(bytes) : undefined;
  }
  if (text.length === 45) {
    if (text.toString("latin1", 0, 9).toLowerCase() !== "urn:uuid:") return undefined;
    text = text.subarray(9);
  } else if (text.length === 38) {
    // google/uuid skips the first and last characters without looking at them.
    text = text.subarray(1);
  } else if (text.length !== 36) return undefined;
  if ([8, 13, 18, 23].some((at) => text[at] !== 0x2d)) return undefined;
  const bytes = HEX_STARTS.map((at) => hexByte(text, at));
  return bytes.every((b) => b !== undefined) ? Buffer.from(bytes) : undefined;
}

function variant(byte: number): string {
  if ((byte & 0xc0) === 0x80) return "RFC4122";
  if ((byte & 0xe0) === 0xc0) return "Microsoft";
  if ((byte & 0xe0) === 0xe0) return "Future";
  return "Reserved";
}

/** The MAC address bits of the node id's first byte, as RFC 7042 names them. */
function macVariables(byte: number): string {
  if ((byte & 0b11) === 0b11) return "local:multicast";
  if ((byte & 0b01) === 0b01) return "global:multicast";
  if ((byte & 0b10) === 0b10) return "local:unicast";
  return "global:unicast";
}

const DOMAINS = ["Person", "Group", "Org"];

/**
 * Unix nanoseconds of a version 1 or 2 UUID's 60-bit timestamp, with Go's int64 arithmetic
 * (it wraps for times after the year 2262, as OPA's does).
 */
function unixNanos(uuid: Buffer): bigint {
  const ticks =
    BigInt(uuid.readUInt32BE(0)) |
    (BigInt(uuid.readUInt16BE(4)) << 32n) |
    (BigInt(uuid.readUInt16BE(6) & 0xfff) << 48n);
  const sinceEpoch = ticks - GREGORIAN_TO_UNIX;
  const nanos = BigInt.asIntN(64, (sinceEpoch / 10_000_000n) * 1_000_000_000n);
  return BigInt.asIntN(64, nanos + (sinceEpoch % 10_000_000n) * 100n);
}

export function uuidFields(uuid: Buffer): { [key: string]: HostValue } {
  const version = uuid[6]! >> 4;
  const fields: { [key: string]: HostValue } = { version, variant: variant(uuid[8]!) };
  if (version !== 1 && version !== 2) return fields;
  fields.time = integerValue(unixNanos(uuid));
  fields.nodeid = Array.from(uuid.subarray(10), (b) => b.toString(16).padStart(2, "0")).join("-");
  fields.macvariables = macVariables(uuid[10]!);
  fields.clocksequence = uuid.readUInt16BE(8) & 0x3fff;
  if (version === 2) {
    fields.id = uuid.readUInt32BE(0);
    fields.domain = DOMAINS[uuid[9]!] ?? `Domain${uuid[9]}`;
  }
  return fields;
}

export const uuidDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "uuid.parse": {
    arity: 1,
    fn: (text) => {
      const uuid = parseUuidBytes(str(text, "1"));
      return uuid === undefined ? undefined : uuidFields(uuid);
    },
  },
};
