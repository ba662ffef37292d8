// 党建图谱 · 规划工作台: token entry, scope picker, diagram with pan and zoom, coverage and
// gaps tables, downloads. Plain ES module; talks only to this service's /api/v1.

const TOKEN_KEY = 'dangjian-token';
const LIST_LIMIT = 1000;

const $ = (id) => document.getElementById(id);

const DOMAINS = {
  employment: '就业', elderly_care: '养老', childcare: '托育', poverty_relief: '帮困',
  disability_support: '助残', public_safety: '平安', healthcare: '医疗', greening: '绿化',
  education_training: '教育培训', legal_aid: '法律援助', psychological: '心理', culture_sports: '文体',
};
const BLANK_SPOTS = {
  no_party_org: '无党组织', no_members: '无报到党员', no_partners: '无共建单位',
  no_union: '无工会', no_youth_league: '无共青团', no_women_federation: '无妇联',
};
const MASS_ORGS = { union: '工会', youth_league: '共青团', women_federation: '妇联', other: '其他' };
const VIEWS = { hierarchy: '层级', partnerships: '共建', gaps: '缺口' };

const state = {
  token: '',
  names: new Map(),
  seq: 0,
  session: 0,
  checklistOrg: null,
  svg: null,
  base: null,
  vb: null,
};

class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
  }
}

// ----- messages ---------------------------------------------------------------------------

function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
}

function clearMessage() {
  const box = $('message');
  box.hidden = true;
  box.textContent = '';
}

function explain(err) {
  if (!(err instanceof ApiError)) {
    return `无法连接服务，请检查网络或服务是否在运行。（${err && err.message ? err.message : err}）`;
  }
  switch (err.status) {
    case 401: return '令牌无效或已撤销，请重新输入令牌。';
    case 403: return '该范围不在令牌的权限内：协调员只能查看本辖区。';
    case 404: return `找不到该范围或数据：${err.message}`;
    case 408: return '请求超时，请选择更小的范围后重试。';
    case 503: return `服务器暂时无法绘图：${err.message}`;
    case 504: return '绘图超时：范围太大，请选择街镇或社区后重试。';
    default: return `请求失败（HTTP ${err.status}）：${err.message}`;
  }
}

/** Report an error; a rejected token logs the user out. Returns true when it was a 401. */
function fail(err) {
  if (err instanceof ApiError && err.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = '';
    $('workspace').hidden = true;
    showMessage(explain(err));
    $('token').focus();
    return true;
  }
  showMessage(explain(err));
  return false;
}

// ----- the API ----------------------------------------------------------------------------

