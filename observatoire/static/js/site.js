// Site-wide behaviours, in a file rather than inline so that the Content-Security-Policy
// allows scripts from this site only (docs/security.md).

// <button data-print>: print the page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});

// The authority autocomplete (territoires/_autocomplete.html): a pick in the results
// list fills the hidden value and the visible field named by data-authority-pick.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-authority-pick]");
  if (!button) return;
  var id = button.dataset.authorityPick;
  document.getElementById(id + "-value").value = button.dataset.id;
  var input = document.getElementById(id);
  input.value = button.dataset.label;
  document.getElementById(id + "-results").innerHTML = "";
  input.focus();
});
