// Confirmation before destructive forms (data-confirm) and copy buttons (data-copy).
(() => {
  const dialog = document.getElementById("confirm-dialog");
  let pendingForm = null;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!dialog || !form.dataset.confirm) return;
    event.preventDefault();
    pendingForm = form;
    document.getElementById("confirm-message").textContent = form.dataset.confirm;
    dialog.showModal();
    dialog.querySelector('[data-answer="cancel"]').focus();
  });

  dialog?.addEventListener("click", (event) => {
    const answer = event.target.dataset?.answer;
    if (!answer) return;
    dialog.close();
    if (answer === "confirm" && pendingForm) pendingForm.submit();
    else pendingForm?.querySelector("button")?.focus();
    pendingForm = null;
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
    } catch {
      window.getSelection().selectAllChildren(source);
      document.execCommand("copy");
    }
    button.textContent = "Copied";
  });
})();
