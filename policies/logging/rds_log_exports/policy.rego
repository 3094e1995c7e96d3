# METADATA
# title: RDS, Neptune or DocumentDB database does not export logs to CloudWatch
# description: >-
#   An RDS DB instance, Aurora cluster, Neptune cluster or DocumentDB cluster exports no database
#   logs to CloudWatch Logs (`enabled_cloudwatch_logs_exports`, Neptune's
#   `enable_cloudwatch_logs_exports`, `EnableCloudwatchLogsExports` absent or empty), so
#   connection, error and audit logs stay on the instance and are lost with it. Instances in
#   an Aurora cluster are judged on the cluster. Which log types to export depends on the engine
#   and on what the team investigates (`postgresql`; `audit`, `error`, `general`, `slowquery` for
#   MySQL; `audit` for Neptune and DocumentDB): a database exporting any of them is not
#   reported, since the rule cannot tell which ones a team needs. Read replicas are judged on their own: they do not inherit the source's
#   exports.
# custom:
#   id: TG-LOG-010
#   severity: low
#   category: logging
#   remediation: Export the engine's logs (for example postgresql, or audit, error, general and slowquery for MySQL; audit for Neptune and DocumentDB) with enabled_cloudwatch_logs_exports (enable_cloudwatch_logs_exports on Neptune, EnableCloudwatchLogsExports in CloudFormation).
#   controls: [AWS-FSBP-RDS.9, AWS-FSBP-Neptune.2, AWS-FSBP-DocumentDB.4]
package tollgate.rules.logging.rds_log_exports

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_db_instance": {"exports": "enabled_cloudwatch_logs_exports", "engine": "engine"},
	"aws_rds_cluster": {"exports": "enabled_cloudwatch_logs_exports", "engine": "engine"},
	"AWS::RDS::DBInstance": {"exports": "EnableCloudwatchLogsExports", "engine": "Engine"},
	"AWS::RDS::DBCluster": {"exports": "EnableCloudwatchLogsExports", "engine": "Engine"},
	"aws_neptune_cluster": {"exports": "enable_cloudwatch_logs_exports", "engine": "engine"},
	"AWS::Neptune::DBCluster": {"exports": "EnableCloudwatchLogsExports", "engine": "Engine"},
	"aws_docdb_cluster": {"exports": "enabled_cloudwatch_logs_exports", "engine": "engine"},
	"AWS::DocDB::DBCluster": {"exports": "EnableCloudwatchLogsExports", "engine": "Engine"},
}

in_cluster(r) if {
	r.type in {"aws_db_instance", "AWS::RDS::DBInstance"}
	startswith(r.config[attributes[r.type].engine], "aurora")
}

in_cluster(r) if {
	r.type == "AWS::RDS::DBInstance"
	not util.is_absent(r.config, "DBClusterIdentifier")
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	some unset in util.missing(r, [], keys.exports)
	not in_cluster(r)
	finding := {
		"resource": r.address,
		"message": "The database exports no logs to CloudWatch Logs: enable the engine's log exports.",
		"evidence": sprintf("%s unset", [keys.exports]),
		"path": unset.path,
		"when": unset.when,
	}
}

# Every export written under an undecided CloudFormation Fn::If: none where no condition holds.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	keys := attributes[r.type]
	exports := r.config[keys.exports]
	count(exports) > 0
	util.unconditional(r, [keys.exports])
	every i, _ in exports {
		not util.unconditional(r, [keys.exports, i])
	}
	not in_cluster(r)
	conditions := sort({concat(" and ", util.conditions_below(r.conditional, [keys.exports], [i])) | some i, _ in exports})
	not both_branches(conditions)
	finding := {
		"resource": r.address,
		"message": "The database exports no logs to CloudWatch Logs: enable the engine's log exports.",
		"evidence": sprintf("%s unset", [keys.exports]),
		"path": [],
		"when": util.negation([concat(" or ", conditions)]),
	}
}

# Exports in both branches of one condition (`!If [C, [a, b], [a]]`): some export in every deployment.
both_branches(conditions) if {
	some condition in conditions
	concat("", ["not ", condition]) in conditions
}
