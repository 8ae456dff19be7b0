package s3ops

// BatchOperationsPrincipal is the service principal that assumes an S3
// Batch Operations job's role: the role's trust policy must allow it
// sts:AssumeRole (docs/authorization.md §2.2 CreateJob, "Granting
// permissions for Batch Operations").
const BatchOperationsPrincipal = "batchoperations.s3.amazonaws.com"

// BatchResource names the resource of a Batch Operations job that a step
// acts on.
type BatchResource uint8

const (
	// BatchManifest is the manifest object (Manifest.Location.ObjectArn).
	BatchManifest BatchResource = iota
	// BatchTask is one task: the manifest's object is the source, the
	// job's target bucket the destination.
	BatchTask
	// BatchReport is the completion report, written under the report
	// bucket's prefix.
	BatchReport
)

var batchResourceNames = [...]string{"manifest", "task", "report"}

func (r BatchResource) String() string { return batchResourceNames[r] }

// BatchStep is one call S3 Batch Operations makes as the job's role.
type BatchStep struct {
	// Operation is the catalogue's S3 operation the step calls.
	Operation string
	On        BatchResource
	// Why says what the step is for, for plans and docs.
	Why string
}

// BatchPutObjectCopySteps are the calls an S3PutObjectCopy job makes as
// its role, in order, after the service principal assumed the role: the
// one list the emulator's job runner follows and the planner grants
// (docs/emulator.md "S3 Batch Operations").
var BatchPutObjectCopySteps = []BatchStep{
	{Operation: "GetObject", On: BatchManifest, Why: "read the manifest, whose ETag must be the job's"},
	{Operation: "CopyObject", On: BatchTask, Why: "copy each object the manifest lists into the target bucket"},
	{Operation: "PutObject", On: BatchReport, Why: "write the completion report"},
}

// BatchStepOf returns the step of an S3PutObjectCopy job on the resource.
func BatchStepOf(on BatchResource) BatchStep {
	for _, s := range BatchPutObjectCopySteps {
		if s.On == on {
			return s
		}
	}
	panic("s3ops: no batch step on " + on.String())
}
