package domain

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// stageMatrix is the stage machine written out: for every from (row) × to (column) pair,
// when the move is allowed. Rows and columns follow Stages: lead, identification, risk,
// decision, follow_up, dropped.
//
//	"-"        never
//	"ok"       always
//	"reason"   when a reason is given (dropping)
//	"assessed" when a risk assessment has been submitted
//	"rejected" when the latest decision is a rejection (back to risk)
//	"approved" when the latest decision approves and a signing date is known
//	"prev"     when it is the stage the project left (reopening)
var stageMatrix = [6][6]string{
	/* lead           */ {"-", "ok", "-", "-", "-", "reason"},
	/* identification */ {"-", "-", "ok", "-", "-", "reason"},
	/* risk           */ {"-", "-", "-", "assessed", "-", "reason"},
	/* decision       */ {"-", "-", "rejected", "-", "approved", "reason"},
	/* follow_up      */ {"-", "-", "-", "-", "-", "reason"},
	/* dropped        */ {"prev", "prev", "prev", "prev", "prev", "-"},
}

type stageCase struct {
	facts StageFacts
	move  Transition
}

// stageCases enumerates every combination of the facts the guards read.
func stageCases(from, to Stage) []stageCase {
	var out []stageCase
	for _, assessed := range []bool{false, true} {
		for _, outcome := range []string{"", "approved", "rejected"} {
			for _, signedOnProject := range []bool{false, true} {
				for _, signedInMove := range []bool{false, true} {
					for _, reason := range []string{"", "投资方撤资"} {
						for _, prev := range Stages[:5] {
							f := StageFacts{Stage: from, PrevStage: prev, HasRiskAssessment: assessed, DecisionOutcome: outcome}
							t := Transition{To: to, Reason: reason}
							if signedOnProject {
								f.SignedAt = MustDate("2023-02-01")
							}
							if signedInMove {
								t.SignedAt = MustDate("2023-02-02")
							}
							out = append(out, stageCase{f, t})
						}
					}
				}
			}
		}
	}
	return out
}

func expectAllowed(rule string, c stageCase) bool {
	switch rule {
	case "ok":
		return true
	case "reason":
		return c.move.Reason != ""
	case "assessed":
		return c.facts.HasRiskAssessment
	case "rejected":
		return c.facts.DecisionOutcome == "rejected"
	case "approved":
		return c.facts.DecisionOutcome == "approved" && (!c.facts.SignedAt.IsZero() || !c.move.SignedAt.IsZero())
	case "prev":
		return c.facts.PrevStage == c.move.To
	case "-":
		return false
	}
	panic("unknown rule " + rule)
}

var chineseFirst = regexp.MustCompile(`^\p{Han}.*\(.+\)$`)

func TestStageMachineEveryPair(t *testing.T) {
	if len(Stages) != 6 {
		t.Fatalf("the matrix covers 6 stages, there are %d", len(Stages))
	}
	checked := 0
	for i, from := range Stages {
		for j, to := range Stages {
			rule := stageMatrix[i][j]
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				allowedOnce := false
				for _, c := range stageCases(from, to) {
					err := CheckTransition(c.facts, c.move)
					want := expectAllowed(rule, c)
					checked++
					switch {
					case want && err != nil:
						t.Fatalf("%+v %+v refused: %v (rule %q)", c.facts, c.move, err, rule)
					case !want && err == nil:
						t.Fatalf("%+v %+v allowed (rule %q)", c.facts, c.move, rule)
					case err != nil:
						if ErrorCode(err) != ERULE {
							t.Fatalf("refusal code %q, want %q", ErrorCode(err), ERULE)
						}
						if msg := ErrorMessage(err); !chineseFirst.MatchString(msg) {
							t.Fatalf("refusal message %q is not Chinese first with English in brackets", msg)
						}
					}
					allowedOnce = allowedOnce || err == nil
				}
				if rule != "-" && !allowedOnce {
					t.Errorf("no combination of facts allows %s→%s", from, to)
				}
			})
		}
	}
	if checked != 36*240 {
		t.Errorf("checked %d cases, want %d", checked, 36*240)
	}
}

