terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "office_cidr" {
  type    = string
  default = "203.0.113.0/24"
}

module "network" {
  source      = "./network"
  office_cidr = var.office_cidr
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:aws:s3:::artifacts/*"
      }, {
      Effect   = "Allow"
      Action   = "iam:*"
      Resource = "*"
    }]
  })
}
