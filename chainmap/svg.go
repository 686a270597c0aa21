package chainmap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// SVGOptions are what the printed map says about itself in its header.
type SVGOptions struct {
	Title string      // default: "<chain name>产业链招商地图"
	Chief string      // the chain chief's (链长) name; default: the chain's chief
	Date  domain.Date // default: the map's as-of day
}

// The printed map is one or more A4 landscape pages stacked vertically in one SVG
// (width 297mm, height 210mm × pages). One user unit is a quarter millimetre, so a page is
// 1188 × 840 units and a 13-unit font prints at about 9 pt.
const (
	pageW        = 1188.0
	pageH        = 840.0
	margin       = 32.0
	segGap       = 30.0 // between segment columns, room for the flow arrow
	laneGap      = 12.0 // between lanes of one segment
	boxGap       = 8.0  // between boxes in a lane
	indentStep   = 12.0
	maxIndent    = 4 // deeper nodes are not indented further and name their parent instead
	padX         = 8.0
	padY         = 5.0
	nameSize     = 13.0
	nameLead     = 16.0
	metaSize     = 10.5
	metaLead     = 13.0
	maxNameLines = 6
	footerH      = 22.0
)

// Colours by status: fill and stroke (the text accent is in svgStyle). The status is also
// written in every box, so a grey-scale print loses nothing.
var statusColours = map[Status][2]string{
	StatusStrong:  {"#e8f5e9", "#2e7d32"},
	StatusWeak:    {"#fff8e1", "#f9a825"},
	StatusMissing: {"#fdecea", "#c62828"},
}

// RenderSVG draws the map for print: segments as columns (上游 → 中游 → 下游), each node a
// box coloured by status with its name, counts and local enterprises, parent → child edges,
// and on every page a header with the chain, its chief, the date, the figures and a legend.
// A map that does not fit one page is first spread over more, narrower lanes per segment
// and then continued on further A4 pages below, so hundreds of nodes stay at print size.
func RenderSVG(m *Map, opts SVGOptions) []byte {
	if m == nil {
		m = Build(Input{}, DefaultThresholds())
	}
	l := layoutMap(m, opts)
	return l.render()
}

// box is a placed node.
type box struct {
	node      *Node
	page      int
	seg, lane int
	x, y      float64 // absolute, page offset included
	w, h      float64
	localD    int // depth within its segment's tree
	name      []string
	meta      []string
	detail    string // one line: local enterprises or projects
	caption   string // "上级：…" when no edge can be drawn to the parent
	elbow     bool   // the parent is drawn directly above in the same lane
	parent    *box
	crossEdge bool // the parent is in another segment on the same page
}

type segCol struct {
	seg    domain.Segment
	label  string
	lanes  int
	x, w   float64 // the column across all its lanes
	boxes  []*box
	nPages int
}

type layout struct {
	m          *Map
	title      string
	sub        string
	stats      string
	legend     []legendItem
	legendRows int
	headerH    float64
	contentTop float64 // relative to the page
	contentBot float64
	laneW      float64
	cols       []*segCol
	pages      int
	byID       map[int64]*box
}

type legendItem struct {
	kind  string // status or "filled" or "edge"
	label string
	x, y  float64 // relative to the page
}

