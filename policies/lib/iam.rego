# METADATA
# description: >-
#   Every IAM policy document in the input, whichever resource (or module call) carries it, as statements with
#   the key path of each statement and value: the one place rules learn where policies live.
package tollgate.lib.iam

import data.tollgate.lib.network
import data.tollgate.lib.registry
import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

# Terraform attributes holding a policy document as JSON text. `kind` says how the document is
# used: `identity` (attached to a principal, or to an IAM Identity Center permission set, which
# puts it on the role it provisions in each account it is assigned to), `trust` (who may assume a
# role) or `resource` (a resource policy, where `Principal` says who is granted access). A
# managed policy whose every known use is as a permissions boundary is `boundary` instead
# (`usage`): it grants nothing.
terraform_attributes := [
	{"type": "aws_iam_policy", "attribute": "policy", "kind": "identity"},
	{"type": "aws_iam_role_policy", "attribute": "policy", "kind": "identity"},
	{"type": "aws_iam_user_policy", "attribute": "policy", "kind": "identity"},
	{"type": "aws_iam_group_policy", "attribute": "policy", "kind": "identity"},
	{"type": "aws_ssoadmin_permission_set_inline_policy", "attribute": "inline_policy", "kind": "identity"},
	{"type": "aws_iam_role", "attribute": "assume_role_policy", "kind": "trust"},
	{"type": "aws_s3_bucket_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_s3_bucket", "attribute": "policy", "kind": "resource"},
	{"type": "aws_s3_access_point", "attribute": "policy", "kind": "resource"},
	{"type": "aws_s3control_access_point_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_glacier_vault", "attribute": "access_policy", "kind": "resource"},
	{"type": "aws_efs_file_system_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_sqs_queue_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_sqs_queue", "attribute": "policy", "kind": "resource"},
	{"type": "aws_sns_topic_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_sns_topic", "attribute": "policy", "kind": "resource"},
	{"type": "aws_kms_key", "attribute": "policy", "kind": "resource"},
	{"type": "aws_kms_key_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_secretsmanager_secret_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_secretsmanager_secret", "attribute": "policy", "kind": "resource"},
	{"type": "aws_ecr_repository_policy", "attribute": "policy", "kind": "resource"},
	{"type": "aws_opensearch_domain_policy", "attribute": "access_policies", "kind": "resource"},
	{"type": "aws_opensearch_domain", "attribute": "access_policies", "kind": "resource"},
	{"type": "aws_elasticsearch_domain_policy", "attribute": "access_policies", "kind": "resource"},
	{"type": "aws_elasticsearch_domain", "attribute": "access_policies", "kind": "resource"},
]

# CloudFormation properties holding a policy document (an object, or JSON text).
cloudformation_properties := [
	{"type": "AWS::IAM::Policy", "property": "PolicyDocument", "kind": "identity"},
	{"type": "AWS::IAM::ManagedPolicy", "property": "PolicyDocument", "kind": "identity"},
	{"type": "AWS::IAM::RolePolicy", "property": "PolicyDocument", "kind": "identity"},
	{"type": "AWS::IAM::UserPolicy", "property": "PolicyDocument", "kind": "identity"},
	{"type": "AWS::IAM::GroupPolicy", "property": "PolicyDocument", "kind": "identity"},
	{"type": "AWS::SSO::PermissionSet", "property": "InlinePolicy", "kind": "identity"},
	{"type": "AWS::IAM::Role", "property": "AssumeRolePolicyDocument", "kind": "trust"},
	{"type": "AWS::S3::BucketPolicy", "property": "PolicyDocument", "kind": "resource"},
	{"type": "AWS::S3::AccessPoint", "property": "Policy", "kind": "resource"},
	{"type": "AWS::SQS::QueuePolicy", "property": "PolicyDocument", "kind": "resource"},
	{"type": "AWS::SNS::TopicPolicy", "property": "PolicyDocument", "kind": "resource"},
	{"type": "AWS::KMS::Key", "property": "KeyPolicy", "kind": "resource"},
	{"type": "AWS::SecretsManager::ResourcePolicy", "property": "ResourcePolicy", "kind": "resource"},
	{"type": "AWS::ECR::Repository", "property": "RepositoryPolicyText", "kind": "resource"},
	{"type": "AWS::Glacier::Vault", "property": "AccessPolicy", "kind": "resource"},
	{"type": "AWS::EFS::FileSystem", "property": "FileSystemPolicy", "kind": "resource"},
	{"type": "AWS::OpenSearchService::Domain", "property": "AccessPolicies", "kind": "resource"},
	{"type": "AWS::Elasticsearch::Domain", "property": "AccessPolicies", "kind": "resource"},
]

# CloudFormation identities with inline `Policies: [{PolicyName, PolicyDocument}]`.
cloudformation_inline_policy_types := {"AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"}

# A document value decoded: an object as is, JSON text parsed. Undefined for unknowns and for
# text that is not a JSON object.
decode(value) := value if {
	is_object(value)
	not util.is_unknown(value)
}

decode(value) := doc if {
	is_string(value)
	doc := json.unmarshal(value)
	is_object(doc)
}

# Rule references are bound once at the top of each body, before any iteration: a compiler
# that does not memoize rules would otherwise evaluate them again on every iteration.
managed_documents contains document if {
	specs := terraform_attributes_by_type
	some r in input.resources
	r.mode == "managed"
	some spec in specs[r.type]
	value := r.config[spec.attribute]
	doc := decode(value)
	document := {"address": r.address, "type": r.type, "kind": usage(r, spec.kind), "doc": doc, "path": [spec.attribute], "conditional": object.get(r, "conditional", {}), "unknown_for_each": object.get(r, "unknownForEach", {})}
}

managed_documents contains document if {
	some r in input.resources
	r.mode == "managed"
	r.type == "aws_iam_role"
	some i, block in util.block_list(r.config.inline_policy)
	value := block.policy
	doc := decode(value)
	document := {"address": r.address, "type": r.type, "kind": "identity", "doc": doc, "path": ["inline_policy", i, "policy"], "conditional": object.get(r, "conditional", {}), "unknown_for_each": object.get(r, "unknownForEach", {})}
}

managed_documents contains document if {
	specs := cloudformation_properties_by_type
	some r in input.resources
	r.source == "cloudformation"
	some spec in specs[r.type]
	some possible in util.possible_values(r, [spec.property])
	doc := decode(possible.value)
	document := {"address": r.address, "type": r.type, "kind": usage(r, spec.kind), "doc": doc, "path": [spec.property], "conditional": object.get(r, "conditional", {}), "alternatives": object.get(r, "alternatives", {}), "when": possible.condition}
}

managed_documents contains document if {
	inline_types := cloudformation_inline_policy_types
	some r in input.resources
	r.source == "cloudformation"
	r.type in inline_types
	some i, _ in r.config.Policies
	some possible in util.possible_values(r, ["Policies", i, "PolicyDocument"])
	doc := decode(possible.value)
	document := {"address": r.address, "type": r.type, "kind": "identity", "doc": doc, "path": ["Policies", i, "PolicyDocument"], "conditional": object.get(r, "conditional", {}), "alternatives": object.get(r, "alternatives", {}), "when": possible.condition}
}

# AWS SAM functions and state machines: SAM creates their execution role from `Policies` (one
# item or a list: AWS managed policy names or ARNs, policy templates, which the loader rewrites
# into the statements SAM generates, and inline documents) unless `Role` names a role of the
# author's, and then ignores `Policies`.
sam_policy_types := {"AWS::Serverless::Function", "AWS::Serverless::StateMachine"}

# `[{value, path}]` of the items of a SAM resource's `Policies` that SAM uses.
sam_policy_items(r) := [{"value": policy, "path": ["Policies", i]} | some i, policy in r.config.Policies] if {
	util.is_absent(r.config, "Role")
	is_array(r.config.Policies)
}

sam_policy_items(r) := [{"value": r.config.Policies, "path": ["Policies"]}] if {
	util.is_absent(r.config, "Role")
	not is_array(r.config.Policies)
}

managed_documents contains document if {
	types := sam_policy_types
	some r in input.resources
	r.source == "cloudformation"
	r.type in types
	some item in sam_policy_items(r)
	doc := decode(item.value)
	doc.Statement
	document := {"address": r.address, "type": r.type, "kind": "identity", "doc": doc, "path": item.path, "conditional": object.get(r, "conditional", {}), "alternatives": object.get(r, "alternatives", {})}
}

