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
