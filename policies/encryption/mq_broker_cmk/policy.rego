# METADATA
# title: Amazon MQ broker not encrypted with a customer managed KMS key
# description: >-
#   Only active when the repository sets `mq_require_cmk: true` in its rule settings.
#   Amazon MQ always encrypts a broker's data at rest. Unless told otherwise it uses a key AWS
#   owns outside the account (`use_aws_owned_key` defaults to true, and so does `UseAwsOwnedKey`
#   when `EncryptionOptions` is left out); with the AWS owned key off and no key named, it uses
#   the AWS managed key `aws/mq`, whose policy the account cannot change. This rule reports an
#   ActiveMQ broker (`aws_mq_broker`, `AWS::AmazonMQ::Broker`) that does not name a customer
#   managed key in `encryption_options.kms_key_id` / `EncryptionOptions.KmsKeyId` with the AWS
#   owned key turned off, for where access to the data must be revocable through a key policy
#   and each use of the key audited in CloudTrail. RabbitMQ brokers are not reported: Amazon MQ
#   encrypts them with an AWS owned key and accepts no other, so such a finding could only be
#   waived or answered by changing the engine. With `unknown_values: advisory`, an engine type or
#   `use_aws_owned_key` Tollgate cannot know that decides, or an `encryption_options` block only a
#   `dynamic` block over an unknown collection creates, is reported as cannot tell.
# custom:
#   id: TG-ENC-028
#   severity: low
#   category: encryption
#   remediation: Set use_aws_owned_key = false and kms_key_id to a customer managed key (EncryptionOptions UseAwsOwnedKey false and KmsKeyId); the broker is replaced.
package tollgate.rules.encryption.mq_broker_cmk

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The broker's data at rest is encrypted with a key AWS owns or manages: turn the AWS owned key off and name a customer managed KMS key."

evidence := "no customer managed key"

# Amazon MQ takes a key of the account's choosing for ActiveMQ only (the engine type is matched
# without case, as the API does).
takes_customer_key(engine) if {
	is_string(engine)
	lower(engine) == "activemq"
}

# `kms_key_id` naming the AWS managed key by its alias (`alias/aws/mq` or its ARN).
aws_managed_key(key) if {
	is_string(key)
	regex.match(`(^|:)alias/aws/mq$`, key)
}

# Where a Terraform `encryption_options` block leaves the broker on a key AWS owns or manages,
# relative to the block: a `use_aws_owned_key` set true, else a `kms_key_id` written empty,
# else the block (no key named, or a key named while `use_aws_owned_key` keeps its default,
# true), else a `kms_key_id` naming `aws/mq`. Undefined when a customer managed key may be used,
# or when an unknown `use_aws_owned_key` decides (the cannot-tell clause).
terraform_aws_key_at(options) := ["use_aws_owned_key"] if {
	util.is_true(options.use_aws_owned_key)
} else := ["kms_key_id"] if {
	options.kms_key_id == ""
} else := [] if {
	util.is_absent(options, "kms_key_id")
} else := [] if {
	util.is_absent(options, "use_aws_owned_key")
} else := ["kms_key_id"] if {
	util.is_false(options.use_aws_owned_key)
	aws_managed_key(options.kms_key_id)
}