# The trust policy of the execution role SAM creates for a function: `AssumeRolePolicyDocument`
# (also from `Globals.Function`, which the loader merges), unless `Role` names the author's own
# role, when SAM creates none. The state machine has no such property.
managed_documents contains document if {
	some r in input.resources
	r.source == "cloudformation"
	r.type == "AWS::Serverless::Function"
	util.is_absent(r.config, "Role")
	some possible in util.possible_values(r, ["AssumeRolePolicyDocument"])
	doc := decode(possible.value)
	document := {"address": r.address, "type": r.type, "kind": "trust", "doc": doc, "path": ["AssumeRolePolicyDocument"], "conditional": object.get(r, "conditional", {}), "alternatives": object.get(r, "alternatives", {}), "when": possible.condition}
}

# Permissions boundaries. A boundary grants nothing: IAM allows a role's or user's request only
# when both an identity policy and the boundary allow it, so an "Allow * on * except ..." boundary
# caps what the identity policies grant (AWS's delegated administration pattern). A managed policy
# whose every known use is as a boundary is read as `boundary`, not `identity`, so the rules that
# judge what a policy grants leave it alone; one also attached, or whose use is unknown (nothing in
# the input refers to it or names its ARN: it may be attached elsewhere), stays `identity`.
usage(r, "identity") := "boundary" if boundary_only(r)

usage(r, "identity") := "identity" if not boundary_only(r)

usage(_, kind) := kind if kind != "identity"

managed_policy_types := {"aws_iam_policy", "AWS::IAM::ManagedPolicy"}

# The properties of an `AWS::IAM::ManagedPolicy` that attach it to roles, users or groups.
self_attachment_properties := ["Roles", "Users", "Groups"]

# The properties that set a permissions boundary, by the type of what they bound: a role, a user,
# or the execution role AWS SAM creates for a function or state machine.
boundary_properties := {
	"aws_iam_role": "permissions_boundary",
	"aws_iam_user": "permissions_boundary",
	"AWS::IAM::Role": "PermissionsBoundary",
	"AWS::IAM::User": "PermissionsBoundary",
	"AWS::Serverless::Function": "PermissionsBoundary",
	"AWS::Serverless::StateMachine": "PermissionsBoundary",
}

# `p`, a managed policy attached by none of its own properties or a call of the IAM policy module
# (`boundary_candidate`), is referred to, every place anything refers to it is a use as a boundary
# (`boundary_place`) and one of them sets it as a role's or user's boundary. A resource that refers
# to it without naming it in a value Tollgate reads (`depends_on`, an expression it cannot follow)
# makes its use unknown.
boundary_only(p) if {
	boundary_candidate(p)
	users := util.referring(p)
	places := [{"user": r, "paths": paths_naming(r, p)} | some r in users]
	every place in places {
		count(place.paths) > 0
		every at in place.paths {
			boundary_place(place.user, at)
		}
	}
	some place in places
	some at in place.paths
	sets_boundary(place.user, at)
}

# What may be used as a boundary alone: a managed policy that none of its own properties attaches,
# and a call of terraform-aws-modules/iam/aws//modules/iam-policy, which creates an `aws_iam_policy`
# and attaches it nowhere; a role names it by the call's output (`module.boundary.arn`).
boundary_candidate(p) if {
	p.type in managed_policy_types
	p.mode == "managed"
	every key in self_attachment_properties {
		util.is_empty(p.config, key)
	}
}

boundary_candidate(p) if {
	registry.is_call(p, iam_module)
	registry.submodule(p.moduleSource) == "modules/iam-policy"
}

# `at` is `r`'s own boundary, or the boundary argument of an IAM module call (the role or user it
# creates), not only a condition on the boundary of roles created later.
sets_boundary(r, at) if at == [boundary_properties[r.type]]

sets_boundary(r, at) if {
	registry.is_call(r, iam_module)
	count(at) == 1
	at[0] in module_boundary_arguments
}

# A managed policy no resource refers to, named by the ARN its name gives it
# (`arn:aws:iam::123456789012:policy/developer-boundary`, written out or a template of the
# deployment's partition and account) as a boundary (`literal_boundary_places`) and nowhere else:
# no resource of its root mentions `:policy<path><name>` more often than those places do (a
# mention of a longer name counts too, so an unclear one keeps the policy `identity`).
boundary_only(p) if {
	p.type in managed_policy_types
	p.mode == "managed"
	every key in self_attachment_properties {
		util.is_empty(p.config, key)
	}
	count(util.referring(p)) == 0
	suffix := policy_arn_suffix(p)
	places := literal_boundary_places(p, suffix)
	count(places) > 0
	# The suffix as JSON writes it inside a string: json.marshal escapes `"`, `\`, `<`, `>`, `&`.
	written := trim_suffix(trim_prefix(json.marshal(suffix), `"`), `"`)
	mentions := [n |
		some r in input.resources
		object.get(r, "root", "") == object.get(p, "root", "")
		r.address != p.address
		n := strings.count(json.marshal(r.config), written)
	]
	sum(mentions) == count(places)
}

# `:policy<path><name>`, the end of the policy's ARN: Terraform `name` and `path`, CloudFormation
# `ManagedPolicyName` and `Path` (`/` when absent), when known.
policy_arn_suffix(p) := concat("", [":policy", object.get(p.config, "path", "/"), p.config.name]) if {
	p.type == "aws_iam_policy"
	is_string(p.config.name)
	is_string(object.get(p.config, "path", "/"))
}

policy_arn_suffix(p) := concat("", [":policy", object.get(p.config, "Path", "/"), p.config.ManagedPolicyName]) if {
	p.type == "AWS::IAM::ManagedPolicy"
	is_string(p.config.ManagedPolicyName)
	is_string(object.get(p.config, "Path", "/"))
}

# `[address, path]` of the boundary properties and IAM module boundary arguments of `p`'s root
# whose value is an IAM ARN ending in `suffix`.
literal_boundary_places(p, suffix) := [[r.address, key] |
	some r in input.resources
	object.get(r, "root", "") == object.get(p, "root", "")
	some key in boundary_keys(r)
	text := arn_pattern_text(r.config[key])
	contains(text, ":iam::")
	endswith(text, suffix)
]

boundary_keys(r) := [boundary_properties[r.type]] if r.mode == "managed"

boundary_keys(r) := [key | some key in module_boundary_arguments; key in object.keys(r.config)] if registry.is_call(r, iam_module)

# The arguments of terraform-aws-modules/iam/aws submodules that set the boundary of the role or
# user they create: 6.x `permissions_boundary`, 5.x `role_permissions_boundary_arn`
# (`iam-assumable-role`, `iam-role-for-service-accounts-eks`, ...), `permissions_boundary_arn`
# (`iam-github-oidc-role`) and `permissions_boundary` (`iam-user`).
module_boundary_arguments := {"permissions_boundary", "permissions_boundary_arn", "role_permissions_boundary_arn"}

# The value at `at` in `r`'s configuration uses the policy it names as a boundary: `r`'s own
# boundary property, or the value of an `iam:PermissionsBoundary` condition (a statement that lets
# its holder create or change roles only with that boundary), in a document
# (`.../Condition/<operator>/iam:PermissionsBoundary`) or in a Terraform `aws_iam_policy_document`'s
# `condition` block.
boundary_place(r, at) if {
	r.mode == "managed"
	at == [boundary_properties[r.type]]
}

boundary_place(r, at) if {
	registry.is_call(r, iam_module)
	count(at) == 1
	at[0] in module_boundary_arguments
}

boundary_place(_, at) if {
	some i, segment in at
	segment == "Condition"
	is_string(at[i + 2])
	lower(at[i + 2]) == "iam:permissionsboundary"
}

# (`.tf.json` may write one `condition` block as an object: `values` right after `condition`.)
boundary_place(r, at) if {
	r.type == "aws_iam_policy_document"
	some i, segment in at
	segment == "condition"
	some k in [1, 2]
	at[i + k] == "values"
	block := object.get(r.config, array.slice(at, 0, i + k), {})
	is_string(block.variable)
	lower(block.variable) == "iam:permissionsboundary"
}

