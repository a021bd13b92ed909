// The switch between the dashboard's languages, in the top bar and on the sign-in page. The
// choice is kept in this browser; without one the browser's own languages decide. The label
// is for screen readers: each option names its language in that language, which says enough.
import { languages, setLang, t, useLang } from '../i18n/index.js';

export function LanguagePicker() {
  const lang = useLang();
  return (
    <div class="language-picker">
      <label for="language-picker" class="visually-hidden">{t('app.language')}</label>
      <select id="language-picker" value={lang} onChange={(e) => setLang(e.currentTarget.value)}>
        {languages.map((l) => <option key={l.lang} value={l.lang} lang={l.lang}>{l.name}</option>)}
      </select>
    </div>
  );
}
