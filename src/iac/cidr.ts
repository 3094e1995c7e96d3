// CIDR arithmetic both loaders evaluate: Terraform's IP network functions (cidrhost, cidrnetmask,
// cidrsubnet, cidrsubnets) and CloudFormation's `Fn::Cidr`, over addresses held as bigints, so
// IPv4 and IPv6 share one arithmetic. Parsing and printing follow Go's `net` package as Terraform
// uses it: leading zeros in IPv4 octets are accepted, an IPv4-mapped IPv6 address prints in dotted
// form, and IPv6 prints compressed (RFC 5952). Written here rather than taken from npm: these
// ~200 lines are Terraform's exact semantics (its error cases, cidrsubnets' alignment), which
// neither `ip-address` (10.x) nor `cidr-tools` (13.x), the packages our registry list offers,
// implements, and neither is installed; either would be a new runtime dependency for four
// functions.

import {
  formatAddress,
  formatIPv4,
  isIPv4Mapped,
  parseIPv4,
  parseIPv6,
  type AddressSyntax,
} from "../net/address.js";

const TERRAFORM: AddressSyntax = { leadingZeros: true };

/** A CIDR function's argument it cannot use (each loader reports it its own way). */
export class CidrError extends Error {}

interface Network {
  /** First address of the network (host bits cleared). */
  start: bigint;
  prefixLength: number;
  /** 32 for IPv4, 128 for IPv6. */
  addressBits: number;
}

function argumentError(message: string): CidrError {
  return new CidrError(message);
}

function parseNetwork(text: string): Network {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const length = slash < 0 ? "" : text.slice(slash + 1);
  const v4 = parseIPv4(address, TERRAFORM);
  const value = v4 ?? (address.includes(":") ? parseIPv6(address, TERRAFORM) : undefined);
  const addressBits = v4 === undefined ? 128 : 32;
  const prefixLength = /^[0-9]{1,3}$/.test(length) ? Number(length) : NaN;
  if (value === undefined || !(prefixLength <= addressBits))
    throw argumentError(`invalid CIDR address: ${text}`);
  const hostBits = BigInt(addressBits - prefixLength);
  return { start: (value >> hostBits) << hostBits, prefixLength, addressBits };
}

function lastAddress(network: Network): bigint {
  return network.start + (1n << BigInt(network.addressBits - network.prefixLength)) - 1n;
}

function formatNetwork(network: Network): string {
  const { start, prefixLength, addressBits } = network;
  // Go prints an IPv4-mapped network in IPv4 form with the mask's last 32 bits as its length.
  const length =
    addressBits === 128 && isIPv4Mapped(start) ? Math.max(prefixLength - 96, 0) : prefixLength;
  return `${formatAddress(start, addressBits)}/${length}`;
}

function wholeNumber(value: number, what: string): bigint {
  if (!Number.isInteger(value)) throw argumentError(`${what} must be a whole number, got ${value}`);
  return BigInt(value);
}

/** `cidrhost(prefix, hostnum)`: a negative host number counts back from the last address. */
export function cidrHost(prefix: string, hostNumber: number): string {
  const network = parseNetwork(prefix);
  const requested = wholeNumber(hostNumber, "host number");
  const hosts = 1n << BigInt(network.addressBits - network.prefixLength);
  const offset = requested < 0n ? hosts + requested : requested;
  if (offset < 0n || offset >= hosts)
    throw argumentError(
      `prefix of ${network.prefixLength} does not accommodate a host numbered ${hostNumber}`,
    );
  return formatAddress(network.start + offset, network.addressBits);
}

/** `cidrnetmask(prefix)`: IPv4 only, as Terraform. */
export function cidrNetmask(prefix: string): string {
  const network = parseNetwork(prefix);
  if (network.addressBits !== 32) throw argumentError("only IPv4 networks are supported");
  const hostBits = BigInt(32 - network.prefixLength);
  return formatIPv4(((1n << 32n) - 1n) ^ ((1n << hostBits) - 1n));
}

