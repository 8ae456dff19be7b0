#!/usr/bin/env bash
# Peer benchmark (issue 3): lockstep serve, enforcing the policy of
# bench/world.yaml on every request, against versitygw v1.8.0 (posix
# backend, --keep-alive) in the same run, with the same load generator
# (s5cmd v2.3.0, 32 workers) on the same data:
#   - 2000 objects of 4 KiB: PUT and GET, files/s (median of RUNS runs);
#   - one 1 GiB object: PUT and GET, MB/s (median of BIG_RUNS runs),
#     checked with cmp.
# lockstep runs twice: durable (fsync per object, the default) and with
# --no-fsync, which is what versitygw does. Prints a Markdown table for
# BENCHMARKS.md. Everything listens on 127.0.0.1 and is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-5}"
BIG_RUNS="${BIG_RUNS:-3}"
BIG_MIB="${BIG_MIB:-1024}"
bench/install-peers.sh
go build -o bench/bin/lockstep ./cmd/lockstep
BIN="$(pwd)/bench/bin"
WORK="$(mktemp -d /tmp/lockstep-bench.XXXXXX)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
unset AWS_CA_BUNDLE AWS_PROFILE
export AWS_ACCESS_KEY_ID=AKIABENCH00000000001 AWS_SECRET_ACCESS_KEY=bench-secret-0000000000000 AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1

mkdir -p "$WORK/small" "$WORK/vgw" "$WORK/ls" "$WORK/lsnosync"
python3 - "$WORK/small" <<'PY'
import os, sys
for i in range(2000):
    with open(os.path.join(sys.argv[1], "f%04d" % i), "wb") as f:
        f.write(os.urandom(4096))
PY
head -c "$((BIG_MIB << 20))" /dev/urandom > "$WORK/big.bin"

wait_port() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "bench: nothing listens on port $1" >&2
	exit 1
}

"$BIN/lockstep" serve --addr 127.0.0.1:19101 --world bench/world.yaml --data "$WORK/ls" --audit none 2>"$WORK/ls.log" &
pids+=($!)
"$BIN/lockstep" serve --addr 127.0.0.1:19102 --world bench/world.yaml --data "$WORK/lsnosync" --audit none --no-fsync 2>"$WORK/lsnosync.log" &
pids+=($!)
"$BIN/versitygw" --port 127.0.0.1:19103 --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --region us-east-1 --quiet --keep-alive posix "$WORK/vgw" >"$WORK/vgw.log" 2>&1 &
pids+=($!)
for p in 19101 19102 19103; do wait_port "$p"; done

declare -A URL=([lockstep]=http://127.0.0.1:19101 [lockstep-nofsync]=http://127.0.0.1:19102 [versitygw]=http://127.0.0.1:19103)
SERVERS=(lockstep lockstep-nofsync versitygw)
s5() { "$BIN/s5cmd" --endpoint-url "$1" "${@:2}"; }
now() { date +%s.%N; }
# rate N T0 T1 is N per second between the two times.
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", n / (b - a)}'; }
for s in "${SERVERS[@]}"; do s5 "${URL[$s]}" mb s3://bench >/dev/null; done

declare -A PUT GET BPUT BGET
for r in $(seq "$RUNS"); do
	for s in "${SERVERS[@]}"; do
		t0=$(now)
		s5 "${URL[$s]}" --numworkers 32 cp "$WORK/small/*" "s3://bench/r$r/" >/dev/null
		t1=$(now)
		rm -rf "$WORK/dl" && mkdir -p "$WORK/dl"
		s5 "${URL[$s]}" --numworkers 32 cp "s3://bench/r$r/*" "$WORK/dl/" >/dev/null
		t2=$(now)
		[ "$(ls "$WORK/dl" | wc -l)" -eq 2000 ] || { echo "bench: $s run $r: GET got $(ls "$WORK/dl" | wc -l) files" >&2; exit 1; }
		PUT[$s]+="$(rate 2000 "$t0" "$t1") "
		GET[$s]+="$(rate 2000 "$t1" "$t2") "
	done
done
for r in $(seq "$BIG_RUNS"); do
	for s in "${SERVERS[@]}"; do
		t0=$(now)
		s5 "${URL[$s]}" cp "$WORK/big.bin" "s3://bench/big/$r.bin" >/dev/null
		t1=$(now)
		s5 "${URL[$s]}" cp "s3://bench/big/$r.bin" "$WORK/big.dl" >/dev/null
		t2=$(now)
		cmp -s "$WORK/big.bin" "$WORK/big.dl" || { echo "bench: $s: 1 GiB object differs" >&2; exit 1; }
		rm -f "$WORK/big.dl"
		mb=$(awk -v m="$BIG_MIB" 'BEGIN{print m * 1048576 / 1000000}')
		BPUT[$s]+="$(rate "$mb" "$t0" "$t1") "
		BGET[$s]+="$(rate "$mb" "$t1" "$t2") "
	done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'; }
range() { printf '%s\n' $1 | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {printf "%.0f–%.0f", lo, hi}'; }
echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, s5cmd v2.3.0 --numworkers 32, $RUNS runs (small), $BIG_RUNS runs (${BIG_MIB} MiB), medians (range)"
echo
echo "| server | 4 KiB PUT files/s | 4 KiB GET files/s | ${BIG_MIB} MiB PUT MB/s | ${BIG_MIB} MiB GET MB/s |"
echo "|---|---|---|---|---|"
for s in "${SERVERS[@]}"; do
	echo "| $s | $(median "${PUT[$s]}") ($(range "${PUT[$s]}")) | $(median "${GET[$s]}") ($(range "${GET[$s]}")) | $(median "${BPUT[$s]}") ($(range "${BPUT[$s]}")) | $(median "${BGET[$s]}") ($(range "${BGET[$s]}")) |"
done
