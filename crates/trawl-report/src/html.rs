//! The page: one HTML file with its style, charts and a few lines of script inline.

use crate::chart::{self, Series, Span, Tick, count};
use crate::incidents::{IncidentView, col, findings_by_event};
use crate::overview::{NewItems, Overview};
use crate::query::Rows;
use crate::subject::Subject;
use crate::{Incidents, Methods, Report};

/// Text made safe for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Longest raw event shown; CloudTrail events are rarely past a few kilobytes.
const RAW_CHARS: usize = 20_000;

const STYLE: &str = r#"
:root{--bg:#fff;--fg:#1d2330;--muted:#5f6b7a;--line:#d8dde4;--card:#f6f8fa;--zero:#eef1f4;--accent:#2f6fb3;
--c0:#4e79a7;--c1:#f28e2b;--c2:#e15759;--c3:#76b7b2;--c4:#59a14f;--c5:#edc948;--c6:#b07aa1;--c7:#ff9da7;--c8:#9c755f;--c9:#bab0ac}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--fg:#e3e7ed;--muted:#9aa5b4;--line:#333a44;--card:#1c2027;--zero:#23282f;--accent:#7fb0e8;
--c0:#6f9bd1;--c1:#f5a35c;--c2:#ef7b7d;--c3:#8fd0ca;--c4:#7cc26f;--c5:#f2d66b;--c6:#c79bc0;--c7:#ffb3bb;--c8:#c19a7e;--c9:#cfc6c2}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
header h1{font-size:22px;margin:8px 0 2px}
.sub{color:var(--muted)}
nav{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:6px 0;z-index:1}
nav a{margin-right:14px;color:var(--accent);text-decoration:none}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:110px}
.card b{display:block;font-size:18px}
.card span{color:var(--muted);font-size:12px}
figure.chart{margin:10px 0 16px;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 10px;break-inside:avoid}
figcaption{font-weight:600;margin-bottom:4px}
figcaption a,.q{font-weight:400;font-size:12px;color:var(--accent);margin-left:8px}
svg{display:block;font-size:11px}
svg text{fill:var(--fg)}
svg .axis{fill:var(--muted)}
svg .grid{stroke:var(--line);stroke-width:1}
svg .area{fill-opacity:.85;stroke:var(--bg);stroke-width:.5}
svg polyline.line{fill:none;stroke-width:2}
svg .zero{fill:var(--zero)}
svg .edge{stroke:var(--muted);stroke-width:1.2}
svg .node{fill:var(--card);stroke:var(--accent)}
svg .strong{font-weight:600}
svg .tick{stroke-width:2}
svg .span{fill-opacity:.35;stroke-width:1.5}
.c0{--c:var(--c0)}.c1{--c:var(--c1)}.c2{--c:var(--c2)}.c3{--c:var(--c3)}.c4{--c:var(--c4)}
.c5{--c:var(--c5)}.c6{--c:var(--c6)}.c7{--c:var(--c7)}.c8{--c:var(--c8)}.c9{--c:var(--c9)}
svg [class^=c]{fill:var(--c)}
svg .line{stroke:var(--c)}
.legend{list-style:none;padding:0;margin:4px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;background:var(--c)}
.cols{display:grid;grid-template-columns:1fr;gap:0 16px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:12.5px}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;white-space:nowrap}
td.n,.sev,td:first-child{white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td code,pre{font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;word-break:break-all;background:var(--card);border:1px solid var(--line);padding:6px;margin:4px 0;max-height:420px;overflow:auto}
details summary{cursor:pointer;color:var(--accent)}
input.filter{width:100%;max-width:360px;padding:4px 8px;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}
.incident{border:1px solid var(--line);border-radius:6px;padding:4px 14px 10px;margin:14px 0}
.sev{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:#6b7785}
.sev-critical{background:#8e1b2a}.sev-high{background:#c0392b}.sev-medium{background:#c77c0e}.sev-low{background:#2f6fb3}
.note{color:var(--muted);font-size:12.5px}
.empty{color:var(--muted);font-style:italic}
.t0{--t:hsl(0,65%,50%)}.t1{--t:hsl(26,70%,48%)}.t2{--t:hsl(48,80%,42%)}.t3{--t:hsl(75,55%,40%)}.t4{--t:hsl(110,45%,40%)}
.t5{--t:hsl(150,50%,38%)}.t6{--t:hsl(180,55%,36%)}.t7{--t:hsl(205,65%,45%)}.t8{--t:hsl(230,55%,55%)}.t9{--t:hsl(260,45%,55%)}
.t10{--t:hsl(285,45%,50%)}.t11{--t:hsl(310,50%,48%)}.t12{--t:hsl(335,60%,50%)}.t13{--t:hsl(0,0%,55%)}
svg [class^=t]{fill:var(--t);stroke:var(--t)}
.legend i[class^=t]{background:var(--t)}
@media print{nav,input.filter{display:none}body{font-size:11px}main{max-width:none;padding:0}
figure.chart,.incident{break-inside:avoid}details:not([open]) summary::after{content:" (open in a browser)";color:var(--muted)}}
"#;

/// Installed first, so an error anywhere in the page is recorded on the document
/// (a headless browser's dump of the DOM shows it; the test reads it).
const ERROR_HOOK: &str = r#"(function(){var errors=[];function note(m){errors.push(String(m));document.documentElement.setAttribute('data-errors',JSON.stringify(errors));}
window.addEventListener('error',function(e){note(e.message||'error loading '+(e.target&&e.target.src||'a resource'));},true);
var original=console.error;console.error=function(){note(Array.prototype.join.call(arguments,' '));return original.apply(console,arguments);};})();"#;

/// Row filters for the tables, and a count of the charts that drew (for the test).
const SCRIPT: &str = r#"document.querySelectorAll('input.filter').forEach(function(input){var table=document.getElementById(input.getAttribute('data-table'));if(!table)return;
input.addEventListener('input',function(){var q=input.value.toLowerCase();table.querySelectorAll('tbody tr').forEach(function(row){row.hidden=q!==''&&row.textContent.toLowerCase().indexOf(q)<0;});});});
(function(){var figures=document.querySelectorAll('figure.chart'),drawn=0;figures.forEach(function(f){var svg=f.querySelector('svg');if(!svg)return;var marks=svg.querySelectorAll('rect,path,polyline,circle,line').length;var box=svg.getBoundingClientRect();
if(marks>0&&box.width>0&&box.height>0){drawn++;f.setAttribute('data-rendered',String(marks));}});document.body.setAttribute('data-charts',String(figures.length));document.body.setAttribute('data-charts-rendered',String(drawn));})();"#;

