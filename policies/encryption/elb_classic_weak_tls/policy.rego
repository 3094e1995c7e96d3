# METADATA
# title: Classic Load Balancer TLS policy allows TLS 1.0 or 1.1
# description: >-
#   An HTTPS or SSL listener of a Classic Load Balancer negotiates with a security policy that
#   still accepts TLS 1.0, TLS 1.1 or SSLv3. A listener with no SSL negotiation policy gets
#   `ELBSecurityPolicy-2016-08` (TLS 1.0 and up, per the Classic Load Balancer guide), and is
#   reported with that policy's evidence. A policy (`SSLNegotiationPolicyType`) is strong only when
#   its `Reference-Security-Policy` is `ELBSecurityPolicy-TLS-1-2-2017-01`, or it references none
#   and turns none of `Protocol-SSLv3`, `Protocol-TLSv1`, `Protocol-TLSv1.1` on. CloudFormation:
#   the `Policies` of `AWS::ElasticLoadBalancing::LoadBalancer` a listener names in `PolicyNames`
#   or that list its port in `LoadBalancerPorts`. Terraform: each `aws_load_balancer_policy` and
#   `aws_lb_ssl_negotiation_policy` that is weak, on the policy itself; and an `aws_elb` HTTPS/SSL
#   listener for which no `aws_load_balancer_listener_policy` or `aws_lb_ssl_negotiation_policy`
#   refers to the load balancer with its port, when every such resource of the configuration
#   names its load balancer by reference (one named otherwise may be the listener's, and nothing
#   is reported). Policy names or ports Tollgate cannot know report nothing.
# custom:
#   id: TG-ENC-027
#   severity: medium
#   category: encryption
#   remediation: Associate an SSL negotiation policy with Reference-Security-Policy ELBSecurityPolicy-TLS-1-2-2017-01 with every HTTPS/SSL listener, or move to an Application or Network Load Balancer with a TLS 1.2+ policy.
#   controls: [AWS-FSBP-ELB.8]
package tollgate.rules.encryption.elb_classic_weak_tls

import data.tollgate.lib.util
import rego.v1

default_policy := "ELBSecurityPolicy-2016-08"

strong_reference := "ELBSecurityPolicy-TLS-1-2-2017-01"

weak_protocols := {"protocol-sslv3", "protocol-tlsv1", "protocol-tlsv1.1"}

secure_protocols := {"https", "ssl"}

# What makes a policy's attributes (`[{name, value}]`, lower-case names) weak, as evidence.
weakness(attributes) := reference if {
	some a in attributes
	a.name == "reference-security-policy"
	reference := a.value
	is_string(reference)
	reference != strong_reference
}

weakness(attributes) := sprintf("%s true", [concat(", ", weak)]) if {
	not references_policy(attributes)
	weak := sort([a.original | some a in attributes; a.name in weak_protocols; util.is_true(a.value)])
	count(weak) > 0
}

references_policy(attributes) if {
	some a in attributes
	a.name == "reference-security-policy"
}

attributes_of(items, name_key, value_key) := [{"name": lower(a[name_key]), "original": a[name_key], "value": a[value_key]} |
	some a in items
	is_string(a[name_key])
]

# CloudFormation.

cfn_ssl_policy(p) if {
	is_string(p.PolicyType)
	lower(p.PolicyType) == "sslnegotiationpolicytype"
}

secure_listener(protocol) if {
	is_string(protocol)
	lower(protocol) in secure_protocols
}

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancing::LoadBalancer")
	some i, listener in r.config.Listeners
	secure_listener(listener.Protocol)
	some j, p in r.config.Policies
	cfn_ssl_policy(p)
	applies(listener, p)
	evidence := weakness(attributes_of(p.Attributes, "Name", "Value"))
	finding := {
		"resource": r.address,
		"message": sprintf("Listener %v negotiates with policy %s, which accepts TLS below 1.2 (%s): reference ELBSecurityPolicy-TLS-1-2-2017-01.", [listener.LoadBalancerPort, util.label(p.PolicyName), evidence]),
		"evidence": sprintf("listener %v %s", [listener.LoadBalancerPort, evidence]),
		"path": ["Policies", j],
	}
}

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancing::LoadBalancer")
	some i, listener in r.config.Listeners
	secure_listener(listener.Protocol)
	known_names(listener)
	every p in object.get(r.config, "Policies", []) {
		is_object(p)
		is_string(p.PolicyName)
		is_string(p.PolicyType)
		not unknown_ports(p)
	}
	not has_ssl_policy(r, listener)
	finding := {
		"resource": r.address,
		"message": sprintf("Listener %v names no SSL negotiation policy, so it gets %s, which accepts TLS 1.0 and 1.1: associate a policy referencing ELBSecurityPolicy-TLS-1-2-2017-01.", [listener.LoadBalancerPort, default_policy]),
		"evidence": sprintf("listener %v %s", [listener.LoadBalancerPort, default_policy]),
		"path": ["Listeners", i],
	}
}

