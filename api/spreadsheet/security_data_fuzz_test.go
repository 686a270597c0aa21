package spreadsheet

import (
	"bytes"
	"testing"
)

// FuzzScanRuns (issue 12): the .xlsx run scanner refuses a stream exactly when some run of
// bytes between two of '<' and '>' is longer than the limit, whatever the chunking.
func FuzzScanRuns(f *testing.F) {
	f.Add([]byte("<c><t>abc</t></c>"), uint8(3), uint8(2))
	f.Add([]byte("<si><t>AAAAAAAAAA</t></si>"), uint8(5), uint8(1))
	f.Add([]byte("no tags at all"), uint8(20), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, max, chunk uint8) {
		want := false
		run := 0
		for _, b := range data {
			if b == '<' || b == '>' {
				run = 0
				continue
			}
			if run++; run > int(max) {
				want = true
			}
		}
		buf := make([]byte, int(chunk)%64+1)
		err := scanRuns(bytes.NewReader(data), buf, int64(max))
		if (err != nil) != want || (err != nil && !IsLimit(err)) {
			t.Fatalf("max %d: %v, want refused %v", max, err, want)
		}
	})
}
