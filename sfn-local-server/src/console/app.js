// The sfn-local console: a page per route (#/, #/machine/ARN, #/execution/ARN, #/activities,
// #/messages), drawn from the Step Functions API on POST / and the console's own GET
// endpoints under /console/. Every value from a definition, an input, an output or an error
// reaches the page as text (textContent, attribute values), never as markup.
'use strict';

const PAGE = 50;

async function api(op, body) {
  const r = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.' + op },
    body: JSON.stringify(body || {}),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) {
    const kind = String(j.__type || 'Error').split('#').pop();
    throw new Error(kind + ': ' + (j.message || r.status));
  }
  return j;
}

async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.message || String(r.status));
  return j;
}

// h('a', {href: '#/'}, 'text', child...): an element; strings become text nodes.
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// Replaces `el`'s children with `children`, leaving out the absent ones (null, false).
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter(c => c !== undefined && c !== null && c !== false));
}

function when(seconds) {
  if (seconds === undefined || seconds === null) return '';
  const d = new Date(Number(seconds) * 1000);
  return isNaN(d) ? '' : d.toISOString().replace('T', ' ').replace('Z', '');
}

function status(s) {
  return h('span', { class: 'status ' + (s || '') }, s || '');
}

function pretty(text) {
  if (text === undefined || text === null) return '';
  try { return JSON.stringify(typeof text === 'string' ? JSON.parse(text) : text, null, 2); }
  catch (_) { return String(text); }
}

function link(route, arn, text) {
  return h('a', { href: '#/' + route + '/' + encodeURIComponent(arn) }, text);
}

function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, String(e && e.message ? e.message : e));
}

function show(...nodes) {
  const main = document.getElementById('main');
  fill(main, ...nodes);
}

