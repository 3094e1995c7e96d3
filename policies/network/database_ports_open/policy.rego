# METADATA
# title: Database port open to the internet
# description: >-
#   A security group rule allows a database port over TCP from `0.0.0.0/0` or `::/0`: MySQL/Aurora 3306,
#   PostgreSQL 5432, SQL Server 1433/1434 (and its Browser service on UDP 1434), Oracle 1521/2483/2484, MongoDB 27017-27019, Cassandra
#   9042, Redshift 5439, Elasticsearch/OpenSearch 9200/9300, CouchDB 5984, Neo4j 7474/7687. Rules
#   open to all traffic are reported once, by TG-NET-005. With `unknown_values: advisory`, a rule
#   from the internet (or an unknown source) whose range has one unknown bound while the known one
#   leaves a database port possible is reported as cannot tell; a range that may be every port is
#   TG-NET-005's.
# custom:
#   id: TG-NET-003
#   severity: high
#   category: network
#   remediation: Allow the database port only from the application's security group or private CIDR ranges.
#   controls: [AWS-FSBP-EC2.18, AWS-FSBP-EC2.19]
package tollgate.rules.network.database_ports_open

import data.tollgate.lib.network
import data.tollgate.lib.util
import rego.v1

database_ports := {3306, 5432, 1433, 1434, 1521, 2483, 2484, 27017, 27018, 27019, 9042, 5439, 9200, 9300, 5984, 7474, 7687}

# The ports over the protocols their databases listen on: every one over TCP, and SQL Server's
# Browser service over UDP 1434 too (its TCP 1434 is the dedicated admin connection); the
# others listen on TCP only, so a UDP rule over their ports opens nothing of theirs.
database_services := array.concat([{"protocol": "tcp", "port": p} | some p in database_ports], [{"protocol": "udp", "port": 1434}])

deny contains finding if {
	some e in network.public_ingress
	not network.is_all_traffic(e)
	ports := network.exposed_service_ports(e, database_services)
	count(ports) > 0
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group exposes database port(s) %s to %s: allow only the application's security group or private ranges.", [util.number_list(ports), e.cidr]),
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
	ports := network.exposed_service_ports(e, database_services)
	count(ports) > 0
	finding := network.cannot_tell(e, sprintf("The security group exposes database port(s) %s to a source Tollgate cannot know: make sure it is not the internet.", [util.number_list(ports)]))
}

deny contains finding if {
	some e in network.undecided_port_ingress
	not network.may_be_every_port(e)
	ports := network.possible_service_ports(e, database_services)
	count(ports) > 0
	finding := network.cannot_tell_ports(e, sprintf("The security group allows a port range Tollgate cannot know (%s) from %s, which may include database port(s) %s: make sure it does not.", [network.undecided_port_label(e), network.source_text(e.cidr), util.number_list(ports)]))
}
