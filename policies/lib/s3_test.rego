# The joins of lib/s3 look buckets and their settings up in indexes; these tests hold them to the
# scans they replace (each written out here as it was) where an index could differ: two roots with
# the same addresses, a name joined across roots (before a reference, in input order), a bucket in
# a module with an instance key, a bucket module call, CloudFormation names, and configurations no
# bucket can be joined to.
package tollgate.lib.s3_test

import data.tollgate.lib.s3
import data.tollgate.lib.util
import rego.v1

tf(address, type, root, module, config, references) := {
	"address": address,
	"type": type,
	"name": split(split(address, ".")[count(split(address, ".")) - 1], "[")[0],
	"mode": "managed",
	"source": "terraform",
	"module": module,
	"root": root,
	"config": config,
	"references": references,
}

cfn(address, type, config, references) := {
	"address": address,
	"type": type,
	"name": address,
	"mode": "managed",
	"source": "cloudformation",
	"module": "",
	"root": "template.yaml",
	"config": config,
	"references": references,
}

block_flags := {"block_public_policy": true, "restrict_public_buckets": false}

joins_input := {"resources": [
	# envs/dev and envs/prod both hold aws_s3_bucket.b, each with its own settings.
	tf("aws_s3_bucket.b", "aws_s3_bucket", "envs/dev", "", {"bucket": "dev-b"}, []),
	tf("aws_s3_bucket_logging.b", "aws_s3_bucket_logging", "envs/dev", "", {"bucket": {"$unknown": "aws_s3_bucket.b.id"}}, ["aws_s3_bucket.b"]),
	# A policy naming envs/dev's bucket from another root comes before the one referring to it:
	# settings keep input order.
	tf("aws_s3_bucket_policy.named_dev", "aws_s3_bucket_policy", "envs/shared", "", {"bucket": "dev-b"}, []),
	tf("aws_s3_bucket_public_access_block.b", "aws_s3_bucket_public_access_block", "envs/dev", "", object.union(block_flags, {"bucket": {"$unknown": "aws_s3_bucket.b.id"}}), ["aws_s3_bucket.b"]),
	tf("aws_s3_bucket_policy.b", "aws_s3_bucket_policy", "envs/dev", "", {"bucket": {"$unknown": "aws_s3_bucket.b.id"}}, ["aws_s3_bucket.b"]),
	tf("aws_s3_bucket.b", "aws_s3_bucket", "envs/prod", "", {"bucket": "prod-b"}, []),
	tf("aws_s3_bucket_policy.b", "aws_s3_bucket_policy", "envs/prod", "", {"bucket": {"$unknown": "aws_s3_bucket.b.id"}}, ["aws_s3_bucket.b"]),
	tf("aws_s3_account_public_access_block.a", "aws_s3_account_public_access_block", "envs/prod", "", {"restrict_public_buckets": true}, []),
	# A name joins across roots: envs/shared versions envs/dev's bucket.
	tf("aws_s3_bucket_versioning.dev", "aws_s3_bucket_versioning", "envs/shared", "", {"bucket": "dev-b"}, []),
	# A bucket with an instance key in a module, referred to as written in the module.
	tf("module.m.aws_s3_bucket.b[\"x\"]", "aws_s3_bucket", "envs/dev", "module.m", {"bucket": "m-x"}, []),
	tf("module.m.aws_s3_bucket_logging.b", "aws_s3_bucket_logging", "envs/dev", "module.m", {"bucket": {"$unknown": "aws_s3_bucket.b[each.key].id"}}, ["aws_s3_bucket.b"]),
	tf("module.m.aws_s3_bucket_public_access_block.b", "aws_s3_bucket_public_access_block", "envs/dev", "module.m", object.union(block_flags, {"bucket": {"$unknown": "aws_s3_bucket.b[each.key].id"}}), ["aws_s3_bucket.b"]),
	# A bucket module call, and a policy naming it.
	{
		"address": "module.logs",
		"type": "module",
		"name": "logs",
		"mode": "module",
		"source": "terraform",
		"module": "",
		"root": "envs/dev",
		"moduleSource": "terraform-aws-modules/s3-bucket/aws",
		"config": {"bucket": "logs"},
		"references": [],
	},
	tf("aws_s3_bucket_policy.logs", "aws_s3_bucket_policy", "envs/dev", "", {"bucket": "logs"}, []),
	# No bucket can be joined: an unknown name referring to nothing, and a name no bucket has while
	# every bucket's name is known (another deployment's bucket).
	tf("aws_s3_bucket_server_side_encryption_configuration.x", "aws_s3_bucket_server_side_encryption_configuration", "envs/dev", "", {"bucket": {"$unknown": "var.bucket"}}, []),
	tf("aws_s3_bucket_logging.elsewhere", "aws_s3_bucket_logging", "envs/dev", "", {"bucket": "elsewhere"}, []),
	# CloudFormation: a policy referring to its bucket, another naming it, one naming another
	# template's bucket, and a bucket without a known name.
	cfn("Logs", "AWS::S3::Bucket", {"BucketName": "cfn-logs", "PublicAccessBlockConfiguration": {"BlockPublicPolicy": true}}, []),
	cfn("LogsPolicy", "AWS::S3::BucketPolicy", {"Bucket": {"$unknown": "!Ref Logs"}}, ["Logs"]),
	cfn("NamedPolicy", "AWS::S3::BucketPolicy", {"Bucket": "cfn-logs"}, []),
	cfn("OtherPolicy", "AWS::S3::BucketPolicy", {"Bucket": "other"}, []),
	cfn("Data", "AWS::S3::Bucket", {"BucketName": {"$unknown": "!Ref Name"}}, []),
]}

