package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// ListUploadsOptions selects a page of ListUploads. Prefix, Delimiter and
// MaxUploads work as in ListOptions.
type ListUploadsOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker starts the listing after this key; with UploadIDMarker,
	// the uploads of KeyMarker itself whose IDs are greater (initiated
	// later) are listed too. UploadIDMarker without KeyMarker is ignored,
	// as in S3.
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int
}

// ListUploadsResult is one page of ListUploads.
type ListUploadsResult struct {
	Uploads        []Upload
	CommonPrefixes []string
	IsTruncated    bool
	// NextKeyMarker and NextUploadIDMarker, set when the page is
	// truncated, are the markers of the next page: the last upload's key
	// and ID, or the last common prefix and "".
	NextKeyMarker      string
	NextUploadIDMarker string
}

// ListUploads lists the multipart uploads in progress in a bucket, sorted
// by key and, under one key, by initiation (upload IDs sort that way).
// It sorts the bucket's uploads on every call, which is fine for the
// handfuls of uploads in progress a bucket has.
func (s *Store) ListUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (_ ListUploadsResult, err error) {
	defer wrap(&err, "list uploads", bucket, "")
	if err := s.begin(ctx); err != nil {
		return ListUploadsResult{}, err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return ListUploadsResult{}, err
	}
	max := opts.MaxUploads
	if max < 0 {
		max = DefaultMaxKeys
	}
	var res ListUploadsResult
	if max == 0 {
		return res, nil
	}
	b.mu.RLock()
	var us []*upload
	for _, u := range b.uploads {
		if strings.HasPrefix(u.key, opts.Prefix) {
			us = append(us, u)
		}
	}
	b.mu.RUnlock()
	slices.SortFunc(us, func(x, y *upload) int {
		return cmp.Or(strings.Compare(x.key, y.key), strings.Compare(x.id, y.id))
	})

	km, prefix, delim := opts.KeyMarker, opts.Prefix, opts.Delimiter
	skipUnder := "" // a common prefix given as KeyMarker: skip what rolls into it
	if km != "" && strings.HasPrefix(km, prefix) && commonPrefix(km, prefix, delim) == km {
		skipUnder = km
	}
	count := 0
	var lastCP string
	for _, u := range us {
		if km != "" {
			if u.key < km || u.key == km && (opts.UploadIDMarker == "" || u.id <= opts.UploadIDMarker) {
				continue
			}
			if skipUnder != "" && strings.HasPrefix(u.key, skipUnder) {
				continue
			}
		}
		cp := commonPrefix(u.key, prefix, delim)
		if cp != "" && cp == lastCP {
			continue
		}
		if count == max {
			res.IsTruncated = true
			break
		}
		count++
		if cp != "" {
			lastCP = cp
			res.CommonPrefixes = append(res.CommonPrefixes, cp)
			res.NextKeyMarker, res.NextUploadIDMarker = cp, ""
			continue
		}
		res.Uploads = append(res.Uploads, u.info())
		res.NextKeyMarker, res.NextUploadIDMarker = u.key, u.id
	}
	if !res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = "", ""
	}
	return res, nil
}
