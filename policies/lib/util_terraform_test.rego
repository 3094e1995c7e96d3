# Unit tests of the helpers for Terraform blocks a `dynamic` block over a collection Tollgate
# cannot know creates (a resource's `unknownForEach`): they may be absent or repeated.
package tollgate.lib.util_terraform_test

import data.tollgate.lib.util
import rego.v1

dynamic_domain := {
	"config": {
		"vpc_options": [{"subnet_ids": {"$unknown": "vpc_options.value.subnet_ids"}}],
		"ebs_options": [{"volume_size": 10}, {"volume_size": {"$unknown": "ebs.value"}}],
		"log_publishing_options": [{"log_type": {"$unknown": "log.value"}, "cloudwatch_log_group_arn": "arn"}],
	},
	"unknownForEach": {
		"/vpc_options/0": "var.vpc_options",
		"/ebs_options/1": "var.ebs",
		"/log_publishing_options/0": "var.logs",
	},
}

test_blocks_from_an_unknown_for_each_may_be_absent if {
	util.unknown_for_each(dynamic_domain, ["vpc_options", 0, "subnet_ids"]) == "var.vpc_options"
	not util.unknown_for_each(dynamic_domain, ["ebs_options", 0])
	util.unknown_presence(dynamic_domain, [], "vpc_options") == {"$unknown": "var.vpc_options"}
	util.unknown_presence(dynamic_domain, [], "log_publishing_options") == {"$unknown": "var.logs"}
	not util.unknown_presence(dynamic_domain, [], "ebs_options")
	not util.unknown_presence(dynamic_domain, [], "absent")
	[b.path | some b in util.certain_blocks(dynamic_domain, [], "ebs_options")] == [["ebs_options", 0]]
	util.certain_blocks(dynamic_domain, [], "vpc_options") == []
	util.certain_blocks({"config": {}}, [], "vpc_options") == []
}

test_iterator_values_of_an_unknown_collection_the_author_chooses if {
	util.may_be_anything_in("var.rules", {"$unknown": "ingress.value.cidr_blocks"})
	util.may_be_anything_in("var.rules", {"$unknown": "lookup(rule.value, \"cidr\", null)"})
	util.may_be_anything_in("", {"$unknown": "var.cidrs"})
	not util.may_be_anything_in("data.aws_subnets.all.ids", {"$unknown": "ingress.value"})
	not util.may_be_anything_in("var.rules", {"$unknown": "data.aws_vpc.main.cidr_block"})
	not util.may_be_anything_in("var.rules", {"$unknown": "aws_ssm_parameter.cidr.value"})
	not util.may_be_anything_in("", {"$unknown": "ingress.value.cidr_blocks"})
}

bucket_once := {"type": "aws_s3_bucket", "name": "this", "module": "", "config": {}}

bucket_created := {"type": "aws_s3_bucket", "name": "this", "module": "", "config": {"count": {"$unknown": "local.create ? 1 : 0"}}}

setting_counted(expression) := {"type": "aws_s3_bucket_logging", "name": "this", "module": "", "config": {"count": {"$unknown": expression}}}

test_resources_of_an_unknown_count_may_be_absent if {
	util.may_be_absent_with(setting_counted("var.log ? 1 : 0"), bucket_once) == {"$unknown": "var.log ? 1 : 0"}
	util.may_be_absent_with(setting_counted("var.log ? 1 : 0"), bucket_created) == {"$unknown": "var.log ? 1 : 0"}
	not util.may_be_absent_with(setting_counted("local.create ? 1 : 0"), bucket_created)
	not util.may_be_absent_with({"module": "", "config": {"count": 1}}, bucket_once)
	not util.may_be_absent_with({"module": "", "config": {}}, bucket_created)
	util.may_be_absent_with({"module": "", "config": {"for_each": {"$unknown": "var.logs"}}}, bucket_once) == {"$unknown": "var.logs"}
	not util.may_be_absent_with({"module": "", "config": {"for_each": {"$unknown": "aws_s3_bucket.this"}}}, bucket_created)
	util.may_be_absent_with({"module": "module.a", "config": {"for_each": {"$unknown": "aws_s3_bucket.this"}}}, bucket_created)
}

test_protection_that_may_be_absent_everywhere if {
	util.absences_with([setting_counted("var.a ? 1 : 0"), setting_counted("var.b ? 1 : 0")], bucket_once) == {{"$unknown": "var.a ? 1 : 0"}, {"$unknown": "var.b ? 1 : 0"}}
	not util.absences_with([setting_counted("var.a ? 1 : 0"), {"module": "", "config": {}}], bucket_once)
	not util.absences_with([], bucket_once)
}
