// Operators' page: polls the call API once a second. Plain DOM, no framework, no build step.
// Everything from the API is inserted with textContent, never as HTML.
'use strict';

const POLL_MS = 1000;
let selectedId = null;

const $ = (id) => document.getElementById(id);

async function getJson(url) {
  const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) {
    throw new Error('not signed in: open /operators/login');
  }
  if (response.status === 404) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

const seconds = (s) => {
  const total = Math.floor(s);
  const m = Math.floor(total / 60);
  return `${m}:${String(total % 60).padStart(2, '0')}`;
};

// "S10.0.0.5:11111:123456789" (address, port, generation) -> "10.0.0.5:11111".
const siloName = (s) => (s == null ? '–' : s.replace(/^S/, '').replace(/:\d+$/, ''));

const ms = (v) => (v == null ? '–' : `${Math.round(v)} ms`);

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderCalls(calls) {
  const body = $('calls').tBodies[0];
  body.replaceChildren();
  for (const call of calls) {
    const row = body.insertRow();
    row.dataset.callId = call.callId;
    if (call.callId === selectedId) row.classList.add('selected');
    const id = document.createElement('code');
    id.textContent = call.callId.slice(0, 8);
    id.title = call.callId;
    row.insertCell().append(id);
    cell(row, call.provider);
    cell(row, call.state ?? 'unknown');
    cell(row, seconds(call.durationSeconds), 'num duration');
    cell(row, String(call.turns), 'num');
    cell(row, ms(call.lastTurnLatencyMs), 'num latency');
    cell(row, siloName(call.silo), 'silo').title = call.silo ?? '';
    row.addEventListener('click', () => select(call.callId));
  }
  $('call-count').textContent = String(calls.length);
  $('no-calls').hidden = calls.length > 0;
}

function fact(list, name, value) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value ?? '–';
  list.append(dt, dd);
}

function renderDetail(call) {
  $('detail').hidden = false;
  $('detail-id').textContent = call.callId;
  const facts = $('detail-facts');
  facts.replaceChildren();
  fact(facts, 'State', call.endReason ? `${call.state} (${call.endReason})` : call.state);
  fact(facts, 'Provider', call.provider);
  fact(facts, 'Formats', `${call.format} · provider in ${call.providerInputFormat ?? '–'} · out ${call.providerOutputFormat ?? '–'}`);
  fact(facts, 'Started', call.startedAtUtc ? new Date(call.startedAtUtc).toLocaleString() : null);
  fact(facts, 'Duration', call.durationSeconds == null ? null : seconds(call.durationSeconds));
  fact(facts, 'Turn latencies', call.turnLatenciesMs.length ? call.turnLatenciesMs.map(ms).join(', ') : null);
  const c = call.counters;
  fact(facts, 'Caller frames', `${c.framesIn} in · ${c.framesLost} lost · ${c.framesOutOfOrder + c.framesDuplicate} late`);
  fact(facts, 'Agent audio', `${c.chunksOut} chunks · ${c.bytesOut} bytes`);
  fact(facts, 'Barge-ins / errors', `${c.bargeIns} / ${c.providerErrors} (${c.providerReconnects} reconnects)`);
  fact(facts, 'Gateway', call.gatewayId);
  fact(facts, 'Disposition', call.disposition);

  const list = $('transcript');
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.replaceChildren();
  for (const line of call.transcript) {
    const item = document.createElement('li');
    item.className = line.role;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = line.role;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = line.text;
    const time = document.createElement('time');
    time.dateTime = line.atUtc;
    time.textContent = new Date(line.atUtc).toLocaleTimeString();
    item.append(who, text, time);
    list.append(item);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
  renderToolCalls(call.toolCalls ?? []);
}

function renderToolCalls(toolCalls) {
  const body = $('tool-calls').querySelector('tbody');
  body.replaceChildren();
  for (const t of toolCalls) {
    const row = document.createElement('tr');
    row.className = t.outcome === 'Ok' ? 'ok' : 'failed';
    for (const value of [new Date(t.startedAtUtc).toLocaleTimeString(), t.name, t.outcome, ms(t.durationMs), t.arguments, t.result]) {
      const cell = document.createElement('td');
      cell.textContent = value;
      row.append(cell);
    }
    body.append(row);
  }
  $('no-tool-calls').hidden = toolCalls.length > 0;
}

async function select(callId) {
  selectedId = callId;
  for (const row of $('calls').tBodies[0].rows) {
    row.classList.toggle('selected', row.dataset.callId === callId);
  }
  await refreshDetail();
}

async function refreshDetail() {
  if (!selectedId) return;
  const id = selectedId;
  const call = await getJson(`/api/calls/${encodeURIComponent(id)}`);
  if (call && id === selectedId) renderDetail(call);
}

async function tick() {
  try {
    renderCalls(await getJson('/api/calls'));
    await refreshDetail();
    const status = $('status');
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.classList.remove('error');
  } catch (error) {
    const status = $('status');
    status.textContent = error.message;
    status.classList.add('error');
  } finally {
    setTimeout(tick, POLL_MS);
  }
}

tick();
