// The graph explorer: draws neighbourhoods from the service's own GraphQL
// endpoint with Cytoscape.js (embedded beside this file). Every request goes
// to config.endpoint on this origin; nothing else is fetched.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('explore-config').textContent);

  // Node kinds: the prefix of a global ID, what the legend calls it, its colour.
  var NODE_KINDS = [
    ['City', 'City', '#2f6fdf'],
    ['Country', 'Country', '#2ca02c'],
    ['Grouping', 'Grouping of countries', '#9bd48a'],
    ['Organization', 'Organisation', '#ff7f0e'],
    ['FundingBody', 'Funding body', '#d62728'],
    ['ForumSeries', 'Forum series', '#7d4cb8'],
    ['Forum', 'Forum edition', '#b99ad8'],
    ['Event', 'Event', '#8c564b'],
    ['Topic', 'Agenda topic', '#e377c2'],
    ['Agreement', 'Agreement', '#6b6b6b'],
    ['Initiative', 'Initiative', '#bcbd22'],
    ['Project', 'Project', '#17becf'],
    ['Source', 'Source', '#c7cedb']
  ];
  var COLOUR = {};
  NODE_KINDS.forEach(function (k) { COLOUR[k[0]] = k[2]; });

  // Relation kinds as the schema's RelationKind enum names them.
  var RELATION_KINDS = [
    ['PARTNER_OF', 'partner of (city — city)'],
    ['ATTENDED', 'attended (a forum)'],
    ['ORGANISED', 'organised (a forum)'],
    ['SIGNED', 'signed (an agreement)'],
    ['ADOPTED', 'adopted (an agreement)'],
    ['CALLED_ON', 'called on (a funding body)'],
    ['FINANCED', 'financed (a project)'],
    ['LOCATED_IN', 'located in (a project)'],
    ['IN_COUNTRY', 'in country'],
    ['MEMBER_OF', 'member of'],
    ['SEATED_IN', 'seated in'],
    ['HEADQUARTERED_IN', 'headquartered in'],
    ['HELD_IN', 'held in'],
    ['PART_OF', 'part of (an event)'],
    ['EDITION_OF', 'edition of (a series)'],
    ['DISCUSSED', 'discussed (a topic)'],
    ['REFERS_TO', 'refers to (an initiative)']
  ];
  // The link kinds of paths, by the relation that makes each.
  var LINK_BY_RELATION = { PARTNER_OF: 'PARTNERSHIP', ATTENDED: 'FORUM', SIGNED: 'AGREEMENT' };

  var NEIGHBOURHOOD_LIMIT = 200;
  var PARALLEL_REQUESTS = 4;

  var SEARCH = 'query ExploreSearch($text: String!) {\n' +
    '  search(text: $text, first: 20) { kind score node { id name nameZh } }\n}';
  var NEIGHBOURHOOD = 'query ExploreNeighbourhood($id: ID!, $depth: Int, $relations: [RelationKind!], $asOf: Date, $limit: Int) {\n' +
    '  neighbourhood(id: $id, depth: $depth, relations: $relations, asOf: $asOf, limit: $limit) {\n' +
    '    truncated\n    nodes { id name nameZh }\n' +
    '    edges { kind from to since role partnershipKind amount { amount currency } note sources { id name url } }\n  }\n}';
  var NODE = 'query ExploreNode($id: ID!) {\n' +
    '  node(id: $id) {\n    __typename id slug name nameZh aliases description\n' +
    '    sources { id name nameZh publisher author date url file }\n' +
    '    ... on Country { code }\n    ... on Grouping { acronym }\n' +
    '    ... on City { division region regionZh location { lat lon } population populationYear isCapital country { id name } }\n' +
    '    ... on Organization { orgKind: kind seat { id name } }\n' +
    '    ... on FundingBody { fundingAcronym: acronym founded capital { amount currency } capitalNote headquarters { id name } }\n' +
    '    ... on Event { heldIn { id name } }\n' +
    '    ... on Forum { edition startDate endDate theme themeZh participants officials attendanceNote series { id name } hostCity { id name } partOf { id name } }\n' +
    '    ... on Topic { subThemes subThemesZh }\n    ... on Agreement { date points pointsZh }\n' +
    '    ... on Project { sector status }\n    ... on Source { publisher author date url file }\n  }\n}';
  var PATHS = 'query ExplorePaths($from: String!, $to: String!, $via: [LinkKind!], $asOf: Date) {\n' +
    '  paths(from: $from, to: $to, via: $via, maxHops: 4, k: 3, asOf: $asOf) {\n    length\n    cities { id name nameZh }\n' +
    '    hops { from { id } to { id } links { kind partnershipKind since via { id name nameZh } } }\n  }\n}';

  function $(id) { return document.getElementById(id); }

  // replaceChildren puts the children that are not null into parent.
  function replaceChildren(parent) {
    parent.replaceChildren.apply(parent, Array.prototype.slice.call(arguments, 1).filter(function (c) { return c != null; }));
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { e.textContent = attrs[k]; } else if (k.slice(0, 2) === 'on') { e.addEventListener(k.slice(2), attrs[k]); } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c != null) { e.append(c); } });
    return e;
  }

  var credential = window.citygraphCredential;

  // gql posts one operation, with the credential of the box if one is set,
  // and returns its data, or throws an Error that carries the server's
  // message and code.
  function gql(query, variables) {
    return credential.fetch(config.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/graphql-response+json, application/json;q=0.9' },
      body: JSON.stringify({ query: query, variables: variables || {} }),
      credentials: 'same-origin'
    }).then(function (resp) {
      return resp.text().then(function (text) {
        var body;
        try { body = JSON.parse(text); } catch (e) {
          throw new Error('the server answered ' + resp.status + ' ' + resp.statusText + ' without JSON');
        }
        if (body.errors && body.errors.length) {
          var e0 = body.errors[0];
          var code = e0.extensions && e0.extensions.code;
          throw new Error((code ? code + ': ' : '') + e0.message);
        }
        if (!resp.ok || !body.data) {
          throw new Error('the server answered ' + resp.status + ' ' + resp.statusText);
        }
        return body.data;
      });
    });
  }

  function kindOf(id) { return id.slice(0, id.indexOf(':')); }
  function slugOf(id) { return id.slice(id.indexOf(':') + 1); }
  function words(kind) { return kind.toLowerCase().replace(/_/g, ' '); }
  function display(n) { return n.nameZh ? n.name + ' ' + n.nameZh : n.name; }

  // A partnership is one relation whichever city it is read from, so its
  // ends are ordered; other relations are directed.
  function edgeId(kind, from, to) {
    if (kind === 'PARTNER_OF' && to < from) { var t = from; from = to; to = t; }
    return kind + '|' + from + '|' + to;
  }

  var cy = cytoscape({
    container: $('graph'),
    wheelSensitivity: 0.3,
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      { selector: 'node', style: {
        'background-color': 'data(colour)', 'label': 'data(label)', 'font-size': 10, 'color': '#1d2330',
        'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': 120,
        'width': 22, 'height': 22, 'border-width': 1, 'border-color': '#0005', 'min-zoomed-font-size': 5
      } },
      { selector: 'node.expanded', style: { 'width': 30, 'height': 30, 'border-width': 3, 'border-color': '#1d2330' } },
      { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#2f6fdf', 'overlay-opacity': 0 } },
      { selector: 'edge', style: {
        'width': 1.5, 'line-color': '#9aa3b5', 'target-arrow-color': '#9aa3b5', 'target-arrow-shape': 'triangle',
        'arrow-scale': 0.8, 'curve-style': 'bezier', 'label': 'data(label)', 'font-size': 8, 'color': '#4a5263',
        'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8,
        'text-background-padding': 1, 'min-zoomed-font-size': 7
      } },
      { selector: 'edge[kind = "PARTNER_OF"]', style: { 'target-arrow-shape': 'none', 'line-color': '#2f6fdf', 'width': 2.5 } },
      { selector: 'edge:selected', style: { 'line-color': '#1d2330', 'target-arrow-color': '#1d2330', 'width': 3 } },
      { selector: '.faded', style: { 'opacity': 0.15 } },
      { selector: 'node.path', style: { 'border-width': 4, 'border-color': '#e8590c' } },
      { selector: 'edge.path', style: { 'line-color': '#e8590c', 'target-arrow-color': '#e8590c', 'width': 4, 'opacity': 1 } }
    ]
  });
  window.citygraphExplorer = { cy: cy };

  var state = {
    centres: [],      // IDs of the nodes expanded, in the order they were
    nodes: {},        // every node seen: id → {id, name, nameZh}
    generation: 0,    // the latest drawing; older answers are dropped
    paths: null       // the paths highlighted: {list, elements}
  };

  // ---- status ------------------------------------------------------------

  function setStatus(text, isError) {
    var s = $('status');
    s.textContent = text;
    s.classList.toggle('error', !!isError);
  }

  function markDrawing(ready) {
    var g = $('graph');
    g.dataset.state = ready ? 'ready' : 'loading';
    g.dataset.nodes = String(cy.nodes().length);
    g.dataset.edges = String(cy.edges().length);
    g.dataset.centres = state.centres.join(' ');
  }

  // ---- settings ----------------------------------------------------------

  function checkedKinds() {
    return RELATION_KINDS.map(function (k) { return k[0]; }).filter(function (k) { return $('kind-' + k).checked; });
  }

  function relationsArgument() {
    var kinds = checkedKinds();
    return kinds.length === RELATION_KINDS.length ? null : kinds;
  }

  var thisYear = new Date().getFullYear();
  var FIRST_YEAR = 1950;

  // asOf is the end of the slider's year, or null (today) at its right end.
  function asOf() {
    var y = Number($('as-of').value);
    return y > thisYear ? null : y + '-12-31';
  }

  function showAsOf() {
    var a = asOf();
    $('as-of-value').textContent = a ? a.slice(0, 4) : 'today';
    $('as-of').setAttribute('aria-valuetext', a ? 'the end of ' + a.slice(0, 4) : 'today');
  }

  // ---- drawing -----------------------------------------------------------

  function nodeElement(n) {
    var kind = kindOf(n.id);
    return { group: 'nodes', data: { id: n.id, kind: kind, colour: COLOUR[kind] || '#999', label: n.nameZh ? n.name + '\n' + n.nameZh : n.name, name: n.name } };
  }

  function edgeLabel(e) {
    var label = words(e.kind);
    if (e.since) { label += ' · ' + e.since.slice(0, 4); }
    return label;
  }

  function edgeElement(e) {
    return { group: 'edges', data: { id: edgeId(e.kind, e.from, e.to), source: e.from, target: e.to, kind: e.kind, label: edgeLabel(e), relation: e } };
  }

  // runPool runs the tasks at most n at a time and resolves with their
  // results in order, or rejects with the first failure.
  function runPool(tasks, n) {
    var results = new Array(tasks.length);
    var next = 0;
    function worker() {
      if (next >= tasks.length) { return Promise.resolve(); }
      var i = next++;
      return tasks[i]().then(function (r) { results[i] = r; return worker(); });
    }
    var workers = [];
    for (var i = 0; i < Math.min(n, tasks.length); i++) { workers.push(worker()); }
    return Promise.all(workers).then(function () { return results; });
  }

  // redraw asks for the neighbourhood of every expanded node with the
  // current settings and draws their union, keeping the places of the nodes
  // already drawn. around is the node new ones start next to.
  function redraw(around) {
    var gen = ++state.generation;
    clearPaths();
    markDrawing(false);
    var kinds = checkedKinds();
    var centres = state.centres.slice();
    if (centres.length === 0) {
      cy.elements().remove();
      markDrawing(true);
      return Promise.resolve();
    }
    setStatus('Drawing…');
    var vars = { depth: Number($('depth').value), relations: relationsArgument(), asOf: asOf(), limit: NEIGHBOURHOOD_LIMIT };
    var tasks = centres.map(function (id) {
      return function () {
        if (kinds.length === 0) { // nothing to follow: the centres alone
          return Promise.resolve({ neighbourhood: { truncated: false, nodes: [state.nodes[id] || { id: id, name: slugOf(id) }], edges: [] } });
        }
        return gql(NEIGHBOURHOOD, Object.assign({ id: id }, vars));
      };
    });
    return runPool(tasks, PARALLEL_REQUESTS).then(function (answers) {
      if (gen !== state.generation) { return; }
      var nodes = {}, edges = {}, truncated = false;
      answers.forEach(function (a) {
        var g = a.neighbourhood;
        truncated = truncated || g.truncated;
        g.nodes.forEach(function (n) { nodes[n.id] = n; state.nodes[n.id] = n; });
        g.edges.forEach(function (e) { edges[edgeId(e.kind, e.from, e.to)] = e; });
      });
      draw(nodes, edges, around);
      var msg = cy.nodes().length + ' nodes, ' + cy.edges().length + ' relations';
      if (kinds.length === 0) { msg += ' (no kind of relation is chosen)'; }
      if (truncated) { msg += '; some neighbourhoods were cut at ' + NEIGHBOURHOOD_LIMIT + ' nodes'; }
      if (asOf()) { msg += ', as of the end of ' + asOf().slice(0, 4); }
      setStatus(msg + '.');
      markDrawing(true);
    }).catch(function (err) {
      if (gen !== state.generation) { return; }
      setStatus('Could not draw the graph: ' + err.message, true);
      markDrawing(true);
    });
  }

  function draw(nodes, edges, around) {
    var start = around && cy.getElementById(around).nonempty() ? cy.getElementById(around).position() : { x: 0, y: 0 };
    var fresh = cy.elements().length === 0;
    cy.batch(function () {
      cy.elements().forEach(function (ele) {
        var keep = ele.isNode() ? nodes[ele.id()] : edges[ele.id()];
        if (!keep) { cy.remove(ele); }
      });
      var added = [];
      Object.keys(nodes).forEach(function (id) {
        var ele = cy.getElementById(id);
        if (ele.empty()) {
          var n = nodeElement(nodes[id]);
          n.position = { x: start.x + (Math.random() - 0.5) * 80, y: start.y + (Math.random() - 0.5) * 80 };
          added.push(n);
        }
      });
      cy.add(added);
      var addedEdges = [];
      Object.keys(edges).forEach(function (id) {
        if (cy.getElementById(id).empty()) { addedEdges.push(edgeElement(edges[id])); }
      });
      cy.add(addedEdges);
      cy.nodes().removeClass('expanded');
      state.centres.forEach(function (id) { cy.getElementById(id).addClass('expanded'); });
    });
    layout(fresh);
    refreshLists();
  }

  function layout(randomize) {
    cy.layout({ name: 'cose', animate: false, randomize: !!randomize, fit: true, padding: 30,
      nodeDimensionsIncludeLabels: true, idealEdgeLength: function () { return 90; },
      nodeRepulsion: function () { return 600000; }, numIter: 1500 }).run();
  }

  // ---- the node list, path choosers and legend -----------------------------

  function byName(a, b) { return a.data('name').localeCompare(b.data('name')) || a.id().localeCompare(b.id()); }

  function refreshLists() {
    var list = $('node-list');
    list.replaceChildren();
    var ns = cy.nodes().toArray().sort(byName);
    ns.forEach(function (n) {
      var b = el('button', { type: 'button', 'data-id': n.id(), onclick: function () { activate(n.id()); } }, [
        el('span', { 'class': 'swatch', 'aria-hidden': 'true' }),
        document.createTextNode(n.data('label').replace('\n', ' ')),
        el('span', { 'class': 'kind', text: '(' + n.data('kind') + ')' })
      ]);
      b.firstChild.style.background = n.data('colour');
      list.append(el('li', {}, [b]));
    });
    $('node-count').textContent = String(ns.length);
    var cities = ns.filter(function (n) { return n.data('kind') === 'City'; });
    ['path-from', 'path-to'].forEach(function (sel, i) {
      var s = $(sel), was = s.value;
      s.replaceChildren(el('option', { value: '', text: i === 0 ? '— choose a city —' : '— choose another city —' }));
      cities.forEach(function (c) { s.append(el('option', { value: c.id(), text: c.data('label').replace('\n', ' ') })); });
      if (cy.getElementById(was).nonempty()) { s.value = was; }
    });
  }

  function buildControls() {
    var boxes = $('kind-boxes');
    RELATION_KINDS.forEach(function (k) {
      var box = el('input', { type: 'checkbox', id: 'kind-' + k[0], value: k[0] });
      box.checked = true;
      box.addEventListener('change', function () { redraw(); });
      boxes.append(el('label', { 'for': 'kind-' + k[0] }, [box, document.createTextNode(k[1])]));
    });
    function setAll(on) {
      RELATION_KINDS.forEach(function (k) { $('kind-' + k[0]).checked = on; });
      redraw();
    }
    $('kinds-all').addEventListener('click', function () { setAll(true); });
    $('kinds-none').addEventListener('click', function () { setAll(false); });

    var legend = $('legend');
    NODE_KINDS.forEach(function (k) {
      var sw = el('span', { 'class': 'swatch', 'aria-hidden': 'true' });
      sw.style.background = k[2];
      legend.append(el('li', {}, [sw, document.createTextNode(k[1])]));
    });

    var slider = $('as-of');
    slider.min = String(FIRST_YEAR);
    slider.max = String(thisYear + 1); // the right end is today
    slider.value = slider.max;
    showAsOf();
    slider.addEventListener('input', showAsOf);
    slider.addEventListener('change', function () { redraw(); });
    $('depth').addEventListener('change', function () { redraw(); });

    $('search-form').addEventListener('submit', function (ev) { ev.preventDefault(); search($('search-text').value); });
    $('path-find').addEventListener('click', findPaths);
    $('path-clear').addEventListener('click', function () { clearPaths(); $('path-list').replaceChildren(); });
    $('save-png').addEventListener('click', savePNG);
    $('save-svg').addEventListener('click', saveSVG);
    $('relayout').addEventListener('click', function () { layout(true); });
    $('clear').addEventListener('click', function () {
      state.centres = [];
      history.replaceState(null, '', location.pathname + location.search);
      showDetails(null);
      redraw();
      setStatus('Search for a city, an organisation or a forum to start.');
    });
  }

  // ---- search --------------------------------------------------------------

  function search(text) {
    text = text.trim();
    if (!text) { return; }
    setStatus('Searching for “' + text + '”…');
    gql(SEARCH, { text: text }).then(function (data) {
      var hits = $('hits');
      hits.replaceChildren();
      $('results').hidden = false;
      data.search.forEach(function (h) {
        state.nodes[h.node.id] = h.node;
        var b = el('button', { type: 'button', 'data-id': h.node.id, onclick: function () { start(h.node.id); } }, [
          el('span', { 'class': 'swatch', 'aria-hidden': 'true' }),
          document.createTextNode(display(h.node)),
          el('span', { 'class': 'kind', text: '(' + h.node.id.slice(0, h.node.id.indexOf(':')) + ')' })
        ]);
        b.firstChild.style.background = COLOUR[kindOf(h.node.id)] || '#999';
        hits.append(el('li', {}, [b]));
      });
      setStatus(data.search.length ? data.search.length + ' found for “' + text + '”: choose one to draw.' : 'Nothing found for “' + text + '”.');
      var first = hits.querySelector('button');
      if (first) { first.focus(); }
    }).catch(function (err) { setStatus('Search failed: ' + err.message, true); });
  }

  // start draws the neighbourhood of one node afresh.
  function start(id) {
    state.centres = [id];
    cy.elements().remove();
    if (location.hash !== '#' + id) { history.replaceState(null, '', '#' + id); }
    return redraw().then(function () { select(id); });
  }

  // activate is a click on a node: show it and draw its neighbourhood too.
  function activate(id) {
    select(id);
    if (state.centres.indexOf(id) < 0) {
      state.centres.push(id);
      return redraw(id).then(function () { select(id); });
    }
    return Promise.resolve();
  }

  function select(id) {
    var n = cy.getElementById(id);
    cy.elements(':selected').unselect();
    if (n.nonempty()) { n.select(); }
    showDetails(id);
  }

  // ---- the side panel -------------------------------------------------------

  var detailsFor = null;

  function showDetails(id) {
    var box = $('details');
    detailsFor = id;
    if (!id) {
      box.replaceChildren(el('p', { text: 'Choose a node or a relation to see its properties and sources.' }));
      return;
    }
    box.replaceChildren(el('p', { text: 'Loading ' + id + '…' }));
    gql(NODE, { id: id }).then(function (data) {
      if (detailsFor !== id) { return; }
      if (!data.node) { box.replaceChildren(el('p', { text: id + ' no longer exists.' })); return; }
      renderNode(data.node);
    }).catch(function (err) {
      if (detailsFor === id) { box.replaceChildren(el('p', { 'class': 'error', text: 'Could not read ' + id + ': ' + err.message })); }
    });
  }

  // Fields the node query renames, as GraphQL needs where two types give one
  // name different types.
  var ALIASES = { orgKind: 'kind', fundingAcronym: 'acronym' };
  var SKIP = { __typename: 1, id: 1, name: 1, nameZh: 1, sources: 1, description: 1 };

  function valueText(v) {
    if (v == null || (Array.isArray(v) && v.length === 0) || v === '') { return null; }
    if (Array.isArray(v)) { return v.join('; '); }
    if (typeof v === 'object') {
      if ('lat' in v && 'lon' in v) { return v.lat + ', ' + v.lon; }
      if ('amount' in v && 'currency' in v) { return v.amount + ' ' + v.currency; }
      if ('name' in v) { return v.name; }
      return JSON.stringify(v);
    }
    if (typeof v === 'boolean') { return v ? 'yes' : 'no'; }
    return String(v);
  }

  function nodeLink(ref) {
    return el('button', { type: 'button', 'class': 'link', onclick: function () { activate(ref.id); } , text: ref.name });
  }

  function propertyList(obj, skip) {
    var dl = el('dl');
    Object.keys(obj).forEach(function (k) {
      if (skip[k]) { return; }
      var v = obj[k];
      var t = valueText(v);
      if (t == null) { return; }
      var dd = v && typeof v === 'object' && !Array.isArray(v) && v.id ? el('dd', {}, [nodeLink(v)]) : el('dd', { text: t });
      dl.append(el('dt', { text: ALIASES[k] || k }), dd);
    });
    return dl;
  }

  function sourceList(sources) {
    if (!sources || sources.length === 0) { return el('p', { text: 'No source recorded.' }); }
    var ul = el('ul', { 'class': 'sources' });
    sources.forEach(function (s) {
      var title = s.nameZh ? s.name + ' ' + s.nameZh : s.name;
      var head = s.url && /^https?:\/\//.test(s.url) ?
        el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer', text: title }) : el('span', { text: title });
      var meta = [s.publisher, s.author, s.date, s.file].filter(Boolean).join(' · ');
      ul.append(el('li', {}, [head, meta ? el('div', { 'class': 'kind', text: meta }) : null]));
    });
    return ul;
  }

  function renderNode(n) {
    var box = $('details');
    var kind = n.__typename;
    var actions = el('p', { 'class': 'buttons' });
    if (state.centres.indexOf(n.id) < 0) {
      actions.append(el('button', { type: 'button', text: 'Expand', onclick: function () { activate(n.id); } }));
    }
    actions.append(el('button', { type: 'button', text: 'Start here', onclick: function () { start(n.id); } }));
    if (kind === 'City') {
      actions.append(el('button', { type: 'button', text: 'Paths from here', onclick: function () { $('path-from').value = n.id; $('path-to').focus(); } }));
      actions.append(el('button', { type: 'button', text: 'Paths to here', onclick: function () { $('path-to').value = n.id; $('path-find').focus(); } }));
    }
    replaceChildren(box,
      el('h3', { text: display(n) }),
      el('p', { 'class': 'kind', text: kind + ' · ' + n.id }),
      n.description ? el('p', { text: n.description }) : null,
      actions,
      propertyList(n, SKIP),
      el('h3', { text: 'Sources' }),
      sourceList(n.sources)
    );
  }

  function renderRelation(e) {
    var from = state.nodes[e.from] || { name: e.from }, to = state.nodes[e.to] || { name: e.to };
    var props = { kind: e.kind, since: e.since, role: e.role, partnershipKind: e.partnershipKind, amount: e.amount, note: e.note };
    detailsFor = null;
    replaceChildren($('details'),
      el('h3', { text: words(e.kind) }),
      el('p', { 'class': 'kind', text: display(from) + (e.kind === 'PARTNER_OF' ? ' — ' : ' → ') + display(to) }),
      propertyList(props, {}),
      el('h3', { text: 'Sources' }),
      sourceList(e.sources)
    );
  }

  cy.on('tap', 'node', function (ev) { activate(ev.target.id()); });
  cy.on('tap', 'edge', function (ev) {
    var r = ev.target.data('relation');
    if (r) { renderRelation(r); }
  });

  // ---- paths ---------------------------------------------------------------

  function clearPaths() {
    if (!state.paths) { return; }
    cy.batch(function () {
      state.paths.added.forEach(function (id) { cy.getElementById(id).remove(); });
      cy.elements().removeClass('path faded');
    });
    state.paths = null;
  }

  function findPaths() {
    var from = $('path-from').value, to = $('path-to').value;
    if (!from || !to || from === to) {
      setStatus('Choose two different cities of the picture to link.', true);
      return;
    }
    var via = checkedKinds().map(function (k) { return LINK_BY_RELATION[k]; }).filter(Boolean);
    if (via.length === 0) {
      setStatus('Paths follow partnerships, shared forums or shared agreements: tick partner of, attended or signed.', true);
      return;
    }
    var gen = state.generation;
    setStatus('Looking for paths…');
    gql(PATHS, { from: slugOf(from), to: slugOf(to), via: via, asOf: asOf() }).then(function (data) {
      if (gen !== state.generation) { return; }
      highlightPaths(data.paths);
    }).catch(function (err) { setStatus('Could not find paths: ' + err.message, true); });
  }

  // pathElements returns the nodes and relations that make one path: its
  // cities, and for a shared forum or agreement the thing shared.
  function pathElements(p) {
    var nodes = {}, edges = {};
    p.cities.forEach(function (c) { nodes[c.id] = c; });
    p.hops.forEach(function (h) {
      h.links.forEach(function (l) {
        if (l.kind === 'PARTNERSHIP') {
          edges[edgeId('PARTNER_OF', h.from.id, h.to.id)] = { kind: 'PARTNER_OF', from: h.from.id, to: h.to.id, since: l.since, partnershipKind: l.partnershipKind, sources: [] };
          return;
        }
        if (!l.via) { return; }
        var rel = l.kind === 'FORUM' ? 'ATTENDED' : 'SIGNED';
        nodes[l.via.id] = l.via;
        [h.from.id, h.to.id].forEach(function (c) { edges[edgeId(rel, c, l.via.id)] = { kind: rel, from: c, to: l.via.id, sources: [] }; });
      });
    });
    return { nodes: nodes, edges: edges };
  }

  function highlightPaths(paths, only) {
    clearPaths();
    var list = $('path-list');
    if (only === undefined) {
      list.replaceChildren();
      if (paths.length === 0) {
        setStatus('No path of up to 4 hops links these cities' + (asOf() ? ' as of the end of ' + asOf().slice(0, 4) : '') + '.');
        return;
      }
      paths.forEach(function (p, i) {
        var names = p.cities.map(function (c) { return c.name; }).join(' → ');
        list.append(el('li', {}, [el('button', { type: 'button', text: names + ' (' + p.length + (p.length === 1 ? ' hop)' : ' hops)'),
          onclick: function () { highlightPaths(paths, i); } })]));
      });
    }
    var added = [], ids = {};
    cy.batch(function () {
      paths.forEach(function (p, i) {
        if (only !== undefined && i !== only) { return; }
        var pe = pathElements(p);
        Object.keys(pe.nodes).forEach(function (id) {
          state.nodes[id] = state.nodes[id] || pe.nodes[id];
          if (cy.getElementById(id).empty()) { cy.add(nodeElement(pe.nodes[id])); added.push(id); }
          ids[id] = true;
        });
        Object.keys(pe.edges).forEach(function (id) {
          if (cy.getElementById(id).empty()) { cy.add(edgeElement(pe.edges[id])); added.push(id); }
          ids[id] = true;
        });
      });
      cy.elements().forEach(function (e) { e.addClass(ids[e.id()] ? 'path' : 'faded'); });
    });
    state.paths = { added: added };
    if (added.length) { layout(false); }
    setStatus(paths.length + (paths.length === 1 ? ' path' : ' paths') + ' highlighted' + (only !== undefined ? ' (showing path ' + (only + 1) + ')' : '') + '.');
  }

  // ---- saving the picture -----------------------------------------------------

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 0);
  }

  function savePNG() {
    if (cy.elements().empty()) { setStatus('Nothing to save yet: draw a neighbourhood first.', true); return; }
    download(cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }), 'citygraph.png');
  }

  function xml(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c]; });
  }

  function num(v) { return Math.round(v * 100) / 100; }

  // svgText renders the picture as SVG from the elements' positions and
  // computed styles: Cytoscape draws on a canvas and has no SVG export.
  function svgText() {
    var bb = cy.elements().boundingBox({ includeLabels: true });
    var pad = 20, w = bb.w + 2 * pad, h = bb.h + 2 * pad;
    var dx = pad - bb.x1, dy = pad - bb.y1;
    function X(x) { return num(x + dx); }
    function Y(y) { return num(y + dy); }
    var out = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + num(w) + '" height="' + num(h) + '" viewBox="0 0 ' + num(w) + ' ' + num(h) +
      '" font-family="sans-serif">', '<rect width="100%" height="100%" fill="#ffffff"/>'];
    cy.edges().forEach(function (e) {
      var s = e.sourceEndpoint(), t = e.targetEndpoint(), cps = e.controlPoints() || [];
      var colour = e.style('line-color'), width = parseFloat(e.style('width')), opacity = e.style('opacity');
      var d = 'M' + X(s.x) + ' ' + Y(s.y);
      d += cps.length === 1 ? ' Q' + X(cps[0].x) + ' ' + Y(cps[0].y) + ' ' + X(t.x) + ' ' + Y(t.y) : ' L' + X(t.x) + ' ' + Y(t.y);
      out.push('<g opacity="' + opacity + '"><path d="' + d + '" fill="none" stroke="' + colour + '" stroke-width="' + width + '"/>');
      if (e.style('target-arrow-shape') !== 'none') {
        var from = cps.length === 1 ? cps[0] : s;
        var len = Math.hypot(t.x - from.x, t.y - from.y) || 1, ux = (t.x - from.x) / len, uy = (t.y - from.y) / len, a = 4 + width * 2;
        out.push('<polygon points="' + [X(t.x), Y(t.y), X(t.x - ux * a * 1.6 - uy * a), Y(t.y - uy * a * 1.6 + ux * a), X(t.x - ux * a * 1.6 + uy * a), Y(t.y - uy * a * 1.6 - ux * a)].join(' ') +
          '" fill="' + e.style('target-arrow-color') + '"/>');
      }
      var label = e.data('label');
      if (label) {
        var m = e.midpoint();
        out.push('<text x="' + X(m.x) + '" y="' + Y(m.y) + '" font-size="' + parseFloat(e.style('font-size')) + '" fill="' + e.style('color') +
          '" text-anchor="middle" dominant-baseline="middle" paint-order="stroke" stroke="#ffffff" stroke-width="3">' + xml(label) + '</text>');
      }
      out.push('</g>');
    });
    cy.nodes().forEach(function (n) {
      var p = n.position(), r = n.width() / 2, bw = parseFloat(n.style('border-width'));
      out.push('<g opacity="' + n.style('opacity') + '"><circle cx="' + X(p.x) + '" cy="' + Y(p.y) + '" r="' + num(r) + '" fill="' + n.style('background-color') +
        '" stroke="' + n.style('border-color') + '" stroke-width="' + bw + '"/>');
      var size = parseFloat(n.style('font-size'));
      String(n.data('label')).split('\n').forEach(function (line, i) {
        out.push('<text x="' + X(p.x) + '" y="' + Y(p.y + r + bw + 3 + size * (i + 1)) + '" font-size="' + size + '" fill="' + n.style('color') +
          '" text-anchor="middle">' + xml(line) + '</text>');
      });
      out.push('</g>');
    });
    out.push('</svg>');
    return out.join('\n');
  }
  window.citygraphExplorer.svg = svgText;

  function saveSVG() {
    if (cy.elements().empty()) { setStatus('Nothing to save yet: draw a neighbourhood first.', true); return; }
    download(new Blob([svgText()], { type: 'image/svg+xml' }), 'citygraph.svg');
  }

  // ---- downloading the data ---------------------------------------------------

  // filename is the name a Content-Disposition header gives, or fallback.
  function filename(disposition, fallback) {
    var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || '');
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  // exportData downloads from /export: by a plain link without a
  // credential, so that the browser streams it to disk; with one, by a
  // fetch that sends it, as a link cannot carry a header.
  function exportData(scope) {
    var format = $('export-format').value;
    var params = new URLSearchParams({ format: format });
    if (scope === 'drawn') {
      if (state.centres.length === 0) { setStatus('Nothing drawn yet: draw a neighbourhood first, or download the whole graph.', true); return; }
      if (format === 'csv') { setStatus('The CSV seed files are the whole graph: choose GraphML or JSON lines for a neighbourhood.', true); return; }
      params.set('center', state.centres[0]);
      params.set('depth', $('depth').value);
    }
    var url = config.export + '?' + params.toString();
    if (!credential.get()) {
      var a = el('a', { href: url, download: '' });
      document.body.append(a);
      a.click();
      a.remove();
      setStatus('Downloading ' + (scope === 'drawn' ? 'the neighbourhood of ' + state.centres[0] : 'the whole graph') + ' as ' + format + '.');
      return;
    }
    setStatus('Downloading…');
    credential.fetch(url, { credentials: 'same-origin' }).then(function (resp) {
      if (!resp.ok) {
        return resp.json().then(function (body) {
          var e0 = body.errors && body.errors[0];
          throw new Error(e0 ? (e0.extensions && e0.extensions.code ? e0.extensions.code + ': ' : '') + e0.message : resp.status + ' ' + resp.statusText);
        }, function () { throw new Error('the server answered ' + resp.status + ' ' + resp.statusText); });
      }
      var name = filename(resp.headers.get('Content-Disposition'), 'citygraph.' + format);
      return resp.blob().then(function (blob) {
        download(blob, name);
        setStatus('Downloaded ' + name + '.');
      });
    }).catch(function (err) { setStatus('Could not download the data: ' + err.message, true); });
  }

  // ---- start -------------------------------------------------------------------

  if (config.export) {
    $('export-drawn').addEventListener('click', function () { exportData('drawn'); });
    $('export-all').addEventListener('click', function () { exportData('all'); });
  }
  // A new credential may show what the old one could not: draw again.
  credential.onChange(function () {
    if (state.centres.length > 0) { redraw(); }
    if (detailsFor) { showDetails(detailsFor); }
  });

  buildControls();
  markDrawing(true);
  var fromHash = decodeURIComponent(location.hash.slice(1));
  if (/^[A-Za-z]+:.+/.test(fromHash)) { start(fromHash); }
})();
