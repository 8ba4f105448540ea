/*
 * Progressive enhancement for the Transparency site. Every page works without it:
 * tables are complete, the accounts are also listed by platform, permalinks are links.
 *
 * - sortable tables (table[data-sortable]): column headings become buttons
 * - table filter (input[data-filter]): hides rows that do not match
 * - "Is this account official?" (form.account-check): checks data/accounts.json
 * - copy link: a section's permalink also copies its address
 * - print: links print their full address
 *
 * No third-party code and no requests beyond this site's own data file.
 *
 * The words are English unless the page gives them in its language: JSON in the
 * data-words of the element a feature works on (a sortable table, the filter, the
 * account check; written by site_builder/pages/) or of the page's <header> (the header's
 * buttons, "copied"; theme/partials/header.html).
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // ---------------------------------------------------------------------- words
  // `english`, with whatever the page gives in the language of the page over it.
  function wordsOf(node, english) {
    var words = {};
    Object.keys(english).forEach(function (key) { words[key] = english[key]; });
    var given = node && node.getAttribute("data-words");
    if (given) {
      try {
        var page = JSON.parse(given);
        Object.keys(page).forEach(function (key) { words[key] = page[key]; });
      } catch (e) { /* keep the English */ }
    }
    return words;
  }

  // A sentence's pieces: its text, with nodes (or text) in place of its %(name)s.
  function pieces(template, values) {
    var out = [];
    template.split(/(%\([a-z]+\)s)/).forEach(function (part) {
      var name = /^%\(([a-z]+)\)s$/.exec(part);
      var value = name ? values[name[1]] : part;
      if (value === undefined || value === null || value === "") return;
      out.push(typeof value === "string" ? document.createTextNode(value) : value);
    });
    return out;
  }

  function fill(template, values) {
    return pieces(template, values).map(function (node) { return node.textContent; }).join("");
  }

  function append(parent, nodes) {
    nodes.forEach(function (node) { parent.appendChild(node); });
  }

  // ---------------------------------------------------------------- live region
  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("role", "status");
      announcer.setAttribute("aria-live", "polite");
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // ------------------------------------------------------------ sortable tables
  function sortValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var keyed = cell.querySelector("[data-sort]");
    if (keyed) return keyed.getAttribute("data-sort");
    var time = cell.querySelector("time[datetime]");
    if (time) return time.getAttribute("datetime");
    return cell.textContent.trim();
  }

  function sortTable(table, index) {
    var headers = table.tHead.rows[0].cells;
    var ascending = headers[index].getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    headers[index].setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a, index), y = sortValue(b, index);
      if (x === "" && y !== "") return 1;
      if (y === "" && x !== "") return -1;
      var order = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var words = wordsOf(table, SORT_WORDS);
    announce(fill(ascending ? words.sortedUp : words.sortedDown,
                  { column: headers[index].textContent.trim() }));
  }

  var SORT_WORDS = {
    sortHint: "(select a column heading to sort)",
    sortedUp: "Sorted by %(column)s, ascending",
    sortedDown: "Sorted by %(column)s, descending"
  };

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, index); });
    });
    var caption = table.caption;
    if (caption) {
      var hint = document.createElement("span");
      hint.className = "sort-hint";
      hint.textContent = " " + wordsOf(table, SORT_WORDS).sortHint;
      caption.appendChild(hint);
    }
  }

  // --------------------------------------------------------------- table filter
  function makeFilter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    var box = input.closest(".table-filter");
    var count = box && box.querySelector(".table-filter__count");
    var words = wordsOf(box, { showing: "Showing %(shown)s of %(total)s accounts." });
    if (box) box.hidden = false;
    function apply() {
      var query = input.value.trim().toLowerCase();
      var rows = table.tBodies[0].rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var match = !query || rows[i].textContent.toLowerCase().indexOf(query) !== -1;
        rows[i].hidden = !match;
        if (match) shown++;
      }
      if (count) {
        count.textContent = query ? fill(words.showing, {
          shown: String(shown), total: String(rows.length)
        }) : "";
      }
    }
    input.addEventListener("input", apply);
  }

  // ------------------------------------------------- "Is this account official?"
  var SUBDOMAINS = /^(www|m|mobile|web)\./;

  function firstSegment(path) {
    var part = path.replace(/^\/+/, "").split(/[/?#]/)[0] || "";
    try { part = decodeURIComponent(part); } catch (e) { /* keep as written */ }
    return part.replace(/^@/, "").toLowerCase();
  }

  function parseQuery(text) {
    var q = text.trim();
    if (!q) return null;
    var candidate = null;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(q)) candidate = q;
    else if (/^[a-z0-9.-]+\.[a-z]{2,}(\/|$)/i.test(q)) candidate = "https://" + q;
    if (candidate) {
      try {
        var u = new URL(candidate);
        return {
          host: u.hostname.toLowerCase().replace(SUBDOMAINS, ""),
          name: firstSegment(u.pathname)
        };
      } catch (e) { /* not a URL: treat as a name */ }
    }
    return { host: null, name: q.replace(/^@/, "").toLowerCase() };
  }

  function onDomain(host, domains) {
    return domains.some(function (d) { return host === d || host.slice(-d.length - 1) === "." + d; });
  }

  function findAccounts(data, query) {
    var platforms = {};
    data.platforms.forEach(function (p) { platforms[p.id] = p; });
    var knownHost = query.host === null || data.platforms.some(function (p) {
      return onDomain(query.host, p.domains);
    });
    var matches = data.accounts.filter(function (account) {
      var platform = platforms[account.platform];
      var names = [account.handle.replace(/^@/, "").toLowerCase()];
      try { names.push(firstSegment(new URL(account.url).pathname)); } catch (e) { /* skip */ }
      if (query.host !== null && !(platform && onDomain(query.host, platform.domains))) {
        return false;
      }
      return query.name !== "" && names.indexOf(query.name) !== -1;
    });
    return { matches: matches, knownHost: knownHost };
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  var CHECK_WORDS = {
    yes: "Yes.",
    no: "No.",
    official: "%(handle)s on %(platform)s is an official City account, run by " +
      "%(department)s.",
    officialBefore: "%(handle)s on %(platform)s is an official City account, now " +
      "%(status)s (no longer updated), run by %(department)s.",
    statuses: {},
    sample: "This entry is a sample record, not a real City account.",
    notPlatform: "%(host)s is not a platform the City uses for official accounts.",
    notListed: "This account is not in the directory of official City accounts. If it " +
      "claims to speak for the City, it may be unofficial.",
    report: "%(link)s if you think it is breaking the City's rules.",
    reportLink: "Report it",
    reportUrl: "/report/",
    empty: "Enter an account address or name first.",
    failed: "The directory could not be loaded. Look for the account in the lists by " +
      "platform below."
  };

  function reportLink(words) {
    var link = element("a", words.reportLink);
    link.href = words.reportUrl;
    return link;
  }

  // What the directory gives in English alone, marked as English on a page in another
  // language.
  function inEnglish(text) {
    if (/^en\b/.test(document.documentElement.lang || "en")) return text;
    var span = element("span", text);
    span.setAttribute("lang", "en");
    return span;
  }

  function showResult(box, query, found, words) {
    box.textContent = "";
    if (found.matches.length) {
      found.matches.forEach(function (account) {
        var p = element("p", null, "account-check__answer account-check__answer--yes");
        var values = {
          handle: account.handle, platform: inEnglish(account.platform_name),
          department: inEnglish(account.department),
          status: words.statuses[account.status] || account.status
        };
        p.appendChild(element("strong", words.yes));
        p.appendChild(document.createTextNode(" "));
        append(p, pieces(account.status === "active" ? words.official : words.officialBefore,
                         values));
        if (account.sample) p.appendChild(document.createTextNode(" " + words.sample));
        box.appendChild(p);
      });
      return;
    }
    var p = element("p", null, "account-check__answer account-check__answer--no");
    p.appendChild(element("strong", words.no));
    p.appendChild(document.createTextNode(" "));
    if (query.host !== null && !found.knownHost) {
      append(p, pieces(words.notPlatform, { host: query.host }));
    } else {
      p.appendChild(document.createTextNode(words.notListed));
    }
    p.appendChild(document.createTextNode(" "));
    append(p, pieces(words.report, { link: reportLink(words) }));
    box.appendChild(p);
  }

  function makeChecker(form) {
    var source = form.getAttribute("data-accounts");
    var input = form.querySelector("input");
    var box = form.querySelector(".account-check__result");
    var words = wordsOf(form, CHECK_WORDS);
    var data = null;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = parseQuery(input.value);
      if (!query) {
        box.textContent = words.empty;
        input.focus();
        return;
      }
      var load = data ? Promise.resolve(data) : fetch(new URL(source, document.baseURI))
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (json) { data = json; return json; });
      load.then(function (json) {
        showResult(box, query, findAccounts(json, query), words);
      }).catch(function () {
        box.textContent = words.failed;
      });
    });
  }

  // ------------------------------------------------------------------ copy link
  function makeCopyLink(link) {
    link.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) return;
      var label = link.getAttribute("aria-label") || PAGE_WORDS.link;
      navigator.clipboard.writeText(link.href).then(function () {
        announce(fill(PAGE_WORDS.copied, { label: label }));
        link.classList.add("is-copied");
        window.setTimeout(function () { link.classList.remove("is-copied"); }, 1500);
      }, function () { /* the link still works as a link */ });
    });
  }

  // ------------------------------------------------------- header menu buttons
  // Material's header opens the navigation drawer and the search with <label>s for hidden
  // checkboxes, which a keyboard cannot reach (Material issue #4101). With JavaScript, a
  // real <button> takes each label's place; CSS shows it at the same screen widths.
  function makeHeaderButtons() {
    [["__drawer", PAGE_WORDS.menu], ["__search", PAGE_WORDS.search]].forEach(function (pair) {
      var toggle = document.getElementById(pair[0]);
      var label = document.querySelector('.md-header label.md-header__button[for="' +
                                         pair[0] + '"]');
      if (!toggle || !label) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-header__button md-icon header-toggle header-toggle" + pair[0];
      button.setAttribute("aria-label", pair[1]);
      Array.prototype.forEach.call(label.childNodes, function (node) {
        button.appendChild(node.cloneNode(true));
      });
      function sync() { button.setAttribute("aria-expanded", toggle.checked ? "true" : "false"); }
      sync();
      toggle.addEventListener("change", sync);
      button.addEventListener("click", function () {
        toggle.checked = !toggle.checked;
        toggle.dispatchEvent(new Event("change", { bubbles: true }));
      });
      label.parentNode.insertBefore(button, label);
      label.classList.add("header-toggle-replaced");
    });
  }

  // ---------------------------------------------------------------------- print
  function markPrintUrls() {
    var links = document.querySelectorAll(".md-content a[href]");
    Array.prototype.forEach.call(links, function (link) {
      var href = link.getAttribute("href");
      if (href.charAt(0) === "#") return;
      link.setAttribute("data-print-url", link.href);
    });
  }

  // The words of the page as a whole (header.html writes them on <header>).
  var PAGE_WORDS = {
    link: "Link",
    copied: "%(label)s copied",
    menu: "Navigation menu",
    search: "Search"
  };

  ready(function () {
    PAGE_WORDS = wordsOf(document.querySelector("header[data-words]"), PAGE_WORDS);
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), makeFilter);
    Array.prototype.forEach.call(document.querySelectorAll("form.account-check"), makeChecker);
    Array.prototype.forEach.call(document.querySelectorAll("a.policy-permalink"), makeCopyLink);
    makeHeaderButtons();
    markPrintUrls();
  });
})();
