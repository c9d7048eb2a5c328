// Tablet kiosk: back to the start of the questionnaire after inactivity, and after the
// thank-you page. Delays come from data attributes (seconds), so tests can shorten them.
const root = document.querySelector("[data-kiosk-home]");
if (root) {
  const home = root.dataset.kioskHome;
  const idle = Number(root.dataset.kioskReturn || root.dataset.kioskIdle || 90) * 1000;
  let timer;
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => window.location.replace(home), idle);
  };
  for (const event of ["pointerdown", "keydown", "input", "touchstart", "scroll"]) {
    document.addEventListener(event, restart, { passive: true });
  }
  restart();
  const full = document.querySelector("[data-kiosk-fullscreen]");
  if (full) {
    full.addEventListener("click", () => {
      const element = document.documentElement;
      if (element.requestFullscreen) element.requestFullscreen().catch(() => {});
    });
  }
}