# `[{path, when}]`: where a broker is on a key AWS owns or manages, whatever its engine.
terraform_places(r) := array.concat(
	[{"path": [], "when": ""} | util.is_empty(r.config, "encryption_options")],
	[{"path": array.concat(["encryption_options", i], at), "when": ""} |
		some i, options in util.block_list(r.config.encryption_options)
		is_object(options)
		not util.is_unknown(options)
		at := terraform_aws_key_at(options)
	],
)

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("aws_mq_broker")
	takes_customer_key(r.config.engine_type)
	some place in terraform_places(r)
	finding := {"resource": r.address, "message": message, "evidence": evidence, "path": place.path}
}

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("aws_mq_broker")
	count(terraform_places(r)) > 0
	finding := settings.cannot_tell(r.address, ["engine_type"], r.config.engine_type, "The broker is encrypted with a key AWS owns or manages, and if its engine is ActiveMQ it can take a customer managed KMS key: name one.")
}

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("aws_mq_broker")
	takes_customer_key(r.config.engine_type)
	some i, options in util.block_list(r.config.encryption_options)
	is_object(options)
	not util.is_empty(options, "kms_key_id")
	finding := settings.cannot_tell(r.address, ["encryption_options", i, "use_aws_owned_key"], object.get(options, "use_aws_owned_key", null), "The broker may be encrypted with the AWS owned key rather than the customer managed KMS key it names: set use_aws_owned_key = false.")
}

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("aws_mq_broker")
	takes_customer_key(r.config.engine_type)
	finding := settings.cannot_tell(r.address, ["encryption_options"], util.unknown_presence(r, [], "encryption_options"), "The broker's encryption_options come from a collection Tollgate cannot know, so it may use the AWS owned key: name a customer managed KMS key.")
}

# CloudFormation: `[{path, when}]` where a broker is on a key AWS owns or manages, whatever its
# engine: no `EncryptionOptions`, `UseAwsOwnedKey` true or left out, or (the AWS owned key off
# or unknown) no `KmsKeyId` or the `aws/mq` alias.
cloudformation_places(r) := array.concat(
	array.concat(
		[{"path": unset.path, "when": unset.when} | some unset in util.missing(r, [], "EncryptionOptions")],
		[{"path": ["EncryptionOptions", "UseAwsOwnedKey"], "when": possible.condition} |
			some possible in util.possible_values(r, ["EncryptionOptions", "UseAwsOwnedKey"])
			util.is_true(possible.value)
		],
	),
	array.concat(
		[{"path": ["EncryptionOptions"], "when": ""} |
			options := util.value_at(r, ["EncryptionOptions"])
			is_object(options)
			util.is_absent(options, "UseAwsOwnedKey")
		],
		array.concat(
			[{"path": unset.path, "when": when} |
				some possible in util.possible_values(r, ["EncryptionOptions", "UseAwsOwnedKey"])
				not util.is_true(possible.value)
				some unset in util.missing(r, ["EncryptionOptions"], "KmsKeyId")
				when := util.conjunction([possible.condition, unset.when])
			],
			[{"path": ["EncryptionOptions", "KmsKeyId"], "when": when} |
				some possible in util.possible_values(r, ["EncryptionOptions", "UseAwsOwnedKey"])
				util.is_false(possible.value)
				some key in util.possible_values(r, ["EncryptionOptions", "KmsKeyId"])
				aws_managed_key(key.value)
				when := util.conjunction([possible.condition, key.condition])
			],
		),
	),
)

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("AWS::AmazonMQ::Broker")
	some engine in util.possible_values(r, ["EngineType"])
	takes_customer_key(engine.value)
	some place in cloudformation_places(r)
	when := util.conjunction([engine.condition, place.when])
	finding := {"resource": r.address, "message": message, "evidence": evidence, "path": place.path, "when": when}
}

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("AWS::AmazonMQ::Broker")
	count(cloudformation_places(r)) > 0
	some finding in settings.cannot_tell_each(r, ["EngineType"], "The broker is encrypted with a key AWS owns or manages, and if its engine is ActiveMQ it can take a customer managed KMS key: name one.")
}

deny contains finding if {
	settings.mq_require_cmk
	some r in util.resources("AWS::AmazonMQ::Broker")
	some engine in util.possible_values(r, ["EngineType"])
	takes_customer_key(engine.value)
	not util.is_empty(util.value_at(r, ["EncryptionOptions"]), "KmsKeyId")
	some cannot in settings.cannot_tell_each(r, ["EncryptionOptions", "UseAwsOwnedKey"], "The broker may be encrypted with the AWS owned key rather than the customer managed KMS key it names: set UseAwsOwnedKey to false.")
	when := util.conjunction([engine.condition, cannot.when])
	finding := object.union(cannot, {"when": when})
}
