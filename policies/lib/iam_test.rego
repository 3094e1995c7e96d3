# Unit tests of which condition values narrow a statement to callers or sources of one owner:
# wildcard patterns any account can match narrow nothing, literal comparisons and patterns inside
# one account, organization or bucket do.
package tollgate.lib.iam_test

import data.tollgate.lib.iam
import rego.v1

narrows(operator, key, value) if iam.has_restricting_condition({"Condition": {operator: {key: value}}})

test_values_that_match_everyone_narrow_nothing if {
	not narrows("StringEquals", "aws:SourceAccount", "*")
	not narrows("IpAddress", "aws:SourceIp", "0.0.0.0/0")
	narrows("StringEquals", "aws:SourceAccount", "123456789012")
}

test_wildcards_anyone_may_match_narrow_nothing if {
	not narrows("StringLike", "aws:SourceAccount", "*9012")
	not narrows("StringLike", "sts:ExternalId", "?abc")
	not narrows("StringLike", "aws:PrincipalOrgID", "o-*")
	not narrows("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-*/r-ab12/*")
	not narrows("StringLike", "aws:SourceVpce", "vpce-*")
	not narrows("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/reader")
	not narrows("ArnEquals", "aws:SourceArn", "arn:aws:sns:*:*:events")
	not narrows("ArnLike", "aws:SourceArn", "arn:aws:s3:::*")
	not narrows("ArnLike", "aws:SourceArn", "arn:aws:s3:::*/uploads/*")
	not narrows("ArnLike", "aws:SourceArn", ["arn:aws:s3:::example-logs", "arn:aws:s3:::*"])
}

