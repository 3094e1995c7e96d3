# METADATA
# title: All traffic allowed from the internet
# description: >-
#   A security group ingress rule allows every protocol (`-1`/`all`, which ignores the port
#   range) or every TCP or UDP port (0-65535) from `0.0.0.0/0` or `::/0`. This one finding stands for
#   the SSH, RDP, database and cache exposures such a rule implies. With `unknown_values:
#   advisory`, it also reports, once, a rule from the internet (or from a source Tollgate cannot
#   know) whose protocol or port range Tollgate cannot know (`from_port = var.port`): it may open
#   every port, SSH and RDP among them, so the sensitive-port rules (TG-NET-001 to TG-NET-004)
#   leave it to this one rather than each report the same line. A range whose known bound rules
#   out every port (`from_port = 1024, to_port = var.to`) is theirs instead.
# custom:
#   id: TG-NET-005
#   severity: critical
#   category: network
#   remediation: Allow only the ports the service listens on, and only from the sources that need them.
#   controls: [CIS-AWS-5.2, CIS-AWS-5.3, AWS-FSBP-EC2.18, AWS-FSBP-EC2.19]
package tollgate.rules.network.all_traffic_open

import data.tollgate.lib.network
import rego.v1

deny contains finding if {
	some e in network.public_ingress
	network.is_all_traffic(e)
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows all traffic (%s) from %s: allow only the ports the service needs.", [network.port_label(e), e.cidr]),
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
	network.is_all_traffic(e)
	finding := network.cannot_tell(e, sprintf("The security group allows all traffic (%s) from a source Tollgate cannot know: make sure it is not the internet.", [network.port_label(e)]))
}

deny contains finding if {
	some e in network.undecided_port_ingress
	network.may_be_every_port(e)
	finding := network.cannot_tell_ports(e, sprintf("The security group allows ports Tollgate cannot know (%s) from %s: %s; make sure they are only the ports the service needs.", [network.undecided_port_label(e), network.source_text(e.cidr), possible_exposure(e.protocol)]))
}

possible_exposure(protocol) := "they may be every UDP port" if protocol == "udp"

possible_exposure(protocol) := "they may include SSH (22), RDP (3389), database and cache ports, or every port" if protocol != "udp"
