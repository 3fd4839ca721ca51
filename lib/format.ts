import type { ProjectLevel, Role } from './permissions'

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' })
const dateTimeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

export const formatDate = (d: Date) => dateFormat.format(d)
export const formatDateTime = (d: Date) => `${dateTimeFormat.format(d)} UTC`

export const roleLabels: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' }
export const levelLabels: Record<ProjectLevel, string> = { view: 'View', edit: 'Edit', admin: 'Admin' }

