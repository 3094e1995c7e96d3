# METADATA
# title: OpenSearch domain outside a VPC
# description: >-
#   An OpenSearch or Elasticsearch domain has no VPC configuration (`vpc_options` /
#   `VPCOptions`), so it gets a public endpoint reachable from the internet and only its access
#   policy protects it. Public access policies themselves are reported by TG-IAM-010. CloudFormation
#   `VPCOptions` written only under an undecided `Fn::If` condition leave the domain public where
#   the condition does not hold. With `unknown_values: advisory`, a domain whose only
#   `vpc_options` come from a `dynamic` block over a collection Tollgate cannot know is reported
#   as "cannot tell": it may have none.
# custom:
#   id: TG-NET-012
#   severity: medium
#   category: network
#   remediation: Create the domain in a VPC with vpc_options (VPCOptions) and reach it through private subnets.
#   controls: [AWS-FSBP-Opensearch.2, AWS-FSBP-ES.2]
package tollgate.rules.network.opensearch_public

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

vpc_keys := {
	"aws_opensearch_domain": "vpc_options",
	"aws_elasticsearch_domain": "vpc_options",
	"AWS::OpenSearchService::Domain": "VPCOptions",
	"AWS::Elasticsearch::Domain": "VPCOptions",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := vpc_keys[r.type]
	some unset in util.missing(r, [], key)
	finding := {
		"resource": r.address,
		"message": "The search domain has no VPC options, so its endpoint is public: create it in a VPC.",
		"evidence": sprintf("%s unset", [key]),
		"path": [],
		"when": unset.when,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := vpc_keys[r.type]
	finding := settings.cannot_tell(r.address, [key], util.unknown_presence(r, [], key), "The search domain's VPC options come from a collection Tollgate cannot know, so it may have none and a public endpoint: make sure it is created in a VPC.")
}
