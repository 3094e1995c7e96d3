# METADATA
# description: >-
#   What a standalone policy, ACL or attachment resource is about: the bucket, key or queue a
#   resource policy governs (`aws_s3_bucket_policy` -> its bucket, `aws_kms_key_policy` -> its key),
#   the role, user or group an identity policy or attachment reaches (`aws_iam_role_policy` -> its
#   role, an `aws_iam_policy` attached to one role). Rules on policies report it as the finding's
#   `subject`, the address the inline form (`aws_s3_bucket`'s `policy`, `aws_iam_role`'s
#   `inline_policy`) is reported on, so moving a policy out of its resource leaves its findings
#   existing, while a grant reaching another principal is another finding.
package tollgate.lib.governs

import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

principal_types := {"aws_iam_role", "aws_iam_user", "aws_iam_group"}

cloudformation_principal_types := {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}

# Each standalone type: the arguments that name what it is about and the types that can be.
governing := {
	"aws_s3_bucket_policy": {"attributes": ["bucket"], "targets": {"aws_s3_bucket"}},
	"aws_s3_bucket_acl": {"attributes": ["bucket"], "targets": {"aws_s3_bucket"}},
	"aws_s3control_access_point_policy": {"attributes": ["access_point_arn"], "targets": {"aws_s3_access_point"}},
	"aws_sqs_queue_policy": {"attributes": ["queue_url"], "targets": {"aws_sqs_queue"}},
	"aws_sns_topic_policy": {"attributes": ["arn"], "targets": {"aws_sns_topic"}},
	"aws_kms_key_policy": {"attributes": ["key_id"], "targets": {"aws_kms_key"}},
	"aws_secretsmanager_secret_policy": {"attributes": ["secret_arn"], "targets": {"aws_secretsmanager_secret"}},
	"aws_ecr_repository_policy": {"attributes": ["repository"], "targets": {"aws_ecr_repository"}},
	"aws_opensearch_domain_policy": {"attributes": ["domain_name"], "targets": {"aws_opensearch_domain"}},
	"aws_elasticsearch_domain_policy": {"attributes": ["domain_name"], "targets": {"aws_elasticsearch_domain"}},
	"aws_efs_file_system_policy": {"attributes": ["file_system_id"], "targets": {"aws_efs_file_system"}},
	"AWS::S3::BucketPolicy": {"attributes": ["Bucket"], "targets": {"AWS::S3::Bucket"}},
	"AWS::SQS::QueuePolicy": {"attributes": ["Queues"], "targets": {"AWS::SQS::Queue"}},
	"AWS::SNS::TopicPolicy": {"attributes": ["Topics"], "targets": {"AWS::SNS::Topic"}},
	"AWS::SecretsManager::ResourcePolicy": {"attributes": ["SecretId"], "targets": {"AWS::SecretsManager::Secret"}},
	"aws_iam_role_policy": {"attributes": ["role"], "targets": {"aws_iam_role"}},
	"aws_iam_user_policy": {"attributes": ["user"], "targets": {"aws_iam_user"}},
	"aws_iam_group_policy": {"attributes": ["group"], "targets": {"aws_iam_group"}},
	"aws_iam_role_policy_attachment": {"attributes": ["role"], "targets": {"aws_iam_role"}},
	"aws_iam_user_policy_attachment": {"attributes": ["user"], "targets": {"aws_iam_user"}},
	"aws_iam_group_policy_attachment": {"attributes": ["group"], "targets": {"aws_iam_group"}},
	"aws_iam_role_policy_attachments_exclusive": {"attributes": ["role_name"], "targets": {"aws_iam_role"}},
	"aws_iam_policy_attachment": {"attributes": ["roles", "users", "groups"], "targets": principal_types},
	"aws_iam_policy": {"attributes": [], "targets": principal_types},
	"AWS::IAM::RolePolicy": {"attributes": ["RoleName"], "targets": {"AWS::IAM::Role"}},
	"AWS::IAM::UserPolicy": {"attributes": ["UserName"], "targets": {"AWS::IAM::User"}},
	"AWS::IAM::GroupPolicy": {"attributes": ["GroupName"], "targets": {"AWS::IAM::Group"}},
	"AWS::IAM::Policy": {"attributes": ["Roles", "Users", "Groups"], "targets": cloudformation_principal_types},
	"AWS::IAM::ManagedPolicy": {"attributes": ["Roles", "Users", "Groups"], "targets": cloudformation_principal_types},
}

# `subject(address)`: the address of the one resource the standalone resource `address` is about,
# else `address` itself (a finding whose subject is its resource has none).
subject(address) := governed[address] if governed[address]

subject(address) := address if not governed[address]

# `governed[address]`: the one resource of its root that each of a standalone resource's arguments
# names, by a reference (`aws_s3_bucket.site.id`, `!Ref Queue`, each element of a list) or, for a
# bucket, by the name it has; for a managed policy, also the one principal every attachment of it
# reaches. None when they name several, or one of them names something Tollgate cannot join.
governed[address] := target if {
	some address, target in direct
}

governed[r.address] := target if {
	some r in input.resources
	r.mode == "managed"
	r.type in managed_policy_types
	target := joined(r, array.concat(own_elements(r), attachments(r)))
}

