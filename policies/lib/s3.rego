# METADATA
# description: >-
#   S3 buckets and the settings that AWS provider v4+ splits into separate resources
#   (`aws_s3_bucket_logging`, `aws_s3_bucket_policy`, ...), joined through `references` or the
#   bucket's name: a rule asks whether a bucket has a setting without caring where it was written. A call of the
#   registry module terraform-aws-modules/s3-bucket/aws is a bucket too: what it creates from its
#   arguments, with the defaults of the release the call gets, is described here.
package tollgate.lib.s3

import data.tollgate.lib.registry
import data.tollgate.lib.util
import rego.v1

bucket_types := {"aws_s3_bucket", "AWS::S3::Bucket"}

buckets := [r | some r in input.resources; r.mode == "managed"; r.type in bucket_types]

# The separate configuration resources of `type` that apply to `bucket`, in input order: they
# refer to it (`util.refers_to`), or name it (`bucket = "example-logs"`, CloudFormation `Bucket:
# example-logs`) by the name it has, in any root of its source. Looked up in indexes built once
# per evaluation: testing every resource for each bucket grew with the square of the input
# (`npm run bench -- scale`). The positions are sorted: our runtime iterates a set in the order its
# elements were added.
settings(bucket, type) := [input.resources[i] | some i in sort(setting_positions(bucket, type))]

setting_positions(bucket, type) := {i |
	some name in util.target_names(bucket)
	some i in util.referring_positions[[object.get(bucket, "root", ""), bucket.source, name]]
	input.resources[i].type == type
	input.resources[i].mode == "managed"
} | {i |
	name := own_name(bucket)
	is_string(name)
	some i in naming_positions[[bucket.source, type, name]]
}

# `naming_positions[[source, type, name]]`: the positions in `input.resources` of the managed
# resources of `source` and `type` whose bucket is written as the known name `name`.
naming_positions[[r.source, r.type, name]] contains i if {
	some i, r in input.resources
	r.mode == "managed"
	name := named_bucket(r)
	is_string(name)
}

# Some setting of `type` configures `bucket` wherever the bucket exists: its `count` or `for_each`
# is known, or decided as the bucket's is (`util.may_be_absent_with`).
has_certain_setting(bucket, type) if {
	some setting in settings(bucket, type)
	not util.may_be_absent_with(setting, bucket)
}

# The bucket name a configuration resource writes, and the name a bucket (or bucket module call)
# is given.
named_bucket(r) := object.get(r.config, "bucket", null) if r.source == "terraform"

named_bucket(r) := object.get(r.config, "Bucket", null) if r.source == "cloudformation"

own_name(bucket) := object.get(bucket.config, "BucketName", null) if bucket.type == "AWS::S3::Bucket"

own_name(bucket) := object.get(bucket.config, "bucket", null) if bucket.type != "AWS::S3::Bucket"

# A configuration resource of `type` exists whose bucket cannot be joined: its bucket is not a
# known name and it refers to no bucket nor bucket module call in the input, or it names a bucket
# no bucket of the input has the name of while one of them has a name Tollgate cannot know. Then
# "no such setting" cannot be told for any bucket of the same source, and rules stay silent
# rather than guess. A configuration naming a bucket when every bucket's name is known configures
# a bucket another deployment manages.
has_unjoined(type) if unjoined_types[type]

unjoined_types contains r.type if {
	some r in input.resources
	r.mode == "managed"
	not configures_some_bucket(r)
	unjoined(r)
}

unjoined(r) if not is_string(named_bucket(r))

unjoined(r) if {
	is_string(named_bucket(r))
	unnamed_bucket_sources[r.source]
}

configures_some_bucket(r) if count(referred_buckets(r)) > 0

configures_some_bucket(r) if {
	name := named_bucket(r)
	is_string(name)
	bucket_name_positions[[r.source, name]]
}

# Buckets and bucket module calls, and indexes into them by the names a reference or a
# configuration's `bucket` gives them.
bucket_targets := array.concat(buckets, module_buckets)

# `bucket_target_positions[[root, source, name]]`: the positions in `bucket_targets` of those a
# reference of a resource of `root` and `source` names when written `name` (`util.target_names`).
bucket_target_positions[[object.get(t, "root", ""), t.source, name]] contains k if {
	some k, t in bucket_targets
	some name in util.target_names(t)
}

