# Unit tests of which source ranges count as the internet: 0.0.0.0/0 and ::/0 however written, and
# network addresses wider than any one holder's block that hold public addresses.
package tollgate.lib.network_test

import data.tollgate.lib.network
import rego.v1

test_the_internet_however_written if {
	network.is_public_cidr("0.0.0.0/0")
	network.is_public_cidr("::/0")
	network.is_public_cidr("::0/0")
	network.is_public_cidr("0:0:0:0:0:0:0:0/0")
}

test_ranges_wider_than_one_holders_block if {
	network.is_public_cidr("0.0.0.0/1")
	network.is_public_cidr("128.0.0.0/1")
	network.is_public_cidr("4.0.0.0/6")
	network.is_public_cidr("2000::/3")
	network.is_public_cidr("::/1")
	network.is_public_cidr("2400::/6")
}

test_private_reserved_and_single_holder_ranges if {
	not network.is_public_cidr("10.0.0.0/8")
	not network.is_public_cidr("3.0.0.0/8")
	not network.is_public_cidr("224.0.0.0/3")
	not network.is_public_cidr("fc00::/7")
	not network.is_public_cidr("8000::/1")
	not network.is_public_cidr("2600::/12")
	not network.is_public_cidr("2001:db8::/32")
}

test_ranges_with_host_bits_or_malformed_are_not_networks if {
	not network.is_public_cidr("1.0.0.0/0")
	not network.is_public_cidr("4.0.0.0/5")
	not network.is_public_cidr("2001::/3")
	not network.is_public_cidr("0.0.0.0")
	not network.is_public_cidr("::g/0")
	not network.is_public_cidr({"$unknown": "var.cidr"})
}

# Which security group a rule opens (`network.rule_group`, the findings' subject).

group(address, type, module, root) := {"address": address, "type": type, "name": split(trim_prefix(address, concat("", [module, "."])), ".")[1], "mode": "managed", "source": "terraform", "module": module, "root": root, "config": {}, "references": []}

standalone(address, module, group_id, references) := {
	"address": address,
	"type": "aws_vpc_security_group_ingress_rule",
	"name": split(split(trim_prefix(address, concat("", [module, "."])), ".")[1], "[")[0],
	"mode": "managed",
	"source": "terraform",
	"module": module,
	"root": "infra",
	"config": {"security_group_id": {"$unknown": group_id}},
	"references": references,
}

terraform_groups := [
	group("aws_security_group.web", "aws_security_group", "", "infra"),
	group("aws_security_group.many[\"a\"]", "aws_security_group", "", "infra"),
	group("aws_default_security_group.default", "aws_default_security_group", "", "infra"),
	group("module.net[\"a\"].aws_security_group.this[0]", "aws_security_group", "module.net[\"a\"]", "infra"),
	group("aws_security_group.elsewhere", "aws_security_group", "", "other"),
	{"address": "module.sg", "type": "module", "name": "sg", "mode": "module", "source": "terraform", "module": "", "root": "infra", "moduleSource": "terraform-aws-modules/security-group/aws", "config": {}, "references": []},
]

test_inline_rules_and_module_calls_open_their_own_group if {
	network.rule_group(terraform_groups[0]) == {"group": "aws_security_group.web"} with input as {"resources": terraform_groups}
	network.rule_group(terraform_groups[5]) == {"group": "module.sg"} with input as {"resources": terraform_groups}
}

