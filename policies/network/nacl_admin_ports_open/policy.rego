# METADATA
# title: Network ACL allows administration ports from the internet
# description: >-
#   A network ACL ingress entry allows SSH (TCP 22) or RDP (TCP or UDP 3389), or every protocol, from
#   `0.0.0.0/0` or `::/0`: inline `ingress` blocks of `aws_network_acl` and
#   `aws_default_network_acl`, `aws_network_acl_rule`, and CloudFormation
#   `AWS::EC2::NetworkAclEntry`. The entries of an ACL are evaluated in rule number order and the
#   first match decides, so an administration port that a deny entry of the same ACL with a lower
#   number closes for the entry's whole source range (a deny of its protocol or of every
#   protocol whose ports include it, from a range containing the entry's: a TCP deny leaves
#   RDP over UDP open) is not reported: nothing reaches it through
#   that allow. With `unknown_values: advisory`,
#   an allowing entry whose source Tollgate cannot know on these ports, or whose protocol or
#   port range it cannot know from the internet or an unknown source, is reported once as
#   cannot tell.
# custom:
#   id: TG-NET-008
#   severity: medium
#   category: network
#   remediation: Allow administration ports only from known ranges in network ACLs, and rely on security groups for finer control.
#   controls: [CIS-AWS-5.1, AWS-FSBP-EC2.21]
package tollgate.rules.network.nacl_admin_ports_open

import data.tollgate.lib.network
import data.tollgate.lib.util
import rego.v1

# SSH listens on TCP 22; Remote Desktop on 3389 over TCP and UDP.
admin_services := [{"protocol": "tcp", "port": 22}, {"protocol": "tcp", "port": 3389}, {"protocol": "udp", "port": 3389}]

# `{address, path, cidr, cidr_path, protocol, from, to, action, acl, rule_number}` for every
# ingress entry, with `unknown_ports` when its protocol or port range is unknown
# (`network.written_entry`). `acl` names the ACL the entry belongs to: the ACL's `id` reference
# as written (`aws_network_acl.public.id`, `!Ref PublicAcl`) or its id; `acl_address` is that
# ACL's address when the input declares it (`acl_of`).
written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_network_acl", "aws_default_network_acl"}
	some i, block in util.block_list(r.config.ingress)
	some key in ["cidr_block", "ipv6_cidr_block"]
	cidr := block[key]
	network.is_source(cidr)
	entry := network.written_entry(r, "ingress", ["ingress", i], cidr, ["ingress", i, key], block.protocol, object.get(block, "from_port", null), object.get(block, "to_port", null))
	place := {"action": lower(block.action), "acl": concat(".", [r.address, "id"]), "rule_number": object.get(block, "rule_no", null)}
	e := object.union_n([entry, network.repetition(r, ["ingress", i]), place, acl_of(r)])
}

