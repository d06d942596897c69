// The charts that say why a rollout halted or promoted, drawn with uPlot (served from its WebJar).
// Per signal: the evidence of a regression (an e-value, log scale) against its threshold 1/alpha;
// and the failing fraction of the updated cohort against the baseline's.

import uPlot from '../vendor/uplot/1.6.30/dist/uPlot.esm.js';
import { h } from './dom.js';

export const SIGNALS = ['CRASH', 'SILENCE', 'METRICS'];
const FLOOR = 1e-3; // a log scale has no zero: e-values below are drawn at the floor

const secs = (p) => Date.parse(p.at) / 1000;
// times in UTC, as everywhere else on the dashboard and in the ledger
const utc = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
const hms = (ts) => (ts === null || ts === undefined ? '—' : new Date(ts * 1000).toISOString().slice(11, 19));
const timeAxis = { values: (u, splits) => splits.map(hms) };
const timeSeries = { label: 'UTC', value: (u, v) => hms(v) };

/**
 * The ledger entry types a point was recorded with: all of them ({@code decisions}, e.g.
 * WavePromoted then WaveStarted for a promotion), or, for a point that does not carry them, the last
 * ({@code decision}).
 */
export function decisionsOf(p) {
  if (Array.isArray(p.decisions) && p.decisions.length) return p.decisions;
  return p.decision ? [p.decision] : [];
}

/**
 * The marks to draw: one per x (points within {@code near} of each other share one), its label every
 * decision there, once each, in order ("WavePromoted, WaveStarted").
 */
export function decisionLabels(points, xOf, near) {
  const marks = [];
  for (const p of points) {
    const names = decisionsOf(p);
    if (!names.length) continue;
    const x = xOf(p);
    const last = marks[marks.length - 1];
    const mark = last && Math.abs(x - last.x) < near ? last : null;
    if (mark) {
      for (const n of names) if (!mark.names.includes(n)) mark.names.push(n);
    } else {
      marks.push({ x, names: [...new Set(names)] });
    }
  }
  return marks.map((m) => ({ x: m.x, label: m.names.join(', '), halted: m.names.some((n) => /Halt/.test(n)) }));
}

/** Vertical lines at the points where decisions were recorded (WavePromoted, RolloutHalted...). */
function decisionMarks(pointsNow) {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx } = u;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          const marks = decisionLabels(pointsNow(),
            (p) => Math.round(u.valToPos(secs(p), 'x', true)), 4 * devicePixelRatio);
          for (const m of marks) {
            ctx.strokeStyle = m.halted ? '#c62828' : '#2e7d32';
            ctx.fillStyle = ctx.strokeStyle;
            ctx.setLineDash([4, 3]);
            ctx.beginPath();
            ctx.moveTo(m.x, u.bbox.top);
            ctx.lineTo(m.x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(m.label, m.x + 4, u.bbox.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

function evidenceData(points, signal) {
  const xs = [];
  const ev = [];
  const th = [];
  for (const p of points) {
    const s = (p.signals || []).find((x) => x.signal === signal);
    if (!s) continue;
    xs.push(secs(p));
    ev.push(Math.max(FLOOR, s.eValue));
    th.push(s.threshold);
  }
  return [xs, ev, th];
}

/**
 * The fractions, and the cap the current wave is judged against (its plan's maxCrashFraction, from
 * {@code capOf(waveIndex)}): the failure fraction cap halts a wave whose failing share passes it.
 */
function fractionData(points, capOf) {
  return [
    points.map(secs),
    points.map((p) => (p.applied > 0 ? p.failed / p.applied : null)),
    points.map((p) => (p.baselineHosts > 0 ? p.baselineFailing / p.baselineHosts : null)),
    points.map((p) => (p.waveApplied > 0 ? p.waveFailed / p.waveApplied : null)),
    points.map((p) => capOf(p.waveIndex)),
  ];
}

function width(el) {
  return Math.max(320, Math.floor(el.getBoundingClientRect().width || el.clientWidth || 560) - 8);
}

/** A chart panel: {el, update(points)}; the uPlot instance is made once its panel has a width. */
function panel(title, description, build, data) {
  const plot = h('div.plot');
  const el = h('section.panel.chart', { 'aria-label': title },
    h('h3', {}, title), h('p.hint', {}, description), plot);
  let chart = null;
  let current = [];
  return {
    el,
    draw(points) {
      current = points;
      const d = data(points);
      if (!chart) {
        chart = new uPlot(build(width(plot), () => current), d, plot);
      } else {
        chart.setData(d);
      }
      el.dataset.points = String(d[0].length);
      // the decision marks as text, for a reader of the page (and its tests): the canvas has none
      el.dataset.marks = decisionLabels(points, secs, 0.001).map((m) => m.label).join(' | ');
    },
    destroy() {
      if (chart) chart.destroy();
    },
  };
}

export function evidenceChart(signal) {
  const opts = (w, now) => ({
    width: w,
    height: 200,
    tzDate: utc,
    scales: { x: { time: true }, y: { distr: 3 } },
    axes: [timeAxis, { label: 'e-value', size: 60 }],
    series: [
      timeSeries,
      { label: `${signal} evidence`, stroke: '#1565c0', width: 2, value: (u, v) => fmt(v) },
      { label: 'threshold 1/α', stroke: '#c62828', dash: [6, 4], width: 1.5, value: (u, v) => fmt(v) },
    ],
    plugins: [decisionMarks(now)],
  });
  const p = panel(`${signal}: evidence of a regression`,
    'Anytime-valid e-value of the updated cohort against the baseline; crossing 1/α halts.',
    opts, (pts) => evidenceData(pts, signal));
  p.el.dataset.signal = signal;
  return p;
}

/** {@code capOf(waveIndex)}: the wave's cap (maxCrashFraction), or null while unknown. */
export function fractionChart(capOf) {
  const opts = (w, now) => ({
    width: w,
    height: 200,
    tzDate: utc,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(0.05, max * 1.1)] } },
    axes: [timeAxis, { label: 'failing fraction', size: 60, values: (u, vs) => vs.map(pct) }],
    series: [
      timeSeries,
      { label: 'updated cohort (failed/applied)', stroke: '#ef6c00', width: 2, value: (u, v) => pct(v) },
      { label: 'baseline (failing/hosts)', stroke: '#546e7a', width: 2, value: (u, v) => pct(v) },
      // points drawn: a wave's first share is often a lone point (no share before anything applied)
      { label: 'current wave (failed/applied)', stroke: '#6a1b9a', width: 1.5, points: { show: true, size: 7, fill: '#6a1b9a' }, value: (u, v) => pct(v) },
      { label: 'wave cap', stroke: '#c62828', dash: [6, 4], width: 1.5, value: (u, v) => pct(v) },
    ],
    plugins: [decisionMarks(now)],
  });
  const p = panel('Failing fraction: updated cohort vs baseline',
    'All signals: updated hosts that failed, against hosts still on the old release; the current'
      + ' wave\'s failing share against its cap, which halts the wave when passed.',
    opts, (pts) => fractionData(pts, capOf));
  p.el.dataset.signal = 'FRACTION';
  return p;
}

function fmt(v) {
  if (v === null || v === undefined) return '—';
  return v >= 1000 || v < 0.01 ? v.toExponential(2) : v.toFixed(2);
}

function pct(v) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}
