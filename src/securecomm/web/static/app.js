// Hold clocks count down to their deadline; a booking still in the flow looks again.
"use strict";
function tick() {
  const now = Date.now();
  for (const clock of document.querySelectorAll(".clock.running[data-deadline]")) {
    const left = Math.max(0, Math.floor((Date.parse(clock.dataset.deadline) - now) / 1000));
    const hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    clock.textContent = left > 0 ? `${hours} h ${minutes} min ${seconds} s left` : "ended";
  }
}
document.addEventListener("DOMContentLoaded", () => {
  tick();
  setInterval(tick, 1000);
  const refresh = document.querySelector("[data-autorefresh]");
  if (refresh) setTimeout(() => window.location.reload(), Number(refresh.dataset.autorefresh) * 1000);
});
