import { describe, it, expect } from 'vitest'
import {
  segmentTrees, descendantIds, moveProblem, parentChoices, siblingsOf, reorderPatches, nodePatch,
  editableChains, historyText,
} from '../src/utils/chainedit'
import { i18n, setLocale } from '../src/i18n'
import { canEditChain } from '../src/utils/permissions'

// A small food chain: 养殖 (up) > 饲料; 屠宰 (mid) > 分割, 副产品; 预制菜 (down) under 屠宰.
const N = (id, name, segment, parent_id = null, sort_order = 0) => ({ id, name, segment, parent_id, sort_order })
const nodes = [
  N(1, '养殖', 'upstream', null, 1),
  N(2, '饲料', 'upstream', 1, 1),
  N(3, '屠宰', 'midstream', null, 1),
  N(4, '分割', 'midstream', 3, 2),
  N(5, '副产品', 'midstream', 3, 1),
  N(6, '预制菜', 'downstream', 3, 1),
  N(7, '冷链', 'downstream', null, 0),
]

const ids = (items) => items.map((i) => i.id)

describe('segmentTrees', () => {
  it('builds one tree per segment, siblings by sort_order then id', () => {
    const t = segmentTrees(nodes)
    expect(ids(t.upstream)).toEqual([1])
    expect(ids(t.upstream[0].children)).toEqual([2])
    expect(ids(t.midstream)).toEqual([3])
    expect(ids(t.midstream[0].children)).toEqual([5, 4]) // 副产品 (1) before 分割 (2)
    // a node whose parent is in another segment starts a tree in its own segment, captioned
    expect(ids(t.downstream)).toEqual([7, 6])
    expect(t.downstream[1].parentName).toBe('屠宰')
    expect(t.downstream[0].parentName).toBe('')
  })
  it('shows every node once, even with an unknown parent or a cycle of parents', () => {
    const broken = [N(1, 'a', 'upstream', 2), N(2, 'b', 'upstream', 1), N(3, 'c', 'upstream', 99), N(4, 'd', 'sideways')]
    const t = segmentTrees(broken)
    const all = []
    const walk = (items) => items.forEach((i) => { all.push(i.id); walk(i.children) })
    Object.values(t).forEach(walk)
    expect(all.sort()).toEqual([1, 2, 3, 4])
    expect(ids(t.other)).toEqual([4])
    expect(segmentTrees(null).upstream).toEqual([])
  })
})

describe('moves', () => {
  it('finds descendants across segments', () => {
    expect([...descendantIds(nodes, 3)].sort()).toEqual([4, 5, 6])
    expect(descendantIds(nodes, 2).size).toBe(0)
  })
  it('refuses a parent that is the node, one of its descendants, or not on this chain', () => {
    expect(moveProblem(nodes, 3, 3)).toBe('self')
    expect(moveProblem(nodes, 3, 4)).toBe('descendant')
    expect(moveProblem(nodes, 3, 6)).toBe('descendant')
    expect(moveProblem(nodes, 3, 42)).toBe('other_chain')
    expect(moveProblem(nodes, 4, 1)).toBe(null)
    expect(moveProblem(nodes, 4, null)).toBe(null) // the top level
    expect(moveProblem(nodes, null, 4)).toBe(null) // a new node may go anywhere on the chain
  })
  it('offers only the parents a node may move under, in map order with depth', () => {
    expect(parentChoices(nodes, 3).map((c) => c.id)).toEqual([1, 2, 7])
    const all = parentChoices(nodes)
    expect(all.map((c) => c.id)).toEqual([1, 2, 3, 5, 4, 7, 6])
    expect(all.find((c) => c.id === 4)).toMatchObject({ depth: 1, segment: 'midstream', name: '分割' })
  })
})

describe('reorder', () => {
  it('lists the siblings a node is ordered among', () => {
    expect(siblingsOf(nodes, 4).map((n) => n.id)).toEqual([5, 4])
    expect(siblingsOf(nodes, 6).map((n) => n.id)).toEqual([7, 6])
    expect(siblingsOf(nodes, 99)).toEqual([])
  })
  it('swaps the numbers of two distinct neighbours', () => {
    expect(reorderPatches(nodes, 4, -1)).toEqual([{ id: 4, sort_order: 1 }, { id: 5, sort_order: 2 }])
    expect(reorderPatches(nodes, 5, 1)).toEqual([{ id: 5, sort_order: 2 }, { id: 4, sort_order: 1 }])
  })
  it('does nothing at the ends', () => {
    expect(reorderPatches(nodes, 5, -1)).toEqual([])
    expect(reorderPatches(nodes, 4, 1)).toEqual([])
    expect(reorderPatches(nodes, 1, -1)).toEqual([])
  })
  it('renumbers siblings that share a number, sending only the changed ones', () => {
    const same = [N(1, 'a', 'upstream', null, 0), N(2, 'b', 'upstream', null, 0), N(3, 'c', 'upstream', null, 30)]
    expect(reorderPatches(same, 2, -1)).toEqual([{ id: 2, sort_order: 10 }, { id: 1, sort_order: 20 }])
    // the result really is the wanted order
    const after = same.map((n) => ({ ...n, ...(reorderPatches(same, 2, -1).find((p) => p.id === n.id) || {}) }))
    expect(siblingsOf(after, 1).map((n) => n.id)).toEqual([2, 1, 3])
  })
})

