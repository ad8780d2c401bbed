// Keeps this editor's session on the story open while the change form is, and shows who else has it open.
// The server writes the notice (translated); it is shown with textContent only.
(function () {
    "use strict";

    const box = document.getElementById("story-presence");
    if (!box || !box.dataset.url) {
        return;
    }
    const notice = box.querySelector("[data-presence-notice]");
    const tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
    const heartbeatMs = parseInt(box.dataset.heartbeatMs, 10) || 30000;
    let timer = null;

    function formData(extra) {
        const data = new FormData();
        data.append("csrfmiddlewaretoken", tokenInput ? tokenInput.value : "");
        Object.entries(extra || {}).forEach(([name, value]) => data.append(name, value));
        return data;
    }

    function show(text) {
        notice.textContent = text || "";
        box.hidden = !text;
    }

    function heartbeat() {
        fetch(box.dataset.url, {
            method: "POST",
            body: formData(),
            credentials: "same-origin",
            headers: {"X-CSRFToken": tokenInput ? tokenInput.value : ""},
        })
            .then((response) => (response.ok ? response.json() : null))
            .then((data) => {
                if (data) {
                    show(data.notice);
                }
            })
            .catch(() => {});
    }

    function start() {
        if (timer === null) {
            timer = window.setInterval(heartbeat, heartbeatMs);
        }
    }

    function stop() {
        window.clearInterval(timer);
        timer = null;
    }

    window.addEventListener("pagehide", () => {
        stop();
        if (navigator.sendBeacon) {
            navigator.sendBeacon(box.dataset.url, formData({end: "1"}));
        }
    });
    window.addEventListener("pageshow", (event) => {
        // Back from the browser's page cache: the session was ended on leaving, so renew it at once.
        if (event.persisted) {
            heartbeat();
            start();
        }
    });
    start();
})();
