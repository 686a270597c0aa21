import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, setLocale } from '../src/i18n'
import { attachments as attachmentsApi } from '../src/api'
import { useAuthStore } from '../src/stores/auth'
import { profileForm, profilePatch, duplicateCandidates } from '../src/utils/enterprise'
import { fileSize } from '../src/utils/files'
import { ApiError } from '../src/api/client'
import VisitForm from '../src/components/VisitForm.vue'
import AttachmentList from '../src/components/AttachmentList.vue'
import EnterprisesView from '../src/views/EnterprisesView.vue'
import EnterpriseView from '../src/views/EnterpriseView.vue'
import DuplicatesPanel from '../src/components/enterprise/DuplicatesPanel.vue'
import { mockFetch, errorBody, settle } from './helpers'

const blank = { template: '<div />' }

async function mountWith(component, { me, routes, props = {}, path = '/' }) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  auth.token = 'T'
  auth.me = me
  const mock = mockFetch(routes)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/', component: blank }, { path: '/enterprises', component: blank }, { path: '/enterprises/:id', component: blank },
      { path: '/projects/:id', component: blank }],
  })
  router.push(path)
  await router.isReady()
  const w = mount(component, { props, global: { plugins: [pinia, router, i18n] }, attachTo: document.body })
  await settle(8)
  return { w, mock, router }
}

const recruiter = { username: 'recruiter1', roles: ['recruiter'], chains: [] }
const admin = { username: 'admin', roles: ['admin'], chains: [] }

beforeEach(() => {
  localStorage.clear()
  setLocale('zh-CN')
  document.body.innerHTML = ''
  globalThis.URL.createObjectURL = vi.fn(() => 'blob:preview')
  globalThis.URL.revokeObjectURL = vi.fn()
})
afterEach(() => vi.restoreAllMocks())

describe('enterprise helpers', () => {
  it('builds a PATCH of the changed profile fields with the version', () => {
    const base = { name: '河北同光晶体有限公司', kind: 'local', tags: ['链主'], website: '', version: 3 }
    const form = profileForm(base)
    form.tags.push('碳化硅')
    form.website = 'www.example.cn'
    expect(profilePatch(base, form, 3)).toEqual({ version: 3, tags: ['链主', '碳化硅'], website: 'www.example.cn' })
  })
  it('reads the candidates of a duplicate refusal only', () => {
    const dup = new ApiError(409, { error: { code: 'duplicate', message: '已有', candidates: [{ id: 1, name: '河北同光晶体有限公司' }] } })
    expect(duplicateCandidates(dup)).toEqual([{ id: 1, name: '河北同光晶体有限公司' }])
    expect(duplicateCandidates(new ApiError(409, { error: { code: 'conflict', message: '版本' } }))).toBe(null)
  })
  it('formats file sizes', () => {
    expect(fileSize(512)).toBe('512 B')
    expect(fileSize(1536)).toBe('1.5 KB')
    expect(fileSize(20 * 1024 * 1024)).toBe('20.0 MB')
  })
})

describe('VisitForm with contacts and photos', () => {
  it('logs the contacts met and uploads the photos naming the visit', async () => {
    const upload = vi.spyOn(attachmentsApi, 'upload').mockResolvedValue({ id: 91, name: 'p.jpg' })
    const { w, mock } = await mountWith(VisitForm, {
      me: recruiter,
      props: { projectId: 7 },
      routes: [
        { match: ['GET', '/api/v1/projects/7/contacts'], respond: { body: { items: [{ id: 3, name: '周主任', title: '战略规划部主任' }, { id: 4, name: '吴经理' }], total: 2 } } },
        { match: ['POST', '/api/v1/projects/7/activities'], respond: { status: 201, body: { id: 55, project_id: 7, contact_ids: [3] } } },
      ],
    })
    expect(w.find('[data-test=visit-contacts]').exists()).toBe(true)
    w.vm.$.setupState.form.contact_ids = [3]
    const input = w.find('input[data-test=visit-photo-input]')
    expect(input.attributes('accept')).toBe('image/*')
    expect(input.attributes('capture')).toBe('environment')
    const photo = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'site.jpg', { type: 'image/jpeg' })
    Object.defineProperty(input.element, 'files', { value: [photo], configurable: true })
    await input.trigger('change')
    await settle()
    expect(w.findAll('[data-test=visit-photo-preview]')).toHaveLength(1)
    await w.find('textarea[data-test=visit-summary]').setValue('与周主任商谈二期用地')
    await w.find('form').trigger('submit')
    await settle(10)
    const post = mock.calls.find((c) => c.method === 'POST')
    expect(JSON.parse(post.body)).toMatchObject({ kind: 'visit', summary: '与周主任商谈二期用地', contact_ids: [3] })
    expect(upload).toHaveBeenCalledTimes(1)
    expect(upload.mock.calls[0][0]).toEqual({ type: 'project', id: 7 })
    expect(upload.mock.calls[0][1]).toBe(photo)
    expect(upload.mock.calls[0][2]).toMatchObject({ activityId: 55 })
    expect(w.emitted('saved')[0][0]).toMatchObject({ projectId: 7, photos: 1 })
    expect(w.findAll('[data-test=visit-photo-preview]')).toHaveLength(0)
  })

  it('hides the contacts field when the project has none', async () => {
    const { w } = await mountWith(VisitForm, {
      me: recruiter, props: { projectId: 8 },
      routes: [{ match: ['GET', '/api/v1/projects/8/contacts'], respond: { body: { items: [], total: 0 } } }],
    })
    expect(w.find('[data-test=visit-contacts]').exists()).toBe(false)
    expect(w.find('[data-test=visit-photo-button]').exists()).toBe(true)
  })
})