test_wildcards_within_one_owner_narrow if {
	narrows("StringLike", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/*")
	narrows("ArnLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/*")
	narrows("ArnLike", "aws:SourceArn", "arn:aws:sns:*:123456789012:events-*")
	narrows("ArnLike", "aws:SourceArn", "arn:aws:s3:::example-logs/*")
	narrows("StringLike", "aws:SourceVpce", "vpce-0a1b2c3d*")
}

test_a_literal_operator_reads_wildcards_as_text if {
	narrows("StringEquals", "aws:PrincipalOrgID", "o-*")
	narrows("StringEquals", "aws:SourceAccount", "*9012")
}

test_source_addresses_that_are_the_internet_narrow_nothing if {
	not narrows("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "128.0.0.0/1"])
	not narrows("IpAddress", "aws:SourceIp", "::0/0")
	narrows("IpAddress", "aws:SourceIp", "203.0.113.0/24")
}

test_any_resource_is_a_resource_of_star if {
	iam.any_resource({"Resource": "*"})
	iam.any_resource({"Resource": ["arn:aws:s3:::logs/*", "*"]})
	not iam.any_resource({"Resource": "arn:aws:iam::123456789012:role/*"})
	not iam.any_resource({"Resource": {"$unknown": "var.resources"}})
	not iam.any_resource({"NotResource": "*"})
}

reach(value) := r if {
	r := iam.every_resource_arn(value)
}

test_every_resource_arn_reads_wildcard_fields_and_resource_parts if {
	r1 := reach("arn:aws:s3:::*")
	r1 == {"service": "s3", "type": ""}
	r2 := reach("arn:aws:s3:::*/*")
	r2 == {"service": "s3", "type": "object"}
	r3 := reach("arn:aws-us-gov:dynamodb:*:*:table/*")
	r3 == {"service": "dynamodb", "type": "table"}
	r4 := reach("arn:aws:secretsmanager:*:*:secret:*")
	r4 == {"service": "secretsmanager", "type": "secret"}
	r5 := reach("arn:aws:elasticloadbalancing:*:*:targetgroup/*/*")
	r5 == {"service": "elasticloadbalancing", "type": "targetgroup"}
	r6 := reach("arn:aws:sqs:*:*:*")
	r6 == {"service": "sqs", "type": ""}
}

test_every_resource_arn_reads_templates_of_the_deployments_own_fields if {
	r1 := reach({"$unknown": "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"})
	r1 == {"service": "dynamodb", "type": "table"}
	r2 := reach({"$unknown": "!Sub arn:${AWS::Partition}:s3:::*/*"})
	r2 == {"service": "s3", "type": "object"}
	r3 := reach({"$unknown": `"arn:${local.partition}:kms:${data.aws_region.current.name}:${data.aws_caller_identity.current[0].account_id}:key/*"`})
	r3 == {"service": "kms", "type": "key"}
}

test_every_resource_arn_leaves_chosen_sets_out if {
	not reach("arn:aws:s3:::my-bucket/*")
	not reach("arn:aws:s3:::*-logs/*")
	not reach("arn:aws:s3:::*/uploads/*")
	not reach("arn:aws:dynamodb:eu-west-1:123456789012:table/*")
	not reach("arn:aws:dynamodb:*:*:table/orders/index/*")
	not reach("arn:aws:logs:*:*:log-group:/aws/lambda/*")
	not reach("arn:aws:kms:::key/*")
	not reach({"$unknown": "!Sub arn:${AWS::Partition}:s3:::${Bucket}/*"})
	not reach({"$unknown": `"arn:aws:dynamodb:${var.region}:${var.account}:table/*"`})
	not reach("*")
}

test_every_resource_arns_match_the_action_type if {
	statement := {"Resource": ["arn:aws:s3:::*/*", "arn:aws:dynamodb:*:*:table/*"]}
	objects := iam.every_resource_arns(statement, "s3", {"object"})
	objects == [{"value": "arn:aws:s3:::*/*", "path": ["Resource", 0]}]
	buckets := iam.every_resource_arns(statement, "s3", {"bucket"})
	buckets == []
	untyped := iam.every_resource_arns({"Resource": "arn:aws:ssm:*:*:*"}, "ssm", set())
	untyped == []
}

# A module's statement input renders as the AWS provider renders its statement blocks: principals
# and conditions grouped by type and by test and variable, `Effect` "Allow" when not given.
test_module_input_statement_renders_blocks if {
	spec := {"style": "map"}
	statement := iam.input_statement(
		{
			"actions": ["s3:GetObject"],
			"principals": [{"type": "AWS", "identifiers": ["a"]}, {"type": "AWS", "identifiers": ["b"]}],
			"condition": [
				{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111122223333"]},
				{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["444455556666"]},
				{"test": {"$unknown": "var.test"}, "variable": "aws:SourceVpce", "values": ["vpce-1"]},
			],
		},
		"Read",
		spec,
	)
	statement == {
		"Sid": "Read",
		"Effect": "Allow",
		"Action": ["s3:GetObject"],
		"Principal": {"AWS": ["a", "b"]},
		"Condition": {
			"StringEquals": {"aws:SourceAccount": ["111122223333", "444455556666"]},
			"{\"$unknown\":\"var.test\"}": {"aws:SourceVpce": ["vpce-1"]},
		},
	}
}

test_module_input_statement_keeps_unknowns if {
	statement := iam.input_statement({"effect": {"$unknown": "var.effect"}, "actions": {"$unknown": "var.actions"}, "conditions": {"$unknown": "var.conditions"}}, null, {"style": "list"})
	statement == {"Effect": {"$unknown": "var.effect"}, "Action": {"$unknown": "var.actions"}, "Condition": {"$unknown": "var.conditions"}}
}

# Evidence reads an ARN's partition as `aws` however it is written, and a template that fills in
# only the partition as the ARN it makes; a template that fills in more keeps its expression.
test_canonical_arn_reads_every_partition_as_aws if {
	arn := "arn:aws:iam::aws:policy/AdministratorAccess"
	iam.canonical_arn(arn) == arn
	iam.canonical_arn("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") == arn
	iam.canonical_arn("arn:aws-iso-b:iam::aws:policy/AdministratorAccess") == arn
	iam.canonical_arn({"$unknown": "!Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}) == arn
	iam.canonical_arn({"$unknown": "!Join [\"\", [arn:, !Ref AWS::Partition, \":iam::aws:policy/AdministratorAccess\"]]"}) == arn
	iam.canonical_arn({"$unknown": "\"arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess\""}) == arn
	iam.canonical_arn({"$unknown": "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}) == "!Sub arn:aws:iam::${AWS::AccountId}:root"
	iam.canonical_arn({"$unknown": "var.policy_arn"}) == "var.policy_arn"
	iam.canonical_arn("*") == "*"
}

test_principal_evidence_writes_everyone_and_accounts_one_way if {
	iam.principal_evidence({"type": "*", "value": "*"}) == "*"
	iam.principal_evidence({"type": "AWS", "value": "*"}) == "*"
	iam.principal_evidence({"type": "AWS", "value": "111122223333"}) == "AWS arn:aws:iam::111122223333:root"
	iam.principal_evidence({"type": "AWS", "value": "arn:aws-cn:iam::111122223333:root"}) == "AWS arn:aws:iam::111122223333:root"
	iam.principal_evidence({"type": "Service", "value": "lambda.amazonaws.com"}) == "Service lambda.amazonaws.com"
}

test_any_account_root_is_public_in_every_partition if {
	iam.is_public({"type": "AWS", "value": "arn:aws-us-gov:iam::*:root"})
	not iam.is_public({"type": "AWS", "value": "arn:aws-us-gov:iam::111122223333:root"})
}

test_actions_evidence_is_a_sorted_set_in_lower_case if {
	v := iam.actions_evidence({"Action": ["S3:GetObject", "iam:*", "s3:getobject"]}, "Action")
	v == "iam:*,s3:getobject"
	w := iam.actions_evidence({"Action": "S3:GetObject"}, "Action")
	w == "s3:getobject"
}

boundary_policy := {"address": "Boundary", "type": "AWS::IAM::ManagedPolicy", "name": "Boundary", "mode": "managed", "source": "cloudformation", "module": "", "config": {"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}, "references": []}

bounded_role(config) := {"address": "Role", "type": "AWS::IAM::Role", "name": "Role", "mode": "managed", "source": "cloudformation", "module": "", "config": config, "references": ["Boundary"]}

# Where a role names the policy: its boundary, the condition on the boundary of roles it creates,
# and a list of managed policies it attaches, which makes the policy a grant.
test_paths_naming_a_policy_and_which_are_boundaries if {
	role := bounded_role({
		"PermissionsBoundary": {"$unknown": "!Ref Boundary"},
		"ManagedPolicyArns": [{"$unknown": "!GetAtt Boundary.PolicyArn"}, {"$unknown": "!Ref BoundaryTwo"}],
		"Policies": [{"PolicyDocument": {"Statement": [{"Condition": {"StringEquals": {"iam:PermissionsBoundary": {"$unknown": "!Sub ${Boundary}"}}}}]}}],
	})
	paths := iam.paths_naming(role, boundary_policy)
	paths == {["PermissionsBoundary"], ["ManagedPolicyArns", 0], ["Policies", 0, "PolicyDocument", "Statement", 0, "Condition", "StringEquals", "iam:PermissionsBoundary"]}
	iam.boundary_place(role, ["PermissionsBoundary"])
	iam.boundary_place(role, ["Policies", 0, "PolicyDocument", "Statement", 0, "Condition", "StringEquals", "iam:PermissionsBoundary"])
	not iam.boundary_place(role, ["ManagedPolicyArns", 0])
}

test_a_policy_only_bounding_is_a_boundary if {
	role := bounded_role({"PermissionsBoundary": {"$unknown": "!Ref Boundary"}})
	iam.boundary_only(boundary_policy) with input as {"resources": [boundary_policy, role]}
	attached := bounded_role({"PermissionsBoundary": {"$unknown": "!Ref Boundary"}, "ManagedPolicyArns": [{"$unknown": "!Ref Boundary"}]})
	not iam.boundary_only(boundary_policy) with input as {"resources": [boundary_policy, attached]}
	not iam.boundary_only(boundary_policy) with input as {"resources": [boundary_policy]}
}

# A path may hold `&`, which json.marshal writes as \u0026: the mentions are counted as written.
test_a_literal_boundary_arn_with_an_escaped_character_is_a_boundary if {
	policy := {"address": "aws_iam_policy.b", "type": "aws_iam_policy", "name": "b", "mode": "managed", "source": "terraform", "module": "", "config": {"name": "dev", "path": "/r&d/", "policy": "{}"}, "references": []}
	role := {"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r", "mode": "managed", "source": "terraform", "module": "", "config": {"permissions_boundary": "arn:aws:iam::123456789012:policy/r&d/dev"}, "references": []}
	iam.boundary_only(policy) with input as {"resources": [policy, role]}
}

test_escalation_note_is_empty_for_an_action_named_exactly if {
	iam.escalation_note("IAM:passrole") == ""
}

test_escalation_note_names_up_to_three_actions if {
	iam.escalation_note("iam:Put*Policy") == " (which covers iam:PutGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy)"
}

test_escalation_note_counts_the_rest_of_a_service_wildcard if {
	iam.escalation_note("iam:*") == " (which covers iam:AddUserToGroup, iam:AttachGroupPolicy, iam:AttachRolePolicy and 16 more escalation actions)"
}

# `scope` as the diff reads it (src/diff/coverage.ts), for the first statement of a role policy.
role_policy_scope(statements) := s if {
	r := {"address": "aws_iam_role_policy.p", "type": "aws_iam_role_policy", "name": "p", "mode": "managed", "source": "terraform", "module": "", "config": {"policy": json.marshal({"Statement": statements})}, "references": []}
	some st in iam.statements with input as {"resources": [r]}
	st.index == 0
	s := iam.scope(st, "Action", ["s3:*"]) with input as {"resources": [r]}
}

test_scope_keeps_unknown_resources_by_expression if {
	arn := {"$unknown": "aws_s3_bucket.logs.arn"}
	s := role_policy_scope([{"Effect": "Allow", "Action": "s3:*", "Resource": [arn, "arn:aws:s3:::a"]}])
	s.resources == ["arn:aws:s3:::a"]
	s.unknownResources == ["aws_s3_bucket.logs.arn"]
	not s.denies
}

test_scope_of_a_not_resource_statement_lists_what_it_excludes if {
	s := role_policy_scope([{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secrets/*"}])
	s.resources == []
	s.notResources == ["arn:aws:s3:::secrets/*"]
}

test_scope_beside_a_deny_may_be_denied if {
	s := role_policy_scope([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}])
	s.denies == [json.marshal({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})]
}

# A CloudFormation role policy whose document `!If [IsProd, {...}, {...}]` chooses whole: one
# document per branch, each statement's scope beside the denies of its own branch only.
branch_scopes(prod, other) := {st.document_when: s |
	r := {
		"address": "AppPolicy", "type": "AWS::IAM::Policy", "name": "AppPolicy", "mode": "managed", "source": "cloudformation", "module": "",
		"config": {"PolicyName": "app", "PolicyDocument": {"$unknown": "!If [IsProd, {...}, {...}]"}}, "references": [],
		"alternatives": {"/PolicyDocument": [
			{"condition": "IsProd", "value": {"Statement": prod}},
			{"condition": "not IsProd", "value": {"Statement": other}},
		]},
	}
	some st in iam.statements with input as {"resources": [r]}
	st.statement.Effect == "Allow"
	s := iam.scope(st, "Action", ["s3:*"]) with input as {"resources": [r]}
}

test_scope_is_beside_the_denies_of_its_own_branch_only if {
	allow := {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
	deny := {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
	scopes := branch_scopes([allow, deny], [allow])
	scopes.IsProd.denies == [json.marshal(deny)]
	not scopes["not IsProd"].denies
}

test_scope_with_an_unknown_condition_is_null if {
	condition := {"StringEquals": {"aws:PrincipalOrgID": {"$unknown": "var.org"}}}
	role_policy_scope([{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition}]) == null
}

test_iam_patterns_have_star_and_question_mark_for_wildcards if {
	iam.wildcard_matches("arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/app/deployer")
	iam.wildcard_matches("iam:?ttach*", "iam:attachrolepolicy")
	iam.wildcard_matches("*", "arn:aws:s3:::logs/a.b")
	not iam.wildcard_matches("iam:pass?", "iam:passrole")
}

test_iam_patterns_read_brackets_braces_and_backslashes_as_text if {
	not iam.wildcard_matches("arn:aws:iam::*:{role,user}/*", "arn:aws:iam::123456789012:role/x")
	iam.wildcard_matches("arn:aws:iam::*:{role,user}/*", "arn:aws:iam::123456789012:{role,user}/x")
	not iam.wildcard_matches("iam:[p]*", "iam:passrole")
	iam.wildcard_matches("iam:[p]*", "iam:[p]assrole")
	not iam.wildcard_matches(`arn:aws:iam::*:\role/*`, "arn:aws:iam::123456789012:role/x")
	iam.wildcard_matches(`arn:aws:iam::*:\role/*`, `arn:aws:iam::123456789012:\role/x`)
	iam.wildcard_matches(`a\*`, `a\bc`)
}