async function request(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` } });
  if (!res.ok) {
    let code = '';
    let message = '';
    try {
      const body = await res.json();
      code = body.error?.code ?? '';
      message = body.error?.message ?? '';
    } catch (_) {
      message = res.statusText;
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

async function getJson(path) {
  return (await request(path)).json();
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function list(table, params = {}) {
  const page = await getJson(`/api/v1/${table}${query({ ...params, limit: LIST_LIMIT })}`);
  for (const row of page.items) {
    if (row.id && row.name) state.names.set(row.id, row.name);
  }
  return page.items;
}

const nameOf = (id) => state.names.get(id) ?? id;

// ----- token ------------------------------------------------------------------------------

async function useToken(token) {
  state.session += 1;
  const session = state.session;
  state.token = token.trim();
  state.names.clear();
  resetSelect('district');
  resetSelect('street');
  resetSelect('community');
  resetSelect('committee');
  clearResults();
  if (!state.token) {
    showMessage('请输入访问令牌。');
    return;
  }
  try {
    const districts = await list('districts');
    if (session !== state.session) return; // another token was entered meanwhile
    sessionStorage.setItem(TOKEN_KEY, state.token);
    clearMessage();
    $('workspace').hidden = false;
    fillSelect('district', districts);
    if (districts.length === 0) {
      showMessage('该令牌可见的范围内没有任何区。', 'info');
    } else if (districts.length === 1) {
      $('district').value = districts[0].id;
      await onLevelChange('district');
    }
  } catch (err) {
    if (session === state.session) fail(err);
  }
}

// ----- scope picker -----------------------------------------------------------------------

const LEVELS = ['district', 'street', 'community', 'committee'];
const CHILD = {
  district: ['streets', 'district'],
  street: ['communities', 'street'],
  community: ['committees', 'community'],
};

function resetSelect(id) {
  const sel = $(id);
  const placeholder = sel.options[0];
  sel.replaceChildren(placeholder);
  sel.value = '';
  sel.disabled = id !== 'district';
  delete sel.dataset.loaded;
}

function fillSelect(id, items) {
  const sel = $(id);
  for (const item of items) {
    const opt = document.createElement('option');
    opt.value = item.id;
    opt.textContent = item.name;
    sel.appendChild(opt);
  }
  sel.disabled = false;
  sel.dataset.loaded = String(items.length);
}

async function onLevelChange(level) {
  const idx = LEVELS.indexOf(level);
  for (const below of LEVELS.slice(idx + 1)) resetSelect(below);
  const value = $(level).value;
  if (value && CHILD[level]) {
    const [table, filter] = CHILD[level];
    const child = LEVELS[idx + 1];
    const session = state.session;
    try {
      const items = await list(table, { [filter]: value });
      // The user moved on, or entered another token, meanwhile.
      if ($(level).value !== value || session !== state.session) return;
      fillSelect(child, items);
      if (items.length === 1 && child === 'street') {
        // A coordinator's district shows only their own street: pick it for them.
        $(child).value = items[0].id;
        await onLevelChange(child);
        return;
      }
    } catch (err) {
      if (fail(err)) return;
    }
  }
  await refresh();
}

function currentScope() {
  for (const level of [...LEVELS].reverse()) {
    const v = $(level).value;
    if (v) return v;
  }
  return '';
}

// ----- results ----------------------------------------------------------------------------

function clearResults() {
  state.seq += 1;
  state.svg = null;
  const area = $('diagram');
  area.dataset.state = 'empty';
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = '请选择区、街镇、社区或居委会。';
  area.replaceChildren(p);
  $('diagram-note').hidden = true;
  $('scope-label').textContent = '';
  for (const id of ['coverage-table', 'gaps-table']) {
    const t = $(id);
    t.tHead.replaceChildren();
    t.tBodies[0].replaceChildren();
    t.dataset.rows = '0';
  }
  $('coverage-summary').textContent = '';
  $('gaps-summary').textContent = '';
  for (const id of ['dl-svg', 'dl-png', 'dl-dot', 'dl-csv', 'dl-xlsx']) $(id).disabled = true;
  $('checklist-org').textContent = '';
  state.checklistOrg = null;
}

async function refresh() {
  clearResults();
  const scope = currentScope();
  if (!scope) return;
  clearMessage();
  const seq = state.seq;
  const asOf = $('as-of').value;
  $('scope-label').textContent = `当前范围：${nameOf(scope)}（${scope}）`;
  for (const id of ['dl-svg', 'dl-png', 'dl-dot']) $(id).disabled = false;
  await Promise.all([
    loadDiagram(scope, $('view').value, asOf, seq),
    loadTables(scope, asOf, seq),
    loadChecklistOrg(scope, seq),
  ]);
}

function diagramPath(scope, format, view, asOf) {
  return `/api/v1/diagrams/${encodeURIComponent(scope)}.${format}${query({ view, as_of: asOf })}`;
}

async function loadDiagram(scope, view, asOf, seq) {
  const area = $('diagram');
  area.dataset.state = 'loading';
  const p = document.createElement('p');
  p.className = 'placeholder';
  p.textContent = `正在绘制${VIEWS[view] ?? ''}图…`;
  area.replaceChildren(p);
  try {
    const res = await request(diagramPath(scope, 'svg', view, asOf));
    const aggregated = res.headers.get('X-Diagram-Aggregated') === 'true';
    let title = '';
    try {
      title = decodeURIComponent(res.headers.get('X-Diagram-Title') ?? '');
    } catch (_) {
      title = '';
    }
    const text = await res.text();
    if (seq !== state.seq) return;
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    const svg = doc.documentElement;
    if (svg.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length) {
      throw new Error('服务返回的 SVG 无法解析');
    }
    showDiagram(document.importNode(svg, true));
    const note = $('diagram-note');
    note.hidden = false;
    note.className = aggregated ? 'note warn' : 'note';
    note.textContent = aggregated
      ? `节点过多，图已聚合（居委会按社区、单位按类别汇总为数量）：${title}`
      : title;
    area.dataset.state = 'ready';
    area.dataset.view = view;
    area.dataset.aggregated = String(aggregated);
  } catch (err) {
    if (seq !== state.seq) return;
    area.dataset.state = 'error';
    const msg = document.createElement('p');
    msg.className = 'placeholder error';
    msg.textContent = err instanceof ApiError ? explain(err) : `无法显示图：${err.message}`;
    area.replaceChildren(msg);
    fail(err);
  }
}

// ----- pan and zoom (viewBox) -------------------------------------------------------------

function parseViewBox(svg) {
  const raw = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  if (raw.length === 4 && raw.every(Number.isFinite) && raw[2] > 0 && raw[3] > 0) {
    return { x: raw[0], y: raw[1], w: raw[2], h: raw[3] };
  }
  const w = parseFloat(svg.getAttribute('width')) || 100;
  const h = parseFloat(svg.getAttribute('height')) || 100;
  return { x: 0, y: 0, w, h };
}

function showDiagram(svg) {
  state.base = parseViewBox(svg);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.classList.add('zoomable');
  state.svg = svg;
  $('diagram').replaceChildren(svg);
  setViewBox({ ...state.base });
}

function setViewBox(vb) {
  state.vb = vb;
  if (state.svg) state.svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${vb.w} ${vb.h}`);
}

