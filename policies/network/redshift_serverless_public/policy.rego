# METADATA
# title: Redshift Serverless workgroup publicly accessible
# description: >-
#   A Redshift Serverless workgroup (`aws_redshiftserverless_workgroup`,
#   `AWS::RedshiftServerless::Workgroup`) sets `publicly_accessible` / `PubliclyAccessible` to
#   true: its endpoint gets a public address, and only its security groups stand between the data
#   warehouse and the internet. Both default to false, so only an explicit true is reported
#   (provisioned clusters are TG-NET-010's). In CloudFormation, `!If [C, true, false]` on a
#   condition the template cannot decide is reported as public when C holds. With
#   `unknown_values: advisory`, a value Tollgate cannot know is reported as cannot tell.
# custom:
#   id: TG-NET-019
#   severity: high
#   category: network
#   remediation: Set publicly_accessible to false and reach the workgroup from inside the VPC (a VPC endpoint, application subnets or a VPN).
#   controls: [AWS-FSBP-RedshiftServerless.3]
package tollgate.rules.network.redshift_serverless_public

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_redshiftserverless_workgroup": "publicly_accessible",
	"AWS::RedshiftServerless::Workgroup": "PubliclyAccessible",
}

message := "The Redshift Serverless workgroup is publicly accessible: set it private and connect from inside the VPC."

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	util.is_true(possible.value)
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": sprintf("%s = true", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [attribute], "The Redshift Serverless workgroup may be publicly accessible: set it private and connect from inside the VPC.")
}
