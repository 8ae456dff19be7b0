// Command fill writes many empty objects straight into the data directory
// of a stopped `lockstep serve --data DIR`, through the public store
// package: the 1,000,000 listed objects of bench/sync.sh, which would take
// far longer to PUT through HTTP. The bucket is created when missing,
// owned by -owner; the server's world file then gives it its
// configuration, as for any bucket of the world already in the store.
//
//	go run ./bench/fill -data DIR -bucket sync-list -prefix list/ -n 1000000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/lockstep-dev/lockstep/store"
)

func main() {
	dir := flag.String("data", "", "the `DIR` of lockstep serve --data (the server must be stopped)")
	bucket := flag.String("bucket", "sync-list", "the `BUCKET` to fill")
	prefix := flag.String("prefix", "list/", "the key `PREFIX` of the objects")
	n := flag.Int("n", 1_000_000, "the number of objects")
	owner := flag.String("owner", "111111111111", "the account `ID` owning the bucket and the objects")
	region := flag.String("region", "us-east-1", "the `REGION` of the bucket")
	flag.Parse()
	if *dir == "" || *n <= 0 {
		fmt.Fprintln(os.Stderr, "fill: -data DIR and a positive -n are required")
		os.Exit(2)
	}
	if err := fill(context.Background(), *dir, *bucket, *prefix, *owner, *region, *n); err != nil {
		fmt.Fprintln(os.Stderr, "fill:", err)
		os.Exit(1)
	}
}

// fill puts n empty objects named prefix + a zero-padded number into
// bucket, in parallel, without fsync (a benchmark's throwaway store).
func fill(ctx context.Context, dir, bucket, prefix, owner, region string, n int) error {
	s, err := store.Open(ctx, dir, store.Options{NoSync: true})
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer s.Close()
	now := time.Now().UTC()
	err = s.CreateBucket(ctx, bucket, store.BucketMeta{Owner: owner, Region: region, Created: now})
	if err != nil && !errors.Is(err, store.ErrBucketExists) {
		return fmt.Errorf("creating the bucket %s: %w", bucket, err)
	}
	width := len(fmt.Sprint(n - 1))
	g, ctx := errgroup.WithContext(ctx)
	workers := 2 * runtime.GOMAXPROCS(0)
	for w := range workers {
		g.Go(func() error {
			meta := store.ObjectMeta{Owner: owner, LastModified: now}
			for i := w; i < n; i += workers {
				key := fmt.Sprintf("%s%0*d", prefix, width, i)
				if _, err := s.Put(ctx, bucket, key, strings.NewReader(""), meta, nil); err != nil {
					return fmt.Errorf("putting %s: %w", key, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}
