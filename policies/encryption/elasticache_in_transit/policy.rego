# METADATA
# title: ElastiCache cache without encryption in transit
# description: >-
#   An `aws_elasticache_replication_group` / `AWS::ElastiCache::ReplicationGroup` does not set
#   `transit_encryption_enabled` / `TransitEncryptionEnabled` to true, so clients talk to the
#   cache in clear text and Redis AUTH tokens cannot be used (the default is off for the redis
#   and valkey engines alike). A cache cluster (`aws_elasticache_cluster` /
#   `AWS::ElastiCache::CacheCluster`) can be encrypted in transit only with the memcached engine
#   from version 1.6.12 (a redis or valkey one needs a replication group, and no cluster has an
#   at-rest setting): one whose engine and engine version are written as such and that does not set
#   `transit_encryption_enabled` / `TransitEncryptionEnabled` to true is reported; an earlier, left
#   out or unknown version is not. A transit encryption mode of `preferred`
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

cluster_keys := {
	"aws_elasticache_cluster": {"attribute": "transit_encryption_enabled", "engine": "engine", "version": "engine_version"},
	"AWS::ElastiCache::CacheCluster": {"attribute": "TransitEncryptionEnabled", "engine": "Engine", "version": "EngineVersion"},
}

# A memcached cluster whose version supports TLS (1.6.12 and later) left unencrypted.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := cluster_keys[r.type]
	engine := r.config[keys.engine]
	is_string(engine)
	lower(engine) == "memcached"
	version := r.config[keys.version]
	is_string(version)
	memcached_supports_tls(version)
	some off in util.disabled(r, [], keys.attribute)
	finding := {
		"resource": r.address,
		"message": sprintf("The memcached cluster accepts unencrypted connections though its version %s supports TLS: enable in-transit encryption.", [version]),
		"evidence": sprintf("%s not true", [keys.attribute]),
		"path": off.path,
		"when": off.when,
	}
}

# Memcached encrypts in transit from 1.6.12.
memcached_supports_tls(version) if {
	regex.match(`^[0-9]+\.[0-9]+\.[0-9]+$`, version)
	parts := [to_number(p) | some p in split(version, ".")]
	((parts[0] * 1000) + parts[1]) * 1000 + parts[2] >= 1006012
}
