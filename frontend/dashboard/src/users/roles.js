// A user's role on a site, and the one change administrators make from the drawer: granting
// the MODERATOR role or taking it back.

export const ROLE_LABELS = { COMMENTER: 'Commenter', MEMBER: 'Member', MODERATOR: 'Moderator', ADMIN: 'Administrator' };

/**
 * The change an administrator can make to role on a site, {role, label, done(username)}, or
 * null for administrators, who moderate every site whatever their site roles. Taking the
 * MODERATOR role back leaves the user a COMMENTER.
 */
export function roleChange(role) {
  if (role === 'ADMIN') return null;
  if (role === 'MODERATOR') {
    return { role: 'COMMENTER', label: 'Take back the moderator role', done: (name) => `${name} no longer moderates this site.` };
  }
  return { role: 'MODERATOR', label: 'Make moderator', done: (name) => `${name} now moderates this site.` };
}
