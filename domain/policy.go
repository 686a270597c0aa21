package domain

// These are the row-level rules that sit beside the casbin role → action policy: casbin says
// whether a role may "update projects" at all; these say whether this actor may update this
// project. Every function is pure, so the API, jobs and tests agree on one answer.

func isAny(u *User, roles ...Role) bool {
	for _, r := range roles {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

func chiefOf(u *User, chainID *int64) bool {
	if chainID == nil || !u.HasRole(RoleChainChief) {
		return false
	}
	for _, id := range u.ChainIDs {
		if id == *chainID {
			return true
		}
	}
	return false
}

// CanEditProject: administrators and the director edit any project of the zone; a
// recruiter the projects they own. Moves and deletes follow the same rule.
func CanEditProject(a *Actor, p *Project) bool {
	if a == nil || a.User == nil {
		return false
	}
	u := a.User
	return isAny(u, RoleAdmin, RoleDirector) || (u.HasRole(RoleRecruiter) && p.OwnerID == u.ID)
}

// CanLogActivity: whoever may edit the project, a recruiter on any project of the zone
// (colleagues cover for each other on the road), and an agent on projects they submitted.
// Chain chiefs review, decide and comment (批示) but do not log visits: the contract gives
// them no such right and configs/policy.csv grants chain_chief no activity/create.
func CanLogActivity(a *Actor, p *Project) bool {
	if a == nil || a.User == nil {
		return false
	}
	u := a.User
	switch {
	case isAny(u, RoleAdmin, RoleDirector, RoleRecruiter):
		return true
	case u.HasRole(RoleAgent) && p.CreatedByID == u.ID:
		return true
	}
	return false
}

// CanDecide: a chain chief of the project's chain, or the director (for every chain, and
// the only one for projects without a chain).
func CanDecide(a *Actor, p *Project) bool {
	if a == nil || a.User == nil {
		return false
	}
	return a.User.HasRole(RoleDirector) || chiefOf(a.User, p.ChainID)
}

// CanComment: anyone who may decide, on any stage (批示).
func CanComment(a *Actor, p *Project) bool { return CanDecide(a, p) }

// CanAssignOwner: administrators and the director give a project to anyone; others only
// keep it themselves.
func CanAssignOwner(a *Actor) bool {
	return a != nil && a.User != nil && isAny(a.User, RoleAdmin, RoleDirector)
}

// IsAdmin reports whether a administers the zone.
func IsAdmin(a *Actor) bool { return a != nil && a.User != nil && a.User.HasRole(RoleAdmin) }