func layoutMap(m *Map, opts SVGOptions) *layout {
	l := &layout{m: m, byID: map[int64]*box{}}
	chainName, chief := "", opts.Chief
	if m.Chain != nil {
		chainName = m.Chain.Name
		if chief == "" && m.Chain.Chief != nil {
			chief = m.Chain.Chief.DisplayName
			if chief == "" {
				chief = m.Chain.Chief.Username
			}
		}
	}
	l.title = opts.Title
	if l.title == "" {
		l.title = chainTitle(chainName)
	}
	date := opts.Date
	if date.IsZero() {
		date = m.AsOf
	}
	var sub []string
	if chainName != "" {
		sub = append(sub, "产业链："+chainName)
	}
	if chief != "" {
		sub = append(sub, "链长："+chief)
	} else {
		sub = append(sub, "链长：（未设）")
	}
	if !date.IsZero() {
		sub = append(sub, "日期："+date.Chinese())
	}
	l.sub = strings.Join(sub, "　　")

	s := m.Summary
	stats := fmt.Sprintf("环节%d个：强链%d · 补链%d · 缺链%d（其中在谈补链%d）　覆盖率%s%%　在谈项目%d个",
		s.NodeCount, s.StrongCount, s.WeakCount, s.MissingCount, len(s.GapsBeingFilled),
		strconv.FormatFloat(s.CoveragePct, 'f', 1, 64), s.ProjectCount)
	if len(s.ChainMasters) > 0 {
		names := make([]string, len(s.ChainMasters))
		for i, e := range s.ChainMasters {
			names[i] = e.Name
		}
		stats += "　链主企业：" + strings.Join(names, "、")
	}
	l.stats = stats

	// Header: title (y ≈ margin+26), sub line, stats line, legend rows.
	th := m.Thresholds
	weakRange := strconv.Itoa(th.Weak)
	if th.Strong-1 > th.Weak {
		weakRange += "–" + strconv.Itoa(th.Strong-1)
	}
	l.legend = []legendItem{
		{kind: string(StatusStrong), label: fmt.Sprintf("强链（区内企业≥%d家）", th.Strong)},
		{kind: string(StatusWeak), label: "补链（区内企业" + weakRange + "家）"},
		{kind: string(StatusMissing), label: "缺链（无区内企业）"},
		{kind: "filled", label: "缺链·已有在谈项目"},
		{kind: "edge", label: "上级环节 → 下级环节"},
	}
	x, y := margin, margin+96.0
	l.legendRows = 1
	for i := range l.legend {
		w := 30 + textWidth(l.legend[i].label, metaSize, false) + 18
		if x+w > pageW-margin && x > margin {
			x, y = margin, y+18
			l.legendRows++
		}
		l.legend[i].x, l.legend[i].y = x, y
		x += w
	}
	l.headerH = y + 12 - margin
	colHeadTop := margin + l.headerH + 6
	l.contentTop = colHeadTop + 30 + 10
	l.contentBot = pageH - margin - footerH

	// Try one lane per segment; if that needs more than one page, two per segment on
	// average, shared out by how much each segment holds.
	for _, lanes := range []int{3, 6} {
		l.place(lanes)
		if l.pages == 1 {
			break
		}
	}
	return l
}