setting_types := [
	"aws_s3_bucket_logging",
	"aws_s3_bucket_policy",
	"aws_s3_bucket_versioning",
	"aws_s3_bucket_public_access_block",
	"aws_s3_bucket_server_side_encryption_configuration",
	"AWS::S3::BucketPolicy",
]

# The scans the indexes replace.
scanned_settings(bucket, type) := [r |
	some r in input.resources
	r.type == type
	r.mode == "managed"
	scanned_configures(r, bucket)
]

scanned_configures(r, bucket) if util.refers_to(r, bucket)

scanned_configures(r, bucket) if {
	r.source == bucket.source
	name := s3.named_bucket(r)
	is_string(name)
	name == s3.own_name(bucket)
}

scanned_has_unjoined(type) if {
	some r in input.resources
	r.mode == "managed"
	r.type == type
	not scanned_configures_some(r)
	scanned_unjoined(r)
}

scanned_configures_some(r) if {
	some target in s3.bucket_targets
	scanned_configures(r, target)
}

scanned_unjoined(r) if not is_string(s3.named_bucket(r))

scanned_unjoined(r) if {
	is_string(s3.named_bucket(r))
	some bucket in s3.bucket_targets
	bucket.source == r.source
	not is_string(s3.own_name(bucket))
}

scanned_bucket_keys(r) := keys if {
	referred := [t | some t in s3.bucket_targets; util.refers_to(r, t)]
	own := {["address", r.root, r.address] | r.type == "aws_s3_bucket"} | {["address", r.root, r.address] | r.mode == "module"}
	names := {["name", t.config.bucket] | some t in array.concat([r], referred); is_string(t.config.bucket)}
	keys := (own | {["address", t.root, t.address] | some t in referred}) | names
}

scanned_covering_blocks(r) := {[block.address, block.module] |
	keys := scanned_bucket_keys(r)
	some block in s3.public_access_blocks
	some key in block.keys
	key in keys
}

scanned_account_blocks(r) := [account.address |
	some account in util.resources("aws_s3_account_public_access_block")
	account.root == r.root
]

scanned_cloudformation_buckets(r) := {bucket.address |
	some bucket in util.resources("AWS::S3::Bucket")
	scanned_names_cloudformation_bucket(r, bucket)
}

scanned_names_cloudformation_bucket(r, bucket) if util.refers_to(r, bucket)

scanned_names_cloudformation_bucket(r, bucket) if {
	is_string(r.config.Bucket)
	r.config.Bucket == bucket.config.BucketName
}

