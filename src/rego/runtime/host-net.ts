// OPA's net.* builtins over addresses held as bigints, so IPv4 and IPv6 share one arithmetic.
// Parsing follows Go's net.ParseCIDR (netip: no leading zeros in IPv4 octets, no zones) and
// printing Go's IP.String (RFC 5952; an IPv4-mapped address in dotted form).
//
// src/iac/terraform/cidr.ts does the same arithmetic for Terraform's functions, with Terraform's
// errors and its acceptance of leading zeros; the two stay apart as the stages they serve do.
import { elements, str } from "./host-operands.js";
import { RegoSet, type HostFunction, type HostValue } from "./host-value.js";

interface Network {
  bits: number;
  address: bigint;
  prefix: number;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const p of parts) {
    // Go (since 1.17) rejects leading zeros, which other parsers read as octal.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    value = value * 256n + BigInt(p);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail = "";
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  if (halves.length === 2) [head, tail] = halves as [string, string];
  const group = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const left = group(head);
  const right = group(tail);
  // An embedded IPv4 tail counts as two groups.
  const last = (right.length > 0 ? right : left).at(-1);
  const groups: bigint[] = [];
  const toGroups = (list: string[]): boolean => {
    for (const g of list) {
      if (g.includes(".") && g === last) {
        const v4 = parseIPv4(g);
        if (v4 === undefined) return false;
        groups.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) groups.push(BigInt(`0x${g}`));
      else return false;
    }
    return true;
  };
  if (!toGroups(left)) return undefined;
  const leftCount = groups.length;
  if (!toGroups(right)) return undefined;
  const missing = 8 - groups.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [
    ...groups.slice(0, leftCount),
    ...Array<bigint>(missing).fill(0n),
    ...groups.slice(leftCount),
  ];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function parseNetwork(text: string, allowBareAddress: boolean): Network {
  const [ip, prefixText, extra] = text.split("/");
  if (extra !== undefined || ip === undefined) throw new Error(`invalid CIDR address: ${text}`);
  const v4 = parseIPv4(ip);
  const address = v4 ?? parseIPv6(ip);
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

function cidrIntersects(a: HostValue, b: HostValue): boolean {
  const x = parseNetwork(str(a, "1"), false);
  const y = parseNetwork(str(b, "2"), false);
  if (x.bits !== y.bits) return false;
  const prefix = Math.min(x.prefix, y.prefix);
  return maskTo(x.address, x.bits, prefix) === maskTo(y.address, y.bits, prefix);
}

/** The most addresses net.cidr_expand lists: OPA has no limit, but a /8 is 16 million strings. */
export const MAX_CIDR_EXPANSION = 65_536;

const IPV4_MAPPED = 0xffffn << 32n;

function isIPv4Mapped(address: bigint): boolean {
  return address >> 32n === 0xffffn;
}

function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** Go's IP.String: dotted IPv4 (also for IPv4-mapped IPv6), else RFC 5952. */
function formatAddress(address: bigint, bits: number): string {
  if (bits === 32 || isIPv4Mapped(address)) return formatIPv4(address & 0xffffffffn);
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((address >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (part: number[]): string => part.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

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
    const v4 = parseIPv4(element);
    const v6 = v4 === undefined ? parseIPv6(element) : undefined;
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

export const netDefinitions: Record<string, { arity: number; fn: HostFunction }> = {
  "net.cidr_contains": { arity: 2, fn: cidrContains },
  "net.cidr_intersects": { arity: 2, fn: cidrIntersects },
  "net.cidr_expand": { arity: 1, fn: cidrExpand },
  "net.cidr_merge": { arity: 1, fn: cidrMerge },
};
