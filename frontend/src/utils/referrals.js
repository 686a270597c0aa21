// Referrals (以商招商) of a chain master as the chain editor lists them.
/**
 * The lines of one master's referral list: GET /enterprises/{id}/referrals answers the
 * enterprises by name, each with the codes of the chains it is linked to. A line names
 * those chains (by name when the chain list knows the code) and the gap nodes of this map
 * where it is recommended through this master (summary.recommendations).
 *
 * @param {number} masterId the master whose list this is
 * @param {object|Array} answer the endpoint's answer ({items}) or its items
 * @param {object} [opts] {map, chains: [{code, name}]}
 * @returns {Array<{id, name, kind, creditCode, chains: string[], gaps: string[]}>}
 */
export function referralLines(masterId, answer, opts = {}) {
  const items = Array.isArray(answer) ? answer : (answer && answer.items) || []
  const names = new Map((opts.chains || []).map((c) => [c.code, c.name]))
  const summary = (opts.map && opts.map.summary) || {}
  const master = (summary.chain_masters || []).find((m) => m.id === masterId)
  const gaps = new Map()
  for (const rec of (master && summary.recommendations) || []) {
    for (const en of rec.enterprises || []) {
      if (!(en.referred_by || []).includes(master.name)) continue
      const list = gaps.get(en.id) || []
      if (!list.includes(rec.node_name)) list.push(rec.node_name)
      gaps.set(en.id, list)
    }
  }
  return items.map((e) => ({
    id: e.id,
    name: e.name,
    kind: e.kind,
    creditCode: e.credit_code || '',
    chains: (e.chains || []).map((code) => names.get(code) || code),
    gaps: gaps.get(e.id) || [],
  }))
}

/**
 * Loads lists keyed by id, keeping only the newest answer for each key: a reload started
 * after an edit wins over a slower one started before it.
 *
 * @param {(id) => Promise} fetch
 * @param {(id, patch) => void} set receives {loading, error, data} changes
 */
export function latestLoader(fetch, set) {
  const seq = new Map()
  return async function load(id) {
    const n = (seq.get(id) || 0) + 1
    seq.set(id, n)
    set(id, { loading: true, error: null })
    try {
      const data = await fetch(id)
      if (seq.get(id) === n) set(id, { loading: false, error: null, data })
    } catch (e) {
      if (seq.get(id) === n) set(id, { loading: false, error: e })
    }
  }
}
