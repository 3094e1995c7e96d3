# METADATA
# description: >-
#   Security group rules in one shape, wherever they are written: inline `ingress`/`egress`
#   blocks, `aws_security_group_rule`, `aws_vpc_security_group_*_rule`, CloudFormation's
#   inline and standalone ingress/egress, and calls of the registry module
#   terraform-aws-modules/security-group/aws. One entry per CIDR (a managed prefix list the input
#   declares gives its CIDRs), with its path and port range, and `group`, the security group its
#   rule opens when Tollgate resolves it (a finding's `subject`);
#   entries whose CIDR is unknown are apart (`undecided_rules`), for "cannot tell" findings;
#   a CloudFormation CIDR that an undecided `Fn::If` chooses (`CidrIp: !If [C, 0.0.0.0/0, ...]`)
#   gives one entry per alternative, with `when` its condition (a finding's `when`).
package tollgate.lib.network

import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

public_cidrs := {"0.0.0.0/0", "::/0"}

# The internet: `0.0.0.0/0` and `::/0`, however written (`::0/0`), and network addresses so wide
# that no one holder's block is: IPv4 wider than /8 (wider than 10.0.0.0/8, the largest private
# range, and than any holder's block) outside multicast and reserved space (224.0.0.0/3), such as
# `0.0.0.0/1` and `128.0.0.0/1` that together are the internet; IPv6 wider than /12 (a regional
# registry's block) overlapping global unicast (`2000::/3`), so not `fc00::/7` nor `8000::/1`. A
# range written with host bits set (`1.0.0.0/0`) is no network address and is left out (the AWS
# provider refuses it).
is_public_cidr(cidr) if cidr in public_cidrs

is_public_cidr(cidr) if wide_ipv4_range(cidr)

is_public_cidr(cidr) if wide_ipv6_range(cidr)

# Addresses in an IPv4 block of prefix length n (0 to 7) counted in the first octet: 2^(8-n).
ipv4_first_octet_block := [256, 128, 64, 32, 16, 8, 4, 2]

