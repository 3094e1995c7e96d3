// OPA's net.cidr_contains and net.cidr_intersects, native so that a plain OPA SDK runs the
// library's network rules. Addresses parse as Go's net.ParseCIDR reads them (no leading zeros
// in IPv4 octets, no zones, `::` once, an IPv4 tail in IPv6) and are held as two u64 halves,
// IPv4 in the low 32 bits; an IPv4 network never contains or meets an IPv6 one.

import { opa_malloc, copyBytes } from "./memory";
import { STRING, typeOf, rt_boolean, strLen, strPtr } from "./value";
import { abortLocated, builtinErrorsAreStrict, typeError } from "./errors";

// The network parseNetwork last read: address halves (masked to the prefix), width, prefix.
let high: u64 = 0;
let low: u64 = 0;
let bits: i32 = 0;
let prefix: i32 = 0;

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Dotted IPv4 in [p, end) into low (as its 32 bits); false when Go's parser refuses it. */
function parseIPv4(p: usize, end: usize): bool {
  let value: u64 = 0;
  let octets = 0;
  let at = p;
  while (true) {
    const start = at;
    let octet = 0;
    while (at < end && load<u8>(at) >= 0x30 && load<u8>(at) <= 0x39) {
      octet = octet * 10 + (load<u8>(at) - 0x30);
      at++;
      if (octet > 255) return false;
    }
    const digits = <i32>(at - start);
    if (digits == 0 || (digits > 1 && load<u8>(start) == 0x30)) return false;
    value = (value << 8) | <u64>octet;
    octets++;
    if (at == end) break;
    if (load<u8>(at) != 0x2e || octets == 4) return false;
    at++;
  }
  if (octets != 4) return false;
  low = value;
  return true;
}

/** IPv6 text in [p, end) into high and low; false when Go's parser refuses it. */
function parseIPv6(p: usize, end: usize): bool {
  // Up to eight 16-bit groups; `gap` is the group index where `::` stood (-1 when none).
  const groups = opa_malloc(32);
  let count = 0;
  let gap = -1;
  let at = p;
  if (at + 1 < end && load<u8>(at) == 0x3a && load<u8>(at + 1) == 0x3a) {
    gap = 0;
    at += 2;
  }
  while (at < end) {
    if (count == 8) return false;
    const start = at;
    let group = 0;
    while (at < end && hexValue(load<u8>(at)) >= 0 && at - start < 4) {
      group = (group << 4) | hexValue(load<u8>(at));
      at++;
    }
    if (at < end && load<u8>(at) == 0x2e) {
      // A dotted IPv4 tail fills the last two groups.
      if (count > 6 || !parseIPv4(start, end)) return false;
      store<u32>(groups + (<usize>count << 2), <u32>(low >> 16));
      store<u32>(groups + (<usize>(count + 1) << 2), <u32>(low & 0xffff));
      count += 2;
      at = end;
      break;
    }
    if (at == start) return false;
    store<u32>(groups + (<usize>count << 2), <u32>group);
    count++;
    if (at == end) break;
    if (load<u8>(at) != 0x3a) return false;
    at++;
    if (at < end && load<u8>(at) == 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      at++;
    } else if (at == end) return false;
  }
  if (gap < 0 ? count != 8 : count > 7) return false;
  const missing = 8 - count;
  high = 0;
  low = 0;
  for (let i = 0; i < 8; i++) {
    let group: u64 = 0;
    if (gap < 0 || i < gap) group = <u64>load<u32>(groups + (<usize>i << 2));
    else if (i >= gap + missing) group = <u64>load<u32>(groups + (<usize>(i - missing) << 2));
    if (i < 4) high = (high << 16) | group;
    else low = (low << 16) | group;
  }
  return true;
}

