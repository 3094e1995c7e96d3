# Unit tests of the helpers every rule leans on, for the cases fixtures reach only by accident:
# values Terraform cannot know statically ({"$unknown": ...}), booleans written as strings,
# and references to instances and module-prefixed addresses.
package tollgate.lib.util_test

import data.tollgate.lib.util
import rego.v1

unknown := {"$unknown": "var.enabled"}

test_an_unknown_value_is_neither_true_nor_false if {
	util.is_unknown(unknown)
	not util.is_true(unknown)
	not util.is_false(unknown)
}

test_booleans_written_as_strings if {
	util.is_true("True")
	util.is_false("FALSE")
	not util.is_false("no")
}

test_an_unknown_block_is_not_absent if {
	util.is_absent({"a": 1}, "b")
	util.is_absent({"a": null}, "a")
	not util.is_absent(unknown, "b")
}

test_numbers_from_text if {
	util.number("-42") == -42
	util.number(8) == 8
	not util.number("4.2")
}

test_references_reach_instances_and_module_addresses if {
	util.reference_matches("", "aws_kms_key.k", "aws_kms_key.k")
	util.reference_matches("", "aws_kms_key.k", "aws_kms_key.k[0]")
	util.reference_matches("module.app", "aws_kms_key.k", "module.app.aws_kms_key.k")
	util.reference_matches("module.app", "aws_kms_key.k", "module.app.aws_kms_key.k[\"a\"]")
	not util.reference_matches("", "aws_kms_key.k", "aws_kms_key.key")
}

conditional_bucket_policy := {
	"config": {"PolicyDocument": {"Statement": [{"Effect": "Deny"}, {"Effect": "Allow"}]}, "Public": {"$unknown": "!If [Open, true, false]"}},
	"conditional": {"/PolicyDocument/Statement/1": "IsOpen", "/Weird~1Key": "Odd"},
	"alternatives": {"/Public": [{"condition": "Open", "value": true}, {"condition": "not Open", "value": false}]},
}

test_conditions_of_a_path_come_from_its_pointer_and_prefixes if {
	util.conditions(conditional_bucket_policy, ["PolicyDocument", "Statement", 1, "Effect"]) == ["IsOpen"]
	util.unconditional(conditional_bucket_policy, ["PolicyDocument", "Statement", 0])
	util.conditions(conditional_bucket_policy, ["Weird/Key"]) == ["Odd"]
	util.conditions(object.union(conditional_bucket_policy, {"conditional": {"": "Maybe"}}), []) == ["Maybe"]
	util.unconditional({"config": {}}, ["a"])
	util.unconditional({"config": {"a": 1}, "conditional": {"": "Maybe"}}, ["a"])
	not util.unconditional(conditional_bucket_policy, ["PolicyDocument", "Statement", 1, "Effect"])
}

test_possible_values_are_the_alternatives_or_the_value if {
	[a.value | some a in util.possible_values(conditional_bucket_policy, ["Public"])] == [true, false]
	util.possible_values(conditional_bucket_policy, ["PolicyDocument", "Statement", 0, "Effect"]) == [{"value": "Deny", "condition": ""}]
	not util.possible_values(conditional_bucket_policy, ["Missing"])
}

test_an_unknown_the_author_chooses_may_be_anything if {
	util.may_be_anything({"$unknown": "var.principals"})
	util.may_be_anything({"$unknown": "\"arn:aws:iam::${var.account}:root\""})
	util.may_be_anything({"$unknown": "lookup(local.rules, \"cidr\")"})
	util.may_be_anything({"$unknown": "each.value.cidr"})
	util.may_be_anything({"$unknown": "{{resolve:ssm:/network/admin-cidr}}"})
	util.may_be_anything({"$unknown": "module.network.cidr"})
	util.may_be_anything({"$unknown": "!Ref AllowedCidr"})
	util.may_be_anything({"$unknown": "!Sub arn:aws:iam::${TrustedAccount}:root"})
	util.may_be_anything({"$unknown": "!ImportValue shared-cidr"})
}

