// 党建图谱 · 规划工作台: token entry, scope picker (state kept in the URL), the interactive
// network (Cytoscape.js + fCoSE, vendored), the org chart, the trend, the print diagrams with
// pan and zoom, coverage and gaps tables, downloads. Plain ES module; talks only to this
// service's /api/v1.

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
const PRINT_VIEWS = ['hierarchy', 'partnerships', 'gaps'];
const ALL_VIEWS = ['network', 'orgchart', 'trend', ...PRINT_VIEWS];
const KINDS = ['partnership', 'resource', 'mass', 'social', 'member'];
const CAUSES = { unreachable: '无资源可达', insufficient: '资源不足' };

const state = {
  token: '',
  names: new Map(),
  seq: 0,
  session: 0,
  checklistOrg: null,
  svg: null,
  base: null,
  vb: null,
  dates: null,
  graph: null,
  coverage: null,
  gaps: null,
  cy: null,
  org: null,
  positions: new Map(),
  role: null,
  refused: false,
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

async function useToken(token, restore = null) {
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
    if (districts.length > 1) {
      // The whole city (only tokens that see more than one district may ask for it).
      const opt = document.createElement('option');
      opt.value = 'city';
      opt.textContent = '全市';
      $('district').appendChild(opt);
    }
    fillSelect('district', districts);
    await loadRole(session);
    await loadDates(session);
    if (session !== state.session) return;
    if (restore) {
      await selectScope(restore);
    } else if (districts.length === 0) {
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

/** Fill the level below `level`; returns its items, or null when the user moved on. */
async function loadChildren(level) {
  const idx = LEVELS.indexOf(level);
  for (const below of LEVELS.slice(idx + 1)) resetSelect(below);
  const value = $(level).value;
  if (!value || value === 'city' || !CHILD[level]) return [];
  const [table, filter] = CHILD[level];
  const session = state.session;
  const items = await list(table, { [filter]: value });
  // The user moved on, or entered another token, meanwhile.
  if ($(level).value !== value || session !== state.session) return null;
  fillSelect(LEVELS[idx + 1], items);
  return items;
}

async function onLevelChange(level) {
  try {
    const items = await loadChildren(level);
    if (items === null) return;
    const child = LEVELS[LEVELS.indexOf(level) + 1];
    if (items.length === 1 && child === 'street') {
      // A coordinator's district shows only their own street: pick it for them.
      $(child).value = items[0].id;
      await onLevelChange(child);
      return;
    }
  } catch (err) {
    if (fail(err)) return;
  }
  await refresh();
}

/** Pick a scope id in the four lists (from a shared URL), then draw it. */
async function selectScope(scope) {
  try {
    const hasOption = (id, v) => [...$(id).options].some((o) => o.value === v);
    if (hasOption('district', scope)) {
      $('district').value = scope;
      await onLevelChange('district');
      return;
    }
    // Find the chain above a street, community or committee from its committees' rows.
    const cov = await getJson(`/api/v1/coverage${query({ scope, as_of: $('as-of').value })}`);
    const row = cov.committees[0];
    if (!row) throw new ApiError(404, 'not_found', scope);
    const chain = [['district', row.district], ['street', row.street], ['community', row.community], ['committee', row.id]];
    for (const [level, id] of chain) {
      if (!hasOption(level, id)) break;
      $(level).value = id;
      if (id === scope) break;
      if ((await loadChildren(level)) === null) return;
    }
    await refresh();
  } catch (err) {
    fail(err);
    setDownloadsRefused(err);
  }
}

function currentScope() {
  for (const level of [...LEVELS].reverse()) {
    const v = $(level).value;
    if (v) return v;
  }
  return '';
}

// ----- the URL ----------------------------------------------------------------------------

function kindsOn() {
  return [...document.querySelectorAll('#kinds input')].filter((i) => i.checked).map((i) => i.value);
}

/** Keep scope, view, date and filters in the address bar (shareable; a reload restores them). */
function saveUrl() {
  const q = new URLSearchParams();
  const scope = currentScope();
  if (scope) q.set('scope', scope);
  q.set('view', $('view').value);
  if ($('as-of').value) q.set('as_of', $('as-of').value);
  const kinds = kindsOn();
  if (kinds.length !== KINDS.length) q.set('kinds', kinds.join(','));
  if ($('member-group').value !== 'district') q.set('group', $('member-group').value);
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  const view = q.get('view');
  if (view && ALL_VIEWS.includes(view)) $('view').value = view;
  const asOf = q.get('as_of');
  if (asOf && /^\d{4}-\d{2}-\d{2}$/.test(asOf)) {
    $('as-of').value = asOf;
    $('as-of').dataset.fromUrl = 'true';
  }
  if (q.has('kinds')) {
    const on = new Set(q.get('kinds').split(','));
    for (const i of document.querySelectorAll('#kinds input')) i.checked = on.has(i.value);
  }
  if (q.get('group') === 'unit') $('member-group').value = 'unit';
  return q.get('scope');
}

// ----- dates ------------------------------------------------------------------------------

const DAY = 86400000;
const toDay = (s) => Date.parse(`${s}T00:00:00Z`) / DAY;
const fromDay = (n) => new Date(n * DAY).toISOString().slice(0, 10);

/** The range of dates in the data: the slider's range, and the default date. */
async function loadDates(session) {
  try {
    const d = await getJson('/api/v1/dates');
    if (session !== state.session) return;
    state.dates = d;
    const input = $('as-of');
    if (!input.dataset.fromUrl && d.data_to && d.today > d.data_to) {
      input.value = d.data_to;
      input.dataset.defaulted = 'true';
    } else if (!input.value) {
      input.value = d.today;
    }
    const slider = $('date-slider');
    if (d.data_from && d.data_to) {
      slider.min = String(toDay(d.data_from));
      slider.max = String(Math.max(toDay(d.data_to), toDay(d.data_from)));
      slider.disabled = false;
    }
    syncSlider();
  } catch (err) {
    fail(err);
  }
}

function syncSlider() {
  const slider = $('date-slider');
  const v = $('as-of').value;
  if (!v || slider.disabled) return;
  slider.value = String(Math.min(Math.max(toDay(v), Number(slider.min)), Number(slider.max)));
  $('slider-label').textContent = v;
  dateNote();
}

function dateNote() {
  const note = $('date-note');
  const d = state.dates;
  const v = $('as-of').value;
  let text = '';
  if (d && d.data_from && v && v < d.data_from) {
    text = `统计日期 ${v} 早于所有数据（最早 ${d.data_from}）：共建、志愿等数字都会是零。`;
  } else if (d && d.data_to && v && v > d.data_to) {
    text = `统计日期 ${v} 晚于数据的最后日期 ${d.data_to}：近12个月志愿时长会偏少。`;
  } else if ($('as-of').dataset.defaulted === 'true' && d && v === d.data_to) {
    text = `今天（${d.today}）晚于数据的最后日期，统计日期取数据最后一天 ${d.data_to}。`;
  }
  note.textContent = text;
  note.hidden = !text;
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
  for (const id of DOWNLOADS) $(id).disabled = true;
  $('checklist-org').textContent = '';
  state.checklistOrg = null;
  state.graph = null;
  state.coverage = null;
  state.gaps = null;
  state.refused = false;
  sideLegend();
  $('graph-summary').textContent = '';
  $('trend').replaceChildren();
}

const DOWNLOADS = ['dl-svg', 'dl-png', 'dl-dot', 'dl-csv', 'dl-xlsx', 'dl-graphml', 'dl-gexf'];

/** A refused scope (403) leaves nothing to download. */
function setDownloadsRefused(err) {
  if (err instanceof ApiError && err.status === 403) {
    state.refused = true;
    for (const id of DOWNLOADS) $(id).disabled = true;
  }
}

function showPanel(view) {
  const print = PRINT_VIEWS.includes(view);
  $('diagram').hidden = !print;
  for (const id of ['zoom-in', 'zoom-out', 'zoom-reset']) $(id).hidden = !print;
  $('network-panel').hidden = view !== 'network';
  $('orgchart-panel').hidden = view !== 'orgchart';
  $('trend-panel').hidden = view !== 'trend';
  // The link-kind toggles serve the network view and the print diagrams' links alike.
  const kinds = $('kinds');
  const home = view === 'network' ? $('network-panel').querySelector('.net-tools') : $('diagram-kinds');
  if (kinds.parentElement !== home) {
    if (view === 'network') home.prepend(kinds);
    else home.append(kinds);
  }
  $('diagram-kinds').hidden = !(print && view !== 'hierarchy');
}

async function refresh() {
  clearResults();
  saveUrl();
  syncSlider();
  const scope = currentScope();
  const view = $('view').value;
  showPanel(view);
  if (!scope) return;
  clearMessage();
  const seq = state.seq;
  const asOf = $('as-of').value;
  $('scope-label').textContent = `当前范围：${scope === 'city' ? '全市' : nameOf(scope)}（${scope}）`;
  const started = performance.now();
  try {
    // Network: every kind (toggled in the page); elsewhere only the names of the hierarchy.
    // A district or the city is drawn per street in the network (the server folds it).
    const kinds = view === 'network' ? KINDS.join(',') : 'mass';
    const aggregate = view === 'network' ? undefined : 'false';
    // Positions (laid out by the service) only for the network.
    const positions = view === 'network' ? undefined : 'false';
    const graph = await getJson(`/api/v1/graph${query({ scope, as_of: asOf, kinds, group: $('member-group').value, aggregate, positions })}`);
    if (seq !== state.seq) return;
    state.fetchMs = performance.now() - started;
    state.graph = graph;
    for (const n of graph.nodes) state.names.set(n.id, n.label);
    $('scope-label').textContent = `当前范围：${scope === 'city' ? '全市' : nameOf(scope)}（${scope}）`;
  } catch (err) {
    if (seq !== state.seq) return;
    fail(err);
    setDownloadsRefused(err);
    return;
  }
  for (const id of ['dl-svg', 'dl-png', 'dl-dot', 'dl-graphml', 'dl-gexf']) $(id).disabled = state.refused;
  const drawn = view === 'network' ? drawNetwork(state.graph, seq, started)
    : view === 'orgchart' ? drawOrgChart(state.graph)
      : view === 'trend' ? loadTrend(scope, asOf, seq)
        : loadDiagram(scope, view, asOf, seq);
  // The tables name communities and committees that a folded network does not draw: their
  // names are fetched while the network draws, not before.
  const names = state.graph.aggregated ? loadNames(scope, asOf, seq) : Promise.resolve();
  await Promise.all([drawn, names.then(() => loadTables(scope, asOf, seq)), loadChecklistOrg(scope, seq)]);
}

/** The names of every community and committee of a scope whose network is drawn folded. */
async function loadNames(scope, asOf, seq) {
  try {
    const names = await getJson(`/api/v1/graph${query({ scope, as_of: asOf, kinds: 'mass', aggregate: 'false', positions: 'false' })}`);
    if (seq !== state.seq) return;
    for (const n of names.nodes) state.names.set(n.id, n.label);
  } catch (_) {
    // Without them the tables show ids: still usable.
  }
}

function diagramPath(scope, format, view, asOf) {
  const on = kindsOn();
  const kinds = view !== 'hierarchy' && on.length !== KINDS.length ? on.join(',') : '';
  return `/api/v1/diagrams/${encodeURIComponent(scope)}.${format}${query({ view, as_of: asOf, kinds })}`;
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

// ----- the network (Cytoscape.js + fCoSE) -------------------------------------------------

const NODE_KINDS = {
  district: '区', street: '街道/镇', community: '社区', committee: '居委会', unit: '驻区单位',
  mass_org: '群团组织', social_org: '社会组织', resource: '资源', unit_group: '在职党员的工作单位（按区汇总）',
};
const KIND_LABELS = { partnership: '共建', resource: '资源下沉', mass: '群团', social: '社会组织', member: '双报到' };
const HIERARCHY = new Set(['district', 'street', 'community', 'committee']);
const EDGE_COLOURS = { partnership: '#c0392b', resource: '#27ae60', mass: '#8e44ad', social: '#d68910', member: '#2e86c1' };

const NET_STYLE = [
  // Labels too small to read are not drawn ('min-zoomed-font-size'): a whole street fitted to
  // the canvas shows its shape, zooming in shows the names (and the first paint is cheaper).
  { selector: 'node', style: { label: 'data(label)', 'min-zoomed-font-size': 7, 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 3, width: 18, height: 18, 'background-color': '#999', 'font-family': 'system-ui, "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif', 'text-wrap': 'ellipsis', 'text-max-width': 110 } },
  { selector: 'node:parent', style: { 'text-valign': 'top', 'text-halign': 'center', 'font-weight': 'bold', 'background-opacity': 0.35, 'border-width': 1, 'border-color': '#999', shape: 'round-rectangle', padding: 12 } },
  { selector: 'node[kind="district"]', style: { 'background-color': '#fdebd0' } },
  { selector: 'node[kind="street"]', style: { 'background-color': '#fadbd8', 'font-size': 14 } },
  { selector: 'node[kind="community"]', style: { 'background-color': '#d6eaf8', 'font-size': 12 } },
  { selector: 'node[kind="committee"]', style: { 'background-color': '#fff', 'border-width': 2, 'border-color': '#c0392b', shape: 'round-rectangle', width: 26, height: 20 } },
  { selector: 'node[kind="unit"]', style: { 'background-color': '#e74c3c', shape: 'ellipse' } },
  { selector: 'node[kind="mass_org"]', style: { 'background-color': '#8e44ad', shape: 'diamond', width: 22, height: 22 } },
  { selector: 'node[kind="social_org"]', style: { 'background-color': '#d68910', shape: 'hexagon' } },
  { selector: 'node[kind="resource"]', style: { 'background-color': '#27ae60', shape: 'triangle', width: 14, height: 14, 'font-size': 9 } },
  { selector: 'node[kind="unit_group"]', style: { 'background-color': '#2e86c1', shape: 'round-tag', width: 30, height: 24, 'font-weight': 'bold' } },
  // Straight 'haystack' edges: the cheapest Cytoscape draws (a street has over a thousand
  // links; bezier curves with arrows doubled the layout's and the first paint's time). A link
  // kind's direction is implied by its ends (units, organisations, resources → committees).
  { selector: 'edge', style: { width: 'mapData(weight, 1, 30, 1, 6)', 'curve-style': 'haystack', 'haystack-radius': 0, opacity: 0.7, 'line-color': '#999' } },
  ...Object.entries(EDGE_COLOURS).map(([k, c]) => ({ selector: `edge[kind="${k}"]`, style: { 'line-color': c } })),
  { selector: 'edge[kind="member"]', style: { 'line-style': 'dashed' } },
  { selector: '.off', style: { display: 'none' } },
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'node.hl', style: { 'border-width': 3, 'border-color': '#f1c40f' } },
  { selector: 'node.changed', style: { 'border-width': 6, 'border-color': '#e67e22', 'border-style': 'double', 'background-color': '#fdebd0' } },
  { selector: 'edge.hl', style: { opacity: 1, width: 4 } },
  { selector: 'node.match', style: { 'border-width': 4, 'border-color': '#f39c12' } },
  { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#1abc9c' } },
];

/** A stable pseudo-random point for an id (FNV-1a), so a first layout is the same every time. */
function seedPosition(id) {
  let h = 2166136261;
  for (let i = 0; i < id.length; i += 1) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  const angle = (h % 3600) / 3600 * 2 * Math.PI;
  const r = 80 + ((h >>> 12) % 500);
  return { x: Math.cos(angle) * r, y: Math.sin(angle) * r };
}

/** Run `f` (synchronous) with `Math.random` replaced by a PRNG seeded from `seed`. */
function withSeededRandom(seed, f) {
  let h = seedPosition(seed).x * 1000 >>> 0;
  const random = Math.random;
  Math.random = () => {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    return h / 4294967296;
  };
  try {
    return f();
  } finally {
    Math.random = random;
  }
}

function positionsKey() {
  return `dangjian-pos:${currentScope()}:${$('member-group').value}`;
}

function loadPositions() {
  try {
    return new Map(Object.entries(JSON.parse(sessionStorage.getItem(positionsKey()) ?? '{}')));
  } catch (_) {
    return new Map();
  }
}

function savePositions(cy) {
  const all = Object.fromEntries(loadPositions());
  cy.nodes().filter((n) => !n.isParent()).forEach((n) => { all[n.id()] = n.position(); });
  try {
    sessionStorage.setItem(positionsKey(), JSON.stringify(all));
  } catch (_) {
    // Storage full: positions are a convenience only.
  }
}

/** Cytoscape elements; a node the service placed (`x`, `y`) carries its position. */
function graphElements(graph) {
  const nodes = graph.nodes.map((n) => {
    const el = { group: 'nodes', data: { ...n, parent: n.parent ?? undefined } };
    if (Number.isFinite(n.x) && Number.isFinite(n.y)) el.position = { x: n.x, y: n.y };
    return el;
  });
  const edges = graph.edges.map((e) => ({ group: 'edges', data: { ...e } }));
  return [...nodes, ...edges];
}

/** fCoSE (cose without it) from its spectral start, its random sampling seeded per scope. */
function forceLayout(cy) {
  return cy.layout({
    name: typeof window.cytoscapeFcose === 'function' || cy.fcose !== undefined ? 'fcose' : 'cose',
    randomize: true, animate: false, quality: 'default', nodeDimensionsIncludeLabels: true,
    idealEdgeLength: 90, nodeRepulsion: 6000, nestingFactor: 0.2, gravity: 0.3, numIter: 1000,
    fit: true, padding: 30,
  });
}

async function runLayout(layout) {
  await new Promise((resolve) => {
    layout.one('layoutstop', resolve);
    withSeededRandom(positionsKey(), () => layout.run());
  });
}

/** 重新布局: a force layout of what is drawn, kept for this scope in the tab. */
async function relayout() {
  const cy = state.cy;
  if (!cy) return;
  const area = $('network');
  area.dataset.state = 'loading';
  await runLayout(forceLayout(cy));
  if (cy !== state.cy) return;
  savePositions(cy);
  area.dataset.layout = 'fcose';
  area.dataset.state = 'ready';
}

/** Zoom and pan so that `nodes` (by their centres, plus room for a node and its label) fill
 * the canvas with a 30 px margin. */
function frame(cy, nodes) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  nodes.forEach((n) => {
    const p = n.position();
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  });
  if (!Number.isFinite(x0)) return;
  // Half a node cell each side, more below for the label; a compound box's padding and title.
  x0 -= 80; x1 += 80; y0 -= 70; y1 += 50;
  const w = cy.width() - 60;
  const h = cy.height() - 60;
  const zoom = Math.min(4, Math.max(0.05, Math.min(w / (x1 - x0), h / (y1 - y0))));
  cy.viewport({
    zoom,
    pan: { x: cy.width() / 2 - zoom * (x0 + x1) / 2, y: cy.height() / 2 - zoom * (y0 + y1) / 2 },
  });
}

async function drawNetwork(graph, seq, started) {
  const area = $('network');
  area.dataset.state = 'loading';
  if (state.cy) {
    state.cy.destroy();
    state.cy = null;
  }
  if (typeof window.cytoscape !== 'function') {
    area.textContent = '网络图组件未能加载。';
    area.dataset.state = 'error';
    return;
  }
  const layoutStarted = performance.now();
  const cy = window.cytoscape({
    container: area,
    elements: graphElements(graph),
    style: NET_STYLE,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    // While panning or zooming: a picture of the graph, edges hidden (a street has over a
    // thousand links).
    textureOnViewport: true,
    hideEdgesOnViewport: true,
    // Keep the positions the elements carry (Cytoscape's default would be a grid).
    layout: { name: 'preset', fit: false },
  });
  state.cy = cy;
  const constructed = performance.now();
  // Where nodes go, first found first: positions this tab laid out itself (重新布局) for
  // the scope, the service's positions (the same for a scope on every date), else a force
  // layout from seeded points.
  const cached = loadPositions();
  const leaves = cy.nodes().filter((n) => !n.isParent());
  let known = 0;
  let fromServer = 0;
  for (const n of graph.nodes) {
    if (Number.isFinite(n.x) && Number.isFinite(n.y)) fromServer += 1;
  }
  leaves.forEach((n) => { if (cached.has(n.id())) known += 1; });
  const allKnown = known === leaves.length && leaves.length > 0;
  const serverPlaced = !allKnown && fromServer === graph.nodes.length && leaves.length > 0;
  let mode = 'fcose';
  if (allKnown) {
    mode = 'cached';
    cy.batch(() => leaves.forEach((n) => n.position(cached.get(n.id()))));
  } else if (serverPlaced) {
    mode = 'server';
  } else {
    cy.batch(() => leaves.forEach((n) => n.position(seedPosition(n.id()))));
  }
  if (mode === 'fcose') {
    await runLayout(forceLayout(cy));
  } else {
    // The nodes are where they go already: frame them from their centres (no bounding boxes,
    // which would measure every label before the first paint).
    frame(cy, leaves);
  }
  if (seq !== state.seq) return;
  const laidOut = performance.now();
  if (mode === 'fcose') savePositions(cy);
  applyKinds();
  cy.on('tap', 'node', (e) => selectNode(e.target));
  cy.on('tap', (e) => { if (e.target === cy) clearSelection(); });
  cy.on('mouseover', 'node, edge', (e) => showTip(e));
  cy.on('mouseout', 'node, edge', () => { $('tip').hidden = true; });
  const note = $('diagram-note');
  note.hidden = !graph.aggregated;
  note.className = 'note warn';
  note.textContent = graph.aggregated
    ? '范围较大，网络图按街镇汇总：社区和居委会并入所在街镇，驻区单位按所在区和类别计数。选择街镇可查看每个居委会。'
    : '';
  const count = (k) => graph.edges.filter((e) => e.kind === k).length;
  $('graph-summary').textContent = `节点 ${graph.nodes.length} 个，连线 ${graph.edges.length} 条（${KINDS.map((k) => `${KIND_LABELS[k]} ${count(k)}`).join('，')}）`;
  // Drawn = the first frame painted after the layout (Cytoscape paints on animation frames).
  await new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(resolve));
    setTimeout(resolve, 1000);
  });
  if (seq !== state.seq) return;
  const ms = (x) => String(Math.round(x));
  area.dataset.state = 'ready';
  area.dataset.nodes = String(graph.nodes.length);
  area.dataset.drawMs = ms(performance.now() - started);
  area.dataset.layoutMs = ms(performance.now() - layoutStarted);
  area.dataset.fetchMs = ms(state.fetchMs ?? 0);
  area.dataset.constructMs = ms(constructed - layoutStarted);
  area.dataset.layoutRunMs = ms(laidOut - constructed);
  area.dataset.paintMs = ms(performance.now() - laidOut);
  area.dataset.layout = mode;
  window.dangjianCy = cy;
  showChanges();
}

