// The playground: a full-screen dialog over the APIs page holding GraphiQL or Swagger UI in an
// iframe, so keys typed in it never reach the page's shortcuts. X or Esc close it and give the
// focus back to Launch; the page underneath is never touched, only made inert while covered.
(() => {
  const overlay = document.getElementById("playground");
  const form = document.getElementById("playground-form");
  if (!overlay || !form) return;
  const frame = document.getElementById("playground-frame");
  const closeButton = document.getElementById("close-playground");
  const launchButton = document.getElementById("launch-playground");
  const page = document.getElementById("app");

  const open = () => {
    const choice = form.querySelector("input[name=playground]:checked");
    if (frame.getAttribute("src") !== choice.value) frame.src = choice.value;
    document.getElementById("playground-title").textContent = choice.dataset.title;
    overlay.hidden = false;
    page.inert = true;
    document.body.classList.add("overlay-open");
    closeButton.focus();
  };

  const close = () => {
    if (overlay.hidden) return;
    overlay.hidden = true;
    page.inert = false;
    document.body.classList.remove("overlay-open");
    launchButton.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    open();
  });
  closeButton.addEventListener("click", close);
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  // Esc pressed inside the frame (see playground-frame.js).
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === frame.contentWindow &&
        event.data === "hookwire:close-playground") close();
  });
  // Tab and Shift+Tab cycle between the X and the frame.
  overlay.querySelector('[data-trap="start"]').addEventListener("focus", () => frame.focus());
  overlay.querySelector('[data-trap="end"]').addEventListener("focus", () => closeButton.focus());
})();