test_an_unknown_only_aws_fills_in_is_not_anything if {
	not util.may_be_anything({"$unknown": "aws_iam_role.this.arn"})
	not util.may_be_anything({"$unknown": "\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\""})
	not util.may_be_anything({"$unknown": "data.aws_vpc.default.cidr_block"})
	not util.may_be_anything({"$unknown": "!GetAtt WebVPC.CidrBlock"})
	not util.may_be_anything({"$unknown": "!Sub arn:aws:iam::${AWS::AccountId}:root"})
	not util.may_be_anything({"$unknown": "!Sub ${Role.Arn}"})
	not util.may_be_anything("var.literal_text_is_known")
}

test_a_data_source_returning_what_someone_writes_may_be_anything if {
	util.may_be_anything({"$unknown": "data.external.cidr.result.block"})
	util.may_be_anything({"$unknown": "data.http.allowlist.response_body"})
	util.may_be_anything({"$unknown": "data.local_file.cidr.content"})
	util.may_be_anything({"$unknown": "data.aws_ssm_parameter.admin_cidr.value"})
	util.may_be_anything({"$unknown": "data.aws_secretsmanager_secret_version.p.secret_string"})
	util.may_be_anything({"$unknown": "data.terraform_remote_state.network.outputs.admin_cidr"})
	util.may_be_anything({"$unknown": "\"${data.aws_s3_object.policy.body}\""})
	not util.may_be_anything({"$unknown": "data.aws_vpc.main.cidr_block"})
	not util.may_be_anything({"$unknown": "data.aws_iam_role.external.arn"})
}

test_an_expression_that_only_mentions_what_aws_fills_in_may_be_anything if {
	util.may_be_anything({"$unknown": "aws_vpc.main.id == \"\" ? \"10.0.0.0/8\" : \"0.0.0.0/0\""})
	util.may_be_anything({"$unknown": "substr(\"0.0.0.0/0${aws_vpc.main.id}\", 0, 9)"})
	util.may_be_anything({"$unknown": "format(\"%s0.0.0.0/0\", substr(aws_vpc.main.id, 0, 0))"})
	util.may_be_anything({"$unknown": "\"*${aws_s3_bucket.b.id}\""})
	util.may_be_anything({"$unknown": "\"${aws_vpc.main.id}\" == \"\" ? \"a\" : \"*\""})
	util.may_be_anything({"$unknown": "\"arn:${aws_vpc.main.id == \"\" ? \"aws\" : \"*\"}\""})
	util.may_be_anything({"$unknown": "cidrsubnet(\"0.0.0.0/0\", 0, length(aws_vpc.main.id))"})
	util.may_be_anything({"$unknown": "!Join [\"\", [\"0.0.0.0/0\", !GetAtt Vpc.CidrBlock]]"})
	util.may_be_anything({"$unknown": "!Sub 0.0.0.0/0${Vpc}"})
	util.may_be_anything({"$unknown": ""})
}

test_a_bare_reference_to_what_aws_fills_in_is_not_anything if {
	not util.may_be_anything({"$unknown": "aws_subnet.a[0].cidr_block"})
	not util.may_be_anything({"$unknown": "aws_subnet.a[*].cidr_block"})
	not util.may_be_anything({"$unknown": "aws_subnet.a.*.cidr_block"})
	not util.may_be_anything({"$unknown": "aws_instance.web[\"a\"].private_ip"})
	not util.may_be_anything({"$unknown": "\"${aws_vpc.main.cidr_block}\""})
	not util.may_be_anything({"$unknown": "cidrsubnet(data.aws_vpc.main.cidr_block, 8, 1)"})
	not util.may_be_anything({"$unknown": "\"arn:aws:s3:::${aws_s3_bucket.b.id}/*\""})
	not util.may_be_anything({"$unknown": "!GetAtt Database.Endpoint.Address"})
	not util.may_be_anything({"$unknown": "!Sub \"${Vpc.CidrBlock}\""})
	not util.may_be_anything({"$unknown": "!Ref AWS::AccountId"})
	not util.may_be_anything({"$unknown": "arn:aws:s3:::${Bucket.Arn}/*"})
	not util.may_be_anything({"$unknown": "\"${aws_s3_bucket.b.arn}/*\""})
	not util.may_be_anything({"$unknown": "\"${aws_instance.a.private_ip}/32\""})
	not util.may_be_anything({"$unknown": "!Sub \"${Bucket.Arn}/*\""})
}

