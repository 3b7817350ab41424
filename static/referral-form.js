// The referral form: once a kind of agency is chosen, the unit list offers only its units
// (their group carries the kind's label). Without JavaScript every unit stays offered and
// the server refuses a unit of another kind.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-referral]").forEach(function (form) {
    var kind = form.querySelector("select[name=to_kind]");
    var unit = form.querySelector("select[name=to_unit]");
    if (!kind || !unit) return;
    function show() {
      var label = kind.options[kind.selectedIndex].text;
      unit.querySelectorAll("optgroup").forEach(function (group) {
        var match = group.label === label;
        group.hidden = !match;
        group.disabled = !match;
      });
      var chosen = unit.options[unit.selectedIndex];
      if (chosen && chosen.parentNode.disabled) unit.value = "";
    }
    kind.addEventListener("change", show);
    show();
  });
});
