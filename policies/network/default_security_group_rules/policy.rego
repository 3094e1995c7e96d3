# METADATA
# title: Default security group allows traffic
# description: >-
#   A VPC's default security group gets rules: `ingress`/`egress` blocks on
#   `aws_default_security_group`, or standalone rules whose group is the VPC's default group
#   (`aws_default_security_group.x.id`, which the resource adopts; `aws_vpc.x.default_security_group_id`;
#   CloudFormation `!GetAtt Vpc.DefaultSecurityGroup`). Anything launched without an explicit
#   group lands in it, so it should allow nothing, whatever the rule's source (CIS 5.4). The
#   standalone case is recognised from the expression that names the group, which is known even
#   though the group id is not. A CloudFormation standalone rule with `GroupName: default`
#   targets the default VPC's default group by name. Rules written for a group the template
#   names `default` (`aws_security_group` `name`, `AWS::EC2::SecurityGroup` `GroupName`) are
#   reported too: the name is reserved for the VPC's default group, so the stack cannot create
#   it, and the rules are meant for the group that must allow nothing.
#   One finding per source of a rule, its evidence the rule itself (`ingress tcp/443 from
#   10.0.0.0/16`, `ingress all from self`) and its subject the group, so that an inline rule
#   moved into a rule resource, or rules reordered, keep their findings.
# custom:
#   id: TG-NET-006
#   severity: high
#   category: network
#   remediation: Manage the default security group with no ingress and no egress rules, and give workloads their own security groups.
#   controls: [CIS-AWS-5.4, AWS-FSBP-EC2.2]
package tollgate.rules.network.default_security_group_rules

import data.tollgate.lib.network
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some rule in written_rules
	rule.resource.type == "aws_default_security_group"
	some description in descriptions(rule, rule.resource.address)
	finding := {
		"resource": rule.resource.address,
		"message": sprintf("The default security group has the rule '%s': remove it so the default group allows no traffic.", [description]),
		"evidence": description,
		"path": rule.path,
	}
}

# `ingress = var.rules`: whether the default group gets rules is the collection's.
deny contains finding if {
	some r in util.resources("aws_default_security_group")
	some direction in ["ingress", "egress"]
	util.is_unknown(r.config[direction])
	finding := settings.cannot_tell(r.address, [direction], r.config[direction], sprintf("The default security group's %s rules come from a value Tollgate cannot know: the default group should have none.", [direction]))
}

deny contains finding if {
	some rule in written_rules
	standalone_types[rule.resource.type]
	attribute := group_attributes[rule.resource.type]
	on_default_group(rule.resource, attribute)
	subject := network.subject(network.rule_group(rule.resource))
	some description in descriptions(rule, object.get(subject, "subject", ""))
	finding := object.union(
		{
			"resource": rule.resource.address,
			"message": standalone_message(rule.resource),
			"evidence": description,
			"path": [attribute],
		},
		subject,
	)
}

deny contains finding if {
	some rule in written_rules
	rule.resource.type in {"AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"}
	util.is_absent(rule.resource.config, "GroupId")
	rule.resource.config.GroupName == "default"
	some description in descriptions(rule, "")
	finding := {
		"resource": rule.resource.address,
		"message": "The rule is added to the default VPC's default security group: give the workload its own security group instead.",
		"evidence": description,
		"path": ["GroupName"],
	}
}

standalone_message(r) := sprintf("The rule is added to the VPC's default security group, whose rules %s manages inline (the two conflict): give the workload its own security group instead.", [group]) if {
	group := network.rule_group(r).group
	is_adopting_group(r, group)
}

standalone_message(r) := "The rule is added to the VPC's default security group: give the workload its own security group instead." if {
	not is_adopting_group(r, network.rule_group(r).group)
}

# Groups a template names `default`.
named_default_groups := {"aws_security_group": "name", "AWS::EC2::SecurityGroup": "GroupName"}

named_default(group) if {
	group.mode == "managed"
	group.config[named_default_groups[group.type]] == "default"
}

deny contains finding if {
	some rule in written_rules
	named_default(rule.resource)
	some description in descriptions(rule, rule.resource.address)
	finding := {
		"resource": rule.resource.address,
		"message": "The group is named 'default', which AWS reserves for the VPC's default group (creating it fails), and it is given rules the default group must not have: name it for its workload.",
		"evidence": sprintf("%s, on a group named default", [description]),
		"path": rule.path,
	}
}

