// One comment in a queue, with what a moderator needs to decide on it. Only body is HTML (the
// server sanitised it); every other string is text.
import { Time } from '../ui/Time.jsx';
import { Trail } from './Trail.jsx';
import { Reports } from './Reports.jsx';
import { t, tx } from '../i18n/index.js';

/** The name a comment's author goes by in the dashboard. */
function authorName(comment) {
  return comment.author?.username ?? t('common.deletedAccount');
}

export function CommentCard({ comment, queue, selected, checked, actions }) {
  const name = authorName(comment);
  const role = comment.author?.role;
  const staff = role === 'MODERATOR' || role === 'ADMIN';
  return (
    <article
      id={`comment-${comment.id}`}
      class={`card${selected ? ' selected' : ''}`}
      aria-label={t('card.label', { name })}
      aria-current={selected ? 'true' : undefined}
      tabIndex={-1}
      onClick={() => actions.select(comment)}
    >
      <header class="card-head">
        <input type="checkbox" aria-label={t('card.select', { name })} checked={checked} onChange={() => actions.toggle(comment)} />
        {comment.author
          ? <button type="button" class="author" aria-haspopup="dialog" onClick={() => actions.openUser(comment)}>{name}</button>
          : <span class="author">{name}</span>}
        {staff && <span class="tag">{role === 'ADMIN' ? t('card.admin') : t('card.moderator')}</span>}
        {comment.parent && <span class="muted">{t('card.replyingTo', { name: comment.parent.author?.username ?? t('common.deletedAccount') })}</span>}
        <span class="muted">{tx('card.on', {
          story: comment.story
            ? <a href={comment.story.url} target="_blank" rel="noopener">{comment.story.title || comment.story.url}</a>
            : t('card.deletedStory'),
        })}</span>
        <span class="muted"><Time iso={comment.createdAt} />{comment.editedAt && t('card.edited')}</span>
        <span class={`status ${comment.status.toLowerCase()}`}>{t(`status.${comment.status}`)}</span>
        {comment.featured && <span class="tag featured">{t('card.featured')}</span>}
      </header>
      <div class="comment-body" data-comment-body dangerouslySetInnerHTML={{ __html: comment.body }} />
      <Reports reports={comment.reports} />
      <Trail trail={comment.trail} />
      <div class="card-actions">
        <button type="button" class="approve" disabled={queue === 'APPROVED'} onClick={() => actions.approve(comment)}>{t('card.approve')}</button>
        <button type="button" class="reject" disabled={queue === 'REJECTED'} onClick={() => actions.reject(comment)}>{t('card.reject')}</button>
        {/* A toggle keeps its name; aria-pressed says whether the comment is featured. */}
        <button type="button" class="toggle" disabled={comment.status !== 'PUBLISHED'} aria-pressed={comment.featured ? 'true' : 'false'} onClick={() => actions.feature(comment)}>
          {t('card.feature')}
        </button>
      </div>
    </article>
  );
}
