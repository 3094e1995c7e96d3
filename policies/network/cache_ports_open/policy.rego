# METADATA
# title: Cache port open to the internet
# description: >-
#   A security group rule allows Redis/Valkey (TCP 6379) or Memcached (TCP or UDP 11211) from `0.0.0.0/0` or
#   `::/0`. These caches often run without authentication. Rules open to all traffic are reported
#   once, by TG-NET-005. With `unknown_values: advisory`, a rule from the internet (or an unknown
#   source) whose range has one unknown bound while the known one leaves a cache port possible is
#   reported as cannot tell; a range that may be every port is TG-NET-005's.
# custom:
#   id: TG-NET-004
#   severity: high
#   category: network
#   remediation: Allow the cache port only from the application's security group or private CIDR ranges.
#   controls: [AWS-FSBP-EC2.18]
package tollgate.rules.network.cache_ports_open

import data.tollgate.lib.network
import data.tollgate.lib.util
import rego.v1

cache_ports := {6379, 11211}

# Memcached also answers over UDP 11211 where it is turned on (`-U`), the port the 2018
# amplification attacks used; Redis and Valkey listen on TCP only.
cache_services := array.concat([{"protocol": "tcp", "port": p} | some p in cache_ports], [{"protocol": "udp", "port": 11211}])

deny contains finding if {
	some e in network.public_ingress
	not network.is_all_traffic(e)
	ports := network.exposed_service_ports(e, cache_services)
	count(ports) > 0
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group exposes cache port(s) %s to %s: allow only the application's security group or private ranges.", [util.number_list(ports), e.cidr]),
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
	ports := network.exposed_service_ports(e, cache_services)
	count(ports) > 0
	finding := network.cannot_tell(e, sprintf("The security group exposes cache port(s) %s to a source Tollgate cannot know: make sure it is not the internet.", [util.number_list(ports)]))
}

deny contains finding if {
	some e in network.undecided_port_ingress
	not network.may_be_every_port(e)
	ports := network.possible_service_ports(e, cache_services)
	count(ports) > 0
	finding := network.cannot_tell_ports(e, sprintf("The security group allows a port range Tollgate cannot know (%s) from %s, which may include cache port(s) %s: make sure it does not.", [network.undecided_port_label(e), network.source_text(e.cidr), util.number_list(ports)]))
}
