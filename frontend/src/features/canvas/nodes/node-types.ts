import type { NodeTypes } from '@xyflow/react'
import { BLOCK_NODE_TYPE, NOTE_NODE_TYPE } from '@/lib/graph'
import { BlockNode } from './block-node'
import { NoteNode } from './note-node'

// Module scope: React Flow re-mounts every node when this object changes identity.
export const nodeTypes: NodeTypes = { [BLOCK_NODE_TYPE]: BlockNode, [NOTE_NODE_TYPE]: NoteNode }
