#!/usr/bin/env bash
# Builds the peers of the benchmark into bench/bin when missing: versitygw
# v1.8.0 (the S3 gateway lockstep is compared with) and s5cmd v2.3.0 (the
# load generator), from the Go module proxy. s5cmd's module list is not
# served, so it is built from a scratch module. With arguments, only the
# peers named (versitygw, s5cmd): bench/sync.sh needs s5cmd alone.
set -euo pipefail
want() { [ ${#PEERS[@]} -eq 0 ] || [[ " ${PEERS[*]} " == *" $1 "* ]]; }
PEERS=("$@")
cd "$(dirname "$0")"
mkdir -p bin
BIN="$(pwd)/bin"
if want versitygw && [ ! -x "$BIN/versitygw" ]; then
	echo "install-peers: building versitygw v1.8.0 (about 2 minutes)"
	GOBIN="$BIN" go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
fi
if want s5cmd && [ ! -x "$BIN/s5cmd" ]; then
	echo "install-peers: building s5cmd v2.3.0 (about 1 minute)"
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && go mod init example.com/s5tool >/dev/null 2>&1 &&
		go get github.com/peak/s5cmd/v2@v2.3.0 >/dev/null 2>&1 &&
		go build -o "$BIN/s5cmd" github.com/peak/s5cmd/v2)
fi
