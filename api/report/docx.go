package report

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// DOCX writes the report as a Word document (Office Open XML), laid out as the zone's
// official documents are: A4, the title in 黑体 二号-ish, the paragraph in 仿宋 三号 with a
// two-character first-line indent, then the same tables as the printable page. Written with
// the standard library: a .docx is a zip of a few XML parts. Every text from the data is
// XML-escaped.
func DOCX(w io.Writer, f *domain.AnnualFigures) error {
	d := &docx{}
	o := f.Overview
	d.title(fmt.Sprintf("%d年招商引资工作情况", f.Year))
	d.meta(f.Zone + " · 统计范围：" + scopeLabel(f))
	for _, p := range Paragraphs(f) {
		d.para(p)
	}

	d.heading("一、各渠道对接与签约")
	rows := [][]string{{"招商渠道", "对接项目（个）", "签约项目（个）", "签约投资"}}
	for _, r := range o.ChannelResults {
		rows = append(rows, []string{r.Label, strconv.Itoa(r.Leads), strconv.Itoa(r.Signed), Amount(r.Investment)})
	}
	rows = append(rows, []string{"合计", strconv.Itoa(o.DockedTotal), strconv.Itoa(o.Signed.Count), Amount(o.Signed.PlannedInvestment)})
	d.table(rows, true)

	if f.Signed.Count > 0 {
		d.heading(fmt.Sprintf("二、新签约落地项目（%d个）", f.Signed.Count))
		rows := [][]string{{"项目名称", "投资主体", "签约日期", "计划总投资"}}
		for _, p := range f.Signed.Projects {
			rows = append(rows, []string{p.Name, p.Investor, p.SignedAt.Chinese(), Amount(p.PlannedInvestment)})
		}
		d.table(rows, false)
	}
	if f.IntendedHeavy.Count > 0 {
		d.heading(fmt.Sprintf("三、有意向入驻的重资产类项目（%d个）", f.IntendedHeavy.Count))
		rows := [][]string{{"项目名称", "阶段", "计划投资", "占地（亩）"}}
		for _, p := range f.IntendedHeavy.Projects {
			land := ""
			if p.LandArea != 0 {
				land = p.LandArea.Mu()
			}
			rows = append(rows, []string{p.Name, p.Stage.Label(), Amount(p.PlannedInvestment), land})
		}
		d.table(rows, false)
	}
	if f.IntendedLight.Count > 0 {
		d.heading(fmt.Sprintf("四、有意向入驻科创园轻资产项目（%d个）", f.IntendedLight.Count))
		rows := [][]string{{"项目名称", "阶段", "计划投资"}}
		for _, p := range f.IntendedLight.Projects {
			rows = append(rows, []string{p.Name, p.Stage.Label(), Amount(p.PlannedInvestment)})
		}
		d.table(rows, false)
	}

	d.heading(fmt.Sprintf("附：%d年对接项目所处阶段", f.Year))
	rows = [][]string{{"阶段", "目前处于该阶段（个）", "曾到达该阶段（个）"}}
	for _, st := range domain.Stages {
		rows = append(rows, []string{st.Label(), strconv.Itoa(o.ByStage[string(st)]), strconv.Itoa(o.Conversion[string(st)])})
	}
	d.table(rows, false)
	d.note(fmt.Sprintf("计划投资（计入本年）%s；本年到资%s。外出招商%d次，举办推介会%d次，活动中对接项目%d个。",
		Amount(o.Investment.Planned), Amount(o.Investment.Realised), o.Campaigns.Trips, o.Campaigns.Conferences, o.Campaigns.ProjectsDocked))
	return d.write(w, fmt.Sprintf("%d年招商引资工作情况", f.Year))
}

// scopeLabel says what the figures cover, as the printable page does.
func scopeLabel(f *domain.AnnualFigures) string {
	switch f.Scope {
	case "chains":
		return "产业链：" + strings.Join(f.Chains, "、")
	case "submitted":
		return "本机构报送的项目"
	}
	return "全区"
}

// docx accumulates the body of word/document.xml.
type docx struct{ body strings.Builder }

