# lockstep plan: aws s3 cp s3://kazue-sync-source/big.dat s3://cp-dst/
# client model: AWS CLI v1 (awscli 1.45.11 and s3transfer 0.17.0 (customizations/s3); audit log of aws-cli/1.45.11 on lockstep serve)
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

# Account 111111111111: the principal arn:aws:sts::111111111111:assumed-role/CopyRole/s.
provider "aws" {
  alias               = "account_111111111111"
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}

# Account 222222222222: bucket cp-dst, key arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab.
provider "aws" {
  alias               = "account_222222222222"
  region              = "us-east-1"
  allowed_account_ids = ["222222222222"]
}

# The identity policy of arn:aws:sts::111111111111:assumed-role/CopyRole/s:
# an inline policy of its role CopyRole.
resource "aws_iam_role_policy" "CopyRole" {
  provider = aws.account_111111111111
  name     = "lockstep-cp-18662856"
  role     = "CopyRole"
  policy   = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ObjectsKazueSyncSource",
          "Effect": "Allow",
          "Action": [
            "s3:GetObject",
            "s3:GetObjectTagging"
          ],
          "Resource": [
            "arn:aws:s3:::kazue-sync-source/big.dat"
          ]
        },
        {
          "Sid": "ObjectsCpDst",
          "Effect": "Allow",
          "Action": [
            "s3:PutObject",
            "s3:PutObjectTagging"
          ],
          "Resource": [
            "arn:aws:s3:::cp-dst/big.dat"
          ]
        },
        {
          "Sid": "Key1234abcd",
          "Effect": "Allow",
          "Action": [
            "kms:Decrypt",
            "kms:GenerateDataKey"
          ],
          "Resource": [
            "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          ],
          "Condition": {
            "StringEquals": {
              "kms:ViaService": [
                "s3.us-east-1.amazonaws.com"
              ]
            },
            "StringLike": {
              "kms:EncryptionContext:aws:s3:arn": [
                "arn:aws:s3:::cp-dst/big.dat"
              ]
            }
          }
        }
      ]
    }
  EOT
}

# Bucket cp-dst (account 222222222222).
# aws_s3_bucket_policy replaces the whole policy,
# so the planned statements (override_policy_documents) are merged into its
# current policy from the world (source_policy_documents), replacing
# statements of the same Sid.
data "aws_iam_policy_document" "cp-dst" {
  provider = aws.account_222222222222
  source_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "CopyFromSource",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/CopyRole"
            },
            "Action": "s3:PutObject",
            "Resource": [
              "arn:aws:s3:::cp-dst",
              "arn:aws:s3:::cp-dst/*"
            ]
          }
        ]
      }
    EOT
  ]
  override_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "ObjectsCpDst",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/CopyRole"
            },
            "Action": [
              "s3:PutObject",
              "s3:PutObjectTagging"
            ],
            "Resource": [
              "arn:aws:s3:::cp-dst/big.dat"
            ]
          }
        ]
      }
    EOT
  ]
}

resource "aws_s3_bucket_policy" "cp-dst" {
  provider = aws.account_222222222222
  bucket   = "cp-dst"
  policy   = data.aws_iam_policy_document.cp-dst.json
}

# Key arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab (account 222222222222).
# aws_kms_key_policy replaces the whole policy,
# so the planned statements (override_policy_documents) are merged into its
# current policy from the world (source_policy_documents), replacing
# statements of the same Sid.
data "aws_iam_policy_document" "key_1234abcd-12ab-34cd-56ef-1234567890ab" {
  provider = aws.account_222222222222
  source_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "Owner",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::222222222222:root"
            },
            "Action": "kms:*",
            "Resource": "*"
          },
          {
            "Sid": "SourceAccountCopies",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/CopyRole"
            },
            "Action": [
              "kms:GenerateDataKey",
              "kms:Decrypt"
            ],
            "Resource": "*"
          }
        ]
      }
    EOT
  ]
  override_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "Key1234abcd",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/CopyRole"
            },
            "Action": [
              "kms:Decrypt",
              "kms:GenerateDataKey"
            ],
            "Resource": [
              "*"
            ],
            "Condition": {
              "StringEquals": {
                "kms:ViaService": [
                  "s3.us-east-1.amazonaws.com"
                ]
              },
              "StringLike": {
                "kms:EncryptionContext:aws:s3:arn": [
                  "arn:aws:s3:::cp-dst/big.dat"
                ]
              }
            }
          }
        ]
      }
    EOT
  ]
}

resource "aws_kms_key_policy" "key_1234abcd-12ab-34cd-56ef-1234567890ab" {
  provider = aws.account_222222222222
  key_id   = "1234abcd-12ab-34cd-56ef-1234567890ab"
  policy   = data.aws_iam_policy_document.key_1234abcd-12ab-34cd-56ef-1234567890ab.json
}
