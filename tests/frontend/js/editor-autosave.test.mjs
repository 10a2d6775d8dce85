// The plan editor's API calls (CSRF, JSON) and autosave (debounce, one save at a time, conflicts).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { agoText, createApi, createAutosave } from '../../../frontend/static/frontend/editor/api.js';
import { fakeTimers } from './helpers.mjs';

test('calls send JSON with the CSRF token and the session, and give back status and body', async () => {
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push({ url, init });
    return { status: 409, json: async () => ({ code: 'draft_changed', revision: 7 }) };
  };
  const api = createApi('/api/staff/plans/3', 'tok', fetchFn);
  const answer = await api.putDraft(6, { name: 'x' });
  assert.deepEqual(answer, { status: 409, body: { code: 'draft_changed', revision: 7 } });
  const [{ url, init }] = calls;
  assert.equal(url, '/api/staff/plans/3/draft');
  assert.equal(init.method, 'PUT');
  assert.equal(init.credentials, 'same-origin');
  assert.equal(init.headers['X-CSRFToken'], 'tok');
  assert.deepEqual(JSON.parse(init.body), { revision: 6, document: { name: 'x' }, force: false });
  await api.publish(8);
  assert.equal(calls[1].url, '/api/staff/plans/3/publish');
  assert.deepEqual(JSON.parse(calls[1].init.body), { revision: 8 });
  const down = createApi('/x', 't', async () => {
    throw new TypeError('offline');
  });
  assert.equal((await down.getDraft()).status, 0);
});

function setup(outcomes) {
  const timers = fakeTimers();
  const states = [];
  let saves = 0;
  let release = null;
  const autosave = createAutosave({
    timers,
    delay: 1500,
    onState: (s) => states.push(s),
    save: () => {
      saves += 1;
      const outcome = outcomes.shift() ?? 'saved';
      return new Promise((resolve) => {
        release = () => resolve(outcome);
      });
    },
  });
  return { timers, states, autosave, saves: () => saves, finish: async () => release?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('edits save once, 1.5 s after the last one', async () => {
  const { timers, states, autosave, saves, finish } = setup([]);
  autosave.changed();
  timers.tick(1000);
  autosave.changed();
  timers.tick(1000);
  assert.equal(saves(), 0);
  timers.tick(500);
  assert.equal(saves(), 1);
  assert.equal(states.at(-1), 'saving');
  await finish();
  await settle();
  assert.equal(states.at(-1), 'saved');
  assert.equal(autosave.isDirty(), false);
});

test('an edit during a save is saved after it, never at the same time', async () => {
  const { timers, autosave, saves, finish, states } = setup([]);
  autosave.changed();
  timers.tick(1500);
  autosave.changed();
  timers.tick(1500);
  assert.equal(saves(), 1);
  await finish();
  await settle();
  assert.equal(states.at(-1), 'unsaved');
  timers.tick(1500);
  assert.equal(saves(), 2);
});

test('a conflict stops saving until the user chooses', async () => {
  const { timers, autosave, saves, finish, states } = setup(['conflict']);
  autosave.changed();
  timers.tick(1500);
  await finish();
  await settle();
  assert.equal(states.at(-1), 'conflict');
  autosave.changed();
  timers.tick(5000);
  assert.equal(saves(), 1);
  autosave.resume(false);
  assert.equal(states.at(-1), 'saved');
  assert.equal(autosave.isDirty(), false);
});

test('times ago', () => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  assert.equal(agoText('2030-01-01T11:59:48Z', now), '12 s ago');
  assert.equal(agoText('2030-01-01T11:57:00Z', now), '3 min ago');
  assert.equal(agoText('nonsense', now), 'some time ago');
});
