# METADATA
# title: Load balancer TLS policy allows TLS 1.0 or 1.1
# description: >-
#   An HTTPS or TLS listener (`aws_lb_listener`, `aws_alb_listener`,
#   `AWS::ElasticLoadBalancingV2::Listener`) names a security policy that still negotiates
#   TLS 1.0 or 1.1: the `-1-0-`/`-1-1-` policies, `ELBSecurityPolicy-2016-08`,
#   `ELBSecurityPolicy-2015-05` and `ELBSecurityPolicy-FS-2018-06`. A listener that names no
#   policy gets the current AWS default and is not reported.
# custom:
#   id: TG-ENC-015
#   severity: medium
#   category: encryption
#   remediation: Use a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06.
#   controls: [AWS-FSBP-ELB.17]
package tollgate.rules.encryption.lb_weak_tls_policy

import data.tollgate.lib.util
import rego.v1

legacy_policies := {"ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-FS-2018-06"}

is_weak(policy) if policy in legacy_policies

is_weak(policy) if indexof(policy, "-1-0-") >= 0

is_weak(policy) if indexof(policy, "-1-1-") >= 0

policy_keys := {"aws_lb_listener": "ssl_policy", "aws_alb_listener": "ssl_policy", "AWS::ElasticLoadBalancingV2::Listener": "SslPolicy"}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := policy_keys[r.type]
	some possible in util.possible_values(r, [key])
	policy := possible.value
	is_string(policy)
	is_weak(policy)
	finding := {
		"resource": r.address,
		"message": sprintf("The listener's security policy %s allows TLS 1.0 or 1.1: use a TLS 1.2+ policy.", [policy]),
		"evidence": policy,
		"path": [key],
		"when": possible.condition,
	}
}
