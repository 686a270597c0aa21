import { describe, it, expect, vi } from 'vitest'
import { referralLines, latestLoader } from '../src/utils/referrals'

const answer = {
  items: [
    { id: 20, name: '设备甲', kind: 'target', credit_code: '91130630MA0REF0010', chains: ['semiconductor', 'mining'] },
    { id: 21, name: '乙', kind: 'investor', credit_code: '', chains: [] },
    { id: 22, name: '丙', kind: 'target', chains: ['textiles'] },
  ],
  total: 3,
}
const map = {
  summary: {
    chain_masters: [{ id: 10, name: '同光晶体' }, { id: 11, name: '驷乾' }],
    recommendations: [
      { node_name: '外延片', enterprises: [{ id: 20, name: '设备甲', referred_by: ['同光晶体'] }, { id: 21, name: '乙', referred_by: ['驷乾'] }] },
      { node_name: '衬底', enterprises: [{ id: 20, name: '设备甲', referred_by: ['驷乾', '同光晶体'] }] },
      { node_name: '衬底', enterprises: [{ id: 20, name: '设备甲', referred_by: ['同光晶体'] }] },
    ],
  },
}
const chains = [{ code: 'semiconductor', name: '碳化硅半导体' }, { code: 'mining', name: '矿产建材' }]

describe('referralLines', () => {
  it('names the chains and the gaps where the map recommends the enterprise through this master', () => {
    expect(referralLines(10, answer, { map, chains })).toEqual([
      { id: 20, name: '设备甲', kind: 'target', creditCode: '91130630MA0REF0010', chains: ['碳化硅半导体', '矿产建材'], gaps: ['外延片', '衬底'] },
      { id: 21, name: '乙', kind: 'investor', creditCode: '', chains: [], gaps: [] },
      { id: 22, name: '丙', kind: 'target', creditCode: '', chains: ['textiles'], gaps: [] },
    ])
  })
  it('takes another master\'s recommendations only for that master', () => {
    const lines = referralLines(11, answer, { map, chains })
    expect(lines.map((l) => l.gaps)).toEqual([['衬底'], ['外延片'], []])
  })
  it('copes with no map, no chains, a bare list and nothing', () => {
    expect(referralLines(10, answer.items).map((l) => l.chains)).toEqual([['semiconductor', 'mining'], [], ['textiles']])
    expect(referralLines(99, answer, { map }).every((l) => l.gaps.length === 0)).toBe(true)
    expect(referralLines(10, null)).toEqual([])
    expect(referralLines(10, { items: null })).toEqual([])
  })
})

describe('latestLoader', () => {
  it('keeps the newest answer per id and reports errors', async () => {
    const pending = []
    const fetch = vi.fn((id) => new Promise((resolve, reject) => pending.push({ id, resolve, reject })))
    const state = {}
    const load = latestLoader(fetch, (id, patch) => { state[id] = { ...state[id], ...patch } })
    const first = load(1)
    expect(state[1]).toEqual({ loading: true, error: null })
    const second = load(1)
    const other = load(2)
    pending[1].resolve({ items: ['new'] })
    await second
    pending[0].resolve({ items: ['old'] })
    await first
    expect(state[1]).toEqual({ loading: false, error: null, data: { items: ['new'] } })
    const err = new Error('boom')
    pending[2].reject(err)
    await other
    expect(state[2]).toEqual({ loading: false, error: err })
    expect(fetch).toHaveBeenCalledTimes(3)
  })
  it('a stale failure does not hide a newer answer', async () => {
    const pending = []
    const state = {}
    const load = latestLoader(() => new Promise((resolve, reject) => pending.push({ resolve, reject })), (id, patch) => { state[id] = { ...state[id], ...patch } })
    const a = load(5)
    const b = load(5)
    pending[1].resolve({ items: [] })
    await b
    pending[0].reject(new Error('late'))
    await a
    expect(state[5]).toEqual({ loading: false, error: null, data: { items: [] } })
  })
})
