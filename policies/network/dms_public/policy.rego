# METADATA
# title: DMS replication instance publicly accessible
# description: >-
#   A DMS replication instance is reachable from the internet: `publicly_accessible = true` in
#   Terraform (whose provider defaults to false), or `PubliclyAccessible` true or absent in
#   CloudFormation, where the DMS API's default is a public instance. In CloudFormation, a value
#   an undecided `Fn::If` chooses is judged branch by branch, and one written only under such a
#   condition leaves the instance public where the condition does not hold.
# custom:
#   id: TG-NET-011
#   severity: critical
#   category: network
#   remediation: Set publicly_accessible / PubliclyAccessible to false and place the instance in private subnets.
#   controls: [AWS-FSBP-DMS.1]
package tollgate.rules.network.dms_public

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The DMS replication instance is publicly accessible: make it private."

deny contains finding if {
	some r in util.resources("aws_dms_replication_instance")
	util.is_true(r.config.publicly_accessible)
	finding := {"resource": r.address, "message": message, "evidence": "publicly_accessible = true", "path": ["publicly_accessible"]}
}

deny contains finding if {
	some r in util.resources("AWS::DMS::ReplicationInstance")
	some possible in util.possible_values(r, ["PubliclyAccessible"])
	util.is_true(possible.value)
	finding := {"resource": r.address, "message": message, "evidence": "PubliclyAccessible = true", "path": ["PubliclyAccessible"], "when": possible.condition}
}

deny contains finding if {
	some r in util.resources("AWS::DMS::ReplicationInstance")
	not util.is_absent(r.config, "PubliclyAccessible")
	not util.unconditional(r, ["PubliclyAccessible"])
	conditions := util.conditions_below(r.conditional, [], ["PubliclyAccessible"])
	finding := {
		"resource": r.address,
		"message": sprintf("The DMS replication instance sets PubliclyAccessible only when %s, and the DMS default is a public instance: set it to false in every deployment.", [concat(" and ", conditions)]),
		"evidence": "PubliclyAccessible unset",
		"path": [],
	}
}

deny contains finding if {
	some r in util.resources("AWS::DMS::ReplicationInstance")
	util.is_absent(r.config, "PubliclyAccessible")
	finding := {
		"resource": r.address,
		"message": "The DMS replication instance does not set PubliclyAccessible, which defaults to a public instance: set it to false.",
		"evidence": "PubliclyAccessible unset",
		"path": [],
	}
}

deny contains finding if {
	some type, attribute in {"aws_dms_replication_instance": "publicly_accessible", "AWS::DMS::ReplicationInstance": "PubliclyAccessible"}
	some r in util.resources(type)
	some finding in settings.cannot_tell_each(r, [attribute], "The DMS replication instance may be publicly accessible: make it private.")
}
