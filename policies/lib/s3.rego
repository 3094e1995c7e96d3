# METADATA
# description: >-
#   S3 buckets and the settings that AWS provider v4+ splits into separate resources
#   (`aws_s3_bucket_logging`, `aws_s3_bucket_policy`, ...), joined through `references`: a rule
#   asks whether a bucket has a setting without caring where it was written.
package tollgate.lib.s3

import data.tollgate.lib.util
import rego.v1

bucket_types := {"aws_s3_bucket", "AWS::S3::Bucket"}

buckets := [r | some r in input.resources; r.mode == "managed"; r.type in bucket_types]

# The separate configuration resources of `type` that point at `bucket`.
settings(bucket, type) := util.referrers(bucket, type)

# A configuration resource of `type` exists whose bucket cannot be joined (its `bucket` is an
# unknown that references no bucket in the input). Then "no such setting" cannot be told for
# any bucket of the same source, and rules stay silent rather than guess.
has_unjoined(type) if {
	all_buckets := buckets
	some r in input.resources
	r.mode == "managed"
	r.type == type
	not refers_to_some(r, all_buckets)
}

refers_to_some(r, targets) if {
	some target in targets
	util.refers_to(r, target)
}
