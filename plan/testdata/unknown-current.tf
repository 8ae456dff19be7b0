# lockstep plan: aws s3 sync s3://src-a/p/ s3://dst-b/q/
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

# Account 111111111111: the principal arn:aws:sts::111111111111:assumed-role/sync/job.
provider "aws" {
  alias               = "account_111111111111"
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
}

# Account 222222222222: bucket dst-b, key arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab.
provider "aws" {
  alias               = "account_222222222222"
  region              = "us-east-1"
  allowed_account_ids = ["222222222222"]
}

# The identity policy of arn:aws:sts::111111111111:assumed-role/sync/job:
# an inline policy of its role sync.
resource "aws_iam_role_policy" "sync" {
  provider = aws.account_111111111111
  name     = "lockstep-sync-80306a11"
  role     = "sync"
  policy   = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "BucketSrcA",
          "Effect": "Allow",
          "Action": [
            "s3:ListBucket"
          ],
          "Resource": [
            "arn:aws:s3:::src-a"
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
          "Sid": "BucketDstB",
          "Effect": "Allow",
          "Action": [
            "s3:ListBucket"
          ],
          "Resource": [
            "arn:aws:s3:::dst-b"
          ],
          "Condition": {
            "StringLike": {
              "s3:prefix": [
                "q/*"
              ]
            }
          }
        },
        {
          "Sid": "ObjectsSrcAP",
          "Effect": "Allow",
          "Action": [
            "s3:GetObject",
            "s3:GetObjectTagging"
          ],
          "Resource": [
            "arn:aws:s3:::src-a/p/*"
          ]
        },
        {
          "Sid": "ObjectsDstBQ",
          "Effect": "Allow",
          "Action": [
            "s3:PutObject",
            "s3:PutObjectTagging"
          ],
          "Resource": [
            "arn:aws:s3:::dst-b/q/*"
          ]
        },
        {
          "Sid": "Key1234abcd",
          "Effect": "Allow",
          "Action": [
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
                "arn:aws:s3:::dst-b/q/*"
              ]
            }
          }
        }
      ]
    }
  EOT
}

# Bucket dst-b (account 222222222222).
# aws_s3_bucket_policy replaces the whole policy,
# and lockstep does not know the current one (give --world): it is read here,
# and the planned statements merged into it, replacing statements of the same
# Sid. A bucket without a policy fails this read (NoSuchBucketPolicy): then
# delete the aws_s3_bucket_policy data block and make source_policy_documents [].
data "aws_s3_bucket_policy" "dst-b" {
  provider = aws.account_222222222222
  bucket   = "dst-b"
}

data "aws_iam_policy_document" "dst-b" {
  provider                = aws.account_222222222222
  source_policy_documents = [data.aws_s3_bucket_policy.dst-b.policy]
  override_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "BucketDstB",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/sync"
            },
            "Action": [
              "s3:ListBucket"
            ],
            "Resource": [
              "arn:aws:s3:::dst-b"
            ],
            "Condition": {
              "StringLike": {
                "s3:prefix": [
                  "q/*"
                ]
              }
            }
          },
          {
            "Sid": "ObjectsDstBQ",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/sync"
            },
            "Action": [
              "s3:PutObject",
              "s3:PutObjectTagging"
            ],
            "Resource": [
              "arn:aws:s3:::dst-b/q/*"
            ]
          }
        ]
      }
    EOT
  ]
}

resource "aws_s3_bucket_policy" "dst-b" {
  provider = aws.account_222222222222
  bucket   = "dst-b"
  policy   = data.aws_iam_policy_document.dst-b.json
}

# Key arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab (account 222222222222).
# aws_kms_key_policy replaces the whole policy,
# and lockstep does not know the current one (give --world), nor can the
# provider read it: pass it in, and the planned statements are merged into it.
variable "key_policy_1234abcd-12ab-34cd-56ef-1234567890ab" {
  type        = string
  description = "The current key policy of arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab, as account 222222222222 reads it: aws kms get-key-policy --key-id arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab --policy-name default --query Policy --output text"
}

data "aws_iam_policy_document" "key_1234abcd-12ab-34cd-56ef-1234567890ab" {
  provider                = aws.account_222222222222
  source_policy_documents = [var.key_policy_1234abcd-12ab-34cd-56ef-1234567890ab]
  override_policy_documents = [<<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Sid": "Key1234abcd",
            "Effect": "Allow",
            "Principal": {
              "AWS": "arn:aws:iam::111111111111:role/sync"
            },
            "Action": [
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
                  "arn:aws:s3:::dst-b/q/*"
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