test_a_standalone_rule_opens_the_group_it_names if {
	rules := [
		standalone("aws_vpc_security_group_ingress_rule.ssh", "", "aws_security_group.web.id", ["aws_security_group.web"]),
		standalone("aws_vpc_security_group_ingress_rule.spaced", "", "aws_security_group.many[ \"a\" ].id", ["aws_security_group.many"]),
		standalone("aws_vpc_security_group_ingress_rule.keyed[\"a\"]", "", "aws_security_group.many[each.key].id", ["aws_security_group.many"]),
		standalone("aws_vpc_security_group_ingress_rule.default", "", "aws_default_security_group.default.id", ["aws_default_security_group.default"]),
		standalone("aws_vpc_security_group_ingress_rule.module", "", "module.sg.security_group_id", ["module.sg"]),
		standalone("module.net[\"a\"].aws_vpc_security_group_ingress_rule.own[0]", "module.net[\"a\"]", "aws_security_group.this[count.index].id", ["module.net[\"a\"].aws_security_group.this"]),
		# A module's output names the group in the module that declares it.
		standalone("aws_vpc_security_group_ingress_rule.output", "", "aws_security_group.this[0].id", ["module.net[\"a\"].aws_security_group.this"]),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat(terraform_groups, rules)}
	groups == [
		{"group": "aws_security_group.web"},
		{"group": "aws_security_group.many[\"a\"]"},
		{"group": "aws_security_group.many[\"a\"]"},
		{"group": "aws_default_security_group.default"},
		{"group": "module.sg"},
		{"group": "module.net[\"a\"].aws_security_group.this[0]"},
		{"group": "module.net[\"a\"].aws_security_group.this[0]"},
	]
}

test_a_group_that_cannot_be_resolved_is_none if {
	rules := [
		standalone("aws_vpc_security_group_ingress_rule.variable", "", "var.group_id", []),
		standalone("aws_vpc_security_group_ingress_rule.data", "", "data.aws_security_group.x.id", ["data.aws_security_group.x"]),
		standalone("aws_vpc_security_group_ingress_rule.undeclared", "", "aws_security_group.gone.id", ["aws_security_group.gone"]),
		# Another root's group of that name is not this root's.
		standalone("aws_vpc_security_group_ingress_rule.other_root", "", "aws_security_group.elsewhere.id", ["aws_security_group.elsewhere"]),
		# each.key of a module instance is not the rule's key when the group is outside its module.
		standalone("module.net[\"a\"].aws_vpc_security_group_ingress_rule.passed", "module.net[\"a\"]", "aws_security_group.many[each.key].id", ["aws_security_group.many"]),
		standalone("aws_vpc_security_group_ingress_rule.vpc", "", "aws_security_group.web.vpc_id", ["aws_security_group.web"]),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat(terraform_groups, rules)}
	groups == [{}, {}, {}, {}, {}, {}]
}

# The loader records the one instance an expression reads when it knows the key
# (`aws_security_group.many["b"]` for `aws_security_group.many[each.key]` in instance "b").

keyed_groups := array.concat(terraform_groups, [
	group("aws_security_group.many[\"b\"]", "aws_security_group", "", "infra"),
	group("module.net[\"a\"].aws_security_group.this[1]", "aws_security_group", "module.net[\"a\"]", "infra"),
])

test_a_standalone_rule_opens_the_instance_it_refers_to if {
	rules := [
		standalone("aws_vpc_security_group_ingress_rule.literal", "", "aws_security_group.many[\"b\"].id", ["aws_security_group.many[\"b\"]"]),
		standalone("aws_vpc_security_group_ingress_rule.keyed[\"b\"]", "", "aws_security_group.many[each.key].id", ["aws_security_group.many[\"b\"]"]),
		# Another instance read elsewhere in the rule: each.key is the rule's own.
		standalone("aws_vpc_security_group_ingress_rule.from_a[\"b\"]", "", "aws_security_group.many[each.key].id", ["aws_security_group.many[\"a\"]", "aws_security_group.many[\"b\"]"]),
		standalone("module.net[\"a\"].aws_vpc_security_group_ingress_rule.own[1]", "module.net[\"a\"]", "aws_security_group.this[count.index].id", ["module.net[\"a\"].aws_security_group.this[1]"]),
		standalone("aws_vpc_security_group_ingress_rule.output", "", "aws_security_group.this[1].id", ["module.net[\"a\"].aws_security_group.this[1]"]),
		# A caller's each.key, or a variable, that the loader resolved.
		standalone("module.net[\"a\"].aws_vpc_security_group_ingress_rule.passed", "module.net[\"a\"]", "aws_security_group.many[each.key].id", ["aws_security_group.many[\"a\"]"]),
		standalone("aws_vpc_security_group_ingress_rule.variable", "", "aws_security_group.many[var.group].id", ["aws_security_group.many[\"b\"]"]),
		# The name without key still resolves as before beside an instance of another resource.
		standalone("aws_vpc_security_group_ingress_rule.plain", "", "aws_security_group.many[\"a\"].id", ["aws_security_group.many", "module.net[\"a\"].aws_security_group.this[1]"]),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat(keyed_groups, rules)}
	groups == [
		{"group": "aws_security_group.many[\"b\"]"},
		{"group": "aws_security_group.many[\"b\"]"},
		{"group": "aws_security_group.many[\"b\"]"},
		{"group": "module.net[\"a\"].aws_security_group.this[1]"},
		{"group": "module.net[\"a\"].aws_security_group.this[1]"},
		{"group": "aws_security_group.many[\"a\"]"},
		{"group": "aws_security_group.many[\"b\"]"},
		{"group": "aws_security_group.many[\"a\"]"},
	]
}

