package transfer

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Retryer is the retry policy of transfers: the SDK's standard retryer,
// which retries throttling (SlowDown), 5xx answers (InternalError) and
// network errors with exponential backoff and full jitter, given more
// attempts than the default three and no retry quota (a bulk transfer
// that meets a burst of SlowDown must keep retrying each object, not fail
// the rest once a client-wide quota is spent).
func Retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 8
		o.MaxBackoff = 20 * time.Second
		o.RateLimiter = ratelimit.None
	})
}

// NewClient is an S3 client for transfers from cfg: the Retryer, an HTTP
// client that keeps a connection per worker alive, and path-style
// addressing when endpoint is set (an emulator or an S3-compatible
// server), as `aws --endpoint-url` does. optFns apply last.
func NewClient(cfg aws.Config, endpoint string, workers int, optFns ...func(*s3.Options)) *s3.Client {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 2 * workers
		t.MaxIdleConnsPerHost = 2 * workers
	})
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Retryer = Retryer()
		o.HTTPClient = httpClient
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
	}, func(o *s3.Options) {
		for _, f := range optFns {
			f(o)
		}
	})
}
