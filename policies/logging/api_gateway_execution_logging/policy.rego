# METADATA
# title: API Gateway execution logging disabled
# description: >-
#   An API Gateway REST stage or WebSocket route turns execution logging off: an
#   `aws_api_gateway_method_settings` whose `settings.logging_level` is `OFF` or empty,
#   `default_route_settings.logging_level` of `OFF` on an `aws_apigatewayv2_stage`, or
#   CloudFormation `MethodSettings[].LoggingLevel` / `DefaultRouteSettings.LoggingLevel` of
#   `OFF`. Errors and authorizer failures are then not recorded. Settings that are absent are
#   left to the stage's other configuration and not reported.
# custom:
#   id: TG-LOG-013
#   severity: low
#   category: logging
#   remediation: Set the logging level to ERROR or INFO for all methods (method_path "*/*").
#   controls: [AWS-FSBP-APIGateway.1]
package tollgate.rules.logging.api_gateway_execution_logging

import data.tollgate.lib.util
import rego.v1

is_off(level) if level == ""

# YAML 1.1 reads an unquoted OFF as false.
is_off(level) if level == false

is_off(level) if {
	is_string(level)
	upper(level) == "OFF"
}

# `{resource, level, path}` for every logging level written.
levels contains l if {
	some r in util.resources("aws_api_gateway_method_settings")
	some i, settings in r.config.settings
	l := {"resource": r.address, "level": settings.logging_level, "path": ["settings", i, "logging_level"]}
}

levels contains l if {
	some r in util.resources("aws_apigatewayv2_stage")
	some i, settings in r.config.default_route_settings
	l := {"resource": r.address, "level": settings.logging_level, "path": ["default_route_settings", i, "logging_level"]}
}

levels contains l if {
	some r in util.resources("AWS::ApiGateway::Stage")
	some i, settings in r.config.MethodSettings
	l := {"resource": r.address, "level": settings.LoggingLevel, "path": ["MethodSettings", i, "LoggingLevel"]}
}

levels contains l if {
	some r in util.resources("AWS::ApiGatewayV2::Stage")
	l := {"resource": r.address, "level": r.config.DefaultRouteSettings.LoggingLevel, "path": ["DefaultRouteSettings", "LoggingLevel"]}
}

deny contains finding if {
	some l in levels
	is_off(l.level)
	finding := {
		"resource": l.resource,
		"message": "Execution logging is off: set the logging level to ERROR or INFO.",
		"evidence": "logging level OFF",
		"path": l.path,
	}
}
