# METADATA
# title: S3 bucket not encrypted with KMS
# description: >-
#   Only active when the repository sets `s3_require_kms: true` in its policy settings. S3
#   encrypts every new object with SSE-S3 (AES256) by default since January 2023, so a bucket
#   without an encryption configuration is encrypted, not exposed: the true positive this rule
#   reports is a bucket that does not use SSE-KMS where the organisation requires key control
#   and CloudTrail-audited decryption. Reported: an `AES256` default algorithm (inline
#   `server_side_encryption_configuration`, a separate
#   `aws_s3_bucket_server_side_encryption_configuration`, or CloudFormation
#   `BucketEncryption`), and a bucket with no encryption configuration anywhere. A call of
#   terraform-aws-modules/s3-bucket/aws is a bucket too: its `server_side_encryption_configuration`
#   (`rule` one object or a list, as the module flattens it) with an `AES256` algorithm, or absent
#   or empty (the module then writes no configuration) without a separate configuration resource
#   referring to the call. In CloudFormation, `AES256` in one branch of an undecided `Fn::If`, or
#   a `BucketEncryption` written only under such a condition, is reported for the deployments
#   that use SSE-S3. With `unknown_values: advisory`, a Terraform configuration or rules that only
#   a `dynamic` block over a collection Tollgate cannot know creates, an algorithm Tollgate
#   cannot know, a bucket (or bucket module call) whose only configuration is a separate resource
#   with a `count` or `for_each` Tollgate cannot know (other than the bucket's own), and a module
#   call's configuration, rule or default encryption given as a value Tollgate cannot know, are
#   reported as cannot tell.
# custom:
#   id: TG-ENC-001
#   severity: medium
#   category: encryption
#   remediation: Configure default encryption with sse_algorithm = "aws:kms" (or "aws:kms:dsse") and a customer managed kms_master_key_id, with bucket keys enabled.
package tollgate.rules.encryption.s3_sse_kms

import data.tollgate.lib.s3
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

separate_type := "aws_s3_bucket_server_side_encryption_configuration"

# `{resource, algorithm, path}` for every default encryption rule written.
algorithms contains a if {
	some bucket in s3.buckets
	bucket.type == "aws_s3_bucket"
	some i, configuration in util.block_list(bucket.config.server_side_encryption_configuration)
	some j, rule in util.block_list(configuration.rule)
	some k, by_default in util.block_list(rule.apply_server_side_encryption_by_default)
	path := ["server_side_encryption_configuration", i, "rule", j, "apply_server_side_encryption_by_default", k, "sse_algorithm"]
	a := {"resource": bucket.address, "algorithm": by_default.sse_algorithm, "path": path}
}

algorithms contains a if {
	some r in util.resources(separate_type)
	some j, rule in util.block_list(r.config.rule)
	some k, by_default in util.block_list(rule.apply_server_side_encryption_by_default)
	a := {"resource": r.address, "algorithm": by_default.sse_algorithm, "path": ["rule", j, "apply_server_side_encryption_by_default", k, "sse_algorithm"]}
}

# An algorithm an undecided `Fn::If` chooses is each of its values, under its condition (`when`).
algorithms contains a if {
	some bucket in s3.buckets
	bucket.type == "AWS::S3::Bucket"
	some i, _ in bucket.config.BucketEncryption.ServerSideEncryptionConfiguration
	path := ["BucketEncryption", "ServerSideEncryptionConfiguration", i, "ServerSideEncryptionByDefault", "SSEAlgorithm"]
	some possible in util.possible_values(bucket, path)
	a := {"resource": bucket.address, "algorithm": possible.value, "path": path, "when": possible.condition}
}

# The rules of a module call's encryption configuration, with their paths.
module_rules(configuration) := [{"value": rule, "path": ["rule"]} | rule := configuration.rule; is_object(rule)] if not is_array(configuration.rule)

module_rules(configuration) := [{"value": rule, "path": ["rule", i]} | some i, rule in configuration.rule] if is_array(configuration.rule)

algorithms contains a if {
	some call in s3.module_buckets
	configuration := call.config.server_side_encryption_configuration
	some rule in module_rules(configuration)
	by_default := rule.value.apply_server_side_encryption_by_default
	path := array.concat(array.concat(["server_side_encryption_configuration"], rule.path), ["apply_server_side_encryption_by_default", "sse_algorithm"])
	a := {"resource": call.address, "algorithm": by_default.sse_algorithm, "path": path}
}

deny contains finding if {
	settings.s3_require_kms
	some a in algorithms
	a.algorithm == "AES256"
	finding := {
		"resource": a.resource,
		"message": "The bucket's default encryption is SSE-S3 (AES256): use SSE-KMS with a customer managed key.",
		"evidence": "sse_algorithm AES256",
		"path": a.path,
		"when": object.get(a, "when", ""),
	}
}

deny contains finding if {
	settings.s3_require_kms
	some a in algorithms
	not in_undecided_block(a)
	cannot_tell := settings.cannot_tell(a.resource, a.path, a.algorithm, "The bucket's default encryption algorithm is a value Tollgate cannot know: make sure it is aws:kms (or aws:kms:dsse).")
	finding := object.union(cannot_tell, {"when": object.get(a, "when", "")})
}

# A rule only a `dynamic` block over a collection Tollgate cannot know creates: its presence is
# already reported as cannot tell, and its algorithm with it.
in_undecided_block(a) if {
	some i in s3.address_positions[a.resource]
	util.unknown_for_each(input.resources[i], a.path)
}

has_configuration(bucket) if has_own_configuration(bucket)

has_configuration(bucket) if count(s3.settings(bucket, separate_type)) > 0

