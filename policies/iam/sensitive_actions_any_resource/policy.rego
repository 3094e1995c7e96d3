# METADATA
# title: Sensitive actions allowed on every resource
# description: >-
#   An identity policy allows actions that read secrets and data, destroy resources or disable
#   audit trails (`secretsmanager:GetSecretValue`, `kms:Decrypt`, `s3:DeleteBucket`,
#   `cloudtrail:StopLogging`, ...) on `Resource: "*"`, so one leaked credential reaches every
#   such resource in the account. Patterns such as `s3:Delete*` count when they cover one of
#   these actions; service wildcards are reported by TG-IAM-001 and privilege escalation actions
#   by TG-IAM-006.
# custom:
#   id: TG-IAM-003
#   severity: high
#   category: iam
#   remediation: Scope the statement's `Resource` to the ARNs the workload uses.
package tollgate.rules.iam.sensitive_actions_any_resource

import data.tollgate.lib.iam
import rego.v1

sensitive_actions := {
	"s3:GetObject",
	"s3:PutObject",
	"s3:DeleteObject",
	"s3:DeleteBucket",
	"s3:PutBucketPolicy",
	"s3:DeleteBucketPolicy",
	"s3:PutBucketAcl",
	"s3:PutObjectAcl",
	"s3:PutBucketPublicAccessBlock",
	"kms:Decrypt",
	"kms:ScheduleKeyDeletion",
	"kms:DisableKey",
	"kms:PutKeyPolicy",
	"kms:CreateGrant",
	"secretsmanager:GetSecretValue",
	"secretsmanager:DeleteSecret",
	"ssm:GetParameter",
	"ssm:GetParameters",
	"ssm:GetParametersByPath",
	"ssm:SendCommand",
	"dynamodb:DeleteTable",
	"dynamodb:Scan",
	"rds:DeleteDBInstance",
	"rds:DeleteDBCluster",
	"ec2:TerminateInstances",
	"ec2:DeleteSnapshot",
	"ec2:ModifySnapshotAttribute",
	"ec2:AuthorizeSecurityGroupIngress",
	"lambda:UpdateFunctionCode",
	"logs:DeleteLogGroup",
	"cloudtrail:StopLogging",
	"cloudtrail:DeleteTrail",
	"cloudtrail:UpdateTrail",
	"config:StopConfigurationRecorder",
	"config:DeleteConfigurationRecorder",
	"guardduty:DeleteDetector",
	"ec2:DeleteFlowLogs",
	"organizations:LeaveOrganization",
}

catalog := iam.actions_by_service(sensitive_actions)

deny contains finding if {
	some st in iam.identity_statements
	iam.is_allow(st.statement)
	some resource in iam.values(st.statement, "Resource")
	resource.value == "*"
	some action in iam.values(st.statement, "Action")
	not iam.is_wildcard_action(action.value)
	covered := sort(iam.matching_actions(action.value, catalog))
	count(covered) > 0
	finding := {
		"resource": st.address,
		"when": st.when,
		"message": sprintf("The policy allows '%s' (%s) on every resource: scope Resource to the ARNs the workload uses.", [action.value, concat(", ", covered)]),
		"evidence": sprintf("%s on *", [action.value]),
		"path": iam.path(st, action.path),
	}
}
