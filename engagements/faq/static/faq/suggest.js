// FAQ answers matching what the person types (progressive enhancement: without this
// script, the "voir les réponses" link opens the FAQ page).
for (const box of document.querySelectorAll("[data-faq-suggest]")) {
  const url = box.dataset.faqSuggest;
  const results = box.querySelector("[data-faq-results]");
  const link = box.querySelector("[data-faq-link]");
  const isLink = link.tagName === "A";
  const base = isLink ? link.getAttribute("href") : "";
  const inputs = box.dataset.faqFields.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean);
  let timer = null;
  let last = "";
  const refresh = async () => {
    const text = inputs.map((input) => input.value).join(" ").trim().slice(0, 300);
    if (text === last) return;
    last = text;
    if (isLink) link.setAttribute("href", text ? `${base}?q=${encodeURIComponent(text.slice(0, 200))}` : base);
    if (text.length < 3) { results.replaceChildren(); return; }
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(text)}`, { headers: { Accept: "text/html" } });
      if (response.ok) results.innerHTML = await response.text();
    } catch (error) { /* suggestions are a help, never a blocker */ }
  };
  for (const input of inputs) {
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 400); });
  }
}
