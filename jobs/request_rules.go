package jobs

import (
	"fmt"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The reminder rules of enterprise service requests (issue 15). A pending request (open or
// in progress) raises, on its due date, a reminder for its department's liaisons; and
// RequestEscalateDays after it one for the directors. Both are keyed by the request and its
// deadline, so a resent request with a new deadline reminds anew, and both resolve as soon
// as the department answers (the request is no longer pending, so it is not in the facts).
// The 督办 and the director's email of an escalation are not reminders: ReminderJob runs
// them through domain.RequestEscalator after the rules.
func (r Rules) requestReminders(f *domain.ReminderFacts, today domain.Date, rc *domain.ZoneRecipients,
	add func(users []int64, rule, period, msg string, due domain.Date)) {
	t := r.Thresholds
	for _, q := range f.Requests {
		if q.DueOn.IsZero() || q.DueOn.After(today) {
			continue
		}
		key := fmt.Sprintf("request:%d:%s", q.ID, q.DueOn)
		title := shorten(q.Title, 40)
		if q.DueOn == today {
			add(rc.Departments[q.DepartmentID], domain.RuleRequestDue, key,
				fmt.Sprintf("企业诉求「%s」今天到期，请尽快办理并答复 (request due today)", title), q.DueOn)
		} else {
			add(rc.Departments[q.DepartmentID], domain.RuleRequestDue, key,
				fmt.Sprintf("企业诉求「%s」已于%s到期，请尽快办理并答复 (request overdue since %s)", title, q.DueOn.Chinese(), q.DueOn), q.DueOn)
		}
		if today.DaysSince(q.DueOn) >= t.RequestEscalateDays {
			add(rc.Directors, domain.RuleRequestEscalated, key,
				fmt.Sprintf("企业诉求「%s」（%s承办）已逾期超过%d天，已上报并发起督办 (request overdue for over %d days; escalated)",
					title, q.Department, t.RequestEscalateDays, t.RequestEscalateDays), q.DueOn.AddDays(t.RequestEscalateDays))
		}
	}
}