// ----- "changed since" overlay (admins) --------------------------------------------------

/** Ask the service who the token is; the change overlay is for admins only. */
async function loadRole(session) {
  try {
    const me = await getJson('/api/v1/me');
    if (session !== state.session) return;
    state.role = me.role;
  } catch (_) {
    state.role = null;
  }
  $('changes-control').hidden = state.role !== 'admin';
  // Only admins may replace the network; viewers cannot upload at all.
  const replace = $('upload-mode').querySelector('option[value="replace"]');
  replace.hidden = state.role !== 'admin';
  replace.disabled = state.role !== 'admin';
  if (state.role !== 'admin') $('upload-mode').value = 'merge';
  $('upload').disabled = state.role === 'viewer';
  $('upload-file').disabled = state.role === 'viewer';
}

/** Every string in a change-log row (ids among them). */
function stringsOf(value, out) {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

/** Mark the nodes that changes since the chosen day touch (rows naming them, before or after). */
async function showChanges() {
  const cy = state.cy;
  const summary = $('changes-summary');
  if (!cy) return;
  cy.nodes().removeClass('changed');
  const since = $('changed-since').value;
  if (state.role !== 'admin' || !since) {
    summary.textContent = '';
    return;
  }
  const session = state.session;
  try {
    const touched = new Set();
    let rows = 0;
    let imports = 0;
    let next = 0;
    for (let page = 0; page < 20; page += 1) {
      const doc = await getJson(`/api/v1/changes${query({ since: next, limit: 10000 })}`);
      for (const e of doc.changes) {
        if ((e.at ?? '').slice(0, 10) < since) continue;
        if (!e.table) {
          imports += 1;
          continue;
        }
        rows += 1;
        if (e.id) touched.add(e.id);
        stringsOf(e.before, touched);
        stringsOf(e.after, touched);
      }
      if (doc.next_since === next || doc.changes.length === 0) break;
      next = doc.next_since;
    }
    if (session !== state.session || cy !== state.cy) return;
    const marked = cy.nodes().filter((n) => touched.has(n.id()));
    marked.addClass('changed');
    summary.textContent = `自 ${since} 起：${rows} 行变更${imports ? `，${imports} 次导入` : ''}，涉及图中节点 ${marked.length} 个（橙色双线框）`;
    summary.dataset.marked = String(marked.length);
  } catch (err) {
    fail(err);
  }
}

/** Show only the link kinds ticked; organisations left without a shown link are hidden too. */
function applyKinds() {
  const cy = state.cy;
  if (!cy) return;
  const on = new Set(kindsOn());
  // A class, not a style bypass per element: with every kind on nothing is touched.
  const hide = cy.collection();
  if (on.size < KINDS.length) {
    cy.edges().forEach((e) => { if (!on.has(e.data('kind'))) hide.merge(e); });
    cy.nodes().forEach((n) => {
      if (HIERARCHY.has(n.data('kind'))) return;
      if (!n.connectedEdges().some((e) => on.has(e.data('kind')))) hide.merge(n);
    });
  }
  cy.batch(() => {
    cy.elements('.off').removeClass('off');
    hide.addClass('off');
  });
  $('network').dataset.kinds = [...on].sort().join(',');
}

function showTip(e) {
  const t = e.target;
  const tip = $('tip');
  const d = t.data();
  let text;
  if (t.isNode()) {
    text = [d.label, NODE_KINDS[d.kind] ?? d.kind, d.detail, d.area ? `所在区：${d.area}` : '', d.households ? `户数：${d.households}` : '', d.capacity ? `服务能力：${d.capacity}` : '']
      .filter(Boolean).join('\n');
  } else {
    text = `${nameOf(d.source)} → ${nameOf(d.target)}\n${d.label}`;
  }
  tip.textContent = text;
  const pos = e.renderedPosition ?? t.renderedPosition?.() ?? { x: 0, y: 0 };
  const box = $('network').getBoundingClientRect();
  const panel = $('network-panel').getBoundingClientRect();
  tip.style.left = `${box.left - panel.left + pos.x + 12}px`;
  tip.style.top = `${box.top - panel.top + pos.y + 12}px`;
  tip.hidden = false;
}

function clearSelection() {
  if (!state.cy) return;
  state.cy.elements().removeClass('faded hl');
  sideLegend();
}

/** The side panel before a click: what the shapes mean. */
function sideLegend() {
  const side = $('side');
  side.replaceChildren(el('p', '点击节点查看详情：覆盖情况、需求与服务方、共建单位、责任清单。', 'hint'), el('h4', '图例'));
  const shapes = [
    ['sw-street', '街道 / 镇（框内为社区、居委会）'], ['sw-community', '社区'], ['sw-committee', '居委会'],
    ['lg-unit', '驻区单位（共建）'], ['lg-mass', '群团组织'], ['lg-social', '社会组织'],
    ['lg-group', '在职党员的工作单位，按所在区汇总（双报到，虚线）'],
  ];
  for (const [cls, text] of shapes) {
    const p = el('p');
    p.append(el('span', '', `sw ${cls}`), text);
    side.append(p);
  }
  side.append(el('p', '连线颜色见上方勾选框；线越粗，单位数、人数或资源越多。', 'hint'));
  side.dataset.node = '';
}

function selectNode(node) {
  const cy = state.cy;
  cy.batch(() => {
    cy.elements().addClass('faded').removeClass('hl');
    const hood = node.closedNeighborhood().union(node.descendants()).union(node.ancestors());
    hood.removeClass('faded');
    node.closedNeighborhood().addClass('hl');
  });
  showFacts(node);
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function factList(pairs) {
  const dl = el('dl');
  for (const [k, v] of pairs) {
    dl.append(el('dt', k), el('dd', String(v)));
  }
  return dl;
}

/** The side panel: a node's facts. */
function showFacts(node) {
  const d = node.data();
  const side = $('side');
  side.replaceChildren();
  side.dataset.node = d.id;
  side.append(el('h3', d.label), el('p', [NODE_KINDS[d.kind] ?? d.kind, d.detail, d.area].filter(Boolean).join(' · '), 'hint'));
  if (d.kind === 'committee') {
    const row = state.coverage?.committees.find((c) => c.id === d.id);
    if (row) {
      side.append(el('h4', '覆盖情况'), factList([
        ['户数', d.households ?? '—'],
        ['党组织', row.party_org ? '有' : '无'],
        ['报到党员', row.registered_members],
        ['志愿时长（近12个月）', fmtNumber(row.volunteer_hours)],
        ['青年志愿者', row.young_volunteers],
        ['直接共建 / 可及共建', `${row.partners_direct} / ${row.partners_in_reach}`],
        ['群团组织', (row.mass_org_types ?? []).map((t) => MASS_ORGS[t] ?? t).join('、') || '—'],
        ['空白点', (row.blank_spots ?? []).map((b) => BLANK_SPOTS[b] ?? b).join('、') || '无'],
      ]));
    }
    const gaps = state.gaps;
    if (gaps) {
      const needs = gapRows(gaps).filter((n) => n.committee === d.id);
      const alloc = (gaps.allocations ?? []);
      side.append(el('h4', '需求与服务方'));
      if (needs.length === 0) side.append(el('p', '没有未满足的需求。', 'hint'));
      const ul = el('ul');
      for (const n of needs) {
        const served = alloc.filter((a) => a.need === n.need).map((a) => `${nameOf(a.resource)} ${fmtNumber(a.amount)}`);
        const parts = [`${DOMAINS[n.domain] ?? n.domain}`];
        if (n.demand !== undefined) parts.push(`需求 ${fmtNumber(n.demand)}，已满足 ${fmtNumber(n.met)}`);
        if (n.unmet) parts.push(`未满足 ${fmtNumber(n.unmet)}${n.cause ? `（${CAUSES[n.cause] ?? n.cause}）` : ''}`);
        if (served.length) parts.push(`服务方：${served.join('、')}`);
        const c = (n.candidates ?? []).slice(0, 3).map(candidateName);
        if (c.length) parts.push(`可对接：${c.join('、')}`);
        ul.append(el('li', parts.join('；')));
      }
      side.append(ul);
    }
  }
  // Links, grouped by kind.
  const byKind = new Map();
  node.connectedEdges().forEach((e) => {
    const other = e.source().id() === d.id ? e.target() : e.source();
    const k = e.data('kind');
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k).push(`${other.data('label')}（${e.data('label')}）`);
  });
  for (const k of KINDS) {
    const items = byKind.get(k);
    if (!items) continue;
    side.append(el('h4', `${k === 'partnership' ? '共建单位' : KIND_LABELS[k]}（${items.length}）`));
    const ul = el('ul');
    for (const t of items.sort()) ul.append(el('li', t));
    side.append(ul);
  }
  if (HIERARCHY.has(d.kind)) {
    const btn = el('button', '下载责任清单 CSV');
    btn.type = 'button';
    btn.id = 'side-checklist';
    btn.addEventListener('click', async () => {
      try {
        const orgs = await list('party-orgs', { leads: d.id });
        if (!orgs[0]) {
          showMessage(`${d.label}没有牵头党组织，无法下载责任清单。`, 'info');
          return;
        }
        download(`/api/v1/party-orgs/${encodeURIComponent(orgs[0].id)}/checklist${query({ format: 'csv', as_of: $('as-of').value })}`, `checklist-${orgs[0].id}.csv`);
      } catch (err) {
        fail(err);
      }
    });
    side.append(el('h4', '责任清单'), btn);
  }
}

function search(text) {
  const cy = state.cy;
  if (!cy) return;
  cy.nodes().removeClass('match');
  const q = text.trim();
  if (!q) return;
  const hits = cy.nodes().filter((n) => String(n.data('label')).includes(q) || n.id() === q);
  hits.addClass('match');
  if (hits.length > 0) {
    selectNode(hits[0]);
    cy.animate({ center: { eles: hits[0] }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200 });
  }
}

// ----- the org chart ----------------------------------------------------------------------

function drawOrgChart(graph) {
  const area = $('orgchart');
  if (state.org) {
    state.org.destroy();
    state.org = null;
  }
  if (typeof window.cytoscape !== 'function') return;
  const tree = graph.nodes.filter((n) => HIERARCHY.has(n.kind));
  const ids = new Set(tree.map((n) => n.id));
  const elements = [
    ...tree.map((n) => ({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind } })),
    ...tree.filter((n) => n.parent && ids.has(n.parent)).map((n) => ({ group: 'edges', data: { id: `tree:${n.id}`, source: n.parent, target: n.id } })),
  ];
  const cy = window.cytoscape({
    container: area,
    elements,
    minZoom: 0.05,
    maxZoom: 3,
    style: [
      { selector: 'node', style: { shape: 'round-rectangle', label: 'data(label)', 'text-valign': 'center', 'text-halign': 'center', 'font-size': 13, width: 'label', height: 28, padding: 8, 'background-color': '#fff', 'border-width': 1, 'border-color': '#555', 'font-family': 'system-ui, "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif' } },
      { selector: 'node[kind="district"]', style: { 'background-color': '#fdebd0', 'font-size': 16 } },
      { selector: 'node[kind="street"]', style: { 'background-color': '#fadbd8', 'font-size': 15 } },
      { selector: 'node[kind="community"]', style: { 'background-color': '#d6eaf8' } },
      { selector: 'node[?collapsed]', style: { 'border-width': 4, 'border-style': 'double' } },
      { selector: 'edge', style: { 'curve-style': 'taxi', 'taxi-direction': 'downward', 'line-color': '#888', width: 1.5 } },
    ],
  });
  state.org = cy;
  // Large scopes open folded, so the first view fits the panel.
  const count = (k) => tree.filter((n) => n.kind === k).length;
  const fold = count('committee') > 80 ? (count('community') > 80 ? 'street' : 'community') : null;
  if (fold) cy.nodes(`[kind="${fold}"]`).forEach((n) => collapse(n, true));
  cy.on('tap', 'node', (e) => {
    const n = e.target;
    if (n.data('collapsed')) expand(n);
    else if (n.outgoers('node').length) collapse(n, true);
    layoutOrg();
  });
  layoutOrg();
  area.dataset.state = 'ready';
  area.dataset.nodes = String(tree.length);
  window.dangjianOrg = cy;
}

