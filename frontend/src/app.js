/* Tridex storefront behaviour. Every page works without this file; it only smooths things.
 *
 * - htmx swaps the listing and the variant picker in place; if such a request fails, do what
 *   the page does without JavaScript (submit the form / follow the link) so the shopper sees the
 *   server's page (a 422 naming the bad field, a 404) instead of nothing happening.
 * - The listing filters open by default on wide screens and keep their open state across swaps.
 */
(function () {
  "use strict";

  var WIDE = "(min-width: 60em)";
  var filtersOpen = null;

  function fallBack(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) return;
    if (elt.tagName === "A" && elt.href) {
      window.location.assign(elt.href);
      return;
    }
    var form = elt.tagName === "FORM" ? elt : elt.closest("form");
    if (form) {
      HTMLFormElement.prototype.submit.call(form);
    }
  }

  function openFilters(root) {
    var panels = (root || document).querySelectorAll("[data-filters]");
    panels.forEach(function (panel) {
      var open = filtersOpen === null ? window.matchMedia(WIDE).matches : filtersOpen;
      if (open) panel.setAttribute("open", "");
    });
  }

  document.addEventListener("htmx:responseError", fallBack);
  document.addEventListener("htmx:sendError", fallBack);
  document.addEventListener("htmx:beforeSwap", function () {
    var panel = document.querySelector("[data-filters]");
    if (panel) filtersOpen = panel.open;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    openFilters(event.detail.target && event.detail.target.parentNode);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { openFilters(); });
  } else {
    openFilters();
  }
})();
