// A comment's reactions: one toggle button per kind the site offers, named "{label}, {count}".
import { useContext } from 'preact/hooks';
import { Ctx } from './context.js';

/** onError receives a refused reaction's error, after its optimistic count rolled back. */
export function Reactions({ comment, onError }) {
  const { t, settings, viewer, act, readOnly } = useContext(Ctx);
  const toggle = (kind) => (viewer ? act.react(comment, kind).catch(onError) : act.requestLogin());
  return (
    <div class="reactions">
      {settings.reactionKinds.map(({ kind, label, icon }) => {
        const r = comment.reactions.find((x) => x.kind === kind);
        const n = r?.count || 0;
        const name = t('reaction', { label, n });
        // The count shows once there is one; the name always says it.
        const content = <><span aria-hidden="true">{icon}</span>{n > 0 && ` ${n}`}</>;
        return readOnly ? (
          <span key={kind} class="reaction" role="img" aria-label={name}>{content}</span>
        ) : (
          <button key={kind} type="button" class="reaction" aria-label={name} aria-pressed={r?.viewerReacted ? 'true' : 'false'} onClick={() => toggle(kind)}>
            {content}
          </button>
        );
      })}
    </div>
  );
}