// A table of rows; `cols` are [title, row => cell].
function table(cols, rows, rowAttrs) {
  return h('div', { class: 'table' }, h('table', {},
    h('thead', {}, h('tr', {}, cols.map(([t]) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map(r => h('tr', rowAttrs ? rowAttrs(r) : {}, cols.map(([, f]) => h('td', { class: 'wrap' }, f(r))))))));
}

// A list paged by nextToken: `load(token)` gives [items, nextToken].
function pager(render, load) {
  const box = h('div');
  let token = null;
  const pages = [];
  async function go(t) {
    try {
      const [items, next] = await load(t);
      token = next;
      fill(box, render(items), h('div', { class: 'row' },
        pages.length ? h('button', { onclick: () => go(pages.pop()) }, '← Newer') : null,
        token ? h('button', { onclick: () => { pages.push(t); go(token); } }, 'Older →') : null));
    } catch (e) { fill(box, errorBox(e)); }
  }
  go(null);
  return box;
}

// --- State machines -------------------------------------------------------------------
function machinesPage() {
  show(h('h1', {}, 'State machines'),
    pager(items => items.length ? table([
      ['Name', m => link('machine', m.stateMachineArn, m.name)],
      ['Type', m => m.type],
      ['Created', m => when(m.creationDate)],
    ], items) : h('p', { class: 'muted' }, 'No state machines yet.'),
    async t => {
      const r = await api('ListStateMachines', { maxResults: PAGE, nextToken: t || undefined });
      return [r.stateMachines || [], r.nextToken];
    }));
}

function graphBox(query, onState) {
  const obj = h('object', { type: 'image/svg+xml', data: '/console/graph.svg?' + query, 'aria-label': 'graph' });
  obj.addEventListener('load', () => {
    const doc = obj.contentDocument;
    if (!doc || !onState) return;
    for (const g of doc.querySelectorAll('[data-state]')) {
      g.style.cursor = 'pointer';
      g.addEventListener('click', () => onState(g.getAttribute('data-state')));
    }
  });
  return h('div', { class: 'graph' }, obj);
}

async function machinePage(arn) {
  show(h('p', { class: 'muted' }, 'Loading…'));
  let m;
  try { m = await api('DescribeStateMachine', { stateMachineArn: arn }); }
  catch (e) { show(h('h1', {}, 'State machine'), errorBox(e)); return; }
  const filter = h('select', { 'aria-label': 'status filter' },
    ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']
      .map(s => h('option', { value: s }, s || 'any status')));
  const executions = h('div');
  const list = () => fill(executions, pager(items => items.length ? table([
    ['Name', x => link('execution', x.executionArn, x.name)],
    ['Status', x => status(x.status)],
    ['Started', x => when(x.startDate)],
    ['Stopped', x => when(x.stopDate)],
  ], items) : h('p', { class: 'muted' }, 'No executions.'), async t => {
    const r = await api('ListExecutions', { stateMachineArn: arn, maxResults: PAGE,
      statusFilter: filter.value || undefined, nextToken: t || undefined });
    return [r.executions || [], r.nextToken];
  }));
  filter.addEventListener('change', list);
  list();
  const name = h('input', { 'aria-label': 'execution name', placeholder: 'name (optional)' });
  const input = h('textarea', { 'aria-label': 'execution input', spellcheck: 'false' }, '{}');
  const problem = h('p', { class: 'error', role: 'alert' });
  input.addEventListener('input', () => {
    try { JSON.parse(input.value); problem.textContent = ''; }
    catch (e) { problem.textContent = 'Not JSON: ' + e.message; }
  });
  const start = h('button', { class: 'primary', onclick: async () => {
    try {
      JSON.parse(input.value);
      const r = await api('StartExecution', { stateMachineArn: arn, input: input.value, name: name.value || undefined });
      location.hash = '#/execution/' + encodeURIComponent(r.executionArn);
    } catch (e) { problem.textContent = e.message; }
  } }, 'Start execution');
  const versions = h('div');
  api('ListStateMachineVersions', { stateMachineArn: arn, maxResults: 100 }).then(r => {
    const aliases = api('ListStateMachineAliases', { stateMachineArn: arn, maxResults: 100 });
    return aliases.then(a => fill(versions,
      (r.stateMachineVersions || []).length ? h('p', {}, 'Versions: ', (r.stateMachineVersions || []).map(v => h('span', { class: 'pill' }, v.stateMachineVersionArn.split(':').pop())).flatMap((x, i) => i ? [' ', x] : [x])) : null,
      (a.stateMachineAliases || []).length ? h('p', {}, 'Aliases: ', (a.stateMachineAliases || []).map(x => h('span', { class: 'pill' }, x.stateMachineAliasArn.split(':').pop())).flatMap((x, i) => i ? [' ', x] : [x])) : null));
  }).catch(() => {});
  show(
    h('h1', {}, m.name), h('p', { class: 'muted' }, m.type + ' · ' + m.stateMachineArn),
    versions,
    h('div', { class: 'split' },
      h('section', {}, h('h2', {}, 'Graph'), graphBox('stateMachineArn=' + encodeURIComponent(arn))),
      h('section', {}, h('h2', {}, 'Start an execution'), name, input, problem, start)),
    h('h2', {}, 'Executions'), h('div', { class: 'row' }, filter), executions,
    h('details', {}, h('summary', {}, 'Definition'), h('pre', {}, pretty(m.definition))));
}

// --- Executions -----------------------------------------------------------------------
function eventDetails(e) {
  const key = Object.keys(e).find(k => k.endsWith('EventDetails'));
  return key ? e[key] : null;
}

async function executionPage(arn) {
  show(h('p', { class: 'muted' }, 'Loading…'));
  let x;
  try { x = await api('DescribeExecution', { executionArn: arn }); }
  catch (e) { show(h('h1', {}, 'Execution'), errorBox(e)); return; }
  const events = [];
  const rows = h('tbody');
  const selected = h('div', {}, h('p', { class: 'muted' }, 'Select a state in the graph or an event in the table.'));
  const head = h('div');
  const graph = h('div');
  const actions = h('div', { class: 'row' });
  const more = h('div');
  let last = 0;
  let closed = x.status !== 'RUNNING';
  let drawnAt = 0;

  function select(name) {
    const mine = events.filter(e => { const d = eventDetails(e); return d && d.name === name; });
    const entered = mine.filter(e => e.type.endsWith('StateEntered'));
    const exited = mine.filter(e => e.type.endsWith('StateExited'));
    const failed = events.filter(e => /Failed$|TimedOut$|Aborted$/.test(e.type) && mine.some(m => m.id === e.previousEventId));
    fill(selected, h('h2', {}, name),
      h('p', { class: 'muted' }, entered.length + ' entr' + (entered.length === 1 ? 'y' : 'ies')),
      entered.length ? [h('h3', {}, 'Input'), h('pre', {}, pretty(eventDetails(entered[entered.length - 1]).input))] : null,
      exited.length ? [h('h3', {}, 'Output'), h('pre', {}, pretty(eventDetails(exited[exited.length - 1]).output))] : null,
      failed.length ? [h('h3', {}, 'Error'), h('pre', {}, pretty(eventDetails(failed[failed.length - 1])))] : null);
  }

  function addEvents(list) {
    for (const e of list) {
      events.push(e);
      last = Math.max(last, e.id);
      const d = eventDetails(e);
      const row = h('tr', { class: 'event', tabindex: '0' },
        h('td', {}, String(e.id)), h('td', {}, e.type), h('td', { class: 'wrap' }, d && d.name ? d.name : ''),
        h('td', {}, when(e.timestamp)));
      const detail = h('tr', { hidden: true }, h('td', { colspan: '4' }, h('pre', {}, pretty(e))));
      const toggle = () => {
        detail.hidden = !detail.hidden;
        if (d && d.name) select(d.name);
      };
      row.addEventListener('click', toggle);
      row.addEventListener('keydown', ev => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
      rows.append(row, detail);
    }
  }

  function drawHead() {
    fill(head,
      h('h1', {}, x.name), h('p', {}, status(x.status), ' · ',
        link('machine', x.stateMachineArn, x.stateMachineArn.split(':').pop()), ' · started ', when(x.startDate),
        x.stopDate ? ' · stopped ' + when(x.stopDate) : '',
        x.redriveCount ? ' · redriven ' + x.redriveCount + '×' : ''),
      x.error || x.cause ? h('pre', { class: 'error' }, (x.error || '') + (x.cause ? '\n' + x.cause : '')) : null,
      h('details', {}, h('summary', {}, 'Input'), h('pre', {}, pretty(x.input))),
      x.output !== undefined ? h('details', {}, h('summary', {}, 'Output'), h('pre', {}, pretty(x.output))) : null);
    // The picture re-reads the whole history on the server: while the execution runs it is
    // redrawn at most every 2 s, and once more when it ends.
    const now = Date.now();
    if (x.status !== 'RUNNING' || now - drawnAt >= 2000) {
      drawnAt = now;
      fill(graph, graphBox('executionArn=' + encodeURIComponent(arn) + '&events=' + last, select));
    }
    const problem = h('span', { class: 'error', role: 'alert' });
    const act = (op, body) => async () => {
      try { await api(op, body); x = await api('DescribeExecution', { executionArn: arn }); closed = false; poll(); drawHead(); }
      catch (e) { problem.textContent = e.message; }
    };
    fill(actions,
      x.status === 'RUNNING' ? h('button', { class: 'danger', onclick: act('StopExecution', { executionArn: arn }) }, 'Stop') : null,
      ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(x.status) ? h('button', { onclick: act('RedriveExecution', { executionArn: arn }) }, 'Redrive') : null,
      problem);
  }

  async function poll() {
    // Long polling: the server answers when events after `last` exist or the execution ends.
    while (!closed && location.hash.includes(encodeURIComponent(arn))) {
      try {
        const r = await getJson('/console/events?executionArn=' + encodeURIComponent(arn) + '&after=' + last + '&wait=20');
        addEvents(r.events || []);
        if (r.status !== 'RUNNING' || (r.events || []).length) {
          x = await api('DescribeExecution', { executionArn: arn });
          closed = x.status !== 'RUNNING';
          drawHead();
        }
      } catch (e) { fill(more, errorBox(e)); return; }
    }
  }

  async function loadPage() {
    const r = await getJson('/console/events?executionArn=' + encodeURIComponent(arn) + '&after=' + last + '&limit=200');
    addEvents(r.events || []);
    fill(more, r.more ? h('button', { onclick: () => loadPage().catch(e => fill(more, errorBox(e))) }, 'More events') : null);
  }

  const mapRuns = h('div');
  api('ListMapRuns', { executionArn: arn }).then(async r => {
    const runs = r.mapRuns || [];
    if (!runs.length) return;
    const described = await Promise.all(runs.map(m => api('DescribeMapRun', { mapRunArn: m.mapRunArn })));
    fill(mapRuns, h('h2', {}, 'Map runs'), table([
      ['Map run', m => m.mapRunArn.split(':').pop()],
      ['Status', m => status(m.status)],
      ['Items', m => Object.entries(m.itemCounts || {}).filter(([k]) => k !== 'resultsWritten').map(([k, v]) => k + ' ' + v).join(', ')],
    ], described));
  }).catch(() => {});

  const token = h('input', { 'aria-label': 'task token', placeholder: 'task token' });
  const output = h('textarea', { 'aria-label': 'task output', spellcheck: 'false' }, '{}');
  const sent = h('p', { role: 'status' });
  const send = (ok) => async () => {
    try {
      if (ok) { JSON.parse(output.value); await api('SendTaskSuccess', { taskToken: token.value, output: output.value }); }
      else await api('SendTaskFailure', { taskToken: token.value, error: 'Console.Failure', cause: output.value });
      sent.className = ''; sent.textContent = 'Sent.';
    } catch (e) { sent.className = 'error'; sent.textContent = e.message; }
  };

  await loadPage().catch(e => fill(more, errorBox(e)));
  drawHead();
  show(head, actions,
    h('div', { class: 'split' }, h('section', {}, h('h2', {}, 'Graph'), graph), h('section', {}, selected)),
    mapRuns,
    h('h2', {}, 'Events'),
    h('div', { class: 'table' }, h('table', {}, h('thead', {}, h('tr', {},
      ['Id', 'Type', 'State', 'Time'].map(t => h('th', { scope: 'col' }, t)))), rows)),
    more,
    h('details', {}, h('summary', {}, 'Answer a callback (task token)'), token, output,
      h('div', { class: 'row' }, h('button', { onclick: send(true) }, 'Send success'),
        h('button', { class: 'danger', onclick: send(false) }, 'Send failure')), sent));
  poll();
}

// --- Activities and messages ----------------------------------------------------------
function activitiesPage() {
  show(h('h1', {}, 'Activities'), pager(items => items.length ? table([
    ['Name', a => a.name], ['ARN', a => a.activityArn], ['Created', a => when(a.creationDate)],
  ], items) : h('p', { class: 'muted' }, 'No activities.'), async t => {
    const r = await api('ListActivities', { maxResults: PAGE, nextToken: t || undefined });
    return [r.activities || [], r.nextToken];
  }));
}

async function messagesPage() {
  show(h('h1', {}, 'Messages'), h('p', { class: 'muted' }, 'Loading…'));
  try {
    const r = await getJson('/console/messages');
    const list = r.messages || [];
    show(h('h1', {}, 'Messages'), h('p', { class: 'muted' }, 'SNS, SQS and EventBridge calls the executions made, newest first.'),
      list.length ? table([
        ['Service', m => m.service], ['Target', m => m.target], ['Time', m => m.time],
        ['Execution', m => m.execution_arn ? link('execution', m.execution_arn, m.execution_arn.split(':').pop()) : ''],
        ['Payload', m => h('pre', {}, pretty(m.payload))],
      ], list) : h('p', { class: 'muted' }, 'No messages.'));
  } catch (e) { show(h('h1', {}, 'Messages'), errorBox(e)); }
}

async function schedulesPage() {
  try {
    const r = await getJson('/console/schedules');
    const list = r.schedules || [];
    show(h('h1', {}, 'Schedules'), list.length ? table([
      ['Name', s => s.name], ['Expression', s => s.expression], ['State machine', s => s.stateMachine],
      ['Enabled', s => s.enabled ? 'yes' : 'no'], ['Next', s => (s.next || []).join('\n')],
    ], list) : h('p', { class: 'muted' }, 'No schedules configured (the configuration file\'s `schedules`).'));
  } catch (e) { show(h('h1', {}, 'Schedules'), errorBox(e)); }
}

async function ecsPage(task) {
  try {
    if (task) {
      const r = await fetch('/console/ecs-log?task=' + encodeURIComponent(task));
      const text = await r.text();
      show(h('h1', {}, 'ECS task ' + task), r.ok ? h('pre', {}, text) : errorBox(text));
      return;
    }
    const r = await getJson('/console/ecs');
    const list = r.tasks || [];
    show(h('h1', {}, 'ECS tasks'), !r.configured ? h('p', { class: 'muted' }, 'ECS is not configured (the configuration file\'s `ecs`).')
      : list.length ? table([
        ['Task', t => link('ecs', t.id, t.id)],
        ['Status', t => t.description ? status(t.description.LastStatus) : ''],
        ['Task definition', t => t.description ? t.description.TaskDefinitionArn : ''],
      ], list) : h('p', { class: 'muted' }, 'No ECS tasks have run.'));
  } catch (e) { show(h('h1', {}, 'ECS tasks'), errorBox(e)); }
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, ...rest] = hash.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  if (page === 'machine' && arg) return machinePage(arg);
  if (page === 'execution' && arg) return executionPage(arg);
  if (page === 'activities') return activitiesPage();
  if (page === 'messages') return messagesPage();
  if (page === 'schedules') return schedulesPage();
  if (page === 'ecs') return ecsPage(arg);
  return machinesPage();
}

window.addEventListener('hashchange', () => { route(); document.getElementById('main').focus(); });
route();
