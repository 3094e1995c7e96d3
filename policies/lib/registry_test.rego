# Unit tests of how a module source names a registry module: the forms Terraform accepts for
# the same module (registry with or without host, GitHub over https or ssh, submodules, refs).
package tollgate.lib.registry_test

import data.tollgate.lib.registry
import rego.v1

security_group := "terraform-aws-modules/security-group/aws"

test_registry_sources_with_or_without_host if {
	registry.module_address("terraform-aws-modules/security-group/aws") == security_group
	registry.module_address("registry.terraform.io/terraform-aws-modules/security-group/aws") == security_group
	registry.module_address("Terraform-AWS-Modules/Security-Group/AWS") == security_group
}

test_github_repository_sources if {
	registry.module_address("github.com/terraform-aws-modules/terraform-aws-security-group") == security_group
	registry.module_address("git::https://github.com/terraform-aws-modules/terraform-aws-security-group.git?ref=v5.1.0") == security_group
	registry.module_address("git::ssh://git@github.com/terraform-aws-modules/terraform-aws-security-group.git") == security_group
	registry.module_address("git@github.com:terraform-aws-modules/terraform-aws-security-group.git") == security_group
}

test_submodules_are_apart if {
	registry.module_address("terraform-aws-modules/security-group/aws//modules/ssh") == security_group
	registry.submodule("terraform-aws-modules/security-group/aws//modules/ssh") == "modules/ssh"
	registry.submodule("git::https://github.com/terraform-aws-modules/terraform-aws-security-group.git//modules/rdp?ref=v5") == "modules/rdp"
	registry.submodule("terraform-aws-modules/security-group/aws") == ""
}

test_other_sources_name_no_registry_module if {
	registry.module_address("example-corp/security-group/aws") != security_group
	not registry.module_address("https://example.com/modules/sg.zip")
	not registry.module_address("s3::https://s3.amazonaws.com/bucket/sg.zip")
	not registry.module_address("github.com/terraform-aws-modules/something")
}

test_named_rules_and_submodule_defaults if {
	registry.security_group_rules["ssh-tcp"] == [22, 22, "tcp"]
	registry.security_group_rules["rdp-tcp"] == [3389, 3389, "tcp"]
	registry.security_group_rules["all-all"] == [-1, -1, "-1"]
	registry.security_group_submodule_ingress_rules.ssh == ["ssh-tcp"]
}

# Calls as the loader gives them: only the fields the release helpers read.
call(version) := {"moduleSource": "terraform-aws-modules/s3-bucket/aws", "moduleVersion": version}

git_call(ref) := {"moduleSource": concat("", ["git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=", ref])}

test_exact_and_upper_bounded_constraints_get_an_older_release if {
	registry.older_than(call("3.7.0"), "3.9.0")
	registry.older_than(call("= 3.8.2"), "3.9.0")
	registry.older_than(call("v2.15.0"), "3.9.0")
	registry.older_than(call("~> 3.7.0"), "3.9.0")
	registry.older_than(call("~> 2.0"), "3.9.0")
	registry.older_than(call(">= 3.0, < 3.9"), "3.9.0")
	registry.older_than(call("<= 3.8.2"), "3.9.0")
	not registry.at_least(call("3.7.0"), "3.9.0")
}

test_the_newest_admitted_release_counts if {
	registry.at_least(call("~> 3.0"), "3.9.0")
	registry.at_least(call("~> 3.9.0"), "3.9.0")
	registry.at_least(call(">= 2.0"), "3.9.0")
	registry.at_least(call("< 3.10"), "3.9.0")
	registry.at_least(call("<= 3.9.0"), "3.9.0")
	registry.at_least(call("~> 3"), "3.9.0")
	registry.at_least(call("4.1.0"), "3.9.0")
	not registry.older_than(call("~> 3.0"), "3.9.0")
	not registry.older_than(call("< 3.10"), "3.9.0")
}

test_a_call_without_constraint_gets_the_newest_release if {
	registry.at_least({"moduleSource": "terraform-aws-modules/s3-bucket/aws"}, "3.9.0")
	not registry.older_than({"moduleSource": "terraform-aws-modules/s3-bucket/aws"}, "3.9.0")
}

test_git_sources_name_their_release_by_tag if {
	registry.older_than(git_call("v3.7.0"), "3.9.0")
	registry.at_least(git_call("v4.1.2"), "3.9.0")
	not registry.older_than(git_call("main"), "3.9.0")
	not registry.at_least(git_call("main"), "3.9.0")
}

test_unreadable_constraints_leave_the_release_unknown if {
	not registry.older_than(call("3.7.0-rc1"), "3.9.0")
	not registry.at_least(call("3.7.0-rc1"), "3.9.0")
	not registry.at_least(call("~> 3.7.0, 3.x"), "3.9.0")
}
