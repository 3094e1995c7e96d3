# METADATA
# title: CloudFront allows plain HTTP viewers
# description: >-
#   A CloudFront cache behavior (the default one or an ordered one) sets
#   `viewer_protocol_policy` / `ViewerProtocolPolicy` to `allow-all`, so viewers can fetch
#   content and send cookies over unencrypted HTTP. With `unknown_values: advisory`, a policy
#   Tollgate cannot know (a `dynamic "ordered_cache_behavior"` taking it from its collection, as
#   terraform-aws-modules/cloudfront does) is reported as cannot tell.
# custom:
#   id: TG-ENC-016
#   severity: medium
#   category: encryption
#   remediation: Set the viewer protocol policy to redirect-to-https or https-only on every cache behavior.
#   controls: [AWS-FSBP-CloudFront.3]
package tollgate.rules.encryption.cloudfront_viewer_http

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, behavior, path, key}` for every cache behavior (`resource` the distribution).
behaviors contains b if {
	some r in util.resources("aws_cloudfront_distribution")
	some kind in ["default_cache_behavior", "ordered_cache_behavior"]
	some i, behavior in util.block_list(r.config[kind])
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
	b := {"resource": r, "behavior": behavior, "path": ["DistributionConfig", "CacheBehaviors", i], "key": "ViewerProtocolPolicy", "list": ["DistributionConfig", "CacheBehaviors"], "index": i}
}

# Each value an undecided CloudFormation `Fn::If` may give the policy is judged on its own; a
# behavior such an `Fn::If` gives on its list is reported on the list, so the same behavior in
# both branches is one finding in every deployment.
deny contains finding if {
	some b in behaviors
	path := array.concat(b.path, [b.key])
	some possible in util.possible_values(b.resource, path)
	possible.value == "allow-all"
	place := report_place(b)
	when := util.conjunction([place.when, possible.condition])
	pattern := object.get(b.behavior, "path_pattern", object.get(b.behavior, "PathPattern", "default"))
	finding := {
		"resource": b.resource.address,
		"message": "The cache behavior serves viewers over plain HTTP: redirect them to HTTPS.",
		"evidence": sprintf("allow-all on %s", [util.label(pattern)]),
		"path": place.path,
		"when": when,
	}
}

# A policy Tollgate cannot know (a `dynamic "ordered_cache_behavior"` taking it from its
# collection, a variable, a parameter) may be allow-all.
deny contains finding if {
	some b in behaviors
	path := array.concat(b.path, [b.key])
	some unknown in settings.cannot_tell_each(b.resource, path, "The cache behavior may serve viewers over plain HTTP: make sure it redirects them to HTTPS.")
	pattern := object.get(b.behavior, "path_pattern", object.get(b.behavior, "PathPattern", "default"))
	finding := object.union(unknown, {"evidence": sprintf("%s on %s", [unknown.evidence, util.label(pattern)])})
}

report_place(b) := {"path": array.concat(b.path, [b.key]), "when": ""} if not b.list

report_place(b) := util.list_item_key_place(b.resource, b.list, b.index, b.key) if b.list
