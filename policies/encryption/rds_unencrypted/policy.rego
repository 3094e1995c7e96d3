# METADATA
# title: RDS storage not encrypted
# description: >-
#   An RDS DB instance or Aurora/Multi-AZ DB cluster does not set `storage_encrypted` /
#   `StorageEncrypted` to true (the default is unencrypted). Not reported when encryption is
#   decided elsewhere: instances of an Aurora cluster (the cluster decides), read replicas and
#   restores from snapshots (they inherit the source), members of a global database (the global
#   cluster decides, and is judged itself: `aws_rds_global_cluster` / `AWS::RDS::GlobalCluster`,
#   unencrypted by default unless made from an existing cluster), and Aurora Serverless v1
#   (always encrypted); an explicit false is always reported.
# custom:
#   id: TG-ENC-004
#   severity: high
#   category: encryption
#   remediation: Set storage_encrypted = true (StorageEncrypted true), optionally with a customer managed kms_key_id. Existing databases are encrypted by restoring an encrypted snapshot copy.
#   controls: [CIS-AWS-2.3.1, AWS-FSBP-RDS.3, AWS-FSBP-RDS.27]
package tollgate.rules.encryption.rds_unencrypted

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# The encryption attribute and the attributes that make encryption inherited, per type.
attributes := {
	"aws_db_instance": {"encrypted": "storage_encrypted", "inherited": ["replicate_source_db", "snapshot_identifier"], "engine": "engine"},
	"aws_rds_cluster": {"encrypted": "storage_encrypted", "inherited": ["snapshot_identifier", "replication_source_identifier", "global_cluster_identifier"], "engine": "engine"},
	"AWS::RDS::DBInstance": {"encrypted": "StorageEncrypted", "inherited": ["SourceDBInstanceIdentifier", "DBSnapshotIdentifier", "DBClusterIdentifier", "SourceDBClusterIdentifier"], "engine": "Engine"},
	"AWS::RDS::DBCluster": {"encrypted": "StorageEncrypted", "inherited": ["SnapshotIdentifier", "SourceDBClusterIdentifier", "GlobalClusterIdentifier"], "engine": "Engine"},
	"aws_rds_global_cluster": {"encrypted": "storage_encrypted", "inherited": ["source_db_cluster_identifier"], "engine": "engine"},
	"AWS::RDS::GlobalCluster": {"encrypted": "StorageEncrypted", "inherited": ["SourceDBClusterIdentifier"], "engine": "Engine"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some off in util.disabled(r, [], keys.encrypted)
	not decided_elsewhere(r, keys, off.path)
	finding := {
		"resource": r.address,
		"message": "The database storage is not encrypted: set storage encryption to true.",
		"evidence": sprintf("%s not true", [keys.encrypted]),
		"path": off.path,
		"when": off.when,
	}
}

decided_elsewhere(r, keys, path) if {
	path == []
	some key in keys.inherited
	not util.is_absent(r.config, key)
}

# Instances of an Aurora cluster take the cluster's encryption.
decided_elsewhere(r, keys, path) if {
	path == []
	startswith(r.config[keys.engine], "aurora")
	r.type in {"aws_db_instance", "AWS::RDS::DBInstance"}
}

decided_elsewhere(r, _, path) if {
	path == []
	r.type == "aws_rds_cluster"
	r.config.engine_mode == "serverless"
}

decided_elsewhere(r, _, path) if {
	path == []
	r.type == "AWS::RDS::DBCluster"
	r.config.EngineMode == "serverless"
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some finding in settings.cannot_tell_each(r, [keys.encrypted], "The database storage may not be encrypted: set storage encryption to true.")
}
