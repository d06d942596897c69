// What-if: a recorded rollout (picked from the tenant's, or an exported log uploaded) re-judged
// under another plan, beside what was recorded. POST /api/v1/tenants/{t}/whatif {rollout|log, plan}.

import { get, post, tenantPath } from '../api.js';
import { h, mount, problemBox } from '../dom.js';

function show(v) {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) {
    return v.length && typeof v[0] === 'object'
      ? v.map((w) => Object.entries(w).map(([k, x]) => `${k} ${x}`).join(' · ')).join('\n')
      : v.join(', ') || '—';
  }
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k} ${x}`).join(' · ');
  return String(v);
}

function comparison(result) {
  const actual = result.actual || {};
  const whatIf = result.whatIf || {};
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(whatIf)])];
  return h('div', {},
    h('table.grid.compare#whatif-result', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'Recorded'), h('th', { scope: 'col' }, 'Re-judged'))),
      h('tbody', {}, keys.map((k) => {
        const a = show(actual[k]);
        const b = show(whatIf[k]);
        return h(`tr${a === b ? '' : '.differs'}`, { dataset: { field: k } },
          h('th', { scope: 'row' }, k), h('td.pre', {}, a), h('td.pre', {}, b));
      }))),
    h('p.hint', {}, `${result.assumedHealthy ?? 0} host outcomes assumed healthy (never seen applying in the recording).`));
}

export function whatIfPage(main) {
  const pick = h('select#whatif-rollout', {}, h('option', { value: '' }, '— upload a log instead —'));
  const logFile = h('input#whatif-log', { type: 'file', accept: '.jsonl,.json,.log,.txt' });
  get(tenantPath('/rollouts')).then((rs) => {
    for (const r of rs) pick.append(h('option', { value: r.rollout }, `${r.rollout} (${r.status}, ${r.release})`));
  }, () => {});
  const planFile = h('input#whatif-plan', { type: 'file', accept: '.json' });
  const planText = h('textarea#whatif-plan-text', { rows: 6, spellcheck: 'false', placeholder: '{"waves": [...]} — empty: the recorded plan' });
  const run = h('button.btn.primary#whatif-run', { type: 'button' }, 'Re-judge');
  const out = h('div#whatif-out', { 'aria-live': 'polite' });
  planFile.addEventListener('change', async () => {
    if (planFile.files[0]) planText.value = await planFile.files[0].text();
  });
  run.addEventListener('click', async () => {
    out.replaceChildren();
    if (!pick.value && !logFile.files[0]) {
      mount(out, problemBox({ status: 400, title: 'Pick a rollout or upload its log', field: 'log' }));
      return;
    }
    let plan = null;
    if (planText.value.trim()) {
      try {
        plan = JSON.parse(planText.value);
      } catch (e) {
        mount(out, problemBox({ status: 400, title: 'The plan is not JSON', detail: e.message, field: 'plan' }));
        return;
      }
    }
    run.disabled = true;
    mount(out, h('p.hint', {}, 'Re-judging…'));
    try {
      const source = pick.value ? { rollout: pick.value } : { log: await logFile.files[0].text() };
      const result = await post(tenantPath('/whatif'), Object.assign(source, { plan }));
      mount(out, comparison(result));
    } catch (e) {
      mount(out, problemBox(e.problem || { title: String(e) }));
    } finally {
      run.disabled = false;
    }
  });
  mount(main,
    h('div.page-head', {}, h('h1', {}, 'What-if')),
    h('section.panel', {},
      h('p.hint', {}, 'Pick a rollout of this tenant, or upload a log exported with “ledger export”, and optionally another plan: the same engine re-judges the recording, and the recorded and re-judged outcomes are shown side by side.'),
      h('div.form-grid', {},
        h('label', { for: 'whatif-rollout' }, 'Recorded rollout'), pick,
        h('label', { for: 'whatif-log' }, 'or its exported log'), logFile,
        h('label', { for: 'whatif-plan' }, 'Plan file (optional)'), planFile,
        h('label', { for: 'whatif-plan-text' }, 'Plan JSON'), planText),
      run),
    out);
  return null;
}
