import type { MemberRole } from '@/api/types'

export const ROLES: { value: MemberRole; label: string; hint: string }[] = [
  { value: 'owner', label: 'Owner', hint: 'Everything, including members' },
  { value: 'admin', label: 'Admin', hint: 'Settings and the audit log' },
  { value: 'editor', label: 'Editor', hint: 'Build and run workflows' },
  { value: 'viewer', label: 'Viewer', hint: 'Look, not change' },
]

export const roleLabel = (role: string) => ROLES.find((r) => r.value === role)?.label ?? role