test_an_instance_of_another_key_is_not_the_group if {
	rules := [
		standalone("aws_vpc_security_group_ingress_rule.literal", "", "aws_security_group.many[\"a\"].id", ["aws_security_group.many[\"b\"]"]),
		standalone("aws_vpc_security_group_ingress_rule.keyed[\"a\"]", "", "aws_security_group.many[each.key].id", ["aws_security_group.many[\"b\"]"]),
		standalone("aws_vpc_security_group_ingress_rule.index", "", "aws_security_group.this[0].id", ["module.net[\"a\"].aws_security_group.this[1]"]),
		# A key the loader could not know leaves the name without key: an instance read elsewhere
		# may not be the one.
		standalone("aws_vpc_security_group_ingress_rule.unknown", "", "aws_security_group.many[var.group].id", ["aws_security_group.many", "aws_security_group.many[\"b\"]"]),
		# Two instances, neither the rule's own key.
		standalone("aws_vpc_security_group_ingress_rule.both", "", "aws_security_group.many[var.group].id", ["aws_security_group.many[\"a\"]", "aws_security_group.many[\"b\"]"]),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat(keyed_groups, rules)}
	groups == [{}, {}, {}, {}, {}]
}

cloudformation_rule(id, key, value) := {"address": id, "type": "AWS::EC2::SecurityGroupIngress", "name": id, "mode": "managed", "source": "cloudformation", "module": "", "root": "stack.yaml", "config": {key: {"$unknown": value}}, "references": []}

test_a_cloudformation_rule_opens_the_group_its_group_id_names if {
	web := {"address": "WebSG", "type": "AWS::EC2::SecurityGroup", "name": "WebSG", "mode": "managed", "source": "cloudformation", "module": "", "root": "stack.yaml", "config": {}, "references": []}
	rules := [
		cloudformation_rule("ByRef", "GroupId", "!Ref WebSG"),
		cloudformation_rule("ByGetAtt", "GroupId", "!GetAtt WebSG.GroupId"),
		cloudformation_rule("ByName", "GroupName", "!Ref WebSG"),
		cloudformation_rule("OtherAttribute", "GroupId", "!GetAtt WebSG.VpcId"),
		cloudformation_rule("Imported", "GroupId", "!ImportValue web-sg"),
		cloudformation_rule("Parameter", "GroupId", "!Ref GroupParameter"),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat([web], rules)}
	groups == [{"group": "WebSG"}, {"group": "WebSG"}, {"group": "WebSG"}, {}, {}, {}]
}

test_a_rule_resolves_only_to_the_types_asked_for if {
	rule := standalone("aws_network_acl_rule.ssh", "", "aws_network_acl.public.id", ["aws_network_acl.public"])
	declared := {["infra", "aws_network_acl.public"]}
	network.terraform_target(rule, rule.config.security_group_id, ["aws_default_network_acl", "aws_network_acl"], declared) == "aws_network_acl.public"
	not network.terraform_target(rule, rule.config.security_group_id, ["aws_security_group"], declared)
	not network.terraform_target(rule, rule.config.security_group_id, ["aws_network_acl"], {["other", "aws_network_acl.public"]})
}

