package emulator

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// The S3 Control API's XML documents for S3 Batch Operations
// (docs/emulator.md "S3 Batch Operations"): the CreateJob request and
// the job descriptor DescribeJob answers share the element names of the
// S3 Control API reference. Lists are <member> elements, maps <entry>
// elements with <key> and <value>.

// s3ControlNS is the XML namespace of the S3 Control API.
const s3ControlNS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

type jobManifestXML struct {
	Spec struct {
		Format string
		Fields []string `xml:"Fields>member"`
	}
	Location struct {
		ObjectArn       string
		ObjectVersionId string `xml:",omitempty"`
		ETag            string
	}
}

type metadataEntryXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type objectMetadataXML struct {
	CacheControl       string             `xml:",omitempty"`
	ContentDisposition string             `xml:",omitempty"`
	ContentEncoding    string             `xml:",omitempty"`
	ContentLanguage    string             `xml:",omitempty"`
	ContentType        string             `xml:",omitempty"`
	UserMetadata       []metadataEntryXML `xml:"UserMetadata>entry,omitempty"`
	// Refused by the emulator when set (checkCopySpec).
	ContentLength    string `xml:",omitempty"`
	ContentMD5       string `xml:",omitempty"`
	HttpExpiresDate  string `xml:",omitempty"`
	RequesterCharged string `xml:",omitempty"`
	SSEAlgorithm     string `xml:",omitempty"`
}

// putObjectCopyXML is S3PutObjectCopy (S3CopyObjectOperation). The
// fields after SSEAwsKmsKeyId are read only to be refused by name.
type putObjectCopyXML struct {
	TargetResource    string
	StorageClass      string             `xml:",omitempty"`
	MetadataDirective string             `xml:",omitempty"`
	NewObjectMetadata *objectMetadataXML `xml:",omitempty"`
	SSEAwsKmsKeyId    string             `xml:",omitempty"`
	TargetKeyPrefix   string             `xml:",omitempty"`
	// NewObjectTagging replaces the copies' tags; present and empty, it
	// gives them none.
	NewObjectTagging *jobTagSetXML `xml:",omitempty"`

	AccessControlGrants       *struct{} `xml:",omitempty"`
	BucketKeyEnabled          string    `xml:",omitempty"`
	CannedAccessControlList   string    `xml:",omitempty"`
	ChecksumAlgorithm         string    `xml:",omitempty"`
	ModifiedSinceConstraint   string    `xml:",omitempty"`
	ObjectLockLegalHoldStatus string    `xml:",omitempty"`
	ObjectLockMode            string    `xml:",omitempty"`
	ObjectLockRetainUntilDate string    `xml:",omitempty"`
	RedirectLocation          string    `xml:",omitempty"`
	RequesterPays             string    `xml:",omitempty"`
	UnModifiedSinceConstraint string    `xml:",omitempty"`
}

// jobTagSetXML is an S3TagSet: a list of S3Tag members.
type jobTagSetXML struct {
	Tags []jobTagXML `xml:"member"`
}

// jobTagXML is an S3Tag.
type jobTagXML struct {
	Key, Value string
}

// jobOperationXML is JobOperation: exactly one operation element.
type jobOperationXML struct {
	S3PutObjectCopy *putObjectCopyXML `xml:",omitempty"`
	// Other is every other operation element, refused by name.
	Other []xml.Name `xml:",any"`
}

type jobReportXML struct {
	Bucket              string `xml:",omitempty"`
	ExpectedBucketOwner string `xml:",omitempty"`
	Format              string `xml:",omitempty"`
	Enabled             bool
	Prefix              string `xml:",omitempty"`
	ReportScope         string `xml:",omitempty"`
}

// createJobXML is the CreateJob request body.
type createJobXML struct {
	XMLName              xml.Name `xml:"CreateJobRequest"`
	ConfirmationRequired *bool
	Operation            *jobOperationXML
	Report               *jobReportXML
	ClientRequestToken   string
	Manifest             *jobManifestXML
	Description          string
	Priority             *int
	RoleArn              string
	Tags                 *struct{}
	ManifestGenerator    *struct{}
}

type jobFailureXML struct {
	FailureCode   string
	FailureReason string
}

type progressSummaryXML struct {
	TotalNumberOfTasks     int64
	NumberOfTasksSucceeded int64
	NumberOfTasksFailed    int64
	Timers                 struct {
		ElapsedTimeInActiveSeconds int64
	}
}

// jobDescriptorXML is the JobDescriptor of DescribeJob.
type jobDescriptorXML struct {
	JobId                string
	ConfirmationRequired bool
	Description          string `xml:",omitempty"`
	JobArn               string
	Status               string
	Manifest             jobManifestXML
	Operation            jobOperationXML
	Priority             int
	ProgressSummary      progressSummaryXML
	StatusUpdateReason   string          `xml:",omitempty"`
	FailureReasons       []jobFailureXML `xml:"FailureReasons>member,omitempty"`
	Report               jobReportXML
	CreationTime         string
	TerminationDate      string `xml:",omitempty"`
	RoleArn              string
	SuspendedDate        string `xml:",omitempty"`
	SuspendedCause       string `xml:",omitempty"`
}

// jobListDescriptorXML is one job of ListJobs.
type jobListDescriptorXML struct {
	JobId           string
	Description     string `xml:",omitempty"`
	Operation       string
	Priority        int
	Status          string
	CreationTime    string
	TerminationDate string `xml:",omitempty"`
	ProgressSummary progressSummaryXML
}

// writeS3ControlXML answers a call with an S3 Control XML document.
func writeS3ControlXML(w http.ResponseWriter, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return errInternal(err)
	}
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// writeS3ControlError writes an error of the S3 Control API: the S3
// <Error> wrapped in <ErrorResponse>, as the S3 Control API's clients
// read it (docs/emulator.md "S3 Batch Operations").
func writeS3ControlError(w http.ResponseWriter, e *apiError, requestID string) {
	type errorXML struct {
		Code    string
		Message string
	}
	type response struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Error     errorXML
		RequestID string `xml:"RequestId"`
		HostID    string `xml:"HostId"`
	}
	b, _ := xml.Marshal(response{Error: errorXML{Code: e.Code, Message: e.Message}, RequestID: requestID, HostID: hostID(requestID)})
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.Status)
	w.Write(b)
}
