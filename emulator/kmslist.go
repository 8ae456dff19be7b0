package emulator

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/lockstep-dev/lockstep/enforce"
)

// ListKeys page sizes (KMS API reference, ListKeys: "Limit ... between 1
// and 1000, inclusive. If you do not include a value, it defaults to
// 100").
const (
	defaultKeyLimit = 100
	maxKeyLimit     = 1000
)

// kmsListKeys lists the keys of the caller's account: its customer
// managed keys and its AWS managed key for S3, in key ID order, a page of
// Limit at a time; NextMarker is the last key ID of the page.
func (s *Server) kmsListKeys(w http.ResponseWriter, c *call, body []byte) error {
	var in struct {
		Limit  *int
		Marker string
	}
	if err := decodeKMS(body, &in); err != nil {
		return err
	}
	limit := defaultKeyLimit
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > maxKeyLimit {
			return errKMSValidation("limit", strconv.Itoa(*in.Limit), "Member must have value between 1 and 1000")
		}
		limit = *in.Limit
	}
	if err := s.authorizeAPI(c, enforce.Call{}); err != nil {
		return err
	}
	type keyEntry struct {
		KeyId  string
		KeyArn string
	}
	var all []keyEntry
	if a := s.state.world().Account(c.principal.Account); a != nil {
		for _, k := range a.Keys {
			all = append(all, keyEntry{KeyId: k.ID, KeyArn: k.ARN})
		}
		if k := a.S3Key; k != nil {
			all = append(all, keyEntry{KeyId: k.ID, KeyArn: k.ARN})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].KeyId < all[j].KeyId })
	start := 0
	if in.Marker != "" {
		start = sort.Search(len(all), func(i int) bool { return all[i].KeyId > in.Marker })
		if start == 0 || all[start-1].KeyId != in.Marker {
			return errorf(http.StatusBadRequest, "InvalidMarkerException", "The marker %q is not one ListKeys returned", in.Marker)
		}
	}
	out := struct {
		Keys       []keyEntry
		Truncated  bool
		NextMarker string `json:",omitempty"`
	}{Keys: []keyEntry{}}
	end := min(start+limit, len(all))
	out.Keys = append(out.Keys, all[start:end]...)
	if end < len(all) {
		out.Truncated = true
		out.NextMarker = all[end-1].KeyId
	}
	return writeKMSResponse(w, c, out)
}
