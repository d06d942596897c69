// The dashboard: sign-in, the hash routes, the shared confirm dialog and the live indicator.

import { ApiError, get, onUnauthorized, session } from './api.js';
import { h, mount, problemBox } from './dom.js';
import * as live from './live.js';
import { rolloutsPage } from './pages/rollouts.js';
import { rolloutPage } from './pages/rollout.js';
import { hostsPage } from './pages/hosts.js';
import { policyPage } from './pages/policy.js';
import { whatIfPage } from './pages/whatif.js';

const main = document.getElementById('main');

// A blocked script, style or request is counted where tests (and a curious person) can see it.
document.addEventListener('securitypolicyviolation', (e) => {
  const root = document.documentElement;
  root.dataset.cspViolations = String(Number(root.dataset.cspViolations || 0) + 1);
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
});
let leave = null; // the current page's clean-up (unsubscribe, charts)

const routes = [
  [/^#\/rollouts\/([^/]+)$/, (m) => rolloutPage(main, decodeURIComponent(m[1]))],
  [/^#\/hosts$/, () => hostsPage(main)],
  [/^#\/policy$/, () => policyPage(main)],
  [/^#\/whatif$/, () => whatIfPage(main)],
  [/^#?\/?(rollouts)?$/, () => rolloutsPage(main)],
];

function signInPage(problem) {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  const input = h('input#token', {
    type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'token-hint',
  });
  const button = h('button.btn.primary#signin', { type: 'button' }, 'Sign in');
  const submit = async () => {
    if (!input.value.trim()) return;
    session.set(input.value.trim());
    input.value = '';
    await start();
  };
  button.addEventListener('click', submit);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') submit();
  });
  mount(main,
    h('section.signin', { 'aria-labelledby': 'signin-title' },
      h('h1#signin-title', {}, 'Sign in'),
      h('label', { for: 'token' }, 'API token'),
      input,
      h('p.hint#token-hint', {},
        'Paste a token of your tenant (made with “ledger token create”, or the bootstrap admin token). ',
        'It is kept in this tab only (session storage) and sent as Authorization: Bearer.'),
      problem ? problemBox(problem) : null,
      button));
  input.focus();
}

function signOut(problem) {
  session.clear();
  session.me = null;
  live.stop();
  if (leave) leave();
  leave = null;
  signInPage(problem);
}

onUnauthorized(() => {
  if (session.me || session.token()) {
    signOut({ status: 401, title: 'Unauthorized', detail: 'the token is unknown or was revoked' });
  }
});

async function start() {
  try {
    session.me = await get('/api/v1/whoami');
  } catch (e) {
    const problem = e instanceof ApiError ? e.problem : { title: String(e) };
    session.clear();
    session.me = null;
    signInPage(problem);
    return;
  }
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  mount(document.getElementById('identity'),
    h('span.tenant', {}, session.me.tenant), ' · ',
    h('span', {}, session.me.name), ' ',
    h(`span.role.r-${session.me.role}#role`, {}, session.me.role));
  live.start(document.getElementById('live'), () => onUnauthorizedLive());
  route();
}

function onUnauthorizedLive() {
  signOut({ status: 401, title: 'Unauthorized', detail: 'the token is unknown or was revoked' });
}

function route() {
  if (!session.me) return;
  if (leave) leave();
  leave = null;
  const hash = location.hash || '#/rollouts';
  for (const a of document.querySelectorAll('#nav a')) {
    const current = hash.startsWith(`#/${a.dataset.page}`);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, page] of routes) {
    const m = re.exec(hash);
    if (m) {
      leave = page(m) || null;
      return;
    }
  }
  mount(main, problemBox({ status: 404, title: 'No such page', detail: hash }));
}

document.getElementById('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);

if (session.token()) start();
else signInPage();
