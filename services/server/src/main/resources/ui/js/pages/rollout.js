// One rollout: its waves as a timeline, the evidence charts that explain its decisions, its ledger
// with the hash chain checked here, its hosts; the actions the caller's role may take. Live.

import { allPages, get, rolloutPath, session } from '../api.js';
import { actionButton, actionsFor } from '../actions.js';
import { evidenceChart, fractionChart, SIGNALS } from '../charts.js';
import { bar, fmtTime, h, mount, problemBox, statusBadge } from '../dom.js';
import { durationMillis } from '../chain.js';
import { subscribe } from '../live.js';
import { ledgerList } from './ledger.js';
import { hostsTable } from './hosts.js';

/** Where a wave stands: promoted, halted, paused, pending, dispatching, baking, waiting. */
export function waveState(r, i) {
  const cur = r.waves.findIndex((w) => w.name === r.currentWave);
  const w = r.waves[i];
  if (r.status === 'COMPLETED' || i < cur) return 'promoted';
  if (i > cur) return 'waiting';
  switch (r.status) {
    case 'HALTED': return 'halted';
    case 'PAUSED': return 'paused';
    case 'PENDING': return 'pending';
    default: return w.dispatched < w.assigned ? 'dispatching' : 'baking';
  }
}

/** Whether a wave that needs an approval still waits for it (shown beside its state). */
export function awaitsApproval(r, i) {
  const w = r.waves[i];
  return w.approval && !w.approved && r.status !== 'COMPLETED' && r.status !== 'HALTED'
    && waveState(r, i) !== 'promoted';
}

/** Seconds of an ISO-8601 duration as java.time.Duration writes it (chain.js reads it), or null. */
export function durationSeconds(iso) {
  try {
    return durationMillis(iso) / 1000;
  } catch (e) {
    return null;
  }
}

function fmtSeconds(s) {
  const t = Math.max(0, Math.floor(s));
  const hh = Math.floor(t / 3600);
  const mm = Math.floor((t % 3600) / 60);
  const ss = t % 60;
  return hh ? `${hh}h${String(mm).padStart(2, '0')}m` : mm ? `${mm}m${String(ss).padStart(2, '0')}s` : `${ss}s`;
}

/**
 * The bake of the current wave: its bake runs from the wave's start ({@code waveStartedAt}); the
 * engine adds time it could not observe (an outage), which the rollout view does not give, so
 * "bake passed" may show a little before the wave promotes.
 */
function bakeLine(r, i, now) {
  const state = waveState(r, i);
  const total = durationSeconds(r.waves[i].bake);
  const start = Date.parse(r.waveStartedAt);
  if ((state !== 'baking' && state !== 'dispatching') || !total || isNaN(start)) return null;
  const done = Math.min(total, Math.max(0, (now - start) / 1000));
  return h('div.bar-line.bake-line', { dataset: { bakeEnd: String(start + total * 1000) } },
    h('span.bar-label', {}, 'bake'), bar(Math.round(done), Math.round(total), 'bake'),
    h('span.bar-value', {}, done >= total ? 'passed' : `${fmtSeconds(done)}/${fmtSeconds(total)}`));
}

function waveCard(r, w, i, out) {
  const state = waveState(r, i);
  const awaiting = awaitsApproval(r, i);
  const failed = w.crashed + w.silent + w.hot;
  const approve = awaiting ? actionButton('approve', r.rollout, out, { wave: w.name }) : null;
  const line = (label, value, max, kind) => h('div.bar-line', {},
    h('span.bar-label', {}, label), bar(value, max, kind), h('span.bar-value', {}, `${value}/${max}`));
  return h(`li.wave.ws-${state.replace(/ /g, '-')}`,
    { dataset: { wave: w.name, state, approval: w.approval ? (w.approved ? 'approved' : 'awaiting') : 'none' } },
    h('div.wave-head', {},
      h('span.wave-index', {}, String(i + 1)),
      h('strong', {}, w.name),
      awaiting && state !== 'waiting' ? h('span.approval-badge', { title: 'The wave needs an approval before it promotes' },
        'awaiting approval') : null,
      h('span.wave-state', {}, state)),
    line('dispatched', w.dispatched, w.assigned, 'dispatched'),
    line('applied', w.applied, w.assigned, 'applied'),
    line('failed', failed, Math.max(w.applied, failed), 'failed'),
    line('unreachable', w.unreachable, w.assigned, 'unreachable'),
    bakeLine(r, i, Date.now()),
    h('div.wave-meta', {},
      `assigned ${w.assigned} · bake ${w.bake} · crash ≤ ${(w.maxCrashFraction * 100).toFixed(0)}%`,
      w.maxFailureRate !== null && w.maxFailureRate !== undefined ? ` · failure rate ≤ ${w.maxFailureRate}` : '',
      w.approval ? (w.approved ? ' · approved' : ' · needs approval') : ''),
    approve);
}

