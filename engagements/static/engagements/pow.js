// ALTCHA v1 proof-of-work solver: finds n such that SHA-256(salt + n) == challenge.
// No third party, no inline script (CSP). Used by templates/components/proof_of_work.html.
const encoder = new TextEncoder();

async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function solve(challenge) {
  for (let n = 0; n <= challenge.maxNumber; n++) {
    if ((await sha256Hex(challenge.salt + n)) === challenge.challenge) return n;
  }
  return null;
}

function setup(container) {
  const input = container.querySelector("input[type=hidden]");
  const status = container.querySelector("[data-pow-status]");
  const form = container.closest("form");
  const challenge = JSON.parse(container.dataset.challenge);
  status.textContent = container.dataset.msgWorking;
  const solving = solve(challenge).then((number) => {
    if (number === null) throw new Error("unsolved");
    input.value = btoa(JSON.stringify({
      algorithm: challenge.algorithm, challenge: challenge.challenge, number,
      salt: challenge.salt, signature: challenge.signature,
    }));
    status.textContent = container.dataset.msgDone;
    container.dataset.powSolved = "true";
  }).catch(() => { status.textContent = container.dataset.msgError; });
  if (form) {
    form.addEventListener("submit", (event) => {
      if (input.value) return;
      event.preventDefault();
      const submitter = event.submitter;
      solving.then(() => { if (input.value) form.requestSubmit(submitter || undefined); });
    });
  }
}

document.querySelectorAll("[data-pow]").forEach(setup);
