// Hosts with their state, filterable: on the Hosts page (all of the tenant) and in a rollout.

import { allPages, get, tenantPath } from '../api.js';
import { fmtTime, h, mount, problemBox } from '../dom.js';

const STATES = ['all', 'waiting', 'dispatched', 'applied', 'failing', 'unreachable', 'none'];

function row(x) {
  const state = x.state || 'none';
  return h('tr', { dataset: { host: x.host, state } },
    h('td.mono', {}, x.host),
    h('td', {}, h(`span.hs.hs-${state.split(':')[0]}`, {}, state)),
    h('td', {}, h(`span.lv.lv-${x.liveness}`, {}, x.liveness)),
    h('td', {}, x.lifecycle),
    h('td', {}, x.rollout || '—'),
    h('td', {}, x.wave || '—'),
    h('td', {}, x.reportedRelease || '—'),
    h('td', {}, fmtTime(x.lastSignOfLifeAt)),
    h('td.labels', {}, Object.entries(x.labels || {}).map(([k, v]) => h('span.label', {}, `${k}=${v}`))));
}

/** A filterable table of hosts; {@code fixed} are server-side filters (e.g. {rollout}). */
export function hostsTable(fixed) {
  const uid = fixed && fixed.rollout ? 'r' : 'all';
  const text = h(`input#host-filter-${uid}`, { type: 'search', placeholder: 'host, label or release', autocomplete: 'off' });
  const state = h(`select#host-state-${uid}`, {}, STATES.map((s) => h('option', { value: s }, s)));
  const liveness = h(`select#host-liveness-${uid}`, {}, ['all', 'alive', 'offline', 'unseen'].map((s) => h('option', { value: s }, s)));
  const count = h('span.hint');
  const body = h('tbody');
  const status = h('div');
  let hosts = [];

  const render = () => {
    const q = text.value.trim().toLowerCase();
    const shown = hosts.filter((x) => {
      const st = x.state || 'none';
      if (state.value !== 'all' && st.split(':')[0] !== state.value) return false;
      if (liveness.value !== 'all' && x.liveness !== liveness.value) return false;
      if (!q) return true;
      const hay = [x.host, x.reportedRelease, x.wave, x.rollout, ...Object.entries(x.labels || {}).map(([k, v]) => `${k}=${v}`)];
      return hay.some((s) => s && String(s).toLowerCase().includes(q));
    });
    count.textContent = `${shown.length} of ${hosts.length} hosts`;
    mount(body, shown.slice(0, 1000).map(row));
  };
  text.addEventListener('input', render);
  [state, liveness].forEach((c) => c.addEventListener('change', render));

  const el = h('div.hosts', {},
    h('div.filters', {},
      h('label', { for: text.id }, 'Filter ', text),
      h('label', { for: state.id }, 'State ', state),
      h('label', { for: liveness.id }, 'Liveness ', liveness),
      count),
    status,
    h('table.grid.hosts-table', {},
      h('thead', {}, h('tr', {}, ['Host', 'State', 'Liveness', 'Lifecycle', 'Rollout', 'Wave', 'Release', 'Last sign of life', 'Labels']
        .map((c) => h('th', { scope: 'col' }, c)))),
      body));

  return {
    el,
    async load() {
      const q = new URLSearchParams(fixed || {});
      q.set('limit', '1000');
      try {
        hosts = await allPages(async (after) => {
          if (after !== null) q.set('after', after);
          const page = await get(tenantPath(`/hosts?${q}`));
          return [page.hosts, page.next];
        }, 10000);
        status.replaceChildren();
        render();
      } catch (e) {
        mount(status, problemBox(e.problem || { title: String(e) }));
      }
    },
  };
}

export function hostsPage(main) {
  const table = hostsTable(null);
  mount(main, h('div.page-head', {}, h('h1', {}, 'Hosts')), table.el);
  table.load();
  const timer = setInterval(() => table.load(), 5000);
  return () => clearInterval(timer);
}