test_a_reference_resolves_by_the_attribute_it_reads if {
	rule := standalone("aws_vpc_security_group_ingress_rule.default", "", "aws_vpc.main.default_security_group_id", ["aws_vpc.main"])
	declared := {["infra", "aws_vpc.main"], ["infra", "module.vpc"]}
	network.terraform_attribute_target(rule, rule.config.security_group_id, ["aws_vpc"], "default_security_group_id", declared) == "aws_vpc.main"
	not network.terraform_attribute_target(rule, rule.config.security_group_id, ["aws_vpc"], "id", declared)
	not network.terraform_target(rule, rule.config.security_group_id, ["aws_vpc"], declared)
	output := standalone("aws_vpc_security_group_ingress_rule.module", "", "module.vpc.default_security_group_id", ["module.vpc"])
	network.terraform_attribute_target(output, output.config.security_group_id, ["module"], "default_security_group_id", declared) == "module.vpc"
}

# A VPC's default group, however a rule names it, is one group: the `aws_default_security_group`
# that adopts the VPC when exactly one does, else the VPC (or the module call creating it).

vpc(address) := {"address": address, "type": "aws_vpc", "name": split(address, ".")[1], "mode": "managed", "source": "terraform", "module": "", "root": "infra", "config": {}, "references": []}

adopting(address, vpc_address) := object.union(group(address, "aws_default_security_group", "", "infra"), {
	"config": {"vpc_id": {"$unknown": concat("", [vpc_address, ".id"])}},
	"references": [vpc_address],
})

vpc_module := {"address": "module.vpc", "type": "module", "name": "vpc", "mode": "module", "source": "terraform", "module": "", "root": "infra", "moduleSource": "terraform-aws-modules/vpc/aws", "config": {}, "references": []}

default_group_inputs := array.concat(
	[vpc("aws_vpc.adopted"), vpc("aws_vpc.bare"), vpc("aws_vpc.twice"), vpc_module],
	[
		adopting("aws_default_security_group.adopted", "aws_vpc.adopted"),
		adopting("aws_default_security_group.first", "aws_vpc.twice"),
		adopting("aws_default_security_group.second", "aws_vpc.twice"),
	],
)

test_a_rule_on_a_vpcs_default_group_opens_the_group_that_adopts_it if {
	rules := [
		standalone("aws_vpc_security_group_ingress_rule.by_vpc", "", "aws_vpc.adopted.default_security_group_id", ["aws_vpc.adopted"]),
		standalone("aws_vpc_security_group_ingress_rule.by_id", "", "aws_default_security_group.adopted.id", ["aws_default_security_group.adopted"]),
		standalone("aws_vpc_security_group_ingress_rule.not_adopted", "", "aws_vpc.bare.default_security_group_id", ["aws_vpc.bare"]),
		# Two groups adopting one VPC: neither is known to be the one.
		standalone("aws_vpc_security_group_ingress_rule.adopted_twice", "", "aws_vpc.twice.default_security_group_id", ["aws_vpc.twice"]),
		standalone("aws_vpc_security_group_ingress_rule.module", "", "module.vpc.default_security_group_id", ["module.vpc"]),
		standalone("aws_vpc_security_group_ingress_rule.data", "", "data.aws_vpc.x.default_security_group_id", ["data.aws_vpc.x"]),
		standalone("aws_vpc_security_group_ingress_rule.undeclared", "", "aws_vpc.gone.default_security_group_id", ["aws_vpc.gone"]),
		standalone("aws_vpc_security_group_ingress_rule.vpc_id", "", "aws_vpc.adopted.id", ["aws_vpc.adopted"]),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat(default_group_inputs, rules)}
	groups == [
		{"group": "aws_default_security_group.adopted"},
		{"group": "aws_default_security_group.adopted"},
		{"group": "aws_vpc.bare"},
		{"group": "aws_vpc.twice"},
		{"group": "module.vpc"},
		{}, {}, {},
	]
}

test_a_source_on_a_vpcs_default_group_is_the_group_a_rule_on_it_opens if {
	rule := standalone("aws_vpc_security_group_ingress_rule.from_default", "", "aws_vpc.adopted.default_security_group_id", ["aws_vpc.adopted"])
	source := {"$unknown": "aws_vpc.adopted.default_security_group_id"}
	resolved := [network.group_reference(rule, source), network.rule_group(rule).group] with input as {"resources": array.concat(default_group_inputs, [rule])}
	resolved == ["aws_default_security_group.adopted", "aws_default_security_group.adopted"]
}