known_names(listener) if util.is_absent(listener, "PolicyNames")

known_names(listener) if {
	is_array(listener.PolicyNames)
	every name in listener.PolicyNames {
		is_string(name)
	}
}

unknown_ports(p) if {
	ports := object.get(p, "LoadBalancerPorts", [])
	not is_array(ports)
}

unknown_ports(p) if {
	some port in object.get(p, "LoadBalancerPorts", [])
	not port_number(port)
}

port_number(port) := port if is_number(port)

port_number(port) := to_number(port) if {
	is_string(port)
	regex.match(`^[0-9]+$`, port)
}

has_ssl_policy(r, listener) if {
	some p in r.config.Policies
	cfn_ssl_policy(p)
	applies(listener, p)
}

applies(listener, p) if p.PolicyName in object.get(listener, "PolicyNames", [])

applies(listener, p) if {
	some port in object.get(p, "LoadBalancerPorts", [])
	port_number(port) == port_number(listener.LoadBalancerPort)
}

# Terraform: weak policies, on the policy.

deny contains finding if {
	some r in util.resources("aws_load_balancer_policy")
	r.config.policy_type_name == "SSLNegotiationPolicyType"
	evidence := weakness(attributes_of(util.block_list(object.get(r.config, "policy_attribute", [])), "name", "value"))
	finding := {
		"resource": r.address,
		"message": sprintf("The SSL negotiation policy accepts TLS below 1.2 (%s): reference ELBSecurityPolicy-TLS-1-2-2017-01.", [evidence]),
		"evidence": evidence,
		"path": ["policy_attribute"],
	}
}

deny contains finding if {
	some r in util.resources("aws_lb_ssl_negotiation_policy")
	evidence := weakness(attributes_of(util.block_list(object.get(r.config, "attribute", [])), "name", "value"))
	finding := {
		"resource": r.address,
		"message": sprintf("The SSL negotiation policy accepts TLS below 1.2 (%s): reference ELBSecurityPolicy-TLS-1-2-2017-01.", [evidence]),
		"evidence": evidence,
		"path": ["attribute"],
	}
}

# Terraform: listeners no policy resource is associated with.

# The port argument of each resource that associates policies with a listener.
listener_policy_ports := {"aws_load_balancer_listener_policy": "load_balancer_port", "aws_lb_ssl_negotiation_policy": "lb_port"}

deny contains finding if {
	some r in util.resources("aws_elb")
	every type, _ in listener_policy_ports {
		every p in util.resources(type) {
			names_a_load_balancer(p)
		}
	}
	some i, listener in util.block_list(r.config.listener)
	secure_listener(listener.lb_protocol)
	is_number(listener.lb_port)
	not associated(r, listener.lb_port)
	finding := {
		"resource": r.address,
		"message": sprintf("Listener %v has no SSL negotiation policy, so it gets %s, which accepts TLS 1.0 and 1.1: associate a policy referencing ELBSecurityPolicy-TLS-1-2-2017-01 (aws_load_balancer_policy and aws_load_balancer_listener_policy).", [listener.lb_port, default_policy]),
		"evidence": sprintf("listener %v %s", [listener.lb_port, default_policy]),
		"path": ["listener", i],
	}
}

# The resource names its load balancer by reference (`aws_elb.web.name`, `.id`, which the loader
# may resolve to the name): the load balancer is one of those it refers to.
names_a_load_balancer(p) if {
	some t in util.referred(p)
	t.type == "aws_elb"
}

associated(r, port) if {
	some type, port_key in listener_policy_ports
	some p in util.referrers(r, type)
	not known_other_port(object.get(p.config, port_key, null), port)
}

known_other_port(value, port) if {
	is_number(value)
	value != port
}
