# METADATA
# title: EKS API endpoint open to the internet
# description: >-
#   An EKS cluster's Kubernetes API endpoint is public (the default) and accepts connections
#   from every address: `endpoint_public_access` / `EndpointPublicAccess` is not false and
#   `public_access_cidrs` / `PublicAccessCidrs` is absent (defaulting to `0.0.0.0/0`) or
#   contains `0.0.0.0/0`. In CloudFormation, a switch or CIDR list that an undecided `Fn::If`
#   chooses, or writes only under a condition, is judged for each deployment it gives.
#   With `unknown_values: advisory`, a switch Tollgate cannot know is reported as cannot tell when
#   the CIDRs are absent, public or unknown too (a `dynamic "vpc_config"` taking both from its
#   collection); a public endpoint with unknown CIDRs likewise. A call of the registry module
#   terraform-aws-modules/eks/aws that sets the public endpoint switch to true
#   (`cluster_endpoint_public_access`, `endpoint_public_access` from release 21) is reported when
#   its CIDRs (`cluster_endpoint_public_access_cidrs`, `endpoint_public_access_cidrs`) are absent,
#   since the module's default is `0.0.0.0/0`, or contain a public range; the switch's default
#   differs between releases, so a call leaving it out is not judged, nor one with `create` false.
# custom:
#   id: TG-NET-013
#   severity: medium
#   category: network
#   remediation: Disable the public endpoint (use the private endpoint from the VPC or a VPN), or restrict public_access_cidrs to known ranges.
#   controls: [AWS-FSBP-EKS.1]
package tollgate.rules.network.eks_public_endpoint

import data.tollgate.lib.network
import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

# `{resource, config, path, keys}` for every cluster's VPC configuration.
vpc_configs contains c if {
	some r in util.resources("aws_eks_cluster")
	some i, block in util.block_list(r.config.vpc_config)
	c := {"resource": r, "config": block, "path": ["vpc_config", i], "public": "endpoint_public_access", "cidrs": "public_access_cidrs"}
}

vpc_configs contains c if {
	some r in util.resources("AWS::EKS::Cluster")
	block := r.config.ResourcesVpcConfig
	is_object(block)
	c := {"resource": r, "config": block, "path": ["ResourcesVpcConfig"], "public": "EndpointPublicAccess", "cidrs": "PublicAccessCidrs"}
}

# The conditions under which the endpoint is public, for a CloudFormation switch an undecided
# `Fn::If` chooses or writes only under a condition: absent (public, ""), true (in every
# deployment or under the condition of the branch that sets it), or written only under
# conditions within the configuration (public where they do not hold).
public_when(c) := {"" | util.is_absent(c.config, c.public)} | {possible.condition |
	some possible in util.possible_values(c.resource, array.concat(c.path, [c.public]))
	util.is_true(possible.value)
} | {util.negation(conditions) |
	not util.is_absent(c.config, c.public)
	conditions := util.conditions_below(object.get(c.resource, "conditional", {}), c.path, [c.public])
	count(conditions) > 0
}

# CIDRs written only under a condition restrict the endpoint only where it holds.
deny contains finding if {
	some c in vpc_configs
	some public in public_when(c)
	some open in util.missing(c.resource, c.path, c.cidrs)
	when := util.conjunction([public, open.when])
	finding := {
		"resource": c.resource.address,
		"message": "The cluster's API endpoint is public and open to every address: disable it or restrict its CIDRs.",
		"evidence": "public endpoint from 0.0.0.0/0",
		"path": c.path,
		"when": when,
	}
}

deny contains finding if {
	some c in vpc_configs
	some public in public_when(c)
	some i, cidr in c.config[c.cidrs]
	network.is_public_cidr(cidr)
	place := util.list_item_place(c.resource, array.concat(c.path, [c.cidrs]), i)
	when := util.conjunction([public, place.when])
	finding := {
		"resource": c.resource.address,
		"message": sprintf("The cluster's API endpoint is public and allows %s: restrict it to known ranges.", [cidr]),
		"evidence": sprintf("public endpoint from %s", [cidr]),
		"path": place.path,
		"when": when,
	}
}

# An unknown switch decides whether an endpoint that is, or may be, open to every address is
# public: CIDRs absent, public, or unknown (as when a `dynamic "vpc_config"` takes both from its
# collection).
deny contains finding if {
	some c in vpc_configs
	some open in open_when(c)
	path := array.concat(c.path, [c.public])
	some unknown in settings.cannot_tell_each(c.resource, path, "The cluster's API endpoint may be public and open to every address: disable it or restrict its CIDRs.")
	when := util.conjunction([unknown.when, open])
	finding := object.union(unknown, {"when": when})
}

# The conditions under which the CIDRs may let every address in.
open_when(c) := {open.when | some open in util.missing(c.resource, c.path, c.cidrs)} | {place.when |
	some i, cidr in c.config[c.cidrs]
	network.is_public_cidr(cidr)
	place := util.list_item_place(c.resource, array.concat(c.path, [c.cidrs]), i)
} | {"" |
	some cidr in util.elements(c.config[c.cidrs])
	util.is_unknown(cidr.value)
}

# Unknown CIDRs decide who reaches a public endpoint; reported on the list, since an element's
# unknown value is located where its variable is declared.
deny contains finding if {
	some c in vpc_configs
	some public in public_when(c)
	some cidr in util.elements(c.config[c.cidrs])
	path := array.concat(c.path, [c.cidrs])
	unknown := settings.cannot_tell(c.resource.address, path, cidr.value, "The cluster's API endpoint is public and may allow every address: restrict it to known ranges.")
	finding := object.union(unknown, {"when": public})
}

# The module's public endpoint switch and CIDR list, before and from release 21.
module_endpoint_arguments := [
	{"public": "cluster_endpoint_public_access", "cidrs": "cluster_endpoint_public_access_cidrs"},
	{"public": "endpoint_public_access", "cidrs": "endpoint_public_access_cidrs"},
]

module_public_endpoints contains [r, names] if {
	some r in input.resources
	registry.is_call(r, "terraform-aws-modules/eks/aws")
	registry.submodule(r.moduleSource) == ""
	not util.is_false(object.get(r.config, "create", true))
	some names in module_endpoint_arguments
	util.is_true(object.get(r.config, names.public, null))
}

deny contains finding if {
	some [r, names] in module_public_endpoints
	util.is_absent(r.config, names.cidrs)
	finding := {
		"resource": r.address,
		"message": sprintf("The cluster module is called with %s = true and no %s, whose default is 0.0.0.0/0: the API endpoint is open to every address; disable it or restrict its CIDRs.", [names.public, names.cidrs]),
		"evidence": "public endpoint from 0.0.0.0/0",
		"path": [names.public],
	}
}

deny contains finding if {
	some [r, names] in module_public_endpoints
	some i, cidr in r.config[names.cidrs]
	network.is_public_cidr(cidr)
	place := util.list_item_place(r, [names.cidrs], i)
	finding := {
		"resource": r.address,
		"message": sprintf("The cluster's API endpoint is public and allows %s: restrict it to known ranges.", [cidr]),
		"evidence": sprintf("public endpoint from %s", [cidr]),
		"path": place.path,
		"when": place.when,
	}
}
