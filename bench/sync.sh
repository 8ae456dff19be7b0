#!/usr/bin/env bash
# Sync benchmark (issue 12): lockstep sync against s5cmd v2.3.0 sync,
# rclone sync and AWS CLI v2 `aws s3 sync`, side by side in one run, on
# one `lockstep serve --no-fsync` enforcing the policy of
# bench/sync-world.yaml on every request (least privilege for the union of
# these jobs, not an admin policy):
#   a) upload of 2000 files of 4 KiB into an empty prefix (a fresh prefix
#      per run), median of RUNS runs; and, for reference, s5cmd cp of the
#      same files (no destination listing, no comparison);
#   b) the no-change re-sync of the same tree; the emulator's audit log
#      (CloudTrail JSON lines) gives each client's requests, and the script
#      fails unless lockstep made one listing of the destination and no
#      request per object (the preflight's probes aside);
#   c) upload of one BIG_MIB MiB file, median of BIG_RUNS runs, its size
#      checked;
#   d) S3 → S3 copy of that object into another prefix (same credentials:
#      server-side for every client), median of BIG_RUNS runs;
#   e) `--dryrun` sync of LIST_N zero-byte objects (written into the store
#      by bench/fill before the server starts) to an empty directory: peak
#      RSS (/usr/bin/time %M), LIST_RUNS runs. AWS CLI v2 is given
#      AWS_LIST_TIMEOUT seconds (0 skips it).
# Every client uses 32 workers for the small files (s5cmd --numworkers,
# rclone --transfers/--checkers, AWS CLI max_concurrent_requests, lockstep
# --workers' default) and its own defaults otherwise. For each phase: the
# wall time (medians and range), the time ratio to s5cmd (throughput
# ratio for c and d), the client's CPU (user + sys from /usr/bin/time)
# and the server's (utime + stime of /proc/PID/stat) per object, and the
# requests from the audit log. Prints Markdown tables for BENCHMARKS.md
# with the machine's load before and after. QUICK=1 tries it: 2 runs, 1
# big run of 256 MiB, 100,000 listed objects. Everything listens on
# 127.0.0.1 and is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${QUICK:-0}" = 1 ]; then
	RUNS="${RUNS:-2}" BIG_RUNS="${BIG_RUNS:-1}" BIG_MIB="${BIG_MIB:-256}" LIST_N="${LIST_N:-100000}"
fi
RUNS="${RUNS:-5}"
BIG_RUNS="${BIG_RUNS:-3}"
BIG_MIB="${BIG_MIB:-1024}"
LIST_N="${LIST_N:-1000000}"
LIST_RUNS="${LIST_RUNS:-1}"
AWS_LIST_TIMEOUT="${AWS_LIST_TIMEOUT:-1800}"
PORT="${PORT:-19201}"
SMALL=2000
bench/install-peers.sh s5cmd
go build -o bench/bin/lockstep ./cmd/lockstep
go build -o bench/bin/fill ./bench/fill
BIN="$(pwd)/bench/bin"
AWS2=/usr/bin/aws
RCLONE="$(command -v rclone)"
for f in /usr/bin/time "$AWS2" "$RCLONE"; do
	[ -x "$f" ] || { echo "bench: $f is missing" >&2; exit 1; }
