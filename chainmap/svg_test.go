package chainmap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// parsedSVG is what the tests read back from a rendered map.
type parsedSVG struct {
	width, height, viewBox string
	pages                  int
	nodes                  map[int64]*parsedNode
	order                  []int64
	texts                  []parsedText // outside node boxes: header, legend, column heads, footer
	colHeads               []rect
	edgesTo                map[int64]bool
}

type rect struct{ x, y, w, h float64 }

func (a rect) overlaps(b rect) bool {
	return a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h
}

type parsedNode struct {
	id      int64
	status  string
	title   string
	box     rect
	name    string       // the name text, tspans joined
	lines   []parsedText // every line drawn in the box
	caption string
}

type parsedText struct {
	class  string
	anchor string
	x, y   float64
	text   string
}

var textSizes = map[string]struct {
	size float64
	bold bool
}{
	"title": {26, true}, "sub": {13, false}, "stats": {11, false}, "leg": {10.5, false},
	"colh": {14, true}, "foot": {9, false}, "empty": {13, false},
	"nm": {13, true}, "mt": {10.5, false}, "dt": {10.5, false}, "cap": {10.5, false},
}

// bounds is the text's box: baseline minus the ascent, the estimated width, anchor applied.
func (t parsedText) bounds() rect {
	s := textSizes[t.class]
	w := textWidth(strings.TrimRight(t.text, " "), s.size, s.bold)
	x := t.x
	switch t.anchor {
	case "end":
		x -= w
	case "middle":
		x -= w / 2
	}
	return rect{x, t.y - s.size, w, s.size * 1.2}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// parseSVG reads the SVG with encoding/xml (so it must be well-formed) and collects nodes,
// their texts and the page furniture.
func parseSVG(t *testing.T, svg []byte) *parsedSVG {
	t.Helper()
	p := &parsedSVG{nodes: map[int64]*parsedNode{}, edgesTo: map[int64]bool{}}
	d := xml.NewDecoder(bytes.NewReader(svg))
	var cur *parsedNode
	var text *parsedText
	var inTitle bool
	var depth, nodeDepth int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			depth++
			switch el.Name.Local {
			case "svg":
				p.width, p.height, p.viewBox = attr(el, "width"), attr(el, "height"), attr(el, "viewBox")
				p.pages, _ = strconv.Atoi(attr(el, "data-pages"))
			case "g":
				if strings.HasPrefix(attr(el, "class"), "node ") {
					id, _ := strconv.ParseInt(attr(el, "data-node-id"), 10, 64)
					cur = &parsedNode{id: id, status: attr(el, "data-status")}
					p.nodes[id] = cur
					p.order = append(p.order, id)
					nodeDepth = depth
				}
			case "title":
				inTitle = cur != nil
			case "rect":
				r := rect{num(t, attr(el, "x")), num(t, attr(el, "y")), num(t, attr(el, "width")), num(t, attr(el, "height"))}
				if cur != nil && attr(el, "class") == "box" {
					cur.box = r
				}
				if attr(el, "class") == "colhead" {
					p.colHeads = append(p.colHeads, r)
				}
			case "path":
				if to := attr(el, "data-to"); to != "" {
					id, _ := strconv.ParseInt(to, 10, 64)
					p.edgesTo[id] = true
				}
			case "text":
				text = &parsedText{class: attr(el, "class"), anchor: attr(el, "text-anchor"), x: num(t, attr(el, "x")), y: num(t, attr(el, "y"))}
			case "tspan":
				if text == nil {
					t.Fatal("tspan outside text")
				}
				if xs := attr(el, "x"); xs != "" { // a new line
					if cur != nil {
						cur.lines = append(cur.lines, *text)
					}
					text.x = num(t, xs)
					text.y += num(t, attr(el, "dy"))
					text.text = ""
				}
			}
		case xml.CharData:
			switch {
			case inTitle:
				cur.title += string(el)
			case text != nil:
				text.text += string(el)
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "title":
				inTitle = false
			case "text":
				if cur != nil {
					cur.lines = append(cur.lines, *text)
					switch text.class {
					case "nm":
						for _, l := range cur.lines {
							if l.class == "nm" {
								cur.name += l.text
							}
						}
					case "cap":
						cur.caption = text.text
					}
				} else {
					p.texts = append(p.texts, *text)
				}
				text = nil
			case "g":
				if cur != nil && depth == nodeDepth {
					cur = nil
				}
			}
			depth--
		}
	}
	return p
}

