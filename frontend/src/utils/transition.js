// Running a guarded stage move from any page: asks for what the move needs (a reason to
// drop, a signing date to enter follow-up), then shows the server's refusal as it is.
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { projects as projectsApi } from '../api'
import { i18n } from '../i18n'
import { zoneDate } from './format'
import { toastError, toastOk } from './ui'

const t = (...a) => i18n.global.t(...a)

/** Builds the transition body for a move to `to`, prompting when needed; null if cancelled. */
export async function askTransition(project, to) {
  const body = { to }
  try {
    if (to === 'dropped') {
      const { value } = await ElMessageBox.prompt(t('detail.dropReason'), t('detail.drop'), {
        inputPlaceholder: t('detail.dropReasonPh'),
        inputValidator: (v) => (!!v && !!v.trim()) || t('detail.dropReason'),
        confirmButtonText: t('app.confirm'), cancelButtonText: t('app.cancel'),
        customClass: 'prompt-drop',
      })
      body.reason = value.trim()
    } else if (to === 'follow_up' && !project.signed_at) {
      const { value } = await ElMessageBox.prompt(t('detail.signedAtPrompt') + '（YYYY-MM-DD）', t('detail.signAndFollow'), {
        inputValue: zoneDate(),
        inputPattern: /^\d{4}-\d{2}-\d{2}$/,
        inputErrorMessage: 'YYYY-MM-DD',
        confirmButtonText: t('app.confirm'), cancelButtonText: t('app.cancel'),
        customClass: 'prompt-signed',
      })
      body.signed_at = value
    }
  } catch {
    return null // cancelled
  }
  return body
}

/** Shows a refusal (422) or other failure of a stage move in a dialog that must be read. */
export function showRefusal(err) {
  if (err && (err.status === 422 || err.status === 403 || err.status === 409)) {
    return ElMessageBox.alert(err.message, t('detail.refused'), { type: 'warning', confirmButtonText: t('app.confirm'), customClass: 'refusal-box' }).catch(() => {})
  }
  toastError(err)
  return Promise.resolve()
}

/** Moves a project; resolves with the updated project, or null when cancelled or refused. */
export async function moveProject(project, to) {
  const body = await askTransition(project, to)
  if (!body) return null
  try {
    const updated = await projectsApi.transition(project.id, body)
    toastOk(t('detail.moved', { stage: t('stage.' + to) }))
    return updated || { ...project, stage: to }
  } catch (e) {
    await showRefusal(e)
    return null
  }
}