describe('AttachmentList', () => {
  const items = [
    { id: 1, name: '投资协议.pdf', title: '签字版', size: 204800, content_type: 'application/pdf', uploaded_by: 'recruiter1', uploaded_at: '2023-01-10T02:00:00Z', thumbnail: false },
    { id: 2, name: '现场.jpg', size: 1024, content_type: 'image/jpeg', uploaded_by: 'recruiter2', uploaded_at: '2023-01-11T02:00:00Z', thumbnail: true },
  ]
  it('shows documents and photos, and delete only where the rule allows', async () => {
    const { w } = await mountWith(AttachmentList, {
      me: recruiter, props: { parent: { type: 'project', id: 7 }, canUpload: true, ownerUsername: 'recruiter9' },
      routes: [
        { match: ['GET', '/api/v1/projects/7/attachments'], respond: { body: { items, total: 2 } } },
        { match: ['GET', '/api/v1/attachments/2/thumbnail'], respond: { raw: 'x', type: 'image/jpeg' } },
      ],
    })
    expect(w.findAll('[data-test=attachment-doc]')).toHaveLength(1)
    expect(w.find('[data-test=attachment-doc]').text()).toContain('200.0 KB')
    expect(w.findAll('[data-test=attachment-image]')).toHaveLength(1)
    expect(w.find('[data-test=attachment-delete-1]').exists()).toBe(true) // the uploader
    expect(w.find('[data-test=attachment-delete-2]').exists()).toBe(false) // someone else's
    expect(w.find('input[data-test=attachment-camera]').attributes('capture')).toBe('environment')
  })
  it('uploads the picked files with the caption and reloads', async () => {
    const upload = vi.spyOn(attachmentsApi, 'upload').mockResolvedValue({ id: 3 })
    let lists = 0
    const { w } = await mountWith(AttachmentList, {
      me: recruiter, props: { parent: { type: 'enterprise', id: 5 }, canUpload: true },
      routes: [{ match: ['GET', '/api/v1/enterprises/5/attachments'], respond: () => { lists++; return { body: { items: [], total: 0 } } } }],
    })
    await w.find('input[data-test=attachment-title]').setValue('营业执照')
    const input = w.find('input[data-test=attachment-file]')
    const f = new File(['%PDF-1.4'], '执照.pdf', { type: 'application/pdf' })
    Object.defineProperty(input.element, 'files', { value: [f], configurable: true })
    await input.trigger('change')
    await settle(8)
    expect(upload).toHaveBeenCalledWith({ type: 'enterprise', id: 5 }, f, expect.objectContaining({ title: '营业执照' }))
    expect(lists).toBe(2)
    expect(w.emitted('changed')).toHaveLength(1)
  })
  it('hides the upload bar from those who may not upload', async () => {
    const { w } = await mountWith(AttachmentList, {
      me: { username: 'viewer', roles: ['viewer'] }, props: { parent: { type: 'project', id: 7 }, canUpload: false },
      routes: [{ match: ['GET', '/api/v1/projects/7/attachments'], respond: { body: { items: [], total: 0 } } }],
    })
    expect(w.find('[data-test=attachment-upload]').exists()).toBe(false)
    expect(w.text()).toContain('暂无附件')
  })
})

describe('EnterprisesView create', () => {
  it('shows the duplicate candidates before saving, then creates with confirm_new', async () => {
    const posts = []
    const { w, router } = await mountWith(EnterprisesView, {
      me: recruiter,
      routes: [
        { match: ['GET', '/api/v1/enterprises'], respond: { body: { items: [], total: 0, page: 1, page_size: 50 } } },
        { match: ['POST', '/api/v1/enterprises'], respond: ({ init }) => {
          const body = JSON.parse(init.body)
          posts.push(body)
          if (!body.confirm_new) return { status: 409, body: { error: { code: 'duplicate', message: '已有名称相同或相近的企业', fields: { name: '疑似重复' }, candidates: [{ id: 1, name: '河北同光晶体有限公司' }] } } }
          return { status: 201, body: { id: 120, name: body.name } }
        } },
      ],
    })
    await w.find('[data-test=enterprise-new]').trigger('click')
    await settle()
    await w.find('input[data-test=enterprise-create-name]').setValue('同光晶体（河北）有限公司')
    await w.find('[data-test=enterprise-create-save]').trigger('click')
    await settle(8)
    const cands = document.querySelector('[data-test=duplicate-candidates]')
    expect(cands && cands.textContent).toContain('河北同光晶体有限公司')
    expect(document.querySelector('[data-test=enterprise-create-save]').disabled).toBe(true)
    document.querySelector('[data-test=confirm-new] input').click()
    await settle()
    document.querySelector('[data-test=enterprise-create-save]').click()
    await settle(8)
    expect(posts).toHaveLength(2)
    expect(posts[1]).toMatchObject({ name: '同光晶体（河北）有限公司', confirm_new: true })
    expect(router.currentRoute.value.path).toBe('/enterprises/120')
  })
})

