// Package report writes the zone's annual investment-attraction paragraph (the seed
// summary's 一(七)) from figures, in the zone's own wording and number formats:
//
//	先后到北京、天津、雄安、石家庄等开展招商15次，共对接项目87个，其中：委托招商26个、以商招商15个、
//	自主招商21个、“资源+”招商25个。至目前，新签约落地项目4个，签约投资额8.05亿元，（誉柯防水建材
//	生产项目计划总投资3.8亿元，……）。有意向入驻的重资产类项目3个（……计划投资8亿元，占地200亩；……）。
//	有意向入驻科创园轻资产项目3个（……计划投资3000万元；……）。
//
// Amounts are written in 亿元 with up to two decimals from 1亿 up, in 万元 below, as the
// zone's reports do. Everything here is a pure function of domain.AnnualFigures.
package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// yi is 1亿元 in Money (元).
const yi = domain.Money(100_000_000)

// Amount writes m as the zone's reports do: 8.05亿元, 1.2亿元, 2亿元, 3000万元, 0万元.
func Amount(m domain.Money) string {
	if m >= yi || m <= -yi {
		return m.Yi() + "亿元"
	}
	return m.Wan() + "万元"
}

// maxCities named before 等; the seed names four.
const maxCities = 6

// Text is the annual report's text for f: its paragraphs (Paragraphs) on lines of their own.
func Text(f *domain.AnnualFigures) string { return strings.Join(Paragraphs(f), "\n") }

// Paragraphs are the report's paragraphs in the seed's order: the economic indicators
// (一(一)), the completed investment of the year's projects (一(六)), the investment
// attraction paragraph (一(七)) and the structure of fixed-asset investment (三(五)). The
// indicator paragraphs are left out when the year has no figures (issue 17).
func Paragraphs(f *domain.AnnualFigures) []string {
	first, structure := domain.IndicatorSentences(f.Year, f.Indicators)
	var out []string
	// 一(六): what the year's service requests solved (issue 15), then the completed investment
	service := ServiceSentence(f.Service) + domain.CompletedSentence(f.Year, f.CompletedInvestment)
	for _, p := range []string{first, service, attraction(f), structure} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// attraction is the investment attraction paragraph (一(七)).
func attraction(f *domain.AnnualFigures) string {
	o := f.Overview
	var b strings.Builder
	ct := o.Campaigns
	if ct.Trips > 0 {
		fmt.Fprintf(&b, "先后到%s等开展招商%d次，", cities(ct.TripCities), ct.Trips)
	}
	if ct.Conferences > 0 {
		fmt.Fprintf(&b, "在%s举办招商推介会%d次，", cities(ct.ConferenceCities), ct.Conferences)
	}
	fmt.Fprintf(&b, "共对接项目%d个", o.DockedTotal)
	var parts []string
	for _, c := range domain.Channels {
		if n := o.ByChannel[string(c)]; n > 0 {
			parts = append(parts, c.Label()+strconv.Itoa(n)+"个")
		}
	}
	if len(parts) > 0 {
		b.WriteString("，其中：" + strings.Join(parts, "、"))
	}
	b.WriteString("。")

	if s := f.Signed; s.Count > 0 {
		fmt.Fprintf(&b, "至目前，新签约落地项目%d个，签约投资额%s，（", s.Count, Amount(o.Signed.PlannedInvestment))
		items := make([]string, len(s.Projects))
		for i, p := range s.Projects {
			items[i] = p.Name + "计划总投资" + Amount(p.PlannedInvestment)
		}
		b.WriteString(strings.Join(items, "，") + more(s) + "）。")
	} else {
		b.WriteString("至目前，暂无新签约落地项目。")
	}
	if o.Signed.Increase > 0 {
		fmt.Fprintf(&b, "往年签约项目追加投资%s。", Amount(o.Signed.Increase))
	}
	if h := f.IntendedHeavy; h.Count > 0 {
		items := make([]string, len(h.Projects))
		for i, p := range h.Projects {
			items[i] = p.Name + "计划投资" + Amount(p.PlannedInvestment)
			if p.LandArea > 0 {
				items[i] += "，占地" + p.LandArea.Mu() + "亩"
			}
		}
		fmt.Fprintf(&b, "有意向入驻的重资产类项目%d个（%s%s）。", h.Count, strings.Join(items, "；"), more(h))
	}
	if l := f.IntendedLight; l.Count > 0 {
		items := make([]string, len(l.Projects))
		for i, p := range l.Projects {
			items[i] = p.Name + "计划投资" + Amount(p.PlannedInvestment)
		}
		fmt.Fprintf(&b, "有意向入驻科创园轻资产项目%d个（%s%s）。", l.Count, strings.Join(items, "；"), more(l))
	}
	return b.String()
}

// maxSolved is how many solved requests the report names before 等; the seed names three.
const maxSolved = 6

// ServiceSentence is the seed's 一(六) sentence on the year's service requests (issue 15):
// 先后解决了道路亮化、公交车通行、甲村部队道路平交等具体问题，帮助在建企业融资到位800万元。
// Empty when nothing was solved in the year.
func ServiceSentence(s *domain.AnnualService) string {
	if s == nil || len(s.Solved) == 0 {
		return ""
	}
	var titles []string
	seen := map[string]bool{}
	for _, t := range s.Solved {
		if !seen[t] && len(titles) < maxSolved {
			seen[t] = true
			titles = append(titles, t)
		}
	}
	return fmt.Sprintf("先后解决了%s等具体问题，帮助在建企业融资到位%s万元。", strings.Join(titles, "、"), s.Financing.Wan())
}

func cities(cs []string) string {
	if len(cs) > maxCities {
		cs = cs[:maxCities]
	}
	return strings.Join(cs, "、")
}

// more is 等 when the report names fewer projects than it counts.
func more(l domain.ReportList) string {
	if len(l.Projects) < l.Count {
		return "等"
	}
	return ""
}
