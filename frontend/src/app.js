/* Tridex storefront behaviour. Every page works without this file; it only smooths things.
 *
 * - htmx swaps the listing and the variant picker in place; if such a request fails, do what
 *   the page does without JavaScript (submit the form / follow the link) so the shopper sees the
 *   server's page (a 422 naming the bad field, a 404) instead of nothing happening.
 * - The listing filters open by default on wide screens and keep their open state across swaps.
 * - Address forms show the Thai or the international fields for the chosen country.
 * - Alpine components (the CSP build runs none written in HTML) are registered here.
 * - The header's cart badge reads the item count the cart pages keep in a cookie, so pages
 *   served from the shared cache still show the shopper's own count.
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

  function syncAddressForms(root) {
    (root || document).querySelectorAll("[data-address-form]").forEach(function (form) {
      var country = form.querySelector("[data-address-country]");
      if (!country) return;
      var thai = country.value === "TH";
      form.querySelectorAll('[data-address-format="th"]').forEach(function (g) { g.hidden = !thai; });
      form.querySelectorAll('[data-address-format="intl"]').forEach(function (g) { g.hidden = thai; });
    });
  }

  function showCartCount() {
    var match = document.cookie.match(/(?:^|; )tridex_cart_count=(\d+)/);
    var count = match ? parseInt(match[1], 10) : 0;
    document.querySelectorAll("[data-cart-count]").forEach(function (badge) {
      badge.textContent = count > 0 ? String(count) : "";
      badge.hidden = count === 0;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-address-country]")) syncAddressForms();
  });
  document.addEventListener("htmx:responseError", fallBack);
  document.addEventListener("htmx:sendError", fallBack);
  document.addEventListener("htmx:beforeSwap", function () {
    var panel = document.querySelector("[data-filters]");
    if (panel) filtersOpen = panel.open;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    openFilters(event.detail.target && event.detail.target.parentNode);
    syncAddressForms();
    showCartCount();
  });
  // Stripe's Payment Element: the card form comes from js.stripe.com, so card details go to
  // Stripe and never through Tridex.
  function mountStripe() {
    var form = document.getElementById("stripe-form");
    if (!form || !window.Stripe) return;
    var stripe = window.Stripe(form.dataset.stripeKey);
    var elements = stripe.elements({
      clientSecret: form.dataset.clientSecret,
      locale: document.documentElement.lang
    });
    elements.create("payment").mount("#stripe-element");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
        .then(function (result) {
          if (result.error) document.getElementById("stripe-error").textContent = result.error.message;
        });
    });
  }

  // Stripe.js is loaded after this file, so the Payment Element is mounted once the page has
  // loaded everything.
  window.addEventListener("load", mountStripe);

  // Alpine components, registered by name: Alpine's CSP build runs no expression written in
  // the HTML, so templates name a component (x-data="categoryMenu") and its properties only.
  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;
    // A form that submits as soon as one of its fields changes (the market switch).
    Alpine.data("autoSubmit", function () {
      return {
        submit: function () { this.$root.requestSubmit(); }
      };
    });
    // The category list folds behind a toggle button on narrow screens.
    Alpine.data("categoryMenu", function () {
      return {
        open: false,
        toggleHidden: false,
        toggle: function () { this.open = !this.open; },
        get expanded() { return this.open ? "true" : "false"; },
        get listClass() { return { "is-collapsed": !this.open }; }
      };
    });
    // Checkout's billing address hides while "same as the delivery address" is ticked.
    Alpine.data("billingAddress", function () {
      return {
        sync: function (event) { this.$refs.billing.hidden = event.target.checked; }
      };
    });
  });

  function start() {
    openFilters();
    syncAddressForms();
    showCartCount();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
