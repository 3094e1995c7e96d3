# What the fixtures cannot pin: the condition a finding on an access point's public grant carries
# when its own Block Public Access is turned off only by a configuration that a `dynamic` block
# over a collection Tollgate cannot know creates (the access point keeps it on without one).
package tollgate.rules.iam.resource_policy_public_test

import data.tollgate.rules.iam.resource_policy_public
import rego.v1

collection := "var.public_access_block == null ? [] : [var.public_access_block]"

public_policy := `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}`

access_point(block, unknown_for_each) := {
	"address": "aws_s3_access_point.exports",
	"type": "aws_s3_access_point",
	"mode": "managed",
	"source": "terraform",
	"module": "",
	"config": {"bucket": "example-exports", "name": "exports", "policy": public_policy, "public_access_block_configuration": [block]},
	"references": [],
	"unknownForEach": unknown_for_each,
}

verdicts(r) := {[f.severity, f.when] | some f in resource_policy_public.deny with input as {"resources": [r]}}

test_a_configuration_turning_it_off_from_an_unknown_collection_exposes_only_when_it_is_not_empty if {
	r := access_point({"block_public_policy": false, "restrict_public_buckets": false}, {"/public_access_block_configuration/0": collection})
	verdicts(r) == {["critical", sprintf("%s is not empty", [collection])]}
}

test_unknown_flags_from_an_unknown_collection_expose_only_when_it_is_not_empty if {
	flags := {"block_public_policy": {"$unknown": "public_access_block_configuration.value.block_public_policy"}, "restrict_public_buckets": false}
	r := access_point(flags, {"/public_access_block_configuration/0": collection})
	verdicts(r) == {["critical", sprintf("%s is not empty", [collection])]}
}

test_a_configuration_written_outright_exposes_in_every_deployment if {
	r := access_point({"block_public_policy": false, "restrict_public_buckets": false}, {})
	verdicts(r) == {["critical", ""]}
}

test_a_configuration_keeping_it_on_contains_either_way if {
	r := access_point({"block_public_policy": true}, {"/public_access_block_configuration/0": collection})
	verdicts(r) == {["low", ""]}
}

scopes(r) := {f.scope | some f in resource_policy_public.deny with input as {"resources": [r]}}

grant_scope(contained) := {"kind": "resource-policy", "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["*"], "condition": {}, "principal": "*", "contained": contained}

test_a_grant_scope_says_whether_block_public_access_contains_it if {
	scopes(access_point({"block_public_policy": false, "restrict_public_buckets": false}, {})) == {grant_scope(false)}
	scopes(access_point({"block_public_policy": true, "restrict_public_buckets": true}, {})) == {grant_scope(true)}
}

test_a_not_principal_grant_has_no_scope if {
	policy := `{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "*"}]}`
	r := object.union(access_point({"block_public_policy": false, "restrict_public_buckets": false}, {}), {"config": {"bucket": "example-exports", "name": "exports", "policy": policy, "public_access_block_configuration": [{"block_public_policy": false, "restrict_public_buckets": false}]}})
	scopes(r) == {null}
}
