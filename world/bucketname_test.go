package world

import "testing"

// TestValidBucketName: S3's naming rules for general purpose buckets,
// shared by the world file and the emulator's CreateBucket.
func TestValidBucketName(t *testing.T) {
	for name, want := range map[string]bool{
		"kazue-sync-source": true, "a.b-c": true, "abc": true, "123": true,
		"ab": false, "Upper": false, "a..b": false, "a.-b": false, "a-.b": false, "-ab": false, "ab-": false,
		"192.168.1.1": false, "xn--abc": false, "sthree-abc": false, "abc-s3alias": false, "under_score": false,
		"a23456789012345678901234567890123456789012345678901234567890123":  true,
		"a234567890123456789012345678901234567890123456789012345678901234": false,
	} {
		if got := ValidBucketName(name); got != want {
			t.Errorf("ValidBucketName(%q) = %v, want %v", name, got, want)
		}
	}
}
