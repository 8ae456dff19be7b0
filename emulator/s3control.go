package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lockstep-dev/lockstep/enforce"
	"github.com/lockstep-dev/lockstep/s3ops"
)

// The S3 Control API's S3 Batch Operations calls (docs/emulator.md "S3
// Batch Operations"): REST-XML under /v20180820/jobs, signed for s3, the
// account in the x-amz-account-id header. The SDKs also put the account
// as a host prefix ({AccountId}.host): both hosts are served.

// s3ControlPrefix is the path of every S3 Control call.
const s3ControlPrefix = "/v20180820/"

// isS3Control reports whether a request addresses the S3 Control API.
func isS3Control(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, s3ControlPrefix)
}

// s3ControlHandler serves one S3 Control operation; id is the job ID of
// the path, "" for CreateJob and ListJobs.
type s3ControlHandler func(s *Server, w http.ResponseWriter, c *call, account, id string) error

// s3ControlRoute names the catalogue operation of an S3 Control request
// from its method and path: the S3 Control rows' HTTP column is the route
// table ("GET /v20180820/jobs/{id}"), as the S3 rows' is for S3; id is the
// path's {id}, "" when it has none.
func s3ControlRoute(method, path string) (op, id string, ok bool) {
	for _, row := range s3ops.Operations() {
		if row.Service != "s3control" {
			continue
		}
		m, pattern, _ := strings.Cut(row.HTTP, " ")
		pattern, _, _ = strings.Cut(pattern, "?")
		if m != method {
			continue
		}
		if id, ok := matchControlPath(pattern, path); ok {
			return row.Name, id, true
		}
	}
	return "", "", false
}

// matchControlPath matches a path against a route's pattern, whose {id}
// segment matches one non-empty segment, returned.
func matchControlPath(pattern, path string) (id string, ok bool) {
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return "", false
	}
	for i, w := range want {
		switch {
		case w == "{id}" && got[i] != "":
			id = got[i]
		case w != got[i]:
			return "", false
		}
	}
	return id, true
}

// s3ControlHandlerOf returns the handler of an S3 Control operation, nil
// when the emulator does not serve it. (A function, not a map: the
// handlers reach the server's handler again through the jobs they run.)
func s3ControlHandlerOf(op string) s3ControlHandler {
	switch op {
	case "CreateJob":
		return (*Server).createJob
	case "DescribeJob":
		return (*Server).describeJob
	case "ListJobs":
		return (*Server).listJobs
	case "UpdateJobStatus":
		return (*Server).updateJobStatus
	case "UpdateJobPriority":
		return (*Server).updateJobPriority
	}
	return nil
}

