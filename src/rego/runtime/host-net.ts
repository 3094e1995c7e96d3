// OPA's net.* builtins over addresses held as bigints, so IPv4 and IPv6 share one arithmetic.
// Parsing follows Go's net.ParseCIDR (netip: no leading zeros in IPv4 octets, no zones) and
// printing Go's IP.String (RFC 5952; an IPv4-mapped address in dotted form).
// Addresses are parsed and printed by src/net/address.ts, which the loaders' CIDR functions share.
import {
  formatAddress,
  formatIPv4,
  isIPv4Mapped,
  parseIPv4,
  parseIPv6,
  type AddressSyntax,
} from "../../net/address.js";
import { elements, isObject, str } from "./host-operands.js";
import { RegoSet, type HostFunction, type HostValue } from "./host-value.js";

const GO: AddressSyntax = { leadingZeros: false };

interface Network {
  bits: number;
  address: bigint;
  prefix: number;
}

function parseNetwork(text: string, allowBareAddress: boolean): Network {
  const [ip, prefixText, extra] = text.split("/");
  if (extra !== undefined || ip === undefined) throw new Error(`invalid CIDR address: ${text}`);
  const v4 = parseIPv4(ip, GO);
  const address = v4 ?? parseIPv6(ip, GO);
  if (address === undefined) throw new Error(`invalid CIDR address: ${text}`);
  const bits = v4 !== undefined ? 32 : 128;
  if (prefixText === undefined) {
    if (!allowBareAddress) throw new Error(`invalid CIDR address: ${text}`);
    return { bits, address, prefix: bits };
  }
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits)
    throw new Error(`invalid CIDR address: ${text}`);
  const prefix = Number(prefixText);
  return { bits, address: maskTo(address, bits, prefix), prefix };
}

function maskTo(address: bigint, bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (address >> hostBits) << hostBits;
}

function cidrContains(cidr: HostValue, other: HostValue): boolean {
  const outer = parseNetwork(str(cidr, "1"), false);
  const inner = parseNetwork(str(other, "2"), true);
  if (outer.bits !== inner.bits || inner.prefix < outer.prefix) return false;
  return maskTo(inner.address, inner.bits, outer.prefix) === outer.address;
}

/** The most addresses net.cidr_expand lists: OPA has no limit, but a /8 is 16 million strings. */
export const MAX_CIDR_EXPANSION = 65_536;

const IPV4_MAPPED = 0xffffn << 32n;

/** Go's IPNet.String; an IPv4-mapped IPv6 network prints as IPv4 with the mask's last 32 bits. */
function formatNetwork(address: bigint, bits: number, prefix: number): string {
  const length = bits === 128 && isIPv4Mapped(address) ? Math.max(prefix - 96, 0) : prefix;
  return `${formatAddress(address, bits)}/${length}`;
}

function cidrExpand(cidr: HostValue): HostValue {
  const text = str(cidr, "1");
  const { bits, address, prefix } = parseNetwork(text, false);
  const count = 1n << BigInt(bits - prefix);
  if (count > BigInt(MAX_CIDR_EXPANSION))
    throw new Error(
      `${text} holds ${count} addresses, more than the ${MAX_CIDR_EXPANSION} Tollgate expands`,
    );
  const hosts: string[] = [];
  for (let offset = 0n; offset < count; offset++) hosts.push(formatAddress(address + offset, bits));
  return new RegoSet(hosts);
}

/** An inclusive range of 128-bit addresses (IPv4 as IPv4-mapped), as Go's merge compares them. */
interface AddressRange {
  first: bigint;
  last: bigint;
  /** The input network's own text, kept while the range merges with no other (Go's IPNet). */
  original?: string;
}

/** Go's classful IP.DefaultMask, which OPA gives a bare IPv4 address in net.cidr_merge. */
function defaultPrefix(address: bigint): number | undefined {
  const firstOctet = Number(address >> 24n);
  if (firstOctet < 0x80) return 8;
  if (firstOctet < 0xc0) return 16;
  if (firstOctet < 0xe0) return 24;
  return undefined;
}