/** `cidrsubnet(prefix, newbits, netnum)`: the netnum-th subnet `newbits` longer than the prefix. */
export function cidrSubnet(prefix: string, newBits: number, netNumber: number): string {
  const network = parseNetwork(prefix);
  const extension = wholeNumber(newBits, "newbits");
  const number = wholeNumber(netNumber, "netnum");
  const length = network.prefixLength + Number(extension);
  if (extension < 0n || length > network.addressBits)
    throw argumentError(
      `insufficient address space to extend prefix of ${network.prefixLength} by ${newBits}`,
    );
  if (number < 0n || number >= 1n << extension)
    throw argumentError(
      `prefix extension of ${newBits} does not accommodate a subnet numbered ${netNumber}`,
    );
  const start = network.start | (number << BigInt(network.addressBits - length));
  return formatNetwork({ start, prefixLength: length, addressBits: network.addressBits });
}

/**
 * `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned to its own size after the
 * previous one, as Terraform allocates them; running out of the prefix's space is an error.
 */
export function cidrSubnets(prefix: string, extensions: number[]): string[] {
  const network = parseNetwork(prefix);
  const { addressBits } = network;
  const space = 1n << BigInt(addressBits);
  const alignDown = (address: bigint, length: number): bigint => {
    const hostBits = BigInt(addressBits - length);
    return (address >> hostBits) << hostBits;
  };
  if (extensions.length === 0) return [];
  const firstLength =
    network.prefixLength + Number(wholeNumber(extensions[0] as number, "newbits"));
  // The subnet just before the prefix, so that the first allocation starts at the prefix itself.
  let current: Network = {
    start: alignDown((network.start - 1n + space) % space, Math.min(firstLength, addressBits)),
    prefixLength: Math.min(firstLength, addressBits),
    addressBits,
  };
  const result: string[] = [];
  extensions.forEach((bits, i) => {
    const extension = Number(wholeNumber(bits, "newbits"));
    const where = `argument ${i + 2}`;
    if (extension < 1) throw argumentError(`${where} must extend prefix by at least one bit`);
    if (extension > 32) throw argumentError(`${where} may not extend prefix by more than 32 bits`);
    const length = network.prefixLength + extension;
    if (length > addressBits)
      throw argumentError(
        `${where} would extend prefix to ${length} bits, which is too long for an IPv${addressBits === 32 ? 4 : 6} address`,
      );
    const containing = alignDown(lastAddress(current), length);
    const after = containing + (1n << BigInt(addressBits - length));
    const next = alignDown(after, length);
    if (after >= space || next < network.start || next > lastAddress(network))
      throw argumentError(
        `${where}: not enough remaining address space for a subnet with a prefix of ${length} bits after ${formatNetwork(current)}`,
      );
    current = { start: next, prefixLength: length, addressBits };
    result.push(formatNetwork(current));
  });
  return result;
}

/**
 * CloudFormation's `Fn::Cidr [block, count, cidrBits]`: the first `count` subnets of `block` with
 * `cidrBits` host bits each (`/24` from 8 bits of an IPv4 block, `/64` from 64 of an IPv6 one);
 * null when the block cannot hold them or an argument is not usable (the caller leaves it unknown).
 */
export function cidrBlocks(block: string, count: number, cidrBits: number): string[] | null {
  try {
    const network = parseNetwork(block.trim());
    if (!Number.isInteger(count) || count < 1 || count > MAX_CFN_SUBNETS) return null;
    if (!Number.isInteger(cidrBits) || cidrBits < 0) return null;
    const newBits = network.addressBits - cidrBits - network.prefixLength;
    return Array.from({ length: count }, (_, index) => cidrSubnet(block.trim(), newBits, index));
  } catch (error) {
    if (error instanceof CidrError) return null;
    throw error;
  }
}

/** CloudFormation's limit on `Fn::Cidr`'s count. */
const MAX_CFN_SUBNETS = 256;
