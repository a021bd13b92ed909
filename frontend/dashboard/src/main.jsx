import { render } from 'preact';
import { App } from './app/App.jsx';
import './styles.css';
import { startLang, t } from './i18n/index.js';

// The first render waits for the moderator's language, so no English flashes before it.
startLang().then(() => {
  document.title = t('app.title');
  render(<App />, document.getElementById('app'));
});
