# What the fixtures cannot pin: the condition a finding carries when an undecided CloudFormation
# `Fn::If` chooses the bucket policy's document whole. A TLS deny in one branch's document
# protects only the deployments that take that branch; the others are reported, and say so.
package tollgate.rules.encryption.s3_secure_transport_test

import data.tollgate.rules.encryption.s3_secure_transport
import rego.v1

tls_deny(value) := {
	"Effect": "Deny",
	"Principal": "*",
	"Action": "s3:*",
	"Resource": "arn:aws:s3:::example-logs/*",
	"Condition": {"Bool": {"aws:SecureTransport": value}},
}

owner_read := {
	"Effect": "Allow",
	"Principal": {"AWS": "arn:aws:iam::111122223333:root"},
	"Action": "s3:GetObject",
	"Resource": "arn:aws:s3:::example-logs/*",
}

# A bucket policy whose document `!If [IsProd, <prod>, <other>]` chooses.
branch_policy(prod, other) := {
	"address": "LogsPolicy",
	"type": "AWS::S3::BucketPolicy",
	"mode": "managed",
	"source": "cloudformation",
	"module": "",
	"config": {"Bucket": "example-logs", "PolicyDocument": {"$unknown": "!If [IsProd, {...}, {...}]"}},
	"references": [],
	"alternatives": {"/PolicyDocument": [
		{"condition": "IsProd", "value": {"Version": "2012-10-17", "Statement": prod}},
		{"condition": "not IsProd", "value": {"Version": "2012-10-17", "Statement": other}},
	]},
}

verdicts(r) := {[f.when, f.message] | some f in s3_secure_transport.deny with input as {"resources": [r]}}

whens(r) := {object.get(f, "when", "") | some f in s3_secure_transport.deny with input as {"resources": [r]}}

no_deny := "The bucket policy does not deny requests without TLS: add a Deny statement on aws:SecureTransport false."

test_a_deny_in_one_branch_leaves_the_other_reported if {
	verdicts(branch_policy([tls_deny("false")], [owner_read])) == {["not IsProd", no_deny]}
}

test_a_deny_in_the_other_branch_leaves_the_first_reported if {
	verdicts(branch_policy([owner_read], [owner_read, tls_deny("false")])) == {["IsProd", no_deny]}
}

test_a_deny_in_both_branches_protects_every_deployment if {
	whens(branch_policy([tls_deny("false")], [owner_read, tls_deny("false")])) == set()
}

test_a_deny_in_neither_branch_is_reported_for_each if {
	whens(branch_policy([owner_read], [owner_read])) == {"IsProd", "not IsProd"}
}

# A deny whose `aws:SecureTransport` value a parameter gives may be one, in its branch alone: the
# other branch has none in any case.
test_a_deny_that_may_be_one_in_one_branch_leaves_the_other_reported if {
	verdicts(branch_policy([tls_deny({"$unknown": "!Ref TlsFlag"})], [owner_read])) == {["not IsProd", no_deny]}
}
