// What an author is told of their own comment's standing, in the widget's language.

/**
 * The notice on a rejected comment of the viewer's: why, when the server says (it tells only
 * the author and the site's moderators); otherwise, or for a reason this widget has no words
 * for, only that it was not published.
 */
export function rejectionNotice(t, reason) {
  const why = `rejectReason.${reason}`;
  return reason && t.has(why) ? t('rejectedBecause', { reason: t(why) }) : t('rejected');
}

/** What the author hears once their comment is sent: posted, held for review, or rejected and why. */
export function postedNotice(t, comment) {
  switch (comment.status) {
    case 'PENDING': return t('pending');
    case 'REJECTED': return rejectionNotice(t, comment.rejectionReason);
    default: return t('posted');
  }
}
