// A user's role on a site, and the one change administrators make from the drawer: granting
// the MODERATOR role or taking it back.
import { t } from '../i18n/index.js';

/**
 * The change an administrator can make to role on a site, {role, label, done(username)}, or
 * null for administrators, who moderate every site whatever their site roles. Taking the
 * MODERATOR role back leaves the user a COMMENTER.
 */
export function roleChange(role) {
  if (role === 'ADMIN') return null;
  if (role === 'MODERATOR') {
    return { role: 'COMMENTER', label: t('role.takeBack'), done: (name) => t('role.takenBack', { name }) };
  }
  return { role: 'MODERATOR', label: t('role.make'), done: (name) => t('role.made', { name }) };
}