done
WORK="$(mktemp -d /tmp/lockstep-sync-bench.XXXXXX)"
SERVER=
cleanup() {
	if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export AWS_ACCESS_KEY_ID=AKIABENCH00000000001 AWS_SECRET_ACCESS_KEY=bench-secret-0000000000000 AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
URL="http://127.0.0.1:$PORT"
# rclone's remote "bench" from the environment: no config file, no bucket
# check or creation.
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENV_AUTH=true \
	RCLONE_CONFIG_BENCH_ENDPOINT="$URL" RCLONE_CONFIG_BENCH_REGION=us-east-1 RCLONE_CONFIG_BENCH_NO_CHECK_BUCKET=true \
	RCLONE_CONFIG="$WORK/rclone.conf"
: >"$WORK/rclone.conf"
# AWS CLI v2 with 32 requests at once, as the others.
export AWS_CONFIG_FILE="$WORK/aws-config" AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"
printf '[default]\ns3 =\n    max_concurrent_requests = 32\n' >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

# The trees: 2000 files of 4 KiB and one big file, modified an hour ago
# so that no client's re-sync finds a file newer than its upload.
mkdir -p "$WORK/small" "$WORK/big" "$WORK/empty"
python3 - "$WORK/small" "$SMALL" <<'PY'
import os, sys
for i in range(int(sys.argv[2])):
    with open(os.path.join(sys.argv[1], "f%04d" % i), "wb") as f:
        f.write(os.urandom(4096))
PY
head -c "$((BIG_MIB << 20))" /dev/urandom >"$WORK/big/big.bin"
touch -d '1 hour ago' "$WORK/small"/* "$WORK/big/big.bin"

# The listed objects go into the store before the server opens it.
echo "bench: writing $LIST_N objects into the store" >&2
"$BIN/fill" -data "$WORK/data" -bucket sync-list -prefix list/ -n "$LIST_N"
AUDIT="$WORK/audit.jsonl"
"$BIN/lockstep" serve --addr "127.0.0.1:$PORT" --world bench/sync-world.yaml --data "$WORK/data" \
	--no-fsync --audit "$AUDIT" --log none 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1200); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
	kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
	sleep 0.1
done

s5() { "$BIN/s5cmd" --endpoint-url "$URL" "$@"; }
now() { date +%s.%N; }
TICK=$(getconf CLK_TCK)
# server_cpu is the server's CPU time so far, in clock ticks (utime +
# stime: fields 14 and 15 of /proc/PID/stat, counted after the command
# name, which is in parentheses and may hold spaces).
server_cpu() { sed 's/.*) //' "/proc/$SERVER/stat" | awk '{print $12 + $13}'; }
audit_lines() { wc -l <"$AUDIT"; }

# command_of TOOL SRC DST [dryrun] sets CMD to TOOL's sync of SRC to DST (a
# local directory ending in / or s3://bucket/prefix/).
command_of() {
	local tool=$1 src=$2 dst=$3 dry=${4:-}
	case $tool in
	lockstep)
		CMD=("$BIN/lockstep" sync ${dry:+--dryrun} --no-progress --endpoint-url "$URL" "$src" "$dst") ;;
	s5cmd)
		# s5cmd takes a wildcard for an S3 source.
		[[ $src == s3://* ]] && src="${src}*"
		CMD=("$BIN/s5cmd" --endpoint-url "$URL" --numworkers 32 ${dry:+--dry-run} sync "$src" "$dst") ;;
	s5cmd-cp)
		# s5cmd cp of the files, which lists no destination: the upload
		# without a sync's comparison, for reference.
		CMD=("$BIN/s5cmd" --endpoint-url "$URL" --numworkers 32 cp "${src}*" "$dst") ;;
	rclone)
		# rclone names S3 locations remote:bucket/prefix.
		[[ $src == s3://* ]] && src="bench:${src#s3://}"
		[[ $dst == s3://* ]] && dst="bench:${dst#s3://}"
		CMD=("$RCLONE" sync ${dry:+--dry-run} --transfers 32 --checkers 32 "$src" "$dst") ;;
	aws)
		# AWS CLI v2 lists slowly: its --dryrun is bounded.
		CMD=("$AWS2" --endpoint-url "$URL" s3 sync ${dry:+--dryrun} --no-progress "$src" "$dst")
		if [ -n "$dry" ]; then CMD=(timeout "$AWS_LIST_TIMEOUT" "${CMD[@]}"); fi ;;
	esac
}

# measure KEY TOOL SRC DST [dryrun] runs one sync and appends to the
# arrays under KEY: wall seconds (T), client CPU seconds (C), server CPU
# seconds (S), peak RSS in KiB (M), the lines of the audit log that hold
# its requests (A: "first-last"), and the lines it printed on standard
# output and error (N). It fails when the sync fails.
declare -A T C S M A N
measure() {
	local key=$1 c0 c1 t0 t1 a0 a1 u s m rc=0
	shift
	command_of "$@"
	a0=$(audit_lines) c0=$(server_cpu) t0=$(now)
	/usr/bin/time -f '%U %S %M' -o "$WORK/time" "${CMD[@]}" >"$WORK/last.out" 2>&1 || rc=$?
	t1=$(now) c1=$(server_cpu) a1=$(audit_lines)
	if [ "$rc" != 0 ]; then
		echo "bench: $key: ${CMD[*]}: exit status $rc:" >&2
		tail -5 "$WORK/last.out" >&2
		return 1
	fi
	read -r u s m < <(tail -1 "$WORK/time")
	T[$key]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') "
	C[$key]+="$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}') "
	S[$key]+="$(awk -v a="$c0" -v b="$c1" -v t="$TICK" 'BEGIN{printf "%.2f", (b - a) / t}') "
	M[$key]+="$m "
	A[$key]+="$((a0 + 1))-$a1 "
	N[$key]+="$(wc -l <"$WORK/last.out") "
}

# size_of BUCKET KEY is the size of an object (checked after big phases).
size_of() { s5 ls "s3://$1/$2" | awk '{print $3}'; }
BIG_BYTES=$((BIG_MIB << 20))

LOAD_BEFORE="$(uptime | sed 's/.*load average: //')"
TOOLS=(lockstep s5cmd rclone aws)
for r in $(seq "$RUNS"); do
	for t in "${TOOLS[@]}"; do
		measure "$t:up" "$t" "$WORK/small/" "s3://sync/$t/r$r/small/" || exit 1
		measure "$t:resync" "$t" "$WORK/small/" "s3://sync/$t/r$r/small/" || exit 1
	done
	measure "s5cmd-cp:up" s5cmd-cp "$WORK/small/" "s3://sync/s5cmd-cp/r$r/small/" || exit 1
done
# The source of the copies, put once.
s5 cp "$WORK/big/big.bin" s3://sync/src/big.bin >/dev/null
for r in $(seq "$BIG_RUNS"); do
	for t in "${TOOLS[@]}"; do
		measure "$t:big" "$t" "$WORK/big/" "s3://sync/$t/b$r/up/" || exit 1
		[ "$(size_of sync "$t/b$r/up/big.bin")" = "$BIG_BYTES" ] || { echo "bench: $t: the uploaded object has the wrong size" >&2; exit 1; }
		measure "$t:copy" "$t" "s3://sync/src/" "s3://sync/$t/b$r/copy/" || exit 1
		[ "$(size_of sync "$t/b$r/copy/big.bin")" = "$BIG_BYTES" ] || { echo "bench: $t: the copied object has the wrong size" >&2; exit 1; }
		s5 rm "s3://sync/$t/b$r/*" >/dev/null
	done
done
LIST_TOOLS=(lockstep s5cmd rclone)
[ "$AWS_LIST_TIMEOUT" -gt 0 ] && LIST_TOOLS+=(aws)
AWS_LIST_NOTE=
for r in $(seq "$LIST_RUNS"); do
	for t in "${LIST_TOOLS[@]}"; do
		if measure "$t:list" "$t" s3://sync-list/list/ "$WORK/empty/" dryrun; then
			continue
		fi
		[ "$t" = aws ] || exit 1
		AWS_LIST_NOTE="AWS CLI v2 did not finish the --dryrun sync of $LIST_N objects within AWS_LIST_TIMEOUT=${AWS_LIST_TIMEOUT} s; it is left out of the table"
		LIST_TOOLS=(lockstep s5cmd rclone)
	done
done
LOAD_AFTER="$(uptime | sed 's/.*load average: //')"

# The requests of each measured sync, from the audit log: the number, the
# listings (ListObjects(V2) requests without a continuation token or
# marker: the first page of one prefix), the list pages, and the other
# requests by operation, the preflight's probes (keys with
# .lockstep-preflight-) apart.
for k in "${!A[@]}"; do echo "$k ${A[$k]}"; done >"$WORK/spans"
python3 - "$AUDIT" "$WORK/spans" >"$WORK/requests" <<'PY'
import collections, json, sys
lines = open(sys.argv[1]).read().splitlines()
for spans in open(sys.argv[2]):
    key, *ranges = spans.split()
    for span in ranges:
        a, b = map(int, span.split("-"))
        n = listings = pages = probes = 0
        other = collections.Counter()
        for line in lines[a - 1:b]:
            r = json.loads(line)
            if r.get("eventSource") != "s3.amazonaws.com":
                continue
            n += 1
            p = r.get("requestParameters") or {}
            op = r["eventName"]
            if op in ("ListObjectsV2", "ListObjects"):
                pages += 1
                if not p.get("continuation-token") and not p.get("marker"):
                    listings += 1
            elif ".lockstep-preflight-" in str(p.get("key", "")):
                probes += 1
            else:
                other[op] += 1
        desc = ",".join("%s×%d" % kv for kv in sorted(other.items())) or "-"
        print(key, n, listings, pages, probes, desc)
PY
# req KEY FIELD is the median of a field of the requests file: 2 requests,
# 3 listings, 4 pages, 5 probes; 6 (the other requests) is the last run's.
req() { awk -v k="$1" -v f="$2" '$1 == k {print $f}' "$WORK/requests" | if [ "$2" = 6 ]; then tail -1 | sed 's/,/, /g'; else sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; fi; }
# requests KEY describes the requests of KEY's syncs: the number, the
# listings and their pages, the other requests, the preflight's probes.
requests() {
	local other probes
	other=$(req "$1" 6) probes=$(req "$1" 5)
	printf '%s: %s listing(s) (%s pages)' "$(req "$1" 2)" "$(req "$1" 3)" "$(req "$1" 4)"
	[ "$other" = - ] || printf ', %s' "$other"
	[ "$probes" = 0 ] || printf ', %s preflight probes' "$probes"
}
# lockstep's no-change re-sync: one listing of the destination, no
# request per object.
while read -r key n listings pages probes other; do
	if [ "$key" = lockstep:resync ] && { [ "$listings" != 1 ] || [ "$other" != - ]; }; then
		echo "bench: lockstep's no-change re-sync made $listings listings and other requests $other: want 1 listing and none" >&2
		exit 1
	fi
done <"$WORK/requests"

median() { printf '%s\n' $1 | sort -g | awk -v d="${2:-0}" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.*f", d, m}'; }
range() { printf '%s\n' $1 | sort -g | awk -v d="${2:-0}" 'NR==1{lo=$1} {hi=$1} END {printf "%.*f–%.*f", d, lo, d, hi}'; }
# per VALUES N SCALE DIGITS is the median of VALUES / N * SCALE.
per() { awk -v m="$(median "$1" 6)" -v n="$2" -v k="$3" -v d="$4" 'BEGIN{printf "%.*f", d, m / n * k}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f×", a / b}'; }
# rates VALUES MB are the MB/s of the times VALUES for MB megabytes.
rates() { for v in $1; do awk -v t="$v" -v m="$2" 'BEGIN{printf "%.1f ", m / t}'; done; }
mb=$(awk -v m="$BIG_MIB" 'BEGIN{print m * 1048576 / 1000000}')

echo
echo "Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, lockstep $(git describe --always --dirty), s5cmd v2.3.0, rclone $("$RCLONE" version | head -1 | awk '{print $2}'), AWS CLI $("$AWS2" --version | awk '{print $1}' | cut -d/ -f2); $RUNS runs (4 KiB), $BIG_RUNS runs (${BIG_MIB} MiB), $LIST_RUNS run(s) ($LIST_N listed); medians (range); load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
echo "| client | $SMALL × 4 KiB upload, s | × s5cmd | client CPU ms/object | server CPU ms/object | requests | no-change re-sync, s | × s5cmd | client CPU ms/object | server CPU ms/object | requests: listings (pages), other |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for t in "${TOOLS[@]}"; do
	echo "| $t | $(median "${T[$t:up]}" 2) ($(range "${T[$t:up]}" 2)) | $(ratio "$(median "${T[$t:up]}" 6)" "$(median "${T[s5cmd:up]}" 6)") | $(per "${C[$t:up]}" $SMALL 1000 3) | $(per "${S[$t:up]}" $SMALL 1000 3) | $(req "$t:up" 2) | $(median "${T[$t:resync]}" 2) ($(range "${T[$t:resync]}" 2)) | $(ratio "$(median "${T[$t:resync]}" 6)" "$(median "${T[s5cmd:resync]}" 6)") | $(per "${C[$t:resync]}" $SMALL 1000 3) | $(per "${S[$t:resync]}" $SMALL 1000 3) | $(requests "$t:resync") |"
done
t=s5cmd-cp
echo "| s5cmd cp (no sync) | $(median "${T[$t:up]}" 2) ($(range "${T[$t:up]}" 2)) | $(ratio "$(median "${T[$t:up]}" 6)" "$(median "${T[s5cmd:up]}" 6)") | $(per "${C[$t:up]}" $SMALL 1000 3) | $(per "${S[$t:up]}" $SMALL 1000 3) | $(req "$t:up" 2) | — | — | — | — | — |"
echo
echo "| client | ${BIG_MIB} MiB upload, MB/s | × s5cmd | client CPU s | server CPU s | requests | ${BIG_MIB} MiB S3 → S3 copy, MB/s | × s5cmd | client CPU s | server CPU s | requests |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for t in "${TOOLS[@]}"; do
	up=$(rates "${T[$t:big]}" "$mb") cp=$(rates "${T[$t:copy]}" "$mb")
	echo "| $t | $(median "$up" 1) ($(range "$up" 1)) | $(ratio "$(median "${T[s5cmd:big]}" 6)" "$(median "${T[$t:big]}" 6)") | $(median "${C[$t:big]}" 2) | $(median "${S[$t:big]}" 2) | $(req "$t:big" 2) | $(median "$cp" 1) ($(range "$cp" 1)) | $(ratio "$(median "${T[s5cmd:copy]}" 6)" "$(median "${T[$t:copy]}" 6)") | $(median "${C[$t:copy]}" 2) | $(median "${S[$t:copy]}" 2) | $(req "$t:copy" 2): $(req "$t:copy" 6) |"
done
echo
echo "| client | --dryrun sync of $LIST_N listed objects, s | peak RSS, MiB | client CPU s | server CPU s | requests: list pages, other | lines printed |"
echo "|---|---|---|---|---|---|---|"
for t in "${LIST_TOOLS[@]}"; do
	echo "| $t | $(median "${T[$t:list]}" 1) | $(awk -v k="$(median "${M[$t:list]}")" 'BEGIN{printf "%.1f", k / 1024}') | $(median "${C[$t:list]}" 1) | $(median "${S[$t:list]}" 1) | $(req "$t:list" 2): $(req "$t:list" 4), $(req "$t:list" 6) | $(median "${N[$t:list]}") |"
done
if [ -n "$AWS_LIST_NOTE" ]; then
	echo
	echo "$AWS_LIST_NOTE."
fi
