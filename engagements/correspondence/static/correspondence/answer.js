// Agents: choosing a template reloads the page with its text in place of the answer's.
// Ask before that throws away what the agent wrote (sent back with an error, or typed).
const list = document.querySelector("[data-answer-templates]");
const text = document.getElementById("id_text");
if (list && text) {
  const loaded = text.value;
  const written = () =>
    text.value.trim() !== "" && (list.dataset.typed === "true" || text.value !== loaded);
  for (const link of list.querySelectorAll("a")) {
    link.addEventListener("click", (event) => {
      if (written() && !window.confirm(
        "Remplacer le texte de la réponse par ce modèle ? Ce que vous avez écrit sera perdu.",
      )) {
        event.preventDefault();
      }
    });
  }
}
