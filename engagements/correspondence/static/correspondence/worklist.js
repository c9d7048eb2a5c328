// Agents: tick every message of the worklist's page at once, for bulk assignment.
const box = document.querySelector("[data-select-all]");
if (box) {
  const all = box.querySelector("input");
  const rows = [...document.querySelectorAll("input[name=messages]")];
  const sync = () => {
    const ticked = rows.filter((row) => row.checked).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  };
  all.addEventListener("change", () => {
    for (const row of rows) row.checked = all.checked;
    sync();
  });
  for (const row of rows) row.addEventListener("change", sync);
  box.hidden = false;
}
