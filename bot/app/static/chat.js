// The chat page: ask (a question, or a photo of a paper), show the cited answer, copy a
// contact, give feedback.
//
// Every piece of an answer (the question, the guidance, a document's title or
// quote, a contact) is put into the page with textContent or as an attribute
// value, never as HTML: a "<script>" in a question or a document shows as text.
"use strict";

(function () {
  const form = document.getElementById("ask-form");
  if (!form) {
    return;
  }
  const question = document.getElementById("question");
  const country = document.getElementById("country");
  const lang = document.getElementById("lang");
  const paper = document.getElementById("document"); // a photo of a paper (optional)
  const askButton = document.getElementById("ask-button");
  const askStatus = document.getElementById("ask-status");
  const askError = document.getElementById("ask-error");
  const answers = document.getElementById("answers");
  const maxQuestion = Number(form.dataset.maxQuestion) || 2000;
  const maxComment = Number(form.dataset.maxComment) || 1000;
  const maxPaperBytes = (paper && Number(paper.dataset.maxBytes)) || 5 * 1024 * 1024;
  const PAPER_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  const askLabel = askButton.textContent;
  let busy = false;
  let shown = 0; // answers on the page: their element ids never collide

  // --- Building the DOM, as text only -------------------------------------

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === null || value === undefined || value === false) {
          continue;
        }
        if (key === "text") {
          node.textContent = String(value);
        } else if (key === "className") {
          node.className = value;
        } else {
          node.setAttribute(key, value === true ? "" : String(value));
        }
      }
    }
    for (const child of children || []) {
      if (child !== null && child !== undefined) {
        node.append(child); // strings become text nodes
      }
    }
    return node;
  }

  function safeHttpUrl(value) {
    // Only http(s) links: a "javascript:" URL in a document must never become a link.
    if (typeof value !== "string" || !value) {
      return null;
    }
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (err) {
      return null;
    }
  }

  function link(href, text) {
    const safe = safeHttpUrl(href);
    if (!safe) {
      return el("span", { text: text || href || "" });
    }
    return el("a", { href: safe, text: text || href, rel: "noopener noreferrer",
      target: "_blank" });
  }

  // --- Talking to the server -----------------------------------------------

  class RequestError extends Error {
    constructor(status, detail) {
      super("HTTP " + status);
      this.status = status;
      this.detail = detail;
    }
  }

  function detailOf(data) {
    if (data && typeof data.detail === "string") {
      return data.detail;
    }
    if (data && Array.isArray(data.detail)) {
      return data.detail.map((e) => (e && e.msg) || "").filter(Boolean).join("; ");
    }
    return "";
  }

  async function postJSON(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        // Under the site's "no-referrer" policy a browser may send "Origin: null" with a
        // POST, which the server refuses as cross-site; same-origin keeps the real origin.
        referrerPolicy: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new RequestError(0, "");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      throw new RequestError(response.status, detailOf(data));
    }
    return data;
  }

  // What went wrong, in words a caseworker can act on (a fragment: 401 carries a link).
  function explain(err) {
    const detail = err.detail ? " (" + err.detail + ")" : "";
    switch (err.status) {
      case 0:
        return ["No connection to the server. Check the network and try again."];
      case 401:
        return ["Your session has expired. ",
          el("a", { href: "/login?next=%2Fchat", text: "Sign in again" }),
          " and ask once more."];
      case 403:
        return ["The request was refused" + detail + ". Reload the page and try again."];
      case 404:
        return ["Not found" + detail + "."];
      case 413:
        return ["The file is too large: at most " + Math.floor(maxPaperBytes / 1048576) +
          " MB. Send a smaller photo of the page."];
      case 415:
        return ["The photo could not be sent" + detail + ". Reload the page and try again."];
      case 422:
        return ["Please check the form: the question must have 1 to " + maxQuestion +
          " characters, the country two letters (such as RU)" + detail + "."];
      case 503:
        return ["The assistant is not ready yet" + detail + ". Try again in a minute."];
      default:
        return ["Something went wrong on the server (HTTP " + err.status + ")" + detail +
          ". Try again; if it keeps failing, tell an administrator."];
    }
  }

  function showError(box, parts) {
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  // --- Asking ---------------------------------------------------------------

  function setBusy(on) {
    busy = on;
    askButton.disabled = on;
    askButton.textContent = on ? "Answering…" : askLabel;
    answers.setAttribute("aria-busy", on ? "true" : "false");
    askStatus.textContent = on ? "Answering…" : askStatus.textContent;
  }

  function base64Of(file) {
    // The bytes as base64, read in the browser: the server gets JSON, never a multipart
    // upload (which it would spool to a temporary file).
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        resolve(url.slice(url.indexOf(",") + 1));
      };
      reader.onerror = () => reject(new Error("the file could not be read"));
      reader.readAsDataURL(file);
    });
  }

  function paperProblem(file) {
    if (file.size > maxPaperBytes) {
      return "The file is too large: at most " + Math.floor(maxPaperBytes / 1048576) +
        " MB. Send a smaller photo of the page.";
    }
    if (file.type && !PAPER_TYPES.includes(file.type)) {
      return "Choose a photo (JPEG, PNG or WebP) or a PDF.";
    }
    return "";
  }

  async function ask() {
    if (busy) {
      return;
    }
    askError.hidden = true;
    const text = question.value.trim();
    const file = paper && paper.files && paper.files.length ? paper.files[0] : null;
    if (!text && !file) {
      showError(askError, ["Write a question first, or choose a photo of a paper."]);
      question.focus();
      return;
    }
    if (file && paperProblem(file)) {
      showError(askError, [paperProblem(file)]);
      paper.focus();
      return;
    }
    if (text.length > maxQuestion) {
      showError(askError, ["The question is too long: at most " + maxQuestion +
        " characters."]);
      question.focus();
      return;
    }
    const code = country.value.trim().toUpperCase();
    if (code && !/^[A-Z]{2}$/.test(code)) {
      showError(askError, ["Country: two letters such as RU, or leave it empty."]);
      country.focus();
      return;
    }
    setBusy(true);
    try {
      const data = file
        ? await postJSON("/api/chat/document", { image: await base64Of(file), caption: text,
          lang: lang.value || null, country: code || null })
        : await postJSON("/api/chat", { question: text, lang: lang.value || null,
          country: code || null });
      const article = renderAnswer(text, data, file ? file.name || "photo" : null);
      answers.prepend(article);
      question.value = "";
      if (file) {
        paper.value = "";
      }
      askStatus.textContent = data.urgent ? "Urgent answer ready." : "Answer ready.";
      article.focus();
    } catch (err) {
      askStatus.textContent = "";
      showError(askError, err instanceof RequestError ? explain(err)
        : ["The answer could not be shown: " + err + ". Reload the page and try again."]);
      question.focus();
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });

  question.addEventListener("keydown", (event) => {
    // Enter (or Ctrl+Enter) sends, Shift+Enter is a new line; never while an
    // input method is composing a character.
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // --- Showing an answer ----------------------------------------------------

  // Why there is no answer (Answer.reason), said plainly.
  const NO_ANSWER = {
    no_relevant_guidance: "No vetted guidance answers this question.",
    refused_request: "No answer: this request is outside what the assistant answers " +
      "(rights and safety).",
    empty_question: "No answer: the question is empty.",
    check_failed: "No answer: no vetted guidance answers this question reliably enough " +
      "(the final check stopped it).",
    document_refused: "The file was not read: the reply says what to send instead.",
    document_cannot_tell: "The assistant cannot tell what this paper is, and does not guess.",
  };

  // The triage level of the question (Answer.triage), said plainly.
  const LEVELS = {
    urgent: ["Urgent", "danger to liberty or life now or within hours"],
    sensitive: ["Sensitive", "harm that is over, or not within hours"],
    routine: ["Routine", "a question or anything else"],
  };

  function renderLevel(level) {
    const known = Object.prototype.hasOwnProperty.call(LEVELS, level) ? level : "routine";
    const [name, meaning] = LEVELS[known];
    return el("p", { className: "level level-" + known, "data-level": known }, [
      el("span", { className: "label", text: "Level: " }),
      el("strong", { className: "badge badge-" + known, text: name }),
      " — " + meaning + ".",
    ]);
  }

  function renderAnswer(asked, data, fileName) {
    shown += 1;
    const id = "answer-" + shown;
    const citations = new Map((data.citations || []).map((c) => [Number(c.n), c]));
    const language = /^[a-z]{2,3}$/.test(data.language || "") ? data.language : "und";
    const direction = data.direction === "rtl" ? "rtl" : "ltr";
    const answered = data.status === "answered";

    const article = el("article", {
      className: "answer card" + (data.urgent ? " urgent" : "") + (answered ? "" : " no-answer"),
      tabindex: "-1", "aria-labelledby": id + "-heading",
      "data-question-id": data.question_id, "data-status": data.status,
      "data-level": data.triage || "routine",
    });
    article.append(el("h2", { id: id + "-heading", className: "answer-heading",
      text: data.urgent ? "Urgent answer" : "Answer" }));
    if (fileName) {
      article.append(el("p", { className: "asked" }, [
        el("span", { className: "label", text: "Photo of a paper: " }),
        el("span", { className: "asked-file", dir: "auto", text: fileName }),
      ]));
    }
    if (asked || !fileName) {
      article.append(el("p", { className: "asked" }, [
        el("span", { className: "label", text: fileName ? "Message with it: " : "Question: " }),
        el("span", { className: "asked-text", dir: "auto", text: asked }),
      ]));
    }
    article.append(renderLevel(data.triage));
    if (data.urgent) {
      article.append(el("p", { className: "urgent-flag", role: "alert" }, [
        el("strong", { text: "Urgent" }),
        " — this message signals danger: the first steps and urgent contacts come first. " +
          "Consider contacting the person yourself.",
      ]));
    }
    if (data.document) {
      article.append(renderPaper(data.document));
    }
    if (!answered) {
      article.append(el("p", { className: "no-answer-label" }, [
        el("strong", { text: NO_ANSWER[data.reason] || NO_ANSWER.no_relevant_guidance }),
        " The assistant does not guess: it replies with the text below and the general " +
          "contacts.",
      ]));
    }
    article.append(renderBody(data.answer || "", citations, id, language, direction));
    if (citations.size) {
      article.append(renderSources(data.citations, id));
    }
    if ((data.referrals || []).length) {
      article.append(renderContacts(data.referrals, direction));
    }
    if (data.question_id) {
      article.append(renderFeedback(Number(data.question_id), id));
    }
    return article;
  }

  // What the paper appears to be, for the caseworker (the reply itself is in the body).
  function renderPaper(doc) {
    const section = el("section", { className: "document-facts", "aria-label": "The paper" },
      [el("h3", { text: "The paper" })]);
    const facts = el("dl", { className: "facts" });
    const add = (term, value) => facts.append(el("dt", { text: term }),
      el("dd", { dir: "auto", text: value }));
    if (doc.kind) {
      add("Appears to be", (doc.name || doc.kind) + " (" + doc.kind + ")");
      add("Evidence", Math.round(Number(doc.confidence) * 100) + " %, " +
        (doc.matched || []).length + " phrase(s) found");
    } else if (doc.status === "refused") {
      add("Not read", String(doc.reason || ""));
    } else {
      add("Cannot tell", String(doc.reason || ""));
    }
    add("Letters read", String(Number(doc.text_chars) || 0));
    if ((doc.others || []).length) {
      add("Parts also look like", doc.others.join(", "));
    }
    section.append(facts);
    if (doc.dangerous) {
      section.append(el("p", { className: "dangerous-flag", text: "A paper not to sign before " +
        "someone trusted has read it: the reply starts with \u201cdo not sign\u201d." }));
    }
    return section;
  }

  function renderBody(text, citations, id, language, direction) {
    const body = el("div", { className: "answer-body", lang: language, dir: direction });
    for (const paragraph of text.split(/\n{2,}/)) {
      if (!paragraph.trim()) {
        continue;
      }
      const p = el("p");
      let last = 0;
      for (const match of paragraph.matchAll(/\[(\d{1,3})\]/g)) {
        const c = citations.get(Number(match[1]));
        if (!c) {
          continue;
        }
        p.append(paragraph.slice(last, match.index));
        p.append(citeButton(c, id));
        last = match.index + match[0].length;
      }
      p.append(paragraph.slice(last));
      body.append(p);
    }
    return body;
  }

  function sourceId(id, n) {
    return id + "-source-" + n;
  }

  function citeButton(c, id) {
    const button = el("button", {
      type: "button", className: "cite", "aria-controls": sourceId(id, c.n),
      "aria-expanded": "false", "data-n": c.n, title: c.title,
      "aria-label": "Source " + c.n + ": " + c.title,
    }, ["[" + c.n + "]"]);
    button.addEventListener("click", () => openSource(id, c.n));
    return button;
  }

  function openSource(id, n) {
    const details = document.getElementById(sourceId(id, n));
    if (!details) {
      return;
    }
    details.open = true;
    const summary = details.querySelector("summary");
    details.scrollIntoView({ block: "nearest" });
    if (summary) {
      summary.focus();
    }
  }

  const REVIEWERS = { "legal": "legal", "native-speaker": "native-speaker" };

  function renderSources(list, id) {
    const section = el("section", { className: "sources", "aria-label": "Sources" },
      [el("h3", { text: "Sources" })]);
    const ol = el("ol", { className: "source-list" });
    for (const c of list) {
      const where = c.section && c.section !== c.title ? c.title + " — " + c.section : c.title;
      const details = el("details", { id: sourceId(id, c.n), className: "source" });
      details.append(el("summary", {}, [el("span", { className: "source-n",
        text: "[" + c.n + "] " }), el("span", { dir: "auto", text: where })]));
      details.append(el("blockquote", { className: "quote", lang: c.lang || null,
        dir: "auto", text: c.quote }));
      const facts = el("dl", { className: "facts" });
      const add = (term, ...value) => facts.append(el("dt", { text: term }),
        el("dd", {}, value));
      add("Document", el("span", { dir: "auto", text: c.title }));
      add("Section", el("span", { dir: "auto", text: c.section }));
      if (safeHttpUrl(c.url)) {
        add("Source", link(c.url));
      }
      if (c.reviewed_on) {
        add("Reviewed", el("time", { datetime: c.reviewed_on, text: c.reviewed_on }),
          c.review_overdue ? el("strong", { className: "overdue",
            text: " — review overdue since " + c.review_due }) : null);
      }
      const awaiting = (c.awaiting_review || []).map((who) => REVIEWERS[who] || who);
      if (awaiting.length) {
        add("Review", el("strong", { className: "awaiting-review",
          text: "awaiting " + awaiting.join(" and ") + " review" }));
      }
      add("File", el("code", { text: c.path }));
      details.append(facts);
      details.addEventListener("toggle", () => {
        for (const b of document.querySelectorAll(
          'button.cite[aria-controls="' + details.id + '"]')) {
          b.setAttribute("aria-expanded", details.open ? "true" : "false");
        }
      });
      ol.append(el("li", {}, [details]));
    }
    section.append(ol);
    return section;
  }

  // --- Contacts and copying -------------------------------------------------

  const CONTACT_FIELDS = [["phone", "Phone"], ["whatsapp", "WhatsApp"], ["telegram", "Telegram"],
    ["email", "E-mail"]];

  // Whether anyone has really reached this contact, or only seen its source publish it.
  function verification(r) {
    if (r.tested_on) {
      return "tested " + r.tested_on + (r.verified_on ? "; source checked " + r.verified_on : "");
    }
    return "published by its source" + (r.verified_on ? " (seen " + r.verified_on + ")" : "") +
      ", not yet tested";
  }

  function renderContacts(list, direction) {
    const section = el("section", { className: "contacts", "aria-label": "Contacts" },
      [el("h3", { text: "Contacts" })]);
    const ul = el("ul", { className: "contact-cards" });
    for (const r of list) {
      const status = el("p", { className: "copy-status", role: "status",
        "aria-live": "polite" });
      const facts = el("dl", { className: "facts" });
      for (const [key, label] of CONTACT_FIELDS) {
        if (!r[key]) {
          continue;
        }
        const value = el("bdi", { className: "contact-value", dir: "ltr",
          "data-field": key, text: r[key] });
        const button = el("button", { type: "button", className: "copy",
          "data-field": key, "aria-label": "Copy " + label + " of " + r.name }, ["Copy"]);
        button.addEventListener("click", () => copyContact(r[key], label, value, status,
          button));
        facts.append(el("dt", { text: label }), el("dd", {}, [value, " ", button]));
      }
      if (r.web) {
        facts.append(el("dt", { text: "Web" }), el("dd", {}, [link(r.web)]));
      }
      if (r.hours) {
        facts.append(el("dt", { text: "Hours" }), el("dd", { dir: "auto", text: r.hours }));
      }
      facts.append(el("dt", { text: "Checked" }), el("dd", {}, [el("span", {
        className: r.tested_on ? "verification tested" : "verification untested",
        text: verification(r) })]));
      const card = el("li", { className: "contact card", "data-referral": r.id }, [
        el("h4", { dir: "auto", text: r.name }),
        // For the caseworker: the registry's English name beside a translated one.
        r.name_en ? el("p", { className: "name-en", lang: "en", dir: "ltr",
          text: "English: " + r.name_en }) : null,
        el("span", { className: "kind", text: r.kind }),
        r.warning ? el("p", { className: "warning", role: "note", dir: "auto",
          text: r.warning }) : null,
        r.warning_en ? el("p", { className: "warning-en", lang: "en", dir: "ltr",
          text: "English: " + r.warning_en }) : null,
        facts,
        r.notes ? el("p", { className: "notes", dir: "auto", text: r.notes }) : null,
        status,
      ]);
      ul.append(card);
    }
    section.append(ul);
    return section;
  }

  function legacyCopy(value) {
    // Without the Clipboard API (plain http on a LAN, old browsers): copy the
    // selection of a hidden text area.
    const area = el("textarea", { className: "offscreen", readonly: true,
      "aria-hidden": "true", tabindex: "-1" });
    area.value = value;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  async function copyText(value) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(value);
        return true;
      } catch (err) {
        // Permission refused: try the old way.
      }
    }
    return legacyCopy(value);
  }

  async function copyContact(value, label, valueNode, status, button) {
    const ok = await copyText(value);
    button.focus();
    status.classList.toggle("failed", !ok);
    if (ok) {
      status.textContent = "Copied " + label + ": " + value;
      button.textContent = "Copied";
      window.setTimeout(() => { button.textContent = "Copy"; }, 4000);
    } else {
      status.textContent = "Could not copy: the " + label + " is selected, copy it by hand.";
      window.getSelection().selectAllChildren(valueNode);
    }
  }

  // --- Feedback -------------------------------------------------------------

  function renderFeedback(questionId, id) {
    const section = el("section", { className: "feedback", "aria-label": "Feedback" });
    const commentId = id + "-comment";
    const comment = el("textarea", { id: commentId, className: "feedback-comment", rows: "2",
      maxlength: String(maxComment), dir: "auto" });
    const status = el("p", { className: "feedback-status", role: "status",
      "aria-live": "polite" });
    const yes = el("button", { type: "button", className: "helpful", "aria-pressed": "false" },
      ["Helpful"]);
    const no = el("button", { type: "button", className: "not-helpful",
      "aria-pressed": "false" }, ["Not helpful"]);
    const send = async (helpful) => {
      yes.disabled = no.disabled = true;
      status.classList.remove("failed");
      status.textContent = "Sending…";
      try {
        await postJSON("/api/feedback", { question_id: questionId, helpful,
          comment: comment.value.trim() || null });
        yes.setAttribute("aria-pressed", helpful ? "true" : "false");
        no.setAttribute("aria-pressed", helpful ? "false" : "true");
        status.textContent = "Thanks, your feedback was saved.";
      } catch (err) {
        status.classList.add("failed");
        status.replaceChildren(...(err instanceof RequestError ? explain(err)
          : ["The feedback could not be sent."]));
      } finally {
        yes.disabled = no.disabled = false;
      }
    };
    yes.addEventListener("click", () => send(true));
    no.addEventListener("click", () => send(false));
    section.append(
      el("h3", { text: "Was this answer helpful?" }),
      el("label", { for: commentId, text: "Comment (optional, no personal details)" }),
      comment,
      el("div", { className: "feedback-buttons" }, [yes, " ", no]),
      status,
    );
    return section;
  }
})();
