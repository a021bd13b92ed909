// The site's BANNED and SUSPECT word lists; each is saved on its own (setWordList).
import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { errorMessage } from '../api/errors.js';
import { plural } from '../ui/format.js';
import { Time } from '../ui/Time.jsx';
import { SET_WORD_LIST } from './documents.js';

const LISTS = [
  { kind: 'BANNED', title: 'Banned terms', hint: 'A comment with one of these is rejected.' },
  { kind: 'SUSPECT', title: 'Suspect terms', hint: 'A comment with one of these is flagged, or held when the site says so.' },
];

export function WordLists({ siteID, lists }) {
  return (
    <section aria-labelledby="wordlists-title" class="settings-section">
      <h2 id="wordlists-title">Word lists</h2>
      <p class="hint">One term a line; a trailing * matches a prefix; # starts a comment. Matching ignores case, accents and look-alike letters.</p>
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
    setMessage({ error: '', done: `Saved ${plural(result.data.setWordList.termCount, 'term')}.` });
  }

  return (
    <form onSubmit={submit} class="stack">
      <label for={id} class="label">{spec.title}</label>
      <textarea id={id} rows={8} spellcheck={false} value={terms} aria-describedby={`${id}-meta`} onInput={(e) => setTerms(e.currentTarget.value)} />
      <span id={`${id}-meta`} class="hint">
        {spec.hint}{' '}
        {list ? <>{plural(list.termCount, 'term')}, version {list.version}, updated <Time iso={list.updatedAt} />.</> : 'No list yet.'}
      </span>
      <p class="error" role="alert">{message.error}</p>
      <p class="ok" role="status">{message.done}</p>
      <div class="row"><button type="submit" disabled={fetching}>Save {spec.title.toLowerCase()}</button></div>
    </form>
  );
}
