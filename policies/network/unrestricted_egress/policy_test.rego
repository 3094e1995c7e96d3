# What the fixtures cannot pin, as a group's two default rules share its line: which default
# egress rules a CloudFormation group without SecurityGroupEgress is reported for, and when. The
# ::/0 rule only where the template gives the VPC its `VpcId` names an IPv6 range.
package tollgate.rules.network.unrestricted_egress_test

import data.tollgate.rules.network.unrestricted_egress
import rego.v1

resource(address, type, config, references) := {
	"address": address,
	"type": type,
	"name": address,
	"mode": "managed",
	"source": "cloudformation",
	"module": "",
	"config": config,
	"references": references,
}

vpc := resource("Vpc", "AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16"}, [])

group := resource("Group", "AWS::EC2::SecurityGroup", {"GroupDescription": "app", "VpcId": {"$unknown": "!Ref Vpc"}}, ["Vpc"])

cidr_block(config) := resource("VpcCidr", "AWS::EC2::VPCCidrBlock", object.union({"VpcId": {"$unknown": "!Ref Vpc"}}, config), ["Vpc"])

subnet(config) := resource("Subnet", "AWS::EC2::Subnet", object.union({"VpcId": {"$unknown": "!Ref Vpc"}, "CidrBlock": "10.0.0.0/24"}, config), ["Vpc"])

defaults(resources) := {[f.evidence, f.when] | some f in unrestricted_egress.deny with input as {"resources": resources}}

ipv4 := ["egress all from 0.0.0.0/0", ""]

ipv6 := ["egress all from ::/0", ""]

test_an_amazon_provided_ipv6_block_adds_the_ipv6_default if {
	found := defaults([vpc, cidr_block({"AmazonProvidedIpv6CidrBlock": true}), group])
	found == {ipv4, ipv6}
}

test_a_subnet_with_ipv6_addresses_adds_the_ipv6_default if {
	found := defaults([vpc, subnet({"AssignIpv6AddressOnCreation": "true"}), group])
	found == {ipv4, ipv6}
	by_block := defaults([vpc, subnet({"Ipv6CidrBlock": {"$unknown": "!Select [0, !GetAtt Vpc.Ipv6CidrBlocks]"}}), group])
	by_block == {ipv4, ipv6}
}

test_a_vpc_without_an_ipv6_range_keeps_the_ipv4_default_only if {
	found := defaults([
		vpc,
		cidr_block({"CidrBlock": "10.1.0.0/16"}),
		subnet({"AssignIpv6AddressOnCreation": false}),
		group,
	])
	found == {ipv4}
	turned_off := defaults([vpc, cidr_block({"AmazonProvidedIpv6CidrBlock": false}), group])
	turned_off == {ipv4}
}

test_a_vpc_the_template_does_not_name_is_not_known_to_have_ipv6 if {
	elsewhere := object.union(group, {"config": {"VpcId": {"$unknown": "!Ref VpcIdParameter"}}, "references": []})
	found := defaults([vpc, cidr_block({"AmazonProvidedIpv6CidrBlock": true}), elsewhere])
	found == {ipv4}
}

test_an_ipv6_block_under_a_condition_adds_the_ipv6_default_only_there if {
	staged := object.union(cidr_block({"AmazonProvidedIpv6CidrBlock": true}), {"meta": {"Condition": "IsProd"}, "conditional": {"": "IsProd"}})
	found := defaults([vpc, staged, group])
	found == {ipv4, ["egress all from ::/0", "IsProd"]}
}

test_the_groups_own_condition_is_not_repeated if {
	staged := object.union(cidr_block({"AmazonProvidedIpv6CidrBlock": true}), {"meta": {"Condition": "IsProd"}, "conditional": {"": "IsProd"}})
	prod_group := object.union(group, {"meta": {"Condition": "IsProd"}, "conditional": {"": "IsProd"}})
	found := defaults([vpc, staged, prod_group])
	found == {ipv4, ipv6}
}
