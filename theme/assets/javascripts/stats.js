/*
 * Feedback and reports received: fills <div id="intake-stats"> with a chart (inline SVG)
 * and the same numbers in tables, from the feedback service's GET /api/v1/stats.
 *
 * Without JavaScript, or when the site is served without the feedback service (a plain
 * static server answers 404), the placeholder keeps its own text and link: nothing breaks.
 * No third-party code; the only request is to this site's own /api/v1/stats.
 *
 * A page in another language than English gives the words in its language as JSON in
 * the placeholder's data-words (site_builder/stats_pages.py), and its language in
 * data-lang, which is asked of the service (Accept-Language) for its labels and note and
 * used to write numbers and dates. Without them the words are the English below.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var MONTHS_SHOWN = 12;
  var LOCALE = "en-US";
  var WORDS = {
    notPublished: "not published",
    hidden: "hidden",
    chartTitle: "Bar chart of feedback and reports received per month; the numbers are in " +
      "the table.",
    total: "Received in all: %(total)s (spam left out).",
    perMonth: "Received per month, last %(num)s months",
    month: "Month",
    number: "Number",
    byType: "By type",
    type: "Type",
    byState: "By state",
    state: "State",
    byCategory: "Reports by kind of problem",
    category: "Kind of problem",
    source: "Source: %(link)s, updated %(time)s UTC.",
    sourceLink: "the statistics as JSON"
  };

  // The page's words, over the English ones.
  function useWords(box) {
    var given = box.getAttribute("data-words");
    if (!given) return;
    try {
      var words = JSON.parse(given);
      Object.keys(words).forEach(function (key) { WORDS[key] = words[key]; });
    } catch (e) { /* keep the English */ }
    LOCALE = box.getAttribute("data-lang") || LOCALE;
  }

  // A sentence's pieces: text, and nodes (or text) in place of its %(name)s.
  function sentence(template, values) {
    var out = [];
    template.split(/(%\([a-z]+\)s)/).forEach(function (part) {
      var name = /^%\(([a-z]+)\)s$/.exec(part);
      var value = name ? values[name[1]] : part;
      if (value === undefined || value === "") return;
      out.push(typeof value === "string" ? document.createTextNode(value) : value);
    });
    return out;
  }

  function text(template, values) {
    return sentence(template, values).map(function (node) {
      return node.textContent;
    }).join("");
  }

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
    if (row.suppressed || row.count === null) return WORDS.notPublished;
    return row.count.toLocaleString(LOCALE);
  }

  function monthName(month) {
    var parts = month.split("-");
    var date = new Date(Date.UTC(+parts[0], +parts[1] - 1, 1));
    return date.toLocaleDateString(LOCALE, { month: "short", year: "numeric", timeZone: "UTC" });
  }

  function table(caption, heading, rows, label, threshold) {
    var t = el("table", null, "intake-stats__table");
    t.appendChild(el("caption", caption));
    var head = t.createTHead().insertRow();
    [heading, WORDS.number].forEach(function (text) {
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
    root.appendChild(svg("title", { id: titleId }, WORDS.chartTitle));
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
      }, row.suppressed ? WORDS.hidden : String(row.count)));
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
    box.appendChild(el("p", text(WORDS.total, { total: total }) + " " + stats.note));
    var figure = el("div", null, "intake-stats__figure");
    figure.appendChild(chart(months, threshold, titleId));
    figure.appendChild(table(text(WORDS.perMonth, { num: String(months.length) }), WORDS.month,
      months, function (r) { return monthName(r.month); }, threshold));
    box.appendChild(figure);
    var more = el("div", null, "intake-stats__tables");
    more.appendChild(table(WORDS.byType, WORDS.type, stats.by_kind,
      function (r) { return r.label; }, threshold));
    more.appendChild(table(WORDS.byState, WORDS.state, stats.by_state,
      function (r) { return r.label; }, threshold));
    more.appendChild(table(WORDS.byCategory, WORDS.category,
      stats.by_category, function (r) { return r.label; }, threshold));
    box.appendChild(more);
    var source = el("p", null, "intake-stats__source");
    var link = el("a", WORDS.sourceLink);
    link.href = box.getAttribute("data-stats-url");
    sentence(WORDS.source, {
      link: link,
      time: new Date(stats.generated).toLocaleString(LOCALE, { timeZone: "UTC" })
    }).forEach(function (node) { source.appendChild(node); });
    box.appendChild(source);
    box.setAttribute("data-state", "loaded");
  }

  ready(function () {
    var box = document.getElementById("intake-stats");
    if (!box || !window.fetch) return;
    useWords(box);
    var url = box.getAttribute("data-stats-url") || "/api/v1/stats";
    var headers = { Accept: "application/json" };
    if (box.getAttribute("data-lang")) headers["Accept-Language"] = box.getAttribute("data-lang");
    window.fetch(url, { headers: headers, credentials: "same-origin" })
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
