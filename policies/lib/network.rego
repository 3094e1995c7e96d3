# METADATA
# description: >-
#   Security group rules in one shape, wherever they are written: inline `ingress`/`egress`
#   blocks, `aws_security_group_rule`, `aws_vpc_security_group_*_rule`, and CloudFormation's
#   inline and standalone ingress/egress. One entry per CIDR, with its path and port range.
package tollgate.lib.network

import data.tollgate.lib.util
import rego.v1

public_cidrs := {"0.0.0.0/0", "::/0"}

is_public_cidr(cidr) if cidr in public_cidrs

protocol_names := {
	"-1": "all",
	"all": "all",
	"tcp": "tcp",
	"6": "tcp",
	"udp": "udp",
	"17": "udp",
	"icmp": "icmp",
	"1": "icmp",
	"icmpv6": "icmpv6",
	"58": "icmpv6",
}

protocol_name(protocol) := protocol_names[lower(protocol)] if is_string(protocol)

protocol_name(protocol) := protocol_names[format_int(protocol, 10)] if is_number(protocol)

# `[from, to]`: every port for protocol `all`, the written range for TCP and UDP.
port_range(protocol, _, _) := [0, 65535] if protocol == "all"

port_range(protocol, from, to) := [util.number(from), util.number(to)] if protocol in {"tcp", "udp"}

# `tcp/22`, `tcp/8000-8080`, `all`.
port_label(e) := "all" if e.protocol == "all"

port_label(e) := sprintf("%s/%d", [e.protocol, e.from]) if {
	e.protocol != "all"
	e.from == e.to
}

port_label(e) := sprintf("%s/%d-%d", [e.protocol, e.from, e.to]) if {
	e.protocol != "all"
	e.from != e.to
}

# The stable evidence of an entry: `tcp/22 from 0.0.0.0/0`.
evidence(e) := sprintf("%s from %s", [port_label(e), e.cidr])

# The entry opens `port` over TCP (or every protocol).
exposes_tcp_port(e, port) if {
	e.protocol in {"tcp", "all"}
	e.from <= port
	port <= e.to
}

# Every protocol, or every port of TCP or UDP.
is_all_traffic(e) if e.protocol == "all"

is_all_traffic(e) if {
	e.protocol in {"tcp", "udp"}
	e.from <= 0
	e.to >= 65535
}

make_entry(r, direction, rule_path, cidr, cidr_path, protocol, from, to) := {
	"address": r.address,
	"type": r.type,
	"direction": direction,
	"rule_path": rule_path,
	"cidr": cidr,
	"cidr_path": cidr_path,
	"protocol": name,
	"from": ports[0],
	"to": ports[1],
} if {
	name := protocol_name(protocol)
	ports := port_range(name, from, to)
}

terraform_cidr_keys := ["cidr_blocks", "ipv6_cidr_blocks"]

# Inline blocks of `aws_security_group` and `aws_default_security_group`.
rules contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_security_group", "aws_default_security_group"}
	some direction in ["ingress", "egress"]
	some i, block in r.config[direction]
	is_object(block)
	some key in terraform_cidr_keys
	some c in util.elements(block[key])
	is_string(c.value)
	cidr_path := array.concat([direction, i, key], c.path)
	e := make_entry(r, direction, [direction, i], c.value, cidr_path, block.protocol, object.get(block, "from_port", null), object.get(block, "to_port", null))
}

rules contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type == "aws_security_group_rule"
	direction := r.config.type
	direction in {"ingress", "egress"}
	some key in terraform_cidr_keys
	some c in util.elements(r.config[key])
	is_string(c.value)
	cidr_path := array.concat([key], c.path)
	e := make_entry(r, direction, [], c.value, cidr_path, r.config.protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

vpc_rule_directions := {
	"aws_vpc_security_group_ingress_rule": "ingress",
	"aws_vpc_security_group_egress_rule": "egress",
}

rules contains e if {
	some r in input.resources
	r.mode == "managed"
	direction := vpc_rule_directions[r.type]
	some key in ["cidr_ipv4", "cidr_ipv6"]
	cidr := r.config[key]
	is_string(cidr)
	e := make_entry(r, direction, [], cidr, [key], r.config.ip_protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

cloudformation_inline_keys := {"SecurityGroupIngress": "ingress", "SecurityGroupEgress": "egress"}

cloudformation_rule_types := {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}

rules contains e if {
	some r in input.resources
	r.source == "cloudformation"
	r.type == "AWS::EC2::SecurityGroup"
	some property, direction in cloudformation_inline_keys
	some b in util.blocks(r.config[property])
	block := b.value
	some key in ["CidrIp", "CidrIpv6"]
	cidr := block[key]
	is_string(cidr)
	rule_path := array.concat([property], b.path)
	e := make_entry(r, direction, rule_path, cidr, array.concat(rule_path, [key]), block.IpProtocol, object.get(block, "FromPort", null), object.get(block, "ToPort", null))
}

rules contains e if {
	some r in input.resources
	r.source == "cloudformation"
	direction := cloudformation_rule_types[r.type]
	some key in ["CidrIp", "CidrIpv6"]
	cidr := r.config[key]
	is_string(cidr)
	e := make_entry(r, direction, [], cidr, [key], r.config.IpProtocol, object.get(r.config, "FromPort", null), object.get(r.config, "ToPort", null))
}

# Ingress entries open to the internet.
public_ingress contains e if {
	some e in rules
	e.direction == "ingress"
	is_public_cidr(e.cidr)
}
