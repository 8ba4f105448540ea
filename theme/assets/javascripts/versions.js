/*
 * Versions: "in effect on a date" and "compare any two versions", without a server.
 *
 * - form.version-picker: reads data/versions/<id>.json and opens the version that was in
 *   effect on the chosen date. Without JavaScript the version list answers the same.
 * - form.version-compare: opens the prepared redline for a pair when there is one, and
 *   otherwise redlines the two versions here, from data/versions/<id>.text.json.
 *
 * The redline below is a line-for-line port of site_builder/redline.py (SequenceMatcher
 * with autojunk off, the same tokens, the same alignment, the same HTML); a browser test
 * holds the two to identical output. No third-party code.
 *
 * The words the forms write are English here; a page in another language gives them in
 * its language as the form's `data-words` (JSON, written by pages/compare.py and
 * pages/version_list.py), and the redline's screen-reader words with them
 * (redline.in_language).
 */
(function () {
  "use strict";

  // ------------------------------------------------------------- SequenceMatcher
  function SequenceMatcher(a, b) {
    this.a = a;
    this.b = b;
    var b2j = new Map();
    for (var j = 0; j < b.length; j++) {
      var list = b2j.get(b[j]);
      if (!list) { list = []; b2j.set(b[j], list); }
      list.push(j);
    }
    this.b2j = b2j;
  }

  SequenceMatcher.prototype.findLongestMatch = function (alo, ahi, blo, bhi) {
    var a = this.a, b = this.b, b2j = this.b2j;
    var besti = alo, bestj = blo, bestsize = 0;
    var j2len = new Map();
    for (var i = alo; i < ahi; i++) {
      var newj2len = new Map();
      var js = b2j.get(a[i]) || [];
      for (var n = 0; n < js.length; n++) {
        var j = js[n];
        if (j < blo) continue;
        if (j >= bhi) break;
        var k = (j2len.get(j - 1) || 0) + 1;
        newj2len.set(j, k);
        if (k > bestsize) { besti = i - k + 1; bestj = j - k + 1; bestsize = k; }
      }
      j2len = newj2len;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--; bestj--; bestsize++;
    }
    while (besti + bestsize < ahi && bestj + bestsize < bhi &&
           a[besti + bestsize] === b[bestj + bestsize]) {
      bestsize++;
    }
    return [besti, bestj, bestsize];
  };

  SequenceMatcher.prototype.getMatchingBlocks = function () {
    var la = this.a.length, lb = this.b.length;
    var queue = [[0, la, 0, lb]];
    var blocks = [];
    while (queue.length) {
      var q = queue.pop();
      var alo = q[0], ahi = q[1], blo = q[2], bhi = q[3];
      var x = this.findLongestMatch(alo, ahi, blo, bhi);
      var i = x[0], j = x[1], k = x[2];
      if (k) {
        blocks.push(x);
        if (alo < i && blo < j) queue.push([alo, i, blo, j]);
        if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
      }
    }
    blocks.sort(function (p, q) { return p[0] - q[0] || p[1] - q[1] || p[2] - q[2]; });
    var i1 = 0, j1 = 0, k1 = 0, out = [];
    for (var n = 0; n < blocks.length; n++) {
      var i2 = blocks[n][0], j2 = blocks[n][1], k2 = blocks[n][2];
      if (i1 + k1 === i2 && j1 + k1 === j2) {
        k1 += k2;
      } else {
        if (k1) out.push([i1, j1, k1]);
        i1 = i2; j1 = j2; k1 = k2;
      }
    }
    if (k1) out.push([i1, j1, k1]);
    out.push([la, lb, 0]);
    return out;
  };

  SequenceMatcher.prototype.getOpcodes = function () {
    var i = 0, j = 0, answer = [];
    var blocks = this.getMatchingBlocks();
    for (var n = 0; n < blocks.length; n++) {
      var ai = blocks[n][0], bj = blocks[n][1], size = blocks[n][2];
      var tag = "";
      if (i < ai && j < bj) tag = "replace";
      else if (i < ai) tag = "delete";
      else if (j < bj) tag = "insert";
      if (tag) answer.push([tag, i, ai, j, bj]);
      i = ai + size; j = bj + size;
      if (size) answer.push(["equal", ai, i, bj, j]);
    }
    return answer;
  };

  // ------------------------------------------------------------------- redline
  var S = " \\t\\n\\r\\f\\v\\u00a0\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var W = "\\p{L}\\p{N}_";
  var TOKEN = new RegExp("(?:[" + W + "]+(?:['\\u2019-][" + W + "]+)*|[^" + W + S + "])[" +
                         S + "]*", "gu");
  var WORD_START = new RegExp("^[" + W + "]", "u");
  var SPACE = new RegExp("[" + S + "]+", "gu");
  var PREAMBLE_ID = "opening-text";

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function pyStrip(text) {
    return text.replace(new RegExp("^[" + S + "]+|[" + S + "]+$", "gu"), "");
  }

  function tokens(text) {
    return pyStrip(text).match(TOKEN) || [];
  }

  function textHtml(text) {
    return escapeHtml(text).replace(/\n[ \t]*\n\s*/g, "<br><br>");
  }

  var SR = { ins: ["inserted: ", "end of insertion"], del: ["deleted: ", "end of deletion"] };

  function rstrip(text) {
    return text.replace(new RegExp("[" + S + "]+$", "u"), "");
  }

  function mark(tag, text) {
    var body = rstrip(text);
    var trail = text.slice(body.length);
    if (!body) return textHtml(text);
    return "<" + tag + '><span class="rl-bracket" aria-hidden="true">[</span>' +
      '<span class="rl-sr">' + SR[tag][0] + "</span>" + textHtml(body) +
      '<span class="rl-sr"> (' + SR[tag][1] + ")</span>" +
      '<span class="rl-bracket" aria-hidden="true">]</span></' + tag + ">" +
      (trail ? " " : "");
  }

  function diffWords(oldText, newText) {
    var a = tokens(oldText), b = tokens(newText);
    var ka = a.map(function (t) { return t.replace(SPACE, ""); });
    var kb = b.map(function (t) { return t.replace(SPACE, ""); });
    var out = [], inserted = 0, deleted = 0;
    var ops = new SequenceMatcher(ka, kb).getOpcodes();
    for (var n = 0; n < ops.length; n++) {
      var tag = ops[n][0], i1 = ops[n][1], i2 = ops[n][2], j1 = ops[n][3], j2 = ops[n][4];
      if (tag === "equal") { out.push(textHtml(b.slice(j1, j2).join(""))); continue; }
      var last = out.length ? out[out.length - 1].slice(-1) : "";
      if (last && WORD_START.test(last) && WORD_START.test(i2 > i1 ? a[i1] : b[j1])) out.push(" ");
      if (tag === "delete" || tag === "replace") {
        var struck = mark("del", a.slice(i1, i2).join(""));
        out.push(tag === "replace" ? rstrip(struck) + " " : struck);
        deleted += i2 - i1;
      }
      if (tag === "insert" || tag === "replace") {
        out.push(mark("ins", b.slice(j1, j2).join("")));
        inserted += j2 - j1;
      }
    }
    return [out.join(""), inserted, deleted];
  }

  function isId(key) { return key.charAt(0) === "#"; }

  function align(old, neu) {
    var oldIds = new Map(), newIds = new Map();
    old.forEach(function (k, i) { if (isId(k)) oldIds.set(k, i); });
    neu.forEach(function (k, j) { if (isId(k)) newIds.set(k, j); });
    var pairs = [];
    var ops = new SequenceMatcher(old, neu).getOpcodes();
    for (var n = 0; n < ops.length; n++) {
      var tag = ops[n][0], i1 = ops[n][1], i2 = ops[n][2], j1 = ops[n][3], j2 = ops[n][4];
      if (tag === "equal") {
        for (var k = 0; k < i2 - i1; k++) pairs.push([i1 + k, j1 + k]);
        continue;
      }
      var spare = [], gone = [], i, j;
      for (i = i1; i < i2; i++) {
        if (!isId(old[i])) spare.push(i);
        else if (!newIds.has(old[i])) gone.push(i);
      }
      var news = [];
      for (j = j1; j < j2; j++) {
        var key = neu[j];
        if (isId(key)) news.push([oldIds.has(key) ? oldIds.get(key) : null, j]);
        else if (spare.length) news.push([spare.shift(), j]);
        else news.push([null, j]);
      }
      var removed = gone.concat(spare).sort(function (x, y) { return x - y; });
      removed.forEach(function (r) { pairs.push([r, null]); });
      pairs = pairs.concat(news);
    }
    return pairs;
  }

  // A unit is [key, kind, marker, depth, text, source]; a part is [id, title, level, units].
  function unitKey(u) { return u[0] ? "#" + u[0] : "\u00b6" + u[4]; }

  function unitHtml(u, inner, state) {
    var classes = "rl-unit rl-" + u[1] + " rl-depth-" + Math.min(u[3], 5);
    if (state !== "same") classes += " rl-" + state;
    var anchor = u[0] ? ' id="' + escapeHtml(u[0]) + '"' : "";
    var marker = u[2] ? "<strong>" + escapeHtml(u[2]) + "</strong> " : "";
    if (u[1] === "code") {
      return '<div class="' + classes + '"' + anchor + "><pre><code>" + inner +
        "</code></pre></div>";
    }
    return '<div class="' + classes + '"' + anchor + "><p>" + marker + inner + "</p></div>";
  }

  function whole(tag, u) {
    var marker = u[2] ? u[2] + " " : "";
    var text = rstrip(mark(tag, marker + u[4]));
    var classes = "rl-unit rl-" + u[1] + " rl-depth-" + Math.min(u[3], 5) + " rl-" +
      (tag === "ins" ? "added" : "removed");
    var anchor = u[0] ? ' id="' + escapeHtml(u[0]) + '"' : "";
    if (u[1] === "code") {
      return '<div class="' + classes + '"' + anchor + "><pre><code>" + text +
        "</code></pre></div>";
    }
    return '<div class="' + classes + '"' + anchor + "><p>" + text + "</p></div>";
  }

  var FORMAT_NOTE = '<span class="rl-note">(formatting or link changed)</span>';

  function compareUnits(a, b) {
    if (a[4] === b[4]) {
      var inner = textHtml(b[4]);
      if (a[5] === b[5] && a[2] === b[2]) return [unitHtml(b, inner, "same"), false, 0, 0];
      return [unitHtml(b, inner + " " + FORMAT_NOTE, "changed"), true, 0, 0];
    }
    var d = diffWords(a[4], b[4]);
    return [unitHtml(b, d[0], "changed"), true, d[1], d[2]];
  }

  function heading(part, inner, state) {
    if (part[0] === PREAMBLE_ID) return "";
    var level = Math.min(Math.max(part[2], 2), 6);
    var cls = state !== "same" ? ' class="rl-heading rl-' + state + '"' : ' class="rl-heading"';
    return "<h" + level + ' id="' + escapeHtml(part[0]) + '"' + cls + ">" + inner + "</h" +
      level + ">";
  }

  function sectionWrap(part, status, body) {
    var cls = "rl-section" + (status !== "same" ? " rl-section-" + status : "");
    var anchor = part[0] === PREAMBLE_ID ? ' id="' + PREAMBLE_ID + '"' : "";
    return '<div class="' + cls + '"' + anchor + ">" +
      body.filter(function (x) { return x; }).join("") + "</div>";
  }

  function countWords(units) {
    return units.reduce(function (n, u) { return n + tokens(u[4]).length; }, 0);
  }

  function partHtml(old, neu) {
    if (!old || !neu) {
      var part = neu || old;
      var tag = neu ? "ins" : "del";
      var status = neu ? "added" : "removed";
      var words = countWords(part[3]);
      var body = [heading(part, rstrip(mark(tag, part[1])), status)];
      part[3].forEach(function (u) { body.push(whole(tag, u)); });
      return [sectionWrap(part, status, body), status, neu ? words : 0, neu ? 0 : words];
    }
    var changed = false, inserted = 0, deleted = 0, title;
    if (old[1] === neu[1]) {
      title = textHtml(neu[1]);
    } else {
      var d = diffWords(old[1], neu[1]);
      title = d[0]; inserted += d[1]; deleted += d[2]; changed = true;
    }
    var out = [heading(neu, title, old[1] !== neu[1] ? "changed" : "same")];
    var pairs = align(old[3].map(unitKey), neu[3].map(unitKey));
    pairs.forEach(function (p) {
      if (p[0] === null) {
        out.push(whole("ins", neu[3][p[1]]));
        inserted += tokens(neu[3][p[1]][4]).length;
        changed = true;
      } else if (p[1] === null) {
        out.push(whole("del", old[3][p[0]]));
        deleted += tokens(old[3][p[0]][4]).length;
        changed = true;
      } else {
        var r = compareUnits(old[3][p[0]], neu[3][p[1]]);
        out.push(r[0]);
        changed = changed || r[1];
        inserted += r[2]; deleted += r[3];
      }
    });
    var state = changed ? "changed" : "same";
    return [sectionWrap(neu, state, out), state, inserted, deleted];
  }

  function compareParts(old, neu) {
    var pairs = align(old.map(function (p) { return "#" + p[0]; }),
                      neu.map(function (p) { return "#" + p[0]; }));
    var html = [], sections = [], inserted = 0, deleted = 0;
    pairs.forEach(function (p) {
      var a = p[0] !== null ? old[p[0]] : null;
      var b = p[1] !== null ? neu[p[1]] : null;
      var r = partHtml(a, b);
      html.push(r[0]);
      inserted += r[2]; deleted += r[3];
      if (r[1] !== "same") {
        var part = b || a;
        sections.push([part[0], part[1] || "Opening text", r[1]]);
      }
    });
    return {
      html: '<div class="redline">' + html.join("\n") + "</div>",
      sections: sections, inserted: inserted, deleted: deleted
    };
  }

  // redline.in_language: the screen-reader words and the formatting note in the page's
  // language (and marked so), the compared text, which is English, marked as such.
  function inLanguage(html, words) {
    if (!words.lang) return html;
    var lang = ' lang="' + escapeHtml(words.lang) + '"';
    [["ins", "inserted", "end_inserted"], ["del", "deleted", "end_deleted"]].forEach(function (x) {
      var english = SR[x[0]];
      html = html.split('<span class="rl-sr">' + english[0] + "</span>").join(
        '<span class="rl-sr"' + lang + ">" + escapeHtml(words[x[1]]) + ": </span>");
      html = html.split('<span class="rl-sr"> (' + english[1] + ")</span>").join(
        '<span class="rl-sr"' + lang + "> (" + escapeHtml(words[x[2]]) + ")</span>");
    });
    html = html.split(FORMAT_NOTE).join(
      '<span class="rl-note"' + lang + ">(" + escapeHtml(words.format) + ")</span>");
    return html.replace('<div class="redline">', '<div class="redline" lang="en">');
  }

  function offsetHeadings(html) {
    return html.replace(/<(\/?)h([1-6])/g, function (_, slash, level) {
      return "<" + slash + "h" + Math.min(Number(level) + 1, 6);
    });
  }

  window.transparencyRedline = {
    tokens: tokens, diffWords: diffWords, align: align, compareParts: compareParts,
    inLanguage: inLanguage
  };

  // ------------------------------------------------------------------ the forms
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  // The form's words in the page's language ({} in English: the words written here).
  function wordsOf(form) {
    try {
      return JSON.parse(form.getAttribute("data-words") || "{}");
    } catch (error) {
      return {};
    }
  }

  // A sentence in the page's language, its %(name)s placeholders filled.
  function say(words, key, english, values) {
    var text = words[key] || english;
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  function fmtDate(iso, lang) {
    var parts = iso.split("-").map(Number);
    var date = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    return date.toLocaleDateString(lang || "en-US", {
      year: "numeric", month: "long", day: "numeric", timeZone: "UTC"
    });
  }

  function setupPicker(form) {
    var input = form.querySelector("input[type=date]");
    var result = form.querySelector(".version-picker-result");
    var words = wordsOf(form);
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var day = input.value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
        result.textContent = say(words, "enter", "Enter a date, for example 2026-03-01.");
        input.focus();
        return;
      }
      getJson(form.getAttribute("data-index")).then(function (index) {
        var found = null;
        index.versions.forEach(function (v) { if (v.from && v.from <= day) found = v; });
        if (!found) {
          var first = index.versions.filter(function (v) { return v.from; })[0];
          var date = fmtDate(day, words.lang);
          result.textContent = first
            ? say(words, "none_first", "No version of this policy was in effect on %(date)s. " +
                  "The first version on record is from %(first)s.",
                  { date: date, first: fmtDate(first.from, words.lang) })
            : say(words, "none", "No version of this policy was in effect on %(date)s.",
                  { date: date });
          return;
        }
        result.textContent = say(words, "found",
                                 "Version %(number)s was in effect on %(date)s. Opening it…",
                                 { number: found.number, date: fmtDate(day, words.lang) });
        window.location.href = form.getAttribute("data-root") + found.url;
      }).catch(function () {
        result.textContent = say(words, "failed",
                                 "The list of versions could not be loaded; use the table below.");
      });
    });
  }

  function setupCompare(form) {
    var from = form.querySelector("select[name=from]");
    var to = form.querySelector("select[name=to]");
    var status = form.querySelector(".version-compare-status");
    var output = document.querySelector(".version-compare-result");
    var prepared = JSON.parse(form.getAttribute("data-prepared") || "{}");
    var words = wordsOf(form);
    var count = to.options.length;
    if (count >= 2) { from.selectedIndex = count - 2; to.selectedIndex = count - 1; }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var a = Number(from.value), b = Number(to.value);
      if (a === b) {
        status.textContent = say(words, "different", "Choose two different versions.");
        from.focus();
        return;
      }
      if (a > b) { var t = a; a = b; b = t; }
      var pair = { old: a, "new": b };
      var key = a + "-" + b;
      if (prepared[key]) {
        status.textContent = say(words, "opening",
                                 "Opening the changes from version %(old)s to version %(new)s…",
                                 pair);
        window.location.href = prepared[key];
        return;
      }
      status.textContent = say(words, "comparing",
                               "Comparing version %(old)s with version %(new)s…", pair);
      getJson(form.getAttribute("data-text")).then(function (data) {
        var old = data.versions[String(a)], neu = data.versions[String(b)];
        if (!old || !neu) {
          status.textContent = say(words, "missing",
                                   "The text of one of these versions is not available.");
          return;
        }
        var r = compareParts(old, neu);
        var list = r.sections.map(function (s) {
          var title = s[0] === PREAMBLE_ID ? say(words, "opening_text", s[1]) : s[1];
          var english = s[0] !== PREAMBLE_ID && words.lang ? ' lang="en"' : "";
          return '<li><a href="#' + escapeHtml(s[0]) + '"' + english + ">" + escapeHtml(title) +
            "</a> (" + escapeHtml(say(words, s[2], s[2])) + ")</li>";
        }).join("");
        output.innerHTML =
          '<h2 id="compare--result" tabindex="-1">' +
          escapeHtml(say(words, "title", "Changes from version %(old)s to version %(new)s",
                         pair)) + "</h2>" +
          (list ? "<p>" + escapeHtml(say(words, "sections", "Sections that changed:")) +
                  "</p><ul>" + list + "</ul><p>" +
                  escapeHtml(say(words, "counts", "%(inserted)s words inserted, %(deleted)s " +
                                 "deleted.", { inserted: r.inserted, deleted: r.deleted })) +
                  "</p>"
                : "<p>" + escapeHtml(say(words, "same",
                                         "The words are the same in both versions.")) + "</p>") +
          offsetHeadings(inLanguage(r.html, words));
        status.textContent = say(words, "showing",
                                 "Showing the changes from version %(old)s to version %(new)s.",
                                 pair);
        output.querySelector("h2").focus();
      }).catch(function () {
        status.textContent = say(words, "failed",
                                 "The versions could not be loaded; use the prepared " +
                                 "comparisons.");
      });
    });
  }

  ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.version-picker"), setupPicker);
    Array.prototype.forEach.call(document.querySelectorAll("form.version-compare"),
                                 setupCompare);
  });
})();