# `bucket_name_positions[[source, name]]`: the positions in `bucket_targets` of those of `source`
# given the known name `name`.
bucket_name_positions[[t.source, name]] contains k if {
	some k, t in bucket_targets
	name := own_name(t)
	is_string(name)
}

unnamed_bucket_sources contains t.source if {
	some t in bucket_targets
	not is_string(own_name(t))
}

# The positions in `bucket_targets` of the buckets and calls `r` refers to (`util.refers_to`):
# each reference as written in `r`'s module or with its module path before it, in `r`'s root.
referred_buckets(r) := {k |
	some key in util.reference_keys(r)
	some k in bucket_target_positions[key]
}

bucket_module := "terraform-aws-modules/s3-bucket/aws"

# Calls of the bucket module itself (no submodule) that create a general purpose bucket:
# `create_bucket = false` creates nothing, and a directory bucket (`is_directory_bucket`) has
# Block Public Access always on and neither the module's public access block nor its deny
# policies. `is_module_bucket(r)` tells whether `r` is one, for a join that looks its candidates
# up (`util.referring`) rather than scanning these calls for each call.
module_buckets := [r | some r in input.resources; is_module_bucket(r)]

is_module_bucket(r) if {
	registry.is_call(r, bucket_module)
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create_bucket", true))
	not util.is_true(object.get(r.config, "is_directory_bucket", false))
}

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

# Block Public Access that contains a public grant in an S3 bucket or access point policy: a
# flag that rejects a public policy (`block_public_policy`) or limits a public one to the owner
# account and AWS services (`restrict_public_buckets`), true in a configuration that covers the
# policy's bucket: an `aws_s3_bucket_public_access_block` joined to the bucket through
# references or the bucket's name, an `aws_s3_account_public_access_block` of the same
# Terraform root, the bucket module's own block (with its release's defaults), CloudFormation
# `PublicAccessBlockConfiguration` on the bucket the policy's `Bucket` refers to, or an access
# point's own configuration (all four flags are on for an access point that writes none, and
# Terraform defaults a flag left out of its block to true). An unknown flag contains nothing, nor
# does a CloudFormation flag written under an `Fn::If` the template cannot decide, or read from a
# parameter whose `AllowedValues` let a deployment turn it off (it contains only the deployments
# where its condition holds, or the parameter gives true).
# `public_access_containment[address]` names what contains the policy of `address`; every
# resource of that address must be contained (two roots may both hold one address).
public_access_containment[address] := container if {
	some address in carrier_addresses
	container := first_container(address, "policy")
}

# The same for a public bucket ACL (`aws_s3_bucket_acl`, the legacy `acl` of `aws_s3_bucket`, the
# bucket module's `acl` and `grant`, CloudFormation `AccessControl`): a flag that rejects a public
# ACL (`block_public_acls`) or makes S3 ignore every public ACL (`ignore_public_acls`), in the
# same configurations (CloudFormation: the bucket's own `PublicAccessBlockConfiguration`).
acl_containment[address] := container if {
	some address in acl_carrier_addresses
	container := first_container(address, "acl")
}

first_container(address, kind) := sort(containers)[0] if {
	found := [containers_of(input.resources[i], kind) | some i in address_positions[address]]
	every carrier_containers in found {
		count(carrier_containers) > 0
	}
	containers := {text | some carrier_containers in found; some text in carrier_containers}
}

carrier_addresses contains r.address if {
	some r in input.resources
	r.type in policy_carrier_types
}

acl_carrier_addresses contains r.address if {
	some r in input.resources
	r.type in acl_carrier_types
}

# `address_positions[address]`: the positions in `input.resources` of the resources of `address`.
address_positions[r.address] contains i if some i, r in input.resources

policy_carrier_types := {
	"aws_s3_bucket",
	"aws_s3_bucket_policy",
	"aws_s3_access_point",
	"module",
	"AWS::S3::BucketPolicy",
	"AWS::S3::AccessPoint",
}

acl_carrier_types := {"aws_s3_bucket", "aws_s3_bucket_acl", "module", "AWS::S3::Bucket"}

# The flags that contain a public policy (`policy`) or a public ACL (`acl`).
containing_flags := {
	"policy": {
		"terraform": ["block_public_policy", "restrict_public_buckets"],
		"cloudformation": ["BlockPublicPolicy", "RestrictPublicBuckets"],
	},
	"acl": {
		"terraform": ["block_public_acls", "ignore_public_acls"],
		"cloudformation": ["BlockPublicAcls", "IgnorePublicAcls"],
	},
}

