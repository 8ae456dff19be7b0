# lockstep plan: aws s3 sync ./up s3://dst-a/p/ --delete
# client model: AWS CLI v2 (aws-cli v2 @ 73fb33bb (customizations/s3, s3transfer); audit log of /usr/bin/aws 2.9.19 on lockstep serve)
# Review before applying. Each provider must run with credentials of its account
# (a profile or an assume_role block): allowed_account_ids stops any other.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

# The principal's account is unknown (give --principal): the identity policy uses
# the default provider.
provider "aws" {
  region = "us-east-1"
}

# The identity policy, as a managed policy. The principal is unknown (give --principal or --world): attach it to the user or role that runs the command.
resource "aws_iam_policy" "lockstep" {
  name   = "lockstep-sync-5320392e"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "BucketDstA",
          "Effect": "Allow",
          "Action": [
            "s3:ListBucket"
          ],
          "Resource": [
            "arn:aws:s3:::dst-a"
          ],
          "Condition": {
            "StringLike": {
              "s3:prefix": [
                "p/*"
              ]
            }
          }
        },
        {
          "Sid": "ObjectsDstAP",
          "Effect": "Allow",
          "Action": [
            "s3:DeleteObject",
            "s3:PutObject"
          ],
          "Resource": [
            "arn:aws:s3:::dst-a/p/*"
          ]
        }
      ]
    }
  EOT
}
