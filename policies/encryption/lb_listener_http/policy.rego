# METADATA
# title: Load balancer listener accepts plain HTTP
# description: >-
#   An Application Load Balancer listener uses protocol `HTTP` and its default action neither
#   redirects to HTTPS nor answers with a fixed response, so requests and responses (cookies,
#   tokens) travel in clear text (`aws_lb_listener`, `aws_alb_listener`,
#   `AWS::ElasticLoadBalancingV2::Listener`). Classic Load Balancer listeners with front-end
#   protocol `HTTP` are reported too (`aws_elb`, `AWS::ElasticLoadBalancing::LoadBalancer`). A
#   Terraform listener that omits `protocol` and `certificate_arn` on an application load
#   balancer of the same input listens on HTTP, the provider's default. In CloudFormation, HTTP in
#   one branch of an undecided `Fn::If` is reported when that branch is taken, and a redirect to
#   HTTPS written only under such a condition protects only where it holds.
#   A listener whose default action's type or redirect protocol is unknown (in CloudFormation, a
#   parameter, in one branch of an `Fn::If` or in all, also when it gives the redirect
#   configuration, an action or the action list whole; an `Fn::If` choosing the list between a
#   list and a parameter judges the list's actions under its condition, so a plain forward there
#   is plain HTTP "only when" it holds), or whose Terraform redirect to HTTPS only
#   a `dynamic` block over a collection Tollgate cannot know creates, is reported as cannot tell
#   with `unknown_values: advisory`, never as plain HTTP.
#   A listener rule (`aws_lb_listener_rule`, `aws_alb_listener_rule`,
#   `AWS::ElasticLoadBalancingV2::ListenerRule`) with a `forward` action on such an HTTP listener
#   serves its paths in clear text whatever the listener's default action does (AWS Config's
#   `alb-http-to-https-redirection-check`): reported on the rule's action, when its `listener_arn`
#   or `ListenerArn` names a listener of the input (`aws_lb_listener.http.arn`, `!Ref Http`); a
#   listener Tollgate cannot resolve is not judged.
# custom:
#   id: TG-ENC-014
#   severity: high
#   category: encryption
#   remediation: Serve traffic on an HTTPS listener with an ACM certificate and make the HTTP listener redirect to HTTPS (status HTTP_301).
#   controls: [AWS-FSBP-ELB.1, AWS-FSBP-ELB.3, AWS-FSBP-ELB.18]
package tollgate.rules.encryption.lb_listener_http

import data.tollgate.lib.network
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

message := "The listener serves plain HTTP: redirect HTTP to HTTPS and serve traffic over TLS."

is_http(protocol) if {
	is_string(protocol)
	upper(protocol) == "HTTP"
}

# Terraform: a default action redirecting to HTTPS or answering itself.
safe_action(action) if action.type == "fixed-response"

safe_action(action) if {
	action.type == "redirect"
	some redirect in util.block_list(action.redirect)
	upper(redirect.protocol) == "HTTPS"
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb_listener", "aws_alb_listener"}
	is_http(r.config.protocol)
	not has_safe_action(util.block_list(r.config.default_action))
	not undecided_action(r)
	finding := {"resource": r.address, "message": message, "evidence": "HTTP listener", "path": ["protocol"]}
}

# CloudFormation: a protocol an undecided `Fn::If` chooses is judged branch by branch, and a safe
# default action written only under such a condition (a list item, its type, a redirect protocol)
# is safe only where it holds. An action whose type or redirect protocol is unknown (a parameter)
# may be safe: where it decides, the listener is "cannot tell", never plain HTTP.
deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancingV2::Listener")
	some possible in util.possible_values(r, ["Protocol"])
	is_http(possible.value)
	unprotected := util.none_hold_when([outcome.conditions | some outcome in action_outcomes(r)])
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": "HTTP listener",
		"path": ["Protocol"],
		"when": util.conjunction([possible.condition, unprotected]),
	}
}

deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancingV2::Listener")
	some possible in util.possible_values(r, ["Protocol"])
	is_http(possible.value)
	some undecided in action_outcomes(r)
	util.is_unknown(undecided.value)
	unprotected := util.none_hold_when([outcome.conditions |
		some outcome in action_outcomes(r)
		not util.is_unknown(outcome.value)
	])
	when := util.conjunction(array.concat([possible.condition, unprotected], undecided.conditions))
	cannot_tell := settings.cannot_tell(r.address, undecided.path, undecided.value, "The listener serves HTTP and Tollgate cannot tell whether its default action redirects to HTTPS: make sure it does.")
	finding := object.union(cannot_tell, {"when": when})
}

# `[{conditions, path, value}]`: each way a CloudFormation default action answers itself or
# redirects to HTTPS (`value` that type or protocol), or may (`value` the unknown that decides it:
# a type or protocol, or a whole redirect configuration, action or action list a parameter or an
# `Fn::If` branch gives), with the conditions it waits for (`[]`: in every deployment). An
# `Fn::If` choosing the whole list between a list and a parameter (`!If [C, [...], !Ref
# Actions]`) gives the list's actions under C and the parameter's unknown under `not C`, so each
# branch is judged on its own.
action_outcomes(r) := array.concat(
	array.concat(
		[outcome |
			some i in default_action_indices(r)
			some type in action_types(r, i)
			type.value != "redirect"
			outcome := {"conditions": type.conditions, "path": type.path, "value": type.value}
		],
		[outcome |
			some i in default_action_indices(r)
			some type in action_types(r, i)
			type.value == "redirect"
			path := ["DefaultActions", i, "RedirectConfig", "Protocol"]
			within := util.conditions_below(object.get(r, "conditional", {}), ["DefaultActions", i], ["RedirectConfig", "Protocol"])
			some protocol in redirect_protocols(r, path)
			https_or_unknown(protocol.value)
			conditions := distinct(array.concat(array.concat(type.conditions, within), [c | c := protocol.condition; c != ""]))
			util.conjunction(conditions)
			outcome := {"conditions": conditions, "path": protocol.path, "value": protocol.value}
		],
	),
	[{"conditions": [c | c := possible.condition; c != ""], "path": ["DefaultActions"], "value": possible.value} |
		some possible in util.possible_values(r, ["DefaultActions"])
		util.is_unknown(possible.value)
	],
)

# The indices of the default actions: those of the list, or of each list an undecided `Fn::If`
# chooses whole, whose items `util.possible_values` then reads branch by branch.
default_action_indices(r) := {i | some i, _ in r.config.DefaultActions} if is_array(r.config.DefaultActions)

default_action_indices(r) := {i |
	some alternative in object.get(r, "alternatives", {})[util.pointer(["DefaultActions"])]
	is_array(alternative.value)
	some i, _ in alternative.value
} if not is_array(r.config.DefaultActions)

# The conditions once each, in order.
distinct(conditions) := [c | some i, c in conditions; not c in array.slice(conditions, 0, i)]

# `[{value, condition, path}]`: the redirect protocols, each branch's, and the unknowns standing
# for the redirect configuration holding one.
redirect_protocols(r, path) := array.concat(
	[object.union(possible, {"path": path}) | some possible in util.possible_values(r, path)],
	[unknown |
		some unknown in util.unknowns_above(r, path)
		count(unknown.path) > 2
	],
)

# `[{conditions, path, value}]`: the types default action `i` may have that answer, redirect or
# are unknown (also when the action itself is), with the conditions of the action and of the
# type's `Fn::If` branch.
action_types(r, i) := [{"conditions": conditions, "path": type.path, "value": type.value} |
	path := ["DefaultActions", i, "Type"]
	some type in array.concat(
		[object.union(possible, {"path": path}) | some possible in util.possible_values(r, path)],
		util.unknowns_above(r, path),
	)
	answering_or_unknown(type.value)
	item := util.conditions_below(object.get(r, "conditional", {}), [], ["DefaultActions", i])
	conditions := array.concat(item, [c | c := type.condition; c != ""])
]

