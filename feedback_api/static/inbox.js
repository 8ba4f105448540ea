// The clause picker's search-as-you-type: a text box above each multiple select of
// clauses that hides the options not containing what is typed. Without this script the
// select works as it is; chosen options stay visible whatever is typed.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function enhance(select) {
    var id = select.id + "-filter";
    var label = document.createElement("label");
    label.className = "label-small";
    label.htmlFor = id;
    label.textContent = "Find a clause (type a number like K.c, or words)";
    var box = document.createElement("input");
    box.type = "search";
    box.id = id;
    box.className = "input input-two-thirds";
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", select.id);
    var count = document.createElement("p");
    count.className = "hint";
    count.id = id + "-count";
    count.setAttribute("aria-live", "polite");
    box.setAttribute("aria-describedby", count.id);
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select);
    box.addEventListener("input", function () {
      var words = fold(box.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.text + " " + option.parentNode.label);
        var match = option.selected || words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !match;
        if (match) { shown += 1; }
      });
      count.textContent = words.length ? shown + " of " + select.options.length + " clauses shown" : "";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select.clause-picker"), enhance);
  });
})();
