# METADATA
# title: CloudFront reaches a custom origin over plain HTTP
# description: >-
#   A CloudFront distribution's custom origin (`custom_origin_config` / `CustomOriginConfig`) has
#   the origin protocol policy `http-only`, so every request CloudFront forwards to it crosses the
#   network unencrypted, whatever the viewer used; or `match-viewer` while a cache behavior that
#   targets the origin (`target_origin_id` / `TargetOriginId`) lets viewers use HTTP
#   (`allow-all`), so their requests go on to the origin in clear text. An S3 website endpoint
#   accepts only HTTP and is reported too: serve the bucket through its REST endpoint with origin
#   access control instead. S3 origins (`s3_origin_config`, `S3OriginConfig`) always use HTTPS.
#   In CloudFormation, a policy an undecided `Fn::If` gives is judged per branch. With
#   `unknown_values: advisory`, a policy Tollgate cannot know is reported as cannot tell.
# custom:
#   id: TG-ENC-026
#   severity: medium
#   category: encryption
#   remediation: Set the origin protocol policy to https-only (with TLSv1.2 origin SSL protocols), or use match-viewer only with behaviors that redirect viewers to HTTPS.
#   controls: [AWS-FSBP-CloudFront.9]
package tollgate.rules.encryption.cloudfront_origin_http

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, id, path}` for each custom origin, `path` leading to its protocol policy.
origins contains o if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, origin in util.block_list(r.config.origin)
	some j, _ in util.block_list(origin.custom_origin_config)
	o := {"resource": r, "id": origin.origin_id, "path": ["origin", i, "custom_origin_config", j, "origin_protocol_policy"]}
}

origins contains o if {
	some r in util.resources("AWS::CloudFront::Distribution")
	some i, origin in r.config.DistributionConfig.Origins
	is_object(origin.CustomOriginConfig)
	o := {"resource": r, "id": origin.Id, "path": ["DistributionConfig", "Origins", i, "CustomOriginConfig", "OriginProtocolPolicy"]}
}

deny contains finding if {
	some o in origins
	some possible in util.possible_values(o.resource, o.path)
	possible.value == "http-only"
	finding := {
		"resource": o.resource.address,
		"message": sprintf("CloudFront forwards every request to origin %s over plain HTTP (http-only): use https-only.", [util.label(o.id)]),
		"evidence": sprintf("origin %s http-only", [util.label(o.id)]),
		"path": o.path,
		"when": possible.condition,
	}
}

deny contains finding if {
	some o in origins
	some possible in util.possible_values(o.resource, o.path)
	possible.value == "match-viewer"
	some pattern in http_viewer_patterns(o.resource, o.id)
	finding := {
		"resource": o.resource.address,
		"message": sprintf("Origin %s matches the viewer's protocol and the cache behavior %s accepts HTTP viewers (allow-all), so their requests reach the origin over plain HTTP: use https-only, or redirect viewers to HTTPS.", [util.label(o.id), util.label(pattern)]),
		"evidence": sprintf("origin %s match-viewer, allow-all on %s", [util.label(o.id), util.label(pattern)]),
		"path": o.path,
		"when": possible.condition,
	}
}

deny contains finding if {
	some o in origins
	some unknown in settings.cannot_tell_each(o.resource, o.path, sprintf("CloudFront may reach origin %s over plain HTTP: make sure its protocol policy is https-only.", [util.label(o.id)]))
	finding := object.union(unknown, {"evidence": sprintf("origin %s %s", [util.label(o.id), unknown.evidence])})
}

# The path patterns (`default` for the default behavior) of the cache behaviors that send requests
# to origin `id` and let viewers use HTTP.
http_viewer_patterns(r, id) := {pattern |
	some b in behaviors(r)
	b.target == id
	b.viewer == "allow-all"
	pattern := b.pattern
}

behaviors(r) := [{"target": b.target_origin_id, "viewer": b.viewer_protocol_policy, "pattern": object.get(b, "path_pattern", "default")} |
	some kind in ["default_cache_behavior", "ordered_cache_behavior"]
	some b in util.block_list(r.config[kind])
] if r.type == "aws_cloudfront_distribution"

behaviors(r) := [{"target": b.TargetOriginId, "viewer": b.ViewerProtocolPolicy, "pattern": object.get(b, "PathPattern", "default")} |
	some b in array.concat([object.get(r.config, ["DistributionConfig", "DefaultCacheBehavior"], {})], object.get(r.config, ["DistributionConfig", "CacheBehaviors"], []))
	is_object(b)
	b.TargetOriginId
] if r.type == "AWS::CloudFront::Distribution"
