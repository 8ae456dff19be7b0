package plan

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// rcloneVerbs are the subcommands lockstep plans, and how many paths
// each takes.
var rcloneVerbs = map[string]int{"copy": 2, "sync": 2, "move": 2, "copyto": 2, "moveto": 2, "check": 2, "delete": 1, "lsf": 1}

// rcloneFlags are rclone's global flags, its S3 backend's flags and the
// flags of the subcommands lockstep plans, as `rclone help flags` and
// `rclone COMMAND --help` list them for rclone v1.60.
var rcloneFlags = func() map[string]flagKind {
	m := map[string]flagKind{}
	add := func(kind flagKind, names string) {
		for _, n := range strings.Fields(names) {
			if !strings.HasPrefix(n, "-") {
				n = "--" + n
			}
			m[n] = kind
		}
	}
	add(switchFlag, `ask-password auto-confirm check-first checksum -c delete-after delete-before delete-during
		delete-excluded disable-http-keep-alives disable-http2 dry-run -n dump-bodies dump-headers
		error-on-no-transfer fast-list human-readable ignore-case ignore-case-sync ignore-checksum
		ignore-errors ignore-existing ignore-size ignore-times -I immutable interactive -i log-systemd
		metadata -M no-check-certificate no-check-dest no-console no-gzip-encoding no-traverse
		no-unicode-normalization no-update-modtime progress -P progress-terminal-title quiet -q rc
		rc-enable-metrics rc-no-auth rc-serve rc-web-gui rc-web-gui-force-update rc-web-gui-no-open-browser
		rc-web-gui-update refresh-times server-side-across-configs size-only stats-one-line
		stats-one-line-date suffix-keep-extension syslog track-renames update -u use-cookies use-json-log
		use-mmap use-server-modtime verbose -v -vv -vvv create-empty-src-dirs delete-empty-src-dirs help -h
		download one-way rmdirs dir-slash -d files-only dirs-only csv absolute recursive -R
		s3-decompress s3-disable-checksum s3-disable-http2 s3-env-auth s3-force-path-style
		s3-leave-parts-on-error s3-memory-pool-use-mmap s3-no-check-bucket s3-no-head s3-no-head-object
		s3-no-system-metadata s3-requester-pays s3-use-accelerate-endpoint s3-use-presigned-request
		s3-v2-auth s3-versions`)
	add(valueFlag, `backup-dir bind buffer-size bwlimit bwlimit-file ca-cert cache-dir checkers client-cert
		client-key compare-dest config contimeout copy-dest cpuprofile cutoff-mode disable dscp dump exclude
		exclude-from exclude-if-present expect-continue-timeout files-from files-from-raw filter -f
		filter-from fs-cache-expire-duration fs-cache-expire-interval header header-download header-upload
		include include-from kv-lock-time log-file log-format log-level low-level-retries max-age
		max-backlog max-delete max-depth max-duration max-size max-stats-groups max-transfer memprofile
		metadata-set min-age min-size modify-window multi-thread-cutoff multi-thread-streams order-by
		password-command rc-addr rc-allow-origin rc-baseurl rc-cert rc-client-ca rc-files rc-htpasswd
		rc-job-expire-duration rc-job-expire-interval rc-key rc-max-header-bytes rc-min-tls-version rc-pass
		rc-realm rc-server-read-timeout rc-server-write-timeout rc-template rc-user rc-web-fetch-url retries
		retries-sleep stats stats-file-name-length stats-log-level stats-one-line-date-format stats-unit
		streaming-upload-cutoff suffix syslog-facility temp-dir timeout tpslimit tpslimit-burst
		track-renames-strategy transfers user-agent
		checkfile -C combined missing-on-src missing-on-dst match differ error format -F separator -s hash
		s3-access-key-id s3-acl s3-bucket-acl s3-chunk-size s3-copy-cutoff s3-download-url s3-encoding
		s3-endpoint s3-list-chunk s3-list-url-encode s3-list-version s3-location-constraint
		s3-max-upload-parts s3-memory-pool-flush-time s3-might-gzip s3-profile s3-provider s3-region
		s3-secret-access-key s3-server-side-encryption s3-session-token s3-shared-credentials-file
		s3-sse-customer-algorithm s3-sse-customer-key s3-sse-customer-key-base64 s3-sse-customer-key-md5
		s3-sse-kms-key-id s3-storage-class s3-upload-concurrency s3-upload-cutoff s3-use-multipart-etag
		s3-version-at`)
	return m
}()

