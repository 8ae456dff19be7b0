package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/emulator"
	"github.com/lockstep-dev/lockstep/policy"
	"github.com/lockstep-dev/lockstep/world"
)

// printBanner tells the user how to point clients at the emulator: the
// credentials of the world's users and a command line per client, with
// the CA to trust over HTTPS.
func printBanner(w io.Writer, srv *emulator.Server, dataDir string, signers []signer) {
	src := srv.World().File
	data := dataDir
	if data == "" {
		data = "a temporary directory (removed at exit; use --data DIR to keep objects)"
	}
	endpoint := clientEndpoint(srv.Endpoint())
	fmt.Fprintf(w, "lockstep serve: %s serving %s, data in %s\n", srv.Endpoint(), src, data)
	ca := srv.CAFile()
	switch {
	case ca != "":
		fmt.Fprintf(w, "HTTPS: a certificate for 127.0.0.1, ::1 and localhost, signed by the CA in %s\n", ca)
	case strings.HasPrefix(endpoint, "https://"):
		fmt.Fprintf(w, "HTTPS: the certificate of --tls-cert; clients must trust its issuer\n")
	}
	fmt.Fprintf(w, "health: curl %s%s%s\n", curlCA(ca), endpoint, emulator.HealthPath)
	wd := srv.World()
	if ca == "" {
		if tlsOnly := tlsOnlyBuckets(wd); len(tlsOnly) > 0 && strings.HasPrefix(endpoint, "http://") {
			fmt.Fprintf(w, "\n# Over HTTP, the policies of %s deny requests (aws:SecureTransport false), as on AWS; serve with --tls to reach them.\n", strings.Join(tlsOnly, ", "))
		}
		fmt.Fprintf(w, "\n# In the shell of a client (rclone fails when AWS_CA_BUNDLE is set):\nunset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN\n")
	} else {
		// The AWS CLI, boto3 and the SDKs read AWS_CA_BUNDLE; rclone
		// takes --ca-cert and fails when AWS_CA_BUNDLE is also set.
		fmt.Fprintf(w, "\n# In the shell of a client: the AWS CLI, boto3 and the SDKs verify the emulator with the CA\nunset AWS_PROFILE AWS_SESSION_TOKEN\nexport AWS_CA_BUNDLE=%s\n", shellQuote(ca))
	}
	for _, a := range wd.Accounts {
		for _, u := range a.Users {
			c := wd.CredentialsOf(u)
			if c == nil {
				continue
			}
			bucket := bannerBucket(wd, a.ID)
			fmt.Fprintf(w, "\n# user %s: %s (account %s)\n", u.Name, u.ARN, a.ID)
			fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s AWS_ENDPOINT_URL=%s\n", c.AccessKeyID, c.Secret, wd.Region, endpoint)
			if bucket == "" {
				fmt.Fprintf(w, "aws --endpoint-url %s s3 ls\n", endpoint)
				continue
			}
			fmt.Fprintf(w, "aws --endpoint-url %s s3 ls s3://%s\n", endpoint, bucket)
			remote := fmt.Sprintf(`":s3,provider=Other,endpoint='%s',env_auth=true:%s"`, endpoint, bucket)
			if ca == "" {
				fmt.Fprintf(w, "rclone lsf %s\n", remote)
			} else {
				fmt.Fprintf(w, "env -u AWS_CA_BUNDLE rclone --ca-cert %s lsf %s\n", shellQuote(ca), remote)
			}
			fmt.Fprintf(w, "python3 -c 'import boto3; print([o[\"Key\"] for o in boto3.client(\"s3\").list_objects_v2(Bucket=\"%s\").get(\"Contents\", [])])'\n", bucket)
		}
	}
	for _, s := range signers {
		c := s.creds
		fmt.Fprintf(w, "\n# as %s", s.principal)
		if c.SessionToken != "" {
			fmt.Fprintf(w, " (a session, valid until %s)", c.Expires.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(w, "\nexport AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s", c.AccessKeyID, c.SecretAccessKey)
		if c.SessionToken != "" {
			fmt.Fprintf(w, " AWS_SESSION_TOKEN=%s", c.SessionToken)
		}
		fmt.Fprintf(w, " AWS_DEFAULT_REGION=%s AWS_ENDPOINT_URL=%s\n", wd.Region, endpoint)
	}
	if len(signers) == 0 && !anyCredentials(wd) {
		fmt.Fprintf(w, "\n# No user of this world has an access key (a world imported from a real account holds none): serve with --as ARN to sign as one of its users or roles.\n")
	}
	fmt.Fprintf(w, "\n%s\n", bannerReady)
}

// signer is a principal of --as and its credentials.
type signer struct {
	principal string
	creds     emulator.Credentials
}

// anyCredentials reports whether some user of the world has an access key.
func anyCredentials(wd *world.World) bool {
	for _, a := range wd.Accounts {
		for _, u := range a.Users {
			if wd.CredentialsOf(u) != nil {
				return true
			}
		}
	}
	return false
}

// bannerReady is the banner's last line: the emulator serves.
const bannerReady = "lockstep serve: ready (Ctrl-C stops it)"

// bannerBucket is the bucket the banner's lines of a user of account
// list: one of that account, else the world's first, "" when the world
// has none.
func bannerBucket(wd *world.World, account string) string {
	first := ""
	for _, a := range wd.Accounts {
		for _, b := range a.Buckets {
			if a.ID == account {
				return b.Name
			}
			if first == "" {
				first = b.Name
			}
		}
	}
	return first
}

// tlsOnlyBuckets names the buckets whose policy has a Deny statement
// that tests aws:SecureTransport: the DenyInsecureTransport statement
// (docs/authorization.md §2.3 "Secure transport").
func tlsOnlyBuckets(wd *world.World) []string {
	var names []string
	for _, a := range wd.Accounts {
		for _, b := range a.Buckets {
			if b.Policy != nil && deniesInsecureTransport(b.Policy) {
				names = append(names, b.Name)
			}
		}
	}
	return names
}

func deniesInsecureTransport(p *policy.Policy) bool {
	for _, st := range p.Statements {
		if st.Effect != policy.Deny {
			continue
		}
		for _, k := range st.ConditionKeys() {
			if strings.EqualFold(k, "aws:SecureTransport") {
				return true
			}
		}
	}
	return false
}

// clientEndpoint is the URL clients on this machine use: an endpoint that
// listens on all interfaces (0.0.0.0, ::) is reached at 127.0.0.1, a name
// the generated certificate holds.
func clientEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsUnspecified() {
		u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	}
	return u.String()
}

// curlCA is curl's option to trust the CA file, "" without one.
func curlCA(ca string) string {
	if ca == "" {
		return ""
	}
	return "--cacert " + shellQuote(ca) + " "
}

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./:=@+,
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
