// The actions a person takes on a rollout: each confirmed in a dialog, sent with the caller's token
// (the server records who: the token's name), and any refusal (403, 409, ...) shown as it came.

import { post, rolloutPath, session } from './api.js';
import { h, problemBox } from './dom.js';

/** action -> [permission, path, needs a reason, what it does] */
export const ACTIONS = {
  approve: ['approve', '/approvals', false, 'Approve the wave: it may start once the one before it promotes.'],
  pause: ['operate', '/pause', true, 'Pause the rollout: no new host is sent the release until it is resumed.'],
  resume: ['operate', '/resume', true, 'Resume the rollout (a halted one: the halt is lifted, its evidence stays).'],
  halt: ['operate', '/halt', true, 'Halt the rollout: hosts not yet updated are held.'],
  rollback: ['operate', '/rollback', true, 'Halt and roll back: every host sent the release is told to roll back.'],
};

/** Which actions fit a rollout in {@code status}; approve goes per wave. */
export function actionsFor(status) {
  switch (status) {
    case 'ACTIVE': return ['pause', 'halt', 'rollback'];
    case 'PAUSED': return ['resume', 'halt', 'rollback'];
    case 'HALTED': return ['resume', 'rollback'];
    case 'PENDING': return ['halt'];
    default: return ['rollback'];
  }
}

/**
 * A button for {@code action}; hidden when the role may not take it (the server refuses it anyway:
 * a forced click still gets its 403 shown in {@code out}).
 */
export function actionButton(action, rollout, out, extra) {
  const [permission, , , about] = ACTIONS[action];
  const label = action === 'approve' ? `Approve ${extra.wave}` : action[0].toUpperCase() + action.slice(1);
  const allowed = session.can(permission);
  return h(`button.btn.action.a-${action}`, {
    type: 'button',
    hidden: !allowed,
    'aria-hidden': allowed ? null : 'true',
    title: about,
    dataset: { action, wave: extra && extra.wave },
    onclick: () => confirmAndSend(action, rollout, out, extra || {}),
  }, label);
}

function confirmDialog(action, rollout, extra) {
  const [, , needsReason, about] = ACTIONS[action];
  const dialog = document.getElementById('confirm');
  const reason = document.getElementById('confirm-reason');
  const ok = document.getElementById('confirm-ok');
  const cancel = document.getElementById('confirm-cancel');
  document.getElementById('confirm-title').textContent =
    `${action[0].toUpperCase()}${action.slice(1)} ${rollout}${extra.wave ? ' · wave ' + extra.wave : ''}?`;
  document.getElementById('confirm-text').textContent =
    `${about} Recorded as ${session.me.name} (${session.me.role}).`;
  reason.value = '';
  reason.hidden = !needsReason;
  document.getElementById('confirm-reason-label').hidden = !needsReason;
  ok.textContent = `Confirm ${action}`;
  return new Promise((resolve) => {
    const done = (value) => {
      ok.removeEventListener('click', onOk);
      cancel.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onOk = () => {
      if (needsReason && !reason.value.trim()) {
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      reason.removeAttribute('aria-invalid');
      done({ reason: reason.value.trim() });
    };
    const onCancel = () => done(null);
    ok.addEventListener('click', onOk);
    cancel.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    (needsReason ? reason : ok).focus();
  });
}

async function confirmAndSend(action, rollout, out, extra) {
  const answer = await confirmDialog(action, rollout, extra);
  if (!answer) return;
  const [, path, needsReason] = ACTIONS[action];
  const body = action === 'approve' ? { wave: extra.wave } : needsReason ? { reason: answer.reason } : {};
  out.replaceChildren();
  try {
    await post(rolloutPath(rollout, path), body);
    out.append(h('div.notice', { role: 'status' },
      `${action} accepted: recorded as ${session.me.name}; the page updates when the engine decides.`));
  } catch (e) {
    out.append(problemBox(e.problem || { title: String(e) }));
  }
}