test_text_before_a_reference_or_a_suffix_not_a_path_may_be_anything if {
	util.may_be_anything({"$unknown": "\"${aws_instance.a.private_ip}0.0.0.0/0\""})
	util.may_be_anything({"$unknown": "\"${aws_s3_bucket.b.arn}*\""})
	util.may_be_anything({"$unknown": "\"/${aws_s3_bucket.b.arn}\""})
	util.may_be_anything({"$unknown": "\"${aws_instance.a.private_ip}/0\""})
	util.may_be_anything({"$unknown": "\"${aws_instance.a.private_ip}/1\""})
	util.may_be_anything({"$unknown": "!Sub \"${Instance.PrivateIp}/0\""})
}

test_a_reference_to_a_template_resource_is_filled_in_by_aws if {
	resources := [{"address": "Role", "source": "cloudformation"}]
	not util.may_be_anything({"$unknown": "!Ref Role"}) with input.resources as resources
	not util.may_be_anything({"$unknown": "!Sub arn:aws:iam::${AWS::AccountId}:role/${Role}"}) with input.resources as resources
	util.may_be_anything({"$unknown": "!Ref Role"}) with input.resources as []
}

conditional_database := {
	"config": {
		"StorageEncrypted": {"$unknown": "!If [Prod, true, false]"},
		"Options": {"Enabled": true, "Audit": true, "Trace": false},
	},
	"conditional": {"/Options/Enabled": "Prod", "/Options/Audit": "Shared and not Prod"},
	"alternatives": {"/StorageEncrypted": [{"condition": "Prod", "value": true}, {"condition": "not Prod", "value": false}]},
}

test_disabled_says_where_and_when_a_flag_is_not_true if {
	util.disabled(conditional_database, [], "StorageEncrypted") == [{"path": ["StorageEncrypted"], "when": "not Prod"}]
	util.disabled(conditional_database, ["Options"], "Enabled") == [{"path": ["Options"], "when": "not Prod"}]
	util.disabled(conditional_database, ["Options"], "Audit") == [{"path": ["Options"], "when": "not (Shared and not Prod)"}]
	util.disabled(conditional_database, ["Options"], "Trace") == [{"path": ["Options", "Trace"], "when": ""}]
	util.disabled(conditional_database, ["Options"], "Missing") == [{"path": ["Options"], "when": ""}]
	util.disabled({"config": {"Encrypted": true}}, [], "Encrypted") == []
	util.disabled({"config": {"Encrypted": {"$unknown": "var.e"}}}, [], "Encrypted") == []
	util.disabled({"config": {}}, ["Block"], "Enabled") == []
}

test_missing_says_when_a_setting_is_unset if {
	util.missing(conditional_database, ["Options"], "Enabled") == [{"path": ["Options"], "when": "not Prod"}]
	util.missing(conditional_database, ["Options"], "Missing") == [{"path": ["Options"], "when": ""}]
	util.missing(conditional_database, ["Options"], "Trace") == []
	util.missing({"config": {"KmsKeyId": ""}}, [], "KmsKeyId") == [{"path": ["KmsKeyId"], "when": ""}]
	util.missing({"config": {"Options": {"LogTypes": []}}}, ["Options"], "LogTypes") == [{"path": ["Options", "LogTypes"], "when": ""}]
}

test_negation_of_conditions if {
	util.negation(["C"]) == "not C"
	util.negation(["not C"]) == "C"
	util.negation(["C", "D"]) == "not (C and D)"
}

test_none_set_when_each_setting_is_missing if {
	util.none_set_when(conditional_database, ["Options"], ["Missing", "Other"]) == ""
	util.none_set_when(conditional_database, ["Options"], ["Enabled", "Audit", "Missing"]) == "not (Shared and not Prod) and not Prod"
	not util.none_set_when(conditional_database, ["Options"], ["Enabled", "Trace"])
}

test_none_hold_when_alternatives_cover_no_deployment if {
	util.none_hold_when([]) == ""
	util.none_hold_when([["C"], ["D", "E"]]) == "not (D and E) and not C"
	not util.none_hold_when([["C"], []])
	not util.none_hold_when([["C"], ["not C"]])
	not util.none_hold_when([["not C"], ["D"], ["C"]])
}