# The paths in `r`'s configuration of the unknown values whose expression names `p` (a resource of
# `r`'s root: `aws_iam_policy.b.arn`, `!Ref B`, `!GetAtt B.PolicyArn`, `${B}`), inside a document
# written as JSON text too.
paths_naming(r, p) := {at |
	walk(r.config, [at, value])
	names(value, p)
} | {array.concat(at, inner) |
	walk(r.config, [at, text])
	is_string(text)
	startswith(trim_space(text), "{")
	doc := decode(text)
	walk(doc, [inner, value])
	names(value, p)
}

names(value, p) if {
	util.is_unknown(value)
	name := reference_name(p)
	some token in regex.split(`[^A-Za-z0-9_.-]+`, value["$unknown"])
	names_token(token, name)
}

# How an expression names `p`: a Terraform `type.name` (with an attribute, or an instance key, after
# it), a CloudFormation logical id (with an attribute after it in `!GetAtt` or `${Id.Attribute}`).
reference_name(p) := concat(".", [p.type, p.name]) if p.source == "terraform"

reference_name(p) := p.name if p.source == "cloudformation"

names_token(token, name) if token == name

names_token(token, name) if startswith(token, concat("", [name, "."]))

terraform_attributes_by_type := {type: specs |
	some spec in terraform_attributes
	type := spec.type
	specs := [s | some s in terraform_attributes; s.type == type]
}

cloudformation_properties_by_type := {type: specs |
	some spec in cloudformation_properties
	type := spec.type
	specs := [s | some s in cloudformation_properties; s.type == type]
}

policy_document_data := [r |
	some r in input.resources
	r.mode == "data"
	r.type == "aws_iam_policy_document"
]

# The bucket policy a call of terraform-aws-modules/s3-bucket/aws attaches from its `policy`
# argument: only with `attach_policy = true` (default false), else the module discards it. The
# document's `type` is that of the resource the module makes of it, `aws_s3_bucket_policy`, so
# rules on bucket policies judge it; its address is the call's. The module merges its own
# statements (`attach_deny_insecure_transport_policy`, log delivery...) into the same policy:
# rules that look for a statement the policy lacks ask lib/s3 about those switches.
module_documents contains document if {
	calls := s3.module_buckets
	some call in calls
	util.is_true(call.config.attach_policy)
	doc := decode(call.config.policy)
	document := {"address": call.address, "type": "aws_s3_bucket_policy", "kind": "resource", "doc": doc, "path": ["policy"], "unknown_for_each": object.get(call, "unknownForEach", {})}
}

# The policies calls of terraform-aws-modules/iam/aws create from JSON text they pass as
# `aws_iam_policy` documents, addressed to the call: rules on identity policies judge them, unless
# every known use of the policy a `//modules/iam-policy` call creates is as a boundary (`usage`).
iam_module := "terraform-aws-modules/iam/aws"

module_documents contains document if {
	some call in registry.calls(iam_module)
	some item in iam_module_policies(call)
	doc := decode(item.value)
	document := {"address": call.address, "type": "aws_iam_policy", "kind": usage(call, "identity"), "doc": doc, "path": item.path, "unknown_for_each": object.get(call, "unknownForEach", {})}
}

# `[{value, path}]` of the policies a call creates: `//modules/iam-policy` its `policy` unless
# `create` (6.x) or `create_policy` (5.x), both true by default, is false; 5.x
# `//modules/iam-group-with-policies` the `policy` of each of `custom_group_policies`
# (`[{name, policy}]`), created and attached to the group the call names whether or not it creates
# the group.
iam_module_policies(call) := [{"value": call.config.policy, "path": ["policy"]}] if {
	registry.submodule(call.moduleSource) == "modules/iam-policy"
	not util.is_false(object.get(call.config, "create", true))
	not util.is_false(object.get(call.config, "create_policy", true))
}

iam_module_policies(call) := [{"value": item.policy, "path": ["custom_group_policies", i, "policy"]} |
	some i, item in call.config.custom_group_policies
	is_object(item)
] if {
	registry.submodule(call.moduleSource) == "modules/iam-group-with-policies"
	is_array(call.config.custom_group_policies)
}

# The policies calls of terraform-aws-modules/iam/aws build from statement objects they pass,
# as the module's `aws_iam_policy_document` renders them: each statement is located on the
# call's argument (`statement_paths`), its `Action` on the input's `actions` (`input_keys`).
module_documents contains document if {
	some call in registry.calls(iam_module)
	some spec in iam_module_statement_inputs(call)
	statements := [s |
		some s in module_input_statements(call.config[spec.argument], spec)
		not overridable(call.config, spec, s.statement.Sid)
	]
	count(statements) > 0
	document := {
		"address": call.address, "type": spec.type, "kind": "identity",
		"doc": {"Version": "2012-10-17", "Statement": [s.statement | some s in statements]},
		"path": [spec.argument], "statement_paths": [s.path | some s in statements],
		"input_keys": module_input_keys(spec), "unknown_for_each": object.get(call, "unknownForEach", {}),
	}
}

# The statement inputs a call's module turns into a policy it creates, with the type of what it
# creates and how the input is written (`style`):
# - `map`, 6.x (`map(object({sid, actions, not_actions, effect = optional(string, "Allow"),
#   resources, not_resources, principals, not_principals, condition}))`, each statement's `sid`
#   `try(coalesce(sid, key))`): `//modules/iam-role`, `iam-user` and
#   `iam-role-for-service-accounts` put `inline_policy_permissions` in an inline policy only with
#   `create_inline_policy = true` (false by default); `//modules/iam-group` and
#   `iam-role-for-service-accounts` put `permissions` in an `aws_iam_policy` they attach unless
#   `create_policy` is false. All of them create nothing with `create = false`. Statements of the
#   input's `override` documents replace those with the same `sid`.
# - `list`, 5.x (`any`, read with `try(statement.value.x, null)`, conditions under `conditions`):
#   `//modules/iam-assumable-role` (`create_role` false by default) and
#   `//modules/iam-role-for-service-accounts-eks` (true by default) put `inline_policy_statements`
#   in an inline policy of the role.
iam_module_statement_inputs(call) := [spec |
	some spec in iam_module_statement_specs[registry.submodule(call.moduleSource)]
	not util.is_false(object.get(call.config, "create", true))
	creates(call.config, spec.create)
]

iam_module_statement_specs := {
	"modules/iam-role": [inline_permissions("aws_iam_role_policy")],
	"modules/iam-user": [inline_permissions("aws_iam_user_policy")],
	"modules/iam-role-for-service-accounts": [
		inline_permissions("aws_iam_role_policy"),
		{"argument": "permissions", "type": "aws_iam_policy", "style": "map", "create": {"name": "create_policy", "default": true}, "override": "override_policy_documents"},
	],
	"modules/iam-group": [{"argument": "permissions", "type": "aws_iam_policy", "style": "map", "create": {"name": "create_policy", "default": true}, "override": ""}],
	"modules/iam-assumable-role": [inline_statements(false)],
	"modules/iam-role-for-service-accounts-eks": [inline_statements(true)],
}

inline_permissions(type) := {"argument": "inline_policy_permissions", "type": type, "style": "map", "create": {"name": "create_inline_policy", "default": false}, "override": "override_inline_policy_documents"}

inline_statements(created) := {"argument": "inline_policy_statements", "type": "aws_iam_role_policy", "style": "list", "create": {"name": "create_role", "default": created}, "override": ""}

# A switch false by default creates only when it is true; one true by default unless it is false.
creates(config, switch) if {
	switch.default
	not util.is_false(object.get(config, switch.name, true))
}

creates(config, switch) if {
	not switch.default
	util.is_true(object.get(config, switch.name, false))
}

# `[{statement, path}]`: each statement object of a known input, with its path in the input.
module_input_statements(value, spec) := [{"statement": input_statement(item, sid, spec), "path": [key]} |
	some key, item in value
	is_object(item)
	not util.is_unknown(item)
	sid := statement_sid(item, key, spec.style)
] if {
	spec.style == "map"
	is_object(value)
	not util.is_unknown(value)
}

module_input_statements(value, spec) := [{"statement": input_statement(item, object.get(item, "sid", null), spec), "path": [i]} |
	some i, item in value
	is_object(item)
	not util.is_unknown(item)
] if {
	spec.style == "list"
	is_array(value)
}

# 6.x: the `sid` given, unless null or empty, else the map key.
statement_sid(item, _, _) := item.sid if {
	not object.get(item, "sid", null) in {null, ""}
}

statement_sid(item, key, _) := key if object.get(item, "sid", null) in {null, ""}