// checkLayout asserts what a printed map must guarantee: A4 landscape pages, every node
// drawn once with its full name, no two boxes overlapping, every line of text inside its
// box, boxes below the column heads and inside their page, header texts not overlapping,
// and every child connected to its parent by an edge or a caption.
func checkLayout(t *testing.T, m *Map, svg []byte) *parsedSVG {
	t.Helper()
	p := parseSVG(t, svg)
	if p.pages < 1 {
		t.Fatalf("pages = %d", p.pages)
	}
	if p.width != "297mm" || p.height != fmt.Sprintf("%dmm", 210*p.pages) {
		t.Errorf("size = %s × %s for %d pages, want 297mm × %dmm", p.width, p.height, p.pages, 210*p.pages)
	}
	if want := fmt.Sprintf("0 0 1188 %d", 840*p.pages); p.viewBox != want {
		t.Errorf("viewBox = %q, want %q (297:210 per page)", p.viewBox, want)
	}
	if len(p.nodes) != len(m.Nodes) {
		t.Fatalf("drawn %d nodes, map has %d", len(p.nodes), len(m.Nodes))
	}
	for _, n := range m.Nodes {
		pn := p.nodes[n.ID]
		if pn == nil {
			t.Fatalf("node %d %q not drawn", n.ID, n.Name)
		}
		want := cleanText(n.Name)
		if pn.name != want && !strings.HasSuffix(pn.name, "…") {
			t.Errorf("node %d name drawn as %q, want %q", n.ID, pn.name, want)
		}
		if pn.title != want {
			t.Errorf("node %d title %q, want %q", n.ID, pn.title, want)
		}
		if pn.status != string(n.Status) {
			t.Errorf("node %d status %q", n.ID, pn.status)
		}
		if n.ParentID != nil && !p.edgesTo[n.ID] && !strings.HasPrefix(pn.caption, "上级：") {
			t.Errorf("node %q has neither an edge nor a caption to its parent", n.Name)
		}
	}
	// No two boxes overlap (sweep by y to keep 500 nodes quick).
	boxes := make([]*parsedNode, 0, len(p.nodes))
	for _, id := range p.order {
		boxes = append(boxes, p.nodes[id])
	}
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if a.box.overlaps(b.box) {
				t.Fatalf("boxes overlap: %q %+v and %q %+v", a.title, a.box, b.title, b.box)
			}
		}
	}
	for _, pn := range boxes {
		page := int(pn.box.y / pageH)
		top, bottom := float64(page)*pageH, float64(page+1)*pageH
		if pn.box.y < top+margin || pn.box.y+pn.box.h > bottom-margin || pn.box.x < margin || pn.box.x+pn.box.w > pageW-margin {
			t.Errorf("box %q %+v leaves page %d", pn.title, pn.box, page+1)
		}
		for _, ch := range p.colHeads {
			if ch.y >= top && ch.y < bottom && pn.box.y < ch.y+ch.h {
				t.Errorf("box %q %+v above the column heads", pn.title, pn.box)
			}
		}
		for _, l := range pn.lines {
			b := l.bounds()
			if b.x < pn.box.x || b.x+b.w > pn.box.x+pn.box.w-padX/2 || b.y < pn.box.y || b.y+b.h > pn.box.y+pn.box.h+1 {
				t.Errorf("text %q (%s) %+v outside its box %+v", l.text, l.class, b, pn.box)
			}
		}
	}
	// Header, legend, column heads and footer texts do not overlap each other or leave the page.
	for i, a := range p.texts {
		ba := a.bounds()
		if ba.x < margin-1 || ba.x+ba.w > pageW-margin+1 {
			t.Errorf("text %q %+v leaves the page", a.text, ba)
		}
		for _, b := range p.texts[i+1:] {
			if ba.overlaps(b.bounds()) {
				t.Errorf("texts overlap: %q %+v and %q %+v", a.text, ba, b.text, b.bounds())
			}
		}
		for _, pn := range boxes {
			if ba.overlaps(pn.box) {
				t.Errorf("text %q overlaps box %q", a.text, pn.title)
			}
		}
	}
	return p
}