answering_or_unknown(type) if type in {"fixed-response", "redirect"}

answering_or_unknown(type) if util.is_unknown(type)

https_or_unknown(protocol) if {
	is_string(protocol)
	upper(protocol) == "HTTPS"
}

https_or_unknown(protocol) if util.is_unknown(protocol)

# A Terraform listener without `protocol` on an application load balancer of the input listens
# on HTTP, the provider's default for ALBs; without a certificate it cannot be HTTPS.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb_listener", "aws_alb_listener"}
	util.is_absent(r.config, "protocol")
	util.is_absent(r.config, "certificate_arn")
	on_application_load_balancer(r)
	not has_safe_action(util.block_list(r.config.default_action))
	not undecided_action(r)
	finding := {"resource": r.address, "message": message, "evidence": "HTTP listener", "path": []}
}

# A Terraform listener on HTTP whose only safe default actions Tollgate cannot be sure of: an
# action whose type or redirect protocol is unknown (a `dynamic` block's iterator value), or a
# safe action (or its redirect) that only a `dynamic` block over a collection Tollgate cannot
# know creates, so it may be missing.
deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_lb_listener", "aws_alb_listener"}
	serves_http(r)
	not has_certain_safe_action(r)
	some u in undecided_actions(r)
	finding := settings.cannot_tell(r.address, u.path, u.value, "The listener serves HTTP and Tollgate cannot tell whether its default action redirects to HTTPS: make sure it does.")
}

serves_http(r) if is_http(r.config.protocol)

serves_http(r) if {
	util.is_absent(r.config, "protocol")
	util.is_absent(r.config, "certificate_arn")
	on_application_load_balancer(r)
}

undecided_action(r) if count(undecided_actions(r)) > 0

# `[{path, value}]`: the unknown that decides whether a default action keeps the listener safe.
undecided_actions(r) := array.concat(
	[{"path": ["default_action", i, "type"], "value": action.type} |
		r.type in {"aws_lb_listener", "aws_alb_listener"}
		some i, action in util.block_list(r.config.default_action)
		util.is_unknown(action.type)
	],
	array.concat(
		[{"path": ["default_action", i, "redirect", j, "protocol"], "value": redirect.protocol} |
			r.type in {"aws_lb_listener", "aws_alb_listener"}
			some i, action in util.block_list(r.config.default_action)
			action.type == "redirect"
			some j, redirect in util.block_list(action.redirect)
			util.is_unknown(redirect.protocol)
		],
		[{"path": path, "value": {"$unknown": util.unknown_for_each(r, path)}} |
			r.type in {"aws_lb_listener", "aws_alb_listener"}
			some i, action in util.block_list(r.config.default_action)
			safe_action(action)
			some path in maybe_safe_paths(r, i, action)
		],
	),
)

# Where a safe action may be missing: the action itself, or each of its HTTPS redirects when
# none of them is certain.
maybe_safe_paths(r, i, _) := [["default_action", i]] if util.unknown_for_each(r, ["default_action", i])

maybe_safe_paths(r, i, action) := [["default_action", i, "redirect", j] |
	some j, redirect in util.block_list(action.redirect)
	upper(redirect.protocol) == "HTTPS"
] if {
	not util.unknown_for_each(r, ["default_action", i])
	action.type == "redirect"
	not certain_safe_action(r, i, action)
}

# A safe default action that exists wherever the listener does, with its redirect.
has_certain_safe_action(r) if {
	some i, action in util.block_list(r.config.default_action)
	not util.unknown_for_each(r, ["default_action", i])
	certain_safe_action(r, i, action)
}

certain_safe_action(_, _, action) if action.type == "fixed-response"

