# METADATA
# title: API Gateway stage without access logs
# description: >-
#   An API Gateway stage writes no access logs: REST API stages (`aws_api_gateway_stage`,
#   `AWS::ApiGateway::Stage`) without `access_log_settings` / `AccessLogSetting`, and HTTP or
#   WebSocket API stages (`aws_apigatewayv2_stage`, `AWS::ApiGatewayV2::Stage`) without
#   `access_log_settings` / `AccessLogSettings`. Who called which route is then not recorded.
#   SAM's `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` are read as the stage SAM
#   generates for them, which takes their `AccessLogSetting` / `AccessLogSettings` (or those of
#   `Globals`) as written.
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