deny contains finding if {
	some rule in written_rules
	standalone_types[rule.resource.type]
	group := network.rule_group(rule.resource).group
	[object.get(rule.resource, "root", ""), group] in named_default_addresses
	some description in descriptions(rule, group)
	finding := {
		"resource": rule.resource.address,
		"message": "The rule is added to a group named 'default', which AWS reserves for the VPC's default group (creating it fails): name the group for its workload.",
		"evidence": sprintf("%s, on a group named default", [description]),
		"path": [group_attributes[rule.resource.type]],
		"subject": group,
	}
}

# Set lookups, not a scan of every resource per rule: at 1,600 groups, each with a standalone rule,
# the scans took 21 s of this rule's evaluation (`npm run bench -- network-scale`).
# `[root, address]` of every `aws_default_security_group`, and of every group named `default`.
adopting_addresses contains [object.get(g, "root", ""), g.address] if some g in util.resources("aws_default_security_group")

named_default_addresses contains [object.get(g, "root", ""), g.address] if {
	some g in input.resources
	named_default(g)
}

# `group`, the group rule resource `r` is added to, is an `aws_default_security_group` of its root.
is_adopting_group(r, group) if [object.get(r, "root", ""), group] in adopting_addresses

# Standalone rules and the attribute naming their group.
group_attributes := {
	"aws_security_group_rule": "security_group_id",
	"aws_vpc_security_group_ingress_rule": "security_group_id",
	"aws_vpc_security_group_egress_rule": "security_group_id",
	"AWS::EC2::SecurityGroupIngress": "GroupId",
	"AWS::EC2::SecurityGroupEgress": "GroupId",
}

standalone_types := {type | some type, _ in group_attributes}

# The rule's group is a VPC's default group: named by the VPC (`aws_vpc.main.default_security_group_id`,
# `!GetAtt Vpc.DefaultSecurityGroup`), or the group an `aws_default_security_group` adopts.
on_default_group(r, attribute) if names_default_group(r.config[attribute])

on_default_group(r, _) if is_adopting_group(r, network.rule_group(r).group)

names_default_group(value) if {
	util.is_unknown(value)
	endswith(value["$unknown"], ".default_security_group_id")
}

names_default_group(value) if {
	util.is_unknown(value)
	endswith(value["$unknown"], ".DefaultSecurityGroup")
}

# Rules as written, whatever their form, as `{resource, direction, path, block, form}`: `block`
# holds the rule's settings, `path` is where a finding on it points.
written_rules contains {"resource": r, "direction": direction, "path": [direction, i], "block": block, "form": "terraform"} if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_default_security_group", "aws_security_group"}
	some direction in ["ingress", "egress"]
	some i, block in util.block_list(r.config[direction])
	is_object(block)
	not util.is_unknown(block)
}

written_rules contains {"resource": r, "direction": r.config.type, "path": [], "block": r.config, "form": "terraform"} if {
	some r in util.resources("aws_security_group_rule")
	r.config.type in {"ingress", "egress"}
}

written_rules contains {"resource": r, "direction": direction, "path": [], "block": r.config, "form": "vpc"} if {
	some r in input.resources
	r.mode == "managed"
	direction := network.vpc_rule_directions[r.type]
}

written_rules contains {"resource": r, "direction": direction, "path": array.concat([property], b.path), "block": b.value, "form": "cloudformation"} if {
	some r in input.resources
	r.source == "cloudformation"
	r.type == "AWS::EC2::SecurityGroup"
	some property, direction in network.cloudformation_inline_keys
	some b in util.blocks(r.config[property])
}

written_rules contains {"resource": r, "direction": direction, "path": [], "block": r.config, "form": "cloudformation"} if {
	some r in input.resources
	r.source == "cloudformation"
	direction := network.cloudformation_rule_types[r.type]
}

# Each form's protocol and port keys, and its source (or destination) keys: lists of CIDRs or
# ids, single values, and `self`.
protocol_keys := {
	"terraform": ["protocol", "from_port", "to_port"],
	"vpc": ["ip_protocol", "from_port", "to_port"],
	"cloudformation": ["IpProtocol", "FromPort", "ToPort"],
}

peer_keys := {
	"terraform": ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "source_security_group_id"],
	"vpc": ["cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id"],
	"cloudformation": [
		"CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName",
		"DestinationPrefixListId", "DestinationSecurityGroupId",
	],
}

