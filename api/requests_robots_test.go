package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
)

// A service request that goes overdue (issue 15) is pushed to the group robots that hear
// request_overdue (issue 16), once, @-ing the department's liaisons who set a mobile; a
// robot that does not hear the event gets nothing; the 督办 its escalation opens reaches the
// robots that hear supervision.
func TestRequestOverdueReachesRobots(t *testing.T) {
	eachRobotDB(t, func(t *testing.T, e *apitest.Env, f *fakeGroups) {
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "企业诉求群", "webhook": f.url("/wecom/req"), "events": []string{"request_overdue"}})
		mkRobot(t, e, map[string]any{"kind": "wecom", "name": "决策群", "webhook": f.url("/wecom/other"), "events": []string{"decision_waiting"}})
		mkRobot(t, e, map[string]any{"kind": "dingtalk", "name": "督办群", "webhook": f.url("/dingtalk/sup"), "events": []string{"supervision"}})
		if r := e.As("dept_land", "PATCH", "/api/v1/me/settings", map[string]any{"mobile": "13912345678"}); r.Status != 200 {
			t.Fatalf("mobile: %d %s", r.Status, r.Body)
		}
		pid := projectID(t, e, "recruiter1", "诉求推送项目")
		q := raise(t, e, "recruiter1", pid, map[string]any{"category": "energy", "title": "临时用电接入", "department": "natural_resources", "due_on": "2023-01-20"})
		for _, day := range []string{"2023-01-20 09:00", "2023-01-21 09:00", "2023-01-21 10:00", "2023-01-27 09:00", "2023-01-28 09:00"} {
			at := shanghai(day)
			e.Clock.Set(at)
			e.ForgetSessions()
			if _, err := e.Jobs.ReminderJob.Run(context.Background(), at); err != nil {
				t.Fatal(err)
			}
			runOutboxAt(t, e, at.Add(time.Minute))
		}
		var got []groupMsg // the demo has overdue requests of its own
		for _, m := range f.delivered("/wecom/req") {
			if strings.Contains(fmt.Sprint(m.Body), "临时用电接入") {
				got = append(got, m)
			}
		}
		if len(got) != 1 {
			t.Fatalf("request group got %d messages of the request: %+v", len(got), got)
		}
		body := fmt.Sprint(got[0].Body)
		if !strings.Contains(body, "临时用电接入") || !strings.Contains(body, fmt.Sprintf("/requests/%d", q.ID)) ||
			!strings.Contains(body, "13912345678") {
			t.Errorf("message: %s", body)
		}
		// seven days after its deadline the request is escalated with a 督办: the 督办 group hears it once
		var sups []groupMsg
		for _, m := range f.delivered("/dingtalk/sup") {
			if strings.Contains(fmt.Sprint(m.Body), "临时用电接入") {
				sups = append(sups, m)
			}
		}
		if len(sups) != 1 || !strings.Contains(fmt.Sprint(sups[0].Body), "督办") {
			t.Errorf("督办 group: %+v", sups)
		}
		if n := len(f.delivered("/wecom/other")); n != 0 {
			t.Errorf("a robot not hearing request_overdue got %d", n)
		}
	})
}
