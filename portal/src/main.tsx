/* The portal page's entry: the shell served at `{mount}/portal` loads this bundle into `#app`. */
import { render } from 'preact';
import { App } from './app';
import { takeToken } from './token';

const root = document.getElementById('app');
if (root !== null) render(<App token={takeToken()} />, root);