containers_of(r, kind) := union({
	block_containers(r, containing_flags[kind].terraform),
	account_containers(r, containing_flags[kind].terraform),
	module_containers(r, containing_flags[kind].terraform),
	cloudformation_containers(r, containing_flags[kind].cloudformation),
	access_point_containers(r),
})

block_containers(r, flags) := {sprintf("%s (%s)", [block.address, flag]) |
	r.source == "terraform"
	some block in covering_blocks(r)
	some flag in flags
	util.is_true(block.config[flag])
}

account_containers(r, flags) := {sprintf("%s (%s)", [account.address, flag]) |
	r.source == "terraform"
	some account in account_blocks(r)
	some flag in flags
	util.is_true(account.config[flag])
}

module_containers(r, flags) := {sprintf("the module's public access block (%s)", [flag]) |
	r.mode == "module"
	registry.module_address(r.moduleSource) == bucket_module
	util.is_true(module_argument(r, "attach_public_policy"))
	some flag in flags
	util.is_true(module_argument(r, flag))
}

# A bucket's Block Public Access contains `r`'s grants only where the bucket exists with `r`: one
# with an undecided `Condition` that `r` lacks may be missing, and the name another's.
cloudformation_containers(r, flags) := {sprintf("%s (PublicAccessBlockConfiguration.%s)", [bucket.address, flag]) |
	r.source == "cloudformation"
	some bucket in cloudformation_buckets_of(r)
	util.exists_with(bucket, r)
	some flag in flags
	true_everywhere(bucket, ["PublicAccessBlockConfiguration", flag])
}

# The CloudFormation flag at `path` of `r` is true in every deployment: written outright (under no
# undecided `Fn::If`) and true whatever the deployment gives the parameters it reads. A parameter
# whose `Default`, the value of record in `config`, is true may be deployed false when its
# `AllowedValues` list several values (`alternatives`) or none (`parameterDefaults`).
true_everywhere(r, path) if {
	util.is_true(object.get(r.config, path, null))
	util.unconditional(r, path)
	every possible in flag_values(r, path) {
		util.is_true(possible.value)
	}
}

# `[{value, condition}]`: the values a deployment may give the CloudFormation flag at `path` of
# `r` (`util.possible_values`); for a parameter's `Default` that a deployment may replace
# (`parameterDefaults`), written outright, true and false, under "P is true" and "P is false"
# (a Boolean property takes no other value).
flag_values(r, path) := [
	{"value": true, "condition": sprintf("%s is true", [name])},
	{"value": false, "condition": sprintf("%s is false", [name])},
] if {
	name := object.get(r, "parameterDefaults", {})[util.pointer(path)]
	[possible] := util.possible_values(r, path)
	possible.condition == ""
} else := util.possible_values(r, path)

# Access points have no ACL: their own Block Public Access contains policies only, and
# `acl_carrier_types` holds no access point.
access_point_containers(r) := {"the access point's own Block Public Access (on by default)" |
	r.type in {"aws_s3_access_point", "AWS::S3::AccessPoint"}
	util.is_absent(r.config, object.get({"aws_s3_access_point": "public_access_block_configuration"}, r.type, "PublicAccessBlockConfiguration"))
} | {sprintf("the access point's public_access_block_configuration (%s)", [flag]) |
	r.type == "aws_s3_access_point"
	some block in util.block_list(r.config.public_access_block_configuration)
	some flag in containing_flags.policy.terraform
	object.get(block, flag, true) == true
} | {sprintf("the access point's PublicAccessBlockConfiguration.%s", [flag]) |
	r.type == "AWS::S3::AccessPoint"
	some flag in containing_flags.policy.cloudformation
	true_everywhere(r, ["PublicAccessBlockConfiguration", flag])
}

# `public_access_uncertain[address]`: when every container of a policy of `address` (among those
# `public_access_containment` names) is a Terraform public access block, the bucket's or the
# account's, that may be absent where the policy is (`util.may_be_absent_with`: a `count` or
# `for_each` Tollgate cannot know, not the policy's own), the set of those unknown values.
# Undefined when something contains the policy in any case. `acl_uncertain` is the same for ACLs.
public_access_uncertain[address] := unknowns if {
	contained := public_access_containment
	some address, _ in contained
	unknowns := uncertain_containment(address, "policy")
	count(unknowns) > 0
}