# The statement the AWS provider renders: only the keys given a value, `Effect` "Allow" unless
# given.
input_statement(item, sid, spec) := {name: value |
	some name, value in {
		"Sid": sid,
		"Effect": input_effect(object.get(item, "effect", null)),
		"Action": object.get(item, "actions", null),
		"NotAction": object.get(item, "not_actions", null),
		"Resource": object.get(item, "resources", null),
		"NotResource": object.get(item, "not_resources", null),
		"Principal": input_principals(object.get(item, "principals", null)),
		"NotPrincipal": input_principals(object.get(item, "not_principals", null)),
		"Condition": input_conditions(object.get(item, module_input_keys(spec).Condition, null)),
	}
	value != null
}

input_effect(effect) := "Allow" if effect == null

input_effect(effect) := effect if effect != null

# `principals` blocks (`[{type, identifiers}]`) as the document's `{type: [identifiers]}`.
input_principals(blocks) := null if blocks == null

input_principals(blocks) := blocks if util.is_unknown(blocks)

input_principals(blocks) := {type: identifiers |
	some block in blocks
	type := document_name(block.type)
	identifiers := [e.value |
		some other in blocks
		document_name(other.type) == type
		some e in util.elements(other.identifiers)
	]
} if {
	is_array(blocks)
}

# `condition` blocks (`[{test, variable, values}]`) as the document's `{test: {variable: values}}`;
# an unknown test or variable is named by its JSON text, as in a rendered data document.
input_conditions(blocks) := null if blocks == null

input_conditions(blocks) := blocks if util.is_unknown(blocks)

input_conditions(blocks) := {test: variables |
	some block in blocks
	test := document_name(block.test)
	variables := {variable: values |
		some other in blocks
		document_name(other.test) == test
		variable := document_name(other.variable)
		values := [e.value |
			some same in blocks
			document_name(same.test) == test
			document_name(same.variable) == variable
			some e in util.elements(same.values)
		]
	}
} if {
	is_array(blocks)
}

document_name(value) := value if is_string(value)

document_name(value) := json.marshal(value) if not is_string(value)

# The input's key for each statement key; the keys inside `Principal` and `Condition` are not
# the input's, so a path into them is located on the input's list.
module_input_keys(spec) := {
	"Sid": "sid", "Effect": "effect", "Action": "actions", "NotAction": "not_actions",
	"Resource": "resources", "NotResource": "not_resources", "Principal": "principals",
	"NotPrincipal": "not_principals", "Condition": condition_key[spec.style],
}

condition_key := {"map": "condition", "list": "conditions"}

input_block_keys := {"Principal", "NotPrincipal", "Condition"}

# A statement an override document may replace: one of them has a statement with its `sid`, or
# cannot be read (unknown, or not JSON), or the list itself is unknown.
overridable(config, spec, sid) if {
	spec.override != ""
	overrides := object.get(config, spec.override, [])
	util.is_unknown(overrides)
}

overridable(config, spec, sid) if {
	spec.override != ""
	some document in object.get(config, spec.override, [])
	not decode(document)
}

overridable(config, spec, sid) if {
	spec.override != ""
	some document in object.get(config, spec.override, [])
	some s in statement_entries(decode(document).Statement)
	s.statement.Sid in {sid, "*"}
}

overridable(config, spec, sid) if {
	spec.override != ""
	count(object.get(config, spec.override, [])) > 0
	not is_string(sid)
}

# The documents passed to the bucket module, attached or not, and to the IAM policy module,
# created or not.
module_arguments contains doc if {
	some call in registry.calls(s3.bucket_module)
	doc := decode(call.config.policy)
}

module_arguments contains doc if {
	some call in registry.calls(iam_module)
	registry.submodule(call.moduleSource) == "modules/iam-policy"
	doc := decode(call.config.policy)
}

# Addresses of the data documents some other resource uses with a readable document of its own
# (a managed resource, a bucket module call that attaches it, an IAM module call that creates a
# policy of it, or another data document that merges it), or whose exact document a managed
# resource carries (passed through a module input, where no reference links them), or that is
# passed to the bucket module (which discards it without `attach_policy`) or to the IAM policy
# module (which creates nothing with `create = false`): their statements are reported on that
# resource, or nowhere, so the data source stays silent.
used_data_documents := {d.address |
	addresses := carrier_addresses
	some d in policy_document_data
	some r in util.referring(d)
	document_reader(r, addresses)
} | {d.address |
	carried := {m.doc | some m in managed_documents} | module_arguments
	some d in policy_document_data
	decode(d.config.json) in carried
}

# Resources with a readable document: managed carriers and bucket module calls that attach one
# (any resource with one of `addresses`, `carrier_addresses`), and data documents that render.
document_reader(r, addresses) if r.address in addresses

document_reader(r, _) if {
	r.mode == "data"
	r.type == "aws_iam_policy_document"
	decode(r.config.json)
}

carrier_addresses := {m.address | some m in managed_documents} | {m.address | some m in module_documents}

documents contains document if some document in managed_documents

documents contains document if some document in module_documents

documents contains document if {
	used := used_data_documents
	some r in policy_document_data
	not r.address in used
	doc := decode(r.config.json)
	document := {"address": r.address, "type": r.type, "kind": "document", "doc": doc, "path": ["json"], "conditional": object.get(r, "conditional", {}), "unknown_for_each": object.get(r, "unknownForEach", {})}
}

# Every statement: the document's fields (`address`, `type`, `kind`, `doc`, `path`, and the
# carrier's `conditional` record, `{}` but for CloudFormation written under an undecided
# `Fn::If`) plus `statement`, `index` and `statement_path` (the path of the statement inside the
# document: `["Statement", 0]`, or `["Statement"]` for a lone object), and `when`: a statement
# key chosen by an undecided `Fn::If` (`Action: !If [C, "s3:*", "s3:GetObject"]`, the carrier's
# `alternatives`) gives one entry per branch, its `statement` holding that branch's value and
# `when` its condition (a rule returns it as the finding's `when`); `""` for the others. A
# CloudFormation document chosen whole by an undecided `Fn::If` (`PolicyDocument: !If [C, {...},
# {...}]`) or by a parameter's `AllowedValues` is one document per branch, whose `when` each of its
# statements' joins (a statement in no deployment, `C` and `not C`, is left out); the branch's own
# condition is kept as `document_when` (`""` for a document in every deployment of its carrier),
# so that a rule asking what else the same document holds (another statement that denies) looks
# in that branch only.
statements contains entry if {
	some document in documents
	some s in document_statements(document)
	some variant in statement_variants(object.get(document, "alternatives", {}), array.concat(document.path, s.statement_path), s.statement)
	document_when := object.get(document, "when", "")
	when := util.conjunction([document_when, variant.when])
	entry := object.union(object.union(document, s), object.union(variant, {"when": when, "document_when": document_when}))
}

statement_variants(alternatives, path, statement) := [{"statement": statement, "when": ""}] if {
	count(statement_alternatives(alternatives, path, statement)) == 0
}

statement_variants(alternatives, path, statement) := variants if {
	variants := statement_alternatives(alternatives, path, statement)
	count(variants) > 0
}

# A key of the statement (`Action`) or of one of its objects (`Principal/AWS`) under an undecided
# `Fn::If`: each branch substituted alone, so two such keys of one statement are not combined.
statement_alternatives(alternatives, path, statement) := [{"statement": variant, "when": alternative.condition} |
	prefix := concat("", [util.pointer(path), "/"])
	some pointer, branches in alternatives
	startswith(pointer, prefix)
	keys := split(substring(pointer, count(prefix), -1), "/")
	some alternative in branches
	variant := substituted(statement, keys, alternative.value)
]

substituted(statement, keys, value) := object.union(object.remove(statement, {keys[0]}), {keys[0]: value}) if count(keys) == 1

substituted(statement, keys, value) := object.union(object.remove(statement, {keys[0]}), {keys[0]: inner}) if {
	count(keys) == 2
	is_object(statement[keys[0]])
	inner := object.union(object.remove(statement[keys[0]], {keys[1]}), {keys[1]: value})
}

# A document built from a module's statement inputs gives each statement's path in the input.
document_statements(document) := statement_entries(document.doc.Statement) if not document.statement_paths

document_statements(document) := [{"statement": s, "index": i, "statement_path": document.statement_paths[i]} |
	some i, s in document.doc.Statement
] if document.statement_paths

