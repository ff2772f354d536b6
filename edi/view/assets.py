"""The inline style and script of the HTML view: no fonts, images or files loaded from anywhere."""

from __future__ import annotations

STYLE = """
:root { --error: #b3261e; --warning: #8a5a00; --info: #35618f; --muted: #666; --line: #e3e3e3; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1d; background: #fafafa; }
header { padding: 1rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
.kinds { color: var(--muted); margin: 0 0 .6rem; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .15rem .6rem; vertical-align: top; }
.totals th { font-weight: 600; color: var(--muted); } .totals td { font-variant-numeric: tabular-nums; }
.findings-table { width: 100%; } .findings-table tr + tr td { border-top: 1px solid var(--line); }
.findings-table tr.error td:first-child { color: var(--error); font-weight: 600; }
.findings-table tr.warning td:first-child { color: var(--warning); font-weight: 600; }
main { padding: 1rem 1.5rem; }
details { margin: .1rem 0 .1rem 1.1rem; border-left: 1px solid var(--line); padding-left: .5rem; }
main > details { margin-left: 0; }
summary { cursor: pointer; padding: .1rem 0; } .loop-name { font-weight: 600; }
.envelope > summary .loop-name { color: var(--muted); }
.badge { margin-left: .5rem; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem; color: #fff; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); }
.seg { padding: .05rem 0; }
.seg code { font: 13px/1.4 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.seg .pos { display: inline-block; width: 3.2rem; margin-right: .6rem; color: var(--muted); font-size: .8rem;
  text-align: right; }
.sid { font-weight: 700; color: #1f4f8f; } .el { border-bottom: 1px dotted transparent; }
.el:hover { border-bottom-color: #888; background: #eef3fb; }
.seg.error { background: #fdecea; } .seg.warning { background: #fff6e0; }
.el.bad { background: #f8c9c4; border-bottom: 2px solid var(--error); }
.findings { margin: .1rem 0 .3rem 3.8rem; padding: 0; list-style: none; }
.finding { padding: .1rem .4rem; border-left: 3px solid var(--info); }
.finding.error { border-color: var(--error); } .finding.warning { border-color: var(--warning); }
.finding .severity { font-weight: 700; text-transform: uppercase; font-size: .75rem; }
.finding.error .severity { color: var(--error); } .finding.warning .severity { color: var(--warning); }
.finding .snip { color: var(--muted); font-size: .8rem; }
:target { outline: 2px solid #1f4f8f; }
button { font: inherit; padding: .1rem .6rem; }
"""

SCRIPT = """
(function () {
  function unfoldTo(node) {
    for (var d = node; d; d = d.parentElement) { if (d.tagName === 'DETAILS') { d.open = true; } }
  }
  function all(open) {
    document.querySelectorAll('main details').forEach(function (d) { d.open = open; });
  }
  document.getElementById('expand-all').addEventListener('click', function () { all(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { all(false); });
  document.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute('href').slice(1));
    if (target) { unfoldTo(target); }
  });
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) { unfoldTo(target); target.scrollIntoView(); }
  }
})();
"""
