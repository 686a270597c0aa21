import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { runExportJob, ExportCancelled, progressText, percentOf, groupDigits, canExport, MAX_POLL_FAILURES } from '../src/utils/exportJob'
import { ApiError } from '../src/api/client'
import { mount } from '@vue/test-utils'
import { i18n, setLocale } from '../src/i18n'
import ExportJobButton from '../src/components/ExportJobButton.vue'
import { mockFetch } from './helpers'

const nbsp = (s) => s.replace(/\u00a0/g, ' ')

/** A fake job API whose status answers come from a list, one per poll. */
function fakeJobs(statuses, { total = 20000 } = {}) {
  const answers = [...statuses]
  return {
    start: vi.fn(async () => ({ id: 'job1', total })),
    status: vi.fn(async () => {
      const a = answers.shift()
      if (a instanceof Error) throw a
      return a
    }),
    download: vi.fn(async (id, { onProgress }) => { onProgress(100); return { name: '招商项目-20230116.xlsx', size: 1234 } }),
    cancel: vi.fn(async () => undefined),
  }
}

beforeEach(() => { vi.useFakeTimers() })
afterEach(() => { vi.useRealTimers() })

describe('runExportJob', () => {
  it('polls every 500 ms, reports rows of total, then downloads the file', async () => {
    const jobs = fakeJobs([
      { status: 'running', rows: 1234, total: 20000 },
      { status: 'running', rows: 20000, total: 20000 },
      { status: 'done', rows: 20000, total: 20000 },
    ])
    const seen = []
    const p = runExportJob(jobs, { chain: 'food' }, { onProgress: (x) => seen.push(x) })
    await vi.advanceTimersByTimeAsync(0)
    expect(jobs.start).toHaveBeenCalledWith({ chain: 'food' })
    expect(seen.at(-1)).toEqual({ phase: 'running', rows: 0, total: 20000, percent: 0 })
    await vi.advanceTimersByTimeAsync(499)
    expect(jobs.status).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(jobs.status).toHaveBeenCalledTimes(1)
    expect(jobs.status).toHaveBeenCalledWith('job1')
    expect(seen.at(-1)).toEqual({ phase: 'running', rows: 1234, total: 20000, percent: 6 })
    expect(nbsp(progressText(seen.at(-1)))).toBe('正在导出 1 234 / 20 000 行（6%）')
    await vi.advanceTimersByTimeAsync(500)
    expect(nbsp(progressText(seen.at(-1)))).toBe('已写入 20 000 行，正在生成文件…')
    expect(jobs.download).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(500)
    await expect(p).resolves.toEqual({ name: '招商项目-20230116.xlsx', size: 1234 })
    expect(jobs.status).toHaveBeenCalledTimes(3)
    expect(jobs.download).toHaveBeenCalledWith('job1', expect.any(Object))
    expect(seen.at(-1)).toEqual({ phase: 'download', rows: 20000, total: 20000, percent: 100 })
    expect(jobs.cancel).not.toHaveBeenCalled()
  })

  it('stops with the server\'s message when the job failed, downloading nothing', async () => {
    const jobs = fakeJobs([{ status: 'running', rows: 10, total: 20000 }, { status: 'failed', rows: 10, total: 20000, error: '导出失败，请稍后重试 (export failed)' }])
    const p = runExportJob(jobs, {})
    const check = expect(p).rejects.toThrow('导出失败，请稍后重试 (export failed)')
    await vi.advanceTimersByTimeAsync(1000)
    await check
    expect(jobs.download).not.toHaveBeenCalled()
  })

  it('cancels: no more polls, and the job is cancelled on the server', async () => {
    const jobs = fakeJobs([{ status: 'running', rows: 100, total: 20000 }, { status: 'running', rows: 200, total: 20000 }])
    const ctl = new AbortController()
    const p = runExportJob(jobs, {}, { signal: ctl.signal })
    const check = expect(p).rejects.toBeInstanceOf(ExportCancelled)
    await vi.advanceTimersByTimeAsync(500)
    expect(jobs.status).toHaveBeenCalledTimes(1)
    ctl.abort()
    await vi.advanceTimersByTimeAsync(2000)
    await check
    expect(jobs.status).toHaveBeenCalledTimes(1)
    expect(jobs.cancel).toHaveBeenCalledWith('job1')
    expect(jobs.download).not.toHaveBeenCalled()
  })

  it('rides out a network hiccup but gives up after repeated failures', async () => {
    const ok = fakeJobs([new ApiError(0, null), new ApiError(502, null), { status: 'done', rows: 5, total: 5 }], { total: 5 })
    const p = runExportJob(ok, {})
    await vi.advanceTimersByTimeAsync(1500)
    await expect(p).resolves.toMatchObject({ size: 1234 })
    expect(ok.status).toHaveBeenCalledTimes(3)

    const bad = fakeJobs(Array.from({ length: MAX_POLL_FAILURES }, () => new ApiError(0, null)))
    const q = runExportJob(bad, {})
    const check = expect(q).rejects.toThrow('网络连接失败')
    await vi.advanceTimersByTimeAsync(500 * MAX_POLL_FAILURES)
    await check
    expect(bad.status).toHaveBeenCalledTimes(MAX_POLL_FAILURES)
  })

  it('says in Chinese that a vanished job must be started again', async () => {
    const jobs = fakeJobs([new ApiError(404, { error: { code: 'not_found', message: '导出任务不存在或已过期' } })])
    const p = runExportJob(jobs, {})
    const check = expect(p).rejects.toThrow(/请重新导出/)
    await vi.advanceTimersByTimeAsync(500)
    await check
  })

  it('passes on a refusal to start (too many exports) without polling', async () => {
    const jobs = fakeJobs([])
    jobs.start.mockRejectedValueOnce(new ApiError(429, { error: { code: 'throttled', message: '您已有 2 个导出任务正在进行，请等其完成后再导出' } }))
    await expect(runExportJob(jobs, {})).rejects.toThrow('您已有 2 个导出任务正在进行')
    await vi.advanceTimersByTimeAsync(2000)
    expect(jobs.status).not.toHaveBeenCalled()
  })
})

