// No user-visible text is written into the dashboard's JSX: every word comes from the
// catalogs through t() or tx(). The .jsx files are parsed (with rolldown's parser, which Vite
// builds with) and the test fails on text between tags, on string literals in the attributes
// people read (title, placeholder, alt, aria-label, label, hint, …) and on string literals
// that an expression inside JSX renders (a ?: or && choosing between two texts).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAst } from 'rolldown/parseAst';

const src = resolve(import.meta.dirname, '..');

// What may stay as it is: names that are not translated and technical text.
const ALLOWED = new Set(['Parley', 'Esc', 'trust_rules', 'comment', 'author', 'story', 'site.id', 'parley peer add URL', 'comment.links > 2 && author.level < 2']);
const BRANDS = /\bParley\b/g;

// Attributes whose value a person reads or hears; props of our own components included.
const READ = new Set(['title', 'placeholder', 'alt', 'aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'label', 'hint', 'summary', 'caption']);

const words = (s) => /\p{L}{2,}/u.test(s);

const jsxFiles = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const path = join(dir, e.name);
  if (e.isDirectory()) return jsxFiles(path);
  return e.name.endsWith('.jsx') && !e.name.includes('.test.') ? [path] : [];
});

// The string literals an expression can render: itself, either branch of ?:, the right of && and ||.
function renderedStrings(node) {
  if (!node) return [];
  switch (node.type) {
    case 'Literal': return typeof node.value === 'string' ? [node] : [];
    case 'TemplateLiteral': return node.quasis.filter((q) => words(q.value.cooked)).map((q) => ({ ...q, value: q.value.cooked }));
    case 'ConditionalExpression': return [...renderedStrings(node.consequent), ...renderedStrings(node.alternate)];
    case 'LogicalExpression': return [...renderedStrings(node.right), ...(node.operator === '&&' ? [] : renderedStrings(node.left))];
    case 'ParenthesizedExpression': return renderedStrings(node.expression);
    default: return [];
  }
}

/** Every bare text a file's JSX shows, as {line, text}. */
export function bareTexts(code) {
  const ast = parseAst(code, { lang: 'jsx' });
  const found = [];
  const line = (offset) => code.slice(0, offset).split('\n').length;
  const report = (node, text) => {
    const trimmed = String(text).trim();
    if (words(trimmed.replace(BRANDS, '')) && !ALLOWED.has(trimmed)) found.push({ line: line(node.start), text: trimmed });
  };
  const visit = (node, parent) => {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'JSXText') report(node, node.value);
    if (node.type === 'JSXAttribute' && READ.has(node.name.name)) {
      const v = node.value;
      if (v?.type === 'Literal') report(v, v.value);
      if (v?.type === 'JSXExpressionContainer') for (const s of renderedStrings(v.expression)) report(s, s.value);
    }
    // An expression child of an element: {cond ? 'Open' : 'Closed'}, {x && ', edited'}.
    if (node.type === 'JSXExpressionContainer' && parent?.type !== 'JSXAttribute') {
      for (const s of renderedStrings(node.expression)) report(s, s.value);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'parent') continue;
      if (Array.isArray(value)) value.forEach((child) => visit(child, node));
      else if (value && typeof value === 'object') visit(value, node);
    }
  };
  visit(ast, null);
  return found;
}

describe('JSX text', () => {
  it('finds bare text where it is, and lets translated text and symbols pass', () => {
    const code = `const a = <p title="Hello there" class="x">Hi {n} <b>{t('ok')}</b> {open ? 'Open' : t('closed')}{x && ', edited'} × — … Parley</p>;`;
    expect(bareTexts(code).map((f) => f.text)).toEqual(['Hello there', 'Hi', 'Open', ', edited']);
  });

  it('is in none of the dashboard’s components', () => {
    const files = jsxFiles(src);
    expect(files.length).toBeGreaterThan(40);
    const bare = files.flatMap((f) => bareTexts(readFileSync(f, 'utf8')).map(({ line, text }) => `${relative(src, f)}:${line}: ${text}`));
    expect(bare).toEqual([]);
  });
});