acl_uncertain[address] := unknowns if {
	contained := acl_containment
	some address, _ in contained
	unknowns := uncertain_containment(address, "acl")
	count(unknowns) > 0
}

uncertain_containment(address, kind) := {unknown |
	some i in address_positions[address]
	r := input.resources[i]
	absent := absent_containers(r, containing_flags[kind].terraform)
	every text in containers_of(r, kind) {
		absent[text]
	}
	some unknown in absent
}

# `{container text: unknown}` for the public access blocks containing `r`'s grants that may be
# absent where `r` is.
absent_containers(r, flags) := object.union(
	{sprintf("%s (%s)", [block.address, flag]): unknown |
		r.source == "terraform"
		some block in covering_blocks(r)
		some flag in flags
		util.is_true(block.config[flag])
		unknown := util.may_be_absent_with(block, r)
	},
	{sprintf("%s (%s)", [account.address, flag]): unknown |
		r.source == "terraform"
		some account in account_blocks(r)
		some flag in flags
		util.is_true(account.config[flag])
		unknown := util.may_be_absent_with(account, r)
	},
)

# An access point whose own Block Public Access only a `public_access_block_configuration` that a
# `dynamic` block over a collection Tollgate cannot know creates leaves without containment: the
# collection's expression. Without the configuration the access point keeps its block on, so its
# grants are exposed only when the collection is not empty. Undefined when something contains
# them in any case, and for a configuration written outright.
access_point_exposed_unless_empty[address] := expression if {
	contained := public_access_containment
	some r in util.resources("aws_s3_access_point")
	address := r.address
	not contained[address]
	expression := util.unknown_presence(r, [], "public_access_block_configuration")["$unknown"]
}

# A CloudFormation policy of `address` (one resource of that address) that no Block Public Access
# contains in every deployment (`public_access_containment`) but one contains in some: a flag
# that contains it (`BlockPublicPolicy`, `RestrictPublicBuckets`, on the bucket or the access
# point's own configuration) is true only under conditions the template cannot decide, chosen by
# an `Fn::If` (the flag, or the configuration whole) or by a parameter's `AllowedValues`. As
# `{container, contained, exposed}`: the first such flag's name, the deployments where one flag is
# on (a list of condition lists, each holding where all of its conditions do), and those where
# none is (a finding's `when`, "" for every deployment; absent when there is none). A flag that is
# unknown counts as off there.
cloudformation_partial_containment[address] := partial if {
	contained := public_access_containment
	some address in carrier_addresses
	not contained[address]
	partial := partial_containment(address, "policy")
}

# The same for the public ACL of a CloudFormation bucket (`AccessControl`) and the bucket's own
# `BlockPublicAcls` and `IgnorePublicAcls`.
cloudformation_partial_acl_containment[address] := partial if {
	contained := acl_containment
	some address in acl_carrier_addresses
	not contained[address]
	partial := partial_containment(address, "acl")
}

partial_containment(address, kind) := partial if {
	count(address_positions[address]) == 1
	some i in address_positions[address]
	r := input.resources[i]
	r.source == "cloudformation"
	flags := cloudformation_flags(r, kind)
	on := [conditions | some f in flags; some conditions in flag_on(f)]
	count(on) > 0
	texts := {f.container | some f in flags; count(flag_on(f)) > 0}
	partial := object.union(
		{"container": sort(texts)[0], "contained": on},
		{"exposed": exposed |
			every f in flags {
				count(flag_off_whens(f)) > 0
			}
			exposed := util.conjunction([flag_off(f) | some f in flags])
		},
	)
}

# The flags that may contain the grants of `kind` of CloudFormation resource `r`, as `{owner,
# path, flag, container}`: its buckets' (existing wherever `r` does) and, for a policy, an access
# point's own.
cloudformation_flags(r, kind) := array.concat(
	[{"owner": bucket, "path": ["PublicAccessBlockConfiguration"], "flag": flag, "container": sprintf("%s (PublicAccessBlockConfiguration.%s)", [bucket.address, flag])} |
		some bucket in cloudformation_buckets_of(r)
		util.exists_with(bucket, r)
		some flag in containing_flags[kind].cloudformation
	],
	[{"owner": r, "path": ["PublicAccessBlockConfiguration"], "flag": flag, "container": sprintf("the access point's PublicAccessBlockConfiguration.%s", [flag])} |
		kind == "policy"
		r.type == "AWS::S3::AccessPoint"
		some flag in containing_flags.policy.cloudformation
	],
)

