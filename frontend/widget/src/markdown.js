// The composer's preview: a small, honest subset of the Markdown the server renders
// (paragraphs, bold, italic, inline code; links stay text), as data for the component to
// render as elements. No HTML is ever built from the reader's text.

const inline = /(`[^`\n]+`|\*\*[^*\n]+\*\*|__[^_\n]+__|\*[^*\n]+\*|_[^_\n]+_)/;

// marked turns one match of inline into its span.
function marked(part) {
  if (part[0] === '`') return { tag: 'code', text: part.slice(1, -1) };
  if (part[1] === part[0]) return { tag: 'strong', text: part.slice(2, -2) };
  return { tag: 'em', text: part.slice(1, -1) };
}

/** Splits text into paragraphs, each a list of {tag: 'strong'|'em'|'code'|null, text}. */
export function previewBlocks(text) {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)
    // split with a capturing group puts the matches at the odd indices.
    .map((p) => p.split(inline).map((part, i) => (i % 2 ? marked(part) : { tag: null, text: part })).filter((s) => s.text));
}
