// One rollout: its waves as a timeline, the evidence charts that explain its decisions, its ledger
// with the hash chain checked here, its hosts; the actions the caller's role may take. Live.

import { allPages, get, rolloutPath, session } from '../api.js';
import { actionButton, actionsFor } from '../actions.js';
import { evidenceChart, fractionChart, SIGNALS } from '../charts.js';
import { bar, fmtTime, h, mount, problemBox, statusBadge } from '../dom.js';
import { subscribe } from '../live.js';
import { ledgerList } from './ledger.js';
import { hostsTable } from './hosts.js';

/** Where a wave stands: promoted, halted, paused, awaiting approval, dispatching, baking, waiting. */
export function waveState(r, i) {
  const cur = r.waves.findIndex((w) => w.name === r.currentWave);
  const w = r.waves[i];
  if (r.status === 'COMPLETED' || i < cur) return 'promoted';
  if (i > cur) return 'waiting';
  switch (r.status) {
    case 'HALTED': return 'halted';
    case 'PAUSED': return 'paused';
    case 'PENDING': return 'pending';
    default:
      if (w.approval && !w.approved) return 'awaiting approval';
      return w.dispatched < w.assigned ? 'dispatching' : 'baking';
  }
}

function waveCard(r, w, i, out) {
  const state = waveState(r, i);
  const failed = w.crashed + w.silent + w.hot;
  const approve = w.approval && !w.approved && state !== 'promoted' && r.status !== 'COMPLETED'
    && r.status !== 'HALTED' ? actionButton('approve', r.rollout, out, { wave: w.name }) : null;
  const line = (label, value, max, kind) => h('div.bar-line', {},
    h('span.bar-label', {}, label), bar(value, max, kind), h('span.bar-value', {}, `${value}/${max}`));
  return h(`li.wave.ws-${state.replace(/ /g, '-')}`, { dataset: { wave: w.name, state } },
    h('div.wave-head', {},
      h('span.wave-index', {}, String(i + 1)),
      h('strong', {}, w.name),
      h('span.wave-state', {}, state)),
    line('dispatched', w.dispatched, w.assigned, 'dispatched'),
    line('applied', w.applied, w.assigned, 'applied'),
    line('failed', failed, Math.max(w.applied, failed), 'failed'),
    line('unreachable', w.unreachable, w.assigned, 'unreachable'),
    h('div.wave-meta', {},
      `assigned ${w.assigned} · bake ${w.bake} · crash ≤ ${(w.maxCrashFraction * 100).toFixed(0)}%`,
      w.maxFailureRate !== null && w.maxFailureRate !== undefined ? ` · failure rate ≤ ${w.maxFailureRate}` : '',
      w.approval ? (w.approved ? ' · approved' : ' · needs approval') : ''),
    approve);
}

export function rolloutPage(main, id) {
  const head = h('div.page-head');
  const actions = h('div.actions#actions');
  const out = h('div.action-out#action-out', { 'aria-live': 'polite' });
  const waves = h('ol.timeline#waves', { 'aria-label': 'Waves' });
  const evidenceStatus = h('div');
  let view = null;
  const capOf = (i) => (view && view.waves[i] ? view.waves[i].maxCrashFraction : null);
  const charts = [...SIGNALS.map((s) => evidenceChart(s)), fractionChart(capOf)];
  const chartBox = h('div.charts#charts', { hidden: true }, charts.map((c) => c.el));
  const ledger = ledgerList(id);
  const hosts = hostsTable({ rollout: id });
  let points = [];
  let nextN = 0;

  mount(main,
    h('p.crumbs', {}, h('a', { href: '#/rollouts' }, 'Rollouts'), ' / ', id),
    head, actions, out,
    h('section.panel', { 'aria-labelledby': 'waves-title' }, h('h2#waves-title', {}, 'Waves'), waves),
    h('section', { 'aria-labelledby': 'evidence-title' },
      h('h2#evidence-title', {}, 'Evidence'), evidenceStatus,
      chartBox),
    h('section.panel', { 'aria-labelledby': 'ledger-title' }, h('h2#ledger-title', {}, 'Ledger'), ledger.el),
    h('section.panel', { 'aria-labelledby': 'hosts-title' }, h('h2#hosts-title', {}, 'Hosts'), hosts.el));

  const renderView = () => {
    const r = view;
    mount(head,
      h('h1', {}, r.rollout, ' ', statusBadge(r.status)),
      h('span.meta', {}, `release ${r.release} · wave ${r.currentWave} · planned ${fmtTime(r.plannedAt)}`,
        ` · wave started ${fmtTime(r.waveStartedAt)} · ledger #${r.ledgerSeq}`));
    main.dataset.status = r.status;
    mount(actions, actionsFor(r.status).map((a) => actionButton(a, r.rollout, out)),
      session.can('operate') || session.can('approve') ? null
        : h('span.hint#read-only', {}, `read only: a ${session.me.role} token takes no action`));
    mount(waves, r.waves.map((w, i) => waveCard(r, w, i, out)));
  };

  const loadView = async () => {
    try {
      const next = await get(rolloutPath(id));
      const changed = JSON.stringify(next) !== JSON.stringify(view);
      view = next;
      if (changed) renderView(); // unchanged: the buttons stay the ones a person may be clicking
      ledger.catchUp(view.ledgerSeq); // a decision the live stream did not bring (reconnecting)
    } catch (e) {
      mount(head, problemBox(e.problem || { title: String(e) }));
    }
  };

  const drawCharts = () => {
    chartBox.hidden = points.length === 0;
    if (points.length) charts.forEach((c) => c.draw(points));
  };
  const loadEvidence = async () => {
    try {
      const more = await allPages(async (from) => {
        const page = await get(rolloutPath(id, `/evidence?from=${from === null ? nextN : from}&limit=500`));
        return [page.points, page.next];
      });
      evidenceStatus.replaceChildren();
      addPoints(more);
      if (!points.length) mount(evidenceStatus, h('p.hint#no-evidence', {}, 'No evidence recorded yet.'));
    } catch (e) {
      mount(evidenceStatus, problemBox(e.problem || { title: String(e) }));
    }
  };
  const addPoints = (more) => {
    const fresh = more.filter((p) => p.n >= nextN);
    if (!fresh.length && points.length) return;
    points = points.concat(fresh).sort((a, b) => a.n - b.n);
    if (points.length && evidenceStatus.querySelector('#no-evidence')) evidenceStatus.replaceChildren();
    if (points.length) nextN = points[points.length - 1].n + 1;
    drawCharts();
  };

  loadView();
  loadEvidence();
  ledger.load();
  hosts.load();

  const off = subscribe((event, data) => {
    if (data.rollout !== id || data.tenant !== session.me.tenant) return;
    if (event === 'decision') {
      ledger.add(data.entry);
      loadView();
      hosts.load();
    } else if (event === 'evidence' && data.point) {
      addPoints([data.point]);
    }
  });
  // counts (applied, dispatched) change without a decision: refreshed every few seconds
  const timer = setInterval(loadView, 3000);
  return () => {
    off();
    clearInterval(timer);
    charts.forEach((c) => c.destroy());
  };
}