placed(resources) := [[r.address, r.root] | some r in resources]

indexes_agree_with_scans if {
	every bucket in s3.bucket_targets {
		every type in setting_types {
			placed(s3.settings(bucket, type)) == placed(scanned_settings(bucket, type))
		}
	}
	{type | some type in setting_types; s3.has_unjoined(type)} == {type | some type in setting_types; scanned_has_unjoined(type)}
	every r in input.resources {
		s3.bucket_keys(r) == scanned_bucket_keys(r)
		{[block.address, block.module] | some block in s3.covering_blocks(r)} == scanned_covering_blocks(r)
		[account.address | some account in s3.account_blocks(r)] == scanned_account_blocks(r)
		{bucket.address | some bucket in s3.named_cloudformation_buckets(r)} == scanned_cloudformation_buckets(r)
	}
}

settings_of(address, root, type) := [[r.address, r.root] |
	some bucket in s3.bucket_targets
	bucket.address == address
	bucket.root == root
	some r in s3.settings(bucket, type)
]

test_indexes_agree_with_scans if {
	indexes_agree_with_scans with input as joins_input
}

test_settings_stay_in_their_root_or_name_their_bucket if {
	dev := settings_of("aws_s3_bucket.b", "envs/dev", "aws_s3_bucket_policy") with input as joins_input
	dev == [["aws_s3_bucket_policy.named_dev", "envs/shared"], ["aws_s3_bucket_policy.b", "envs/dev"]]
	prod := settings_of("aws_s3_bucket.b", "envs/prod", "aws_s3_bucket_policy") with input as joins_input
	prod == [["aws_s3_bucket_policy.b", "envs/prod"]]
	versioning := settings_of("aws_s3_bucket.b", "envs/dev", "aws_s3_bucket_versioning") with input as joins_input
	versioning == [["aws_s3_bucket_versioning.dev", "envs/shared"]]
	in_module := settings_of("module.m.aws_s3_bucket.b[\"x\"]", "envs/dev", "aws_s3_bucket_logging") with input as joins_input
	in_module == [["module.m.aws_s3_bucket_logging.b", "envs/dev"]]
	call := settings_of("module.logs", "envs/dev", "aws_s3_bucket_policy") with input as joins_input
	call == [["aws_s3_bucket_policy.logs", "envs/dev"]]
}

test_unjoined_types if {
	types := {type | some type in setting_types; s3.has_unjoined(type)} with input as joins_input
	types == {"aws_s3_bucket_server_side_encryption_configuration", "AWS::S3::BucketPolicy"}
}

test_public_access_containment_through_the_indexes if {
	contained := s3.public_access_containment with input as joins_input
	blocks := s3.public_access_blocks with input as joins_input
	count(blocks) == 2
	contained["module.m.aws_s3_bucket.b[\"x\"]"] == "module.m.aws_s3_bucket_public_access_block.b (block_public_policy)"
	contained.LogsPolicy == "Logs (PublicAccessBlockConfiguration.BlockPublicPolicy)"
	contained.NamedPolicy == "Logs (PublicAccessBlockConfiguration.BlockPublicPolicy)"
	not contained.OtherPolicy
}

policy_blocks(address, root) := {[block.address, block.module] |
	some r in input.resources
	r.address == address
	r.root == root
	some block in s3.covering_blocks(r)
}

# A bucket public access block covers the bucket of its own root: envs/dev's block does not
# contain envs/prod's policy on the bucket of the same address (it did before session 8).
test_public_access_blocks_stay_in_their_root if {
	dev := policy_blocks("aws_s3_bucket_policy.b", "envs/dev") with input as joins_input
	# (module.m's block refers to `aws_s3_bucket.b` as written, which `util.refers_to` also takes
	# for the root's bucket of that address.)
	dev == {["aws_s3_bucket_public_access_block.b", ""], ["module.m.aws_s3_bucket_public_access_block.b", "module.m"]}
	prod := policy_blocks("aws_s3_bucket_policy.b", "envs/prod") with input as joins_input
	prod == set()
}
