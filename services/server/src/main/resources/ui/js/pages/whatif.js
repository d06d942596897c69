// What-if: a recorded rollout (picked from the tenant's, or an exported log uploaded) re-judged
// under another plan, beside what was recorded; or an incident of the library (GET /incidents)
// run under a plan, beside how it historically went, all at once.
// POST /api/v1/tenants/{t}/whatif {rollout|log|incident, plan: TEMPLATE|{...}}.

import { get, post, tenantPath } from '../api.js';
import { durationMillis } from '../chain.js';
import { h, mount, problemBox } from '../dom.js';

const BUSY_RETRIES = 24; // 429: another what-if runs on this server; its Retry-After is 5 s

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

/** An ISO-8601 duration as people read it: 1 h 18 min, 22 s, 8 d. */
function human(iso) {
  let s = Math.round(durationMillis(iso) / 1000);
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]]) {
    if (s >= size) parts.push(`${Math.floor(s / size)} ${unit}`);
    s %= size;
  }
  if (s || !parts.length) parts.push(`${s} s`);
  return parts.join(' ');
}

const count = (n) => Number(n).toLocaleString('en');

/** An incident: all at once (historical) beside under the chosen plan, and the sentence. */
function incidentComparison(result) {
  const hist = result.historical;
  const w = result.whatIf;
  let outcome = 'neither halted nor completed';
  let time = `ran ${human(w.duration)}`;
  if (w.halted) {
    outcome = `halted in ${w.haltedWave} (${w.haltSignal})`;
    time = `${human(w.timeToHalt)} from first apply to halt`;
  } else if (w.completed) {
    outcome = 'completed';
    time = `completed in ${human(w.duration)}`;
  }
  const rows = [
    ['outcome', 'Outcome', hist ? 'not halted: every host received it' : '—', outcome],
    ['exposedHosts', 'Hosts that got the release', hist ? count(hist.exposedHosts) : '—', count(w.exposedHosts)],
    ['failedHosts', 'Hosts that failed', hist ? count(hist.failedHosts) : '—', count(w.failedHosts)],
    ['time', 'Time', hist ? `every host within ${human(hist.propagation)}` : '—', time],
  ];
  const planName = result.plan ? `plan ${result.plan}` : 'the plan written';
  return h('div', {},
    h(`p.whatif-summary${w.halted ? '.halted' : ''}#whatif-summary`, {}, result.summary),
    h('table.grid.compare#whatif-result', { dataset: { incident: result.incident } },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${result.incident}, ${count(result.hosts)} hosts`),
        h('th', { scope: 'col' }, 'All at once (historical)'), h('th', { scope: 'col' }, `Staged under ${planName}`))),
      h('tbody', {}, rows.map(([field, label, a, b]) => h(`tr${a === b ? '' : '.differs'}`, { dataset: { field } },
        h('th', { scope: 'row' }, label), h('td.pre', {}, a), h('td.pre', {}, b))))),
    hist ? null : h('p.hint', {}, 'A good release: no historical propagation to compare with.'));
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST the what-if; while another runs on this server (429), wait and try again, a bounded number of times. */
async function whatIf(body, out) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await post(tenantPath('/whatif'), body);
    } catch (e) {
      if (!e.problem || e.problem.status !== 429 || attempt >= BUSY_RETRIES) throw e;
      mount(out, h('p.hint', {}, 'Another what-if is running on this server; trying again in 5 s…'));
      await pause(5000);
    }
  }
}

export function whatIfPage(main) {
  const pick = h('select#whatif-rollout', {}, h('option', { value: '' }, '— upload a log instead —'));
  const logFile = h('input#whatif-log', { type: 'file', accept: '.jsonl,.json,.log,.txt' });
  const incident = h('select#whatif-incident', {}, h('option', { value: '' }, '— none —'));
  const about = h('p.hint.whatif-about#whatif-incident-about', {});
  const described = new Map();
  get(tenantPath('/rollouts')).then((rs) => {
    for (const r of rs) pick.append(h('option', { value: r.rollout }, `${r.rollout} (${r.status}, ${r.release})`));
  }, () => {});
  get(tenantPath('/incidents')).then((is) => {
    for (const i of is) {
      described.set(i.name, i.description);
      const hist = i.historical ? `all at once within ${human(i.historical.propagation)}` : 'no historical propagation';
      incident.append(h('option', { value: i.name }, `${i.name} (${count(i.hosts)} hosts, ${hist})`));
    }
  }, () => {});
  const template = h('select#whatif-template', {},
    h('option', { value: '' }, '— none: the recorded plan; for an incident the default plan —'));
  get(tenantPath('/plans/templates')).then((ts) => {
    for (const t of ts) template.append(h('option', { value: t.name }, t.name));
  }, () => {});
  const planFile = h('input#whatif-plan', { type: 'file', accept: '.json' });
  const planText = h('textarea#whatif-plan-text', { rows: 6, spellcheck: 'false', placeholder: '{"waves": [...]} — empty: the template above, or the recorded (an incident: the default) plan' });
  const run = h('button.btn.primary#whatif-run', { type: 'button' }, 'Re-judge');
  const out = h('div#whatif-out', { 'aria-live': 'polite' });
  // one source at a time: picking one clears the others
  pick.addEventListener('change', () => {
    if (pick.value) incident.value = '';
    about.textContent = '';
  });
  logFile.addEventListener('change', () => {
    if (logFile.files[0]) { pick.value = ''; incident.value = ''; about.textContent = ''; }
  });
  incident.addEventListener('change', () => {
    if (incident.value) { pick.value = ''; logFile.value = ''; }
    about.textContent = described.get(incident.value) || '';
  });
  planFile.addEventListener('change', async () => {
    if (planFile.files[0]) planText.value = await planFile.files[0].text();
  });
  run.addEventListener('click', async () => {
    out.replaceChildren();
    if (!incident.value && !pick.value && !logFile.files[0]) {
      mount(out, problemBox({ status: 400, title: 'Pick a rollout or an incident, or upload a log', field: 'log' }));
      return;
    }
    let plan = template.value || null;
    if (planText.value.trim()) {
      if (plan) {
        mount(out, problemBox({ status: 400, title: 'Choose a template or write a plan, not both', field: 'plan' }));
        return;
      }
      try {
        plan = JSON.parse(planText.value);
      } catch (e) {
        mount(out, problemBox({ status: 400, title: 'The plan is not JSON', detail: e.message, field: 'plan' }));
        return;
      }
    }
    run.disabled = true;
    mount(out, h('p.hint', {}, incident.value
      ? 'Simulating the incident over its fleet… (a halted incident takes seconds, a rollout that runs for days of virtual time minutes)'
      : 'Re-judging…'));
    try {
      let source;
      if (incident.value) source = { incident: incident.value };
      else if (pick.value) source = { rollout: pick.value };
      else source = { log: await logFile.files[0].text() };
      const result = await whatIf(Object.assign(source, { plan }), out);
      mount(out, source.incident ? incidentComparison(result) : comparison(result));
    } catch (e) {
      mount(out, problemBox(e.problem || { title: String(e) }));
    } finally {
      run.disabled = false;
    }
  });
  mount(main,
    h('div.page-head', {}, h('h1', {}, 'What-if')),
    h('section.panel', {},
      h('p.hint', {}, 'Pick a rollout of this tenant, or upload a log exported with “ledger export”, and optionally another plan: the same engine re-judges the recording, and the recorded and re-judged outcomes are shown side by side. Or pick an incident of the library, a real outage replayed on a simulated fleet: how it went all at once is shown beside what a staged rollout under the plan would have done.'),
      h('div.form-grid', {},
        h('label', { for: 'whatif-rollout' }, 'Recorded rollout'), pick,
        h('label', { for: 'whatif-log' }, 'or its exported log'), logFile,
        h('label', { for: 'whatif-incident' }, 'or an incident'), h('div', {}, incident, about),
        h('label', { for: 'whatif-template' }, 'Plan template'), template,
        h('label', { for: 'whatif-plan' }, 'or a plan file'), planFile,
        h('label', { for: 'whatif-plan-text' }, 'Plan JSON'), planText),
      run),
    out);
  return null;
}