statement_entries(statement) := [{"statement": s, "index": i, "statement_path": ["Statement", i]} |
	some i, s in statement
	is_object(s)
] if is_array(statement)

statement_entries(statement) := [{"statement": statement, "index": 0, "statement_path": ["Statement"]}] if is_object(statement)

# The config path of `suffix` (a path inside a statement, `["Action", 1]`). For JSON text the
# path goes on inside the string: the loaders locate pointers into `jsonencode`, heredoc and
# rendered data documents, and fall back to the attribute.
path(entry, suffix) := array.concat(array.concat(entry.path, entry.statement_path), suffix) if not entry.input_keys

path(entry, suffix) := array.concat(array.concat(entry.path, entry.statement_path), input_suffix(entry.input_keys, suffix)) if entry.input_keys

input_suffix(_, []) := []

input_suffix(keys, suffix) := [keys[suffix[0]]] if suffix[0] in input_block_keys

input_suffix(keys, suffix) := array.concat([keys[suffix[0]]], array.slice(suffix, 1, count(suffix))) if {
	keys[suffix[0]]
	not suffix[0] in input_block_keys
}

# The conditions under which `suffix` (a path inside the statement, `[]` for the statement
# itself) exists where its document does: a CloudFormation statement or part of one written
# under an `Fn::If` the template cannot decide, or the branch of one the entry is (`when`). `[]`
# when it is there in every deployment of the document.
conditions(entry, suffix) := array.concat(
	util.conditions_below(entry.conditional, entry.path, array.concat(entry.statement_path, suffix)),
	[entry.when | entry.when != ""],
)

is_allow(statement) if statement.Effect == "Allow"

is_deny(statement) if statement.Effect == "Deny"

# What a finding on `actions` of an allow statement grants, as data beside its evidence, for the
# diff (src/diff/coverage.ts): `{kind, effect, actions, resources, condition}`, with `notActions`
# in place of `actions` for key `NotAction`; `unknownResources`, the expressions of resources
# Tollgate cannot know (`aws_s3_bucket.logs.arn`), compared by their text only; `notResources`
# (and no resources) for a `NotResource`, all known text; and `denies`, the statements of the
# same resource that may deny, as JSON text (what it grants may then be less than the statement
# says: the diff lets such a scope cover only one whose resource holds them too). Null when its conditions are not all
# known text, or a CloudFormation condition or a `dynamic` block decides its resources or
# conditions, so that such a finding matches by its evidence only.
scope(st, key, actions) := object.union(
	{
		"kind": "iam",
		"effect": st.statement.Effect,
		"condition": object.get(st.statement, "Condition", {}),
	},
	object.union(object.union({scope_action_keys[key]: actions}, resource_scope(st)), deny_mark(st)),
) if known_grant(st)

scope(st, _, _) := null if not known_grant(st)

scope_action_keys := {"Action": "actions", "NotAction": "notActions"}

resource_scope(st) := object.union(
	{"resources": [e.value | some e in util.elements(st.statement.Resource); is_string(e.value)]},
	unknown_resources(st),
) if "Resource" in object.keys(st.statement)

resource_scope(st) := {
	"resources": [],
	"notResources": [e.value | some e in util.elements(st.statement.NotResource)],
} if not "Resource" in object.keys(st.statement)

unknown_resources(st) := {"unknownResources": expressions} if {
	expressions := [e.value["$unknown"] | some e in util.elements(st.statement.Resource); util.is_unknown(e.value)]
	count(expressions) > 0
} else := {}

deny_mark(st) := {"denies": sort([text | some text in beside_denials(st)])} if count(beside_denials(st)) > 0

deny_mark(st) := {} if count(beside_denials(st)) == 0

# The statements that may deny beside `st`, as JSON text: those of its address whose document is
# there in some deployment where `st`'s is. A document an undecided CloudFormation `Fn::If`
# chooses whole is one per branch (`document_when`), and a deny in one branch's document is never
# beside a statement of the other's.
beside_denials(st) := {text |
	st.address in denying_addresses
	some branch in denying_branches[st.address]
	util.conjunction([st.document_when, branch])
	some text in denying_statements[[st.address, branch]]
}

# `denying_statements[[address, branch]]`: the statements of `address` that may deny, as JSON
# text, by the branch of their document (`document_when`); `denying_branches[address]` those
# branches.
denying_statements[[st.address, st.document_when]] contains json.marshal(st.statement) if {
	some st in statements
	object.get(st.statement, "Effect", null) != "Allow"
}

denying_branches[st.address] contains st.document_when if {
	some st in statements
	object.get(st.statement, "Effect", null) != "Allow"
}

known_grant(st) if {
	known_resources(st)
	is_object(object.get(st.statement, "Condition", {}))
	not contains(json.marshal(object.get(st.statement, "Condition", {})), `"$unknown"`)
	every key in ["Resource", "NotResource", "Condition"] {
		not decided_within(st, key)
	}
}

known_resources(st) if {
	not "NotResource" in object.keys(st.statement)
	resources := util.elements(st.statement.Resource)
	count(resources) > 0
	every e in resources {
		text_or_unknown(e.value)
	}
}

known_resources(st) if {
	not "Resource" in object.keys(st.statement)
	excluded := util.elements(st.statement.NotResource)
	count(excluded) > 0
	every e in excluded {
		is_string(e.value)
	}
}

text_or_unknown(value) if is_string(value)

text_or_unknown(value) if util.is_unknown(value)

# The addresses holding a statement whose effect is not a known `Allow`: computed once per evaluation.
denying_addresses := {st.address |
	some st in statements
	object.get(st.statement, "Effect", null) != "Allow"
}

# A CloudFormation condition or a Terraform `dynamic` block decides a value at or inside `key`
# of the statement.
decided_within(st, key) if {
	prefix := util.pointer(array.concat(array.concat(st.path, st.statement_path), [key]))
	some records in [object.get(st, "conditional", {}), object.get(st, "unknown_for_each", {})]
	some pointer, _ in records
	within_pointer(pointer, prefix)
}

within_pointer(pointer, prefix) if pointer == prefix

within_pointer(pointer, prefix) if startswith(pointer, concat("", [prefix, "/"]))

# `[{value, path}]` of the string values of a statement key (`Action`, `Resource`, ...), with
# paths inside the statement.
values(statement, key) := [{"value": e.value, "path": array.concat([key], e.path)} |
	some e in util.elements(statement[key])
	is_string(e.value)
]

# `[{value, path}]` of the unknown values of a statement key (the key itself or its elements)
# that may be anything (`util.may_be_anything`): a bucket's ARN only AWS knows is never `*`.
unknown_values(statement, key) := [{"value": e.value, "path": array.concat([key], e.path)} |
	some e in util.elements(statement[key])
	util.may_be_anything(e.value)
]

# Unknown principals: the key itself (`Principal = var.x`), a type's value or one of its elements.
# Only those the author chooses (`util.may_be_anything`): a role's ARN or the account's own id
# that only AWS knows is never `*`. Only where `*` would be public (`is_public`): a `Federated` or
# `Service` principal of any value is not, nor an ARN the author assembles around a chosen part
# (`arn:aws:iam::${var.account}:root`): it names one principal, and IAM supports no wildcard
# inside a principal's ARN (IAM Access Analyzer: "Unsupported wildcard in principal").
unknown_principals(statement, key) := [{"value": statement[key], "path": [key]}] if {
	util.may_be_anything(statement[key])
	not arn_template(statement[key])
}

unknown_principals(statement, key) := [{"value": e.value, "path": array.concat([key, type], e.path)} |
	some type, value in statement[key]
	type in {"*", "AWS"}
	some e in util.elements(value)
	util.may_be_anything(e.value)
	not arn_template(e.value)
] if {
	is_object(statement[key])
	not util.is_unknown(statement[key])
}

# An unknown whose expression is a string template starting with the literal `arn:`: a Terraform
# `"arn:...${var.x}..."`, a CloudFormation `!Sub arn:...` (or `Fn::Sub`) or a `!Join` whose first
# part is such a literal.
arn_template(value) if regex.match(`^("|(!Sub|Fn::Sub)\s+["']?|(!Join|Fn::Join)\s*\[[^,\[]*,\s*\[\s*["']?)arn:`, value["$unknown"])

# Principal values: `[{type, value, path}]`; a bare `"*"` has type `*`.
principals(statement, key) := [{"type": "*", "value": statement[key], "path": [key]}] if is_string(statement[key])

