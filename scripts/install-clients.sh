#!/usr/bin/env bash
# Installs the real S3 clients the end-to-end tests drive, when missing:
# AWS CLI v2 (/usr/bin/aws, Debian package awscli), rclone and s3cmd.
# Needs root for apt-get; without root it only reports what is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v rclone >/dev/null 2>&1 || missing+=(rclone)
command -v s3cmd >/dev/null 2>&1 || missing+=(s3cmd)
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-clients: missing ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
	exit 0
fi
echo "install-clients: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