// place lays the nodes out in the given total number of lanes.
func (l *layout) place(total int) {
	contentW := pageW - 2*margin
	nSeg := len(l.m.Segments)
	if nSeg == 0 {
		nSeg = 1
	}
	if total < nSeg {
		total = nSeg
	}
	l.laneW = (contentW - float64(nSeg-1)*segGap - float64(total-nSeg)*laneGap) / float64(total)
	l.byID = map[int64]*box{}
	l.cols = nil
	segIdx := map[domain.Segment]int{}
	for i, s := range l.m.Segments {
		label := s.Label
		if label == "" {
			label = string(s.Segment)
		}
		l.cols = append(l.cols, &segCol{seg: s.Segment, label: label, lanes: 1})
		segIdx[s.Segment] = i
	}
	if len(l.cols) == 0 {
		for _, s := range domain.Segments {
			segIdx[s] = len(l.cols)
			l.cols = append(l.cols, &segCol{seg: s, label: s.Label(), lanes: 1})
		}
	}

	// Local depth (within the segment) and box contents, which depend on the lane width.
	localDepth := map[int64]int{}
	for _, n := range l.m.Nodes {
		d := 0
		if n.ParentID != nil {
			if p := l.m.byID[*n.ParentID]; p != nil && p.Segment == n.Segment {
				d = localDepth[p.ID] + 1
			}
		}
		localDepth[n.ID] = d
		ci, ok := segIdx[n.Segment]
		if !ok {
			continue
		}
		b := &box{node: n, seg: ci, localD: d}
		l.byID[n.ID] = b
		l.cols[ci].boxes = append(l.cols[ci].boxes, b)
	}

	// Share out lanes: give each extra lane to the column that would need the most pages.
	laneH := l.contentBot - l.contentTop
	heights := make([]float64, len(l.cols))
	for i, c := range l.cols {
		for _, b := range c.boxes {
			l.fill(b, false)
			heights[i] += b.h + boxGap
		}
	}
	for extra := total - len(l.cols); extra > 0; extra-- {
		best, bestLoad := 0, -1.0
		for i, c := range l.cols {
			if load := heights[i] / float64(c.lanes) / laneH; load > bestLoad {
				best, bestLoad = i, load
			}
		}
		l.cols[best].lanes++
	}
	x := margin
	for _, c := range l.cols {
		c.x = x
		c.w = float64(c.lanes)*l.laneW + float64(c.lanes-1)*laneGap
		x += c.w + segGap
	}

	// Flow each column: down a lane, then the next lane, then the next page.
	l.pages = 1
	for ci, c := range l.cols {
		page, lane, y := 0, 0, l.contentTop
		advance := func() {
			lane++
			if lane == c.lanes {
				lane, page = 0, page+1
			}
			y = l.contentTop
		}
		for i, b := range c.boxes {
			// Keep a small tree (up to a third of a lane) together: if it does not fit
			// what is left of this lane, start it in the next one. Larger trees flow on,
			// so no lane is left mostly empty.
			if b.localD == 0 && y > l.contentTop {
				sub := 0.0
				for j := i; j < len(c.boxes) && (j == i || c.boxes[j].localD > 0); j++ {
					sub += c.boxes[j].h + boxGap
				}
				if sub <= laneH/3 && y+sub-boxGap > l.contentBot {
					advance()
				}
			}
			for try := 0; try < 2; try++ {
				b.page, b.lane = page, lane
				l.link(b, ci)
				l.fill(b, b.caption != "")
				if y+b.h <= l.contentBot || y == l.contentTop {
					break
				}
				advance()
			}
			b.x = c.x + float64(lane)*(l.laneW+laneGap) + float64(min(b.localD, maxIndent))*indentStep
			b.w = l.laneW - float64(min(b.localD, maxIndent))*indentStep
			b.y = float64(page)*pageH + y
			y += b.h + boxGap
			c.nPages = page + 1
		}
		l.pages = max(l.pages, c.nPages)
	}
	// Cross-segment edges can be drawn only when both ends share a page.
	for _, b := range l.byID {
		if b.parent != nil && b.parent.seg != b.seg && b.parent.page == b.page {
			b.crossEdge = true
		}
	}
}

// link decides how b shows its parent: an elbow line from the parent directly above in the
// same lane, or a caption naming it.
func (l *layout) link(b *box, ci int) {
	b.elbow, b.caption, b.parent = false, "", nil
	n := b.node
	if n.ParentID == nil {
		return
	}
	p := l.m.byID[*n.ParentID]
	if p == nil {
		return
	}
	b.parent = l.byID[p.ID]
	if p.Segment != n.Segment {
		b.caption = "上级：" + p.Name + "（" + p.SegmentLabel + "）"
		return
	}
	pb := b.parent
	if pb != nil && pb.seg == ci && pb.page == b.page && pb.lane == b.lane && b.localD <= maxIndent {
		b.elbow = true
		return
	}
	where := ""
	if pb != nil && pb.page != b.page {
		where = fmt.Sprintf("（第%d页）", pb.page+1)
	}
	b.caption = "上级：" + p.Name + where
}

