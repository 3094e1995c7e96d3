# What the fixtures cannot pin: the severity and evidence of each verdict on an unset
# publicly_accessible, on the `provider` values the loader gives for the fixtures (a `~> 5.0`
# constraint, a lock file selecting 6.2.0, nothing written) and on a CloudFormation cluster.
package tollgate.rules.network.redshift_public_test

import data.tollgate.rules.network.redshift_public
import rego.v1

cluster(provider) := {
	"address": "aws_redshift_cluster.warehouse",
	"type": "aws_redshift_cluster",
	"mode": "managed",
	"source": "terraform",
	"module": "",
	"provider": provider,
	"config": {"cluster_identifier": "warehouse"},
	"references": [],
}

v5_constraint := {"source": "hashicorp/aws", "constraints": ["~> 5.0"], "lowest": "5.0.0", "below": "6.0.0"}

v6_locked := {"source": "hashicorp/aws", "constraints": [">= 5.0"], "locked": "6.2.0", "lowest": "6.2.0", "below": "6.2.1"}

nothing_written := {"source": "hashicorp/aws", "constraints": [], "lowest": "0.0.0"}

verdicts(provider) := {[f.evidence, object.get(f, "severity", "critical")] |
	some f in redshift_public.deny with input as {"resources": [cluster(provider)]}
}

test_provider_below_6_for_certain_is_the_rule_severity if {
	verdicts(v5_constraint) == {["publicly_accessible unset, AWS provider < 6 in force", "critical"]}
}

test_a_provider_version_nothing_holds_at_6_is_medium if {
	verdicts(nothing_written) == {["publicly_accessible unset, AWS provider version not held at >= 6", "medium"]}
}

test_provider_6_reports_nothing if {
	verdicts(v6_locked) == set()
}

test_an_unknown_setting_is_not_unset if {
	r := object.union(cluster(v5_constraint), {"config": {"publicly_accessible": {"$unknown": "var.public"}}})
	count(redshift_public.deny) == 0 with input as {"resources": [r]}
}

test_cloudformation_without_the_property_is_private if {
	r := {"address": "Warehouse", "type": "AWS::Redshift::Cluster", "mode": "managed", "source": "cloudformation", "module": "", "config": {}, "references": []}
	count(redshift_public.deny) == 0 with input as {"resources": [r]}
}