function collapse(n, flag) {
  n.data('collapsed', flag);
  n.successors().style('display', 'none');
}

function expand(n) {
  n.removeData('collapsed');
  n.outgoers().style('display', 'element');
  n.outgoers('node').forEach((c) => {
    if (c.data('collapsed')) c.successors().style('display', 'none');
    else expand(c);
  });
}

function layoutOrg() {
  const cy = state.org;
  if (!cy) return;
  const shown = cy.elements().filter((e) => e.style('display') !== 'none');
  shown.layout({ name: 'breadthfirst', directed: true, roots: shown.nodes().roots(), spacingFactor: 1.1, fit: true, padding: 20, nodeDimensionsIncludeLabels: true }).run();
}

// ----- the trend --------------------------------------------------------------------------

const TREND_SERIES = [
  ['committees_with_blank_spots', '有空白点的居委会（个）', '#c0392b'],
  ['registered_members', '报到党员（人）', '#2e86c1'],
  ['volunteer_hours', '志愿时长（近12个月，小时）', '#27ae60'],
  ['met_demand', '已满足需求', '#8e44ad'],
  ['unmet_demand', '未满足需求', '#d68910'],
];

async function loadTrend(scope, asOf, seq) {
  const box = $('trend');
  box.dataset.state = 'loading';
  box.replaceChildren(el('p', '正在计算趋势…', 'placeholder'));
  try {
    const doc = await getJson(`/api/v1/trend${query({ scope, to: asOf, step: 'month' })}`);
    if (seq !== state.seq) return;
    box.replaceChildren();
    const pts = doc.points;
    for (const [key, label, colour] of TREND_SERIES) {
      const values = pts.map((p) => Number(p[key]) || 0);
      const max = Math.max(...values, 1);
      const w = 300;
      const h = 120;
      const x = (i) => 30 + (pts.length < 2 ? 0 : (i * (w - 40)) / (pts.length - 1));
      const y = (v) => 10 + (h - 30) * (1 - v / max);
      const ns = 'http://www.w3.org/2000/svg';
      const svg = document.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
      const mk = (tag, attrs, text) => {
        const e = document.createElementNS(ns, tag);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
        if (text !== undefined) e.textContent = text;
        svg.appendChild(e);
        return e;
      };
      mk('line', { x1: 30, y1: h - 20, x2: w - 10, y2: h - 20, class: 'axis' });
      mk('polyline', { points: values.map((v, i) => `${x(i)},${y(v)}`).join(' '), class: 'line', stroke: colour });
      values.forEach((v, i) => mk('circle', { cx: x(i), cy: y(v), r: 2.5, fill: colour }).appendChild(Object.assign(document.createElementNS(ns, 'title'), { textContent: `${pts[i].as_of}：${fmtNumber(v)}` })));
      mk('text', { x: 2, y: 14 }, fmtNumber(max));
      mk('text', { x: 30, y: h - 5 }, pts[0]?.as_of ?? '');
      mk('text', { x: w - 70, y: h - 5 }, pts[pts.length - 1]?.as_of ?? '');
      const fig = el('figure');
      fig.append(el('figcaption', `${label}：${fmtNumber(values[values.length - 1])}`), svg);
      box.appendChild(fig);
    }
    box.dataset.state = 'ready';
    box.dataset.points = String(pts.length);
  } catch (err) {
    if (seq !== state.seq) return;
    box.replaceChildren(el('p', explain(err), 'placeholder error'));
    fail(err);
    setDownloadsRefused(err);
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
  {
    label: '空白点',
    value: (r) => (r.blank_spots ?? []).map((b) => BLANK_SPOTS[b] ?? b).join('、') || '无',
    sort: (r) => (r.blank_spots ?? []).length,
  },
  { label: '群团组织', value: (r) => (r.mass_org_types ?? []).map((t) => MASS_ORGS[t] ?? t).join('、') || '—' },
  { label: '社区', value: (r) => nameOf(r.community) },
  { label: '党组织', value: (r) => (r.party_org ? '有' : '无') },
  { label: '报到党员', value: (r) => r.registered_members, numeric: true },
  { label: '志愿时长（近12个月）', value: (r) => r.volunteer_hours, numeric: true },
  { label: '青年志愿者', value: (r) => r.young_volunteers, numeric: true },
  { label: '直接共建', value: (r) => r.partners_direct, numeric: true },
  { label: '可及共建', value: (r) => r.partners_in_reach, numeric: true },
];

const candidateName = (c) => c.name ?? nameOf(c.provider);

const GAPS_COLUMNS = [
  { label: '居委会', value: (r) => nameOf(r.committee) },
  { label: '领域', value: (r) => DOMAINS[r.domain] ?? r.domain ?? '' },
  { label: '需求量', value: (r) => r.demand, numeric: true },
  { label: '已满足', value: (r) => r.met, numeric: true },
  { label: '未满足', value: (r) => r.unmet, numeric: true },
  { label: '原因', value: (r) => (r.unmet > 0 || r.cause ? CAUSES[r.cause] ?? (r.unreachable ? '无资源可达' : '资源不足') : '已满足') },
  {
    label: '可对接',
    value: (r) => (r.candidates ?? []).slice(0, 3).map(candidateName).join('、') || '—',
    wrap: true,
    sort: (r) => (r.candidates ?? []).length,
    title: (r) => (r.candidates ?? []).map((c) => `${candidateName(c)}：${c.reason ?? ''}`).join('\n'),
  },
];

/** One row per need: the gaps document's `needs` (v2) with its candidates, else `unmet_needs`. */
function gapRows(gaps) {
  const unreachable = new Set(gaps.unreachable_needs ?? []);
  const candidates = new Map((gaps.unmet_needs ?? []).map((n) => [n.need, n]));
  if (Array.isArray(gaps.needs)) {
    return gaps.needs.map((n) => ({
      ...n,
      candidates: n.candidates ?? candidates.get(n.need)?.candidates ?? [],
      unreachable: unreachable.has(n.need),
    }));
  }
  const rows = (gaps.unmet_needs ?? []).map((n) => ({ ...n, unreachable: unreachable.has(n.need) }));
  for (const id of unreachable) {
    if (!rows.some((r) => r.need === id)) {
      rows.push({ need: id, committee: '', domain: '', unmet: null, candidates: [], unreachable: true });
    }
  }
  return rows;
}

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
      if (col.wrap) td.className = 'wrap';
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
    state.coverage = coverage;
    state.gaps = gaps;
    for (const c of coverage.committees) state.names.set(c.id, c.name);
    const committees = [...coverage.committees];
    renderTable('coverage-table', COVERAGE_COLUMNS, committees, '该范围内没有居委会。');
    const blank = committees.filter((c) => (c.blank_spots ?? []).length > 0).length;
    $('coverage-summary').textContent = `居委会 ${committees.length} 个，有空白点 ${blank} 个`;
    if (committees.length === 0) {
      showMessage('该范围内没有居委会（空范围）：没有可统计的覆盖情况和缺口。', 'info');
    }
    const rows = gapRows(gaps);
    renderTable('gaps-table', GAPS_COLUMNS, rows, '该范围内没有未满足的需求。');
    $('gaps-summary').textContent =
      `需求 ${fmtNumber(gaps.total_demand)}，已满足 ${fmtNumber(gaps.met_demand)}，未满足 ${fmtNumber(gaps.unmet_demand)}；` +
      `悬浮资源 ${gaps.stranded_resources.length} 项，唯一共建单位 ${gaps.sole_partner_units.length} 家`;
  } catch (err) {
    if (seq !== state.seq) return;
    fail(err);
    setDownloadsRefused(err);
  }
}

