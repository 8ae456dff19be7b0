// Package ssearg reads lockstep sync and cp's --sse as the AWS CLI does:
// a bare --sse means AES256, and --sse takes its value either as
// --sse=VALUE or as the next argument when that is one of S3's
// algorithms (--sse aws:kms). The command line (cmd/lockstep) and the
// planner's parser of lockstep commands (plan) both call Normalize, so
// that they read a command line alike.
package ssearg

// Values are the server-side encryption algorithms --sse takes.
var Values = []string{"AES256", "aws:kms", "aws:kms:dsse"}

// Normalize returns args with each "--sse VALUE" (VALUE one of Values)
// joined into "--sse=VALUE", up to a "--". Other arguments are kept.
func Normalize(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--sse" && i+1 < len(args) && isValue(args[i+1]) {
			out = append(out, "--sse="+args[i+1])
			i++
			continue
		}
		out = append(out, a)
	}
	return out
}

func isValue(s string) bool {
	for _, v := range Values {
		if s == v {
			return true
		}
	}
	return false
}