describe('progress text', () => {
  it('groups digits, caps the percentage and speaks English too', () => {
    expect(nbsp(groupDigits(1234567))).toBe('1 234 567')
    expect(groupDigits(999)).toBe('999')
    expect(percentOf(5, 0)).toBe(0)
    expect(percentOf(30, 20)).toBe(100)
    expect(percentOf(1, 3)).toBe(33)
    expect(progressText(null)).toBe('正在准备导出…')
    expect(nbsp(progressText({ phase: 'running', rows: 1234, total: 20000, percent: 6 }, 'en'))).toBe('Exporting 1 234 / 20 000 rows (6%)')
    expect(progressText({ phase: 'download', rows: 5, total: 5, percent: 40 })).toBe('正在下载文件（40%）')
  })

  it('offers the export to every role the policy lets export, not to agents', () => {
    expect(canExport({ roles: ['viewer'] })).toBe(true)
    expect(canExport({ roles: ['chain_chief'] })).toBe(true)
    expect(canExport({ roles: ['agent'] })).toBe(false)
    expect(canExport(null)).toBe(false)
  })
})

describe('ExportJobButton', () => {
  it('shows rows of total with a bar while the job runs, and 取消 cancels it on the server', async () => {
    setLocale('zh-CN')
    const { calls } = mockFetch([
      { match: ['POST', '/api/v1/export/projects'], respond: { status: 202, body: { id: 'job1', total: 20000 } } },
      { match: ['GET', '/api/v1/export/jobs/job1'], respond: { body: { id: 'job1', status: 'running', rows: 1234, total: 20000, file_name: '招商项目-20230116.xlsx' } } },
      { match: ['DELETE', '/api/v1/export/jobs/job1'], respond: { status: 204 } },
    ])
    const w = mount(ExportJobButton, { global: { plugins: [i18n] }, props: { filters: () => ({ chain: 'food' }) }, attachTo: document.body })
    await w.find('[data-test=export]').trigger('click')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls[0].url).toBe('/api/v1/export/projects?chain=food')
    expect(w.find('[data-test=export-progress]').exists()).toBe(true)
    await vi.advanceTimersByTimeAsync(500)
    expect(nbsp(w.find('[data-test=export-progress-text]').text())).toBe('正在导出 1 234 / 20 000 行（6%）')
    expect(w.find('[data-test=export-progress] .el-progress').exists()).toBe(true)
    expect(w.find('[data-test=export]').attributes('disabled')).toBeDefined()
    await w.find('[data-test=export-cancel]').trigger('click')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/export/jobs/job1')).toBe(true)
    expect(w.find('[data-test=export-progress]').exists()).toBe(false)
    const polls = calls.filter((c) => c.method === 'GET').length
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls.filter((c) => c.method === 'GET').length).toBe(polls)
    w.unmount()
  })
})
