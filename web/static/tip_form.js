// The tip page's description: how many characters are left, said quietly as one types.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter]"), function (area) {
    var counter = document.getElementById(area.dataset.counter);
    var most = parseInt(area.getAttribute("maxlength"), 10);
    if (!counter || !most) return;
    function update() { counter.textContent = (most - area.value.length) + " tecken kvar av " + most + "."; }
    area.addEventListener("input", update);
    update();
  });
})();