// fill sets the box's text lines and height for the lane width and its indent.
func (l *layout) fill(b *box, withCaption bool) {
	n := b.node
	w := l.laneW - float64(min(b.localD, maxIndent))*indentStep
	inner := w - 2*padX
	b.name = wrapText(n.Name, nameSize, inner, true, maxNameLines)
	status := n.Status.Label()
	if n.GapFilled {
		status = "在谈补链"
	}
	meta := fmt.Sprintf("%s·企业%d·项目%d·目标%d", status, n.EnterpriseCount, n.ProjectCount, n.TargetCount)
	b.meta = wrapText(meta, metaSize, inner, false, 3)
	b.detail = ""
	switch {
	case len(n.Enterprises) > 0:
		b.detail = "企业：" + joinNames(n.Enterprises, func(e EnterpriseRef) string { return e.Name })
	case len(n.Projects) > 0:
		b.detail = "在谈：" + joinNames(n.Projects, func(p ProjectRef) string { return p.Name + "（" + p.StageLabel + "）" })
	}
	if b.detail != "" {
		b.detail = ellipsize(b.detail, metaSize, inner, false)
	}
	h := 2*padY + float64(len(b.name))*nameLead + float64(len(b.meta))*metaLead
	if b.detail != "" {
		h += metaLead
	}
	if withCaption {
		b.caption = ellipsize(b.caption, metaSize, inner, false)
		h += metaLead
	} else {
		b.caption = ""
	}
	b.h = h
}

func joinNames[T any](items []T, name func(T) string) string {
	const most = 6
	var parts []string
	for i, it := range items {
		if i == most {
			break
		}
		parts = append(parts, name(it))
	}
	s := strings.Join(parts, "、")
	if len(items) > most {
		s += "等" + strconv.Itoa(len(items)) + "个"
	}
	return s
}

// chainTitle is the map's default title: 第三代半导体 → 第三代半导体产业链招商地图.
func chainTitle(chainName string) string {
	if strings.HasSuffix(chainName, "产业链") || strings.HasSuffix(chainName, "链") {
		return chainName + "招商地图"
	}
	return chainName + "产业链招商地图"
}

// f formats a coordinate compactly: at most one decimal.
func f(v float64) string { return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64) }

const svgStyle = `text{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","SimHei","WenQuanYi Micro Hei",sans-serif;fill:#1f2933}
.title{font-size:26px;font-weight:700}.sub{font-size:13px}.stats{font-size:11px;fill:#3e4c59}
.leg{font-size:10.5px}.colh{font-size:14px;font-weight:700}.nm{font-size:13px;font-weight:700}
.mt{font-size:10.5px}.dt{font-size:10.5px;fill:#52606d}.cap{font-size:10.5px;fill:#7b8794;font-style:italic}
.foot{font-size:9px;fill:#7b8794}.empty{font-size:13px;fill:#7b8794}
.strong .mt{fill:#1b5e20}.weak .mt{fill:#8d6e00}.missing .mt{fill:#b71c1c}
@page{size:A4 landscape;margin:0}`

