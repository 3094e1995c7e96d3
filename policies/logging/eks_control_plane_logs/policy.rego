# METADATA
# title: EKS control plane logging incomplete
# description: >-
#   An EKS cluster does not send the `api`, `audit` and `authenticator` control plane logs to
#   CloudWatch Logs (`enabled_cluster_log_types`, CloudFormation
#   `Logging.ClusterLogging.EnabledTypes[].Type`): without them, who did what in the
#   Kubernetes API cannot be reconstructed. Each missing type is its own finding.
# custom:
#   id: TG-LOG-011
#   severity: medium
#   category: logging
#   remediation: Enable at least the api, audit and authenticator log types (enabled_cluster_log_types).
#   controls: [AWS-FSBP-EKS.8]
package tollgate.rules.logging.eks_control_plane_logs

import data.tollgate.lib.util
import rego.v1

required_types := ["api", "audit", "authenticator"]

# `{resource, enabled, path}`: the enabled log types of each cluster whose list is known.
clusters contains c if {
	some r in util.resources("aws_eks_cluster")
	util.is_absent(r.config, "enabled_cluster_log_types")
	c := {"resource": r.address, "enabled": [], "path": []}
}

clusters contains c if {
	some r in util.resources("aws_eks_cluster")
	types := r.config.enabled_cluster_log_types
	is_array(types)
	c := {"resource": r.address, "enabled": types, "path": ["enabled_cluster_log_types"]}
}

clusters contains c if {
	some r in util.resources("AWS::EKS::Cluster")
	not r.config.Logging.ClusterLogging.EnabledTypes
	c := {"resource": r.address, "enabled": [], "path": []}
}

clusters contains c if {
	some r in util.resources("AWS::EKS::Cluster")
	types := r.config.Logging.ClusterLogging.EnabledTypes
	is_array(types)
	# A type written under an `Fn::If` the template cannot decide is enabled only where its
	# condition holds, so it does not count.
	enabled := [t.Type | some i, t in types; util.unconditional(r, ["Logging", "ClusterLogging", "EnabledTypes", i])]
	c := {"resource": r.address, "enabled": enabled, "path": ["Logging", "ClusterLogging", "EnabledTypes"]}
}

deny contains finding if {
	some c in clusters
	some type in required_types
	not type in c.enabled
	finding := {
		"resource": c.resource,
		"message": sprintf("The cluster does not send %s control plane logs to CloudWatch Logs: enable them.", [type]),
		"evidence": sprintf("%s log disabled", [type]),
		"path": c.path,
	}
}
