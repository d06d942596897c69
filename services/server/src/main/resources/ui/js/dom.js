// Building elements without innerHTML: every value from the server goes in as text, never markup.

/** h('div.cls#id', {attr: v, onclick: fn}, child, ...) : an element; children are nodes or text. */
export function h(tag, attrs, ...children) {
  const [, name, rest] = /^([a-z0-9]+)(.*)$/i.exec(tag);
  const el = document.createElement(name);
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of {@code el}. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A progress bar: a <meter> is styled differently per browser, so two spans with a width class. */
export function bar(value, max, kind) {
  const pct = max > 0 ? Math.min(100, Math.round((100 * value) / max)) : 0;
  // widths come from classes (w0..w100): no style attribute under the CSP
  return h('span.bar', { role: 'img', 'aria-label': `${kind}: ${value} of ${max}` },
    h(`span.fill.${kind}.w${pct}`));
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z');
}

export function statusBadge(status) {
  const s = String(status || 'UNKNOWN');
  return h(`span.badge.s-${s.toLowerCase()}`, {}, s);
}

/** A problem+json (or any failed answer) shown where it happened. */
export function problemBox(problem) {
  return h('div.problem', { role: 'alert' },
    h('strong', {}, `${problem.status || ''} ${problem.title || 'Error'}`.trim()),
    problem.detail ? h('span', {}, ` — ${problem.detail}`) : null,
    problem.field ? h('span', {}, ` (field: ${problem.field})`) : null);
}
