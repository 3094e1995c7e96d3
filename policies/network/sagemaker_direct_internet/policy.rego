# METADATA
# title: SageMaker notebook with direct internet access
# description: >-
#   A SageMaker notebook instance has direct internet access (`direct_internet_access` /
#   `DirectInternetAccess` absent, which defaults to `Enabled`, or `Enabled`), so data can leave
#   and code can arrive without passing the VPC's controls. In CloudFormation, `Enabled` in one
#   branch of an undecided `Fn::If`, or `Disabled` written only under such a condition, is reported
#   for the deployments that take it.
# custom:
#   id: TG-NET-017
#   severity: medium
#   category: network
#   remediation: Set direct_internet_access = "Disabled" and give the notebook a subnet with the VPC endpoints or NAT it needs.
#   controls: [AWS-FSBP-SageMaker.1]
package tollgate.rules.network.sagemaker_direct_internet

import data.tollgate.lib.util
import rego.v1

attributes := {"aws_sagemaker_notebook_instance": "direct_internet_access", "AWS::SageMaker::NotebookInstance": "DirectInternetAccess"}

message := "The notebook instance has direct internet access: disable it and route through the VPC."

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some unset in util.missing(r, [], attribute)
	finding := {"resource": r.address, "message": message, "evidence": sprintf("%s Enabled", [attribute]), "path": [], "when": unset.when}
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	attribute := attributes[r.type]
	some possible in util.possible_values(r, [attribute])
	possible.value == "Enabled"
	finding := {"resource": r.address, "message": message, "evidence": sprintf("%s Enabled", [attribute]), "path": [attribute], "when": possible.condition}
}
