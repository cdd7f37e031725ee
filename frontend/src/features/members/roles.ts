import type { MemberRole } from '@/api/types'

export const ROLES: { value: MemberRole; label: string; hint: string }[] = [
  { value: 'owner', label: 'Owner', hint: 'Owners can do everything, including managing members' },
  { value: 'admin', label: 'Admin', hint: 'Admins also change settings and read the audit log' },
  { value: 'editor', label: 'Editor', hint: 'Editors build, run and publish workflows' },
  { value: 'viewer', label: 'Viewer', hint: 'Viewers can look but change nothing' },
]

export const roleLabel = (role: string) => ROLES.find((r) => r.value === role)?.label ?? role