test_none_hold_when_nested_branches_cover_every_deployment if {
	not util.none_hold_when([["C and D"], ["C and not D"], ["not C"]])
	not util.none_hold_when([["C", "D"], ["not D"], ["not C and D"]])
	util.none_hold_when([["C and D"], ["not C"]]) == "C and not (C and D)"
	not util.none_hold_when([["Andromeda"], ["not Andromeda"]])
	util.none_hold_when([["NotProd"], ["not Andromeda"]]) == "Andromeda and not NotProd"
	util.none_hold_when([["C or D"], ["not C"]]) == "C and not (C or D)"
}

test_none_hold_when_names_an_alternative_another_implies_once if {
	util.none_hold_when([["C and D"], ["C"]]) == "not C"
	util.none_hold_when([["C", "D"], ["D and C"], ["E"]]) == "not (C and D) and not E"
}

flow_vpc := {"address": "Vpc", "type": "AWS::EC2::VPC", "mode": "managed", "source": "cloudformation", "module": "", "references": [], "config": {}}

flow_log(address, condition) := {"address": address, "type": "AWS::EC2::FlowLog", "mode": "managed", "source": "cloudformation", "module": "", "references": ["Vpc"], "config": {}, "conditional": {"": condition}}

test_unreferenced_when_counts_referrers_of_undecided_condition_only_under_it if {
	types := {"AWS::EC2::FlowLog"}
	util.unreferenced_when(flow_vpc, types) == "" with input.resources as [flow_vpc]
	util.unreferenced_when(flow_vpc, types) == "not HasLogs and not IsProd" with input.resources as [flow_vpc, flow_log("A", "IsProd"), flow_log("B", "HasLogs")]
	not util.unreferenced_when(flow_vpc, types) with input.resources as [flow_vpc, flow_log("A", "IsProd"), object.remove(flow_log("B", ""), ["conditional"])]
	conditional_vpc := object.union(flow_vpc, {"conditional": {"": "IsProd"}})
	not util.unreferenced_when(conditional_vpc, types) with input.resources as [conditional_vpc, flow_log("A", "IsProd")]
	util.exists_with(flow_log("A", "IsProd"), conditional_vpc)
	not util.exists_with(flow_log("A", "IsProd"), flow_vpc)
}

test_conjunction_of_conditions if {
	util.conjunction(["", "C", "not D"]) == "C and not D"
	util.conjunction(["", ""]) == ""
	util.conjunction(["not C", "not C"]) == "not C"
	not util.conjunction(["not C", "D", "C"])
	not util.conjunction(["HasKey", "IsProd and not HasKey"])
	util.conjunction(["IsProd and HasKey", "HasKey"]) == "IsProd and HasKey"
	not util.conjunction(["Andromeda", "not NotProd", "not Andromeda and Notable"])
	util.conjunction(["Andromeda", "not NotProd", "Notable"]) == "Andromeda and not NotProd and Notable"
	util.conjunction(["not E", "C or not C and D"]) == "not E and (C or not C and D)"
}

test_list_item_place_reports_conditional_items_on_the_list if {
	r := {"config": {"L": ["a", "b", "c"]}, "conditional": {"/L/1": "C", "/L/2": "not C and D"}}
	util.list_item_place(r, ["L"], 0) == {"path": ["L", 0], "when": ""}
	util.list_item_place(r, ["L"], 1) == {"path": ["L"], "when": "C"}
	util.list_item_place(r, ["L"], 2) == {"path": ["L"], "when": "not C and D"}
}

test_possible_values_below_an_object_an_if_chooses if {
	r := {
		"config": {"Config": {"Behavior": {"$unknown": "!If [Dev, {...}, {...}]"}}},
		"alternatives": {"/Config/Behavior": [
			{"condition": "Dev", "value": {"Policy": "allow-all", "Cache": {"Ttl": 0}}},
			{"condition": "not Dev", "value": {"Policy": "https-only"}},
		]},
	}
	util.possible_values(r, ["Config", "Behavior", "Policy"]) == [{"value": "allow-all", "condition": "Dev"}, {"value": "https-only", "condition": "not Dev"}]
	util.possible_values(r, ["Config", "Behavior", "Cache", "Ttl"]) == [{"value": 0, "condition": "Dev"}]
	util.possible_values(r, ["Config", "Behavior", "Missing"]) == []
	not util.possible_values(r, ["Config", "Other"])
}

