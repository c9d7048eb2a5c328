// Agents: search the FAQ and insert an answer into the reply being written.
for (const box of document.querySelectorAll("[data-faq-picker]")) {
  const target = document.getElementById(box.dataset.faqTarget);
  if (!target) continue;
  box.hidden = false;
  const input = box.querySelector("input[type=search]");
  const select = box.querySelector("select");
  const answers = new Map();
  let timer = null;
  const refresh = async () => {
    const q = input.value.trim();
    if (q.length < 2) return;
    const response = await fetch(`${box.dataset.faqPicker}?q=${encodeURIComponent(q)}`);
    if (!response.ok) return;
    const data = await response.json();
    answers.clear();
    const options = [new Option(data.results.length ? "Choisissez une réponse" : "Aucune réponse trouvée", "")];
    for (const item of data.results) {
      answers.set(String(item.id), item.answer);
      options.push(new Option(item.service ? `${item.question} (${item.service})` : item.question, item.id));
    }
    select.replaceChildren(...options);
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  box.querySelector("[data-faq-insert]").addEventListener("click", () => {
    const text = answers.get(select.value);
    if (!text) return;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? start;
    target.value = target.value.slice(0, start) + text + target.value.slice(end);
    target.focus();
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
