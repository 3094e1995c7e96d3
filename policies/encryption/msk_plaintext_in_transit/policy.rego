# METADATA
# title: MSK cluster accepts plaintext traffic
# description: >-
#   An Amazon MSK cluster lets clients talk to its brokers in plaintext, or its brokers talk to
#   each other in plaintext: a client-broker setting of `PLAINTEXT` or `TLS_PLAINTEXT`
#   (`encryption_info.encryption_in_transit.client_broker` of `aws_msk_cluster`,
#   `EncryptionInfo.EncryptionInTransit.ClientBroker` of `AWS::MSK::Cluster`) or in-cluster
#   encryption turned off (`in_cluster` / `InCluster` false). Left out, the client-broker setting
#   is `TLS` and in-cluster encryption is on (the provider's and CloudFormation's defaults), and
#   nothing is reported. Calls of terraform-aws-modules/msk-kafka-cluster/aws are read through
#   its `encryption_in_transit_client_broker` and `encryption_in_transit_in_cluster` arguments,
#   unless `create = false`. MSK always encrypts data at rest, and serverless clusters always
#   use TLS. In CloudFormation, a plaintext value in one branch of an undecided `Fn::If` is
#   reported for the deployments that take it. With `unknown_values: advisory`, a setting Tollgate
#   cannot know (a variable, a parameter) is reported as cannot tell.
# custom:
#   id: TG-ENC-024
#   severity: medium
#   category: encryption
#   remediation: Set client_broker to TLS (ClientBroker TLS) and keep in_cluster true.
#   controls: [AWS-FSBP-MSK.1]
package tollgate.rules.encryption.msk_plaintext_in_transit

import data.tollgate.lib.registry
import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

plaintext_client_broker := {"PLAINTEXT", "TLS_PLAINTEXT"}

msk_module := "terraform-aws-modules/msk-kafka-cluster/aws"

# Each client-broker setting and in-cluster flag written, as `{resource, value, path, when}`.
client_broker_settings contains s if {
	some r in util.resources("aws_msk_cluster")
	some i, info in util.block_list(r.config.encryption_info)
	some j, transit in util.block_list(info.encryption_in_transit)
	s := {
		"resource": r.address,
		"value": transit.client_broker,
		"path": ["encryption_info", i, "encryption_in_transit", j, "client_broker"],
		"when": "",
	}
}

client_broker_settings contains s if {
	some r in util.resources("AWS::MSK::Cluster")
	path := ["EncryptionInfo", "EncryptionInTransit", "ClientBroker"]
	some possible in util.possible_values(r, path)
	s := {"resource": r.address, "value": possible.value, "path": path, "when": possible.condition}
}

client_broker_settings contains s if {
	some call in module_calls
	s := {
		"resource": call.address,
		"value": call.config.encryption_in_transit_client_broker,
		"path": ["encryption_in_transit_client_broker"],
		"when": "",
	}
}

in_cluster_settings contains s if {
	some r in util.resources("aws_msk_cluster")
	some i, info in util.block_list(r.config.encryption_info)
	some j, transit in util.block_list(info.encryption_in_transit)
	s := {
		"resource": r.address,
		"value": transit.in_cluster,
		"path": ["encryption_info", i, "encryption_in_transit", j, "in_cluster"],
		"when": "",
	}
}

in_cluster_settings contains s if {
	some r in util.resources("AWS::MSK::Cluster")
	path := ["EncryptionInfo", "EncryptionInTransit", "InCluster"]
	some possible in util.possible_values(r, path)
	s := {"resource": r.address, "value": possible.value, "path": path, "when": possible.condition}
}

in_cluster_settings contains s if {
	some call in module_calls
	s := {
		"resource": call.address,
		"value": call.config.encryption_in_transit_in_cluster,
		"path": ["encryption_in_transit_in_cluster"],
		"when": "",
	}
}

# The module's cluster is created unless `create = false`.
module_calls contains call if {
	some call in registry.calls(msk_module)
	registry.submodule(call.moduleSource) == ""
	not util.is_false(object.get(call.config, "create", true))
}

deny contains finding if {
	some s in client_broker_settings
	s.value in plaintext_client_broker
	finding := {
		"resource": s.resource,
		"message": sprintf("Clients may reach the brokers in plaintext (client_broker %s): set it to TLS.", [s.value]),
		"evidence": sprintf("%s = %s", [s.path[count(s.path) - 1], s.value]),
		"path": s.path,
		"when": s.when,
	}
}

deny contains finding if {
	some s in in_cluster_settings
	util.is_false(s.value)
	finding := {
		"resource": s.resource,
		"message": "The brokers talk to each other in plaintext: set in-cluster encryption to true.",
		"evidence": sprintf("%s = false", [s.path[count(s.path) - 1]]),
		"path": s.path,
		"when": s.when,
	}
}

deny contains finding if {
	some s in client_broker_settings
	finding := object.union(
		settings.cannot_tell(s.resource, s.path, s.value, "The client-broker encryption setting comes from a value Tollgate cannot know, so clients may reach the brokers in plaintext: make sure it is TLS."),
		{"when": s.when},
	)
}

deny contains finding if {
	some s in in_cluster_settings
	finding := object.union(
		settings.cannot_tell(s.resource, s.path, s.value, "Whether the brokers encrypt traffic among themselves comes from a value Tollgate cannot know: make sure in-cluster encryption is true."),
		{"when": s.when},
	)
}
