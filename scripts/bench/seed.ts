// Bulk seed for the benchmark: set-based SQL (generate_series), a few seconds even at N = 10,000.
//
// - "Bench Big" (bench-big): the owner, N members (members:read), N pending invitations (every
//   10th with a project grant), N/5 revoked ones, 5 projects.
// - "Bench Small" (bench-small): the owner and the invitee; its Projects tab is the floor page.
// - 100 other organizations with max(20, N/20) members and N/10 invitations each (mixed states),
//   so every list and count query must use its index. Five of them invite the owner (the
//   Dashboard prompts and the bell have something to show).
// - `acceptPool` organizations, each with one pending invitation to the invitee (accept target).
// - A trigger that neutralizes the fixed-window rate limits (invites per day), which the load
//   would otherwise hit within seconds; the bench measures the work, not the refusal.

export const OWNER_ID = '00000000-0000-4000-8000-00000000000a'
export const INVITEE_ID = '00000000-0000-4000-8000-00000000000b'
export const BIG_ORG_ID = '00000000-0000-4000-8000-0000000000b1'
export const SMALL_ORG_ID = '00000000-0000-4000-8000-0000000000b2'
export const OWNER_EMAIL = 'owner@bench.test'
export const INVITEE_EMAIL = 'invitee@bench.test'
export const BIG_SLUG = 'bench-big'
export const SMALL_SLUG = 'bench-small'
export const NEW_INVITE_PREFIX = 'bench-new-'

const token = (expr: string) => `encode(sha256(convert_to(${expr}, 'UTF8')), 'hex')`

