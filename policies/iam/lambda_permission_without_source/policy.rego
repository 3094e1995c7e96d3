# METADATA
# title: Lambda permission for an AWS service without a source
# description: >-
#   A Lambda permission grants an AWS service principal (`s3.amazonaws.com`,
#   `sns.amazonaws.com`, `events.amazonaws.com`, ...) without `source_arn` or `source_account`:
#   the service may then invoke the function on behalf of any account's resources (the confused
#   deputy problem); so may a source ARN pattern anyone's resources match (`arn:aws:s3:::*`,
#   `arn:aws:sns:eu-west-1:*:alerts`: Lambda compares it with ArnLike). Alexa permissions use an
#   event source token instead and are not reported.
#   In CloudFormation a principal an undecided `Fn::If` chooses is judged branch by branch, and a
#   source written only under such a condition narrows only the deployments where it holds.
#   Security Hub's Lambda.1 fails a function that Amazon S3 may invoke without an
#   `AWS:SourceAccount` condition, which this rule's `s3.amazonaws.com` findings are.
# custom:
#   id: TG-IAM-012
#   severity: medium
#   category: iam
#   remediation: Set source_arn (SourceArn) to the bucket, topic, rule or API that invokes the function, or at least source_account (SourceAccount).
#   controls: [AWS-FSBP-Lambda.1]
package tollgate.rules.iam.lambda_permission_without_source

import data.tollgate.lib.iam
import data.tollgate.lib.util
import rego.v1

keys := {
	"terraform": {"principal": "principal", "narrowing": ["source_account", "source_arn", "event_source_token", "principal_org_id"]},
	"cloudformation": {"principal": "Principal", "narrowing": ["SourceAccount", "SourceArn", "EventSourceToken", "PrincipalOrgID"]},
}

permission_types := {"aws_lambda_permission", "AWS::Lambda::Permission"}

# A principal an undecided CloudFormation `Fn::If` chooses is judged branch by branch, and a
# source written only under such a condition narrows only where it holds.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in permission_types
	names := keys[r.source]
	some possible in util.possible_values(r, [names.principal])
	principal := possible.value
	is_string(principal)
	endswith(principal, ".amazonaws.com")
	unnarrowed := util.none_set_when(r, [], iam.lambda_narrowing_keys(r, names.narrowing))
	finding := {
		"resource": r.address,
		"message": sprintf("The permission lets %s invoke the function for any account's resources: set a source ARN or source account.", [principal]),
		"evidence": sprintf("principal %s without source", [principal]),
		"path": [names.principal],
		"when": util.conjunction([possible.condition, unnarrowed]),
	}
}
