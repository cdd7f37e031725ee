import { beforeEach, describe, expect, it } from 'vitest'
import type { CredentialTestResult } from '@/api/types'
import { authMethods, credentialPayload, type AuthMethod } from './methods'
import { stepValid, useWizardStore } from './store'

const connector = {
  auth_schemes: [
    {
      key: 'oauth',
      kind: 'oauth2',
      flows: { authorization_code: { scopes: { read: '', write: '' } } },
    },
    { key: 'key', kind: 'api_key', location: 'header', name: 'X-Acme-Key' },
    { key: 'cookie', kind: 'api_key', location: 'cookie', name: 'sid' },
    { key: 'aws', kind: 'aws_sigv4' },
  ],
}
const methods = authMethods(connector)
const byKey = (key: string) => methods.find((m) => m.key === key) as AuthMethod
const store = () => useWizardStore.getState()
const valid = (method: AuthMethod) => stepValid(store(), method)
const passed: CredentialTestResult = {
  ok: true,
  status: 200,
  detail: 'ok',
  elapsed_ms: 12,
  answer: '{}',
}

function begin(method: AuthMethod) {
  store().reset()
  store().start('acme', { methodKey: method.key, defaults: method.defaults, name: 'Acme' })
}

describe('authMethods', () => {
  it('maps the schemes it can set up, in order, and skips the rest', () => {
    expect(methods.map((m) => [m.key, m.kind])).toEqual([
      ['oauth', 'oauth2_code'],
      ['key', 'api_key'],
      ['aws', 'aws_sigv4'],
    ])
    expect(byKey('oauth').defaults).toEqual({ scopes: 'read write' })
    expect(byKey('key').defaults).toEqual({ location: 'header', name: 'X-Acme-Key' })
  })

  it('builds the API payload: scopes as a list, region for AWS, empty fields left out', () => {
    const oauth = credentialPayload(
      byKey('oauth'),
      { client_id: ' app ', scopes: 'read, write', client_secret: '' },
      '',
    )
    expect(oauth).toEqual({ config: { client_id: 'app', scopes: ['read', 'write'] }, secret: {} })
    const aws = credentialPayload(
      byKey('aws'),
      { access_key_id: 'AKIA1', secret_access_key: 's' },
      'eu-west-1',
    )
    expect(aws).toEqual({
      config: { access_key_id: 'AKIA1', region: 'eu-west-1' },
      secret: { secret_access_key: 's' },
    })
  })
})

describe('useWizardStore', () => {
  beforeEach(() => begin(byKey('key')))

  it('starts once per connector: a re-render keeps what was entered', () => {
    store().setValue('api_key', 'k-1')
    store().next()
    store().start('acme', { methodKey: 'key', defaults: {}, name: 'Other' })
    expect(store()).toMatchObject({
      step: 1,
      name: 'Acme',
      values: { api_key: 'k-1', name: 'X-Acme-Key' },
    })
  })

  it('an endpoint with one base URL is valid at once; AWS needs a region', () => {
    expect(valid(byKey('key'))).toBe(true)
    begin(byKey('aws'))
    expect(valid(byKey('aws'))).toBe(false)
    store().setRegion('eu-west')
    expect(valid(byKey('aws'))).toBe(false)
    store().setRegion('eu-west-1')
    expect(valid(byKey('aws'))).toBe(true)
  })

  it('Next stays disabled until the step is valid, and Back keeps the entries', () => {
    store().next() // parameters
    store().setValue('name', '')
    expect(valid(byKey('key'))).toBe(false)
    store().setValue('name', 'X-Key')
    expect(valid(byKey('key'))).toBe(true)
    store().next() // authenticate
    expect(valid(byKey('key'))).toBe(false)
    store().setValue('api_key', 'secret-1')
    expect(valid(byKey('key'))).toBe(true)
    store().back()
    store().back()
    expect(store().step).toBe(0)
    store().back()
    expect(store().step).toBe(0)
    expect(store().values).toEqual({ location: 'header', name: 'X-Key', api_key: 'secret-1' })
  })

  it('a consent is valid only once granted, and an edit afterwards asks for it again', () => {
    const oauth = byKey('oauth')
    begin(oauth)
    store().setValue('client_id', 'app')
    store().next()
    store().next() // authenticate
    expect(valid(oauth)).toBe(false)
    store().credentialWritten({ id: 'c1', kind: 'oauth2_code', connected: false })
    expect(valid(oauth)).toBe(false)
    store().setConnected(true)
    expect(valid(oauth)).toBe(true)
    store().setValue('scopes', 'read')
    expect(store().dirty).toBe(true)
    expect(valid(oauth)).toBe(false)
  })

  it('the test step needs a passing test of what was written; review needs a name', () => {
    store().credentialWritten({ id: 'c1', kind: 'api_key', connected: true })
    store().next()
    store().next()
    store().next() // test
    expect(valid(byKey('key'))).toBe(false)
    store().setTest({ ...passed, ok: false, status: 401 })
    expect(valid(byKey('key'))).toBe(false)
    store().setTest(passed)
    expect(valid(byKey('key'))).toBe(true)
    store().setValue('api_key', 'changed')
    expect(store().test).toBeNull()
    expect(valid(byKey('key'))).toBe(false)
    store().next() // review
    store().setName('  ')
    expect(valid(byKey('key'))).toBe(false)
    store().setName('Acme prod')
    expect(valid(byKey('key'))).toBe(true)
  })

  it('choosing another method starts its fields afresh; the same one keeps them', () => {
    store().setValue('api_key', 'k')
    store().chooseMethod('key', {})
    expect(store().values.api_key).toBe('k')
    store().chooseMethod('oauth', byKey('oauth').defaults)
    expect(store()).toMatchObject({ methodKey: 'oauth', values: { scopes: 'read write' } })
  })

  it('a saved wizard stays saved; another connector or reset starts afresh', () => {
    store().setValue('api_key', 'secret')
    store().markSaved()
    store().start('acme', { methodKey: 'key', defaults: {}, name: 'Acme' })
    expect(store()).toMatchObject({ saved: true, values: { api_key: 'secret' } })
    store().start('other', { methodKey: 'key', defaults: {}, name: 'Other' })
    expect(store()).toMatchObject({ slug: 'other', saved: false, values: {} })
    store().setValue('api_key', 'secret')
    store().reset()
    expect(store()).toMatchObject({ slug: '', values: {}, credential: null, saved: false })
  })
})
