# METADATA
# title: VPC without flow logs
# description: >-
#   A VPC (`aws_vpc`, `aws_default_vpc`, `AWS::EC2::VPC`) has no flow log attached: no
#   `aws_flow_log` / `AWS::EC2::FlowLog` in the input refers to it; or a flow log names nothing
#   to capture (no VPC, subnet, interface or transit gateway). Without flow logs, traffic to and
#   from the VPC's interfaces cannot be investigated after an incident. When a flow log names a
#   VPC that cannot be resolved (for example a variable), the rule cannot tell which VPC it
#   covers and reports none; a Terraform reference to another VPC resource of the module
#   (`aws_vpc.other.id`) is resolved even when that resource is not in the input. A call of
#   terraform-aws-modules/vpc/aws is a VPC too: reported when `enable_flow_log` is absent or
#   false (the module's default is false) and no flow log in the input refers to the call. A
#   call of a module whose source names flow logs (`//modules/flow-log`) that refers to a VPC
#   counts as its flow log. A VPC whose flow logs all capture accepted traffic only
#   (`traffic_type` / `TrafficType` `ACCEPT`) is reported at low severity: what security groups
#   and network ACLs reject goes unrecorded (CIS AWS v3.0.0 3.7 asks for REJECT, AWS FSBP EC2.6
#   for REJECT or ALL). With `unknown_values: advisory`, a VPC whose only flow logs have a `count` or
#   `for_each` Tollgate cannot know, other than the VPC's own, is reported as cannot tell.
# custom:
#   id: TG-LOG-005
#   severity: medium
#   category: logging
#   remediation: Add an aws_flow_log (AWS::EC2::FlowLog) for the VPC with traffic_type ALL, delivered to CloudWatch Logs or S3.
#   controls: [CIS-AWS-3.7, AWS-FSBP-EC2.6]
package tollgate.rules.logging.vpc_flow_logs

import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

vpc_types := {"aws_vpc", "aws_default_vpc", "AWS::EC2::VPC"}

flow_log_types := {"aws_flow_log", "AWS::EC2::FlowLog"}

# The attribute naming the flow log's VPC, per type.
flow_log_target := {"aws_flow_log": "vpc_id", "AWS::EC2::FlowLog": "ResourceId"}

# Everything a flow log can capture, per type: one of them must be written.
flow_log_sources := {
	"aws_flow_log": ["vpc_id", "subnet_id", "eni_id", "transit_gateway_id", "transit_gateway_attachment_id"],
	"AWS::EC2::FlowLog": ["ResourceId"],
}

vpcs := [r | some r in input.resources; r.mode == "managed"; r.type in vpc_types]

# Calls of the VPC module itself (its submodules, such as `//modules/vpc-endpoints`, make no VPC).
vpc_module_calls := [r |
	some r in registry.calls("terraform-aws-modules/vpc/aws")
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create_vpc", true))
]

# A flow log whose VPC is written but resolves to no VPC of the input.
unresolved_flow_log(source) if source in unresolved_sources

# The sources (`terraform`, `cloudformation`) with such a flow log; a set computed once, where a
# function taking the source rescanned every resource and VPC for each VPC (4.9 s of this rule's
# 5 s on 400 generated VPCs with their flow logs, `npm run bench -- scale`).
unresolved_sources contains f.source if {
	some type, target in flow_log_target
	some f in util.resources(type)
	not util.is_absent(f.config, target)
	not refers_to_some_vpc(f)
	not names_vpc_resource(f.config[target])
}

# `[root, source, name]` for every name a reference to a VPC or VPC module call may be written as.
vpc_reference_keys contains [object.get(vpc, "root", ""), vpc.source, name] if {
	some vpc in array.concat(vpcs, vpc_module_calls)
	some name in util.target_names(vpc)
}

refers_to_some_vpc(f) if {
	some key in util.reference_keys(f)
	key in vpc_reference_keys
}