test_possible_values_below_a_list_an_if_chooses if {
	r := {
		"config": {"Actions": {"$unknown": "!If [Default, [...], !Ref Actions]"}},
		"alternatives": {"/Actions": [
			{"condition": "Default", "value": [{"Type": "forward"}, {"Type": "redirect", "Redirect": {"Protocol": {"$unknown": "!Ref Protocol"}}}]},
			{"condition": "not Default", "value": {"$unknown": "!Ref Actions"}},
		]},
	}
	util.possible_values(r, ["Actions", 0, "Type"]) == [{"value": "forward", "condition": "Default"}]
	util.possible_values(r, ["Actions", 1, "Type"]) == [{"value": "redirect", "condition": "Default"}]
	util.possible_values(r, ["Actions", 2, "Type"]) == []
	{u | some u in util.unknowns_above(r, ["Actions", 1, "Redirect", "Protocol", "Value"])} == {
		{"value": {"$unknown": "!Ref Actions"}, "condition": "not Default", "path": ["Actions"]},
		{"value": {"$unknown": "!Ref Protocol"}, "condition": "Default", "path": ["Actions", 1, "Redirect", "Protocol"]},
	}
}

# A value differing per AllowedValues value keeps the Default's in `config`: below it, the
# alternatives alone answer (the config's value is one of them), not both.
test_possible_values_below_a_value_allowed_values_choose if {
	r := {
		"config": {"Listeners": [{"Protocol": "HTTP"}]},
		"alternatives": {"/Listeners": [
			{"condition": "Env is dev", "value": [{"Protocol": "HTTP"}]},
			{"condition": "Env is prod", "value": [{"Protocol": "HTTPS"}]},
		]},
	}
	util.possible_values(r, ["Listeners", 0, "Protocol"]) == [{"value": "HTTP", "condition": "Env is dev"}, {"value": "HTTPS", "condition": "Env is prod"}]
}

branch_options := {
	"config": {"Options": {"$unknown": "!If [Prod, {...}, {...}]"}},
	"alternatives": {"/Options": [
		{"condition": "Prod", "value": {"Enabled": true, "Key": "k"}},
		{"condition": "not Prod", "value": {"Other": 1}},
	]},
}

test_settings_left_out_of_a_branch_chosen_whole if {
	util.disabled(branch_options, ["Options"], "Enabled") == [{"path": ["Options"], "when": "not Prod"}]
	util.missing(branch_options, ["Options"], "Key") == [{"path": ["Options"], "when": "not Prod"}]
	util.none_set_when(branch_options, ["Options"], ["Key", "Missing"]) == "not Prod"
	not util.none_set_when(branch_options, ["Options"], ["Key", "Other"])
	util.missing({"config": {"Options": {"$unknown": "!Ref Options"}}}, ["Options"], "Key") == []
	not util.none_set_when({"config": {"Options": {"$unknown": "!Ref Options"}}}, ["Options"], ["Key"])
}

test_unknowns_above_a_path_in_config_and_in_branches if {
	whole := {"config": {"Actions": [{"Redirect": {"$unknown": "!Ref Redirect"}}]}}
	util.unknowns_above(whole, ["Actions", 0, "Redirect", "Protocol"]) == [{"value": {"$unknown": "!Ref Redirect"}, "condition": "", "path": ["Actions", 0, "Redirect"]}]
	util.unknowns_above(whole, ["Actions", 0, "Redirect"]) == []
	util.unknowns_above(whole, ["Actions"]) == []
	branch := {
		"config": {"Actions": [{"Redirect": {"$unknown": "!If [Prod, {...}, !Ref Redirect]"}}]},
		"alternatives": {"/Actions/0/Redirect": [
			{"condition": "Prod", "value": {"Protocol": "HTTPS"}},
			{"condition": "not Prod", "value": {"$unknown": "!Ref Redirect"}},
		]},
	}
	util.unknowns_above(branch, ["Actions", 0, "Redirect", "Protocol"]) == [{"value": {"$unknown": "!Ref Redirect"}, "condition": "not Prod", "path": ["Actions", 0, "Redirect"]}]
	known := {"config": {"Actions": [{"Redirect": {"Protocol": "HTTPS"}}]}}
	util.unknowns_above(known, ["Actions", 0, "Redirect", "Protocol"]) == []
}

