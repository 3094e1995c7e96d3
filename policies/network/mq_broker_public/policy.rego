# METADATA
# title: Amazon MQ broker publicly accessible
# description: >-
#   An Amazon MQ broker (`aws_mq_broker`, `AWS::AmazonMQ::Broker`) sets `publicly_accessible` /
#   `PubliclyAccessible` to true: its endpoints (OpenWire, AMQP, MQTT, STOMP, the web console)
#   get public addresses, so anyone on the internet can reach the login and probe it. Terraform's
#   default is false; CloudFormation requires the property, so only an explicit true is reported.
# custom:
#   id: TG-NET-018
#   severity: high
#   category: network
#   remediation: Set publicly_accessible / PubliclyAccessible to false, place the broker in private subnets and reach it through the VPC, a VPN or PrivateLink.
package tollgate.rules.network.mq_broker_public

import data.tollgate.lib.settings
import data.tollgate.lib.util
import rego.v1

attributes := {"aws_mq_broker": "publicly_accessible", "AWS::AmazonMQ::Broker": "PubliclyAccessible"}

deny contains finding if {
	some type, attribute in attributes
	some r in util.resources(type)
	some possible in util.possible_values(r, [attribute])
	util.is_true(possible.value)
	finding := {
		"resource": r.address,
		"message": "The Amazon MQ broker is publicly accessible: make it private and reach it from inside the VPC.",
		"evidence": sprintf("%s = true", [attribute]),
		"path": [attribute],
		"when": possible.condition,
	}
}

deny contains finding if {
	some type, attribute in attributes
	some r in util.resources(type)
	some finding in settings.cannot_tell_each(r, [attribute], "The Amazon MQ broker may be publicly accessible: make it private and reach it from inside the VPC.")
}
