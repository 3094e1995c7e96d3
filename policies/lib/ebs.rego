# METADATA
# description: >-
#   EBS encryption decided outside the volume or device itself: the account's encryption by
#   default, and the snapshot a volume is restored from (which it inherits encryption from).
package tollgate.lib.ebs

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# The input manages EBS encryption by default and leaves it on.
account_default_encryption if {
	some r in util.resources("aws_ebs_encryption_by_default")
	not util.is_false(object.get(r.config, "enabled", true))
}

# The snapshot `r` restores from (`snapshot`, a value of its config) is one the input declares
# encrypted: an `aws_ebs_snapshot_copy` with encrypted = true, or an `aws_ebs_snapshot` of an
# `aws_ebs_volume` with encrypted = true.
encrypted_snapshot(r, snapshot) if {
	some t in declared_snapshots(r, snapshot)
	t.type == "aws_ebs_snapshot_copy"
	util.is_true(t.config.encrypted)
}

encrypted_snapshot(r, snapshot) if {
	some t in declared_snapshots(r, snapshot)
	t.type == "aws_ebs_snapshot"
	some volume in util.referred(t)
	volume.type == "aws_ebs_volume"
	volume.mode == "managed"
	util.is_true(volume.config.encrypted)
}

# The snapshot resources of the input a Terraform reference such as `aws_ebs_snapshot.db.id`
# names, from `r`'s module.
declared_snapshots(r, snapshot) := [t |
	some t in util.referred(r)
	t.mode == "managed"
	t.type in {"aws_ebs_snapshot", "aws_ebs_snapshot_copy"}
	parts := split(snapshot["$unknown"], ".")
	parts[0] == t.type
	util.reference_matches(r.module, concat(".", [t.type, split(parts[1], "[")[0]]), t.address)
]

# With `unknown_values: advisory`, the finding for a volume or device at `path` of `r` that
# leaves encryption to the snapshot `snapshot` it is restored from, when neither the account
# default nor a snapshot the input declares settles it: encrypted only if that snapshot is.
snapshot_decides(r, path, snapshot, encrypted_key, subject, when) := {
	"resource": r.address,
	"path": path,
	"message": sprintf("%s is restored from snapshot %s and does not set %s: it is encrypted only if that snapshot is. Set %s to true to be sure.", [subject, util.label(snapshot), encrypted_key, encrypted_key]),
	"evidence": sprintf("%s not set, from snapshot %s", [encrypted_key, util.label(snapshot)]),
	"unknown": sprintf("the encryption of snapshot %s", [util.label(snapshot)]),
	"when": when,
} if {
	settings.unknown_values == "advisory"
	not account_default_encryption
	not encrypted_snapshot(r, snapshot)
}