wide_ipv4_range(cidr) if {
	is_string(cidr)
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$`, cidr)
	parts := split(cidr, "/")
	prefix := to_number(parts[1])
	prefix < 8
	octets := [to_number(o) | some o in split(parts[0], ".")]
	octets[1] + octets[2] + octets[3] == 0
	octets[0] % ipv4_first_octet_block[prefix] == 0
	octets[0] < 224
}

# Addresses in an IPv6 block of prefix length n (0 to 11) counted in the first group: 2^(16-n).
ipv6_first_group_block := [65536, 32768, 16384, 8192, 4096, 2048, 1024, 512, 256, 128, 64, 32]

hex_place_values := [1, 16, 256, 4096]

hex_digits := {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15}

wide_ipv6_range(cidr) if {
	is_string(cidr)
	regex.match(`^[0-9a-fA-F:]*:[0-9a-fA-F:]*/[0-9]{1,3}$`, cidr)
	parts := split(cidr, "/")
	prefix := to_number(parts[1])
	prefix < 12
	first := split(parts[0], ":")[0]
	regex.match(`^[0-9a-fA-F]{0,4}$`, first)
	regex.match(`^[0:]*$`, substring(parts[0], count(first), -1))
	value := sum([hex_digits[c] * hex_place_values[(count(first) - 1) - i] | some i, c in split(lower(first), "")])
	value % ipv6_first_group_block[prefix] == 0
	net.cidr_intersects(cidr, "2000::/3")
}

protocol_names := {
	"-1": "all",
	"all": "all",
	"tcp": "tcp",
	"6": "tcp",
	"udp": "udp",
	"17": "udp",
	"icmp": "icmp",
	"1": "icmp",
	"icmpv6": "icmpv6",
	"58": "icmpv6",
}

protocol_name(protocol) := protocol_names[lower(protocol)] if is_string(protocol)

protocol_name(protocol) := protocol_names[format_int(protocol, 10)] if is_number(protocol)

# `[from, to]`: every port for protocol `all`, the written range for TCP and UDP.
port_range(protocol, _, _) := [0, 65535] if protocol == "all"

port_range(protocol, from, to) := [util.number(from), util.number(to)] if protocol in {"tcp", "udp"}

# `tcp/22`, `tcp/8000-8080`, `all`.
port_label(e) := "all" if e.protocol == "all"

port_label(e) := sprintf("%s/%d", [e.protocol, e.from]) if {
	e.protocol != "all"
	e.from == e.to
}

port_label(e) := sprintf("%s/%d-%d", [e.protocol, e.from, e.to]) if {
	e.protocol != "all"
	e.from != e.to
}

# The stable evidence of an entry: `tcp/22 from 0.0.0.0/0`.
evidence(e) := sprintf("%s from %s", [port_label(e), e.cidr])

# What an entry's finding exposes, as data beside its evidence: the diff compares scopes to tell
# a narrowed exposure from a new one (src/diff/coverage.ts). For an entry whose protocol, ports
# and CIDR are known; `protocol` is `all`, `tcp` or `udp`, with `from`-`to` 0-65535 for `all`.
scope(e) := {
	"kind": "network",
	"direction": e.direction,
	"protocol": e.protocol,
	"from": e.from,
	"to": e.to,
	"source": e.cidr,
}

# The entry opens `port` over TCP (or every protocol).
exposes_tcp_port(e, port) := exposes_port(e, "tcp", port)

# The entry opens `port` over `protocol` (`tcp` or `udp`), or over every protocol.
exposes_port(e, protocol, port) if {
	e.protocol in {protocol, "all"}
	e.from <= port
	port <= e.to
}

# The ports of `services` (`[{"protocol": "udp", "port": 3389}]`) an entry with known ports
# opens, each once, sorted: a service listens on its port over its protocol only, so a UDP
# rule does not open a TCP-only database.
exposed_service_ports(e, services) := sort({s.port | some s in services; exposes_port(e, s.protocol, s.port)})

# The ports of `services` an undecided-port entry that is not every port may open.
possible_service_ports(e, services) := sort({s.port | some s in services; may_expose_port(e, s.protocol, s.port)})

# Every protocol, or every port of TCP or UDP.
is_all_traffic(e) if e.protocol == "all"

is_all_traffic(e) if {
	e.protocol in {"tcp", "udp"}
	e.from <= 0
	e.to >= 65535
}

make_entry(r, direction, rule_path, cidr, cidr_path, protocol, from, to) := object.union({
	"address": r.address,
	"type": r.type,
	"direction": direction,
	"rule_path": rule_path,
	"cidr": cidr,
	"cidr_path": cidr_path,
	"protocol": name,
	"from": ports[0],
	"to": ports[1],
}, rule_group(r)) if {
	name := protocol_name(protocol)
	ports := port_range(name, from, to)
}

# An entry as written: `make_entry`'s when its protocol and ports are known, else one whose
# protocol, `from` or `to` stays the unknown value, with `unknown_ports` the expressions of those.
written_entry(r, direction, rule_path, cidr, cidr_path, protocol, from, to) := make_entry(r, direction, rule_path, cidr, cidr_path, protocol, from, to)

written_entry(r, direction, rule_path, cidr, cidr_path, protocol, from, to) := object.union({
	"address": r.address,
	"type": r.type,
	"direction": direction,
	"rule_path": rule_path,
	"cidr": cidr,
	"cidr_path": cidr_path,
	"protocol": written_protocol(protocol),
	"from": from,
	"to": to,
	"unknown_ports": expressions,
}, rule_group(r)) if {
	expressions := undecided_port_expressions(protocol, from, to)
	count(expressions) > 0
}

# The protocol's name (`tcp`), or the unknown value itself.
written_protocol(protocol) := protocol if util.is_unknown(protocol)

written_protocol(protocol) := protocol_name(protocol) if not util.is_unknown(protocol)

# The expressions of the unknown values that decide which ports a rule opens: its protocol (which
# may be `-1`, every port), or the range of a TCP or UDP rule (any other protocol has no ports).
undecided_port_expressions(protocol, _, _) := [protocol["$unknown"]] if util.is_unknown(protocol)

undecided_port_expressions(protocol, from, to) := [value["$unknown"] | some value in [from, to]; util.is_unknown(value)] if {
	protocol_name(protocol) in {"tcp", "udp"}
}

# The security group an entry's rule opens, as `{"group": address}`: the group itself for its
# inline rules and for a call of the registry module, the group a standalone rule is added to
# when the input declares it (`group_reference`: `security_group_id = aws_security_group.web.id`,
# `aws_vpc.main.default_security_group_id`, `GroupId: !GetAtt WebSG.GroupId`); `{}` for a group
# Tollgate cannot resolve (a variable, a data source, an id written as text) and for entries of
# other resources (network ACLs).
rule_group(r) := {"group": address} if address := group_address(r)

rule_group(r) := {} if not group_address(r)

group_types := {"aws_security_group", "aws_default_security_group", "AWS::EC2::SecurityGroup"}

group_address(r) := r.address if {
	r.mode == "managed"
	r.type in group_types
}

group_address(r) := r.address if is_security_group_module(r)

group_address(r) := address if {
	r.mode == "managed"
	r.type in {"aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"}
	address := group_reference(r, r.config.security_group_id)
}

# `GroupId`, or for a group of the default VPC `GroupName` (`!Ref` gives its name) when there is
# no `GroupId`.
group_address(r) := address if {
	r.source == "cloudformation"
	cloudformation_rule_types[r.type]
	address := group_reference(r, r.config.GroupId)
}

group_address(r) := address if {
	r.source == "cloudformation"
	cloudformation_rule_types[r.type]
	util.is_absent(r.config, "GroupId")
	address := cloudformation_target(r, r.config.GroupName, declared_groups)
}

# The security group a value of resource `r` names, when the input declares it: a group by its
# id (`aws_security_group.web.id`, `aws_default_security_group.default.id`, a registry module's
# `module.sg.security_group_id`, `!Ref WebSG`, `!GetAtt WebSG.GroupId`), or a VPC's default group
# (`default_group`). Every rule that needs the group a rule opens, or a rule's source group,
# resolves it here, so that all of them name the same group the same way.
group_reference(r, value) := terraform_target(r, value, terraform_group_types, declared_groups) if r.source != "cloudformation"

group_reference(r, value) := cloudformation_target(r, value, declared_groups) if r.source == "cloudformation"

group_reference(r, value) := default_group(r, value)

# The address that stands for the VPC's default group a value names: for
# `aws_vpc.main.default_security_group_id` the `aws_default_security_group` whose `vpc_id` is
# that VPC's, when exactly one is (it adopts the group), else the VPC; for a module call's
# `module.vpc.default_security_group_id` the call; for CloudFormation's `!GetAtt
# Vpc.DefaultSecurityGroup` the `AWS::EC2::VPC` (a template cannot adopt the group).
default_group(r, value) := adopting_group(vpc) if vpc := terraform_attribute_target(r, value, vpc_types, "default_security_group_id", declared_vpcs)

default_group(r, value) := vpc if {
	vpc := terraform_attribute_target(r, value, vpc_types, "default_security_group_id", declared_vpcs)
	not adopting_group(vpc)
}

default_group(r, value) := vpc if {
	r.source == "cloudformation"
	util.is_unknown(value)
	startswith(value["$unknown"], "!GetAtt ")
	vpc := trim_suffix(trim_prefix(value["$unknown"], "!GetAtt "), ".DefaultSecurityGroup")
	some v in input.resources
	v.type == "AWS::EC2::VPC"
	v.address == vpc
	object.get(v, "root", "") == object.get(r, "root", "")
}

vpc_types := ["aws_vpc", "aws_default_vpc", "module"]

# `[root, address]` of every Terraform VPC, and of every module call (one may create a VPC).
declared_vpcs contains [object.get(v, "root", ""), v.address] if {
	some v in input.resources
	v.mode == "managed"
	v.type in {"aws_vpc", "aws_default_vpc"}
}

declared_vpcs contains [object.get(v, "root", ""), v.address] if {
	some v in input.resources
	v.mode == "module"
}

# The `aws_default_security_group` whose `vpc_id` is `vpc`'s id, when exactly one is.
adopting_group(vpc) := groups[0] if {
	groups := [g.address |
		some g in util.resources("aws_default_security_group")
		terraform_target(g, object.get(g.config, "vpc_id", null), ["aws_vpc", "aws_default_vpc"], declared_vpcs) == vpc
	]
	count(groups) == 1
}

is_security_group_module(r) if {
	r.mode == "module"
	is_string(r.moduleSource)
	registry.module_address(r.moduleSource) == registry.security_group_module
}

terraform_group_types := ["aws_default_security_group", "aws_security_group"]

# `[root, address]` of every security group and registry security-group module call.
declared_groups contains [object.get(g, "root", ""), g.address] if {
	some g in input.resources
	g.mode == "managed"
	g.type in group_types
}

declared_groups contains [object.get(g, "root", ""), g.address] if {
	some g in input.resources
	is_security_group_module(g)
}

# The resource a Terraform expression names by its id, one of `declared` (`[root, address]`):
# `<type>.<name>.id` for one of `types` (with an instance key), or a registry security-group
# module call's `module.<name>.security_group_id`, as the rule's `references` give its module path
# (a resource passed in through a module's variable or output is named in the module that
# declares it) and, when the loader resolved the key, its instance (`written_target`).
# `[each.key]` and `[count.index]` are the rule's own key when the resource is declared in the
# rule's module. Defined only when exactly one declared resource matches.
terraform_target(r, value, types, declared) := terraform_attribute_target(r, value, types, "id", declared)

terraform_target(r, value, _, declared) := terraform_attribute_target(r, value, ["module"], "security_group_id", declared)

# `terraform_target` for an expression reading `attribute` of one of `types` (`module` for a
# module call's output): `aws_vpc.main.default_security_group_id` names `aws_vpc.main`.
terraform_attribute_target(r, value, types, attribute, declared) := address if {
	util.is_unknown(value)
	endswith(value["$unknown"], concat(".", ["", attribute]))
	reference := attribute_reference(compact_brackets(value["$unknown"]), types, attribute)
	candidates := {address |
		some written in r.references
		address := written_target(r, written, reference)
		[object.get(r, "root", ""), address] in declared
	}
	count(candidates) == 1
	some address in candidates
}

# The address a reference of `references` gives the expression's `reference`: a reference to the
# resource without key (`aws_security_group.web`) with the expression's key; a reference to one
# instance (`aws_security_group.web["a"]`, what the loader records when it knows the key) itself,
# when its key is the expression's (`instance_agrees`).
written_target(r, written, reference) := concat("", [written, instance_key(r, written, reference)]) if named_in_module(written, reference.name)

written_target(r, written, reference) := written if {
	reference.key != ""
	endswith(written, "]")
	parts := split(written, "[")
	base := concat("[", array.slice(parts, 0, count(parts) - 1))
	named_in_module(base, reference.name)
	instance_agrees(r, base, concat("", ["[", parts[count(parts) - 1]]), reference)
}

# The key of an instance reference (`["a"]` of `base["a"]`) is the one the expression's key
# names: the same literal; the rule's own for `[each.key]` and `[count.index]` of a resource in
# its module; for any other key (`[var.key]`, `[each.value.group]`, a caller's `each.key`) the
# one the loader resolved, unless `references` also hold `base` without key, as the loader
# leaves a key it cannot know (the expression's may be that one).
instance_agrees(_, _, key, reference) if key == reference.key

instance_agrees(r, base, key, reference) if {
	own_key_applies(r, base, reference)
	key == own_key(r)
}

instance_agrees(r, base, _, reference) if {
	not literal_key(reference.key)
	not own_key_applies(r, base, reference)
	not base in r.references
}

literal_key(key) if startswith(key, "[\"")

literal_key(key) if {
	key != "[]"
	trim_left(trim_suffix(trim_prefix(key, "["), "]"), "0123456789") == ""
}

# An expression's text without spaces inside its brackets (`web[ "a" ]` to `web["a"]`).
# (The regular expressions are host calls, costly once per rule entry: most texts have no space.)
compact_brackets(text) := text if not has_whitespace(text)

compact_brackets(text) := regex.replace(regex.replace(text, `\[\s+`, "["), `\s+\]`, "]") if has_whitespace(text)

has_whitespace(text) if {
	some c in [" ", "\t", "\n", "\r"]
	contains(text, c)
}

# `{"name": "aws_security_group.web", "key": "[\"a\"]"}` for `aws_security_group.web["a"].id`,
# `{"name": "module.sg", "key": ""}` for `module.sg.security_group_id`.
attribute_reference(text, types, attribute) := split_key(trim_suffix(text, concat(".", ["", attribute]))) if {
	regex.match(sprintf(`^(%s)\.[A-Za-z_][A-Za-z0-9_-]*(\[[^\]]+\])?\.%s$`, [concat("|", types), attribute]), text)
}

split_key(body) := {"name": body, "key": ""} if not contains(body, "[")

split_key(body) := {"name": substring(body, 0, i), "key": substring(body, i, -1)} if {
	i := indexof(body, "[")
	i > 0
}

# A reference as `references` holds it (`module.net["a"].aws_security_group.web`) to the
# resource or module call `name` in some module.
named_in_module(written, name) if written == name

named_in_module(written, name) if {
	startswith(written, "module.")
	endswith(written, concat(".", ["", name]))
}

instance_key(r, written, reference) := own_key(r) if own_key_applies(r, written, reference)

instance_key(r, written, reference) := reference.key if not own_key_applies(r, written, reference)

own_key_applies(r, written, reference) if {
	reference.key in {"[each.key]", "[count.index]"}
	written == in_module(r, reference.name)
}

in_module(r, name) := name if r.module == ""

in_module(r, name) := concat(".", [r.module, name]) if r.module != ""

# The instance key of a resource's address (`["a"]`, `[0]`), "" for one without.
own_key(r) := trim_prefix(r.address, in_module(r, concat(".", [r.type, r.name])))

# The resource of `declared` (`[root, logical id]`) a CloudFormation value names: `!Ref <id>`, or
# `!GetAtt <id>.GroupId` of a security group.
cloudformation_target(r, value, declared) := id if {
	util.is_unknown(value)
	id := cloudformation_reference_id(value["$unknown"])
	[object.get(r, "root", ""), id] in declared
}

cloudformation_reference_id(text) := trim_prefix(text, "!Ref ") if startswith(text, "!Ref ")

cloudformation_reference_id(text) := trim_suffix(trim_prefix(text, "!GetAtt "), ".GroupId") if {
	startswith(text, "!GetAtt ")
	endswith(text, ".GroupId")
}

# A finding's `subject` for entry `e`: the group its rule opens, which identifies the finding
# across commits in place of the rule's own address, so that moving inline rules into standalone
# rule resources (or back) changes no finding; `{}` when the group is not resolved.
subject(e) := {"subject": e.group} if e.group

subject(e) := {} if not e.group

terraform_cidr_keys := ["cidr_blocks", "ipv6_cidr_blocks"]

# Inline blocks of `aws_security_group` and `aws_default_security_group` (in `.tf.json` one block
# may be written as an object rather than a list of objects).
written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_security_group", "aws_default_security_group"}
	some direction in ["ingress", "egress"]
	some b in util.blocks(r.config[direction])
	block := b.value
	block_path := array.concat([direction], b.path)
	some key in terraform_cidr_keys
	some c in util.elements(block[key])
	is_source(c.value)
	cidr_path := array.concat(array.concat(block_path, [key]), c.path)
	entry := written_entry(r, direction, block_path, c.value, cidr_path, block.protocol, object.get(block, "from_port", null), object.get(block, "to_port", null))
	e := object.union(entry, repetition(r, block_path))
}

