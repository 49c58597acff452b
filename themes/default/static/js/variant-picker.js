/* mmsite variant picker (templates/commerce/variant-picker.html): shows the picker,
   then only the chosen variant's price and Buy buttons, and keeps ?variant=SKU in the
   address so the choice can be shared; opens on the variant the address names.
   Without JavaScript the page lists every variant with its own Buy buttons (the
   picker stays hidden). No inline script: a strict Content-Security-Policy holds. */
(function () {
  "use strict";
  var picker = document.querySelector(".variant-picker");
  var items = document.querySelectorAll(".variants .variant[data-sku]");
  if (!picker || !items.length || !window.URLSearchParams || !window.history) { return; }
  var radios = picker.querySelectorAll("input[type=radio][name=variant]");

  function show(sku) {
    Array.prototype.forEach.call(items, function (li) {
      li.hidden = li.getAttribute("data-sku") !== sku;
    });
  }

  function remember(sku) {
    var params = new URLSearchParams(window.location.search);
    params.set("variant", sku);
    var url = window.location.pathname + "?" + params.toString() + window.location.hash;
    window.history.replaceState(null, "", url);
  }

  var wanted = new URLSearchParams(window.location.search).get("variant");
  var chosen = null;
  Array.prototype.forEach.call(radios, function (radio) {
    if (radio.value === wanted) { chosen = radio; }
  });
  chosen = chosen || picker.querySelector("input[name=variant]:checked") || radios[0];
  if (!chosen) { return; }
  chosen.checked = true;
  picker.hidden = false;
  show(chosen.value);
  picker.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "variant") { return; }
    show(radio.value);
    remember(radio.value);
  });
}());
