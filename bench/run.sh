#!/usr/bin/env bash
# Peer benchmark (issue 3): lockstep serve, enforcing the policy of
# bench/world.yaml on every request, against versitygw v1.8.0 (posix
# backend, --keep-alive) in the same run, with the same load generator
# (s5cmd v2.3.0, 32 workers) on the same data:
#   - 2000 objects of 4 KiB: PUT and GET, files/s (median of RUNS runs);
#   - one 1 GiB object: PUT and GET, MB/s (median of BIG_RUNS runs),
#     checked with cmp;
#   - one 1 GiB object PUT into an SSE-KMS bucket (bench-kms of
#     bench/world.yaml) and read back, lockstep only (versitygw's posix
#     backend has no KMS).
# Next to each rate, the CPU time the server process spent in the phase
# (utime + stime of /proc/PID/stat, before and after), divided by the
# number of requests: ms per 4 KiB object, s per 1 GiB object (its
# multipart upload's requests together). The load generator's CPU is not
# counted. lockstep runs twice: durable (fsync per object, the default)
# and with --no-fsync, which is what versitygw does. Prints Markdown tables
# for BENCHMARKS.md, with the machine's load before and after. Everything
# listens on 127.0.0.1 and is stopped at exit.
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

declare -A PID
"$BIN/lockstep" serve --addr 127.0.0.1:19101 --world bench/world.yaml --data "$WORK/ls" --audit none 2>"$WORK/ls.log" &
pids+=($!) PID[lockstep]=$!
"$BIN/lockstep" serve --addr 127.0.0.1:19102 --world bench/world.yaml --data "$WORK/lsnosync" --audit none --no-fsync 2>"$WORK/lsnosync.log" &
pids+=($!) PID[lockstep-nofsync]=$!
"$BIN/versitygw" --port 127.0.0.1:19103 --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" --region us-east-1 --quiet --keep-alive posix "$WORK/vgw" >"$WORK/vgw.log" 2>&1 &
pids+=($!) PID[versitygw]=$!
for p in 19101 19102 19103; do wait_port "$p"; done