referring_input := {"resources": [
	{"address": "aws_s3_bucket.b[\"x\"]", "type": "aws_s3_bucket", "mode": "managed", "source": "terraform", "module": "", "root": "", "references": []},
	{"address": "aws_s3_bucket_logging.l", "type": "aws_s3_bucket_logging", "mode": "managed", "source": "terraform", "module": "", "root": "", "references": ["aws_s3_bucket.b"]},
	{"address": "module.m.aws_s3_bucket.b", "type": "aws_s3_bucket", "mode": "managed", "source": "terraform", "module": "module.m", "root": "", "references": []},
	{"address": "module.m.aws_s3_bucket_logging.l", "type": "aws_s3_bucket_logging", "mode": "managed", "source": "terraform", "module": "module.m", "root": "", "references": ["aws_s3_bucket.b"]},
	{"address": "aws_s3_bucket_logging.l", "type": "aws_s3_bucket_logging", "mode": "managed", "source": "terraform", "module": "", "root": "envs/prod", "references": ["aws_s3_bucket.b"]},
	{"address": "Logs", "type": "AWS::S3::Bucket", "mode": "managed", "source": "cloudformation", "module": "", "root": "", "references": ["aws_s3_bucket.b"]},
]}

# `referring` is the index form of testing `refers_to` on every resource: the same answers,
# instance keys and module paths included, and nothing from another root or source.
referring_agrees_with_refers_to if {
	every target in input.resources {
		[r.address | some r in util.referring(target)] == [r.address | some r in input.resources; util.refers_to(r, target)]
	}
}

referring_pairs := [[target.address, object.get(target, "root", ""), r.address, object.get(r, "root", "")] |
	some target in input.resources
	some r in util.referring(target)
]

test_referring_finds_what_refers_to_finds if {
	referring_agrees_with_refers_to with input as referring_input
	pairs := referring_pairs with input as referring_input
	pairs == [
		["aws_s3_bucket.b[\"x\"]", "", "aws_s3_bucket_logging.l", ""],
		# A reference the loader names in the module declaring the resource (passed in as a variable).
		["aws_s3_bucket.b[\"x\"]", "", "module.m.aws_s3_bucket_logging.l", ""],
		["module.m.aws_s3_bucket.b", "", "module.m.aws_s3_bucket_logging.l", ""],
	]
}

# `referred` is the index form of testing `refers_to` against every resource from the referring one.
referred_agrees_with_refers_to if {
	every r in input.resources {
		[t.address | some t in util.referred(r)] == [t.address | some t in input.resources; util.refers_to(r, t)]
	}
}

referred_pairs := [[r.address, object.get(r, "root", ""), t.address, object.get(t, "root", "")] |
	some r in input.resources
	some t in util.referred(r)
]

# A resource naming two instances, the later one first: still in input order.
referred_instance_input := {"resources": array.concat(instance_input.resources, [instance_logging("aws_s3_bucket_logging.both", "", ["aws_s3_bucket.b[\"y\"]", "aws_s3_bucket.b[\"x\"]"])])}

test_referred_finds_what_refers_to_finds if {
	referred_agrees_with_refers_to with input as referring_input
	referred_agrees_with_refers_to with input as referred_instance_input
	pairs := referred_pairs with input as referring_input
	pairs == [
		["aws_s3_bucket_logging.l", "", "aws_s3_bucket.b[\"x\"]", ""],
		["module.m.aws_s3_bucket_logging.l", "", "aws_s3_bucket.b[\"x\"]", ""],
		["module.m.aws_s3_bucket_logging.l", "", "module.m.aws_s3_bucket.b", ""],
	]
}

test_references_stay_in_their_root if {
	not util.refers_to(referring_input.resources[4], referring_input.resources[0])
	util.refers_to(referring_input.resources[1], referring_input.resources[0])
}

# A reference to one instance (`aws_s3_bucket.b["y"]`, as the loader records `aws_s3_bucket.b["y"].id`
# or `aws_s3_bucket.b[each.key].id` with the key known) refers to that instance alone; one
# without key still refers to every instance.
instance_bucket(address, module) := {"address": address, "type": "aws_s3_bucket", "mode": "managed", "source": "terraform", "module": module, "root": "", "references": []}