// rcloneVerbFlags are the flags of some subcommands only: rclone answers
// "unknown flag" to them elsewhere.
var rcloneVerbFlags = func() map[string][]string {
	m := map[string][]string{}
	add := func(verbs []string, names string) {
		for _, n := range strings.Fields(names) {
			m[n] = verbs
		}
	}
	add([]string{"copy", "sync", "move"}, "--create-empty-src-dirs")
	add([]string{"move"}, "--delete-empty-src-dirs")
	add([]string{"check"}, "--download --checkfile -C --one-way --combined --missing-on-src --missing-on-dst --match --differ --error")
	add([]string{"delete"}, "--rmdirs")
	add([]string{"lsf"}, "--format -F --separator -s --dir-slash -d --hash --files-only --dirs-only --csv --absolute --recursive -R")
	return m
}()

// rcloneUnmodelled are rclone flags that make calls the rclone model does
// not cover, and what they do.
var rcloneUnmodelled = map[string]string{
	"--backup-dir":    "moves the files it would overwrite or delete into another path, with calls and permissions there",
	"--compare-dest":  "reads another path to decide what to copy",
	"--copy-dest":     "reads another path and copies from it server-side",
	"--track-renames": "renames destination objects with server-side copies and deletes",
	"--s3-versions":   "lists and reads object versions (s3:ListBucketVersions, s3:GetObjectVersion)",
	"--s3-version-at": "lists and reads object versions (s3:ListBucketVersions, s3:GetObjectVersion)",
	"--checkfile":     "reads the source as a file of checksums",
	"-C":              "reads the source as a file of checksums",
	// These change which objects are read or compared, so the plan
	// would claim calls the client does not make (the proof says so).
	"--no-traverse":     "reads each destination object with a HeadObject instead of listing the destination",
	"--no-check-dest":   "copies without reading the destination at all",
	"--ignore-existing": "skips every object the destination has, without comparing it",
	"--ignore-times":    "copies every object, without comparing",
	"--metadata":        "copies metadata, with reads and writes of it the model does not cover",
	"-M":                "copies metadata, with reads and writes of it the model does not cover",
}

