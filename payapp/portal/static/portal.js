// The client portal's page script (served from the portal itself; the CSP allows no inline script).
// Card and bank fields are the gateway's Collect.js iframes: their contents never reach this page or the portal's
// server; Collect.js hands back a single-use payment token, which the form sends instead.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function selectedMethod(form) {
    var checked = form.querySelector('input[name="method"]:checked');
    return checked ? checked.value : "";
  }

  function showError(text) {
    var box = byId("client-error");
    if (!box) { return; }
    box.textContent = text;
    box.classList.toggle("hidden", !text);
  }

  function updateVisibility(form) {
    var method = selectedMethod(form);
    var sections = form.querySelectorAll(".new-method");
    for (var i = 0; i < sections.length; i++) {
      var wanted = (sections[i].getAttribute("data-method") || "").split(" ");
      sections[i].classList.toggle("hidden", wanted.indexOf(method) < 0);
    }
    var partial = byId("amount-partial");
    var amount = byId("amount");
    if (amount && partial) { amount.disabled = !partial.checked; }
  }

  function last4(masked) {
    var digits = String(masked || "").replace(/[^0-9]/g, "");
    return digits.slice(-4);
  }

  function setupPayForm(form) {
    var pending = false;
    var fieldsReady = false;
    form.addEventListener("change", function () { updateVisibility(form); });
    updateVisibility(form);

    var fields = {};
    var ids = ["ccnumber", "ccexp", "cvv", "checkaccount", "checkaba", "checkname"];
    for (var i = 0; i < ids.length; i++) {
      if (byId(ids[i])) { fields[ids[i]] = { selector: "#" + ids[i] }; }
    }
    var hasCollect = typeof window.CollectJS !== "undefined" && Object.keys(fields).length > 0;
    if (hasCollect) {
      window.CollectJS.configure({
        variant: "inline",
        paymentSelector: "#collect-start",
        fields: fields,
        fieldsAvailableCallback: function () { fieldsReady = true; form.classList.add("fields-ready"); },
        validationCallback: function (field, valid, message) {
          if (!valid && pending) { showError(message || form.getAttribute("data-msg-details")); }
        },
        timeoutCallback: function () {
          pending = false;
          showError(form.getAttribute("data-msg-details"));
        },
        callback: function (response) {
          pending = false;
          var method = selectedMethod(form);
          byId("payment_token").value = response.token || "";
          if (method === "new-card" && response.card) {
            byId("token_brand").value = response.card.type || "";
            byId("token_last_four").value = last4(response.card.number);
            byId("token_expiry").value = String(response.card.exp || "").replace(/[^0-9]/g, "").slice(0, 4);
          } else if (response.check) {
            byId("token_last_four").value = last4(response.check.account);
            byId("token_holder_name").value = response.check.name || "";
          }
          form.submit();
        }
      });
    }

    form.addEventListener("submit", function (event) {
      var method = selectedMethod(form);
      if (method.indexOf("new-") !== 0 || byId("payment_token").value) { return; }
      event.preventDefault();
      if (!hasCollect) { showError(form.getAttribute("data-msg-failed")); return; }
      if (!fieldsReady) { showError(form.getAttribute("data-msg-loading")); return; }
      if (pending) { return; }
      showError("");
      pending = true;
      window.CollectJS.startPaymentRequest();
    });
  }

  function setupConfirmForm(form) {
    form.addEventListener("submit", function () {
      var button = byId("pay-button");
      // after this event: a disabled button's value would not be sent with the form
      window.setTimeout(function () {
        if (button) { button.disabled = true; button.textContent = button.getAttribute("data-busy"); }
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var pay = byId("pay-form");
    if (pay) { setupPayForm(pay); }
    var confirm = byId("confirm-form");
    if (confirm) { setupConfirmForm(confirm); }
  });
})();
