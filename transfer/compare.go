package transfer

import "time"

// Strategy decides whether an object present on both sides is copied. It
// follows `aws s3 sync`
// (https://docs.aws.amazon.com/cli/latest/reference/s3/sync.html): "An
// s3 object will require downloading if the size of the s3 object differs
// from the size of the local file, the last modified time of the s3 object
// is older than the last modified time of the local file, or the s3 object
// does not exist in the local directory"; uploads and S3 copies copy when
// the sizes differ or the source is newer than the destination.
type Strategy int

const (
	// SizeAndTime is the default: copy when the sizes differ or the
	// modification times say so (see ShouldCopy).
	SizeAndTime Strategy = iota
	// SizeOnly is --size-only: "Makes the size of each key the only
	// criteria used to decide whether to sync from source to destination."
	SizeOnly
	// ExactTimestamps is --exact-timestamps: "When syncing from S3 to
	// local, same-sized items will be ignored only when the timestamps
	// match exactly. The default behavior is to ignore same-sized items
	// unless the local version is newer than the S3 version." For uploads
	// and S3 copies it is the default rule.
	ExactTimestamps
	// Always copies every source object: `cp --recursive`.
	Always
	// Checksum is --checksum: copy when the sizes differ or the contents
	// do, by full-object CRC64NVME, else MD5, else (with a warning) size
	// (see job.sameContent). ShouldCopy answers for the sizes alone.
	Checksum
)

// Direction is the kind of a copy: the AWS CLI's operation names, which
// its output lines print.
type Direction string

const (
	Upload   Direction = "upload"
	Download Direction = "download"
	Copy     Direction = "copy"
)

// ShouldCopy decides for an object of size srcSize modified at srcTime
// whose destination has dstSize and dstTime. The time rule is the AWS
// CLI's, which compares the destination's time with the source's:
//   - upload and copy: copy when the destination is older than the source;
//   - download: copy when the destination (the local file) is newer than
//     the S3 object (the AWS CLI's rule, which the sync documentation
//     states above), or with ExactTimestamps when the times differ at all.
//
// A download sets the local file's time to the object's LastModified, so
// a second sync finds equal times.
func (s Strategy) ShouldCopy(d Direction, srcSize, dstSize int64, srcTime, dstTime time.Time) bool {
	switch s {
	case Always:
		return true
	case SizeOnly:
		return srcSize != dstSize
	case Checksum:
		return true // the content decides, after the listings (job.sameContent)
	}
	if srcSize != dstSize {
		return true
	}
	delta := dstTime.Sub(srcTime)
	if d == Download {
		if s == ExactTimestamps {
			return delta != 0
		}
		return delta > 0
	}
	return delta < 0
}
