// Renders Adaptive Cards with Microsoft's renderer (the `adaptivecards` npm package) and
// reports every text that the card's width cuts: a TextBlock whose text is wider than the
// space it is given (the renderer then ends it with "…" or hides the rest), as Teams shows it.
//
// Loaded by the page tests/handlers/teams/card_browser.py writes, in headless Chromium, with
// window.CARDS (name → card JSON), window.CARD_WIDTH (the width checked, in CSS pixels) and
// window.CARD_HOST; each card is drawn in its own box that wide, one under another, and checked.
// An element shows only where its `targetWidth` fits the card's width class; this renderer
// (3.0.6) ignores that property, so the page applies it first, as one of two hosts would:
// - "reflow" (Teams): the class of the card's inner width (its width less the card's padding),
//   by the breakpoints of Microsoft's renderer that reads targetWidth (hostWidthBreakpoints:
//   up to 216 px veryNarrow, 345 narrow, 500 standard, wider is wide): a phone (360 px) is
//   narrow, a desktop chat (900 px) wide.
// - "fixed" (the Microsoft 365 Agents Playground): that renderer with automatic reflow off, so
//   every card is drawn as "wide" whatever its width — a card about 420 px wide shows what a
//   desktop chat shows, tables and all.
(function () {
  "use strict";
  var ORDER = ["verynarrow", "narrow", "standard", "wide"];
  var BREAKPOINTS = {verynarrow: 216, narrow: 345, standard: 500};
  var PADDING = 15;  // this renderer's default card padding (hostConfig spacing.padding)

  function widthClass(pixels, host) {
    if (host === "fixed") { return "wide"; }
    var inner = pixels - 2 * PADDING;
    if (inner <= BREAKPOINTS.verynarrow) { return "verynarrow"; }
    if (inner <= BREAKPOINTS.narrow) { return "narrow"; }
    return inner <= BREAKPOINTS.standard ? "standard" : "wide";
  }

  function fits(target, current) {
    if (!target) { return true; }
    var wanted = String(target).toLowerCase();
    var here = ORDER.indexOf(current);
    if (wanted.indexOf("atleast:") === 0) {
      return here >= ORDER.indexOf(wanted.slice(8));
    }
    if (wanted.indexOf("atmost:") === 0) {
      return here <= ORDER.indexOf(wanted.slice(7));
    }
    return wanted === current;
  }

  function keepFitting(node, current) {
    if (Array.isArray(node)) {
      return node.filter(function (item) {
        return !(item && typeof item === "object" && !fits(item.targetWidth, current));
      }).map(function (item) { return keepFitting(item, current); });
    }
    if (node && typeof node === "object") {
      var copy = {};
      Object.keys(node).forEach(function (key) {
        if (key !== "targetWidth") { copy[key] = keepFitting(node[key], current); }
      });
      return copy;
    }
    return node;
  }

  // A word the renderer had to break across two lines ("supervisi" / "on") is cut as well.
  function brokenWord(element) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (var text = walker.nextNode(); text; text = walker.nextNode()) {
      var words = /[^\s\-\u2010-\u2014\/]+/g, found;  // a break at a hyphen or slash is fine
      while ((found = words.exec(text.data)) !== null) {
        var range = document.createRange();
        range.setStart(text, found.index);
        range.setEnd(text, found.index + found[0].length);
        var tops = {};
        Array.prototype.forEach.call(range.getClientRects(), function (rect) {
          if (rect.width > 0) { tops[Math.round(rect.top)] = true; }
        });
        if (Object.keys(tops).length > 1) { return true; }
      }
    }
    return false;
  }

  function check(holder, name, width) {
    var found = {name: name, cut: [], texts: 0, error: null};
    try {
      var card = new AdaptiveCards.AdaptiveCard();
      card.hostConfig = new AdaptiveCards.HostConfig({
        fontFamily: "'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
        supportsInteractivity: true
      });
      card.parse(keepFitting(window.CARDS[name], widthClass(width, window.CARD_HOST)));
      holder.appendChild(card.render());
      var blocks = holder.querySelectorAll(".ac-textBlock, .ac-richTextBlock, .ac-fact-title, "
                                           + ".ac-fact-value");
      blocks.forEach(function (element) {
        var text = (element.innerText || "").trim();
        if (!text || element.offsetParent === null) { return; }
        found.texts += 1;
        // Where the glyphs really are (an ellipsis or a clip is only paint), against the box
        // every clipping ancestor leaves visible: a word wider than its table cell is cut too.
        var range = document.createRange();
        range.selectNodeContents(element);
        var glyphs = range.getBoundingClientRect();
        var holderBox = holder.getBoundingClientRect();
        var left = holderBox.left, right = holderBox.right;
        for (var node = element; node && node !== holder; node = node.parentElement) {
          var style = window.getComputedStyle(node);
          if (style.overflowX !== "visible" || style.textOverflow === "ellipsis") {
            var box = node.getBoundingClientRect();
            left = Math.max(left, box.left);
            right = Math.min(right, box.right);
          }
        }
        var clipped = element.scrollWidth > element.clientWidth + 1 || brokenWord(element);
        if (clipped || glyphs.right > right + 1 || glyphs.left < left - 1) {
          found.cut.push({text: text.slice(0, 80), scrollWidth: element.scrollWidth,
                          clientWidth: element.clientWidth, right: Math.round(glyphs.right),
                          visibleRight: Math.round(right)});
        }
      });
    } catch (error) {
      found.error = String(error && error.stack || error);
    }
    return found;
  }

  var results = [];
  var page = document.getElementById("cards");
  Object.keys(window.CARDS).forEach(function (name) {
    var label = document.createElement("h3");
    label.textContent = name + " at " + window.CARD_WIDTH + " px ("
        + widthClass(window.CARD_WIDTH, window.CARD_HOST) + ")";
    label.style.cssText = "font: 12px monospace; margin: 16px 0 4px; color: #888;";
    page.appendChild(label);
    var holder = document.createElement("div");
    holder.style.cssText = "width: " + window.CARD_WIDTH + "px; outline: 1px dashed #ccc;";
    page.appendChild(holder);
    results.push(check(holder, name, window.CARD_WIDTH));
  });
  document.getElementById("result").textContent = JSON.stringify(
    {cards: results, height: Math.ceil(page.getBoundingClientRect().height) + 40});
}());
