import { describe, it, expect } from 'vitest'
import { patchBody, changedFields, formFromProject, createBody, blankProject } from '../src/utils/project'
import { orderNodes, buildMapGraph, mapSummary } from '../src/utils/chainmap'
import { importOutcome } from '../src/utils/importer'
import { nextStage } from '../src/utils/enums'
import { ApiError } from '../src/api/client'

const p = { id: 1, name: '誉柯项目', investor: '誉柯', channel: 'business_referral', chain: 'food', chain_node_ids: [3, 1], asset_type: 'heavy',
  planned_investment_wan: 38000, land_area_mu: 200, owner: 'recruiter1', docked_at: '2022-03-01', signed_at: null, campaign_id: null,
  referrer: '德龙集团', agency: '', notes: '', version: 4 }

describe('project edits', () => {
  it('sends only changed fields with the version being edited', () => {
    const base = formFromProject(p)
    const form = { ...base, land_area_mu: 260, chain_node_ids: [1, 3] }
    expect(patchBody(base, form, 4)).toEqual({ version: 4, land_area_mu: 260 })
  })
  it('clears the chain with an empty string', () => {
    const base = formFromProject(p)
    expect(patchBody(base, { ...base, chain: null }, 4)).toEqual({ version: 4, chain: '' })
  })
  it('finds what another user changed, treating "38000" and 38000 alike', () => {
    const theirs = { ...p, planned_investment_wan: 40000, notes: '已考察', version: 5 }
    expect(changedFields(p, theirs)).toEqual(['planned_investment_wan', 'notes'])
    expect(changedFields(p, { ...p, planned_investment_wan: '38000' })).toEqual([])
  })
  it('builds a create body without empty optional fields', () => {
    const body = createBody({ ...blankProject('2023-05-01'), name: 'A', investor: 'B' })
    expect(body).toMatchObject({ name: 'A', investor: 'B', channel: 'self_sourced', asset_type: 'heavy', docked_at: '2023-05-01', planned_investment_wan: 0 })
    expect(body).not.toHaveProperty('referrer')
    expect(body).not.toHaveProperty('chain')
  })
  it('knows the next stage', () => {
    expect(nextStage('lead')).toBe('identification')
    expect(nextStage('decision')).toBe('follow_up')
    expect(nextStage('follow_up')).toBe(null)
    expect(nextStage('dropped')).toBe(null)
  })
})

const nodes = [
  { id: 5, name: '功率器件', segment: 'downstream', parent_id: null, status: 'missing', projects: [{ id: 9 }], enterprises: [] },
  { id: 1, name: '碳化硅粉料', segment: 'upstream', parent_id: null, status: 'weak', projects: [], enterprises: [{ id: 1 }] },
  { id: 2, name: '碳化硅衬底', segment: 'midstream', parent_id: null, status: 'strong', projects: [], enterprises: [{ id: 2 }, { id: 3 }] },
  { id: 3, name: '外延片', segment: 'midstream', parent_id: 2, status: 'missing', projects: [], enterprises: [] },
]

describe('chain map layout', () => {
  it('orders by segment with children after their parent', () => {
    expect(orderNodes(nodes).map((n) => [n.id, n.depth])).toEqual([[1, 0], [2, 0], [3, 1], [5, 0]])
  })
  it('puts segments in columns and links parent to child', () => {
    const g = buildMapGraph(nodes)
    const byId = Object.fromEntries(g.nodes.map((n) => [n.id, n]))
    expect(byId['1'].x).toBeLessThan(byId['2'].x)
    expect(byId['2'].x).toBeLessThan(byId['5'].x)
    expect(byId['3'].x).toBeGreaterThan(byId['2'].x)
    expect(g.links.filter((l) => !l.flow)).toEqual([{ source: '2', target: '3' }])
    expect(g.links.filter((l) => l.flow).map((l) => l.source + '>' + l.target)).toEqual(['seg-upstream>seg-midstream', 'seg-midstream>seg-downstream'])
    expect(g.nodes.filter((n) => n.header)).toHaveLength(3)
  })
  it('counts statuses and which gaps the pipeline fills', () => {
    expect(mapSummary(nodes)).toEqual({ strong: 1, weak: 1, missing: 2, gapFilled: 1, gapOpen: 1 })
  })
})

describe('import outcome', () => {
  it('reads row errors from a bare 422 body', () => {
    const err = new ApiError(422, { created: 0, updated: 0, errors: [{ row: 3, column: '招商渠道', message: '未知的渠道' }] })
    expect(importOutcome(err).errors).toEqual([{ row: 3, column: '招商渠道', message: '未知的渠道' }])
  })
  it('reads row errors from inside the error envelope', () => {
    const err = new ApiError(422, { error: { code: 'EINVALID', message: '有 1 行错误', errors: [{ row: 2, column: 'name', message: '必填' }] } })
    expect(importOutcome(err).errors).toHaveLength(1)
    expect(err.message).toBe('有 1 行错误')
  })
})