/// A time in seconds since the epoch, to the second, UTC.
fn date_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| secs.to_string())
}

fn card(out: &mut String, value: &str, label: &str) {
    out.push_str(&format!(
        r#"<div class="card"><b>{}</b><span>{}</span></div>"#,
        esc(value),
        esc(label)
    ));
}

/// A link to a query in the methods box.
fn query_link(q: Option<usize>) -> String {
    match q {
        Some(q) => format!(r##"<a href="#q{}">SQL</a>"##, q + 1),
        None => String::new(),
    }
}

fn figure(out: &mut String, name: &str, caption: &str, q: Option<usize>, svg: &str) {
    out.push_str(&format!(
        r#"<figure class="chart" data-chart="{}"><figcaption>{}{}</figcaption>{svg}"#,
        esc(name),
        esc(caption),
        query_link(q)
    ));
}

fn legend(out: &mut String, series: &[Series]) {
    out.push_str(r#"<ul class="legend">"#);
    for (k, s) in series.iter().enumerate() {
        let total: f64 = s.values.iter().sum();
        out.push_str(&format!(
            r#"<li class="c{}"><i></i>{} ({})</li>"#,
            k % 10,
            esc(&s.name),
            count(total)
        ));
    }
    out.push_str("</ul>");
}

/// A table with a filter box; `cells` are HTML already.
fn table(out: &mut String, id: &str, headers: &[&str], numeric: &[usize], rows: &[Vec<String>]) {
    out.push_str(&format!(
        r#"<input class="filter" type="search" data-table="{id}" placeholder="Filter these {} rows" aria-label="Filter rows"><table id="{id}"><thead><tr>"#,
        rows.len()
    ));
    for (i, h) in headers.iter().enumerate() {
        let class = if numeric.contains(&i) {
            r#" class="n""#
        } else {
            ""
        };
        out.push_str(&format!("<th{class}>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let class = if numeric.contains(&i) {
                r#" class="n""#
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>{c}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn cell(s: Option<&str>) -> String {
    esc(s.unwrap_or(""))
}

fn ranked_chart(
    out: &mut String,
    name: &str,
    caption: &str,
    q: Option<usize>,
    items: &[(String, i64)],
) {
    if items.is_empty() {
        return;
    }
    let bars: Vec<(String, f64)> = items.iter().map(|(k, v)| (k.clone(), *v as f64)).collect();
    figure(
        out,
        name,
        caption,
        q,
        &chart::bars(&bars, "events", caption),
    );
    out.push_str("</figure>");
}

fn overview(out: &mut String, o: &Overview) {
    out.push_str(r#"<section id="overview"><h2>Overview</h2>"#);
    if o.events == 0 {
        out.push_str(r#"<p class="empty">No events in this range.</p></section>"#);
        return;
    }
    out.push_str(r#"<div class="cards">"#);
    card(out, &count(o.events as f64), "events");
    card(out, &count(o.errors as f64), "errors");
    card(out, &count(o.denied as f64), "access denied");
    card(out, &count(o.accounts as f64), "accounts");
    card(out, &count(o.regions as f64), "regions");
    card(out, &count(o.principals as f64), "principals");
    out.push_str("</div>");
    if let (Some(f), Some(l)) = (o.first, o.last) {
        out.push_str(&format!(
            r#"<p class="sub">From {} to {} UTC, in {} buckets. {}</p>"#,
            esc(&date_time(f)),
            esc(&date_time(l)),
            esc(&o.unit),
            query_link(o.query("totals"))
        ));
    }
    figure(
        out,
        "events-by-account-region",
        &format!("Events per {} by account and region", o.unit),
        o.query("by_account_region"),
        &chart::stacked_area(
            &o.times,
            o.step,
            &o.by_account_region,
            "events over time by account and region",
        ),
    );
    legend(out, &o.by_account_region);
    out.push_str("</figure>");
    figure(
        out,
        "errors-over-time",
        &format!("Errors and access denied per {}", o.unit),
        o.query("failures"),
        &chart::lines(
            &o.times,
            o.step,
            &o.failures,
            "errors and access denied over time",
        ),
    );
    legend(out, &o.failures);
    out.push_str("</figure>");
    ranked_chart(
        out,
        "top-apis",
        "Busiest APIs",
        o.query("top_apis"),
        &o.top_apis,
    );
    ranked_chart(
        out,
        "top-principals",
        "Busiest principals",
        o.query("top_principals"),
        &o.top_principals,
    );
    ranked_chart(
        out,
        "top-addresses",
        "Busiest source addresses",
        o.query("top_addresses"),
        &o.top_addresses,
    );
    out.push_str(r#"<h3 id="new">New in the range</h3>"#);
    match o.new_from {
        None => out.push_str(
            r#"<p class="empty">The data covers a day or less and no --since was given: nothing to compare with.</p>"#,
        ),
        Some(from) => {
            out.push_str(&format!(
                r#"<p class="note">First seen at or after {} UTC, compared with the {} events before it in the lake{}.</p>"#,
                esc(&date_time(from)),
                count(o.history as f64),
                if o.history == 0 {
                    " (none: everything in the range is new)"
                } else {
                    ""
                }
            ));
            for (id, title, items) in [
                ("new-principals", "Principals", &o.new_principals),
                ("new-regions", "Regions", &o.new_regions),
                ("new-apis", "APIs", &o.new_apis),
            ] {
                new_items(out, id, title, items);
            }
        }
    }
    out.push_str("</section>");
}

fn new_items(out: &mut String, id: &str, title: &str, items: &NewItems) {
    out.push_str(&format!(
        "<h3>{} first seen: {}{} {}</h3>",
        esc(title),
        items.items.len(),
        if items.more { "+" } else { "" },
        query_link(Some(items.query))
    ));
    if items.items.is_empty() {
        out.push_str(r#"<p class="empty">None.</p>"#);
        return;
    }
    let rows: Vec<Vec<String>> = items
        .items
        .iter()
        .map(|(name, first, n)| {
            vec![
                format!("<code>{}</code>", esc(name)),
                esc(&date_time(*first)),
                count(*n as f64),
            ]
        })
        .collect();
    table(
        out,
        id,
        &["name", "first seen (UTC)", "events"],
        &[2],
        &rows,
    );
}

fn severity(s: &str) -> String {
    format!(r#"<span class="sev sev-{0}">{0}</span>"#, esc(s))
}

fn incidents(out: &mut String, inc: &Incidents) {
    out.push_str(r#"<section id="incidents"><h2>Incidents</h2>"#);
    out.push_str(&format!(
        r#"<p class="sub">{} detections ran and raised {} findings, told as {} incidents; {} in this report's scope, most urgent first.</p>"#,
        inc.detections_run, inc.findings, inc.raised, inc.matching
    ));
    if !inc.failed.is_empty() {
        out.push_str(r#"<p class="note">Detections that could not run:</p><ul class="note">"#);
        for (id, why) in &inc.failed {
            out.push_str(&format!("<li><code>{}</code>: {}</li>", esc(id), esc(why)));
        }
        out.push_str("</ul>");
    }
    if !inc.unarmed.is_empty() {
        let names: Vec<String> = inc
            .unarmed
            .iter()
            .map(|(d, from)| format!("{d} (from {from})"))
            .collect();
        out.push_str(&format!(
            r#"<p class="note">Not armed yet (the data is shorter than the history they learn from): {}</p>"#,
            esc(&names.join(", "))
        ));
    }
    if inc.ranked.is_empty() {
        out.push_str(r#"<p class="empty">No incidents.</p></section>"#);
        return;
    }
    let rows: Vec<Vec<String>> = inc
        .ranked
        .iter()
        .map(|i| {
            let tactics: Vec<&str> = i.tactics.iter().map(|t| t.name()).collect();
            let anchor = if inc.detailed.iter().any(|d| d.incident.id == i.id) {
                format!(r##"<a href="#{0}">{0}</a>"##, esc(&i.id))
            } else {
                esc(&i.id)
            };
            vec![
                i.rank.to_string(),
                anchor,
                format!("{:.1}", i.score),
                severity(i.severity.as_str()),
                esc(&i.title),
                esc(&i.principals.join(", ")),
                esc(&i.accounts.join(", ")),
                esc(&tactics.join(" → ")),
                esc(i.first_seen.as_deref().unwrap_or("")),
                count(i.eventids.len() as f64),
            ]
        })
        .collect();
    table(
        out,
        "ranked-incidents",
        &[
            "rank",
            "incident",
            "score",
            "severity",
            "title",
            "principals",
            "accounts",
            "tactics",
            "first seen",
            "events",
        ],
        &[0, 2, 9],
        &rows,
    );
    for d in &inc.detailed {
        incident(out, d);
    }
    if !inc.hits.is_empty() {
        out.push_str("<h3>Detections that found something</h3>");
        let rows: Vec<Vec<String>> = inc
            .hits
            .iter()
            .map(|(id, sev, n, title)| {
                vec![
                    format!("<code>{}</code>", esc(id)),
                    severity(sev),
                    n.to_string(),
                    esc(title),
                ]
            })
            .collect();
        table(
            out,
            "detections",
            &["detection", "severity", "findings", "title"],
            &[2],
            &rows,
        );
    }
    out.push_str("</section>");
}

/// The first few of a list, and how many more there are.
fn listed(items: &[String], total: usize) -> String {
    let mut text = esc(&items.join(", "));
    if total > items.len() {
        text.push_str(&format!(" and {} more", total - items.len()));
    }
    text
}

fn secs(t: Option<&str>) -> Option<i64> {
    crate::query::parse_time("time", t?)
        .ok()
        .map(|t| t.timestamp())
}

fn incident(out: &mut String, d: &IncidentView) {
    let i = &d.incident;
    out.push_str(&format!(
        r#"<div class="incident" id="{}"><h3>#{} {} {} score {:.1}</h3><p>{}</p><p class="sub">{} → {} · accounts {} · regions {} · principals {}</p>"#,
        esc(&i.id),
        i.rank,
        esc(&i.id),
        severity(i.severity.as_str()),
        i.score,
        esc(&i.title),
        esc(i.first_seen.as_deref().unwrap_or("?")),
        esc(i.last_seen.as_deref().unwrap_or("?")),
        esc(&i.accounts.join(", ")),
        esc(&i.regions.join(", ")),
        esc(&i.principals.join(", "))
    ));
    // Timeline: one lane per detection, each finding's span and its events' ticks.
    let mut lanes: Vec<String> = Vec::new();
    let mut spans = Vec::new();
    for f in &d.findings {
        let lane = match lanes.iter().position(|l| l == &f.detection) {
            Some(l) => l,
            None => {
                lanes.push(f.detection.clone());
                lanes.len() - 1
            }
        };
        if let (Some(a), Some(b)) = (
            secs(f.first_seen.as_deref()),
            secs(f.last_seen.as_deref()).or_else(|| secs(f.first_seen.as_deref())),
        ) {
            spans.push(Span {
                lane,
                from: a,
                to: b.max(a),
                colour: f.colour,
                title: format!(
                    "{} ({}, {}): {} findings, {} events, {} to {}",
                    f.detection,
                    f.severity,
                    f.tactic.as_deref().unwrap_or("no tactic"),
                    f.findings,
                    f.events,
                    f.first_seen.as_deref().unwrap_or("?"),
                    f.last_seen.as_deref().unwrap_or("?")
                ),
            });
        }
    }
    let by_event = findings_by_event(&d.findings);
    let ev = &d.evidence;
    let mut ticks = Vec::new();
    for r in 0..ev.len() {
        let Some(id) = ev.text(r, col::EVENTID) else {
            continue;
        };
        for f in by_event.get(id).into_iter().flatten() {
            let Some(finding) = d.findings.get(*f) else {
                continue;
            };
            let lane = lanes
                .iter()
                .position(|l| l == &finding.detection)
                .unwrap_or(0);
            ticks.push(Tick {
                lane,
                at: ev.int(r, col::AT),
                colour: finding.colour,
                title: format!(
                    "{} {} by {}",
                    date_time(ev.int(r, col::AT)),
                    ev.text(r, col::EVENTNAME).unwrap_or("?"),
                    ev.text(r, col::ARN).unwrap_or("?")
                ),
            });
        }
    }
    let chart_name = format!("timeline-{}", i.id);
    figure(
        out,
        &chart_name,
        "Timeline: findings by detection, coloured by tactic",
        Some(d.query),
        &chart::timeline(&lanes, &spans, &ticks, &format!("timeline of {}", i.id)),
    );
    out.push_str(r#"<ul class="legend">"#);
    let mut seen = Vec::new();
    for f in &d.findings {
        if !seen.contains(&f.colour) {
            seen.push(f.colour);
            out.push_str(&format!(
                r#"<li class="t{}"><i class="t{}"></i>{}</li>"#,
                f.colour,
                f.colour,
                esc(f.tactic.as_deref().unwrap_or("no tactic"))
            ));
        }
    }
    out.push_str("</ul></figure>");
    let paths: Vec<[Option<String>; 4]> = (0..ev.len())
        .map(|r| {
            [
                ev.text(r, col::KEY).map(str::to_string),
                ev.text(r, col::ARN).map(str::to_string),
                ev.text(r, col::ISSUER).map(str::to_string),
                ev.text(r, col::ACCOUNT).map(str::to_string),
            ]
        })
        .collect();
    if paths.iter().any(|p| p.iter().any(Option::is_some)) {
        figure(
            out,
            &format!("chain-{}", i.id),
            "Identity chain of the evidence events",
            Some(d.query),
            &chart::chain(
                &[
                    "access key",
                    "principal",
                    "role (session issuer)",
                    "account",
                ],
                &paths,
                &format!("identity chain of {}", i.id),
            ),
        );
        out.push_str("</figure>");
    }
    let rows: Vec<Vec<String>> = d
        .findings
        .iter()
        .map(|f| {
            vec![
                format!("<code>{}</code>", esc(&f.detection)),
                severity(&f.severity),
                cell(f.tactic.as_deref()),
                f.findings.to_string(),
                cell(f.first_seen.as_deref()),
                cell(f.last_seen.as_deref()),
                listed(&f.principals, f.principals_total),
                listed(&f.sources, f.sources_total),
                f.events.to_string(),
            ]
        })
        .collect();
    table(
        out,
        &format!("findings-{}", i.id),
        &[
            "detection",
            "severity",
            "tactic",
            "findings",
            "first seen",
            "last seen",
            "principals",
            "sources",
            "events",
        ],
        &[3, 8],
        &rows,
    );
    out.push_str(&format!(
        r#"<p class="note">Evidence: the earliest {} of {} events {}</p>"#,
        d.evidence_shown,
        i.eventids.len(),
        query_link(Some(d.query))
    ));
    evidence(out, &format!("evidence-{}", i.id), ev);
    out.push_str("</div>");
}

fn pretty(raw: &str) -> String {
    let text = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| raw.to_string());
    if text.len() <= RAW_CHARS {
        return text;
    }
    let cut: String = text.chars().take(RAW_CHARS).collect();
    format!("{cut}\n… cut at {RAW_CHARS} characters; `trawl sql` shows the whole event")
}

fn evidence(out: &mut String, id: &str, ev: &Rows) {
    let rows: Vec<Vec<String>> = (0..ev.len())
        .map(|r| {
            let call = format!(
                "{}:{}",
                ev.text(r, col::SOURCE)
                    .unwrap_or("?")
                    .trim_end_matches(".amazonaws.com"),
                ev.text(r, col::EVENTNAME).unwrap_or("?")
            );
            vec![
                esc(&date_time(ev.int(r, col::AT))),
                format!("<code>{}</code>", esc(&call)),
                cell(ev.text(r, col::ARN)),
                cell(ev.text(r, col::ADDRESS)),
                cell(ev.text(r, col::REGION)),
                cell(ev.text(r, col::ERROR)),
                format!(
                    "<details><summary>{}</summary><pre>{}</pre></details>",
                    cell(ev.text(r, col::EVENTID)),
                    esc(&pretty(ev.text(r, col::JSON).unwrap_or("")))
                ),
            ]
        })
        .collect();
    table(
        out,
        id,
        &[
            "time (UTC)",
            "call",
            "principal",
            "source",
            "region",
            "error",
            "event (raw JSON)",
        ],
        &[],
        &rows,
    );
}

fn subject(out: &mut String, s: &Subject) {
    out.push_str(&format!(
        r#"<section id="subject"><h2>Activity of {}</h2>"#,
        esc(&s.label)
    ));
    if s.events == 0 {
        out.push_str(r#"<p class="empty">No events of it in this range.</p></section>"#);
        return;
    }
    out.push_str(r#"<div class="cards">"#);
    card(out, &count(s.events as f64), "events");
    card(out, &count(s.errors as f64), "errors");
    card(out, &count(s.denied as f64), "access denied");
    card(out, &count(s.changes_total as f64), "write calls");
    out.push_str("</div>");
    if let (Some(f), Some(l)) = (s.first, s.last) {
        out.push_str(&format!(
            r#"<p class="sub">From {} to {} UTC. {}</p>"#,
            esc(&date_time(f)),
            esc(&date_time(l)),
            query_link(s.query("totals"))
        ));
    }
    let cells: Vec<(usize, usize, f64)> = s
        .cells
        .iter()
        .map(|(d, h, n)| (*d, *h, *n as f64))
        .collect();
    figure(
        out,
        "subject-heatmap",
        &format!(
            "Hour of day (UTC) by day{}",
            if s.days_cut { ", the last days" } else { "" }
        ),
        s.query("heatmap"),
        &chart::heatmap(&s.days, &cells, "activity by hour of day and day"),
    );
    out.push_str("</figure>");
    let apis: Vec<(String, i64)> = s.apis.iter().map(|(a, n, _)| (a.clone(), *n)).collect();
    ranked_chart(
        out,
        "subject-apis",
        "APIs it called",
        s.query("apis"),
        &apis,
    );
    out.push_str(&format!(
        "<h3>Source addresses {}</h3>",
        query_link(s.query("addresses"))
    ));
    let a = &s.addresses;
    let rows: Vec<Vec<String>> = (0..a.len())
        .map(|r| {
            let place = match (a.text(r, 1), a.text(r, 2)) {
                (Some(region), Some(service)) => format!("AWS {service} {region}"),
                _ => String::new(),
            };
            vec![
                cell(a.text(r, 0)),
                esc(&place),
                count(a.int(r, 3) as f64),
                esc(&date_time(a.int(r, 4))),
                esc(&date_time(a.int(r, 5))),
            ]
        })
        .collect();
    table(
        out,
        "subject-addresses",
        &[
            "address",
            "where (AWS's published ranges)",
            "events",
            "first",
            "last",
        ],
        &[2],
        &rows,
    );
    out.push_str(&format!(
        "<h3>What it changed: {} write calls</h3>",
        count(s.changes_total as f64)
    ));
    ranked_chart(
        out,
        "subject-changes",
        "Write calls by API",
        s.query("changes_by_api"),
        &s.changes_by_api,
    );
    let c = &s.changes;
    if !c.is_empty() {
        out.push_str(&format!(
            r#"<p class="note">The newest {} write calls {}</p>"#,
            c.len(),
            query_link(s.query("changes"))
        ));
        let rows: Vec<Vec<String>> = (0..c.len())
            .map(|r| {
                vec![
                    esc(&date_time(c.int(r, 0))),
                    format!("<code>{}</code>", cell(c.text(r, 1))),
                    cell(c.text(r, 2)),
                    cell(c.text(r, 3)),
                    match c.text(r, 4) {
                        Some(p) => format!(
                            "<details><summary>parameters</summary><pre>{}</pre></details>",
                            esc(&pretty(p))
                        ),
                        None => String::new(),
                    },
                    format!("<code>{}</code>", cell(c.text(r, 5))),
                ]
            })
            .collect();
        table(
            out,
            "subject-changes-table",
            &[
                "time (UTC)",
                "call",
                "region",
                "error",
                "request",
                "eventid",
            ],
            &[],
            &rows,
        );
    }
    out.push_str("</section>");
}

fn methods(out: &mut String, m: &Methods) {
    out.push_str(r#"<section id="methods"><h2>Methods</h2><table><tbody>"#);
    let range = format!(
        "{} to {}",
        m.scope.since.as_deref().unwrap_or("the first event"),
        m.scope.until.as_deref().unwrap_or("the last event")
    );
    let detections = format!("severity {} and above", m.min_severity);
    for (k, v) in [
        ("lake", Some(m.lake.as_str())),
        ("time range", Some(range.as_str())),
        ("account", m.scope.account.as_deref()),
        ("principal", m.scope.principal.as_deref()),
        ("access key", m.scope.access_key.as_deref()),
        ("incident", m.scope.incident.as_deref()),
        ("detections", Some(detections.as_str())),
        ("trawl version", Some(m.version.as_str())),
        ("generated", Some(m.generated.as_str())),
    ] {
        if let Some(v) = v {
            out.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)));
        }
    }
    out.push_str("</tbody></table>");
    out.push_str(&format!(
        r#"<p class="note">Every number and chart above is what one of these {} queries returned over the lake's <code>cloudtrail</code> table; run one again with <code>trawl sql --lake {} -c "..."</code>. Incidents come from <code>trawl hunt</code> over the same range.</p>"#,
        m.queries.len(),
        esc(&m.lake)
    ));
    for (i, q) in m.queries.iter().enumerate() {
        out.push_str(&format!(
            r#"<details id="q{}"><summary>{}. {} ({} rows)</summary><pre>{}</pre></details>"#,
            i + 1,
            i + 1,
            esc(&q.purpose),
            q.rows,
            esc(&q.sql)
        ));
    }
    out.push_str("</section>");
}

/// The report's data as JSON for a script tag: `</` cannot end the tag early.
fn data_block(report: &Report) -> String {
    let json = serde_json::to_string(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    json.replace("</", "<\\/")
}

pub fn page(r: &Report) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let title = match &r.subject {
        Some(s) => format!("trawl report: {}", s.label),
        None => format!("trawl report: {}", r.methods.lake),
    };
    out.push_str(&format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="generator" content="trawl {}"><title>{}</title><script>{ERROR_HOOK}</script><style>{STYLE}</style></head><body><main>"#,
        esc(&r.methods.version),
        esc(&title)
    ));
    out.push_str(&format!(
        r#"<header><h1>{}</h1><p class="sub">{} events · {} incidents · generated {} by trawl {}</p></header>"#,
        esc(&title),
        count(r.overview.events as f64),
        r.incidents.matching,
        esc(&r.methods.generated),
        esc(&r.methods.version)
    ));
    out.push_str(r##"<nav><a href="#overview">Overview</a><a href="#incidents">Incidents</a>"##);
    if r.subject.is_some() {
        out.push_str(r##"<a href="#subject">Activity</a>"##);
    }
    out.push_str(r##"<a href="#methods">Methods</a></nav>"##);
    overview(&mut out, &r.overview);
    incidents(&mut out, &r.incidents);
    if let Some(s) = &r.subject {
        subject(&mut out, s);
    }
    methods(&mut out, &r.methods);
    out.push_str(&format!(
        r#"<script type="application/json" id="trawl-report-data">{}</script><script>{SCRIPT}</script></main></body></html>"#,
        data_block(r)
    ));
    out
}

/// Rows of a result drawn as bars; a longer result is a table only.
const RESULT_BARS: usize = 60;

/// The column to draw bars of: the first whose every value is a number, and the
/// first other column that is not, as labels.
fn bar_columns(header: &[String], rows: &[Vec<Option<String>>]) -> Option<(usize, usize)> {
    let numeric = |c: usize| {
        rows.iter().any(|r| r.get(c).is_some_and(Option::is_some))
            && rows.iter().all(|r| match r.get(c) {
                Some(Some(v)) => v.trim().parse::<f64>().is_ok(),
                _ => true,
            })
    };
    let value = (0..header.len()).find(|c| numeric(*c))?;
    let label = (0..header.len()).find(|c| *c != value && !numeric(*c))?;
    Some((label, value))
}

/// One query result as a page of its own (`trawl sql --format html`): a table with a
/// filter box, and bars when the result has a label column and a numeric one.
pub fn result_page(title: &str, header: &[String], rows: &[Vec<Option<String>>]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str(&format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><title>{}</title><script>{ERROR_HOOK}</script><style>{STYLE}</style></head><body><main><header><h1>{}</h1><p class="sub">{} rows</p></header>"#,
        esc(title),
        esc(title),
        count(rows.len() as f64)
    ));
    if rows.len() <= RESULT_BARS
        && let Some((label, value)) = bar_columns(header, rows)
    {
        let bars: Vec<(String, f64)> = rows
            .iter()
            .map(|r| {
                let text = |c: usize| r.get(c).cloned().flatten().unwrap_or_default();
                (text(label), text(value).trim().parse().unwrap_or(0.0))
            })
            .collect();
        let caption = format!("{} by {}", header[value], header[label]);
        figure(
            &mut out,
            "result",
            &caption,
            None,
            &chart::bars(&bars, &header[value], &caption),
        );
        out.push_str("</figure>");
    }
    let numeric: Vec<usize> = (0..header.len())
        .filter(|c| {
            rows.iter().all(|r| match r.get(*c) {
                Some(Some(v)) => v.trim().parse::<f64>().is_ok(),
                _ => true,
            })
        })
        .collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell(c.as_deref())).collect())
        .collect();
    let headers: Vec<&str> = header.iter().map(String::as_str).collect();
    table(&mut out, "result-table", &headers, &numeric, &cells);
    out.push_str(&format!("<script>{SCRIPT}</script></main></body></html>\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn a_result_page_draws_bars_of_its_numeric_column() {
        let header = vec!["api".to_string(), "events".to_string()];
        let rows = vec![
            vec![Some("s3:GetObject".to_string()), Some("12".to_string())],
            vec![Some("<b>".to_string()), Some("3".to_string())],
        ];
        let page = result_page("q", &header, &rows);
        assert!(page.contains(r#"data-chart="result""#));
        assert_eq!(page.matches("<tr>").count(), 3);
        assert!(page.contains("&lt;b&gt;") && !page.contains("<b>"));
        // Text only: a table, no chart.
        let words = vec![vec![Some("a".to_string()), Some("b".to_string())]];
        assert!(!result_page("q", &header, &words).contains("<figure"));
    }

    #[test]
    fn raw_events_are_pretty_and_bounded() {
        assert_eq!(pretty(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty("not json"), "not json");
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(RAW_CHARS * 2));
        assert!(pretty(&big).ends_with("shows the whole event"));
    }
}
