package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/lockstep-dev/lockstep/world"
)

// PrincipalRule is how lockstep plan and lockstep check find the principal
// of a command in a world; both commands' help and docs/plan.md state it.
const PrincipalRule = `With --world, the principal that runs the command is the first of:
  1. --principal ARN (check with a scenario file: also the step's principal);
  2. anonymous, for aws or s5cmd --no-sign-request;
  3. aws and s5cmd: the command's --profile NAME, then AWS_ACCESS_KEY_ID,
     then AWS_PROFILE, then the profile "default";
     rclone: the access key of the remote (--s3-access-key-id,
     access_key_id= in a :s3,...: connection string, RCLONE_S3_ACCESS_KEY_ID);
     with env_auth (--s3-env-auth, env_auth=true), AWS_ACCESS_KEY_ID, then
     --s3-profile or profile=, RCLONE_S3_PROFILE, AWS_PROFILE, "default";
     without, anonymous. A configured remote (name:) keeps its credentials
     in rclone.conf, which lockstep does not read: give --principal.
Profiles are mapped to principals by the world's profiles, access keys by
its users' access_keys (docs/world.md).`

// ResolvePrincipal finds the principal that runs cmd in w by
// PrincipalRule: given is --principal (or a scenario step's principal);
// getenv reads the environment. how says where the principal came from,
// e.g. "--profile copy" or "AWS_PROFILE=copy".
func ResolvePrincipal(w *world.World, cmd *Command, given string, getenv func(string) string) (arn, how string, err error) {
	cr := cmd.Creds
	switch {
	case given != "":
		if cr.Unsigned && given != "anonymous" {
			return "", "", fmt.Errorf("--principal %s, but the command has --no-sign-request: its requests are unsigned (anonymous); drop one of them", given)
		}
		if _, err := w.Principal(given); err != nil {
			return "", "", fmt.Errorf("--principal: %w", err)
		}
		return given, "--principal", nil
	case cr.Unsigned:
		return "anonymous", "--no-sign-request", nil
	case cmd.Client == Rclone:
		return rclonePrincipal(w, cr, getenv)
	}
	if cr.Profile != "" {
		how := "the command's --profile " + cr.Profile
		if cr.TwoSets {
			how = "the destination's profile " + cr.Profile
		}
		return profilePrincipal(w, cr.Profile, how)
	}
	if k := getenv("AWS_ACCESS_KEY_ID"); k != "" {
		return keyPrincipal(w, k, "AWS_ACCESS_KEY_ID", "the client signs with it rather than with AWS_PROFILE", "unset AWS_ACCESS_KEY_ID")
	}
	if p := getenv("AWS_PROFILE"); p != "" {
		return profilePrincipal(w, p, "AWS_PROFILE="+p)
	}
	if arn, ok := w.Profile("default"); ok {
		return arn, "the profile default", nil
	}
	return "", "", noPrincipal(w, "the command's --profile NAME or AWS_PROFILE=NAME")
}

// ResolveSourcePrincipal finds, for a lockstep job with two credential
// sets (Command.Creds.TwoSets), the principal of the source's
// credentials in w: given (--source-principal), else the source's profile
// (--source-profile, else --profile), else the standard chain as
// PrincipalRule says. ResolvePrincipal finds the destination's.
func ResolveSourcePrincipal(w *world.World, cmd *Command, given string, getenv func(string) string) (arn, how string, err error) {
	if given == "" && cmd.Creds.SourceProfile != "" {
		return profilePrincipal(w, cmd.Creds.SourceProfile, "the source's profile "+cmd.Creds.SourceProfile)
	}
	src := *cmd
	src.Creds.Profile = ""
	arn, how, err = ResolvePrincipal(w, &src, given, getenv)
	if err != nil && given != "" {
		err = fmt.Errorf("--source-principal: %w", errors.Unwrap(err))
	}
	return arn, how, err
}

func rclonePrincipal(w *world.World, cr Credentials, getenv func(string) string) (string, string, error) {
	if cr.Conflict != "" {
		return "", "", fmt.Errorf("rclone: %s; lockstep plans the calls of one principal: give --principal ARN", cr.Conflict)
	}
	if k := firstOf(cr.AccessKeyID, getenv("RCLONE_S3_ACCESS_KEY_ID")); k != "" {
		return keyPrincipal(w, k, "the remote's access_key_id", "rclone signs with it", "add the key to a user's access_keys")
	}
	if cr.Remote != "" {
		return "", "", fmt.Errorf("rclone remote %s: its credentials are in rclone.conf, which lockstep does not read: give --principal ARN (or --s3-access-key-id, or a :s3,env_auth=true:bucket/path connection string with AWS_PROFILE)", cr.Remote+":")
	}
	envAuth, _ := strconv.ParseBool(getenv("RCLONE_S3_ENV_AUTH"))
	if !cr.EnvAuth && !envAuth {
		return "anonymous", "rclone with neither access_key_id nor env_auth sends unsigned requests", nil
	}
	if k := getenv("AWS_ACCESS_KEY_ID"); k != "" {
		return keyPrincipal(w, k, "AWS_ACCESS_KEY_ID", "rclone with env_auth signs with it rather than with a profile", "unset AWS_ACCESS_KEY_ID")
	}
	for _, p := range []struct{ name, how string }{
		{cr.Profile, "the remote's profile " + cr.Profile},
		{getenv("RCLONE_S3_PROFILE"), "RCLONE_S3_PROFILE=" + getenv("RCLONE_S3_PROFILE")},
		{getenv("AWS_PROFILE"), "AWS_PROFILE=" + getenv("AWS_PROFILE")},
	} {
		if p.name != "" {
			return profilePrincipal(w, p.name, p.how)
		}
	}
	if arn, ok := w.Profile("default"); ok {
		return arn, "the profile default", nil
	}
	return "", "", noPrincipal(w, "--s3-profile NAME or AWS_PROFILE=NAME")
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// profilePrincipal maps a profile name through the world's profiles.
func profilePrincipal(w *world.World, name, how string) (string, string, error) {
	if arn, ok := w.Profile(name); ok {
		return arn, how, nil
	}
	return "", "", fmt.Errorf("%s: the world file %s has no profile %q (%s): add it under profiles: (docs/world.md), or give --principal ARN", how, w.File, name, profileList(w))
}

// keyPrincipal maps an access key ID to the user of the world it belongs
// to.
func keyPrincipal(w *world.World, key, source, why, remedy string) (string, string, error) {
	if c := w.Credential(key); c != nil {
		return c.User.ARN, source + " " + key, nil
	}
	return "", "", fmt.Errorf("%s is %s, and %s; it is not an access key of the world file %s (users[].access_keys): give --principal ARN, or %s", source, key, why, w.File, remedy)
}

func noPrincipal(w *world.World, names string) error {
	return fmt.Errorf("no principal for the command in %s: give --principal ARN, or name a profile the world maps with %s (%s)", w.File, names, profileList(w))
}

func profileList(w *world.World) string {
	if names := w.ProfileNames(); len(names) > 0 {
		return "its profiles: " + strings.Join(names, ", ")
	}
	return "it has no profiles: add profiles: {NAME: PRINCIPAL-ARN}"
}
