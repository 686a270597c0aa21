// The chain editor's pure logic: the node tree per segment, which parents a node may move
// under (same chain, never itself or one of its descendants), reordering among siblings,
// and the history lines in words. The server checks all of this again; the editor only
// offers what would pass.
import { SEGMENTS } from './enums'

const bySortThenId = (a, b) => (a.sort_order ?? 0) - (b.sort_order ?? 0) || a.id - b.id

/** The parent a node hangs under on the map: null when it has none or the parent is not in the list. */
function parentOf(n, byId) {
  return n.parent_id && byId.has(n.parent_id) && n.parent_id !== n.id ? n.parent_id : null
}

/**
 * Builds one tree per segment. A node is a root in its segment when it has no parent, its
 * parent is unknown, or its parent sits in another segment (as on the map, where it starts a
 * tree in its own column). Siblings are ordered by sort_order then id; a cycle of parents is
 * cut so every node appears exactly once.
 * @returns {{upstream: Array, midstream: Array, downstream: Array, other: Array}} tree items
 *   {id, label, node, parentName, children}
 */
export function segmentTrees(nodes) {
  const list = nodes || []
  const byId = new Map(list.map((n) => [n.id, n]))
  const children = new Map()
  const roots = []
  for (const n of list) {
    const p = parentOf(n, byId)
    if (p === null || byId.get(p).segment !== n.segment) roots.push(n)
    else {
      if (!children.has(p)) children.set(p, [])
      children.get(p).push(n)
    }
  }
  const seen = new Set()
  const item = (n) => {
    seen.add(n.id)
    const p = parentOf(n, byId)
    const kids = (children.get(n.id) || []).filter((c) => !seen.has(c.id)).sort(bySortThenId)
    return {
      id: n.id,
      label: n.name,
      node: n,
      // a root whose parent is in another segment says where it hangs
      parentName: p !== null && byId.get(p).segment !== n.segment ? byId.get(p).name : '',
      children: kids.filter((c) => !seen.has(c.id)).map(item),
    }
  }
  const out = { upstream: [], midstream: [], downstream: [], other: [] }
  for (const n of roots.sort(bySortThenId)) {
    if (seen.has(n.id)) continue
    const key = SEGMENTS.includes(n.segment) ? n.segment : 'other'
    out[key].push(item(n))
  }
  // nodes caught in a cycle of parents: show them as roots so they can be repaired
  for (const n of [...list].sort(bySortThenId)) {
    if (seen.has(n.id)) continue
    const key = SEGMENTS.includes(n.segment) ? n.segment : 'other'
    out[key].push(item(n))
  }
  return out
}

/** The ids of every node below id (children, their children, …). */
export function descendantIds(nodes, id) {
  const kids = new Map()
  for (const n of nodes || []) {
    if (!n.parent_id) continue
    if (!kids.has(n.parent_id)) kids.set(n.parent_id, [])
    kids.get(n.parent_id).push(n.id)
  }
  const out = new Set()
  const stack = [...(kids.get(id) || [])]
  while (stack.length) {
    const c = stack.pop()
    if (out.has(c) || c === id) continue
    out.add(c)
    stack.push(...(kids.get(c) || []))
  }
  return out
}

/**
 * Why node id may not move under parentId, or null when it may. parentId null/0 is the top
 * level (always allowed). Reasons: 'self', 'descendant' (would make a cycle), 'other_chain'
 * (the parent is not a node of this chain's map).
 */
export function moveProblem(nodes, id, parentId) {
  if (!parentId) return null
  if (parentId === id) return 'self'
  if (!(nodes || []).some((n) => n.id === parentId)) return 'other_chain'
  if (id && descendantIds(nodes, id).has(parentId)) return 'descendant'
  return null
}

/**
 * The nodes a node may be put under, in map order (segment, then tree), each with its depth
 * and segment so a select can indent and group them. id null (a new node) may go anywhere.
 */
export function parentChoices(nodes, id = null) {
  const trees = segmentTrees(nodes)
  const out = []
  const walk = (items, depth) => {
    for (const it of items) {
      if (id == null || !moveProblem(nodes, id, it.id)) out.push({ id: it.id, name: it.node.name, segment: it.node.segment, depth })
      walk(it.children, depth + 1)
    }
  }
  for (const seg of [...SEGMENTS, 'other']) walk(trees[seg], 0)
  return out
}

/** The siblings a node is ordered among (itself included), in display order. */
export function siblingsOf(nodes, id) {
  const trees = segmentTrees(nodes)
  let found = null
  const walk = (items) => {
    for (const it of items) {
      if (found) return
      if (it.id === id) { found = items; return }
      walk(it.children)
    }
  }
  for (const seg of [...SEGMENTS, 'other']) walk(trees[seg])
  return (found || []).map((it) => it.node)
}