function mergeRange(element: HostValue): AddressRange {
  if (typeof element !== "string") throw new Error("element must be string");
  if (!element.includes("/")) {
    const v4 = parseIPv4(element, GO);
    const v6 = v4 === undefined ? parseIPv6(element, GO) : undefined;
    if (v4 === undefined && v6 === undefined) throw new Error(`invalid CIDR address: ${element}`);
    const address = v4 ?? (isIPv4Mapped(v6 as bigint) ? (v6 as bigint) & 0xffffffffn : undefined);
    if (address === undefined) throw new Error("IPv6 invalid: needs prefix length");
    const prefix = defaultPrefix(address);
    // Go gives class D and E addresses no default mask, and OPA prints such a network as "<nil>".
    if (prefix === undefined)
      throw new Error(`${element} has no default mask (class D or E): give a prefix length`);
    const hostBits = BigInt(32 - prefix);
    const first = IPV4_MAPPED | ((address >> hostBits) << hostBits);
    // The address is kept unmasked, as OPA prints it: "192.168.1.1" merges alone to "192.168.1.1/24".
    return {
      first,
      last: first + (1n << hostBits) - 1n,
      original: `${formatIPv4(address)}/${prefix}`,
    };
  }
  const { bits, address, prefix } = parseNetwork(element, false);
  const first = bits === 32 ? IPV4_MAPPED | address : address;
  const last = first + (1n << BigInt(bits - prefix)) - 1n;
  return { first, last, original: formatNetwork(address, bits, prefix) };
}

/** The fewest aligned blocks covering [first, last], in Go's IPNet text. */
function rangeToCidrs(first: bigint, last: bigint): string[] {
  const cidrs: string[] = [];
  for (let start = first; start <= last;) {
    let size = 0;
    while (
      size < 128 &&
      (start & ((1n << BigInt(size + 1)) - 1n)) === 0n &&
      start + (1n << BigInt(size + 1)) - 1n <= last
    )
      size++;
    cidrs.push(formatNetwork(start, 128, 128 - size));
    start += 1n << BigInt(size);
  }
  return cidrs;
}

/**
 * OPA's net.cidr_merge: ranges sorted by last then first address, merged back to front when one
 * touches or overlaps the one before; a range that merged nothing keeps its input text.
 */
function cidrMerge(addresses: HostValue): HostValue {
  if (!Array.isArray(addresses) && !(addresses instanceof RegoSet))
    throw new Error("operand must be an array");
  const ranges = elements(addresses, "1", "array, set").map(mergeRange);
  ranges.sort((a, b) =>
    a.last !== b.last
      ? a.last < b.last
        ? -1
        : 1
      : a.first < b.first
        ? -1
        : a.first > b.first
          ? 1
          : 0,
  );
  for (let i = ranges.length - 1; i > 0; i--) {
    const current = ranges[i] as AddressRange;
    const previous = ranges[i - 1] as AddressRange;
    const before =
      current.first === 0n || current.first === IPV4_MAPPED ? current.first : current.first - 1n;
    if (before <= previous.last) {
      const first = previous.first < current.first ? previous.first : current.first;
      ranges.splice(i - 1, 2, { first, last: current.last });
    }
  }
  const merged = ranges.flatMap((r) =>
    r.original !== undefined ? [r.original] : rangeToCidrs(r.first, r.last),
  );
  return new RegoSet([...new Set(merged)]);
}

/**
 * One operand of net.cidr_contains_matches as [CIDR, index] pairs: a string is its own index,
 * an array's elements are indexed by position, a set's by the element, an object's by key; an
 * element is a CIDR or an array whose first element is one (the rest is the caller's data).
 */
function matchCandidates(operand: HostValue, which: number): [HostValue, HostValue][] {
  const cidrOf = (element: HostValue): HostValue => {
    if (typeof element === "string") return element;
    if (Array.isArray(element) && element.length > 0) return element[0] as HostValue;
    throw new Error(`operand ${which}: element must be string or non-empty array`);
  };
  if (typeof operand === "string") return [[operand, operand]];
  if (Array.isArray(operand)) return operand.map((element, i) => [cidrOf(element), i]);
  if (operand instanceof RegoSet)
    return operand.elements.map((element) => [cidrOf(element), element]);
  if (isObject(operand))
    return Object.entries(operand).map(([key, element]) => [cidrOf(element), key]);
  return [];
}

/** OPA's net.cidr_contains_matches: `[i, j]` for each CIDR `i` of the first that contains `j`. */
function cidrContainsMatches(cidrs: HostValue, candidates: HostValue): HostValue {
  const inner = matchCandidates(candidates, 2);
  const found: HostValue[] = [];
  for (const [outer, i] of matchCandidates(cidrs, 1))
    for (const [address, j] of inner) if (cidrContains(outer, address)) found.push([i, j]);
  return new RegoSet(found);
}

/** OPA's net.cidr_is_valid: false, never an error, for anything but a string Go's ParseCIDR reads. */
function cidrIsValid(value: HostValue): boolean {
  if (typeof value !== "string") return false;
  try {
    parseNetwork(value, false);
    return true;
  } catch {
    return false;
  }
}

export const netDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "net.cidr_contains_matches": { arity: 2, fn: cidrContainsMatches },
  "net.cidr_expand": { arity: 1, fn: cidrExpand },
  "net.cidr_merge": { arity: 1, fn: cidrMerge },
  "net.cidr_is_valid": { arity: 1, fn: cidrIsValid },
};
