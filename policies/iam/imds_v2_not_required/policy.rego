# METADATA
# title: Instance metadata service v1 allowed
# description: >-
#   An instance or launch template does not require IMDSv2 session tokens: `metadata_options`
#   absent or `http_tokens` not `required` (`aws_instance`, `aws_launch_template`), or
#   CloudFormation `LaunchTemplateData.MetadataOptions.HttpTokens` absent or `optional`. With
#   IMDSv1, a server-side request forgery in the application can read the instance role's
#   credentials. Absent settings are reported because the API default is `optional` unless the
#   AMI or an account default says otherwise; an endpoint turned off (`http_endpoint =
#   "disabled"`) is not reported.
# custom:
#   id: TG-IAM-019
#   severity: medium
#   category: iam
#   remediation: Set metadata_options { http_tokens = "required" } (MetadataOptions.HttpTokens required), or set the account's default instance metadata options.
#   controls: [CIS-AWS-5.6, AWS-FSBP-EC2.8]
package tollgate.rules.iam.imds_v2_not_required

import data.tollgate.lib.util
import rego.v1

message := "Instances may use IMDSv1, whose credentials an SSRF can steal: require IMDSv2 tokens."

# `{resource, options, path, tokens, endpoint}` for each place metadata options are written.
targets contains t if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_instance", "aws_launch_template"}
	t := {"resource": r.address, "parent": r.config, "key": "metadata_options", "path": [], "tokens": "http_tokens", "endpoint": "http_endpoint", "list": true}
}

targets contains t if {
	some r in util.resources("AWS::EC2::LaunchTemplate")
	data_block := r.config.LaunchTemplateData
	is_object(data_block)
	t := {"resource": r.address, "parent": data_block, "key": "MetadataOptions", "path": ["LaunchTemplateData"], "tokens": "HttpTokens", "endpoint": "HttpEndpoint", "list": false}
}

deny contains finding if {
	some t in targets
	util.is_empty(t.parent, t.key)
	finding := {"resource": t.resource, "message": message, "evidence": "http_tokens not required", "path": t.path}
}

# The options blocks with their paths: a list of blocks in Terraform, one object in CloudFormation.
options(t) := util.blocks(t.parent[t.key])

deny contains finding if {
	some t in targets
	some o in options(t)
	not endpoint_disabled(o.value, t.endpoint)
	path := tokens_path(o.value, t.tokens)
	finding := {
		"resource": t.resource,
		"message": message,
		"evidence": "http_tokens not required",
		"path": array.concat(array.concat(array.concat(t.path, [t.key]), o.path), path),
	}
}

endpoint_disabled(options, key) if lower(options[key]) == "disabled"

tokens_path(options, key) := [] if util.is_absent(options, key)

tokens_path(options, key) := [key] if lower(options[key]) == "optional"