written_entries contains e if {
	some r in util.resources("aws_network_acl_rule")
	not util.is_true(object.get(r.config, "egress", false))
	not util.is_unknown(object.get(r.config, "egress", false))
	some key in ["cidr_block", "ipv6_cidr_block"]
	cidr := r.config[key]
	network.is_source(cidr)
	entry := network.written_entry(r, "ingress", [], cidr, [key], r.config.protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
	place := {"action": lower(r.config.rule_action), "acl": util.label(r.config.network_acl_id), "rule_number": object.get(r.config, "rule_number", null)}
	e := object.union_n([entry, place, acl_of(r)])
}

written_entries contains e if {
	some r in util.resources("AWS::EC2::NetworkAclEntry")
	not util.is_true(object.get(r.config, "Egress", false))
	not util.is_unknown(object.get(r.config, "Egress", false))
	some key in ["CidrBlock", "Ipv6CidrBlock"]
	cidr := r.config[key]
	network.is_source(cidr)
	not chosen_between_alternatives(r, key)
	port_range := object.get(r.config, "PortRange", {})
	entry := network.written_entry(r, "ingress", [], cidr, [key], r.config.Protocol, range_bound(port_range, "From"), range_bound(port_range, "To"))
	place := {"action": lower(r.config.RuleAction), "acl": util.label(r.config.NetworkAclId), "rule_number": object.get(r.config, "RuleNumber", null)}
	e := object.union_n([entry, place, acl_of(r)])
}

# The ACL an entry's rule belongs to, as `{"acl_address": address}`: the ACL itself for its inline
# entries, the ACL `network_acl_id` or `NetworkAclId` names when the input declares it
# (`network.terraform_target`, `network.cloudformation_target`); `{}` otherwise.
acl_of(r) := {"acl_address": address} if address := acl_address(r)

acl_of(r) := {} if not acl_address(r)

terraform_acl_types := ["aws_default_network_acl", "aws_network_acl"]

acl_address(r) := r.address if r.type in {"aws_network_acl", "aws_default_network_acl"}

acl_address(r) := network.terraform_target(r, r.config.network_acl_id, terraform_acl_types, declared_acls) if {
	r.type == "aws_network_acl_rule"
}

acl_address(r) := network.cloudformation_target(r, r.config.NetworkAclId, declared_acls) if {
	r.type == "AWS::EC2::NetworkAclEntry"
}

declared_acls contains [object.get(a, "root", ""), a.address] if {
	some a in input.resources
	a.mode == "managed"
	a.type in {"aws_network_acl", "aws_default_network_acl", "AWS::EC2::NetworkAcl"}
}

# A finding's `subject`: the ACL its entry opens, so moving inline entries into
# `aws_network_acl_rule` resources (or back) changes no finding.
subject(e) := {"subject": e.acl_address} if e.acl_address

subject(e) := {} if not e.acl_address

entries contains e if {
	some e in written_entries
	e.action == "allow"
}

# Deny entries with known protocol, ports, source and rule number: they may close what a later
# allowing entry of the same ACL opens.
deny_entries contains e if {
	some e in written_entries
	e.action == "deny"
	not e.unknown_ports
	is_string(e.cidr)
	util.number(e.rule_number)
}

# A deny entry of the entry's ACL with a lower rule number closes `service` (its port over its
# protocol) for the entry's whole source range, so the first match for that traffic is the deny. Only a deny that exists wherever
# the entry does: not one a CloudFormation condition of its own or a dynamic block over a
# collection Tollgate cannot know may leave out.
closed_before(e, service) if {
	some d in deny_entries
	d.acl == e.acl
	not d.for_each
	some deny_resource in input.resources
	deny_resource.address == d.address
	some allow_resource in input.resources
	allow_resource.address == e.address
	util.exists_with(deny_resource, allow_resource)
	util.number(d.rule_number) < util.number(e.rule_number)
	network.exposes_port(d, service.protocol, service.port)
	is_string(e.cidr)
	net.cidr_contains(d.cidr, e.cidr)
}

# An undecided Fn::If chooses the source, protocol or a port between values the template gives
# (`CidrBlock: !If [C, 0.0.0.0/0, 10.0.0.0/8]`): no value Tollgate cannot know, so no cannot-tell
# finding; the entry is left out as it was before such findings.
chosen_between_alternatives(r, key) if {
	some path in [[key], ["Protocol"], ["PortRange"], ["PortRange", "From"], ["PortRange", "To"]]
	r.alternatives[util.pointer(path)]
}

# A bound of `PortRange`: the whole range when it is unknown (`PortRange: !Ref Range`).
range_bound(port_range, key) := object.get(port_range, key, null) if not util.is_unknown(port_range)

range_bound(port_range, _) := port_range if util.is_unknown(port_range)

# The administration ports an entry with known ports opens.
opened_admin_ports(e) := sort({s.port | some s in admin_services; network.exposes_port(e, s.protocol, s.port); not closed_before(e, s)}) if not e.unknown_ports

deny contains finding if {
	some e in entries
	network.is_public_cidr(e.cidr)
	ports := opened_admin_ports(e)
	count(ports) > 0
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The network ACL allows %s from %s, which includes administration port(s) %s: restrict the source.", [network.port_label(e), e.cidr, util.number_list(ports)]),
			"evidence": network.evidence(e),
			"path": e.cidr_path,
			"scope": object.union(network.scope(e), {"ports": ports}),
		},
		subject(e),
	)
}

deny contains finding if {
	some e in entries
	network.author_chosen(e, e.cidr)
	ports := opened_admin_ports(e)
	count(ports) > 0
	finding := object.union(network.cannot_tell(e, sprintf("The network ACL allows %s, which includes administration port(s) %s, from a source Tollgate cannot know: make sure it is not the internet.", [network.port_label(e), util.number_list(ports)])), subject(e))
}

deny contains finding if {
	some e in entries
	e.unknown_ports
	network.may_be_public_entry(e)
	finding := object.union(network.cannot_tell_ports(e, sprintf("The network ACL allows ports Tollgate cannot know (%s) from %s: they may include SSH (22) or RDP (3389); make sure they are not administration ports.", [network.undecided_port_label(e), network.source_text(e.cidr)])), subject(e))
}
