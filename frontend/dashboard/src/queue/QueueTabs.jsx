// The five queues as tabs with live counts. Arrow keys move between tabs (the ARIA tabs
// pattern); choosing one changes the URL.
import { QUEUES } from '../app/route.js';
import { formatCount } from '../ui/format.js';
import { t } from '../i18n/index.js';

export const tabID = (queue) => `tab-${queue.toLowerCase()}`;

export function QueueTabs({ current, counts, onChoose }) {
  function onKeyDown(event) {
    const at = QUEUES.indexOf(current);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: QUEUES.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const queue = QUEUES[(to + QUEUES.length) % QUEUES.length];
    onChoose(queue);
    document.getElementById(tabID(queue))?.focus();
  }
  return (
    <div role="tablist" aria-label={t('queue.title')} class="tabs" onKeyDown={onKeyDown}>
      {QUEUES.map((queue) => {
        const count = counts?.[queue.toLowerCase()];
        return (
          <button
            key={queue}
            type="button"
            role="tab"
            id={tabID(queue)}
            aria-selected={queue === current ? 'true' : 'false'}
            aria-controls="queue-panel"
            tabIndex={queue === current ? 0 : -1}
            onClick={() => onChoose(queue)}
          >
            {t(`queue.${queue}`)} <span class="count">{count === undefined ? '…' : formatCount(count)}</span>
          </button>
        );
      })}
    </div>
  );
}