# `ingress tcp/443 from 10.0.0.0/16`, `egress all to 0.0.0.0/0`, `ingress all from self`: one per
# source the rule names (`group` is the address of the group it opens, "" when unknown, for
# `self`); the rule alone (`egress all`) when it names none.
descriptions(rule, group) := {sprintf("%s %s %s %s", [rule.direction, traffic(rule), peer_word[rule.direction], peer]) | some peer in peers(rule, group)} if {
	count(peers(rule, group)) > 0
}

descriptions(rule, group) := {sprintf("%s %s", [rule.direction, traffic(rule)])} if {
	count(peers(rule, group)) == 0
}

peer_word := {"ingress": "from", "egress": "to"}

peers(rule, group) := {label |
	some key in peer_keys[rule.form]
	some element in util.elements(object.get(rule.block, key, []))
	label := peer_label(rule.resource, element.value, group)
} | {"self" | util.is_true(object.get(rule.block, "self", false))}

# A source as text: a CIDR as written, `self` for the rule's own group, a security group by its
# address, anything else Tollgate cannot know by its expression.
peer_label(_, value, _) := value if is_string(value)

peer_label(r, value, group) := "self" if {
	group != ""
	network.group_reference(r, value) == group
}

peer_label(r, value, group) := network.group_reference(r, value) if {
	network.group_reference(r, value) != group
}

peer_label(r, value, _) := value["$unknown"] if {
	util.is_unknown(value)
	not network.group_reference(r, value)
}

# The protocol and ports a rule opens, as text: `all`, `tcp/22`, `udp/8000-8080`, `icmp` (every
# type), `icmp type 8`, `icmp type 3 code 4`, `protocol 50`; a value Tollgate cannot know by its
# expression (`tcp/var.port`).
traffic(rule) := traffic_label(
	object.get(rule.block, protocol_keys[rule.form][0], null),
	port_value(object.get(rule.block, protocol_keys[rule.form][1], null)),
	port_value(object.get(rule.block, protocol_keys[rule.form][2], null)),
)

port_value(value) := util.number(value)

port_value(value) := value if not util.number(value)

traffic_label(protocol, _, _) := "all" if network.protocol_name(protocol) == "all"

traffic_label(protocol, from, to) := network.port_label({"protocol": name, "from": from, "to": to}) if {
	name := network.protocol_name(protocol)
	name in {"tcp", "udp"}
	is_number(from)
	is_number(to)
}

traffic_label(protocol, from, to) := sprintf("%s/%s", [name, ports_text(from, to)]) if {
	name := network.protocol_name(protocol)
	name in {"tcp", "udp"}
	not all_numbers([from, to])
}

traffic_label(protocol, from, to) := icmp_label(name, from, to) if {
	name := network.protocol_name(protocol)
	name in {"icmp", "icmpv6"}
}

traffic_label(protocol, _, _) := sprintf("protocol %s", [lower(util.label(protocol))]) if {
	not network.protocol_name(protocol)
	not util.is_unknown(protocol)
	util.label(protocol)
}

traffic_label(protocol, from, to) := sprintf("%s/%s", [protocol["$unknown"], ports_text(from, to)]) if {
	util.is_unknown(protocol)
}

traffic_label(protocol, _, _) := "protocol unset" if protocol == null

# `22`, `var.from-var.to`: a range as written, `unset` for a bound not written.
ports_text(from, to) := value_text(from) if from == to

ports_text(from, to) := sprintf("%s-%s", [value_text(from), value_text(to)]) if from != to

value_text(value) := util.label(value) if value != null

value_text(value) := "unset" if value == null

all_numbers(values) if {
	every value in values {
		is_number(value)
	}
}

# An ICMP rule's `from` is the type, `to` the code; -1 (or none written) is every one.
icmp_label(name, from, _) := name if every_icmp_value(from)

icmp_label(name, from, to) := sprintf("%s type %s", [name, value_text(from)]) if {
	not every_icmp_value(from)
	every_icmp_value(to)
}

icmp_label(name, from, to) := sprintf("%s type %s code %s", [name, value_text(from), value_text(to)]) if {
	not every_icmp_value(from)
	not every_icmp_value(to)
}

every_icmp_value(value) if value == null

every_icmp_value(value) if value == -1
