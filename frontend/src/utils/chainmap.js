// Lays out a chain map for the ECharts graph: three columns (上游/中游/下游), nodes stacked
// in each, children under their parent and indented; edges parent → child. Pure, so tested.
import { SEGMENTS } from './enums'

export function orderNodes(nodes) {
  const byParent = new Map()
  const ids = new Set(nodes.map((n) => n.id))
  for (const n of nodes) {
    const key = n.parent_id && ids.has(n.parent_id) ? n.parent_id : null
    if (!byParent.has(key)) byParent.set(key, [])
    byParent.get(key).push(n)
  }
  const out = []
  const walk = (parent, depth, seen) => {
    for (const n of byParent.get(parent) || []) {
      if (seen.has(n.id)) continue
      seen.add(n.id)
      out.push({ ...n, depth })
      walk(n.id, depth + 1, seen)
    }
  }
  const seen = new Set()
  for (const seg of SEGMENTS) {
    for (const n of (byParent.get(null) || []).filter((x) => x.segment === seg)) {
      if (seen.has(n.id)) continue
      seen.add(n.id)
      out.push({ ...n, depth: 0 })
      walk(n.id, 1, seen)
    }
  }
  // anything left (unknown segment, cycles) goes at the end
  for (const n of nodes) if (!seen.has(n.id)) out.push({ ...n, depth: 0 })
  return out
}

export function buildMapGraph(nodes, segmentLabel = (s) => s) {
  const ordered = orderNodes(nodes)
  const colX = { upstream: 0, midstream: 400, downstream: 800 }
  const rowInSeg = { upstream: 0, midstream: 0, downstream: 0 }
  const out = []
  for (const seg of SEGMENTS) {
    out.push({ id: 'seg-' + seg, name: segmentLabel(seg), x: colX[seg] + 40, y: -90, symbol: 'rect', symbolSize: [120, 34], header: true })
  }
  for (const n of ordered) {
    const seg = colX[n.segment] !== undefined ? n.segment : 'downstream'
    const row = rowInSeg[seg]++
    const weight = (n.enterprises || []).length + (n.projects || []).length
    out.push({
      id: String(n.id),
      name: n.name,
      x: colX[seg] + n.depth * 80,
      y: row * 95,
      symbolSize: 26 + Math.min(weight, 8) * 4,
      raw: n,
    })
  }
  const present = new Set(ordered.map((n) => n.id))
  const links = ordered.filter((n) => n.parent_id && present.has(n.parent_id)).map((n) => ({ source: String(n.parent_id), target: String(n.id) }))
  // the chain's direction: 上游 → 中游 → 下游, drawn between the column headers
  const flow = [['upstream', 'midstream'], ['midstream', 'downstream']].map(([a, b]) => ({
    source: 'seg-' + a, target: 'seg-' + b, flow: true,
    lineStyle: { type: 'dashed', color: '#1f5fae', width: 2, curveness: 0 },
  }))
  return { nodes: out, links: [...flow, ...links], ordered }
}

export function mapSummary(nodes) {
  const s = { strong: 0, weak: 0, missing: 0, gapFilled: 0, gapOpen: 0 }
  for (const n of nodes) {
    if (s[n.status] !== undefined) s[n.status]++
    if (n.status === 'missing') {
      if ((n.projects || []).length) s.gapFilled++
      else s.gapOpen++
    }
  }
  return s
}