# The deployments in which flag `f` is true, as condition lists ([] for every deployment).
flag_on(f) := [conditions |
	key_path := array.concat(f.path, [f.flag])
	some possible in flag_values(f.owner, key_path)
	util.is_true(possible.value)
	conditions := [c |
		some c in array.concat(util.conditions_below(object.get(f.owner, "conditional", {}), [], key_path), [possible.condition])
		c != ""
	]
]

# The deployments in which flag `f` is not true, as a finding's `when` ("" for every one): left out
# (of the configuration, or of a branch that chooses it whole), false or unknown (in a branch), or
# written only under conditions. Undefined when it is true in every deployment.
flag_off(f) := "" if {
	"" in flag_off_whens(f)
} else := whens[0] if {
	whens := flag_off_whens(f)
	count(whens) == 1
} else := concat("", ["(", concat(" or ", whens), ")"]) if {
	whens := flag_off_whens(f)
	count(whens) > 1
}

flag_off_whens(f) := sort(whens) if {
	key_path := array.concat(f.path, [f.flag])
	possible := [p | some p in flag_values(f.owner, key_path)]
	conditions := util.conditions_below(object.get(f.owner, "conditional", {}), [], key_path)
	whens := {w | some w in array.concat(
		array.concat(
			["" | count(possible) == 0],
			[p.condition | some p in possible; not util.is_true(p.value)],
		),
		array.concat(
			[branch.condition | some branch in util.branch_objects(f.owner, f.path); util.is_absent(branch.value, f.flag)],
			[util.negation(conditions) | count(conditions) > 0],
		),
	)}
}

# The CloudFormation buckets whose Block Public Access applies to `r`: itself, or those it refers
# to or names by their `BucketName`.
cloudformation_buckets_of(r) := [r] if r.type == "AWS::S3::Bucket"

cloudformation_buckets_of(r) := named_cloudformation_buckets(r) if r.type != "AWS::S3::Bucket"

named_cloudformation_buckets(r) := [bucket_targets[k] |
	some k in cloudformation_bucket_positions(r)
	bucket_targets[k].type == "AWS::S3::Bucket"
]

cloudformation_bucket_positions(r) := referred_buckets(r) | {k |
	is_string(r.config.Bucket)
	some k in bucket_name_positions[["cloudformation", r.config.Bucket]]
}

# Terraform bucket public access blocks with the keys of the bucket each applies to.
public_access_blocks := [{"address": b.address, "type": b.type, "name": b.name, "module": b.module, "config": b.config, "keys": bucket_keys(b)} |
	some b in util.resources("aws_s3_bucket_public_access_block")
]

# `public_access_block_positions[key]`: the positions in `public_access_blocks` of the blocks
# with `key`.
public_access_block_positions[key] contains j if {
	some j, block in public_access_blocks
	some key in block.keys
}

# The public access blocks that apply to the bucket of `r`: one of their keys is one of `r`'s.
covering_blocks(r) := [public_access_blocks[j] | some j in {j |
	some key in bucket_keys(r)
	some j in public_access_block_positions[key]
}]

# The account public access blocks of `r`'s Terraform root.
account_blocks(r) := [input.resources[i] | some i in account_block_positions[r.root]]

account_block_positions[input.resources[i].root] contains i if {
	some i in util.managed_positions.aws_s3_account_public_access_block
}

# What identifies the bucket a Terraform resource applies to: `["address", root, address]` of
# each bucket (or bucket module call) it refers to or is, in its root (another root's bucket of
# the same address is another bucket), and `["name", bucket name]` for names known, in any root
# (a bucket name is global).
bucket_keys(r) := keys if {
	root := object.get(r, "root", "")
	referred := [bucket_targets[k] | some k in referred_buckets(r)]
	own := {["address", root, r.address] | r.type == "aws_s3_bucket"} | {["address", root, r.address] | r.mode == "module"}
	names := {["name", t.config.bucket] | some t in array.concat([r], referred); is_string(t.config.bucket)}
	keys := (own | {["address", root, t.address] | some t in referred}) | names
}