// ----- downloads --------------------------------------------------------------------------

async function loadChecklistOrg(scope, seq) {
  try {
    const orgs = await list('party-orgs', { leads: scope });
    if (seq !== state.seq) return;
    state.checklistOrg = orgs[0] ?? null;
    const has = state.checklistOrg !== null && !state.refused;
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
  for (const format of ['graphml', 'gexf']) {
    $(`dl-${format}`).addEventListener('click', () => {
      const scope = currentScope();
      if (!scope || state.refused) return;
      const asOf = $('as-of').value;
      download(`/api/v1/graph.${format}${query({ scope, as_of: asOf, group: $('member-group').value })}`, `graph-${scope}.${format}`);
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

// ----- upload -----------------------------------------------------------------------------

const UPLOAD_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

function showUploadProblems(problems) {
  const body = $('upload-table').tBodies[0];
  body.replaceChildren();
  for (const p of problems) {
    const tr = document.createElement('tr');
    for (const text of [p.sheet ?? '', p.row ?? '', p.field ?? '', p.message ?? '']) {
      tr.appendChild(el('td', String(text)));
    }
    body.appendChild(tr);
  }
  $('upload-problems').hidden = problems.length === 0;
  if (problems.length > 0) $('upload-problems').scrollIntoView({ block: 'nearest' });
}

/** Post the chosen file to /api/v1/import; list every problem, or refresh what is shown. */
async function upload() {
  const file = $('upload-file').files[0];
  const status = $('upload-status');
  showUploadProblems([]);
  if (!file) {
    status.textContent = '请先选择文件。';
    return;
  }
  const ext = file.name.split('.').pop().toLowerCase();
  const type = UPLOAD_TYPES[ext];
  if (!type) {
    status.textContent = '只能上传 .xlsx 工作簿或 .zip 压缩包。';
    return;
  }
  status.textContent = '正在上传…';
  $('upload').disabled = true;
  try {
    const res = await fetch(`/api/v1/import${query({ mode: $('upload-mode').value })}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${state.token}`, 'Content-Type': type },
      body: file,
    });
    const body = await res.json().catch(() => ({}));
    if (res.ok) {
      status.textContent = `已上传 ${body.imported_rows} 行，现有数据共 ${body.total_rows} 行。`;
      status.dataset.done = String(body.seq ?? '');
      refresh();
      return;
    }
    const details = body.error?.details ?? [];
    if (res.status === 422) {
      status.textContent = `文件有 ${details.length} 个问题，未做任何更改：`;
      showUploadProblems(details);
    } else if (res.status === 401) {
      fail(new ApiError(401, body.error?.code, body.error?.message));
    } else if (res.status === 403) {
      status.textContent = `无权上传，未做任何更改：${body.error?.message ?? ''}（协调员只能以合并方式上传本辖区的行）`;
    } else if (res.status === 413) {
      status.textContent = '文件太大，未做任何更改。';
    } else {
      status.textContent = `上传失败（HTTP ${res.status}），未做任何更改：${body.error?.message ?? ''}`;
    }
  } catch (err) {
    status.textContent = explain(err);
  } finally {
    $('upload').disabled = false;
  }
}

function setUpUpload() {
  $('upload').addEventListener('click', upload);
  $('dl-template').addEventListener('click', () => download('/api/v1/import/template', 'dangjian-template.xlsx'));
}

// ----- start ------------------------------------------------------------------------------

function init() {
  const restore = readUrl();
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('token').value.trim();
    $('token').value = '';
    // Clicking 使用令牌 again (an empty field, or the same token) keeps what is shown.
    if (state.token && (!value || value === state.token)) return;
    useToken(value, currentScope() || restore);
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
  $('as-of').addEventListener('change', () => {
    delete $('as-of').dataset.defaulted;
    refresh();
  });
  $('date-slider').addEventListener('input', () => {
    $('slider-label').textContent = fromDay(Number($('date-slider').value));
  });
  $('date-slider').addEventListener('change', () => {
    $('as-of').value = fromDay(Number($('date-slider').value));
    delete $('as-of').dataset.defaulted;
    refresh();
  });
  for (const i of document.querySelectorAll('#kinds input')) {
    i.addEventListener('change', () => {
      if (['partnerships', 'gaps'].includes($('view').value)) {
        // The print diagram is drawn by the server with the chosen kinds.
        if (kindsOn().length > 0) refresh();
        return;
      }
      applyKinds();
      saveUrl();
    });
  }
  $('member-group').addEventListener('change', refresh);
  $('graph-search').addEventListener('input', () => search($('graph-search').value));
  $('net-fit').addEventListener('click', () => state.cy && state.cy.fit(undefined, 30));
  $('net-relayout').addEventListener('click', relayout);
  $('org-fit').addEventListener('click', () => state.org && state.org.fit(undefined, 20));
  $('org-expand').addEventListener('click', () => {
    if (!state.org) return;
    state.org.nodes().removeData('collapsed').style('display', 'element');
    state.org.edges().style('display', 'element');
    layoutOrg();
  });
  $('org-full').addEventListener('click', () => {
    const panel = $('orgchart-panel');
    if (document.fullscreenElement) document.exitFullscreen();
    else if (panel.requestFullscreen) panel.requestFullscreen().then(() => setTimeout(() => { state.org?.resize(); state.org?.fit(undefined, 20); }, 100));
  });
  setUpPanZoom();
  setUpDownloads();
  setUpUpload();
  $('changed-since').addEventListener('change', showChanges);
  showPanel($('view').value);
  document.body.dataset.ready = 'true';
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) useToken(saved, restore);
}

init();
