# METADATA
# title: API Gateway custom domain accepts TLS 1.0
# description: >-
#   An API Gateway custom domain name names the security policy `TLS_1_0`, which lets clients
#   connect with TLS 1.0 and 1.1: Terraform's `aws_api_gateway_domain_name` `security_policy`,
#   CloudFormation's `AWS::ApiGateway::DomainName` and `AWS::ApiGateway::DomainNameV2`
#   `SecurityPolicy`, `AWS::ApiGatewayV2::DomainName` `DomainNameConfigurations[].SecurityPolicy`,
#   and the `Domain.SecurityPolicy` of SAM's `AWS::Serverless::Api` (with `Globals.Api`). Every
#   other policy (`TLS_1_2` and the enhanced `SecurityPolicy_TLS13_*` and `SecurityPolicy_TLS12_*`
#   ones) requires TLS 1.2 or later. A domain that names no policy is not reported: API Gateway
#   gives new Regional, edge-optimized and private custom domains `TLS_1_2`. Terraform's
#   `aws_apigatewayv2_domain_name` and SAM's `AWS::Serverless::HttpApi` accept only `TLS_1_2` and
#   are not checked. In CloudFormation, `TLS_1_0` in one branch of an undecided `Fn::If` is
#   reported for the deployments that take it. With `unknown_values: advisory`, a policy Tollgate
#   cannot know (a variable, a parameter) is reported as cannot tell.
# custom:
#   id: TG-ENC-023
#   severity: medium
#   category: encryption
#   remediation: Set the domain's security policy to TLS_1_2, or to an enhanced SecurityPolicy_TLS13_* policy.
package tollgate.rules.encryption.api_gateway_weak_tls

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# The one security policy of API Gateway custom domains that accepts TLS 1.0 and 1.1.
weak_policy := "TLS_1_0"

# Where each CloudFormation type that holds one custom domain writes its security policy.
cloudformation_policy_paths := {
	"AWS::ApiGateway::DomainName": ["SecurityPolicy"],
	"AWS::ApiGateway::DomainNameV2": ["SecurityPolicy"],
	"AWS::Serverless::Api": ["Domain", "SecurityPolicy"],
}

deny contains finding if {
	some r in util.resources("aws_api_gateway_domain_name")
	r.config.security_policy == weak_policy
	finding := weak_finding(r, "security_policy", ["security_policy"])
}

deny contains finding if {
	some type, path in cloudformation_policy_paths
	some r in util.resources(type)
	some possible in util.possible_values(r, path)
	possible.value == weak_policy
	finding := object.union(weak_finding(r, "SecurityPolicy", path), {"when": possible.condition})
}

deny contains finding if {
	some r in util.resources("AWS::ApiGatewayV2::DomainName")
	some i, _ in r.config.DomainNameConfigurations
	some possible in util.possible_values(r, ["DomainNameConfigurations", i, "SecurityPolicy"])
	possible.value == weak_policy
	place := util.list_item_key_place(r, ["DomainNameConfigurations"], i, "SecurityPolicy")
	when := util.conjunction([place.when, possible.condition])
	finding := object.union(weak_finding(r, "SecurityPolicy", place.path), {"when": when})
}

weak_finding(r, attribute, path) := {
	"resource": r.address,
	"message": "The custom domain's security policy TLS_1_0 lets clients connect with TLS 1.0 and 1.1: use TLS_1_2 or a SecurityPolicy_TLS13_* policy.",
	"evidence": sprintf("%s = %s", [attribute, weak_policy]),
	"path": path,
}

cannot_tell_message := "The custom domain's security policy comes from a value Tollgate cannot know, so it may be TLS_1_0, which accepts TLS 1.0 and 1.1: make sure it is TLS_1_2 or later."

deny contains finding if {
	some r in util.resources("aws_api_gateway_domain_name")
	finding := settings.cannot_tell(r.address, ["security_policy"], r.config.security_policy, cannot_tell_message)
}

deny contains finding if {
	some type, path in cloudformation_policy_paths
	some r in util.resources(type)
	some finding in settings.cannot_tell_each(r, path, cannot_tell_message)
}

deny contains finding if {
	some r in util.resources("AWS::ApiGatewayV2::DomainName")
	some i, _ in r.config.DomainNameConfigurations
	some finding in settings.cannot_tell_each(r, ["DomainNameConfigurations", i, "SecurityPolicy"], cannot_tell_message)
}