declare -A URL=([lockstep]=http://127.0.0.1:19101 [lockstep-nofsync]=http://127.0.0.1:19102 [versitygw]=http://127.0.0.1:19103)
SERVERS=(lockstep lockstep-nofsync versitygw)
s5() { "$BIN/s5cmd" --endpoint-url "$1" "${@:2}"; }
now() { date +%s.%N; }
# rate N T0 T1 is N per second between the two times.
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%.3f", n / (b - a)}'; }
# cpu S is the CPU time of server S so far, in clock ticks (utime +
# stime: fields 14 and 15 of /proc/PID/stat, counted after the command
# name, which is in parentheses and may hold spaces).
TICK=$(getconf CLK_TCK)
cpu() { sed 's/.*) //' "/proc/${PID[$1]}/stat" | awk '{print $12 + $13}'; }
# per C0 C1 N SCALE is the CPU between two readings per request, in
# seconds times SCALE (1000 for ms).
per() { awk -v a="$1" -v b="$2" -v n="$3" -v k="$4" -v t="$TICK" 'BEGIN{printf "%.4f", (b - a) / t / n * k}'; }
LOAD_BEFORE="$(uptime | sed 's/.*load average: //')"
for s in "${SERVERS[@]}"; do s5 "${URL[$s]}" mb s3://bench >/dev/null; done

declare -A PUT GET BPUT BGET KPUT KGET PUTC GETC BPUTC BGETC KPUTC KGETC
for r in $(seq "$RUNS"); do
	for s in "${SERVERS[@]}"; do
		c0=$(cpu "$s") t0=$(now)
		s5 "${URL[$s]}" --numworkers 32 cp "$WORK/small/*" "s3://bench/r$r/" >/dev/null
		t1=$(now) c1=$(cpu "$s")
		rm -rf "$WORK/dl" && mkdir -p "$WORK/dl"
		s5 "${URL[$s]}" --numworkers 32 cp "s3://bench/r$r/*" "$WORK/dl/" >/dev/null
		t2=$(now) c2=$(cpu "$s")
		[ "$(ls "$WORK/dl" | wc -l)" -eq 2000 ] || { echo "bench: $s run $r: GET got $(ls "$WORK/dl" | wc -l) files" >&2; exit 1; }
		PUT[$s]+="$(rate 2000 "$t0" "$t1") " PUTC[$s]+="$(per "$c0" "$c1" 2000 1000) "
		GET[$s]+="$(rate 2000 "$t1" "$t2") " GETC[$s]+="$(per "$c1" "$c2" 2000 1000) "
	done
done
mb=$(awk -v m="$BIG_MIB" 'BEGIN{print m * 1048576 / 1000000}')
# big S BUCKET KEY PUTS PUTCPU GETS GETCPU puts the big file into BUCKET on
# server S, reads it back, checks it, and appends the rates and CPU to
# the arrays named.
big() {
	local -n puts=$4 putc=$5 gets=$6 getc=$7
	local c0 c1 c2 t0 t1 t2
	c0=$(cpu "$1") t0=$(now)
	s5 "${URL[$1]}" cp "$WORK/big.bin" "s3://$2/$3" >/dev/null
	t1=$(now) c1=$(cpu "$1")
	s5 "${URL[$1]}" cp "s3://$2/$3" "$WORK/big.dl" >/dev/null
	t2=$(now) c2=$(cpu "$1")
	cmp -s "$WORK/big.bin" "$WORK/big.dl" || { echo "bench: $1: ${BIG_MIB} MiB object in $2 differs" >&2; exit 1; }
	rm -f "$WORK/big.dl"
	puts[$1]+="$(rate "$mb" "$t0" "$t1") " putc[$1]+="$(per "$c0" "$c1" 1 1) "
	gets[$1]+="$(rate "$mb" "$t1" "$t2") " getc[$1]+="$(per "$c1" "$c2" 1 1) "
}
for r in $(seq "$BIG_RUNS"); do
	for s in "${SERVERS[@]}"; do
		big "$s" bench "big/$r.bin" BPUT BPUTC BGET BGETC
		if [ "$s" != versitygw ]; then
			big "$s" bench-kms "big/$r.bin" KPUT KPUTC KGET KGETC
		fi
	done
done
LOAD_AFTER="$(uptime | sed 's/.*load average: //')"
# median VALUES [DIGITS] and range VALUES [DIGITS] print with DIGITS
# decimals (default 0).
median() { printf '%s\n' $1 | sort -g | awk -v d="${2:-0}" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.*f", d, m}'; }
range() { printf '%s\n' $1 | sort -g | awk -v d="${2:-0}" 'NR==1{lo=$1} {hi=$1} END {printf "%.*f–%.*f", d, lo, d, hi}'; }
# cell RATES CPUS DIGITS is "median rate (range) | median CPU (range)".
cell() {
	if [ -z "$1" ]; then
		echo "— | —"
		return
	fi
	echo "$(median "$1") ($(range "$1")) | $(median "$2" "$3") ($(range "$2" "$3"))"
}
echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, s5cmd v2.3.0 --numworkers 32, $RUNS runs (small), $BIG_RUNS runs (${BIG_MIB} MiB), medians (range); load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
echo "| server | 4 KiB PUT files/s | CPU ms/PUT | 4 KiB GET files/s | CPU ms/GET |"
echo "|---|---|---|---|---|"
for s in "${SERVERS[@]}"; do
	echo "| $s | $(cell "${PUT[$s]}" "${PUTC[$s]}" 3) | $(cell "${GET[$s]}" "${GETC[$s]}" 3) |"
done
echo
echo "| server | ${BIG_MIB} MiB PUT MB/s | CPU s/PUT | ${BIG_MIB} MiB GET MB/s | CPU s/GET | ${BIG_MIB} MiB SSE-KMS PUT MB/s | CPU s/PUT | ${BIG_MIB} MiB SSE-KMS GET MB/s | CPU s/GET |"
echo "|---|---|---|---|---|---|---|---|---|"
for s in "${SERVERS[@]}"; do
	echo "| $s | $(cell "${BPUT[$s]}" "${BPUTC[$s]}" 2) | $(cell "${BGET[$s]}" "${BGETC[$s]}" 2) | $(cell "${KPUT[$s]:-}" "${KPUTC[$s]:-}" 2) | $(cell "${KGET[$s]:-}" "${KGETC[$s]:-}" 2) |"
done