describe('nodePatch', () => {
  const before = { id: 4, name: '分割', segment: 'midstream', parent_id: 3, sort_order: 2, description: '' }
  it('sends only what changed', () => {
    expect(nodePatch(before, { ...before })).toEqual({})
    expect(nodePatch(before, { ...before, name: ' 冷鲜肉分割 ' })).toEqual({ name: '冷鲜肉分割' })
    expect(nodePatch(before, { ...before, parent_id: 1, segment: 'upstream', sort_order: 5 })).toEqual({ parent_id: 1, segment: 'upstream', sort_order: 5 })
    expect(nodePatch(before, { ...before, description: '说明' })).toEqual({ description: '说明' })
  })
  it('moves to the top level with parent_id null', () => {
    expect(nodePatch(before, { ...before, parent_id: null })).toEqual({ parent_id: null })
    expect(nodePatch(before, { ...before, parent_id: 0 })).toEqual({ parent_id: null })
  })
  it('leaves the order alone when the field is cleared', () => {
    expect(nodePatch(before, { ...before, sort_order: null })).toEqual({})
  })
})

describe('who edits which chain', () => {
  const chains = [{ code: 'food' }, { code: 'mining' }, { code: 'semiconductor' }]
  const admin = { roles: ['admin'], chains: [] }
  const chief = { roles: ['chain_chief'], chains: ['food'] }
  const director = { roles: ['director'], chains: [] }
  it('admin every chain, a chief only their own, nobody else any', () => {
    expect(editableChains(admin, chains).map((c) => c.code)).toEqual(['food', 'mining', 'semiconductor'])
    expect(editableChains(chief, chains).map((c) => c.code)).toEqual(['food'])
    expect(editableChains(director, chains)).toEqual([])
    expect(editableChains(null, chains)).toEqual([])
    expect(canEditChain(chief, 'food')).toBe(true)
    expect(canEditChain(chief, 'mining')).toBe(false)
    expect(canEditChain(admin, 'mining')).toBe(true)
    expect(canEditChain(director, 'food')).toBe(false)
    expect(canEditChain(admin, '')).toBe(false)
  })
})

describe('historyText', () => {
  const t = (...a) => i18n.global.t(...a)
  it('writes every action in Chinese', () => {
    setLocale('zh-CN')
    const line = (e) => historyText({ object_name: '复合调味料', ...e }, t)
    expect(line({ action: 'node_created', to: 'midstream' })).toBe('新增环节“复合调味料”（中游）')
    expect(line({ action: 'node_created', to: 'midstream', subject: 'node/3', subject_name: '屠宰' })).toBe('新增环节“复合调味料”（中游），上级为“屠宰”')
    expect(line({ action: 'node_updated', field: 'name', from: '调味料', to: '复合调味料' })).toBe('环节“复合调味料”的环节名称由“调味料”改为“复合调味料”')
    expect(line({ action: 'node_updated', field: 'segment', from: 'midstream', to: 'downstream' })).toBe('环节“复合调味料”的链段由“中游”改为“下游”')
    expect(line({ action: 'node_updated', field: 'parent_id', from: '屠宰', to: '' })).toBe('环节“复合调味料”的上级环节由“屠宰”改为“顶层”')
    expect(line({ action: 'node_updated', field: 'sort_order', from: '3', to: '9' })).toBe('环节“复合调味料”的排序号由“3”改为“9”')
    expect(line({ action: 'node_updated', field: 'description', from: 'a', to: 'b' })).toBe('修改了环节“复合调味料”的说明')
    expect(line({ action: 'node_deleted', from: '复合调味料' })).toBe('删除环节“复合调味料”')
    expect(line({ action: 'enterprise_linked', subject_name: '桃木疙瘩' })).toBe('环节“复合调味料”关联企业“桃木疙瘩”')
    expect(line({ action: 'enterprise_unlinked', subject_name: '桃木疙瘩' })).toBe('环节“复合调味料”解除关联企业“桃木疙瘩”')
    expect(line({ action: 'project_linked', subject_name: '屠宰厂项目' })).toBe('环节“复合调味料”关联项目“屠宰厂项目”')
    expect(line({ action: 'project_unlinked', subject_name: '屠宰厂项目' })).toBe('环节“复合调味料”解除关联项目“屠宰厂项目”')
    const ent = (e) => historyText({ object_name: '同光晶体', ...e }, t)
    expect(ent({ action: 'master_added' })).toBe('将“同光晶体”设为链主')
    expect(ent({ action: 'master_removed' })).toBe('取消“同光晶体”的链主身份')
    expect(ent({ action: 'referral_added', subject_name: '晶体设备' })).toBe('记录链主“同光晶体”可引荐“晶体设备”')
    expect(ent({ action: 'referral_removed', subject_name: '晶体设备' })).toBe('移除链主“同光晶体”对“晶体设备”的引荐')
    expect(ent({ action: 'something_new' })).toBe('something_new 同光晶体')
  })
  it('has English too', () => {
    setLocale('en')
    expect(historyText({ action: 'node_deleted', object_name: 'x' }, t)).toBe('Deleted link “x”')
    setLocale('zh-CN')
  })
})