# `{"for_each": expression}` for a block of a Terraform `dynamic` block over a collection
# Tollgate cannot know (its iterator's values are unknown and as open as the collection), else `{}`.
repetition(r, path) := {"for_each": util.unknown_for_each(r, path)}

repetition(r, path) := {} if not util.unknown_for_each(r, path)

written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type == "aws_security_group_rule"
	direction := r.config.type
	direction in {"ingress", "egress"}
	some key in terraform_cidr_keys
	some c in util.elements(r.config[key])
	is_source(c.value)
	cidr_path := array.concat([key], c.path)
	e := written_entry(r, direction, [], c.value, cidr_path, r.config.protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

vpc_rule_directions := {
	"aws_vpc_security_group_ingress_rule": "ingress",
	"aws_vpc_security_group_egress_rule": "egress",
}

written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	direction := vpc_rule_directions[r.type]
	some key in ["cidr_ipv4", "cidr_ipv6"]
	cidr := r.config[key]
	is_source(cidr)
	e := written_entry(r, direction, [], cidr, [key], r.config.ip_protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

cloudformation_inline_keys := {"SecurityGroupIngress": "ingress", "SecurityGroupEgress": "egress"}

cloudformation_rule_types := {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}

written_entries contains e if {
	some r in input.resources
	r.source == "cloudformation"
	r.type == "AWS::EC2::SecurityGroup"
	some property, direction in cloudformation_inline_keys
	some b in util.blocks(r.config[property])
	block := b.value
	some key in ["CidrIp", "CidrIpv6"]
	rule_path := array.concat([property], b.path)
	some possible in util.possible_values(r, array.concat(rule_path, [key]))
	cidr := possible.value
	is_source(cidr)
	some ports in cloudformation_port_choices(r, rule_path)
	when := util.conjunction([possible.condition, ports.when])
	entry := written_entry(r, direction, rule_path, cidr, array.concat(rule_path, [key]), ports.protocol, ports.from, ports.to)
	e := object.union(entry, {"when": when})
}

written_entries contains e if {
	some r in input.resources
	r.source == "cloudformation"
	direction := cloudformation_rule_types[r.type]
	some key in ["CidrIp", "CidrIpv6"]
	some possible in util.possible_values(r, [key])
	cidr := possible.value
	is_source(cidr)
	some ports in cloudformation_port_choices(r, [])
	when := util.conjunction([possible.condition, ports.when])
	entry := written_entry(r, direction, [], cidr, [key], ports.protocol, ports.from, ports.to)
	e := object.union(entry, {"when": when})
}

# `[{protocol, from, to, when}]`: the protocol and ports of the CloudFormation rule at `rule_path`
# in each deployment that differs in them: one entry per combination of the branches of undecided
# `Fn::If`s and `AllowedValues` choices (`FromPort: !If [IsProd, 22, 443]`) that some deployment
# has, `when` its conditions; the values as written (null when absent) with `when` "" otherwise.
cloudformation_port_choices(r, rule_path) := [{"protocol": protocol.value, "from": from.value, "to": to.value, "when": when} |
	some protocol in port_values(r, array.concat(rule_path, ["IpProtocol"]))
	some from in port_values(r, array.concat(rule_path, ["FromPort"]))
	some to in port_values(r, array.concat(rule_path, ["ToPort"]))
	when := util.conjunction([protocol.condition, from.condition, to.condition])
]

port_values(r, path) := util.possible_values(r, path)

port_values(r, path) := [{"value": null, "condition": ""}] if not util.possible_values(r, path)

# Rules whose source or destination is a managed prefix list the input declares
# (`aws_ec2_managed_prefix_list` with its `entry` blocks and `aws_ec2_managed_prefix_list_entry`
# resources, `AWS::EC2::PrefixList` `Entries`): one entry per CIDR of the list, pointing at the
# rule's reference to it. A list only AWS fills in (a service's, read by a data source) is never
# the internet and gives none.
written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type in {"aws_security_group", "aws_default_security_group"}
	some direction in ["ingress", "egress"]
	some b in util.blocks(r.config[direction])
	block := b.value
	block_path := array.concat([direction], b.path)
	some reference in util.elements(object.get(block, "prefix_list_ids", []))
	some cidr in prefix_list_cidrs(r, reference.value)
	cidr_path := array.concat(array.concat(block_path, ["prefix_list_ids"]), reference.path)
	entry := written_entry(r, direction, block_path, cidr, cidr_path, block.protocol, object.get(block, "from_port", null), object.get(block, "to_port", null))
	e := object.union(entry, repetition(r, block_path))
}

written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	r.type == "aws_security_group_rule"
	direction := r.config.type
	direction in {"ingress", "egress"}
	some reference in util.elements(object.get(r.config, "prefix_list_ids", []))
	some cidr in prefix_list_cidrs(r, reference.value)
	e := written_entry(r, direction, [], cidr, array.concat(["prefix_list_ids"], reference.path), r.config.protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

written_entries contains e if {
	some r in input.resources
	r.mode == "managed"
	direction := vpc_rule_directions[r.type]
	some cidr in prefix_list_cidrs(r, r.config.prefix_list_id)
	e := written_entry(r, direction, [], cidr, ["prefix_list_id"], r.config.ip_protocol, object.get(r.config, "from_port", null), object.get(r.config, "to_port", null))
}

cloudformation_prefix_list_keys := {"ingress": "SourcePrefixListId", "egress": "DestinationPrefixListId"}

written_entries contains e if {
	some r in input.resources
	r.source == "cloudformation"
	r.type == "AWS::EC2::SecurityGroup"
	some property, direction in cloudformation_inline_keys
	some b in util.blocks(r.config[property])
	block := b.value
	key := cloudformation_prefix_list_keys[direction]
	rule_path := array.concat([property], b.path)
	some cidr in prefix_list_cidrs(r, block[key])
	some ports in cloudformation_port_choices(r, rule_path)
	entry := written_entry(r, direction, rule_path, cidr, array.concat(rule_path, [key]), ports.protocol, ports.from, ports.to)
	e := object.union(entry, {"when": ports.when})
}

written_entries contains e if {
	some r in input.resources
	r.source == "cloudformation"
	direction := cloudformation_rule_types[r.type]
	key := cloudformation_prefix_list_keys[direction]
	some cidr in prefix_list_cidrs(r, r.config[key])
	some ports in cloudformation_port_choices(r, [])
	entry := written_entry(r, direction, [], cidr, [key], ports.protocol, ports.from, ports.to)
	e := object.union(entry, {"when": ports.when})
}

# The CIDRs (text) of the managed prefix list a reference of resource `r` names
# (`prefix_list_keys`), each once; `[]` for any other unknown value.
prefix_list_cidrs(r, reference) := [cidr | some cidr in {cidr |
	some key in prefix_list_keys(r, reference)
	some cidr in prefix_list_members[key]
}] if {
	util.is_unknown(reference)
}

# The keys (`[root, source, address]`) a reference of resource `r` to a managed prefix list is
# looked up by in `prefix_list_members`. Terraform: `aws_ec2_managed_prefix_list.<name>.id` (or
# `.arn`, with at most one instance key) names the list of that name in the module `r`'s
# `references` give (its own, or the one declaring a list passed in through a variable or output:
# the loader records the list's address with its module path), so two modules, or two instances
# of one module, that each declare a list of that name never mix. A literal key (`["a"]`, `[0]`)
# names that instance; another key (`[each.key]`, `[var.k]`) the instance the loader resolved,
# and when it could not, every instance of the list in that module instance (its address without
# key). CloudFormation: `!Ref <id>` and `!GetAtt <id>.PrefixListId` name the list of `r`'s
# template. Read with string functions, not a regular expression naming each list: one pattern
# per list emptied the runtime's cache of 256 compiled patterns once an input declared more.
prefix_list_keys(r, reference) := {[object.get(r, "root", ""), "terraform", address] |
	some written in r.references
	address := prefix_list_target(r, written, named)
} if {
	r.source == "terraform"
	named := terraform_prefix_list_reference(reference["$unknown"])
}

prefix_list_keys(r, reference) := {[object.get(r, "root", ""), "cloudformation", id]} if {
	r.source == "cloudformation"
	id := cloudformation_prefix_list_id(reference["$unknown"])
}

cloudformation_prefix_list_id(text) := trim_prefix(text, "!Ref ") if startswith(text, "!Ref ")

cloudformation_prefix_list_id(text) := trim_suffix(trim_prefix(text, "!GetAtt "), ".PrefixListId") if {
	startswith(text, "!GetAtt ")
	endswith(text, ".PrefixListId")
}

# `{"name": "aws_ec2_managed_prefix_list.web", "key": "[\"a\"]"}` for
# `aws_ec2_managed_prefix_list.web["a"].id` or `.arn`, `"key": ""` without instance key; undefined
# for a key that is not one pair of brackets (`web[0][1]`).
terraform_prefix_list_reference(text) := split_key(concat(".", ["aws_ec2_managed_prefix_list", body])) if {
	body := terraform_prefix_list_body(compact_brackets(text))
	not contains(body, "[")
}

terraform_prefix_list_reference(text) := reference if {
	body := terraform_prefix_list_body(compact_brackets(text))
	i := indexof(body, "[")
	i > 0
	key := substring(body, i, -1)
	indexof(key, "]") == count(key) - 1
	reference := split_key(concat(".", ["aws_ec2_managed_prefix_list", body]))
}

# `web["a"]` of `aws_ec2_managed_prefix_list.web["a"].id` or `.arn`.
terraform_prefix_list_body(text) := trim_suffix(rest, attribute) if {
	startswith(text, "aws_ec2_managed_prefix_list.")
	rest := trim_prefix(text, "aws_ec2_managed_prefix_list.")
	some attribute in [".id", ".arn"]
	endswith(rest, attribute)
}

# The address of the list (one instance, or every instance: the address without key) that
# `written`, one of `r`'s references, gives the reference `named` (`terraform_prefix_list_reference`).
prefix_list_target(_, written, named) := written if {
	named.key == ""
	named_in_module(written, named.name)
}

prefix_list_target(r, written, named) := address if {
	named.key != ""
	instance := written_instance(written, named.name)
	address := keyed_prefix_list_target(r, instance, named.key)
}

# The instance reference `[base, key]` (`key` "" for one without) of `written`, a reference to
# the resource `name` in some module.
written_instance(written, name) := [written, ""] if named_in_module(written, name)

written_instance(written, name) := [base, substring(written, count(base), -1)] if {
	endswith(written, "]")
	parts := split(written, "[")
	base := concat("[", array.slice(parts, 0, count(parts) - 1))
	named_in_module(base, name)
}

# A literal key names its instance; a reference the loader could not resolve to it (the list's
# `for_each` is unknown) names every instance, unless the instance is also referred to.
keyed_prefix_list_target(_, instance, key) := concat("", instance) if {
	literal_key(key)
	instance[1] == key
}

keyed_prefix_list_target(r, instance, key) := instance[0] if {
	literal_key(key)
	instance[1] == ""
	not concat("", [instance[0], key]) in r.references
}

# Another key: the instance the loader resolved it to, unless the list is also referred to
# without key (the loader's mark of a key it could not know), which names every instance.
keyed_prefix_list_target(r, instance, key) := concat("", instance) if {
	not literal_key(key)
	instance[1] != ""
	not instance[0] in r.references
}

keyed_prefix_list_target(_, instance, key) := instance[0] if {
	not literal_key(key)
	instance[1] == ""
}

# Indexes, computed once per evaluation (as lib/util's): `prefix_list_members[key]` is the set of
# CIDRs (text) of the managed prefix list of `key` (`[root, source, address]`): the `entry` blocks
# of an `aws_ec2_managed_prefix_list` and the `aws_ec2_managed_prefix_list_entry` resources naming
# it, under the instance's address and its address without key (every instance of the list in
# its module instance); an `AWS::EC2::PrefixList`'s `Entries` under its logical id.
prefix_list_members[key] contains cidr if {
	some list in util.resources("aws_ec2_managed_prefix_list")
	some entry in util.block_list(object.get(list.config, "entry", []))
	cidr := entry.cidr
	is_string(cidr)
	some key in prefix_list_addresses(list)
}

# An entry resource adds its CIDR to the list it names, or, when it names every instance of a list
# (`prefix_list_id = aws_ec2_managed_prefix_list.web[each.key].id` unresolved), to each of them.
prefix_list_members[member] contains cidr if {
	some entry in util.resources("aws_ec2_managed_prefix_list_entry")
	cidr := entry.config.cidr
	is_string(cidr)
	some key in prefix_list_keys(entry, entry.config.prefix_list_id)
	some list in declared_prefix_lists[key]
	some member in prefix_list_addresses(list)
}

prefix_list_members[[object.get(list, "root", ""), list.source, list.address]] contains cidr if {
	some list in input.resources
	list.type == "AWS::EC2::PrefixList"
	some entry in object.get(list.config, "Entries", [])
	cidr := entry.Cidr
	is_string(cidr)
}

# `[root, "terraform", address]` of a list instance, and of its address without key.
prefix_list_addresses(list) := {[root, list.source, list.address], [root, list.source, in_module(list, concat(".", [list.type, list.name]))]} if {
	root := object.get(list, "root", "")
}

# `declared_prefix_lists[key]`: the `aws_ec2_managed_prefix_list` resources a separate entry naming
# `key` may add its CIDR to, by the instance's address and by its address without key.
declared_prefix_lists[key] contains list if {
	some list in util.resources("aws_ec2_managed_prefix_list")
	some key in prefix_list_addresses(list)
}

# Entries whose protocol and ports are known, wherever they are written.
entries contains e if {
	some e in written_entries
	not e.unknown_ports
}

# Entries whose protocol or TCP/UDP port range is unknown (`from_port = var.port`): which ports
# they open is undecided, so they are in none of the sets below.
undecided_port_entries contains e if {
	some e in written_entries
	e.unknown_ports
}

# Entries with a CIDR written as text; `undecided_rules` are those whose CIDR is unknown.
rules contains e if {
	some e in entries
	is_string(e.cidr)
}

undecided_rules contains e if {
	some e in entries
	util.is_unknown(e.cidr)
}

# A rule's source as the entries take it: a CIDR, or a value static evaluation could not know.
is_source(cidr) if is_string(cidr)

is_source(cidr) if util.is_unknown(cidr)

# Ingress entries whose source is unknown and chosen by the author: it decides whether they are
# open to the internet (a VPC's or subnet's own range, which only AWS fills in, never is).
undecided_ingress contains e if {
	some e in undecided_rules
	e.direction == "ingress"
	author_chosen(e, e.cidr)
}

# An unknown value of entry `e` its author chooses: `util.may_be_anything_in`.
author_chosen(e, value) if util.may_be_anything_in(object.get(e, "for_each", ""), value)

# With `unknown_values: advisory`, the finding of an undecided ingress entry (`tcp/22 from
# var.allowed_cidrs`); undefined otherwise. One clause per sensitive-port rule.
cannot_tell(e, message) := object.union_n([
	settings.cannot_tell(e.address, e.cidr_path, e.cidr, message),
	{"evidence": sprintf("%s from %s", [port_label(e), e.cidr["$unknown"]]), "when": object.get(e, "when", "")},
	subject(e),
])

# Ingress entries with undecided ports whose source is the internet or unknown and chosen by the
# author (`util.may_be_anything`): any of them may open SSH, RDP, a database or every port to the
# internet. A port only AWS fills in counts (`aws_db_instance.main.port` is a database's port). The
# all-traffic rule (TG-NET-005) reports those that may open every port (`may_be_every_port`), once
# each, rather than every sensitive-port rule; those whose known bound narrows the range
# (`from_port = 1024, to_port = var.to`) are the sensitive-port rules' (`may_expose_tcp_port`).
undecided_port_ingress contains e if {
	some e in undecided_port_entries
	e.direction == "ingress"
	may_be_public_entry(e)
}

# The undecided-port entries whose ports may be every port (or every port of UDP): their protocol
# is unknown, both bounds of their range are, or the known bound leaves the whole range possible
# (`from_port = 0, to_port = var.to`). The all-traffic rule (TG-NET-005) reports these; the
# sensitive-port rules report the others on the ports their known bound leaves possible.
may_be_every_port(e) if util.is_unknown(e.protocol)

may_be_every_port(e) if {
	not util.is_unknown(e.protocol)
	not possible_ports(e)
}

may_be_every_port(e) if {
	range := possible_ports(e)
	range[0] <= 0
	range[1] >= 65535
}

# `[lowest, highest]`: the ports a TCP or UDP entry with one unknown bound may open. A rule's
# `from_port` is at most its `to_port` (AWS refuses it otherwise), so the unknown bound lies
# on the known one's side: `from_port = 22, to_port = var.to` opens 22 and may open up to 65535.
possible_ports(e) := [util.number(e.from), 65535] if util.is_unknown(e.to)

possible_ports(e) := [0, util.number(e.to)] if util.is_unknown(e.from)

# An undecided-port entry that is not every port (`not may_be_every_port(e)`) may open TCP `port`.
may_expose_tcp_port(e, port) := may_expose_port(e, "tcp", port)

# An undecided-port entry that is not every port may open `port` over `protocol`.
may_expose_port(e, protocol, port) if {
	e.protocol == protocol
	range := possible_ports(e)
	range[0] <= port
	port <= range[1]
}

may_be_public_source(cidr) if is_public_cidr(cidr)

may_be_public_source(cidr) if util.may_be_anything(cidr)

# `may_be_public_source` for an entry, whose unknown source may read a dynamic block's iterator.
may_be_public_entry(e) if is_public_cidr(e.cidr)

may_be_public_entry(e) if author_chosen(e, e.cidr)

# `tcp/var.port`, `tcp/var.from-var.to`, `var.protocol/22`: the ports of an undecided entry as written;
# the expression alone for an unknown module rule name (`var.ingress_rules`).
undecided_port_label(e) := sprintf("%s/%s", [util.label(e.protocol), util.label(e.from)]) if {
	e.from != null
	e.from == e.to
}

undecided_port_label(e) := sprintf("%s/%s-%s", [util.label(e.protocol), util.label(e.from), util.label(e.to)]) if e.from != e.to

undecided_port_label(e) := util.label(e.protocol) if {
	e.from == null
	e.to == null
}

# An entry's source for a message: the CIDR, or `a source Tollgate cannot know (var.cidrs)`.
source_text(cidr) := cidr if is_string(cidr)

source_text(cidr) := sprintf("a source Tollgate cannot know (%s)", [cidr["$unknown"]]) if util.is_unknown(cidr)

# With `unknown_values: advisory`, the finding of an undecided-port entry (evidence `tcp/var.port
# from 0.0.0.0/0`, `unknown` the first undecided expression); undefined otherwise.
cannot_tell_ports(e, message) := object.union_n([
	settings.cannot_tell(e.address, e.cidr_path, {"$unknown": e.unknown_ports[0]}, message),
	{"evidence": sprintf("%s from %s", [undecided_port_label(e), util.label(e.cidr)]), "when": object.get(e, "when", "")},
	subject(e),
])

# Ingress entries open to the internet.
public_ingress contains e if {
	some e in rules
	e.direction == "ingress"
	is_public_cidr(e.cidr)
}

# Calls of terraform-aws-modules/security-group/aws (and its submodules such as `//modules/ssh`),
# read as the module reads its arguments: named rules (`ingress_rules`, and a submodule's own
# defaults) on `ingress_cidr_blocks` / `ingress_ipv6_cidr_blocks`, and the lists of maps
# (`ingress_with_cidr_blocks`, `ingress_with_ipv6_cidr_blocks`, and the `computed_` ones up to
# their `number_of_computed_` count), likewise for egress, with the module's default CIDRs when
# an argument is not written (none for ingress, `0.0.0.0/0` and `::/0` for egress). An entry's
# `cidr_path` is where a finding on it points: the CIDR element, the named rule's element, or the
# map of the list when its CIDRs come from the defaults.
module_security_groups contains r if {
	some r in registry.calls(registry.security_group_module)
	not util.is_false(object.get(r.config, "create", true))
}

module_cidr_variables := {
	"ingress": {"ipv4": "ingress_cidr_blocks", "ipv6": "ingress_ipv6_cidr_blocks"},
	"egress": {"ipv4": "egress_cidr_blocks", "ipv6": "egress_ipv6_cidr_blocks"},
}

module_cidr_defaults := {
	"ingress": {"ipv4": [], "ipv6": []},
	"egress": {"ipv4": ["0.0.0.0/0"], "ipv6": ["::/0"]},
}

# The CIDRs every rule of a direction uses unless it names its own, as `[{value, path}]`.
module_default_cidrs(r, direction, family) := [c |
	some element in util.elements(r.config[name])
	c := {"value": element.value, "path": array.concat([name], element.path)}
] if {
	name := module_cidr_variables[direction][family]
	not util.is_absent(r.config, name)
}

module_default_cidrs(r, direction, family) := [{"value": cidr, "path": []} | some cidr in module_cidr_defaults[direction][family]] if {
	util.is_absent(r.config, module_cidr_variables[direction][family])
}

# A `computed_` list's element exists only below its `number_of_computed_` count (default 0).
module_list_element_created(_, list, _) if not startswith(list, "computed_")

module_list_element_created(r, list, i) if {
	startswith(list, "computed_")
	i < util.number(r.config[concat("", ["number_of_", list])])
}

# Rule names a call asks for, as `[{name, path}]`: written in `<direction>_rules` (or its
# computed list), and a submodule's `auto_<direction>_rules` (its defaults when not written).
module_rule_names(r, direction) := array.concat(array.concat(written, automatic), defaults) if {
	written := [{"name": name, "path": [list, i]} |
		some list in [concat("_", [direction, "rules"]), concat("_", ["computed", direction, "rules"])]
		is_array(r.config[list])
		some i, name in r.config[list]
		is_string(name)
		module_list_element_created(r, list, i)
	]
	key := concat("_", ["auto", direction, "rules"])
	automatic := [{"name": name, "path": [key, i]} |
		module_group(r)
		is_array(r.config[key])
		some i, name in r.config[key]
		is_string(name)
	]
	defaults := [{"name": name, "path": []} |
		util.is_absent(r.config, key)
		some name in module_group_rules(module_group(r), direction)
	]
}

# `ssh` for a call of `//modules/ssh`: the submodules are named after their group of rules.
module_group(r) := group if {
	submodule := registry.submodule(r.moduleSource)
	startswith(submodule, "modules/")
	group := trim_prefix(submodule, "modules/")
	registry.security_group_submodule_ingress_rules[group]
}

module_group_rules(group, "ingress") := registry.security_group_submodule_ingress_rules[group]

module_group_rules(_, "egress") := ["all-all"]

written_entries contains e if {
	some r in module_security_groups
	some direction in ["ingress", "egress"]
	some rule in module_rule_names(r, direction)
	ports := registry.security_group_rules[rule.name]
	some family in ["ipv4", "ipv6"]
	some c in module_default_cidrs(r, direction, family)
	is_source(c.value)
	path := first_written(rule.path, c.path)
	e := make_entry(r, direction, rule.path, c.value, path, ports[2], ports[0], ports[1])
}

# A rule name the call's author leaves unknown (`ingress_rules = var.ingress_rules`, or one
# element of the list) names a protocol and ports Tollgate cannot know: one undecided entry per
# CIDR, with the name as its protocol and no ports.
written_entries contains e if {
	some r in module_security_groups
	some direction in ["ingress", "egress"]
	some rule in module_unknown_rule_names(r, concat("_", [direction, "rules"]))
	some family in ["ipv4", "ipv6"]
	some c in module_default_cidrs(r, direction, family)
	is_source(c.value)
	e := written_entry(r, direction, rule.path, c.value, first_written(rule.path, c.path), rule.name, null, null)
}

module_unknown_rule_names(r, list) := [{"name": r.config[list], "path": [list]}] if util.is_unknown(r.config[list])

# An unknown element points at the list: its own location is where its value comes from.
module_unknown_rule_names(r, list) := [{"name": name, "path": [list]} |
	some name in r.config[list]
	util.is_unknown(name)
] if is_array(r.config[list])

first_written(preferred, _) := preferred if count(preferred) > 0

first_written(preferred, fallback) := fallback if count(preferred) == 0

module_rule_lists := [
	{"suffix": "with_cidr_blocks", "family": "ipv4", "key": "cidr_blocks"},
	{"suffix": "with_ipv6_cidr_blocks", "family": "ipv6", "key": "ipv6_cidr_blocks"},
]

written_entries contains e if {
	some r in module_security_groups
	some direction in ["ingress", "egress"]
	some spec in module_rule_lists
	some prefix in ["", "computed_"]
	list := concat("", [prefix, direction, "_", spec.suffix])
	is_array(r.config[list])
	some i, item in r.config[list]
	is_object(item)
	not util.is_unknown(item)
	module_list_element_created(r, list, i)
	some c in module_item_cidrs(r, direction, spec, item, [list, i])
	is_source(c.value)
	named := object.get(registry.security_group_rules, object.get(item, "rule", ""), [null, null, null])
	protocol := object.get(item, "protocol", named[2])
	from := object.get(item, "from_port", named[0])
	to := object.get(item, "to_port", named[1])
	e := written_entry(r, direction, [list, i], c.value, c.path, protocol, from, to)
}

# A map's CIDRs: a comma-separated string (the module's documented form), a list, or, when the
# map names none, the direction's defaults.
module_item_cidrs(_, _, spec, item, path) := [{"value": trim_space(cidr), "path": array.concat(path, [spec.key])} |
	some cidr in split(item[spec.key], ",")
	trim_space(cidr) != ""
] if is_string(item[spec.key])

module_item_cidrs(_, _, spec, item, path) := [c |
	some element in util.elements(item[spec.key])
	c := {"value": element.value, "path": array.concat(array.concat(path, [spec.key]), element.path)}
] if is_array(item[spec.key])

module_item_cidrs(r, direction, spec, item, path) := [{"value": c.value, "path": path} | some c in module_default_cidrs(r, direction, spec.family)] if {
	util.is_absent(item, spec.key)
}
