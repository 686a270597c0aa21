// The projects export as a background job (issue 8): start it, poll its progress about twice a
// second, then download the finished file. The server counts the rows it will write, so the
// page can say "正在导出 1 234 / 20 000 行（6%）" instead of waiting on a stream of unknown length.
import { ApiError } from '../api/client'
import { hasRole } from './permissions'

/** Thrown when the user cancelled the export (the job is cancelled on the server too). */
export class ExportCancelled extends Error {
  constructor() {
    super('已取消导出')
    this.name = 'ExportCancelled'
  }
}

/** Waits ms, or rejects with ExportCancelled as soon as signal aborts. */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) { reject(new ExportCancelled()); return }
    const onAbort = () => { clearTimeout(timer); reject(new ExportCancelled()) }
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    if (signal) signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** How many failed polls in a row (network hiccups, 5xx) are tolerated before giving up. */
export const MAX_POLL_FAILURES = 3

/**
 * Runs one export job to the end.
 *
 * @param {{start: Function, status: Function, download: Function, cancel: Function}} jobs the API
 *   (start(query) → {id, total}; status(id) → {status, rows, total, error?}; download(id, opts) →
 *   {name, size}; cancel(id))
 * @param {object} query the list's filters
 * @param {{onProgress?: Function, signal?: AbortSignal, interval?: number}} [opts] onProgress gets
 *   {phase: 'running'|'download', rows, total, percent}
 * @returns {Promise<{name: string, size: number}>} the downloaded file
 */
export async function runExportJob(jobs, query, { onProgress = () => {}, signal, interval = 500 } = {}) {
  if (signal && signal.aborted) throw new ExportCancelled()
  const job = await jobs.start(query)
  const id = job.id
  let total = Number(job.total) || 0
  onProgress({ phase: 'running', rows: 0, total, percent: 0 })
  try {
    let failures = 0
    for (;;) {
      await sleep(interval, signal)
      let st
      try {
        st = await jobs.status(id)
        failures = 0
      } catch (e) {
        if (e instanceof ApiError && e.isNotFound) {
          throw new ApiError(404, { error: { code: 'not_found', message: '导出任务已失效（可能服务刚重启），请重新导出' } })
        }
        const transient = !(e instanceof ApiError) || e.isNetwork || e.status >= 500
        if (!transient || ++failures >= MAX_POLL_FAILURES) throw e
        continue
      }
      if (signal && signal.aborted) throw new ExportCancelled()
      total = Number(st.total) || 0
      const rows = Number(st.rows) || 0
      onProgress({ phase: 'running', rows, total, percent: percentOf(rows, total) })
      if (st.status === 'done') break
      if (st.status === 'failed') throw new Error(st.error || '导出失败，请稍后重试')
    }
    return await jobs.download(id, {
      onProgress: (p) => { onProgress({ phase: 'download', rows: total, total, percent: p }) },
    })
  } catch (e) {
    if (e instanceof ExportCancelled) {
      // best effort: the server removes the job and its file; it would expire anyway
      Promise.resolve().then(() => jobs.cancel(id)).catch(() => {})
    }
    throw e
  }
}

/** Whole percent of rows out of total, never above 100 (0 when nothing is counted). */
export function percentOf(rows, total) {
  if (!total || total <= 0) return 0
  return Math.min(100, Math.floor((rows * 100) / total))
}

/** 1234567 → "1 234 567" (no-break spaces between groups of three, as in 1 234 / 20 000). */
export function groupDigits(n) {
  return String(Math.max(0, Math.trunc(Number(n) || 0))).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')
}

const TEXT = {
  'zh-CN': {
    running: (r, t, p) => `正在导出 ${r} / ${t} 行（${p}%）`,
    packing: (t) => `已写入 ${t} 行，正在生成文件…`,
    download: (p) => `正在下载文件（${p}%）`,
    starting: '正在准备导出…',
  },
  en: {
    running: (r, t, p) => `Exporting ${r} / ${t} rows (${p}%)`,
    packing: (t) => `${t} rows written, building the file…`,
    download: (p) => `Downloading the file (${p}%)`,
    starting: 'Preparing the export…',
  },
}

/** The progress line shown beside the bar, in the UI's language. */
export function progressText(progress, locale = 'zh-CN') {
  const m = TEXT[locale] || TEXT['zh-CN']
  if (!progress) return m.starting
  const { phase, rows, total, percent } = progress
  if (phase === 'download') return m.download(percent)
  if (total > 0 && rows >= total) return m.packing(groupDigits(total))
  return m.running(groupDigits(rows), groupDigits(total), percent)
}

/** The roles casbin lets run exports (configs/policy.csv: export, run); agents may not. */
export function canExport(me) {
  return hasRole(me, 'admin', 'director', 'chain_chief', 'recruiter', 'viewer')
}
