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
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
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
    announce("Sorted by " + headers[index].textContent.trim() +
             (ascending ? ", ascending" : ", descending"));
  }

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
      hint.textContent = " (select a column heading to sort)";
      caption.appendChild(hint);
    }
  }

  // --------------------------------------------------------------- table filter
  function makeFilter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    var box = input.closest(".table-filter");
    var count = box && box.querySelector(".table-filter__count");
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
        count.textContent = query ? "Showing " + shown + " of " + rows.length + " accounts." : "";
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

  function reportLink() {
    var link = element("a", "Report it");
    link.href = "/report/";
    return link;
  }

  function showResult(box, query, found) {
    box.textContent = "";
    if (found.matches.length) {
      found.matches.forEach(function (account) {
        var p = element("p", null, "account-check__answer account-check__answer--yes");
        var official = account.status === "active"
          ? " is an official City account"
          : " is an official City account, now " + account.status + " (no longer updated)";
        p.appendChild(element("strong", "Yes."));
        p.appendChild(document.createTextNode(
          " " + account.handle + " on " + account.platform_name + official +
          ", run by " + account.department + "."));
        if (account.sample) {
          p.appendChild(document.createTextNode(
            " This entry is a sample record, not a real City account."));
        }
        box.appendChild(p);
      });
      return;
    }
    var p = element("p", null, "account-check__answer account-check__answer--no");
    p.appendChild(element("strong", "No."));
    if (query.host !== null && !found.knownHost) {
      p.appendChild(document.createTextNode(
        " " + query.host + " is not a platform the City uses for official accounts."));
    } else {
      p.appendChild(document.createTextNode(
        " This account is not in the directory of official City accounts. If it claims " +
        "to speak for the City, it may be unofficial."));
    }
    p.appendChild(document.createTextNode(" "));
    p.appendChild(reportLink());
    p.appendChild(document.createTextNode(" if you think it is breaking the City's rules."));
    box.appendChild(p);
  }

  function makeChecker(form) {
    var source = form.getAttribute("data-accounts");
    var input = form.querySelector("input");
    var box = form.querySelector(".account-check__result");
    var data = null;
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = parseQuery(input.value);
      if (!query) {
        box.textContent = "Enter an account address or name first.";
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
        showResult(box, query, findAccounts(json, query));
      }).catch(function () {
        box.textContent = "The directory could not be loaded. Look for the account in the " +
          "lists by platform below.";
      });
    });
  }

  // ------------------------------------------------------------------ copy link
  function makeCopyLink(link) {
    link.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) return;
      var label = link.getAttribute("aria-label") || "Link";
      navigator.clipboard.writeText(link.href).then(function () {
        announce(label + " copied");
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
    [["__drawer", "Navigation menu"], ["__search", "Search"]].forEach(function (pair) {
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

  ready(function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), makeFilter);
    Array.prototype.forEach.call(document.querySelectorAll("form.account-check"), makeChecker);
    Array.prototype.forEach.call(document.querySelectorAll("a.policy-permalink"), makeCopyLink);
    makeHeaderButtons();
    markPrintUrls();
  });
})();
