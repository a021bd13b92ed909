// The widget's root inside its shadow root: the theme and language around either a story's
// discussion or a single comment.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { App } from './App.jsx';
import { SingleComment } from './SingleComment.jsx';
import { createI18n } from '../i18n/index.js';

/** 'light' or 'dark': the theme asked for, or for 'auto' the reader's system setting, followed live. */
function useTheme(theme) {
  const query = useMemo(() => theme === 'auto' && matchMedia('(prefers-color-scheme: dark)'), [theme]);
  const [dark, setDark] = useState(query ? query.matches : theme === 'dark');
  useEffect(() => {
    if (!query) return undefined;
    const change = () => setDark(query.matches);
    query.addEventListener('change', change);
    return () => query.removeEventListener('change', change);
  }, [query]);
  return dark ? 'dark' : 'light';
}

export function Widget({ opts, emit, bridge }) {
  const t = useMemo(() => createI18n(opts.lang, opts.messages), [opts.lang, opts.messages]);
  const theme = useTheme(opts.theme);
  const View = opts.commentID ? SingleComment : App;
  return (
    <div class={`root theme-${theme}`} lang={opts.lang}>
      <View opts={opts} emit={emit} bridge={bridge} t={t} />
    </div>
  );
}