certain_safe_action(r, i, action) if {
	action.type == "redirect"
	some j, redirect in util.block_list(action.redirect)
	not util.unknown_for_each(r, ["default_action", i, "redirect", j])
	upper(redirect.protocol) == "HTTPS"
}

on_application_load_balancer(listener) if {
	some lb in util.referred(listener)
	lb.mode == "managed"
	lb.type in {"aws_lb", "aws_alb"}
	object.get(lb.config, "load_balancer_type", "application") == "application"
}

has_safe_action(actions) if {
	some action in actions
	safe_action(action)
}

deny contains finding if {
	some r in util.resources("aws_elb")
	some i, listener in util.block_list(r.config.listener)
	is_http(listener.lb_protocol)
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": sprintf("HTTP listener on port %s", [util.label(listener.lb_port)]),
		"path": ["listener", i, "lb_protocol"],
	}
}

# A listener an undecided `Fn::If` gives on the list is reported on the list, so the same listener
# in both branches is one finding in every deployment.
deny contains finding if {
	some r in util.resources("AWS::ElasticLoadBalancing::LoadBalancer")
	some i, listener in r.config.Listeners
	some possible in util.possible_values(r, ["Listeners", i, "Protocol"])
	is_http(possible.value)
	place := util.list_item_key_place(r, ["Listeners"], i, "Protocol")
	when := util.conjunction([place.when, possible.condition])
	finding := {
		"resource": r.address,
		"message": message,
		"evidence": sprintf("HTTP listener on port %s", [util.label(listener.LoadBalancerPort)]),
		"path": place.path,
		"when": when,
	}
}

rule_message := "The listener rule forwards requests that arrive on a plain HTTP listener: serve its paths on an HTTPS listener and make the HTTP listener redirect to HTTPS."

listener_types := ["aws_lb_listener", "aws_alb_listener"]

# `[root, address]` of every Terraform listener and CloudFormation
# `AWS::ElasticLoadBalancingV2::Listener`.
declared_listeners contains [object.get(l, "root", ""), l.address] if {
	some l in input.resources
	l.mode == "managed"
	l.type in {"aws_lb_listener", "aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener"}
}

# The listener a Terraform rule's `listener_arn` names (its `arn`, or its `id`, which is the ARN).
rule_listener(rule) := listener if {
	some attribute in ["arn", "id"]
	address := network.terraform_attribute_target(rule, rule.config.listener_arn, listener_types, attribute, declared_listeners)
	some listener in util.referred(rule)
	listener.address == address
}

deny contains finding if {
	some rule in input.resources
	rule.mode == "managed"
	rule.type in {"aws_lb_listener_rule", "aws_alb_listener_rule"}
	listener := rule_listener(rule)
	serves_http(listener)
	some i, action in util.block_list(rule.config.action)
	action.type == "forward"
	finding := {"resource": rule.address, "message": rule_message, "evidence": "forward on HTTP listener", "path": ["action", i, "type"]}
}

# CloudFormation: `ListenerArn: !Ref <listener>`; a protocol an undecided `Fn::If` chooses is
# judged branch by branch, and an action written under one says "Only when" (its path).
deny contains finding if {
	some rule in util.resources("AWS::ElasticLoadBalancingV2::ListenerRule")
	id := network.cloudformation_target(rule, rule.config.ListenerArn, declared_listeners)
	some listener in util.referred(rule)
	listener.address == id
	listener.type == "AWS::ElasticLoadBalancingV2::Listener"
	some possible in util.possible_values(listener, ["Protocol"])
	is_http(possible.value)
	some i, action in rule.config.Actions
	is_string(action.Type)
	lower(action.Type) == "forward"
	finding := {
		"resource": rule.address,
		"message": rule_message,
		"evidence": "forward on HTTP listener",
		"path": ["Actions", i, "Type"],
		"when": possible.condition,
	}
}
