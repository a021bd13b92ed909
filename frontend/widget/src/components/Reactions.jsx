// A comment's reactions: one toggle button per kind the site offers, named (by aria-label,
// which stands for its content) "{label}, {count}", with its label shown beside its icon (an
// icon alone is an empty box where no emoji font is installed). Only what the server accepts
// is offered (reactionMode): on the reader's own comment, and where nothing can be changed,
// the counts show as text.
import { useContext } from 'preact/hooks';
import { Ctx } from './context.js';
import { reactionMode } from '../store.js';

/** run(promise) is the comment's: it clears the comment's last error and shows a new one. */
export function Reactions({ comment, run }) {
  const { t, settings, viewer, act, readOnly } = useContext(Ctx);
  const mode = reactionMode(comment, viewer?.id, readOnly);
  const toggle = (kind) => (mode === 'signIn' ? act.requestLogin() : run(act.react(comment, kind)));
  const kinds = settings.reactionKinds.map((k) => {
    const r = comment.reactions.find((x) => x.kind === k.kind);
    return { ...k, n: r?.count || 0, mine: !!r?.viewerReacted };
  });
  if (mode === 'show') {
    const given = kinds.filter((k) => k.n > 0);
    return given.length > 0 && (
      <div class="reactions">
        {given.map(({ kind, label, icon, n }) => (
          <span key={kind} class="reaction static" role="img" aria-label={t('reaction', { label, n })} title={label}>
            <span class="icon">{icon}</span> {n}
          </span>
        ))}
      </div>
    );
  }
  return (
    <div class="reactions">
      {kinds.map(({ kind, label, icon, n, mine }) => (
        <button key={kind} type="button" class="reaction" aria-label={t('reaction', { label, n })} title={mode === 'signIn' ? t('signInToReact', { label }) : label}
          aria-pressed={mine ? 'true' : 'false'} onClick={() => toggle(kind)}>
          <span class="icon">{icon}</span> <span class="label">{label}</span>{n > 0 && ` ${n}`}
        </button>
      ))}
    </div>
  );
}