test_a_cloudformation_rule_on_a_vpcs_default_group_opens_the_vpc if {
	vpc_resource := {"address": "Vpc", "type": "AWS::EC2::VPC", "name": "Vpc", "mode": "managed", "source": "cloudformation", "module": "", "root": "stack.yaml", "config": {}, "references": []}
	rules := [
		cloudformation_rule("ByVpc", "GroupId", "!GetAtt Vpc.DefaultSecurityGroup"),
		cloudformation_rule("OtherVpc", "GroupId", "!GetAtt Gone.DefaultSecurityGroup"),
		cloudformation_rule("VpcId", "GroupId", "!GetAtt Vpc.VpcId"),
	]
	groups := [network.rule_group(r) | some r in rules] with input as {"resources": array.concat([vpc_resource], rules)}
	groups == [{"group": "Vpc"}, {}, {}]
}

# A reference to a managed prefix list is read into the keys its CIDRs are looked up by: the list
# of that name in the module the referring resource's `references` name, the instance a literal
# key names or the loader resolved, else every instance (the address without key); a
# CloudFormation list of the resource's own template. Any other text names no list.
prefix_list_referrer(module, references) := {"source": "terraform", "root": "infra", "module": module, "references": references}

test_prefix_list_references_and_their_keys if {
	root_list := prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices"])
	own := network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices.id"})
	own == {["infra", "terraform", "aws_ec2_managed_prefix_list.offices"]}
	module_list := prefix_list_referrer("module.net[\"a\"]", ["module.net[\"a\"].aws_ec2_managed_prefix_list.offices"])
	in_module := network.prefix_list_keys(module_list, {"$unknown": "aws_ec2_managed_prefix_list.offices.arn"})
	in_module == {["infra", "terraform", "module.net[\"a\"].aws_ec2_managed_prefix_list.offices"]}
	passed_in := network.prefix_list_keys(object.union(root_list, {"module": "module.net"}), {"$unknown": "aws_ec2_managed_prefix_list.offices.id"})
	passed_in == {["infra", "terraform", "aws_ec2_managed_prefix_list.offices"]}
	instances := prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices[\"a\"]", "aws_ec2_managed_prefix_list.offices[\"b\"]"])
	literal := network.prefix_list_keys(instances, {"$unknown": "aws_ec2_managed_prefix_list.offices[ \"a\" ].id"})
	literal == {["infra", "terraform", "aws_ec2_managed_prefix_list.offices[\"a\"]"]}
	unexpanded := network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices[\"a\"].id"})
	unexpanded == own
	resolved := network.prefix_list_keys(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices[1]"]), {"$unknown": "aws_ec2_managed_prefix_list.offices[count.index].id"})
	resolved == {["infra", "terraform", "aws_ec2_managed_prefix_list.offices[1]"]}
	unresolved := network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices[each.key].id"})
	unresolved == own
	both := network.prefix_list_keys(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices", "aws_ec2_managed_prefix_list.offices[\"a\"]"]), {"$unknown": "aws_ec2_managed_prefix_list.offices[var.key].id"})
	both == own
	elsewhere := network.prefix_list_keys(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.other"]), {"$unknown": "aws_ec2_managed_prefix_list.offices.id"})
	elsewhere == set()
	template := {"source": "cloudformation", "root": "a.yaml", "module": "", "references": ["Offices"]}
	by_ref := network.prefix_list_keys(template, {"$unknown": "!Ref Offices"})
	by_ref == {["a.yaml", "cloudformation", "Offices"]}
	by_attribute := network.prefix_list_keys(template, {"$unknown": "!GetAtt Offices.PrefixListId"})
	by_attribute == by_ref
	not network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices.name"})
	not network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices[var.keys[0]].id"})
	not network.prefix_list_keys(root_list, {"$unknown": "aws_ec2_managed_prefix_list.offices[0][1].id"})
	not network.prefix_list_keys(root_list, {"$unknown": "data.aws_ec2_managed_prefix_list.offices.id"})
	not network.prefix_list_keys(template, {"$unknown": "!GetAtt Offices.Arn"})
	not network.prefix_list_keys(root_list, "pl-0123456789abcdef0")
}

prefix_list(address, module, root, config) := {"address": address, "name": "offices", "type": "aws_ec2_managed_prefix_list", "mode": "managed", "source": "terraform", "module": module, "root": root, "config": config, "references": []}