// TestStageGuardMessages pins the message each guard gives, so that a user learns what to do.
func TestStageGuardMessages(t *testing.T) {
	signed := MustDate("2023-02-01")
	cases := []struct {
		name  string
		facts StageFacts
		move  Transition
		says  string
	}{
		{"skip", StageFacts{Stage: StageLead}, Transition{To: StageRisk}, "不能跳过阶段"},
		{"back", StageFacts{Stage: StageRisk}, Transition{To: StageLead}, "不能从“风险评估”退回“洽谈对接”"},
		{"same", StageFacts{Stage: StageRisk}, Transition{To: StageRisk}, "项目已处于“风险评估”阶段"},
		{"no assessment", StageFacts{Stage: StageRisk}, Transition{To: StageDecision}, "须提交风险评估"},
		{"not approved", StageFacts{Stage: StageDecision, HasRiskAssessment: true}, Transition{To: StageFollowUp, SignedAt: signed}, "尚未批准"},
		{"rejected is not approved", StageFacts{Stage: StageDecision, HasRiskAssessment: true, DecisionOutcome: "rejected"}, Transition{To: StageFollowUp, SignedAt: signed}, "尚未批准"},
		{"no signing date", StageFacts{Stage: StageDecision, HasRiskAssessment: true, DecisionOutcome: "approved"}, Transition{To: StageFollowUp}, "签约日期"},
		{"back to risk unrejected", StageFacts{Stage: StageDecision, HasRiskAssessment: true, DecisionOutcome: "approved"}, Transition{To: StageRisk}, "只有决策被否决"},
		{"drop without reason", StageFacts{Stage: StageLead}, Transition{To: StageDropped}, "必须填写原因"},
		{"reopen elsewhere", StageFacts{Stage: StageDropped, PrevStage: StageRisk}, Transition{To: StageLead}, "只能恢复到终止前的“风险评估”"},
	}
	for _, c := range cases {
		err := CheckTransition(c.facts, c.move)
		if err == nil || !strings.Contains(ErrorMessage(err), c.says) {
			t.Errorf("%s: %v, want a message saying %q", c.name, err, c.says)
		}
	}
	if err := CheckTransition(StageFacts{Stage: StageLead}, Transition{To: "won"}); ErrorCode(err) != EINVALID || ErrorFields(err)["to"] == "" {
		t.Errorf("unknown stage: %v", err)
	}
}

func TestSupervisionStatusOf(t *testing.T) {
	today := MustDate("2023-03-10")
	cases := []struct {
		stored SupervisionStatus
		due    string
		want   SupervisionStatus
	}{
		{SupervisionOpen, "2023-03-11", SupervisionOpen},
		{SupervisionOpen, "2023-03-10", SupervisionOpen}, // due today is not yet overdue
		{SupervisionOpen, "2023-03-09", SupervisionOverdue},
		{SupervisionAnswered, "2023-03-01", SupervisionAnswered},
		{SupervisionClosed, "2023-03-01", SupervisionClosed},
	}
	for _, c := range cases {
		if got := SupervisionStatusOf(c.stored, MustDate(c.due), today); got != c.want {
			t.Errorf("%s due %s: %s, want %s", c.stored, c.due, got, c.want)
		}
	}
}

func TestMilestonesValidate(t *testing.T) {
	today := MustDate("2023-06-01")
	d := MustDate
	cases := []struct {
		name   string
		m      Milestones
		fields []string
	}{
		{"empty", Milestones{}, nil},
		{"plans in the future", Milestones{LandListingPlanned: d("2024-01-01"), ConstructionPlanned: d("2024-03-01"), ProductionPlanned: d("2025-01-01")}, nil},
		{"actual in the future", Milestones{LandListingActual: d("2023-06-02")}, []string{"land_listing_actual"}},
		{"construction before listing", Milestones{LandListingActual: d("2023-05-01"), ConstructionActual: d("2023-04-01")}, []string{"construction_actual"}},
		{"production before construction", Milestones{ConstructionActual: d("2023-05-01"), ProductionActual: d("2023-04-01")}, []string{"production_actual"}},
		{"planned out of order", Milestones{ConstructionPlanned: d("2024-05-01"), ProductionPlanned: d("2024-04-01")}, []string{"production_planned"}},
		{"in order up to today", Milestones{LandListingActual: d("2023-01-01"), ConstructionActual: d("2023-03-01"), ProductionActual: today}, nil},
	}
	for _, c := range cases {
		fields := ErrorFields(c.m.Validate(today))
		if len(fields) != len(c.fields) {
			t.Errorf("%s: %v, want errors on %v", c.name, fields, c.fields)
			continue
		}
		for _, f := range c.fields {
			if fields[f] == "" {
				t.Errorf("%s: no error on %s in %v", c.name, f, fields)
			}
		}
	}
}

func TestActivityUpdateApply(t *testing.T) {
	base := ActivityInput{Kind: ActivityVisit, OccurredAt: MustDate("2023-01-10"), Summary: "拜访", NextDue: MustDate("2023-01-20")}
	summary, kind := "  回访  ", ActivityServiceVisit
	got, err := ActivityUpdate{Version: 1, Summary: &summary, Kind: &kind}.Apply(base)
	if err != nil || got.Summary != "回访" || got.Kind != ActivityServiceVisit || got.NextDue != base.NextDue {
		t.Errorf("apply: %+v %v", got, err)
	}
	empty, early := "", MustDate("2023-01-01")
	_, err = ActivityUpdate{Summary: &empty, NextDue: &early}.Apply(base)
	fields := ErrorFields(err)
	for _, f := range []string{"version", "summary", "next_due"} {
		if fields[f] == "" {
			t.Errorf("no error on %s: %v", f, fields)
		}
	}
	var clear Date
	got, err = ActivityUpdate{Version: 2, NextDue: &clear}.Apply(base)
	if err != nil || !got.NextDue.IsZero() {
		t.Errorf("clearing next_due: %+v %v", got, err)
	}
}