// Fonts and sizes (half-points): 黑体 for headings, 仿宋 for text, as official documents.
const (
	fontHei  = `<w:rFonts w:ascii="SimHei" w:hAnsi="SimHei" w:eastAsia="黑体"/>`
	fontFang = `<w:rFonts w:ascii="FangSong" w:hAnsi="FangSong" w:eastAsia="仿宋"/>`
)

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (d *docx) run(text, font string, size int, bold bool) {
	d.body.WriteString(`<w:r><w:rPr>` + font)
	if bold {
		d.body.WriteString(`<w:b/>`)
	}
	fmt.Fprintf(&d.body, `<w:sz w:val="%d"/><w:szCs w:val="%d"/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, size, size, esc(text))
}

func (d *docx) title(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="120"/></w:pPr>`)
	d.run(s, fontHei, 40, false)
	d.body.WriteString(`</w:p>`)
}

func (d *docx) meta(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="360"/></w:pPr>`)
	d.run(s, fontFang, 22, false)
	d.body.WriteString(`</w:p>`)
}

// para is body text: 仿宋 三号 (16 pt), first line indented by two characters, justified,
// fixed 28 pt line spacing as official documents use.
func (d *docx) para(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:spacing w:line="560" w:lineRule="exact"/><w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr>`)
	d.run(s, fontFang, 32, false)
	d.body.WriteString(`</w:p>`)
}

func (d *docx) heading(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/></w:pPr>`)
	d.run(s, fontHei, 28, false)
	d.body.WriteString(`</w:p>`)
}

func (d *docx) note(s string) {
	d.body.WriteString(`<w:p><w:pPr><w:spacing w:before="240"/></w:pPr>`)
	d.run(s, fontFang, 22, false)
	d.body.WriteString(`</w:p>`)
}

// table writes rows with a header row repeated on each page; numbers (every column but the
// first) are right-aligned; with total, the last row is bold.
func (d *docx) table(rows [][]string, total bool) {
	const width = 9000 // twentieths of a point: the A4 text width with 2 cm margins, about
	cols := len(rows[0])
	first := width * 2 / (cols + 1)
	rest := (width - first) / max(cols-1, 1)
	d.body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		fmt.Fprintf(&d.body, `<w:%s w:val="single" w:sz="4" w:space="0" w:color="666666"/>`, side)
	}
	d.body.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for c := range cols {
		fmt.Fprintf(&d.body, `<w:gridCol w:w="%d"/>`, map[bool]int{true: first, false: rest}[c == 0])
	}
	d.body.WriteString(`</w:tblGrid>`)
	for i, row := range rows {
		header := i == 0
		bold := header || (total && i == len(rows)-1)
		d.body.WriteString(`<w:tr><w:trPr><w:cantSplit/>`)
		if header {
			d.body.WriteString(`<w:tblHeader/>`)
		}
		d.body.WriteString(`</w:trPr>`)
		for c := range cols {
			cell := ""
			if c < len(row) {
				cell = row[c]
			}
			w := rest
			if c == 0 {
				w = first
			}
			fmt.Fprintf(&d.body, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, w)
			if header {
				d.body.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="EEEEEE"/>`)
			}
			d.body.WriteString(`</w:tcPr><w:p><w:pPr><w:spacing w:before="40" w:after="40"/>`)
			switch {
			case header:
				d.body.WriteString(`<w:jc w:val="center"/>`)
			case c > 0:
				d.body.WriteString(`<w:jc w:val="right"/>`)
			}
			d.body.WriteString(`</w:pPr>`)
			d.run(cell, fontFang, 21, bold)
			d.body.WriteString(`</w:p></w:tc>`)
		}
		d.body.WriteString(`</w:tr>`)
	}
	d.body.WriteString(`</w:tbl>`)
}

// write zips the parts a word processor needs: content types, the package relationship,
// the document (A4 portrait, 2.2 cm top and bottom, 2 cm sides) and its core properties.
func (d *docx) write(w io.Writer, title string) error {
	z := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
			`</Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`</Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
			`<dc:title>` + esc(title) + `</dc:title><dc:creator>chaincrm</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			d.body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1247" w:right="1134" w:bottom="1247" w:left="1134" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>` +
			`</w:body></w:document>`},
	}
	for _, p := range parts {
		fw, err := z.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, p.body); err != nil {
			return err
		}
	}
	return z.Close()
}