// accountIDRE is a 12-digit AWS account ID.
var accountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// serveS3Control names the operation, reads the account and runs it.
func (s *Server) serveS3Control(w http.ResponseWriter, c *call) {
	c.service = "s3control"
	op, id, ok := s3ControlRoute(c.r.Method, c.r.URL.Path)
	c.operation = op
	if !ok {
		c.operation = "Unknown"
		s.fail(w, c, errNotImplemented("S3 Control "+c.r.Method+" "+c.r.URL.Path+" (the emulator serves the S3 Batch Operations job calls)"))
		return
	}
	account := c.r.Header.Get("X-Amz-Account-Id")
	c.params["accountId"] = account
	if id != "" {
		c.params["jobId"] = id
	}
	host, _, err := splitHostPort(c.r.Host)
	if err != nil {
		host = c.r.Host
	}
	prefix, _, _ := strings.Cut(host, ".")
	switch {
	case account == "":
		s.fail(w, c, errorf(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-account-id"))
		return
	case !accountIDRE.MatchString(account):
		s.fail(w, c, errorf(http.StatusBadRequest, "InvalidRequest", "The x-amz-account-id header %q is not a 12-digit AWS account ID", account))
		return
	case accountIDRE.MatchString(prefix) && prefix != account:
		s.fail(w, c, errorf(http.StatusBadRequest, "InvalidRequest", "The account %s of the host name does not match the x-amz-account-id header %s", prefix, account))
		return
	}
	c.resourceAccount = account
	if err := s3ControlHandlerOf(op)(s, w, c, account, id); err != nil {
		s.fail(w, c, err)
	}
}

// jobARN is the ARN of a job: arn:aws:s3:REGION:ACCOUNT:job/ID.
func (s *Server) jobARN(account, id string) string {
	return "arn:aws:s3:" + s.region + ":" + account + ":job/" + id
}

// authorizeJobs decides the call's catalogue row on resource (a job ARN,
// or the role for CreateJob) and then refuses a caller of another
// account than the jobs': a job belongs to the account that created it.
func (s *Server) authorizeJobs(c *call, account string, ec enforce.Call) error {
	if err := s.authorizeAPI(c, ec); err != nil {
		return err
	}
	if c.principal.Account != account {
		return errorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	return nil
}

func errNoSuchJob(id string) *apiError {
	return errorf(http.StatusNotFound, "NotFoundException", "The specified job does not exist: %s", id)
}

// maxCreateJobBody bounds the CreateJob document.
const maxCreateJobBody = 1 << 20

// createJob validates the job, authorizes s3:CreateJob and iam:PassRole
// on its role, and starts it. A ClientRequestToken already used by the
// account with the same request answers the job it created; with another
// request, IdempotencyException.
func (s *Server) createJob(w http.ResponseWriter, c *call, account, _ string) error {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, maxCreateJobBody+1))
	if err != nil {
		return storeError(err, c)
	}
	if len(body) > maxCreateJobBody {
		return errorf(http.StatusBadRequest, "InvalidRequest", "The CreateJob document is larger than %d bytes", maxCreateJobBody)
	}
	var req createJobXML
	if err := xml.Unmarshal(body, &req); err != nil {
		return errMalformedXML()
	}
	if err := checkRoleARN(req.RoleArn); err != nil {
		return err
	}
	c.params["roleArn"] = req.RoleArn
	keys := map[string][]string{"iam:PassedToService": {s3ops.BatchOperationsPrincipal}}
	if err := s.authorizeJobs(c, account, enforce.Call{Resource: req.RoleArn, Keys: keys}); err != nil {
		return err
	}
	cp, err := checkCreateJob(&req)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	j := s.jobs
	j.mu.Lock()
	if j.ctx.Err() != nil {
		// The server is closing: no job starts against a closing store
		// (docs/decisions.md "Batch Operations: CreateJob while the
		// server closes").
		j.mu.Unlock()
		return errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "The server is shutting down: it starts no new Batch Operations job. Retry against a running server.")
	}
	job := j.byToken[account+"/"+req.ClientRequestToken]
	if job == nil {
		now := s.now()
		id := uuid()
		job = &batchJob{
			id: id, arn: s.jobARN(account, id), account: account, token: req.ClientRequestToken, bodyHash: hash,
			req: req, copy: *cp, created: now, priority: *req.Priority, status: jobNew,
		}
		j.byID[id] = job
		j.byToken[account+"/"+req.ClientRequestToken] = job
		j.wg.Add(1)
		go s.runJob(job)
	}
	j.mu.Unlock()
	if job.bodyHash != hash {
		return errorf(http.StatusConflict, "IdempotencyException", "The ClientRequestToken %s was used with another CreateJob request", req.ClientRequestToken)
	}
	c.params["jobId"] = job.id
	type result struct {
		XMLName xml.Name `xml:"CreateJobResult"`
		NS      string   `xml:"xmlns,attr"`
		JobId   string
	}
	return writeS3ControlXML(w, result{NS: s3ControlNS, JobId: job.id})
}

// lookupJob returns the account's job id, or NotFoundException.
func (s *Server) lookupJob(account, id string) (*batchJob, error) {
	s.jobs.mu.Lock()
	job := s.jobs.byID[id]
	s.jobs.mu.Unlock()
	if job == nil || job.account != account {
		return nil, errNoSuchJob(id)
	}
	return job, nil
}