func parseRclone(args []string) (*Command, error) {
	c := &Command{Client: Rclone, Flags: map[string]string{}, Args: args}
	sc := scanner{known: func(name string) flagKind { return rcloneFlags[name] }, boolValues: true}
	pos, at, flags, err := sc.scan(args[1:])
	for _, i := range at {
		c.Operands = append(c.Operands, i+1)
	}
	cmd := "rclone"
	if len(pos) > 0 {
		cmd += " " + pos[0]
	}
	var uf *unknownFlag
	if errors.As(err, &uf) {
		return nil, fmt.Errorf("%s: lockstep does not know the flag %s: it reads rclone's global flags, its S3 flags and those of %s (rclone v1.60), and a flag it does not know may change the calls; check its spelling, or plan the command without it", cmd, uf.name, rcloneVerbList)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if len(pos) < 1 {
		return nil, fmt.Errorf("rclone: no subcommand: lockstep plans rclone %s", rcloneVerbList)
	}
	c.Verb = pos[0]
	paths, ok := rcloneVerbs[c.Verb]
	if !ok {
		return nil, fmt.Errorf("rclone %s: lockstep plans %s", c.Verb, rcloneVerbList)
	}
	var flagCreds Credentials
	for _, f := range flags {
		name, val := f.name, f.value
		if why := rcloneUnmodelled[name]; why != "" {
			return nil, fmt.Errorf("%s: lockstep's rclone model does not cover %s, which %s; plan the command without it", cmd, name, why)
		}
		if verbs := rcloneVerbFlags[name]; verbs != nil && !slices.Contains(verbs, c.Verb) {
			return nil, fmt.Errorf("%s: %s is a flag of rclone %s only (rclone answers \"unknown flag: %s\")", cmd, name, strings.Join(verbs, ", "), name)
		}
		switch name {
		case "--s3-no-check-bucket":
			c.Flags["no-check-bucket"] = ""
		case "--s3-no-head":
			c.Flags["no-head"] = ""
		case "--s3-acl":
			c.Flags["acl"] = val
		case "--s3-bucket-acl":
			c.Flags["bucket-acl"] = val
		case "--s3-copy-cutoff", "--s3-upload-cutoff":
			n, err := rcloneSize(val)
			if err != nil {
				return nil, fmt.Errorf("%s: %s %s: %w", cmd, name, val, err)
			}
			// "off" (-1): every object is at or above the cutoff.
			c.Flags[strings.TrimPrefix(name, "--s3-")] = strconv.FormatInt(max(n, 0), 10)
		case "--no-update-modtime", "--use-server-modtime", "--download", "--recursive":
			c.Flags[strings.TrimPrefix(name, "--")] = ""
		case "-R":
			c.Flags["recursive"] = ""
		case "--format", "-F":
			// Each letter of the format: the model tests those that read
			// each object.
			for _, l := range val {
				c.Flags["format-"+string(l)] = ""
			}
		case "--s3-server-side-encryption":
			c.Flags["sse"] = val
		case "--s3-sse-kms-key-id":
			c.Flags["sse-kms-key-id"] = val
		case "--checksum", "-c":
			c.Flags["checksum"] = ""
		case "--size-only":
			c.Flags["size-only"] = ""
		case "--fast-list":
			c.Flags["fast-list"] = ""
		case "--dry-run", "-n":
			c.Flags["dryrun"] = ""
		case "--delete-before", "--delete-during", "--delete-after":
			c.Flags["delete-mode"] = strings.TrimPrefix(name, "--delete-")
		case "--include", "--exclude":
			c.Flags[strings.TrimPrefix(name, "--")] += val + "\n"
		case "--s3-profile":
			flagCreds.Profile = val
		case "--s3-access-key-id":
			flagCreds.AccessKeyID = val
		case "--s3-env-auth":
			flagCreds.EnvAuth = true
		}
	}
	// Directory commands: all but copyto and moveto.
	c.Recursive = c.Verb != "copyto" && c.Verb != "moveto"
	if c.Verb == "sync" {
		c.Flags["delete"] = ""
	}
	var src, dst Credentials
	if paths == 1 {
		if len(pos) != 2 {
			return nil, fmt.Errorf("%s takes one path (remote:bucket/path), but is given %d", cmd, len(pos)-1)
		}
		if c.Source, c.Creds, err = rcloneLocation(pos[1]); err != nil {
			return nil, fmt.Errorf("%s: %w", cmd, err)
		}
		if !c.Source.IsS3() {
			return nil, fmt.Errorf("%s %s: the path must be an S3 remote (remote:bucket/path or :s3,...:bucket/path)", cmd, pos[1])
		}
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Creds.mergeFlags(flagCreds)
		return c, nil
	}
	if err := pathCount(cmd, pos[1:]); err != nil {
		return nil, err
	}
	if c.Source, src, err = rcloneLocation(pos[1]); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if c.Dest, dst, err = rcloneLocation(pos[2]); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if !c.Source.IsS3() && !c.Dest.IsS3() {
		return nil, fmt.Errorf("%s %s %s: at least one side must be an S3 remote (remote:bucket/path or :s3,...:bucket/path)", cmd, pos[1], pos[2])
	}
	switch {
	case !c.Source.IsS3():
		c.Creds = dst
	case !c.Dest.IsS3() || src == dst:
		c.Creds = src
	default:
		c.Creds = src
		c.Creds.Conflict = fmt.Sprintf("the source %s and the destination %s name different credentials", pos[1], pos[2])
	}
	c.Creds.mergeFlags(flagCreds)
	if c.Recursive && c.Verb != "check" && !c.Source.IsS3() && localFile(c.Source.Local) {
		// rclone copy of one file: no listing; the file keeps its name
		// in the destination directory (seed 002 step 4).
		c.Recursive = false
		c.Dest.Key = dirPrefix(c.Dest.Key) + path.Base(c.Source.Local)
		return c, nil
	}
	if c.Recursive {
		c.Source.Key = dirPrefix(c.Source.Key)
		c.Dest.Key = dirPrefix(c.Dest.Key)
	}
	return c, nil
}

// rcloneVerbList names the subcommands lockstep plans, for messages.
const rcloneVerbList = "copy, sync, move, copyto, moveto, check, delete and lsf"

// rcloneSize reads a size as rclone's flags take it: a number of KiB, or
// a number with the suffix B (bytes) or K, M, G, T, P, E (binary
// multiples, also written Ki or KiB); "off" is -1.
func rcloneSize(s string) (int64, error) {
	if strings.EqualFold(s, "off") {
		return -1, nil
	}
	num, unit := s, "K"
	n := len(s)
	switch {
	case n > 2 && (strings.HasSuffix(s, "iB") || strings.HasSuffix(s, "ib")):
		num, unit = s[:n-3], s[n-3:n-2]
	case n > 1 && (strings.HasSuffix(s, "i") || strings.HasSuffix(s, "I")):
		num, unit = s[:n-2], s[n-2:n-1]
	case n > 0 && strings.ContainsAny(s[n-1:], "bBkKmMgGtTpPeE"):
		num, unit = s[:n-1], s[n-1:]
	}
	shift := strings.Index("BKMGTPE", strings.ToUpper(unit))
	v, err := strconv.ParseFloat(num, 64)
	if shift < 0 || err != nil || v < 0 {
		return 0, errors.New("not a size: write a number with B, K, M, G, T or P (5M is 5 MiB; a plain number is KiB)")
	}
	return int64(v * float64(int64(1)<<(10*shift))), nil
}

// mergeFlags adds the credentials of --s3-* flags: a connection string's
// parameters win over flags (rclone's order of precedence).
func (cr *Credentials) mergeFlags(f Credentials) {
	if cr.Profile == "" {
		cr.Profile = f.Profile
	}
	if cr.AccessKeyID == "" {
		cr.AccessKeyID = f.AccessKeyID
	}
	cr.EnvAuth = cr.EnvAuth || f.EnvAuth
}

// RcloneRemoteEnd is the index of the ':' that ends the remote part of an
// rclone path ("remote:" or ":s3,opt='v':", quotes allowed), -1 for a
// local path.
func RcloneRemoteEnd(p string) int {
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, ".") || !strings.Contains(p, ":") {
		return -1
	}
	end, quote := -1, byte(0)
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == ':':
			end = i
		}
	}
	return end
}