/** Diagram units per screen pixel (with "meet", the larger of the two ratios). */
function unitsPerPixel() {
  const rect = state.svg.getBoundingClientRect();
  if (!rect.width || !rect.height) return 1;
  return Math.max(state.vb.w / rect.width, state.vb.h / rect.height);
}

/** The diagram point under a screen point. */
function toDiagram(clientX, clientY) {
  const rect = state.svg.getBoundingClientRect();
  const k = unitsPerPixel();
  const cx = state.vb.x + state.vb.w / 2;
  const cy = state.vb.y + state.vb.h / 2;
  return {
    x: cx + (clientX - (rect.left + rect.width / 2)) * k,
    y: cy + (clientY - (rect.top + rect.height / 2)) * k,
  };
}

function zoom(factor, at) {
  if (!state.svg || !state.vb) return;
  const base = state.base;
  const w = Math.min(Math.max(state.vb.w * factor, base.w / 50), base.w * 20);
  const f = w / state.vb.w;
  const p = at ?? { x: state.vb.x + state.vb.w / 2, y: state.vb.y + state.vb.h / 2 };
  setViewBox({
    x: p.x - (p.x - state.vb.x) * f,
    y: p.y - (p.y - state.vb.y) * f,
    w: state.vb.w * f,
    h: state.vb.h * f,
  });
}

function setUpPanZoom() {
  const area = $('diagram');
  area.addEventListener('wheel', (e) => {
    if (!state.svg) return;
    e.preventDefault();
    zoom(Math.exp(e.deltaY * 0.0015), toDiagram(e.clientX, e.clientY));
  }, { passive: false });
  let drag = null;
  area.addEventListener('pointerdown', (e) => {
    if (!state.svg || e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vb: { ...state.vb }, k: unitsPerPixel() };
    try {
      area.setPointerCapture(e.pointerId);
    } catch (_) {
      // A synthetic pointer cannot be captured; dragging still works inside the area.
    }
    area.classList.add('dragging');
  });
  area.addEventListener('pointermove', (e) => {
    if (!drag) return;
    setViewBox({
      ...drag.vb,
      x: drag.vb.x - (e.clientX - drag.x) * drag.k,
      y: drag.vb.y - (e.clientY - drag.y) * drag.k,
    });
  });
  const end = (e) => {
    if (!drag) return;
    drag = null;
    area.classList.remove('dragging');
    if (area.hasPointerCapture(e.pointerId)) area.releasePointerCapture(e.pointerId);
  };
  area.addEventListener('pointerup', end);
  area.addEventListener('pointercancel', end);
  area.addEventListener('keydown', (e) => {
    if (e.key === '+' || e.key === '=') zoom(0.8);
    else if (e.key === '-') zoom(1.25);
    else if (e.key === '0') resetZoom();
  });
  $('zoom-in').addEventListener('click', () => zoom(0.8));
  $('zoom-out').addEventListener('click', () => zoom(1.25));
  $('zoom-reset').addEventListener('click', resetZoom);
}

