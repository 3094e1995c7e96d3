# METADATA
# title: ElastiCache replication group not encrypted at rest
# description: >-
#   An `aws_elasticache_replication_group` / `AWS::ElastiCache::ReplicationGroup` does not set
#   `at_rest_encryption_enabled` / `AtRestEncryptionEnabled` to true, so its data and backups
#   are stored unencrypted (the setting cannot be changed after creation).
# custom:
#   id: TG-ENC-009
#   severity: medium
#   category: encryption
#   remediation: Set at_rest_encryption_enabled = true (AtRestEncryptionEnabled true), optionally with a customer managed kms_key_id.
#   controls: [AWS-FSBP-ElastiCache.4]
package tollgate.rules.encryption.elasticache_at_rest

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_elasticache_replication_group": "at_rest_encryption_enabled",
	"AWS::ElastiCache::ReplicationGroup": "AtRestEncryptionEnabled",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The cache's data is not encrypted at rest: enable at-rest encryption.",
		"evidence": sprintf("%s not true", [attribute]),
		"path": off.path,
		"when": off.when,
	}
}
