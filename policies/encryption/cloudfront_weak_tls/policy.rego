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
#   whatever version is written, cannot be changed and is not reported.
# custom:
#   id: TG-ENC-017
#   severity: medium
#   category: encryption
#   remediation: Use minimum protocol version TLSv1.2_2021 for viewers and only TLSv1.2 towards custom origins.
#   controls: [AWS-FSBP-CloudFront.10]
package tollgate.rules.encryption.cloudfront_weak_tls

import data.tollgate.lib.util
import rego.v1

weak_viewer_versions := {"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"}

weak_origin_protocols := {"SSLv3", "TLSv1", "TLSv1.1"}

deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, certificate in r.config.viewer_certificate
	not util.is_true(object.get(certificate, "cloudfront_default_certificate", false))
	version := certificate.minimum_protocol_version
	version in weak_viewer_versions
	finding := viewer_finding(r, version, ["viewer_certificate", i, "minimum_protocol_version"])
}

# The provider sends TLSv1 for a certificate of one's own that leaves the version out.
deny contains finding if {
	some r in util.resources("aws_cloudfront_distribution")
	some i, certificate in r.config.viewer_certificate
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
	some i, origin in r.config.origin
	some j, custom in origin.custom_origin_config
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
