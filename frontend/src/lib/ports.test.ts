import { describe, expect, it } from 'vitest'
import type { BlockSpec } from '@/api/types'
import { nodePorts } from './ports'

const block = (
  inputs: BlockSpec['inputs'],
  outputs: BlockSpec['outputs'],
  extra: Partial<BlockSpec> = {},
): BlockSpec => ({
  key: 'k',
  version: 1,
  title: 'K',
  category: 'logic',
  icon: '',
  description: '',
  config_schema: {},
  inputs,
  outputs,
  deprecated: false,
  ...extra,
})

const ids = (ports: { id: string | null }[]) => ports.map((p) => p.id)

describe('nodePorts', () => {
  it('gives a one-port block the default handles plus error', () => {
    expect(nodePorts(block(['main'], ['main', 'error']))).toEqual({
      inputs: [{ id: null, label: '' }],
      outputs: [
        { id: null, label: '' },
        { id: 'error', label: 'error' },
      ],
    })
  })

  it('names the outputs of a condition-like block and gives triggers no input', () => {
    const ports = nodePorts(block([], [{ key: 'true', title: 'True' }, { name: 'false' }, 'error']))
    expect(ports.inputs).toEqual([])
    expect(ids(ports.outputs)).toEqual(['true', 'false', 'error'])
    expect(ports.outputs[0].label).toBe('True')
  })

  it('adds the ports a switch’s config declares', () => {
    const switchBlock = block(['main'], ['default', 'error'], {
      key: 'switch',
      dynamic_outputs: true,
    })
    const config = { cases: [{ name: 'big' }, { name: 'small' }, { equals: 1 }] }
    expect(ids(nodePorts(switchBlock, config).outputs)).toEqual([
      'default',
      'big',
      'small',
      'error',
    ])
    expect(ids(nodePorts(switchBlock, {}).outputs)).toEqual([null, 'error'])
    const byExpression = block(['main'], ['main'], { dynamic_outputs: 'routes[].id' })
    expect(ids(nodePorts(byExpression, { routes: [{ id: 'a' }] }).outputs)).toEqual([
      'main',
      'a',
      'error',
    ])
  })

  it('keeps handles that existing edges use, even if no longer declared', () => {
    const ports = nodePorts(block(['main'], ['a', 'b']), {}, ['c', 'a', null], ['x'])
    expect(ids(ports.outputs)).toEqual(['a', 'b', 'error', 'c', null])
    expect(ids(ports.inputs)).toEqual([null, 'x'])
  })
})
