/* Draws each Vega-Lite chart of the page from its spec (a JSON script tag), with French
   number formats; kept in a static file so that the Content Security Policy needs no
   inline script. */
(function () {
  "use strict";
  if (!window.vegaEmbed) { return; }
  var locale = {decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0€"], percent: "\u00a0%"};
  document.querySelectorAll("[data-vega-spec]").forEach(function (element) {
    var spec = JSON.parse(document.getElementById(element.getAttribute("data-vega-spec")).textContent);
    window.vegaEmbed(element, spec, {actions: false, renderer: "svg", formatLocale: locale})
      .then(function () { element.setAttribute("data-ready", "true"); });
  });
})();
