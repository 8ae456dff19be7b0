package plan

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// rcloneFlags are rclone's global flags, its S3 backend's flags and the
// flags of copy, sync, move, copyto and moveto, as `rclone help flags`
// and `rclone COMMAND --help` list them for rclone v1.60.
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
		s3-access-key-id s3-acl s3-bucket-acl s3-chunk-size s3-copy-cutoff s3-download-url s3-encoding
		s3-endpoint s3-list-chunk s3-list-url-encode s3-list-version s3-location-constraint
		s3-max-upload-parts s3-memory-pool-flush-time s3-might-gzip s3-profile s3-provider s3-region
		s3-secret-access-key s3-server-side-encryption s3-session-token s3-shared-credentials-file
		s3-sse-customer-algorithm s3-sse-customer-key s3-sse-customer-key-base64 s3-sse-customer-key-md5
		s3-sse-kms-key-id s3-storage-class s3-upload-concurrency s3-upload-cutoff s3-use-multipart-etag
		s3-version-at`)
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
}

func parseRclone(args []string) (*Command, error) {
	c := &Command{Client: Rclone, Flags: map[string]string{}, Args: args}
	sc := scanner{known: func(name string) flagKind { return rcloneFlags[name] }, boolValues: true}
	pos, flags, err := sc.scan(args[1:])
	cmd := "rclone"
	if len(pos) > 0 {
		cmd += " " + pos[0]
	}
	var uf *unknownFlag
	if errors.As(err, &uf) {
		return nil, fmt.Errorf("%s: lockstep does not know the flag %s: it reads rclone's global flags, its S3 flags and those of copy, sync, move, copyto and moveto (rclone v1.60), and a flag it does not know may change the calls; check its spelling, or plan the command without it", cmd, uf.name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	var flagCreds Credentials
	for _, f := range flags {
		name, val := f.name, f.value
		if why := rcloneUnmodelled[name]; why != "" {
			return nil, fmt.Errorf("%s: lockstep's rclone model does not cover %s, which %s; plan the command without it", cmd, name, why)
		}
		switch name {
		case "--s3-no-check-bucket":
			c.Flags["no-check-bucket"] = ""
		case "--s3-no-head":
			c.Flags["no-head"] = ""
		case "--s3-acl":
			c.Flags["acl"] = val
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
	if len(pos) < 1 {
		return nil, fmt.Errorf("rclone: no subcommand: lockstep plans rclone copy, sync, move, copyto and moveto")
	}
	c.Verb = pos[0]
	switch c.Verb {
	case "copy", "sync", "move":
		c.Recursive = true
	case "copyto", "moveto":
	default:
		return nil, fmt.Errorf("rclone %s: lockstep plans copy, sync, move, copyto and moveto", c.Verb)
	}
	if err := pathCount(cmd, pos[1:]); err != nil {
		return nil, err
	}
	if c.Verb == "sync" {
		c.Flags["delete"] = ""
	}
	var src, dst Credentials
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
	if c.Recursive && !c.Source.IsS3() && localFile(c.Source.Local) {
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
