# METADATA
# title: Unrestricted egress to the internet
# description: >-
#   A security group allows all outbound traffic (every protocol, or every TCP or UDP port) to
#   `0.0.0.0/0` or `::/0`. It is the AWS default and often accepted, but it lets a compromised
#   workload reach any host; reported at low severity as advice.
# custom:
#   id: TG-NET-007
#   severity: low
#   category: network
#   remediation: Allow outbound traffic only to the ports and destinations the workload needs (for example 443 to VPC endpoints or a proxy).
package tollgate.rules.network.unrestricted_egress

import data.tollgate.lib.network
import rego.v1

deny contains finding if {
	some e in network.rules
	e.direction == "egress"
	network.is_public_cidr(e.cidr)
	network.is_all_traffic(e)
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows all outbound traffic to %s: allow only the destinations the workload needs.", [e.cidr]),
			"evidence": sprintf("egress %s", [network.evidence(e)]),
			"path": e.cidr_path,
			"scope": network.scope(e),
			"when": object.get(e, "when", ""),
		},
		network.subject(e),
	)
}
