import { render } from 'preact';
import { App } from './app/App.jsx';
import './styles.css';
import { currentLang, t } from './i18n/index.js';

document.documentElement.lang = currentLang();
document.title = t('app.title');

render(<App />, document.getElementById('app'));
