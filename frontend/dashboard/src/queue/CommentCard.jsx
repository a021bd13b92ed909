// One comment in a queue, with what a moderator needs to decide on it. Only body is HTML (the
// server sanitised it); every other string is text.
import { Time } from '../ui/Time.jsx';
import { Trail } from './Trail.jsx';
import { Reports } from './Reports.jsx';

const statusLabels = { PUBLISHED: 'Published', PENDING: 'Pending', REJECTED: 'Rejected', DELETED: 'Deleted' };

/** The name a comment's author goes by in the dashboard. */
function authorName(comment) {
  return comment.author?.username ?? 'a deleted account';
}

export function CommentCard({ comment, queue, selected, checked, actions }) {
  const name = authorName(comment);
  const role = comment.author?.role;
  const staff = role === 'MODERATOR' || role === 'ADMIN';
  return (
    <article
      id={`comment-${comment.id}`}
      class={`card${selected ? ' selected' : ''}`}
      aria-label={`Comment by ${name}`}
      aria-current={selected ? 'true' : undefined}
      tabIndex={-1}
      onClick={() => actions.select(comment)}
    >
      <header class="card-head">
        <input type="checkbox" aria-label={`Select the comment by ${name}`} checked={checked} onChange={() => actions.toggle(comment)} />
        {comment.author
          ? <button type="button" class="author" aria-haspopup="dialog" onClick={() => actions.openUser(comment)}>{name}</button>
          : <span class="author">{name}</span>}
        {staff && <span class="tag">{role === 'ADMIN' ? 'Admin' : 'Moderator'}</span>}
        {comment.parent && <span class="muted">replying to {comment.parent.author?.username ?? 'a deleted account'}</span>}
        <span class="muted">on {comment.story
          ? <a href={comment.story.url} target="_blank" rel="noopener">{comment.story.title || comment.story.url}</a>
          : 'a deleted story'}</span>
        <span class="muted"><Time iso={comment.createdAt} />{comment.editedAt && ', edited'}</span>
        <span class={`status ${comment.status.toLowerCase()}`}>{statusLabels[comment.status]}</span>
        {comment.featured && <span class="tag featured">Featured</span>}
      </header>
      <div class="comment-body" data-comment-body dangerouslySetInnerHTML={{ __html: comment.body }} />
      <Reports reports={comment.reports} />
      <Trail trail={comment.trail} />
      <div class="card-actions">
        <button type="button" class="approve" disabled={queue === 'APPROVED'} onClick={() => actions.approve(comment)}>Approve</button>
        <button type="button" class="reject" disabled={queue === 'REJECTED'} onClick={() => actions.reject(comment)}>Reject</button>
        {/* A toggle keeps its name; aria-pressed says whether the comment is featured. */}
        <button type="button" class="toggle" disabled={comment.status !== 'PUBLISHED'} aria-pressed={comment.featured ? 'true' : 'false'} onClick={() => actions.feature(comment)}>
          Feature
        </button>
      </div>
    </article>
  );
}
