// Urgent notifications on every open page: one EventSource on /notifications/stream/ and a toast
// per event. The server bounds each stream and the browser reconnects (see
// qualitas/notifications/stream.py); the last id shown is kept per tab so that moving to another
// page neither repeats nor misses an alert. No business rules here: the server decides what is
// urgent and whose it is.

const KEY = "qualitas:notifications:last-id";

function lastShown() {
  try {
    return sessionStorage.getItem(KEY);
  } catch (error) {
    return null;
  }
}

function remember(id) {
  try {
    const previous = Number(sessionStorage.getItem(KEY) || 0);
    if (Number(id) > previous) sessionStorage.setItem(KEY, String(id));
  } catch (error) {
    // Private mode without storage: reconnects still resume through Last-Event-ID.
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function showToast(container, data) {
  const toast = element("div", "toast show border-danger notification-toast");
  toast.setAttribute("role", "alert");
  toast.dataset.notificationId = String(data.id);

  const header = element("div", "toast-header text-bg-danger");
  header.append(element("strong", "me-auto", data.kind_label || "Urgent notification"));
  const close = element("button", "btn-close btn-close-white");
  close.type = "button";
  close.setAttribute("aria-label", "Dismiss");
  close.addEventListener("click", () => toast.remove());
  header.append(close);

  const body = element("div", "toast-body");
  const link = element("a", "fw-semibold d-block text-body", data.subject);
  link.href = data.url;
  body.append(link);
  if (data.record) body.append(element("div", "small text-body-secondary", data.record));
  if (data.message) body.append(element("div", "small mt-1", data.message));

  toast.append(header, body);
  container.prepend(toast);
  // Keep the few newest on screen; older alerts stay in the bell's list.
  while (container.children.length > 4) container.lastElementChild.remove();
}

function connect(container) {
  const url = new URL(container.dataset.streamUrl, window.location.href);
  const after = lastShown();
  if (after) url.searchParams.set("after", after);
  const source = new EventSource(url);
  source.addEventListener("notification", (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch (error) {
      return;
    }
    remember(data.id);
    showToast(container, data);
    document.body.dispatchEvent(new CustomEvent("notifications:refresh", { bubbles: true }));
  });
  return source;
}

function start() {
  const container = document.getElementById("notification-toasts");
  if (!container || !container.dataset.streamUrl || !("EventSource" in window)) return;
  connect(container);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
