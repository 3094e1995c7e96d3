// `Fn::Cidr` for IPv4 blocks: the first `count` subnets with `hostBits` host bits each, the
// way CloudFormation allocates them. IPv6 blocks return null (the caller leaves them unknown):
// printing them as CloudFormation does needs RFC 5952 compression, not worth it for a scanner.

const MAX_SUBNETS = 256;

export function cidrSubnets(block: string, count: number, hostBits: number): string[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(block.trim());
  if (match === null) return null;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return null;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SUBNETS) return null;
  if (!Number.isInteger(hostBits) || hostBits < 0 || 32 - hostBits < prefix) return null;
  if (count > 2 ** (32 - hostBits - prefix)) return null;
  const base = octets.reduce((address, octet) => address * 256 + octet, 0);
  const network = base - (base % 2 ** (32 - prefix));
  const subnets: string[] = [];
  for (let index = 0; index < count; index++) {
    const address = network + index * 2 ** hostBits;
    subnets.push(
      `${[24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".")}/${32 - hostBits}`,
    );
  }
  return subnets;
}
