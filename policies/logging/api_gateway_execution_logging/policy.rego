# METADATA
# title: API Gateway execution logging disabled
# description: >-
#   An API Gateway REST stage or WebSocket API stage records no execution logs. Reported: a
#   logging level of `OFF` or empty (`aws_api_gateway_method_settings` `settings.logging_level`,
#   `aws_apigatewayv2_stage` `default_route_settings.logging_level`, CloudFormation
#   `MethodSettings[].LoggingLevel` / `DefaultRouteSettings.LoggingLevel`); stage-wide method
#   settings (`*/*`, CloudFormation `/*` and `*`) that leave the level out, which keeps the
#   stage's default of `OFF`; a REST stage that no method settings configure; a WebSocket stage
#   whose default route settings leave the level out. Errors and authorizer failures are then
#   not recorded. HTTP APIs have no execution logs: a v2 stage is checked for an absent level
#   only when it is known to serve a WebSocket API (its API's protocol type, or route settings
#   only WebSocket APIs take). Method settings whose stage cannot be resolved silence the
#   stage-without-settings case, as the rule cannot tell which stage they configure. In
#   CloudFormation, `OFF` in one branch of an undecided `Fn::If`, or a level, method settings or
#   route settings written only under such a condition, are reported for the deployments without
#   logs. SAM's `AWS::Serverless::Api` is read as the REST stage SAM generates for it, which takes
#   its `MethodSettings` (those of `Globals.Api` first) as written; `AWS::Serverless::HttpApi`
#   serves an HTTP API and is not checked.
#   With `unknown_values: advisory`, method settings or default route settings that only a
#   `dynamic` block over a collection Tollgate cannot know creates are reported as cannot tell.
# custom:
#   id: TG-LOG-013
#   severity: low
#   category: logging
#   remediation: Set the logging level to ERROR or INFO for all methods (method_path "*/*").
#   controls: [AWS-FSBP-APIGateway.1]
package tollgate.rules.logging.api_gateway_execution_logging

import data.tollgate.lib.settings
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
	some i, settings in util.block_list(r.config.settings)
	l := {"resource": r.address, "level": settings.logging_level, "path": ["settings", i, "logging_level"]}
}

levels contains l if {
	some r in util.resources("aws_apigatewayv2_stage")
	some i, settings in util.block_list(r.config.default_route_settings)
	l := {"resource": r.address, "level": settings.logging_level, "path": ["default_route_settings", i, "logging_level"]}
}

# CloudFormation REST stages, and the SAM APIs that generate one from their own `MethodSettings`.
cloudformation_rest_stages := [r |
	some type in ["AWS::ApiGateway::Stage", "AWS::Serverless::Api"]
	some r in util.resources(type)
]

# CloudFormation: each level an undecided `Fn::If` may give, under its condition (`when`).
levels contains l if {
	some r in cloudformation_rest_stages
	some i, _ in r.config.MethodSettings
	path := ["MethodSettings", i, "LoggingLevel"]
	some possible in util.possible_values(r, path)
	l := {"resource": r.address, "level": possible.value, "path": path, "when": possible.condition}
}

levels contains l if {
	some r in util.resources("AWS::ApiGatewayV2::Stage")
	path := ["DefaultRouteSettings", "LoggingLevel"]
	some possible in util.possible_values(r, path)
	l := {"resource": r.address, "level": possible.value, "path": path, "when": possible.condition}
}

off_message := "Execution logging is off: set the logging level to ERROR or INFO."

unset_message := "Execution logging is not configured, so it stays off: set the logging level to ERROR or INFO."

deny contains finding if {
	some l in levels
	is_off(l.level)
	finding := {
		"resource": l.resource,
		"message": off_message,
		"evidence": "logging level OFF",
		"path": l.path,
		"when": object.get(l, "when", ""),
	}
}

# Where the logging level is left out though it should be written: `{resource, path}`, and in
# CloudFormation `when`, the deployments that leave it out (a level or settings written only
# under an undecided `Fn::If` condition are there only where it holds).

# Stage-wide method settings without a level (a settings block is required; its absence
# leaves the level out as well).
unset contains u if {
	some r in util.resources("aws_api_gateway_method_settings")
	r.config.method_path == "*/*"
	util.is_empty(r.config, "settings")
	u := {"resource": r.address, "path": []}
}

unset contains u if {
	some r in util.resources("aws_api_gateway_method_settings")
	r.config.method_path == "*/*"
	some i, settings in util.block_list(r.config.settings)
	util.is_absent(settings, "logging_level")
	u := {"resource": r.address, "path": ["settings", i]}
}

unset contains u if {
	some r in cloudformation_rest_stages
	some i, settings in r.config.MethodSettings
	settings.ResourcePath == "/*"
	settings.HttpMethod == "*"
	some left_out in level_left_out(r, ["MethodSettings", i])
	u := {"resource": r.address, "path": left_out.path, "when": left_out.when}
}

# `[{path, when}]`: the level of the settings at `path` absent, or written only under conditions
# within them (an empty level is reported as off, not here).
level_left_out(r, path) := [unset |
	some unset in util.missing(r, path, "LoggingLevel")
	object.get(r.config, array.concat(path, ["LoggingLevel"]), null) != ""
]

