# METADATA
# title: ElastiCache replication group without encryption in transit
# description: >-
#   An `aws_elasticache_replication_group` / `AWS::ElastiCache::ReplicationGroup` does not set
#   `transit_encryption_enabled` / `TransitEncryptionEnabled` to true, so clients talk to the
#   cache in clear text and Redis AUTH tokens cannot be used (the default is off for the redis
#   and valkey engines alike). A stand-alone `aws_elasticache_cluster` (Memcached, or a single
#   node outside a replication group) is not judged: AWS's control (FSBP ElastiCache.5) covers
#   replication groups, and Memcached supports in-transit encryption only from 1.6.12, which the
#   rule would have to read from the engine version. A transit encryption mode of `preferred`
#   (`transit_encryption_mode` / `TransitEncryptionMode`), the step AWS has clients migrate
#   through, accepts unencrypted connections beside TLS ones and is reported too; `required`
#   accepts TLS only, and a mode left out is not reported.
# custom:
#   id: TG-ENC-010
#   severity: medium
#   category: encryption
#   remediation: Set transit_encryption_enabled = true (TransitEncryptionEnabled true) and connect with TLS.
#   controls: [AWS-FSBP-ElastiCache.5]
package tollgate.rules.encryption.elasticache_in_transit

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_elasticache_replication_group": "transit_encryption_enabled",
	"AWS::ElastiCache::ReplicationGroup": "TransitEncryptionEnabled",
}

mode_attributes := {
	"aws_elasticache_replication_group": "transit_encryption_mode",
	"AWS::ElastiCache::ReplicationGroup": "TransitEncryptionMode",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some off in util.disabled(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The cache accepts unencrypted connections: enable in-transit encryption.",
		"evidence": sprintf("%s not true", [attribute]),
		"path": off.path,
		"when": off.when,
	}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := mode_attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	is_string(possible.value)
	lower(possible.value) == "preferred"
	finding := {
		"resource": r.address,
		"message": "The cache accepts unencrypted connections beside TLS ones (transit encryption mode preferred): set the mode to required once clients connect with TLS.",
		"evidence": sprintf("%s = %s", [attribute, possible.value]),
		"path": [attribute],
		"when": possible.condition,
	}
}
