package domain

import (
	"regexp"
	"strings"
	"unicode"
)

// NormalizeEnterpriseName reduces a company name to the key under which two spellings of
// the same company meet, so that 同光晶体（河北）有限公司 and 河北同光晶体有限公司 are found
// to be one enterprise. The key is stored beside the name (enterprises.norm_name) and is
// what the duplicate checks compare. The rules:
//
//   - full-width forms are half-width, Latin letters lower case, traditional characters
//     common in company names are simplified, and spaces and punctuation are ignored;
//   - an administrative region in brackets after the trade name stands in front
//     (同光晶体（河北）有限公司 ≡ 河北同光晶体有限公司; also （中国）), and a leading region
//     loses its 省/市/县/自治区/特别行政区 suffix (河北省 ≡ 河北, 北京市 ≡ 北京);
//   - 有限责任公司 ≡ 有限公司 and 股份有限公司 ≡ 股份公司; a bracketed （集团） ≡ 集团;
//   - English legal forms: Company ≡ Co, Limited ≡ Ltd, Corporation ≡ Corp, Incorporated ≡ Inc.
//
// What stays distinct: a different trade name, region or industry word, 集团 or not, 股份
// or not, and a branch (分公司) from its parent.
func NormalizeEnterpriseName(name string) string {
	s := fold(name)
	s = englishForms.ReplaceAllStringFunc(s, func(w string) string { return englishForm[w] })
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	s = moveBracketed(b.String())
	s = canonicalRegions(s)
	s = strings.ReplaceAll(s, "股份有限公司", "股份公司")
	s = strings.ReplaceAll(s, "有限责任公司", "有限公司")
	return s
}

// fold maps full-width ASCII to half-width, brackets of every kind to ( ), upper to lower
// case and traditional characters to simplified ones.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		switch r {
		case '【', '〔', '［', '[', '{', '〖', '「', '『', '《', '〈':
			r = '('
		case '】', '〕', '］', ']', '}', '〗', '」', '』', '》', '〉':
			r = ')'
		}
		if t, ok := simplified[r]; ok {
			r = t
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

var englishForms = regexp.MustCompile(`\b(company|limited|corporation|incorporated)\b`)

var englishForm = map[string]string{"company": "co", "limited": "ltd", "corporation": "corp", "incorporated": "inc"}

// moveBracketed resolves every bracketed part: a region moves to the front (unless the name
// starts with it already), （集团）and （股份） lose their brackets, anything else keeps its
// text without the brackets.
func moveBracketed(s string) string {
	var front []string
	for {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 {
			s = s[:open] + s[open+1:]
			continue
		}
		inner := s[open+1 : open+end]
		rest := s[:open] + s[open+end+1:]
		if regions, ok := allRegions(inner); ok && open > 0 {
			front = append(front, regions...)
			s = rest
			continue
		}
		s = s[:open] + inner + s[open+end+1:]
	}
	for i := len(front) - 1; i >= 0; i-- {
		if !strings.HasPrefix(canonicalRegions(s), front[i]) {
			s = front[i] + s
		}
	}
	return strings.ReplaceAll(s, ")", "")
}

// allRegions reports whether s consists of administrative regions only (河北, 河北省保定市),
// returning their short forms.
func allRegions(s string) ([]string, bool) {
	var out []string
	for s != "" {
		short, n := leadingRegion(s)
		if n == 0 {
			return nil, false
		}
		out = append(out, short)
		s = s[n:]
	}
	return out, len(out) > 0
}

// canonicalRegions drops the administrative suffix of up to three leading regions
// (province, city, county): 河北省保定市… → 河北保定….
func canonicalRegions(s string) string {
	var b strings.Builder
	for range 3 {
		short, n := leadingRegion(s)
		if n == 0 {
			break
		}
		b.WriteString(short)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// leadingRegion finds a region at the start of s: its short form and how many bytes of s
// it covers (with its suffix), or 0.
func leadingRegion(s string) (string, int) {
	for _, r := range regionList {
		if !strings.HasPrefix(s, r.short) {
			continue
		}
		n := len(r.short)
		for _, suf := range r.suffixes {
			if strings.HasPrefix(s[n:], suf) {
				n += len(suf)
				break
			}
		}
		return r.short, n
	}
	return "", 0
}

type region struct {
	short    string
	suffixes []string // longest first
}

var (
	provinceSuffixes     = []string{"省"}
	municipalitySuffixes = []string{"市"}
	citySuffixes         = []string{"市", "县"}
)

// regionList holds the provincial-level regions, the cities of Hebei and the larger
// cities elsewhere, longest short form first so that 内蒙古 wins over a shorter prefix.
var regionList = func() []region {
	var out []region
	add := func(suffixes []string, names ...string) {
		for _, n := range names {
			out = append(out, region{short: n, suffixes: suffixes})
		}
	}
	add(provinceSuffixes, "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
		"河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾")
	add(municipalitySuffixes, "北京", "天津", "上海", "重庆")
	add([]string{"自治区"}, "内蒙古", "西藏")
	add([]string{"壮族自治区", "自治区"}, "广西")
	add([]string{"回族自治区", "自治区"}, "宁夏")
	add([]string{"维吾尔自治区", "自治区"}, "新疆")
	add([]string{"特别行政区"}, "香港", "澳门")
	add(nil, "中国")
	add(citySuffixes, "石家庄", "唐山", "秦皇岛", "邯郸", "邢台", "保定", "张家口", "承德", "沧州", "廊坊", "衡水",
		"定州", "辛集", "涞源", "涿州", "高碑店", "易县", "涞水", "阜平",
		"太原", "大同", "沈阳", "大连", "长春", "哈尔滨", "南京", "苏州", "无锡", "常州", "南通", "徐州", "杭州", "宁波",
		"温州", "合肥", "福州", "厦门", "南昌", "济南", "青岛", "烟台", "潍坊", "淄博", "郑州", "洛阳", "武汉", "长沙",
		"广州", "深圳", "佛山", "东莞", "珠海", "海口", "成都", "贵阳", "昆明", "西安", "兰州", "西宁", "呼和浩特",
		"包头", "鄂尔多斯", "南宁", "拉萨", "银川", "乌鲁木齐")
	add([]string{"新区"}, "雄安")
	// 易县 carries its suffix in the short form; keep it whole.
	for i := range out {
		if strings.HasSuffix(out[i].short, "县") {
			out[i].suffixes = nil
		}
	}
	// longest first
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].short) > len(out[j-1].short); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}()

// simplified maps traditional characters that often appear in company names to their
// simplified forms (a full conversion is out of scope).
var simplified = func() map[rune]rune {
	pairs := "國国華华東东團团產产廣广門门實实築筑貿贸興兴資资開开義义龍龙長长陽阳豐丰寶宝灣湾臺台億亿聯联氣气機机網网匯汇萬万達达鋼钢鐵铁礦矿務务設设備备藥药醫医術术創创業业電电發发際际銷销農农環环慶庆葉叶雲云節节體体頭头車车輕轻續续運运屬属遠远廠厂場场紡纺織织飛飞時时進进會会館馆"
	m := map[rune]rune{}
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] != rs[i+1] {
			m[rs[i]] = rs[i+1]
		}
	}
	return m
}()
