// The BYOK page, enhanced: show the chosen card's plan and key, pre-fill plan limits, check
// the custom JSON as it is typed (with the request body it produces), and Test in place.
// Without this script the page still works: every control is a plain form field.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const MANUAL = "manual";

  const post = async (form, what) => {
    // getAttribute: form.action would be the buttons named "action".
    const response = await fetch(`${form.getAttribute("action")}/${what}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      body: new FormData(form),
    });
    let body;
    try {
      body = await response.json();
    } catch {
      body = { error: { message: `the server answered ${response.status}`, hint: "" } };
    }
    return { ok: response.ok, body };
  };

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  };

  // One readable line from an error's message and hint: "Message. Hint."
  const upper = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const said = ({ message, hint }) => (hint ? `${upper(message)}. ${upper(hint)}.` : upper(message));

  // "EndpointMismatch" -> "Endpoint mismatch"
  const humanize = (kind) =>
    (kind ?? "Error").replace(/(?<=[a-z])(?=[A-Z])/g, " ").replace(/ [A-Z]/g, (m) => m.toLowerCase());

  function setup(form) {
    const slot = form.dataset.slot;
    const byId = (suffix) => document.getElementById(`${slot}-${suffix}`);
    const chosenCard = () => form.querySelector('input[name="card"]:checked')?.value ?? "";
    const providerOf = (card) => (card === MANUAL ? "openai_compatible" : data.cards[card]?.provider);
    const chosenPlan = () => {
      const plans = data.plans[providerOf(chosenCard())] ?? {};
      const checked = form.querySelector('input[name="plan"]:checked:not(:disabled)');
      return plans[checked?.value] ?? Object.values(plans)[0];
    };

    const fieldFor = (field) => {
      if (chosenCard() === MANUAL && (field === "base_url" || field === "model")) {
        return `manual_${field}`;
      }
      return field;
    };

    const showError = (field, message) => {
      const target = byId(`${fieldFor(field)}-error`);
      const input = form.elements[fieldFor(field)];
      if (!target) return false;
      target.textContent = message;
      target.hidden = !message;
      if (input instanceof HTMLElement) input.setAttribute("aria-invalid", message ? "true" : "false");
      return true;
    };

    const sync = () => {
      const card = chosenCard();
      const provider = providerOf(card);
      form.querySelector("[data-choice]").hidden = !card;
      for (const fieldset of form.querySelectorAll("fieldset.plans")) {
        const active = fieldset.dataset.provider === provider;
        fieldset.hidden = !active;
        for (const input of fieldset.querySelectorAll("input")) input.disabled = !active;
        if (active && !fieldset.querySelector("input:checked")) {
          fieldset.querySelector("input").checked = true;
        }
      }
      form.querySelector("[data-manual]").hidden = card !== MANUAL;
      for (const node of form.querySelectorAll("[data-card-only]")) node.hidden = card === MANUAL;
      keyHint();
    };

    const planDefaults = () => {
      const plan = chosenPlan();
      const input = form.elements.max_concurrent;
      input.value = plan?.max_concurrent ?? "";
    };

    const keyHint = () => {
      const hint = byId("api_key-hint");
      const key = form.elements.api_key.value.trim();
      const plans = data.plans[providerOf(chosenCard())] ?? {};
      const plan = chosenPlan();
      let message = "";
      if (key && plan) {
        const other = Object.values(plans).find(
          (p) => p.key_prefix && p !== plan && key.startsWith(p.key_prefix),
        );
        if (other) {
          message = `This looks like a ${other.label} key (${other.key_prefix}…), but the plan is ${plan.label}: choose ${other.label}.`;
        } else if (plan.key_prefix && !key.startsWith(plan.key_prefix)) {
          message = `${plan.label} keys start with ${plan.key_prefix}; this one does not.`;
        }
      }
      hint.textContent = message;
      hint.hidden = !message;
    };

    let previewTimer;
    let previewRound = 0;
    const preview = async () => {
      const box = byId("preview");
      const text = form.elements.override_json.value.trim();
      if (text) {
        try {
          JSON.parse(text);
        } catch (error) {
          showError("override_json", `Not valid JSON: ${error.message}`);
          box.hidden = true;
          return false;
        }
      }
      if (!chosenCard()) return true;
      if (!text) {
        showError("override_json", "");
        box.hidden = true;
        return true; // nothing to merge; the server still checks every field on Save
      }
      const round = ++previewRound;
      const { ok, body } = await post(form, "preview");
      if (round !== previewRound) return ok;
      if (!ok) {
        const { field } = body.error;
        if (!showError(field ?? "override_json", said(body.error))) {
          showError("override_json", said(body.error));
        }
        box.hidden = true;
        return false;
      }
      showError("override_json", "");
      box.querySelector("code").textContent = JSON.stringify(body.body, null, 2);
      box.hidden = false;
      return true;
    };

    // The fixes this form can apply itself: a known value for a setting it shows (the plan, a
    // card's model, the manual model). Each becomes a button; nothing is saved, the person
    // presses Test again, then Save.
    const fixActions = (fixes) => {
      const actions = [];
      const seen = new Set();
      const provider = providerOf(chosenCard());
      for (const fix of fixes ?? []) {
        const key = `${fix.setting}=${fix.value}`;
        if (fix.value == null || (fix.slot && fix.slot !== slot) || seen.has(key)) continue;
        seen.add(key);
        if (fix.setting === "plan") {
          const plan = data.plans[provider]?.[fix.value];
          const radio = [...form.querySelectorAll('input[name="plan"]:not(:disabled)')].find(
            (input) => input.value === fix.value,
          );
          if (!plan || !radio || radio.checked) continue;
          // click(): the same change a person makes, with its plan defaults.
          actions.push({
            label: `Switch to ${plan.label}`,
            done: `Switched to ${plan.label}.`,
            apply: () => radio.click(),
          });
        } else if (fix.setting === "model" && chosenCard() === MANUAL) {
          const input = form.elements.manual_model;
          if (input.value.trim() === fix.value) continue;
          actions.push({
            label: `Use model ${fix.value}`,
            done: `Model set to ${fix.value}.`,
            apply: () => {
              input.value = fix.value;
              input.dispatchEvent(new Event("input", { bubbles: true }));
            },
          });
        } else if (fix.setting === "model") {
          const radio = [...form.querySelectorAll('input[name="card"]')].find(
            (input) => data.cards[input.value]?.provider === provider
              && data.cards[input.value]?.model === fix.value,
          );
          if (!radio || radio.checked) continue;
          actions.push({
            label: `Use model ${fix.value}`,
            done: `Model set to ${fix.value}.`,
            apply: () => radio.click(),
          });
        }
      }
      return actions;
    };

    const fixButtons = (actions) => {
      const box = el("p", { class: "fix-actions" });
      for (const action of actions) {
        const button = el("button", { type: "button" }, action.label);
        button.addEventListener("click", () => {
          action.apply();
          // Said in the live result area; focus goes where the next step is.
          box.replaceWith(
            el("p", { class: "fix" }, el("strong", {}, action.done),
              " Not saved yet: press Test to check it, then Save."),
          );
          form.querySelector("[data-test]").focus();
        });
        box.append(button);
      }
      return box;
    };

    const test = async (button) => {
      const out = byId("test-result");
      out.replaceChildren(el("p", { class: "result pending" }, "Testing… one short call to the model."));
      button.disabled = true;
      try {
        const { ok, body } = await post(form, "test");
        if (!ok) {
          showError(body.error.field ?? "form", said(body.error));
          out.replaceChildren(
            el("p", { class: "result failed" }, el("strong", {}, "Not tested: "), said(body.error)),
          );
          return;
        }
        if (body.ok) {
          out.replaceChildren(
            el("p", { class: "result ok" }, el("strong", {}, "Connected."),
              ` ${body.model} answered in ${body.latency_s.toFixed(2)} s at `,
              el("code", {}, body.base_url), "."),
          );
        } else {
          const result = el("div", { class: "result failed" },
            el("p", {}, el("strong", {}, `${humanize(body.error_kind)}:`), ` ${body.message}`));
          if (body.hint) result.append(el("p", { class: "fix" }, el("strong", {}, "Fix:"), ` ${body.hint}`));
          const actions = fixActions(body.fixes);
          if (actions.length) result.append(fixButtons(actions));
          if (body.models?.length) {
            result.append(el("p", { class: "muted" }, `This endpoint serves: ${body.models.join(", ")}`));
          }
          out.replaceChildren(result);
        }
      } finally {
        button.disabled = false;
      }
    };

    for (const radio of form.querySelectorAll('input[name="card"]')) {
      radio.addEventListener("change", () => {
        const card = data.cards[radio.value];
        if (card) form.elements.thinking.value = card.thinking;
        sync();
        planDefaults();
        preview();
      });
    }
    for (const radio of form.querySelectorAll('input[name="plan"]')) {
      radio.addEventListener("change", () => {
        planDefaults();
        keyHint();
        preview();
      });
    }
    form.elements.api_key.addEventListener("input", keyHint);
    form.elements.thinking.addEventListener("change", preview);
    form.elements.override_json.addEventListener("input", () => {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 300);
    });
    form.querySelector("[data-test]").addEventListener("click", (event) => {
      event.preventDefault();
      test(event.currentTarget);
    });
    form.addEventListener("submit", (event) => {
      const submitter = event.submitter;
      const action = submitter?.value ?? "save";
      const text = form.elements.override_json.value.trim();
      // Nothing to check here without custom JSON: the server checks every field on Save.
      if (action !== "save" || !text || form.dataset.checked === "yes") return;
      event.preventDefault();
      preview().then((good) => {
        if (good) {
          form.dataset.checked = "yes";
          form.requestSubmit(submitter);
          return;
        }
        form.querySelector("details.advanced").open = true;
        form.elements.override_json.focus();
      });
    });

    sync();
    if (form.elements.override_json.value.trim()) preview();
  }

  if (data.mode === "fixed") return;
  for (const form of document.querySelectorAll("form.slot-form")) setup(form);
})();