func TestRenderSVGLayout(t *testing.T) {
	tests := []struct {
		name     string
		in       Input
		maxPages int
	}{
		{"3 nodes", synthetic(3, 10, 5), 1},
		{"demo semiconductor chain", semiconductorFixture().input(), 1},
		{"50 nodes", synthetic(50, 300, 100), 2},
		{"500 nodes", synthetic(500, 5000, 2000), 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Build(tt.in, DefaultThresholds())
			svg := RenderSVG(m, SVGOptions{})
			p := checkLayout(t, m, svg)
			if p.pages > tt.maxPages {
				t.Errorf("%d pages, want at most %d", p.pages, tt.maxPages)
			}
			t.Logf("%d nodes → %d page(s), %d KiB", len(m.Nodes), p.pages, len(svg)/1024)
		})
	}
}

func TestRenderSVGEveryDemoChain(t *testing.T) {
	for code, nodes := range DemoNodes {
		t.Run(code, func(t *testing.T) {
			f := newFixture()
			f.chain.Code, f.chain.Name = code, code
			names := map[string]string{}
			for i, d := range nodes {
				names[d.Key] = d.Name
				f.node(d.Name, domain.Segment(d.Segment), names[d.Parent], i)
			}
			m := Build(f.input(), DefaultThresholds())
			p := checkLayout(t, m, RenderSVG(m, SVGOptions{}))
			if p.pages != 1 {
				t.Errorf("a demo chain takes %d pages", p.pages)
			}
		})
	}
}

func TestRenderSVGHeader(t *testing.T) {
	m := Build(semiconductorFixture().input(), DefaultThresholds())
	svg := string(RenderSVG(m, SVGOptions{}))
	for _, want := range []string{"第三代半导体产业链招商地图", "链长：王链长", "日期：2023年1月16日", "上游（", "中游（", "下游（",
		"强链（区内企业≥2家）", "补链（区内企业1家）", "缺链（无区内企业）", "链主企业：同光晶体"} {
		if !strings.Contains(svg, want) {
			t.Errorf("header lacks %q", want)
		}
	}
	// An image to screen readers, named by its title.
	if !strings.Contains(svg, `role="img" aria-labelledby="map-title">`) || !strings.Contains(svg, `<title id="map-title">第三代半导体产业链招商地图</title>`) {
		t.Errorf("the svg is not an image named by its title: %.300s", svg)
	}
	svg = string(RenderSVG(m, SVGOptions{Title: "半导体链招商图", Chief: "张县长", Date: domain.NewDate(2023, 2, 1)}))
	for _, want := range []string{"半导体链招商图", "链长：张县长", "日期：2023年2月1日"} {
		if !strings.Contains(svg, want) {
			t.Errorf("options not applied: lacks %q", want)
		}
	}
	// Colours by status.
	for status, colour := range map[Status]string{StatusStrong: "#2e7d32", StatusWeak: "#f9a825", StatusMissing: "#c62828"} {
		re := regexp.MustCompile(`<g class="node ` + string(status) + `"[^>]*><title>[^<]*</title><rect class="box"[^>]*stroke="` + colour + `"`)
		if !re.MatchString(svg) {
			t.Errorf("no %s box stroked %s", status, colour)
		}
	}
	if !strings.Contains(svg, `stroke-dasharray="5 3"`) {
		t.Error("gaps being filled are not dashed")
	}
}