principals(statement, key) := [{"type": type, "value": e.value, "path": array.concat([key, type], e.path)} |
	some type, value in statement[key]
	some e in util.elements(value)
	is_string(e.value)
] if is_object(statement[key])

# A principal anyone matches: `"*"`, `{"AWS": "*"}` or any account's root, in any partition.
public_principal_values := {"*", "arn:aws:iam::*:root"}

is_public(p) if {
	p.type in {"*", "AWS"}
	canonical_arn(p.value) in public_principal_values
}

# Evidence is a finding's identity across commits (src/diff), so the rules write it in one form
# for what IAM reads as the same: a rewrite IAM treats as identical must not turn a finding into a
# new one and a fixed one. Already one form: a single string and a one-element list (`values`,
# `principals` and `util.elements` read both alike). Made one here: partitions, the forms of an
# AWS principal, and the case of actions; lists in evidence are sorted sets.

# An ARN with its partition read as `aws`, whichever partition it names (`arn:aws-us-gov:`,
# `arn:aws-cn:`) or however it is filled in (`!Sub arn:${AWS::Partition}:...`, Terraform's
# `"arn:${data.aws_partition.current.partition}:..."`, `!Join ["", ["arn:", !Ref AWS::Partition,
# ":..."]]`): a template that fills in nothing else is that ARN, one that does keeps its expression
# with the partition read so (`!Sub arn:aws:iam::${AWS::AccountId}:root`). Other values as
# `util.label` writes them. A rule still matches an ARN as written, in every partition; this is
# how evidence names it.
canonical_arn(value) := regex.replace(value, partition_pattern, "arn:aws:") if is_string(value)

canonical_arn(value) := template_value(regex.replace(value["$unknown"], partition_pattern, "arn:aws:")) if util.is_unknown(value)

canonical_arn(value) := util.label(value) if {
	not is_string(value)
	not util.is_unknown(value)
}

partition_pattern := `arn:(aws(-[a-z]+)*|\$\{AWS::Partition\}|\$\{data\.aws_partition\.[A-Za-z0-9_-]+\.partition\}):`

# A template expression whose only part is literal text, as that text; any other as itself:
# `!Sub text` or Terraform's `"text"` without `${` left in the text, or
# `!Join ["", [arn:, !Ref AWS::Partition, ":rest"]]` (the partition read as `aws`).
template_value(expression) := regex.replace(expression, literal_template, "$1$2") if regex.match(literal_template, expression)

template_value(expression) := regex.replace(expression, partition_join, "arn:aws$1") if regex.match(partition_join, expression)

template_value(expression) := expression if {
	not regex.match(literal_template, expression)
	not regex.match(partition_join, expression)
}

literal_template := `^(?:!Sub ["']?([^$"']*)["']?|"([^$"]*)")$`

partition_join := `^!Join \["", \[arn:, !Ref AWS::Partition, "?(:[^$"\]]*)"?\]\]$`

# A principal for evidence: `*` for everyone however written (`"*"`, `{"AWS": "*"}`), an account id
# as the ARN of its root (IAM stores `{"AWS": "123456789012"}` as
# `arn:aws:iam::123456789012:root`), an ARN with its partition read as `aws`; prefixed by its type
# but for `*`.
principal_evidence(p) := "*" if everyone(p)

principal_evidence(p) := sprintf("%s %s", [p.type, canonical_principal(p)]) if not everyone(p)

everyone(p) if {
	p.type in {"*", "AWS"}
	p.value == "*"
}

canonical_principal(p) := sprintf("arn:aws:iam::%s:root", [p.value]) if account_id_principal(p)

canonical_principal(p) := canonical_arn(p.value) if not account_id_principal(p)

account_id_principal(p) if {
	p.type == "AWS"
	regex.match(`^[0-9]{12}$`, p.value)
}

# The principals of a statement key for evidence: `principals`, and the unknowns a template fills
# in with nothing but the partition (`!Sub arn:${AWS::Partition}:iam::111122223333:root`), as the
# ARN `canonical_arn` reads.
evidence_principals(statement, key) := array.concat(principals(statement, key), [{"type": type, "value": arn} |
	is_object(statement[key])
	not util.is_unknown(statement[key])
	some type, value in statement[key]
	some e in util.elements(value)
	util.is_unknown(e.value)
	arn := canonical_arn(e.value)
	startswith(arn, "arn:")
	not contains(arn, "${")
])

# The values of a statement key (`Action`, `NotAction`) as evidence: lower case (IAM matches action
# names in any case), each once, sorted, comma-separated.
actions_evidence(statement, key) := concat(",", sort({lower(a.value) | some a in values(statement, key)}))

# The resources of a statement key (`Resource`, `NotResource`) as evidence: each ARN with its
# partition read as `aws` (`canonical_arn`, an unknown as its expression), each once, sorted,
# comma-separated.
resources_evidence(statement, key) := concat(",", sort({canonical_arn(e.value) |
	some e in util.elements(statement[key])
	evidence_value(e.value)
}))

evidence_value(value) if is_string(value)

evidence_value(value) if util.is_unknown(value)

# Condition keys that narrow who can use a statement to an account, organization, network or
# source resource: with one of them, a wildcard principal is not public.
restricting_condition_keys := {
	"aws:sourcearn",
	"aws:sourceaccount",
	"aws:sourceowner",
	"aws:sourcevpc",
	"aws:sourcevpce",
	"aws:sourceip",
	"aws:sourceorgid",
	"aws:sourceorgpaths",
	"aws:principalarn",
	"aws:principalaccount",
	"aws:principalorgid",
	"aws:principalorgpaths",
	"aws:principalservicename",
	"aws:userid",
	"aws:username",
	"aws:vpcsourceip",
	"aws:calledvia",
	"kms:calleraccount",
	"kms:viaservice",
	"sts:externalid",
	"lambda:functionarn",
}

# Operators under which a condition holds only when the request carries a matching value. The
# negated ones (`StringNotEquals`, `NotIpAddress`) let everyone else in, an `...IfExists` operator
# and a `ForAllValues:` set hold when the key is absent: none of them narrows.
narrowing_operators := {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}

# Values that match every caller: they narrow nothing whatever the operator.
unrestricted_condition_values := {"*", "0.0.0.0/0", "::/0"}

# Operators that read `*` and `?` in a value as wildcards (`ArnEquals` as `ArnLike` does).
wildcard_operators := {"stringlike", "arnlike", "arnequals"}

# Keys whose values are ARNs, and keys whose values are ids with a fixed prefix (`o-`, `vpce-`).
arn_condition_keys := {"aws:sourcearn", "aws:principalarn", "lambda:functionarn"}

prefixed_id_condition_keys := {"aws:principalorgid", "aws:sourceorgid", "aws:principalorgpaths", "aws:sourceorgpaths", "aws:sourcevpce", "aws:sourcevpc"}

# A value of condition `key` under `operator` that narrows nothing: one that matches every caller,
# or a wildcard pattern that values anyone may own match: one starting with a wildcard (`*9012`,
# `*-vendor`), an id whose random part is a wildcard (`o-*`, `vpce-*`), or an ARN whose account is
# a wildcard (`arn:aws:iam::*:role/reader`), or, for a resource whose ARN has no account (S3), whose
# name is (`arn:aws:s3:::*`).
unrestricted_value(_, _, value) if value in unrestricted_condition_values

# Source addresses that are the internet however written (`0.0.0.0/1` with `128.0.0.0/1`, `::0/0`:
# lib/network, `is_public_cidr`).
unrestricted_value(_, key, value) if {
	lower(key) == "aws:sourceip"
	network.is_public_cidr(value)
}

# `elasticfilesystem:AccessedViaMountTarget` narrows only when true.
unrestricted_value(_, key, value) if {
	lower(key) == mount_target_condition_key
	value == false
}

unrestricted_value(_, key, value) if {
	lower(key) == mount_target_condition_key
	is_string(value)
	lower(value) != "true"
}

unrestricted_value(operator, key, value) if {
	wildcard_operator(operator)
	is_string(value)
	any_owner_pattern(lower(key), value)
}

wildcard_operator(operator) if trim_prefix(lower(operator), "foranyvalue:") in wildcard_operators

any_owner_pattern(_, value) if regex.match(`^[*?]`, value)

