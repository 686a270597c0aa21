import { describe, expect, it } from 'vitest'
import { robotBody, ROBOT_EVENTS } from '../src/api/robots'

describe('robotBody', () => {
  const form = { kind: 'dingtalk', name: ' 食品群 ', webhook: ' https://oapi.dingtalk.com/robot/send?access_token=x ', secret: '', clearSecret: false, chain: '', events: ['supervision'] }
  it('makes an empty chain zone-wide and trims', () => {
    expect(robotBody(form, false)).toEqual({ kind: 'dingtalk', name: '食品群', webhook: 'https://oapi.dingtalk.com/robot/send?access_token=x', chain: null, events: ['supervision'], secret: '' })
  })
  it('keeps the saved secret on an edit unless a new one is typed or it is cleared', () => {
    expect('secret' in robotBody(form, true)).toBe(false)
    expect(robotBody({ ...form, secret: ' SECabc ' }, true).secret).toBe('SECabc')
    expect(robotBody({ ...form, secret: 'SECabc', clearSecret: true }, true).secret).toBe('')
  })
  it('lists the contract events', () => {
    expect(ROBOT_EVENTS).toEqual(['decision_waiting', 'supervision', 'request_overdue', 'daily_summary', 'weekly_digest'])
  })
})