instance_logging(address, module, references) := {"address": address, "type": "aws_s3_bucket_logging", "mode": "managed", "source": "terraform", "module": module, "root": "", "references": references}

instance_input := {"resources": [
	instance_bucket("aws_s3_bucket.b[\"x\"]", ""),
	instance_bucket("aws_s3_bucket.b[\"y\"]", ""),
	instance_logging("aws_s3_bucket_logging.y", "", ["aws_s3_bucket.b[\"y\"]"]),
	instance_logging("aws_s3_bucket_logging.all", "", ["aws_s3_bucket.b"]),
	instance_bucket("module.m[0].aws_s3_bucket.b[\"x\"]", "module.m[0]"),
	instance_bucket("module.m[0].aws_s3_bucket.b[\"y\"]", "module.m[0]"),
	# As written in the module, and with its module path.
	instance_logging("module.m[0].aws_s3_bucket_logging.x", "module.m[0]", ["aws_s3_bucket.b[\"x\"]"]),
	instance_logging("module.m[0].aws_s3_bucket_logging.y", "module.m[0]", ["module.m[0].aws_s3_bucket.b[\"y\"]"]),
]}

test_an_instance_reference_refers_to_that_instance_alone if {
	[b_x, b_y, logging_y, logging_all, _, _, _, _] := instance_input.resources
	util.refers_to(logging_y, b_y)
	not util.refers_to(logging_y, b_x)
	util.refers_to(logging_all, b_x)
	referring_agrees_with_refers_to with input as instance_input
	pairs := referring_pairs with input as instance_input
	pairs == [
		["aws_s3_bucket.b[\"x\"]", "", "aws_s3_bucket_logging.all", ""],
		# As for a reference without key, one named in the module declaring the resource.
		["aws_s3_bucket.b[\"x\"]", "", "module.m[0].aws_s3_bucket_logging.x", ""],
		["aws_s3_bucket.b[\"y\"]", "", "aws_s3_bucket_logging.y", ""],
		["aws_s3_bucket.b[\"y\"]", "", "aws_s3_bucket_logging.all", ""],
		["module.m[0].aws_s3_bucket.b[\"x\"]", "", "module.m[0].aws_s3_bucket_logging.x", ""],
		["module.m[0].aws_s3_bucket.b[\"y\"]", "", "module.m[0].aws_s3_bucket_logging.y", ""],
	]
}

# Paths starting with "$meta" read `meta`, as a finding's path locates them: Terraform's
# `lifecycle`, CloudFormation's `DeletionPolicy`.
kept := {"config": {"bucket": "a"}, "meta": {"lifecycle": {"prevent_destroy": false}}}

test_paths_under_meta_read_meta if {
	util.value_at(kept, ["$meta", "lifecycle", "prevent_destroy"]) == false
	util.value_at(kept, ["bucket"]) == "a"
	util.value_at({"config": {}}, ["$meta"]) == {}
	util.disabled(kept, ["$meta", "lifecycle"], "prevent_destroy") == [{"path": ["$meta", "lifecycle", "prevent_destroy"], "when": ""}]
	util.disabled({"config": {}}, ["$meta"], "Retain") == [{"path": ["$meta"], "when": ""}]
	util.missing({"config": {}, "meta": {"DeletionPolicy": ""}}, ["$meta"], "DeletionPolicy") == [{"path": ["$meta", "DeletionPolicy"], "when": ""}]
	util.possible_values({"config": {}, "meta": {"DeletionPolicy": "Retain"}}, ["$meta", "DeletionPolicy"]) == [{"value": "Retain", "condition": ""}]
}

test_an_undecided_meta_value_has_its_alternatives if {
	r := {
		"config": {},
		"meta": {"DeletionPolicy": {"$unknown": "!If [Prod, Retain, Delete]"}},
		"alternatives": {"/$meta/DeletionPolicy": [{"value": "Retain", "condition": "Prod"}, {"value": "Delete", "condition": "not Prod"}]},
	}
	util.possible_values(r, ["$meta", "DeletionPolicy"]) == r.alternatives["/$meta/DeletionPolicy"]
}
