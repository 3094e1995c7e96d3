// IP addresses as bigints, parsed and printed as Go's `net` package does, for the two places
// that do CIDR arithmetic: the loaders' Terraform and CloudFormation functions (src/iac/cidr.ts)
// and OPA's net.* builtins (src/rego/runtime/host-net.ts). They differ in one rule, which the
// caller picks: Terraform's parser takes leading zeros in IPv4 octets, Go since 1.17 (so OPA)
// refuses them.

export interface AddressSyntax {
  /** Accept `010.0.0.1` (Terraform); refused by Go's net.ParseCIDR since 1.17 (OPA). */
  leadingZeros: boolean;
}

export function parseIPv4(text: string, syntax: AddressSyntax): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octet = syntax.leadingZeros ? /^[0-9]{1,3}$/ : /^(?:0|[1-9][0-9]{0,2})$/;
  let value = 0n;
  for (const part of parts) {
    if (!octet.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** Eight groups, `::` once for a run of zero groups, and an optional dotted IPv4 tail. */
export function parseIPv6(text: string, syntax: AddressSyntax): bigint | undefined {
  let tail = text;
  let embedded: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    embedded = parseIPv4(text.slice(lastColon + 1), syntax);
    if (embedded === undefined) return undefined;
    tail = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = tail.split("::");
  if (halves.length > 2) return undefined;
  const split = (half: string): string[] => (half === "" ? [] : half.split(":"));
  let groups: string[];
  if (halves.length === 2) {
    const head = split(halves[0] as string);
    const rest = split(halves[1] as string);
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill("0"), ...rest];
  } else {
    groups = split(tail);
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (embedded !== undefined) value = (value & ~0xffffffffn) | embedded;
  return value;
}

export function isIPv4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

export function formatIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** Go's IP.String: dotted IPv4 (also an IPv4-mapped IPv6 address), else RFC 5952. */
export function formatAddress(value: bigint, addressBits: number): string {
  if (addressBits === 32 || isIPv4Mapped(value)) return formatIPv4(value & 0xffffffffn);
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
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
