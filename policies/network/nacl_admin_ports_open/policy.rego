# METADATA
# title: Network ACL allows administration ports from the internet
# description: >-
#   A network ACL ingress entry allows SSH (22) or RDP (3389), or every protocol, from
#   `0.0.0.0/0` or `::/0`: inline `ingress` blocks of `aws_network_acl` and
#   `aws_default_network_acl`, `aws_network_acl_rule`, and CloudFormation
#   `AWS::EC2::NetworkAclEntry`. Entry order is not evaluated: a lower-numbered deny that
#   shadows the entry still leaves a misleading allow behind.
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

admin_ports := {22, 3389}

# `{address, path, cidr, cidr_path, protocol, from, to}` for every allowing ingress entry.
entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_network_acl", "aws_default_network_acl"}
	some i, block in r.config.ingress
	lower(block.action) == "allow"
	some key in ["cidr_block", "ipv6_cidr_block"]
	cidr := block[key]
	is_string(cidr)
	e := network.make_entry(r, "ingress", ["ingress", i], cidr, ["ingress", i, key], block.protocol, object.get(block, "from_port", null), object.get(block, "to_port", null))
}

entries contains e if {
	some r in util.resources("aws_network_acl_rule")
	not util.is_true(object.get(r.config, "egress", false))
	not util.is_unknown(object.get(r.config, "egress", false))
	lower(r.config.rule_action) == "allow"
	some key in ["cidr_block", "ipv6_cidr_block"]
	cidr := r.config[key]
	is_string(cidr)
	e := network.make_entry(r, "ingress", [], cidr, [key], r.config.protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

entries contains e if {
	some r in util.resources("AWS::EC2::NetworkAclEntry")
	not util.is_true(object.get(r.config, "Egress", false))
	not util.is_unknown(object.get(r.config, "Egress", false))
	lower(r.config.RuleAction) == "allow"
	some key in ["CidrBlock", "Ipv6CidrBlock"]
	cidr := r.config[key]
	is_string(cidr)
	port_range := object.get(r.config, "PortRange", {})
	e := network.make_entry(r, "ingress", [], cidr, [key], r.config.Protocol, object.get(port_range, "From", null), object.get(port_range, "To", null))
}

deny contains finding if {
	some e in entries
	network.is_public_cidr(e.cidr)
	ports := sort([p | some p in admin_ports; network.exposes_tcp_port(e, p)])
	count(ports) > 0
	finding := {
		"resource": e.address,
		"message": sprintf("The network ACL allows %s from %s, which includes administration port(s) %s: restrict the source.", [network.port_label(e), e.cidr, util.number_list(ports)]),
		"evidence": network.evidence(e),
		"path": e.cidr_path,
	}
}
