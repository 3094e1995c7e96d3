# METADATA
# title: Redshift audit logging disabled
# description: >-
#   A Redshift cluster records no audit log (connections, users, user activity): no `logging`
#   block with `enable = true` on `aws_redshift_cluster` and no `aws_redshift_logging`
#   referring to it, or no `LoggingProperties` on `AWS::Redshift::Cluster`. When an
#   `aws_redshift_logging` names a cluster that cannot be resolved, clusters are not reported.
#   With `unknown_values: advisory`, an inline `logging` block that only a `dynamic` block over
#   a collection Tollgate cannot know creates is reported as cannot tell.
# custom:
#   id: TG-LOG-014
#   severity: medium
#   category: logging
#   remediation: Enable audit logging to S3 or CloudWatch Logs (aws_redshift_logging, or LoggingProperties).
#   controls: [AWS-FSBP-Redshift.4]
package tollgate.rules.logging.redshift_audit_logging

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The Redshift cluster writes no audit logs: enable audit logging."

clusters := util.resources("aws_redshift_cluster")

inline_logging(r) if {
	some block in util.certain_blocks(r, [], "logging")
	not util.is_false(object.get(block.value, "enable", true))
}

# The `for_each` expressions of inline logging blocks that a `dynamic` block over a collection
# Tollgate cannot know creates: there may be none.
possible_logging(r) := [e |
	some i, block in util.block_list(r.config.logging)
	e := util.unknown_for_each(r, ["logging", i])
	not util.is_false(object.get(block, "enable", true))
]

unresolved_logging if {
	some l in util.resources("aws_redshift_logging")
	not refers_to_some_cluster(l)
}

refers_to_some_cluster(l) if {
	some cluster in util.referred(l)
	cluster.type == "aws_redshift_cluster"
	cluster.mode == "managed"
}

deny contains finding if {
	some r in clusters
	not inline_logging(r)
	count(possible_logging(r)) == 0
	not util.referenced_by_any(r, {"aws_redshift_logging"})
	not unresolved_logging
	finding := {"resource": r.address, "message": message, "evidence": "audit logging not enabled", "path": []}
}

deny contains finding if {
	some r in clusters
	not inline_logging(r)
	not util.referenced_by_any(r, {"aws_redshift_logging"})
	not unresolved_logging
	count(possible_logging(r)) > 0
	finding := settings.cannot_tell(r.address, ["logging"], {"$unknown": possible_logging(r)[0]}, "The cluster's logging block comes from a collection Tollgate cannot know, so there may be none: make sure audit logging is enabled.")
}

deny contains finding if {
	some r in util.resources("AWS::Redshift::Cluster")
	some unset in util.missing(r, [], "LoggingProperties")
	finding := {"resource": r.address, "message": message, "evidence": "audit logging not enabled", "path": unset.path, "when": unset.when}
}