# A REST stage no method settings configure.
unset contains u if {
	some stage in util.resources("aws_api_gateway_stage")
	not configured(stage)
	u := {"resource": stage.address, "path": []}
}

unset contains u if {
	some stage in cloudformation_rest_stages
	when := unconfigured_when(stage)
	u := {"resource": stage.address, "path": [], "when": when}
}

# The deployments in which a CloudFormation stage has no method settings.
unconfigured_when(stage) := "" if util.is_empty(stage.config, "MethodSettings")

unconfigured_when(stage) := util.none_hold_when([conditions |
	some i, _ in stage.config.MethodSettings
	conditions := util.conditions_below(object.get(stage, "conditional", {}), [], ["MethodSettings", i])
]) if is_array(stage.config.MethodSettings)

# Method settings may configure the stage: they refer to it, or name it, or name their stage by
# an expression (a variable, another module's output) and refer to no stage of the input, so that
# they may configure any. Looked up from the stage in sets computed once per evaluation.
configured(stage) if count(util.referrers(stage, "aws_api_gateway_method_settings")) > 0

configured(stage) if stage.config.stage_name in method_settings_stage_names

configured(_) if settings_for_any_stage

method_settings_stage_names contains name if {
	some settings in util.resources("aws_api_gateway_method_settings")
	name := settings.config.stage_name
	is_string(name)
}

settings_for_any_stage if {
	some settings in util.resources("aws_api_gateway_method_settings")
	util.is_unknown(settings.config.stage_name)
	not refers_to_some_stage(settings)
}

refers_to_some_stage(settings) if {
	some stage in util.referred(settings)
	stage.type == "aws_api_gateway_stage"
	stage.mode == "managed"
}

# WebSocket stages whose default route settings leave the level out.
unset contains u if {
	some r in util.resources("aws_apigatewayv2_stage")
	serves_websocket(r, "aws_apigatewayv2_api", "protocol_type", [])
	util.is_empty(r.config, "default_route_settings")
	u := {"resource": r.address, "path": []}
}

unset contains u if {
	some r in util.resources("aws_apigatewayv2_stage")
	serves_websocket(r, "aws_apigatewayv2_api", "protocol_type", util.block_list(r.config.default_route_settings))
	some i, settings in util.block_list(r.config.default_route_settings)
	util.is_absent(settings, "logging_level")
	u := {"resource": r.address, "path": ["default_route_settings", i]}
}

unset contains u if {
	some r in util.resources("AWS::ApiGatewayV2::Stage")
	route_settings := [settings | settings := r.config.DefaultRouteSettings; is_object(settings)]
	serves_websocket(r, "AWS::ApiGatewayV2::Api", "ProtocolType", route_settings)
	some unset in util.missing(r, [], "DefaultRouteSettings")
	u := {"resource": r.address, "path": [], "when": unset.when}
}

unset contains u if {
	some r in util.resources("AWS::ApiGatewayV2::Stage")
	settings := r.config.DefaultRouteSettings
	serves_websocket(r, "AWS::ApiGatewayV2::Api", "ProtocolType", [settings])
	some left_out in level_left_out(r, ["DefaultRouteSettings"])
	u := {"resource": r.address, "path": left_out.path, "when": left_out.when}
}

# The stage's API in the input is a WebSocket API.
serves_websocket(stage, api_type, protocol_attribute, _) if {
	some api in util.referred(stage)
	api.type == api_type
	api.mode == "managed"
	protocol := api.config[protocol_attribute]
	is_string(protocol)
	upper(protocol) == "WEBSOCKET"
}

# Data trace logging is only taken by WebSocket APIs.
serves_websocket(_, _, _, route_settings) if {
	some settings in route_settings
	is_object(settings)
	some key in ["data_trace_enabled", "DataTraceEnabled"]
	not util.is_absent(settings, key)
}

# Settings blocks that only a `dynamic` block over a collection Tollgate cannot know creates may
# be missing: "cannot tell" where a missing block would be reported.
deny contains finding if {
	some r in util.resources("aws_api_gateway_method_settings")
	r.config.method_path == "*/*"
	finding := settings.cannot_tell(r.address, ["settings"], util.unknown_presence(r, [], "settings"), "The method settings come from a collection Tollgate cannot know, so there may be none and execution logging stays off: make sure they set the logging level.")
}

deny contains finding if {
	some r in util.resources("aws_apigatewayv2_stage")
	serves_websocket(r, "aws_apigatewayv2_api", "protocol_type", [])
	finding := settings.cannot_tell(r.address, ["default_route_settings"], util.unknown_presence(r, [], "default_route_settings"), "The stage's default_route_settings come from a collection Tollgate cannot know, so there may be none and execution logging stays off: make sure they set the logging level.")
}

deny contains finding if {
	some u in unset
	finding := {
		"resource": u.resource,
		"message": unset_message,
		"evidence": "logging level unset",
		"path": u.path,
		"when": object.get(u, "when", ""),
	}
}