# `aws_vpc.other.id`: Terraform references stay inside their module, so a VPC resource that
# is not in the input is still known not to be any VPC that is.
names_vpc_resource(value) if {
	util.is_unknown(value)
	regex.match(`^aws_(default_)?vpc\.[A-Za-z_][A-Za-z0-9_-]*(\[[^\]]*\])?\.id$`, value["$unknown"])
}

# A module whose source names flow logs (`terraform-aws-modules/vpc/aws//modules/flow-log`, a
# team's own `flow-logs` module) refers to the VPC: it is taken to log it.
flow_log_module_for(vpc) if {
	some m in util.referring(vpc)
	m.mode == "module"
	contains(lower(m.moduleSource), "flow-log")
}

# A CloudFormation flow log with an undecided `Condition` of its own logs the VPC only when it holds.
deny contains finding if {
	some vpc in vpcs
	when := util.unreferenced_when(vpc, flow_log_types)
	not flow_log_module_for(vpc)
	not unresolved_flow_log(vpc.source)
	finding := {
		"resource": vpc.address,
		"message": "The VPC has no flow log: add one capturing all traffic.",
		"evidence": "no flow log",
		"path": [],
		"when": when,
	}
}

# The flow logs and flow-log module calls that refer to the VPC.
loggers(vpc) := [r |
	some r in util.referring(vpc)
	is_logger(r)
]

is_logger(r) if {
	r.mode == "managed"
	r.type in flow_log_types
}

is_logger(m) if {
	m.mode == "module"
	contains(lower(m.moduleSource), "flow-log")
}

# A Terraform VPC whose only flow logs have a `count` or `for_each` Tollgate cannot know (and not
# the VPC's own) may have none: "cannot tell", one finding per expression.
deny contains finding if {
	some vpc in vpcs
	vpc.source == "terraform"
	some absence in util.absences_with(loggers(vpc), vpc)
	not unresolved_flow_log(vpc.source)
	finding := settings.cannot_tell(vpc.address, [], absence, "The VPC's only flow log may not be created, as its count or for_each cannot be known: make sure the VPC has a flow log capturing all traffic.")
}

# Flow logs of accepted traffic only record nothing of what security groups and network ACLs
# reject. A VPC whose flow logs (present wherever it is) all capture `ACCEPT` is reported at low
# severity; an unknown traffic type may be `ALL`.
traffic_type_keys := {"aws_flow_log": "traffic_type", "AWS::EC2::FlowLog": "TrafficType"}

accept_only(vpc) if {
	logs := [f |
		some f in util.referring(vpc)
		f.mode == "managed"
		f.type in flow_log_types
		util.exists_with(f, vpc)
	]
	count(logs) > 0
	every f in logs {
		type := f.config[traffic_type_keys[f.type]]
		is_string(type)
		upper(type) == "ACCEPT"
	}
}

deny contains finding if {
	some vpc in vpcs
	accept_only(vpc)
	not flow_log_module_for(vpc)
	finding := {
		"resource": vpc.address,
		"message": "The VPC's flow logs capture accepted traffic only, so rejected connections (scans, blocked attempts) are not recorded: capture REJECT or ALL.",
		"evidence": "flow logs capture ACCEPT only",
		"path": [],
		"severity": "low",
	}
}

deny contains finding if {
	some call in vpc_module_calls
	path := util.disabled_path(call.config, "enable_flow_log")
	not util.referenced_by_any(call, flow_log_types)
	not flow_log_module_for(call)
	finding := {
		"resource": call.address,
		"message": "The VPC module is called without flow logs: set enable_flow_log = true (or add a flow log for its VPC).",
		"evidence": "no flow log",
		"path": path,
	}
}

deny contains finding if {
	some f in input.resources
	f.mode == "managed"
	sources := flow_log_sources[f.type]
	every key in sources {
		util.is_absent(f.config, key)
	}
	finding := {
		"resource": f.address,
		"message": "The flow log names nothing to capture: set the VPC (or subnet or interface) it is for.",
		"evidence": "no capture target",
		"path": [],
	}
}
