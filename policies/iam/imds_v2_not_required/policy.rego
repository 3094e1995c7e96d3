# METADATA
# title: Instance metadata service v1 allowed
# description: >-
#   An instance, launch template or launch configuration does not require IMDSv2 session tokens:
#   `metadata_options` absent or `http_tokens` not `required` (`aws_instance`,
#   `aws_launch_template`, `aws_launch_configuration`), or CloudFormation
#   `LaunchTemplateData.MetadataOptions.HttpTokens` absent or `optional`, or an
#   `AWS::EC2::Instance` or `AWS::AutoScaling::LaunchConfiguration` whose own
#   `MetadataOptions.HttpTokens` is absent or `optional` (an
#   instance without `MetadataOptions` that names a `LaunchTemplate` takes the template's options,
#   which are judged on the template, and is not reported; so is an `aws_instance` without
#   `metadata_options` that has a `launch_template` block: the template's options apply, judged on
#   the template when it is in the input and unknown when it is not). With
#   IMDSv1, a server-side request forgery in the application can read the instance role's
#   credentials. Absent settings are reported because the API default is `optional` unless the
#   AMI or an account default says otherwise; an endpoint turned off (`http_endpoint =
#   "disabled"`) is not reported. In CloudFormation, `optional` in one branch of an undecided
#   `Fn::If`, or options, `HttpTokens: required` or a disabled endpoint written only under such a
#   condition, are reported for the deployments that allow IMDSv1. With `unknown_values:
#   advisory`, Terraform `metadata_options` that only a `dynamic` block over a collection Tollgate
#   cannot know creates are reported as cannot tell.
# custom:
#   id: TG-IAM-019
#   severity: medium
#   category: iam
#   remediation: Set metadata_options { http_tokens = "required" } (CloudFormation MetadataOptions.HttpTokens required, on the AWS::EC2::Instance or launch configuration or in the launch template's LaunchTemplateData), or set the account's default instance metadata options.
#   controls: [CIS-AWS-5.6, AWS-FSBP-EC2.8, AWS-FSBP-EC2.170, AWS-FSBP-Autoscaling.3]
package tollgate.rules.iam.imds_v2_not_required

import data.tollgate.lib.imds
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "Instances may use IMDSv1, whose credentials an SSRF can steal: require IMDSv2 tokens."

# Terraform: `metadata_options` blocks.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in imds.terraform_types
	util.is_empty(r.config, "metadata_options")
	not takes_launch_template(r)
	finding := {"resource": r.address, "message": message, "evidence": "http_tokens not required", "path": []}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in imds.terraform_types
	some block in util.blocks(r.config.metadata_options)
	not imds.is_disabled(block.value.http_endpoint)
	path := tokens_path(block.value, "http_tokens")
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": "http_tokens not required",
		"path": array.concat(array.concat(["metadata_options"], block.path), path),
	}
}

# `metadata_options` that only a `dynamic` block over a collection Tollgate cannot know creates
# may be missing, leaving IMDSv1 allowed.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in imds.terraform_types
	not takes_launch_template(r)
	finding := settings.cannot_tell(r.address, ["metadata_options"], util.unknown_presence(r, [], "metadata_options"), "The instance's metadata_options come from a collection Tollgate cannot know, so there may be none and IMDSv1 stays allowed: make sure they require IMDSv2 tokens.")
}

# An instance launched from a template takes the template's metadata options unless it sets its
# own: the template (`aws_launch_template` in the input, or one Tollgate cannot see) decides.
takes_launch_template(r) if {
	r.type == "aws_instance"
	not util.is_empty(r.config, "launch_template")
}

tokens_path(options, key) := [] if util.is_absent(options, key)

tokens_path(options, key) := [key] if lower(options[key]) == "optional"

# CloudFormation: `LaunchTemplateData.MetadataOptions`, where an undecided `Fn::If` may choose a
# value (each is judged under its condition) or write a setting only under a condition (absent
# where it does not hold).
cloudformation_options := ["LaunchTemplateData", "MetadataOptions"]

deny contains finding if {
	some r in util.resources("AWS::EC2::LaunchTemplate")
	is_object(r.config.LaunchTemplateData)
	some unset in util.missing(r, ["LaunchTemplateData"], "MetadataOptions")
	finding := {"resource": r.address, "message": message, "evidence": "http_tokens not required", "path": ["LaunchTemplateData"], "when": unset.when}
}

deny contains finding if {
	some r in util.resources("AWS::EC2::LaunchTemplate")
	some optional in tokens_not_required(r, cloudformation_options)
	some enabled in imds.endpoint_enabled(r, cloudformation_options)
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": "http_tokens not required",
		"path": optional.path,
		"when": util.conjunction([optional.when, enabled]),
	}
}

# CloudFormation instances: their own `MetadataOptions`; without them, a `LaunchTemplate` the
# instance names decides, and the template is judged on its own resource (one outside the
# template is not known). Absent options and no template leave the API default, `optional`, unless
# the AMI or an account default says otherwise: reported, as for Terraform's `aws_instance`.
instance_options := ["MetadataOptions"]

# A launch configuration's `MetadataOptions` are its instances', as an instance's own are.
instance_types := ["AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"]

deny contains finding if {
	some type in instance_types
	some r in util.resources(type)
	util.is_absent(r.config, "LaunchTemplate")
	some unset in util.missing(r, [], "MetadataOptions")
	finding := {"resource": r.address, "message": message, "evidence": "http_tokens not required", "path": unset.path, "when": unset.when}
}

deny contains finding if {
	some type in instance_types
	some r in util.resources(type)
	some optional in tokens_not_required(r, instance_options)
	some enabled in imds.endpoint_enabled(r, instance_options)
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": "http_tokens not required",
		"path": optional.path,
		"when": util.conjunction([optional.when, enabled]),
	}
}

# `[{path, when}]`: HttpTokens absent or written only under conditions (at the options), or
# `optional` (at the key).
tokens_not_required(r, path) := array.concat(util.missing(r, path, "HttpTokens"), [{"path": key_path, "when": possible.condition} |
	key_path := array.concat(path, ["HttpTokens"])
	some possible in util.possible_values(r, key_path)
	is_string(possible.value)
	lower(possible.value) == "optional"
])
