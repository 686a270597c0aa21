import { describe, it, expect } from 'vitest'
import * as perm from '../src/utils/permissions'

const u = (username, roles, chains = []) => ({ username, roles, chains })
const admin = u('admin', ['admin'])
const director = u('director', ['director'])
const chiefFood = u('chief_food', ['chain_chief'], ['food'])
const rec1 = u('recruiter1', ['recruiter'])
const rec2 = u('recruiter2', ['recruiter'])
const agent = u('agent1', ['agent'])
const viewer = u('viewer', ['viewer'])
const foodProject = { id: 1, chain: 'food', owner: 'recruiter1', created_by: 'recruiter1' }
const agentLead = { id: 2, chain: null, owner: 'agent1', created_by: 'agent1' }

describe('permissions mirror the contract', () => {
  it('who edits a project', () => {
    expect(perm.canEditProject(admin, foodProject)).toBe(true)
    expect(perm.canEditProject(director, foodProject)).toBe(true)
    expect(perm.canEditProject(rec1, foodProject)).toBe(true)
    expect(perm.canEditProject(rec2, foodProject)).toBe(false)
    expect(perm.canEditProject(chiefFood, foodProject)).toBe(false)
    expect(perm.canEditProject(viewer, foodProject)).toBe(false)
    expect(perm.canEditProject(null, foodProject)).toBe(false)
  })
  it('who decides', () => {
    expect(perm.canDecide(director, foodProject)).toBe(true)
    expect(perm.canDecide(chiefFood, foodProject)).toBe(true)
    expect(perm.canDecide(chiefFood, { ...foodProject, chain: 'mining' })).toBe(false)
    expect(perm.canDecide(chiefFood, { ...foodProject, chain: null })).toBe(false)
    expect(perm.canDecide(admin, foodProject)).toBe(false)
    expect(perm.canDecide(rec1, foodProject)).toBe(false)
  })
  it('who logs activities', () => {
    expect(perm.canLogActivity(rec2, foodProject)).toBe(true)
    expect(perm.canLogActivity(agent, agentLead)).toBe(true)
    expect(perm.canLogActivity(agent, foodProject)).toBe(false)
    expect(perm.canLogActivity(chiefFood, foodProject)).toBe(false)
    expect(perm.canLogActivity(viewer, foodProject)).toBe(false)
    expect(perm.canLogActivity(viewer, null)).toBe(false)
  })
  it('who creates, imports, reviews', () => {
    expect([admin, director, rec1, agent, chiefFood, viewer].map(perm.canCreateProject)).toEqual([true, true, true, true, false, false])
    expect([admin, director, rec1, viewer].map(perm.canImport)).toEqual([true, true, false, false])
    expect([chiefFood, director, rec1].map(perm.canReview)).toEqual([true, true, false])
    expect(perm.isAdmin(admin)).toBe(true)
    expect(perm.isAdmin(director)).toBe(false)
  })
})