// rcloneLocation reads an rclone path: "remote:bucket/path",
// ":s3,opt=v,...:bucket/path" (quotes allowed), or a local path, and the
// credentials its remote part names.
func rcloneLocation(p string) (Location, Credentials, error) {
	if i := strings.Index(p, "://"); i > 0 && !strings.ContainsAny(p[:1], ":/.") && !strings.Contains(p[:i], ",") {
		return Location{}, Credentials{}, fmt.Errorf("%s is neither a local path nor an rclone remote: rclone has no s3:// URLs (it would read the remote %q); write remote:bucket/path with an S3 remote of rclone.conf, or :s3,env_auth=true:bucket/path", p, p[:strings.IndexByte(p, ':')])
	}
	end := RcloneRemoteEnd(p)
	if end < 0 {
		return Location{Local: p}, Credentials{}, nil
	}
	var cr Credentials
	name, params := splitParams(p[:end])
	if backend, ok := strings.CutPrefix(name, ":"); ok {
		if backend != "s3" {
			return Location{}, Credentials{}, fmt.Errorf("%s: the remote is of type %q; lockstep plans S3 remotes (:s3,...:bucket/path)", p, backend)
		}
	} else {
		cr.Remote = name
	}
	for k, v := range params {
		switch k {
		case "profile":
			cr.Profile = v
		case "access_key_id":
			cr.AccessKeyID = v
		case "env_auth":
			cr.EnvAuth, _ = strconv.ParseBool(v)
		}
	}
	rest := p[end+1:]
	bucket, key, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if bucket == "" {
		return Location{}, Credentials{}, fmt.Errorf("%s: lockstep needs the bucket in the path (remote:bucket/path)", p)
	}
	return Location{Bucket: bucket, Key: key}, cr, nil
}

// splitParams splits the remote part of an rclone path, "name,k=v,k='v'",
// into the name and its parameters (names with "-" read as "_").
func splitParams(remote string) (string, map[string]string) {
	var parts []string
	start, quote := 0, byte(0)
	for i := 0; i < len(remote); i++ {
		switch ch := remote[i]; {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == ',':
			parts = append(parts, remote[start:i])
			start = i + 1
		}
	}
	parts = append(parts, remote[start:])
	params := map[string]string{}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			v = "true"
		}
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		params[strings.ReplaceAll(k, "-", "_")] = v
	}
	return parts[0], params
}
