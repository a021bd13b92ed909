// Builds embed-extras.js: the parts loaded on demand (see components/Lazy.jsx), and the English
// messages and the styles only they show, added to embed.js's catalog and style sheets as soon
// as this script runs.
import './runtime-check.js';
import { addEnglish } from './i18n/index.js';
import { addStyle } from './styles.js';
import messages from './i18n/en-extras.js';
import css from './extras.css?inline';

addEnglish(messages);
addStyle(css);

export { AccountDialog } from './components/AccountDialog.jsx';
export { TrustPanel } from './components/TrustPanel.jsx';
export { ReportDialog } from './components/ReportDialog.jsx';
export { GuestForm } from './components/GuestForm.jsx';
export { Auth } from './components/Auth.jsx';
export { MutedUsers } from './components/MutedUsers.jsx';
export { Sanctions } from './components/Sanctions.jsx';
export { Revisions } from './components/Revisions.jsx';
export { Inbox } from './components/Inbox.jsx';
