// Builds embed-extras.js: the parts loaded on demand (see components/Lazy.jsx).
export { AccountDialog } from './components/AccountDialog.jsx';
export { TrustPanel } from './components/TrustPanel.jsx';
export { ReportDialog } from './components/ReportDialog.jsx';
export { GuestForm } from './components/GuestForm.jsx';
export { Auth } from './components/Auth.jsx';
export { MutedUsers } from './components/MutedUsers.jsx';
export { Sanctions } from './components/Sanctions.jsx';
export { Revisions } from './components/Revisions.jsx';
export { Inbox } from './components/Inbox.jsx';
