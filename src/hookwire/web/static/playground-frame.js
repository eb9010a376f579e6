// Shared by the playground pages: get this session's playground key, and let Esc close the
// overlay around the frame unless the page used it (to close a hint or a menu).
window.hookwirePlayground = {
  async token(url) {
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`Could not get a playground key (HTTP ${response.status}).`);
    return (await response.json()).token;
  },
};

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !event.defaultPrevented && window.parent !== window) {
    window.parent.postMessage("hookwire:close-playground", location.origin);
  }
});