function resetZoom() {
  if (state.base) setViewBox({ ...state.base });
}

// ----- tables -----------------------------------------------------------------------------

const fmtNumber = (n) => (typeof n === 'number' ? n.toLocaleString('zh-CN', { maximumFractionDigits: 1 }) : '—');

const COVERAGE_COLUMNS = [
  { label: '居委会', value: (r) => r.name },
  { label: '社区', value: (r) => nameOf(r.community) },
  { label: '党组织', value: (r) => (r.party_org ? '有' : '无') },
  { label: '报到党员', value: (r) => r.registered_members, numeric: true },
  { label: '志愿时长', value: (r) => r.volunteer_hours, numeric: true },
  { label: '青年志愿者', value: (r) => r.young_volunteers, numeric: true },
  { label: '直接共建', value: (r) => r.partners_direct, numeric: true },
  { label: '可及共建', value: (r) => r.partners_in_reach, numeric: true },
  { label: '群团组织', value: (r) => (r.mass_org_types ?? []).map((t) => MASS_ORGS[t] ?? t).join('、') || '—' },
  {
    label: '空白点',
    value: (r) => (r.blank_spots ?? []).map((b) => BLANK_SPOTS[b] ?? b).join('、') || '无',
    sort: (r) => (r.blank_spots ?? []).length,
  },
];

const GAPS_COLUMNS = [
  { label: '需求', value: (r) => r.need },
  { label: '居委会', value: (r) => nameOf(r.committee) },
  { label: '领域', value: (r) => DOMAINS[r.domain] ?? r.domain },
  { label: '未满足', value: (r) => r.unmet, numeric: true },
  { label: '可对接', value: (r) => r.candidates.length, numeric: true, title: (r) => r.candidates.map((c) => `${nameOf(c.provider)}：${c.reason}`).join('\n') },
  { label: '状态', value: (r) => (r.unreachable ? '无资源可达' : '部分满足') },
];

function renderTable(id, columns, rows, emptyText) {
  const table = $(id);
  const headRow = document.createElement('tr');
  columns.forEach((col, i) => {
    const th = document.createElement('th');
    th.textContent = col.label;
    th.scope = 'col';
    th.tabIndex = 0;
    th.title = '点击排序';
    th.addEventListener('click', () => sortTable(table, columns, rows, i));
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter') sortTable(table, columns, rows, i); });
    headRow.appendChild(th);
  });
  table.tHead.replaceChildren(headRow);
  fillBody(table, columns, rows, emptyText);
}

function fillBody(table, columns, rows, emptyText) {
  const body = table.tBodies[0];
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = columns.length;
    td.className = 'empty';
    td.textContent = emptyText;
    tr.appendChild(td);
    body.appendChild(tr);
  }
  for (const row of rows) {
    const tr = document.createElement('tr');
    for (const col of columns) {
      const td = document.createElement('td');
      const v = col.value(row);
      td.textContent = col.numeric ? fmtNumber(v) : String(v ?? '');
      if (col.numeric) td.className = 'num';
      if (col.title) td.title = col.title(row);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  table.dataset.rows = String(rows.length);
}

function sortTable(table, columns, rows, index) {
  const ths = [...table.tHead.rows[0].cells];
  const current = ths[index].getAttribute('aria-sort');
  const dir = current === 'ascending' ? -1 : 1;
  ths.forEach((th) => th.removeAttribute('aria-sort'));
  ths[index].setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
  const col = columns[index];
  const key = col.sort ?? col.value;
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return String(x).localeCompare(String(y), 'zh-CN') * dir;
  });
  fillBody(table, columns, rows, '');
}

