// civicgraph map page. Every value from data reaches the page through textContent or
// SVG attributes set by DOM calls (never markup); links only to the area pages written
// beside the map.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  var svgEl = function (tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    return e;
  };

  $("cg-title").textContent = data.title;
  var svg = svgEl("svg", { viewBox: "0 0 " + data.width + " " + data.height, role: "img" });
  svg.appendChild(svgEl("title")).textContent = data.title;
  var areaLayer = svgEl("g", { "class": "cg-areas" });
  var pointLayer = svgEl("g", { "class": "cg-points" });
  svg.appendChild(areaLayer);
  svg.appendChild(pointLayer);
  $("cg-map").insertBefore(svg, $("cg-tooltip"));

  var tooltip = $("cg-tooltip");
  function tipText(a) {
    var lines = [a.name + " (" + a.code + ")", a.value];
    a.figures.forEach(function (f) { lines.push(f[0] + ": " + f[1]); });
    if (a.why) lines.push("why: " + a.why);
    return lines.join("\n");
  }
  function moveTip(event) {
    var box = $("cg-map").getBoundingClientRect();
    var x = event.clientX - box.left + 14, y = event.clientY - box.top + 14;
    tooltip.style.left = Math.min(x, box.width - 370) + "px";
    tooltip.style.top = Math.min(y, box.height - 120) + "px";
  }

  var selected = null;
  function showInfo(a, shape) {
    if (selected) selected.classList.remove("cg-selected");
    selected = shape;
    shape.classList.add("cg-selected");
    $("cg-info").hidden = false;
    $("cg-info-title").textContent = a.name + " (" + a.code + ")";
    $("cg-info-value").textContent = a.value;
    var facts = $("cg-info-facts");
    facts.replaceChildren();
    a.figures.forEach(function (f) {
      facts.appendChild(el("dt", f[0]));
      facts.appendChild(el("dd", f[1]));
    });
    $("cg-info-why").textContent = a.why ? "Why: " + a.why : "";
    var link = $("cg-info-link");
    link.replaceChildren();
    var page = data.pages[a.code];
    if (page) {
      var anchor = el("a", "Open this area's network");
      anchor.href = page;  // a relative file name written by civicgraph, never from data
      link.appendChild(anchor);
    } else {
      link.textContent = "Nothing is placed in this area, so it has no network page.";
    }
    state.selected = a.code;
  }

  var drawn = { polygons: 0, circles: 0 };
  data.areas.forEach(function (a) {
    var shape;
    if (a.path) {
      shape = svgEl("path", { d: a.path, fill: a.color, "class": "cg-area", "fill-rule": "evenodd" });
      drawn.polygons += 1;
    } else {
      shape = svgEl("circle", { cx: a.circle[0], cy: a.circle[1], r: a.circle[2], fill: a.color, "class": "cg-area cg-circle" });
      drawn.circles += 1;
    }
    shape.setAttribute("data-code", a.code);
    shape.addEventListener("mouseenter", function (event) {
      tooltip.textContent = tipText(a);
      tooltip.hidden = false;
      moveTip(event);
    });
    shape.addEventListener("mousemove", moveTip);
    shape.addEventListener("mouseleave", function () { tooltip.hidden = true; });
    shape.addEventListener("click", function () { showInfo(a, shape); });
    areaLayer.appendChild(shape);
  });

  // Scale bar, bottom left.
  var bar = svgEl("g", { "class": "cg-scale", transform: "translate(20," + (data.height - 24) + ")" });
  bar.appendChild(svgEl("rect", { x: 0, y: 0, width: data.scale.px, height: 5, fill: "#222" }));
  var label = svgEl("text", { x: 0, y: -5, "font-size": 12, fill: "#222" });
  label.textContent = data.scale.km + " km";
  bar.appendChild(label);
  svg.appendChild(bar);

  // Points.
  var pointShapes = [];
  data.points.forEach(function (p) {
    var dot = svgEl("circle", { cx: p.x, cy: p.y, r: 3, fill: data.pointColors[p.type] || "#333", "class": "cg-point" });
    dot.addEventListener("mouseenter", function (event) {
      tooltip.textContent = p.label + "\n" + p.type + " · " + p.sector;
      tooltip.hidden = false;
      moveTip(event);
    });
    dot.addEventListener("mouseleave", function () { tooltip.hidden = true; });
    pointLayer.appendChild(dot);
    pointShapes.push([p, dot]);
  });

  var hidden = { type: new Set(), sector: new Set() };
  function applyFilters() {
    var shown = 0;
    pointShapes.forEach(function (pair) {
      var hide = hidden.type.has(pair[0].type) || hidden.sector.has(pair[0].sector);
      pair[1].style.display = hide ? "none" : "";
      if (!hide) shown += 1;
    });
    state.pointsShown = shown;
    $("cg-counts").textContent = data.areas.length.toLocaleString() + " areas (" +
      drawn.polygons.toLocaleString() + " outlined, " + drawn.circles.toLocaleString() +
      " as circles); " + shown.toLocaleString() + " of " + data.points.length.toLocaleString() + " points";
  }
  ["type", "sector"].forEach(function (facet) {
    var box = $("cg-filter-" + facet);
    if (!data.filters[facet].length) { box.appendChild(el("p", "no points on this map")); return; }
    data.filters[facet].forEach(function (value) {
      var wrap = el("label", null, "cg-check");
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.addEventListener("change", function () {
        if (input.checked) hidden[facet].delete(value); else hidden[facet].add(value);
        applyFilters();
      });
      wrap.appendChild(input);
      wrap.appendChild(el("span", value));
      box.appendChild(wrap);
    });
  });

  // Legend.
  data.legend.forEach(function (entry) {
    var li = el("li");
    var swatch = el("span", null, "cg-swatch");
    swatch.style.background = entry.color;
    swatch.style.borderRadius = "2px";
    li.appendChild(swatch);
    li.appendChild(el("span", entry.label + " (" + entry.count.toLocaleString() + ")"));
    $("cg-legend").appendChild(li);
  });
  data.filters.type.forEach(function (type) {
    var li = el("li");
    var swatch = el("span", null, "cg-swatch");
    swatch.style.background = data.pointColors[type] || "#333";
    li.appendChild(swatch);
    li.appendChild(el("span", type));
    $("cg-point-legend").appendChild(li);
  });
  data.notes.forEach(function (note) { $("cg-notes").appendChild(el("li", note)); });
  if (!data.notes.length) $("cg-notes-box").hidden = true;

  var state = { data: data, drawn: drawn, svg: svg, pointsShown: data.points.length, ready: false };
  window.civicgraph = state;
  applyFilters();
  requestAnimationFrame(function () {
    state.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
})();