func (l *layout) render() []byte {
	var b strings.Builder
	b.Grow(4096 + len(l.byID)*900)
	totalH := float64(l.pages) * pageH
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="297mm" height="%dmm" viewBox="0 0 %s %s" data-pages="%d" role="img" aria-labelledby="map-title">`+"\n",
		210*l.pages, f(pageW), f(totalH), l.pages)
	b.WriteString(`<title id="map-title">` + esc(l.title) + "</title>\n")
	b.WriteString("<defs><style>" + svgStyle + "</style>" +
		`<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#9aa5b1"/></marker>` +
		"</defs>\n")

	for p := 0; p < l.pages; p++ {
		l.renderPage(&b, p)
	}
	// Edges under the boxes.
	b.WriteString(`<g class="edges" fill="none" stroke="#9aa5b1" stroke-width="1.2">` + "\n")
	for _, c := range l.cols {
		for _, bx := range c.boxes {
			pb := bx.parent
			switch {
			case bx.elbow && pb != nil:
				ex := pb.x + 6
				fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" marker-end="url(#arrow)" data-from="%d" data-to="%d"/>`+"\n",
					f(ex), f(pb.y+pb.h), f(bx.y+bx.h/2), f(bx.x), pb.node.ID, bx.node.ID)
			case bx.crossEdge && pb != nil:
				x1, x2 := pb.x+pb.w, bx.x
				if pb.x > bx.x {
					x1, x2 = pb.x, bx.x+bx.w
				}
				y1, y2 := pb.y+pb.h/2, bx.y+bx.h/2
				mx := (x1 + x2) / 2
				fmt.Fprintf(&b, `<path d="M%s %sC%s %s %s %s %s %s" stroke-dasharray="4 3" marker-end="url(#arrow)" data-from="%d" data-to="%d"/>`+"\n",
					f(x1), f(y1), f(mx), f(y1), f(mx), f(y2), f(x2), f(y2), pb.node.ID, bx.node.ID)
			}
		}
	}
	b.WriteString("</g>\n")
	// Boxes.
	for _, c := range l.cols {
		for _, bx := range c.boxes {
			l.renderBox(&b, bx)
		}
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func (l *layout) renderPage(b *strings.Builder, p int) {
	oy := float64(p) * pageH
	fmt.Fprintf(b, `<g class="page" data-page="%d">`+"\n", p+1)
	fmt.Fprintf(b, `<rect class="sheet" x="0" y="%s" width="%s" height="%s" fill="#ffffff"/>`+"\n", f(oy), f(pageW), f(pageH))
	if p > 0 { // a faint cut line between stacked pages, for screens
		fmt.Fprintf(b, `<line x1="0" y1="%s" x2="%s" y2="%s" stroke="#e4e7eb" stroke-width="1"/>`+"\n", f(oy), f(pageW), f(oy))
	}
	pageNo := ""
	if l.pages > 1 {
		pageNo = fmt.Sprintf("第%d页／共%d页", p+1, l.pages)
	}
	right := pageW - margin
	if pageNo != "" {
		fmt.Fprintf(b, `<text class="sub" x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(right), f(oy+margin+22), esc(pageNo))
		right -= textWidth(pageNo, 13, false) + 20
	}
	fmt.Fprintf(b, `<text class="title" x="%s" y="%s">%s</text>`+"\n", f(margin), f(oy+margin+24),
		esc(ellipsize(l.title, 26, right-margin, true)))
	fmt.Fprintf(b, `<text class="sub" x="%s" y="%s">%s</text>`+"\n", f(margin), f(oy+margin+50),
		esc(ellipsize(l.sub, 13, pageW-2*margin, false)))
	fmt.Fprintf(b, `<text class="stats" x="%s" y="%s">%s</text>`+"\n", f(margin), f(oy+margin+72),
		esc(ellipsize(l.stats, 11, pageW-2*margin, false)))
	// Legend.
	b.WriteString(`<g class="legend">`)
	for _, it := range l.legend {
		x, y := it.x, oy+it.y
		switch it.kind {
		case "edge":
			fmt.Fprintf(b, `<path d="M%s %sH%s" stroke="#9aa5b1" stroke-width="1.2" marker-end="url(#arrow)"/>`, f(x), f(y-4), f(x+24))
		case "filled":
			c := statusColours[StatusMissing]
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="24" height="12" rx="2" fill="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="4 2"/>`, f(x), f(y-10), c[0], c[1])
		default:
			c := statusColours[Status(it.kind)]
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="24" height="12" rx="2" fill="%s" stroke="%s" stroke-width="1.5"/>`, f(x), f(y-10), c[0], c[1])
		}
		fmt.Fprintf(b, `<text class="leg" x="%s" y="%s">%s</text>`, f(x+30), f(y), esc(it.label))
	}
	b.WriteString("</g>\n")
	// Column heads with the flow arrows between them.
	top := oy + margin + l.headerH + 6
	for i, c := range l.cols {
		counts := 0
		for _, s := range l.m.Segments {
			if s.Segment == c.seg {
				counts = s.NodeCount
			}
		}
		head := fmt.Sprintf("%s（%d个环节）", c.label, counts)
		if p > 0 {
			head = c.label
			if c.nPages > p {
				head += "（续）"
			}
		}
		fmt.Fprintf(b, `<rect class="colhead" x="%s" y="%s" width="%s" height="30" rx="3" fill="#eef2f7"/>`, f(c.x), f(top), f(c.w))
		fmt.Fprintf(b, `<text class="colh" x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", f(c.x+c.w/2), f(top+20),
			esc(ellipsize(head, 14, c.w-8, true)))
		if i+1 < len(l.cols) {
			ax := c.x + c.w + 4
			fmt.Fprintf(b, `<path d="M%s %sH%s" stroke="#52606d" stroke-width="2" marker-end="url(#arrow)"/>`+"\n", f(ax), f(top+15), f(ax+segGap-8))
		}
		if len(c.boxes) == 0 && p == 0 {
			fmt.Fprintf(b, `<text class="empty" x="%s" y="%s" text-anchor="middle">暂无环节</text>`+"\n", f(c.x+c.w/2), f(oy+l.contentTop+20))
		}
	}
	// Footer.
	foot := "产业链招商地图 · 状态按区内企业数：强链≥" + strconv.Itoa(l.m.Thresholds.Strong) + "家，补链≥" + strconv.Itoa(l.m.Thresholds.Weak) + "家，否则缺链"
	fmt.Fprintf(b, `<text class="foot" x="%s" y="%s">%s</text>`+"\n", f(margin), f(oy+pageH-margin+4), esc(foot))
	if pageNo != "" {
		fmt.Fprintf(b, `<text class="foot" x="%s" y="%s" text-anchor="end">%s</text>`+"\n", f(pageW-margin), f(oy+pageH-margin+4), esc(pageNo))
	}
	b.WriteString("</g>\n")
}

