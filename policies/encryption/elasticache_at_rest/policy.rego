# METADATA
# title: ElastiCache replication group not encrypted at rest
# description: >-
#   An `aws_elasticache_replication_group` / `AWS::ElastiCache::ReplicationGroup` does not set
#   `at_rest_encryption_enabled` / `AtRestEncryptionEnabled` to true, so its data and backups
#   are stored unencrypted (the setting cannot be changed after creation). Left out, it defaults
#   to true for the `valkey` engine and to false for `redis` (the default engine), so a valkey
#   group that leaves it out is not reported; with `unknown_values: advisory`, one whose engine
#   is unknown gets a "cannot tell" finding.
# custom:
#   id: TG-ENC-009
#   severity: medium
#   category: encryption
#   remediation: Set at_rest_encryption_enabled = true (AtRestEncryptionEnabled true), optionally with a customer managed kms_key_id.
#   controls: [AWS-FSBP-ElastiCache.4]
package tollgate.rules.encryption.elasticache_at_rest

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_elasticache_replication_group": "at_rest_encryption_enabled",
	"AWS::ElastiCache::ReplicationGroup": "AtRestEncryptionEnabled",
}

engine_keys := {"aws_elasticache_replication_group": "engine", "AWS::ElastiCache::ReplicationGroup": "Engine"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	not encrypted_by_default(r, off.path)
	not engine_unknown(r, off.path)
	finding := {
		"resource": r.address,
		"message": "The cache's data is not encrypted at rest: enable at-rest encryption.",
		"evidence": sprintf("%s not true", [attribute]),
		"path": off.path,
		"when": off.when,
	}
}

# Left out, the setting is true for the valkey engine and false for redis (the default engine).
encrypted_by_default(r, path) if {
	path == []
	engine := r.config[engine_keys[r.type]]
	is_string(engine)
	lower(engine) == "valkey"
}

engine_unknown(r, path) if {
	path == []
	util.is_unknown(r.config[engine_keys[r.type]])
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	off.path == []
	key := engine_keys[r.type]
	finding := settings.cannot_tell(r.address, [key], r.config[key], "The cache leaves at-rest encryption to its engine's default, which is on for valkey and off for redis: set at-rest encryption to true.")
}