func (s *Server) describeJob(w http.ResponseWriter, c *call, account, id string) error {
	if err := s.authorizeJobs(c, account, enforce.Call{Resource: s.jobARN(account, id)}); err != nil {
		return err
	}
	job, err := s.lookupJob(account, id)
	if err != nil {
		return err
	}
	s.jobs.mu.Lock()
	d := s.jobDescriptor(job)
	s.jobs.mu.Unlock()
	type result struct {
		XMLName xml.Name `xml:"DescribeJobResult"`
		NS      string   `xml:"xmlns,attr"`
		Job     jobDescriptorXML
	}
	return writeS3ControlXML(w, result{NS: s3ControlNS, Job: d})
}

// jobDescriptor describes a job; callers hold s.jobs.mu.
func (s *Server) jobDescriptor(job *batchJob) jobDescriptorXML {
	d := jobDescriptorXML{
		JobId: job.id, JobArn: job.arn, Status: job.status, Description: job.req.Description,
		ConfirmationRequired: job.req.ConfirmationRequired != nil && *job.req.ConfirmationRequired,
		Manifest:             *job.req.Manifest, Priority: job.priority, ProgressSummary: s.progress(job),
		StatusUpdateReason: job.statusReason, FailureReasons: job.failures, Report: *job.req.Report,
		CreationTime: xmlTime(job.created), TerminationDate: optionalTime(job.terminated), RoleArn: job.req.RoleArn,
		SuspendedDate: optionalTime(job.suspendedDate),
	}
	cp := job.copy
	d.Operation.S3PutObjectCopy = &cp
	if !job.suspendedDate.IsZero() {
		d.SuspendedCause = "AwaitingConfirmation"
	}
	return d
}

// progress is a job's ProgressSummary; callers hold s.jobs.mu.
func (s *Server) progress(job *batchJob) progressSummaryXML {
	p := progressSummaryXML{TotalNumberOfTasks: job.total, NumberOfTasksSucceeded: job.succeeded, NumberOfTasksFailed: job.failed}
	elapsed := job.activeElapsed
	if job.status == jobActive {
		elapsed += s.now().Sub(job.activeSince)
	}
	p.Timers.ElapsedTimeInActiveSeconds = int64(elapsed / time.Second)
	return p
}

func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return xmlTime(t)
}

// jobStatusNames are the values ListJobs' jobStatuses filter takes.
var jobStatusNames = []string{jobActive, jobCancelled, jobCancelling, jobComplete, jobCompleting, jobFailed, jobFailing, jobNew, jobPaused, jobPausing, jobPreparing, jobReady, jobSuspended}

// Paused and Pausing are statuses of the API the emulator's jobs never
// take.
const (
	jobPaused  = "Paused"
	jobPausing = "Pausing"
)

// maxListJobs is ListJobs' largest page.
const maxListJobs = 1000

func (s *Server) listJobs(w http.ResponseWriter, c *call, account, _ string) error {
	if err := s.authorizeJobs(c, account, enforce.Call{}); err != nil {
		return err
	}
	q := c.r.URL.Query()
	filter := map[string]bool{}
	for _, st := range q["jobStatuses"] {
		if !contains(jobStatusNames, st) {
			return errorf(http.StatusBadRequest, "InvalidRequest", "jobStatuses: %q is not a job status (%s)", st, strings.Join(jobStatusNames, ", "))
		}
		filter[st] = true
	}
	limit := maxListJobs
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxListJobs {
			return errorf(http.StatusBadRequest, "InvalidRequest", "maxResults: %q is not a number from 0 to %d", v, maxListJobs)
		}
		limit = n
	}
	start := 0
	if v := q.Get("nextToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "InvalidRequest", "nextToken: %q is not a token ListJobs returned", v)
		}
		start = n
	}
	type result struct {
		XMLName   xml.Name               `xml:"ListJobsResult"`
		NS        string                 `xml:"xmlns,attr"`
		NextToken string                 `xml:",omitempty"`
		Jobs      []jobListDescriptorXML `xml:"Jobs>member"`
	}
	res := result{NS: s3ControlNS}
	s.jobs.mu.Lock()
	var matched []*batchJob
	for _, job := range s.jobs.accountJobs(account) {
		if len(filter) == 0 || filter[job.status] {
			matched = append(matched, job)
		}
	}
	for i := start; i < len(matched); i++ {
		if len(res.Jobs) == limit {
			res.NextToken = strconv.Itoa(i)
			break
		}
		job := matched[i]
		res.Jobs = append(res.Jobs, jobListDescriptorXML{
			JobId: job.id, Description: job.req.Description, Operation: "S3PutObjectCopy", Priority: job.priority,
			Status: job.status, CreationTime: xmlTime(job.created), TerminationDate: optionalTime(job.terminated),
			ProgressSummary: s.progress(job),
		})
	}
	s.jobs.mu.Unlock()
	return writeS3ControlXML(w, res)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// updateJobStatus confirms a Suspended job (Ready) or cancels a job that