func TestRenderSVGEscapes(t *testing.T) {
	f := newFixture()
	f.chain.Name = `R&D <"链">`
	f.chain.Chief.DisplayName = "O'Brien & 张"
	names := []string{`A&B <外延> "片"`, "</text><script>alert(1)</script>", "控制\x01字符\x7f与\n换行", "坏编码\xff\xfe", "=SUM(A1)", `'单引号'`}
	for i, n := range names {
		f.node(n, domain.Segments[i%3], "", i)
	}
	f.ent(`E&<>"`, domain.EnterpriseLocal, names[0])
	m := Build(f.input(), DefaultThresholds())
	svg := RenderSVG(m, SVGOptions{})
	p := checkLayout(t, m, svg)
	if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte("\x01")) {
		t.Error("unescaped markup or control characters in the SVG")
	}
	if got := p.nodes[f.id("node:"+names[0])].name; got != names[0] {
		t.Errorf("name round-trip = %q", got)
	}
	if got := p.nodes[f.id("node:"+names[2])].name; got != "控制 字符 与 换行" {
		t.Errorf("control characters = %q", got)
	}
	if !strings.Contains(p.texts[0].text+p.texts[1].text+p.texts[2].text, `R&D <"链">`) {
		t.Errorf("chain name not escaped and decoded back: %+v", p.texts[:3])
	}
}

func TestRenderSVGEmptyAndNil(t *testing.T) {
	for name, m := range map[string]*Map{"nil": nil, "empty": Build(Input{}, DefaultThresholds())} {
		t.Run(name, func(t *testing.T) {
			svg := RenderSVG(m, SVGOptions{})
			p := parseSVG(t, svg)
			if p.pages != 1 || len(p.nodes) != 0 || !bytes.Contains(svg, []byte("暂无环节")) {
				t.Errorf("pages %d nodes %d", p.pages, len(p.nodes))
			}
		})
	}
}

func TestRenderSVGLongNames(t *testing.T) {
	f := newFixture()
	f.node(strings.Repeat("超长的环节名称", 12), domain.SegmentUpstream, "", 0)
	f.node("Silicon-carbide MOSFET and Schottky barrier diode power device packaging line", domain.SegmentMidstream, "", 0)
	f.node("W", domain.SegmentDownstream, "", 0)
	parent := "W"
	for i := 0; i < 9; i++ { // deeper than the indent allows
		name := fmt.Sprintf("第%d级", i+1)
		f.node(name, domain.SegmentDownstream, parent, 0)
		parent = name
	}
	m := Build(f.input(), DefaultThresholds())
	checkLayout(t, m, RenderSVG(m, SVGOptions{Title: strings.Repeat("很长的标题", 40)}))
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		s     string
		width float64
		want  []string
	}{
		{"外延片", 100, []string{"外延片"}},
		{"碳化硅单晶衬底", 13 * 4, []string{"碳化硅单", "晶衬底"}},
		{"功率器件(SiC MOSFET/SBD)", 13 * 6, []string{"功率器件(SiC ", "MOSFET/", "SBD)"}},
		{"冷链，物流", 13 * 2, []string{"冷", "链，", "物流"}}, // the comma does not start a line
		{"", 50, []string{""}},
	}
	for _, tt := range tests {
		got := wrapText(tt.s, 13, tt.width, false, 10)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %v) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
		for _, l := range got {
			if textWidth(strings.TrimRight(l, " "), 13, false) > tt.width {
				t.Errorf("line %q wider than %v", l, tt.width)
			}
		}
	}
	if got := wrapText(strings.Repeat("长", 50), 10, 50, false, 2); len(got) != 2 || !strings.HasSuffix(got[1], "…") || textWidth(got[1], 10, false) > 50 {
		t.Errorf("cut = %q", got)
	}
	if textWidth("同光", 10, false) != 20 || textWidth("ab", 10, false) > 13 {
		t.Error("CJK must measure one em, ASCII about half")
	}
}
