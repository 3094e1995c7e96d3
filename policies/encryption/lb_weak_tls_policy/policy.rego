# METADATA
# title: Load balancer TLS policy allows TLS 1.0 or 1.1
# description: >-
#   An HTTPS or TLS listener (`aws_lb_listener`, `aws_alb_listener`,
#   `AWS::ElasticLoadBalancingV2::Listener`) names a security policy that still negotiates
#   TLS 1.0 or 1.1: the `-1-0-`/`-1-1-` policies, `ELBSecurityPolicy-2016-08`,
#   `ELBSecurityPolicy-2015-05` and `ELBSecurityPolicy-FS-2018-06`. An HTTPS or TLS listener
#   that names no policy is reported too: the API, and so Terraform and CloudFormation, give it
#   `ELBSecurityPolicy-2016-08` (the newer TLS 1.3 default is the console's alone); it shares that
#   policy's evidence, so writing the default out or leaving it out is no change to the gate.
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

protocol_keys := {"aws_lb_listener": "protocol", "aws_alb_listener": "protocol", "AWS::ElasticLoadBalancingV2::Listener": "Protocol"}

# What the Elastic Load Balancing API gives a TLS listener created without a policy.
api_default_policy := "ELBSecurityPolicy-2016-08"

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

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	key := policy_keys[r.type]
	util.is_absent(r.config, key)
	not object.get(r, "alternatives", {})[util.pointer([key])]
	some possible in util.possible_values(r, [protocol_keys[r.type]])
	is_string(possible.value)
	upper(possible.value) in {"HTTPS", "TLS"}
	finding := {
		"resource": r.address,
		"message": sprintf("The %s listener names no security policy, so AWS gives it %s, which allows TLS 1.0 and 1.1: set %s to a TLS 1.2+ policy.", [upper(possible.value), api_default_policy, key]),
		"evidence": api_default_policy,
		"path": [],
		"when": possible.condition,
	}
}
