/* citycat: search and filters of the dataset list (list.html, index: citycat.searchindex). ES2017,
   no framework, CSP script-src 'self'. citycatSearch.run(q) answers q as a keystroke would;
   form#search gets data-ready="true" (or "error") once the index is in.
   A long list is cut into pages (datasets/, datasets/page/2/, …): with no search and no filter a
   page shows its own cards and its pager; a search or filter looks through the whole index and
   shows its results in their place, the pager hidden. A result not on this page gets a card made
   from a copy of one of the page's (title, agency, badges and formats; labels read from the
   facets, the rest from div#pages' data-overdue and data-formats).
   Results come in the order of select#sort: relevance (title matches, then the others, each in
   display order), title (display order), last modified (newest first) or due date (soonest
   first), datasets without that date last; a date order with no search shows the whole
   catalogue too. The filters (details#filters, their checkboxes form="search") are open on a
   wide screen, where they are a sidebar, and closed on a phone. */
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const filters = $('filters'), WIDE = '(min-width: 48em)'; // as style.css's sidebar
  if (filters && window.matchMedia) {
    const wide = window.matchMedia(WIDE);
    filters.open = wide.matches;
    const follow = (e) => { filters.open = e.matches; };
    if (wide.addEventListener) wide.addEventListener('change', follow);
  }
  const form = $('search'), list = $('datasets'), input = $('q');
  if (!form || !list || !input || !form.dataset.index || !window.fetch) return;

  const FACETS = ['agency', 'theme', 'access', 'format', 'status', 'frequency', 'overdue'];
  const PAGE = 200; // cards shown at once; the "more" button adds as many again
  const SORTS = ['relevance', 'title', 'modified', 'due'];
  const countEl = $('count'), noneEl = $('no-results'), moreEl = $('more'), pagesEl = $('pages');
  const sortEl = $('sort'), sortBox = $('sort-box'), onEl = $('filters-on');
  const lang = form.dataset.lang || document.documentElement.lang || 'vi';
  const boxes = [...form.elements].filter((b) => b.type === 'checkbox' && FACETS.includes(b.name));
  const spans = boxes.map((b) => (b.labels && b.labels[0] ? b.labels[0].querySelector('.count') : null));
  const nodes = new Map(); // dataset id -> its server-rendered <li>
  for (const li of list.children) if (li.dataset.id) nodes.set(li.dataset.id, li);
  const own = [...nodes.values()]; // this page's cards, in order
  let shown = own; // the <li> in the list now, in order
  const proto = list.firstElementChild, base = form.getAttribute('action') || '';
  const labels = {}; // facet -> value -> its label, as the facets show it
  for (const b of boxes) {
    const text = [...b.parentNode.childNodes].filter((n) => n.nodeType === 3).map((n) => n.nodeValue).join('');
    (labels[b.name] = labels[b.name] || {})[b.value] = text.trim();
  }
  let rows = null, tables = null, last = null, limit = PAGE, urlTimer = 0;
  // cards off screen skip layout (most of a keystroke's cost) unless style.css says otherwise
  const li0 = list.firstElementChild;
  const lazy = li0 && 'contentVisibility' in li0.style && getComputedStyle(li0).contentVisibility === 'visible';

  // As citycat.vietnamese.fold: đ -> d, no tone or vowel marks, lower case.
  const fold = (s) =>
    s.replace(/[đĐ]/g, 'd').normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC').toLowerCase();
  const num = (n) => n.toLocaleString(lang);

  function prepare(ix) {
    const col = (name) => ix.fields.indexOf(name);
    const cols = FACETS.map(col), id = col('id'), t = col('title_folded');
    const modified = col('modified'), due = col('due'), day = (r, c) => (c < 0 || r[c] == null ? null : r[c]);
    const texts = ['other_folded', 'keywords_folded'].map(col);
    const text = ix.text || {}, names = (f, v) => v.map((i) => (text[f] || [])[i] || '');
    tables = FACETS.map((f) => {
      const values = f === 'overdue' ? ['1'] : ix.values[f] || [];
      return { values, pos: new Map(values.map((v, i) => [v, i])) };
    });
    rows = [];
    for (const r of ix.rows) {
      const node = nodes.get(r[id]) || null; // null: not on this page, a card is made when shown
      if (!node && !(pagesEl && proto)) continue; // (a list on one page has every dataset's card)
      const fv = cols.map((c, j) =>
        FACETS[j] === 'overdue' ? (r[c] ? [0] : []) : Array.isArray(r[c]) ? r[c] : r[c] == null ? [] : [r[c]]);
      // a token holds no white space, so it cannot match across two of the joined texts
      const hay = [r[t], ...texts.map((c) => r[c]), ...names('agency', fv[0]), ...names('theme', fv[1])];
      rows.push({
        node, id: r[id], name: r[col('title')], title: r[t], hay: hay.join('\n'), fv,
        at: rows.length, modified: day(r, modified), due: day(r, due),
      });
    }
  }

  const selection = () =>
    tables.map((tab, j) => new Set(boxes.filter((b) => b.checked && b.name === FACETS[j] && tab.pos.has(b.value))
      .map((b) => tab.pos.get(b.value))));

  // The orders of select#sort other than relevance; ties, and datasets without the date (last),
  // in display order.
  const byDate = (key, sign) => (a, b) =>
    a[key] === b[key] ? a.at - b.at : a[key] == null ? 1 : b[key] == null ? -1 : sign * (a[key] - b[key]);
  const ORDERS = { title: (a, b) => a.at - b.at, modified: byDate('modified', -1), due: byDate('due', 1) };
  const sortOf = () => (sortEl && SORTS.includes(sortEl.value) ? sortEl.value : 'relevance');

  // Relevance: title matches, then the rest, each in display order. A facet value's count: the
  // datasets matching the query and the other facets' selections that have this value.
  function search(q, sel, sort) {
    const toks = [...new Set(fold(q).split(/\s+/).filter(Boolean))], nt = toks.length;
    const active = FACETS.map((f, j) => j).filter((j) => sel[j].size);
    const counts = tables.map((tab) => new Int32Array(tab.values.length));
    const top = [], rest = [];
    for (const r of rows) {
      let x, m, v, fails = 0, failed = -1;
      for (x = 0; x < nt; x++) if (r.hay.indexOf(toks[x]) < 0) break;
      if (x < nt) continue;
      for (x = 0; x < active.length && fails < 2; x++) {
        v = r.fv[active[x]];
        for (m = 0; m < v.length; m++) if (sel[active[x]].has(v[m])) break;
        if (m === v.length) { fails++; failed = active[x]; }
      }
      if (fails === 1) {
        for (v = r.fv[failed], m = 0; m < v.length; m++) counts[failed][v[m]]++;
      } else if (fails === 0) {
        for (let j = 0; j < FACETS.length; j++) for (v = r.fv[j], m = 0; m < v.length; m++) counts[j][v[m]]++;
        for (x = 0; x < nt; x++) if (r.title.indexOf(toks[x]) < 0) break;
        (x === nt ? top : rest).push(r);
      }
    }
    const results = top.concat(rest);
    if (ORDERS[sort]) results.sort(ORDERS[sort]); // (Array.prototype.sort is stable)
    const dated = sort === 'modified' || sort === 'due';
    return { results, counts, searching: nt > 0 || active.length > 0 || dated };
  }

  // A card for a result not on this page, made from a copy of this page's first one.
  function card(r) {
    const li = proto.cloneNode(true), label = (f, j) => labels[f][tables[j].values[r.fv[j][0]]] || '';
    li.dataset.id = r.id;
    li.removeAttribute('style');
    const a = li.querySelector('.card-title a');
    if (a) {
      a.href = base + encodeURIComponent(r.id) + '/';
      a.textContent = r.name;
      a.removeAttribute('lang');
    }
    const agency = li.querySelector('.card-agency');
    if (agency) agency.textContent = label('agency', 0);
    for (const [f, j] of [['access', 2], ['status', 4]]) {
      const badge = li.querySelector('.badge[class*="' + f + '-"]:not(.status-overdue)');
      if (!badge) continue;
      badge.className = 'badge ' + f + '-' + tables[j].values[r.fv[j][0]];
      badge.lastChild.nodeValue = label(f, j);
    }
    const late = li.querySelector('.status-overdue');
    if (late) late.remove();
    if (r.fv[6].length && pagesEl.dataset.overdue) {
      const b = document.createElement('span');
      b.className = 'badge status-overdue';
      b.textContent = pagesEl.dataset.overdue;
      li.querySelector('.card-badges').append(' ', b);
    }
    const meta = li.querySelector('.card-meta');
    if (meta) {
      const formats = r.fv[3].map((i) => tables[3].values[i]).sort();
      meta.textContent = '';
      if (formats.length) {
        const span = document.createElement('span');
        span.textContent = (pagesEl.dataset.formats || '') + ': ' + formats.join(', ');
        meta.append(span);
      }
    }
    return li;
  }
  const nodeOf = (r) => r.node || (r.node = card(r));

  // Only shown results are in the list, in rank order; a node moves only if out of place.
  // With neither a search nor a filter, the list shows this page's own cards.
  function render() {
    const all = !last.searching;
    const want = all ? own : last.results.slice(0, limit).map(nodeOf), keep = new Set(want);
    if (shown.length - want.length > 1000) list.textContent = '';
    else for (const n of shown) if (!keep.has(n)) list.removeChild(n);
    let prev = null;
    for (const n of want) {
      // cards made here are laid out when scrolled to; the page's own cards are already laid
      // out: changing theirs would move them on screen (a layout shift) for nothing
      if (lazy && !n.style.contentVisibility && !nodes.has(n.dataset.id)) {
        n.style.contentVisibility = 'auto';
        n.style.containIntrinsicSize = 'auto 8em';
      }
      const at = prev ? prev.nextElementSibling : list.firstElementChild;
      if (n !== at) list.insertBefore(n, at);
      prev = n;
    }
    shown = want;
    const total = last.results.length, left = all ? 0 : total - want.length;
    if (pagesEl) pagesEl.hidden = !all;
    if (countEl) {
      const txt = ((total === 1 ? countEl.dataset.one : countEl.dataset.other) || '{n}').replace('{n}', num(total));
      if (countEl.textContent !== txt) countEl.textContent = txt;
    }
    if (noneEl) noneEl.hidden = total > 0;
    if (moreEl) {
      moreEl.hidden = left <= 0;
      if (left > 0) moreEl.textContent = (moreEl.dataset.label || '+{n}').replace('{n}', num(Math.min(PAGE, left)));
    }
  }

  function showCounts(counts) {
    boxes.forEach((b, k) => {
      const j = FACETS.indexOf(b.name), i = tables[j].pos.get(b.value);
      const txt = num(i === undefined ? 0 : counts[j][i]);
      if (spans[k] && spans[k].textContent !== txt) spans[k].textContent = txt;
    });
  }

  function syncURL() {
    clearTimeout(urlTimer);
    const p = new URLSearchParams(), q = input.value.trim();
    if (q) p.set('q', q);
    for (const b of boxes) if (b.checked) p.append(b.name, b.value);
    if (sortOf() !== 'relevance') p.set('sort', sortOf());
    const s = p.toString(), url = location.pathname + (s ? '?' + s : '') + location.hash;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, '', url);
  }

  function update(urlNow) {
    if (!rows) return 0;
    limit = PAGE;
    last = search(input.value, selection(), sortOf());
    render();
    showCounts(last.counts);
    if (onEl) {
      const n = boxes.filter((b) => b.checked).length;
      onEl.hidden = n === 0;
      onEl.textContent = n ? '(' + num(n) + ')' : '';
    }
    clearTimeout(urlTimer);
    if (urlNow) syncURL();
    else urlTimer = setTimeout(syncURL, 300);
    return last.results.length;
  }

  function more() {
    const from = shown.length;
    limit += PAGE;
    render();
    const li = shown[from];
    if (!li) return;
    let target = li.querySelector('a[href]');
    if (!target) { li.tabIndex = -1; target = li; }
    target.focus();
  }

  // the state of a shared address
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  for (const b of boxes) {
    b.checked = params.getAll(b.name).includes(b.value);
    const more = b.checked && b.closest('details.facet-more');
    if (more) more.open = true; // a chosen value is never out of sight
  }
  if (sortEl) sortEl.value = SORTS.includes(params.get('sort')) ? params.get('sort') : 'relevance';

  input.addEventListener('input', () => update(false));
  // the checkboxes are outside the form (form="search"): their change events bubble elsewhere
  document.addEventListener('change', (e) => {
    if (e.target !== input && (e.target.form === form || e.target === sortEl)) update(true);
  });
  form.addEventListener('submit', (e) => { if (rows) { e.preventDefault(); update(true); } });
  if (moreEl) moreEl.addEventListener('click', more);

  // The index is fetched once the page has loaded: its cards are painted first, and the index
  // (hundreds of KB) never delays the page's largest paint (Lighthouse's LCP).
  const loaded = new Promise((resolve) => {
    if (document.readyState === 'complete') resolve();
    else window.addEventListener('load', () => resolve(), { once: true });
  });
  const ready = loaded
    .then(() => fetch(form.dataset.index, { credentials: 'same-origin' }))
    .then((res) => {
      if (!res.ok) throw new Error(res.status + ' ' + res.url);
      return res.json();
    })
    .then((ix) => {
      prepare(ix);
      update(false);
      if (sortBox) sortBox.classList.remove('pending');
      form.dataset.ready = 'true';
    })
    .catch((err) => {
      form.dataset.ready = 'error'; // the full server-rendered list stays
      console.warn('citycat search:', err);
    });

  window.citycatSearch = { ready, fold, run: (q) => { input.value = q; return update(false); } };
})();