has_own_configuration(bucket) if not util.is_empty(bucket.config, "server_side_encryption_configuration")

unconfigured_message := "The bucket has no default encryption configuration, so it uses SSE-S3: configure SSE-KMS with a customer managed key."

deny contains finding if {
	settings.s3_require_kms
	some bucket in s3.buckets
	bucket.source == "terraform"
	not has_configuration(bucket)
	not s3.has_unjoined(separate_type)
	finding := {"resource": bucket.address, "message": unconfigured_message, "evidence": "no encryption configuration", "path": []}
}

# A CloudFormation `BucketEncryption` written only under an undecided `Fn::If` condition leaves
# the bucket with SSE-S3 where it does not hold.
deny contains finding if {
	settings.s3_require_kms
	some bucket in s3.buckets
	bucket.source == "cloudformation"
	some unset in util.missing(bucket, [], "BucketEncryption")
	finding := {"resource": bucket.address, "message": unconfigured_message, "evidence": "no encryption configuration", "path": [], "when": unset.when}
}

# A Terraform configuration, or its rules, that only a `dynamic` block over a collection Tollgate
# cannot know creates may be missing, leaving the bucket on SSE-S3.
deny contains finding if {
	settings.s3_require_kms
	some bucket in s3.buckets
	bucket.source == "terraform"
	presence := util.unknown_presence(bucket, [], "server_side_encryption_configuration")
	not s3.has_certain_setting(bucket, separate_type)
	finding := settings.cannot_tell(bucket.address, ["server_side_encryption_configuration"], presence, "The bucket's encryption configuration comes from a collection Tollgate cannot know, so there may be none and the bucket uses SSE-S3: make sure it configures SSE-KMS.")
}

# The bucket's only encryption configurations are separate resources whose `count` or `for_each`
# Tollgate cannot know (not the bucket's own): there may be none, leaving the bucket on SSE-S3.
deny contains finding if {
	settings.s3_require_kms
	some bucket in s3.buckets
	bucket.source == "terraform"
	not has_own_configuration(bucket)
	some absence in util.absences_with(s3.settings(bucket, separate_type), bucket)
	not s3.has_unjoined(separate_type)
	finding := settings.cannot_tell(bucket.address, [], absence, "The bucket's only encryption configuration may not be created, as its count or for_each cannot be known, and the bucket then uses SSE-S3: make sure it configures SSE-KMS.")
}

deny contains finding if {
	settings.s3_require_kms
	some r in util.resources(separate_type)
	finding := settings.cannot_tell(r.address, ["rule"], util.unknown_presence(r, [], "rule"), "The encryption configuration's rules come from a collection Tollgate cannot know, so there may be none and the bucket uses SSE-S3: make sure it configures SSE-KMS.")
}

# `[]` when the module call leaves the configuration out (default `{}`), its path when empty.
module_configuration_missing(call) := [] if util.is_absent(call.config, "server_side_encryption_configuration")

module_configuration_missing(call) := ["server_side_encryption_configuration"] if call.config.server_side_encryption_configuration == {}

deny contains finding if {
	settings.s3_require_kms
	some call in s3.module_buckets
	path := module_configuration_missing(call)
	count(s3.settings(call, separate_type)) == 0
	not s3.has_unjoined(separate_type)
	finding := {
		"resource": call.address,
		"message": "The bucket module is called without server_side_encryption_configuration, so the bucket uses SSE-S3: configure SSE-KMS with a customer managed key.",
		"evidence": "no encryption configuration",
		"path": path,
	}
}

# The call's only encryption configurations are separate resources whose `count` or `for_each`
# Tollgate cannot know (not the call's own): there may be none, as for a bucket.
deny contains finding if {
	settings.s3_require_kms
	some call in s3.module_buckets
	module_configuration_missing(call)
	some absence in util.absences_with(s3.settings(call, separate_type), call)
	not s3.has_unjoined(separate_type)
	finding := settings.cannot_tell(call.address, [], absence, "The bucket module's only encryption configuration may not be created, as its count or for_each cannot be known, and the bucket then uses SSE-S3: make sure it configures SSE-KMS.")
}

# `[{value, path}]`: the unknowns a call gives for its whole encryption configuration, its `rule`,
# one of its rules or a rule's default encryption. Each may leave SSE-KMS out (`{}` writes no
# configuration), so the algorithm cannot be told.
module_configuration_unknowns(call) := [{"value": configuration, "path": ["server_side_encryption_configuration"]}] if {
	configuration := call.config.server_side_encryption_configuration
	util.is_unknown(configuration)
}

module_configuration_unknowns(call) := [unknown |
	some rule in module_rules(configuration)
	some unknown in rule_unknowns(rule)
] if {
	configuration := call.config.server_side_encryption_configuration
	not util.is_unknown(configuration)
}

rule_unknowns(rule) := [{"value": rule.value, "path": array.concat(["server_side_encryption_configuration"], rule.path)}] if util.is_unknown(rule.value)

rule_unknowns(rule) := [{"value": by_default, "path": array.concat(array.concat(["server_side_encryption_configuration"], rule.path), ["apply_server_side_encryption_by_default"])}] if {
	not util.is_unknown(rule.value)
	by_default := rule.value.apply_server_side_encryption_by_default
	util.is_unknown(by_default)
}

deny contains finding if {
	settings.s3_require_kms
	some call in s3.module_buckets
	not s3.has_certain_setting(call, separate_type)
	some unknown in module_configuration_unknowns(call)
	finding := settings.cannot_tell(call.address, unknown.path, unknown.value, "The bucket module's encryption configuration is a value Tollgate cannot know and may leave out SSE-KMS, so the bucket may use SSE-S3: make sure it configures SSE-KMS.")
}