export function seedStatements({ n, acceptPool }: { n: number; acceptPool: number }): string[] {
  const otherMembers = Math.max(20, Math.floor(n / 20))
  const otherInvitations = Math.max(20, Math.floor(n / 10))
  return [
    `insert into users (id, name, email, email_verified) values
      ('${OWNER_ID}', 'Bench Owner', '${OWNER_EMAIL}', now()),
      ('${INVITEE_ID}', 'Bench Invitee', '${INVITEE_EMAIL}', now())`,
    `insert into users (name, email, email_verified)
      select 'Member ' || i, 'member-' || i || '@bench.test', now() from generate_series(1, ${n}) i`,
    `insert into organizations (id, name, slug) values
      ('${BIG_ORG_ID}', 'Bench Big', '${BIG_SLUG}'), ('${SMALL_ORG_ID}', 'Bench Small', '${SMALL_SLUG}')`,
    `insert into organizations (name, slug) select 'Other ' || o, 'other-' || o from generate_series(1, 100) o`,
    `insert into organizations (name, slug) select 'Accept ' || k, 'accept-' || k from generate_series(1, ${acceptPool}) k`,
    // Bench Big: owner + N members, newest first by joined_at.
    `insert into memberships (organization_id, user_id, role, permissions, joined_at) values
      ('${BIG_ORG_ID}', '${OWNER_ID}', 'owner', '{}', now() - interval '30 days'),
      ('${SMALL_ORG_ID}', '${OWNER_ID}', 'owner', '{}', now() - interval '30 days'),
      ('${SMALL_ORG_ID}', '${INVITEE_ID}', 'member', '{}', now() - interval '29 days')`,
    `insert into memberships (organization_id, user_id, role, permissions, joined_at)
      select '${BIG_ORG_ID}', u.id, 'member', '{members:read}',
             now() - split_part(split_part(u.email, '@', 1), '-', 2)::int * interval '1 minute'
      from users u where u.email like 'member-%'`,
    // Other organizations: member j = 1 is the owner.
    `insert into memberships (organization_id, user_id, role, permissions, joined_at)
      select org.id, u.id, case when j = 1 then 'owner'::member_role else 'member'::member_role end,
             '{members:read}', now() - j * interval '1 minute'
      from organizations org
      cross join generate_series(1, ${otherMembers}) j
      join users u on u.email = 'member-' || ((split_part(org.slug, '-', 2)::int * 7919 + j) % ${n} + 1) || '@bench.test'
      where org.slug like 'other-%'`,
    // Accept organizations: member-1 owns them all (the inviter must still hold members:invite at accept).
    `insert into memberships (organization_id, user_id, role, permissions)
      select org.id, u.id, 'owner', '{}' from organizations org, users u
      where org.slug like 'accept-%' and u.email = 'member-1@bench.test'`,
    `insert into projects (organization_id, name, created_by)
      select '${BIG_ORG_ID}', 'Project ' || p, '${OWNER_ID}' from generate_series(1, 5) p`,
    `insert into project_members (project_id, organization_id, user_id, level)
      select id, '${BIG_ORG_ID}', '${OWNER_ID}', 'admin' from projects where organization_id = '${BIG_ORG_ID}'`,
    // Bench Big: N pending invitations, newest first by created_at, and N/5 revoked ones.
    `insert into invitations (organization_id, email, role, permissions, invited_by, status, token_hash, expires_at, last_sent_at, created_at)
      select '${BIG_ORG_ID}', 'pending-' || i || '@bench.test', 'member', '{members:read}', '${OWNER_ID}', 'pending',
             ${token(`'big-' || i`)}, now() + interval '7 days', now() - i * interval '1 second', now() - i * interval '1 second'
      from generate_series(1, ${n}) i`,
    `insert into invitations (organization_id, email, role, permissions, invited_by, status, token_hash, expires_at, created_at)
      select '${BIG_ORG_ID}', 'old-' || i || '@bench.test', 'member', '{}', '${OWNER_ID}', 'revoked',
             ${token(`'big-old-' || i`)}, now() - interval '1 day', now() - interval '10 days' - i * interval '1 second'
      from generate_series(1, ${Math.floor(n / 5)}) i`,
    `insert into invitation_project_grants (invitation_id, project_id, level)
      select inv.id, (select id from projects where organization_id = '${BIG_ORG_ID}' order by name limit 1), 'view'
      from invitations inv
      where inv.organization_id = '${BIG_ORG_ID}' and inv.status = 'pending'
        and split_part(split_part(inv.email, '@', 1), '-', 2)::int % 10 = 0`,
    // Other organizations: N/10 invitations each, half pending, the rest accepted / declined / revoked / expired.
    `insert into invitations (organization_id, email, role, permissions, invited_by, status, token_hash, expires_at, created_at)
      select org.id, 'inv-' || split_part(org.slug, '-', 2) || '-' || i || '@bench.test', 'member', '{}', m.user_id,
             (array['pending', 'accepted', 'pending', 'declined', 'revoked', 'expired'])[i % 6 + 1]::invitation_status,
             ${token(`org.slug || '-' || i`)}, now() + interval '7 days', now() - i * interval '1 second'
      from organizations org
      join memberships m on m.organization_id = org.id and m.role = 'owner'
      cross join generate_series(1, ${otherInvitations}) i
      where org.slug like 'other-%'`,
    // Open invitations for the owner (Dashboard prompts, bell) from five other organizations.
    `insert into invitations (organization_id, email, role, permissions, invited_by, status, token_hash, expires_at)
      select org.id, '${OWNER_EMAIL}', 'member', '{members:read}', m.user_id, 'pending', ${token(`'owner-' || org.slug`)}, now() + interval '7 days'
      from organizations org join memberships m on m.organization_id = org.id and m.role = 'owner'
      where org.slug in ('other-1', 'other-2', 'other-3', 'other-4', 'other-5')`,
    // The invitee's pool for the accept target: one pending invitation per accept organization.
    `insert into invitations (organization_id, email, role, permissions, invited_by, status, token_hash, expires_at, created_at)
      select org.id, '${INVITEE_EMAIL}', 'member', '{members:read}', m.user_id, 'pending', ${token(`'invitee-' || org.slug`)},
             now() + interval '7 days', now() - split_part(org.slug, '-', 2)::int * interval '1 second'
      from organizations org join memberships m on m.organization_id = org.id and m.role = 'owner'
      where org.slug like 'accept-%'`,
    `create or replace function bench_no_rate_limits() returns trigger language plpgsql as $$
      begin new.count := new.count - old.count; return new; end $$`,
    `create trigger bench_no_rate_limits before update on rate_limits for each row execute function bench_no_rate_limits()`,
    // As autovacuum leaves a lived-in table: statistics, and the visibility map that lets counts
    // be answered from an index alone.
    `vacuum analyze`,
  ]
}

/** Puts back what the action targets changed, so every round (and every page) sees the same N. */
export const resetStatements = {
  invite: [
    `delete from invitations where email like '${NEW_INVITE_PREFIX}%'`,
    `delete from email_outbox where recipient like '${NEW_INVITE_PREFIX}%' and status in ('sent', 'failed')`,
  ],
  revoke: [`update invitations set status = 'pending' where organization_id = '${BIG_ORG_ID}' and status = 'revoked' and email like 'pending-%'`],
  accept: [
    `delete from memberships where user_id = '${INVITEE_ID}' and organization_id in (select id from organizations where slug like 'accept-%')`,
    `update invitations set status = 'pending', responded_at = null, responded_by = null where email = '${INVITEE_EMAIL}' and status = 'accepted'`,
  ],
}
