import { describe, expect, it } from 'vitest'
import type { BlockSpec } from '@/api/types'
import { nodePorts } from './ports'

const block = (inputs: BlockSpec['inputs'], outputs: BlockSpec['outputs']): BlockSpec => ({
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
})

describe('nodePorts', () => {
  it('gives a plain block default handles plus error', () => {
    expect(nodePorts(block(['in'], ['out']))).toEqual({
      inputs: [{ id: null, label: '' }],
      outputs: [
        { id: null, label: '' },
        { id: 'error', label: 'error' },
      ],
    })
  })

  it('names the outputs of a condition-like block and gives triggers no input', () => {
    const ports = nodePorts(block([], [{ key: 'true', title: 'True' }, { name: 'false' }]))
    expect(ports.inputs).toEqual([])
    expect(ports.outputs.map((p) => p.id)).toEqual(['true', 'false', 'error'])
    expect(ports.outputs[0].label).toBe('True')
  })

  it('keeps handles that existing edges use, even if no longer declared', () => {
    const ports = nodePorts(block(['in'], ['a', 'b']), ['c', 'a', null], ['x'])
    expect(ports.outputs.map((p) => p.id)).toEqual(['a', 'b', 'error', 'c', null])
    expect(ports.inputs.map((p) => p.id)).toEqual([null, 'x'])
  })
})
