package chainmap

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// A map of 500 nodes carries some ten thousand enterprise and project entries, and
// reflection-driven encoding of them, then encoding/json re-validating what a Marshaler
// returned, was most of the time the map endpoint spent. So Node writes its own JSON, and
// Map.JSON assembles the document without a second pass; TestNodeJSONMatchesStructTags and
// TestMapJSONMatchesStructTags keep both identical to what the struct tags describe.

// JSON returns the map's JSON document, byte for byte what json.Marshal(m) returns, in
// about half the time: handlers should write it directly
// (c.Data(200, "application/json; charset=utf-8", b)) rather than hand m to an encoder.
func (m *Map) JSON() ([]byte, error) {
	chain, err := json.Marshal(m.Chain)
	if err != nil {
		return nil, err
	}
	asOf, _ := m.AsOf.MarshalJSON()
	th, err := json.Marshal(m.Thresholds)
	if err != nil {
		return nil, err
	}
	// The small rest goes through encoding/json: {"segments":…,"summary":…}.
	tail, err := json.Marshal(struct {
		Segments []SegmentSummary `json:"segments"`
		Summary  Summary          `json:"summary"`
	}{m.Segments, m.Summary})
	if err != nil {
		return nil, err
	}
	// Size the buffer from the texts themselves: a 2 MB document that outgrows its first
	// guess is copied several times over (append grows large slices by a quarter).
	size := len(chain) + len(tail) + 128
	for _, n := range m.Nodes {
		if n != nil {
			size += nodeJSONSize(n)
		}
	}
	b := make([]byte, 0, size)
	b = append(b, `{"chain":`...)
	b = append(b, chain...)
	b = append(b, `,"as_of":`...)
	b = append(b, asOf...)
	b = append(b, `,"thresholds":`...)
	b = append(b, th...)
	b = append(b, `,"nodes":`...)
	if m.Nodes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, n := range m.Nodes {
			if i > 0 {
				b = append(b, ',')
			}
			if n == nil {
				b = append(b, "null"...)
				continue
			}
			b = n.appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, ',')
	return append(b, tail[1:]...), nil
}

// MarshalJSON is JSON, so that encoding the map anyhow gives the same document.
func (m *Map) MarshalJSON() ([]byte, error) { return m.JSON() }

// MarshalJSON writes n exactly as encoding/json would from its struct tags, faster.
func (n *Node) MarshalJSON() ([]byte, error) {
	return n.appendJSON(make([]byte, 0, nodeJSONSize(n))), nil
}

// nodeJSONSize is a close upper estimate of n's JSON length (escapes aside, which names
// rarely need): the fixed keys and numbers plus every text's bytes.
func nodeJSONSize(n *Node) int {
	size := 400 + len(n.Name) + len(n.SegmentLabel) + len(n.StatusLabel) + len(n.Description) + 21*len(n.ChildIDs)
	for _, list := range [2][]EnterpriseRef{n.Enterprises, n.Targets} {
		for i := range list {
			e := &list[i]
			size += 84 + len(e.Name) + len(e.CreditCode) + len(e.Kind)
		}
	}
	for i := range n.Projects {
		p := &n.Projects[i]
		size += 148 + len(p.Name) + len(p.Investor) + len(p.Stage) + len(p.StageLabel) + len(p.Channel) + len(p.ChannelLabel)
	}
	return size
}

func (n *Node) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, n.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, n.Name)
	b = append(b, `,"segment":`...)
	b = appendString(b, string(n.Segment))
	b = append(b, `,"segment_label":`...)
	b = appendString(b, n.SegmentLabel)
	b = append(b, `,"parent_id":`...)
	if n.ParentID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *n.ParentID, 10)
	}
	b = append(b, `,"child_ids":`...)
	b = appendIDs(b, n.ChildIDs)
	b = append(b, `,"depth":`...)
	b = strconv.AppendInt(b, int64(n.Depth), 10)
	b = append(b, `,"sort_order":`...)
	b = strconv.AppendInt(b, int64(n.SortOrder), 10)
	if n.Description != "" {
		b = append(b, `,"description":`...)
		b = appendString(b, n.Description)
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(n.Status))
	b = append(b, `,"status_label":`...)
	b = appendString(b, n.StatusLabel)
	b = append(b, `,"enterprises":`...)
	b = appendEnterprises(b, n.Enterprises)
	b = append(b, `,"targets":`...)
	b = appendEnterprises(b, n.Targets)
	b = append(b, `,"projects":`...)
	if n.Projects == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range n.Projects {
			if i > 0 {
				b = append(b, ',')
			}
			b = n.Projects[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"project_count_by_stage":`...)
	b = appendStageCounts(b, n.ProjectCountByStage)
	b = append(b, `,"enterprise_count":`...)
	b = strconv.AppendInt(b, int64(n.EnterpriseCount), 10)
	b = append(b, `,"target_count":`...)
	b = strconv.AppendInt(b, int64(n.TargetCount), 10)
	b = append(b, `,"project_count":`...)
	b = strconv.AppendInt(b, int64(n.ProjectCount), 10)
	b = append(b, `,"gap_filled":`...)
	b = strconv.AppendBool(b, n.GapFilled)
	return append(b, '}')
}

func (e *EnterpriseRef) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, e.Name)
	b = append(b, `,"credit_code":`...)
	b = appendString(b, e.CreditCode)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(e.Kind))
	b = append(b, `,"chain_master":`...)
	b = strconv.AppendBool(b, e.ChainMaster)
	if e.Sample {
		b = append(b, `,"sample":true`...)
	}
	return append(b, '}')
}

func (p *ProjectRef) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"name":`...)
	b = appendString(b, p.Name)
	b = append(b, `,"investor":`...)
	b = appendString(b, p.Investor)
	b = append(b, `,"stage":`...)
	b = appendString(b, string(p.Stage))
	b = append(b, `,"stage_label":`...)
	b = appendString(b, p.StageLabel)
	b = append(b, `,"channel":`...)
	b = appendString(b, string(p.Channel))
	b = append(b, `,"channel_label":`...)
	b = appendString(b, p.ChannelLabel)
	b = append(b, `,"planned_investment_wan":`...)
	b = append(b, p.PlannedInvestment.Wan()...)
	if p.Sample {
		b = append(b, `,"sample":true`...)
	}
	return append(b, '}')
}

func appendEnterprises(b []byte, es []EnterpriseRef) []byte {
	if es == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range es {
		if i > 0 {
			b = append(b, ',')
		}
		b = es[i].appendJSON(b)
	}
	return append(b, ']')
}

func appendIDs(b []byte, ids []int64) []byte {
	if ids == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
}

// appendStageCounts writes the counts with keys sorted, as encoding/json does for maps.
func appendStageCounts(b []byte, m map[domain.Stage]int) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	first := true
	for _, s := range sortedStages {
		v, ok := m[s]
		if !ok {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, string(s))
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return append(b, '}')
}

// sortedStages are the stages in byte order of their codes, the order encoding/json writes
// map keys in.
var sortedStages = []domain.Stage{domain.StageDecision, domain.StageDropped, domain.StageFollowUp,
	domain.StageIdentification, domain.StageLead, domain.StageRisk}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does by default: invalid
// UTF-8 as U+FFFD, control characters, <, > and & as \u escapes, and U+2028/U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
