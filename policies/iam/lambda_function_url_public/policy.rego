# METADATA
# title: Lambda function URL without authentication
# description: >-
#   A Lambda function URL uses auth type `NONE` (`aws_lambda_function_url.authorization_type`,
#   `AWS::Lambda::Url.AuthType`, or an AWS SAM function's `FunctionUrlConfig.AuthType`, from
#   which SAM creates the URL): anyone on the internet who learns the URL can invoke the function,
#   which must then authenticate every request itself.
# custom:
#   id: TG-IAM-018
#   severity: high
#   category: iam
#   remediation: Use authorization_type = "AWS_IAM" and sign requests, or front the function with API Gateway or CloudFront and an authorizer.
#   controls: [AWS-FSBP-Lambda.1]
package tollgate.rules.iam.lambda_function_url_public

import data.tollgate.lib.util
import rego.v1

# Where each resource type writes the URL's auth type.
auth_type_paths := {
	"aws_lambda_function_url": ["authorization_type"],
	"AWS::Lambda::Url": ["AuthType"],
	"AWS::Serverless::Function": ["FunctionUrlConfig", "AuthType"],
}

deny contains finding if {
	some r in input.resources
	r.mode == "managed"
	path := auth_type_paths[r.type]
	some possible in util.possible_values(r, path)
	possible.value == "NONE"
	finding := {
		"resource": r.address,
		"message": "The function URL accepts unauthenticated requests from anyone: require AWS_IAM authentication.",
		"evidence": sprintf("%s NONE", [path[count(path) - 1]]),
		"path": path,
		"when": possible.condition,
	}
}
