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
#   A call of the registry module terraform-aws-modules/rds/aws (or its `//modules/db_instance`)
#   passes `storage_encrypted` to its `aws_db_instance`: an explicit false is reported on the call,
#   unless the call creates no database (`create_db_instance`, `create` in the submodule) or the
#   database inherits its encryption (`replicate_source_db`, `snapshot_identifier`).
# custom:
#   id: TG-ENC-004
#   severity: high
#   category: encryption
#   remediation: Set storage_encrypted = true (StorageEncrypted true), optionally with a customer managed kms_key_id. Existing databases are encrypted by restoring an encrypted snapshot copy.
#   controls: [CIS-AWS-2.3.1, AWS-FSBP-RDS.3, AWS-FSBP-RDS.27]
package tollgate.rules.encryption.rds_unencrypted

import data.tollgate.lib.registry
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

# The module's switch that turns its database off, per submodule it is called as.
module_create_switches := {"": "create_db_instance", "modules/db_instance": "create"}

deny contains finding if {
	some r in input.resources
	registry.is_call(r, "terraform-aws-modules/rds/aws")
	create := module_create_switches[registry.submodule(r.moduleSource)]
	not util.is_false(object.get(r.config, create, true))
	every key in attributes.aws_db_instance.inherited {
		util.is_absent(r.config, key)
	}
	some possible in util.possible_values(r, ["storage_encrypted"])
	util.is_false(possible.value)
	finding := {
		"resource": r.address,
		"message": "The database module is called with storage_encrypted = false: its database storage is not encrypted; set it to true.",
		"evidence": "storage_encrypted not true",
		"path": ["storage_encrypted"],
		"when": possible.condition,
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
