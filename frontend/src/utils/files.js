// File helpers for attachments.

/** 1536 → "1.5 KB"; sizes in binary units as file managers show them. */
export function fileSize(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return ''
  n = Number(n)
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** The largest attachment the server takes by default (CHAINCRM_ATTACHMENTS_MAX_BYTES). */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
