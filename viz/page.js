// civicgraph network page. Every value from data reaches the page through textContent,
// vis-network's canvas, or its tooltip (innerText); links only when http or https.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  var safeUrl = function (value) {
    try {
      var url = new URL(String(value));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  };

  $("cg-title").textContent = data.title;
  var byId = new Map();
  data.nodes.forEach(function (n) { byId.set(n.id, n); });

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: n.showLabel ? n.label : "", title: n.title, x: n.x, y: n.y, size: n.size, shape: "dot",
      color: { background: n.color, border: n.focus ? "#000000" : n.color },
      borderWidth: n.focus ? 4 : 1
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return {
      id: i, from: e.from, to: e.to, title: e.title, dashes: e.dashes, width: e.width,
      color: { color: e.color, opacity: 0.6 }
    };
  }));
  var options = {
    physics: { enabled: false, solver: "forceAtlas2Based", stabilization: false },
    layout: { randomSeed: 1, improvedLayout: false },
    interaction: {
      hover: !data.large, tooltipDelay: 150, hideEdgesOnDrag: data.large,
      hideEdgesOnZoom: data.large, navigationButtons: false, keyboard: true
    },
    nodes: { font: { size: 12 }, labelHighlightBold: false, scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: false, arrows: { to: { enabled: false } } }
  };
  var network = new vis.Network($("cg-graph"), { nodes: nodes, edges: edges }, options);
  var state = { network: network, nodes: nodes, edges: edges, data: data, ready: false };
  window.civicgraph = state;
  // Silo groups' names above each group, drawn on the canvas as text.
  if (data.groups.length) {
    network.on("beforeDrawing", function (ctx) {
      ctx.save();
      ctx.font = "bold 15px system-ui, sans-serif";
      ctx.fillStyle = "#333333";
      ctx.textAlign = "center";
      data.groups.forEach(function (g) { ctx.fillText(g.label, g.x, g.y); });
      ctx.restore();
    });
  }
  // Large pages open clustered (see page.py's CLUSTER_AT); a click on a cluster expands
  // it, Collapse folds every expanded one again.
  var folding = window.civicgraphClusters(network, data.clusters, function (id) {
    var n = byId.get(id);
    return n ? n.cluster : undefined;
  }, function () {
    $("cg-collapse").hidden = folding.expanded.length === 0;
    updateCounts();
    relabel();
  });
  state.expanded = folding.expanded;
  state.expand = folding.expand;
  state.collapse = folding.collapse;
  var expand = folding.expand;
  state.drawnNodes = function () { return network.body.nodeIndices.length; };
  $("cg-collapse").addEventListener("click", folding.collapse);

  network.once("afterDrawing", function () {
    network.fit({ animation: false });  // nothing starts off the canvas
    relabel();
    state.ready = true;
    state.readyAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  });

  function updateCounts() {
    var shown = network.body.nodeIndices.length;
    var text = shown.toLocaleString() + " of " + data.nodes.length.toLocaleString() +
      " nodes, " + data.edges.length.toLocaleString() + " edges";
    if (data.clusters.length) {
      text += "; clustered by sector or type (" + (data.clusters.length - state.expanded.length) +
        " of " + data.clusters.length + " clusters folded; click one to expand)";
    }
    $("cg-counts").textContent = text;
  }

  // Legend.
  $("cg-legend-note").textContent = "Colour: " + data.colorBy + "; size: " + data.sizeBy + ".";
  data.legend.forEach(function (entry) {
    var li = el("li");
    var swatch = el("span", null, "cg-swatch");
    swatch.style.background = entry.color;
    li.appendChild(swatch);
    li.appendChild(el("span", entry.label + " (" + entry.count.toLocaleString() + ")"));
    $("cg-legend").appendChild(li);
  });
  var SVG = "http://www.w3.org/2000/svg";
  data.edgeLegend.forEach(function (entry) {
    var li = el("li");
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "8");
    svg.setAttribute("class", "cg-line");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "0"); line.setAttribute("y1", "4");
    line.setAttribute("x2", "28"); line.setAttribute("y2", "4");
    line.setAttribute("stroke", entry.color);
    line.setAttribute("stroke-width", "2");
    if (entry.dashes) line.setAttribute("stroke-dasharray", entry.dashes.join(" "));
    svg.appendChild(line);
    li.appendChild(svg);
    li.appendChild(el("span", entry.label));
    $("cg-edge-legend").appendChild(li);
  });

  // Labels only where they do not collide, placed on screen at the current zoom: the
  // focused node first, then the largest; the rest show on hover, or when zooming in gives
  // them room (their size on screen stays between 9 and 14 pixels). Cluster labels and silo group
  // names are drawn first and kept clear; no label covers another node's dot (faded ones aside).
  var measure = document.createElement("canvas").getContext("2d");
  var widths = new Map();
  function textWidth(text, px, weight) {
    var key = px + "|" + (weight || "") + "|" + text;
    if (!widths.has(key)) {
      measure.font = (weight ? weight + " " : "") + px + "px " + (weight ? "system-ui, sans-serif" : "arial");
      widths.set(key, measure.measureText(text).width);
    }
    return widths.get(key);
  }
  var ranked = data.nodes.slice().sort(function (a, b) {
    return (b.showLabel - a.showLabel) || (b.size - a.size) || (a.id < b.id ? -1 : 1);
  });
  function relabel() {
    var scale = network.getScale();
    var view = network.getViewPosition();
    var box = $("cg-graph").getBoundingClientRect();
    var halfW = box.width / 2, halfH = box.height / 2;
    var cell = 80, grid = new Map(), placed = new Map();  // node id -> how far its label is raised
    function screen(x, y) { return [(x - view.x) * scale + halfW, (y - view.y) * scale + halfH]; }
    function cells(b, add, self) {
      // A box hits any box in the grid but the dot of ``self`` (the label's own node; true:
      // no dot, for the node the page or the click is about: its label may cover dots).
      var hit = false;
      for (var i = Math.floor(b[0] / cell); i <= Math.floor(b[2] / cell); i++) {
        for (var j = Math.floor(b[1] / cell); j <= Math.floor(b[3] / cell); j++) {
          var key = i + ":" + j, list = grid.get(key);
          if (add) { if (!list) grid.set(key, list = []); list.push(b); continue; }
          if (list && list.some(function (o) {
            var skip = o.owner !== undefined && (self === true || o.owner === self);
            return !skip && b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3];
          })) hit = true;
        }
      }
      return hit;
    }
    function labelBox(x, y, size, text, px, weight) {
      // On screen: px high, centred under the dot (or centred on (x, y) for group names).
      // vis-network draws a dot's text about 0.7 px below the dot, its descenders ending
      // about 1.9 px below (measured in Chromium): the box ends below them.
      var p = screen(x, y), w = textWidth(text, px, weight), r = size * scale;
      if (size < 0) return [p[0] - w / 2 - 3, p[1] - px - 3, p[0] + w / 2 + 3, p[1] + 5];
      return [p[0] - w / 2 - 3, p[1] + r - 1, p[0] + w / 2 + 3, p[1] + r + px * 2 + 1];
    }
    var onScreen = function (b) { return b[2] > 0 && b[0] < box.width && b[3] > 0 && b[1] < box.height; };
    var fixed = Math.min(22 * scale, 30);
    data.groups.forEach(function (g) { cells(labelBox(g.x, g.y, -1, g.label, 15 * scale, "bold"), true); });
    data.clusters.forEach(function (c) {
      var id = "cluster:" + c.key;
      if (!network.body.nodes[id] || network.body.nodeIndices.indexOf(id) < 0) return;
      if (fixed >= 4) cells(labelBox(c.x, c.y, c.size, c.label, fixed), true);
    });
    var px = Math.max(MIN_LABEL_PX, Math.min(LABEL_PX * scale, MAX_LABEL_PX));  // on screen
    var drawn = new Set(network.body.nodeIndices);
    drawn.forEach(function (id) {
      var node = network.body.nodes[id];
      if (!node || node.options.hidden || (state.kept && !state.kept.has(id))) return;
      var p = screen(node.x, node.y), r = (node.options.size || 0) * scale;
      var dot = [p[0] - r, p[1] - r, p[0] + r, p[1] + r];
      if (!onScreen(dot)) return;
      dot.owner = id;
      cells(dot, true);
    });
    var order = state.focusId ? [byId.get(state.focusId)].concat(ranked) : ranked;
    order.forEach(function (n) {
      if (!n || !n.label || placed.has(n.id) || !drawn.has(n.id)) return;
      if (state.kept && !state.kept.has(n.id)) return;
      var node = network.body.nodes[n.id];
      if (!node || node.options.hidden) return;
      var b = labelBox(node.x, node.y, n.size, n.label, px), up = 0;
      var self = n.focus || n.id === state.focusId ? true : n.id;
      if (!onScreen(b) || cells(b, false, self)) {
        // No room below: above the dot, if that spot is free (shifted up by the dot and text).
        up = 2 * n.size * scale + px * 2.2;
        b = [b[0], b[1] - up, b[2], b[3] - up];
        if (!onScreen(b) || cells(b, false, self)) return;
      }
      cells(b, true);
      placed.set(n.id, up / scale);
    });
    // vis-network draws labels at their font size times the zoom: capped on screen here.
    var font = px / scale;
    var changes = [];
    data.nodes.forEach(function (n) {
      var want = placed.has(n.id) ? n.label : "", raise = placed.get(n.id) || 0;
      var was = labels.get(n.id);
      if (was.label === want && (!want || (was.font === font && was.vadjust === -raise))) return;
      labels.set(n.id, { label: want, font: font, vadjust: -raise });
      var colour = state.kept && !state.kept.has(n.id) ? FADED : "#222222";
      changes.push({ id: n.id, label: want, font: { size: font, color: colour, vadjust: -raise } });
    });
    if (changes.length) nodes.update(changes);
    state.labelled = placed.size;
  }
  var LABEL_PX = 12, MIN_LABEL_PX = 9, MAX_LABEL_PX = 14;
  var labels = new Map(data.nodes.map(function (n) {
    return [n.id, { label: n.showLabel ? n.label : "", font: LABEL_PX, vadjust: 0 }];
  }));
  var relabelSoon = null;
  function scheduleRelabel() {
    if (relabelSoon) clearTimeout(relabelSoon);
    relabelSoon = setTimeout(function () { relabelSoon = null; relabel(); }, 60);
  }
  state.relabel = relabel;
  network.on("zoom", scheduleRelabel);
  network.on("dragEnd", scheduleRelabel);

  // Focus mode: a clicked node and its neighbours stay, the rest fade; click the
  // background to bring everything back.
  var FADED = "rgba(200,200,200,0.25)";
  function fade(id) {
    var keep = new Set(network.getConnectedNodes(id));
    keep.add(id);
    nodes.update(data.nodes.map(function (n) {
      var kept = keep.has(n.id);
      return {
        id: n.id,
        color: kept ? { background: n.color, border: n.focus ? "#000000" : n.color }
          : { background: FADED, border: FADED },
        font: { size: labels.get(n.id).font, vadjust: labels.get(n.id).vadjust,
          color: kept ? "#222222" : FADED }
      };
    }));
    edges.update(data.edges.map(function (e, i) {
      var kept = e.from === id || e.to === id;
      return { id: i, color: { color: kept ? e.color : FADED, opacity: kept ? 0.9 : 0.25 } };
    }));
    state.faded = data.nodes.length - keep.size;
    state.kept = keep;
    state.focusId = id;
    relabel();
  }
  function unfade() {
    if (!state.faded) return;
    nodes.update(data.nodes.map(function (n) {
      return {
        id: n.id, font: { size: labels.get(n.id).font, vadjust: labels.get(n.id).vadjust,
          color: "#222222" },
        color: { background: n.color, border: n.focus ? "#000000" : n.color }
      };
    }));
    edges.update(data.edges.map(function (e, i) {
      return { id: i, color: { color: e.color, opacity: 0.6 } };
    }));
    state.faded = 0;
    state.kept = null;
    state.focusId = null;
    relabel();
  }
  state.fade = fade;
  state.faded = 0;
  data.notes.forEach(function (note) { $("cg-notes").appendChild(el("li", note)); });

  // Details of one node.
  function showInfo(id) {
    var n = byId.get(id);
    if (!n) return;
    $("cg-info").hidden = false;
    $("cg-info-title").textContent = n.label;
    var facts = $("cg-info-facts");
    facts.replaceChildren();
    [["type", n.type], ["id", n.id]].concat(n.facts).forEach(function (pair) {
      facts.appendChild(el("dt", pair[0]));
      facts.appendChild(el("dd", pair[1]));
    });
    if (n.areas.length) {
      facts.appendChild(el("dt", "areas"));
      facts.appendChild(el("dd", n.areas.join(", ")));
    }
    var links = $("cg-info-links");
    links.replaceChildren();
    n.links.forEach(function (value) {
      var href = safeUrl(value);
      if (!href) return;
      var a = el("a", value);
      a.href = href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      var li = el("li");
      li.appendChild(a);
      links.appendChild(li);
    });
    $("cg-info-sources").textContent = n.sources.length ? "Sources: " + n.sources.join(", ") : "";
  }

  function focusNode(id) {
    if (!byId.has(id)) return;
    if (nodes.get(id).hidden) nodes.update({ id: id, hidden: false });
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showInfo(id);
    state.focused = id;
  }
  state.focusNode = focusNode;
  network.on("click", function (params) {
    if (params.nodes.length && expand(params.nodes[0])) return;
    if (params.nodes.length) { showInfo(params.nodes[0]); fade(params.nodes[0]); }
    else unfade();
  });
  // Search.
  $("cg-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = $("cg-query").value.trim().toLowerCase();
    var list = $("cg-matches");
    list.replaceChildren();
    if (!wanted) return;
    var found = data.nodes.filter(function (n) {
      return n.label.toLowerCase().indexOf(wanted) >= 0 || n.id.toLowerCase() === wanted;
    });
    found.sort(function (a, b) {
      var ax = a.label.toLowerCase() === wanted || a.id.toLowerCase() === wanted ? 0 : 1;
      var bx = b.label.toLowerCase() === wanted || b.id.toLowerCase() === wanted ? 0 : 1;
      return ax - bx;
    });
    if (!found.length) { list.appendChild(el("li", "No node matches.")); return; }
    found.slice(0, 30).forEach(function (n) {
      var button = el("button", n.label + " (" + n.type + ")");
      button.type = "button";
      button.addEventListener("click", function () { focusNode(n.id); });
      var li = el("li");
      li.appendChild(button);
      list.appendChild(li);
    });
    if (found.length > 30) list.appendChild(el("li", (found.length - 30) + " more; type more of the name."));
    focusNode(found[0].id);
  });

  // Filters: a node shows when its type, sector and (any) area are all ticked.
  var hidden = { type: new Set(), sector: new Set(), area: new Set() };
  function visible(n) {
    if (hidden.type.has(n.type) || hidden.sector.has(n.sector)) return false;
    if (hidden.area.size && n.areas.length) {
      return n.areas.some(function (a) { return !hidden.area.has(a); });
    }
    return true;
  }
  function applyFilters() {
    var changes = [];
    data.nodes.forEach(function (n) {
      var hide = !visible(n);
      if (!!nodes.get(n.id).hidden !== hide) changes.push({ id: n.id, hidden: hide });
    });
    if (changes.length) nodes.update(changes);
    updateCounts();
    relabel();
  }
  ["type", "sector", "area"].forEach(function (facet) {
    var box = $("cg-filter-" + facet);
    var values = data.filters[facet];
    if (!values.length) { box.appendChild(el("p", "none in this picture")); return; }
    values.forEach(function (pair) {
      var label = el("label", null, "cg-check");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.addEventListener("change", function () {
        if (input.checked) hidden[facet].delete(pair[0]); else hidden[facet].add(pair[0]);
        applyFilters();
      });
      label.appendChild(input);
      label.appendChild(el("span", pair[0] + " (" + pair[1].toLocaleString() + ")"));
      box.appendChild(label);
    });
  });

  $("cg-physics").addEventListener("change", function (event) {
    network.setOptions({ physics: { enabled: event.target.checked } });
  });

  updateCounts();
  if (data.clusters.length) folding.collapse();
  var start = data.nodes.filter(function (n) { return n.focus; });
  if (start.length) showInfo(start[0].id);
})();