/** Clears the bits past the first n of a width-bit address held in high/low. */
function keepBits(h: u64, l: u64, width: i32, n: i32): void {
  if (width == 32) {
    high = 0;
    low = n == 0 ? 0 : (l >> <u64>(32 - n)) << <u64>(32 - n);
    return;
  }
  // Wasm shifts count modulo 64: a shift by 64 keeps everything, so 64 and 128 are cases.
  if (n >= 64) {
    high = h;
    low = n == 64 ? 0 : n == 128 ? l : (l >> <u64>(128 - n)) << <u64>(128 - n);
  } else {
    high = n == 0 ? 0 : (h >> <u64>(64 - n)) << <u64>(64 - n);
    low = 0;
  }
}

/** Reads `address/prefix` (a bare address too when allowBare) into the globals; false if invalid. */
function parseNetwork(text: usize, allowBare: bool): bool {
  const p = strPtr(text);
  const end = p + <usize>strLen(text);
  let slash = p;
  while (slash < end && load<u8>(slash) != 0x2f) slash++;
  if (parseIPv4(p, slash)) {
    high = 0;
    bits = 32;
  } else if (parseIPv6(p, slash)) bits = 128;
  else return false;
  if (slash == end) {
    if (!allowBare) return false;
    prefix = bits;
    return true;
  }
  let n = 0;
  let digits = 0;
  for (let at = slash + 1; at < end; at++) {
    const c = load<u8>(at);
    if (c < 0x30 || c > 0x39 || digits == 3) return false;
    n = n * 10 + (c - 0x30);
    digits++;
  }
  if (digits == 0 || n > bits) return false;
  prefix = n;
  keepBits(high, low, bits, prefix);
  return true;
}

/** `name: invalid CIDR address: text`, an eval_builtin_error (undefined when not strict). */
function invalidCidr(name: string, text: usize): void {
  if (!builtinErrorsAreStrict()) return;
  const intro = ": invalid CIDR address: ";
  const n = name.length + intro.length + strLen(text);
  const buf = opa_malloc(<usize>n);
  let at: usize = 0;
  for (let i = 0; i < name.length; i++) store<u8>(buf + at++, <u8>name.charCodeAt(i));
  for (let i = 0; i < intro.length; i++) store<u8>(buf + at++, <u8>intro.charCodeAt(i));
  copyBytes(buf + at, strPtr(text), <usize>strLen(text));
  abortLocated("eval_builtin_error", buf, <usize>n);
}

function cidrOperands(name: string, a: usize, b: usize): bool {
  if (typeOf(a) != STRING) {
    typeError(name, 1, "string", a);
    return false;
  }
  if (typeOf(b) != STRING) {
    typeError(name, 2, "string", b);
    return false;
  }
  return true;
}

/** Whether network a contains b (a network or a bare address). */
export function b_net_cidr_contains(a: usize, b: usize): usize {
  const name = "net.cidr_contains";
  if (!cidrOperands(name, a, b)) return 0;
  if (!parseNetwork(a, false)) {
    invalidCidr(name, a);
    return 0;
  }
  const outerHigh = high;
  const outerLow = low;
  const outerBits = bits;
  const outerPrefix = prefix;
  if (!parseNetwork(b, true)) {
    invalidCidr(name, b);
    return 0;
  }
  if (bits != outerBits || prefix < outerPrefix) return rt_boolean(0);
  keepBits(high, low, bits, outerPrefix);
  return rt_boolean(<i32>(high == outerHigh && low == outerLow));
}

/** Whether networks a and b share an address. */
export function b_net_cidr_intersects(a: usize, b: usize): usize {
  const name = "net.cidr_intersects";
  if (!cidrOperands(name, a, b)) return 0;
  if (!parseNetwork(a, false)) {
    invalidCidr(name, a);
    return 0;
  }
  const firstHigh = high;
  const firstLow = low;
  const firstBits = bits;
  const firstPrefix = prefix;
  if (!parseNetwork(b, false)) {
    invalidCidr(name, b);
    return 0;
  }
  if (bits != firstBits) return rt_boolean(0);
  const shorter = min(prefix, firstPrefix);
  keepBits(high, low, bits, shorter);
  const secondHigh = high;
  const secondLow = low;
  keepBits(firstHigh, firstLow, bits, shorter);
  return rt_boolean(<i32>(high == secondHigh && low == secondLow));
}
