import { describe, expect, it } from "vitest";
import { cidrBlocks } from "./cidr.js";

describe("Fn::Cidr", () => {
  it("allocates consecutive subnets from the network address", () => {
    expect(cidrBlocks("192.168.0.0/24", 6, 5)).toEqual([
      "192.168.0.0/27",
      "192.168.0.32/27",
      "192.168.0.64/27",
      "192.168.0.96/27",
      "192.168.0.128/27",
      "192.168.0.160/27",
    ]);
    expect(cidrBlocks("10.1.2.3/16", 2, 12)).toEqual(["10.1.0.0/20", "10.1.16.0/20"]);
    expect(cidrBlocks("255.255.255.0/24", 1, 0)).toEqual(["255.255.255.0/32"]);
  });

  it("allocates IPv6 subnets the same way, cidrBits the host bits of each", () => {
    expect(cidrBlocks("2001:db8:1234:1a00::/56", 3, 64)).toEqual([
      "2001:db8:1234:1a00::/64",
      "2001:db8:1234:1a01::/64",
      "2001:db8:1234:1a02::/64",
    ]);
  });

  it("returns null when the block cannot hold the subnets or is not a CIDR block", () => {
    expect(cidrBlocks("10.0.0.0/24", 3, 7)).toBeNull();
    expect(cidrBlocks("10.0.0.0/24", 1, 9)).toBeNull();
    expect(cidrBlocks("10.0.0.0/8", 257, 8)).toBeNull();
    expect(cidrBlocks("10.0.0.256/24", 1, 4)).toBeNull();
    expect(cidrBlocks("2001:db8::/56", 257, 64)).toBeNull();
    expect(cidrBlocks("2001:db8::/64", 2, 64)).toBeNull();
    expect(cidrBlocks("not a block", 1, 4)).toBeNull();
  });
});
