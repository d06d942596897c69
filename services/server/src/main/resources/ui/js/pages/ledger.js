// A rollout's ledger as a readable list: each decision with its evidence and who made it, and its
// place in the hash chain checked in this browser (chain.js).

import { allPages, get, rolloutPath, session } from '../api.js';
import { verify } from '../chain.js';
import { fmtTime, h, mount, problemBox } from '../dom.js';

function mark(ok, what) {
  if (ok === null) return h('span.chk.unknown', { title: `${what}: not checked in this browser` }, '?');
  return ok ? h('span.chk.ok', { title: `${what}: verified` }, '✓')
    : h('span.chk.bad', { title: `${what}: does not match` }, '✗');
}

function entryItem(e, check) {
  const ev = e.evidence || {};
  const by = ev.by;
  const hosts = e.hosts || [];
  return h(`li.entry.t-${e.type}`, { dataset: { seq: e.seq, type: e.type, chain: check.linked && check.hashed !== false ? 'ok' : 'bad' } },
    h('div.entry-head', {},
      h('span.seq', {}, `#${e.seq}`),
      h('strong.type', {}, e.type),
      e.wave ? h('span', {}, ` wave ${e.wave}`) : null,
      h('span.at', {}, fmtTime(e.at)),
      by ? h('span.by', {}, `by ${by}`) : null,
      h('span.chain', { 'aria-label': 'hash chain' },
        'chain ', mark(check.linked, 'prevHash equals the previous entry\u2019s hash'),
        ' hash ', mark(check.hashed, 'SHA-256 of the entry recomputed'))),
    e.reason ? h('div.reason', {}, e.reason) : null,
    Object.keys(ev).length ? h('dl.evidence', {},
      Object.keys(ev).sort().filter((k) => k !== 'by').map((k) => [h('dt', {}, k), h('dd', {}, ev[k])])) : null,
    hosts.length ? h('div.hosts-line', {},
      `${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${hosts.slice(0, 12).join(', ')}${hosts.length > 12 ? ', …' : ''}`) : null,
    h('div.hashes.mono', {}, `prev ${e.prevHash.slice(0, 12)}… → ${e.hash.slice(0, 12)}…`));
}

export function ledgerList(rollout) {
  const list = h('ol.ledger#ledger', { reversed: true });
  const summary = h('p.chain-summary#chain-summary');
  const status = h('div');
  const el = h('div', {}, summary, status, list);
  let entries = [];
  // load, catch-up and live entries run one after the other: no entry twice, none lost
  let queue = Promise.resolve();
  const serial = (fn) => (queue = queue.then(fn, fn));

  const render = async () => {
    const checks = await verify(session.me.tenant, rollout, entries);
    const bad = checks.filter((c) => !c.linked || c.hashed === false).length;
    const hashed = checks.filter((c) => c.hashed === true).length;
    summary.dataset.state = bad ? 'bad' : 'ok';
    summary.textContent = entries.length === 0 ? 'No ledger entry yet.'
      : bad ? `✗ ${bad} of ${entries.length} entries break the hash chain`
        : `✓ ${entries.length} entries chained from genesis; ${hashed} hashes recomputed in this browser`;
    // newest first: the decision that just happened is at the top
    mount(list, entries.map((e, i) => entryItem(e, checks[i])).reverse());
  };

  const fetchFrom = async (fromSeq) => allPages(async (cursor) => {
    const page = await get(rolloutPath(rollout, `/ledger?fromSeq=${cursor === null ? fromSeq : cursor}&limit=500`));
    return [page.entries, page.nextSeq];
  });

  return {
    el,
    load: () => serial(async () => {
      try {
        entries = await fetchFrom(1);
        status.replaceChildren();
        await render();
      } catch (e) {
        mount(status, problemBox(e.problem || { title: String(e) }));
      }
    }),
    /** The read model says the ledger reached {@code seq}: read what this list has not seen. */
    catchUp: (seq) => serial(async () => {
      const last = entries.length ? entries[entries.length - 1].seq : 0;
      if (seq <= last) return;
      try {
        entries = entries.concat(await fetchFrom(last + 1));
        await render();
      } catch (e) {
        mount(status, problemBox(e.problem || { title: String(e) }));
      }
    }),
    add: (entry) => serial(async () => {
      const last = entries.length ? entries[entries.length - 1].seq : 0;
      if (!entry || entry.seq <= last) return;
      if (entry.seq === last + 1) entries.push(entry);
      else entries = entries.concat(await fetchFrom(last + 1)); // a gap: read what was missed
      await render();
    }),
  };
}
