import { create } from 'zustand'
import { persist } from 'zustand/middleware'
import type { Me, WorkspaceSummary } from '@/api/types'

interface WorkspaceState {
  workspaceId: string | null
  setWorkspaceId: (workspaceId: string) => void
}

/** The workspace the user last picked, remembered across reloads. */
export const useWorkspaceStore = create<WorkspaceState>()(
  persist(
    (set) => ({
      workspaceId: null,
      setWorkspaceId: (workspaceId) => set({ workspaceId }),
    }),
    { name: 'flowplane.workspace' },
  ),
)

/** Viewers may look at a workspace's workflows but not change them. */
export function canEdit(me: Me | undefined, workspaceId: string): boolean {
  const role = me?.workspaces.find((w) => String(w.id) === workspaceId)?.role
  return role !== undefined && role !== null && role !== 'viewer'
}

/** The picked workspace if the user still belongs to it, else their first one. */
export function pickWorkspace(
  me: Me | undefined,
  workspaceId: string | null,
): WorkspaceSummary | null {
  if (!me || me.workspaces.length === 0) return null
  return me.workspaces.find((w) => String(w.id) === workspaceId) ?? me.workspaces[0]
}
