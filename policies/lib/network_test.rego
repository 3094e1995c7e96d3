# Unit tests of which source ranges count as the internet: 0.0.0.0/0 and ::/0 however written, and
# network addresses wider than any one holder's block that hold public addresses.
package tollgate.lib.network_test

import data.tollgate.lib.network
import rego.v1

test_the_internet_however_written if {
	network.is_public_cidr("0.0.0.0/0")
	network.is_public_cidr("::/0")
	network.is_public_cidr("::0/0")
	network.is_public_cidr("0:0:0:0:0:0:0:0/0")
}

test_ranges_wider_than_one_holders_block if {
	network.is_public_cidr("0.0.0.0/1")
	network.is_public_cidr("128.0.0.0/1")
	network.is_public_cidr("4.0.0.0/6")
	network.is_public_cidr("2000::/3")
	network.is_public_cidr("::/1")
	network.is_public_cidr("2400::/6")
}

test_private_reserved_and_single_holder_ranges if {
	not network.is_public_cidr("10.0.0.0/8")
	not network.is_public_cidr("3.0.0.0/8")
	not network.is_public_cidr("224.0.0.0/3")
	not network.is_public_cidr("fc00::/7")
	not network.is_public_cidr("8000::/1")
	not network.is_public_cidr("2600::/12")
	not network.is_public_cidr("2001:db8::/32")
}

test_ranges_with_host_bits_or_malformed_are_not_networks if {
	not network.is_public_cidr("1.0.0.0/0")
	not network.is_public_cidr("4.0.0.0/5")
	not network.is_public_cidr("2001::/3")
	not network.is_public_cidr("0.0.0.0")
	not network.is_public_cidr("::g/0")
	not network.is_public_cidr({"$unknown": "var.cidr"})
}