direct[r.address] := target if {
	some r in input.resources
	r.mode == "managed"
	governing[r.type]
	not r.type in managed_policy_types
	target := joined(r, own_elements(r))
}

managed_policy_types := {"aws_iam_policy", "AWS::IAM::ManagedPolicy"}

own_elements(r) := [element |
	some attribute in governing[r.type].attributes
	some element in values(object.get(r.config, attribute, null))
]

joined(r, named) := targets[0] if {
	count(named) > 0
	every element in named {
		count(element_targets(r, governing[r.type], element)) > 0
	}
	targets := [t | some t in {t | some element in named; some t in element_targets(r, governing[r.type], element)}]
	count(targets) == 1
}

values(value) := [] if value == null

values(value) := value if is_array(value)

values(value) := [value] if {
	value != null
	not is_array(value)
}

# The resources that attach the managed policy `policy` by naming it (`policy_arn =
# aws_iam_policy.p.arn`, a role's `managed_policy_arns`, `ManagedPolicyArns: [!Ref P]`), as
# `{"holder": address}` for the one principal each reaches, or `{"unjoined": address}`.
attachments(policy) := [attachment |
	some r in util.referring(policy)
	r.mode == "managed"
	some attachment in attachment_of(r, policy)
]

attachment_of(r, policy) := [{"holder": direct[r.address]}] if {
	r.type in attachment_arguments
	names_policy(r, policy)
	direct[r.address]
}

attachment_of(r, policy) := [{"unjoined": r.address}] if {
	r.type in attachment_arguments
	names_policy(r, policy)
	not direct[r.address]
}

attachment_of(r, policy) := [{"holder": r.address}] if {
	r.type in holder_lists
	names_policy(r, policy)
}

attachment_of(r, policy) := [] if not names_policy(r, policy)

# Where attachments and principals name the managed policies they attach.
attachment_arguments := {
	"aws_iam_role_policy_attachment": "policy_arn",
	"aws_iam_user_policy_attachment": "policy_arn",
	"aws_iam_group_policy_attachment": "policy_arn",
	"aws_iam_policy_attachment": "policy_arn",
	"aws_iam_role_policy_attachments_exclusive": "policy_arns",
}

holder_lists := {
	"aws_iam_role": "managed_policy_arns",
	"AWS::IAM::Role": "ManagedPolicyArns",
	"AWS::IAM::User": "ManagedPolicyArns",
	"AWS::IAM::Group": "ManagedPolicyArns",
}

names_policy(r, policy) if {
	argument := object.union(attachment_arguments, holder_lists)[r.type]
	some element in values(object.get(r.config, argument, null))
	util.is_unknown(element)
	names_reference(element["$unknown"], reference_name(policy))
}

reference_name(p) := concat(".", [p.type, p.name]) if p.source == "terraform"

reference_name(p) := p.name if p.source == "cloudformation"

# The addresses of what one element of an argument (or an attachment) names.
element_targets(_, _, element) := {element.holder} if is_string(element.holder)

element_targets(_, _, element) := set() if is_string(element.unjoined)

element_targets(r, spec, element) := {target.address |
	some ref in r.references
	names_reference(element["$unknown"], ref)
	some name in util.reference_names(object.get(r, "module", ""), ref)
	some i in target_positions[[object.get(r, "root", ""), r.source, name]]
	target := input.resources[i]
	target.type in spec.targets
} if util.is_unknown(element)

# A reference the loader resolved to the name it gives (`role = aws_iam_role.ci.name` is "ci"):
# the referenced resource of that name.
element_targets(r, spec, element) := {target.address |
	some ref in r.references
	some name in util.reference_names(object.get(r, "module", ""), ref)
	some i in target_positions[[object.get(r, "root", ""), r.source, name]]
	target := input.resources[i]
	target.type in spec.targets
	some key in name_keys
	target.config[key] == element
} | {target.address |
	some k in s3.bucket_name_positions[[r.source, element]]
	target := s3.bucket_targets[k]
	target.type in spec.targets
	object.get(target, "root", "") == object.get(r, "root", "")
} if is_string(element)

name_keys := ["name", "bucket", "domain_name", "RoleName", "UserName", "GroupName", "BucketName"]

# An expression names a reference: a token of it is the reference, or the reference followed by an
# attribute (`aws_s3_bucket.site.id`, CloudFormation `!GetAtt Queue.Arn`).
names_reference(expression, ref) if {
	some token in regex.split(`[^A-Za-z0-9_.-]+`, expression)
	token == ref
}

names_reference(expression, ref) if {
	some token in regex.split(`[^A-Za-z0-9_.-]+`, expression)
	startswith(token, concat("", [ref, "."]))
}

# `target_positions[[root, source, name]]`: the positions in `input.resources` of the managed
# resources a standalone resource may be about, by each name a reference may give them.
target_positions[[object.get(t, "root", ""), t.source, name]] contains i if {
	some i, t in input.resources
	t.mode == "managed"
	t.type in target_types
	some name in util.target_names(t)
}

target_types := {type | some spec in governing; some type in spec.targets}
