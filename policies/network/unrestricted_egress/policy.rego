# METADATA
# title: Unrestricted egress to the internet
# description: >-
#   A security group allows all outbound traffic (every protocol, or every TCP or UDP port) to
#   `0.0.0.0/0` or `::/0`. It is the AWS default and often accepted, but it lets a compromised
#   workload reach any host; reported at low severity as advice. The rule judges the egress a
#   group has once deployed. A CloudFormation `AWS::EC2::SecurityGroup` that writes no
#   `SecurityGroupEgress` (absent or empty, or written only under an undecided `Fn::If`
#   condition) keeps the rule AWS adds to every new group, all traffic to `0.0.0.0/0`, even when
#   standalone `AWS::EC2::SecurityGroupEgress` resources add rules to it: reported once per group,
#   with the evidence the same rule written out would have. Terraform removes that default rule
#   from the `aws_security_group` it creates, so a group there has only the egress written for
#   it (inline `egress` blocks or rule resources).
# custom:
#   id: TG-NET-007
#   severity: low
#   category: network
#   remediation: Allow outbound traffic only to the ports and destinations the workload needs (for example 443 to VPC endpoints or a proxy).
package tollgate.rules.network.unrestricted_egress

import data.tollgate.lib.network
import data.tollgate.lib.util
import rego.v1

deny contains finding if {
	some e in network.rules
	e.direction == "egress"
	network.is_public_cidr(e.cidr)
	network.is_all_traffic(e)
	finding := object.union(
		{
			"resource": e.address,
			"message": sprintf("The security group allows all outbound traffic to %s: allow only the destinations the workload needs.", [e.cidr]),
			"evidence": sprintf("egress %s", [network.evidence(e)]),
			"path": e.cidr_path,
			"scope": network.scope(e),
			"when": object.get(e, "when", ""),
		},
		network.subject(e),
	)
}

# The egress rule AWS adds to a group created without any (IPv4; IPv6 too in a VPC with an IPv6
# range), which CloudFormation keeps unless the group's own `SecurityGroupEgress` lists rules.
deny contains finding if {
	some r in util.resources("AWS::EC2::SecurityGroup")
	some kept in default_egress(r)
	e := network.make_entry(r, "egress", [], "0.0.0.0/0", kept.path, "-1", 0, 0)
	finding := object.union(
		{
			"resource": r.address,
			"message": "The security group lists no egress rule of its own (SecurityGroupEgress), so it keeps AWS's default egress rule, which allows all outbound traffic to 0.0.0.0/0: list the outbound rules the workload needs in SecurityGroupEgress (standalone AWS::EC2::SecurityGroupEgress resources do not remove the default).",
			"evidence": sprintf("egress %s", [network.evidence(e)]),
			"path": kept.path,
			"scope": network.scope(e),
			"when": kept.when,
		},
		network.subject(e),
	)
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
