package domain

// Stage is where a project stands in the zone's work system (seed 三(四)1):
// 洽谈对接 → 项目识别 → 风险评估 → 落地决策 → 跟踪服务, and 已终止 from anywhere.
type Stage string

const (
	StageLead           Stage = "lead"           // 洽谈对接
	StageIdentification Stage = "identification" // 项目识别
	StageRisk           Stage = "risk"           // 风险评估
	StageDecision       Stage = "decision"       // 落地决策
	StageFollowUp       Stage = "follow_up"      // 跟踪服务
	StageDropped        Stage = "dropped"        // 已终止
)

// Stages lists every stage, the pipeline's in order, then dropped.
var Stages = []Stage{StageLead, StageIdentification, StageRisk, StageDecision, StageFollowUp, StageDropped}

var stageNames = map[Stage]string{
	StageLead: "洽谈对接", StageIdentification: "项目识别", StageRisk: "风险评估",
	StageDecision: "落地决策", StageFollowUp: "跟踪服务", StageDropped: "已终止",
}

func (s Stage) Valid() bool   { _, ok := stageNames[s]; return ok }
func (s Stage) Label() string { return stageNames[s] }

// Open reports whether a project in s is still being worked (not followed up, not dropped).
func (s Stage) Open() bool { return s != StageFollowUp && s != StageDropped && s != "" }

// index is the position in the pipeline; dropped has none.
func (s Stage) index() int {
	for i, v := range Stages[:5] {
		if v == s {
			return i
		}
	}
	return -1
}

// Reached reports whether a project now in s has passed through (or is in) stage t.
// A dropped project is judged by the stage it left.
func Reached(s, prev, t Stage) bool {
	if s == StageDropped {
		s = prev
	}
	return s.index() >= t.index() && t.index() >= 0
}

// Transition is a requested stage move.
type Transition struct {
	To       Stage  `json:"to"`
	Reason   string `json:"reason"`
	SignedAt Date   `json:"signed_at"`
	Version  int64  `json:"version"` // optional: when given, a stale version is ECONFLICT
}

// StageFacts is what the guards need to know about a project beyond its stage.
type StageFacts struct {
	Stage             Stage
	PrevStage         Stage // for a dropped project, the stage it left
	HasRiskAssessment bool
	DecisionOutcome   string // "", "approved" or "rejected": the latest decision
	SignedAt          Date   // already recorded on the project
}

// CheckTransition applies the stage machine and its guards. It returns an ERULE error whose
// message says, in Chinese first, why a move is refused.
//
// Allowed moves: one step forward (lead → identification → risk → decision → follow_up);
// any open or follow-up stage → dropped with a reason; dropped → the stage it left (reopen);
// decision → risk after a rejection. Guards: risk → decision needs a submitted risk
// assessment; decision → follow_up needs an approved decision and a signing date.
func CheckTransition(f StageFacts, t Transition) error {
	from, to := f.Stage, t.To
	if !to.Valid() {
		return &Error{Code: EINVALID, Message: "未知的阶段 (unknown stage)", Fields: map[string]string{"to": "未知的阶段 (unknown stage)"}}
	}
	refuse := func(format string, args ...any) error { return Errorf(ERULE, format, args...) }
	if from == to {
		return refuse("项目已处于“%s”阶段 (already in %s)", to.Label(), to)
	}
	switch {
	case to == StageDropped:
		if t.Reason == "" {
			return refuse("终止项目必须填写原因 (a reason is required to drop a project)")
		}
		return nil
	case from == StageDropped:
		if to != f.PrevStage {
			return refuse("已终止的项目只能恢复到终止前的“%s”阶段 (a dropped project reopens to %s)", f.PrevStage.Label(), f.PrevStage)
		}
		return nil
	case from == StageDecision && to == StageRisk:
		if f.DecisionOutcome != "rejected" {
			return refuse("只有决策被否决的项目才能退回风险评估 (only a rejected decision returns to risk)")
		}
		return nil
	}
	if to.index() != from.index()+1 {
		if to.index() < from.index() {
			return refuse("不能从“%s”退回“%s” (cannot move back from %s to %s)", from.Label(), to.Label(), from, to)
		}
		return refuse("不能跳过阶段：“%s”之后应为“%s” (no skipping: after %s comes %s)", from.Label(), Stages[from.index()+1].Label(), from, Stages[from.index()+1])
	}
	switch to {
	case StageDecision:
		if !f.HasRiskAssessment {
			return refuse("进入落地决策前须提交风险评估 (submit a risk assessment before the decision)")
		}
	case StageFollowUp:
		if f.DecisionOutcome != "approved" {
			return refuse("落地决策尚未批准，不能进入跟踪服务 (the decision has not been approved)")
		}
		if t.SignedAt.IsZero() && f.SignedAt.IsZero() {
			return refuse("进入跟踪服务须填写签约日期 signed_at (a signing date is required)")
		}
	}
	return nil
}