async function loadTables(scope, asOf, seq) {
  try {
    const [coverage, gaps] = await Promise.all([
      getJson(`/api/v1/coverage${query({ scope, as_of: asOf })}`),
      getJson(`/api/v1/gaps${query({ scope, as_of: asOf })}`),
    ]);
    if (seq !== state.seq) return;
    for (const c of coverage.committees) state.names.set(c.id, c.name);
    const committees = [...coverage.committees];
    renderTable('coverage-table', COVERAGE_COLUMNS, committees, '该范围内没有居委会。');
    const blank = committees.filter((c) => (c.blank_spots ?? []).length > 0).length;
    $('coverage-summary').textContent = `居委会 ${committees.length} 个，有空白点 ${blank} 个`;
    if (committees.length === 0) {
      showMessage('该范围内没有居委会（空范围）：没有可统计的覆盖情况和缺口。', 'info');
    }
    const unreachable = new Set(gaps.unreachable_needs);
    const rows = gaps.unmet_needs.map((n) => ({ ...n, unreachable: unreachable.has(n.need) }));
    for (const id of unreachable) {
      if (!rows.some((r) => r.need === id)) {
        rows.push({ need: id, committee: '', domain: '', unmet: null, candidates: [], unreachable: true });
      }
    }
    renderTable('gaps-table', GAPS_COLUMNS, rows, '该范围内没有未满足的需求。');
    $('gaps-summary').textContent =
      `需求 ${fmtNumber(gaps.total_demand)}，已满足 ${fmtNumber(gaps.met_demand)}，未满足 ${fmtNumber(gaps.unmet_demand)}；` +
      `悬浮资源 ${gaps.stranded_resources.length} 项，唯一共建单位 ${gaps.sole_partner_units.length} 家`;
  } catch (err) {
    if (seq !== state.seq) return;
    fail(err);
  }
}

// ----- downloads --------------------------------------------------------------------------

async function loadChecklistOrg(scope, seq) {
  try {
    const orgs = await list('party-orgs', { leads: scope });
    if (seq !== state.seq) return;
    state.checklistOrg = orgs[0] ?? null;
    const has = state.checklistOrg !== null;
    $('dl-csv').disabled = !has;
    $('dl-xlsx').disabled = !has;
    $('checklist-org').textContent = has
      ? `责任清单：${state.checklistOrg.name}`
      : '该范围没有牵头党组织，无法下载责任清单';
  } catch (err) {
    if (seq !== state.seq) return;
    fail(err);
  }
}

function filenameFrom(res, fallback) {
  const cd = res.headers.get('Content-Disposition') ?? '';
  const m = /filename="([^"]+)"/.exec(cd);
  return m ? m[1] : fallback;
}

async function download(path, fallbackName) {
  try {
    const res = await request(path);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = filenameFrom(res, fallbackName);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    fail(err);
  }
}

function setUpDownloads() {
  for (const format of ['svg', 'png', 'dot']) {
    $(`dl-${format}`).addEventListener('click', () => {
      const scope = currentScope();
      if (!scope) return;
      const view = $('view').value;
      const asOf = $('as-of').value;
      download(diagramPath(scope, format, view, asOf), `${scope}-${view}${asOf ? `-${asOf}` : ''}.${format}`);
    });
  }
  for (const format of ['csv', 'xlsx']) {
    $(`dl-${format}`).addEventListener('click', () => {
      const org = state.checklistOrg;
      if (!org) return;
      const asOf = $('as-of').value;
      const subtree = $('subtree').checked;
      download(
        `/api/v1/party-orgs/${encodeURIComponent(org.id)}/checklist${query({ format, as_of: asOf, subtree })}`,
        `checklist-${org.id}.${format}`,
      );
    });
  }
}

// ----- start ------------------------------------------------------------------------------

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function init() {
  $('as-of').value = today();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('token').value;
    $('token').value = '';
    useToken(value);
  });
  $('token-clear').addEventListener('click', () => {
    state.session += 1;
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = '';
    $('workspace').hidden = true;
    clearResults();
    showMessage('已退出。', 'info');
  });
  for (const level of LEVELS) $(level).addEventListener('change', () => onLevelChange(level));
  $('view').addEventListener('change', refresh);
  $('as-of').addEventListener('change', refresh);
  setUpPanZoom();
  setUpDownloads();
  document.body.dataset.ready = 'true';
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) useToken(saved);
}

init();
