# METADATA
# description: >-
#   Where instances get their instance metadata options, and whether the metadata endpoint is on:
#   what the IMDS rules share (tokens required, the response hop limit).
package tollgate.lib.imds

import data.tollgate.lib.util
import rego.v1

# Terraform resources with `metadata_options` blocks: instances, and what launches them.
terraform_types := {"aws_instance", "aws_launch_template", "aws_launch_configuration"}

# CloudFormation resources and the path of their metadata options: a launch template's are in
# its `LaunchTemplateData`, an instance's and a launch configuration's are its own.
cloudformation_options := {
	"AWS::EC2::LaunchTemplate": ["LaunchTemplateData", "MetadataOptions"],
	"AWS::EC2::Instance": ["MetadataOptions"],
	"AWS::AutoScaling::LaunchConfiguration": ["MetadataOptions"],
}

# A Terraform `http_endpoint` value that turns the endpoint off.
is_disabled(value) if lower(value) == "disabled"

# The conditions under which the metadata endpoint of the CloudFormation options at `path` is on:
# `HttpEndpoint` absent or written only under conditions, or any value but `disabled` ("" for
# every deployment).
endpoint_enabled(r, path) := {unset.when | some unset in util.missing(r, path, "HttpEndpoint")} | {possible.condition |
	some possible in util.possible_values(r, array.concat(path, ["HttpEndpoint"]))
	not is_disabled(possible.value)
}
