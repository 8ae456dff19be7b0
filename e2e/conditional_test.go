package e2e

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// TestBoto3ConditionalWrites: boto3 threads racing as compare-and-swap
// users do (Terraform's S3 lock file, Delta and Iceberg commits): one
// PutObject If-None-Match: * wins the lock and the others get 412; a
// counter incremented with If-Match loses no update; of uploads completed
// at once with If-None-Match: * one wins (docs/emulator.md "Write
// guarantees and request semantics").
func TestBoto3ConditionalWrites(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Skipf("boto3 is not installed: %s", out)
	}
	srv := startServer(t, nil)
	script := `
import json, sys, threading, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
ep = sys.argv[1]
def client():
    return boto3.session.Session().client("s3", endpoint_url=ep, config=Config(signature_version="s3v4",
        s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
s3 = client()
s3.create_bucket(Bucket="cas-e2e")
N = 8
out = {"lock": [], "counter": None, "complete": []}
clients = [client() for _ in range(N)]
barrier = threading.Barrier(N)
def code(e):
    return "%s %s" % (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])

def lock(i):
    barrier.wait()
    try:
        clients[i].put_object(Bucket="cas-e2e", Key="state.tflock", Body=b"holder %d" % i, IfNoneMatch="*")
        out["lock"].append("won %d" % i)
    except ClientError as e:
        out["lock"].append(code(e))

def increment(i):
    c = clients[i]
    done = 0
    while done < 5:
        got = c.get_object(Bucket="cas-e2e", Key="counter")
        n = int(got["Body"].read())
        try:
            c.put_object(Bucket="cas-e2e", Key="counter", Body=b"%d" % (n + 1), IfMatch=got["ETag"])
            done += 1
        except ClientError as e:
            if code(e) not in ("412 PreconditionFailed", "409 ConditionalRequestConflict"):
                raise

uploads = []
for i in range(N):
    u = s3.create_multipart_upload(Bucket="cas-e2e", Key="big")["UploadId"]
    p = s3.upload_part(Bucket="cas-e2e", Key="big", UploadId=u, PartNumber=1, Body=b"upload %d" % i)
    uploads.append((u, p["ETag"]))

def complete(i):
    u, etag = uploads[i]
    barrier.wait()
    try:
        clients[i].complete_multipart_upload(Bucket="cas-e2e", Key="big", UploadId=u, IfNoneMatch="*",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        out["complete"].append("won %d" % i)
    except ClientError as e:
        out["complete"].append(code(e))

def race(fn):
    ts = [threading.Thread(target=fn, args=(i,)) for i in range(N)]
    for t in ts: t.start()
    for t in ts: t.join()

race(lock)
out["lock_body"] = s3.get_object(Bucket="cas-e2e", Key="state.tflock")["Body"].read().decode()
s3.put_object(Bucket="cas-e2e", Key="counter", Body=b"0")
race(increment)
out["counter"] = int(s3.get_object(Bucket="cas-e2e", Key="counter")["Body"].read())
race(complete)
out["big_body"] = s3.get_object(Bucket="cas-e2e", Key="big")["Body"].read().decode()
print(json.dumps(out))
`
	r := run(t, env(t, admin, srv.Region()), t.TempDir(), py, "-c", script, srv.Endpoint())
	if r.err != nil {
		t.Fatalf("boto3: %v", r)
	}
	var got struct {
		Lock     []string `json:"lock"`
		LockBody string   `json:"lock_body"`
		Counter  int      `json:"counter"`
		Complete []string `json:"complete"`
		BigBody  string   `json:"big_body"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("script output %q: %v", r.stdout, err)
	}
	oneWinner := func(what string, results []string, body, bodyPrefix string) {
		t.Helper()
		winners := 0
		for _, res := range results {
			switch {
			case len(res) > 4 && res[:4] == "won ":
				winners++
				if want := bodyPrefix + res[4:]; body != want {
					t.Errorf("%s: the object holds %q, want the winner's %q", what, body, want)
				}
			case res == "412 PreconditionFailed", res == "409 ConditionalRequestConflict":
			default:
				t.Errorf("%s: a loser got %q, want 412 PreconditionFailed or 409 ConditionalRequestConflict", what, res)
			}
		}
		if winners != 1 || len(results) != 8 {
			t.Errorf("%s: %d winners of %d writers (%q), want exactly 1", what, winners, len(results), results)
		}
	}
	oneWinner("lock", got.Lock, got.LockBody, "holder ")
	oneWinner("CompleteMultipartUpload", got.Complete, got.BigBody, "upload ")
	if got.Counter != 8*5 {
		t.Errorf("counter = %d after 8 writers each added 5 with If-Match, want 40: an update was lost", got.Counter)
	}
}
