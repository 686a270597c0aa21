// What the signed-in user may do, from the roles and chains in GET /me. This only hides or
// disables controls; the server stays the guard (and its refusals are shown as they come).

export function hasRole(me, ...roles) {
  const mine = (me && me.roles) || []
  return roles.some((r) => mine.includes(r))
}

export function isChiefOf(me, chain) {
  return !!chain && hasRole(me, 'chain_chief') && ((me && me.chains) || []).includes(chain)
}

/** Edit a chain's map (nodes, masters, links, referrals): admin any chain, a chief their own. */
export function canEditChain(me, chain) {
  return !!chain && (hasRole(me, 'admin') || isChiefOf(me, chain))
}

/** Anyone who writes projects: not chain chiefs (they comment and decide), not viewers. */
export function canCreateProject(me) {
  return hasRole(me, 'admin', 'director', 'recruiter', 'agent')
}

/** Edit, move and delete: admin and director any project; a recruiter the ones they own. */
export function canEditProject(me, p) {
  if (!me || !p) return false
  if (hasRole(me, 'admin', 'director')) return true
  return hasRole(me, 'recruiter') && p.owner === me.username
}

export function canDeleteProject(me, p) {
  return canEditProject(me, p)
}

export function canRestoreProject(me) {
  return hasRole(me, 'admin')
}

/** Log a visit: admin, director, any recruiter; an agent on what they submitted. Chain chiefs review and decide, they do not log visits (the server refuses them). */
export function canLogActivity(me, p) {
  if (!me) return false
  if (hasRole(me, 'admin', 'director', 'recruiter')) return true
  if (!p) return hasRole(me, 'agent')
  return hasRole(me, 'agent') && (p.created_by === me.username || p.owner === me.username)
}

/** Decide a landing decision: the director, or a chain chief of the project's chain. */
export function canDecide(me, p) {
  if (!me || !p) return false
  return hasRole(me, 'director') || isChiefOf(me, p.chain)
}

export function canImport(me) {
  return hasRole(me, 'admin', 'director')
}

export function canManageTargets(me) {
  return hasRole(me, 'admin', 'director')
}

export function canReview(me) {
  return hasRole(me, 'chain_chief', 'director')
}

export function isAdmin(me) {
  return hasRole(me, 'admin')
}

/** Everyone but an outside agent sees the zone-wide dashboard and reports. */
export function canSeeStats(me) {
  return hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'viewer')
}

/** Projects may be given to another owner only by admin and director. */
export function canAssignOwner(me) {
  return hasRole(me, 'admin', 'director')
}

// ---- oversight: 督办, 到资, audit log ------------------------------------------------------

/** Issue a 督办: the director or the chief of the project's chain, on a project still going. */
export function canIssueSupervision(me, p) {
  return !!p && p.stage !== 'dropped' && !p.deleted_at && canDecide(me, p)
}

/** Answer a 督办 until it is closed: its owner, or whoever owns the project now. */
export function canAnswerSupervision(me, s, project) {
  if (!me || !s || s.status === 'closed') return false
  if (!hasRole(me, 'admin', 'director', 'recruiter', 'agent')) return false
  return s.owner === me.username || (!!project && project.owner === me.username)
}

/** Close a 督办: its issuer (the director or a chain chief), once. */
export function canCloseSupervision(me, s) {
  if (!me || !s || s.status === 'closed') return false
  return hasRole(me, 'director', 'chain_chief') && s.issuer === me.username
}

/** The 督办 list is what one owns or issued (all of them for admin and director). */
export function canSeeSupervisions(me) {
  return hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'agent')
}

/** Record capital realised (到资): whoever may edit the project, once it is signed. */
export function canRecordInvestment(me, p) {
  return !!p && !!p.signed_at && !p.deleted_at && canEditProject(me, p)
}

export function canReadAudit(me) {
  return hasRole(me, 'admin')
}

/** Enter the zone's monthly indicators (经济指标): admin and director (issue 17). */
export function canManageIndicators(me) {
  return hasRole(me, 'admin', 'director')
}

/** Read the zone's indicators: its staff and viewers, not agencies. */
export function canSeeIndicators(me) {
  return hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'viewer')
}
