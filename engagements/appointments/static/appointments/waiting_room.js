// The waiting room updates its live region in place (no reload: focus and reading position
// stay), at the pace the server gives in data-refresh; the person can pause it (WCAG 2.2.1).
// Without JavaScript, the <noscript> meta refresh reloads the page instead.
const root = document.querySelector("[data-waiting-room]");
const button = document.querySelector("[data-waiting-pause]");
let paused = false;
let timer = null;

function schedule(seconds) {
  clearTimeout(timer);
  if (button) button.classList.toggle("fr-hidden", !(seconds > 0));
  if (!paused && seconds > 0) timer = setTimeout(update, seconds * 1000);
}

async function update() {
  try {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-waiting-room]");
    if (!fresh) {
      window.location.reload();
      return;
    }
    const status = root.querySelector("[data-waiting-status]");
    const nodes = Array.from(fresh.querySelector("[data-waiting-status]").childNodes);
    status.replaceChildren(...nodes.map((node) => document.importNode(node, true)));
    root.dataset.refresh = fresh.dataset.refresh;
    schedule(Number(fresh.dataset.refresh));
  } catch (error) {
    schedule(10);
  }
}

if (root) {
  if (button) {
    button.addEventListener("click", () => {
      paused = !paused;
      button.setAttribute("aria-pressed", String(paused));
      button.textContent = paused ? button.dataset.labelResume : button.dataset.labelPause;
      if (paused) clearTimeout(timer);
      else update();
    });
  }
  schedule(Number(root.dataset.refresh));
}
