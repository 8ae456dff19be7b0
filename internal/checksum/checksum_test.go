package checksum

import (
	"encoding/hex"
	"hash/crc64"
	"math/rand/v2"
	"strings"
	"testing"
)

// The standard check values: the CRC of "123456789".
func TestCheckValues(t *testing.T) {
	for _, tc := range []struct {
		alg  Algorithm
		want string
	}{
		{CRC32, "cbf43926"},
		{CRC32C, "e3069283"},
		{CRC64NVME, "ae8b14860a799888"},
		{SHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{SHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
	} {
		h := New(tc.alg)
		h.Write([]byte("123456789"))
		if got := hex.EncodeToString(h.Sum(nil)); got != tc.want {
			t.Errorf("%v(123456789) = %s, want %s", tc.alg, got, tc.want)
		}
	}
}

// The slicing-by-8 CRC64NVME agrees with hash/crc64 on the NVMe
// polynomial, at every length around the 8-byte steps.
func TestCRC64NVMEMatchesHashCRC64(t *testing.T) {
	table := crc64.MakeTable(polyCRC64NVME)
	data := make([]byte, 100)
	for i := range data {
		data[i] = byte(i*7 + 3)
	}
	for n := range len(data) {
		want := crc64.Checksum(data[:n], table)
		if got := UpdateCRC64NVME(0, data[:n]); got != want {
			t.Fatalf("len %d: %x, want %x", n, got, want)
		}
		split := UpdateCRC64NVME(UpdateCRC64NVME(0, data[:n/2]), data[n/2:n])
		if split != want {
			t.Fatalf("len %d split: %x, want %x", n, split, want)
		}
	}
}

func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300000)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, alg := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		for _, cut := range [][2]int{{0, 0}, {0, 10}, {10, 0}, {1, 1}, {5, 1000}, {100000, 200000}, {299999, 1}} {
			a, b := data[:cut[0]], data[cut[0]:cut[0]+cut[1]]
			ha, hb, hw := New(alg), New(alg), New(alg)
			ha.Write(a)
			hb.Write(b)
			hw.Write(data[:cut[0]+cut[1]])
			got, ok := Combine(alg, ha.Sum(nil), hb.Sum(nil), int64(len(b)))
			if !ok || hex.EncodeToString(got) != hex.EncodeToString(hw.Sum(nil)) {
				t.Errorf("%v %v: Combine = %x, %v; want %x", alg, cut, got, ok, hw.Sum(nil))
			}
		}
	}
	if _, ok := Combine(SHA256, make([]byte, 32), make([]byte, 32), 1); ok {
		t.Error("Combine(SHA256) ok")
	}
}

func TestCompositeAndParse(t *testing.T) {
	p1, p2 := New(CRC32), New(CRC32)
	p1.Write([]byte("a"))
	p2.Write([]byte("b"))
	h := New(CRC32)
	h.Write(p1.Sum(nil))
	h.Write(p2.Sum(nil))
	want := h.Base64() + "-2"
	if got := CompositeSum(CRC32, [][]byte{p1.Sum(nil), p2.Sum(nil)}); got != want {
		t.Errorf("Composite = %s, want %s", got, want)
	}
	for _, a := range All {
		if Parse(strings.ToLower(a.String())) != a {
			t.Errorf("Parse(%v) fails", a)
		}
		sum := New(a).Sum(nil)
		if got, ok := Decode(a, Encode(sum)); !ok || string(got) != string(sum) {
			t.Errorf("Decode(Encode) %v", a)
		}
	}
	if Parse("MD5") != None {
		t.Error("Parse(MD5) != None")
	}
}

// BenchmarkHasher measures each algorithm over 1 MiB writes: the cost the
// emulator adds to an upload it hashes for S3's default checksum.
func BenchmarkHasher(b *testing.B) {
	buf := make([]byte, 1<<20)
	for _, alg := range All {
		b.Run(alg.String(), func(b *testing.B) {
			h := New(alg)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				h.Write(buf)
			}
		})
	}
}
