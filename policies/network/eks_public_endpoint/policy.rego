# METADATA
# title: EKS API endpoint open to the internet
# description: >-
#   An EKS cluster's Kubernetes API endpoint is public (the default) and accepts connections
#   from every address: `endpoint_public_access` / `EndpointPublicAccess` is not false and
#   `public_access_cidrs` / `PublicAccessCidrs` is absent (defaulting to `0.0.0.0/0`) or
#   contains `0.0.0.0/0`.
# custom:
#   id: TG-NET-013
#   severity: medium
#   category: network
#   remediation: Disable the public endpoint (use the private endpoint from the VPC or a VPN), or restrict public_access_cidrs to known ranges.
#   controls: [AWS-FSBP-EKS.1]
package tollgate.rules.network.eks_public_endpoint

import data.tollgate.lib.network
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, config, path, keys}` for every cluster's VPC configuration.
vpc_configs contains c if {
	some r in util.resources("aws_eks_cluster")
	some i, block in r.config.vpc_config
	c := {"resource": r, "config": block, "path": ["vpc_config", i], "public": "endpoint_public_access", "cidrs": "public_access_cidrs"}
}

vpc_configs contains c if {
	some r in util.resources("AWS::EKS::Cluster")
	block := r.config.ResourcesVpcConfig
	is_object(block)
	c := {"resource": r, "config": block, "path": ["ResourcesVpcConfig"], "public": "EndpointPublicAccess", "cidrs": "PublicAccessCidrs"}
}

public_endpoint(c) if util.is_absent(c.config, c.public)

public_endpoint(c) if util.is_true(c.config[c.public])

deny contains finding if {
	some c in vpc_configs
	public_endpoint(c)
	util.is_empty(c.config, c.cidrs)
	finding := {
		"resource": c.resource.address,
		"message": "The cluster's API endpoint is public and open to every address: disable it or restrict its CIDRs.",
		"evidence": "public endpoint from 0.0.0.0/0",
		"path": c.path,
	}
}

deny contains finding if {
	some c in vpc_configs
	public_endpoint(c)
	some i, cidr in c.config[c.cidrs]
	network.is_public_cidr(cidr)
	finding := {
		"resource": c.resource.address,
		"message": sprintf("The cluster's API endpoint is public and allows %s: restrict it to known ranges.", [cidr]),
		"evidence": sprintf("public endpoint from %s", [cidr]),
		"path": array.concat(c.path, [c.cidrs, i]),
	}
}

# An unknown switch decides whether an endpoint open to every address is public.
deny contains finding if {
	some c in vpc_configs
	util.is_empty(c.config, c.cidrs)
	path := array.concat(c.path, [c.public])
	finding := settings.cannot_tell(c.resource.address, path, c.config[c.public], "The cluster's API endpoint may be public and open to every address: disable it or restrict its CIDRs.")
}

# Unknown CIDRs decide who reaches a public endpoint; reported on the list, since an element's
# unknown value is located where its variable is declared.
deny contains finding if {
	some c in vpc_configs
	public_endpoint(c)
	some cidr in util.elements(c.config[c.cidrs])
	path := array.concat(c.path, [c.cidrs])
	finding := settings.cannot_tell(c.resource.address, path, cidr.value, "The cluster's API endpoint is public and may allow every address: restrict it to known ranges.")
}
