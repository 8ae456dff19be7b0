// Package matrix holds the command lines of lockstep's base proof matrix:
// the one list that package prove proves with the real clients and that
// package plan's tests lint the printed policies of. It names clients by
// their model names (plan.Client values) so that plan's own tests can
// import it.
package matrix

// Row is one command line of the matrix.
type Row struct {
	// Client is the model name: aws-v1, aws-v2, rclone or s5cmd.
	Client string
	Args   string
	// Max is the largest object the command moves; 0: any size.
	Max int64
}

// Base returns the base rows: the AWS CLI v1 and v2 syncs local→S3,
// S3→local, S3→S3 in one account and across accounts, with and without
// --delete; seed 003's copy into an SSE-KMS bucket of another account;
// seed 002's rclone copy, rclone sync and s5cmd sync.
func Base() []Row {
	var rows []Row
	for _, c := range []string{"aws-v1", "aws-v2"} {
		for _, del := range []string{"", " --delete"} {
			rows = append(rows,
				Row{c, "aws s3 sync ./up s3://dst-a/p/" + del, 0},
				Row{c, "aws s3 sync s3://src-a/p/ ./down" + del, 0},
				Row{c, "aws s3 sync s3://src-a/p/ s3://dst-a/q/" + del, 0},
				Row{c, "aws s3 sync s3://src-a/p/ s3://dst-b/q/" + del, 0},
			)
		}
	}
	return append(rows,
		Row{"aws-v1", "aws s3 cp s3://src-a/1gb.dat s3://cmk-b/", 20 << 20}, // seed 003
		Row{"rclone", "rclone copy ./dir s3-remote:dst-a/p", 1 << 20},       // seed 002
		Row{"rclone", "rclone sync ./dir s3-remote:dst-a/p", 1 << 20},
		Row{"s5cmd", "s5cmd sync ./dir/ s3://dst-a/p/", 1 << 20},
	)
}
