/* Live skip logic of the référent's form: re-evaluates each `data-relevant` with the
   stored answers overlaid by what the page currently shows. htmx saves each change. */
(function () {
  "use strict";
  var form = document.getElementById("questionnaire-form");
  if (!form || !window.XLSFormExpressions) { return; }
  var stored = JSON.parse(document.getElementById("answers-data").textContent);

  function valuesOf(fieldset) {
    var code = fieldset.getAttribute("data-code"), values = [];
    fieldset.querySelectorAll("[name]").forEach(function (input) {
      if (input.name !== code) { return; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function currentAnswers() {
    var answers = Object.assign({}, stored);
    form.querySelectorAll("[data-code]").forEach(function (fieldset) {
      var code = fieldset.getAttribute("data-code"), type = fieldset.getAttribute("data-type");
      var values = valuesOf(fieldset);
      if (values.length === 0) { delete answers[code]; return; }
      if (type === "integer" || type === "decimal") {
        values = values.map(function (v) { return v.replace(/[\s\u202f]/g, "").replace(",", "."); });
      }
      answers[code] = type === "select_multiple" ? values : (values.length === 1 ? values[0] : values);
    });
    return answers;
  }

  function refresh() {
    var answers = currentAnswers();
    form.querySelectorAll("[data-relevant]").forEach(function (element) {
      var show = true;
      try { show = window.XLSFormExpressions.isTrue(element.getAttribute("data-relevant"), answers); }
      catch (error) { show = true; }
      element.hidden = !show;
    });
  }

  form.addEventListener("change", refresh);
  refresh();
})();
