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
