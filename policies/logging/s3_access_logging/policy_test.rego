# What the fixtures cannot pin: a Terraform bucket that only another bucket's inline `logging`
# delivers into (no separate logging resource refers to it) is a log target, found through the
# buckets referring to it in its own root.
package tollgate.rules.logging.s3_access_logging_test

import data.tollgate.rules.logging.s3_access_logging
import rego.v1

bucket(address, root, config, references) := {
	"address": address,
	"type": "aws_s3_bucket",
	"name": split(address, ".")[1],
	"mode": "managed",
	"source": "terraform",
	"module": "",
	"root": root,
	"config": config,
	"references": references,
}

inline_logging := {"logging": [{"target_bucket": {"$unknown": "aws_s3_bucket.logs.id"}, "target_prefix": "app/"}]}

# envs/dev's app logs into envs/dev's logs; envs/prod has a logs bucket of the same address that
# nothing logs into, and a bucket logging into itself.
log_target_input := {"resources": [
	bucket("aws_s3_bucket.logs", "envs/dev", {"bucket": "dev-logs"}, []),
	bucket("aws_s3_bucket.app", "envs/dev", inline_logging, ["aws_s3_bucket.logs"]),
	bucket("aws_s3_bucket.logs", "envs/prod", {"bucket": "prod-logs"}, []),
	bucket("aws_s3_bucket.self", "envs/prod", {"logging": [{"target_bucket": {"$unknown": "aws_s3_bucket.self.id"}}]}, ["aws_s3_bucket.self"]),
]}

test_a_bucket_receiving_inline_logs_of_its_root_is_a_log_target if {
	findings := s3_access_logging.deny with input as log_target_input
	{[f.resource, f.message] | some f in findings} == {[
		"aws_s3_bucket.logs",
		"The bucket has no server access logging: deliver its access logs to a log bucket.",
	]}
	targets := {[r.address, r.root] | some r in log_target_input.resources; s3_access_logging.is_log_target(r)} with input as log_target_input
	targets == {["aws_s3_bucket.logs", "envs/dev"]}
}