prefix_list_entry(address, module, list, references, cidr) := {"address": address, "name": "entry", "type": "aws_ec2_managed_prefix_list_entry", "mode": "managed", "source": "terraform", "module": module, "root": "infra", "config": {"prefix_list_id": {"$unknown": list}, "cidr": cidr}, "references": references}

prefix_list_input := {"resources": [
	prefix_list("aws_ec2_managed_prefix_list.offices[\"a\"]", "", "infra", {"entry": [{"cidr": "10.0.0.0/8"}]}),
	prefix_list("aws_ec2_managed_prefix_list.offices[\"b\"]", "", "infra", {}),
	prefix_list_entry("aws_ec2_managed_prefix_list_entry.public", "", "aws_ec2_managed_prefix_list.offices[\"b\"].id", ["aws_ec2_managed_prefix_list.offices[\"b\"]"], "0.0.0.0/0"),
	prefix_list("module.net.aws_ec2_managed_prefix_list.offices", "module.net", "infra", {"entry": [{"cidr": "192.0.2.0/24"}]}),
	prefix_list_entry("module.net.aws_ec2_managed_prefix_list_entry.each[\"x\"]", "module.net", "aws_ec2_managed_prefix_list.offices[each.key].id", ["module.net.aws_ec2_managed_prefix_list.offices"], "198.51.100.0/24"),
	prefix_list_entry("aws_ec2_managed_prefix_list_entry.orphan", "", "aws_ec2_managed_prefix_list.gone.id", ["aws_ec2_managed_prefix_list.gone"], "::/0"),
	prefix_list("aws_ec2_managed_prefix_list.offices[\"a\"]", "", "other", {"entry": [{"cidr": "0.0.0.0/0"}]}),
	{"address": "Offices", "type": "AWS::EC2::PrefixList", "name": "Offices", "mode": "managed", "source": "cloudformation", "module": "", "root": "a.yaml", "config": {"Entries": [{"Cidr": "0.0.0.0/0"}]}, "references": []},
	{"address": "Offices", "type": "AWS::EC2::PrefixList", "name": "Offices", "mode": "managed", "source": "cloudformation", "module": "", "root": "b.yaml", "config": {"Entries": [{"Cidr": "203.0.113.0/24"}]}, "references": []},
]}

# A list's CIDRs are its entries and the separate entry resources naming it, of its own instance,
# module instance and root (or template) alone.
test_a_prefix_list_gives_its_entries_and_separate_entry_resources if {
	office := network.prefix_list_cidrs(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices[\"a\"]"]), {"$unknown": "aws_ec2_managed_prefix_list.offices[\"a\"].id"}) with input as prefix_list_input
	office == ["10.0.0.0/8"]
	public := network.prefix_list_cidrs(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices[\"b\"]"]), {"$unknown": "aws_ec2_managed_prefix_list.offices[\"b\"].id"}) with input as prefix_list_input
	public == ["0.0.0.0/0"]
	every_instance := network.prefix_list_cidrs(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.offices"]), {"$unknown": "aws_ec2_managed_prefix_list.offices[each.key].id"}) with input as prefix_list_input
	sort(every_instance) == ["0.0.0.0/0", "10.0.0.0/8"]
	module_list := network.prefix_list_cidrs(prefix_list_referrer("module.net", ["module.net.aws_ec2_managed_prefix_list.offices"]), {"$unknown": "aws_ec2_managed_prefix_list.offices.id"}) with input as prefix_list_input
	sort(module_list) == ["192.0.2.0/24", "198.51.100.0/24"]
	gone := network.prefix_list_cidrs(prefix_list_referrer("", ["aws_ec2_managed_prefix_list.gone"]), {"$unknown": "aws_ec2_managed_prefix_list.gone.id"}) with input as prefix_list_input
	gone == []
	unknown := network.prefix_list_cidrs(prefix_list_referrer("", []), {"$unknown": "var.prefix_list_id"}) with input as prefix_list_input
	unknown == []
	template := network.prefix_list_cidrs({"source": "cloudformation", "root": "b.yaml", "module": "", "references": ["Offices"]}, {"$unknown": "!Ref Offices"}) with input as prefix_list_input
	template == ["203.0.113.0/24"]
}
