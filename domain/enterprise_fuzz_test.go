package domain

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalizeEnterpriseName: the key is stable (normalising a key gives the key), never
// longer than the name, and valid text.
func FuzzNormalizeEnterpriseName(f *testing.F) {
	for _, s := range []string{"同光晶体（河北）有限公司", "河北省保定市长城汽车零部件有限公司", "Huawei Technologies Co., Ltd.",
		"（集团）", "((河北))", "【示例】某冷链物流企业（01）", ")(", "内蒙古自治区伊利实业集团股份有限公司", "中国(中国)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			return
		}
		k := NormalizeEnterpriseName(name)
		if !utf8.ValidString(k) {
			t.Fatalf("%q → invalid UTF-8 %q", name, k)
		}
		if again := NormalizeEnterpriseName(k); again != k {
			t.Fatalf("not stable: %q → %q → %q", name, k, again)
		}
		if strings.ContainsAny(k, " ()（）") {
			t.Fatalf("%q → %q keeps spaces or brackets", name, k)
		}
	})
}

// FuzzSniffFileType: any bytes are either one of the accepted types or EUNSUPPORTED, never a panic.
func FuzzSniffFileType(f *testing.F) {
	f.Add([]byte("%PDF-1.7"))
	f.Add([]byte("PK\x03\x04\x14\x00"))
	f.Add([]byte("<svg/>"))
	f.Add([]byte("涞源"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct, err := SniffFileType(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if ErrorCode(err) != EUNSUPPORTED {
				t.Fatalf("%q: %v", data, err)
			}
			return
		}
		if TypeExtension[ct] == "" {
			t.Fatalf("%q: unknown type %q", data, ct)
		}
	})
}

// FuzzSafeFileName: a stored display name has no path and no control characters.
func FuzzSafeFileName(f *testing.F) {
	f.Add("../../etc/passwd", TypePDF)
	f.Add(`C:\a\b.docx`, TypeDOCX)
	f.Fuzz(func(t *testing.T, name, ct string) {
		out := SafeFileName(name, ct)
		if out == "" || strings.ContainsAny(out, "/\\\x00") || out == "." || out == ".." || utf8.RuneCountInString(out) > 120 {
			t.Fatalf("%q → %q", name, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("%q → %q has a control character", name, out)
			}
		}
	})
}