// has not finished (Cancelled); any other change is JobStatusException.
func (s *Server) updateJobStatus(w http.ResponseWriter, c *call, account, id string) error {
	q := c.r.URL.Query()
	requested := q.Get("requestedJobStatus")
	c.params["requestedJobStatus"] = requested
	if err := s.authorizeJobs(c, account, enforce.Call{Resource: s.jobARN(account, id)}); err != nil {
		return err
	}
	if requested != jobReady && requested != jobCancelled {
		return errorf(http.StatusBadRequest, "InvalidRequest", "requestedJobStatus: %q is not Ready or Cancelled", requested)
	}
	job, err := s.lookupJob(account, id)
	if err != nil {
		return err
	}
	j := s.jobs
	j.mu.Lock()
	from := job.status
	switch {
	case requested == jobReady && from == jobSuspended:
		j.setStatus(job, jobReady, s.now())
	case requested == jobCancelled && !terminalJobStatus(from) && from != jobCancelling:
		job.cancel = true
		next := jobCancelled
		if from == jobActive {
			// The runner stops before its next task and writes the
			// report (Cancelling, then Cancelled).
			next = jobCancelling
		}
		j.setStatus(job, next, s.now())
	default:
		j.mu.Unlock()
		return errorf(http.StatusConflict, "JobStatusException", "A job in status %s cannot be moved to status %s", from, requested)
	}
	job.statusReason = q.Get("statusUpdateReason")
	status := job.status
	j.mu.Unlock()
	type result struct {
		XMLName            xml.Name `xml:"UpdateJobStatusResult"`
		NS                 string   `xml:"xmlns,attr"`
		JobId              string
		Status             string
		StatusUpdateReason string `xml:",omitempty"`
	}
	return writeS3ControlXML(w, result{NS: s3ControlNS, JobId: id, Status: status, StatusUpdateReason: q.Get("statusUpdateReason")})
}

func (s *Server) updateJobPriority(w http.ResponseWriter, c *call, account, id string) error {
	v := c.r.URL.Query().Get("priority")
	c.params["priority"] = v
	if err := s.authorizeJobs(c, account, enforce.Call{Resource: s.jobARN(account, id)}); err != nil {
		return err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errorf(http.StatusBadRequest, "InvalidRequest", "priority: %q is not a number from 0 to 2147483647", v)
	}
	job, err := s.lookupJob(account, id)
	if err != nil {
		return err
	}
	s.jobs.mu.Lock()
	job.priority = n
	s.jobs.mu.Unlock()
	type result struct {
		XMLName  xml.Name `xml:"UpdateJobPriorityResult"`
		NS       string   `xml:"xmlns,attr"`
		JobId    string
		Priority int
	}
	return writeS3ControlXML(w, result{NS: s3ControlNS, JobId: id, Priority: n})
}

// errJobRequest is a CreateJob document the emulator refuses: 400
// InvalidRequest naming the element (docs/decisions.md).
func errJobRequest(field, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "InvalidRequest", "%s: %s", field, fmt.Sprintf(format, args...))
}
