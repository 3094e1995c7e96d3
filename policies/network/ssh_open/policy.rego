# METADATA
# title: SSH open to the internet
# description: >-
#   A security group rule allows TCP port 22 from `0.0.0.0/0` or `::/0` (inline `ingress`
#   blocks, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`, CloudFormation
#   `SecurityGroupIngress` and `AWS::EC2::SecurityGroupIngress`, calls of the registry module
#   terraform-aws-modules/security-group/aws and its submodules). Rules open to all traffic are
#   reported once, by TG-NET-005. With `unknown_values: advisory`, a rule from the internet (or an
#   unknown source) whose range has one unknown bound while the known one leaves 22 possible
#   (`from_port = 22, to_port = var.to`) is reported as cannot tell; a range that may be every
#   port is TG-NET-005's.
# custom:
#   id: TG-NET-001
#   severity: high
#   category: network
#   remediation: Allow SSH only from known ranges (a VPN or bastion), or use SSM Session Manager and remove the rule.
#   controls: [CIS-AWS-5.2, CIS-AWS-5.3, AWS-FSBP-EC2.18, AWS-FSBP-EC2.19]
package tollgate.rules.network.ssh_open

import data.tollgate.lib.network
import rego.v1

deny contains finding if {
	some e in network.public_ingress
	not network.is_all_traffic(e)
	network.exposes_tcp_port(e, 22)
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows SSH (%s) from %s: restrict the source to known addresses.", [network.port_label(e), e.cidr]),
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
	network.exposes_tcp_port(e, 22)
	finding := network.cannot_tell(e, sprintf("The security group allows SSH (%s) from a source Tollgate cannot know: make sure it is not the internet.", [network.port_label(e)]))
}

deny contains finding if {
	some e in network.undecided_port_ingress
	not network.may_be_every_port(e)
	network.may_expose_tcp_port(e, 22)
	finding := network.cannot_tell_ports(e, sprintf("The security group allows a port range Tollgate cannot know (%s) from %s, which may include SSH (22): make sure it does not.", [network.undecided_port_label(e), network.source_text(e.cidr)]))
}
