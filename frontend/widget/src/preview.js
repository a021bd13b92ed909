// The composer's preview, rendered by the server (the previewComment query) with the very
// renderer and sanitiser that will store the comment, so that it shows exactly what will be
// posted. Shipping our own Markdown rules instead would drift from the server's and cost the
// widget's size budget.
import { useEffect, useState } from 'preact/hooks';

/** How long typing must pause before a shown preview is brought up to date. */
export const PREVIEW_DELAY = 400;

/**
 * Returns the preview of text: {html} once rendered, {error} when the server refused it
 * (too long, say), {loading: true} while a request is due or under way. Nothing is asked
 * until the preview is first opened; opening it asks at once, and afterwards, while the
 * author types on, it is refreshed once typing pauses for delay ms, so that opening it again
 * is instant. Blank text needs no request. render(text) resolves to the server's HTML.
 */
export function usePreview(text, open, render, delay = PREVIEW_DELAY) {
  const [wanted, setWanted] = useState(open);
  const [shown, setShown] = useState({ text: null });
  const blank = !text.trim();
  useEffect(() => { if (open) setWanted(true); }, [open]);
  useEffect(() => {
    if (!wanted || blank || shown.text === text) return undefined;
    let current = true;
    const timer = setTimeout(() => {
      render(text).then(
        (html) => current && setShown({ text, html }),
        (error) => current && setShown({ text, error }),
      );
    }, open ? 0 : delay);
    // A newer text (or the preview opening) supersedes this one: its answer is dropped.
    return () => { current = false; clearTimeout(timer); };
  }, [text, wanted, open]);
  if (blank) return { html: '' };
  return shown.text === text ? shown : { loading: true };
}