describe('EnterpriseView', () => {
  const page = (over = {}) => ({ id: 1, name: '河北同光晶体有限公司', credit_code: '', kind: 'local', ownership: 'private', industry: '碳化硅', region: '涞源',
    address: '', website: '', tags: ['链主'], notes: '', version: 2, chain_master_of: ['semiconductor'], chain_node_ids: [], contacts: [{ id: 3, name: '郑经理', title: '总经理助理', mobile: '13900000101', last_met: '2023-01-09', meetings: 2, version: 1 }],
    projects: [{ id: 7, name: '同光衬底项目', stage: 'follow_up', role: 'investor', planned_investment_wan: 11200, docked_at: '2020-05-10' }],
    chain_nodes: [], referrals: [], referred_by: [], attachment_count: 0, timeline: { items: [{ at: '2023-01-10T02:00:00Z', actor: 'recruiter1', source: 'project', project_id: 7, project_name: '同光衬底项目', action: 'activity_logged', to: 'visit 2023-01-09 洽谈' }], total: 1, page: 1, page_size: 20 }, ...over })

  it('shows the page and, on a 409, keeps the edit on top of the newer version', async () => {
    let gets = 0
    const patches = []
    const { w } = await mountWith(EnterpriseView, {
      me: recruiter, props: { id: '1' }, path: '/enterprises/1',
      routes: [
        { match: ['GET', '/api/v1/enterprises/1'], respond: () => ({ body: gets++ === 0 ? page() : page({ version: 3, industry: '碳化硅衬底及外延' }) }) },
        { match: ['PATCH', '/api/v1/enterprises/1'], respond: ({ init }) => {
          patches.push(JSON.parse(init.body))
          return patches.length === 1 ? { status: 409, body: errorBody('conflict', '企业信息已被他人修改') } : { body: page({ version: 4 }) }
        } },
      ],
    })
    expect(w.find('[data-test=enterprise-name]').text()).toBe('河北同光晶体有限公司')
    expect(w.text()).toContain('同光衬底项目')
    expect(w.text()).toContain('最近见面')
    await w.find('[data-test=enterprise-edit]').trigger('click')
    await settle()
    await w.find('input[data-test=profile-address]').setValue('河北省保定市涞源县经济开发区')
    await w.find('[data-test=enterprise-save]').trigger('click')
    await settle(10)
    expect(patches[0]).toEqual({ version: 2, address: '河北省保定市涞源县经济开发区' })
    const alert = w.find('[data-test=conflict-alert]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain('碳化硅衬底及外延')
    expect(w.find('input[data-test=profile-address]').element.value).toBe('河北省保定市涞源县经济开发区')
    await w.find('[data-test=enterprise-save]').trigger('click')
    await settle(10)
    expect(patches[1]).toEqual({ version: 3, address: '河北省保定市涞源县经济开发区' })
  })
})

describe('DuplicatesPanel', () => {
  it('merges the others of a group into the one kept', async () => {
    const merges = []
    const { w } = await mountWith(DuplicatesPanel, {
      me: admin,
      routes: [
        { match: ['GET', '/api/v1/enterprises/duplicates'], respond: () => ({ body: { groups: merges.length ? [] : [[{ id: 1, name: '河北同光晶体有限公司' }, { id: 114, name: '同光晶体（河北）有限公司' }]] } }) },
        { match: ['POST', /\/api\/v1\/enterprises\/\d+\/merge$/], respond: ({ url, init }) => { merges.push({ url, body: JSON.parse(init.body) }); return { body: { id: 114, into: 1 } } } },
      ],
    })
    expect(w.findAll('[data-test=duplicate-group]')).toHaveLength(1)
    await w.find('[data-test=duplicate-merge-0]').trigger('click')
    await settle()
    document.querySelector('.el-message-box .el-button--primary').click()
    await settle(10)
    expect(merges).toHaveLength(1)
    expect(merges[0].url).toContain('/enterprises/114/merge')
    expect(merges[0].body).toEqual({ into: 1 })
    expect(w.emitted('merged')).toHaveLength(1)
  })
})
