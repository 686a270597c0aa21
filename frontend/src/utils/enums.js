// The contract's enumerations, in the order the zone reports them. Labels live in i18n.
export const STAGES = ['lead', 'identification', 'risk', 'decision', 'follow_up', 'dropped']
export const PIPELINE = ['lead', 'identification', 'risk', 'decision', 'follow_up']
export const CHANNELS = ['entrusted', 'business_referral', 'self_sourced', 'resource_plus']
export const CHAINS = ['food', 'mining', 'semiconductor']
export const ASSET_TYPES = ['heavy', 'light']
export const SEGMENTS = ['upstream', 'midstream', 'downstream']
export const NODE_STATUSES = ['strong', 'weak', 'missing']
export const ACTIVITY_KINDS = ['visit', 'reception', 'meeting', 'call', 'service']
export const RISK_LEVELS = ['low', 'medium', 'high']
export const ROLES = ['admin', 'director', 'chain_chief', 'recruiter', 'agent', 'viewer']
export const CAMPAIGN_KINDS = ['trip', 'conference']

/** Colours shared by the charts, the board and the map legend. */
export const STATUS_COLORS = { strong: '#2f9e62', weak: '#e6a23c', missing: '#e05252' }
export const STALE_COLORS = { green: '#2f9e62', yellow: '#e6a23c', red: '#e05252' }
/** The same states as text and marks on white (4.5:1 or more), each with its own shape, so that
 *  colour is never the only signal. */
export const STATUS_TEXT_COLORS = { strong: '#1e7a4a', weak: '#8a5a00', missing: '#c62828' }
export const STALE_TEXT_COLORS = { green: '#1e7a4a', yellow: '#8a5a00', red: '#c62828' }
export const STATUS_SHAPES = { strong: '●', weak: '◆', missing: '▲' }
export const STALE_SHAPES = { green: '●', yellow: '◆', red: '▲' }
/** ECharts symbols for the map's node statuses (the same shapes). */
export const STATUS_SYMBOLS = { strong: 'circle', weak: 'diamond', missing: 'triangle' }
export const STAGE_TAG = {
  lead: 'info', identification: 'primary', risk: 'warning', decision: 'danger', follow_up: 'success', dropped: 'info',
}
export const CHANNEL_COLORS = {
  entrusted: '#3b6fb6', business_referral: '#5fb49c', self_sourced: '#f2b84b', resource_plus: '#d9685b',
}

/** The next stage in the pipeline, or null at the end (and for dropped). */
export function nextStage(stage) {
  const i = PIPELINE.indexOf(stage)
  return i >= 0 && i < PIPELINE.length - 1 ? PIPELINE[i + 1] : null
}
