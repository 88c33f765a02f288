/* The dashboards (统计图): each <section data-chart="name"> fetches its figures from
   /dashboards/data/<name>/ and draws them with ECharts; the same figures fill a table view
   (toggled) and the chart downloads as a PNG. Figures arrive as exact decimal strings: the
   tables show them as the roll-up does (amounts in 万元 to 2 places), the charts plot them as numbers. */
(function () {
  "use strict";
  const W = JSON.parse(document.getElementById("chart-words").textContent);
  const holder = document.querySelector(".charts");
  const english = document.documentElement.lang === "en";
  const GRADE_COLOURS = {"优": "#2e7d32", "良": "#1565c0", "中": "#f9a825", "差": "#c62828", "": "#9e9e9e"};
  const SEVERITY_COLOURS = {error: "#c62828", warning: "#ef6c00", info: "#1565c0"};
  window.jixiaoCharts = {};

  /* A decimal string as the roll-up shows it: thousands separated, two places at least,
     trailing zeros cut beyond them ("46.683000" → "46.683", "80.95" → "80.95", "1234" → "1,234.00"). */
  function figure(text) {
    if (text === null || text === undefined || text === "") return "";
    let [whole, part = ""] = String(text).split(".");
    part = part.replace(/0+$/, "");
    while (part.length < 2) part += "0";
    const sign = whole.startsWith("-") ? "-" : "";
    whole = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + "." + part;
  }
  /* An amount in 万元 as the pages show it: 2 places, 四舍五入 on the decimal string itself
     (exact: "2946.553276" → "2,946.55", "0.005" → "0.01"); the exports keep every place. */
  function money(text) {
    if (text === null || text === undefined || text === "") return "";
    const sign = String(text).startsWith("-") ? "-" : "";
    const [whole, part = ""] = String(text).replace("-", "").split(".");
    const cents = ((BigInt(whole + (part + "000").slice(0, 3)) + 5n) / 10n).toString().padStart(3, "0");
    return figure(sign + cents.slice(0, -2) + "." + cents.slice(-2));
  }
  const moneyOf = (v) => (v === null || v === undefined ? "" : money(Number(v).toFixed(6)));
  const num = (text) => (text === null || text === undefined ? null : Number(text));
  const gradeName = (g) => (g ? W[g] || g : W.ungraded);
  const formUrl = (id) => holder.dataset.form.replace(/0\/$/, id + "/");

  function table(head, rows) {
    const t = document.createElement("table");
    t.className = "list chart-figures";
    const h = t.createTHead().insertRow();
    const texts = rows.length ? rows[0].map((cell) => Boolean(cell && cell.left)) : [];
    head.forEach((label, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      if (i > 0 && !texts[i]) th.className = "num";
      h.appendChild(th);
    });
    const body = t.createTBody();
    rows.forEach((cells) => {
      const tr = body.insertRow();
      cells.forEach((cell, i) => {
        const td = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        if (cell && cell.left) {  // a text cell, a link when it has one
          const a = document.createElement(cell.href ? "a" : "span");
          if (cell.href) a.href = cell.href;
          a.textContent = cell.text;
          td.appendChild(a);
        } else {
          td.textContent = cell === null || cell === undefined ? "" : cell;
          if (i > 0) td.className = "num";
        }
        tr.appendChild(td);
      });
    });
    if (!rows.length) {
      const td = body.insertRow().insertCell();
      td.colSpan = head.length;
      td.textContent = W.empty;
    }
    return t;
  }
  const left = (text, href) => ({text: text, href: href, left: true});

  const BASE = {textStyle: {fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"},
                grid: {left: 56, right: 24, top: 36, bottom: 48, containLabel: true},
                tooltip: {confine: true}, animation: false};

  /* The score chart of many forms: a dot per cell of 1 point of 执行率 by 1 point of 总分 and
     grade, as big as the forms in it (columns: C.rate[i], C.total[i], C.scale[i], C.count[i]). */
  function scoreCells(C) {
    const byGrade = {};
    C.count.forEach((_n, i) => (byGrade[C.scale[i]] = byGrade[C.scale[i]] || []).push(i));
    const grades = Object.keys(byGrade).sort();
    const most = Math.max(1, ...C.count);
    const band = (from) => from + "–" + (from + 1);
    const series = grades.map((g) => ({
      type: "scatter", name: gradeName(g),
      symbolSize: (v) => 4 + 14 * Math.sqrt(v[2] / most),
      itemStyle: {color: GRADE_COLOURS[g] || "#9e9e9e", opacity: 0.7},
      data: byGrade[g].map((i) => [C.rate[i] + 0.5, C.total[i] + 0.5, C.count[i]]),
    }));
    const cellOf = (p) => byGrade[grades[p.seriesIndex]][p.dataIndex];
    if (series.length) {
      series[0].markLine = {symbol: "none", silent: true, lineStyle: {color: "#c62828", type: "dashed"},
                            label: {formatter: W.line}, data: [{xAxis: 90}]};
    }
    return {
      option: {
        legend: {top: 0},
        xAxis: {type: "value", name: W.rate, nameLocation: "middle", nameGap: 28, scale: true, boundaryGap: ["3%", "3%"]},
        yAxis: {type: "value", name: W.total, scale: true, boundaryGap: ["3%", "3%"]},
        tooltip: {trigger: "item", formatter: (p) => { const i = cellOf(p); return echarts.format.encodeHTML(
                  gradeName(C.scale[i]) + " · " + W.rate + " " + band(C.rate[i]) + " · " + W.total + " " +
                  band(C.total[i]) + "：" + C.count[i] + " " + W.count); }},
        series: series,
      },
      head: [W.rate, W.total, W.grade, W.count],
      rows: C.count.map((n, i) => [band(C.rate[i]), band(C.total[i]), gradeName(C.scale[i]), n]),
    };
  }

  const DRAW = {
    grades(d) {
      const names = d.grades.map((g) => gradeName(g.grade));
      return {
        option: {xAxis: {type: "category", data: names}, yAxis: {type: "value", name: W.count, minInterval: 1},
                 tooltip: {trigger: "axis"},
                 series: [{type: "bar", barMaxWidth: 56, label: {show: true, position: "top"},
                           data: d.grades.map((g) => ({value: g.count, itemStyle: {color: GRADE_COLOURS[g.grade]}}))}]},
        head: [W.grade, W.count], rows: d.grades.map((g, i) => [names[i], g.count]),
      };
    },
    rates(d) {
      const label = (b) => (b.to === null ? b.from + "% " + W.and_above
        : b.from === 0 ? b.to + "% " + W.under : b.from + "–" + b.to + "%");
      return {
        option: {
          xAxis: {type: "value", name: W.rate, nameLocation: "middle", nameGap: 28, min: 0, max: 110, interval: 10,
                  axisLabel: {formatter: (v) => (v === 110 ? "" : v === 100 ? "100+" : v)}},
          yAxis: {type: "value", name: W.count, minInterval: 1},
          tooltip: {trigger: "item", formatter: (p) => label(d.bands[p.dataIndex]) + "：" + p.value[1]},
          series: [{type: "bar", barWidth: "90%", itemStyle: {color: "#5c6bc0"},
                    label: {show: true, position: "top", formatter: (p) => (p.value[1] ? p.value[1] : "")},
                    data: d.bands.map((b) => [b.from + 5, b.count]),
                    markLine: {symbol: "none", silent: true, lineStyle: {color: "#c62828", type: "dashed", width: 2},
                               label: {formatter: W.line, position: "end"}, data: [{xAxis: num(d.line)}]}}],
        },
        head: [W.band, W.count],
        rows: [...d.bands.map((b) => [label(b), b.count]), [W.no_rate, d.missing]],
      };
    },
    scores(d) {
      if (d.cells) return scoreCells(d.cells);
      // The points arrive as columns (d.points.id[i], .code[i], … are the i-th form's).
      const P = d.points;
      const byGrade = {};
      P.id.forEach((_id, i) => (byGrade[P.scale[i]] = byGrade[P.scale[i]] || []).push(i));
      const grades = Object.keys(byGrade).sort();
      // Large mode (a province's year) draws plain [x, y] pairs; the forms are found by index.
      const series = grades.map((g) => ({
        type: "scatter", name: gradeName(g), symbolSize: 11, cursor: "pointer", large: true, largeThreshold: 2000,
        itemStyle: {color: GRADE_COLOURS[g] || "#9e9e9e", opacity: 0.8},
        data: byGrade[g].map((i) => [num(P.rate[i]), num(P.total[i])]),
      }));
      const pointOf = (p) => byGrade[grades[p.seriesIndex]][p.dataIndex];
      if (series.length) {
        series[0].markLine = {symbol: "none", silent: true, lineStyle: {color: "#c62828", type: "dashed"},
                              label: {formatter: W.line}, data: [{xAxis: 90}]};
      }
      return {
        option: {
          legend: {top: 0},
          xAxis: {type: "value", name: W.rate, nameLocation: "middle", nameGap: 28, scale: true, boundaryGap: ["3%", "3%"]},
          yAxis: {type: "value", name: W.total, scale: true, boundaryGap: ["3%", "3%"]},
          tooltip: {trigger: "item", formatter: (p) => { const i = pointOf(p); return echarts.format.encodeHTML(
                    P.code[i] + " " + P.name[i]) + "<br>" + W.rate + " " + figure(P.rate[i]) + " · " + W.total + " " +
                    figure(P.total[i]) + "<br>" + W.open; }},
          series: series,
        },
        head: [W.code, W.project, W.rate, W.total, W.grade],
        rows: P.id.map((id, i) => [P.code[i], left(P.name[i], formUrl(id)), figure(P.rate[i]), figure(P.total[i]),
                                   gradeName(P.scale[i])]),
        click: (p) => { if (p.seriesType === "scatter") window.location.href = formUrl(P.id[pointOf(p)]); },
      };
    },
    budget(d) {
      const names = d.departments.map((r) => r.department);
      const many = names.length > 8;
      const series = d.grades.map((g, i) => ({type: "bar", stack: "budget", name: gradeName(g), barMaxWidth: many ? 14 : 64,
        itemStyle: {color: GRADE_COLOURS[g]}, data: d.departments.map((r) => num(r.grades[i]))}));
      // many departments: one a line, names down the side (cut to a width, whole in the tooltip
      // and the table view), the chart as tall as they need
      const byName = {type: "category", data: names, triggerEvent: true,
                      axisLabel: {interval: 0, width: 150, overflow: "truncate", fontSize: 11}};
      return {
        option: {
          legend: {top: 0}, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: moneyOf},
          grid: {left: 28, right: 24, top: 36, bottom: 24, containLabel: true},
          xAxis: many ? {type: "value"} : {type: "category", data: names, axisLabel: {interval: 0, width: 110, overflow: "truncate"}},
          yAxis: many ? {...byName, inverse: true} : {type: "value"},
          series: many ? series.map((one) => ({...one})) : series,
        },
        height: many ? Math.max(320, 60 + 16 * names.length) : undefined,
        head: [W.department, ...d.grades.map(gradeName), W.all_grades],
        rows: d.departments.map((r) => [r.department, ...r.grades.map(money), money(r.total)]),
      };
    },
    findings(d) {
      const codes = d.codes.slice().reverse();
      return {
        option: {
          grid: {left: 8, right: 40, top: 16, bottom: 32, containLabel: true},
          tooltip: {trigger: "item", formatter: (p) => { const c = codes[p.dataIndex]; return c.code + " " + c.title + "：" + c.count; }},
          xAxis: {type: "value", name: W.findings, nameLocation: "middle", nameGap: 26, minInterval: 1},
          // by the rule's name (its code in the tooltip and the table): a code cut short reads as nothing
          yAxis: {type: "category", data: codes.map((c) => c.title || c.code),
                  axisLabel: {fontSize: 12, width: 220, overflow: "truncate"}},
          series: [{type: "bar", barMaxWidth: 18, label: {show: true, position: "right"},
                    data: codes.map((c) => ({value: c.count, itemStyle: {color: SEVERITY_COLOURS[c.severity] || "#757575"}}))}],
        },
        height: Math.max(320, 40 + 22 * codes.length),
        head: [W.finding, W.severity, W.findings, W.forms],
        rows: d.codes.map((c) => [c.code + (c.title ? " " + c.title : ""), W[c.severity] || c.severity, c.count, c.forms]),
      };
    },
    indicators(d) {
      const rows = [...d.departments, {department: W.everything, ...d.total}];
      // the 全部 line stays in the table; drawn beside 80 departments it would make their bars specks
      const drawn = d.departments.length > 8 ? d.departments : rows;
      const kinds = ["quantitative", "qualitative", "untargeted"];
      const colours = {quantitative: "#1565c0", qualitative: "#ef6c00", untargeted: "#bdbdbd"};
      return {
        option: {
          legend: {top: 0}, tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
          grid: {left: 28, right: 24, top: 36, bottom: 32, containLabel: true},
          xAxis: {type: "value", name: W.indicator_count, nameLocation: "middle", nameGap: 26, minInterval: 1},
          yAxis: {type: "category", data: drawn.map((r) => r.department).reverse(),
                  axisLabel: {interval: 0, width: 150, overflow: "truncate", fontSize: rows.length > 20 ? 11 : 12}},
          series: kinds.map((k) => ({type: "bar", stack: "kinds", name: W[k], barMaxWidth: 28,
            itemStyle: {color: colours[k]}, data: drawn.map((r) => r[k]).reverse()})),
        },
        height: Math.max(320, 60 + 16 * drawn.length),
        head: [W.department, W.quantitative, W.qualitative, W.untargeted, W.share],
        rows: rows.map((r) => [r.department, r.quantitative, r.qualitative, r.untargeted, figure(r.share)]),
      };
    },
    years(d) {
      const years = d.years.map((y) => String(y.year));
      return {
        title: d.code + " " + d.name,
        option: {
          legend: {top: 0}, tooltip: {trigger: "axis"}, grid: {left: 56, right: 48, top: 56, bottom: 40, containLabel: true},
          xAxis: {type: "category", data: years}, yAxis: {type: "value", scale: true, boundaryGap: ["10%", "10%"]},
          series: [
            {type: "line", name: W.total, symbolSize: 9, label: {show: true}, data: d.years.map((y) => num(y.total))},
            {type: "line", name: W.rate, symbolSize: 9, label: {show: true, position: "bottom"}, data: d.years.map((y) => num(y.execution_rate)),
             markLine: {symbol: "none", silent: true, lineStyle: {color: "#c62828", type: "dashed"},
                        label: {formatter: "90%", position: "end"}, data: [{yAxis: 90}]}},
          ],
        },
        head: [W.year, W.budget, W.executed, W.rate, W.total, W.grade],
        rows: d.years.map((y) => [left(String(y.year), formUrl(y.id)), money(y.budget_wan), money(y.executed_wan),
                                  figure(y.execution_rate), figure(y.total), gradeName(y.scale)]),
      };
    },
  };

  function show(box, data) {
    const name = box.dataset.chart;
    const drawn = DRAW[name](data);
    const el = box.querySelector(".chart");
    if (drawn.height) el.style.height = drawn.height + "px";
    if (drawn.title) box.querySelector("h2").textContent += " · " + drawn.title;
    const chart = echarts.init(el, null, {locale: english ? "EN" : "ZH"});
    chart.setOption(Object.assign({}, BASE, drawn.option));
    if (drawn.click) chart.on("click", drawn.click);
    window.jixiaoCharts[name] = chart;
    const tableBox = box.querySelector(".chart-table");
    tableBox.replaceChildren(table(drawn.head, drawn.rows));
    const toggle = box.querySelector(".show-table");
    toggle.addEventListener("click", () => {
      const open = tableBox.hidden;
      tableBox.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? W.hide : W.table;
    });
    box.querySelector(".save-image").addEventListener("click", () => {
      const a = document.createElement("a");
      a.href = chart.getDataURL({type: "png", pixelRatio: 2, backgroundColor: "#fff"});
      a.download = box.querySelector("h2").textContent.trim() + ".png";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
    box.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  }

  /* One request after the other: each saves the session (idle timeout), and a SQLite
     server is kinder to requests in turn than to seven at once. */
  let queue = Promise.resolve();
  document.querySelectorAll(".chart-box").forEach((box) => {
    const url = holder.dataset.base.replace("NAME", box.dataset.chart) + "?" + holder.dataset.query;
    queue = queue
      .then(() => fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}))
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => show(box, data))
      .catch((why) => { box.querySelector(".chart").textContent = W.empty + " (" + why + ")"; box.dataset.ready = "error"; });
  });
})();
