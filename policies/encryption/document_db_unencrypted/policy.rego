# METADATA
# title: DocumentDB or Neptune cluster storage not encrypted
# description: >-
#   An Amazon DocumentDB or Neptune cluster does not set `storage_encrypted` /
#   `StorageEncrypted` to true (`aws_docdb_cluster`, `aws_neptune_cluster`,
#   `AWS::DocDB::DBCluster`, `AWS::Neptune::DBCluster`); both default to unencrypted and the
#   setting cannot be changed later. Clusters restored from a snapshot inherit its encryption
#   and are reported only for an explicit false.
# custom:
#   id: TG-ENC-022
#   severity: high
#   category: encryption
#   remediation: Set storage_encrypted = true (StorageEncrypted true), optionally with a customer managed kms_key_id.
#   controls: [AWS-FSBP-DocumentDB.1, AWS-FSBP-Neptune.1]
package tollgate.rules.encryption.document_db_unencrypted

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_docdb_cluster": {"encrypted": "storage_encrypted", "snapshot": "snapshot_identifier"},
	"aws_neptune_cluster": {"encrypted": "storage_encrypted", "snapshot": "snapshot_identifier"},
	"AWS::DocDB::DBCluster": {"encrypted": "StorageEncrypted", "snapshot": "SnapshotIdentifier"},
	"AWS::Neptune::DBCluster": {"encrypted": "StorageEncrypted", "snapshot": "SnapshotIdentifier"},
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some off in util.disabled(r, [], keys.encrypted)
	not restored(r, keys, off.path)
	finding := {
		"resource": r.address,
		"message": "The cluster's storage is not encrypted: set storage encryption to true.",
		"evidence": sprintf("%s not true", [keys.encrypted]),
		"path": off.path,
		"when": off.when,
	}
}

restored(r, keys, path) if {
	path == []
	not util.is_absent(r.config, keys.snapshot)
}
