# METADATA
# description: >-
#   S3 buckets and the settings that AWS provider v4+ splits into separate resources
#   (`aws_s3_bucket_logging`, `aws_s3_bucket_policy`, ...), joined through `references`: a rule
#   asks whether a bucket has a setting without caring where it was written. A call of the
#   registry module terraform-aws-modules/s3-bucket/aws is a bucket too: what it creates from its
#   arguments, with the defaults of the release the call gets, is described here.
package tollgate.lib.s3

import data.tollgate.lib.registry
import data.tollgate.lib.util
import rego.v1

bucket_types := {"aws_s3_bucket", "AWS::S3::Bucket"}

buckets := [r | some r in input.resources; r.mode == "managed"; r.type in bucket_types]

# The separate configuration resources of `type` that point at `bucket`.
settings(bucket, type) := util.referrers(bucket, type)

# A configuration resource of `type` exists whose bucket cannot be joined (its `bucket` is an
# unknown that references no bucket nor bucket module call in the input). Then "no such setting" cannot be told for
# any bucket of the same source, and rules stay silent rather than guess.
has_unjoined(type) if {
	all_buckets := array.concat(buckets, module_buckets)
	some r in input.resources
	r.mode == "managed"
	r.type == type
	not refers_to_some(r, all_buckets)
}

refers_to_some(r, targets) if {
	some target in targets
	util.refers_to(r, target)
}

bucket_module := "terraform-aws-modules/s3-bucket/aws"

# Calls of the bucket module itself (no submodule) that create a general purpose bucket:
# `create_bucket = false` creates nothing, and a directory bucket (`is_directory_bucket`) has
# Block Public Access always on and neither the module's public access block nor its deny
# policies.
module_buckets := [r |
	some r in registry.calls(bucket_module)
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create_bucket", true))
	not util.is_true(object.get(r.config, "is_directory_bucket", false))
]

module_public_access_flags := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

# The module's Block Public Access flags default to true from release 3.9.0 (April 2023, when
# AWS turned Block Public Access on for new buckets) and to false before, when every call that
# left them out wrote a public access block with all four off. A call without a `version`
# constraint gets the newest release, so true; a release we cannot tell (a git ref that is no
# version tag) leaves the default unknown.
public_access_defaults_since := "3.9.0"

# An argument as the module sees it: written, or the module's default. Only the Block Public
# Access flags depend on the release; every `attach_*` switch defaults to false but
# `attach_public_policy`, which defaults to true.
module_argument(call, name) := call.config[name] if not util.is_absent(call.config, name)

module_argument(call, name) := value if {
	util.is_absent(call.config, name)
	not name in module_public_access_flags
	value := object.get({"attach_public_policy": true}, name, false)
}

module_argument(call, name) := true if {
	util.is_absent(call.config, name)
	name in module_public_access_flags
	registry.at_least(call, public_access_defaults_since)
}

module_argument(call, name) := false if {
	util.is_absent(call.config, name)
	name in module_public_access_flags
	registry.older_than(call, public_access_defaults_since)
}

module_argument(call, name) := {"$unknown": sprintf("%s (default of an unknown release)", [name])} if {
	util.is_absent(call.config, name)
	name in module_public_access_flags
	not registry.at_least(call, public_access_defaults_since)
	not registry.older_than(call, public_access_defaults_since)
}

# The module writes an `aws_s3_bucket_public_access_block` for its bucket unless
# `attach_public_policy` is false.
module_writes_public_access_block(call) if not util.is_false(module_argument(call, "attach_public_policy"))

# The module switches that make it attach a bucket policy, and those whose statements deny
# requests without TLS (`aws:SecureTransport` false, `s3:TlsVersion` below 1.2).
module_policy_switches := [
	"attach_policy",
	"attach_deny_insecure_transport_policy",
	"attach_require_latest_tls_policy",
	"attach_elb_log_delivery_policy",
	"attach_lb_log_delivery_policy",
	"attach_access_log_delivery_policy",
	"attach_cloudtrail_log_delivery_policy",
	"attach_waf_log_delivery_policy",
	"attach_inventory_destination_policy",
	"attach_analytics_destination_policy",
	"attach_deny_incorrect_encryption_headers",
	"attach_deny_incorrect_kms_key_sse",
	"attach_deny_unencrypted_object_uploads",
	"attach_deny_ssec_encrypted_object_uploads",
]

module_transport_switches := ["attach_deny_insecure_transport_policy", "attach_require_latest_tls_policy"]