func (l *layout) renderBox(b *strings.Builder, bx *box) {
	n := bx.node
	c := statusColours[n.Status]
	if c[0] == "" {
		c = statusColours[StatusMissing]
	}
	dash := ""
	if n.GapFilled {
		dash = ` stroke-dasharray="5 3"`
	}
	fmt.Fprintf(b, `<g class="node %s" id="node-%d" data-node-id="%d" data-status="%s" data-page="%d">`,
		n.Status, n.ID, n.ID, n.Status, bx.page+1)
	b.WriteString("<title>" + esc(n.Name) + "</title>")
	fmt.Fprintf(b, `<rect class="box" x="%s" y="%s" width="%s" height="%s" rx="4" fill="%s" stroke="%s" stroke-width="1.5"%s/>`,
		f(bx.x), f(bx.y), f(bx.w), f(bx.h), c[0], c[1], dash)
	x := bx.x + padX
	y := bx.y + padY
	fmt.Fprintf(b, `<text class="nm" x="%s" y="%s">`, f(x), f(y+nameSize))
	for i, line := range bx.name {
		if i == 0 {
			b.WriteString("<tspan>" + esc(line) + "</tspan>")
		} else {
			fmt.Fprintf(b, `<tspan x="%s" dy="%s">%s</tspan>`, f(x), f(nameLead), esc(line))
		}
	}
	b.WriteString("</text>")
	y += float64(len(bx.name)) * nameLead
	for _, line := range bx.meta {
		fmt.Fprintf(b, `<text class="mt" x="%s" y="%s">%s</text>`, f(x), f(y+metaSize+1), esc(line))
		y += metaLead
	}
	if bx.detail != "" {
		fmt.Fprintf(b, `<text class="dt" x="%s" y="%s">%s</text>`, f(x), f(y+metaSize+1), esc(bx.detail))
		y += metaLead
	}
	if bx.caption != "" {
		fmt.Fprintf(b, `<text class="cap" x="%s" y="%s">%s</text>`, f(x), f(y+metaSize+1), esc(bx.caption))
	}
	b.WriteString("</g>\n")
}
