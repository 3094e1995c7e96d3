# METADATA
# title: API Gateway stage without access logs
# description: >-
#   An API Gateway stage writes no access logs: REST API stages (`aws_api_gateway_stage`,
#   `AWS::ApiGateway::Stage`) without `access_log_settings` / `AccessLogSetting`, and HTTP or
#   WebSocket API stages (`aws_apigatewayv2_stage`, `AWS::ApiGatewayV2::Stage`) without
#   `access_log_settings` / `AccessLogSettings`. Who called which route is then not recorded.
#   SAM's `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` are read as the stage SAM
#   generates for them, which takes their `AccessLogSetting` / `AccessLogSettings` (or those of
#   `Globals`) as written. An HTTP API made by quick create (`target` / `Target` on
#   `aws_apigatewayv2_api` / `AWS::ApiGatewayV2::Api`) gets a `$default` stage that API Gateway
#   creates without access logs: it is reported on the API unless an
#   `AWS::ApiGatewayV2::ApiGatewayManagedOverrides` of the API, existing wherever it does, sets
#   `Stage.AccessLogSettings` (CloudFormation), or some `aws_apigatewayv2_stage` refers to the API
#   (Terraform has no override resource).
# custom:
#   id: TG-LOG-008
#   severity: medium
#   category: logging
#   remediation: Configure access log settings with a CloudWatch Logs (or Firehose) destination and a log format.
#   controls: [AWS-FSBP-APIGateway.9]
package tollgate.rules.logging.api_gateway_access_logs

import data.tollgate.lib.util
import rego.v1

attributes := {
	"aws_api_gateway_stage": "access_log_settings",
	"aws_apigatewayv2_stage": "access_log_settings",
	"AWS::ApiGateway::Stage": "AccessLogSetting",
	"AWS::ApiGatewayV2::Stage": "AccessLogSettings",
	"AWS::Serverless::Api": "AccessLogSetting",
	"AWS::Serverless::HttpApi": "AccessLogSettings",
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {
		"resource": r.address,
		"message": "The API stage writes no access logs: configure access log settings.",
		"evidence": sprintf("%s unset", [attribute]),
		"path": unset.path,
		"when": unset.when,
	}
}

quick_create_message := "The HTTP API is made by quick create (Target), and the $default stage API Gateway creates for it writes no access logs: set them in an ApiGatewayManagedOverrides Stage, or declare the stage yourself."

deny contains finding if {
	some r in util.resources("AWS::ApiGatewayV2::Api")
	not util.is_absent(r.config, "Target")
	not overrides_access_logs(r)
	finding := {
		"resource": r.address,
		"message": quick_create_message,
		"evidence": "quick-create $default stage AccessLogSettings unset",
		"path": ["Target"],
	}
}

overrides_access_logs(api) if {
	some o in util.referrers(api, "AWS::ApiGatewayV2::ApiGatewayManagedOverrides")
	util.exists_with(o, api)
	not util.is_empty(object.get(o.config, "Stage", {}), "AccessLogSettings")
}

deny contains finding if {
	some r in util.resources("aws_apigatewayv2_api")
	not util.is_absent(r.config, "target")
	count(util.referrers(r, "aws_apigatewayv2_stage")) == 0
	finding := {
		"resource": r.address,
		"message": "The HTTP API is made by quick create (target), and the $default stage API Gateway creates for it writes no access logs: remove target and declare an aws_apigatewayv2_stage with access_log_settings, with the route and integration.",
		"evidence": "quick-create $default stage access_log_settings unset",
		"path": ["target"],
	}
}