any_owner_pattern(key, value) if {
	key in prefixed_id_condition_keys
	regex.match(`^[a-z]+-[*?]`, value)
}

any_owner_pattern(key, value) if {
	key in arn_condition_keys
	parts := split(value, ":")
	count(parts) >= 5
	regex.match(`^[*?]+$`, parts[4])
}

any_owner_pattern(key, value) if {
	key in arn_condition_keys
	parts := split(value, ":")
	count(parts) >= 6
	parts[4] == ""
	regex.match(`^[*?]+$`, split(concat(":", array.slice(parts, 5, count(parts))), "/")[0])
}

# `[{key, operator}]` of the condition entries that narrow the statement: a narrowing operator
# (optionally `ForAnyValue:`), a restricting key, and no value that matches everyone or anyone's
# resources (`unrestricted_value`). An
# unknown value counts as narrowing: a rule never reports on an unknown alone.
narrowing_conditions(statement) := [{"key": lower(key), "operator": operator} |
	some operator, block in statement.Condition
	some key, value in block
	narrowing_entry(operator, key, value)
]

# A condition entry that narrows the statement: a narrowing key under its operator
# (`narrowing_key`) and no value that matches everyone or anyone's resources.
narrowing_entry(operator, key, value) if {
	narrowing_key(operator, key)
	every e in util.elements(value) {
		not unrestricted_value(operator, key, e.value)
	}
}

# A restricting key under a narrowing operator; or, in an EFS file system policy, `Bool`
# `elasticfilesystem:AccessedViaMountTarget`, which admits only clients that mount through the file
# system's mount targets, so reach its VPC (the policy EFS applies when none is written grants
# `*` under it).
narrowing_key(operator, key) if {
	narrowing_operator(operator)
	lower(key) in restricting_condition_keys
}

narrowing_key(operator, key) if {
	lower(operator) == "bool"
	lower(key) == mount_target_condition_key
}

mount_target_condition_key := "elasticfilesystem:accessedviamounttarget"

narrowing_operator(operator) if lower(operator) in narrowing_operators

narrowing_operator(operator) if {
	startswith(lower(operator), "foranyvalue:")
	substring(lower(operator), count("foranyvalue:"), -1) in narrowing_operators
}

has_restricting_condition(statement) if count(narrowing_conditions(statement)) > 0

# A condition whose operator or key Tollgate cannot know: a Terraform policy document names it by
# its expression's JSON (`{"$unknown":"condition.value.test"}`), as a `dynamic "condition"` over
# values the author gives writes it. It may narrow the statement, so a rule that needs a
# narrowing condition gives no finding for it but a "cannot tell" one. Its expression, as an
# unknown value; undefined when every condition is known.
undecided_condition(statement) := json.unmarshal(names[0]) if {
	names := [name |
		some operator, block in statement.Condition
		some name in array.concat([operator], [key | narrowing_operator(operator); some key, _ in block])
		startswith(name, "{\"$unknown\":")
	]
	count(names) > 0
}

# A statement entry (from `statements`) has a narrowing condition in every deployment of the
# statement: one written under an undecided CloudFormation `Fn::If` narrows only some of them.
has_unconditional_restricting_condition(entry) if {
	some operator, block in entry.statement.Condition
	some key, value in block
	narrowing_entry(operator, key, value)
	count(util.conditions_below(entry.conditional, array.concat(entry.path, entry.statement_path), ["Condition", operator, key])) == 0
	not repetition_within(entry, ["Condition", operator, key])
}

# A Terraform statement whose narrowing conditions all come from `dynamic "condition"` blocks over
# a collection Tollgate cannot know (the carrier's `unknownForEach`, kept as the entry's
# `unknown_for_each`): they may be missing, so a rule that needs one reports "cannot tell". The
# first such collection's expression; undefined when a narrowing condition is always there.
maybe_restricting_condition(entry) := expressions[0] if {
	not has_unconditional_restricting_condition(entry)
	expressions := [e |
		some operator, block in entry.statement.Condition
		some key, value in block
		narrowing_entry(operator, key, value)
		e := repetition_within(entry, ["Condition", operator, key])
	]
	count(expressions) > 0
}

# The expression of an unknown collection a Terraform `dynamic` block repeats that decides whether
# `suffix` of the statement exists where the statement does.
repetition_within(entry, suffix) := expressions[0] if {
	records := object.get(entry, "unknown_for_each", {})
	base := array.concat(entry.path, entry.statement_path)
	expressions := [e |
		some i, _ in suffix
		e := records[util.pointer(array.concat(base, array.slice(suffix, 0, i + 1)))]
	]
	count(expressions) > 0
}

# The expression of an unknown collection a Terraform `dynamic` block repeats that decides whether
# the statement itself exists where its carrier does (a `dynamic "statement"` of a rendered
# document, recorded under the document's pointer, `/policy/Statement/1`); undefined when it is
# always there.
statement_repetition(entry) := expressions[0] if {
	records := object.get(entry, "unknown_for_each", {})
	full := array.concat(entry.path, entry.statement_path)
	expressions := [e |
		some i, _ in full
		e := records[util.pointer(array.slice(full, 0, i + 1))]
	]
	count(expressions) > 0
}

# The conditions of the narrowing entries of a statement whose narrowing is conditional, as text.
restricting_condition_when(entry) := concat(" or ", sort({concat(" and ", cs) |
	some operator, block in entry.statement.Condition
	some key, _ in block
	narrowing_key(operator, key)
	cs := util.conditions_below(entry.conditional, array.concat(entry.path, entry.statement_path), ["Condition", operator, key])
	count(cs) > 0
}))

# The statement is narrowed, but only to source IP addresses: callers stay anonymous, so whoever
# sends from those addresses (a shared NAT, a CDN, a cloud range) gets the access.
narrowed_only_by_source_ip(statement) if {
	conditions := narrowing_conditions(statement)
	count(conditions) > 0
	every c in conditions {
		c.key == "aws:sourceip"
	}
}

# Lower-case actions grouped by service (`{"s3": ["s3:getobject", ...]}`), so a pattern is
# compared only with its own service's actions.
actions_by_service(actions) := {service: [a | some a in lowered; startswith(a, concat("", [service, ":"]))] |
	some a in lowered
	service := split(a, ":")[0]
} if {
	lowered := {lower(a) | some a in actions}
}

# Actions that let their holder gain more permissions than it was given when they apply to every
# resource of their kind: passing any role to a service, rewriting or attaching policies, creating
# credentials for other users, editing trust policies, replacing or removing permissions
# boundaries, or assuming any role (TG-IAM-006, TG-IAM-005).
privilege_escalation_actions := {a | some a, _ in escalation_resource_kinds}

# Each of them with the kind of IAM resource it acts on, the only resource type the Service
# Authorization Reference gives it (`iam:AddUserToGroup` acts on the group).
escalation_resource_kinds := {
	"iam:PassRole": "role",
	"iam:CreatePolicyVersion": "policy",
	"iam:SetDefaultPolicyVersion": "policy",
	"iam:AttachUserPolicy": "user",
	"iam:AttachGroupPolicy": "group",
	"iam:AttachRolePolicy": "role",
	"iam:PutUserPolicy": "user",
	"iam:PutGroupPolicy": "group",
	"iam:PutRolePolicy": "role",
	"iam:CreateAccessKey": "user",
	"iam:CreateLoginProfile": "user",
	"iam:UpdateLoginProfile": "user",
	"iam:UpdateAssumeRolePolicy": "role",
	"iam:AddUserToGroup": "group",
	"iam:CreateRole": "role",
	"iam:PutUserPermissionsBoundary": "user",
	"iam:PutRolePermissionsBoundary": "role",
	"iam:DeleteUserPermissionsBoundary": "user",
	"iam:DeleteRolePermissionsBoundary": "role",
	"sts:AssumeRole": "role",
}

# The actions of `by_service` that `pattern` covers; a pattern whose service part is a
# wildcard covers none here (service wildcards have rules of their own).
matching_actions(pattern, by_service) := [a |
	some a in object.get(by_service, split(lower(pattern), ":")[0], [])
	lower_action_matches(lower(pattern), a)
]

# `pattern` allows, on every resource, an action of `privilege_escalation_actions`: a service
# wildcard (`iam:*`, `sts:*`) included. TG-IAM-006 reports it at critical severity, so TG-IAM-001
# leaves such a wildcard to it, as the port rules leave every port to TG-NET-005.
escalates_on_every_resource(statement, pattern) if {
	any_resource(statement)
	count(matching_actions(pattern, escalation_catalog)) > 0
}

