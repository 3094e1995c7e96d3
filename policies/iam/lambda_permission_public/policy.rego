# METADATA
# title: Lambda permission open to any principal
# description: >-
#   An `aws_lambda_permission` / `AWS::Lambda::Permission` grants invocation (or another action)
#   to principal `*` without a source account, source ARN or organization, so any AWS account
#   can invoke the function. A `*` narrowed only by a source ARN or account is reported at low
#   severity: the invoking service is known and belongs in the principal, so no other service
#   acting for that source can call the function; a source ARN pattern anyone's resources match
#   (`arn:aws:s3:::*`, an account of `*`) narrows nothing. In CloudFormation a principal an undecided
#   `Fn::If` chooses is judged branch by branch, and a source written only under such a condition
#   narrows only the deployments where it holds.
#   A Lambda layer version permission (`aws_lambda_layer_version_permission` /
#   `AWS::Lambda::LayerVersionPermission`) to principal `*` without an organization id lets every
#   AWS account use the layer and download its code: reported at high severity.
# custom:
#   id: TG-IAM-011
#   severity: critical
#   category: iam
#   remediation: Set principal to the service or account that invokes the function, with source_arn or source_account; for a layer version, name the accounts or set organization_id (OrganizationId).
#   controls: [AWS-FSBP-Lambda.1]
package tollgate.rules.iam.lambda_permission_public

import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

# Attribute names by source: principal, the attributes that narrow who may call, and among them
# the organization (which needs principal `*` to cover every account in it).
keys := {
	"terraform": {"principal": "principal", "narrowing": ["source_account", "source_arn", "principal_org_id"], "organization": "principal_org_id"},
	"cloudformation": {"principal": "Principal", "narrowing": ["SourceAccount", "SourceArn", "PrincipalOrgID"], "organization": "PrincipalOrgID"},
}

permission_types := {"aws_lambda_permission", "AWS::Lambda::Permission"}

# A principal an undecided CloudFormation `Fn::If` chooses is judged branch by branch, and a
# narrowing attribute written only under such a condition narrows only where it holds.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in permission_types
	names := keys[r.source]
	some possible in util.possible_values(r, [names.principal])
	possible.value == "*"
	unnarrowed := util.none_set_when(r, [], iam.lambda_narrowing_keys(r, names.narrowing))
	finding := {
		"resource": r.address,
		"message": "The Lambda permission lets any principal invoke the function: name the invoking service or account and set a source ARN or account.",
		"evidence": "principal *",
		"path": [names.principal],
		"when": util.conjunction([possible.condition, unnarrowed]),
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in permission_types
	names := keys[r.source]
	some possible in util.possible_values(r, [names.principal])
	possible.value == "*"
	some name in iam.lambda_narrowing_keys(r, names.narrowing)
	name != names.organization
	not util.is_empty(r.config, name)
	narrowing := util.conditions_below(object.get(r, "conditional", {}), [], [name])
	some no_organization in util.missing(r, [], names.organization)
	finding := {
		"resource": r.address,
		"message": "The Lambda permission names principal '*' and relies on its source ARN or account alone: name the service that invokes the function (s3.amazonaws.com, events.amazonaws.com, ...).",
		"evidence": "principal * with a source",
		"path": [names.principal],
		"severity": "low",
		"when": util.conjunction(array.concat(array.concat([possible.condition], narrowing), [no_organization.when])),
	}
}

layer_keys := {
	"terraform": {"principal": "principal", "organization": "organization_id"},
	"cloudformation": {"principal": "Principal", "organization": "OrganizationId"},
}

layer_permission_types := {"aws_lambda_layer_version_permission", "AWS::Lambda::LayerVersionPermission"}

# A layer version shared with `*` is shared with every AWS account unless an organization id
# limits it to the accounts of that organization.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in layer_permission_types
	names := layer_keys[r.source]
	some possible in util.possible_values(r, [names.principal])
	possible.value == "*"
	unnarrowed := util.none_set_when(r, [], [names.organization])
	finding := {
		"resource": r.address,
		"message": "The layer permission lets every AWS account use the layer version and download its code: name the accounts, or set an organization id.",
		"evidence": "layer principal *",
		"path": [names.principal],
		"severity": "high",
		"when": util.conjunction([possible.condition, unnarrowed]),
	}
}
