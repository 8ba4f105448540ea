/*
 * Zensical 0.0.73 draws its search in a shadow root and styles it with a <style> element
 * written from its script, which the site's Content-Security-Policy (style-src 'self')
 * refuses: the search would show unstyled, and every page would log the refusal. Loaded
 * before Zensical's script, this gives a shadow root its <style> elements' rules as a
 * constructed style sheet instead, which the policy does not govern. Nothing else changes.
 */
(function () {
  "use strict";
  if (!("adoptedStyleSheets" in ShadowRoot.prototype)) return;
  var append = ShadowRoot.prototype.appendChild;
  ShadowRoot.prototype.appendChild = function (node) {
    if (node instanceof HTMLStyleElement) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(node.textContent);
      this.adoptedStyleSheets = this.adoptedStyleSheets.concat([sheet]);
      return node;
    }
    return append.call(this, node);
  };
})();
