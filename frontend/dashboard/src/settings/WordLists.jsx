// The site's BANNED and SUSPECT word lists; each is saved on its own (setWordList).
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { Time } from '../ui/Time.jsx';
import { SET_WORD_LIST } from './documents.js';
import { t, tx } from '../i18n/index.js';

// Each list's title is words.<kind>.title, its hint words.<kind>.hint.
const LISTS = [{ kind: 'BANNED' }, { kind: 'SUSPECT' }];

export function WordLists({ siteID, lists }) {
  return (
    <section aria-labelledby="wordlists-title" class="settings-section">
      <h2 id="wordlists-title">{t('words.title')}</h2>
      <p class="hint">{t('words.about')}</p>
      <div class="two-columns">
        {LISTS.map((l) => <WordList key={l.kind} siteID={siteID} spec={l} list={lists.find((w) => w.kind === l.kind)} />)}
      </div>
    </section>
  );
}

function WordList({ siteID, spec, list: initial }) {
  const [list, setList] = useState(initial);
  const [terms, setTerms] = useState(initial?.terms ?? '');
  const [message, setMessage] = useState({ error: '', done: '' });
  const [{ fetching }, save] = useMutation(SET_WORD_LIST);
  const id = `wordlist-${spec.kind.toLowerCase()}`;

  async function submit(event) {
    event.preventDefault();
    const result = await save({ input: { siteID, kind: spec.kind, terms } });
    if (result.error) {
      setMessage({ error: errorMessage(result.error), done: '' });
      return;
    }
    setList(result.data.setWordList);
    setMessage({ error: '', done: t('words.saved', { n: result.data.setWordList.termCount }) });
  }

  return (
    <form onSubmit={submit} class="stack">
      <label for={id} class="label">{t(`words.${spec.kind}.title`)}</label>
      <textarea id={id} rows={8} spellcheck={false} value={terms} aria-describedby={`${id}-meta`} onInput={(e) => setTerms(e.currentTarget.value)} />
      <span id={`${id}-meta`} class="hint">
        {t(`words.${spec.kind}.hint`)}{' '}
        {list ? tx('words.meta', { n: list.termCount, version: list.version, time: <Time iso={list.updatedAt} /> }) : t('words.noList')}
      </span>
      <p class="error" role="alert">{message.error}</p>
      <p class="ok" role="status">{message.done}</p>
      <div class="row"><button type="submit" disabled={fetching}>{t(`words.${spec.kind}.save`)}</button></div>
    </form>
  );
}
