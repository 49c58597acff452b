/* mmsite language picker: the root page sends visitors to the edition that matches
   navigator.languages. The list of links in the page is the no-JavaScript fallback and
   the only source of truth (no inline script, so a strict Content-Security-Policy holds). */
(function () {
  "use strict";
  var links = document.querySelectorAll(".picker-list a[hreflang]");
  if (!links.length || !navigator.languages) { return; }
  var editions = Array.prototype.map.call(links, function (a) {
    return { tag: a.getAttribute("hreflang").toLowerCase(), href: a.getAttribute("href") };
  });
  function choose(wanted) {
    var i, j, tag;
    for (i = 0; i < wanted.length; i++) {
      tag = String(wanted[i]).toLowerCase();
      for (j = 0; j < editions.length; j++) {
        if (editions[j].tag === tag) { return editions[j].href; }
      }
      for (j = 0; j < editions.length; j++) {
        if (editions[j].tag.split("-")[0] === tag.split("-")[0]) { return editions[j].href; }
      }
    }
    return null;
  }
  var target = choose(navigator.languages);
  if (target) { window.location.replace(target); }
}());
