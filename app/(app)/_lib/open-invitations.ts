export function inviterLabel(inviter: { name: string | null; email: string } | null): string {
  if (!inviter) return 'A former member'
  return inviter.name ? `${inviter.name} (${inviter.email})` : inviter.email
}
