# METADATA
# title: CloudFront negotiates deprecated TLS or SSL
# description: >-
#   A CloudFront distribution with its own certificate accepts viewers below TLS 1.2
#   (`minimum_protocol_version` / `MinimumProtocolVersion` of `SSLv3`, `TLSv1`, `TLSv1_2016` or
#   `TLSv1.1_2016`), or lets CloudFront reach a custom origin over `SSLv3`, `TLSv1` or
#   `TLSv1.1` (`origin_ssl_protocols` / `OriginSSLProtocols`). A Terraform `viewer_certificate`
#   with an ACM or IAM certificate that leaves `minimum_protocol_version` out gets the provider's
#   default, `TLSv1`, and is reported. The default `*.cloudfront.net` certificate
#   (`cloudfront_default_certificate` / `CloudFrontDefaultCertificate` true) always accepts TLSv1
#   whatever version is written, cannot be changed and is not reported. With `unknown_values:
#   advisory`, a version or origin protocol Tollgate cannot know (a `dynamic` block taking it from
#   its collection, as terraform-aws-modules/cloudfront does) is reported as cannot tell.
# custom:
#   id: TG-ENC-017
#   severity: medium
#   category: encryption
#   remediation: Use minimum protocol version TLSv1.2_2021 for viewers and only TLSv1.2 towards custom origins.
#   controls: [AWS-FSBP-CloudFront.10, AWS-FSBP-CloudFront.15]
package tollgate.rules.encryption.cloudfront_weak_tls

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

weak_viewer_versions := {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"}

weak_origin_protocols := {"SSLv3", "TLSv1", "TLSv1.1"}

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, certificate in util.block_list(r.config.viewer_certificate)
	not util.is_true(object.get(certificate, "cloudfront_default_certificate", false))
	version := certificate.minimum_protocol_version
	version in weak_viewer_versions
	finding := viewer_finding(r, version, ["viewer_certificate", i, "minimum_protocol_version"])
}

# The provider sends TLSv1 for a certificate of one's own that leaves the version out.
deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, certificate in util.block_list(r.config.viewer_certificate)
	not util.is_true(object.get(certificate, "cloudfront_default_certificate", false))
	own_certificate(certificate)
	util.is_absent(certificate, "minimum_protocol_version")
	finding := object.union(viewer_finding(r, "TLSv1", ["viewer_certificate", i]), {
		"message": "The certificate's minimum_protocol_version is left to the provider's default, TLSv1, so viewers may connect with TLSv1: set it to TLSv1.2_2021.",
	})
}

own_certificate(certificate) if not util.is_absent(certificate, "acm_certificate_arn")

own_certificate(certificate) if not util.is_absent(certificate, "iam_certificate_id")

# Each version an undecided `Fn::If` may give is judged on its own.
deny contains finding if {
	some r in util.resources("AWS::CloudFront::Distribution")
	path := ["DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion"]
	not util.is_true(object.get(r.config, ["DistributionConfig", "ViewerCertificate", "CloudFrontDefaultCertificate"], false))
	some possible in util.possible_values(r, path)
	version := possible.value
	version in weak_viewer_versions
	finding := object.union(viewer_finding(r, version, path), {"when": possible.condition})
}

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, origin in util.block_list(r.config.origin)
	some j, custom in util.block_list(origin.custom_origin_config)
	some k, protocol in custom.origin_ssl_protocols
	protocol in weak_origin_protocols
	finding := origin_finding(r, protocol, origin.origin_id, ["origin", i, "custom_origin_config", j, "origin_ssl_protocols", k])
}

deny contains finding if {
	some r in util.resources("AWS::CloudFront::Distribution")
	some i, origin in r.config.DistributionConfig.Origins
	some k, protocol in origin.CustomOriginConfig.OriginSSLProtocols
	protocol in weak_origin_protocols
	place := util.list_item_place(r, ["DistributionConfig", "Origins", i, "CustomOriginConfig", "OriginSSLProtocols"], k)
	finding := object.union(origin_finding(r, protocol, origin.Id, place.path), {"when": place.when})
}

# Versions and protocols Tollgate cannot know (a `dynamic` block taking them from its collection, a
# variable, a parameter) may be weak. An unknown protocol is reported on its list, since an
# element's unknown value is located where its variable is declared.
deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, certificate in util.block_list(r.config.viewer_certificate)
	not util.is_true(object.get(certificate, "cloudfront_default_certificate", false))
	path := ["viewer_certificate", i, "minimum_protocol_version"]
	finding := settings.cannot_tell(r.address, path, certificate.minimum_protocol_version, viewer_cannot_tell)
}

deny contains finding if {
	some r in util.resources("AWS::CloudFront::Distribution")
	not util.is_true(object.get(r.config, ["DistributionConfig", "ViewerCertificate", "CloudFrontDefaultCertificate"], false))
	path := ["DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion"]
	some finding in settings.cannot_tell_each(r, path, viewer_cannot_tell)
}

viewer_cannot_tell := "Viewers may connect with a version below TLS 1.2: make sure the minimum protocol version is TLSv1.2_2021."

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, origin in util.block_list(r.config.origin)
	some j, custom in util.block_list(origin.custom_origin_config)
	some protocol in util.elements(custom.origin_ssl_protocols)
	path := ["origin", i, "custom_origin_config", j, "origin_ssl_protocols"]
	finding := origin_unknown(settings.cannot_tell(r.address, path, protocol.value, origin_cannot_tell(origin.origin_id)), origin.origin_id)
}

deny contains finding if {
	some r in util.resources("AWS::CloudFront::Distribution")
	some i, origin in r.config.DistributionConfig.Origins
	some protocol in util.elements(origin.CustomOriginConfig.OriginSSLProtocols)
	path := ["DistributionConfig", "Origins", i, "CustomOriginConfig", "OriginSSLProtocols"]
	finding := origin_unknown(settings.cannot_tell(r.address, path, protocol.value, origin_cannot_tell(origin.Id)), origin.Id)
}

# The origin is part of the evidence, as two origins may take their protocols from one variable.
origin_unknown(finding, origin_id) := object.union(finding, {"evidence": sprintf("origin %s %s", [util.label(origin_id), finding.evidence])})

origin_cannot_tell(origin_id) := sprintf("CloudFront may reach origin %s with a protocol below TLS 1.2: allow only TLSv1.2.", [util.label(origin_id)])

viewer_finding(r, version, path) := {
	"resource": r.address,
	"message": sprintf("Viewers may connect with %s: set the minimum protocol version to TLSv1.2_2021.", [version]),
	"evidence": sprintf("viewer %s", [version]),
	"path": path,
}

origin_finding(r, protocol, origin_id, path) := {
	"resource": r.address,
	"message": sprintf("CloudFront may reach origin %s with %s: allow only TLSv1.2.", [util.label(origin_id), protocol]),
	"evidence": sprintf("origin %s %s", [util.label(origin_id), protocol]),
	"path": path,
}