escalation_catalog := actions_by_service(privilege_escalation_actions)

# Message words for the escalation actions `pattern` covers, spelled as in
# `privilege_escalation_actions`: nothing when it names one exactly, else up to three of them by
# name, then how many more (`iam:*` covers 19, and a message listing all of them was unreadable).
escalation_note(pattern) := "" if {
	some a in privilege_escalation_actions
	lower(a) == lower(pattern)
} else := names_note(names) if {
	covered := matching_actions(pattern, escalation_catalog)
	names := sort([a | some a in privilege_escalation_actions; lower(a) in covered])
}

names_note(names) := sprintf(" (which covers %s)", [concat(", ", names)]) if count(names) <= 3

names_note(names) := sprintf(" (which covers %s and %d more escalation actions)", [concat(", ", array.slice(names, 0, 3)), count(names) - 3]) if {
	count(names) > 3
}

# `pattern` (an IAM action, maybe with `*` and `?`) matches `action`, both lower case.
lower_action_matches(pattern, action) if pattern == action

lower_action_matches(pattern, action) if {
	has_wildcard(pattern)
	wildcard_matches(pattern, action)
}

# `pattern`, an IAM action or ARN pattern from the change, matches `text` as IAM matches it: its
# only wildcards are `*` and `?` (any runes, colons included, and one rune), and gobwas's other
# syntax (`[ru]`, `{role,user}`, and its escape `\`) is literal there, so it is quoted here: read
# as gobwas reads it, `NotResource arn:aws:iam::*:{role,user}/*`, which excludes nothing in AWS,
# would exclude every role and user. The backslash is quoted first, so the later quotes stay single;
# `replace` runs in the Wasm module, where `strings.replace_n` would need the host.
wildcard_matches(pattern, text) if {
	quoted := replace(replace(replace(replace(replace(pattern, `\`, `\\`), `[`, `\[`), `]`, `\]`), `{`, `\{`), `}`, `\}`)
	glob.match(quoted, null, text)
}

has_wildcard(pattern) if indexof(pattern, "*") >= 0

has_wildcard(pattern) if indexof(pattern, "?") >= 0

# `*` or `service:*`.
is_wildcard_action(action) if action == "*"

is_wildcard_action(action) if {
	parts := split(action, ":")
	count(parts) == 2
	parts[1] == "*"
}

# A pattern that matches every action: `*`, or `*:*` (its service and action parts both match
# anything, and every action is `service:name`).
matches_every_action(action) if action in {"*", "*:*"}

# The statement's `Resource` is or lists `*`: it applies to every resource.
any_resource(statement) if {
	some resource in values(statement, "Resource")
	resource.value == "*"
}

# What an ARN pattern of `Resource` reaches when it names every resource of a kind: `{"service",
# "type"}`, `type` "" for every resource of the service (its resource part is `*`:
# `arn:aws:sqs:*:*:*`, `arn:aws:s3:::*`, which matches objects too), `object` for S3's `*/*` (every
# object of every bucket), else the resource type the part starts with, all the rest wildcards
# (`table/*`, `secret:*`, `targetgroup/*/*`). Region and account must each be `*`, the
# deployment's own (`${AWS::Region}`, `${AWS::AccountId}`, Terraform's `data.aws_region` and
# `data.aws_caller_identity`), or empty where the service's ARNs leave them so (S3, IAM's region);
# the partition may be anything. A literal region or account, a name or prefix
# (`arn:aws:s3:::my-bucket/*`, `arn:aws:s3:::*-logs/*`, `log-group:/aws/lambda/*`) or a part the
# author fills in (`${var.bucket}`) is a chosen set: undefined. Strings, and unknowns written as
# a CloudFormation `!Sub` or a Terraform template of such an ARN (`!Sub
# arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*`).
every_resource_arn(value) := {"service": service, "type": type} if {
	text := own_fields(arn_pattern_text(value))
	not contains(text, "${")
	parts := split(text, ":")
	count(parts) >= 6
	parts[0] == "arn"
	service := parts[2]
	regex.match(`^[a-z0-9-]+$`, service)
	every_field(service, 3, parts[3])
	every_field(service, 4, parts[4])
	type := resource_part_type(service, concat(":", array.slice(parts, 5, count(parts))))
}

arn_pattern_text(value) := value if is_string(value)

arn_pattern_text(value) := text if {
	util.is_unknown(value)
	text := regex.replace(canonical_arn(value), `^(?:!Sub\s+["']?|")(arn:[^"'\s]*)["']?$`, "$1")
	startswith(text, "arn:")
}

# The partition read as `aws` whatever fills it in, the deployment's own region and account as
# `@own`.
own_fields(text) := regex.replace(
	regex.replace(regex.replace(text, `^arn:\$\{[^}:]*\}:`, "arn:aws:"), own_region_pattern, "@own"),
	own_account_pattern,
	"@own",
)

own_region_pattern := `\$\{(AWS::Region|data\.aws_region\.[A-Za-z0-9_-]+(\[[0-9]+\])?\.(name|region|id))\}`

own_account_pattern := `\$\{(AWS::AccountId|data\.aws_caller_identity\.[A-Za-z0-9_-]+(\[[0-9]+\])?\.account_id)\}`

# ARN fields (3 region, 4 account) the service's ARNs leave empty.
empty_arn_fields := {"s3": {3, 4}, "iam": {3}}

every_field(_, _, field) if field in {"*", "@own"}

every_field(service, i, "") if i in object.get(empty_arn_fields, service, set())

resource_part_type(_, "*") := ""

resource_part_type("s3", "*/*") := "object"

resource_part_type(service, part) := regex.split(`[/:]`, part)[0] if {
	service != "s3"
	regex.match(`^[A-Za-z][A-Za-z0-9-]*([/:]\*)+$`, part)
}

# `[{value, path}]` of the statement's resources that name every resource of `service` or of one
# of its resource `types` (`every_resource_arn`); `*` is `any_resource`.
every_resource_arns(statement, service, types) := [{"value": e.value, "path": array.concat(["Resource"], e.path)} |
	some e in util.elements(statement.Resource)
	reach := every_resource_arn(e.value)
	reach.service == service
	reaches_type(reach.type, types)
]

reaches_type("", types) if count(types) > 0

reaches_type(type, types) if type in types

# Statements by how they grant: `identity` statements (no principal) give their holder access,
# `resource` statements grant a principal access to a resource, `trust` statements let a
# principal assume a role. Standalone data documents are classified by what they contain.
identity_statements contains st if {
	some st in statements
	is_identity(st)
}

resource_statements contains st if {
	some st in statements
	is_resource(st)
}

trust_statements contains st if {
	some st in statements
	is_trust(st)
}

is_identity(st) if st.kind == "identity"

is_identity(st) if {
	st.kind == "document"
	not has_principal(st.statement)
}

is_resource(st) if st.kind == "resource"

is_resource(st) if {
	st.kind == "document"
	has_principal(st.statement)
	not is_assume_role_statement(st.statement)
}

is_trust(st) if st.kind == "trust"

is_trust(st) if {
	st.kind == "document"
	has_principal(st.statement)
	is_assume_role_statement(st.statement)
}

has_principal(statement) if statement.Principal

has_principal(statement) if statement.NotPrincipal

# Every action is one a trust policy grants (`sts:AssumeRole*`, `sts:TagSession`, ...).
is_assume_role_statement(statement) if {
	actions := values(statement, "Action")
	assume := [a | some a in actions; startswith(lower(a.value), "sts:assumerole")]
	count(assume) > 0
	session := [a | some a in actions; lower(a.value) in {"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}]
	count(assume) + count(session) == count(actions)
}

# The attributes among `keys` of a Lambda permission (`source_arn`, `SourceAccount`, ...) that
# may narrow who invokes it. Lambda puts the source ARN in an `ArnLike` condition, so a pattern
# anyone's resources match (`arn:aws:s3:::*`, an ARN whose account is `*`: `unrestricted_value`)
# narrows nothing and is left out.
lambda_narrowing_keys(r, keys) := [key |
	some key in keys
	not open_source_arn(r, key)
]

open_source_arn(r, key) if {
	key in {"source_arn", "SourceArn"}
	unrestricted_value("ArnLike", "aws:SourceArn", r.config[key])
}
