package domain

import "testing"

// The row rules, role by role, on one project of chain 1 owned by user 10 and submitted by
// agent 20. The casbin policy (configs/policy.csv) decides who may try; these decide on
// which project.
func TestRowRules(t *testing.T) {
	chain := int64(1)
	p := &Project{ID: 1, ChainID: &chain, OwnerID: 10, CreatedByID: 20}
	noChain := &Project{ID: 2, OwnerID: 10, CreatedByID: 20}
	user := func(id int64, role Role, chains ...int64) *Actor {
		return &Actor{User: &User{ID: id, Roles: []Role{role}, ChainIDs: chains}}
	}
	cases := []struct {
		name                     string
		a                        *Actor
		edit, log, decide, other bool // other = decide on the project without a chain
	}{
		{"admin", user(1, RoleAdmin), true, true, false, false},
		{"director", user(2, RoleDirector), true, true, true, true},
		{"chief of the chain", user(3, RoleChainChief, 1), false, false, true, false},
		{"chief of another chain", user(4, RoleChainChief, 2), false, false, false, false},
		{"owning recruiter", user(10, RoleRecruiter), true, true, false, false},
		{"other recruiter", user(11, RoleRecruiter), false, true, false, false},
		{"submitting agent", user(20, RoleAgent), false, true, false, false},
		{"other agent", user(21, RoleAgent), false, false, false, false},
		{"viewer", user(30, RoleViewer), false, false, false, false},
		{"nobody", nil, false, false, false, false},
	}
	for _, c := range cases {
		if got := CanEditProject(c.a, p); got != c.edit {
			t.Errorf("%s: CanEditProject = %v", c.name, got)
		}
		if got := CanLogActivity(c.a, p); got != c.log {
			t.Errorf("%s: CanLogActivity = %v", c.name, got)
		}
		if got := CanDecide(c.a, p); got != c.decide {
			t.Errorf("%s: CanDecide = %v", c.name, got)
		}
		if got := CanDecide(c.a, noChain); got != c.other {
			t.Errorf("%s: CanDecide without a chain = %v", c.name, got)
		}
	}
}
