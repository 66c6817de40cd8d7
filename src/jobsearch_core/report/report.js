(function () {
  "use strict";
  // The report's replay: the frames are read once from the JSON element; each frame holds
  // what changed in each section since the frame before. Every value from the log is
  // put on the page as text (textContent, setAttribute), never as markup.
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var frames = data.frames;
  var input = document.getElementById("as-of");
  var shown = document.getElementById("as-of-shown");
  var play = document.getElementById("play");
  var back = document.getElementById("step-back");
  var forward = document.getElementById("step-forward");
  // Each chart (wide, narrow) has a cursor and a veil over what came after it.
  var charts = ["bump", "bump-narrow"].map(function (name) {
    var future = document.getElementById(name + "-future");
    return {
      cursor: document.getElementById(name + "-cursor"),
      future: future,
      right: future ? parseFloat(future.getAttribute("x")) : 0
    };
  });
  var places = {};
  Array.prototype.forEach.call(document.querySelectorAll(".blocks[data-section]"), function (place) {
    places[place.getAttribute("data-section")] = place;
  });
  var states = {};
  var applied = -1;
  var index = -1;
  var timer = null;

  function copied(block) {
    var copy = {};
    Object.keys(block).forEach(function (key) { copy[key] = block[key]; });
    if (block.kind === "table") {
      copy.order = block.order.slice();
      copy.rows = Object.assign({}, block.rows);
    }
    return copy;
  }

  function apply(name, change) {
    if (change.full) {
      states[name] = change.full.map(copied);
      return;
    }
    var blocks = states[name];
    change.blocks.forEach(function (step, i) {
      if (!step) { return; }
      var block = blocks[i];
      Object.keys(step).forEach(function (key) {
        if (key === "order") {
          block.order = step.order.slice();
        } else if (key === "append") {
          block.order = block.order.concat(step.append);
        } else if (key === "rows") {
          Object.keys(step.rows).forEach(function (id) { block.rows[id] = step.rows[id]; });
        } else {
          block[key] = step[key];
        }
      });
    });
  }

  function element(tag, text, className) {
    var made = document.createElement(tag);
    if (text !== null && text !== undefined) { made.textContent = text; }
    if (className) { made.className = className; }
    return made;
  }

  function table(block) {
    var wrap = element("div", null, "table-wrap");
    if (!block.order.length) {
      wrap.appendChild(element("p", block.empty, "empty"));
      return wrap;
    }
    var grid = element("table");
    grid.setAttribute("role", "table");
    grid.appendChild(element("caption", block.caption));
    var head = element("thead");
    head.setAttribute("role", "rowgroup");
    var headings = element("tr");
    headings.setAttribute("role", "row");
    block.columns.forEach(function (column) {
      var heading = element("th", column[0], column[1] ? "num" : "");
      heading.setAttribute("scope", "col");
      heading.setAttribute("role", "columnheader");
      headings.appendChild(heading);
    });
    head.appendChild(headings);
    grid.appendChild(head);
    var body = element("tbody");
    body.setAttribute("role", "rowgroup");
    block.order.forEach(function (id) {
      var row = block.rows[id];
      var line = element("tr", null, row[1] ? "strong" : "");
      line.setAttribute("role", "row");
      if (block.data && row[0] !== null) { line.setAttribute("data-" + block.data, row[0]); }
      row.slice(2).forEach(function (value, i) {
        var column = block.columns[i];
        var cell = element("td", value, column[1] ? "num" : "");
        cell.setAttribute("role", "cell");
        cell.setAttribute("data-label", column[0]);
        line.appendChild(cell);
      });
      body.appendChild(line);
    });
    grid.appendChild(body);
    wrap.appendChild(grid);
    return wrap;
  }

  function lines(block) {
    var part = document.createDocumentFragment();
    if (!block.lines.length) { return part; }
    part.appendChild(element("h3", block.title));
    var list = element("ul", null, "lines");
    block.lines.forEach(function (line) { list.appendChild(element("li", line)); });
    part.appendChild(list);
    return part;
  }

  function draw(name) {
    var place = places[name];
    if (!place) { return; }
    var made = document.createDocumentFragment();
    states[name].forEach(function (block) {
      made.appendChild(block.kind === "table" ? table(block) : lines(block));
    });
    while (place.firstChild) { place.removeChild(place.firstChild); }
    place.appendChild(made);
  }

  function goTo(target) {
    if (target < applied) {
      states = {};
      applied = -1;
    }
    var touched = {};
    for (var i = applied + 1; i <= target; i += 1) {
      var changes = frames[i].s;
      Object.keys(changes).forEach(function (name) {
        apply(name, changes[name]);
        touched[name] = true;
      });
    }
    applied = target;
    index = target;
    Object.keys(touched).forEach(draw);
    var frame = frames[target];
    input.value = String(frame.p);
    shown.textContent = frame.d + " \u00b7 " + frame.e;
    input.setAttribute("aria-valuetext", frame.d + ", " + frame.e);
    charts.forEach(function (chart, i) {
      if (!chart.cursor || !chart.future) { return; }
      chart.cursor.setAttribute("x", String(frame.x[i] - 1));
      chart.future.setAttribute("x", String(frame.x[i]));
      chart.future.setAttribute("width", String(Math.max(0, chart.right - frame.x[i])));
    });
    back.disabled = target === 0;
    forward.disabled = target === frames.length - 1;
  }

  function at(position) {
    // The last frame at or before a log position (other streams' positions fall between).
    var low = 0;
    var high = frames.length - 1;
    while (low < high) {
      var middle = Math.ceil((low + high) / 2);
      if (frames[middle].p <= position) { low = middle; } else { high = middle - 1; }
    }
    return low;
  }

  function stop() {
    if (timer !== null) { window.clearInterval(timer); }
    timer = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  }

  function start() {
    if (index >= frames.length - 1) { goTo(0); }
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    var delay = Math.max(40, Math.min(600, Math.round(20000 / frames.length)));
    timer = window.setInterval(function () {
      if (index >= frames.length - 1) {
        stop();
        return;
      }
      goTo(index + 1);
    }, delay);
  }

  if (!frames.length) {
    shown.textContent = "Nothing recorded yet.";
    return;
  }
  input.addEventListener("input", function () {
    stop();
    goTo(at(Number(input.value)));
  });
  play.addEventListener("click", function () {
    if (timer === null) { start(); } else { stop(); }
  });
  back.addEventListener("click", function () {
    stop();
    goTo(Math.max(0, index - 1));
  });
  forward.addEventListener("click", function () {
    stop();
    goTo(Math.min(frames.length - 1, index + 1));
  });
  play.setAttribute("aria-pressed", "false");
  goTo(data.start);
  document.documentElement.setAttribute("data-ready", "true");
})();
