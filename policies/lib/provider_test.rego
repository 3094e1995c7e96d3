# Unit tests of the provider version helpers on the shapes the loader gives (`provider` of
# src/model/types.ts): constraints, a lock file, nothing at all, and a resource without provider.
package tollgate.lib.provider_test

import data.tollgate.lib.provider
import rego.v1

constrained(lowest, below) := {"provider": {"source": "hashicorp/aws", "constraints": ["x"], "lowest": lowest, "below": below}}

test_a_v5_constraint_is_below_6_for_certain if {
	r := constrained("5.0.0", "6.0.0")
	provider.below_major(r, 6)
	provider.may_be_below_major(r, 6)
	not provider.below_major(r, 5)
}

test_a_bound_just_past_6_0_0_may_run_6 if {
	r := constrained("5.0.0", "6.0.1")
	not provider.below_major(r, 6)
	provider.may_be_below_major(r, 6)
}

test_a_v6_lock_is_not_below_6 if {
	r := {"provider": {"source": "hashicorp/aws", "constraints": [">= 5.0"], "locked": "6.2.0", "lowest": "6.2.0", "below": "6.2.1"}}
	not provider.below_major(r, 6)
	not provider.may_be_below_major(r, 6)
	provider.below_major(r, 7)
}

test_a_lower_bound_alone_may_be_below if {
	r := {"provider": {"source": "hashicorp/aws", "constraints": [">= 4.0"], "lowest": "4.0.0"}}
	provider.may_be_below_major(r, 6)
	not provider.below_major(r, 6)
	not provider.may_be_below_major(r, 4)
}

test_nothing_written_may_be_any_version if {
	r := {"provider": {"source": "hashicorp/aws", "constraints": [], "lowest": "0.0.0"}}
	provider.may_be_below_major(r, 6)
	not provider.below_major(r, 6)
}

test_a_resource_without_provider_is_below_nothing if {
	r := {"type": "AWS::Redshift::Cluster", "config": {}}
	not provider.may_be_below_major(r, 6)
	not provider.below_major(r, 6)
}
