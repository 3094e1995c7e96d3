# METADATA
# title: RDP open to the internet
# description: >-
#   A security group rule allows port 3389 (Remote Desktop) over TCP or UDP from `0.0.0.0/0` or
#   `::/0`, on any of the ways Terraform and CloudFormation write ingress: Remote Desktop listens
#   on both, UDP carrying its sessions' transport since RDP 8.0. Rules open to all traffic are reported
#   once, by TG-NET-005. With `unknown_values: advisory`, a rule from the internet (or an unknown
#   source) whose TCP or UDP range has one unknown bound while the known one leaves 3389 possible is reported
#   as cannot tell; a range that may be every port is TG-NET-005's.
# custom:
#   id: TG-NET-002
#   severity: high
#   category: network
#   remediation: Allow RDP only from known ranges (a VPN or bastion), or use Fleet Manager / Session Manager and remove the rule.
#   controls: [CIS-AWS-5.2, CIS-AWS-5.3, AWS-FSBP-EC2.18, AWS-FSBP-EC2.19]
package tollgate.rules.network.rdp_open

import data.tollgate.lib.network
import rego.v1

# Remote Desktop's port, over each protocol it listens on.
rdp := [{"protocol": "tcp", "port": 3389}, {"protocol": "udp", "port": 3389}]

deny contains finding if {
	some e in network.public_ingress
	not network.is_all_traffic(e)
	count(network.exposed_service_ports(e, rdp)) > 0
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows Remote Desktop (%s) from %s: restrict the source to known addresses.", [network.port_label(e), e.cidr]),
			"evidence": network.evidence(e),
			"path": e.cidr_path,
			"scope": network.scope(e),
			"when": object.get(e, "when", ""),
		},
		network.subject(e),
	)
}

deny contains finding if {
	some e in network.undecided_ingress
	not network.is_all_traffic(e)
	count(network.exposed_service_ports(e, rdp)) > 0
	finding := network.cannot_tell(e, sprintf("The security group allows Remote Desktop (%s) from a source Tollgate cannot know: make sure it is not the internet.", [network.port_label(e)]))
}

deny contains finding if {
	some e in network.undecided_port_ingress
	not network.may_be_every_port(e)
	count(network.possible_service_ports(e, rdp)) > 0
	finding := network.cannot_tell_ports(e, sprintf("The security group allows a port range Tollgate cannot know (%s) from %s, which may include Remote Desktop (3389): make sure it does not.", [network.undecided_port_label(e), network.source_text(e.cidr)]))
}
