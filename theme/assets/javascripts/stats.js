/*
 * Feedback and reports received: fills <div id="intake-stats"> with a chart (inline SVG)
 * and the same numbers in tables, from the feedback service's GET /api/v1/stats.
 *
 * Without JavaScript, or when the site is served without the feedback service (a plain
 * static server answers 404), the placeholder keeps its own text and link: nothing breaks.
 * No third-party code; the only request is to this site's own /api/v1/stats.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var MONTHS_SHOWN = 12;

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function el(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function svg(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A hidden count is small, or hidden beside a small one: "not published" says no more.
  function shown(row) {
    if (row.suppressed || row.count === null) return "not published";
    return row.count.toLocaleString("en-US");
  }

  function monthName(month) {
    var parts = month.split("-");
    var date = new Date(Date.UTC(+parts[0], +parts[1] - 1, 1));
    return date.toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
  }

  function table(caption, heading, rows, label, threshold) {
    var t = el("table", null, "intake-stats__table");
    t.appendChild(el("caption", caption));
    var head = t.createTHead().insertRow();
    [heading, "Number"].forEach(function (text) {
      var th = el("th", text);
      th.setAttribute("scope", "col");
      head.appendChild(th);
    });
    var body = t.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      var th = el("th", label(row));
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      tr.appendChild(el("td", shown(row)));
    });
    return t;
  }

  function chart(rows, threshold, titleId) {
    var width = 640, height = 220, top = 20, bottom = 40, left = 8;
    var band = (width - left) / rows.length;
    var max = Math.max(threshold, Math.max.apply(null, rows.map(function (r) {
      return r.count === null ? threshold - 1 : r.count;
    })));
    var root = svg("svg", {
      viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-labelledby": titleId, "class": "intake-stats__chart", focusable: "false"
    });
    root.appendChild(svg("title", { id: titleId },
      "Bar chart of feedback and reports received per month; the numbers are in the table."));
    rows.forEach(function (row, i) {
      var value = row.count === null ? threshold - 1 : row.count;
      var h = Math.round((height - top - bottom) * value / max);
      var x = left + i * band + band * 0.15;
      var y = height - bottom - h;
      var bar = svg("rect", {
        x: x.toFixed(1), y: y, width: (band * 0.7).toFixed(1), height: Math.max(h, 1),
        "class": row.suppressed ? "intake-stats__bar intake-stats__bar--suppressed"
          : "intake-stats__bar"
      });
      root.appendChild(bar);
      root.appendChild(svg("text", {
        x: (x + band * 0.35).toFixed(1), y: y - 4, "text-anchor": "middle",
        "class": "intake-stats__value"
      }, row.suppressed ? "hidden" : String(row.count)));
      root.appendChild(svg("text", {
        x: (x + band * 0.35).toFixed(1), y: height - bottom + 16, "text-anchor": "middle",
        "class": "intake-stats__label"
      }, monthName(row.month).split(" ")[0]));
    });
    return root;
  }

  function fill(box, stats) {
    var threshold = stats.suppressed_below;
    var months = stats.by_month.slice(-MONTHS_SHOWN);
    var titleId = "intake-stats-chart-title";
    box.textContent = "";
    var total = shown(stats.total);
    box.appendChild(el("p", "Received in all: " + total + " (spam left out). " + stats.note));
    var figure = el("div", null, "intake-stats__figure");
    figure.appendChild(chart(months, threshold, titleId));
    figure.appendChild(table("Received per month, last " + months.length + " months", "Month",
      months, function (r) { return monthName(r.month); }, threshold));
    box.appendChild(figure);
    var more = el("div", null, "intake-stats__tables");
    more.appendChild(table("By type", "Type", stats.by_kind,
      function (r) { return r.label; }, threshold));
    more.appendChild(table("By state", "State", stats.by_state,
      function (r) { return r.label; }, threshold));
    more.appendChild(table("Reports by kind of problem", "Kind of problem",
      stats.by_category, function (r) { return r.label; }, threshold));
    box.appendChild(more);
    var source = el("p", null, "intake-stats__source");
    source.appendChild(document.createTextNode("Source: "));
    var link = el("a", "the statistics as JSON");
    link.href = box.getAttribute("data-stats-url");
    source.appendChild(link);
    source.appendChild(document.createTextNode(", updated " +
      new Date(stats.generated).toLocaleString("en-US", { timeZone: "UTC" }) + " UTC."));
    box.appendChild(source);
    box.setAttribute("data-state", "loaded");
  }

  ready(function () {
    var box = document.getElementById("intake-stats");
    if (!box || !window.fetch) return;
    var url = box.getAttribute("data-stats-url") || "/api/v1/stats";
    window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) throw new Error("no stats");
        return response.json();
      })
      .then(function (stats) {
        if (!stats || !stats.by_month || !stats.total) throw new Error("unexpected stats");
        fill(box, stats);
      })
      .catch(function () {
        box.setAttribute("data-state", "unavailable");  // the fallback text stays
      });
  });
})();
