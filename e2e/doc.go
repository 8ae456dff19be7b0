// Package e2e holds lockstep's end-to-end tests: the real S3 clients (AWS
// CLI v2 at /usr/bin/aws, AWS CLI v1 from pip, rclone, boto3 and the AWS
// SDK for Go v2) run against the emulator, started on 127.0.0.1 with a
// random port. A client that is not installed is skipped with a message
// naming how to install it (`make clients`); CI installs them.
package e2e
