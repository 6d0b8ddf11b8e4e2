// The base bundle on every page: htmx for server-rendered partial updates, Bootstrap's behaviour
// for menus, and a few keyboard conveniences.
import htmx from "htmx.org";
import "bootstrap/js/dist/dropdown";
import "bootstrap/js/dist/collapse";

window.htmx = htmx;

// htmx requests carry the CSRF token from the cookie.
document.addEventListener("htmx:configRequest", (event) => {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});

// "/" focuses the global search, as in most admin tools.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement || target.isContentEditable;
  if (event.key === "/" && !typing) {
    const search = document.getElementById("global-search");
    if (search) {
      event.preventDefault();
      search.focus();
    }
  }
});
