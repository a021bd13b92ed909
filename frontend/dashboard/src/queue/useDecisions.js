// Moderators' decisions on queue items: each one changes the list at once, says what it did
// in a notice (with Undo for approvals and rejections) and has the counts read again.
import { useClient } from '@urql/preact';
import { errorCode, errorMessage } from '../api/errors.js';
import { t } from '../i18n/index.js';
import { APPROVE, BULK_APPROVE, BULK_REJECT, FEATURE, REJECT, UNDO, UNFEATURE } from './documents.js';
import { removeItems, restoreItems, updateItems } from './queueState.js';

/**
 * queue is the list's queue; update applies a queueState function to it; notify shows a
 * notice; changed runs after every change (to read counts and move focus); stale reads the
 * list again when a decision was refused because the comment changed (CONFLICT). Each
 * decision resolves to an error message, or null when it went through.
 */
export function useDecisions({ queue, update, notify, changed, stale = () => {} }) {
  const client = useClient();
  const run = (doc, input) => client.mutation(doc, { input }).toPromise();

  async function decide(verb, comments, single, bulk, extra = {}) {
    const ids = comments.map((c) => c.id);
    // A single decision names the version the moderator read, so that an edit or another
    // moderator's decision in between is refused (CONFLICT) rather than overwritten.
    const result = ids.length === 1
      ? await run(single, { commentID: ids[0], version: comments[0].version, ...extra })
      : await run(bulk, { commentIDs: ids, ...extra });
    if (result.error) {
      if (errorCode(result.error) === 'CONFLICT') stale();
      return fail(result.error);
    }
    update((s) => removeItems(s, ids));
    notify({ kind: 'status', message: t(`decided.${verb}`, { n: ids.length }), undo: { comments, queue } });
    changed();
    return null;
  }

  function fail(error) {
    const message = errorMessage(error);
    notify({ kind: 'error', message });
    return message;
  }

  return {
    approve: (comments) => decide('approved', comments, APPROVE, BULK_APPROVE),
    reject: (comments, reason, note) => decide('rejected', comments, REJECT, BULK_REJECT, { reason, note: note || null }),

    async feature(comment) {
      const result = await run(comment.featured ? UNFEATURE : FEATURE, { commentID: comment.id });
      if (result.error) return fail(result.error);
      const updated = result.data[comment.featured ? 'unfeatureComment' : 'featureComment'].comment;
      update((s) => updateItems(s, [updated]));
      notify({ kind: 'status', message: updated.featured ? t('decided.featured') : t('decided.unfeatured') });
      return null;
    },

    /** Takes back a decision notice's comments; they return to the list if it shows their queue. */
    async undo({ comments, queue: from }) {
      const results = await Promise.all(comments.map((c) => run(UNDO, { commentID: c.id })));
      const failed = results.find((r) => r.error);
      const undone = comments.filter((_, i) => !results[i].error);
      if (from === queue) update((s) => restoreItems(s, undone));
      changed();
      if (failed) return fail(failed.error);
      notify({ kind: 'status', message: t('decided.undone') });
      return null;
    },
  };
}
