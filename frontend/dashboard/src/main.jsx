import { render } from 'preact';
import { App } from './app/App.jsx';
import './styles.css';

render(<App />, document.getElementById('app'));
