# METADATA
# title: Unrestricted egress to the internet
# description: >-
#   A security group allows all outbound traffic (every protocol, or every TCP or UDP port) to
#   `0.0.0.0/0` or `::/0`. It is the AWS default and often accepted, but it lets a compromised
#   workload reach any host; reported at low severity as advice. The rule judges the egress a
#   group has once deployed. A CloudFormation `AWS::EC2::SecurityGroup` that writes no
#   `SecurityGroupEgress` (absent or empty, or written only under an undecided `Fn::If`
#   condition) keeps the rules AWS adds to every new group, even when standalone
#   `AWS::EC2::SecurityGroupEgress` resources add rules to it: all traffic to `0.0.0.0/0`, and to
#   `::/0` where the group's VPC has an IPv6 range (the VPC its `VpcId` names gets an IPv6 block
#   from an `AWS::EC2::VPCCidrBlock`, or a subnet of it has IPv6 addresses, in the template).
#   Policies see one stack at a time, so a VPC the template does not hold (a parameter, an
#   `Fn::ImportValue`, a value a parent stack passes) cannot be told to have an IPv6 range: with
#   `unknown_values: advisory` such a group gets a "cannot tell" finding for ::/0 at its `VpcId`.
#   Rules written to `::/0` are reported wherever the group's VPC comes from.
#   Reported once per group and address range, with the evidence the same rule written out would
#   have. Terraform removes these default rules from the `aws_security_group` it creates, so a
#   group there has only the egress written for it (inline `egress` blocks or rule resources).
# custom:
#   id: TG-NET-007
#   severity: low
#   category: network
#   remediation: Allow outbound traffic only to the ports and destinations the workload needs (for example 443 to VPC endpoints or a proxy).
package tollgate.rules.network.unrestricted_egress

import data.tollgate.lib.network
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# The evidence reads `egress all from 0.0.0.0/0`, though the traffic goes to that range (the
# messages say "to"): evidence is the finding's identity (src/diff findingIdentity), which SARIF's
# `tollgateFinding/v1` fingerprint and the check run's record hash, so rewording it would make code
# scanning close every existing alert of this rule and open it again as new after an upgrade.
egress_evidence(e) := sprintf("egress %s", [network.evidence(e)])

deny contains finding if {
	some e in network.rules
	e.direction == "egress"
	network.is_public_cidr(e.cidr)
	network.is_all_traffic(e)
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows all outbound traffic to %s: allow only the destinations the workload needs.", [e.cidr]),
			"evidence": egress_evidence(e),
			"path": e.cidr_path,
			"scope": network.scope(e),
			"when": object.get(e, "when", ""),
		},
		network.subject(e),
	)
}

# The egress rules AWS adds to a group created without any, which CloudFormation keeps unless the
# group's own `SecurityGroupEgress` lists rules: all traffic to 0.0.0.0/0, and to ::/0 in the
# deployments where the group's VPC has an IPv6 range.
deny contains finding if {
	some r in util.resources("AWS::EC2::SecurityGroup")
	some kept in default_egress(r)
	some added in default_rules(r)
	when := util.conjunction([kept.when, added.when])
	e := network.make_entry(r, "egress", [], added.cidr, kept.path, "-1", 0, 0)
	finding := object.union(
		{
			"resource": r.address,
			"message": sprintf("The security group lists no egress rule of its own (SecurityGroupEgress), so it keeps AWS's default egress rule, which allows all outbound traffic to %s%s: list the outbound rules the workload needs in SecurityGroupEgress (standalone AWS::EC2::SecurityGroupEgress resources do not remove the default).", [added.cidr, added.why]),
			"evidence": egress_evidence(e),
			"path": kept.path,
			"scope": network.scope(e),
			"when": when,
		},
		network.subject(e),
	)
}

# A group keeping AWS's default egress in a VPC the template does not hold (its `VpcId` a
# parameter, an import, a value a parent stack passes or a nested stack outputs) keeps the rule to
# ::/0 too if that VPC has an IPv6 range, which Tollgate cannot see: with `unknown_values:
# advisory`, a "cannot tell" finding at the `VpcId`.
deny contains finding if {
	some r in util.resources("AWS::EC2::SecurityGroup")
	some kept in default_egress(r)
	some group_vpc in util.possible_values(r, ["VpcId"])
	not names_template_vpc(group_vpc.value)
	unknown := settings.cannot_tell(r.address, ["VpcId"], group_vpc.value, ipv6_unknown_message)
	finding := object.union(unknown, {"when": util.conjunction([kept.when, group_vpc.condition])})
}

