// Renders every [data-vega-spec] chart. Vega's expressions run through vega-interpreter
// (ast: true), never through new Function(), so the Content-Security-Policy needs no
// 'unsafe-eval'; defaultStyle: false and the tooltip's disableDefaultStyle keep vega-embed
// from injecting <style> elements (barometre.css carries the tooltip's style).
document.querySelectorAll("[data-vega-spec]").forEach(function (el) {
  var spec = JSON.parse(document.getElementById(el.dataset.vegaSpec).textContent);
  vegaEmbed(el, spec, {
    actions: false,
    renderer: "svg",
    ast: true,
    expr: vega.expressionInterpreter,
    defaultStyle: false,
    tooltip: {disableDefaultStyle: true},
    formatLocale: {decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0€"], percent: "\u00a0%"}
  }).then(function () { el.dataset.ready = "true"; });
});
