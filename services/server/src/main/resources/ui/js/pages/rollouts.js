// The rollouts of the tenant: status, current wave, progress. Refreshed on every decision.

import { get, tenantPath } from '../api.js';
import { bar, fmtTime, h, mount, problemBox, statusBadge } from '../dom.js';
import { subscribe } from '../live.js';

export function totals(r) {
  const t = { assigned: 0, applied: 0, failed: 0, unreachable: 0 };
  for (const w of r.waves) {
    t.assigned += w.assigned;
    t.applied += w.applied;
    t.failed += w.crashed + w.silent + w.hot;
    t.unreachable += w.unreachable;
  }
  return t;
}

function row(r) {
  const t = totals(r);
  const idx = r.waves.findIndex((w) => w.name === r.currentWave);
  return h('tr', { dataset: { rollout: r.rollout, status: r.status } },
    h('td', {}, h('a', { href: `#/rollouts/${encodeURIComponent(r.rollout)}` }, r.rollout)),
    h('td', {}, r.release),
    h('td', {}, statusBadge(r.status)),
    h('td', {}, `${r.currentWave} (${idx + 1}/${r.waves.length})`),
    h('td.progress', {}, bar(t.applied, t.assigned, 'applied'), ` ${t.applied}/${t.assigned} applied`),
    h('td.num', {}, String(t.failed)),
    h('td.num', {}, String(t.unreachable)),
    h('td', {}, fmtTime(r.plannedAt)),
    h('td.mono', { title: r.ledgerHead }, `#${r.ledgerSeq} ${String(r.ledgerHead || '').slice(0, 10)}`));
}

export function rolloutsPage(main) {
  const body = h('tbody');
  const status = h('div');
  const filter = h('select#status-filter', {},
    ['all', 'ACTIVE', 'PAUSED', 'HALTED', 'COMPLETED', 'PENDING'].map((s) => h('option', { value: s }, s)));
  let rollouts = [];
  const render = () => {
    const shown = rollouts.filter((r) => filter.value === 'all' || r.status === filter.value);
    mount(body, shown.length ? shown.map(row)
      : h('tr', {}, h('td.empty', { colspan: 9 }, rollouts.length ? 'No rollout with this status.' : 'No rollouts yet.')));
  };
  filter.addEventListener('change', render);
  const load = async () => {
    try {
      rollouts = await get(tenantPath('/rollouts'));
      rollouts.sort((a, b) => String(b.plannedAt).localeCompare(String(a.plannedAt)));
      status.replaceChildren();
      render();
    } catch (e) {
      mount(status, problemBox(e.problem || { title: String(e) }));
    }
  };
  mount(main,
    h('div.page-head', {}, h('h1', {}, 'Rollouts'),
      h('label.inline', { for: 'status-filter' }, 'Status ', filter)),
    status,
    h('table.grid#rollouts', {},
      h('thead', {}, h('tr', {},
        ['Rollout', 'Release', 'Status', 'Current wave', 'Progress', 'Failed', 'Unreachable', 'Planned', 'Ledger']
          .map((c) => h('th', { scope: 'col' }, c)))),
      body));
  load();
  let pending = null;
  // a decision of any rollout may change the list: reload once per burst
  const off = subscribe((event) => {
    if (event !== 'decision' || pending) return;
    pending = setTimeout(() => {
      pending = null;
      load();
    }, 150);
  });
  // a rollout planned, or counts that move without a decision, show up within a few seconds
  const timer = setInterval(load, 5000);
  return () => {
    off();
    clearInterval(timer);
    clearTimeout(pending);
  };
}