ipv6_unknown_message := "The security group lists no egress rule of its own (SecurityGroupEgress), so it keeps AWS's default egress rules, and its VPC is one Tollgate cannot see: if the VPC has an IPv6 range, they also allow all outbound traffic to ::/0. List the outbound rules the workload needs in SecurityGroupEgress."

names_template_vpc(value) if {
	some vpc in util.resources("AWS::EC2::VPC")
	names_vpc(value, vpc)
}

# `[{cidr, why, when}]`: the default rules the group gets, with the deployments of each.
default_rules(r) := array.concat(
	[{"cidr": "0.0.0.0/0", "why": "", "when": ""}],
	[{"cidr": "::/0", "why": " (its VPC has an IPv6 range)", "when": when} | some when in ipv6_whens(r)],
)

# The deployments in which the group's VPC has an IPv6 range, beyond the group's own conditions:
# `{""}` when it has one wherever the group exists, else one condition per way it gets one (a
# finding each); empty when its VPC is not in the template or has none.
ipv6_whens(r) := {""} if "" in ipv6_conditions(r)

ipv6_whens(r) := ipv6_conditions(r) if not "" in ipv6_conditions(r)

# For each way the group's VPC (its `VpcId` naming an `AWS::EC2::VPC` of the template) gets an
# IPv6 range, the conditions it waits for that are not the group's own, as one condition ("" for
# none): an `AWS::EC2::VPCCidrBlock` giving the VPC an IPv6 block, or a subnet of the VPC with IPv6
# addresses, which AWS allows only in a VPC that has an IPv6 block.
ipv6_conditions(r) := {when |
	own := util.conditions(r, [])
	some group_vpc in util.possible_values(r, ["VpcId"])
	some vpc in util.resources("AWS::EC2::VPC")
	names_vpc(group_vpc.value, vpc)
	some source in ipv6_sources(vpc)
	when := util.conjunction([c |
		some c in array.concat(source.conditions, [group_vpc.condition])
		c != ""
		not c in own
	])
}

# A group's `VpcId` names the VPC: `!Ref Vpc`, `!GetAtt Vpc.VpcId`.
names_vpc(value, vpc) if {
	util.is_unknown(value)
	vpc.address in util.cloudformation_names(value["$unknown"])
}

names_vpc(value, vpc) if {
	util.is_unknown(value)
	some prefix in ["!GetAtt ", "${"]
	contains(value["$unknown"], concat("", [prefix, vpc.address, ".VpcId"]))
}

# `[{conditions}]`: each setting of the template that gives the VPC an IPv6 range, with the
# conditions under which it is deployed.
ipv6_sources(vpc) := [{"conditions": array.concat(util.conditions(other, [setting.key]), [possible.condition])} |
	some type, settings in ipv6_settings
	some other in util.referrers(vpc, type)
	some setting in settings
	some possible in util.possible_values(other, [setting.key])
	gives_ipv6(setting, possible.value)
]

# The settings of a VPC's CIDR blocks and subnets that mean it has an IPv6 range: a flag that is
# true, or a block or pool that is written.
ipv6_settings := {
	"AWS::EC2::VPCCidrBlock": [
		{"key": "AmazonProvidedIpv6CidrBlock", "flag": true},
		{"key": "Ipv6CidrBlock", "flag": false},
		{"key": "Ipv6Pool", "flag": false},
		{"key": "Ipv6IpamPoolId", "flag": false},
	],
	"AWS::EC2::Subnet": [
		{"key": "AssignIpv6AddressOnCreation", "flag": true},
		{"key": "Ipv6Native", "flag": true},
		{"key": "Ipv6CidrBlock", "flag": false},
		{"key": "Ipv6IpamPoolId", "flag": false},
	],
}

gives_ipv6(setting, value) if {
	setting.flag
	util.is_true(value)
}

gives_ipv6(setting, value) if {
	not setting.flag
	not value in {"", null}
}

# Where and in which deployments the group lists no egress rule of its own, as `[{path, when}]`:
# the property absent or empty (or chosen whole by an undecided condition's branch that leaves
# it empty), or every rule it lists written under an undecided condition.
default_egress(r) := array.concat(
	util.missing(r, [], "SecurityGroupEgress"),
	array.concat(
		[{"path": ["SecurityGroupEgress"], "when": when} |
			rules := r.config.SecurityGroupEgress
			is_array(rules)
			count(rules) > 0
			util.unconditional(r, ["SecurityGroupEgress"])
			when := util.none_hold_when([util.conditions_below(object.get(r, "conditional", {}), ["SecurityGroupEgress"], [i]) | some i, _ in rules])
		],
		[{"path": ["SecurityGroupEgress"], "when": possible.condition} |
			some possible in util.possible_values(r, ["SecurityGroupEgress"])
			possible.condition != ""
			possible.value == []
		],
	),
)
