package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// docxText unzips a .docx, checks every part is well-formed XML and returns the text of
// word/document.xml with paragraphs on lines and table cells separated by " | ".
func docxText(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	need := map[string]bool{"[Content_Types].xml": true, "_rels/.rels": true, "word/document.xml": true, "docProps/core.xml": true}
	var text strings.Builder
	for _, f := range z.File {
		delete(need, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(r)
		inCell := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
			}
			if f.Name != "word/document.xml" {
				continue
			}
			switch v := tok.(type) {
			case xml.StartElement:
				if v.Name.Local == "tc" {
					inCell = true
				}
			case xml.EndElement:
				switch {
				case v.Name.Local == "tc":
					inCell = false
					text.WriteString(" | ")
				case v.Name.Local == "tr", v.Name.Local == "p" && !inCell:
					text.WriteString("\n")
				}
			case xml.CharData:
				text.Write(v)
			}
		}
		r.Close()
	}
	if len(need) > 0 {
		t.Fatalf("parts missing: %v", need)
	}
	return text.String()
}

func TestDOCXHoldsTheReport(t *testing.T) {
	f := figures()
	f.Overview.ChannelResults = []domain.SourceResult{{Label: "以商招商", Leads: 2, Signed: 1, Investment: wan("38000")}}
	f.Overview.Signed = domain.SignedFigures{Count: 1, PlannedInvestment: wan("38000")}
	f.Signed = domain.ReportList{Count: 1, Projects: []*domain.ReportProject{{Name: "誉柯防水建材<生产>项目", Investor: "A&B 有限公司",
		PlannedInvestment: wan("38000"), SignedAt: domain.MustDate("2030-06-01")}}}
	f.IntendedHeavy = domain.ReportList{Count: 1, Projects: []*domain.ReportProject{{Name: "重甲", Stage: domain.StageRisk, PlannedInvestment: wan("80000"), LandArea: 20000}}}
	var buf bytes.Buffer
	if err := DOCX(&buf, f); err != nil {
		t.Fatal(err)
	}
	got := docxText(t, buf.Bytes())
	for _, want := range []string{
		"2030年招商引资工作情况\n", "测试区 · 统计范围：全区\n", Text(f) + "\n",
		"一、各渠道对接与签约\n", "招商渠道 | 对接项目（个） | 签约项目（个） | 签约投资 | \n",
		"以商招商 | 2 | 1 | 3.8亿元 | \n", "合计 | 3 | 1 | 3.8亿元 | \n",
		"二、新签约落地项目（1个）\n", "誉柯防水建材<生产>项目 | A&B 有限公司 | 2030年6月1日 | 3.8亿元 | \n",
		"三、有意向入驻的重资产类项目（1个）\n", "重甲 | 风险评估 | 8亿元 | 200 | \n",
		"附：2030年对接项目所处阶段\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "四、") {
		t.Errorf("a section without projects is written:\n%s", got)
	}
	if !bytes.Contains(buf.Bytes(), []byte("word/document.xml")) {
		t.Fatal("no document part")
	}
}
