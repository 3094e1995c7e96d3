# METADATA
# title: CloudFront allows plain HTTP viewers
# description: >-
#   A CloudFront cache behavior (the default one or an ordered one) sets
#   `viewer_protocol_policy` / `ViewerProtocolPolicy` to `allow-all`, so viewers can fetch
#   content and send cookies over unencrypted HTTP.
# custom:
#   id: TG-ENC-016
#   severity: medium
#   category: encryption
#   remediation: Set the viewer protocol policy to redirect-to-https or https-only on every cache behavior.
#   controls: [AWS-FSBP-CloudFront.3]
package tollgate.rules.encryption.cloudfront_viewer_http

import data.tollgate.lib.util
import rego.v1

# `{resource, behavior, path, key}` for every cache behavior (`resource` the distribution).
behaviors contains b if {
	some r in util.resources("aws_cloudfront_distribution")
	some kind in ["default_cache_behavior", "ordered_cache_behavior"]
	some i, behavior in r.config[kind]
	b := {"resource": r, "behavior": behavior, "path": [kind, i], "key": "viewer_protocol_policy"}
}

behaviors contains b if {
	some r in util.resources("AWS::CloudFront::Distribution")
	behavior := r.config.DistributionConfig.DefaultCacheBehavior
	b := {"resource": r, "behavior": behavior, "path": ["DistributionConfig", "DefaultCacheBehavior"], "key": "ViewerProtocolPolicy"}
}

behaviors contains b if {
	some r in util.resources("AWS::CloudFront::Distribution")
	some i, behavior in r.config.DistributionConfig.CacheBehaviors
	b := {"resource": r, "behavior": behavior, "path": ["DistributionConfig", "CacheBehaviors", i], "key": "ViewerProtocolPolicy"}
}

# Each value an undecided CloudFormation `Fn::If` may give the policy is judged on its own.
deny contains finding if {
	some b in behaviors
	path := array.concat(b.path, [b.key])
	some possible in util.possible_values(b.resource, path)
	possible.value == "allow-all"
	pattern := object.get(b.behavior, "path_pattern", object.get(b.behavior, "PathPattern", "default"))
	finding := {
		"resource": b.resource.address,
		"message": "The cache behavior serves viewers over plain HTTP: redirect them to HTTPS.",
		"evidence": sprintf("allow-all on %s", [util.label(pattern)]),
		"path": path,
		"when": possible.condition,
	}
}
