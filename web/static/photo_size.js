// Every photo field with data-max-bytes: a file over the limit is said beside the field when
// chosen and taken out of the form, so the rest is sent without it (the server refuses it
// all the same; the page works without this). Delegated: htmx swaps in forms later.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "file" || !input.dataset || !input.dataset.maxBytes) return;
    var most = parseInt(input.dataset.maxBytes, 10);
    var id = input.id + "-size-error";
    var shown = document.getElementById(id);
    var large = Array.prototype.some.call(input.files || [], function (f) { return f.size > most; });
    if (!large) {
      if (shown) shown.remove();
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "field-error";
      shown.id = id;
      shown.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = "Bilden är större än " + Math.floor(most / 1048576) +
      " MB och kan inte skickas. Välj en mindre bild, eller skicka utan bild.";
    input.value = "";
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(id) < 0) input.setAttribute("aria-describedby", described.concat(id).join(" "));
  });
})();
