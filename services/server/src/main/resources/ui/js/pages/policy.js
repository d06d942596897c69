// The owner's policy of the tenant, and what the caller's role may do.

import { get, session, tenantPath } from '../api.js';
import { ACTIONS } from '../actions.js';
import { h, mount, problemBox } from '../dom.js';

const ROLES = {
  viewer: 'reads rollouts, ledgers, hosts and the policy',
  operator: 'also registers hosts, publishes releases, creates, pauses, resumes, halts and rolls back rollouts',
  approver: 'reads, and approves waves that need an approval',
  admin: 'everything, and sets the policy and manages tokens',
};

function kv(label, value) {
  return [h('dt', {}, label), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value)];
}

export function policyPage(main) {
  const policy = h('dl.kv#policy');
  const status = h('div');
  const me = session.me;
  mount(main,
    h('div.page-head', {}, h('h1', {}, 'Policy')),
    h('div.columns', {},
      h('section.panel', { 'aria-labelledby': 'policy-title' },
        h('h2#policy-title', {}, `The owner\u2019s policy of ${me.tenant}`),
        h('p.hint', {}, 'Stronger than any publisher\u2019s request; it never holds back a HALT. Set with PUT /api/v1/tenants/{t}/policy (admin).'),
        status, policy),
      h('section.panel', { 'aria-labelledby': 'role-title' },
        h('h2#role-title', {}, 'Your role'),
        h('p', {}, h('strong', {}, `${me.name}: ${me.role}`), ` — ${ROLES[me.role] || ''}`),
        h('table.grid#role-actions', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Needs'), h('th', { scope: 'col' }, 'You'))),
          h('tbody', {}, Object.entries(ACTIONS).map(([name, [permission, , , about]]) =>
            h('tr', { dataset: { action: name } },
              h('td', { title: about }, name),
              h('td', {}, permission),
              h('td', {}, session.can(permission) ? h('span.chk.ok', {}, '✓ may') : h('span.chk.bad', {}, '✗ may not')))))),
        h('p.hint', {}, `Permissions of this token: ${me.permissions.join(', ')}. The server checks every action again.`))));
  (async () => {
    try {
      const p = await get(tenantPath('/policy'));
      const windows = (p.windows || []).map((w) => `${(w.days || []).join(',')} ${w.start}–${w.end} ${w.zone}`);
      mount(policy,
        kv('Pinned release', p.pin),
        kv('Paused', p.paused ? 'yes: no rollout starts a wave' : 'no'),
        kv('Maintenance windows', windows.length ? windows.join('; ') : 'none: any time'),
        kv('Delay after publication', p.delay),
        kv('Publisher trust', p.publisherTrust === 'signed' ? 'signed releases only' : 'the operator\u2019s word'),
        kv('Trusted publishers', (p.trustedPublishers || []).length
          ? p.trustedPublishers.map((t) => `${t.name} (key ${t.keyId})`).join(', ') : 'none'),
        kv('Allowed publishers', (p.allowedPublishers || []).length ? p.allowedPublishers.join(', ') : 'any'),
        kv('Set by', p.by));
      mount(status, h('p.trust#publisher-trust', { dataset: { trust: p.publisherTrust } }, p.publisherTrustSays));
    } catch (e) {
      mount(status, problemBox(e.problem || { title: String(e) }));
    }
  })();
  return null;
}
