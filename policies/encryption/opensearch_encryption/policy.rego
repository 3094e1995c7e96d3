# METADATA
# title: OpenSearch domain without full encryption
# description: >-
#   An OpenSearch or Elasticsearch domain does not enable encryption at rest
#   (`encrypt_at_rest` / `EncryptionAtRestOptions`), node-to-node encryption
#   (`node_to_node_encryption` / `NodeToNodeEncryptionOptions`), or HTTPS-only access
#   (`domain_endpoint_options.enforce_https` / `DomainEndpointOptions.EnforceHTTPS`). Each
#   missing protection is its own finding. In Terraform a `domain_endpoint_options` block that
#   leaves `enforce_https` out enforces HTTPS (the provider's default is true); leaving the
#   block out does not. A TLS security policy written as `Policy-Min-TLS-1-0-2019-07`
#   (`tls_security_policy` / `TLSSecurityPolicy`) lets the HTTPS endpoint negotiate TLS 1.0 and
#   1.1 and is reported too; a policy left out is not.
#   With `unknown_values: advisory`, a Terraform block that only a `dynamic` block over a
#   collection Tollgate cannot know creates is reported as cannot tell: the domain may have
#   none. A call of the registry module terraform-aws-modules/opensearch/aws passes its
#   `encrypt_at_rest`, `node_to_node_encryption` and `domain_endpoint_options` objects to the
#   domain's blocks: a flag written false in one (`encrypt_at_rest = { enabled = false }`), an
#   object written empty (the module then writes no block), or the TLS 1.0 policy written in
#   `domain_endpoint_options` is reported on the call, unless the call creates nothing
#   (`create = false`); what the call leaves out takes the module's defaults, which protect.
# custom:
#   id: TG-ENC-020
#   severity: medium
#   category: encryption
#   remediation: Enable encryption at rest, node-to-node encryption and enforce HTTPS with a TLS 1.2 policy.
#   controls: [AWS-FSBP-Opensearch.1, AWS-FSBP-Opensearch.3, AWS-FSBP-Opensearch.8, AWS-FSBP-ES.1, AWS-FSBP-ES.3, AWS-FSBP-ES.8]
package tollgate.rules.encryption.opensearch_encryption

import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

terraform_types := {"aws_opensearch_domain", "aws_elasticsearch_domain"}

cloudformation_types := {"AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"}

# Each protection: the block (a list in Terraform, an object in CloudFormation) and its flag.
terraform_settings := [
	{"block": "encrypt_at_rest", "flag": "enabled", "what": "encryption at rest"},
	{"block": "node_to_node_encryption", "flag": "enabled", "what": "node-to-node encryption"},
	{"block": "domain_endpoint_options", "flag": "enforce_https", "what": "HTTPS-only access", "default": true},
]

cloudformation_settings := [
	{"block": "EncryptionAtRestOptions", "flag": "Enabled", "what": "encryption at rest"},
	{"block": "NodeToNodeEncryptionOptions", "flag": "Enabled", "what": "node-to-node encryption"},
	{"block": "DomainEndpointOptions", "flag": "EnforceHTTPS", "what": "HTTPS-only access"},
]

finding(r, setting, path) := {
	"resource": r.address,
	"message": sprintf("The search domain does not enable %s: enable it.", [setting.what]),
	"evidence": sprintf("%s.%s not true", [setting.block, setting.flag]),
	"path": path,
}

deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some setting in terraform_settings
	util.is_empty(r.config, setting.block)
	f := finding(r, setting, [])
}

deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some setting in terraform_settings
	some i, block in util.block_list(r.config[setting.block])
	path := util.disabled_path(block, setting.flag)
	not true_by_default(setting, path)
	f := finding(r, setting, array.concat([setting.block, i], path))
}

# A flag the provider defaults to true when its block is written (`enforce_https`).
true_by_default(setting, path) if {
	path == []
	setting.default == true
}

deny contains f if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in cloudformation_types
	some setting in cloudformation_settings
	some unset in util.missing(r, [], setting.block)
	f := object.union(finding(r, setting, unset.path), {"when": unset.when})
}

deny contains f if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in cloudformation_types
	some setting in cloudformation_settings
	is_object(r.config[setting.block])
	some off in util.disabled(r, [setting.block], setting.flag)
	f := object.union(finding(r, setting, off.path), {"when": off.when})
}

deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some setting in terraform_settings
	f := settings.cannot_tell(r.address, [setting.block], util.unknown_presence(r, [], setting.block), sprintf("The search domain's %s comes from a collection Tollgate cannot know, so it may be missing: make sure the domain enables it.", [setting.what]))
}

# The one TLS security policy OpenSearch Service offers that accepts TLS 1.0 and 1.1.
weak_tls_policy := "Policy-Min-TLS-1-0-2019-07"

tls_finding(r, attribute, policy, path) := {
	"resource": r.address,
	"message": sprintf("The search domain's HTTPS endpoint accepts TLS 1.0 and 1.1 (%s): use Policy-Min-TLS-1-2-2019-07 or a later policy.", [policy]),
	"evidence": sprintf("%s = %s", [attribute, policy]),
	"path": path,
}

deny contains f if {
	some r in input.resources
	r.mode == "managed"
	r.type in terraform_types
	some i, block in util.block_list(r.config.domain_endpoint_options)
	block.tls_security_policy == weak_tls_policy
	f := tls_finding(r, "tls_security_policy", weak_tls_policy, ["domain_endpoint_options", i, "tls_security_policy"])
}

deny contains f if {
	some r in input.resources
	r.source == "cloudformation"
	r.type in cloudformation_types
	path := ["DomainEndpointOptions", "TLSSecurityPolicy"]
	some possible in util.possible_values(r, path)
	possible.value == weak_tls_policy
	f := object.union(tls_finding(r, "TLSSecurityPolicy", weak_tls_policy, path), {"when": possible.condition})
}

# Calls of the registry module that create a domain: each protection's object goes to the
# domain's block of the same name, a flag left out of it defaulting to true and an empty object
# writing no block.
module_calls contains r if {
	some r in input.resources
	registry.is_call(r, "terraform-aws-modules/opensearch/aws")
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create", true))
}

module_finding(r, setting, path, when) := {
	"resource": r.address,
	"message": sprintf("The search domain module is called without %s (%s): the domain does not enable it; remove the setting or set it to true.", [setting.what, concat(".", path)]),
	"evidence": sprintf("%s.%s not true", [setting.block, setting.flag]),
	"path": path,
	"when": when,
}

deny contains f if {
	some r in module_calls
	some setting in terraform_settings
	path := [setting.block, setting.flag]
	some possible in util.possible_values(r, path)
	util.is_false(possible.value)
	f := module_finding(r, setting, path, possible.condition)
}

deny contains f if {
	some r in module_calls
	some setting in terraform_settings
	some possible in util.possible_values(r, [setting.block])
	possible.value == {}
	f := module_finding(r, setting, [setting.block], possible.condition)
}

deny contains f if {
	some r in module_calls
	path := ["domain_endpoint_options", "tls_security_policy"]
	some possible in util.possible_values(r, path)
	possible.value == weak_tls_policy
	f := object.union(tls_finding(r, "tls_security_policy", weak_tls_policy, path), {"when": possible.condition})
}