/**
 * The sort_order changes that move node id one place up (delta -1) or down (+1) among its
 * siblings: [{id, sort_order}], empty when it is already first/last. Two distinct
 * neighbours swap their numbers; siblings that share numbers are renumbered 10, 20, 30, …
 * (only the ones whose number changes are listed).
 */
export function reorderPatches(nodes, id, delta) {
  const sibs = siblingsOf(nodes, id)
  const i = sibs.findIndex((n) => n.id === id)
  const j = i + delta
  if (i < 0 || j < 0 || j >= sibs.length) return []
  const a = sibs[i]
  const b = sibs[j]
  const sa = a.sort_order ?? 0
  const sb = b.sort_order ?? 0
  const distinct = new Set(sibs.map((n) => n.sort_order ?? 0)).size === sibs.length
  if (sa !== sb && distinct) return [{ id: a.id, sort_order: sb }, { id: b.id, sort_order: sa }]
  const order = [...sibs]
  order.splice(i, 1)
  order.splice(j, 0, a)
  const out = []
  order.forEach((n, k) => {
    const want = (k + 1) * 10
    if ((n.sort_order ?? 0) !== want) out.push({ id: n.id, sort_order: want })
  })
  return out
}

/**
 * The PATCH body for an edited node: only the fields that changed ({} when nothing did).
 * parent_id goes as null for the top level.
 */
export function nodePatch(before, form) {
  const out = {}
  const name = (form.name || '').trim()
  if (name !== before.name) out.name = name
  if (form.segment && form.segment !== before.segment) out.segment = form.segment
  const parent = form.parent_id || null
  if (parent !== (before.parent_id || null)) out.parent_id = parent
  if (form.sort_order !== null && form.sort_order !== undefined && form.sort_order !== '' && Number(form.sort_order) !== (before.sort_order ?? 0)) {
    out.sort_order = Number(form.sort_order)
  }
  const desc = (form.description || '').trim()
  if (desc !== (before.description || '')) out.description = desc
  return out
}

/** Everything linked to a node on the map: local enterprises, targets and projects. */
export function nodeLinks(node) {
  if (!node) return { enterprises: [], projects: [] }
  const ents = [...(node.enterprises || []), ...(node.targets || [])]
  return { enterprises: ents, projects: node.projects || [] }
}

/** Which chain codes the signed-in user may edit: all (admin) or the ones they chief. */
export function editableChains(me, chains) {
  const roles = (me && me.roles) || []
  const list = chains || []
  if (roles.includes('admin')) return list
  if (!roles.includes('chain_chief')) return []
  const mine = (me && me.chains) || []
  return list.filter((c) => mine.includes(c.code))
}

/**
 * A history line in words. t is vue-i18n's t; the keys live under chainEdit.hist.
 * Segment values are shown as 上游/中游/下游, an empty parent as 顶层.
 */
export function historyText(e, t) {
  const obj = e.object_name || e.object || ''
  const subj = e.subject_name || e.subject || ''
  const seg = (v) => (SEGMENTS.includes(v) ? t('segment.' + v) : v)
  switch (e.action) {
    case 'node_created':
      return subj
        ? t('chainEdit.hist.nodeCreatedUnder', { name: obj, segment: seg(e.to), parent: subj })
        : t('chainEdit.hist.nodeCreated', { name: obj, segment: seg(e.to) })
    case 'node_updated': {
      const field = t('chainEdit.fields.' + e.field)
      let from = e.from || ''
      let to = e.to || ''
      if (e.field === 'segment') { from = seg(from); to = seg(to) }
      if (e.field === 'parent_id') { from = from || t('chainEdit.topLevel'); to = to || t('chainEdit.topLevel') }
      if (e.field === 'description') {
        return t('chainEdit.hist.descriptionChanged', { name: obj })
      }
      return t('chainEdit.hist.nodeUpdated', { name: obj, field, from: from || '—', to: to || '—' })
    }
    case 'node_deleted':
      return t('chainEdit.hist.nodeDeleted', { name: obj })
    case 'master_added':
      return t('chainEdit.hist.masterAdded', { name: obj })
    case 'master_removed':
      return t('chainEdit.hist.masterRemoved', { name: obj })
    case 'enterprise_linked':
      return t('chainEdit.hist.enterpriseLinked', { name: obj, subject: subj })
    case 'enterprise_unlinked':
      return t('chainEdit.hist.enterpriseUnlinked', { name: obj, subject: subj })
    case 'project_linked':
      return t('chainEdit.hist.projectLinked', { name: obj, subject: subj })
    case 'project_unlinked':
      return t('chainEdit.hist.projectUnlinked', { name: obj, subject: subj })
    case 'referral_added':
      return t('chainEdit.hist.referralAdded', { name: obj, subject: subj })
    case 'referral_removed':
      return t('chainEdit.hist.referralRemoved', { name: obj, subject: subj })
    default:
      return [e.action, obj, subj].filter(Boolean).join(' ')
  }
}
