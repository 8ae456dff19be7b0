#!/usr/bin/env bash
# Installs the real S3 clients the end-to-end tests drive, when missing:
# AWS CLI v2 (/usr/bin/aws, Debian package awscli), rclone and s3cmd from
# Debian (root needed for apt-get; without root it only reports what is
# missing), and s5cmd v2.3.0 built from the Go module proxy into
# .tools/bin (its module list is not served, so it is built from a
# scratch module).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v s5cmd >/dev/null 2>&1 && [ ! -x .tools/bin/s5cmd ]; then
	echo "install-clients: building s5cmd v2.3.0 into .tools/bin"
	mkdir -p .tools/bin
	tmp="$(mktemp -d)"
	bin="$(pwd)/.tools/bin"
	(cd "$tmp" && go mod init example.com/s5tool >/dev/null 2>&1 &&
		go get github.com/peak/s5cmd/v2@v2.3.0 >/dev/null 2>&1 &&
		go build -o "$bin/s5cmd" github.com/peak/s5cmd/v2) || echo "install-clients: could not build s5cmd" >&2
	rm -rf "$tmp"
fi
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