/** How long a ledger entry the rollout view counts may take to come by the live stream. */
const CATCH_UP_MS = 5000;

/** fn, never two at once: a call while it runs runs it once more after. */
function singleFlight(fn) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await fn();
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  return run;
}

/** fn at most once per {@code ms}: a call inside the interval runs once at its end. */
function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return () => {
    if (timer) return;
    const wait = last + ms - Date.now();
    const go = () => {
      timer = null;
      last = Date.now();
      fn();
    };
    if (wait <= 0) go();
    else timer = setTimeout(go, wait);
  };
}

export function rolloutPage(main, id) {
  const head = h('div.page-head');
  const actions = h('div.actions#actions');
  const out = h('div.action-out#action-out', { 'aria-live': 'polite' });
  const waves = h('ol.timeline#waves', { 'aria-label': 'Waves' });
  const evidenceStatus = h('div#evidence-status');
  let view = null;
  const capOf = (i) => (view && view.waves[i] ? view.waves[i].maxCrashFraction : null);
  const charts = [...SIGNALS.map((s) => evidenceChart(s)), fractionChart(capOf)];
  const chartBox = h('div.charts#charts', { hidden: true }, charts.map((c) => c.el));
  const ledger = ledgerList(id);
  const hosts = hostsTable({ rollout: id });
  // the evidence path by point number n (from 0): a point comes once, whichever way it came
  const byN = new Map();
  let points = [];
  let left = false;

  mount(main,
    h('p.crumbs', {}, h('a', { href: '#/rollouts' }, 'Rollouts'), ' / ', id),
    head, actions, out,
    h('section.panel', { 'aria-labelledby': 'waves-title' }, h('h2#waves-title', {}, 'Waves'), waves),
    h('section', { 'aria-labelledby': 'evidence-title' },
      h('h2#evidence-title', {}, 'Evidence'), evidenceStatus,
      chartBox),
    h('section.panel', { 'aria-labelledby': 'ledger-title' }, h('h2#ledger-title', {}, 'Ledger'), ledger.el),
    h('section.panel', { 'aria-labelledby': 'hosts-title' }, h('h2#hosts-title', {}, 'Hosts'), hosts.el));

  // How each ledger entry reached this page, on its li.entry as data-arrived: "live" (the events
  // stream brought it before the page showed it), "catch-up" (read from the API after the first
  // load: the stream missed it or was slower) or "load" (there when the page opened).
  const liveSeqs = new Set();
  const arrived = new Map();
  let loaded = false;
  const markArrivals = () => {
    for (const li of ledger.el.querySelectorAll('li.entry[data-seq]')) {
      const seq = Number(li.dataset.seq);
      if (!arrived.has(seq)) arrived.set(seq, liveSeqs.has(seq) ? 'live' : loaded ? 'catch-up' : 'load');
      if (li.dataset.arrived !== arrived.get(seq)) li.dataset.arrived = arrived.get(seq);
    }
  };
  // a redraw of the list is seen before any script (or test) reads it: observers run first
  const observer = new MutationObserver(markArrivals);
  observer.observe(ledger.el, { childList: true, subtree: true });

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
  // the bake bar moves with the clock, not only with the view: only its line is redrawn
  const tickBake = () => {
    if (!view) return;
    waves.querySelectorAll('li.wave').forEach((li, i) => {
      const old = li.querySelector('.bake-line');
      if (old) old.replaceWith(bakeLine(view, i, Date.now()) || '');
    });
  };

  const drawCharts = () => {
    chartBox.hidden = points.length === 0;
    if (points.length) charts.forEach((c) => c.draw(points));
  };
  /** The first point number this page does not have: the path is whole below it. */
  const firstMissing = () => {
    let n = 0;
    while (byN.has(n)) n += 1;
    return n;
  };
  const hasGap = () => points.length > 0 && points[points.length - 1].n + 1 !== points.length;
  const fetchEvidence = singleFlight(async () => {
    try {
      const from = firstMissing();
      const more = await allPages(async (cursor) => {
        const page = await get(rolloutPath(id, `/evidence?from=${cursor === null ? from : cursor}&limit=500`));
        return [page.points, page.next];
      });
      evidenceStatus.replaceChildren();
      addPoints(more, false);
      if (!points.length) mount(evidenceStatus, h('p.hint#no-evidence', {}, 'No evidence recorded yet.'));
    } catch (e) {
      mount(evidenceStatus, problemBox(e.problem || { title: String(e) }));
    }
  });
  /** Merges points by n (no duplicate, in order); a gap (a point the stream missed) is fetched. */
  const addPoints = (more, live) => {
    let added = false;
    for (const p of more) {
      if (p && typeof p.n === 'number' && !byN.has(p.n)) {
        byN.set(p.n, p);
        added = true;
      }
    }
    if (!added) return;
    points = [...byN.values()].sort((a, b) => a.n - b.n);
    chartBox.dataset.points = String(points.length);
    chartBox.dataset.firstMissing = String(firstMissing());
    if (evidenceStatus.querySelector('#no-evidence')) evidenceStatus.replaceChildren();
    drawCharts();
    if (live && hasGap()) fetchEvidence();
  };

  const loadView = singleFlight(async () => {
    try {
      const next = await get(rolloutPath(id));
      const changed = JSON.stringify(next) !== JSON.stringify(view);
      const newEntries = view !== null && next.ledgerSeq > view.ledgerSeq;
      view = next;
      if (changed) renderView(); // unchanged: the buttons stay the ones a person may be clicking
      // a decision the live stream has not brought CATCH_UP_MS after the view showed it (the
      // stream reconnecting, or broken) is read from the API
      const seq = view.ledgerSeq;
      setTimeout(() => {
        if (!left) ledger.catchUp(seq);
      }, CATCH_UP_MS);
      // every ledger entry has its evidence point: new entries, maybe points the stream missed
      if (newEntries) fetchEvidence();
    } catch (e) {
      mount(head, problemBox(e.problem || { title: String(e) }));
    }
  });
  // evidence moves the wave counts: the cards follow, at most once a second
  const reloadSoon = throttle(loadView, 1000);
  /** After a (re)connection the stream has nothing of what happened meanwhile: read it. */
  const resync = async () => {
    await loadView();
    if (view) ledger.catchUp(view.ledgerSeq); // the stream does not bring what it missed
    fetchEvidence();
    hosts.load();
  };

  loadView();
  fetchEvidence();
  ledger.load().then(() => {
    loaded = true;
  });
  hosts.load();

  const off = subscribe((event, data) => {
    if (event === 'hello' || (event === 'feed' && data.state === 'following')) {
      if (loaded) resync();
      return;
    }
    if (data.rollout !== id || data.tenant !== session.me.tenant) return;
    if (event === 'decision') {
      if (data.entry) liveSeqs.add(data.entry.seq);
      ledger.add(data.entry);
      loadView();
      hosts.load();
    } else if (event === 'evidence' && data.point) {
      addPoints([data.point], true);
      reloadSoon();
    }
  });
  // counts (applied, dispatched) change without a decision: refreshed every few seconds
  const timer = setInterval(loadView, 3000);
  const bakeTimer = setInterval(tickBake, 1000);
  return () => {
    left = true;
    off();
    clearInterval(timer);
    clearInterval(bakeTimer);
    observer.disconnect();
    charts.forEach((c) => c.destroy());
  };
}
